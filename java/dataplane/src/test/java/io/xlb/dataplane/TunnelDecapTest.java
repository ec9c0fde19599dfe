package io.xlb.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.Btf;
import io.xlb.bpf.TestRunResult;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tier 2: decap.c turns what the director's TUN mode emits back into the client's packet. */
@Privileged
class TunnelDecapTest {
    private Bpf bpf;
    private TunnelDecap decap;

    @BeforeEach
    void load() {
        bpf = Bpf.open();
        decap = TunnelDecap.load(bpf);
        decap.accept(Frame.addr("10.0.1.11"));
        decap.accept(Frame.addr("2001:db8:1::11"));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    /** What the director's TUN mode emits: the inner frame's L2, an outer header to {@code outerDst}, the inner IP packet. */
    private static byte[] tunnel(Frame inner, String outerDst, boolean v6) {
        Frame outer = v6 ? inner.ipv6("2001:db8::1", outerDst).ttl(64).ip6ip6(inner)
                : inner.ipv4("192.0.2.1", outerDst).ipId(0).frag(Frame.DF).ttl(64).ipip(inner);
        return outer.bytes();
    }

    @Test
    void ipipToThisHostComesOutAsTheInnerFrame() {
        for (Frame inner : new Frame[] {Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN),
                Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN).vlan(3)}) {
            TestRunResult r = decap.program().testRun(tunnel(inner, "10.0.1.11", false));
            assertEquals(TestRunResult.XDP_PASS, r.retval());
            assertArrayEquals(inner.bytes(), r.packet());
        }
        Frame inner6 = Frame.tcp("2001:db8:2::7", 40000, "2001:db8::10", 80, Frame.SYN);
        TestRunResult r6 = decap.program().testRun(tunnel(inner6, "2001:db8:1::11", true));
        assertArrayEquals(inner6.bytes(), r6.packet());
        assertEquals(new TunnelDecap.Stats(2, 1, 0), decap.stats());
    }

    @Test
    void otherTrafficAndTruncatedTunnelsAreLeftAlone() {
        byte[] notOurs = tunnel(Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN), "10.0.1.99", false);
        byte[] plain = Frame.tcp("198.51.100.7", 40000, "10.0.1.11", 80, Frame.SYN).bytes();
        byte[] full = tunnel(Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN), "10.0.1.11", false);
        byte[] stub = Arrays.copyOf(full, 14 + 20 + 10);
        for (byte[] f : new byte[][] {notOurs, plain, stub}) {
            TestRunResult r = decap.program().testRun(f);
            assertEquals(TestRunResult.XDP_PASS, r.retval());
            assertArrayEquals(f, r.packet());
        }
        assertEquals(new TunnelDecap.Stats(0, 0, 3), decap.stats());
    }

    @Test
    void pinnedItIsAdoptedWithItsAddressesAndCountersAndUnpinnedItIsGone() {
        Path dir = Path.of("/sys/fs/bpf", "xlbt-" + ProcessHandle.current().pid() + "-decap");
        try {
            decap.pin(dir);
            Frame inner = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN);
            decap.program().testRun(tunnel(inner, "10.0.1.11", false));
            try (Bpf other = Bpf.open()) {
                TunnelDecap adopted = TunnelDecap.adopt(other, dir);
                assertEquals(decap.program().id(), adopted.program().id());
                assertEquals(Set.of(Frame.addr("10.0.1.11"), Frame.addr("2001:db8:1::11")), adopted.accepted());
                assertEquals(new TunnelDecap.Stats(1, 0, 0), adopted.stats());
                assertTrue(adopted.reject(Frame.addr("10.0.1.11")));
                assertFalse(adopted.reject(Frame.addr("10.0.1.11")));
            }
            assertEquals(Set.of(Frame.addr("2001:db8:1::11")), decap.accepted(), "one map, seen from both");
            TunnelDecap.unpin(bpf, dir);
            assertFalse(Files.exists(dir));
        } finally {
            TunnelDecap.unpin(bpf, dir);
        }
    }

    @Test
    void theKeyStructMatchesTheObject() throws Exception {
        try (Btf btf = Btf.parse(Path.of(TunnelDecap.class.getResource(TunnelDecap.OBJECT).toURI()))) {
            assertEquals(TunnelDecap.DECAP_ADDR.size(), btf.requireStruct("decap_addr").size());
            assertEquals(16 * 8, btf.requireStruct("decap_addr").member("family").bitOffset());
        }
    }
}
