package io.xlb.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.ProbeAbi.Key;
import io.xlb.bpf.ProbeAbi.Value;
import io.xlb.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tier 2: what one Bpf instance pins, a second one opens, as a restarted daemon would. */
@Privileged
class PinTest {
    private Path dir;

    private static final Path BPFFS = Path.of("/sys/fs/bpf");

    @BeforeEach
    void makeDir() throws IOException {
        // Pins left by a test run that was killed (its pid is gone) are removed first.
        try (Stream<Path> dirs = Files.list(BPFFS)) {
            for (Path stale : dirs.filter(PinTest::isStale).toList()) {
                removeTree(stale);
            }
        }
        dir = Files.createDirectories(BPFFS.resolve("xlbt-" + ProcessHandle.current().pid() + "-pins"));
    }

    @AfterEach
    void removeDir() throws IOException {
        removeTree(dir);
    }

    private static boolean isStale(Path p) {
        String[] parts = p.getFileName().toString().split("-");
        return parts.length == 3 && parts[0].equals("xlbt") && parts[2].equals("pins")
                && parts[1].chars().allMatch(Character::isDigit)
                && ProcessHandle.of(Long.parseLong(parts[1])).isEmpty();
    }

    private static void removeTree(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void aBpffsIsToldApartByTheKernelNotByTheMountTable() throws IOException {
        assertTrue(Bpf.onBpffs(Path.of("/sys/fs/bpf")));
        assertTrue(Bpf.onBpffs(Path.of("/sys/fs/bpf/xlbt-not-there/deeper")), "judged by the nearest existing ancestor");
        Path tmp = Files.createTempDirectory("xlbt-not-bpffs");
        try {
            assertFalse(Bpf.onBpffs(tmp));
        } finally {
            Files.delete(tmp);
        }
        assertFalse(Bpf.onBpffs(Path.of("/proc")));
    }

    @Test
    void aPinnedMapAndProgramOutliveTheirCreator() {
        int progId;
        Key key = new Key(0x0a000001, 443, 6);
        try (Bpf first = Bpf.open()) {
            BpfObject probe = first.openObject(ProbeAbi.object("probe"));
            probe.load();
            probe.map("kv").typed(Key.CODEC, Value.CODEC).put(key, new Value(42, 1, 0));
            probe.map("kv").pin(dir.resolve("kv"));
            probe.program("xdp_probe").pin(dir.resolve("xdp_probe"));
            progId = probe.program("xdp_probe").id();
        }
        // The creator has closed every fd: only the pins keep the objects alive.
        try (Bpf second = Bpf.open()) {
            RawMap kv = second.openPinnedMap(dir.resolve("kv"));
            assertEquals("kv", kv.info().name());
            assertEquals(Optional.of(new Value(42, 1, 0)), kv.typed(Key.CODEC, Value.CODEC).lookup(key));
            BpfProgram prog = second.openPinnedProgram(dir.resolve("xdp_probe"));
            assertEquals(progId, prog.id());
            assertEquals("xdp_probe", prog.name());

            // A new object adopts the pinned map instead of creating its own.
            BpfObject next = second.openObject(ProbeAbi.object("probe"));
            next.reuseMap("kv", kv);
            next.load();
            assertEquals(kv.info().id(), next.map("kv").info().id());
            assertEquals(Optional.of(new Value(42, 1, 0)), next.map("kv").typed(Key.CODEC, Value.CODEC).lookup(key));

            assertTrue(second.unpin(dir.resolve("kv")));
            assertFalse(second.unpin(dir.resolve("kv")));
            assertTrue(second.unpin(dir.resolve("xdp_probe")));
        }
    }

    @Test
    void aMissingPinIsENOENTNamingThePath() {
        try (Bpf bpf = Bpf.open()) {
            Path missing = dir.resolve("no-such-map");
            BpfException e = assertThrows(BpfException.class, () -> bpf.openPinnedMap(missing));
            assertEquals("bpf_obj_get", e.call());
            assertEquals(Errno.ENOENT, e.errno());
            assertEquals("ENOENT", e.errnoName());
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        }
    }

    @Test
    void pinningTwiceAtOnePathIsEEXIST() {
        try (Bpf bpf = Bpf.open()) {
            BpfObject probe = bpf.openObject(ProbeAbi.object("probe"));
            probe.load();
            probe.map("kv").pin(dir.resolve("kv"));
            BpfException e = assertThrows(BpfException.class, () -> probe.map("src_stats").pin(dir.resolve("kv")));
            assertEquals(Errno.EEXIST, e.errno());
        }
    }
}
