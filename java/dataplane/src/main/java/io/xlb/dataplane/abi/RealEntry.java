package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.REAL;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;

/**
 * struct real: where and how a real is reached, its weight (0: quiesced), and which service and
 * port it is (so a restarted controller can re-adopt the maps).
 */
public record RealEntry(InetAddress address, Method method, int flags, int weight, MacAddress mac, int ifindex,
                        int service, int port, int configuredWeight) {
    public static final Codec<RealEntry> CODEC = new Codec<>() {
        public int size() { return (int) REAL.byteSize(); }

        public void encode(RealEntry r, MemorySegment to) {
            to.fill((byte) 0);
            Addresses.encode(r.address, to, offset(REAL, "addr"));
            to.set(ValueLayout.JAVA_BYTE, offset(REAL, "family"), (byte) Addresses.family(r.address));
            to.set(ValueLayout.JAVA_BYTE, offset(REAL, "method"), (byte) r.method.code);
            to.set(ValueLayout.JAVA_SHORT, offset(REAL, "flags"), (short) r.flags);
            to.set(ValueLayout.JAVA_INT, offset(REAL, "weight"), r.weight);
            MemorySegment.copy(r.mac.bytes(), 0, to, ValueLayout.JAVA_BYTE, offset(REAL, "mac"), 6);
            to.set(ValueLayout.JAVA_INT, offset(REAL, "ifindex"), r.ifindex);
            to.set(ValueLayout.JAVA_INT, offset(REAL, "service"), r.service);
            to.set(VipKey.BE16, offset(REAL, "port"), (short) r.port);
            to.set(ValueLayout.JAVA_SHORT, offset(REAL, "conf_weight"), (short) r.configuredWeight);
        }

        public RealEntry decode(MemorySegment from) {
            int family = from.get(ValueLayout.JAVA_BYTE, offset(REAL, "family"));
            InetAddress addr = family == 0 ? null : Addresses.decode(from, offset(REAL, "addr"), family);
            return new RealEntry(addr, Method.of(from.get(ValueLayout.JAVA_BYTE, offset(REAL, "method"))),
                    Short.toUnsignedInt(from.get(ValueLayout.JAVA_SHORT, offset(REAL, "flags"))),
                    from.get(ValueLayout.JAVA_INT, offset(REAL, "weight")),
                    new MacAddress(from.asSlice(offset(REAL, "mac"), 6).toArray(ValueLayout.JAVA_BYTE)),
                    from.get(ValueLayout.JAVA_INT, offset(REAL, "ifindex")),
                    from.get(ValueLayout.JAVA_INT, offset(REAL, "service")),
                    Short.toUnsignedInt(from.get(VipKey.BE16, offset(REAL, "port"))),
                    Short.toUnsignedInt(from.get(ValueLayout.JAVA_SHORT, offset(REAL, "conf_weight"))));
        }
    };
}
