package io.xlb.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command line run to completion with a deadline; its output is kept for the error message. */
public record Command(List<String> argv, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public Command {
        argv = List.copyOf(argv);
    }

    public static Command of(String... argv) {
        return new Command(List.of(argv), DEFAULT_TIMEOUT);
    }

    public Command withTimeout(Duration t) {
        return new Command(argv, t);
    }

    /** What a finished command printed (stdout and stderr merged) and its exit code. */
    public record Result(int exitCode, String output) {}

    /** Runs and returns the result whatever the exit code. */
    public Result result() {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            // Read while waiting, so a chatty command cannot fill the pipe and stall.
            var output = new java.io.ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (var in = p.getInputStream()) {
                    in.transferTo(output);
                } catch (IOException ignored) {
                    // the process went away; what was read is kept
                }
            });
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
            }
            reader.join();
            String text = output.toString(StandardCharsets.UTF_8);
            if (!finished) {
                throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", argv) + "\n" + text);
            }
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", argv), e);
        }
    }

    /** Runs and returns the output; a non-zero exit is an exception naming the command and its output. */
    public String run() {
        Result r = result();
        if (r.exitCode() != 0) {
            throw new IllegalStateException("exit " + r.exitCode() + ": " + String.join(" ", argv) + "\n" + r.output());
        }
        return r.output();
    }
}
