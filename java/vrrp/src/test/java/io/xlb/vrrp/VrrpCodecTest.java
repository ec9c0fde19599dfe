package io.xlb.vrrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xlb.testing.Checksum;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden vectors (checksums summed by hand, RFC 1071) and every packet-level drop reason. */
class VrrpCodecTest {
    static final InetAddress SRC4 = addr("10.0.0.1");
    static final InetAddress VIP = addr("192.168.1.200");
    static final HexFormat HEX = HexFormat.of();

    /** The tutorial's VI_1: VRID 51, priority 100, advert_int 1, auth PASS 1111, VIP 192.168.1.200. */
    static final VrrpAdvert TUTORIAL_V2 = new VrrpAdvert(VrrpVersion.V2, 51, 100, 100, List.of(VIP), "1111");
    static final VrrpAdvert TUTORIAL_V3 = new VrrpAdvert(VrrpVersion.V3, 51, 100, 100, List.of(VIP), "");

    @Test
    void v2GoldenVector() {
        // version 2 type 1, VRID 0x33, prio 0x64, 1 address, auth type 1, 1 s, checksum, address, "1111" padded.
        byte[] expected = HEX.parseHex("2133640101" + "01" + "54f7" + "c0a801c8" + "3131313100000000");
        assertArrayEquals(expected, VrrpCodec.encode(TUTORIAL_V2, SRC4, VrrpCodec.GROUP_V4));
        assertEquals(new Received.Advert(TUTORIAL_V2, SRC4), VrrpCodec.decode(expected, 255, SRC4, VrrpCodec.GROUP_V4));
    }

    @Test
    void v2WithoutAuthentication() {
        VrrpAdvert none = new VrrpAdvert(VrrpVersion.V2, 51, 100, 100, List.of(VIP), "");
        byte[] bytes = VrrpCodec.encode(none, SRC4, VrrpCodec.GROUP_V4);
        assertEquals(0, bytes[4]);
        assertEquals(new Received.Advert(none, SRC4), VrrpCodec.decode(bytes, 255, SRC4, VrrpCodec.GROUP_V4));
    }

    @Test
    void v3Ipv4GoldenVectorIncludesThePseudoHeader() {
        // 12-bit interval 100 cs; checksum over 10.0.0.1, 224.0.0.18, protocol 112, length 12 and the message.
        byte[] expected = HEX.parseHex("3133" + "6401" + "0064" + "bd66" + "c0a801c8");
        assertArrayEquals(expected, VrrpCodec.encode(TUTORIAL_V3, SRC4, VrrpCodec.GROUP_V4));
        assertEquals(new Received.Advert(TUTORIAL_V3, SRC4), VrrpCodec.decode(expected, 255, SRC4, VrrpCodec.GROUP_V4));
        // Another source changes the checksum: it is bound to the pseudo-header.
        assertEquals(DropReason.CHECKSUM, dropped(VrrpCodec.decode(expected, 255, addr("10.0.0.2"), VrrpCodec.GROUP_V4)));
    }

    @Test
    void v3Ipv6GoldenVectorIncludesThePseudoHeader() {
        // RFC 2460 §8.1 pseudo-header: fe80::1, ff02::12, length 24 (32 bits), zeros, next header 112.
        // Checksum worked out apart from the codec (a few lines of Python over the same bytes): 3c8f.
        InetAddress src = addr("fe80::1");
        VrrpAdvert v6 = new VrrpAdvert(VrrpVersion.V3, 51, 100, 100, List.of(addr("2001:db8::200")), "");
        byte[] expected = HEX.parseHex("3133" + "6401" + "0064" + "3c8f" + "20010db8000000000000000000000200");
        assertArrayEquals(expected, VrrpCodec.encode(v6, src, VrrpCodec.GROUP_V6));
        assertEquals(new Received.Advert(v6, src), VrrpCodec.decode(expected, 255, src, VrrpCodec.GROUP_V6));
        assertEquals(DropReason.CHECKSUM, dropped(VrrpCodec.decode(expected, 255, addr("fe80::2"), VrrpCodec.GROUP_V6)));
    }

