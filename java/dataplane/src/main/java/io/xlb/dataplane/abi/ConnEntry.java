package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.CONN;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** struct conn: the real a flow is bound to, its state and when it was last seen (CLOCK_MONOTONIC ns). */
public record ConnEntry(long lastSeenNs, int real, int service, ConnState state) {
    public static final Codec<ConnEntry> CODEC = new Codec<>() {
        // Offsets looked up once: the reaper decodes every entry of the table.
        private final long lastSeen = offset(CONN, "last_seen_ns");
        private final long real = offset(CONN, "real");
        private final long service = offset(CONN, "service");
        private final long state = offset(CONN, "state");

        public int size() { return (int) CONN.byteSize(); }

        public void encode(ConnEntry c, MemorySegment to) {
            to.fill((byte) 0);
            to.set(ValueLayout.JAVA_LONG, lastSeen, c.lastSeenNs);
            to.set(ValueLayout.JAVA_INT, real, c.real);
            to.set(ValueLayout.JAVA_INT, service, c.service);
            to.set(ValueLayout.JAVA_BYTE, state, (byte) c.state.ordinal());
        }

        public ConnEntry decode(MemorySegment from) {
            return new ConnEntry(from.get(ValueLayout.JAVA_LONG, lastSeen), from.get(ValueLayout.JAVA_INT, real),
                    from.get(ValueLayout.JAVA_INT, service), ConnState.of(from.get(ValueLayout.JAVA_BYTE, state)));
        }
    };
}
