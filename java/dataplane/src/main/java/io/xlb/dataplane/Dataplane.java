package io.xlb.dataplane;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfMap;
import io.xlb.bpf.BpfObject;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Codec;
import io.xlb.bpf.MapOfMaps;
import io.xlb.bpf.MapSpec;
import io.xlb.bpf.MapType;
import io.xlb.bpf.PerCpuMap;
import io.xlb.bpf.RawMap;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.Counter;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.IfaceEntry;
import io.xlb.dataplane.abi.LocalityKey;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.NatReply;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.dataplane.abi.RealEntry;
import io.xlb.dataplane.abi.RealThresholds;
import io.xlb.dataplane.abi.ServiceEntry;
import io.xlb.dataplane.abi.Structs;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.dataplane.sched.MaglevRing;
import io.xlb.dataplane.sched.WeightedSequence;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The director's maps and the only writer to them. {@link #apply} turns a desired state into
 * map writes in an order no packet can observe half-done: reals before the tables naming them,
 * a table built whole in a new inner map and swapped in by one update, a VIP published last
 * and withdrawn first. Loading, adopting and upgrading are {@link DataplaneLoader}'s.
 *
 * Longer than most files here because writing and reading share the slot bookkeeping (which
 * service and real own which index): split, each half would need the other's.
 */
public final class Dataplane implements AutoCloseable {
    public static final String OBJECT = "/bpf/xlb.o";
    public static final String PROGRAM = "xlb_director";
    /** linux/bpf.h: inner maps of different sizes may share an outer map's slot. */
    private static final int BPF_F_INNER_MAP = 1 << 12;

    private record RealKey(VipKey vip, InetAddress address, int port) {}

    /** What a service's entries were last written from ({@code service} null: adopted from the pins, not known). */
    private record Applied(int index, Scheduler scheduler, TableSpec table, Map<RealKey, Integer> reals, Service service) {}

    /** Every map of the director, by its C name: what {@link DataplaneLoader#pin} pins and {@link DataplaneLoader#adopt} opens. */
    public static final List<String> MAPS = List.of("vips", "services", "sched_tables", "seq_cursor", "reals",
            "real_conns", "conns", "config", "ifaces", "iface_slots", "tx_ports", "svc_stats", "real_stats", "reasons", "flow_rates", "persist",
            "real_thresholds", "lblc", "lblcr", "nat_replies", "svc_out_stats", "real_out_stats", "nat_reals", "nat_real_hints");
    static final String PASS_PROGRAM = "xlb_pass";
    /** struct real.service of a real no service has any more. */
    private static final int NO_SERVICE = -1;

    private final Bpf bpf;
    private final BpfObject object; // null when adopted from pins
    private final BpfProgram program;
    private final BpfProgram passProgram;
    private final Map<String, RawMap> rawMaps = new LinkedHashMap<>();
    private final BpfMap<VipKey, Integer> vips;
    private final BpfMap<Integer, ServiceEntry> services;
    private final MapOfMaps<Integer> tables;
    private final BpfMap<Integer, RealEntry> reals;
    private final BpfMap<Integer, RealConns> realConns;
    private final BpfMap<Integer, RealThresholds> realThresholds;
    private final BpfMap<FlowKey, ConnEntry> conns;
    private final BpfMap<Integer, DirectorConfig> config;
    private final BpfMap<Integer, IfaceEntry> ifaces;
    /** The same entries for ifindexes the array has a slot for (the program's fast path). */
    private final BpfMap<Integer, IfaceEntry> ifaceSlots;
    private final BpfMap<Integer, Integer> txPorts;
    private final PerCpuMap<Integer, Counter> serviceStats;
    private final PerCpuMap<Integer, Counter> realStats;
    /** NAT replies: ipvsadm's OutPkts and OutBytes. */
    private final PerCpuMap<Integer, Counter> serviceOutStats;
    private final PerCpuMap<Integer, Counter> realOutStats;
    private final PerCpuMap<Integer, Long> reasons;
    /** NAT: a real's address, port and protocol to what its replies restore (see syncNatReals). */
    private final BpfMap<VipKey, NatReply> natReals;
    /** What this instance knows nat_reals holds: written by it, or read back when adopted. */
    private final Map<VipKey, NatReply> natRealsWritten = new HashMap<>();
    /** NAT: per slot, how many keys of nat_reals fall in it (see natHintSlot). */
    private final BpfMap<Integer, Integer> natRealHints;
    private final int[] natHintsWritten = new int[Structs.NAT_HINT_SLOTS];
    private final MapSizes sizes;
    private final IndexPool servicePool;
    private final IndexPool realPool;
    /**
     * Real slots from here up were never handed out since the maps were created, so their counters
     * and thresholds are still the kernel's zeros: a new real there needs no zeros written (a million
     * reals' first apply writes a third fewer elements). Maps adopted or upgraded: no slot is known zero.
     */
    private int realSlotsZeroFrom;
    private final Map<VipKey, Applied> applied = new LinkedHashMap<>();
    private DirectorConfig currentConfig = DirectorConfig.defaults();
    /** The settings this instance last wrote to the config map; null before its first apply. */
    private DirectorConfig writtenConfig;
    /** Writes into scheduling tables built and handed to the kernel (closed here once swapped in). */
    private io.xlb.bpf.RawMap.Writes tableWrites = io.xlb.bpf.RawMap.Writes.NONE;

