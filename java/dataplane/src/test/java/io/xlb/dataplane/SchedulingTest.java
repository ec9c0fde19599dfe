package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.RS3;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.realNumber;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.Codec;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tier 2: what each scheduler family picks for new flows, in the program itself. */
@Privileged
class SchedulingTest {
    /** A freshly loaded director for each test, closed after it. */
    @RegisterExtension
    final DirectorFixture d = new DirectorFixture();

    private int newFlow(int n) {
        String src = "10." + (n >> 16 & 0xff) + "." + (n >> 8 & 0xff) + "." + (n & 0xff);
        TestRunResult r = d.run(Frame.tcp(src, 1024 + n % 60000, "192.0.2.10", 80, Frame.SYN));
        assertEquals(TestRunResult.XDP_TX, r.retval());
        return realNumber(r);
    }

    @Test
    void wrrOneTwoThreeGivesExactSharesInIpvsOrder() throws Exception {
        d.dataplane.apply(DesiredState.of(service(WEB, "wrr", Method.DR, RS1, RS2, RS3)));
        // The cursor is per CPU: run every flow on one CPU, as one RSS queue would.
        int[] picks = CpuAffinity.callOn(0, () -> {
            int[] p = new int[6000];
            for (int i = 0; i < p.length; i++) {
                p[i] = newFlow(i);
            }
            return p;
        });
        assertEquals(List.of(3, 2, 3, 1, 2, 3), List.of(picks[0], picks[1], picks[2], picks[3], picks[4], picks[5]));
        int[] count = new int[4];
        for (int p : picks) {
            count[p]++;
        }
        assertEquals(List.of(1000, 2000, 3000), List.of(count[1], count[2], count[3]));
    }

    @Test
    void rrTakesEachLiveRealInTurn() throws Exception {
        d.dataplane.apply(DesiredState.of(service(WEB, "rr", Method.DR, RS1, RS2.withWeight(0), RS3)));
        int[] picks = CpuAffinity.callOn(0, () -> new int[] {newFlow(1), newFlow(2), newFlow(3), newFlow(4)});
        assertEquals(List.of(1, 3, 1, 3), List.of(picks[0], picks[1], picks[2], picks[3]));
    }

