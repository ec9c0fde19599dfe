package io.xlb.dataplane;

import io.xlb.bpf.BpfMap;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.RealConns;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Walks the connection table, removes the entries past their state's timeout, and recounts the
 * per-real ActiveConn/InActConn from what remains: the program keeps those counters as flows
 * start and change state, but entries the LRU evicts, or that expire unseen, it never hears of.
 * The clock is injected: CLOCK_MONOTONIC (System.nanoTime) in the daemon, the same base as the
 * program's coarse clock.
 */
public final class ConnReaper {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** What one sweep did. */
    public record Sweep(int scanned, int expired, int countersCorrected) {}

    private final Dataplane dataplane;
    private final LongSupplier monotonicNanos;

    public ConnReaper(Dataplane dataplane, LongSupplier monotonicNanos) {
        this.dataplane = dataplane;
        this.monotonicNanos = monotonicNanos;
    }

    public Sweep sweep() {
        DirectorConfig config = dataplane.config();
        BpfMap<FlowKey, ConnEntry> table = dataplane.connectionTable();
        Map<FlowKey, ConnEntry> entries = table.entries();
        long now = monotonicNanos.getAsLong();
        int expired = 0;
        Map<Integer, int[]> live = new HashMap<>();
        for (Map.Entry<FlowKey, ConnEntry> e : entries.entrySet()) {
            ConnEntry c = e.getValue();
            if (isExpired(c, now, config)) {
                // Look again just before deleting: a packet may have refreshed it since the batch read.
                ConnEntry fresh = table.lookup(e.getKey()).orElse(null);
                if (fresh != null && isExpired(fresh, now, config) && table.delete(e.getKey())) {
                    expired++;
                    continue;
                }
                if (fresh == null) {
                    continue;
                }
                c = fresh;
            }
            if (c.state().counted()) {
                int[] counts = live.computeIfAbsent(c.real(), r -> new int[2]);
                counts[c.state() == ConnState.ESTABLISHED ? 0 : 1]++;
            }
        }
        return new Sweep(entries.size(), expired, correctCounters(live));
    }

    private static boolean isExpired(ConnEntry c, long now, DirectorConfig config) {
        long timeout = config.timeoutSeconds(c.state()) * NANOS_PER_SECOND;
        return now - c.lastSeenNs() > timeout;
    }

    /**
     * Sets each real's counters to the recount where they differ. A packet racing with this write
     * can leave a counter off by one until the next sweep; lc/wlc tolerate that, as IPVS's do.
     */
    private int correctCounters(Map<Integer, int[]> live) {
        int corrected = 0;
        for (int real : dataplane.realIndices()) {
            int[] counts = live.getOrDefault(real, new int[2]);
            RealConns want = new RealConns(counts[0], counts[1]);
            if (!want.equals(dataplane.realConns(real))) {
                dataplane.setRealConns(real, want);
                corrected++;
            }
        }
        return corrected;
    }
}
