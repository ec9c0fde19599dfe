package io.xlb.dataplane;

import io.xlb.dataplane.abi.Structs;
import java.util.List;
import java.util.Map;

/**
 * How many services, reals and connections the director's maps hold: fixed when the maps are
 * created (libbpf's bpf_map__set_max_entries before load), so a change needs new maps. Each size
 * sets every map indexed by it: services the VIP hash (four VIPs a service), the service array,
 * its scheduling-table slots, rr cursors and counters; reals the real array, its connection counts,
 * thresholds and counters, and NAT's reals by address (not preallocated: it holds NAT reals only);
 * connections the connection table and NAT's per-connection reply table.
 */
public record MapSizes(int services, int reals, int connections) {
    /** The C definition's (bpf/include/xlb_abi.h). */
    public static final MapSizes DEFAULTS = new MapSizes(Structs.MAX_SERVICES, Structs.MAX_REALS, Structs.MAX_CONNS);
    /** VIP hash entries per service slot, as the C definition sizes it. */
    public static final int VIPS_PER_SERVICE = 4;
    public static final int MAX_SERVICES = 1 << 20;
    public static final int MAX_REALS = 1 << 24;
    public static final int MIN_CONNECTIONS = 1024;
    public static final int MAX_CONNECTIONS = 1 << 28;

    /** The maps each size sets, by C name. */
    public static final List<String> SERVICE_MAPS = List.of("services", "sched_tables", "seq_cursor", "svc_stats",
            "svc_out_stats");
    public static final List<String> REAL_MAPS = List.of("reals", "real_conns", "real_thresholds", "real_stats",
            "real_out_stats", "nat_reals");
    public static final List<String> CONNECTION_MAPS = List.of("conns", "nat_replies");

    public MapSizes {
        check("services", services, 1, MAX_SERVICES);
        check("reals", reals, 1, MAX_REALS);
        check("connections", connections, MIN_CONNECTIONS, MAX_CONNECTIONS);
    }

    private static void check(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be " + min + ".." + max + ", not " + value);
        }
    }

    /** max_entries of every map these sizes set, by C name. */
    public Map<String, Integer> maxEntries() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        out.put("vips", services * VIPS_PER_SERVICE);
        SERVICE_MAPS.forEach(m -> out.put(m, services));
        REAL_MAPS.forEach(m -> out.put(m, reals));
        CONNECTION_MAPS.forEach(m -> out.put(m, connections));
        return out;
    }

    /** The sizes maps already created have (the pinned ones of a running director). */
    public static MapSizes of(java.util.function.ToIntFunction<String> maxEntriesOfMap) {
        return new MapSizes(maxEntriesOfMap.applyAsInt("services"), maxEntriesOfMap.applyAsInt("reals"),
                maxEntriesOfMap.applyAsInt("conns"));
    }

    @Override
    public String toString() {
        return services + " services, " + reals + " reals, " + connections + " connections";
    }
}
