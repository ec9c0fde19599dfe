package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.TestRunResult;
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
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Frame;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * xlb beside Katran, on the same packets through the same shim in the same run: each sample
 * measures the floor, the shim tail-calling the floor, the shim tail-calling xlb and the shim
 * tail-calling Katran, back to back; each program's cost is (shim+program) - (shim+floor) + floor.
 * Both are configured alike: one IPv4 and one IPv6 VIP (port 80, TCP) of 4 reals, hashed (xlb's
 * mh, Katran's ring), each connection table 1 Mi entries per CPU; runs pinned to CPU 0.
 *
 * Usage: java -jar xlb-bench.jar --katran OBJECTS_DIR [repeat per sample] [samples] (OBJECTS_DIR
 * from benchmarks/build-katran; run-dataplane --katran KATRAN_CHECKOUT builds it).
 */
final class KatranComparison {
    private static final int V4_SRC = DataplaneBench.V4_SRC_OFFSET;
    private static final int V6_SRC = 14 + 8 + 12; // last word of the IPv6 source
    private static final String VIP4 = "192.0.2.13";
    private static final String VIP6 = "2001:db8::13";
    private static final List<String> REALS4 = List.of("10.0.3.1", "10.0.3.2", "10.0.3.3", "10.0.3.4");
    private static final List<String> REALS6 = List.of("2001:db8:3::1", "2001:db8:3::2", "2001:db8:3::3", "2001:db8:3::4");
    /** Connection-table entries per CPU, both programs (xlb: one table with per-CPU LRU lists). */
    private static final int TABLE_PER_CPU = 1 << 20;
    /** Katran's MAX_CONN_RATE: new flows per CPU per second it inserts (xlb: new_flow_limit). */
    static final int KATRAN_FLOOD_LIMIT = 125_000;
    private static final int ESTABLISHED_AMONG = 1_000_000;

    /**
     * One row. {@code warm}: run once before measuring (a SYN, so the measured ACK finds an
     * established connection); {@code stamp}: a new source address every run; {@code prefill}:
     * that many stamped SYNs first; {@code cycle}: each sample restarts the stamps, so its packets
     * are the prefilled flows again; {@code limit}: the new-flow limit (0 off; Katran's build).
     */
    private record Row(String name, Frame frame, Frame warm, boolean stamp, Method xlbMethod, int limit, int prefill,
                       boolean cycle, double goal) {}

    private record Result(Row row, int runs, double xlbNs, double katranNs, double floorNs, double ratio,
                          double ratioMin, double ratioMax) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !args[0].equals("--katran")) {
            throw new IllegalArgumentException("usage: --katran OBJECTS_DIR [repeat] [samples]");
        }
        Path objects = Path.of(args[1]);
        int repeat = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        int samples = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        List<String> out = CpuAffinity.callOn(0, () -> run(objects, repeat, samples));
        out.forEach(System.out::println);
    }

    private static List<Row> rows() {
        byte[] none = new byte[0];
        Frame ack4 = Frame.tcp("198.51.100.7", 40000, VIP4, 80, Frame.ACK).payload(none);
        Frame syn4 = Frame.tcp("198.51.100.7", 40000, VIP4, 80, Frame.SYN).payload(none);
        Frame ack6 = Frame.tcp("2001:db8:2::7", 40000, VIP6, 80, Frame.ACK).payload(none);
        Frame syn6 = Frame.tcp("2001:db8:2::7", 40000, VIP6, 80, Frame.SYN).payload(none);
        String limit = "limit " + KATRAN_FLOOD_LIMIT + "/s per CPU";
        return List.of(
                new Row("IPv4 established, xlb TUN (IPIP)", ack4, syn4, false, Method.TUN, 0, 0, false, 0.6),
                new Row("IPv4 established, xlb DR", ack4, syn4, false, Method.DR, 0, 0, false, 0.6),
                new Row("IPv4 one flow's SYN again and again, no limit", syn4, null, false, Method.TUN, 0, 0, false, 0),
                new Row("IPv4 new flow every packet (SYN), no limit", syn4, null, true, Method.TUN, 0, 0, false, 0.6),
                new Row("IPv4 new flow every packet (SYN), " + limit, syn4, null, true, Method.TUN, KATRAN_FLOOD_LIMIT, 0,
                        false, 0),
                new Row("IPv4 established among 1M flows (each packet another)", ack4, null, true, Method.TUN, 0,
                        ESTABLISHED_AMONG, true, 0.8),
                new Row("IPv6 established, xlb TUN (IP6IP6)", ack6, syn6, false, Method.TUN, 0, 0, false, 0.6),
                new Row("IPv6 new flow every packet (SYN), no limit", syn6, null, true, Method.TUN, 0, 0, false, 0.6));
    }

    static List<String> run(Path objects, int repeat, int samples) throws Exception {
        List<String> lines = new ArrayList<>();
        String commit = Files.readString(objects.resolve("commit")).strip();
        try (Bpf bpf = Bpf.open()) {
            BenchShim shim = BenchShim.load(bpf);
            List<Integer> zeros = Collections.nCopies(bpf.possibleCpus(), 0);
            Runnable resetSeq = () -> shim.seq().put(0, zeros);
            byte[] floorFrame = Frame.tcp("198.51.100.7", 40000, VIP4, 80, Frame.ACK).payload(new byte[0]).bytes();

            lines.add("Katran " + commit + " (" + objects.resolve("balancer.o") + ", and balancer-nolimit.o:"
                    + " MAX_CONN_RATE out of reach)");
            lines.add(verifyKatran(bpf, objects.resolve("balancer.o")));

            List<Result> results = new ArrayList<>();
            // XLB_BENCH_ROWS (a regex): only the rows whose name it finds, e.g. while profiling one path.
            java.util.regex.Pattern only = java.util.regex.Pattern.compile(System.getenv().getOrDefault("XLB_BENCH_ROWS", ""));
            for (Row row : rows()) {
                if (!only.matcher(row.name()).find()) {
                    continue;
                }
                Path katranObject = objects.resolve(row.limit() > 0 ? "balancer.o" : "balancer-nolimit.o");
                try (Dataplane xlb = director(bpf, row.xlbMethod(), row.limit());
                     KatranBalancer katran = new KatranBalancer(bpf, katranObject, TABLE_PER_CPU, VIP4, REALS4, VIP6,
                             REALS6)) {
                    byte[] bytes = row.frame().bytes();
                    boolean v6 = !row.frame().v4();
                    int stamp = row.stamp() ? (v6 ? V6_SRC : V4_SRC) : 0;
                    int xlbLen = row.xlbMethod() == Method.DR ? bytes.length : bytes.length + (v6 ? 40 : 20);
                    int katranLen = bytes.length + (v6 ? 40 : 20);
                    int runs = repeat;
                    if (row.cycle()) {
                        runs = Math.min(repeat, row.prefill());
                    } else if (row.stamp()) {
                        runs = Math.min(repeat, TABLE_PER_CPU / (samples + 1));
                    }
                    BpfProgram[] programs = {xlb.program(), katran.program()};
                    int[] lens = {xlbLen, katranLen};
                    for (int p = 0; p < 2; p++) {
                        shim.target().put(0, programs[p].fd());
                        if (row.prefill() > 0) {
                            resetSeq.run();
                            byte[] syn = (v6 ? Frame.tcp("2001:db8:2::7", 40000, VIP6, 80, Frame.SYN)
                                    : Frame.tcp("198.51.100.7", 40000, VIP4, 80, Frame.SYN)).payload(new byte[0]).bytes();
                            DataplaneBench.setInput(shim.input(), syn, stamp);
                            shim.shim().testRun(syn, row.prefill());
                        }
                        if (row.warm() != null) {
                            DataplaneBench.setInput(shim.input(), row.warm().bytes(), 0);
                            DataplaneBench.check(shim.shim().testRun(row.warm().bytes(), 1), TestRunResult.XDP_TX, lens[p],
                                    row.name() + " (warm-up)");
                        }
                        if (row.cycle()) {
                            // A first pass over the flows: each moves to its steady state (xlb: established).
                            resetSeq.run();
                            DataplaneBench.setInput(shim.input(), bytes, stamp);
                            shim.shim().testRun(bytes, runs);
                        }
                        DataplaneBench.setInput(shim.input(), bytes, stamp);
                        DataplaneBench.check(shim.shim().testRun(bytes, 1), TestRunResult.XDP_TX, lens[p], row.name());
                    }
                    double[] xlbNs = new double[samples];
                    double[] katranNs = new double[samples];
                    double[] floorNs = new double[samples];
                    double[] ratio = new double[samples];
                    for (int i = 0; i < samples; i++) {
                        BenchShim.Floor floor = shim.measureFloor(floorFrame, runs);
                        double[] cost = new double[2];
                        for (int p = 0; p < 2; p++) {
                            shim.aim(programs[p], bytes, stamp);
                            if (row.cycle()) {
                                resetSeq.run();
                            }
                            cost[p] = floor.cost(DataplaneBench.check(shim.shim().testRun(bytes, runs), TestRunResult.XDP_TX, lens[p],
                                    row.name() + (p == 0 ? " (xlb)" : " (Katran)")));
                        }
                        xlbNs[i] = cost[0];
                        katranNs[i] = cost[1];
                        floorNs[i] = floor.floorNs();
                        ratio[i] = cost[0] / Math.max(1, cost[1]);
                    }
                    results.add(new Result(row, runs, DataplaneBench.median(xlbNs), DataplaneBench.median(katranNs),
                            DataplaneBench.median(floorNs), DataplaneBench.median(ratio),
                            Arrays.stream(ratio).min().orElseThrow(), Arrays.stream(ratio).max().orElseThrow()));
                }
            }
            lines.add(String.format(Locale.ROOT, "repeat %d per sample (fewer where marked), median of %d samples, CPU 0;"
                    + " each program: (shim+program) - (shim+floor) + floor, all four in each sample", repeat, samples));
            lines.add("");
            lines.add("| path | xlb ns | Katran ns | floor ns | xlb/Katran (min–max) | goal |");
            lines.add("|---|---:|---:|---:|---:|---|");
            for (Result r : results) {
                String goal = r.row().goal() > 0
                        ? String.format(Locale.ROOT, "≤ %.1f: %s", r.row().goal(), r.ratio() <= r.row().goal() ? "met" : "not met")
                        : "";
                lines.add(String.format(Locale.ROOT, "| %s%s | %.0f | %.0f | %.0f | %.2f (%.2f–%.2f) | %s |", r.row().name(),
                        r.runs() != repeat ? " [" + r.runs() + " per sample]" : "", r.xlbNs(), r.katranNs(), r.floorNs(),
                        r.ratio(), r.ratioMin(), r.ratioMax(), goal));
            }
        }
        return lines;
    }

    /**
     * Katran's verdict and bytes for one IPv4 and one IPv6 packet, straight (no shim): XDP_TX and
     * exactly the IPIP / IP6IP6 packet its encap_helpers.h builds, to one of the VIP's reals.
     */
    private static String verifyKatran(Bpf bpf, Path object) {
        try (KatranBalancer katran = new KatranBalancer(bpf, object, 1024, VIP4, REALS4, VIP6, REALS6)) {
            StringBuilder s = new StringBuilder("Katran's output checked:");
            for (boolean v6 : new boolean[] {false, true}) {
                byte[] in = (v6 ? Frame.tcp("2001:db8:2::7", 40000, VIP6, 80, Frame.SYN)
                        : Frame.tcp("198.51.100.7", 40000, VIP4, 80, Frame.SYN)).payload(new byte[0]).bytes();
                TestRunResult r = katran.program().testRun(in);
                byte[] got = r.packet();
                int dstOff = 14 + (v6 ? 24 : 16);
                int dstLen = v6 ? 16 : 4;
                InetAddress real;
                try {
                    real = InetAddress.getByAddress(Arrays.copyOfRange(got, dstOff, Math.min(got.length, dstOff + dstLen)));
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException("Katran: no outer destination in " + HexFormat.of().formatHex(got), e);
                }
                byte[] want = KatranBalancer.expectedEncap(in, real);
                if (r.retval() != TestRunResult.XDP_TX || !katran.reals(v6).contains(real) || !Arrays.equals(got, want)) {
                    throw new IllegalStateException("Katran " + (v6 ? "IPv6" : "IPv4") + ": verdict " + r.retval()
                            + ", got  " + HexFormat.of().formatHex(got) + "\nwant " + HexFormat.of().formatHex(want));
                }
                s.append(v6 ? " IPv6 → IP6IP6 to " : " IPv4 → IPIP to ").append(real.getHostAddress())
                        .append(" (XDP_TX, ").append(got.length).append(" bytes as expected);");
            }
            return s.toString();
        }
    }

    private static Dataplane director(Bpf bpf, Method v4Method, int newFlowLimit) {
        Dataplane dp = DataplaneLoader.load(bpf, new DataplaneLoader.Options(TABLE_PER_CPU * bpf.possibleCpus()));
        try {
            dp.apply(new DesiredState(List.of(
                    new Service(new VipKey(Frame.addr(VIP4), 80, Protocol.TCP), Scheduler.named("mh"), v4Method,
                            reals(REALS4, v4Method)),
                    new Service(new VipKey(Frame.addr(VIP6), 80, Protocol.TCP), Scheduler.named("mh"), Method.TUN,
                            reals(REALS6, Method.TUN))),
                    new DirectorConfig(Map.of(), (Inet4Address) Frame.addr("192.0.2.1"),
                            (Inet6Address) Frame.addr("2001:db8::1"), 0, 64, newFlowLimit)));
            dp.addInterface(DataplaneBench.LOOPBACK_IFINDEX, new MacAddress(Frame.DIRECTOR_MAC));
            return dp;
        } catch (RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    private static List<Real> reals(List<String> addrs, Method m) {
        List<Real> rs = new ArrayList<>();
        for (int i = 0; i < addrs.size(); i++) {
            rs.add(new Real(Frame.addr(addrs.get(i)), 80, 1, m,
                    MacAddress.parse(String.format("02:00:00:00:03:%02x", i + 1)), 0));
        }
        return rs;
    }
}
