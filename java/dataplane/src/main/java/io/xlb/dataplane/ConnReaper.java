package io.xlb.dataplane;

import io.xlb.bpf.BpfMap;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.RealConns;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

    /** Entries read per batch lookup: the only part of the table in memory at once. */
    private static final int CHUNK = 4096;

    /** What a sweep counted so far (the walk's callback adds to it). */
    private static final class Tally {
        int scanned;
        int expired;
        final Map<Integer, int[]> live = new HashMap<>();
    }

    /**
     * One walk of the connection table, a chunk of batch lookups at a time (never the whole table in
     * the heap): expired entries are deleted (after a fresh lookup: a packet may have refreshed one
     * since the chunk was read), live ones counted per real, then each real's counters corrected.
     */
    public Sweep sweep() {
        DirectorConfig config = dataplane.config();
        BpfMap<FlowKey, ConnEntry> table = dataplane.connectionTable();
        long now = monotonicNanos.getAsLong();
        Tally tally = new Tally();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment freshValue = arena.allocate(ConnEntry.CODEC.size(), 8);
            table.forEachRaw(CHUNK, (key, value) -> {
                tally.scanned++;
                ConnEntry c = ConnEntry.CODEC.decode(value);
                if (isExpired(c, now, config)) {
                    if (!table.lookupRaw(key, freshValue)) {
                        return; // gone since the chunk was read
                    }
                    ConnEntry fresh = ConnEntry.CODEC.decode(freshValue);
                    if (isExpired(fresh, now, config) && table.deleteRaw(key)) {
                        tally.expired++;
                        return;
                    }
                    c = fresh;
                }
                if (c.state().counted()) {
                    int[] counts = tally.live.computeIfAbsent(c.real(), r -> new int[2]);
                    counts[c.state() == ConnState.ESTABLISHED ? 0 : 1]++;
                }
            });
        }
        return new Sweep(tally.scanned, tally.expired, correctCounters(tally.live));
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
        Map<Integer, RealConns> now = dataplane.realConnsOf(dataplane.realIndices());
        for (Map.Entry<Integer, RealConns> e : now.entrySet()) {
            int real = e.getKey();
            int[] counts = live.getOrDefault(real, new int[2]);
            RealConns want = new RealConns(counts[0], counts[1]);
            if (!want.equals(e.getValue())) {
                dataplane.setRealConns(real, want);
                corrected++;
            }
        }
        return corrected;
    }
}
