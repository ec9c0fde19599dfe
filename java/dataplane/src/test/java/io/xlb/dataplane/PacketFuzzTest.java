package io.xlb.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.BpfMap;
import io.xlb.bpf.Codec;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.FuzzFrames.Case;
import io.xlb.dataplane.PacketModel.Iface;
import io.xlb.dataplane.PacketModel.Outcome;
import io.xlb.dataplane.PacketModel.RealM;
import io.xlb.dataplane.PacketModel.ServiceM;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.lab.Netns;
import io.xlb.lab.Veth;
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Checksum;
import io.xlb.testing.Frame;
import io.xlb.testing.Pcap;
import io.xlb.testing.Privileged;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tier 2, the packet fuzz: random and mutated frames ({@link FuzzFrames}), one per
 * BPF_PROG_TEST_RUN, through a director with DR, TUN and NAT services (IPv4 and IPv6; one real
 * each, and services with several reals, one of them quiesced), in a namespace whose FIB resolves
 * NAT's next hops, as NatTest's. Each verdict and every byte that comes out is checked against
 * {@link PacketModel}, written from bpf/README.md's rules: a passed frame untouched (but for NAT's
 * PASS_NAT_ROUTE, translated by design), a drop only where the rules drop, a forwarded frame exactly
 * as the model builds it, and, when the frame in was valid, every checksum of the frame out valid
 * (checked from scratch, and by tshark on a sample). Every {@value #EPOCH} frames the connection
 * table, each real's active and inactive counts and the reason counters are compared with the
 * model's, and the tables start afresh (no timeout or LRU eviction can then intervene).
 *
 * <p>Not covered: time (every timeout is a day and the tables start afresh each epoch, so nothing
 * expires and no LRU entry is evicted), the new-flow limit, which real rr/wrr/lc pick (the model
 * only requires one of the service's reals of positive weight, and that the flow then sticks to
 * it), reals added or removed (only weights change), the per-service and per-real packet and byte
 * counters, and the other programs (decap.c).
 *
 * <p>Size and seed: system properties {@code xlb.fuzz.cases} and {@code xlb.fuzz.seed};
 * {@code benchmarks/run-packet-fuzz} runs it longer with a seed of its choice. A failure names the
 * seed and the case; the same cases and seed replay it.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "tshark"})
class PacketFuzzTest {
    static final int DEFAULT_CASES = 1_000_000;
    /** The seed of tools/test's runs: the same frames every time. */
    static final long DEFAULT_SEED = 0x5EED_F0221L;
    /** Frames between two checks of the tables (and fresh tables): at most two entries each, far below the per-CPU LRU's room. */
    static final int EPOCH = 10_000;
    static final int TIMEOUT = 86_400;
    static final int TSHARK_SAMPLE = 4_000;

    private RoutedDirector routed;
    private Netns director;
    private DirectorFixture d;
    private PacketModel model;
    private Iface front;
    private Iface back;
    private Iface side;
    private List<Service> services;
    private DirectorConfig config;

    private final List<String> kept = new ArrayList<>();
    private final Set<String> kinds = new HashSet<>();
    private int failed;
    private long seed;
    private long epochStart;
    private final Map<Reason, Long> kernelReasonsAtSync = new EnumMap<>(Reason.class);

