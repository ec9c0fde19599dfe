package io.xlb.dataplane.abi;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** struct counter: packets, bytes and new connections, one per CPU in the stats maps. */
public record Counter(long packets, long bytes, long conns) {
    public static final Counter ZERO = new Counter(0, 0, 0);

    public Counter plus(Counter o) {
        return new Counter(packets + o.packets, bytes + o.bytes, conns + o.conns);
    }

    public static final Codec<Counter> CODEC = new Codec<>() {
        public int size() { return (int) Structs.COUNTER.byteSize(); }

        public void encode(Counter c, MemorySegment to) {
            to.set(ValueLayout.JAVA_LONG, 0, c.packets);
            to.set(ValueLayout.JAVA_LONG, 8, c.bytes);
            to.set(ValueLayout.JAVA_LONG, 16, c.conns);
        }

        public Counter decode(MemorySegment from) {
            return new Counter(from.get(ValueLayout.JAVA_LONG, 0), from.get(ValueLayout.JAVA_LONG, 8),
                    from.get(ValueLayout.JAVA_LONG, 16));
        }
    };
}
