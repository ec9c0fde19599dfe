package io.xlb.bpf;

import io.xlb.bpf.ffi.Libbpf;
import io.xlb.ffi.Native;
import io.xlb.bpf.ffi.bpf_map_batch_opts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A map by file descriptor, with keys and values as raw segments: the layer the typed maps
 * stand on. Sizes are checked here, in Java, before any syscall. A map that came from an object
 * is closed with the object; one opened from a pin or created owns its fd.
 */
public final class RawMap implements AutoCloseable {
    private final int fd;
    private final Fd owned;
    private final MapInfo info;
    private final int possibleCpus;
    /** Elements this handle created, replaced or deleted, and the syscalls that did it: what a change costs. */
    private final java.util.concurrent.atomic.LongAdder elementsWritten = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder writeCalls = new java.util.concurrent.atomic.LongAdder();

    RawMap(int fd, Fd owned, int possibleCpus) {
        this.fd = fd;
        this.owned = owned;
        this.possibleCpus = possibleCpus;
        this.info = Info.map(fd);
    }

    public int fd() {
        return owned != null ? owned.value() : fd;
    }

    public MapInfo info() {
        return info;
    }

    public String name() {
        return info.name();
    }

    /** What this handle wrote so far: elements created, replaced or deleted, and the syscalls that did it. */
    public Writes writes() {
        return new Writes(elementsWritten.sum(), writeCalls.sum());
    }

    /** A count of map writes: {@code elements} created, replaced or deleted by {@code calls} syscalls. */
    public record Writes(long elements, long calls) {
        public static final Writes NONE = new Writes(0, 0);

        public Writes plus(Writes o) {
            return new Writes(elements + o.elements, calls + o.calls);
        }

        public Writes minus(Writes o) {
            return new Writes(elements - o.elements, calls - o.calls);
        }
    }

    private void wrote(long elements) {
        elementsWritten.add(elements);
        writeCalls.increment();
    }

    /** Bytes of one value as the syscalls see it: per CPU, each rounded up to 8. */
    public int valueSlotSize() {
        return info.type().perCpu() ? possibleCpus * roundUp8(info.valueSize()) : info.valueSize();
    }

    public int possibleCpus() {
        return possibleCpus;
    }

    static int roundUp8(int n) {
        return (n + 7) & ~7;
    }

    // --- typed views ---

    public <K, V> BpfMap<K, V> typed(Codec<K> keys, Codec<V> values) {
        if (info.type().perCpu()) {
            throw new IllegalArgumentException("map " + name() + " is per-CPU (" + info.type() + "): use perCpu()");
        }
        return new BpfMap<>(this, keys, values);
    }

    public <K, V> PerCpuMap<K, V> perCpu(Codec<K> keys, Codec<V> values) {
        if (!info.type().perCpu()) {
            throw new IllegalArgumentException("map " + name() + " is not per-CPU (" + info.type() + ")");
        }
        return new PerCpuMap<>(this, keys, values);
    }

    public <K> MapOfMaps<K> ofMaps(Codec<K> keys) {
        if (!info.type().ofMaps()) {
            throw new IllegalArgumentException("map " + name() + " holds no maps (" + info.type() + ")");
        }
        return new MapOfMaps<>(this, keys);
    }

    // --- raw operations ---

    void checkKey(MemorySegment key) {
        if (key.byteSize() < info.keySize()) {
            throw new IllegalArgumentException("map " + name() + ": key buffer is " + key.byteSize()
                    + " bytes, the map's key is " + info.keySize());
        }
    }

    void checkValue(MemorySegment value, int slot) {
        if (value.byteSize() < slot) {
            throw new IllegalArgumentException("map " + name() + ": value buffer is " + value.byteSize()
                    + " bytes, the map's value is " + slot);
        }
    }

