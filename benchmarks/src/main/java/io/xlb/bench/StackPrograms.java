package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfObject;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Codec;
import io.xlb.bpf.PerCpuMap;
import io.xlb.dataplane.abi.MacAddress;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * bpf/bench/stack.c, loaded: {@code bench_sink} (counts IPv4 frames and drops them),
 * {@code bench_dr_floor} (the least a DR director does: MAC rewrite to one of n reals, XDP_TX)
 * and {@code bench_gen} (a traffic generator run in live-frames mode).
 */
final class StackPrograms implements AutoCloseable {
    private static final int MAX_REALS = 4;
    private static final int GEN_HEADER_LEN = 14 + 20 + 8;
    private final BpfObject object;
    private final PerCpuMap<Integer, byte[]> sinkCounts;
    private final PerCpuMap<Integer, byte[]> genSent;

    StackPrograms(Bpf bpf) {
        object = bpf.openResource(StackPrograms.class, "/bpf/stack.o");
        object.load();
        sinkCounts = object.map("sink_counts").perCpu(Codec.U32, Codec.bytes(16));
        genSent = object.map("gen_sent").perCpu(Codec.U32, Codec.bytes(8));
    }

    BpfProgram sink() {
        return object.program("bench_sink");
    }

    BpfProgram drFloor() {
        return object.program("bench_dr_floor");
    }

    BpfProgram generator() {
        return object.program("bench_gen");
    }

    /**
     * What {@code bench_gen} sends: {@code header} (Ethernet, IPv4 with its checksum, UDP with
     * none: 42 bytes) over every frame, source ports {@code firstPort} to {@code firstPort + flows - 1} in turn.
     */
    void generate(byte[] header, int flows, int firstPort) {
        if (header.length != GEN_HEADER_LEN || flows < 1 || firstPort < 1 || firstPort + flows > 65536) {
            throw new IllegalArgumentException(header.length + "-byte header, " + flows + " flows from port " + firstPort);
        }
        ByteBuffer b = ByteBuffer.allocate(GEN_HEADER_LEN + 4).order(ByteOrder.nativeOrder());
        b.put(header);
        b.putShort((short) flows);
        b.putShort((short) firstPort);
        object.map("gen_config").typed(Codec.U32, Codec.bytes(b.capacity())).put(0, b.array());
    }

    /** Frames {@code bench_gen} has sent, summed over every CPU. */
    long generated() {
        return sum(genSent);
    }

    /** Packets counted by {@code bench_sink}, summed over every CPU. */
    long sinkPackets() {
        return sum(sinkCounts);
    }

    /** The first 8 bytes of each CPU's value, a counter, summed. */
    private static long sum(PerCpuMap<Integer, byte[]> counters) {
        long total = 0;
        for (byte[] perCpu : counters.lookup(0).orElseThrow()) {
            total += ByteBuffer.wrap(perCpu).order(ByteOrder.nativeOrder()).getLong(0);
        }
        return total;
    }

    /** The floor forwarder's VIP and reals (their MACs, in the order it picks them). */
    void floorTo(Inet4Address vip, List<MacAddress> reals) {
        if (reals.isEmpty() || reals.size() > MAX_REALS) {
            throw new IllegalArgumentException("1 to " + MAX_REALS + " reals, not " + reals.size());
        }
        ByteBuffer b = ByteBuffer.allocate(8 + MAX_REALS * 6).order(ByteOrder.nativeOrder());
        b.put(vip.getAddress());
        b.putInt(reals.size());
        for (MacAddress mac : reals) {
            b.put(mac.bytes());
        }
        object.map("floor_config").typed(Codec.U32, Codec.bytes(b.capacity())).put(0, b.array());
    }

    @Override
    public void close() {
        object.close();
    }
}
