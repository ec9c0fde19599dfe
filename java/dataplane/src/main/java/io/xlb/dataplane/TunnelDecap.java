package io.xlb.dataplane;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfMap;
import io.xlb.bpf.BpfObject;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Codec;
import io.xlb.bpf.PerCpuMap;
import io.xlb.bpf.RawMap;
import io.xlb.dataplane.abi.Addresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The real-server side of TUN: bpf/decap.c, which strips IPIP / IP6IP6 addressed to one of
 * {@link #accept accepted} addresses and passes the inner packet up the stack. {@link #pin} leaves
 * the program and its maps on a bpffs so that a later process can {@link #adopt} them.
 */
public final class TunnelDecap implements AutoCloseable {
    public static final String OBJECT = "/bpf/decap.o";
    public static final String PROGRAM = "xlb_decap";
    public static final String ADDRS_MAP = "decap_addrs";
    public static final String STATS_MAP = "decap_stats";
    /** What {@link #pin} leaves in its directory. */
    public static final List<String> PINS = List.of(PROGRAM, ADDRS_MAP, STATS_MAP);

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

    private final BpfObject object; // null when adopted from pins
    private final BpfProgram program;
    private final RawMap addrsRaw;
    private final RawMap statsRaw;
    private final BpfMap<InetAddress, Integer> addrs;
    private final PerCpuMap<Integer, Long> stats;

    private TunnelDecap(BpfObject object, BpfProgram program, RawMap addrs, RawMap stats) {
        this.object = object;
        this.program = program;
        this.addrsRaw = addrs;
        this.statsRaw = stats;
        this.addrs = addrs.typed(DECAP_ADDR, Codec.U32);
        this.stats = stats.perCpu(Codec.U32, Codec.U64);
    }

    public static TunnelDecap load(Bpf bpf) {
        BpfObject object = bpf.openResource(TunnelDecap.class, OBJECT);
        object.load();
        return new TunnelDecap(object, object.program(PROGRAM), object.map(ADDRS_MAP), object.map(STATS_MAP));
    }

    /** Opens what {@link #pin} left under {@code dir}. */
    public static TunnelDecap adopt(Bpf bpf, Path dir) {
        return new TunnelDecap(null, bpf.openPinnedProgram(dir.resolve(PROGRAM)),
                bpf.openPinnedMap(dir.resolve(ADDRS_MAP)), bpf.openPinnedMap(dir.resolve(STATS_MAP)));
    }

    /** Pins the program and its maps under {@code dir} (on a bpffs), which is created if need be. */
    public void pin(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        program.pin(dir.resolve(PROGRAM));
        addrsRaw.pin(dir.resolve(ADDRS_MAP));
        statsRaw.pin(dir.resolve(STATS_MAP));
    }

    /** Removes what {@link #pin} left under {@code dir}, and {@code dir} when that empties it. */
    public static void unpin(Bpf bpf, Path dir) {
        PINS.forEach(name -> bpf.unpin(dir.resolve(name)));
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // something else lives there too: leave it
        }
    }

    /** Tunnels whose outer destination is {@code address} are decapsulated. */
    public void accept(InetAddress address) {
        addrs.put(address, 1);
    }

    /** Tunnels to {@code address} are no longer decapsulated; false if they were not. */
    public boolean reject(InetAddress address) {
        return addrs.delete(address);
    }

    /** The outer destinations accepted, in map order. */
    public Set<InetAddress> accepted() {
        return new LinkedHashSet<>(addrs.keys());
    }

    public BpfProgram program() {
        return program;
    }

    public Stats stats() {
        return new Stats(count(0), count(1), count(2));
    }

    private long count(int index) {
        return stats.lookupSum(index, Long::sum).orElse(0L);
    }

    @Override
    public void close() {
        if (object != null) {
            object.close();
        }
    }
}
