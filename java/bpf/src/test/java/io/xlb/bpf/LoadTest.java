package io.xlb.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.lab.testing.Privileged;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** Tier 2: opening and loading objects, and how failures surface. */
@Privileged
class LoadTest {
    @Test
    void programsAndMapsAreFoundByName() {
        try (Bpf bpf = Bpf.open()) {
            BpfObject probe = bpf.openObject(ProbeAbi.object("probe"));
            assertEquals(List.of("xdp_probe", "xdp_pass"), probe.programNames());
            assertTrue(probe.mapNames().containsAll(List.of("proto_stats", "bounce_ports", "kv", "src_stats", "tag_a", "tags")));
            assertThrows(IllegalStateException.class, () -> probe.map("kv"), "maps exist only after load");
            probe.load();
            BpfProgram prog = probe.program("xdp_probe");
            assertEquals(ProgramInfo.TYPE_XDP, prog.info().type());
            assertEquals("xdp_probe", prog.info().name());
            assertEquals(16, prog.info().tag().length());
            NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> probe.program("nope"));
            assertTrue(e.getMessage().contains("[xdp_probe, xdp_pass]"), e.getMessage());
            assertThrows(IllegalStateException.class, probe::load, "loading twice");
        }
    }

    @Test
    void aVerifierRejectionCarriesTheVerifierLog() {
        try (Bpf bpf = Bpf.open()) {
            BpfObject bad = bpf.openObject(ProbeAbi.object("unverifiable"));
            BpfException e = assertThrows(BpfException.class, bad::load);
            assertEquals("bpf_object__load", e.call());
            assertEquals(Errno.EACCES, e.errno());
            assertTrue(e.getMessage().contains("-- kernel log --"), e.getMessage());
            assertTrue(e.getMessage().contains("invalid access to packet"), e.getMessage());
        }
    }

    @Test
    void aCorruptObjectIsRefusedAtOpen() {
        try (Bpf bpf = Bpf.open()) {
            BpfException e = assertThrows(BpfException.class, () -> bpf.openObject("junk", new byte[64]));
            assertEquals("bpf_object__open_mem", e.call());
        }
    }
}
