package io.xlb.testing;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * A test frame built layer by layer, byte by byte and apart from the code under test, for what goes
 * into a program and for what must come out of it alike (as Katran's test fixtures state both):
 *
 * <pre>{@code
 * Frame in = Frame.eth(CLIENT_MAC, DIRECTOR_MAC).vlan(7).ipv4("198.51.100.7", "192.0.2.10").tcp(40000, 80, SYN);
 * Frame out = in.macs(DIRECTOR_MAC, realMac).ipv4(tunnelSource, real).ipip(in);
 * }</pre>
 *
 * Ethernet (optionally one 802.1Q tag), then ARP, or IPv4 (with options) or IPv6, then TCP, UDP,
 * ICMP, ICMPv6, an encapsulated IP packet (IPIP, IP6IP6) or any other protocol's message given
 * whole. Lengths and checksums (IPv4 header, TCP, UDP, ICMP, ICMPv6 with their pseudo-headers) are
 * computed from the layers with {@link Checksum}. Every call returns a new frame; a frame never
 * changes. Replacing the IP header ({@link #ipv4}, {@link #ipv6}) keeps the layers above it.
 *
 * Longer than most files: one builder for every layer the tests state, so that input and expected
 * output are written the same way.
 */
public final class Frame {
    public static final int ICMP = 1;
    public static final int IPIP = 4;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int IPV6 = 41;
    public static final int ICMPV6 = 58;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    /** IPv4 flags, in the 16-bit flags-and-fragment-offset field. */
    public static final int DF = 0x4000;
    public static final int MF = 0x2000;

    /** The MACs of the dataplane tests' client and director. */
    public static final byte[] CLIENT_MAC = mac("02:00:00:00:00:0c");
    public static final byte[] DIRECTOR_MAC = mac("02:00:00:00:00:0d");

    private static final byte[] HTTP_GET = "GET / HTTP/1.0\r\n\r\n".getBytes();
    private static final byte[] QUERY = "query".getBytes();

    private record Ip(InetAddress src, InetAddress dst, int id, int fragField, int ttl, int tos, byte[] options) {
        boolean v4() {
            return src instanceof Inet4Address;
        }

        Ip with(InetAddress newSrc, InetAddress newDst) {
            return new Ip(newSrc, newDst, id, fragField, ttl, tos, options);
        }
    }

    /** What follows the IP header. */
    private sealed interface Upper {}

    private record Tcp(int sport, int dport, int flags) implements Upper {}

    private record Udp(int sport, int dport) implements Upper {}

    /** ICMP (over IPv4) or ICMPv6: type, code, the 32 bits after the checksum, and the body. */
    private record Icmp(boolean v6, int type, int code, int rest, byte[] body) implements Upper {}

    /** A message given whole under its protocol number (an encapsulated packet, a VRRP advert). */
    private record Raw(int protocol, byte[] message) implements Upper {}

    private final byte[] srcMac;
    private final byte[] dstMac;
    private final Integer vlan;
    /** Ethernet's payload when it is not IP (ARP), with its EtherType. */
    private final int etherType;
    private final byte[] l3;
    private final Ip ip;
    private final Upper upper;
    /** The data after a TCP or UDP header (all of a later fragment's IP payload). */
    private final byte[] payload;

    private Frame(byte[] srcMac, byte[] dstMac, Integer vlan, int etherType, byte[] l3, Ip ip, Upper upper, byte[] payload) {
        this.srcMac = srcMac.clone();
        this.dstMac = dstMac.clone();
        this.vlan = vlan;
        this.etherType = etherType;
        this.l3 = l3;
        this.ip = ip;
        this.upper = upper;
        this.payload = payload;
        if (srcMac.length != 6 || dstMac.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes");
        }
    }

    // ---- Ethernet

    /** An Ethernet header from {@code src} to {@code dst}; the layers above come next. */
    public static Frame eth(byte[] src, byte[] dst) {
        return new Frame(src, dst, null, 0, null, null, null, new byte[0]);
    }

    public static Frame eth(String src, String dst) {
        return eth(mac(src), mac(dst));
    }

    /** The same frame between other MACs (what DR emits: the real's as destination, the director's as source). */
    public Frame macs(byte[] src, byte[] dst) {
        return new Frame(src, dst, vlan, etherType, l3, ip, upper, payload);
    }

    public Frame macs(String src, String dst) {
        return macs(mac(src), mac(dst));
    }

    public Frame dstMac(String dst) {
        return macs(srcMac, mac(dst));
    }

    /** One 802.1Q tag with VLAN {@code id} (priority 0). */
    public Frame vlan(int id) {
        return new Frame(srcMac, dstMac, id, etherType, l3, ip, upper, payload);
    }

    // ---- ARP

    /** An ARP message for IPv4 over Ethernet ({@code op} 1 request, 2 reply) instead of IP. */
    public Frame arp(int op, byte[] senderMac, String senderIp, byte[] targetMac, String targetIp) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op)
                .put(senderMac).put(v4(senderIp).getAddress()).put(targetMac).put(v4(targetIp).getAddress());
        return new Frame(srcMac, dstMac, vlan, 0x0806, b.array(), null, null, new byte[0]);
    }

    // ---- IP

    /**
     * An IPv4 header from {@code src} to {@code dst}: identification 0, no flags, TTL 64, TOS 0, no
     * options (set them with {@link #ipId}, {@link #frag}, {@link #ttl}, {@link #tos},
     * {@link #ipOptions}); total length and header checksum are computed.
     */
    public Frame ipv4(InetAddress src, InetAddress dst) {
        if (!(src instanceof Inet4Address) || !(dst instanceof Inet4Address)) {
            throw new IllegalArgumentException("ipv4 takes IPv4 addresses: " + src + ", " + dst);
        }
        return withIp(new Ip(src, dst, 0, 0, 64, 0, new byte[0]));
    }

    public Frame ipv4(String src, String dst) {
        return ipv4(addr(src), addr(dst));
    }

    /** An IPv6 header from {@code src} to {@code dst}: hop limit 64, traffic class 0, flow label 0. */
    public Frame ipv6(InetAddress src, InetAddress dst) {
        if (src instanceof Inet4Address || dst instanceof Inet4Address) {
            throw new IllegalArgumentException("ipv6 takes IPv6 addresses: " + src + ", " + dst);
        }
        return withIp(new Ip(src, dst, 0, 0, 64, 0, new byte[0]));
    }

    public Frame ipv6(String src, String dst) {
        return ipv6(addr(src), addr(dst));
    }

    /** {@link #ipv4} or {@link #ipv6}, after the addresses' family. */
    public Frame ip(String src, String dst) {
        InetAddress s = addr(src);
        return s instanceof Inet4Address ? ipv4(s, addr(dst)) : ipv6(s, addr(dst));
    }

    /** The IPv4 identification. */
    public Frame ipId(int id) {
        Ip h = ipv4Header("ipId");
        return withIp(new Ip(h.src, h.dst, id, h.fragField, h.ttl, h.tos, h.options));
    }

    /** The IPv4 flags and fragment offset field (e.g. {@link #DF}, {@link #MF}, or an offset in 8-byte units). */
    public Frame frag(int fragField) {
        Ip h = ipv4Header("frag");
        return withIp(new Ip(h.src, h.dst, h.id, fragField, h.ttl, h.tos, h.options));
    }

    /** The TTL (IPv4) or hop limit (IPv6). */
    public Frame ttl(int ttl) {
        Ip h = ipHeader("ttl");
        return withIp(new Ip(h.src, h.dst, h.id, h.fragField, ttl, h.tos, h.options));
    }

    /** The TOS (IPv4) or traffic class (IPv6). */
    public Frame tos(int tos) {
        Ip h = ipHeader("tos");
        return withIp(new Ip(h.src, h.dst, h.id, h.fragField, h.ttl, tos, h.options));
    }

    /** IPv4 options, a multiple of 4 bytes; the header length follows. */
    public Frame ipOptions(byte[] options) {
        Ip h = ipv4Header("ipOptions");
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("IPv4 options are up to 40 bytes in 4-byte words: " + options.length);
        }
        return withIp(new Ip(h.src, h.dst, h.id, h.fragField, h.ttl, h.tos, options.clone()));
    }

    /** The same flow from another client: source address and port. */
    public Frame source(String address, int port) {
        Ip h = ipHeader("source");
        Frame f = withIp(h.with(addr(address), h.dst));
        return switch (upper) {
            case Tcp t -> f.withUpper(new Tcp(port, t.dport, t.flags));
            case Udp u -> f.withUpper(new Udp(port, u.dport));
            case null, default -> throw new IllegalStateException("source(address, port) needs tcp() or udp()");
        };
    }

    // ---- above IP

    /**
     * A TCP header: sequence 1000, acknowledgment 2000 when {@code flags} has {@link #ACK} (else 0),
     * no options, window 65535; the checksum covers the pseudo-header and the {@link #payload}.
     */
    public Frame tcp(int sport, int dport, int flags) {
        ipHeader("tcp");
        return withUpper(new Tcp(sport, dport, flags));
    }

    public Frame tcpFlags(int flags) {
        if (!(upper instanceof Tcp t)) {
            throw new IllegalStateException("tcpFlags needs tcp()");
        }
        return withUpper(new Tcp(t.sport, t.dport, flags));
    }

    /** A UDP header; its checksum covers the pseudo-header and the {@link #payload} (0 is sent as 0xffff). */
    public Frame udp(int sport, int dport) {
        ipHeader("udp");
        return withUpper(new Udp(sport, dport));
    }

    /** The data after the TCP or UDP header (all of the IP payload of a later fragment). */
    public Frame payload(byte[] data) {
        return new Frame(srcMac, dstMac, vlan, etherType, l3, ip, upper, data.clone());
    }

    public Frame payload(String data) {
        return payload(data.getBytes());
    }

    /** An ICMP message over IPv4: type, code, the 32 bits after the checksum ({@code rest}), the body. */
    public Frame icmp(int type, int code, int rest, byte[] body) {
        if (!ipHeader("icmp").v4()) {
            throw new IllegalStateException("icmp is over IPv4: icmp6 for IPv6");
        }
        return withUpper(new Icmp(false, type, code, rest, body.clone()));
    }

    /** An ICMPv6 message: type, code, the 32 bits after the checksum ({@code rest}), the body. */
    public Frame icmp6(int type, int code, int rest, byte[] body) {
        if (ipHeader("icmp6").v4()) {
            throw new IllegalStateException("icmp6 is over IPv6: icmp for IPv4");
        }
        return withUpper(new Icmp(true, type, code, rest, body.clone()));
    }

    /** This IPv4 header carrying {@code inner}'s IPv4 packet unchanged (protocol 4). */
    public Frame ipip(Frame inner) {
        if (!ipHeader("ipip").v4() || !inner.v4()) {
            throw new IllegalStateException("ipip is IPv4 in IPv4");
        }
        return withUpper(new Raw(IPIP, inner.ip()));
    }

    /** This IPv6 header carrying {@code inner}'s IPv6 packet unchanged (next header 41). */
    public Frame ip6ip6(Frame inner) {
        if (ipHeader("ip6ip6").v4() || inner.v4()) {
            throw new IllegalStateException("ip6ip6 is IPv6 in IPv6");
        }
        return withUpper(new Raw(IPV6, inner.ip()));
    }

    /** Any other protocol's message, given whole (its own checksum in it), under {@code protocol}. */
    public Frame ipPayload(int protocol, byte[] message) {
        ipHeader("ipPayload");
        return withUpper(new Raw(protocol, message.clone()));
    }

    // ---- the shapes most dataplane tests start from

    /**
     * A client's TCP segment to the director carrying an HTTP request: {@link #CLIENT_MAC} to
     * {@link #DIRECTOR_MAC}, IPv4 (identification 0x1234, DF) or IPv6 after the addresses.
     */
    public static Frame tcp(String src, int sport, String dst, int dport, int flags) {
        Frame f = eth(CLIENT_MAC, DIRECTOR_MAC).ip(src, dst);
        if (f.v4()) {
            f = f.ipId(0x1234).frag(DF);
        }
        return f.tcp(sport, dport, flags).payload(HTTP_GET);
    }

    /** A client's UDP datagram to the director: as {@link #tcp(String, int, String, int, int)}, without DF. */
    public static Frame udp(String src, int sport, String dst, int dport) {
        Frame f = eth(CLIENT_MAC, DIRECTOR_MAC).ip(src, dst);
        if (f.v4()) {
            f = f.ipId(0x1234);
        }
        return f.udp(sport, dport).payload(QUERY);
    }

    // ---- reading it back

    public InetAddress src() {
        return ipHeader("src").src;
    }

    public InetAddress dst() {
        return ipHeader("dst").dst;
    }

    public boolean v4() {
        return ipHeader("v4").v4();
    }

    public int ipId() {
        return ipv4Header("ipId").id;
    }

    public int fragField() {
        return ipv4Header("fragField").fragField;
    }

    /** The bytes before the IP header: 14, or 18 with a VLAN tag. */
    public int l2Length() {
        return vlan == null ? 14 : 18;
    }

    /** The whole frame. */
    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(dstMac);
        out.writeBytes(srcMac);
        if (vlan != null) {
            out.writeBytes(new byte[] {(byte) 0x81, 0x00, (byte) (vlan >> 8), (byte) (int) vlan});
        }
        if (ip == null) {
            if (l3 == null) {
                throw new IllegalStateException("no layer above Ethernet: ipv4(), ipv6() or arp()");
            }
            out.writeBytes(new byte[] {(byte) (etherType >> 8), (byte) etherType});
            out.writeBytes(l3);
        } else {
            out.writeBytes(ip.v4() ? new byte[] {0x08, 0x00} : new byte[] {(byte) 0x86, (byte) 0xdd});
            out.writeBytes(ip());
        }
        return out.toByteArray();
    }

    /** The IP packet: what a tunnel carries unchanged, what an ICMP error quotes. */
    public byte[] ip() {
        Ip h = ipHeader("ip");
        if (upper == null) {
            throw new IllegalStateException("no layer above IP: tcp(), udp(), icmp(), icmp6(), ipip(), ip6ip6() or ipPayload()");
        }
        boolean laterFragment = h.v4() && (h.fragField & 0x1fff) != 0;
        byte[] body = laterFragment ? payload : upper(h);
        if (h.v4()) {
            int headerLength = 20 + h.options.length;
            ByteBuffer b = ByteBuffer.allocate(headerLength + body.length);
            b.put((byte) (0x40 | headerLength / 4)).put((byte) h.tos).putShort((short) (headerLength + body.length))
                    .putShort((short) h.id).putShort((short) h.fragField).put((byte) h.ttl).put((byte) protocol())
                    .putShort((short) 0).put(h.src.getAddress()).put(h.dst.getAddress()).put(h.options);
            b.putShort(10, (short) Checksum.of(b.array(), 0, headerLength));
            return b.put(body).array();
        }
        ByteBuffer b = ByteBuffer.allocate(40 + body.length);
        b.putInt(0x60000000 | (h.tos & 0xff) << 20).putShort((short) body.length).put((byte) protocol()).put((byte) h.ttl)
                .put(h.src.getAddress()).put(h.dst.getAddress()).put(body);
        return b.array();
    }

    private int protocol() {
        return switch (upper) {
            case Tcp t -> TCP;
            case Udp u -> UDP;
            case Icmp i -> i.v6 ? ICMPV6 : ICMP;
            case Raw r -> r.protocol;
        };
    }

    private byte[] upper(Ip h) {
        return switch (upper) {
            case Tcp t -> {
                ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
                b.putShort((short) t.sport).putShort((short) t.dport).putInt(1000).putInt((t.flags & ACK) != 0 ? 2000 : 0)
                        .put((byte) 0x50).put((byte) t.flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0)
                        .put(payload);
                b.putShort(16, (short) pseudoHeader(h, TCP, b.capacity()).add(b.array()).finish());
                yield b.array();
            }
            case Udp u -> {
                ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
                b.putShort((short) u.sport).putShort((short) u.dport).putShort((short) (8 + payload.length)).putShort((short) 0)
                        .put(payload);
                int c = pseudoHeader(h, UDP, b.capacity()).add(b.array()).finish();
                b.putShort(6, (short) (c == 0 ? 0xffff : c));
                yield b.array();
            }
            case Icmp i -> {
                ByteBuffer b = ByteBuffer.allocate(8 + i.body.length);
                b.put((byte) i.type).put((byte) i.code).putShort((short) 0).putInt(i.rest).put(i.body);
                Checksum c = i.v6 ? pseudoHeader(h, ICMPV6, b.capacity()) : new Checksum();
                b.putShort(2, (short) c.add(b.array()).finish());
                yield b.array();
            }
            case Raw r -> r.message.clone();
        };
    }

    /** RFC 793/768's IPv4 pseudo-header, or RFC 8200 §8.1's IPv6 one, summed. */
    private static Checksum pseudoHeader(Ip h, int protocol, int length) {
        Checksum c = new Checksum().add(h.src.getAddress()).add(h.dst.getAddress());
        return h.v4() ? c.add16(protocol).add16(length) : c.add32(length).add32(protocol);
    }

    private Frame withIp(Ip h) {
        return new Frame(srcMac, dstMac, vlan, 0, null, h, upper, payload);
    }

    /** The layer above IP; a TCP or UDP payload set before stays, any other layer carries its own bytes. */
    private Frame withUpper(Upper u) {
        byte[] data = u instanceof Tcp || u instanceof Udp ? payload : new byte[0];
        return new Frame(srcMac, dstMac, vlan, etherType, l3, ip, u, data);
    }

    private Ip ipHeader(String what) {
        if (ip == null) {
            throw new IllegalStateException(what + " needs an IP header: ipv4() or ipv6() first");
        }
        return ip;
    }

    private Ip ipv4Header(String what) {
        Ip h = ipHeader(what);
        if (!h.v4()) {
            throw new IllegalStateException(what + " is an IPv4 field");
        }
        return h;
    }

    private static InetAddress v4(String literal) {
        InetAddress a = addr(literal);
        if (!(a instanceof Inet4Address)) {
            throw new IllegalArgumentException("not an IPv4 address: " + literal);
        }
        return a;
    }

    public static InetAddress addr(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    public static byte[] mac(String s) {
        return HexFormat.ofDelimiter(":").parseHex(s);
    }

    /** The frame's bytes in hex, for assertion messages. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes());
    }
}
