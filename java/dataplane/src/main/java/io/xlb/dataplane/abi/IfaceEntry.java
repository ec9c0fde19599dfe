package io.xlb.dataplane.abi;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** struct iface: the MAC a redirected frame leaves an interface with. */
public record IfaceEntry(MacAddress mac) {
    public static final Codec<IfaceEntry> CODEC = new Codec<>() {
        public int size() { return (int) Structs.IFACE.byteSize(); }

        public void encode(IfaceEntry i, MemorySegment to) {
            to.fill((byte) 0);
            MemorySegment.copy(i.mac.bytes(), 0, to, ValueLayout.JAVA_BYTE, 0, 6);
        }

        public IfaceEntry decode(MemorySegment from) {
            return new IfaceEntry(new MacAddress(from.asSlice(0, 6).toArray(ValueLayout.JAVA_BYTE)));
        }
    };
}
