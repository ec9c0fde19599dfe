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
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Command;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Netns;
import io.xlb.lab.Veth;
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Frame;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Packets per second through a director on veth: a generator sends UDP frames (60 bytes, 256
 * flows) to the VIP at the director's MAC; the director forwards them to a sink real, whose XDP
 * program counts and drops them. Two generators ({@code --source}, each its own topology):
 * trafgen in a client namespace on a bridge with the director and the sink (every frame an skb
 * from a socket, which veth copies into a page for native XDP), or bench_gen in live-frames mode
 * beside the sink at the other end of the director's one veth (frames with no skb, as a NIC
 * driver's; see {@link LiveFramesRig}). Four ways in the director, interleaved round by round, same
 * traffic and duration:
 *  - xlb: the director's XDP program (mh, DR), XDP_TX back onto the bridge (the bridge port has
 *    the pass program a veth peer needs to receive XDP_TX frames);
 *  - kernel: no XDP; ip_forward, a route for the VIP via the sink, the same packets forwarded by
 *    the stack;
 *  - xlb-generic: the same program attached in generic (skb) mode: XDP_TX goes out through the
 *    stack's transmit, and the bridge port needs no program;
 *  - floor: bench_dr_floor in the director's place (MAC rewrite, XDP_TX, nothing else).
 * With trafgen, CPU 0 runs it and the client's side of the bridge; the director's receive queue is a
 * threaded NAPI pinned to CPU 1 (GRO on, so the kernel way gets NAPI too), where everything after
 * it runs: the director, the bridge towards the sink, and the sink. The kernel here has no
 * IRQ_TIME_ACCOUNTING, so the softirqs that thread runs are charged to it: its run time per packet
 * that reached the sink is what CPU 1 spends per forwarded packet, a capacity figure even when the
 * generator (one core) is what limits the rate.
 *
 * Usage: java -cp xlb-bench.jar io.xlb.bench.ForwardBench [--source trafgen|live-frames] [seconds per run, default 10] [rounds, default 5]
 */
public final class ForwardBench {
    /** -Dxlb.bench.modes=xlb (a subset, comma-separated) holds one mode, e.g. while perf records. */
    private static final List<String> MODES = List.of(System.getProperty("xlb.bench.modes", "kernel,xlb,xlb-generic,floor").split(","));

