package io.xlb.dataplane.abi;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** struct real_conns: ipvsadm's ActiveConn and InActConn of one real. */
public record RealConns(int active, int inactive) {
    public static final RealConns ZERO = new RealConns(0, 0);

    public static final Codec<RealConns> CODEC = new Codec<>() {
        public int size() { return (int) Structs.REAL_CONNS.byteSize(); }

        public void encode(RealConns c, MemorySegment to) {
            to.set(ValueLayout.JAVA_INT, 0, c.active);
            to.set(ValueLayout.JAVA_INT, 4, c.inactive);
        }

        public RealConns decode(MemorySegment from) {
            return new RealConns(from.get(ValueLayout.JAVA_INT, 0), from.get(ValueLayout.JAVA_INT, 4));
        }
    };
}
