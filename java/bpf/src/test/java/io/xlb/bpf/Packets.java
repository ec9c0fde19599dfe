package io.xlb.bpf;

import java.nio.ByteBuffer;

/** Hand-built frames for BPF_PROG_TEST_RUN, with correct IPv4 header checksums. */
final class Packets {
    private Packets() {}

    static final byte[] CLIENT_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    static final byte[] DIRECTOR_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

    /** Ethernet + IPv4 (no options) + UDP + payload, from 10.0.0.1:40000 to 10.0.0.2:dport. */
    static byte[] udp4(int dport, byte[] payload) {
        int ipLen = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLen);
        b.put(DIRECTOR_MAC).put(CLIENT_MAC).putShort((short) 0x0800);
        int ipStart = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLen).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        b.putShort(ipStart + 10, ipChecksum(b.array(), ipStart, 20));
        b.putShort((short) 40000).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    static short ipChecksum(byte[] a, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += ((a[off + i] & 0xff) << 8) | (a[off + i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (short) ~sum;
    }
}