    /** Where a UDP-in-IPv4 frame (no options) has its UDP checksum; the header template ends after it. */
    private static final int UDP_CHECKSUM_AT = 14 + 20 + 6;
    /** Frames the generator sends at a time (the kernel's default 64; at most 256). */
    private static final int GEN_BATCH = Integer.getInteger("xlb.bench.gen.batch", 64);

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        String source = "trafgen";
        if (!rest.isEmpty() && rest.getFirst().equals("--source")) {
            rest.removeFirst();
            source = rest.removeFirst();
        }
        int seconds = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 10;
        int rounds = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 5;
        Lab lab = new Lab("xlbfwd");
        Runtime.getRuntime().addShutdownHook(new Thread(lab::close)); // also on SIGINT/SIGTERM
        try (lab; Bpf bpf = Bpf.open(); StackPrograms stack = new StackPrograms(bpf)) {
            Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.defaults());
            Rig rig = switch (source) {
                case "trafgen" -> TrafgenRig.create(lab, bpf, stack, dp);
                case "live-frames" -> LiveFramesRig.create(lab, bpf, stack, dp);
                default -> throw new IllegalArgumentException("--source trafgen or live-frames, not " + source);
            };
            System.out.println("machine: " + Machine.describe());
            System.out.println(rig.describe() + "; " + seconds + " s per run, " + rounds + " rounds, modes interleaved");
            System.out.println();
            measure(rig, dp, stack.drFloor(), seconds, rounds);
        }
    }

    /** One topology: where the director's program goes, and how a run is driven and counted. */
    private interface Rig {
        String describe();

        /** Puts {@code program} (null: none, the kernel forwards) in the director's place. */
        void attach(BpfProgram program, Xdp.Mode mode) throws Exception;

        /** {offered pps, pps at the sink, CPU 1 ns per packet at the sink, CPU 1 busy fraction}, over a run. */
        double[] run(int seconds) throws Exception;

        int napiThread();
    }

    private static void measure(Rig rig, Dataplane dp, BpfProgram floor, int seconds, int rounds) throws Exception {
        int napiThread = rig.napiThread();
        System.out.println("| round | mode | offered (pps) | at the sink (pps) | sink / offered | CPU 1 busy (NAPI thread) | CPU 1 ns per packet |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|");
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        MODES.forEach(m -> rates.put(m, new ArrayList<>()));
        Map<String, List<Double>> cost = new LinkedHashMap<>();
        MODES.forEach(m -> cost.put(m, new ArrayList<>()));
        Map<String, List<Double>> capacityOverKernel = new LinkedHashMap<>();
        List<Double> xlbOverKernel = new ArrayList<>();
        List<Double> floorOverKernel = new ArrayList<>();
        List<Double> xlbOverFloor = new ArrayList<>();
        List<Double> genericOverKernel = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Map<String, Double> thisRound = new LinkedHashMap<>();
            Map<String, Double> thisCost = new LinkedHashMap<>();
            for (String mode : round % 2 == 1 ? MODES : MODES.reversed()) {
                System.err.println("run " + round + " " + mode + " starts");
                BpfProgram director0 = switch (mode) {
                    case "xlb", "xlb-generic" -> dp.program();
                    case "floor" -> floor;
                    default -> null;
                };
                // Generic (skb) mode sends XDP_TX through the stack's transmit: the peer needs no program.
                rig.attach(director0, mode.endsWith("-generic") ? Xdp.Mode.GENERIC : Xdp.Mode.NATIVE);
                checkPinned(napiThread, 1);
                long cpuBefore = runtimeNs(napiThread);
                long txBefore = reasonTx(dp);
                double[] r = rig.run(seconds);
                if (mode.startsWith("xlb") && reasonTx(dp) - txBefore < r[1] * seconds / 2) {
                    throw new IllegalStateException("xlb did not forward by XDP_TX: " + dp.reasons());
                }
                if (runtimeNs(napiThread) - cpuBefore < 1_000_000) {
                    throw new IllegalStateException(mode + ": the director's NAPI thread did not run: the packets took another path");
                }
                thisRound.put(mode, r[1]);
                rates.get(mode).add(r[1]);
                cost.get(mode).add(r[2]);
                thisCost.put(mode, r[2]);
                System.out.println(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.2f | %.0f %% | %.0f |",
                        round, mode, r[0], r[1], r[1] / r[0], 100 * r[3], r[2]));
            }
            if (thisRound.keySet().containsAll(List.of("kernel", "xlb", "floor"))) {
                xlbOverKernel.add(thisRound.get("xlb") / thisRound.get("kernel"));
                floorOverKernel.add(thisRound.get("floor") / thisRound.get("kernel"));
                xlbOverFloor.add(thisRound.get("xlb") / thisRound.get("floor"));
            }
            if (thisCost.containsKey("kernel")) {
                thisCost.forEach((m, ns) -> capacityOverKernel.computeIfAbsent(m, x -> new ArrayList<>()).add(thisCost.get("kernel") / ns));
            }
            if (thisRound.keySet().containsAll(List.of("kernel", "xlb-generic"))) {
                genericOverKernel.add(thisRound.get("xlb-generic") / thisRound.get("kernel"));
            }
        }
        rig.attach(null, Xdp.Mode.NATIVE);
        System.out.println();
        System.out.println("| mode, median (min–max) of " + rounds + " | at the sink (pps) | CPU 1 ns per packet | packets per CPU-second, / kernel's (same round) |");
        System.out.println("|---|---:|---:|---:|");
        rates.forEach((mode, list) -> System.out.println("| " + mode + " | " + Spread.of(list).format(0) + " | "
                + Spread.of(cost.get(mode)).format(0) + " | "
                + (capacityOverKernel.containsKey(mode) ? Spread.of(capacityOverKernel.get(mode)).format(2) : "—") + " |"));
        if (!xlbOverKernel.isEmpty()) {
            System.out.println();
            System.out.println("| ratio, same round, median (min–max) | |");
            System.out.println("|---|---:|");
            System.out.println("| xlb / kernel forwarding (goal ≥ 3) | " + Spread.of(xlbOverKernel).format(2) + " |");
            System.out.println("| floor / kernel forwarding | " + Spread.of(floorOverKernel).format(2) + " |");
            System.out.println("| xlb / floor | " + Spread.of(xlbOverFloor).format(2) + " |");
        }
        if (!genericOverKernel.isEmpty()) {
            System.out.println("| xlb in generic (skb) mode / kernel forwarding | " + Spread.of(genericOverKernel).format(2) + " |");
        }
        System.out.println();
        System.out.println("director reasons: " + dp.reasons());
    }

    /**
     * Three namespaces on one bridge (client, director, sink); trafgen in the client (an AF_PACKET
     * socket: every frame starts as an skb) sends to the VIP at the director's MAC.
     */
    private record TrafgenRig(Lab lab, Bpf bpf, StackPrograms stack, Dataplane dp, Lan lan, Lan.Host client,
            Netns director, int dirIf, int port, Path cfg, int napiThread) implements Rig {

        static TrafgenRig create(Lab lab, Bpf bpf, StackPrograms stack, Dataplane dp) throws Exception {
            String subnet = "10.77.4";
            String vip = subnet + ".200";
            Lan lan = Lan.create(lab, subnet, List.of("client", "director", "sink"));
            Lan.Host client = lan.host("client");
            Lan.Host director = lan.host("director");
            Lan.Host sink = lan.host("sink");
            Netns d = director.ns();
            kernelForwarding(d, "eth0", vip, sink.address(), sink.mac());
            int napiThread = threadedNapi(d, "eth0", 1);
            // veth hands a frame to the receiver's NAPI (rather than the sender's backlog) only when
            // XDP is on there, or when GRO is and the frame is eligible, which a frame from a TSO-capable
            // peer is not: TSO off on the director's bridge port sends the kernel's way through the
            // same thread. SCHED_FIFO: on this shared machine a thread at nice 0 waits behind others.
            lan.switchNamespace().exec("ethtool", "-K", director.switchPort(), "tso", "off", "gso", "off");
            Command.of("chrt", "-f", "-p", "50", String.valueOf(napiThread)).run();

            int sinkIf = sink.ns().namespace().ifindex("eth0");
            sink.ns().namespace().run(() -> bpf.xdp().attach(sinkIf, stack.sink(), Xdp.Mode.NATIVE));
            forwardTo(dp, stack, vip, sink.address(), sink.mac());
            int dirIf = d.namespace().ifindex("eth0");
            int port = lan.switchNamespace().namespace().ifindex(director.switchPort());
            Path cfg = lab.scratch().resolve("udp.trafgen");
            Files.writeString(cfg, """
                    {
                      eth(da=%s, sa=%s, type=0x0800),
                      ipv4(saddr=%s, daddr=%s, ttl=64, proto=17),
                      udp(sport=dinc(1024, 1279), dport=9),
                      fill(0x00, 18)
                    }
                    """.formatted(director.mac(), client.mac(), client.address(), vip));
            return new TrafgenRig(lab, bpf, stack, dp, lan, client, d, dirIf, port, cfg, napiThread);
        }

        @Override
        public String describe() {
            return "trafgen: 60-byte UDP frames, 256 flows, pinned to CPU 0; director's NAPI thread (pid "
                    + napiThread + ") pinned to CPU 1";
        }

        @Override
        public void attach(BpfProgram program, Xdp.Mode mode) throws Exception {
            ForwardBench.attach(bpf, director, dirIf, program, mode);
            // A veth peer receives XDP_TX frames only with a program of its own.
            ForwardBench.attach(bpf, lan.switchNamespace(), port,
                    program == null || mode == Xdp.Mode.GENERIC ? null : dp.passProgram(), Xdp.Mode.NATIVE);
        }

        @Override
        public double[] run(int seconds) throws Exception {
            BackgroundProcess trafgen = lab.start(client.ns(), "trafgen", "timeout", "-s", "INT", String.valueOf(seconds + 3),
                    "taskset", "-c", "0", "trafgen", "-o", "eth0", "-i", cfg.toString(), "-P", "1", "-q");
            try {
                Thread.sleep(1500);
                if (!trafgen.isAlive()) {
                    throw new IllegalStateException("trafgen ended early:\n" + trafgen.log());
                }
                Counters before = counters(LinkCounters.txPackets(client), stack, napiThread);
                Thread.sleep(seconds * 1000L);
                Counters after = counters(LinkCounters.txPackets(client), stack, napiThread);
                if (!trafgen.isAlive()) {
                    throw new IllegalStateException("trafgen ended early:\n" + trafgen.log());
                }
                return after.since(before);
            } finally {
                trafgen.close();
            }
        }
    }

    /**
     * Two namespaces and one veth pair, the director "on a stick" as DR directors often are (one
     * interface: frames in and out the same way). The generator's namespace is also the sink: a
     * kernel thread sends frames made by bench_gen (BPF_PROG_TEST_RUN in live-frames mode, on
     * CPU 0) out of its end of the pair, so they reach the director as a NIC's frames would reach
     * its driver, with no skb yet; what the director sends back is counted and dropped by
     * bench_sink on the generator's end, whose NAPI thread is on CPU 0. CPU 1 runs the director's
     * receive queue and nothing else: its run time per packet counted is the director's cost.
     */
    private record LiveFramesRig(Bpf bpf, StackPrograms stack, Netns gen, int genIf, Netns director, int dirIf,
            byte[] frame, int napiThread) implements Rig {

        static LiveFramesRig create(Lab lab, Bpf bpf, StackPrograms stack, Dataplane dp) throws Exception {
            String genAddress = "10.77.5.1";
            String vip = "10.77.5.200";
            Netns gen = lab.namespace();
            Netns d = lab.namespace();
            Veth.create(gen, "eth0", genAddress + "/24", d, "eth0", "10.77.5.2/24");
            String genMac = Veth.mac(gen, "eth0");
            String dirMac = Veth.mac(d, "eth0");
            kernelForwarding(d, "eth0", vip, genAddress, genMac);
            int napiThread = threadedNapi(d, "eth0", 1);
            Command.of("chrt", "-f", "-p", "50", String.valueOf(napiThread)).run();
            // The sink's receive queue on CPU 0 with the generator, so that CPU 1 is the director's
            // alone; ahead of the generator there (SCHED_FIFO), so that what the director sends is
            // counted rather than lost in a full ring while the generator has the CPU.
            int sinkThread = threadedNapi(gen, "eth0", 0);
            Command.of("chrt", "-f", "-p", "50", String.valueOf(sinkThread)).run();
            int genIf = gen.namespace().ifindex("eth0");
            gen.namespace().run(() -> bpf.xdp().attach(genIf, stack.sink(), Xdp.Mode.NATIVE));
            forwardTo(dp, stack, vip, genAddress, genMac);
            byte[] frame = Frame.eth(genMac, dirMac).ipv4(genAddress, vip).ttl(64).udp(1024, 9).payload(new byte[18]).bytes();
            if (frame.length != 60) {
                throw new IllegalStateException("a 60-byte frame was meant, not " + frame.length);
            }
            // No UDP checksum: bench_gen changes the source port.
            frame[UDP_CHECKSUM_AT] = 0;
            frame[UDP_CHECKSUM_AT + 1] = 0;
            stack.generate(Arrays.copyOf(frame, UDP_CHECKSUM_AT + 2), 256, 1024);
            return new LiveFramesRig(bpf, stack, gen, genIf, d, d.namespace().ifindex("eth0"), frame, napiThread);
        }

        @Override
        public String describe() {
            return "bench_gen in live-frames mode: 60-byte UDP frames, 256 flows, on CPU 0; director's NAPI thread (pid "
                    + napiThread + ") pinned to CPU 1";
        }

        @Override
        public void attach(BpfProgram program, Xdp.Mode mode) throws Exception {
            // The generator's end has the sink, which a veth peer needs to receive XDP_TX frames.
            ForwardBench.attach(bpf, director, dirIf, program, mode);
        }

        @Override
        public double[] run(int seconds) throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread generator = Thread.ofPlatform().name("bench-gen").start(() -> {
                try {
                    CpuAffinity.callOn(0, () -> gen.namespace().call(() -> {
                        while (!stop.get()) {
                            stack.generator().testRunLive(frame, 200_000, genIf, GEN_BATCH);
                        }
                        return null;
                    }));
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            Throwable first = null;
            try {
                Thread.sleep(1500);
                Counters before = counters(stack.generated(), stack, napiThread);
                Thread.sleep(seconds * 1000L);
                Counters after = counters(stack.generated(), stack, napiThread);
                return after.since(before);
            } catch (Throwable t) {
                first = t;
                throw t;
            } finally {
                stop.set(true);
                generator.join();
                if (failed.get() != null) {
                    IllegalStateException e = new IllegalStateException("the generator failed", failed.get());
                    if (first != null) {
                        first.addSuppressed(e);
                    } else {
                        throw e;
                    }
                }
            }
        }
    }

    /** The director's stack forwards the VIP to the sink (the kernel's way), sending no redirects. */
    private static void kernelForwarding(Netns d, String ifname, String vip, String sinkAddress, String sinkMac) {
        d.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
                "net.ipv4.conf." + ifname + ".send_redirects=0", "net.ipv4.conf.all.rp_filter=0",
                "net.ipv4.conf." + ifname + ".rp_filter=0");
        d.exec("ip", "route", "add", vip + "/32", "via", sinkAddress);
        d.exec("ip", "neigh", "replace", sinkAddress, "lladdr", sinkMac, "dev", ifname, "nud", "permanent");
    }

    /** xlb's service (mh, DR, UDP port 9) and the floor forwarder, both to the sink. */
    private static void forwardTo(Dataplane dp, StackPrograms stack, String vip, String sinkAddress, String sinkMac) {
        dp.apply(new DesiredState(List.of(new Service(new VipKey(InetAddress.ofLiteral(vip), 9, Protocol.UDP),
                Scheduler.named("mh"), Method.DR,
                List.of(Real.of(InetAddress.ofLiteral(sinkAddress), 9, 1, MacAddress.parse(sinkMac))))),
                DirectorConfig.defaults()));
        stack.floorTo((Inet4Address) InetAddress.ofLiteral(vip), List.of(MacAddress.parse(sinkMac)));
    }

    private record Counters(long offered, long atSink, long cpuNs, long nanoTime) {
        double[] since(Counters b) {
            double s = (nanoTime - b.nanoTime) / 1e9;
            long got = atSink - b.atSink;
            long cpu = cpuNs - b.cpuNs;
            return new double[] {(offered - b.offered) / s, got / s, (double) cpu / got, cpu / 1e9 / s};
        }
    }

    private static Counters counters(long offered, StackPrograms stack, int napiThread) throws IOException {
        return new Counters(offered, stack.sinkPackets(), runtimeNs(napiThread), System.nanoTime());
    }

    private static long reasonTx(Dataplane dp) {
        return dp.reasons().getOrDefault(Reason.TX_DR, 0L);
    }

    /** Time the task has run, in ns (the first field of /proc/PID/schedstat). */
    private static long runtimeNs(int pid) throws IOException {
        return Long.parseLong(Files.readString(Path.of("/proc", String.valueOf(pid), "schedstat")).trim().split("\\s+")[0]);
    }


    static void attach(Bpf bpf, Netns ns, int ifindex, BpfProgram program, Xdp.Mode mode) throws Exception {
        ns.namespace().run(() -> {
            bpf.xdp().query(ifindex).ifPresent(a -> bpf.xdp().detach(ifindex, a.mode()));
            if (program != null) {
                bpf.xdp().attach(ifindex, program, mode);
            }
        });
    }

    /**
     * Gives {@code ifname}'s receive queue a NAPI kernel thread of its own (GRO on, so veth polls
     * with NAPI with or without XDP) and pins it to {@code cpu}; returns its pid.
     */
    static int threadedNapi(Netns ns, String ifname, int cpu) throws IOException {
        ns.exec("ethtool", "-K", ifname, "gro", "on");
        Set<Integer> before = napiThreads().keySet();
        // /sys/class/net of the namespace: ip netns exec mounts it (nsenter would show the caller's).
        Command.of("ip", "netns", "exec", ns.name(), "sh", "-c", "echo 1 > /sys/class/net/" + ifname + "/threaded").run();
        for (int i = 0; i < 50; i++) {
            List<Integer> fresh = napiThreads().entrySet().stream()
                    .filter(e -> !before.contains(e.getKey()) && e.getValue().startsWith("napi/" + ifname + "-"))
                    .map(Map.Entry::getKey).toList();
            if (fresh.size() == 1) {
                Command.of("taskset", "-p", "-c", String.valueOf(cpu), fresh.getFirst().toString()).run();
                return fresh.getFirst();
            }
            if (fresh.size() > 1) {
                throw new IllegalStateException("several new NAPI threads for " + ifname + ": " + fresh);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("no NAPI thread appeared for " + ifname + " in " + ns);
    }

    static void checkPinned(int pid, int cpu) {
        String out = Command.of("taskset", "-p", "-c", String.valueOf(pid)).run();
        if (!out.trim().endsWith(": " + cpu)) {
            throw new IllegalStateException("NAPI thread " + pid + " is not on CPU " + cpu + " only: " + out);
        }
    }

    private static Map<Integer, String> napiThreads() throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .collect(Collectors.toMap(Integer::parseInt, n -> {
                        try {
                            return Files.readString(Path.of("/proc", n, "comm")).trim();
                        } catch (IOException e) {
                            return "";
                        }
                    }))
                    .entrySet().stream().filter(e -> e.getValue().startsWith("napi/"))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
    }
}
