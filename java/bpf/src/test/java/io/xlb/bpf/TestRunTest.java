package io.xlb.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.ProbeAbi.Counter;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tier 2: BPF_PROG_TEST_RUN on the probe, asserting on the bytes that come out. */
@Privileged
class TestRunTest {
    private Bpf bpf;
    private BpfObject probe;
    private BpfProgram xdp;

    @BeforeEach
    void load() throws Exception {
        bpf = Bpf.open();
        // From bytes, as the daemon loads the objects shipped in its jar.
        probe = bpf.openObject("probe", java.nio.file.Files.readAllBytes(ProbeAbi.object("probe")));
        probe.load();
        xdp = probe.program("xdp_probe");
        probe.map("bounce_ports").typed(Codec.U16, Codec.U32).put(9, 1);
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    @Test
    void aMatchingDatagramIsBouncedWithMacsSwappedAndNothingElseChanged() {
        Frame in = ProbeAbi.datagram(9, "hello".getBytes());
        TestRunResult r = xdp.testRun(in.bytes());
        assertEquals(TestRunResult.XDP_TX, r.retval());
        assertEquals(in.bytes().length, r.packet().length);
        Frame expected = in.macs(Frame.DIRECTOR_MAC, Frame.CLIENT_MAC);
        assertArrayEquals(expected.bytes(), r.packet());
    }

    @Test
    void otherTrafficPassesUntouchedAndIsCounted() {
        byte[] in = ProbeAbi.datagram(53, new byte[20]).bytes();
        TestRunResult r = xdp.testRun(in);
        assertEquals(TestRunResult.XDP_PASS, r.retval());
        assertArrayEquals(in, r.packet());
        PerCpuMap<Integer, Counter> protos = probe.map("proto_stats").perCpu(Codec.U32, Counter.CODEC);
        assertEquals(new Counter(1, in.length), protos.lookupSum(17, Counter::plus).orElseThrow());
    }

    @Test
    void aTruncatedHeaderIsPassedNotBounced() {
        byte[] full = ProbeAbi.datagram(9, new byte[4]).bytes();
        byte[] truncated = Arrays.copyOf(full, 14 + 20 + 4); // UDP header cut in half
        TestRunResult r = xdp.testRun(truncated);
        assertEquals(TestRunResult.XDP_PASS, r.retval());
        assertArrayEquals(truncated, r.packet());
    }

    @Test
    void repeatReportsTheKernelsAverageDuration() {
        TestRunResult r = xdp.testRun(ProbeAbi.datagram(53, new byte[20]).bytes(), 10_000);
        assertEquals(TestRunResult.XDP_PASS, r.retval());
        assertTrue(r.durationNs() > 0 && r.durationNs() < 100_000, "duration " + r.durationNs() + " ns");
        PerCpuMap<Integer, Counter> protos = probe.map("proto_stats").perCpu(Codec.U32, Counter.CODEC);
        assertEquals(10_000, protos.lookupSum(17, Counter::plus).orElseThrow().packets());
    }

    @Test
    void aFrameShorterThanEthernetIsRefusedByTheKernel() {
        BpfException e = assertThrows(BpfException.class, () -> xdp.testRun(new byte[10]));
        assertEquals("bpf_prog_test_run_opts", e.call());
        assertEquals(Errno.EINVAL, e.errno());
    }
}
