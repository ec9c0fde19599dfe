package io.xlb.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.Codec;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.LblcEntry;
import io.xlb.dataplane.abi.LblcrEntry;
import io.xlb.dataplane.abi.LocalityKey;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tier 2, differential: one random sequence of new flows, weight changes, connection counts,
 * threshold changes and (lblc, lblcr) the passing of hours, run through the compiled director
 * with BPF_PROG_TEST_RUN and through {@link IpvsModel} (the kernel's rules, written from
 * net/netfilter/ipvs), which must agree on every new flow's real, ties included, and after every
 * step on each real's counts and overload flag.
 */
@Privileged
class SchedulerDifferentialTest {
    @RegisterExtension
    final DirectorFixture d = new DirectorFixture();

    private static final int REALS = 5;
    private static final int STEPS = 600;
    /** The service's address, and three more mapped to it as a virtual_server_group would (lblc, lblcr key by them). */
    private static final List<String> DESTINATIONS = List.of("192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13");
    private static final long HOUR_NS = 3_600_000_000_000L;
    /** Time steps: hours and 7 s, so that no sum of a few lands on the 24 h boundary the program and model read alike. */
    private static final long[] ADVANCES_NS = {HOUR_NS + 7_000_000_000L, 5 * HOUR_NS + 7_000_000_000L,
            11 * HOUR_NS + 7_000_000_000L, 23 * HOUR_NS + 7_000_000_000L, 25 * HOUR_NS + 7_000_000_000L};

    static Stream<Arguments> schedulersAndSeeds() {
        List<Arguments> out = new ArrayList<>();
        for (String sched : List.of("sed", "nq", "fo", "ovf", "lblc", "lblcr", "lc", "wlc")) {
            for (long seed : new long[] {1, 2, 3}) {
                out.add(Arguments.of(sched, seed));
            }
        }
        return out.stream();
    }

