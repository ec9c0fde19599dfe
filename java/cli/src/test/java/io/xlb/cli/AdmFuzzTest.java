package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xlb.dataplane.DesiredState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xlb adm} under fuzzing: ipvsadm command lines (every command, -t/-u/-f services with
 * IPv4, IPv6 and port names, -s, -b, -p, -M, -r, -g/-i/-m, -w, -x/-y, --set, and -R with
 * ipvsadm-save text on stdin) generated and mutated, run against an empty pin directory, so no
 * root is needed and no map is touched: a command that passes every check ends at "no dataplane
 * is pinned". Never an exception; always one clear line on stderr and exit 1, or 2 for a usage
 * error.
 *
 * Size and seed: system properties {@code xlb.fuzz.cases} and {@code xlb.fuzz.seed}.
 */
class AdmFuzzTest {
    static final int DEFAULT_CASES = 10_000;

    static final List<String> SERVICES = List.of("192.0.2.10:80", "192.0.2.10:http", "[2001:db8::10]:53",
            "[2001:db8::10]:domain", "[::1]:80", "10.0.0.1:https", "192.168.1.10:8080", "0.0.0.0:1",
            "255.255.255.255:65535", "192.168.1.10:smtp", "[2001:db8::10]:https");
    static final List<String> REALS = List.of("10.0.0.2", "10.0.0.2:80", "10.0.0.2:http", "[2001:db8::11]:53",
            "[2001:db8::11]", "2001:db8::11", "10.0.0.3:0", "192.0.2.11:8080");
    static final List<String> BAD_ENDPOINTS = List.of("[::1", "[::1]", "[::1]x", "[::1]:", "[]:80", "[1.2.3.4]:80",
            "::1", "1.2.3.4", "1.2.3.4:", ":80", "1.2.3.4:99999999999999999999", "1.2.3.4:-1", "1.2.3.4:0x50",
            "1.2.3.4:٣", "1.2.3.4:１２", "1.2.3.4:0.0000000001", "1.2.3.4:65536", "1.2.3.4:0", "256.1.1.1:80",
            "lb.example.com:80", "lb.example.com:http", "", "[", "]", ":", "1.2.3.4:80:90", "1.2.3.4:nosuchservice",
            "[fe80::1%eth0]:80", "[fe80::1%1]:80", "٣.٣.٣.٣:80", "1.2.3.4:http-alt", "1.2.3.4:www", " 1.2.3.4:80",
            "1.2.3.4:80 ", "[::ffff:1.2.3.4]:80", "1.2.3.4/24:80", "[[::1]]:80", "[::1]]:80", "1.2.3.4:+80",
            "1.2.3.4:00080", "1.2.3.4:http:80", "none", "-", "-1");
    static final List<String> NUMBERS = List.of("1", "0", "3", "300", "65535", "65536", "-1", "99999999999999999999",
            "-99999999999999999999", "0.0000000001", "1.5", "0x10", "٣", "１２", "", "+5", "1e3", "2147483647",
            "2147483648", "NaN");
    static final List<String> SCHEDULERS = List.of("rr", "wrr", "lc", "wlc", "mh", "sh", "dh", "sed", "nq", "lblc",
            "lblcr", "fo", "ovf", "RR", "", "rr,wrr", "٣", "maglev");
    static final List<String> SCHED_FLAGS = List.of("sh-port", "sh-fallback,sh-port", "mh-port", "mh-fallback", "flag-1",
            "flag-2,flag-1", "flag-3", "", ",", "sh-port,,", "sh-port,sh-port", "SH-PORT", "٣", "x");
    static final List<String> MASKS = List.of("255.255.255.0", "24", "64", "129", "255.0.255.0", "", "0",
            "255.255.255.255", "ffff::", "٣", "33", "-1");
    /** Options and words a mutation puts in; never --pin-dir (the fuzz must not reach a real one) nor @files. */
    static final List<String> WORDS = List.of("-A", "-E", "-D", "-C", "-R", "-S", "-a", "-e", "-d", "-L", "-l", "-Z",
            "--set", "-t", "-u", "-f", "-s", "-p", "-M", "-r", "-g", "-i", "-m", "-w", "-x", "-y", "-n", "-c",
            "--stats", "--timeout", "--thresholds", "--persistent-conn", "--sort", "--exact", "--add-service",
            "--edit-service", "--delete-service", "--clear", "--restore", "--save", "--add-server", "--edit-server",
            "--delete-server", "--list", "--zero", "--tcp-service", "--udp-service", "--fwmark-service",
            "--scheduler", "--persistent", "--netmask", "--real-server", "--gatewaying", "--ipip", "--masquerading",
            "--weight", "--u-threshold", "--l-threshold", "--numeric", "--connection", "-X", "-6", "-b", "--pe",
            "--tun-type", "ipip", "-h", "--help", "--", "-", "-Ln", "-Sn", "-ai", "-gw", "-An");
    private static final Pattern UNCLEAR = Pattern.compile("(?s).*(For input string|\\bnull\\b|Index \\d|out of bounds).*");