    @BeforeEach
    void build() throws Exception {
        routed = RoutedDirector.create("xlbf");
        director = routed.director();
        d = routed.d();
        // A third interface the director is not attached to (never registered): NAT's next hops behind it are the stack's.
        Veth.create(director, "side", "10.0.7.1/24", routed.wire(), "peer2", null);
        // Fixed MACs: the frames (and so a seed's run) do not depend on the ones veth drew.
        director.exec("ip", "link", "set", "front", "address", "02:00:00:00:0d:01");
        director.exec("ip", "link", "set", "back", "address", "02:00:00:00:0d:02");
        director.exec("ip", "link", "set", "side", "address", "02:00:00:00:0d:03");
        front = new Iface("front", director.namespace().ifindex("front"), MacAddress.parse(Veth.mac(director, "front")).bytes(), 1500, true);
        back = new Iface("back", director.namespace().ifindex("back"), MacAddress.parse(Veth.mac(director, "back")).bytes(), 1500, true);
        side = new Iface("side", director.namespace().ifindex("side"), MacAddress.parse(Veth.mac(director, "side")).bytes(), 1500, false);

        model = new PacketModel();
        model.ifaces.addAll(List.of(front, back, side));
        model.route("198.51.100.0", 24, front, null);
        model.route("10.0.9.0", 24, back, null);
        model.route("10.0.7.0", 24, side, null);
        model.route("0.0.0.0", 0, front, "198.51.100.254");
        model.route("2001:db8:c::", 64, front, null);
        model.route("2001:db8:9::", 64, back, null);
        model.route("::", 0, front, "2001:db8:c::fe");
        director.exec("ip", "route", "add", "default", "via", "198.51.100.254", "dev", "front");
        director.exec("ip", "-6", "route", "add", "default", "via", "2001:db8:c::fe", "dev", "front");
        for (String local : List.of("198.51.100.1", "10.0.9.1", "10.0.7.1", "2001:db8:c::1", "2001:db8:9::1")) {
            model.localAddresses.add(FuzzFrames.bytes(local));
        }
        // Clients .7 and .8 and the router are known; .9 and 2001:db8:c::9 are not (their replies go to the stack).
        neighbour(front, "198.51.100.7", FuzzFrames.CLIENT_MAC);
        neighbour(front, "198.51.100.8", Frame.mac("02:00:00:00:00:08"));
        neighbour(front, "198.51.100.254", FuzzFrames.ROUTER_MAC);
        neighbour(front, "198.51.100.21", Frame.mac("02:00:00:00:09:15"));
        neighbour(front, "2001:db8:c::7", FuzzFrames.CLIENT_MAC);
        neighbour(front, "2001:db8:c::fe", FuzzFrames.ROUTER_MAC);
        neighbour(back, "10.0.9.11", Frame.mac("02:00:00:00:09:0b"));
        neighbour(back, "10.0.9.12", Frame.mac("02:00:00:00:09:0c"));
        neighbour(back, "10.0.9.13", Frame.mac("02:00:00:00:09:0d"));
        neighbour(back, "2001:db8:9::11", Frame.mac("02:00:00:00:09:11"));
        neighbour(side, "10.0.7.11", Frame.mac("02:00:00:00:07:0b"));
        neighbour(side, "10.0.7.5", Frame.mac("02:00:00:00:07:05"));

        model.tunnelSource4 = FuzzFrames.bytes("192.0.2.1");
        model.tunnelSource6 = FuzzFrames.bytes("2001:db8::1");
        model.tunnelMtu = 1400;
        model.tunnelTtl = 64;
        List<Service> services = new ArrayList<>();
        service(services, "dr-web", "192.0.2.10", 80, Protocol.TCP, "rr", real("dr1", "10.0.0.11", 80, Method.DR, "02:00:00:00:01:01", 1));
        service(services, "dr-dns", "192.0.2.10", 53, Protocol.UDP, "rr", real("dr1u", "10.0.0.11", 53, Method.DR, "02:00:00:00:01:01", 1));
        service(services, "dr-any-port", "192.0.2.10", 0, Protocol.TCP, "wrr",
                real("drA", "10.0.0.21", 0, Method.DR, "02:00:00:00:02:01", 1),
                real("drB", "10.0.0.22", 0, Method.DR, "02:00:00:00:02:02", 2),
                real("drZ", "10.0.0.23", 0, Method.DR, "02:00:00:00:02:03", 0));
        service(services, "dr-behind", "192.0.2.10", 443, Protocol.TCP, "rr", real("drX", "10.0.9.50", 443, Method.DR, "02:00:00:00:02:05", 1, back));
        service(services, "dr-sticky", "192.0.2.10", 8080, Protocol.TCP, "wrr", 24,
                real("drS1", "10.0.0.41", 8080, Method.DR, "02:00:00:00:02:06", 1),
                real("drS2", "10.0.0.42", 8080, Method.DR, "02:00:00:00:02:07", 1));
        service(services, "dr-quiesced", "192.0.2.40", 80, Protocol.TCP, "wlc", real("drQ", "10.0.0.31", 80, Method.DR, "02:00:00:00:02:04", 0));
        service(services, "tun-web", "192.0.2.20", 80, Protocol.TCP, "rr", real("tun1", "10.0.1.11", 80, Method.TUN, "02:00:00:00:03:01", 1));
        service(services, "tun-dns", "192.0.2.20", 53, Protocol.UDP, "rr", real("tun1u", "10.0.1.11", 53, Method.TUN, "02:00:00:00:03:01", 1));
        service(services, "tun-behind", "192.0.2.20", 443, Protocol.TCP, "rr", real("tunX", "10.0.9.60", 443, Method.TUN, "02:00:00:00:03:02", 1, back));
        service(services, "nat-web", "192.0.2.30", 80, Protocol.TCP, "rr", real("nat1", "10.0.9.11", 8080, Method.NAT, null, 1));
        service(services, "nat-dns", "192.0.2.30", 53, Protocol.UDP, "rr", real("nat1u", "198.51.100.21", 5353, Method.NAT, null, 1));
        service(services, "nat-no-neighbour", "192.0.2.30", 81, Protocol.TCP, "rr", real("nat9", "10.0.9.99", 81, Method.NAT, null, 1));
        service(services, "nat-side", "192.0.2.30", 83, Protocol.TCP, "rr", real("natS", "10.0.7.11", 80, Method.NAT, null, 1));
        service(services, "nat-multi", "192.0.2.30", 82, Protocol.TCP, "lc",
                real("natA", "10.0.9.12", 80, Method.NAT, null, 1),
                real("natB", "10.0.9.13", 0, Method.NAT, null, 1));
        // The same real and port behind a second VIP, and a service on every port whose replies' port is the client's:
        // their replies are found by an entry per connection (nat_replies), the others' by the real's (nat_reals).
        service(services, "nat-shared", "192.0.2.31", 80, Protocol.TCP, "rr", real("natSh", "10.0.9.11", 8080, Method.NAT, null, 1));
        service(services, "nat-any-port", "192.0.2.32", 0, Protocol.TCP, "rr", real("natAny", "10.0.9.12", 0, Method.NAT, null, 1));
        service(services, "dr6-web", "2001:db8:a::10", 80, Protocol.TCP, "rr", real("dr6", "2001:db8:1::11", 80, Method.DR, "02:00:00:00:06:01", 1));
        service(services, "tun6-web", "2001:db8:a::10", 443, Protocol.TCP, "rr", real("tun6", "2001:db8:1::12", 443, Method.TUN, "02:00:00:00:06:02", 1));
        service(services, "tun6-dns", "2001:db8:a::10", 53, Protocol.UDP, "rr", real("tun6u", "2001:db8:1::12", 53, Method.TUN, "02:00:00:00:06:02", 1));
        service(services, "nat6-web", "2001:db8:a::10", 8080, Protocol.TCP, "rr", real("nat6", "2001:db8:9::11", 80, Method.NAT, null, 1));
        service(services, "nat6-dns", "2001:db8:a::10", 5353, Protocol.UDP, "rr", real("nat6u", "2001:db8:9::11", 53, Method.NAT, null, 1));

        Map<ConnState, Integer> timeouts = new EnumMap<>(ConnState.class);
        for (ConnState s : ConnState.values()) {
            timeouts.put(s, TIMEOUT);
        }
        config = new DirectorConfig(timeouts, (Inet4Address) Frame.addr("192.0.2.1"), (Inet6Address) Frame.addr("2001:db8::1"),
                model.tunnelMtu, model.tunnelTtl);
        this.services = services;
        d.dataplane.apply(new DesiredState(services, config));
        director.namespace().run(() -> {
            d.dataplane.addInterface(front.ifindex(), new MacAddress(front.mac()));
            d.dataplane.addInterface(back.ifindex(), new MacAddress(back.mac()));
        });
        for (int i = 0; i < services.size(); i++) {
            Service s = services.get(i);
            ServiceM m = model.services.get(i);
            m.index = d.dataplane.serviceIndex(s.vip()).orElseThrow();
            for (int j = 0; j < s.reals().size(); j++) {
                m.reals.get(j).index = d.dataplane.realIndex(s.vip(), s.reals().get(j)).orElseThrow();
            }
        }
    }

