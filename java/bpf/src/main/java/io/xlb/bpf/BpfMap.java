package io.xlb.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A map with typed keys and values. The codecs' sizes are checked against the kernel's key and
 * value sizes when the view is made, so a wrong layout fails here rather than in a syscall.
 */
public class BpfMap<K, V> {
    /** Entries read per bpf_map_lookup_batch call; doubled when a hash bucket holds more. */
    private static final int BATCH_CHUNK = 256;
    private static final int ENOTSUPP = 524;

    final RawMap raw;
    final Codec<K> keys;
    final Codec<V> values;

    BpfMap(RawMap raw, Codec<K> keys, Codec<V> values) {
        this(raw, keys, values, raw.valueSlotSize());
    }

    BpfMap(RawMap raw, Codec<K> keys, Codec<V> values, int valueSlot) {
        if (keys.size() != raw.info().keySize()) {
            throw new IllegalArgumentException("map " + raw.name() + ": key codec is " + keys.size()
                    + " bytes, the map's key is " + raw.info().keySize());
        }
        if (values.size() != valueSlot) {
            throw new IllegalArgumentException("map " + raw.name() + ": value codec is " + values.size()
                    + " bytes, the map's value is " + valueSlot);
        }
        this.raw = raw;
        this.keys = keys;
        this.values = values;
    }

    public RawMap raw() {
        return raw;
    }

