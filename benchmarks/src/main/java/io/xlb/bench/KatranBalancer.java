package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfObject;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Codec;
import io.xlb.bpf.MapSpec;
import io.xlb.bpf.MapType;
import io.xlb.bpf.RawMap;
import io.xlb.testing.Frame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Katran's XDP balancer (facebookincubator/katran, katran/lib/bpf/balancer.bpf.c, built by
 * benchmarks/build-katran), loaded and configured as its control plane (KatranLb) would: one IPv4
 * and one IPv6 VIP of 4 reals each, their consistent-hash rings, one LRU connection table per CPU
 * in {@code lru_mapping}, and the default gateway's MAC in {@code ctl_array}. The structs are
 * Katran's, from balancer_structs.h and control_data_maps.h.
 */
final class KatranBalancer implements AutoCloseable {
    /** balancer_consts.h: RING_SIZE, MAX_SUPPORTED_CPUS. */
    static final int RING_SIZE = 65537;
    private static final int MAX_SUPPORTED_CPUS = 128;
    /** balancer_consts.h: real_definition.flags, IPIP_V4_PREFIX, IPIP_V6_PREFIX1..3, DEFAULT_TTL. */
    private static final int F_IPV6 = 1;
    private static final int IPIP_V4_PREFIX = 4268;
    private static final int IPIP_V6_PREFIX1 = 1;
    private static final int DEFAULT_TTL = 64;
    /** sizeof: struct flow_key (37, padded), real_pos_lru, vip_definition, vip_meta, real_definition, ctl_value. */
    private static final int FLOW_KEY = 40;
    private static final int REAL_POS_LRU = 16;
    private static final int VIP_DEFINITION = 20;
    private static final int VIP_META = 8;
    private static final int REAL_DEFINITION = 20;
    private static final int CTL_VALUE = 8;
    /** ctl_array's index of the default router's MAC. */
    private static final int MAC_ADDR_POS = 0;
    private static final int REALS_PER_VIP = 4;

    static final byte[] GATEWAY_MAC = Frame.mac("02:00:00:00:00:fe");

    private final BpfObject object;
    private final BpfProgram program;
    private final Map<Integer, InetAddress> realsByIndex = new HashMap<>();
    /** The LRUs and lru_mapping, created here: closed with the balancer, not only with {@code bpf}. */
    private final List<RawMap> created = new java.util.ArrayList<>();

    /**
     * Loads {@code objectFile} with a per-CPU LRU of {@code lruPerCpu} entries and configures
     * {@code vip4} and {@code vip6} (port 80, TCP) over {@code reals4} and {@code reals6}.
     */
    KatranBalancer(Bpf bpf, Path objectFile, int lruPerCpu, String vip4, List<String> reals4, String vip6,
                   List<String> reals6) {
        if (reals4.size() != REALS_PER_VIP || reals6.size() != REALS_PER_VIP) {
            throw new IllegalArgumentException("4 reals per VIP");
        }
        object = bpf.openObject(objectFile);
        boolean loaded = false;
        try {
            // KatranLb::initLrus: one LRU_HASH per forwarding CPU, put in lru_mapping before load.
            // lru_mapping's inner maps must match its template, so the template is one of ours.
            int cpus = bpf.possibleCpus();
            RawMap[] lrus = new RawMap[cpus];
            for (int cpu = 0; cpu < cpus; cpu++) {
                lrus[cpu] = bpf.createMap(MapSpec.of(MapType.LRU_HASH, "katran_lru" + cpu, FLOW_KEY, REAL_POS_LRU,
                        lruPerCpu));
                created.add(lrus[cpu]);
            }
            RawMap mapping = bpf.createMap(new MapSpec(MapType.ARRAY_OF_MAPS, "lru_mapping", 4, 4, MAX_SUPPORTED_CPUS, 0,
                    lrus[0].fd()));
            created.add(mapping);
            var slots = mapping.ofMaps(Codec.U32);
            for (int cpu = 0; cpu < cpus; cpu++) {
                slots.replace(cpu, lrus[cpu]);
            }
            object.reuseMap("lru_mapping", mapping);
            object.load();
            program = object.program("balancer_ingress");

            var ctl = object.map("ctl_array").typed(Codec.U32, Codec.bytes(CTL_VALUE));
            ctl.put(MAC_ADDR_POS, java.util.Arrays.copyOf(GATEWAY_MAC, CTL_VALUE));
            var vips = object.map("vip_map").typed(Codec.bytes(VIP_DEFINITION), Codec.bytes(VIP_META));
            var reals = object.map("reals").typed(Codec.U32, Codec.bytes(REAL_DEFINITION));
            var rings = object.map("ch_rings");
            int realIndex = 1; // 0 is "no real" in Katran's rings
            String[] vipAddrs = {vip4, vip6};
            List<List<String>> realAddrs = List.of(reals4, reals6);
            for (int vipNum = 0; vipNum < 2; vipNum++) {
                vips.put(vipDefinition(Frame.addr(vipAddrs[vipNum]), 80, Frame.TCP), vipMeta(0, vipNum));
                int first = realIndex;
                for (String r : realAddrs.get(vipNum)) {
                    InetAddress a = Frame.addr(r);
                    reals.put(realIndex, realDefinition(a));
                    realsByIndex.put(realIndex, a);
                    realIndex++;
                }
                fillRing(rings, vipNum, first);
            }
            loaded = true;
        } finally {
            if (!loaded) {
                close();
            }
        }
    }

