package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.LBLC_ENTRY;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** struct lblc_entry: the real an lblc destination address goes to, and its last new connection (CLOCK_MONOTONIC ns). */
public record LblcEntry(long lastUseNs, int real) {
    public static final Codec<LblcEntry> CODEC = new Codec<>() {
        public int size() { return (int) LBLC_ENTRY.byteSize(); }

        public void encode(LblcEntry e, MemorySegment to) {
            to.fill((byte) 0);
            to.set(ValueLayout.JAVA_LONG, offset(LBLC_ENTRY, "last_use_ns"), e.lastUseNs);
            to.set(ValueLayout.JAVA_INT, offset(LBLC_ENTRY, "real"), e.real);
        }

        public LblcEntry decode(MemorySegment from) {
            return new LblcEntry(from.get(ValueLayout.JAVA_LONG, offset(LBLC_ENTRY, "last_use_ns")),
                    from.get(ValueLayout.JAVA_INT, offset(LBLC_ENTRY, "real")));
        }
    };

    /** The same entry, last used {@code nanos} earlier. */
    public LblcEntry aged(long nanos) {
        return new LblcEntry(lastUseNs - nanos, real);
    }
}
