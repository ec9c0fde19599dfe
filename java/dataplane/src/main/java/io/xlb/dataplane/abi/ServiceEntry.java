package io.xlb.dataplane.abi;

import static io.xlb.dataplane.abi.Structs.SERVICE;
import static io.xlb.dataplane.abi.Structs.offset;

import io.xlb.bpf.Codec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * struct service: scheduler family (enum xlb_sched), ring hash key, which LVS scheduler it is
 * (an index into {@link #IPVS_SCHEDULERS}, for listings), flags, controller id.
 */
public record ServiceEntry(int sched, int hashKey, int ipvsSched, int flags, int id, int persistTimeoutSeconds,
                           int persistPrefix) {
    /** LVS's schedulers, in a fixed order: the value of ipvs_sched. */
    public static final java.util.List<String> IPVS_SCHEDULERS = java.util.List.of("rr", "wrr", "lc", "wlc", "lblc",
            "lblcr", "dh", "sh", "sed", "nq", "mh", "fo", "ovf");

    public String ipvsName() {
        return ipvsSched >= 0 && ipvsSched < IPVS_SCHEDULERS.size() ? IPVS_SCHEDULERS.get(ipvsSched) : "?";
    }

    /** ipvsadm's scheduler flags this entry carries, in ipvsadm's order: "sh-fallback", "sh-port" (or mh-). */
    public java.util.List<String> schedulerFlags() {
        String name = ipvsName();
        if (!name.equals("sh") && !name.equals("mh")) {
            return java.util.List.of();
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        if ((flags & Structs.SVC_F_FALLBACK) != 0) {
            out.add(name + "-fallback");
        }
        if (hashKey == HASH_SRC_PORT) {
            out.add(name + "-port");
        }
        return java.util.List.copyOf(out);
    }

    public static final int SCHED_NONE = 0;
    public static final int SCHED_RING = 1;
    public static final int SCHED_SEQ = 2;
    public static final int SCHED_LC = 3;
    public static final int SCHED_WLC = 4;
    public static final int SCHED_SED = 5;
    public static final int SCHED_NQ = 6;
    public static final int SCHED_FO = 7;
    public static final int SCHED_OVF = 8;
    public static final int SCHED_LBLC = 9;
    public static final int SCHED_LBLCR = 10;
    public static final int HASH_SRC = 0;
    public static final int HASH_SRC_PORT = 1;
    public static final int HASH_DST = 2;

    public static final Codec<ServiceEntry> CODEC = new Codec<>() {
        public int size() { return (int) SERVICE.byteSize(); }

        public void encode(ServiceEntry s, MemorySegment to) {
            to.set(ValueLayout.JAVA_BYTE, offset(SERVICE, "sched"), (byte) s.sched);
            to.set(ValueLayout.JAVA_BYTE, offset(SERVICE, "hash_key"), (byte) s.hashKey);
            to.set(ValueLayout.JAVA_BYTE, offset(SERVICE, "ipvs_sched"), (byte) s.ipvsSched);
            to.set(ValueLayout.JAVA_BYTE, offset(SERVICE, "flags"), (byte) s.flags);
            to.set(ValueLayout.JAVA_INT, offset(SERVICE, "id"), s.id);
            to.set(ValueLayout.JAVA_INT, offset(SERVICE, "persist_timeout_s"), s.persistTimeoutSeconds);
            to.set(ValueLayout.JAVA_BYTE, offset(SERVICE, "persist_prefix"), (byte) s.persistPrefix);
        }

        public ServiceEntry decode(MemorySegment from) {
            return new ServiceEntry(from.get(ValueLayout.JAVA_BYTE, offset(SERVICE, "sched")),
                    from.get(ValueLayout.JAVA_BYTE, offset(SERVICE, "hash_key")),
                    from.get(ValueLayout.JAVA_BYTE, offset(SERVICE, "ipvs_sched")),
                    Byte.toUnsignedInt(from.get(ValueLayout.JAVA_BYTE, offset(SERVICE, "flags"))),
                    from.get(ValueLayout.JAVA_INT, offset(SERVICE, "id")),
                    from.get(ValueLayout.JAVA_INT, offset(SERVICE, "persist_timeout_s")),
                    Byte.toUnsignedInt(from.get(ValueLayout.JAVA_BYTE, offset(SERVICE, "persist_prefix"))));
        }
    };
}