    private final List<String> argv = new ArrayList<>();

    @Test
    void mutatedCommandLinesGetOneLineErrorsNeverExceptions(@TempDir Path pinDir) {
        Fuzz f = new Fuzz("AdmFuzzTest", DEFAULT_CASES);
        int accepted = 0, usage = 0;
        Fuzz.Clock clock = new Fuzz.Clock();
        for (int n = 0; n < f.cases; n++) {
            List<String> args = command(f);
            int mutations = f.chance(0.5) ? 0 : 1 + f.below(3);
            for (int i = 0; i < mutations; i++) {
                mutate(f, args);
            }
            String stdin = args.contains("-R") || args.contains("--restore") || f.chance(0.05) ? rules(f) : "";
            args.add(0, "adm");
            args.add("--pin-dir");
            args.add(pinDir.toString());
            Fuzz.Outcome o = f.run(n, stdin.getBytes(StandardCharsets.UTF_8), args.toArray(String[]::new));
            String why = verdict(o);
            if (why != null) {
                f.fail(n, why, String.join(" ", args.stream().map(AdmFuzzTest::quote).toList())
                        + (stdin.isEmpty() ? "" : "\n--- stdin ---\n" + stdin), o);
            }
            accepted += o.run().err().startsWith("xlb adm: no dataplane is pinned") ? 1 : 0;
            usage += o.run().exit() == 2 ? 1 : 0;
        }
        System.out.printf("AdmFuzzTest: %d cases, seed %s: %d passed every check up to the maps, %d usage errors (exit 2), "
                        + "%d refused (exit 1), %d failed (%s)%n", f.cases, f.seedText(), accepted, usage,
                f.cases - accepted - usage, f.failed(), clock);
        assertEquals(0, f.failed(), f::report);
    }

    /** Why an outcome breaks the rules, or null when it keeps them. */
    static String verdict(Fuzz.Outcome o) {
        String crash = Fuzz.crash(o);
        if (crash != null) {
            return crash;
        }
        XlbRun r = o.run();
        if (r.exit() != 1 && r.exit() != 2) {
            return "exit " + r.exit();
        }
        if (!r.out().isEmpty()) {
            return "output on stdout";
        }
        String err = r.err().stripTrailing();
        if (err.isBlank() || err.contains("\n") || err.contains("\r")) {
            return "not one line on stderr";
        }
        if (UNCLEAR.matcher(err).matches()) {
            return "an unclear message";
        }
        if (r.exit() == 2 && !err.startsWith("xlb adm: ")) {
            return "a usage error not in adm's words";
        }
        return null;
    }

    private static String quote(String s) {
        return s.matches("[\\w.:/\\[\\]=+-]+") ? s : "'" + s + "'";
    }

