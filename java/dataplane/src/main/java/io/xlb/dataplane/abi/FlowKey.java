package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.FLOW_KEY;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;

/** struct flow_key: a connection's 5-tuple as the client sent it; kind {@link #FRAGMENT} marks a fragment entry. */
public record FlowKey(InetAddress src, InetAddress dst, int sport, int dport, int proto, int kind) {
    /** XLB_FLOW_CONN and XLB_FLOW_FRAG. */
    public static final int CONNECTION = 0;
    public static final int FRAGMENT = 1;

    public static final Codec<FlowKey> CODEC = new Codec<>() {
        public int size() { return (int) FLOW_KEY.byteSize(); }

        public void encode(FlowKey k, MemorySegment to) {
            to.fill((byte) 0);
            Addresses.encode(k.src, to, offset(FLOW_KEY, "src"));
            Addresses.encode(k.dst, to, offset(FLOW_KEY, "dst"));
            to.set(VipKey.BE16, offset(FLOW_KEY, "sport"), (short) k.sport);
            to.set(VipKey.BE16, offset(FLOW_KEY, "dport"), (short) k.dport);
            to.set(ValueLayout.JAVA_BYTE, offset(FLOW_KEY, "proto"), (byte) k.proto);
            to.set(ValueLayout.JAVA_BYTE, offset(FLOW_KEY, "family"), (byte) Addresses.family(k.src));
            to.set(ValueLayout.JAVA_SHORT, offset(FLOW_KEY, "kind"), (short) k.kind);
        }

        public FlowKey decode(MemorySegment from) {
            int family = from.get(ValueLayout.JAVA_BYTE, offset(FLOW_KEY, "family"));
            return new FlowKey(Addresses.decode(from, offset(FLOW_KEY, "src"), family),
                    Addresses.decode(from, offset(FLOW_KEY, "dst"), family),
                    Short.toUnsignedInt(from.get(VipKey.BE16, offset(FLOW_KEY, "sport"))),
                    Short.toUnsignedInt(from.get(VipKey.BE16, offset(FLOW_KEY, "dport"))),
                    Byte.toUnsignedInt(from.get(ValueLayout.JAVA_BYTE, offset(FLOW_KEY, "proto"))),
                    Short.toUnsignedInt(from.get(ValueLayout.JAVA_SHORT, offset(FLOW_KEY, "kind"))));
        }
    };
}
