package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.Codec;
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
import io.xlb.dataplane.abi.RealConns;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Frame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * ns per packet of the director through BPF_PROG_TEST_RUN, each path beside the floor (a
 * MAC-swap XDP_TX program) measured in the same run. Every sample runs the shim (bpf/bench/
 * shim.c) that restores the frame and tail-calls the program; the shim tail-calling the floor
 * is measured the same way and subtracted. Runs pinned to CPU 0 (per-CPU maps).
 *
 * Usage: java -jar xlb-bench.jar [repeat per sample, default 1000000] [samples, default 7]; with
 * {@code --katran OBJECTS_DIR} first, the table beside Katran instead ({@link KatranComparison}).
 */
public final class DataplaneBench {
    static final int V4_SRC_OFFSET = 14 + 12;
    private static final int V6_SRC_OFFSET = 14 + 8 + 12; // last word of the IPv6 source

    private record Scenario(String name, Frame frame, boolean newFlowEachRun, int expectVerdict, int expectLength,
                            int prefillFlows, int newFlowLimit, Consumer<Dataplane> setup) {
        Scenario(String name, Frame frame, boolean newFlowEachRun, int expectVerdict, int expectLength, int prefillFlows,
                 int newFlowLimit) {
            this(name, frame, newFlowEachRun, expectVerdict, expectLength, prefillFlows, newFlowLimit, dp -> { });
        }

        Scenario(String name, Frame frame, boolean newFlowEachRun, int expectVerdict, int expectLength, int prefillFlows) {
            this(name, frame, newFlowEachRun, expectVerdict, expectLength, prefillFlows, 0);
        }
    }

    /** Katran's default rate of new flows tracked per CPU per second. */
    private static final int FLOOD_LIMIT = 125_000;

    record Row(String name, String runs, double ns, double ratio) {}

