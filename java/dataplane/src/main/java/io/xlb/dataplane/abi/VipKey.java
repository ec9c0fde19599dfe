package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.VIP_KEY;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteOrder;

/** struct vip_key: a service's address, port (0: every port) and protocol. */
public record VipKey(InetAddress address, int port, Protocol protocol) {
    public VipKey {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    public static final Codec<VipKey> CODEC = new Codec<>() {
        public int size() { return (int) VIP_KEY.byteSize(); }

        public void encode(VipKey k, MemorySegment to) {
            Addresses.encode(k.address, to, offset(VIP_KEY, "addr"));
            to.set(BE16, offset(VIP_KEY, "port"), (short) k.port);
            to.set(ValueLayout.JAVA_BYTE, offset(VIP_KEY, "proto"), (byte) k.protocol.number);
            to.set(ValueLayout.JAVA_BYTE, offset(VIP_KEY, "family"), (byte) Addresses.family(k.address));
        }

        public VipKey decode(MemorySegment from) {
            int family = from.get(ValueLayout.JAVA_BYTE, offset(VIP_KEY, "family"));
            return new VipKey(Addresses.decode(from, offset(VIP_KEY, "addr"), family),
                    Short.toUnsignedInt(from.get(BE16, offset(VIP_KEY, "port"))),
                    Protocol.of(from.get(ValueLayout.JAVA_BYTE, offset(VIP_KEY, "proto"))));
        }
    };

    @Override
    public String toString() {
        String a = address.getHostAddress();
        return protocol + " " + (address instanceof java.net.Inet6Address ? "[" + a + "]" : a) + ":" + port;
    }
}
