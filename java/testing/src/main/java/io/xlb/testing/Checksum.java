package io.xlb.testing;

/**
 * The Internet checksum (RFC 1071), the one every test computes with: a one's-complement sum
 * accumulated over pieces (a pseudo-header, then the message), written apart from the code under
 * test so that a test does not check the product's checksum with the product's own.
 */
public final class Checksum {
    private long sum;

    /** Adds {@code length} bytes from {@code offset}, as 16-bit big-endian words (an odd last byte padded with zero). */
    public Checksum add(byte[] bytes, int offset, int length) {
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((bytes[offset + i] & 0xff) << 8) | (bytes[offset + i + 1] & 0xff);
        }
        if ((length & 1) != 0) {
            sum += (bytes[offset + length - 1] & 0xff) << 8;
        }
        return this;
    }

    public Checksum add(byte[] bytes) {
        return add(bytes, 0, bytes.length);
    }

    /** Adds one 16-bit word (a protocol number, a length in an IPv4 pseudo-header). */
    public Checksum add16(int value) {
        sum += value & 0xffff;
        return this;
    }

    /** Adds a 32-bit value as two words (the upper-layer length in an IPv6 pseudo-header). */
    public Checksum add32(int value) {
        return add16(value >>> 16).add16(value);
    }

    /** The value for the checksum field; over a message that holds a correct checksum it is 0. */
    public int finish() {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }

    /** The checksum of {@code length} bytes from {@code offset} (an IPv4 header, an ICMP message). */
    public static int of(byte[] bytes, int offset, int length) {
        return new Checksum().add(bytes, offset, length).finish();
    }
}
