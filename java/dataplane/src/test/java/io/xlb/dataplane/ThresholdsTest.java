package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.RS3;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.realNumber;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tier 2: connection thresholds in the schedulers that keep no counts of their own (rr, wrr and
 * the rings; the others are in {@link SchedulerDifferentialTest}), and sh's and mh's fallback flag.
 */
@Privileged
class ThresholdsTest {
    @RegisterExtension
    final DirectorFixture d = new DirectorFixture();

    private static final int DROPPED = 0;

    /** Which of RS1..RS3 flow {@code n} went to, or {@link #DROPPED}. */
    private int newFlow(int n) {
        String src = "10." + (n >> 16 & 0xff) + "." + (n >> 8 & 0xff) + "." + (n & 0xff);
        TestRunResult r = d.run(Frame.tcp(src, 1024 + n % 60000, "192.0.2.10", 80, Frame.SYN));
        if (r.retval() == TestRunResult.XDP_DROP) {
            return DROPPED;
        }
        assertEquals(TestRunResult.XDP_TX, r.retval());
        return realNumber(r);
    }

    private List<Integer> flowsOnOneCpu(int from, int count) throws Exception {
        return CpuAffinity.callOn(0, () -> {
            List<Integer> out = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                out.add(newFlow(i));
            }
            return out;
        });
    }

    private void apply(String sched, Real... reals) {
        apply(Scheduler.named(sched), reals);
    }

    private void apply(Scheduler sched, Real... reals) {
        d.dataplane.apply(DesiredState.of(new Service(WEB, sched, Method.DR, List.of(reals))));
    }

    private int index(Real r) {
        return d.dataplane.realIndex(WEB, r).orElseThrow();
    }

    @Test
    void rrSkipsAnOverloadedRealUntilItFallsBelowTheLowerThreshold() throws Exception {
        Real two = RS2.withThresholds(new Real.Thresholds(1, 0));
        apply("rr", RS1, two, RS3);
        // ip_vs_rr.c: the next real after the last one chosen that is not overloaded.
        assertEquals(List.of(1, 2, 3, 1, 3, 1, 3), flowsOnOneCpu(0, 7));
        assertTrue(d.dataplane.realThresholds(index(two)).overloaded());
        d.dataplane.setRealConns(index(two), RealConns.ZERO); // its one connection ended: 0 * 4 < 1 * 3
        assertEquals(List.of(1, 2, 3), flowsOnOneCpu(7, 3));
    }

    @Test
    void wrrSkipsAnOverloadedRealAndKeepsItsOrder() throws Exception {
        Real two = RS2.withThresholds(new Real.Thresholds(1, 0));
        apply("wrr", RS1, two, RS3);
        // IPVS's wrr order for 1:2:3 is C B C A B C; B's second turn and later are skipped.
        assertEquals(List.of(3, 2, 3, 1, 3, 3, 3, 1), flowsOnOneCpu(0, 8));
        d.dataplane.setRealConns(index(two), RealConns.ZERO);
        assertEquals(List.of(2, 3), flowsOnOneCpu(8, 2));
    }

    /**
     * Each flow's real on the ring without thresholds, then with {@code limited} (RS1 with an upper
     * threshold of 2) under {@code sched}: the same real, except that flows whose real is RS1 once
     * it holds two connections get none (no fallback) or another real (fallback).
     */
    private void ringWithThresholds(Scheduler sched, boolean fallback) {
        apply(sched, RS1, RS2, RS3);
        int flows = 600;
        List<Integer> before = new ArrayList<>();
        for (int i = 0; i < flows; i++) {
            before.add(newFlow(i));
        }
        d.dataplane.connectionTable().keys().forEach(k -> d.dataplane.connectionTable().delete(k));
        Real limited = RS1.withThresholds(new Real.Thresholds(2, 0));
        apply(sched, limited, RS2, RS3);
        for (Real r : List.of(limited, RS2, RS3)) {
            d.dataplane.setRealConns(index(r), RealConns.ZERO);
        }
        int toOne = 0, movedOrDropped = 0;
        for (int i = 0; i < flows; i++) {
            int now = newFlow(i);
            if (before.get(i) != 1 || toOne < 2) {
                assertEquals(before.get(i), now, "flow " + i + " keeps its ring real");
                toOne += now == 1 ? 1 : 0;
                continue;
            }
            movedOrDropped++;
            if (fallback) {
                assertNotEquals(DROPPED, now, "flow " + i + ": the fallback finds another real");
                assertNotEquals(1, now, "flow " + i + ": not the overloaded real");
            } else {
                assertEquals(DROPPED, now, "flow " + i + ": IPVS gives no real when the hashed one is overloaded");
            }
        }
        assertEquals(2, toOne);
        assertTrue(movedOrDropped > 50, "RS1's share after its two: " + movedOrDropped);
    }

    @Test
    void mhWithoutFallbackGivesNoRealWhenTheHashedOneIsOverloaded() {
        ringWithThresholds(Scheduler.named("mh"), false);
    }

    @Test
    void mhFallbackSendsTheFlowToAnotherReal() {
        ringWithThresholds(Scheduler.named("mh", List.of("mh-fallback")), true);
    }

    @Test
    void shFallbackSendsTheFlowToAnotherReal() {
        ringWithThresholds(Scheduler.named("sh", List.of("sh-fallback")), true);
    }

    @Test
    void dhGivesNoRealWhenTheDestinationsRealIsOverloaded() {
        apply("dh", RS1, RS2, RS3);
        int chosen = newFlow(0);
        Real[] reals = {RS1, RS2, RS3};
        reals[chosen - 1] = reals[chosen - 1].withThresholds(new Real.Thresholds(2, 0));
        apply("dh", reals);
        assertEquals(chosen, newFlow(1), "its second connection");
        assertTrue(d.dataplane.realThresholds(index(reals[chosen - 1])).overloaded());
        assertEquals(DROPPED, newFlow(2), "ip_vs_dh.c: an overloaded destination is no destination");
    }

    @Test
    void shPortHashesTheSourcePortToo() {
        apply(Scheduler.named("sh", List.of("sh-port")), RS1, RS2, RS3);
        java.util.Set<Integer> reals = new java.util.HashSet<>();
        for (int port = 1000; port < 1100; port++) {
            reals.add(realNumber(d.run(Frame.tcp("198.51.100.7", port, "192.0.2.10", 80, Frame.SYN))));
        }
        assertEquals(java.util.Set.of(1, 2, 3), reals, "one source's ports spread over every real");
    }
}
