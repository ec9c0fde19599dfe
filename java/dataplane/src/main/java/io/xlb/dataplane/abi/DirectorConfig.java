package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.XLB_CONFIG;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Map;

/**
 * struct xlb_config: per-state timeouts (absent: IPVS's defaults), tunnel sources, the MTU
 * toward the reals (0: unchecked), the outer TTL, and the per-CPU rate of new flows of hash-ring
 * services above which they are forwarded untracked (0: no limit).
 */
public record DirectorConfig(Map<ConnState, Integer> timeoutsSeconds, Inet4Address tunnelSource4,
                             Inet6Address tunnelSource6, int mtu, int tunnelTtl, int newFlowLimit) {
    public DirectorConfig {
        timeoutsSeconds = Map.copyOf(timeoutsSeconds);
        if (newFlowLimit < 0) {
            throw new IllegalArgumentException("negative new-flow limit: " + newFlowLimit);
        }
    }

    public DirectorConfig(Map<ConnState, Integer> timeoutsSeconds, Inet4Address tunnelSource4,
                          Inet6Address tunnelSource6, int mtu, int tunnelTtl) {
        this(timeoutsSeconds, tunnelSource4, tunnelSource6, mtu, tunnelTtl, 0);
    }

    public DirectorConfig withNewFlowLimit(int perCpuPerSecond) {
        return new DirectorConfig(timeoutsSeconds, tunnelSource4, tunnelSource6, mtu, tunnelTtl, perCpuPerSecond);
    }

    /** The timeout of {@code state}: as set, else IPVS's default. */
    public int timeoutSeconds(ConnState state) {
        Integer t = timeoutsSeconds.get(state);
        return t != null && t > 0 ? t : state.defaultTimeoutSeconds;
    }

    /** The outer TTL of tunnelled packets when none is configured (as IPVS's tunnels). */
    public static final int DEFAULT_TUNNEL_TTL = 64;

    /**
     * The SYN-flood guard when none is configured: new flows per CPU per second tracked (Katran's
     * MAX_CONN_RATE). Far above what one CPU's share of a 1 Mi table turns over in normal use, far
     * below the rate at which a flood would evict it (a full table of 512 Ki per CPU lasts 4 s).
     */
    public static final int DEFAULT_NEW_FLOW_LIMIT = 125_000;

    /** Nothing configured: IPVS's timeouts, no tunnel source or MTU, the SYN-flood guard on. */
    public static DirectorConfig defaults() {
        return new DirectorConfig(Map.of(), null, null, 0, DEFAULT_TUNNEL_TTL, DEFAULT_NEW_FLOW_LIMIT);
    }

    /** ipvsadm --set tcp tcpfin udp. */
    public DirectorConfig withTimeouts(int tcp, int tcpfin, int udp) {
        Map<ConnState, Integer> t = new EnumMap<>(ConnState.class);
        t.putAll(timeoutsSeconds);
        t.put(ConnState.ESTABLISHED, tcp);
        t.put(ConnState.FIN_WAIT, tcpfin);
        t.put(ConnState.UDP, udp);
        return new DirectorConfig(t, tunnelSource4, tunnelSource6, mtu, tunnelTtl, newFlowLimit);
    }

    public static final Codec<DirectorConfig> CODEC = new Codec<>() {
        public int size() { return (int) XLB_CONFIG.byteSize(); }

        public void encode(DirectorConfig c, MemorySegment to) {
            to.fill((byte) 0);
            // Every state's timeout is written: the program's built-in defaults only cover the
            // time before the first configuration, and the reaper reads these same values.
            long t = offset(XLB_CONFIG, "timeout_s");
            for (ConnState state : ConnState.values()) {
                to.set(ValueLayout.JAVA_INT, t + 4L * state.ordinal(), c.timeoutSeconds(state));
            }
            if (c.tunnelSource4 != null) {
                MemorySegment.copy(c.tunnelSource4.getAddress(), 0, to, ValueLayout.JAVA_BYTE, offset(XLB_CONFIG, "tun_src4"), 4);
            }
            if (c.tunnelSource6 != null) {
                MemorySegment.copy(c.tunnelSource6.getAddress(), 0, to, ValueLayout.JAVA_BYTE, offset(XLB_CONFIG, "tun_src6"), 16);
            }
            to.set(ValueLayout.JAVA_INT, offset(XLB_CONFIG, "mtu"), c.mtu);
            to.set(ValueLayout.JAVA_BYTE, offset(XLB_CONFIG, "tun_ttl"), (byte) c.tunnelTtl);
            to.set(ValueLayout.JAVA_INT, offset(XLB_CONFIG, "new_flow_limit"), c.newFlowLimit);
        }

        public DirectorConfig decode(MemorySegment from) {
            Map<ConnState, Integer> t = new EnumMap<>(ConnState.class);
            long base = offset(XLB_CONFIG, "timeout_s");
            for (ConnState s : ConnState.values()) {
                int v = from.get(ValueLayout.JAVA_INT, base + 4L * s.ordinal());
                if (v != 0) {
                    t.put(s, v);
                }
            }
            InetAddress v4 = Addresses.decode(from, offset(XLB_CONFIG, "tun_src4"), Addresses.AF_INET);
            InetAddress v6 = Addresses.decode(from, offset(XLB_CONFIG, "tun_src6"), Addresses.AF_INET6);
            return new DirectorConfig(t, v4.isAnyLocalAddress() ? null : (Inet4Address) v4,
                    v6.isAnyLocalAddress() ? null : (Inet6Address) v6,
                    from.get(ValueLayout.JAVA_INT, offset(XLB_CONFIG, "mtu")),
                    Byte.toUnsignedInt(from.get(ValueLayout.JAVA_BYTE, offset(XLB_CONFIG, "tun_ttl"))),
                    from.get(ValueLayout.JAVA_INT, offset(XLB_CONFIG, "new_flow_limit")));
        }
    };
}
