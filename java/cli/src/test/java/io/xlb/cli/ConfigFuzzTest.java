package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xlb check-config} under fuzzing. Every keepalived.conf the tests hold (the config
 * module's malformed, full, seed and include files, the CLI's, and the text blocks of every
 * module's tests) is mutated: tokens deleted, duplicated, swapped, replaced by other keywords,
 * numbers by huge, negative, fractional, hex and non-ASCII ones, addresses by odd ones, braces
 * dropped and added, lines moved, definitions and includes put in. Each case is written to a
 * file and checked by {@code xlb check-config -f FILE}: never an exception, exit 0, or exit 1
 * with at least one {@code file:line:col: error: ...} whose position is inside its file.
 *
 * Size and seed: system properties {@code xlb.fuzz.cases} and {@code xlb.fuzz.seed}
 * ({@code benchmarks/run-fuzz}); the defaults make tools/test's run the same every time.
 */
class ConfigFuzzTest {
    static final int DEFAULT_CASES = 10_000;

    private static final Pattern DIAGNOSTIC = Pattern.compile("(.+?):(\\d+):(\\d+): (error|warning): .+");
    private static final Pattern TOKEN = Pattern.compile("\"[^\"]*\"?|[{}]|[^\\s{}\"]+");
    private static final Pattern NUMBER = Pattern.compile("[-+]?\\d+(\\.\\d+)?");
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-fA-F.:]*[.:][0-9a-fA-F.:/%-]*");
    private static final Pattern FIRST_WORD = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern KEYWORD_LINE = Pattern.compile(
            "(?m)^\\s*(global_defs|vrrp_instance|vrrp_script|vrrp_sync_group|virtual_server_group|virtual_server|real_server)\\b");

    static final List<String> NUMBERS = List.of("99999999999999999999", "-1", "-99999999999999999999", "0",
            "0.0000000001", "0.000000001", "0x50", "0X1F", "1e3", "٣", "１２", "1.5", "00080", "65535", "65536", "256",
            "4294967296", "9223372036854775808", "-0", "+5", "1.", ".5", "1,5", "NaN", "Infinity", "31536000",
            "31536000.000000001", "31536001", "２５５", "1_000", "0.5", "-0.5", "3");
    static final List<String> ADDRESSES = List.of("::1", "256.0.0.1", "1.2.3", "2001:db8::1/129", "1.2.3.4/33",
            "fe80::1%eth0", "::ffff:192.0.2.1", "192.0.2.1-300", "192.0.2.9-2", "2001:db8::1-5", "0.0.0.0",
            "255.255.255.255/0", "192.0.2.٤", "2001:db8::10", "192.0.2.10", "10.0.0.1/24", "1.2.3.4:80", "[::1]",
            "::", "2001:db8:::1", "01.02.03.04", "192.0.2.1/", "/24");
    static final List<String> TRICKY = List.of("\"", "\"unterminated", "\"\"", "\"a b\"", "$X", "${X}", "${", "$", "#",
            "!", "include", "{}", "}{", "{{", "\t", "a\u0000b", "\u00a0", "\u2028", "\r", "é", "😀", "\uFEFF", "a[", "[",
            "\\", "*", "..", "../*", "conf.d", "conf.d/*.conf", "main.conf", "cycle-a.conf", "nosuch.conf", "-", "--",
            "MASTER", "BACKUP", "DR", "TUN", "NAT", "TCP", "UDP", "SCTP", "PASS", "AH", "rr", "wlc", "mh", "fwmark",
            "group", "weight", "reverse", "dev", "label", "true", "off", "A", "AAAA", "deadbeef", "xyz");
    private static final List<String> INCLUDES = List.of("a[", "[", "\\", "*", "*.conf", "conf.d/*.conf", "?",
            "[!a]*", "../*", "main.conf", "cycle-a.conf", "nosuch.conf", "conf.d", ".", "a\u0000b", "x/../*", "{", "}");

    /** The repository: found upwards from the module the tests run in. */
    static Path repository() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("java/config/src/test/resources/malformed"))) {
                return p;
            }
        }
        throw new IllegalStateException("no java/config/src/test/resources above " + Path.of("").toAbsolutePath());
    }

    /** The seed texts (in a fixed order), those of them with many keywords, and the words to swap in. */
    record Corpus(List<String> texts, List<String> rich, List<String> keywords) {
        static Corpus load(Path root) throws IOException {
            List<String> texts = new ArrayList<>();
            for (String dir : List.of("java/config/src/test/resources/malformed", "java/config/src/test/resources/full",
                    "java/config/src/test/resources/seed", "java/config/src/test/resources/include",
                    "java/cli/src/main/resources/demo")) {
                try (Stream<Path> s = Files.walk(root.resolve(dir))) {
                    for (Path p : s.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
                        texts.add(Files.readString(p));
                    }
                }
            }
            int files = texts.size();
            try (Stream<Path> s = Files.walk(root.resolve("java"))) {
                for (Path p : s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/test/java/"))
                        .sorted().toList()) {
                    texts.addAll(textBlocks(Files.readString(p)));
                }
            }
            if (files < 60 || texts.size() - files < 10) {
                throw new IllegalStateException("corpus too small: " + files + " files, " + (texts.size() - files) + " text blocks");
            }
            TreeSet<String> keywords = new TreeSet<>(List.of("include", "fwmark", "group", "MASTER", "BACKUP", "DR", "TUN"));
            for (String t : texts) {
                for (String line : t.split("\n")) {
                    Matcher m = FIRST_WORD.matcher(line);
                    if (m.find()) {
                        keywords.add(m.group(1));
                    }
                }
            }
            List<String> rich = texts.stream().filter(t -> t.lines().count() >= 20).toList();
            return new Corpus(List.copyOf(texts), rich, List.copyOf(keywords));
        }

        /** The Java text blocks of a source that read like a keepalived.conf, as the compiler would make them. */
        static List<String> textBlocks(String source) {
            List<String> out = new ArrayList<>();
            Matcher m = Pattern.compile("\"\"\"[ \\t]*\\n(.*?)\"\"\"", Pattern.DOTALL).matcher(source);
            while (m.find()) {
                String block;
                try {
                    block = m.group(1).stripIndent().translateEscapes();
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (KEYWORD_LINE.matcher(block).find()) {
                    out.add(block);
                }
            }
            return out;
        }
    }

    @Test
    void mutatedConfigurationsGetDiagnosticsNeverExceptions(@TempDir Path tmp) throws IOException {
        Path root = repository();
        Corpus corpus = Corpus.load(root);
        // The case sits beside a copy of the include tree, so includes resolve, cycle and glob.
        Path dir = tmp.resolve("fuzz");
        Path includes = root.resolve("java/config/src/test/resources/include");
        try (Stream<Path> s = Files.walk(includes)) {
            for (Path p : s.sorted().toList()) {
                Path to = dir.resolve(includes.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Path file = dir.resolve("case.conf");
        Fuzz f = new Fuzz("ConfigFuzzTest", DEFAULT_CASES);
        int valid = 0;
        Fuzz.Clock clock = new Fuzz.Clock();
        for (int n = 0; n < f.cases; n++) {
            // Half the cases start from a long file: most keywords are in few of them.
            Doc doc = new Doc(f.pick(f.chance(0.5) ? corpus.rich() : corpus.texts()));
            int mutations = 1 + (f.chance(0.4) ? f.below(4) : 0);
            for (int i = 0; i < mutations; i++) {
                doc.mutate(f, corpus);
            }
            byte[] bytes = doc.text().getBytes(StandardCharsets.UTF_8);
            if (f.chance(0.003)) { // a byte that is not UTF-8
                int at = f.below(bytes.length + 1);
                byte[] b = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, b, 0, at);
                b[at] = (byte) (int) f.pick(0xff, 0xc3, 0x80);
                System.arraycopy(bytes, at, b, at + 1, bytes.length - at);
                bytes = b;
            }
            Files.write(file, bytes);
            // Half the cases --offline: with this host's interfaces checked most files stop there, before the mapping.
            String flag = f.pick("", "", "", "--offline", "--offline", "--offline", "--offline", "--offline", "--strict", "--dump");
            Fuzz.Outcome o = flag.isEmpty() ? f.run(n, null, "check-config", "-f", file.toString())
                    : f.run(n, null, "check-config", "-f", file.toString(), flag);
            String why = verdict(o, flag.equals("--dump"));
            if (why != null) {
                f.fail(n, why + (flag.isEmpty() ? "" : " (with " + flag + ")"), new String(bytes, StandardCharsets.UTF_8), o);
            }
            valid += o.run().exit() == 0 ? 1 : 0;
        }
        System.out.printf("ConfigFuzzTest: %d cases from %d seed texts, seed %s: %d valid, %d with errors, %d failed (%s)%n",
                f.cases, corpus.texts().size(), f.seedText(), valid, f.cases - valid, f.failed(),
                clock);
        assertEquals(0, f.failed(), f::report);
    }

    /** Why an outcome breaks the rules, or null when it keeps them. */
    static String verdict(Fuzz.Outcome o, boolean dump) {
        String crash = Fuzz.crash(o);
        if (crash != null) {
            return crash;
        }
        XlbRun r = o.run();
        if (r.exit() != 0 && r.exit() != 1) {
            return "exit " + r.exit();
        }
        int errors = 0;
        Map<String, String[]> files = new HashMap<>();
        for (String line : r.err().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = DIAGNOSTIC.matcher(line);
            if (!m.matches()) {
                return "not a diagnostic line: " + line;
            }
            errors += m.group(4).equals("error") ? 1 : 0;
            String outside = outside(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), files);
            if (outside != null) {
                return outside + ": " + line;
            }
        }
        if (r.exit() == 1 && errors == 0) {
            return "exit 1 without an error line";
        }
        if (r.exit() == 0 && errors > 0) {
            return "exit 0 with an error line";
        }
        if (dump && r.exit() == 0) {
            try {
                ConfigJson.mapper().readTree(r.out());
            } catch (IOException e) {
                return "--dump is not JSON: " + e.getMessage();
            }
        } else if (!r.out().isEmpty()) {
            return "output on stdout";
        }
        return null;
    }

    /** Whether line:col lies outside {@code file} (lines as the lexer splits them; a column may be one past the end). */
    private static String outside(String file, int line, int col, Map<String, String[]> files) {
        String[] lines = files.computeIfAbsent(file, name -> {
            try {
                String[] ls = new String(Files.readAllBytes(Path.of(name)), StandardCharsets.UTF_8).split("\r?\n", -1);
                return ls.length > 1 && ls[ls.length - 1].isEmpty() ? java.util.Arrays.copyOf(ls, ls.length - 1) : ls;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        });
        if (lines == null) {
            return line == 1 && col == 1 ? null : "position in a file that cannot be read";
        }
        if (line < 1 || line > lines.length) {
            return "line " + line + " outside the file's " + lines.length + " lines";
        }
        if (col < 1 || col > lines[line - 1].length() + 1) {
            return "column " + col + " outside line " + line + " (" + lines[line - 1].length() + " characters)";
        }
        return null;
    }

    /** A keepalived.conf being mutated: its lines, each mutation splicing words as the lexer would see them. */
    static final class Doc {
        private final List<String> lines;

        Doc(String text) {
            lines = new ArrayList<>(List.of(text.split("\n", -1)));
        }

        String text() {
            return String.join("\n", lines);
        }

        private record Span(int line, int start, int end) {}

        private List<Span> tokens(Pattern only) {
            List<Span> out = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = TOKEN.matcher(lines.get(i));
                while (m.find()) {
                    if (only == null || only.matcher(m.group()).matches()) {
                        out.add(new Span(i, m.start(), m.end()));
                    }
                }
            }
            return out;
        }

        private String text(Span s) {
            return lines.get(s.line()).substring(s.start(), s.end());
        }

        private void replace(Span s, String with) {
            String l = lines.get(s.line());
            lines.set(s.line(), l.substring(0, s.start()) + with + l.substring(s.end()));
        }

        /** Replaces a random token matching {@code only} (any when none matches) by {@code with}. */
        private void replaceOne(Fuzz f, Pattern only, String with) {
            List<Span> ts = tokens(only);
            if (ts.isEmpty()) {
                ts = tokens(null);
            }
            if (!ts.isEmpty()) {
                replace(f.pick(ts), with);
            }
        }

        void mutate(Fuzz f, Corpus corpus) {
            if (lines.isEmpty()) {
                lines.add("");
            }
            List<Span> all = tokens(null);
            int op = f.below(20);
            if (all.isEmpty() && op < 12) {
                op = 12;
            }
            switch (op) {
                case 0 -> replace(f.pick(all), ""); // delete a token
                case 1 -> {
                    Span s = f.pick(all);
                    replace(s, text(s) + " " + text(s)); // duplicate a token
                }
                case 2 -> { // swap two tokens
                    Span a = f.pick(all);
                    Span b = f.pick(all);
                    String ta = text(a), tb = text(b);
                    if (a.line() == b.line() && a.start() > b.start()) {
                        Span t = a;
                        a = b;
                        b = t;
                        String tt = ta;
                        ta = tb;
                        tb = tt;
                    }
                    replace(b, ta); // the later one first: the earlier span stays where it was
                    replace(a, tb);
                }
                case 3 -> replaceOne(f, Pattern.compile("[{}]"), ""); // drop a brace
                case 4 -> { // add a brace
                    Span s = f.pick(all);
                    String brace = f.pick("{", "}", " {", " }", "{ ", "} ");
                    replace(s, f.chance(0.5) ? text(s) + brace : brace + text(s));
                }
                case 5, 6 -> replaceOne(f, NUMBER, f.pick(NUMBERS));
                case 7 -> replaceOne(f, ADDRESS, f.pick(ADDRESSES));
                case 8, 9 -> replaceOne(f, null, f.pick(corpus.keywords()));
                case 10 -> replaceOne(f, null, f.pick(TRICKY));
                case 11 -> { // a definition, and a word that refers to it
                    String name = f.pick("X", "IF", "PORT", "R");
                    lines.add(f.below(lines.size() + 1), "$" + name + "=" + f.pick(f.pick(NUMBERS), f.pick(ADDRESSES),
                            f.pick(corpus.keywords()), "real_server 2001:db8::1 80", "{", "}", "", "$" + name));
                    replaceOne(f, null, f.pick("$" + name, "${" + name + "}", "${" + name + "}x"));
                }
                case 12 -> lines.remove(f.below(lines.size())); // delete a line
                case 13 -> { // duplicate a line
                    int i = f.below(lines.size());
                    lines.add(i, lines.get(i));
                }
                case 14 -> { // swap two lines
                    int i = f.below(lines.size());
                    int j = f.below(lines.size());
                    String t = lines.get(i);
                    lines.set(i, lines.get(j));
                    lines.set(j, t);
                }
                case 15 -> { // a new line: a keyword, or an address as in a list block, and a few values
                    StringBuilder b = new StringBuilder("    ").append(f.chance(0.3) ? f.pick(ADDRESSES) : f.pick(corpus.keywords()));
                    for (int k = f.below(4); k > 0; k--) {
                        b.append(' ').append(f.pick(f.pick(NUMBERS), f.pick(ADDRESSES), f.pick(corpus.keywords()),
                                f.pick(TRICKY)));
                    }
                    lines.add(f.below(lines.size() + 1), b.toString());
                }
                case 16 -> lines.add(f.below(lines.size() + 1), "include " + f.pick(INCLUDES));
                case 17 -> { // cut the file short
                    int i = f.below(lines.size());
                    String l = lines.get(i);
                    lines.set(i, l.substring(0, f.below(l.length() + 1)));
                    lines.subList(i + 1, lines.size()).clear();
                }
                case 18 -> { // lines of another file in place of some of these
                    String[] other = f.pick(corpus.texts()).split("\n");
                    int from = f.below(other.length);
                    int to = from + f.below(Math.min(8, other.length - from)) + 1;
                    int at = f.below(lines.size() + 1);
                    int drop = Math.min(f.below(4), lines.size() - at);
                    lines.subList(at, at + drop).clear();
                    lines.addAll(at, List.of(other).subList(from, to));
                }
                default -> { // layout: CRLF, tabs, braces attached; rarely blocks nested very deep
                    int i = f.below(lines.size());
                    switch (f.below(4)) {
                        case 0 -> lines.set(i, lines.get(i) + "\r");
                        case 1 -> lines.set(i, lines.get(i).replace("    ", "\t"));
                        case 2 -> lines.set(i, lines.get(i).replace(" {", "{").replace("{ ", "{").replace(" }", "}"));
                        default -> {
                            if (f.chance(0.1)) { // and now and then deeper than any stack
                                lines.add(i, "a {".repeat(f.chance(0.1) ? 100_000 : 50 + f.below(2000)));
                            }
                        }
                    }
                }
            }
        }
    }

    // --- crashes the fuzzers found, each at its cause ---

    /** check-config on {@code text} alone (--offline: this host's interfaces are not the question here). */
    private static XlbRun check(Path dir, String text, String... options) throws IOException {
        Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, text);
        List<String> argv = new ArrayList<>(List.of("check-config", "-f", file.toString()));
        argv.addAll(options.length == 0 ? List.of("--offline") : List.of(options));
        Fuzz.Outcome o = Fuzz.run(null, argv.toArray(String[]::new));
        assertNull(verdict(o, false), () -> verdict(o, false) + "\n" + o.run().err());
        return o.run();
    }

    private static void assertError(XlbRun r, String expected) {
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.endsWith(expected)), "expected …" + expected + "\ngot\n" + r.err());
    }

    @Test
    void aDurationFinerThanANanosecondIsAnErrorNotAnArithmeticException(@TempDir Path dir) throws IOException {
        XlbRun r = check(dir, "virtual_server 192.0.2.1 80 {\n    delay_loop 0.0000000001\n    lb_kind DR\n    protocol TCP\n}\n");
        assertError(r, "keepalived.conf:2:16: error: delay_loop is finer than a nanosecond (at most 9 decimal places): 0.0000000001");
        assertEquals(0, check(dir, "virtual_server 192.0.2.1 80 {\n    delay_loop 1.5000000000000\n    lb_kind DR\n"
                + "    protocol TCP\n}\n").exit(), "trailing zeros are no finer than a nanosecond");
    }

    @Test
    void anInterfaceThisMachineLacksIsAnErrorNotACrash(@TempDir Path dir) throws IOException {
        String text = "vrrp_instance VI_1 {\n    interface xlbnosuch0\n    virtual_router_id 51\n"
                + "    virtual_ipaddress {\n        192.0.2.1\n    }\n}\n";
        assertError(check(dir, text, "--strict"), "keepalived.conf:1:1: error: vrrp_instance VI_1: no interface xlbnosuch0 on this host");
        assertEquals(0, check(dir, text).exit(), "offline, the file alone is fine");
    }

    @Test
    void anIpv6MemberOfAVirtualServerGroupIsRead(@TempDir Path dir) throws IOException {
        XlbRun r = check(dir, "virtual_server_group G {\n    2001:db8::1 80\n    192.0.2.1-9 80\n}\n"
                + "virtual_server group G {\n    lb_kind DR\n    protocol TCP\n}\n");
        // Read without error, and taken: each member, of either family, is a service of its own.
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(), r.err().lines().filter(l -> l.contains("keepalived.conf")).toList(), r.err());
    }

    @Test
    void aBadIncludeGlobIsAnErrorAtTheInclude(@TempDir Path dir) throws IOException {
        assertError(check(dir, "global_defs {\n}\ninclude conf.d/a[\n"),
                "keepalived.conf:3:9: error: include conf.d/a[: not a valid glob: Missing ']");
        assertError(check(dir, "include a\u0000b\n"),
                "keepalived.conf:1:9: error: include a\\u0000b: not a file name: Nul character not allowed");
    }

    @Test
    void blocksNestedPastAnyKeywordAreAnErrorNotAStackOverflow(@TempDir Path dir) throws IOException {
        XlbRun r = check(dir, "a {".repeat(100_000) + "\n" + "}".repeat(100_000) + "\n");
        assertError(r, "keepalived.conf:1:195: error: blocks nested more than 64 deep: this block is ignored");
    }

    @Test
    void maxAutoPriorityThatIsNoNumberIsAnErrorNotANullPointerException(@TempDir Path dir) throws IOException {
        assertError(check(dir, "global_defs {\n    max_auto_priority high\n}\n"),
                "keepalived.conf:2:23: error: max_auto_priority must be a whole number, got 'high'");
    }

    @Test
    void aRealServerWrittenThroughADefinitionIsPlacedOnItsLine(@TempDir Path dir) throws IOException {
        assertError(check(dir, "$R=real_server 2001:db8::1 80\nvirtual_server 192.0.2.10 80 {\n    lb_kind DR\n"
                        + "    protocol TCP\n    $R\n}\n"),
                "keepalived.conf:5:5: error: real_server 2001:db8::1 is not of the virtual server's address family (192.0.2.10)");
    }

    @Test
    void anIncludedDirectoryIsAnErrorInPlainWords(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("conf.d"));
        assertError(check(dir, "include conf.d\n"), "keepalived.conf:1:9: error: cannot read " + dir.resolve("conf.d")
                + ": Is a directory");
    }

    @Test
    void aCarriageReturnQuotedFromTheFileIsEscapedSoEachMessageStaysOneLine(@TempDir Path dir) throws IOException {
        XlbRun r = check(dir, "\"x\ry\"\n");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("keepalived.conf:1:1: warning: unknown keyword 'x\\ry' in the top level: ignored\n"), r.err());
    }

    @Test
    void aFileThatIsNotUtf8IsAnErrorThatSaysSo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("latin1.conf");
        Files.write(file, "! caf\u00e9\nglobal_defs {\n}\n".getBytes(StandardCharsets.ISO_8859_1));
        Fuzz.Outcome o = Fuzz.run(null, "check-config", "-f", file.toString());
        assertNull(verdict(o, false));
        assertEquals(file + ":1:1: error: cannot read " + file + ": not UTF-8 text", o.run().err().strip());
    }
}
