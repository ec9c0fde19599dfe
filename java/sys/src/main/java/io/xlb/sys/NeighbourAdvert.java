package io.xlb.sys;

import io.xlb.ffi.LibC;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;

/**
 * An unsolicited neighbour advertisement (RFC 4861 §7.2.6), IPv6's gratuitous ARP: "{@code target}
 * is at {@code mac}", sent to all nodes (ff02::1) with the override flag so caches update at once.
 * The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket.
 */
public final class NeighbourAdvert {
    static final int TYPE = 136;
    static final int FLAG_OVERRIDE = 0x20000000;
    static final int OPTION_TARGET_LINK_LAYER = 2;
    private static final int OPTION_UNITS = 1; // the option's length in 8-byte units: type, length, 6-byte MAC
    private static final InetAddress ALL_NODES = InetAddress.ofLiteral("ff02::1");

    private NeighbourAdvert() {}

    /** The ICMPv6 message (checksum left 0 for the kernel). */
    static byte[] message(byte[] mac, Inet6Address target) {
        return ByteBuffer.allocate(32).put((byte) TYPE).put((byte) 0).putShort((short) 0).putInt(FLAG_OVERRIDE)
                .put(target.getAddress()).put((byte) OPTION_TARGET_LINK_LAYER).put((byte) OPTION_UNITS).put(mac).array();
    }

    public static void send(String ifname, int ifindex, byte[] mac, Inet6Address target) {
        try (RawIp6Socket s = RawIp6Socket.open(LibC.IPPROTO_ICMPV6, ifname, ifindex, Optional.empty(), Duration.ofSeconds(1))) {
            s.send(message(mac, target), ALL_NODES);
        }
    }
}
