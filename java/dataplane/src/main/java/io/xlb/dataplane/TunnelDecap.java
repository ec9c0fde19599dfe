package io.xlb.dataplane;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfMap;
import io.xlb.bpf.BpfObject;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Codec;
import io.xlb.bpf.PerCpuMap;
import io.xlb.dataplane.abi.Addresses;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;

/**
 * The real-server side of TUN: bpf/decap.c, which strips IPIP / IP6IP6 addressed to one of
 * {@link #accept accepted} addresses and passes the inner packet up the stack.
 */
public final class TunnelDecap implements AutoCloseable {
    public static final String OBJECT = "/bpf/decap.o";
    public static final String PROGRAM = "xlb_decap";

    /** struct decap_addr: 16 address bytes, family, 3 of padding. */
    static final Codec<InetAddress> DECAP_ADDR = new Codec<>() {
        public int size() {
            return 20;
        }

        public void encode(InetAddress a, MemorySegment to) {
            to.fill((byte) 0);
            Addresses.encode(a, to, 0);
            to.set(ValueLayout.JAVA_BYTE, 16, (byte) Addresses.family(a));
        }

        public InetAddress decode(MemorySegment from) {
            return Addresses.decode(from, 0, from.get(ValueLayout.JAVA_BYTE, 16));
        }
    };

    /** What decap.c counted: packets stripped, by tunnel kind, and packets left alone. */
    public record Stats(long ipip, long ip6ip6, long passed) {}

    private final BpfObject object;
    private final BpfMap<InetAddress, Integer> addrs;
    private final PerCpuMap<Integer, Long> stats;

    private TunnelDecap(BpfObject object) {
        this.object = object;
        this.addrs = object.map("decap_addrs").typed(DECAP_ADDR, Codec.U32);
        this.stats = object.map("decap_stats").perCpu(Codec.U32, Codec.U64);
    }

    public static TunnelDecap load(Bpf bpf) {
        BpfObject object = bpf.openResource(TunnelDecap.class, OBJECT);
        object.load();
        return new TunnelDecap(object);
    }

    /** Tunnels whose outer destination is {@code address} are decapsulated. */
    public void accept(InetAddress address) {
        addrs.put(address, 1);
    }

    public BpfProgram program() {
        return object.program(PROGRAM);
    }

    public Stats stats() {
        return new Stats(count(0), count(1), count(2));
    }

    private long count(int index) {
        return stats.lookupSum(index, Long::sum).orElse(0L);
    }

    @Override
    public void close() {
        object.close();
    }
}
