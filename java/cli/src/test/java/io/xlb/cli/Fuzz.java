package io.xlb.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import picocli.CommandLine;

/**
 * What the fuzz tiers share: their size and seed (system properties {@code xlb.fuzz.cases} and
 * {@code xlb.fuzz.seed}, so {@code benchmarks/run-fuzz} runs the same fuzzers larger), an
 * in-process run of the {@code xlb} command that also catches what picocli would only print, and
 * the failures kept for the report.
 */
final class Fuzz {
    /** The seed of tools/test's runs: the same cases every time. */
    static final long DEFAULT_SEED = 0x5EED_F0221L;

    final String name;
    final int cases;
    final long seed;
    final SplittableRandom random;
    private final List<String> failures = new ArrayList<>();
    private final java.util.Set<String> kinds = new java.util.HashSet<>();
    private int failed;

    Fuzz(String name, int defaultCases) {
        this.name = name;
        this.cases = Integer.getInteger("xlb.fuzz.cases", defaultCases);
        this.seed = Long.decode(System.getProperty("xlb.fuzz.seed", String.valueOf(DEFAULT_SEED)));
        this.random = new SplittableRandom(seed);
    }

    /**
     * One run: what {@link XlbRun} returns, the exception picocli caught (null when none), and, when
     * a run on a reused command line was checked against a fresh one, how they differ (null: alike).
     */
    record Outcome(XlbRun run, Throwable thrown, String differs) {}

    /** How often a case also runs on a fresh command line, to show that reusing one changes nothing. */
    static final int FRESH_EVERY = 100;

    /**
     * One {@code xlb} command line for all the cases of a run: picocli resets every option before
     * each parse, and building the command tree anew (as {@link XlbRun} does) costs ten times the
     * case itself. Every {@link #FRESH_EVERY}th case is run both ways and must come out the same.
     */
    private final CommandLine reused = Xlb.commandLine();
    private final StringWriter reusedOut = new StringWriter();
    private final StringWriter reusedErr = new StringWriter();
    private final Throwable[] reusedThrown = new Throwable[1];

    {
        // Set once: each of these setters walks the whole command tree.
        reused.setOut(new PrintWriter(reusedOut, true));
        reused.setErr(new PrintWriter(reusedErr, true));
        CommandLine.IExecutionExceptionHandler standard = reused.getExecutionExceptionHandler();
        reused.setExecutionExceptionHandler((e, c, parsed) -> {
            reusedThrown[0] = e;
            return standard.handleExecutionException(e, c, parsed);
        });
    }

    /** Case {@code n}: {@code xlb args…} in-process with {@code stdin} (null: empty) as System.in. */
    Outcome run(int n, byte[] stdin, String... args) {
        reusedOut.getBuffer().setLength(0);
        reusedErr.getBuffer().setLength(0);
        reusedThrown[0] = null;
        Outcome o = execute(reused, stdin, args, reusedOut, reusedErr, reusedThrown);
        if (n % FRESH_EVERY == 0) {
            Outcome fresh = run(stdin, args);
            XlbRun a = o.run(), b = fresh.run();
            if (a.exit() != b.exit() || !a.out().equals(b.out()) || !a.err().equals(b.err())) {
                return new Outcome(a, o.thrown(), "a fresh command line answered exit " + b.exit() + ", stderr:\n"
                        + b.err() + "stdout:\n" + b.out());
            }
        }
        return o;
    }

    /** {@code xlb args…} on a fresh command line, exactly as {@link XlbRun#of} runs it. */
    static Outcome run(byte[] stdin, String... args) {
        CommandLine cl = Xlb.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        Throwable[] thrown = new Throwable[1];
        CommandLine.IExecutionExceptionHandler standard = cl.getExecutionExceptionHandler();
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            thrown[0] = e;
            return standard.handleExecutionException(e, c, parsed);
        });
        return execute(cl, stdin, args, out, err, thrown);
    }

    private static Outcome execute(CommandLine cl, byte[] stdin, String[] args, StringWriter out, StringWriter err,
                                   Throwable[] thrown) {
        InputStream in = System.in;
        System.setIn(new ByteArrayInputStream(stdin != null ? stdin : new byte[0]));
        int exit;
        try {
            exit = cl.execute(args);
        } catch (Throwable t) { // an Error (StackOverflowError, …) goes through picocli
            return new Outcome(new XlbRun(-1, out.toString(), err.toString()), t, null);
        } finally {
            System.setIn(in);
        }
        cl.getOut().flush();
        cl.getErr().flush();
        return new Outcome(new XlbRun(exit, out.toString(), err.toString()), thrown[0], null);
    }

    /** The text of an outcome that shows a crash, or null: an exception, a stack trace, picocli's own words. */
    static String crash(Outcome o) {
        if (o.thrown() != null) {
            StringWriter trace = new StringWriter();
            o.thrown().printStackTrace(new PrintWriter(trace));
            return "threw " + trace;
        }
        if (o.differs() != null) {
            return "the reused command line answered otherwise than " + o.differs();
        }
        String err = o.run().err();
        if (err.contains("Exception") || err.contains("\tat ") || err.contains("java.lang.")) {
            return "stack trace or exception on stderr";
        }
        return null;
    }

    /** Records a failed case: counted always, kept in full when its kind is new (see {@link #kind}). */
    void fail(int n, String why, String input, Outcome o) {
        failed++;
        if (kinds.add(kind(why, o)) && failures.size() < 20) {
            failures.add("case " + n + ": " + why + "\n--- input ---\n" + input + "\n--- exit " + o.run().exit()
                    + ", stderr ---\n" + o.run().err() + "--- stdout ---\n" + o.run().out()
                    + (o.thrown() != null ? "--- thrown ---\n" + crash(o) : ""));
        }
    }

    /** The exception's type and where in xlb it was thrown, else the reason with numbers and paths left out. */
    private static String kind(String why, Outcome o) {
        if (o.thrown() != null) {
            return o.thrown().getClass().getName() + " at " + java.util.Arrays.stream(o.thrown().getStackTrace())
                    .filter(f -> f.getClassName().startsWith("io.xlb")).findFirst().map(Object::toString).orElse("?");
        }
        String text = why.startsWith("stack trace") ? o.run().err().lines().filter(l -> l.contains("Exception"))
                .findFirst().orElse(why) : why;
        return text.replaceAll("\\S*/\\S*|\\d+", "#");
    }

    int failed() {
        return failed;
    }

    /** The failures for the assertion message; also kept under target/fuzz-failures/ for reproduction. */
    String report() {
        try {
            Path dir = Path.of("target", "fuzz-failures");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".txt"), String.join("\n\n", failures));
        } catch (java.io.IOException e) {
            // the message below carries the same text
        }
        return failed + " of " + cases + " cases failed (seed " + seedText() + "); the first of each kind:\n\n" + String.join("\n\n", failures);
    }

    String seedText() {
        return "0x" + Long.toHexString(seed).toUpperCase(java.util.Locale.ROOT);
    }

    /** Wall and CPU time since it was made: the machines are shared, and CPU time says what the fuzzer cost. */
    static final class Clock {
        private final long wall = System.nanoTime();
        private final long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%.1f s, %.1f s of CPU", (System.nanoTime() - wall) / 1e9,
                    (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu) / 1e9);
        }
    }

    // --- random choices ---

    int below(int n) {
        return random.nextInt(n);
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    @SafeVarargs
    final <T> T pick(T... items) {
        return items[random.nextInt(items.length)];
    }
}