    /** A command as an operator would type it (each part in short or long form). */
    private List<String> command(Fuzz f) {
        argv.clear();
        switch (f.below(14)) {
            case 0, 1 -> {
                add(f, "-A", "--add-service");
                service(f);
                if (f.chance(0.7)) {
                    add(f, "-s", "--scheduler");
                    argv.add(f.pick(SCHEDULERS));
                }
                persistence(f);
                schedFlags(f);
            }
            case 2 -> {
                add(f, "-E", "--edit-service");
                service(f);
                if (f.chance(0.5)) {
                    add(f, "-s", "--scheduler");
                    argv.add(f.pick(SCHEDULERS));
                }
                persistence(f);
                schedFlags(f);
            }
            case 3 -> {
                add(f, "-D", "--delete-service");
                service(f);
            }
            case 4, 5, 6 -> {
                add(f, "-a", "--add-server");
                real(f);
            }
            case 7 -> {
                add(f, "-e", "--edit-server");
                real(f);
            }
            case 8 -> {
                add(f, "-d", "--delete-server");
                service(f);
                add(f, "-r", "--real-server");
                argv.add(f.pick(REALS));
            }
            case 9 -> add(f, "-C", "--clear");
            case 10 -> {
                argv.add(f.pick("-L", "-l", "--list", "-Ln", "-S", "-Sn", "--save", "-Z", "--zero"));
                if (f.chance(0.3)) {
                    argv.add(f.pick("-n", "-c", "--stats", "--timeout", "--thresholds", "--persistent-conn", "--exact"));
                }
                if (f.chance(0.2)) {
                    service(f);
                }
            }
            case 11 -> {
                argv.add("--set");
                for (int i = 0; i < 3; i++) {
                    argv.add(f.chance(0.8) ? f.pick("0", "900", "120", "300", "1") : f.pick(NUMBERS));
                }
            }
            default -> add(f, "-R", "--restore");
        }
        return argv;
    }

    private void add(Fuzz f, String shortForm, String longForm) {
        argv.add(f.chance(0.8) ? shortForm : longForm);
    }

    private void service(Fuzz f) {
        int kind = f.below(20);
        if (kind == 0) {
            add(f, "-f", "--fwmark-service");
            argv.add(f.pick(NUMBERS));
            return;
        }
        String option = kind < 14 ? "-t" : "-u";
        String value = f.chance(0.85) ? f.pick(SERVICES) : f.pick(BAD_ENDPOINTS);
        switch (f.below(6)) {
            case 0 -> argv.add(option + value); // attached, as -t192.0.2.10:80
            case 1 -> argv.add((option.equals("-t") ? "--tcp-service=" : "--udp-service=") + value);
            default -> {
                argv.add(option);
                argv.add(value);
            }
        }
    }

    private void persistence(Fuzz f) {
        if (f.chance(0.3)) {
            add(f, "-p", "--persistent");
            if (f.chance(0.7)) {
                argv.add(f.chance(0.7) ? "300" : f.pick(NUMBERS));
            }
            if (f.chance(0.5)) {
                add(f, "-M", "--netmask");
                argv.add(f.pick(MASKS));
            }
        } else if (f.chance(0.05)) {
            argv.add("-M");
            argv.add(f.pick(MASKS));
        }
    }

    private void schedFlags(Fuzz f) {
        if (f.chance(0.2)) {
            add(f, "-b", "--sched-flags");
            argv.add(f.pick(SCHED_FLAGS));
        }
    }

    private void real(Fuzz f) {
        service(f);
        add(f, "-r", "--real-server");
        argv.add(f.chance(0.85) ? f.pick(REALS) : f.pick(BAD_ENDPOINTS));
        if (f.chance(0.8)) {
            argv.add(f.pick("-g", "-g", "-i", "-m", "--gatewaying", "--ipip"));
        }
        if (f.chance(0.7)) {
            add(f, "-w", "--weight");
            argv.add(f.chance(0.7) ? f.pick("0", "1", "3", "100") : f.pick(NUMBERS));
        }
        if (f.chance(0.05)) {
            add(f, "-x", "--u-threshold");
            argv.add(f.pick(NUMBERS));
        }
        if (f.chance(0.05)) {
            add(f, "-y", "--l-threshold");
            argv.add(f.pick(NUMBERS));
        }
    }

