package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.LOCALITY_KEY;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;

/**
 * struct locality_key: a destination address of an lblc or lblcr service. The key carries no
 * family: an address whose last 12 bytes are zero reads back as IPv4 (it is written the same).
 */
public record LocalityKey(InetAddress address, int service) {
    public static final Codec<LocalityKey> CODEC = new Codec<>() {
        public int size() { return (int) LOCALITY_KEY.byteSize(); }

        public void encode(LocalityKey k, MemorySegment to) {
            Addresses.encode(k.address, to, offset(LOCALITY_KEY, "addr"));
            to.set(ValueLayout.JAVA_INT, offset(LOCALITY_KEY, "service"), k.service);
        }

        public LocalityKey decode(MemorySegment from) {
            long addr = offset(LOCALITY_KEY, "addr");
            boolean v4 = from.asSlice(addr + 4, Addresses.SIZE - 4).mismatch(MemorySegment.ofArray(new byte[Addresses.SIZE - 4])) < 0;
            return new LocalityKey(Addresses.decode(from, addr, v4 ? Addresses.AF_INET : Addresses.AF_INET6),
                    from.get(ValueLayout.JAVA_INT, offset(LOCALITY_KEY, "service")));
        }
    };
}