    private record RealSpec(RealM model, Real real) {}

    private RealSpec real(String name, String address, int port, Method method, String mac, int weight) {
        return real(name, address, port, method, mac, weight, null);
    }

    /** A real; {@code dev}: the interface it is reached by, when not the one frames arrive on. */
    private RealSpec real(String name, String address, int port, Method method, String mac, int weight, Iface dev) {
        RealM m = new RealM(name, address, port, method, mac != null ? mac : "00:00:00:00:00:00", weight);
        m.dev = dev;
        Real r = new Real(Frame.addr(address), port, weight, method, mac != null ? MacAddress.parse(mac) : MacAddress.ZERO,
                dev != null ? dev.ifindex() : 0);
        return new RealSpec(m, r);
    }

    private void service(List<Service> services, String name, String vip, int port, Protocol proto, String sched, RealSpec... reals) {
        service(services, name, vip, port, proto, sched, -1, reals);
    }

    /** A service; {@code persistPrefix} (0 to 128) makes it persistent, clients of one prefix sharing a real. */
    private void service(List<Service> services, String name, String vip, int port, Protocol proto, String sched, int persistPrefix,
                         RealSpec... reals) {
        List<RealM> ms = new ArrayList<>();
        List<Real> rs = new ArrayList<>();
        for (RealSpec r : reals) {
            ms.add(r.model());
            rs.add(r.real());
        }
        VipKey key = new VipKey(Frame.addr(vip), port, proto);
        services.add(new Service(key, Scheduler.named(sched), reals[0].real().method(), rs,
                persistPrefix < 0 ? null : new Service.Persistence(TIMEOUT, persistPrefix)));
        model.services.add(new ServiceM(name, vip, port, proto == Protocol.TCP ? PacketModel.TCP : PacketModel.UDP, ms, persistPrefix));
    }