    /** Deletes, duplicates, swaps, replaces, inserts or joins words. */
    private static void mutate(Fuzz f, List<String> args) {
        if (args.isEmpty()) {
            args.add(f.pick(WORDS));
            return;
        }
        int i = f.below(args.size());
        switch (f.below(8)) {
            case 0 -> args.remove(i);
            case 1 -> args.add(i, args.get(i));
            case 2 -> {
                int j = f.below(args.size());
                String t = args.get(i);
                args.set(i, args.get(j));
                args.set(j, t);
            }
            case 3 -> args.set(i, f.pick(WORDS));
            case 4 -> args.add(i, f.pick(WORDS));
            case 5 -> args.set(i, f.pick(f.pick(NUMBERS), f.pick(BAD_ENDPOINTS), f.pick(SERVICES), f.pick(SCHEDULERS)));
            case 6 -> { // -A -n as -An, or a value run into its option
                if (i + 1 < args.size()) {
                    args.set(i, args.get(i) + args.remove(i + 1).replaceFirst("^-", ""));
                }
            }
            default -> args.set(i, args.get(i) + f.pick("٣", "x", ":", "]", "\t", " ", "=", "\u00a0"));
        }
    }

    /** What -R reads: ipvsadm-save's lines (port names or numbers), some of them mutated, with comments and blanks. */
    private String rules(Fuzz f) {
        StringBuilder b = new StringBuilder();
        String eol = f.chance(0.1) ? "\r\n" : "\n";
        for (int n = f.below(7); n > 0; n--) {
            List<String> line;
            switch (f.below(12)) {
                case 0 -> line = new ArrayList<>(List.of("#", "ipvsadm-save", "comment"));
                case 1 -> line = new ArrayList<>();
                case 2 -> line = new ArrayList<>(List.of("-a", "-t", f.pick(SERVICES), "-r", f.pick(REALS), "-i", "-w", "1",
                        f.pick("--tun-type", "-b", "--pe", "-X", "-x"), f.pick("ipip", "gue", "sh-port", "sip", "10")));
                default -> {
                    AdmFuzzTest gen = new AdmFuzzTest();
                    line = new ArrayList<>(f.chance(0.6) ? save(f) : gen.command(f));
                }
            }
            if (f.chance(0.3)) {
                mutate(f, line);
            }
            b.append(String.join(" ", line)).append(eol);
        }
        return b.toString();
    }

    /** A line as ipvsadm-save writes it. */
    private static List<String> save(Fuzz f) {
        String proto = f.pick("-t", "-t", "-u");
        String svc = f.pick(SERVICES);
        if (f.chance(0.4)) {
            List<String> l = new ArrayList<>(List.of("-A", proto, svc, "-s", f.pick("rr", "wrr", "wlc", "mh", "sh")));
            if (f.chance(0.3)) {
                l.addAll(List.of("-p", "300", "-M", "255.255.255.0"));
            }
            return l;
        }
        return new ArrayList<>(List.of("-a", proto, svc, "-r", f.pick(REALS), f.pick("-g", "-i", "-m"), "-w",
                f.pick("0", "1", "5")));
    }

    // --- crashes the fuzzers found, each at its cause ---