    private static final String NEW_FLOW = "DR, new flow, ";
    private static final String MH_NEW_FLOW = NEW_FLOW + "mh (SYN)";
    /** Each on its own VIP, 192.0.2.20 on, over 10 reals of weight 1. */
    private static final List<String> NEW_SCHEDULERS = List.of("sed", "nq", "fo", "ovf", "lblc", "lblcr");

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--katran")) {
            KatranComparison.main(args); // xlb beside Katran: its own table
            return;
        }
        java.util.regex.Pattern only = null;
        if (args.length > 1 && args[0].equals("--only")) {
            only = java.util.regex.Pattern.compile(args[1]);
            args = java.util.Arrays.copyOfRange(args, 2, args.length);
        }
        int repeat = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        java.util.regex.Pattern rows = only;
        List<String> out = CpuAffinity.callOn(0, () -> run(repeat, samples, rows));
        out.forEach(System.out::println);
    }

    private static Real real(String addr, MacAddress mac, Method m) {
        return new Real(Frame.addr(addr), 80, 1, m, mac, 0);
    }

    private static List<Real> reals(int n, String prefix, Method m) {
        List<Real> rs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            rs.add(real(prefix + i, MacAddress.parse(String.format("02:00:00:00:02:%02x", i)), m));
        }
        return rs;
    }

    /**
     * {@code only}: the rows whose name it finds, besides the DR established flow and mh's new flow
     * that the others are compared with (null: every row); NAT's three rows are measured always.
     */
    static List<String> run(int repeat, int samples, java.util.regex.Pattern only) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Bpf bpf = Bpf.open()) {
            BenchShim shim = BenchShim.load(bpf);

            byte[] empty = new byte[0];
            Frame ack4 = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.ACK).payload(empty);
            Frame syn11 = Frame.tcp("198.51.100.7", 40000, "192.0.2.11", 80, Frame.SYN).payload(empty);
            List<Scenario> newFlowPerScheduler = new ArrayList<>();
            for (int i = 0; i < NEW_SCHEDULERS.size(); i++) {
                newFlowPerScheduler.add(new Scenario(NEW_FLOW + NEW_SCHEDULERS.get(i) + " over 10 reals (SYN)",
                        Frame.tcp("198.51.100.7", 40000, "192.0.2." + (20 + i), 80, Frame.SYN).payload(empty), true,
                        TestRunResult.XDP_TX, 54, 0));
            }
            // nq takes the first real without an active connection at once; with none idle it scans all, as sed.
            int nq = NEW_SCHEDULERS.indexOf("nq");
            newFlowPerScheduler.add(nq + 1, new Scenario(NEW_FLOW + "nq with no real idle over 10 reals (SYN)",
                    Frame.tcp("198.51.100.7", 40000, "192.0.2." + (20 + nq), 80, Frame.SYN).payload(empty), true,
                    TestRunResult.XDP_TX, 54, 0, 0, dp -> oneActiveConnectionEach(dp, vip(20 + nq))));
            // New flows: at most repeat x samples of them, kept below CPU 0's share of the LRU table.
            int perCpuShare = (1 << 20) / bpf.possibleCpus();
            List<Scenario> scenarios = new ArrayList<>(List.of(
                    new Scenario("DR, established flow", ack4, false, TestRunResult.XDP_TX, 54, 0),
                    new Scenario(MH_NEW_FLOW, syn11, true, TestRunResult.XDP_TX, 54, 0),
                    new Scenario(NEW_FLOW + "wlc over 10 reals (SYN)", Frame.tcp("198.51.100.7", 40000, "192.0.2.12", 80, Frame.SYN).payload(empty), true, TestRunResult.XDP_TX, 54, 0)));
            scenarios.addAll(newFlowPerScheduler);
            scenarios.addAll(List.of(
                    new Scenario("DR, new flow, mh, table full (SYN flood, no limit: each insert evicts)", syn11, true, TestRunResult.XDP_TX, 54, perCpuShare),
                    new Scenario("DR, new flow, mh, table full, limit " + FLOOD_LIMIT + "/s per CPU (untracked above it)", syn11, true, TestRunResult.XDP_TX, 54, perCpuShare, FLOOD_LIMIT),
                    new Scenario("TUN IPv4 (IPIP), established flow", Frame.tcp("198.51.100.7", 40000, "192.0.2.13", 80, Frame.ACK).payload(empty), false, TestRunResult.XDP_TX, 74, 0),
                    new Scenario("TUN IPv6 (IP6IP6), established flow", Frame.tcp("2001:db8:2::7", 40000, "2001:db8::13", 80, Frame.ACK).payload(empty), false, TestRunResult.XDP_TX, 114, 0),
                    new Scenario("not for a VIP (XDP_PASS)", Frame.tcp("198.51.100.7", 40000, "192.0.2.99", 80, Frame.ACK).payload(empty), false, TestRunResult.XDP_PASS, 54, 0)));

            if (only != null) {
                scenarios.removeIf(s -> !s.name().equals(MH_NEW_FLOW) && !s.name().equals("DR, established flow")
                        && !only.matcher(s.name()).find());
            }
            double[] floorSample = new double[1];
            List<Row> rows = new ArrayList<>();
            long connections = 0;
            for (Scenario s : scenarios) {
                // A fresh director per path: an empty connection table, counters at zero.
                try (Dataplane dp = director(bpf, s.newFlowLimit())) {
                    byte[] bytes = s.frame().bytes();
                    int stamp = s.newFlowEachRun() ? (s.frame().v4() ? V4_SRC_OFFSET : V6_SRC_OFFSET) : 0;
                    int runs = s.newFlowEachRun() && s.prefillFlows() == 0 ? Math.min(repeat, perCpuShare / (samples + 1)) : repeat;
                    s.setup().accept(dp);
                    shim.aim(dp.program(), bytes, stamp);
                    if (s.prefillFlows() > 0) {
                        shim.shim().testRun(bytes, s.prefillFlows());
                    }
                    // One run first, so an "established" flow is in the connection table.
                    check(shim.shim().testRun(bytes, 1), s.expectVerdict(), s.expectLength(), s.name());
                    // Interleaved per sample: floor, shim+floor, shim+director. This machine is noisy;
                    // a ratio from one sample's three figures is steadier than figures from far apart.
                    double[] ns = new double[samples];
                    double[] ratio = new double[samples];
                    for (int i = 0; i < samples; i++) {
                        BenchShim.Floor floor = shim.measureFloor(ack4.bytes(), runs);
                        shim.aim(dp.program(), bytes, stamp);
                        ns[i] = floor.cost(check(shim.shim().testRun(bytes, runs), s.expectVerdict(), s.expectLength(), s.name()));
                        ratio[i] = ns[i] / Math.max(1, floor.floorNs());
                        if (i == 0 && rows.isEmpty()) {
                            floorSample[0] = floor.floorNs();
                        }
                    }
                    rows.add(new Row(s.name(), runs != repeat ? " [" + runs + " per sample]" : "", median(ns), median(ratio)));
                    connections = Math.max(connections, dp.connectionTable().keys().size());
                }
            }
            // NAT's paths, in a namespace of their own (they need a FIB): NatBench.
            rows.addAll(NatBench.measure(bpf, shim.floor(), shim.shim(), shim.input(), shim.target(), repeat, samples, Math.min(repeat, perCpuShare / (samples + 1))));
            lines.add(String.format(Locale.ROOT, "repeat %d per sample (fewer where marked), median of %d samples, CPU 0;"
                    + " each sample: (shim+director) - (shim+floor) + floor; floor in the first sample: %.0f ns",
                    repeat, samples, floorSample[0]));
            lines.add("");
            lines.add("| path | ns/packet | × floor (same sample) |");
            lines.add("|---|---:|---:|");
            for (Row r : rows) {
                lines.add(String.format(Locale.ROOT, "| %s%s | %.0f | %.1f |", r.name(), r.runs(), r.ns(), r.ratio()));
            }
            // Each scheduler's new flow against mh's in this run, both as × their own samples' floor.
            double mh = rows.stream().filter(r -> r.name().equals(MH_NEW_FLOW)).findFirst().orElseThrow().ratio();
            lines.add("");
            lines.add("| new flow (SYN), 10 reals | × mh's new flow (same run) |");
            lines.add("|---|---:|");
            lines.add("| mh | 1.00 |");
            String suffix = " over 10 reals (SYN)";
            for (Row r : rows) {
                if (r.name().startsWith(NEW_FLOW) && r.name().endsWith(suffix)) {
                    lines.add(String.format(Locale.ROOT, "| %s | %.2f |", r.name().substring(NEW_FLOW.length(),
                            r.name().length() - suffix.length()), r.ratio() / mh));
                }
            }
            lines.add("");
            lines.add("| NAT path (one-armed, XDP_TX) | × mh's new flow (same run) |");
            lines.add("|---|---:|");
            for (Row r : rows) {
                if (r.name().startsWith("NAT, ")) {
                    lines.add(String.format(Locale.ROOT, "| %s | %.2f |", r.name().substring(5), r.ratio() / mh));
                }
            }
            lines.add("");
            lines.add("largest connection table seen: " + connections + " entries");
        }
        return lines;
    }

    static final int LOOPBACK_IFINDEX = 1;

    private static Dataplane director(Bpf bpf, int newFlowLimit) {
        Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.defaults());
        VipKey dr = new VipKey(Frame.addr("192.0.2.10"), 80, Protocol.TCP);
        VipKey mh = new VipKey(Frame.addr("192.0.2.11"), 80, Protocol.TCP);
        VipKey wlc = new VipKey(Frame.addr("192.0.2.12"), 80, Protocol.TCP);
        VipKey tun4 = new VipKey(Frame.addr("192.0.2.13"), 80, Protocol.TCP);
        VipKey tun6 = new VipKey(Frame.addr("2001:db8::13"), 80, Protocol.TCP);
        dp.apply(new DesiredState(List.of(
                new Service(dr, Scheduler.named("rr"), Method.DR, reals(10, "10.0.0.", Method.DR)),
                new Service(mh, Scheduler.named("mh"), Method.DR, reals(10, "10.0.1.", Method.DR)),
                new Service(wlc, Scheduler.named("wlc"), Method.DR, reals(10, "10.0.2.", Method.DR)),
                new Service(tun4, Scheduler.named("mh"), Method.TUN, reals(10, "10.0.3.", Method.TUN)),
                new Service(tun6, Scheduler.named("mh"), Method.TUN, reals(10, "2001:db8:3::", Method.TUN)),
                new Service(vip(20), Scheduler.named(NEW_SCHEDULERS.get(0)), Method.DR, reals(10, "10.0.20.", Method.DR)),
                new Service(vip(21), Scheduler.named(NEW_SCHEDULERS.get(1)), Method.DR, reals(10, "10.0.21.", Method.DR)),
                new Service(vip(22), Scheduler.named(NEW_SCHEDULERS.get(2)), Method.DR, reals(10, "10.0.22.", Method.DR)),
                new Service(vip(23), Scheduler.named(NEW_SCHEDULERS.get(3)), Method.DR, reals(10, "10.0.23.", Method.DR)),
                new Service(vip(24), Scheduler.named(NEW_SCHEDULERS.get(4)), Method.DR, reals(10, "10.0.24.", Method.DR)),
                new Service(vip(25), Scheduler.named(NEW_SCHEDULERS.get(5)), Method.DR, reals(10, "10.0.25.", Method.DR))),
                new DirectorConfig(Map.of(), (Inet4Address) Frame.addr("192.0.2.1"),
                        (Inet6Address) Frame.addr("2001:db8::1"), 0, 64, newFlowLimit)));
        // As the daemon registers the interfaces it attaches to: every VIP frame pays the check
        // that it is addressed to this director's MAC (BPF_PROG_TEST_RUN's ingress is loopback).
        dp.addInterface(LOOPBACK_IFINDEX, new io.xlb.dataplane.abi.MacAddress(Frame.DIRECTOR_MAC));
        return dp;
    }

    /** Every real of the service at {@code vip} with one active connection. */
    private static void oneActiveConnectionEach(Dataplane dp, VipKey vip) {
        var conns = dp.map("real_conns").typed(Codec.U32, RealConns.CODEC);
        dp.view().stream().filter(v -> v.vip().equals(vip)).flatMap(v -> v.reals().stream())
                .forEach(r -> conns.put(r.index(), new RealConns(1, 0)));
    }

    private static VipKey vip(int lastOctet) {
        return new VipKey(Frame.addr("192.0.2." + lastOctet), 80, Protocol.TCP);
    }

    static void setInput(io.xlb.bpf.BpfMap<Integer, byte[]> input, byte[] frame, int stampOffset) {
        MemorySegment s = MemorySegment.ofArray(new byte[BenchShim.INPUT_SIZE]);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, frame.length);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 4, stampOffset);
        MemorySegment.copy(frame, 0, s, ValueLayout.JAVA_BYTE, 8, frame.length);
        input.put(0, s.toArray(ValueLayout.JAVA_BYTE));
    }

    static int check(TestRunResult r, int verdict, int length, String what) {
        if (r.retval() != verdict || r.packet().length != length) {
            throw new IllegalStateException(what + ": last run gave verdict " + r.retval() + " and "
                    + r.packet().length + " bytes, expected " + verdict + " and " + length);
        }
        return r.durationNs();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