    @Test
    void v3Ipv6RoundTripsWithCentisecondIntervals() {
        InetAddress src = addr("fe80::1");
        VrrpAdvert v6 = new VrrpAdvert(VrrpVersion.V3, 7, 200, 10, List.of(addr("2001:db8::10"), addr("2001:db8::11")), "");
        byte[] bytes = VrrpCodec.encode(v6, src, VrrpCodec.GROUP_V6);
        assertEquals(8 + 32, bytes.length);
        assertEquals("000a", HEX.formatHex(bytes, 4, 6));
        assertEquals(new Received.Advert(v6, src), VrrpCodec.decode(bytes, 255, src, VrrpCodec.GROUP_V6));
        assertEquals(0, new Checksum().add(src.getAddress()).add(VrrpCodec.GROUP_V6.getAddress())
                .add16(0).add16(bytes.length).add16(VrrpCodec.IP_PROTOCOL).add(bytes).finish());
    }

    @Test
    void eachMalformedPacketIsDroppedWithItsReason() {
        byte[] good = VrrpCodec.encode(TUTORIAL_V2, SRC4, VrrpCodec.GROUP_V4);
        assertEquals(DropReason.TTL, dropped(VrrpCodec.decode(good, 254, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.LENGTH, dropped(VrrpCodec.decode(HEX.parseHex("2133"), 255, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.LENGTH, dropped(VrrpCodec.decode(java.util.Arrays.copyOf(good, good.length - 1), 255, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.LENGTH, dropped(VrrpCodec.decode(java.util.Arrays.copyOf(good, good.length + 4), 255, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.VERSION, dropped(VrrpCodec.decode(with(good, 0, 0x41), 255, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.VERSION, dropped(VrrpCodec.decode(good, 255, addr("fe80::1"), VrrpCodec.GROUP_V6)));
        assertEquals(DropReason.TYPE, dropped(VrrpCodec.decode(with(good, 0, 0x22), 255, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.CHECKSUM, dropped(VrrpCodec.decode(with(good, 2, 101), 255, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.AUTH_TYPE, dropped(VrrpCodec.decode(resum(with(good, 4, 2)), 255, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.INTERVAL, dropped(VrrpCodec.decode(resum(with(good, 5, 0)), 255, SRC4, VrrpCodec.GROUP_V4)));
        assertEquals(DropReason.LENGTH, dropped(VrrpCodec.decode(resum(with(good, 3, 0)), 255, SRC4, VrrpCodec.GROUP_V4)));
    }

    @Test
    void advertsThatCannotBeEncodedAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new VrrpAdvert(VrrpVersion.V2, 51, 100, 150, List.of(VIP), ""));
        assertThrows(IllegalArgumentException.class, () -> new VrrpAdvert(VrrpVersion.V2, 51, 100, 100, List.of(addr("2001:db8::1")), ""));
        assertThrows(IllegalArgumentException.class, () -> new VrrpAdvert(VrrpVersion.V2, 51, 100, 100, List.of(VIP), "123456789"));
        assertThrows(IllegalArgumentException.class, () -> new VrrpAdvert(VrrpVersion.V3, 51, 100, 4096, List.of(VIP), ""));
        assertThrows(IllegalArgumentException.class, () -> new VrrpAdvert(VrrpVersion.V3, 0, 100, 100, List.of(VIP), ""));
        assertThrows(IllegalArgumentException.class, () -> new VrrpAdvert(VrrpVersion.V3, 51, 100, 100, List.of(VIP, addr("2001:db8::1")), ""));
    }

    static DropReason dropped(Received r) {
        return ((Received.Dropped) r).reason();
    }

    private static byte[] with(byte[] bytes, int offset, int value) {
        byte[] copy = bytes.clone();
        copy[offset] = (byte) value;
        return copy;
    }

    /** Recomputes a VRRPv2 checksum so the test reaches the check after it. */
    private static byte[] resum(byte[] bytes) {
        bytes[6] = 0;
        bytes[7] = 0;
        int sum = new Checksum().add(bytes).finish();
        bytes[6] = (byte) (sum >>> 8);
        bytes[7] = (byte) sum;
        return bytes;
    }

    static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
