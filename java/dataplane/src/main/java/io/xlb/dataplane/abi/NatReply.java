package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.NAT_REPLY;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;

/**
 * struct nat_reply: what a NAT real's replies restore as their source (the VIP and its port) and
 * whose they are (service and real indices). The value of nat_reals, keyed by the real's address,
 * port and protocol in a {@link VipKey}.
 */
public record NatReply(InetAddress vip, int vport, int service, int real) {
    public NatReply {
        if (vport < 1 || vport > 65535) {
            throw new IllegalArgumentException("a NAT reply restores a port 1..65535, not " + vport);
        }
    }

    /** The entry as the map holds it; the family is its key's (the struct does not carry one). */
    public static NatReply decode(MemorySegment from, int family) {
        return new NatReply(Addresses.decode(from, offset(NAT_REPLY, "vip"), family),
                Short.toUnsignedInt(from.get(VipKey.BE16, offset(NAT_REPLY, "vport"))),
                from.get(ValueLayout.JAVA_INT_UNALIGNED, offset(NAT_REPLY, "service")),
                from.get(ValueLayout.JAVA_INT_UNALIGNED, offset(NAT_REPLY, "real")));
    }

    /** Writes entries; reads them back with {@link #decode(MemorySegment, int)}, given their key's family. */
    public static final Codec<NatReply> CODEC = new Codec<>() {
        public int size() { return (int) NAT_REPLY.byteSize(); }

        public void encode(NatReply n, MemorySegment to) {
            to.fill((byte) 0);
            Addresses.encode(n.vip, to, offset(NAT_REPLY, "vip"));
            to.set(VipKey.BE16, offset(NAT_REPLY, "vport"), (short) n.vport);
            to.set(ValueLayout.JAVA_INT_UNALIGNED, offset(NAT_REPLY, "service"), n.service);
            to.set(ValueLayout.JAVA_INT_UNALIGNED, offset(NAT_REPLY, "real"), n.real);
        }

        public NatReply decode(MemorySegment from) {
            throw new UnsupportedOperationException("struct nat_reply has no family: NatReply.decode(segment, family)");
        }
    };
}
