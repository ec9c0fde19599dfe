package io.xlb.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.sys.Links;
import io.xlb.testing.Eventually;
import io.xlb.testing.Privileged;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** java/sys's rtnetlink link states against the kernel, in a namespace this test creates. */
@Privileged(tools = {"ip", "nsenter", "ethtool"})
class LinksTest {
    /**
     * The kernel's linkwatch applies carrier changes (IFF_RUNNING) asynchronously: within a second
     * on an idle machine, later on a busy one.
     */
    private static final Duration LINKWATCH = Duration.ofSeconds(5);

    private static Links.Link link(Netns ns, String name) throws Exception {
        return ns.namespace().call(() -> {
            try (Links links = Links.open()) {
                return links.list().get(name);
            }
        });
    }

    @Test
    void upDownAndCarrierOfAnInterfaceWithoutAddress() throws Exception {
        try (Netns a = Netns.create("xlbt"); Netns b = Netns.create("xlbt")) {
            Veth.create(a, "lk0", null, b, "lk1", null);
            Eventually.await(LINKWATCH, () -> link(a, "lk0").up());
            Links.Link l = link(a, "lk0");
            assertEquals(a.namespace().ifindex("lk0"), l.ifindex());
            assertTrue(l.up(), "veth up with its peer up: " + l);
            b.exec("ip", "link", "set", "lk1", "down");
            Eventually.await(LINKWATCH, () -> !link(a, "lk0").running());
            Links.Link noCarrier = link(a, "lk0");
            assertTrue(noCarrier.adminUp() && !noCarrier.up(), "peer down: no carrier: " + noCarrier);
            b.exec("ip", "link", "set", "lk1", "up");
            a.exec("ip", "link", "set", "lk0", "down");
            assertFalse(link(a, "lk0").adminUp());
            assertEquals(null, link(a, "nosuch0"));
        }
    }
}
