package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.realNumber;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.xlb.dataplane.abi.Method;
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tier 2: IPVS persistence: a client's new connections follow its first one, per granularity. */
@Privileged
class PersistenceTest {
    /** A freshly loaded director for each test, closed after it. */
    @RegisterExtension
    final DirectorFixture d = new DirectorFixture();

    private int connect(String src, int port) {
        return realNumber(d.run(Frame.tcp(src, port, "192.0.2.10", 80, Frame.SYN)));
    }

    @Test
    void aClientsNewConnectionsStayOnItsRealUntilTheTemplateExpires() throws Exception {
        d.dataplane.apply(DesiredState.of(new Service(WEB, Scheduler.named("rr"), Method.DR, List.of(RS1, RS2),
                new Service.Persistence(1, 32))));
        int[] r = CpuAffinity.callOn(0, () -> new int[] {
                connect("198.51.100.7", 1000), connect("198.51.100.7", 1001), connect("198.51.100.7", 1002),
                connect("198.51.100.8", 1000)});
        assertEquals(r[0], r[1], "rr alone would alternate; persistence keeps the client");
        assertEquals(r[0], r[2]);
        assertNotEquals(r[0], r[3], "another client is scheduled (rr's next)");
        Thread.sleep(2100); // the kernel's coarse clock: let the 1 s template lapse
        int[] after = CpuAffinity.callOn(0, () -> new int[] {connect("198.51.100.8", 2000), connect("198.51.100.7", 2000)});
        // .8's template lapsed too: rr goes on alternating from where it was.
        assertNotEquals(after[0], after[1], "fresh scheduling once the templates expired");
    }

    @Test
    void aGranularityPutsAWholeSubnetOnOneReal() throws Exception {
        d.dataplane.apply(DesiredState.of(new Service(WEB, Scheduler.named("rr"), Method.DR, List.of(RS1, RS2),
                new Service.Persistence(300, 24))));
        int first = CpuAffinity.callOn(0, () -> connect("198.51.100.7", 1000));
        for (int host = 8; host < 20; host++) {
            String src = "198.51.100." + host;
            assertEquals(first, (int) CpuAffinity.callOn(0, () -> connect(src, 1000)), src + " is in the same /24");
        }
        assertNotEquals(first, (int) CpuAffinity.callOn(0, () -> connect("198.51.101.7", 1000)), "another /24");
        assertEquals(new Service.Persistence(300, 24), d.dataplane.view().getFirst().persistence(), "read back from the maps");
    }
}
