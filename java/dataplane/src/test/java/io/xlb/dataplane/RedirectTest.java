package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1_MAC;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Reason;
import io.xlb.lab.Netns;
import io.xlb.lab.Veth;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import org.junit.jupiter.api.Test;

/**
 * Tier 2: a real behind another interface than the packet arrived on is reached by a redirect
 * through the devmap, leaving with that interface's MAC as source.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool"})
class RedirectTest {
    @Test
    void aRealBehindAnotherInterfaceIsReachedByRedirect() throws Exception {
        try (Netns a = Netns.create("xlbt"); Netns b = Netns.create("xlbt"); DirectorFixture d = new DirectorFixture()) {
            // Two interfaces of the director: "front" where clients arrive, "back" toward the real.
            Veth.create(a, "front", null, b, "peer0", null);
            Veth.create(a, "back", null, b, "peer1", null);
            int front = a.namespace().ifindex("front");
            int back = a.namespace().ifindex("back");
            MacAddress frontMac = MacAddress.parse(Veth.mac(a, "front"));
            MacAddress backMac = MacAddress.parse(Veth.mac(a, "back"));
            Real behind = new Real(Frame.addr("10.0.9.11"), 80, 1, Method.DR, RS1_MAC, back);
            d.dataplane.apply(DesiredState.of(service(WEB, "rr", Method.DR, behind)));
            // The devmap resolves ifindexes in the writer's namespace.
            a.namespace().run(() -> {
                d.dataplane.addInterface(front, frontMac);
                d.dataplane.addInterface(back, backMac);
            });

            Frame syn = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString());
            TestRunResult r = a.namespace().call(() -> d.program.testRun(syn.bytes(), 1, front));
            assertEquals(TestRunResult.XDP_REDIRECT, r.retval());
            // Out of "back": from its MAC to the real's.
            Frame want = syn.macs(backMac.bytes(), RS1_MAC.bytes());
            assertArrayEquals(want.bytes(), r.packet());
            assertEquals(1, d.reason(Reason.REDIRECT));

            // Arriving on the real's own interface, it goes straight back out: XDP_TX.
            Frame onBack = syn.source("198.51.100.8", 1).dstMac(backMac.toString());
            TestRunResult tx = a.namespace().call(() -> d.program.testRun(onBack.bytes(), 1, back));
            assertEquals(TestRunResult.XDP_TX, tx.retval());
        }
    }
}