    private Dataplane(Bpf bpf, BpfObject object, java.util.function.Function<String, RawMap> maps,
                      BpfProgram program, BpfProgram passProgram) {
        this.bpf = bpf;
        this.object = object;
        this.program = program;
        this.passProgram = passProgram;
        MAPS.forEach(name -> rawMaps.put(name, maps.apply(name)));
        vips = rawMaps.get("vips").typed(VipKey.CODEC, Codec.U32);
        services = rawMaps.get("services").typed(Codec.U32, ServiceEntry.CODEC);
        tables = rawMaps.get("sched_tables").ofMaps(Codec.U32);
        reals = rawMaps.get("reals").typed(Codec.U32, RealEntry.CODEC);
        realConns = rawMaps.get("real_conns").typed(Codec.U32, RealConns.CODEC);
        realThresholds = rawMaps.get("real_thresholds").typed(Codec.U32, RealThresholds.CODEC);
        conns = rawMaps.get("conns").typed(FlowKey.CODEC, ConnEntry.CODEC);
        config = rawMaps.get("config").typed(Codec.U32, DirectorConfig.CODEC);
        ifaces = rawMaps.get("ifaces").typed(Codec.U32, IfaceEntry.CODEC);
        ifaceSlots = rawMaps.get("iface_slots").typed(Codec.U32, IfaceEntry.CODEC);
        txPorts = rawMaps.get("tx_ports").typed(Codec.U32, Codec.U32);
        serviceStats = rawMaps.get("svc_stats").perCpu(Codec.U32, Counter.CODEC);
        realStats = rawMaps.get("real_stats").perCpu(Codec.U32, Counter.CODEC);
        serviceOutStats = rawMaps.get("svc_out_stats").perCpu(Codec.U32, Counter.CODEC);
        realOutStats = rawMaps.get("real_out_stats").perCpu(Codec.U32, Counter.CODEC);
        reasons = rawMaps.get("reasons").perCpu(Codec.U32, Codec.U64);
        natReals = rawMaps.get("nat_reals").typed(VipKey.CODEC, NatReply.CODEC);
        natRealHints = rawMaps.get("nat_real_hints").typed(Codec.U32, Codec.U32);
        sizes = MapSizes.of(name -> rawMaps.get(name).info().maxEntries());
        servicePool = new IndexPool(sizes.services());
        realPool = new IndexPool(sizes.reals());
    }

    /** How many services, reals and connections the maps hold (fixed when they were created). */
    public MapSizes sizes() {
        return sizes;
    }

    /** Map writes so far, every map of the director and the scheduling tables built for it: what changes cost. */
    public synchronized io.xlb.bpf.RawMap.Writes mapWrites() {
        io.xlb.bpf.RawMap.Writes sum = tableWrites;
        for (RawMap m : rawMaps.values()) {
            sum = sum.plus(m.writes());
        }
        return sum;
    }

    /** A dataplane over maps already created (loaded, reused or adopted); see {@link DataplaneLoader}. */
    static Dataplane of(Bpf bpf, BpfObject object, java.util.function.Function<String, RawMap> maps, BpfProgram program,
                        BpfProgram passProgram) {
        return new Dataplane(bpf, object, maps, program, passProgram);
    }

    /** Every map by its C name. */
    Map<String, RawMap> rawMaps() {
        return rawMaps;
    }

    /** Which service and real own which slot, read back from the maps (after adopting or upgrading). */
    synchronized void rebuildFromMaps() {
        Map<Integer, VipKey> byIndex = new HashMap<>();
        vips.entries().forEach((vip, index) -> byIndex.put(index, vip));
        Map<Integer, Map<RealKey, Integer>> realsByService = new HashMap<>();
        Set<Integer> usedReals = new HashSet<>();
        reals.entries().forEach((id, r) -> {
            // A real not present (its MAC unresolved) still owns its slot: a retired one names no service.
            if (r.address() != null && byIndex.containsKey(r.service())) {
                VipKey vip = byIndex.get(r.service());
                realsByService.computeIfAbsent(r.service(), k -> new LinkedHashMap<>())
                        .put(new RealKey(vip, r.address(), r.port()), id);
                usedReals.add(id);
            }
        });
        // The scheduler is not known until the next apply, which therefore republishes each table
        // (built the same way from the same reals: an identical table).
        byIndex.forEach((index, vip) -> applied.put(vip,
                new Applied(index, null, null, realsByService.getOrDefault(index, Map.of()), null)));
        servicePool.reserve(byIndex.keySet());
        realPool.reserve(usedReals);
        realSlotsZeroFrom = sizes.reals();
        natRealsWritten.clear();
        natReals.raw().typed(VipKey.CODEC, Codec.bytes(NatReply.CODEC.size())).entries().forEach((key, value) ->
                natRealsWritten.put(key, NatReply.decode(java.lang.foreign.MemorySegment.ofArray(value),
                        io.xlb.dataplane.abi.Addresses.family(key.address()))));
        java.util.Arrays.fill(natHintsWritten, 0);
        natRealHints.entries().forEach((slot, count) -> {
            if (slot >= 0 && slot < natHintsWritten.length) {
                natHintsWritten[slot] = count;
            }
        });
        currentConfig = config.lookup(0).orElse(DirectorConfig.defaults());
    }

    /** The loaded object; null for a dataplane adopted from pins. */
    public BpfObject object() {
        return object;
    }

