package io.xlb.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;

/**
 * An array-of-maps or hash-of-maps. Writing a slot takes an inner map's fd and swaps it in
 * atomically for the programs reading it; reading a slot yields the inner map's id.
 */
public final class MapOfMaps<K> {
    private final RawMap raw;
    private final Codec<K> keys;

    MapOfMaps(RawMap raw, Codec<K> keys) {
        if (keys.size() != raw.info().keySize()) {
            throw new IllegalArgumentException("map " + raw.name() + ": key codec is " + keys.size()
                    + " bytes, the map's key is " + raw.info().keySize());
        }
        this.raw = raw;
        this.keys = keys;
    }

    public RawMap raw() {
        return raw;
    }

    /** Points {@code key} at {@code inner}; programs see the old map or the new one, never a mix. */
    public void replace(K key, RawMap inner) {
        try (Arena arena = Arena.ofConfined()) {
            raw.update(encode(arena, key), arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, inner.fd()),
                    UpdateFlag.ANY);
        }
    }

    /**
     * Points each key at its inner map with one bpf_map_update_batch: the kernel waits for running
     * programs to let go of the old inner maps once for the batch, not once per slot (a
     * synchronize_rcu() each, milliseconds on a busy machine). Each slot still swaps atomically.
     */
    public int replaceAll(java.util.Map<K, RawMap> inners) {
        if (inners.isEmpty()) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            int n = inners.size();
            MemorySegment ks = arena.allocate((long) keys.size() * n, 8);
            MemorySegment fds = arena.allocate((long) Integer.BYTES * n, 8);
            int i = 0;
            for (java.util.Map.Entry<K, RawMap> e : inners.entrySet()) {
                keys.encode(e.getKey(), ks.asSlice((long) i * keys.size(), keys.size()));
                fds.setAtIndex(java.lang.foreign.ValueLayout.JAVA_INT, i, e.getValue().fd());
                i++;
            }
            return raw.updateBatch(ks, fds, n);
        }
    }

    /** The id of the inner map at {@code key}, if any. */
    public OptionalInt innerId(K key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
            return raw.lookup(encode(arena, key), id)
                    ? OptionalInt.of(id.get(java.lang.foreign.ValueLayout.JAVA_INT, 0))
                    : OptionalInt.empty();
        }
    }

    public boolean delete(K key) {
        try (Arena arena = Arena.ofConfined()) {
            return raw.delete(encode(arena, key));
        }
    }

    private MemorySegment encode(Arena arena, K key) {
        MemorySegment k = arena.allocate(keys.size(), 8);
        keys.encode(key, k);
        return k;
    }
}