    BpfProgram program() {
        return program;
    }

    /** Slot i of the VIP's ring holds real first + i mod 4 (KatranLb builds a Maglev ring; any spread costs the same). */
    private static void fillRing(RawMap rings, int vipNum, int first) {
        int n = RING_SIZE;
        MemorySegment keys = MemorySegment.ofArray(new int[n]);
        MemorySegment values = MemorySegment.ofArray(new int[n]);
        for (int i = 0; i < n; i++) {
            keys.setAtIndex(ValueLayout.JAVA_INT, i, RING_SIZE * vipNum + i);
            values.setAtIndex(ValueLayout.JAVA_INT, i, first + i % REALS_PER_VIP);
        }
        // Heap segments cannot go to a syscall: copy through a native arena.
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment k = arena.allocate((long) n * 4, 8);
            MemorySegment v = arena.allocate((long) n * 4, 8);
            k.copyFrom(keys);
            v.copyFrom(values);
            int done = rings.updateBatch(k, v, n);
            if (done != n) {
                throw new IllegalStateException("ch_rings: " + done + " of " + n + " slots written");
            }
        }
    }

    /** struct vip_definition: address (16, v4 in the first 4), port (network order), proto, pad. */
    static byte[] vipDefinition(InetAddress addr, int port, int proto) {
        ByteBuffer b = ByteBuffer.allocate(VIP_DEFINITION);
        b.put(addr.getAddress());
        b.position(16);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port);
        b.put((byte) proto);
        return b.array();
    }

    /** struct vip_meta: flags, vip_num (host order). */
    static byte[] vipMeta(int flags, int vipNum) {
        return ByteBuffer.allocate(VIP_META).order(ByteOrder.nativeOrder()).putInt(flags).putInt(vipNum).array();
    }

    /** struct real_definition: address (16), flags (F_IPV6 for an IPv6 real), pad. */
    static byte[] realDefinition(InetAddress addr) {
        ByteBuffer b = ByteBuffer.allocate(REAL_DEFINITION);
        b.put(addr.getAddress());
        b.position(16);
        b.put((byte) (addr instanceof Inet6Address ? F_IPV6 : 0));
        return b.array();
    }

    /** The reals a VIP's packet may go to (every one of its 4). */
    List<InetAddress> reals(boolean v6) {
        return realsByIndex.entrySet().stream().filter(e -> (e.getValue() instanceof Inet6Address) == v6)
                .map(Map.Entry::getValue).toList();
    }

    /**
     * What Katran should send for {@code in} (Ethernet + IPv4/IPv6 + TCP) going to {@code real}:
     * the gateway's MAC, the frame's destination MAC as source, then an outer IPv4 (IPIP) or IPv6
     * (IP6IP6) header from encap_helpers.h (source made from the client's address and port) and
     * the original IP packet unchanged.
     */
    static byte[] expectedEncap(byte[] in, InetAddress real) {
        boolean v6 = ((in[12] & 0xff) << 8 | (in[13] & 0xff)) == 0x86dd;
        int inner = in.length - 14;
        ByteBuffer out = ByteBuffer.allocate(in.length + (v6 ? 40 : 20));
        out.put(GATEWAY_MAC).put(in, 0, 6).putShort((short) (v6 ? 0x86dd : 0x0800));
        int sportOff = 14 + (v6 ? 40 : 20);
        int sport = (in[sportOff] & 0xff) << 8 | (in[sportOff + 1] & 0xff);
        if (!v6) {
            // create_encap_ipv4_src: 172.16 then the client's last two bytes xor its port.
            byte[] src = {(byte) (IPIP_V4_PREFIX & 0xff), (byte) (IPIP_V4_PREFIX >> 8),
                    (byte) (in[14 + 12 + 2] ^ (sport & 0xff)), (byte) (in[14 + 12 + 3] ^ (sport >> 8))};
            ByteBuffer ip = ByteBuffer.allocate(20);
            ip.put((byte) 0x45).put((byte) 0).putShort((short) (inner + 20)).putShort((short) 0).putShort((short) 0)
                    .put((byte) DEFAULT_TTL).put((byte) Frame.IPIP).putShort((short) 0).put(src).put(real.getAddress());
            byte[] hdr = ip.array();
            int sum = io.xlb.testing.Checksum.of(hdr, 0, hdr.length);
            hdr[10] = (byte) (sum >> 8);
            hdr[11] = (byte) sum;
            out.put(hdr);
        } else {
            // create_encap_ipv6_src: IPIP_V6_PREFIX1..3 (host-order words), then the client's last word xor its port.
            ByteBuffer src = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            src.putInt(IPIP_V6_PREFIX1).putInt(0).putInt(0);
            byte[] s = src.array();
            int last = 14 + 8 + 12;
            s[12] = (byte) (in[last] ^ in[sportOff]);
            s[13] = (byte) (in[last + 1] ^ in[sportOff + 1]);
            s[14] = in[last + 2];
            s[15] = in[last + 3];
            out.putInt(0x60000000).putShort((short) inner).put((byte) Frame.IPV6).put((byte) DEFAULT_TTL).put(s)
                    .put(real.getAddress());
        }
        out.put(in, 14, inner);
        return out.array();
    }

    @Override
    public void close() {
        object.close();
        created.forEach(RawMap::close);
    }
}
