package io.xlb.sys.netlink;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/** Netlink attributes (struct nlattr: u16 length, u16 type, value, padded to 4 bytes). */
public final class Attributes {
    private Attributes() {}

    private static final int NLA_TYPE_MASK = 0x3fff;

    /** Appends one attribute to {@code out}. */
    public static void put(ByteArrayOutputStream out, int type, byte[] value) {
        int len = 4 + value.length;
        ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        h.putShort((short) len).putShort((short) type);
        out.writeBytes(h.array());
        out.writeBytes(value);
        out.writeBytes(new byte[NetlinkSocket.align(len) - len]);
    }

    public static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** The attributes from {@code offset} to the end of {@code payload}, by type (last one wins). */
    public static Map<Integer, byte[]> parse(ByteBuffer payload, int offset) {
        Map<Integer, byte[]> out = new HashMap<>();
        int at = offset;
        while (at + 4 <= payload.limit()) {
            int len = Short.toUnsignedInt(payload.getShort(at));
            int type = Short.toUnsignedInt(payload.getShort(at + 2)) & NLA_TYPE_MASK;
            if (len < 4 || at + len > payload.limit()) {
                break;
            }
            byte[] value = new byte[len - 4];
            payload.get(at + 4, value);
            out.put(type, value);
            at += NetlinkSocket.align(len);
        }
        return out;
    }
}
