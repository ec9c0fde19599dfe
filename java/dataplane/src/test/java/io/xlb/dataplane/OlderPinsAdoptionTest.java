package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.xlb.bpf.Bpf;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tier 2: the pins of an older build, from before NAT's replies were found through nat_reals
 * (no nat_reals, no nat_real_hints), are adopted to list them (xlb adm, status): every service and
 * real is listed, and there is no NAT reply mapping.
 */
@Privileged
class OlderPinsAdoptionTest {
    private static final VipKey NAT = new VipKey(Frame.addr("192.0.2.20"), 53, Protocol.UDP);
    private static final Real NAT_REAL = new Real(Frame.addr("198.51.100.21"), 5353, 1, null, MacAddress.ZERO, 0);
    @RegisterExtension
    final DirectorPins pins = new DirectorPins("older");

    @Test
    void pinsWithoutTheNatRealMapsAreListedWithoutNatReplyMappings() {
        Path dir = pins.dir();
        DesiredState state = new DesiredState(List.of(service(WEB, "wrr", Method.DR, RS1), service(NAT, "rr", Method.NAT, NAT_REAL)),
                io.xlb.dataplane.abi.DirectorConfig.defaults());
        List<Dataplane.ServiceView> listed;
        try (DirectorFixture first = new DirectorFixture()) {
            first.dataplane.apply(state);
            assertFalse(first.dataplane.natReals().isEmpty(), "this build maps the NAT real");
            listed = first.dataplane.view();
            DataplaneLoader.pin(first.dataplane, dir);
        }
        try (Bpf bpf = Bpf.open()) {
            DataplaneLoader.ADDED_LATER.forEach(name -> bpf.unpin(dir.resolve(name)));
        }
        try (Bpf bpf = Bpf.open(); Dataplane older = DataplaneLoader.adopt(bpf, dir)) {
            assertEquals(listed.stream().map(v -> v.vip() + " " + v.scheduler() + " " + v.reals().stream()
                            .map(r -> r.address() + ":" + r.port() + " " + r.method() + " " + r.weight()).toList()).toList(),
                    older.view().stream().map(v -> v.vip() + " " + v.scheduler() + " " + v.reals().stream()
                            .map(r -> r.address() + ":" + r.port() + " " + r.method() + " " + r.weight()).toList()).toList());
            assertEquals(Map.of(), older.natReals());
        }
        for (String name : DataplaneLoader.ADDED_LATER) {
            assertFalse(Files.exists(dir.resolve(name)), "adopting to list pins nothing: " + name);
        }
    }
}
