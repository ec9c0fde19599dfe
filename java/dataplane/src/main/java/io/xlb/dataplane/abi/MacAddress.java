package io.xlb.dataplane.abi;

import java.util.Arrays;
import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public record MacAddress(byte[] bytes) {
    public static final int LENGTH = 6;
    public static final MacAddress ZERO = new MacAddress(new byte[LENGTH]);

    public MacAddress {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** "02:00:5e:10:00:01". */
    public static MacAddress parse(String text) {
        String[] parts = text.strip().split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            b[i] = (byte) HexFormat.fromHexDigits(parts[i]);
        }
        return new MacAddress(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
