package io.xlb.dataplane.abi;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * The layouts of bpf/include/xlb_abi.h, named as the C structs and their members; a test checks
 * each against the BTF of the compiled director. Byte order is noted where it is network order.
 */
public final class Structs {
    private Structs() {}

    public static final StructLayout VIP_KEY = structLayout(
            sequenceLayout(4, JAVA_INT).withName("addr"),   // network order
            JAVA_SHORT.withName("port"),                     // network order
            JAVA_BYTE.withName("proto"),
            JAVA_BYTE.withName("family")).withName("vip_key");

    public static final StructLayout SERVICE = structLayout(
            JAVA_BYTE.withName("sched"),
            JAVA_BYTE.withName("hash_key"),
            JAVA_BYTE.withName("ipvs_sched"),
            JAVA_BYTE.withName("flags"),
            JAVA_INT.withName("id"),
            JAVA_INT.withName("persist_timeout_s"),
            JAVA_BYTE.withName("persist_prefix"),
            sequenceLayout(3, JAVA_BYTE).withName("pad")).withName("service");

    public static final StructLayout PERSIST_KEY = structLayout(
            sequenceLayout(4, JAVA_INT).withName("addr"),
            JAVA_INT.withName("service")).withName("persist_key");

    public static final StructLayout PERSIST = structLayout(
            JAVA_LONG.withName("last_seen_ns"),
            JAVA_INT.withName("real"),
            JAVA_INT.withName("pad")).withName("persist");

    public static final StructLayout REAL = structLayout(
            sequenceLayout(4, JAVA_INT).withName("addr"),
            JAVA_BYTE.withName("family"),
            JAVA_BYTE.withName("method"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("weight"),
            sequenceLayout(6, JAVA_BYTE).withName("mac"),
            JAVA_SHORT.withName("pad"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("service"),
            JAVA_SHORT.withName("port"),                     // network order
            JAVA_SHORT.withName("conf_weight")).withName("real");

    public static final StructLayout REAL_CONNS = structLayout(
            JAVA_INT.withName("active"),
            JAVA_INT.withName("inactive")).withName("real_conns");

    public static final StructLayout REAL_THRESHOLDS = structLayout(
            JAVA_INT.withName("upper"),
            JAVA_INT.withName("lower"),
            JAVA_INT.withName("overloaded")).withName("real_thresholds");

    public static final StructLayout LOCALITY_KEY = structLayout(
            sequenceLayout(4, JAVA_INT).withName("addr"),    // network order
            JAVA_INT.withName("service")).withName("locality_key");

    public static final StructLayout LBLC_ENTRY = structLayout(
            JAVA_LONG.withName("last_use_ns"),
            JAVA_INT.withName("real"),
            JAVA_INT.withName("pad")).withName("lblc_entry");

    public static final int LBLCR_SET_MAX = 16;

    public static final StructLayout LBLCR_ENTRY = structLayout(
            JAVA_LONG.withName("last_use_ns"),
            JAVA_LONG.withName("last_mod_ns"),
            JAVA_INT.withName("size"),
            sequenceLayout(LBLCR_SET_MAX, JAVA_INT).withName("reals"),
            JAVA_INT.withName("pad")).withName("lblcr_entry");

    public static final StructLayout FLOW_KEY = structLayout(
            sequenceLayout(4, JAVA_INT).withName("src"),
            sequenceLayout(4, JAVA_INT).withName("dst"),
            JAVA_SHORT.withName("sport"),
            JAVA_SHORT.withName("dport"),
            JAVA_BYTE.withName("proto"),
            JAVA_BYTE.withName("family"),
            JAVA_SHORT.withName("kind")).withName("flow_key");

    public static final StructLayout NAT_REPLY = structLayout(
            sequenceLayout(4, JAVA_INT).withName("vip"),    // network order
            JAVA_SHORT.withName("vport"),                    // network order
            sequenceLayout(2, JAVA_BYTE).withName("pad"),
            JAVA_INT.withName("service"),
            JAVA_INT.withName("real")).withName("nat_reply");

    public static final StructLayout CONN = structLayout(
            JAVA_LONG.withName("last_seen_ns"),
            JAVA_INT.withName("real"),
            JAVA_INT.withName("service"),
            JAVA_BYTE.withName("state"),
            sequenceLayout(7, JAVA_BYTE).withName("pad")).withName("conn");

    public static final int CONN_STATES = 8;

    public static final StructLayout XLB_CONFIG = structLayout(
            sequenceLayout(CONN_STATES, JAVA_INT).withName("timeout_s"),
            JAVA_INT.withName("tun_src4"),
            sequenceLayout(4, JAVA_INT).withName("tun_src6"),
            JAVA_INT.withName("mtu"),
            JAVA_BYTE.withName("tun_ttl"),
            sequenceLayout(3, JAVA_BYTE).withName("pad"),
            JAVA_INT.withName("new_flow_limit")).withName("xlb_config");

    public static final StructLayout FLOW_RATE = structLayout(
            JAVA_LONG.withName("window_start_ns"),
            JAVA_LONG.withName("tracked")).withName("flow_rate");

    public static final StructLayout IFACE = structLayout(
            sequenceLayout(6, JAVA_BYTE).withName("mac"),
            JAVA_SHORT.withName("pad")).withName("iface");

    public static final StructLayout COUNTER = structLayout(
            JAVA_LONG.withName("packets"),
            JAVA_LONG.withName("bytes"),
            JAVA_LONG.withName("conns")).withName("counter");

    public static final List<StructLayout> ALL = List.of(VIP_KEY, SERVICE, REAL, REAL_CONNS, FLOW_KEY, CONN,
            XLB_CONFIG, IFACE, COUNTER, FLOW_RATE, PERSIST_KEY, PERSIST, REAL_THRESHOLDS, LOCALITY_KEY, LBLC_ENTRY,
            LBLCR_ENTRY, NAT_REPLY);

    // Constants of the same header.
    public static final int TABLE_HEADER = 1;
    public static final int TABLE_MAX = 65537;
    public static final int LC_MAX = 256;
    public static final int MAX_SERVICES = 1024;
    public static final int MAX_REALS = 16384;
    /** NAT: slots of nat_real_hints (XLB_NAT_HINT_SLOTS). */
    public static final int NAT_HINT_SLOTS = 4096;
    public static final int MAX_CONNS = 1 << 20;
    public static final int MAX_LOCALITY = 1 << 16;
    public static final int LOCALITY_EXPIRATION_S = 24 * 60 * 60;
    public static final int SVC_F_PRESENT = 1;
    public static final int SVC_F_FALLBACK = 1 << 1;
    public static final int SVC_F_THRESHOLDS = 1 << 2;
    public static final int REAL_F_PRESENT = 1;

    static long offset(StructLayout l, String field) {
        return l.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement(field));
    }
}
