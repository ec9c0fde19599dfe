package io.xlb.dataplane.abi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The ABI's address form: __be32[4], an IPv4 address in the first word and zeros after it. */
public final class Addresses {
    private Addresses() {}

    public static final int SIZE = 16;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public static int family(InetAddress a) {
        return a instanceof Inet4Address ? AF_INET : AF_INET6;
    }

    public static void encode(InetAddress a, MemorySegment to, long offset) {
        byte[] raw = a.getAddress();
        MemorySegment.copy(raw, 0, to, ValueLayout.JAVA_BYTE, offset, raw.length);
        if (raw.length < SIZE) {
            to.asSlice(offset + raw.length, SIZE - raw.length).fill((byte) 0);
        }
    }

    public static InetAddress decode(MemorySegment from, long offset, int family) {
        byte[] raw = from.asSlice(offset, family == AF_INET ? 4 : SIZE).toArray(ValueLayout.JAVA_BYTE);
        try {
            return family == AF_INET ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, null);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address of family " + family, e);
        }
    }

    /** Literal addresses only: never a name lookup. */
    public static InetAddress parse(String literal) {
        if (literal.indexOf(':') < 0 && !literal.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IP address literal: " + literal);
        }
        try {
            return InetAddress.ofLiteral(literal);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address literal: " + literal, e);
        }
    }
}
