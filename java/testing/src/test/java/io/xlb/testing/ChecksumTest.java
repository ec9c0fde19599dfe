package io.xlb.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The Internet checksum against RFC 1071's worked example and a captured IPv4 header. */
class ChecksumTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rfc1071sExample() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
        assertEquals(0x220d, Checksum.of(HEX.parseHex("0001f203f4f5f6f7"), 0, 8));
        // The same sum in pieces, and from an offset.
        assertEquals(0x220d, new Checksum().add16(0x0001).add(HEX.parseHex("f203")).add32(0xf4f5f6f7).finish());
        assertEquals(0x220d, Checksum.of(HEX.parseHex("ff0001f203f4f5f6f7"), 1, 8));
    }

    @Test
    void anIpv4HeaderVerifiesToZero() {
        byte[] header = HEX.parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, Checksum.of(header, 0, 20));
        header[10] = (byte) 0xb8;
        header[11] = 0x61;
        assertEquals(0, Checksum.of(header, 0, 20));
    }

    @Test
    void anOddLastByteIsPaddedWithZero() {
        assertEquals(0xfeff, Checksum.of(new byte[] {1}, 0, 1));
        assertEquals(Checksum.of(new byte[] {1, 2, 3, 0}, 0, 4), Checksum.of(new byte[] {1, 2, 3}, 0, 3));
    }
}
