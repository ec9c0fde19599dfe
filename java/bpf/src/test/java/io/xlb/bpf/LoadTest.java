package io.xlb.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.testing.Privileged;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
    void aCorruptObjectIsRefusedAtOpenAndLibbpfSaysWhyInOurLog() {
        Logger jul = Logger.getLogger("io.xlb.bpf.libbpf");
        List<String> seen = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) { seen.add(r.getLevel() + " " + r.getMessage()); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        jul.addHandler(capture);
        try (Bpf bpf = Bpf.open()) {
            BpfException e = assertThrows(BpfException.class, () -> bpf.openObject("junk", new byte[64]));
            assertEquals("bpf_object__open_mem", e.call());
            assertTrue(seen.stream().anyMatch(l -> l.startsWith("WARNING libbpf: elf: 'junk' is not a proper ELF object")),
                    "libbpf's message reaches the platform logger: " + seen);
        } finally {
            jul.removeHandler(capture);
        }
    }
}