    private static MacAddress mac(int i) {
        return MacAddress.parse(String.format("02:00:00:00:03:%02x", i));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("schedulersAndSeeds")
    void programAndKernelModelAgreeDecisionByDecision(String sched, long seed) {
        Random random = new Random(seed);
        boolean locality = sched.startsWith("lblc");
        VipKey vip = new VipKey(Frame.addr(DESTINATIONS.getFirst()), 80, Protocol.TCP);
        Real[] reals = new Real[REALS];
        List<IpvsModel.Dest> dests = new ArrayList<>();
        for (int i = 0; i < REALS; i++) {
            int weight = random.nextInt(5);
            reals[i] = Real.of(Frame.addr("10.0.0." + (11 + i)), 80, weight, mac(i));
            dests.add(new IpvsModel.Dest(i, weight));
        }
        apply(vip, sched, reals);
        int service = d.dataplane.serviceIndex(vip).orElseThrow();
        var vips = d.dataplane.map("vips").typed(VipKey.CODEC, Codec.U32);
        for (String other : DESTINATIONS.subList(1, DESTINATIONS.size())) {
            vips.put(new VipKey(Frame.addr(other), 80, Protocol.TCP), service);
        }
        int[] index = new int[REALS];
        for (int i = 0; i < REALS; i++) {
            index[i] = d.dataplane.realIndex(vip, reals[i]).orElseThrow();
        }
        IpvsModel model = new IpvsModel(sched, dests);
        Deque<String> log = new ArrayDeque<>();
        int flows = 0;
        for (int step = 0; step < STEPS; step++) {
            int roll = random.nextInt(100);
            String what;
            if (roll < 55 || (roll >= 94 && !locality)) {
                String dst = DESTINATIONS.get(locality ? random.nextInt(DESTINATIONS.size()) : 0);
                IpvsModel.Dest expected = model.schedule(dst);
                if (expected != null) {
                    model.bind(expected);
                }
                int actual = newFlow(++flows, dst);
                what = "flow " + flows + " to " + dst + ": model " + (expected == null ? "none" : "real " + expected.id)
                        + ", program " + (actual < 0 ? "none" : "real " + actual);
                log.add(what);
                assertEquals(expected == null ? -1 : expected.id, actual, () -> failure(sched, seed, log, model));
            } else if (roll < 67) {
                int i = random.nextInt(REALS);
                int weight = random.nextInt(6);
                reals[i] = reals[i].withWeight(weight);
                apply(vip, sched, reals);
                model.setWeight(dests.get(i), weight);
                what = "real " + i + " weight " + weight;
            } else if (roll < 82) {
                int i = random.nextInt(REALS);
                int active = random.nextInt(7), inactive = random.nextInt(13);
                d.dataplane.setRealConns(index[i], new RealConns(active, inactive));
                model.setConns(dests.get(i), active, inactive);
                what = "real " + i + " conns " + active + "/" + inactive;
            } else if (roll < 94) {
                int i = random.nextInt(REALS);
                int upper = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(12);
                int lower = upper == 0 || random.nextBoolean() ? 0 : random.nextInt(upper + 1);
                reals[i] = reals[i].withThresholds(new Real.Thresholds(upper, lower));
                apply(vip, sched, reals);
                model.setThresholds(dests.get(i), upper, lower);
                what = "real " + i + " thresholds " + upper + "/" + lower;
            } else {
                long nanos = ADVANCES_NS[random.nextInt(ADVANCES_NS.length)];
                age(nanos);
                model.advance(nanos);
                what = "time +" + nanos / 1_000_000_000L + " s";
            }
            if (!what.startsWith("flow")) {
                log.add(what);
            }
            while (log.size() > 30) {
                log.removeFirst();
            }
            for (int i = 0; i < REALS; i++) {
                IpvsModel.Dest dest = dests.get(i);
                RealConns conns = d.dataplane.realConns(index[i]);
                int real = i;
                assertEquals(dest.activeconns + "/" + dest.inactconns + (dest.overload ? " overloaded" : ""),
                        conns.active() + "/" + conns.inactive() + (d.dataplane.realThresholds(index[i]).overloaded()
                                ? " overloaded" : ""), () -> "real " + real + " after: " + failure(sched, seed, log, model));
            }
        }
    }

    private void apply(VipKey vip, String sched, Real[] reals) {
        d.dataplane.apply(DesiredState.of(new Service(vip, Scheduler.named(sched), Method.DR, Arrays.asList(reals))));
    }

    /** The real a new flow (a SYN from a fresh client) went to, or -1 when it was dropped for want of one. */
    private int newFlow(int n, String dst) {
        String src = "10." + (100 + (n >> 16 & 0x3f)) + "." + (n >> 8 & 0xff) + "." + (n & 0xff);
        TestRunResult r = d.run(Frame.tcp(src, 1024 + n % 60000, dst, 80, Frame.SYN));
        if (r.retval() == TestRunResult.XDP_DROP) {
            return -1;
        }
        assertEquals(TestRunResult.XDP_TX, r.retval(), "verdict of flow " + n);
        byte[] dstMac = Arrays.copyOfRange(r.packet(), 0, 6);
        for (int i = 0; i < REALS; i++) {
            if (Arrays.equals(dstMac, mac(i).bytes())) {
                return i;
            }
        }
        throw new AssertionError("flow " + n + " went to no known real");
    }

    /** Every lblc and lblcr entry used and changed {@code nanos} earlier: as much time passed for them. */
    private void age(long nanos) {
        var lblc = d.dataplane.map("lblc").typed(LocalityKey.CODEC, LblcEntry.CODEC);
        lblc.entries().forEach((k, v) -> lblc.put(k, v.aged(nanos)));
        var lblcr = d.dataplane.map("lblcr").typed(LocalityKey.CODEC, LblcrEntry.CODEC);
        lblcr.entries().forEach((k, v) -> lblcr.put(k, v.aged(nanos)));
    }

    private static String failure(String sched, long seed, Deque<String> log, IpvsModel model) {
        return sched + " seed " + seed + ", last steps:\n  " + String.join("\n  ", log) + "\nmodel: " + model.destinations();
    }
}
