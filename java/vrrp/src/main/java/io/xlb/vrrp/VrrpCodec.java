package io.xlb.vrrp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * VRRP messages (the IP payload, protocol 112) to and from bytes. VRRPv2 (RFC 3768): checksum over
 * the message, interval in seconds, 8 bytes of authentication data. VRRPv3 (RFC 5798): checksum over
 * the IPv4/IPv6 pseudo-header and the message, 12-bit interval in centiseconds, no authentication.
 */
public final class VrrpCodec {
    public static final int IP_PROTOCOL = 112;
    /** Sent and required on receipt, so adverts never come from beyond the segment. */
    public static final int TTL = 255;
    public static final InetAddress GROUP_V4 = literal("224.0.0.18");
    public static final InetAddress GROUP_V6 = literal("ff02::12");

    private static final int HEADER = 8;
    private static final int AUTH_DATA = 8;
    private static final int TYPE_ADVERTISEMENT = 1;
    private static final int AUTH_NONE = 0;
    private static final int AUTH_SIMPLE_TEXT = 1;
    private static final int CHECKSUM_OFFSET = 6;

    private VrrpCodec() {}

    /** Encodes {@code advert} as sent from {@code source} to {@code destination} (both enter the v3 checksum). */
    public static byte[] encode(VrrpAdvert advert, InetAddress source, InetAddress destination) {
        int addrLen = advert.ipv4() ? 4 : 16;
        boolean v2 = advert.version() == VrrpVersion.V2;
        ByteBuffer b = ByteBuffer.allocate(HEADER + advert.addresses().size() * addrLen + (v2 ? AUTH_DATA : 0));
        b.put((byte) (advert.version().wire() << 4 | TYPE_ADVERTISEMENT))
                .put((byte) advert.vrid())
                .put((byte) advert.priority())
                .put((byte) advert.addresses().size());
        if (v2) {
            b.put((byte) (advert.authPass().isEmpty() ? AUTH_NONE : AUTH_SIMPLE_TEXT)).put((byte) (advert.intervalCs() / 100));
        } else {
            b.putShort((short) advert.intervalCs());
        }
        b.putShort((short) 0);
        advert.addresses().forEach(a -> b.put(a.getAddress()));
        if (v2) {
            b.put(Arrays.copyOf(advert.authPass().getBytes(StandardCharsets.UTF_8), AUTH_DATA));
        }
        byte[] bytes = b.array();
        int sum = checksum(advert.version(), bytes, source, destination);
        bytes[CHECKSUM_OFFSET] = (byte) (sum >>> 8);
        bytes[CHECKSUM_OFFSET + 1] = (byte) sum;
        return bytes;
    }

    /**
     * Decodes and checks what RFC 5798 §7.1 asks of every packet, before any instance sees it:
     * TTL, version, type, length against the address count, checksum, a non-zero interval.
     */
    public static Received decode(byte[] message, int ttl, InetAddress source, InetAddress destination) {
        if (ttl != TTL) {
            return new Received.Dropped(DropReason.TTL, "TTL " + ttl + ", expected 255");
        }
        if (message.length < HEADER) {
            return new Received.Dropped(DropReason.LENGTH, message.length + " bytes, shorter than the header");
        }
        int versionWire = (message[0] & 0xff) >>> 4;
        VrrpVersion version = switch (versionWire) {
            case 2 -> VrrpVersion.V2;
            case 3 -> VrrpVersion.V3;
            default -> null;
        };
        boolean ipv4 = source instanceof Inet4Address;
        if (version == null || (version == VrrpVersion.V2 && !ipv4)) {
            return new Received.Dropped(DropReason.VERSION, "version " + versionWire + (ipv4 ? "" : " over IPv6"));
        }
        if ((message[0] & 0x0f) != TYPE_ADVERTISEMENT) {
            return new Received.Dropped(DropReason.TYPE, "type " + (message[0] & 0x0f));
        }
        int count = message[3] & 0xff;
        int addrLen = ipv4 ? 4 : 16;
        int expected = HEADER + count * addrLen + (version == VrrpVersion.V2 ? AUTH_DATA : 0);
        if (count == 0 || message.length != expected) {
            return new Received.Dropped(DropReason.LENGTH, message.length + " bytes for " + count + " addresses, expected " + expected);
        }
        if (checksum(version, message, source, destination) != 0) {
            return new Received.Dropped(DropReason.CHECKSUM, String.format("checksum 0x%02x%02x does not verify", message[6], message[7]));
        }
        int intervalCs;
        String pass = "";
        if (version == VrrpVersion.V2) {
            int authType = message[4] & 0xff;
            if (authType != AUTH_NONE && authType != AUTH_SIMPLE_TEXT) {
                return new Received.Dropped(DropReason.AUTH_TYPE, "authentication type " + authType);
            }
            intervalCs = (message[5] & 0xff) * 100;
            if (authType == AUTH_SIMPLE_TEXT) {
                int start = expected - AUTH_DATA;
                int end = start;
                while (end < expected && message[end] != 0) {
                    end++;
                }
                pass = new String(message, start, end - start, StandardCharsets.UTF_8);
                if (pass.isEmpty()) {
                    return new Received.Dropped(DropReason.AUTH_PASS, "simple-text authentication with an empty password");
                }
            }
        } else {
            // The 4 reserved bits before the interval are ignored on receipt (RFC 5798 §5.2.5).
            intervalCs = ((message[4] & 0x0f) << 8) | (message[5] & 0xff);
        }
        if (intervalCs == 0) {
            return new Received.Dropped(DropReason.INTERVAL, "advertisement interval 0");
        }
        List<InetAddress> addresses = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            try {
                addresses.add(InetAddress.getByAddress(Arrays.copyOfRange(message, HEADER + i * addrLen, HEADER + (i + 1) * addrLen)));
            } catch (UnknownHostException e) {
                throw new AssertionError("4 or 16 bytes are an address", e);
            }
        }
        VrrpAdvert advert = new VrrpAdvert(version, message[1] & 0xff, message[2] & 0xff, intervalCs, addresses, pass);
        return new Received.Advert(advert, source);
    }

    private static int checksum(VrrpVersion version, byte[] message, InetAddress source, InetAddress destination) {
        InternetChecksum sum = new InternetChecksum();
        if (version == VrrpVersion.V3) {
            sum.add(source.getAddress()).add(destination.getAddress());
            if (source instanceof Inet4Address) {
                sum.add16(IP_PROTOCOL).add16(message.length);
            } else {
                sum.add16(message.length >>> 16).add16(message.length).add16(IP_PROTOCOL);
            }
        }
        return sum.add(message).finish();
    }

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