    private void neighbour(Iface dev, String address, byte[] mac) throws Exception {
        director.exec("ip", address.contains(":") ? "-6" : "-4", "neigh", "replace", address, "lladdr",
                new MacAddress(mac).toString(), "dev", dev.name(), "nud", "permanent");
        model.neighbour(dev, address, mac);
    }

    @AfterEach
    void teardown() {
        routed.close();
    }

    @Test
    void everyFrameComesOutAsTheRulesSay() throws Exception {
        int cases = Integer.getInteger("xlb.fuzz.cases", DEFAULT_CASES);
        seed = Long.decode(System.getProperty("xlb.fuzz.seed", String.valueOf(DEFAULT_SEED)));
        SplittableRandom random = new SplittableRandom(seed);
        FuzzFrames frames = new FuzzFrames(random, model, front, back, side,
                List.of("198.51.100.7", "198.51.100.8", "198.51.100.9", "203.0.113.5", "10.0.7.5"),
                List.of("2001:db8:c::7", "2001:db8:c::9", "2001:db8:ffff::5"));
        long[] verdicts = new long[5];
        long[] nanos = new long[4];
        Map<String, Long> byKind = new TreeMap<>();
        Map<String, Long> byReason = new TreeMap<>();
        Map<String, String> kindNames = new HashMap<>();
        Set<String> seen = new HashSet<>();
        List<byte[]> sample = new ArrayList<>();
        long wall = System.nanoTime();
        // One CPU, so that per-CPU state (rr cursors, LRU lists) is one and a seed replays exactly.
        director.namespace().call(() -> CpuAffinity.callOn(0, () -> {
            sync();
            for (int n = 0; n < cases; n++) {
                if (n % EPOCH == EPOCH / 2) {
                    quiesce();
                }
                if (n > 0 && n % EPOCH == 0) {
                    long t = System.nanoTime();
                    endEpoch(n);
                    frames.clear();
                    nanos[3] += System.nanoTime() - t;
                }
                long t0 = System.nanoTime();
                Case c = frames.next();
                long t1 = System.nanoTime();
                List<Outcome> outcomes = model.decide(c.frame(), c.in());
                long t2 = System.nanoTime();
                TestRunResult r = d.program.testRun(c.frame(), 1, c.in().ifindex());
                long t3 = System.nanoTime();
                nanos[0] += t1 - t0;
                nanos[1] += t2 - t1;
                nanos[2] += t3 - t2;
                Outcome hit = null;
                String why = null;
                for (Outcome o : outcomes) {
                    String m = o.mismatch(r);
                    if (m == null) {
                        hit = o;
                        break;
                    }
                    if (why == null) {
                        why = m;
                    }
                }
                if (r.retval() >= 0 && r.retval() < verdicts.length) {
                    verdicts[r.retval()]++;
                }
                if (hit == null) {
                    fail(n, c, r, outcomes.getFirst(), why);
                    resync(n + 1);
                    frames.clear();
                    continue;
                }
                hit.commit.run();
                model.reasons[hit.reason.ordinal()]++;
                byKind.merge(kindNames.computeIfAbsent(c.kind(),
                        k -> k.replaceAll("ICMP(v6)? \\d+", "ICMP$1").replaceAll("(tcp|udp|reply)[46]", "$1")), 1L, Long::sum);
                byReason.merge(hit.reason.name(), 1L, Long::sum);
                cover(seen, hit, r.retval());
                boolean out = r.retval() == TestRunResult.XDP_TX || r.retval() == TestRunResult.XDP_REDIRECT
                        || hit.reason == Reason.PASS_NAT_ROUTE;
                if (out && c.clean()) {
                    String bad = invalid(r.packet());
                    if (bad != null) {
                        fail(n, c, r, hit, "the frame out is not valid though the frame in was: " + bad);
                    } else if (sample.size() < TSHARK_SAMPLE && (hit.fresh || sample.size() < TSHARK_SAMPLE / 4)
                            && !fragment(r.packet())) {
                        sample.add(r.packet());
                    }
                }
            }
            endEpoch(cases);
            return null;
        }));
        double seconds = (System.nanoTime() - wall) / 1e9;
        String tshark;
        try {
            tshark = tshark(sample);
        } catch (AssertionError e) {
            tshark = "FAILED: " + e.getMessage();
            epochFailure(cases, "tshark on a sample of the frames out: " + e.getMessage());
        }
        StringBuilder summary = new StringBuilder();
        summary.append(String.format(Locale.ROOT, "packet fuzz: %d frames, seed %s, %.1f s (%.1f µs a frame), %d failed%n",
                cases, seedText(), seconds, seconds * 1e6 / cases, failed));
        summary.append(String.format(Locale.ROOT, "time: generating %.1f s, model %.1f s, BPF_PROG_TEST_RUN %.1f s, tables %.1f s%n",
                nanos[0] / 1e9, nanos[1] / 1e9, nanos[2] / 1e9, nanos[3] / 1e9));
        summary.append(String.format(Locale.ROOT, "verdicts: DROP %d, PASS %d, TX %d, REDIRECT %d, ABORTED %d%n",
                verdicts[1], verdicts[2], verdicts[3], verdicts[4], verdicts[0]));
        summary.append("tshark: ").append(tshark).append('\n');
        summary.append("frames by reason (as the model predicted and the kernel agreed):\n");
        byReason.forEach((k, v) -> summary.append(String.format(Locale.ROOT, "  %-24s %d%n", k, v)));
        summary.append("frames by kind:\n");
        byKind.forEach((k, v) -> summary.append(String.format(Locale.ROOT, "  %-44s %d%n", k, v)));
        List<String> missed = required().stream().filter(k -> !seen.contains(k)).toList();
        summary.append("not met: ").append(missed.isEmpty() ? "none of the " + required().size() + " paths the fuzz must meet" : missed)
                .append('\n');
        if (cases >= COVERAGE_CASES && !missed.isEmpty()) {
            epochFailure(cases, "the fuzz never met " + missed);
        }
        System.out.print(summary);
        Path dir = Path.of("target", "packet-fuzz");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.txt"), summary);
        Files.writeString(dir.resolve("failures.txt"), String.join("\n\n", kept));
        assertEquals(0, failed, failed + " of " + cases + " frames failed (seed " + seedText() + "); the first of each kind:\n\n"
                + String.join("\n\n", kept));
    }

