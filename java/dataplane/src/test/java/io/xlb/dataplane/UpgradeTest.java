package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.realNumber;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.MapSpec;
import io.xlb.bpf.MapType;
import io.xlb.bpf.RawMap;
import io.xlb.bpf.Xdp;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.Method;
import io.xlb.lab.Netns;
import io.xlb.lab.Veth;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tier 2: a daemon with a newer program takes over a pinned, attached older one: the program is
 * swapped atomically where it is attached, maps of unchanged layout are kept with their state,
 * a map whose layout changed is recreated.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool"})
class UpgradeTest {
    @RegisterExtension
    final DirectorPins pins = new DirectorPins("upgrade");
    private final Path dir = pins.dir();

    @Test
    void anOlderPinnedProgramIsReplacedInPlaceKeepingCompatibleMaps() throws Exception {
        Frame syn = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN);
        try (Netns a = Netns.create("xlbt"); Netns b = Netns.create("xlbt")) {
            Veth.create(a, "up0", "10.95.0.1/24", b, "up1", "10.95.0.2/24");
            int ifindex = a.namespace().ifindex("up0");
            int realBefore;
            try (Bpf bpf = Bpf.open(); Dataplane old = DataplaneLoader.load(bpf, new DataplaneLoader.Options(4096))) {
                old.apply(DesiredState.of(service(WEB, "wrr", Method.DR, RS1, RS2)));
                realBefore = realNumber(old.program().testRun(syn.bytes()));
                DataplaneLoader.pin(old, dir);
                // Stand-in for an older build: another program pinned and attached as the director.
                bpf.unpin(dir.resolve(Dataplane.PROGRAM));
                old.passProgram().pin(dir.resolve(Dataplane.PROGRAM));
                a.namespace().run(() -> bpf.xdp().attach(ifindex, old.passProgram(), Xdp.Mode.NATIVE));
                // And a map whose layout changed between the builds.
                bpf.unpin(dir.resolve("real_conns"));
                try (RawMap changed = bpf.createMap(MapSpec.of(MapType.ARRAY, "real_conns", 4, 16, 8192))) {
                    changed.pin(dir.resolve("real_conns"));
                }
                // And a map the older build did not have.
                bpf.unpin(dir.resolve("nat_reals"));
            }
            try (Bpf bpf = Bpf.open()) {
                DataplaneLoader.Start start = a.namespace().call(() -> DataplaneLoader.loadOrUpgrade(bpf, dir, new DataplaneLoader.Options(4096)));
                assertTrue(start.outcome().startsWith("upgraded"), start.outcome());
                assertEquals(List.of("real_conns", "nat_reals"), start.mapsRecreated());
                Dataplane dp = start.dataplane();
                int attached = a.namespace().call(() -> bpf.xdp().query(ifindex).orElseThrow().programId());
                assertEquals(dp.program().id(), attached, "swapped in place on the interface");
                assertEquals(dp.program().id(), bpf.openPinnedProgram(dir.resolve(Dataplane.PROGRAM)).id(), "and re-pinned");
                FlowKey key = new FlowKey(syn.src(), syn.dst(), 40000, 80, 6, 0);
                assertEquals(ConnState.SYN_RECV, dp.connections().get(key).state(), "the connection table was kept");
                assertEquals(realBefore, realNumber(dp.program().testRun(syn.tcpFlags(Frame.ACK).bytes())));
                assertEquals(2, dp.view().getFirst().reals().size(), "services and reals rebuilt from the kept maps");
                assertEquals(java.util.Map.of(), dp.natReals(), "the new map starts empty");
                dp.apply(DesiredState.of(service(WEB, "wrr", Method.NAT, RS1, RS2)));
                assertEquals(2, dp.natReals().size(), "and is filled by the next apply");
            }
            // A second start with the same build adopts without change.
            try (Bpf bpf = Bpf.open()) {
                DataplaneLoader.Start again = a.namespace().call(() -> DataplaneLoader.loadOrUpgrade(bpf, dir, new DataplaneLoader.Options(4096)));
                assertEquals("adopted (same program)", again.outcome());
            }
        }
    }
}
