package io.xlb.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.sys.Neighbours;
import io.xlb.testing.Privileged;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** java/sys's rtnetlink neighbour table, against the kernel in namespaces this test creates. */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl"})
class NeighboursTest {
    private static <T> Optional<T> await(Duration limit, Supplier<Optional<T>> probe) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v;
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    @Test
    void aManagedEntryIsResolvedByTheKernelAndFollowsAMacChange() throws Exception {
        try (Netns director = Netns.create("xlbt"); Netns real = Netns.create("xlbt")) {
            Veth.create(director, "dir0", "10.98.0.1/24", real, "rs0", "10.98.0.2/24");
            // Re-probe quickly, so a changed MAC is noticed within the test.
            director.exec("sysctl", "-q", "-w", "net.ipv4.neigh.dir0.base_reachable_time_ms=500",
                    "net.ipv4.neigh.dir0.delay_first_probe_time=1");
            int ifindex = director.namespace().ifindex("dir0");
            InetAddress rs = InetAddress.ofLiteral("10.98.0.2");
            InetAddress absent = InetAddress.ofLiteral("10.98.0.3");
            director.namespace().run(() -> {
                try (Neighbours n = Neighbours.open()) {
                    n.manage(ifindex, rs);
                    n.manage(ifindex, absent);
                    n.manage(ifindex, rs); // idempotent
                }
            });
            Supplier<Optional<String>> macOfRs = () -> {
                try {
                    return director.namespace().call(() -> {
                        try (Neighbours n = Neighbours.open()) {
                            return n.lookup(ifindex, rs).flatMap(Neighbours.Neighbour::usableMac);
                        }
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            assertEquals(Optional.of(Veth.mac(real, "rs0")), await(Duration.ofSeconds(5), macOfRs),
                    "resolved without any traffic of ours");
            Neighbours.Neighbour entry = director.namespace().call(() -> {
                try (Neighbours n = Neighbours.open()) {
                    return n.lookup(ifindex, rs).orElseThrow();
                }
            });
            assertTrue(entry.managed());

            real.exec("ip", "link", "set", "rs0", "address", "02:00:5e:00:53:77");
            assertEquals(Optional.of("02:00:5e:00:53:77"),
                    await(Duration.ofSeconds(20), () -> macOfRs.get().filter(m -> m.equals("02:00:5e:00:53:77"))),
                    "the kernel re-probes a managed entry and learns the new MAC");

            Optional<String> none = director.namespace().call(() -> {
                try (Neighbours n = Neighbours.open()) {
                    return n.lookup(ifindex, absent).flatMap(Neighbours.Neighbour::usableMac);
                }
            });
            assertEquals(Optional.empty(), none, "nobody answers for .3");
            boolean forgotten = director.namespace().call(() -> {
                try (Neighbours n = Neighbours.open()) {
                    boolean first = n.forget(ifindex, absent);
                    assertFalse(n.forget(ifindex, absent));
                    return first;
                }
            });
            assertTrue(forgotten);
        }
    }
}