    // ---- weights changing under established flows

    /** The reals whose weight goes to 0 and back in the middle of each epoch: a plain one and one with a persistence template. */
    static final Set<String> QUIESCED_IN_TURN = Set.of("drA", "drS1");

    /**
     * Quiesces (or restores) some reals while the flows they took go on: an established flow keeps
     * its real (IPVS quiescing), a new one does not get it, and a persistence template still leads
     * there (the real is still in the service).
     */
    private void quiesce() {
        List<Service> next = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            ServiceM m = model.services.get(i);
            Service s = services.get(i);
            List<Real> reals = new ArrayList<>();
            for (int j = 0; j < s.reals().size(); j++) {
                RealM rm = m.reals.get(j);
                Real r = s.reals().get(j);
                if (QUIESCED_IN_TURN.contains(rm.name)) {
                    rm.weight = rm.weight == 0 ? 1 : 0;
                    r = r.withWeight(rm.weight);
                }
                reals.add(r);
            }
            next.add(s.withReals(reals));
        }
        services = next;
        d.dataplane.apply(new DesiredState(services, config));
    }

    // ---- coverage: what a run of some size must have met, so that the fuzz cannot quietly stop reaching a path

    static final int COVERAGE_CASES = 100_000;

    private static void cover(Set<String> seen, Outcome hit, int verdict) {
        seen.add(hit.reason.name());
        String what = hit.what;
        if (hit.reason == Reason.TX_NAT_ICMP) {
            String icmp = what.contains("ICMPv6") ? "ICMPv6" : "ICMP";
            seen.add(icmp + (what.contains("reals' side") ? " error from a real, translated" : " error from a client, translated"));
        }
        if (what.startsWith("a later fragment after") && verdict != TestRunResult.XDP_PASS) {
            seen.add("later fragment forwarded");
        }
        if (what.contains("reusing a closing")) {
            seen.add("SYN reusing a closing connection");
        }
        if (what.contains("(its template)")) {
            seen.add("persistence template followed");
        }
        if (what.contains("established on ") && what.contains(" (quiesced)") && verdict != TestRunResult.XDP_PASS) {
            seen.add("established flow on a quiesced real");
        }
        int at = what.indexOf("new flow to ");
        if (at >= 0) {
            seen.add("new flow to " + what.substring(at + 12).split(" ")[0]);
        }
    }

    private List<String> required() {
        List<String> r = new ArrayList<>();
        for (Reason reason : Reason.values()) {
            if (reason != Reason.FLOW_UNTRACKED && reason != Reason.DROP_ERROR && reason != Reason.PASS_FAMILY) {
                r.add(reason.name());
            }
        }
        r.addAll(List.of("ICMP error from a real, translated", "ICMP error from a client, translated",
                "ICMPv6 error from a real, translated", "ICMPv6 error from a client, translated", "later fragment forwarded",
                "SYN reusing a closing connection", "persistence template followed",
                "established flow on a quiesced real"));
        for (ServiceM s : model.services) {
            for (RealM real : s.reals) {
                if (real.weight > 0 || QUIESCED_IN_TURN.contains(real.name)) {
                    r.add("new flow to " + real);
                }
            }
        }
        return r;
    }

    // ---- failures

    private void fail(int n, Case c, TestRunResult r, Outcome want, String why) {
        failed++;
        String kind = (want.reason + ": " + why.replaceAll("\\(.*", "")).replaceAll("[0-9a-f]{2,}|\\d+", "#");
        if (kinds.add(kind) && kept.size() < 30) {
            StringBuilder b = new StringBuilder();
            b.append("case ").append(n).append(" (").append(c.kind()).append(", on ").append(c.in().name())
                    .append("; seed ").append(seedText()).append(", tables fresh since case ").append(epochStart).append("): ")
                    .append(why).append('\n');
            b.append("frame in:\n").append(hexdump(c.frame()));
            b.append("frame out (").append(PacketModel.verdictName(r.retval())).append("):\n").append(hexdump(r.packet()));
            if (want.want != null) {
                b.append("model's frame (").append(PacketModel.verdictName(want.verdict)).append(", ").append(want.reason).append("):\n")
                        .append(hexdump(want.want));
            }
            kept.add(b.toString());
        }
    }

    static String hexdump(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < b.length; i += 16) {
            s.append(String.format(Locale.ROOT, "  %04x  ", i));
            for (int j = i; j < Math.min(b.length, i + 16); j++) {
                s.append(String.format(Locale.ROOT, "%02x ", b[j]));
            }
            s.append('\n');
        }
        return s.toString();
    }

    private String seedText() {
        return "0x" + Long.toHexString(seed).toUpperCase(Locale.ROOT);
    }

    // ---- the tables, compared and cleared between epochs

    private BpfMap<byte[], byte[]> raw(String map, int key, int value) {
        return d.dataplane.map(map).typed(Codec.bytes(key), Codec.bytes(value));
    }

    /** Compares the kernel's tables and counters with the model's, then starts both afresh. */
    private void endEpoch(int n) {
        Map<String, String> kernel = new TreeMap<>();
        raw("conns", 40, 24).entries().forEach((k, v) -> {
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
            kernel.put(HexFormat.of().formatHex(k), b.getInt(8) + "/" + b.getInt(12) + "/" + ConnState.of(b.get(16)));
        });
        Map<String, String> expected = new TreeMap<>();
        model.conns.forEach((k, c) -> expected.put(k, c.real.index + "/" + c.service.index + "/" + ConnState.of(c.state)));
        if (!kernel.equals(expected)) {
            List<String> diffs = new ArrayList<>();
            Set<String> keys = new HashSet<>(kernel.keySet());
            keys.addAll(expected.keySet());
            for (String k : new java.util.TreeSet<>(keys)) {
                if (!java.util.Objects.equals(kernel.get(k), expected.get(k)) && diffs.size() < 8) {
                    diffs.add("  " + k + ": kernel " + kernel.get(k) + ", model " + expected.get(k) + " (real/service/state)");
                }
            }
            epochFailure(n, "the connection table differs (" + kernel.size() + " entries, model " + expected.size() + "):\n"
                    + String.join("\n", diffs));
        }
        // NAT's entries per connection: only for connections nat_reals does not name (a shared real, every port).
        Map<String, String> kernelReplies = new TreeMap<>();
        raw("nat_replies", 40, 28).entries().forEach((k, v) -> {
            ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
            kernelReplies.put(HexFormat.of().formatHex(k), b.getInt(20) + "/" + b.getInt(24));
        });
        Map<String, String> expectedReplies = new TreeMap<>();
        model.natReplies.forEach((k, nat) -> expectedReplies.put(k, nat.service().index + "/" + nat.real().index));
        if (!kernelReplies.equals(expectedReplies)) {
            epochFailure(n, "nat_replies differs (" + kernelReplies.size() + " entries, model " + expectedReplies.size() + "): kernel "
                    + kernelReplies.keySet().stream().limit(4).toList() + ", model " + expectedReplies.keySet().stream().limit(4).toList());
        }
        for (ServiceM s : model.services) {
            for (RealM r : s.reals) {
                int[] c = model.counts.getOrDefault(r, new int[2]);
                RealConns k = d.dataplane.realConns(r.index);
                if (k.active() != c[0] || k.inactive() != c[1]) {
                    epochFailure(n, "real " + r + "'s counts: kernel " + k.active() + " active, " + k.inactive() + " inactive; model "
                            + c[0] + ", " + c[1]);
                }
            }
        }
        Map<String, Long> kernelReasons = new TreeMap<>(), modelReasons = new TreeMap<>();
        d.dataplane.reasons().forEach((r, v) -> kernelReasons.merge(group(r), v - kernelReasonsAtSync.getOrDefault(r, 0L), Long::sum));
        for (Reason r : Reason.values()) {
            modelReasons.merge(group(r), model.reasons[r.ordinal()], Long::sum);
        }
        kernelReasons.values().removeIf(v -> v == 0);
        modelReasons.values().removeIf(v -> v == 0);
        if (!kernelReasons.equals(modelReasons)) {
            epochFailure(n, "reason counters: kernel " + kernelReasons + ", model " + modelReasons);
        }
        resync(n);
    }

    private void epochFailure(int n, String what) {
        failed++;
        String kind = what.replaceAll("\\d+", "#").lines().findFirst().orElse(what);
        if (kinds.add(kind) && kept.size() < 30) {
            kept.add("cases " + epochStart + " to " + n + " (seed " + seedText() + "): " + what);
        }
    }

    /** Fresh tables in the kernel and in the model: connections, fragment entries, NAT replies, counts. */
    private void resync(long n) {
        for (String map : List.of("conns", "nat_replies", "persist")) {
            BpfMap<byte[], byte[]> m = switch (map) {
                case "conns" -> raw(map, 40, 24);
                case "nat_replies" -> raw(map, 40, 28);
                default -> raw(map, 20, 16);
            };
            List<byte[]> keys = m.keys();
            if (!keys.isEmpty()) {
                m.deleteBatch(keys);
            }
        }
        for (ServiceM s : model.services) {
            for (RealM r : s.reals) {
                d.dataplane.setRealConns(r.index, RealConns.ZERO);
            }
        }
        model.clear();
        sync();
        epochStart = n;
    }

    private void sync() {
        kernelReasonsAtSync.putAll(d.dataplane.reasons());
        java.util.Arrays.fill(model.reasons, 0);
    }

    /** Reasons the rules leave interchangeable (a frame both truncated and malformed) are counted together. */
    private static String group(Reason r) {
        return switch (r) {
            case PASS_NOT_IP, PASS_NOT_VIP, PASS_PROTO, PASS_IPV6_EXT, PASS_MALFORMED, PASS_TRUNCATED, PASS_FRAGMENT, PASS_FAMILY ->
                    "PASS_NOT_OURS";
            default -> r.name();
        };
    }

    // ---- validity from scratch

    /** Why a frame that went out is not valid IPv4/IPv6 with good checksums, or null. */
    static String invalid(byte[] f) {
        int l2 = FuzzFrames.l2(f);
        int type = PacketModel.u16(f, l2 - 2);
        return switch (type) {
            case 0x0800 -> ipv4(f, l2, f.length);
            case 0x86dd -> ipv6(f, l2, f.length);
            default -> String.format("EtherType %04x", type);
        };
    }

    private static String ipv4(byte[] f, int o, int limit) {
        if (o + 20 > limit) {
            return "IPv4 header cut";
        }
        int ihl = (f[o] & 0xf) * 4, tot = PacketModel.u16(f, o + 2);
        if ((f[o] & 0xf0) != 0x40 || ihl < 20 || tot < ihl || o + tot > limit) {
            return "IPv4 header fields";
        }
        if (Checksum.of(f, o, ihl) != 0) {
            return "IPv4 header checksum";
        }
        if ((PacketModel.u16(f, o + 6) & 0x3fff) != 0) {
            return null; // a fragment: its transport checksum covers other fragments too
        }
        int proto = f[o + 9] & 0xff, l4 = o + ihl, len = tot - ihl;
        Checksum pseudo = new Checksum().add(f, o + 12, 8).add16(proto).add16(len);
        return switch (proto) {
            case PacketModel.TCP -> len >= 20 && pseudo.add(f, l4, len).finish() == 0 ? null : "TCP checksum";
            case PacketModel.UDP -> len >= 8 && (PacketModel.u16(f, l4 + 6) == 0 || pseudo.add(f, l4, len).finish() == 0) ? null : "UDP checksum";
            case PacketModel.ICMP -> len >= 8 && Checksum.of(f, l4, len) == 0 ? quote(f, l4, o + tot) : "ICMP checksum";
            case 4 -> ipv4(f, l4, o + tot);
            default -> null;
        };
    }

    /** An ICMP error's quote: its IP header checksum, and its transport checksum when it is quoted whole. */
    private static String quote(byte[] f, int icmp, int end) {
        int type = f[icmp] & 0xff, q = icmp + 8;
        if ((type != 3 && type != 11 && type != 12) || q + 20 > end) {
            return null;
        }
        int ihl = (f[q] & 0xf) * 4, tot = PacketModel.u16(f, q + 2);
        if (q + ihl > end) {
            return null;
        }
        if (Checksum.of(f, q, ihl) != 0) {
            return "quoted IPv4 header checksum";
        }
        if (q + tot > end || tot < ihl || (PacketModel.u16(f, q + 6) & 0x3fff) != 0) {
            return null;
        }
        String inner = ipv4(f, q, q + tot);
        return inner == null ? null : "quoted " + inner;
    }

    /** An ICMPv6 error's quote: its transport checksum when it is quoted whole. */
    private static String quote6(byte[] f, int icmp, int end) {
        int type = f[icmp] & 0xff, q = icmp + 8;
        if (type < 1 || type > 4 || q + 40 > end) {
            return null;
        }
        int nh = f[q + 6] & 0xff;
        if ((nh != PacketModel.TCP && nh != PacketModel.UDP) || q + 40 + PacketModel.u16(f, q + 4) > end) {
            return null;
        }
        String inner = ipv6(f, q, end);
        return inner == null ? null : "quoted " + inner;
    }

    private static String ipv6(byte[] f, int o, int limit) {
        if (o + 40 > limit || (f[o] & 0xf0) != 0x60) {
            return "IPv6 header";
        }
        int len = PacketModel.u16(f, o + 4), nh = f[o + 6] & 0xff, l4 = o + 40;
        if (l4 + len > limit) {
            return "IPv6 payload length";
        }
        Checksum pseudo = new Checksum().add(f, o + 8, 32).add32(len).add32(nh);
        return switch (nh) {
            case PacketModel.TCP -> len >= 20 && pseudo.add(f, l4, len).finish() == 0 ? null : "TCP checksum";
            case PacketModel.UDP -> len >= 8 && pseudo.add(f, l4, len).finish() == 0 ? null : "UDP checksum";
            case 58 -> len >= 8 && pseudo.add(f, l4, len).finish() == 0 ? quote6(f, l4, l4 + len) : "ICMPv6 checksum";
            case 41 -> ipv6(f, l4, l4 + len);
            default -> null;
        };
    }

    /** An IPv4 fragment, or one inside IPIP (tshark would judge its transport checksum on a part of the datagram). */
    private static boolean fragment(byte[] f) {
        int l2 = FuzzFrames.l2(f);
        if (PacketModel.u16(f, l2 - 2) != 0x0800) {
            return false;
        }
        for (int o = l2; o + 20 <= f.length; o += (f[o] & 0xf) * 4) {
            if ((PacketModel.u16(f, o + 6) & 0x3fff) != 0) {
                return true;
            }
            if (f[o + 9] != 4 || (f[o] & 0xf) < 5) {
                return false;
            }
        }
        return false;
    }

    /** A sample of the frames out (the translated and built ones first) decoded by tshark with checksum validation on. */
    private static String tshark(List<byte[]> frames) throws Exception {
        if (frames.isEmpty()) {
            return "no frames";
        }
        Path pcap = Files.createTempFile("xlb-packet-fuzz", ".pcap");
        try {
            Pcap.write(pcap, frames);
            List<String> lines = TsharkReading.checksumFields(pcap);
            assertEquals(frames.size(), lines.size(), "tshark decoded another number of frames");
            Map<String, Integer> protocols = new HashMap<>();
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split("\\|", -1);
                String frame = "frame " + (i + 1) + " of the tshark sample: " + lines.get(i) + "\n" + hexdump(frames.get(i));
                // The payloads are random: a dissector above the transport may find them malformed; below, none may.
                java.util.regex.Matcher malformed = java.util.regex.Pattern.compile("Malformed Packet: ([^\\]]+)").matcher(f[TsharkReading.MALFORMED]);
                while (malformed.find()) {
                    if (Set.of("eth", "vlan", "ip", "ipv4", "ipv6", "tcp", "udp", "icmp", "icmpv6")
                            .contains(malformed.group(1).toLowerCase(Locale.ROOT))) {
                        throw new AssertionError("malformed " + malformed.group(1) + ": " + frame);
                    }
                }
                // Inside an ICMP error (or after a quote cut short) tshark checks what it can: only the outer headers count.
                boolean quotes = f[TsharkReading.PROTOCOLS].contains(":icmp");
                for (int col = TsharkReading.FIRST_STATUS; col < f.length; col++) {
                    if (quotes && col >= TsharkReading.FIRST_TRANSPORT_STATUS) {
                        continue;
                    }
                    String[] statuses = f[col].split(",");
                    for (int s = 0; s < statuses.length; s++) {
                        boolean inner = quotes && s > 0;
                        if (!inner && !statuses[s].isEmpty() && !statuses[s].equals("1") && !statuses[s].equals("2")) {
                            throw new AssertionError("checksum not good in " + frame);
                        }
                    }
                }
                protocols.merge(f[TsharkReading.PROTOCOLS].replaceAll(":data$", ""), 1, Integer::sum);
            }
            return frames.size() + " frames decoded, checksums good, none malformed (" + protocols.size() + " protocol stacks)";
        } finally {
            Files.deleteIfExists(pcap);
        }
    }
}
