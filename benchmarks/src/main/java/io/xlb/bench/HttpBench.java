package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Xdp;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Netns;
import io.xlb.lab.Nginx;
import io.xlb.lab.RealServerStep;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests per second with wrk (keep-alive, and one connection per request), interleaved round by
 * round on one lab (client, director, two nginx real servers on one bridge):
 *  - direct: straight to one real's own address;
 *  - xlb: to the VIP, the director's XDP program (mh with mh-port, DR) attached natively. All of
 *    wrk's connections come from one client address, and mh hashes the source address alone
 *    unless mh-port is set (IPVS's rule): without it every connection goes to one real, while the
 *    floor and haproxy below spread them over both;
 *  - xlb-addr (not run unless named in xlb.bench.modes): the same with plain mh, one client
 *    address, so one real for all of it: what RESULTS.md's xlb figures measured until mh-port;
 *  - xlb-generic: the same, the program attached in generic (skb) mode: XDP_TX leaves through the
 *    stack's transmit and the bridge port needs no program;
 *  - floor: to the VIP, bench_dr_floor in the director's place (MAC rewrite to one of the two
 *    reals, XDP_TX, nothing else): what the hop through any XDP director costs on this topology;
 *  - haproxy: to the VIP, Debian's haproxy in TCP mode in the director's namespace (no XDP there)
 *    balancing round-robin to the same two nginx, as many threads as CPUs, not pinned (as nothing
 *    else here is: wrk, both nginx and every softirq share the same 2 CPUs).
 * Ratios are taken within a round; the table reports their median and spread. Each run also
 * reports the share of the packets rs1 received (of rs1's and rs2's): how the mode split the
 * connections between the two reals.
 *
 * Usage: java -cp xlb-bench.jar io.xlb.bench.HttpBench [seconds per run, default 10] [rounds, default 5]
 */
public final class HttpBench {
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses: (\\d+)|Socket errors: .*");
    /** -Dxlb.bench.modes=direct,xlb (a subset, comma-separated, direct and xlb always in) runs fewer. */
    private static final List<String> MODES = List.of(System.getProperty("xlb.bench.modes", "direct,xlb,xlb-generic,haproxy,floor").split(","));

    /** Which of the director's states (xlb's or xlb-addr's) the maps hold. */
    private static String scheduled = "xlb";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String vip = "10.77.3.200";
        Lab lab = new Lab("xlbbench");
        Runtime.getRuntime().addShutdownHook(new Thread(lab::close)); // also on SIGINT/SIGTERM
        try (lab; Bpf bpf = Bpf.open(); StackPrograms stack = new StackPrograms(bpf)) {
            Lan lan = Lan.create(lab, "10.77.3", List.of("client", "director", "rs1", "rs2"));
            Netns d = lan.host("director").ns();
            d.exec("ip", "addr", "add", vip + "/32", "dev", "eth0");
            List<Real> reals = new ArrayList<>();
            List<MacAddress> macs = new ArrayList<>();
            // A connection per request: wrk closes as soon as it has read the response, often before
            // the server's FIN, and so holds the TIME_WAIT; at ~14 000 connections a second its
            // ports run out within seconds and connect() searches for a free one. The client may
            // reuse a port in TIME_WAIT (timestamps make that safe) and has every port.
            if (!"keep".equals(System.getProperty("xlb.bench.http.timewait"))) {
                lan.host("client").ns().exec("sysctl", "-q", "-w", "net.ipv4.tcp_tw_reuse=1",
                        "net.ipv4.ip_local_port_range=1024 65535");
            }
            for (String rs : List.of("rs1", "rs2")) {
                RealServerStep.apply(lan.host(rs), vip);
                Nginx.start(lab, lan.host(rs));
                macs.add(MacAddress.parse(lan.host(rs).mac()));
                reals.add(Real.of(InetAddress.ofLiteral(lan.host(rs).address()), 80, 1, macs.getLast()));
            }
            Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.defaults());
            VipKey vipKey = new VipKey(InetAddress.ofLiteral(vip), 80, Protocol.TCP);
            Map<String, DesiredState> directorState = Map.of(
                    "xlb", new DesiredState(List.of(new Service(vipKey, Scheduler.named("mh", List.of("mh-port")), Method.DR, reals)),
                            DirectorConfig.defaults()),
                    "xlb-addr", new DesiredState(List.of(new Service(vipKey, Scheduler.named("mh"), Method.DR, reals)),
                            DirectorConfig.defaults()));
            dp.apply(directorState.get("xlb"));
            stack.floorTo((Inet4Address) InetAddress.ofLiteral(vip), macs);
            startHaproxy(lab, d, vip, lan.host("rs1").address(), lan.host("rs2").address());
            int dirIf = d.namespace().ifindex("eth0");
            int port = lan.switchNamespace().namespace().ifindex(lan.host("director").switchPort());
            Map<String, BpfProgram> directorProgram = new LinkedHashMap<>();
            directorProgram.put("xlb", dp.program());
            directorProgram.put("xlb-generic", dp.program());
            directorProgram.put("xlb-addr", dp.program());
            directorProgram.put("floor", stack.drFloor());
            String direct = "http://" + lan.host("rs1").address() + "/";
            String viaVip = "http://" + vip + "/";

