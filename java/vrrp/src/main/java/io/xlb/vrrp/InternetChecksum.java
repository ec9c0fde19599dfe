package io.xlb.vrrp;

/** The RFC 1071 one's-complement sum, accumulated over several pieces (pseudo-header, message). */
final class InternetChecksum {
    private long sum;

    InternetChecksum add(byte[] bytes, int offset, int length) {
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((bytes[offset + i] & 0xff) << 8) | (bytes[offset + i + 1] & 0xff);
        }
        if ((length & 1) != 0) {
            sum += (bytes[offset + length - 1] & 0xff) << 8;
        }
        return this;
    }

    InternetChecksum add(byte[] bytes) {
        return add(bytes, 0, bytes.length);
    }

    InternetChecksum add16(int value) {
        sum += value & 0xffff;
        return this;
    }

    /** The value to put in the checksum field; over a message holding a correct checksum it is 0. */
    int finish() {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }
}
