package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.LBLCR_ENTRY;
import static io.xlb.dataplane.abi.Structs.LBLCR_SET_MAX;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * struct lblcr_entry: an lblcr destination address's set of reals (oldest first, as stored; IPVS
 * lists them newest first), its last new connection and the set's last change (CLOCK_MONOTONIC ns).
 */
public record LblcrEntry(long lastUseNs, long lastModNs, List<Integer> reals) {
    public LblcrEntry {
        reals = List.copyOf(reals);
        if (reals.size() > LBLCR_SET_MAX) {
            throw new IllegalArgumentException("an lblcr set holds at most " + LBLCR_SET_MAX + " reals");
        }
    }

    public static final Codec<LblcrEntry> CODEC = new Codec<>() {
        public int size() { return (int) LBLCR_ENTRY.byteSize(); }

        public void encode(LblcrEntry e, MemorySegment to) {
            to.fill((byte) 0);
            to.set(ValueLayout.JAVA_LONG, offset(LBLCR_ENTRY, "last_use_ns"), e.lastUseNs);
            to.set(ValueLayout.JAVA_LONG, offset(LBLCR_ENTRY, "last_mod_ns"), e.lastModNs);
            to.set(ValueLayout.JAVA_INT, offset(LBLCR_ENTRY, "size"), e.reals.size());
            for (int i = 0; i < e.reals.size(); i++) {
                to.set(ValueLayout.JAVA_INT, offset(LBLCR_ENTRY, "reals") + 4L * i, e.reals.get(i));
            }
        }

        public LblcrEntry decode(MemorySegment from) {
            int size = Math.min(LBLCR_SET_MAX, Math.max(0, from.get(ValueLayout.JAVA_INT, offset(LBLCR_ENTRY, "size"))));
            List<Integer> reals = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                reals.add(from.get(ValueLayout.JAVA_INT, offset(LBLCR_ENTRY, "reals") + 4L * i));
            }
            return new LblcrEntry(from.get(ValueLayout.JAVA_LONG, offset(LBLCR_ENTRY, "last_use_ns")),
                    from.get(ValueLayout.JAVA_LONG, offset(LBLCR_ENTRY, "last_mod_ns")), reals);
        }
    };

    /** The same entry, used and changed {@code nanos} earlier. */
    public LblcrEntry aged(long nanos) {
        return new LblcrEntry(lastUseNs - nanos, lastModNs - nanos, reals);
    }
}