    /** IPVS's choice (ip_vs_wlc.c, ip_vs_lc.c): first minimum of overhead (or overhead/weight). */
    private static int ipvsPick(int[] weights, RealConns[] conns, boolean weighted) {
        int least = -1;
        long loh = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == 0) {
                continue;
            }
            long doh = ((long) conns[i].active() << 8) + conns[i].inactive();
            if (least < 0 || (weighted ? doh * weights[least] < loh * weights[i] : doh < loh)) {
                least = i;
                loh = doh;
            }
        }
        return least + 1;
    }

    @Test
    void lcAndWlcPickWhatIpvsFormulaPicks() {
        Random random = new Random(42);
        var counters = d.dataplane.map("real_conns").typed(Codec.U32, RealConns.CODEC);
        for (boolean weighted : new boolean[] {false, true}) {
            for (int trial = 0; trial < 40; trial++) {
                int[] w = {random.nextInt(4), 1 + random.nextInt(5), 1 + random.nextInt(5)};
                Real[] reals = {RS1.withWeight(w[0]), RS2.withWeight(w[1]), RS3.withWeight(w[2])};
                d.dataplane.apply(DesiredState.of(service(WEB, weighted ? "wlc" : "lc", Method.DR, reals)));
                RealConns[] conns = new RealConns[3];
                for (int i = 0; i < 3; i++) {
                    conns[i] = new RealConns(random.nextInt(20), random.nextInt(600));
                    counters.put(d.dataplane.realIndex(WEB, reals[i]).orElseThrow(), conns[i]);
                }
                int expected = ipvsPick(w, conns, weighted);
                assertEquals(expected, newFlow(100_000 + trial + (weighted ? 1000 : 0)),
                        (weighted ? "wlc" : "lc") + " weights " + java.util.Arrays.toString(w) + " conns "
                                + java.util.Arrays.toString(conns));
            }
        }
    }

    @Test
    void wlcSpreadsNewFlowsByWeightAsCountersGrow() {
        d.dataplane.apply(DesiredState.of(service(WEB, "wlc", Method.DR, RS1, RS2, RS3)));
        int[] count = new int[4];
        for (int i = 0; i < 600; i++) {
            count[newFlow(i)]++;
        }
        // Every flow stays in SYN_RECV (inactive, overhead 1 each): shares follow weights 1:2:3.
        assertEquals(List.of(100, 200, 300), List.of(count[1], count[2], count[3]));
    }

    @Test
    void mhSpreadsWithinFivePercentOfWeightShares() {
        d.dataplane.apply(DesiredState.of(service(WEB, "mh", Method.DR, RS1, RS2, RS3)));
        int flows = 30_000;
        int[] count = new int[4];
        for (int i = 0; i < flows; i++) {
            count[newFlow(i)]++;
        }
        for (int real = 1; real <= 3; real++) {
            double share = count[real] / (double) flows;
            double expected = real / 6.0;
            assertEquals(expected, share, expected * 0.05, "real " + real + " of weight " + real);
        }
    }

    @Test
    void mhKeepsMostFlowsOnTheirRealWhenARealIsAdded() {
        d.dataplane.apply(DesiredState.of(service(WEB, "mh", Method.DR, RS1, RS2)));
        List<Integer> before = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            before.add(newFlow(i));
        }
        d.dataplane.apply(DesiredState.of(service(WEB, "mh", Method.DR, RS1, RS2, RS3)));
        d.dataplane.connectionTable().keys().forEach(k -> d.dataplane.connectionTable().delete(k));
        int moved = 0;
        for (int i = 0; i < 3000; i++) {
            int now = newFlow(i);
            if (now != before.get(i)) {
                moved++;
                assertEquals(3, now, "a flow that moves, moves to the new real");
            }
        }
        // RS3 (weight 3 of 6) should take about half; nothing else moves.
        assertEquals(0.5, moved / 3000.0, 0.05);
    }

    @Test
    void shAndDhHashOnlyTheirAddress() {
        d.dataplane.apply(new DesiredState(List.of(service(WEB, "sh", Method.DR, RS1, RS2, RS3)), DirectorConfig.defaults()));
        int first = realNumber(d.run(Frame.tcp("198.51.100.7", 1000, "192.0.2.10", 80, Frame.SYN)));
        for (int port = 1001; port < 1050; port++) {
            assertEquals(first, realNumber(d.run(Frame.tcp("198.51.100.7", port, "192.0.2.10", 80, Frame.SYN))),
                    "sh: every port of one source goes to one real");
        }
        d.dataplane.apply(new DesiredState(List.of(service(WEB, "dh", Method.DR, RS1, RS2, RS3)), DirectorConfig.defaults()));
        int dh = realNumber(d.run(Frame.tcp("198.51.100.200", 1000, "192.0.2.10", 80, Frame.SYN)));
        for (int i = 1; i < 50; i++) {
            assertEquals(dh, realNumber(d.run(Frame.tcp("198.51.100." + i, 2000, "192.0.2.10", 80, Frame.SYN))),
                    "dh: every source to one destination goes to one real");
        }
    }

    @Test
    void aboveTheNewFlowLimitRingFlowsGoUntrackedToTheSameReal() throws Exception {
        io.xlb.dataplane.abi.VipKey other = new io.xlb.dataplane.abi.VipKey(Frame.addr("192.0.2.20"), 80,
                io.xlb.dataplane.abi.Protocol.TCP);
        d.dataplane.apply(new DesiredState(List.of(service(WEB, "mh", Method.DR, RS1, RS2, RS3),
                service(other, "wrr", Method.DR, RS1, RS2)), DirectorConfig.defaults().withNewFlowLimit(5)));
        int[] first = CpuAffinity.callOn(0, () -> {
            int[] reals = new int[10];
            for (int i = 0; i < 10; i++) {
                reals[i] = newFlow(i);
            }
            return reals;
        });
        assertEquals(5, d.dataplane.connections().size(), "five tracked within the second");
        assertEquals(5, d.reason(io.xlb.dataplane.abi.Reason.FLOW_UNTRACKED));
        // An untracked flow's next packets land on the same real: the ring decides alone.
        int[] again = CpuAffinity.callOn(0, () -> {
            int[] reals = new int[10];
            for (int i = 0; i < 10; i++) {
                String src = "10.0.0." + i;
                reals[i] = realNumber(d.run(Frame.tcp(src, 1024 + i, "192.0.2.10", 80, Frame.ACK)));
            }
            return reals;
        });
        assertEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(again));
        // A sequence scheduler needs its table: its flows are tracked whatever the rate.
        CpuAffinity.callOn(0, () -> {
            for (int i = 0; i < 10; i++) {
                d.run(Frame.tcp("10.1.0." + i, 2000, "192.0.2.20", 80, Frame.SYN));
            }
            return null;
        });
        assertEquals(15, d.dataplane.connections().size());
    }
}