    private static XlbRun adm(Path pinDir, String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("adm"));
        all.addAll(List.of(args));
        all.addAll(List.of("--pin-dir", pinDir.toString()));
        Fuzz.Outcome o = Fuzz.run(stdin.getBytes(StandardCharsets.UTF_8), all.toArray(String[]::new));
        assertNull(verdict(o), () -> verdict(o) + ": " + o.run().err());
        return o.run();
    }

    private static void assertRefused(XlbRun r, int exit, String message) {
        assertEquals(exit, r.exit(), r.err());
        assertEquals(message, r.err().strip());
    }

    @Test
    void anUnclosedIpv6BracketIsAnErrorNotStringIndexOutOfBounds(@TempDir Path pinDir) {
        assertRefused(adm(pinDir, "", "-t", "[::1"), 1, "missing ']' in [::1 (IPv6 is written [ADDR]:PORT)");
        assertRefused(adm(pinDir, "", "-A", "-t", "[::1"), 1, "missing ']' in [::1 (IPv6 is written [ADDR]:PORT)");
        assertRefused(adm(pinDir, "", "-a", "-t", "[::1]:80", "-r", "[::2]x"), 1, "expected :PORT after ']' in [::2]x");
        assertRefused(adm(pinDir, "", "-A", "-t", "192.0.2.1:"), 1, "port must be 1..65535 in 192.0.2.1:");
        assertRefused(adm(pinDir, "", "-A", "-t", "::1"), 1, "port must be 1..65535 in ::1 (ADDR:PORT, IPv6 as [ADDR]:PORT)");
    }

    @Test
    void portNamesAsIpvsadmSaveWritesThemAreRead(@TempDir Path pinDir) {
        String saved = "-A -t 192.168.1.10:http -s rr\n-a -t 192.168.1.10:http -r 10.0.0.2:http -g -w 1\n"
                + "-A -u [2001:db8::53]:domain -s wrr\n-a -u [2001:db8::53]:domain -r [2001:db8::54]:domain -i -w 2\n";
        DesiredState s = DesiredState.of();
        for (UnaryOperator<DesiredState> edit : AdmCommand.restoreEdits(saved)) {
            s = edit.apply(s);
        }
        assertEquals("-A -t 192.168.1.10:80 -s rr\n-a -t 192.168.1.10:80 -r 10.0.0.2:80 -g -w 1\n"
                + "-A -u [2001:db8::53]:53 -s wrr\n-a -u [2001:db8::53]:53 -r [2001:db8::54]:53 -i -w 2\n", IpvsRules.save(s));
        assertRefused(adm(pinDir, saved, "-R"), 1,
                "xlb adm: no dataplane is pinned at " + pinDir + " (is the daemon running? see --pin-dir)");
        assertRefused(adm(pinDir, "", "-A", "-t", "192.0.2.1:nosuchservice"), 1,
                "unknown service name 'nosuchservice' in 192.0.2.1:nosuchservice (not in /etc/services)");
        assertRefused(adm(pinDir, "", "-A", "-t", "lb.example.com:http"), 1,
                "not an IP address: lb.example.com (host names are not looked up: ipvsadm-save -n writes addresses)");
    }

    @Test
    void anUnknownOptionInRestoredRulesNamesItsLine(@TempDir Path pinDir) {
        assertRefused(adm(pinDir, "-A -t 192.0.2.1:80 -s rr\n\n-a -t 192.0.2.1:80 -r 10.0.0.2 -i -w 1 --tun-type gue\n", "-R"), 1,
                "-R line 3: Unknown options: '--tun-type', 'gue'");
        assertRefused(adm(pinDir, "-A -t 192.0.2.1:80 -s rr\n-L -n\n", "-R"), 1,
                "-R line 2: only -A, -E, -D, -C, -a, -e, -d and --set can be restored");
        assertRefused(adm(pinDir, "-a -t 192.0.2.1:80 -r [::2] -g\n", "-R"), 1,
                "-R line 1: real server [::2] is not of the service's address family");
    }

    @Test
    void usageErrorsAreOneLine(@TempDir Path pinDir) {
        assertRefused(adm(pinDir, "", "-X"), 2, "xlb adm: Unknown option: '-X' (xlb help adm lists the options)");
        assertRefused(adm(pinDir, "", "-a", "-t", "192.0.2.1:80", "-r", "10.0.0.2", "-w", "99999999999999999999"), 2,
                "xlb adm: Invalid value for option '--weight': '99999999999999999999' is not an int"
                        + " (xlb help adm lists the options)");
        assertRefused(adm(pinDir, "", "-A", "-a", "-t", "192.0.2.1:80"), 1,
                "multiple commands specified: give one of -A, -E, -D, -C, -R, -S, -a, -e, -d, -L, -Z or --set");
        assertRefused(adm(pinDir, "", "--set", "-5", "0", "0"), 1, "--set: timeouts are seconds (0 keeps a value), got [-5, 0, 0]");
        assertRefused(adm(pinDir, "", "-a", "-t", "192.0.2.1:80", "-r", "10.0.0.2", "-w", "70000"), 1,
                "weight must be 0..65535, got 70000");
    }
}
