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
    /** An unused slot of the reals array: no address. */
    static final RealEntry EMPTY = new RealEntry(null, Method.DR, 0, 0, MacAddress.ZERO, 0, 0, 0, 0);

    public static final Codec<RealEntry> CODEC = new Codec<>() {
        // Offsets looked up once: a listing decodes every slot of the array.
        private final long addr = offset(REAL, "addr");
        private final long family = offset(REAL, "family");
        private final long method = offset(REAL, "method");
        private final long flags = offset(REAL, "flags");
        private final long weight = offset(REAL, "weight");
        private final long mac = offset(REAL, "mac");
        private final long ifindex = offset(REAL, "ifindex");
        private final long service = offset(REAL, "service");
        private final long port = offset(REAL, "port");
        private final long confWeight = offset(REAL, "conf_weight");

        public int size() { return (int) REAL.byteSize(); }

        public void encode(RealEntry r, MemorySegment to) {
            to.fill((byte) 0);
            if (r.address == null) {
                return;
            }
            Addresses.encode(r.address, to, addr);
            to.set(ValueLayout.JAVA_BYTE, family, (byte) Addresses.family(r.address));
            to.set(ValueLayout.JAVA_BYTE, method, (byte) r.method.code);
            to.set(ValueLayout.JAVA_SHORT, flags, (short) r.flags);
            to.set(ValueLayout.JAVA_INT, weight, r.weight);
            MemorySegment.copy(r.mac.bytes(), 0, to, ValueLayout.JAVA_BYTE, mac, 6);
            to.set(ValueLayout.JAVA_INT, ifindex, r.ifindex);
            to.set(ValueLayout.JAVA_INT, service, r.service);
            to.set(VipKey.BE16, port, (short) r.port);
            to.set(ValueLayout.JAVA_SHORT, confWeight, (short) r.configuredWeight);
        }

        public RealEntry decode(MemorySegment from) {
            int f = from.get(ValueLayout.JAVA_BYTE, family);
            if (f == 0) {
                return EMPTY;
            }
            return new RealEntry(Addresses.decode(from, addr, f), Method.of(from.get(ValueLayout.JAVA_BYTE, method)),
                    Short.toUnsignedInt(from.get(ValueLayout.JAVA_SHORT, flags)),
                    from.get(ValueLayout.JAVA_INT, weight),
                    new MacAddress(from.asSlice(mac, 6).toArray(ValueLayout.JAVA_BYTE)),
                    from.get(ValueLayout.JAVA_INT, ifindex),
                    from.get(ValueLayout.JAVA_INT, service),
                    Short.toUnsignedInt(from.get(VipKey.BE16, port)),
                    Short.toUnsignedInt(from.get(ValueLayout.JAVA_SHORT, confWeight)));
        }
    };
}
