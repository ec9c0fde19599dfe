package io.xlb.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.ProbeAbi.Counter;
import io.xlb.bpf.ProbeAbi.Key;
import io.xlb.bpf.ProbeAbi.Value;
import io.xlb.testing.Privileged;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tier 2: every map binding against maps of the loaded probe object. */
@Privileged
class MapTest {
    private Bpf bpf;
    private BpfObject probe;

    @BeforeEach
    void load() {
        bpf = Bpf.open();
        probe = bpf.openObject(ProbeAbi.object("probe"));
        probe.load();
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private BpfMap<Key, Value> kv() {
        return probe.map("kv").typed(Key.CODEC, Value.CODEC);
    }

    @Test
    void infoComesFromTheKernel() {
        MapInfo info = probe.map("kv").info();
        assertEquals(MapType.HASH, info.type());
        assertEquals("kv", info.name());
        assertEquals(8, info.keySize());
        assertEquals(16, info.valueSize());
        assertEquals(1024, info.maxEntries());
        assertTrue(info.id() > 0);
        assertEquals(MapType.PERCPU_ARRAY, probe.map("proto_stats").info().type());
        assertEquals(MapType.ARRAY_OF_MAPS, probe.map("tags").info().type());
    }

    @Test
    void crudHonoursTheUpdateFlags() {
        BpfMap<Key, Value> kv = kv();
        Key k = new Key(0x0a000001, 80, 6);
        assertEquals(Optional.empty(), kv.lookup(k));

        BpfException absent = assertThrows(BpfException.class, () -> kv.update(k, new Value(1, 2, 3), UpdateFlag.EXIST));
        assertEquals(Errno.ENOENT, absent.errno());
        assertEquals("bpf_map_update_elem", absent.call());

        kv.update(k, new Value(1, 2, 3), UpdateFlag.NOEXIST);
        assertEquals(Optional.of(new Value(1, 2, 3)), kv.lookup(k));

        BpfException exists = assertThrows(BpfException.class, () -> kv.update(k, new Value(9, 9, 9), UpdateFlag.NOEXIST));
        assertEquals(Errno.EEXIST, exists.errno());
        assertEquals(Optional.of(new Value(1, 2, 3)), kv.lookup(k), "a refused update changes nothing");

        kv.update(k, new Value(4, 5, 6), UpdateFlag.EXIST);
        assertEquals(Optional.of(new Value(4, 5, 6)), kv.lookup(k));

        assertTrue(kv.delete(k));
        assertFalse(kv.delete(k));
        assertEquals(Optional.empty(), kv.lookup(k));
    }

    @Test
    void keysIterateAndLookupAndDeleteTakesTheValue() {
        BpfMap<Key, Value> kv = kv();
        for (int i = 0; i < 10; i++) {
            kv.put(new Key(i, i, 17), new Value(i, i, i));
        }
        List<Key> keys = new ArrayList<>(kv.keys());
        assertEquals(10, keys.size());
        keys.sort((a, b) -> Integer.compare(a.addr(), b.addr()));
        assertEquals(new Key(3, 3, 17), keys.get(3));

        assertEquals(Optional.of(new Value(7, 7, 7)), kv.lookupAndDelete(new Key(7, 7, 17)));
        assertEquals(Optional.empty(), kv.lookupAndDelete(new Key(7, 7, 17)));
        assertEquals(9, kv.keys().size());
    }

    @Test
    void batchOperationsMoveManyEntriesPerCall() {
        BpfMap<Key, Value> kv = kv();
        Map<Key, Value> entries = new LinkedHashMap<>();
        for (int i = 0; i < 700; i++) {
            entries.put(new Key(0x0a000000 + i, 1000 + i, 6), new Value(i, i * 2, i * 3));
        }
        assertEquals(700, kv.updateBatch(entries));
        assertEquals(entries, kv.lookupBatch(), "lookup in chunks of 256 returns every entry");
        assertEquals(entries, kv.entries());

        List<Key> half = new ArrayList<>(entries.keySet()).subList(0, 350);
        assertEquals(350, kv.deleteBatch(half));
        assertEquals(350, kv.lookupBatch().size());
        assertEquals(Optional.empty(), kv.lookup(half.getFirst()));
    }

    @Test
    void perCpuValuesAreOnePerPossibleCpuAndSum() {
        PerCpuMap<Integer, Counter> srcStats = probe.map("src_stats").perCpu(Codec.U32, Counter.CODEC);
        List<Counter> perCpu = new ArrayList<>(Collections.nCopies(bpf.possibleCpus(), new Counter(0, 0)));
        for (int cpu = 0; cpu < perCpu.size(); cpu++) {
            perCpu.set(cpu, new Counter(cpu + 1, 100L * (cpu + 1)));
        }
        srcStats.update(0x0a000001, perCpu, UpdateFlag.NOEXIST);
        assertEquals(Optional.of(perCpu), srcStats.lookup(0x0a000001));
        int n = bpf.possibleCpus();
        assertEquals(Optional.of(new Counter((long) n * (n + 1) / 2, 100L * n * (n + 1) / 2)),
                srcStats.lookupSum(0x0a000001, Counter::plus));

        srcStats.updateAll(0x0a000002, new Counter(5, 50), UpdateFlag.ANY);
        assertEquals(Optional.of(new Counter(5L * n, 50L * n)), srcStats.lookupSum(0x0a000002, Counter::plus));
        Map<Integer, List<Counter>> all = srcStats.lookupBatch();
        assertEquals(2, all.size());
        assertEquals(perCpu, all.get(0x0a000001));

        // A per-CPU array has every index; batch lookup reads all of them.
        PerCpuMap<Integer, Counter> protos = probe.map("proto_stats").perCpu(Codec.U32, Counter.CODEC);
        protos.updateAll(17, new Counter(1, 2), UpdateFlag.ANY);
        Map<Integer, List<Counter>> rows = protos.lookupBatch();
        assertEquals(256, rows.size());
        assertEquals(Collections.nCopies(n, new Counter(1, 2)), rows.get(17));
        assertEquals(Collections.nCopies(n, new Counter(0, 0)), rows.get(6));
    }

    @Test
    void wrongSizesAreRejectedBeforeAnySyscall() {
        RawMap raw = probe.map("kv");
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> raw.typed(Codec.U32, Value.CODEC));
        assertEquals("map kv: key codec is 4 bytes, the map's key is 8", key.getMessage());
        IllegalArgumentException value = assertThrows(IllegalArgumentException.class, () -> raw.typed(Key.CODEC, Codec.U64));
        assertEquals("map kv: value codec is 8 bytes, the map's value is 16", value.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> raw.lookup(arena.allocate(4), arena.allocate(16)));
        }
        assertThrows(IllegalArgumentException.class, () -> probe.map("src_stats").typed(Codec.U32, Counter.CODEC),
                "a per-CPU map needs the per-CPU view");
        assertThrows(IllegalArgumentException.class, () -> raw.perCpu(Key.CODEC, Value.CODEC));
    }

    @Test
    void anInnerMapIsReplacedAtomicallyAndTheProgramReadsTheNewOne() {
        MapOfMaps<Integer> tags = probe.map("tags").ofMaps(Codec.U32);
        RawMap original = probe.map("tag_a");
        assertEquals(original.info().id(), tags.innerId(0).orElseThrow());

        RawMap replacement = bpf.createMap(MapSpec.like(original.info(), "tag_b"));
        replacement.typed(Codec.U32, Codec.U32).put(0, 0xA1B2C3D4);
        tags.replace(0, replacement);
        assertEquals(replacement.info().id(), tags.innerId(0).orElseThrow());
        assertNotEquals(original.info().id(), replacement.info().id());

        probe.map("bounce_ports").typed(Codec.U16, Codec.U32).put(7777, 1);
        TestRunResult r = probe.program("xdp_probe").testRun(ProbeAbi.datagram(7777, new byte[8]).bytes());
        assertEquals(TestRunResult.XDP_TX, r.retval());
        byte[] src = java.util.Arrays.copyOfRange(r.packet(), 6, 12);
        assertEquals("0200a1b2c3d4", java.util.HexFormat.of().formatHex(src),
                "the tag from the new inner map is written into the source MAC");

        try (RawMap opened = bpf.openMapById(tags.innerId(0).orElseThrow())) {
            assertEquals(Optional.of(0xA1B2C3D4), opened.typed(Codec.U32, Codec.U32).lookup(0));
        }
    }

    @Test
    void aHashOfMapsTakesInnerMapsShapedLikeItsTemplate() {
        RawMap template = probe.map("tag_a");
        RawMap outer = bpf.createMap(new MapSpec(MapType.HASH_OF_MAPS, "hom", 4, 4, 8, 0, template.fd()));
        MapOfMaps<Integer> hom = outer.ofMaps(Codec.U32);
        RawMap inner = bpf.createMap(MapSpec.like(template.info(), "inner"));
        hom.replace(5, inner);
        assertEquals(inner.info().id(), hom.innerId(5).orElseThrow());
        assertEquals(java.util.OptionalInt.empty(), hom.innerId(6));

        RawMap misfit = bpf.createMap(MapSpec.of(MapType.HASH, "misfit", 4, 4, 1));
        BpfException e = assertThrows(BpfException.class, () -> hom.replace(6, misfit));
        assertEquals(Errno.EINVAL, e.errno(), "an inner map of another type is refused by the kernel");
        assertTrue(hom.delete(5));
        assertFalse(hom.delete(5));
    }
}