    /** A map of the director by its C name. */
    public RawMap map(String name) {
        RawMap m = rawMaps.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no map " + name + "; the director has " + MAPS);
        }
        return m;
    }

    public BpfProgram program() {
        return program;
    }

    /** An XDP_PASS program for the peer of a veth the director sends on (labs only; see bpf/xlb.c). */
    public BpfProgram passProgram() {
        return passProgram;
    }

    /** Makes the maps say what {@code state} says. Invalid input is refused before any write. */
    public synchronized void apply(DesiredState state) {
        check(state);
        if (!state.config().equals(writtenConfig)) {
            config.put(0, state.config());
            writtenConfig = state.config();
        }
        currentConfig = state.config();
        Set<VipKey> wanted = new HashSet<>();
        state.services().forEach(s -> wanted.add(s.vip()));
        // Withdrawn first: their slots are free for the services that follow.
        removeServices(applied.keySet().stream().filter(vip -> !wanted.contains(vip)).toList());
        applyServices(state.services());
        syncNatReals(state.services());
    }

    /**
     * Makes nat_reals say, for each NAT real's (address, port as its replies carry it, protocol),
     * which service its replies are from, so that the program finds a reply's connection by its
     * forward key alone. A key some service already owns keeps it while that real is still there:
     * the connections of the owner were made without an entry of their own in nat_replies, and
     * must go on finding their replies. Connections of every other service with the same key (the
     * real behind another VIP) and of services on every port (their replies' port is the client's)
     * are not found here: the program gives each its own entry in nat_replies. Written after the
     * reals it names; an entry whose real went is deleted.
     */
    private void syncNatReals(List<Service> wanted) {
        Map<VipKey, List<NatReply>> candidates = new LinkedHashMap<>();
        for (Service s : wanted) {
            Applied a = applied.get(s.vip());
            if (a == null || s.vip().port() == 0) {
                continue;
            }
            for (Real r : s.reals()) {
                if (s.methodOf(r) != io.xlb.dataplane.abi.Method.NAT
                        || io.xlb.dataplane.abi.Addresses.family(r.address()) != io.xlb.dataplane.abi.Addresses.family(s.vip().address())) {
                    continue; // DR and TUN reals cost no more than this test
                }
                Integer id = a.reals().get(new RealKey(s.vip(), r.address(), r.port()));
                if (id == null) {
                    continue;
                }
                VipKey key = new VipKey(r.address(), r.port() != 0 ? r.port() : s.vip().port(), s.vip().protocol());
                candidates.computeIfAbsent(key, k -> new ArrayList<>()).add(new NatReply(s.vip().address(), s.vip().port(), a.index(), id));
            }
        }
        Map<VipKey, NatReply> next = new LinkedHashMap<>();
        candidates.forEach((key, owners) -> {
            NatReply had = natRealsWritten.get(key);
            next.put(key, had != null && owners.contains(had) ? had : owners.getFirst());
        });
        Map<VipKey, NatReply> changed = new LinkedHashMap<>();
        next.forEach((key, entry) -> {
            if (!entry.equals(natRealsWritten.get(key))) {
                changed.put(key, entry);
            }
        });
        List<VipKey> gone = natRealsWritten.keySet().stream().filter(k -> !next.containsKey(k)).toList();
        // A key is counted in its hint slot before it is written, and out after it is deleted.
        int[] hints = new int[natHintsWritten.length];
        next.keySet().forEach(k -> hints[natHintSlot(k)]++);
        Map<Integer, Integer> raised = new LinkedHashMap<>(), lowered = new LinkedHashMap<>();
        for (int slot = 0; slot < hints.length; slot++) {
            if (hints[slot] > natHintsWritten[slot]) {
                raised.put(slot, hints[slot]);
            } else if (hints[slot] < natHintsWritten[slot]) {
                lowered.put(slot, hints[slot]);
            }
        }
        natRealHints.updateBatch(raised);
        if (!changed.isEmpty()) {
            natReals.updateBatch(changed);
        }
        gone.forEach(natReals::delete);
        natRealHints.updateBatch(lowered);
        System.arraycopy(hints, 0, natHintsWritten, 0, hints.length);
        natRealsWritten.clear();
        natRealsWritten.putAll(next);
    }

    /** nat_hint_slot of bpf/include/nat.h: the address's four words (host order) and the port, XORed, low bits. */
    static int natHintSlot(VipKey key) {
        byte[] a = java.util.Arrays.copyOf(key.address().getAddress(), 16);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(a);
        int x = b.getInt(0) ^ b.getInt(4) ^ b.getInt(8) ^ b.getInt(12) ^ key.port();
        return x & (Structs.NAT_HINT_SLOTS - 1);
    }

    /** NAT: what nat_reals holds, by real (address, port, protocol): the service whose replies each real's are. */
    public synchronized Map<VipKey, NatReply> natReals() {
        return Map.copyOf(natRealsWritten);
    }

    /**
     * Whether {@link #apply} of {@code state} would fit, from what is applied now: the limits of
     * the tables, and the slots each step takes (a service's new reals get theirs before its
     * removed ones give theirs back). Throws IllegalArgumentException, having written nothing.
     */
    public synchronized void check(DesiredState state) {
        Set<VipKey> wanted = new HashSet<>();
        state.services().forEach(s -> wanted.add(s.vip()));
        int freeServices = servicePool.free();
        int freeReals = realPool.free();
        for (Map.Entry<VipKey, Applied> a : applied.entrySet()) {
            if (!wanted.contains(a.getKey())) {
                freeServices++;
                freeReals += a.getValue().reals().size();
            }
        }
        for (Service s : state.services()) {
            if (s.scheduler().comparesEveryReal() && s.reals().size() > Structs.LC_MAX) {
                throw new IllegalArgumentException(s.vip() + ": " + s.scheduler().ipvsName() + " scans at most "
                        + Structs.LC_MAX + " reals, the service has " + s.reals().size());
            }
            Applied before = applied.get(s.vip());
            if (before != null && s.equals(before.service())) {
                continue; // unchanged: takes and gives back no slot (and a million reals are not hashed again)
            }
            if (before == null && --freeServices < 0) {
                throw new IllegalArgumentException("more than " + sizes.services() + " services");
            }
            long added = s.reals().size(); // a service's reals are distinct by address and port (Service)
            long removed = 0;
            if (before != null) {
                Set<RealKey> keys = new HashSet<>();
                s.reals().forEach(r -> keys.add(new RealKey(s.vip(), r.address(), r.port())));
                Map<RealKey, Integer> had = before.reals();
                added = keys.stream().filter(k -> !had.containsKey(k)).count();
                removed = had.keySet().stream().filter(k -> !keys.contains(k)).count();
            }
            freeReals -= (int) added;
            if (freeReals < 0) {
                throw new IllegalArgumentException("more than " + sizes.reals() + " reals at once (at " + s.vip()
                        + "; reals replaced in one step need room for both)");
            }
            freeReals += (int) removed;
        }
    }

    /**
     * The writes of one apply, gathered per map and written by {@link #flush}: one batch per map, in the
     * order no packet can observe half-done (counters, thresholds and reals before the tables naming
     * them, tables before their service entries, VIPs last, replaced reals retired after). Tables
     * are built into their inner maps as they are gathered; the outer map takes them in one batch,
     * so the kernel waits for running programs once per batch instead of once per service (6.8 on;
     * 6.1 still waits once per slot, within the one syscall).
     */
    private final class PendingWrites {
        final Map<Integer, RealConns> realConns = new LinkedHashMap<>();
        final Map<Integer, RealThresholds> thresholds = new LinkedHashMap<>();
        final Map<Integer, RealEntry> reals = new LinkedHashMap<>();
        final Set<Integer> localitiesForgotten = new HashSet<>();
        final Map<Integer, RawMap> tables = new LinkedHashMap<>();
        final List<Integer> tablesEmptied = new ArrayList<>();
        final Map<Integer, ServiceEntry> services = new LinkedHashMap<>();
        final Map<VipKey, Integer> vips = new LinkedHashMap<>();
        /** Reals replaced: retired after their service's VIP is written; their slots are free once written. */
        final Map<Integer, RealEntry> retired = new LinkedHashMap<>();
        final List<Applied> done = new ArrayList<>();
        final List<VipKey> doneKeys = new ArrayList<>();

        /**
         * Whether to write what is gathered: enough tables (inner maps open at once; and each batch into
         * the outer map waits once for running programs, so they are not flushed for a few reals' sake),
         * or enough other entries (the batch buffers).
         */
        boolean full() {
            return tables.size() + tablesEmptied.size() >= TABLES_PER_FLUSH
                    || services.size() + reals.size() + realConns.size() + thresholds.size() >= ENTRIES_PER_FLUSH;
        }
    }

    private static final int TABLES_PER_FLUSH = 512;
    private static final int ENTRIES_PER_FLUSH = 1 << 17;

    /** A table handed to the kernel (or not): its writes counted, its descriptor closed. */
    private void closeTable(RawMap inner) {
        tableWrites = tableWrites.plus(inner.writes());
        inner.close();
    }

    private void flush(PendingWrites w) {
        realConns.updateBatch(w.realConns);
        realThresholds.updateBatch(w.thresholds);
        reals.updateBatch(w.reals);
        if (!w.localitiesForgotten.isEmpty()) {
            forgetLocalities(w.localitiesForgotten);
        }
        // A service with no usable real gets the empty table (its new flows are dropped, as with none):
        // in the same batch as the others, one wait for running programs, not one per service.
        RawMap empty = w.tablesEmptied.isEmpty() ? null : innerTable(new int[0]);
        try {
            Map<Integer, RawMap> swapped = new LinkedHashMap<>(w.tables);
            w.tablesEmptied.forEach(index -> swapped.put(index, empty));
            if (!swapped.isEmpty()) {
                tables.replaceAll(swapped);
            }
        } finally {
            w.tables.values().forEach(this::closeTable);
            if (empty != null) {
                closeTable(empty);
            }
        }
        services.updateBatch(w.services);
        vips.updateBatch(w.vips);
        Map<Integer, RealEntry> retiredEntries = new LinkedHashMap<>();
        w.retired.forEach((id, entry) -> {
            if (entry != null) {
                retiredEntries.put(id, entry);
            }
        });
        reals.updateBatch(retiredEntries);
        Map<Integer, RealThresholds> none = new LinkedHashMap<>();
        w.retired.keySet().forEach(id -> none.put(id, RealThresholds.NONE));
        realThresholds.updateBatch(none);
        w.retired.keySet().forEach(realPool::release);
        for (int i = 0; i < w.done.size(); i++) {
            applied.put(w.doneKeys.get(i), w.done.get(i));
        }
        w.realConns.clear();
        w.thresholds.clear();
        w.reals.clear();
        w.localitiesForgotten.clear();
        w.tables.clear();
        w.tablesEmptied.clear();
        w.services.clear();
        w.vips.clear();
        w.retired.clear();
        w.done.clear();
        w.doneKeys.clear();
    }

    private void applyServices(List<Service> wanted) {
        PendingWrites w = new PendingWrites();
        for (Service s : wanted) {
            applyService(s, w);
            if (w.full()) {
                flush(w);
            }
        }
        flush(w);
    }

    private int allocateReal(Service s, Real r, PendingWrites w) {
        if (realPool.free() == 0 && !w.retired.isEmpty()) {
            flush(w); // the slots of reals retired in this apply are free once their retirement is written
        }
        return realPool.allocate(() -> "real " + r.address().getHostAddress() + " of " + s.vip());
    }

    /** The entry of real {@code r} of {@code s} at service slot {@code index}. */
    private static RealEntry realEntry(Service s, Real r, int index) {
        return new RealEntry(r.address(), s.methodOf(r), s.takesFlows(r) ? Structs.REAL_F_PRESENT : 0,
                s.effectiveWeight(r), r.mac(), r.ifindex(), index, r.port(), r.weight());
    }

    private static ServiceEntry serviceEntry(Service s, int index) {
        int hashKey = s.scheduler() instanceof Scheduler.Ring ring ? ring.hashKeyCode() : 0;
        int flags = Structs.SVC_F_PRESENT;
        if (s.scheduler() instanceof Scheduler.Ring ring && ring.fallback()) {
            flags |= Structs.SVC_F_FALLBACK;
        }
        if (s.reals().stream().anyMatch(r -> r.thresholds().upper() > 0)) {
            flags |= Structs.SVC_F_THRESHOLDS;
        }
        Service.Persistence p = s.persistence();
        int prefix = p == null ? 0 : Math.min(p.prefixLength(), s.vip().address() instanceof java.net.Inet4Address ? 32 : 128);
        return new ServiceEntry(s.scheduler().schedCode(), hashKey, ServiceEntry.IPVS_SCHEDULERS.indexOf(s.scheduler().ipvsName()),
                flags, index, p == null ? 0 : p.timeoutSeconds(), prefix);
    }

    /**
     * Gathers the writes that make service {@code s}'s entries what it says, and only those: an entry
     * equal to what the previous state of the same service wrote is not written again.
     */
    private void applyService(Service s, PendingWrites w) {
        Applied before = applied.get(s.vip());
        if (before != null && s.equals(before.service())) {
            return; // written from this very service already: no map write, no table built again
        }
        int index = before != null ? before.index() : servicePool.allocate(() -> "service " + s.vip());
        Service previous = before == null ? null : before.service(); // null: adopted, what the maps hold is not known
        Map<RealKey, Real> previousReals = new HashMap<>();
        if (previous != null) {
            previous.reals().forEach(r -> previousReals.put(new RealKey(s.vip(), r.address(), r.port()), r));
        }
        Map<RealKey, Integer> ids = new LinkedHashMap<>();
        for (Real r : s.reals()) {
            RealKey key = new RealKey(s.vip(), r.address(), r.port());
            Integer id = before != null ? before.reals().get(key) : null;
            boolean existing = id != null;
            boolean zeroed = false;
            if (id == null) {
                id = allocateReal(s, r, w);
                zeroed = id >= realSlotsZeroFrom;
                realSlotsZeroFrom = Math.max(realSlotsZeroFrom, id + 1);
                if (!zeroed) {
                    w.realConns.put(id, RealConns.ZERO);
                }
            }
            ids.put(key, id);
            Real was = previousReals.get(key);
            if (!existing || was == null || !was.thresholds().equals(r.thresholds())) {
                writeThresholds(id, r.thresholds(), existing, zeroed, w);
            }
            // A real whose MAC is not resolved yet is kept (its slot and counters) but not present.
            RealEntry entry = realEntry(s, r, index);
            if (was == null || !entry.equals(realEntry(previous, was, index))) {
                w.reals.put(id, entry);
            }
        }
        if (before != null && before.scheduler() != null && !s.scheduler().equals(before.scheduler())) {
            w.localitiesForgotten.add(index); // IPVS drops a scheduler's table with the scheduler
        }
        TableSpec spec = TableSpec.of(s, ids);
        if (before == null || !spec.equals(before.table())) {
            int[] table = spec.build();
            if (table.length == 0) {
                w.tablesEmptied.add(index);
            } else {
                w.tables.put(index, innerTable(table));
            }
        }
        ServiceEntry entry = serviceEntry(s, index);
        if (previous == null || !entry.equals(serviceEntry(previous, index))) {
            w.services.put(index, entry);
        }
        if (before == null) {
            w.vips.put(s.vip(), index);
        }
        if (before != null) {
            for (Map.Entry<RealKey, Integer> old : before.reals().entrySet()) {
                if (!ids.containsKey(old.getKey())) {
                    retireReal(old.getValue(), previous == null ? null : previousReals.get(old.getKey()), previous, w);
                }
            }
        }
        w.doneKeys.add(s.vip());
        w.done.add(new Applied(index, s.scheduler(), spec, ids, s));
    }

    /**
     * What a service's scheduling table is built from (the scheduler and its members in order): equal
     * specs build equal tables, so a service whose spec did not change keeps its table unbuilt.
     */
    private record TableSpec(Scheduler scheduler, List<MaglevRing.Member> ring, List<WeightedSequence.Member> sequence,
                             List<Integer> reals) {
        static TableSpec of(Service s, Map<RealKey, Integer> ids) {
            List<Real> rs = s.reals();
            List<Integer> idList = new ArrayList<>(ids.values());
            return switch (s.scheduler()) {
                case Scheduler.Ring ring -> {
                    List<MaglevRing.Member> members = new ArrayList<>();
                    for (int i = 0; i < rs.size(); i++) {
                        members.add(new MaglevRing.Member(rs.get(i).ringKey(), idList.get(i), s.effectiveWeight(rs.get(i))));
                    }
                    yield new TableSpec(ring, List.copyOf(members), null, null);
                }
                case Scheduler.Sequence seq -> {
                    List<WeightedSequence.Member> members = new ArrayList<>();
                    for (int i = 0; i < rs.size(); i++) {
                        members.add(new WeightedSequence.Member(idList.get(i), s.effectiveWeight(rs.get(i))));
                    }
                    yield new TableSpec(seq, null, List.copyOf(members), null);
                }
                // The program skips weight-0 and overloaded reals itself, reading live weights and counters.
                default -> new TableSpec(s.scheduler(), null, null, List.copyOf(idList));
            };
        }

        /** The scheduling table: real ids as the scheduler family reads them. */
        int[] build() {
            return switch (scheduler) {
                case Scheduler.Ring r -> MaglevRing.build(ring, r.size());
                case Scheduler.Sequence seq -> seq.weighted() ? WeightedSequence.build(sequence, Structs.TABLE_MAX)
                        : WeightedSequence.roundRobin(sequence);
                default -> reals.stream().mapToInt(Integer::intValue).toArray();
            };
        }
    }

    /**
     * A real's thresholds, and its overload flag as IPVS's __ip_vs_update_dest leaves it: a new
     * real is not overloaded; an existing one stops being so when its upper threshold is removed
     * or raised, and otherwise keeps the flag the program set.
     */
    private void writeThresholds(int id, Real.Thresholds wanted, boolean existing, boolean zeroed, PendingWrites w) {
        RealThresholds old = existing ? realThresholds.lookup(id).orElse(RealThresholds.NONE) : RealThresholds.NONE;
        boolean overloaded = old.overloaded() && wanted.upper() != 0 && wanted.upper() <= old.upper();
        RealThresholds next = new RealThresholds(wanted.upper(), wanted.lower(), overloaded);
        if (zeroed && next.equals(RealThresholds.NONE)) {
            return; // a slot never handed out holds zeros already
        }
        if (!existing || !next.equals(old)) {
            w.thresholds.put(id, next);
        }
    }

    /** Drops what lblc and lblcr remember for the destination addresses of the services at {@code indices}. */
    private void forgetLocalities(Set<Integer> indices) {
        for (String name : List.of("lblc", "lblcr")) {
            RawMap raw = rawMaps.get(name);
            var keys = raw.typed(LocalityKey.CODEC, Codec.bytes((int) raw.info().valueSize()));
            keys.keys().stream().filter(k -> indices.contains(k.service())).forEach(keys::delete);
        }
    }

    /** A table built whole in a fresh inner map, for the outer map to point a service's slot at. */
    private RawMap innerTable(int[] table) {
        RawMap inner = bpf.createMap(new MapSpec(MapType.ARRAY, "xlb_table", 4, 4,
                Structs.TABLE_HEADER + table.length, BPF_F_INNER_MAP, -1));
        try {
            int[] slots = new int[Structs.TABLE_HEADER + table.length];
            slots[0] = table.length;
            System.arraycopy(table, 0, slots, Structs.TABLE_HEADER, table.length);
            inner.updateArray(slots);
            return inner;
        } catch (RuntimeException e) {
            inner.close();
            throw e;
        }
    }

    /**
     * A real no longer wanted: written not present (flows still bound to it are scheduled anew on
     * their next packet) once its service's VIP is written. {@code was}: what it was, if known.
     */
    private void retireReal(int id, Real was, Service previous, PendingWrites w) {
        RealEntry old = was != null ? realEntry(previous, was, NO_SERVICE) : reals.lookup(id).orElse(null);
        if (old != null) {
            w.retired.put(id, new RealEntry(old.address(), old.method(), 0, 0, old.mac(), old.ifindex(), NO_SERVICE, old.port(), 0));
        } else {
            w.retired.put(id, null);
        }
    }

    /**
     * Services withdrawn with one batch per map (bounds the native buffers). Larger than
     * {@link #FLUSH_EVERY}: their slots all take the one empty table, no inner map each is held open,
     * and each outer-map batch is one wait for running programs.
     */
    static final int WITHDRAW_EVERY = 16_384;
    /** Reals retired by a withdrawal, written per batch of this many (bounds the native buffers). */
    private static final int RETIRE_EVERY = 8192;

    /**
     * Withdraws the services at {@code gone} whole, {@link #WITHDRAW_EVERY} at a time with one batch per
     * map: their VIPs first (no new packet finds them), their entries, then their table slots pointed
     * at one empty table. Array-of-maps has no BPF_MAP_DELETE_BATCH (6.1 and 6.18 alike), so the slots
     * are replaced, not deleted: an update batch makes the kernel wait for running programs once per
     * batch (6.8 on; 6.1 still waits once per slot, in one syscall), and after that wait no program is
     * still inside a service whose VIP went. Then their localities and their reals; the slots go back
     * to the pools last, so a service that takes one later in this apply is never read through the old.
     */
    private void removeServices(List<VipKey> gone) {
        if (gone.isEmpty()) {
            return;
        }
        List<Applied> removed = new ArrayList<>(gone.size());
        try (RawMap empty = innerTable(new int[0])) {
            for (int from = 0; from < gone.size(); from += WITHDRAW_EVERY) {
                List<VipKey> batch = gone.subList(from, Math.min(gone.size(), from + WITHDRAW_EVERY));
                Map<Integer, ServiceEntry> entries = new LinkedHashMap<>();
                Map<Integer, RawMap> emptied = new LinkedHashMap<>();
                for (VipKey vip : batch) {
                    int index = applied.get(vip).index();
                    entries.put(index, new ServiceEntry(ServiceEntry.SCHED_NONE, 0, 0, 0, index, 0, 0));
                    emptied.put(index, empty);
                }
                deleteVips(batch);
                services.updateBatch(entries);
                tables.replaceAll(emptied);
                batch.forEach(vip -> removed.add(applied.remove(vip)));
            }
            tableWrites = tableWrites.plus(empty.writes());
        }
        Set<Integer> indices = new HashSet<>();
        removed.forEach(a -> indices.add(a.index()));
        forgetLocalities(indices);
        retireAll(removed);
        removed.forEach(a -> servicePool.release(a.index()));
    }

    /** One batch; if a VIP was already gone (the batch stops there), the rest one by one, absent ones skipped. */
    private void deleteVips(List<VipKey> batch) {
        try {
            vips.deleteBatch(batch);
        } catch (io.xlb.bpf.BpfException e) {
            if (e.errno() != io.xlb.bpf.Errno.ENOENT) {
                throw e;
            }
            batch.forEach(vips::delete);
        }
    }

    /** The reals of withdrawn services, written not present and without thresholds, then their slots freed. */
    private void retireAll(List<Applied> removed) {
        Map<Integer, RealEntry> entries = new LinkedHashMap<>();
        Map<Integer, RealThresholds> thresholds = new LinkedHashMap<>();
        List<Integer> ids = new ArrayList<>();
        for (Applied a : removed) {
            Map<Integer, Real> known = new HashMap<>();
            if (a.service() != null) {
                for (Real r : a.service().reals()) {
                    Integer id = a.reals().get(new RealKey(a.service().vip(), r.address(), r.port()));
                    if (id != null) {
                        known.put(id, r);
                    }
                }
            }
            for (int id : a.reals().values()) {
                Real r = known.get(id);
                RealEntry old = r != null ? realEntry(a.service(), r, NO_SERVICE) : reals.lookup(id).orElse(null);
                if (old != null) {
                    entries.put(id, new RealEntry(old.address(), old.method(), 0, 0, old.mac(), old.ifindex(), NO_SERVICE,
                            old.port(), 0));
                }
                thresholds.put(id, RealThresholds.NONE);
                ids.add(id);
                if (thresholds.size() >= RETIRE_EVERY) {
                    writeRetired(entries, thresholds);
                }
            }
        }
        writeRetired(entries, thresholds);
        ids.forEach(realPool::release);
    }

    private void writeRetired(Map<Integer, RealEntry> entries, Map<Integer, RealThresholds> thresholds) {
        reals.updateBatch(entries);
        realThresholds.updateBatch(thresholds);
        entries.clear();
        thresholds.clear();
    }

    /**
     * Registers one of the director's interfaces: frames arriving on it are forwarded only when
     * addressed to {@code mac} (a switch floods the master's frames to a backup too), and reals
     * behind it are reached by redirect, leaving with {@code mac} as source.
     */
    public synchronized void addInterface(int ifindex, MacAddress mac) {
        ifaces.put(ifindex, new IfaceEntry(mac));
        if (ifindex >= 0 && ifindex < ifaceSlots.raw().info().maxEntries()) {
            ifaceSlots.put(ifindex, new IfaceEntry(mac));
        }
        txPorts.put(ifindex, ifindex);
    }

    // --- reading ---

    /** A service as the maps hold it: for listings (ipvsadm -L). */
    /** A service as the maps hold it: for listings (ipvsadm -L); {@code schedulerFlags} as ipvsadm names them. */
    public record ServiceView(int index, VipKey vip, String scheduler, Counter counter, List<RealView> reals,
                              Service.Persistence persistence, List<String> schedulerFlags, Counter out) {
        public ServiceView {
            reals = List.copyOf(reals);
            schedulerFlags = List.copyOf(schedulerFlags);
        }

        public ServiceView(int index, VipKey vip, String scheduler, Counter counter, List<RealView> reals,
                           Service.Persistence persistence, List<String> schedulerFlags) {
            this(index, vip, scheduler, counter, reals, persistence, schedulerFlags, Counter.ZERO);
        }

        public ServiceView(int index, VipKey vip, String scheduler, Counter counter, List<RealView> reals,
                           Service.Persistence persistence) {
            this(index, vip, scheduler, counter, reals, persistence, List.of());
        }

        public ServiceView(int index, VipKey vip, String scheduler, Counter counter, List<RealView> reals) {
            this(index, vip, scheduler, counter, reals, null);
        }
    }

    /** A real as the maps hold it, with its thresholds and whether it is overloaded now; {@code out}: its NAT replies. */
    public record RealView(int index, InetAddress address, int port, io.xlb.dataplane.abi.Method method, int weight,
                           RealConns conns, Counter counter, MacAddress mac, int ifindex, RealThresholds thresholds,
                           Counter out) {
        public RealView(int index, InetAddress address, int port, io.xlb.dataplane.abi.Method method, int weight,
                        RealConns conns, Counter counter, MacAddress mac, int ifindex, RealThresholds thresholds) {
            this(index, address, port, method, weight, conns, counter, mac, ifindex, thresholds, Counter.ZERO);
        }

        public RealView(int index, InetAddress address, int port, io.xlb.dataplane.abi.Method method, int weight,
                        RealConns conns, Counter counter, MacAddress mac, int ifindex) {
            this(index, address, port, method, weight, conns, counter, mac, ifindex, RealThresholds.NONE);
        }
    }

    /**
     * The state the maps hold, as a desired state: what {@code xlb adm} edits and applies again.
     * A real's method is its own; the service's default is its first real's (DR when it has none).
     */
    public DesiredState current() {
        List<Service> out = new ArrayList<>();
        for (ServiceView v : view()) {
            List<Real> rs = v.reals().stream().map(r -> new Real(r.address(), r.port(), r.weight(), r.method(), r.mac(),
                    r.ifindex(), new Real.Thresholds(r.thresholds().upper(), r.thresholds().lower()))).toList();
            io.xlb.dataplane.abi.Method m = rs.isEmpty() ? io.xlb.dataplane.abi.Method.DR : rs.getFirst().method();
            out.add(new Service(v.vip(), Scheduler.named(v.scheduler(), v.schedulerFlags()), m, rs, v.persistence()));
        }
        return new DesiredState(out, config.lookup(0).orElse(DirectorConfig.defaults()));
    }

    /** ipvsadm -Z: every service's and real's counters back to zero. */
    public synchronized void zeroCounters() {
        List<Counter> zeros = java.util.Collections.nCopies(bpf.possibleCpus(), Counter.ZERO);
        for (Applied a : applied.values()) {
            serviceStats.update(a.index(), zeros, io.xlb.bpf.UpdateFlag.ANY);
            serviceOutStats.update(a.index(), zeros, io.xlb.bpf.UpdateFlag.ANY);
            for (int id : a.reals().values()) {
                realStats.update(id, zeros, io.xlb.bpf.UpdateFlag.ANY);
                realOutStats.update(id, zeros, io.xlb.bpf.UpdateFlag.ANY);
            }
        }
    }

    /** Every service and its reals, read from the maps (works on an adopted dataplane too). */
    public List<ServiceView> view() {
        Map<Integer, List<RealView>> realsByService = new HashMap<>();
        reals.entries().forEach((id, r) -> {
            if (r.address() != null && r.service() != NO_SERVICE) {
                realsByService.computeIfAbsent(r.service(), k -> new ArrayList<>()).add(new RealView(id, r.address(),
                        r.port(), r.method(), r.configuredWeight(), realConns(id), realCounter(id), r.mac(), r.ifindex(),
                        realThresholds(id), r.method() == io.xlb.dataplane.abi.Method.NAT ? realOutCounter(id) : Counter.ZERO));
            }
        });
        List<ServiceView> out = new ArrayList<>();
        vips.entries().forEach((vip, index) -> {
            ServiceEntry e = services.lookup(index).orElse(null);
            List<RealView> rs = new ArrayList<>(realsByService.getOrDefault(index, List.of()));
            rs.sort(java.util.Comparator.comparingInt(RealView::index));
            Service.Persistence persistence = e == null || e.persistTimeoutSeconds() == 0 ? null
                    : new Service.Persistence(e.persistTimeoutSeconds(), e.persistPrefix());
            boolean nat = rs.stream().anyMatch(r -> r.method() == io.xlb.dataplane.abi.Method.NAT);
            out.add(new ServiceView(index, vip, e == null ? "?" : e.ipvsName(), serviceCounter(index), rs, persistence,
                    e == null ? List.of() : e.schedulerFlags(), nat ? serviceOutCounter(index) : Counter.ZERO));
        });
        out.sort(java.util.Comparator.comparing((ServiceView v) -> v.vip().protocol())
                .thenComparing(v -> v.vip().address().getAddress(), java.util.Arrays::compareUnsigned)
                .thenComparingInt(v -> v.vip().port()));
        return out;
    }

    public OptionalInt serviceIndex(VipKey vip) {
        Applied a = applied.get(vip);
        return a == null ? OptionalInt.empty() : OptionalInt.of(a.index());
    }

    public OptionalInt realIndex(VipKey vip, Real real) {
        Applied a = applied.get(vip);
        Integer id = a == null ? null : a.reals().get(new RealKey(vip, real.address(), real.port()));
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The director-wide settings last applied. */
    public synchronized DirectorConfig config() {
        return currentConfig;
    }

    /** Indices of every real of every applied service. */
    public synchronized java.util.List<Integer> realIndices() {
        return applied.values().stream().flatMap(a -> a.reals().values().stream()).toList();
    }

    /**
     * Overwrites a real's counters with a recount (the reaper's, or a test's), and its overload flag
     * as IPVS would leave it had the connections come and gone one by one: fewer than counted is
     * connections unbound (the flag clears below the lower threshold), more is connections bound
     * (it sets at the upper one).
     */
    void setRealConns(int realIndex, RealConns conns) {
        RealConns before = realConns(realIndex);
        realConns.put(realIndex, conns);
        long was = (long) before.active() + before.inactive(), now = (long) conns.active() + conns.inactive();
        RealThresholds t = realThresholds(realIndex);
        boolean overloaded = t.overloaded();
        if (now < was && overloaded) {
            overloaded = !belowLowerThreshold(t, now);
        } else if (now > was && t.upper() != 0 && now >= Integer.toUnsignedLong(t.upper())) {
            overloaded = true;
        }
        if (overloaded != t.overloaded()) {
            realThresholds.put(realIndex, t.withOverloaded(overloaded));
        }
    }

    /** IPVS's ip_vs_unbind_dest: the lower threshold, or 3/4 of the upper when there is none. */
    private static boolean belowLowerThreshold(RealThresholds t, long total) {
        if (t.lower() != 0) {
            return total < Integer.toUnsignedLong(t.lower());
        }
        if (t.upper() != 0) {
            return total * 4 < Integer.toUnsignedLong(t.upper()) * 3;
        }
        return true;
    }

    /**
     * The counters of the reals at {@code indices}, read with batch lookups of the whole array (one
     * syscall per few thousand slots, not one per real); a slot never written reads as zero.
     */
    public Map<Integer, RealConns> realConnsOf(java.util.Collection<Integer> indices) {
        Set<Integer> wanted = new HashSet<>(indices);
        Map<Integer, RealConns> out = new HashMap<>();
        realConns.forEachRaw(4096, (key, value) -> {
            int id = key.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
            if (wanted.contains(id)) {
                out.put(id, RealConns.CODEC.decode(value));
            }
        });
        wanted.forEach(id -> out.putIfAbsent(id, RealConns.ZERO));
        return out;
    }

    public RealConns realConns(int realIndex) {
        return realConns.lookup(realIndex).orElse(RealConns.ZERO);
    }

    /** A real's thresholds and overload flag. */
    public RealThresholds realThresholds(int realIndex) {
        return realThresholds.lookup(realIndex).orElse(RealThresholds.NONE);
    }

    public Counter serviceCounter(int serviceIndex) {
        return serviceStats.lookupSum(serviceIndex, Counter::plus).orElse(Counter.ZERO);
    }

    public Counter realCounter(int realIndex) {
        return realStats.lookupSum(realIndex, Counter::plus).orElse(Counter.ZERO);
    }

    /** A NAT service's replies (packets, bytes) that went back out through the director. */
    public Counter serviceOutCounter(int serviceIndex) {
        return serviceOutStats.lookupSum(serviceIndex, Counter::plus).orElse(Counter.ZERO);
    }

    public Counter realOutCounter(int realIndex) {
        return realOutStats.lookupSum(realIndex, Counter::plus).orElse(Counter.ZERO);
    }

    public Map<Reason, Long> reasons() {
        Map<Reason, Long> out = new EnumMap<>(Reason.class);
        for (Reason r : Reason.values()) {
            out.put(r, reasons.lookupSum(r.ordinal(), Long::sum).orElse(0L));
        }
        return out;
    }

    public Map<FlowKey, ConnEntry> connections() {
        return conns.entries();
    }

    public BpfMap<FlowKey, ConnEntry> connectionTable() {
        return conns;
    }

    public Map<Integer, RealEntry> realEntries() {
        Map<Integer, RealEntry> out = new HashMap<>();
        for (Applied a : applied.values()) {
            for (int id : a.reals().values()) {
                reals.lookup(id).ifPresent(r -> out.put(id, r));
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (object != null) {
            object.close();
        } else {
            rawMaps.values().forEach(RawMap::close);
            program.close();
            passProgram.close();
        }
    }
}