    public Optional<V> lookup(K key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(values.size(), 8);
            return raw.lookup(encodeKey(arena, key), v) ? Optional.of(values.decode(v)) : Optional.empty();
        }
    }

    public void update(K key, V value, UpdateFlag flag) {
        try (Arena arena = Arena.ofConfined()) {
            raw.update(encodeKey(arena, key), encodeValue(arena, value), flag);
        }
    }

    public void put(K key, V value) {
        update(key, value, UpdateFlag.ANY);
    }

    /** False when the key was absent. */
    public boolean delete(K key) {
        try (Arena arena = Arena.ofConfined()) {
            return raw.delete(encodeKey(arena, key));
        }
    }

    public Optional<V> lookupAndDelete(K key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(values.size(), 8);
            return raw.lookupAndDelete(encodeKey(arena, key), v) ? Optional.of(values.decode(v)) : Optional.empty();
        }
    }

    /** Every key, by bpf_map_get_next_key. Concurrent deletes may make it restart, as in the kernel. */
    public List<K> keys() {
        List<K> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = MemorySegment.NULL;
            MemorySegment next = arena.allocate(keys.size(), 8);
            MemorySegment spare = arena.allocate(keys.size(), 8);
            while (raw.nextKey(current, next)) {
                out.add(keys.decode(next));
                MemorySegment t = spare;
                spare = next;
                next = t;
                current = spare;
            }
        }
        return out;
    }

    /** Every entry by batch lookup; falls back to key iteration for map types without batch ops. */
    public Map<K, V> entries() {
        try {
            return lookupBatch();
        } catch (BpfException e) {
            if (e.errno() != Errno.EINVAL && e.errno() != ENOTSUPP && e.errno() != Errno.EOPNOTSUPP) {
                throw e;
            }
        }
        Map<K, V> out = new LinkedHashMap<>();
        for (K k : keys()) {
            lookup(k).ifPresent(v -> out.put(k, v));
        }
        return out;
    }

    /** Every entry, read with bpf_map_lookup_batch. */
    public Map<K, V> lookupBatch() {
        Map<K, V> out = new LinkedHashMap<>();
        int chunk = BATCH_CHUNK;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(raw.batchTokenSize(), 8);
            MemorySegment outToken = arena.allocate(raw.batchTokenSize(), 8);
            boolean first = true;
            while (true) {
                MemorySegment ks = arena.allocate((long) keys.size() * chunk, 8);
                MemorySegment vs = arena.allocate((long) values.size() * chunk, 8);
                RawMap.BatchRead read;
                try {
                    read = raw.lookupBatch(first ? MemorySegment.NULL : in, outToken, ks, vs, chunk);
                } catch (BpfException e) {
                    if (e.errno() == Errno.ENOSPC && chunk < raw.info().maxEntries()) {
                        chunk *= 2; // one bucket holds more entries than fit
                        continue;
                    }
                    throw e;
                }
                for (int i = 0; i < read.count(); i++) {
                    out.put(keys.decode(ks.asSlice((long) i * keys.size(), keys.size())),
                            values.decode(vs.asSlice((long) i * values.size(), values.size())));
                }
                if (read.done()) {
                    return out;
                }
                MemorySegment.copy(outToken, 0, in, 0, in.byteSize());
                first = false;
            }
        }
    }

    /** What {@link #forEachRaw} hands over: one entry's key and value as the kernel wrote them, valid during the call. */
    @FunctionalInterface
    public interface RawEntryConsumer {
        void accept(MemorySegment key, MemorySegment value);
    }

    /**
     * Every entry, read with bpf_map_lookup_batch a chunk at a time into the same two buffers, and
     * handed to {@code each} without gathering them: a table of a million entries is walked in a
     * few hundred kilobytes of native memory, not copied into the heap. Entries deleted or added
     * while it walks may or may not be seen, as with any walk of a live map.
     */
    public void forEachRaw(int chunkEntries, RawEntryConsumer each) {
        int chunk = Math.max(1, chunkEntries);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(raw.batchTokenSize(), 8);
            MemorySegment outToken = arena.allocate(raw.batchTokenSize(), 8);
            MemorySegment ks = arena.allocate((long) keys.size() * chunk, 8);
            MemorySegment vs = arena.allocate((long) values.size() * chunk, 8);
            boolean first = true;
            while (true) {
                RawMap.BatchRead read;
                try {
                    read = raw.lookupBatch(first ? MemorySegment.NULL : in, outToken, ks, vs, chunk);
                } catch (BpfException e) {
                    if (e.errno() == Errno.ENOSPC && chunk < raw.info().maxEntries()) {
                        chunk *= 2; // one bucket holds more entries than fit
                        ks = arena.allocate((long) keys.size() * chunk, 8);
                        vs = arena.allocate((long) values.size() * chunk, 8);
                        continue;
                    }
                    throw e;
                }
                for (int i = 0; i < read.count(); i++) {
                    each.accept(ks.asSlice((long) i * keys.size(), keys.size()), vs.asSlice((long) i * values.size(), values.size()));
                }
                if (read.done()) {
                    return;
                }
                MemorySegment.copy(outToken, 0, in, 0, in.byteSize());
                first = false;
            }
        }
    }

    /** Looks {@code key} (encoded) up into {@code value}; false when absent. */
    public boolean lookupRaw(MemorySegment key, MemorySegment value) {
        return raw.lookup(key, value);
    }

    /** Deletes {@code key} (encoded); false when absent. */
    public boolean deleteRaw(MemorySegment key) {
        return raw.delete(key);
    }

    public Codec<V> valueCodec() {
        return values;
    }

    /** Creates or replaces all entries with one bpf_map_update_batch; returns how many were written. */
    public int updateBatch(Map<K, V> entries) {
        if (entries.isEmpty()) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            int n = entries.size();
            MemorySegment ks = arena.allocate((long) keys.size() * n, 8);
            MemorySegment vs = arena.allocate((long) values.size() * n, 8);
            int i = 0;
            for (Map.Entry<K, V> e : entries.entrySet()) {
                keys.encode(e.getKey(), ks.asSlice((long) i * keys.size(), keys.size()));
                values.encode(e.getValue(), vs.asSlice((long) i * values.size(), values.size()));
                i++;
            }
            return raw.updateBatch(ks, vs, n);
        }
    }

    /** Deletes all keys with one bpf_map_delete_batch; every key must be present. */
    public int deleteBatch(Collection<K> toDelete) {
        if (toDelete.isEmpty()) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ks = arena.allocate((long) keys.size() * toDelete.size(), 8);
            int i = 0;
            for (K k : toDelete) {
                keys.encode(k, ks.asSlice((long) i++ * keys.size(), keys.size()));
            }
            return raw.deleteBatch(ks, toDelete.size());
        }
    }

    MemorySegment encodeKey(Arena arena, K key) {
        MemorySegment k = arena.allocate(keys.size(), 8);
        keys.encode(key, k);
        return k;
    }

    MemorySegment encodeValue(Arena arena, V value) {
        MemorySegment v = arena.allocate(values.size(), 8);
        values.encode(value, v);
        return v;
    }

    @Override
    public String toString() {
        return raw.toString();
    }
}
