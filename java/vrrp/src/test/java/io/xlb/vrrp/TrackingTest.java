package io.xlb.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.vrrp.Tracking.Effect;
import io.xlb.vrrp.Tracking.Tracked.Interface;
import io.xlb.vrrp.Tracking.Tracked.Script;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tier 1: keepalived's tracking weights, faults and rise/fall. */
class TrackingTest {
    @Test
    void weightsMoveThePriorityByTheObjectsState() {
        assertEquals(new Effect(false, 100), Tracking.of(100, List.of(new Script("chk", -60, false, true))));
        assertEquals(new Effect(false, 40), Tracking.of(100, List.of(new Script("chk", -60, false, false))),
                "a negative weight applies while failing");
        assertEquals(new Effect(false, 110), Tracking.of(100, List.of(new Script("chk", 10, false, true))),
                "a positive weight applies while ok");
        assertEquals(new Effect(false, 100), Tracking.of(100, List.of(new Script("chk", 10, false, false))));
        assertEquals(new Effect(false, 90), Tracking.of(100, List.of(new Script("chk", 10, true, true))),
                "reverse: a positive weight subtracts while ok");
        assertEquals(new Effect(false, 110), Tracking.of(100, List.of(new Script("chk", -10, true, false))),
                "reverse: a negative weight adds while failing");
        assertEquals(new Effect(false, 80), Tracking.of(100, List.of(new Interface("eth1", -20, false),
                new Script("chk", 10, false, false))));
    }

    @Test
    void weightZeroMeansFaultAndTheResultStaysInRange() {
        assertEquals(new Effect(true, 100), Tracking.of(100, List.of(new Interface("eth0", 0, false))));
        assertEquals(new Effect(false, 100), Tracking.of(100, List.of(new Interface("eth0", 0, true))));
        assertEquals(new Effect(false, 1), Tracking.of(100, List.of(new Script("chk", -200, false, false))));
        assertEquals(new Effect(false, 254), Tracking.of(200, List.of(new Script("chk", 100, false, true))));
        assertEquals(new Effect(false, 255), Tracking.of(255, List.of(new Script("chk", -60, false, false))),
                "an address owner keeps 255");
    }

    @Test
    void riseAndFallNeedThatManyResultsInARow() {
        List<Boolean> seen = new ArrayList<>();
        ScriptState s = ScriptState.UNKNOWN;
        assertEquals(false, s.isOk(), "unknown counts as failed");
        // rise 2, fall 3: first result decides; then 3 failures to fall, 2 successes to rise.
        for (boolean result : new boolean[] {true, false, false, true, false, false, false, true, false, true, true}) {
            s = s.next(result, 2, 3);
            seen.add(s.isOk());
        }
        assertEquals(List.of(true, true, true, true, true, true, false, false, false, false, true), seen);
    }
}
