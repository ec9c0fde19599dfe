package io.xlb.bpf;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.BinaryOperator;

/**
 * A per-CPU map: each value is a list with one element per possible CPU (each slot rounded up to
 * 8 bytes, as the kernel lays them out), or one value summed over the CPUs.
 */
public final class PerCpuMap<K, V> extends BpfMap<K, List<V>> {
    private final Codec<V> element;

    PerCpuMap(RawMap raw, Codec<K> keys, Codec<V> element) {
        super(raw, keys, perCpu(raw, element));
        this.element = element;
    }

    private static <V> Codec<List<V>> perCpu(RawMap raw, Codec<V> element) {
        if (element.size() != raw.info().valueSize()) {
            throw new IllegalArgumentException("map " + raw.name() + ": value codec is " + element.size()
                    + " bytes, the map's value is " + raw.info().valueSize());
        }
        int cpus = raw.possibleCpus();
        int slot = RawMap.roundUp8(element.size());
        return new Codec<>() {
            public int size() {
                return cpus * slot;
            }

            public void encode(List<V> perCpu, MemorySegment to) {
                if (perCpu.size() != cpus) {
                    throw new IllegalArgumentException("map " + raw.name() + ": " + perCpu.size()
                            + " per-CPU values given, " + cpus + " CPUs are possible");
                }
                to.fill((byte) 0);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    element.encode(perCpu.get(cpu), to.asSlice((long) cpu * slot, element.size()));
                }
            }

            public List<V> decode(MemorySegment from) {
                List<V> out = new ArrayList<>(cpus);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    out.add(element.decode(from.asSlice((long) cpu * slot, element.size())));
                }
                return Collections.unmodifiableList(out);
            }
        };
    }

    /** The value summed over every CPU with {@code sum}. */
    public Optional<V> lookupSum(K key, BinaryOperator<V> sum) {
        return lookup(key).map(perCpu -> perCpu.stream().reduce(sum).orElseThrow());
    }

    /** Sets the same value on every CPU. */
    public void updateAll(K key, V value, UpdateFlag flag) {
        update(key, Collections.nCopies(raw.possibleCpus(), value), flag);
    }

    public Codec<V> element() {
        return element;
    }
}