            System.out.println("machine: " + Machine.describe() + "; " + lan.host("client").ns().command("wrk", "--version").result().output().lines().findFirst().orElse("wrk ?").trim());
            System.out.println("wrk -t2 -c32, " + seconds + " s per run, " + rounds + " rounds, modes interleaved");
            // Warm up every path (ARP, nginx workers, haproxy's connections).
            for (String mode : MODES) {
                use(bpf, d, dirIf, lan.switchNamespace(), port, directorProgram.get(mode), mode.endsWith("-generic"), dp.passProgram());
                schedule(dp, directorState, mode);
                wrk(lan, mode.equals("direct") ? direct : viaVip, 2, false);
            }
            System.out.println();
            System.out.println("| round | connections | " + String.join(" | ", MODES.stream().map(m -> m + " (req/s)").toList()) + " |");
            System.out.println("|---:|---|" + "---:|".repeat(MODES.size()));
            List<String> ratioNames = new ArrayList<>();
            for (String m : MODES) {
                if (!m.equals("direct")) {
                    ratioNames.add(m + " / direct");
                }
            }
            for (String m : MODES) {
                if (!m.equals("xlb") && !m.equals("direct")) {
                    ratioNames.add("xlb / " + m);
                }
            }
            Map<Boolean, Map<String, List<Double>>> ratios = new LinkedHashMap<>();
            Map<Boolean, Map<String, List<Double>>> rates = new LinkedHashMap<>();
            Map<Boolean, Map<String, List<Double>>> rs1Shares = new LinkedHashMap<>();
            List<String> shareLines = new ArrayList<>();
            for (boolean close : new boolean[] {false, true}) {
                ratios.put(close, new LinkedHashMap<>());
                rates.put(close, new LinkedHashMap<>());
                rs1Shares.put(close, new LinkedHashMap<>());
                MODES.forEach(m -> rates.get(close).put(m, new ArrayList<>()));
                MODES.forEach(m -> rs1Shares.get(close).put(m, new ArrayList<>()));
                ratioNames.forEach(n -> ratios.get(close).put(n, new ArrayList<>()));
            }
            for (int round = 1; round <= rounds; round++) {
                for (boolean close : new boolean[] {false, true}) {
                    Map<String, Double> r = new LinkedHashMap<>();
                    Map<String, Double> share = new LinkedHashMap<>();
                    for (String mode : round % 2 == 1 ? MODES : MODES.reversed()) {
                        use(bpf, d, dirIf, lan.switchNamespace(), port, directorProgram.get(mode), mode.endsWith("-generic"), dp.passProgram());
                        schedule(dp, directorState, mode);
                        long rs1Before = LinkCounters.rxPackets(lan.host("rs1")), rs2Before = LinkCounters.rxPackets(lan.host("rs2"));
                        r.put(mode, wrk(lan, mode.equals("direct") ? direct : viaVip, seconds, close));
                        long rs1 = LinkCounters.rxPackets(lan.host("rs1")) - rs1Before, rs2 = LinkCounters.rxPackets(lan.host("rs2")) - rs2Before;
                        share.put(mode, (double) rs1 / (rs1 + rs2));
                        rates.get(close).get(mode).add(r.get(mode));
                        rs1Shares.get(close).get(mode).add(share.get(mode));
                    }
                    for (String n : ratioNames) {
                        String[] ab = n.split(" / ");
                        ratios.get(close).get(n).add(r.get(ab[0]) / r.get(ab[1]));
                    }
                    StringBuilder line = new StringBuilder("| " + round + " | " + label(close) + " |");
                    MODES.forEach(m -> line.append(String.format(Locale.ROOT, " %.0f |", r.get(m))));
                    System.out.println(line);
                    StringBuilder shareLine = new StringBuilder("| " + round + " | " + label(close) + " |");
                    MODES.forEach(m -> shareLine.append(String.format(Locale.ROOT, " %.2f |", share.get(m))));
                    shareLines.add(shareLine.toString());
                }
            }
            use(bpf, d, dirIf, lan.switchNamespace(), port, null, false, null);
            System.out.println();
            System.out.println("Share of the packets rs1 received, of rs1's and rs2's (1.00: everything to rs1), every run:");
            System.out.println();
            System.out.println("| round | connections | " + String.join(" | ", MODES) + " |");
            System.out.println("|---:|---|" + "---:|".repeat(MODES.size()));
            shareLines.forEach(System.out::println);
            System.out.println();
            System.out.println("| connections (req/s, median (min–max) of " + rounds + ") | " + String.join(" | ", MODES) + " |");
            System.out.println("|---|" + "---:|".repeat(MODES.size()));
            for (boolean close : new boolean[] {false, true}) {
                StringBuilder line = new StringBuilder("| " + label(close) + " |");
                MODES.forEach(m -> line.append(" ").append(Spread.of(rates.get(close).get(m)).format(0)).append(" |"));
                System.out.println(line);
            }
            for (boolean close : new boolean[] {false, true}) {
                StringBuilder line = new StringBuilder("| " + label(close) + ": rs1's share of the packets |");
                MODES.forEach(m -> line.append(" ").append(Spread.of(rs1Shares.get(close).get(m)).format(2)).append(" |"));
                System.out.println(line);
            }
            System.out.println();
            System.out.println("| connections (ratios within a round, median (min–max)) | " + String.join(" | ", ratioNames.stream()
                    .map(n -> n.equals("xlb / direct") ? n + " (goal ≥ 0.95)" : n.equals("xlb / haproxy") ? n + " (goal ≥ 2)" : n).toList()) + " |");
            System.out.println("|---|" + "---:|".repeat(ratioNames.size()));
            for (boolean close : new boolean[] {false, true}) {
                StringBuilder line = new StringBuilder("| " + label(close) + " |");
                ratioNames.forEach(n -> line.append(" ").append(Spread.of(ratios.get(close).get(n)).format(2)).append(" |"));
                System.out.println(line);
            }
            System.out.println();
            System.out.println("director: " + dp.serviceCounter(0) + "; reasons " + dp.reasons());
        }
    }

    private static String label(boolean close) {
        return close ? "one per request (Connection: close)" : "keep-alive";
    }

    /** {@code program} on the director's interface (and the pass program on its bridge port), or no XDP at all. */
    private static void use(Bpf bpf, Netns director, int dirIf, Netns sw, int port, BpfProgram program, boolean generic,
            BpfProgram pass) throws Exception {
        ForwardBench.attach(bpf, director, dirIf, program, generic ? Xdp.Mode.GENERIC : Xdp.Mode.NATIVE);
        ForwardBench.attach(bpf, sw, port, program == null || generic ? null : pass, Xdp.Mode.NATIVE);
    }

    /**
     * The director's service as {@code mode} wants it (mh-port for xlb, plain mh for xlb-addr), and
     * no connection left from the other: a flow the table remembers keeps its real.
     */
    private static void schedule(Dataplane dp, Map<String, DesiredState> states, String mode) {
        String wanted = mode.equals("xlb-addr") ? "xlb-addr" : "xlb";
        if (!wanted.equals(scheduled)) {
            dp.apply(states.get(wanted));
            dp.connectionTable().deleteBatch(dp.connectionTable().keys());
            scheduled = wanted;
        }
    }


    private static void startHaproxy(Lab lab, Netns director, String vip, String rs1, String rs2) throws Exception {
        Path cfg = lab.scratch().resolve("haproxy.cfg");
        Files.writeString(cfg, """
                global
                    nbthread %d
                    maxconn 4096
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 60s
                    timeout server 60s
                frontend vip
                    bind %s:80
                    default_backend reals
                backend reals
                    balance roundrobin
                    server rs1 %s:80
                    server rs2 %s:80
                """.formatted(Runtime.getRuntime().availableProcessors(), vip, rs1, rs2));
        var haproxy = lab.start(director, "haproxy", "haproxy", "-db", "-f", cfg.toString());
        for (int i = 0; !director.exec("ss", "-Hltn", "src", vip + ":80").contains(":80"); i++) {
            if (i == 100 || !haproxy.isAlive()) {
                throw new IllegalStateException("haproxy does not listen on " + vip + ":80:\n" + haproxy.log());
            }
            Thread.sleep(100);
        }
    }

    private static double wrk(Lan lan, String url, int seconds, boolean close) {
        List<String> argv = new ArrayList<>(List.of("wrk", "-t", "2", "-c", "32", "-d", seconds + "s"));
        if (close) {
            argv.addAll(List.of("-H", "Connection: close"));
        }
        argv.add(url);
        String out = lan.host("client").ns().command(argv.toArray(String[]::new))
                .withTimeout(Duration.ofSeconds(seconds + 30)).run();
        Matcher m = RATE.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no rate in wrk's output:\n" + out);
        }
        Matcher e = ERRORS.matcher(out);
        if (e.find()) {
            System.err.println("wrk reported errors for " + url + ": " + e.group());
        }
        return Double.parseDouble(m.group(1));
    }
}
