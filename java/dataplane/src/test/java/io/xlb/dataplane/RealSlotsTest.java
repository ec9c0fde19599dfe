package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.RS3;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.Bpf;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.dataplane.abi.RealThresholds;
import io.xlb.testing.Privileged;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A new real in a slot never handed out is written without zeros (the maps were created zeroed);
 * one in a slot a removed real had gets its counters and thresholds written back to zero.
 */
@Privileged
class RealSlotsTest {
    private static void apply(Dataplane dp, Real... reals) {
        dp.apply(DesiredState.of(new Service(WEB, Scheduler.named("wlc"), Method.DR, List.of(reals))));
    }

    @Test
    void aReusedSlotStartsFromZeroAndAFreshOneCostsNoZeroWrites() {
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.load(bpf, new DataplaneLoader.Options(4, 2, 1024))) {
            Real limited = RS1.withThresholds(new Real.Thresholds(10, 5));
            long before = dp.mapWrites().elements();
            apply(dp, limited, RS2);
            // RS1's thresholds, both reals' entries, the table (header + 2, and its slot in the outer map), the
            // service, the VIP, the config; no counters and no thresholds of RS2 (zeros already).
            assertEquals(1 + 2 + 3 + 1 + 1 + 1 + 1, dp.mapWrites().elements() - before);
            int slot = dp.realIndex(WEB, limited).orElseThrow();
            dp.setRealConns(slot, new RealConns(3, 4));
            assertEquals(new RealThresholds(10, 5, false), dp.realThresholds(slot));

            apply(dp, RS2); // RS1 removed: its slot is free again, its counters as the program left them
            apply(dp, RS2, RS3); // both never-used slots are taken: RS3 gets RS1's
            assertEquals(slot, dp.realIndex(WEB, RS3).orElseThrow());
            assertEquals(RealConns.ZERO, dp.realConns(slot));
            assertEquals(RealThresholds.NONE, dp.realThresholds(slot));
        }
    }
}
