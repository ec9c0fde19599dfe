package io.xlb.dataplane;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Builds test frames byte by byte, with valid IPv4, TCP and UDP checksums, independently of the
 * code under test: Ethernet (optionally one 802.1Q tag), IPv4 or IPv6, TCP or UDP.
 */
public record Frame(byte[] dstMac, byte[] srcMac, Integer vlan, InetAddress src, InetAddress dst, int proto,
             int sport, int dport, int tcpFlags, byte[] payload, int ipId, int fragField, int ttl) {

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int SYN = 0x02;
    public static final int ACK = 0x10;
    public static final int FIN = 0x01;
    public static final int RST = 0x04;
    public static final int DF = 0x4000;
    public static final int MF = 0x2000;

    public static final byte[] CLIENT_MAC = mac("02:00:00:00:00:0c");
    public static final byte[] DIRECTOR_MAC = mac("02:00:00:00:00:0d");

    public static Frame tcp(String src, int sport, String dst, int dport, int flags) {
        return new Frame(DIRECTOR_MAC, CLIENT_MAC, null, addr(src), addr(dst), TCP, sport, dport, flags,
                "GET / HTTP/1.0\r\n\r\n".getBytes(), 0x1234, DF, 64);
    }

    public static Frame udp(String src, int sport, String dst, int dport) {
        return new Frame(DIRECTOR_MAC, CLIENT_MAC, null, addr(src), addr(dst), UDP, sport, dport, 0,
                "query".getBytes(), 0x1234, 0, 64);
    }

    public Frame withVlan(int id) {
        return new Frame(dstMac, srcMac, id, src, dst, proto, sport, dport, tcpFlags, payload, ipId, fragField, ttl);
    }

    public Frame withDestinationMac(String mac) {
        return new Frame(mac(mac), srcMac, vlan, src, dst, proto, sport, dport, tcpFlags, payload, ipId, fragField, ttl);
    }

    public Frame withFlags(int flags) {
        return new Frame(dstMac, srcMac, vlan, src, dst, proto, sport, dport, flags, payload, ipId, fragField, ttl);
    }

    public Frame withSource(String a, int port) {
        return new Frame(dstMac, srcMac, vlan, addr(a), dst, proto, port, dport, tcpFlags, payload, ipId, fragField, ttl);
    }

    public Frame withPayload(byte[] p) {
        return new Frame(dstMac, srcMac, vlan, src, dst, proto, sport, dport, tcpFlags, p, ipId, fragField, ttl);
    }

    public Frame withFragment(int id, int fragField) {
        return new Frame(dstMac, srcMac, vlan, src, dst, proto, sport, dport, tcpFlags, payload, id, fragField, ttl);
    }

    public boolean v4() {
        return src instanceof Inet4Address;
    }

    public int l2Length() {
        return vlan == null ? 14 : 18;
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(dstMac);
        out.writeBytes(srcMac);
        if (vlan != null) {
            out.writeBytes(new byte[] {(byte) 0x81, 0x00, (byte) (vlan >> 8), (byte) (int) vlan});
        }
        out.writeBytes(v4() ? new byte[] {0x08, 0x00} : new byte[] {(byte) 0x86, (byte) 0xdd});
        out.writeBytes(ip());
        return out.toByteArray();
    }

    /** The L3 packet: what a tunnel carries unchanged. */
    public byte[] ip() {
        boolean laterFragment = (fragField & 0x1fff) != 0;
        byte[] l4 = laterFragment ? payload : l4();
        if (v4()) {
            ByteBuffer b = ByteBuffer.allocate(20 + l4.length);
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) ipId)
                    .putShort((short) fragField).put((byte) ttl).put((byte) proto).putShort((short) 0)
                    .put(src.getAddress()).put(dst.getAddress());
            b.putShort(10, checksum(b.array(), 0, 20, 0));
            b.put(l4);
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(40 + l4.length);
        b.putInt(0x60000000).putShort((short) l4.length).put((byte) proto).put((byte) ttl)
                .put(src.getAddress()).put(dst.getAddress()).put(l4);
        return b.array();
    }

    private byte[] l4() {
        ByteBuffer b;
        int csumAt;
        if (proto == TCP) {
            b = ByteBuffer.allocate(20 + payload.length);
            b.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(tcpFlags == SYN ? 0 : 2000)
                    .put((byte) 0x50).put((byte) tcpFlags).putShort((short) 65535).putShort((short) 0).putShort((short) 0)
                    .put(payload);
            csumAt = 16;
        } else {
            b = ByteBuffer.allocate(8 + payload.length);
            b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0)
                    .put(payload);
            csumAt = 6;
        }
        byte[] seg = b.array();
        long pseudo = sum(src.getAddress()) + sum(dst.getAddress()) + proto + seg.length;
        short c = checksum(seg, 0, seg.length, pseudo);
        if (proto == UDP && c == 0) {
            c = (short) 0xffff;
        }
        b.putShort(csumAt, c);
        return b.array();
    }

    private static long sum(byte[] a) {
        long s = 0;
        for (int i = 0; i < a.length; i += 2) {
            s += ((a[i] & 0xff) << 8) | (i + 1 < a.length ? a[i + 1] & 0xff : 0);
        }
        return s;
    }

    public static short checksum(byte[] a, int off, int len, long initial) {
        long s = initial;
        for (int i = 0; i < len; i += 2) {
            s += ((a[off + i] & 0xff) << 8) | (i + 1 < len ? a[off + i + 1] & 0xff : 0);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (short) ~s;
    }

    public static InetAddress addr(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    public static byte[] mac(String s) {
        return java.util.HexFormat.ofDelimiter(":").parseHex(s);
    }
}
