package io.xlb.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tier 1: schedulers by ipvsadm's names and flags, refused in ipvsadm's words. */
class SchedulerFlagsTest {
    @Test
    void everyIpvsNameNamesItsScheduler() {
        for (String name : Scheduler.IPVS_NAMES) {
            assertEquals(name, Scheduler.named(name).ipvsName());
        }
        assertEquals(new Scheduler.ShortestExpectedDelay(true), Scheduler.named("nq"));
        assertEquals(new Scheduler.HighestWeight(true), Scheduler.named("ovf"));
        assertEquals(new Scheduler.LocalityBased(true), Scheduler.named("lblcr"));
    }

    @Test
    void shAndMhTakeTheirFlagsAndListThemInIpvsadmsOrder() {
        Scheduler sh = Scheduler.named("sh", List.of("sh-port", "sh-fallback"));
        assertEquals(List.of("sh-fallback", "sh-port"), sh.flags());
        assertEquals(sh, Scheduler.named("sh", List.of("flag-2", "flag-1")), "flag-1 is fallback, flag-2 port");
        assertEquals(List.of("mh-port"), Scheduler.named("mh", List.of("mh-port")).flags());
        assertEquals(List.of(), Scheduler.named("wlc").flags());
    }

    @Test
    void aFlagThatDoesNothingIsRefused() {
        assertEquals("incompatible scheduler flag `sh-port' (for sh, not mh)",
                assertThrows(IllegalArgumentException.class, () -> Scheduler.named("mh", List.of("sh-port"))).getMessage());
        assertEquals("invalid scheduler flag `sh-pot'",
                assertThrows(IllegalArgumentException.class, () -> Scheduler.named("sh", List.of("sh-pot"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Scheduler.named("wlc", List.of("flag-1")));
        assertThrows(IllegalArgumentException.class, () -> Scheduler.named("sh", List.of("flag-3")));
        assertThrows(IllegalArgumentException.class, () -> Scheduler.named("dh", List.of("flag-2")));
        assertEquals("unknown scheduler maglev",
                assertThrows(IllegalArgumentException.class, () -> Scheduler.named("maglev", List.of("sh-port"))).getMessage());
    }

    @Test
    void thresholdsRefuseALowerAboveTheUpper() {
        assertEquals("lower threshold 5 is above the upper threshold 4 (IPVS refuses such a real)",
                assertThrows(IllegalArgumentException.class, () -> new Real.Thresholds(4, 5)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Real.Thresholds(0, 1));
        assertEquals(new Real.Thresholds(0, 0), Real.Thresholds.NONE);
    }
}
