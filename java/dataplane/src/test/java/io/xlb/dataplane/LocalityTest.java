package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.RS3;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.realNumber;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.dataplane.abi.LblcEntry;
import io.xlb.dataplane.abi.LblcrEntry;
import io.xlb.dataplane.abi.LocalityKey;
import io.xlb.dataplane.abi.Method;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tier 2: what lblc and lblcr remember per destination address, and when it is forgotten. */
@Privileged
class LocalityTest {
    @RegisterExtension
    final DirectorFixture d = new DirectorFixture();

    private int flow(int n) {
        return realNumber(d.run(Frame.tcp("10.9." + (n >> 8 & 0xff) + "." + (n & 0xff), 2000, "192.0.2.10", 80, Frame.SYN)));
    }

    private Map<LocalityKey, LblcEntry> lblc() {
        return d.dataplane.map("lblc").typed(LocalityKey.CODEC, LblcEntry.CODEC).entries();
    }

    private Map<LocalityKey, LblcrEntry> lblcr() {
        return d.dataplane.map("lblcr").typed(LocalityKey.CODEC, LblcrEntry.CODEC).entries();
    }

    @Test
    void lblcSendsEveryFlowToADestinationToOneRealWhileItIsNotOverloaded() {
        d.dataplane.apply(DesiredState.of(service(WEB, "lblc", Method.DR, RS1, RS2, RS3)));
        int first = flow(0);
        for (int i = 1; i < 50; i++) {
            assertEquals(first, flow(i), "flow " + i); // wlc would spread them; the address keeps its real
        }
        int service = d.dataplane.serviceIndex(WEB).orElseThrow();
        LocalityKey key = new LocalityKey(Frame.addr("192.0.2.10"), service);
        assertEquals(List.of(key), List.copyOf(lblc().keySet()));
        int real = lblc().get(key).real();
        assertEquals(d.dataplane.realIndex(WEB, List.of(RS1, RS2, RS3).get(first - 1)).orElseThrow(), real);
    }

    @Test
    void changingTheSchedulerOrRemovingTheServiceForgetsItsAddresses() {
        d.dataplane.apply(DesiredState.of(service(WEB, "lblcr", Method.DR, RS1, RS2, RS3)));
        flow(0);
        assertEquals(1, lblcr().size());
        d.dataplane.apply(DesiredState.of(service(WEB, "lblc", Method.DR, RS1, RS2, RS3)));
        assertEquals(0, lblcr().size(), "IPVS drops a scheduler's table with the scheduler");
        flow(1);
        assertEquals(1, lblc().size());
        d.dataplane.apply(DesiredState.of(service(WEB, "lblc", Method.DR, RS1, RS2.withWeight(5), RS3)));
        assertEquals(1, lblc().size(), "a weight change keeps what lblc remembers");
        d.dataplane.apply(new DesiredState(List.of(), d.dataplane.config()));
        assertEquals(0, lblc().size());
    }

    @Test
    void theLocalityMapsAreSharedByEveryCpu() {
        assertEquals(io.xlb.bpf.MapType.LRU_HASH, d.dataplane.map("lblc").info().type());
        assertEquals(0, d.dataplane.map("lblc").info().flags(), "a common LRU list: no per-CPU copies of an address");
    }
}
