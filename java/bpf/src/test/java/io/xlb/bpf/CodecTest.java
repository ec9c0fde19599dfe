package io.xlb.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xlb.testing.Frame;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class CodecTest {
    @Test
    void integersRoundTripInTheirByteOrder() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(8);
            Codec.BE32.encode(0x0a000001, s);
            assertArrayEquals(new byte[] {10, 0, 0, 1}, s.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(0x0a000001, Codec.BE32.decode(s));
            Codec.U32.encode(0x0a000001, s);
            assertArrayEquals(new byte[] {1, 0, 0, 10}, s.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE));
            Codec.U16.encode(0xfffe, s);
            assertEquals(0xfffe, Codec.U16.decode(s));
            Codec.U64.encode(-2L, s);
            assertEquals(-2L, Codec.U64.decode(s));
        }
    }

    @Test
    void fixedBytesRejectTheWrongLength() {
        Codec<byte[]> six = Codec.bytes(6);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(6);
            six.encode(Frame.CLIENT_MAC, s);
            assertArrayEquals(Frame.CLIENT_MAC, six.decode(s));
            assertThrows(IllegalArgumentException.class, () -> six.encode(new byte[5], s));
        }
    }

    @Test
    void errnoIsDescribedSymbolically() {
        assertEquals("ENOENT: No such file or directory", BpfException.describe(Errno.ENOENT));
        BpfException e = new BpfException("bpf_obj_get", Errno.EACCES, "/sys/fs/bpf/x");
        assertEquals("bpf_obj_get: EACCES: Permission denied (/sys/fs/bpf/x)", e.getMessage());
        assertEquals("EACCES", e.errnoName());
    }
}
