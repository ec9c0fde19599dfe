package io.xlb.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.sys.InterfaceAddresses;
import io.xlb.testing.Privileged;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** java/sys's rtnetlink addresses against the kernel, in a namespace this test creates. */
@Privileged(tools = {"ip", "nsenter", "ethtool"})
class InterfaceAddressesTest {
    @Test
    void addListRemove() throws Exception {
        try (Netns a = Netns.create("xlbt"); Netns b = Netns.create("xlbt")) {
            Veth.create(a, "ad0", "10.96.0.1/24", b, "ad1", null);
            int ifindex = a.namespace().ifindex("ad0");
            InetAddress vip = InetAddress.ofLiteral("10.96.0.100");
            a.namespace().run(() -> {
                try (InterfaceAddresses addrs = InterfaceAddresses.open()) {
                    assertTrue(addrs.add(ifindex, vip, 32));
                    assertFalse(addrs.add(ifindex, vip, 32), "already there");
                    assertTrue(addrs.list().contains(new InterfaceAddresses.Address(ifindex, vip, 32)));
                }
            });
            assertTrue(a.exec("ip", "-4", "addr", "show", "dev", "ad0").contains("10.96.0.100/32"));
            a.namespace().run(() -> {
                try (InterfaceAddresses addrs = InterfaceAddresses.open()) {
                    assertTrue(addrs.remove(ifindex, vip, 32));
                    assertFalse(addrs.remove(ifindex, vip, 32));
                }
            });
            assertFalse(a.exec("ip", "-4", "addr", "show", "dev", "ad0").contains("10.96.0.100"));
            a.namespace().run(() -> {
                try (InterfaceAddresses addrs = InterfaceAddresses.open()) {
                    assertTrue(addrs.add(ifindex, vip, 32, "ad0:vip"));
                }
            });
            assertTrue(a.exec("ip", "-4", "addr", "show", "dev", "ad0").contains("10.96.0.100/32 scope global ad0:vip"),
                    a.exec("ip", "-4", "addr", "show", "dev", "ad0"));
        }
    }
}
