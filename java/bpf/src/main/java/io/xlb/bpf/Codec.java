package io.xlb.bpf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Converts a map key or value to and from the bytes the kernel stores. {@link #size()} is the
 * C struct's size; maps check it against the kernel's key/value size before any syscall.
 */
public interface Codec<T> {
    int size();

    void encode(T value, MemorySegment to);

    T decode(MemorySegment from);

    /** Native-order u32, as a __u32 field or key in C. */
    Codec<Integer> U32 = new Codec<>() {
        public int size() { return 4; }
        public void encode(Integer v, MemorySegment to) { to.set(ValueLayout.JAVA_INT_UNALIGNED, 0, v); }
        public Integer decode(MemorySegment from) { return from.get(ValueLayout.JAVA_INT_UNALIGNED, 0); }
    };

    /** Native-order u16, widened to int. */
    Codec<Integer> U16 = new Codec<>() {
        public int size() { return 2; }
        public void encode(Integer v, MemorySegment to) { to.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) (int) v); }
        public Integer decode(MemorySegment from) { return Short.toUnsignedInt(from.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)); }
    };

    /** Native-order u64. */
    Codec<Long> U64 = new Codec<>() {
        public int size() { return 8; }
        public void encode(Long v, MemorySegment to) { to.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v); }
        public Long decode(MemorySegment from) { return from.get(ValueLayout.JAVA_LONG_UNALIGNED, 0); }
    };

    /** Network-order u32, for addresses stored as __be32. */
    Codec<Integer> BE32 = new Codec<>() {
        public int size() { return 4; }
        public void encode(Integer v, MemorySegment to) {
            to.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0, v);
        }
        public Integer decode(MemorySegment from) {
            return from.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0);
        }
    };

    /** Raw bytes of a fixed size. */
    static Codec<byte[]> bytes(int size) {
        return new Codec<>() {
            public int size() { return size; }
            public void encode(byte[] v, MemorySegment to) {
                if (v.length != size) {
                    throw new IllegalArgumentException("expected " + size + " bytes, got " + v.length);
                }
                MemorySegment.copy(v, 0, to, ValueLayout.JAVA_BYTE, 0, size);
            }
            public byte[] decode(MemorySegment from) { return from.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE); }
        };
    }
}