    /** False when the key is absent. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        checkKey(key);
        checkValue(value, valueSlotSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_map_lookup_elem.invokeExact(state, fd(), key, value);
            return absentOrCheck("bpf_map_lookup_elem", rc, state);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** Writes one element; for map-of-maps types the value is an inner map's fd (u32). */
    public void update(MemorySegment key, MemorySegment value, UpdateFlag flag) {
        checkKey(key);
        checkValue(value, info.type().ofMaps() ? Integer.BYTES : valueSlotSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_map_update_elem.invokeExact(state, fd(), key, value, flag.bits);
            Call.check("bpf_map_update_elem", rc, state, "map " + name() + ", " + flag);
            wrote(1);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** False when the key was absent. */
    public boolean delete(MemorySegment key) {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_map_delete_elem.invokeExact(state, fd(), key);
            boolean deleted = absentOrCheck("bpf_map_delete_elem", rc, state);
            wrote(deleted ? 1 : 0);
            return deleted;
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** False when the key was absent. */
    public boolean lookupAndDelete(MemorySegment key, MemorySegment value) {
        checkKey(key);
        checkValue(value, valueSlotSize());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_map_lookup_and_delete_elem.invokeExact(state, fd(), key, value);
            boolean deleted = absentOrCheck("bpf_map_lookup_and_delete_elem", rc, state);
            wrote(deleted ? 1 : 0);
            return deleted;
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** The key after {@code key} ({@link MemorySegment#NULL} for the first); false at the end. */
    public boolean nextKey(MemorySegment key, MemorySegment next) {
        if (!key.equals(MemorySegment.NULL)) {
            checkKey(key);
        }
        checkKey(next);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int rc = (int) Libbpf.bpf_map_get_next_key.invokeExact(state, fd(), key, next);
            return absentOrCheck("bpf_map_get_next_key", rc, state);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /**
     * One step of bpf_map_lookup_batch: reads up to {@code max} entries after the position in
     * {@code inBatch} (NULL to start) into {@code keys}/{@code values}, writing the next position
     * to {@code outBatch}.
     */
    public BatchRead lookupBatch(MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
                           MemorySegment values, int max) {
        checkValue(keys, info.keySize() * max);
        checkValue(values, valueSlotSize() * max);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment count = arena.allocateFrom(ValueLayout.JAVA_INT, max);
            MemorySegment opts = batchOpts(arena);
            int rc = (int) Libbpf.bpf_map_lookup_batch.invokeExact(state, fd(), inBatch, outBatch, keys, values, count, opts);
            int n = count.get(ValueLayout.JAVA_INT, 0);
            if (rc < 0 && Native.errno(state) == Errno.ENOENT) {
                return new BatchRead(n, true);
            }
            Call.check("bpf_map_lookup_batch", rc, state, "map " + name());
            return new BatchRead(n, false);
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** What one batch lookup read, and whether the map has no more entries after it. */
    public record BatchRead(int count, boolean done) {}

    /**
     * bpf_map_update_batch: writes {@code n} entries, creating or replacing each (the kernel
     * takes no per-element NOEXIST/EXIST in batches); returns how many it took.
     */
    public int updateBatch(MemorySegment keys, MemorySegment values, int n) {
        checkValue(keys, info.keySize() * n);
        checkValue(values, valueSlotSize() * n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment count = arena.allocateFrom(ValueLayout.JAVA_INT, n);
            int rc = (int) Libbpf.bpf_map_update_batch.invokeExact(state, fd(), keys, values, count, batchOpts(arena));
            Call.check("bpf_map_update_batch", rc, state, "map " + name() + ", " + n + " entries");
            int written = count.get(ValueLayout.JAVA_INT, 0);
            wrote(written);
            return written;
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** An array of u32 (or i32) values: {@code values[i]} written at key {@code i}, all with one bpf_map_update_batch. */
    public int updateArray(int[] values) {
        if (info.keySize() != Integer.BYTES || info.valueSize() != Integer.BYTES || info.type().perCpu()) {
            throw new IllegalArgumentException("map " + name() + ": not an array of 4-byte values under 4-byte keys");
        }
        if (values.length == 0) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ks = arena.allocate((long) Integer.BYTES * values.length, 8);
            for (int i = 0; i < values.length; i++) {
                ks.setAtIndex(ValueLayout.JAVA_INT, i, i);
            }
            MemorySegment vs = arena.allocateFrom(ValueLayout.JAVA_INT, values);
            return updateBatch(ks, vs, values.length);
        }
    }

    /** bpf_map_delete_batch: deletes {@code n} keys; every key must be present. */
    public int deleteBatch(MemorySegment keys, int n) {
        checkValue(keys, info.keySize() * n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            MemorySegment count = arena.allocateFrom(ValueLayout.JAVA_INT, n);
            int rc = (int) Libbpf.bpf_map_delete_batch.invokeExact(state, fd(), keys, count, batchOpts(arena));
            Call.check("bpf_map_delete_batch", rc, state, "map " + name() + ", " + n + " keys");
            int deleted = count.get(ValueLayout.JAVA_INT, 0);
            wrote(deleted);
            return deleted;
        } catch (Throwable t) {
            throw Call.rethrow(t);
        }
    }

    /** Size of the opaque position token of a batch lookup: a key for arrays, a u32 bucket for hashes. */
    public int batchTokenSize() {
        return roundUp8(Math.max(info.keySize(), Integer.BYTES));
    }

    private static MemorySegment batchOpts(Arena arena) {
        MemorySegment opts = arena.allocate(bpf_map_batch_opts.LAYOUT);
        opts.set(ValueLayout.JAVA_LONG, 0, bpf_map_batch_opts.LAYOUT.byteSize());
        return opts;
    }

    private boolean absentOrCheck(String call, int rc, MemorySegment state) {
        if (rc < 0 && Native.errno(state) == Errno.ENOENT) {
            return false;
        }
        Call.check(call, rc, state, "map " + name());
        return true;
    }

    /** Pins this map at {@code path} on a bpffs, so another process can open it. */
    public void pin(Path path) {
        Pins.pin(fd(), path);
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }

    @Override
    public String toString() {
        return "map " + name() + " (" + info.type() + ", id " + info.id() + ")";
    }
}
