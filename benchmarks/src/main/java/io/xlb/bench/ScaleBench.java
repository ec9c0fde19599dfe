package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.RawMap;
import io.xlb.config.ConfigFiles;
import io.xlb.daemon.ConfigCheck;
import io.xlb.daemon.Daemon;
import io.xlb.dataplane.ConnReaper;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.DirectorPreload;
import io.xlb.dataplane.MapSizes;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.sched.MaglevRing;
import io.xlb.lab.BackgroundProcess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The control plane at scale (issue 16): a keepalived.conf of N VIPs × M reals checked and applied
 * in-process as the daemon does (ConfigCheck, then Dataplane.apply on a director loaded with the
 * file's xlb_max_* sizes), the map writes of applying it again and of one real's weight changed, the
 * kernel memory each map takes (memlock), one Maglev ring of 65 537 slots over 100 reals rebuilt,
 * the connection reaper over a full table of 1M entries (time and heap it allocates), and a daemon
 * process's RSS with 1 000 VIPs, and withdrawing all of 1 000 and 10 000 services at once
 * ({@code -Dscale.withdraw=1000,10000}).
 *
 * {@code ScaleBench [vips [reals-per-vip [scheduler [rss-vips [rss-reals]]]]]}; parts can be left out with
 * {@code -Dscale.skip=load,maglev,reaper,rss,withdraw}.
 */
public final class ScaleBench {
    private static final String PREFIX = "xlbscale";
    private static final String SUBNET = "10.77.10";
    private static final int REAPER_ENTRIES = 1 << 20;

    private ScaleBench() {}

    public static void main(String[] args) throws Exception {
        int vips = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int realsPerVip = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        String scheduler = args.length > 2 ? args[2] : "wlc";
        int rssVips = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
        int rssReals = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        List<String> skip = Arrays.asList(System.getProperty("scale.skip", "").split(","));
        System.out.printf(Locale.ROOT, "JVM: %s, max heap %d MiB, %d CPUs%n", Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        if (!skip.contains("load")) {
            load(vips, realsPerVip, scheduler);
        }
        if (!skip.contains("maglev")) {
            maglev(100, MaglevRing.DEFAULT_SIZE);
        }
        if (!skip.contains("reaper")) {
            reaper(REAPER_ENTRIES);
        }
        if (!skip.contains("rss")) {
            rss(rssVips, rssReals, "mh");
        }
        if (!skip.contains("withdraw")) {
            withdraw(Arrays.stream(System.getProperty("scale.withdraw", "1000,10000").split(",")).mapToInt(Integer::parseInt)
                    .toArray(), WITHDRAWN_REALS);
        }
    }

    // --- withdrawing services ---

    /** Reals behind each withdrawn service: their retirement is part of the cost, their number is not the point. */
    private static final int WITHDRAWN_REALS = 4;

    /**
     * For each count: that many wlc services applied to a director sized for them, then all withdrawn
     * with one apply (as a reload that drops them does). Each withdrawn service's scheduling-table slot
     * is an outer-map write, and the kernel waits for running programs after each such syscall.
     */
    private static void withdraw(int[] counts, int realsEach) throws IOException {
        System.out.printf(Locale.ROOT, "%n## Withdrawing services (wlc, %d reals each), all at once%n%n", realsEach);
        System.out.println("| services | apply them: ms | withdraw them: ms | outer-map writes (slots / syscalls) | all writes (elements / syscalls) |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (int n : counts) {
            Path dir = Files.createTempDirectory("xlb-withdraw");
            Path conf = dir.resolve("keepalived.conf");
            try {
                Files.writeString(conf, config(n, realsEach, "wlc", -1, 0, false));
                ConfigCheck.Outcome outcome = check(conf);
                try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.of(outcome.sizes()))) {
                    long t0 = System.nanoTime();
                    dp.apply(resolved(outcome.desired()));
                    double applyMs = ms(t0);
                    RawMap outer = dp.map("sched_tables");
                    RawMap.Writes outer0 = outer.writes();
                    RawMap.Writes all0 = dp.mapWrites();
                    t0 = System.nanoTime();
                    dp.apply(new DesiredState(List.of(), outcome.desired().config()));
                    double withdrawMs = ms(t0);
                    RawMap.Writes o = outer.writes().minus(outer0);
                    RawMap.Writes a = dp.mapWrites().minus(all0);
                    System.out.printf(Locale.ROOT, "| %d | %.0f | %.0f | %d / %d | %d / %d |%n", n, applyMs, withdrawMs,
                            o.elements(), o.calls(), a.elements(), a.calls());
                }
            } finally {
                Files.deleteIfExists(conf);
                Files.deleteIfExists(dir);
            }
        }
    }

    // --- N VIPs × M reals from one file ---

    public static String config(int vips, int realsPerVip, String scheduler, int changedVip, int changedWeight, boolean director) {
        return config(vips, realsPerVip, scheduler, changedVip, changedWeight, director, false);
    }

    /**
     * {@code vips} services of {@code realsPerVip} reals each, every real its own address, or with
     * {@code sharedReals} the same reals (on the lab's subnet) behind every service, as the metrics
     * benchmark and the RSS figure had them: a daemon manages a neighbour entry per address.
     */
    static String config(int vips, int realsPerVip, String scheduler, int changedVip, int changedWeight, boolean director,
                         boolean sharedReals) {
        int reals = vips * realsPerVip;
        StringBuilder b = new StringBuilder(64 * reals + 1024);
        b.append("global_defs {\n    router_id xlbscale\n");
        b.append("    xlb_max_services ").append(Math.max(vips, MapSizes.DEFAULTS.services())).append('\n');
        b.append("    xlb_max_reals ").append(Math.max(reals, MapSizes.DEFAULTS.reals())).append("\n}\n");
        if (director) {
            b.append("""
                    vrrp_instance VI_1 {
                        state MASTER
                        interface eth0
                        virtual_router_id 53
                        priority 100
                        advert_int 1
                        virtual_ipaddress {
                            %s.200
                        }
                    }
                    """.formatted(SUBNET));
        }
        for (int v = 0; v < vips; v++) {
            b.append("virtual_server 10.").append(96 + (v >> 16)).append('.').append((v >> 8) & 255).append('.')
                    .append(v & 255).append(" 80 {\n    protocol TCP\n    lb_algo ").append(scheduler)
                    .append("\n    lb_kind DR\n");
            for (int r = 0; r < realsPerVip; r++) {
                int weight = v == changedVip && r == 0 ? changedWeight : 1;
                if (sharedReals) {
                    b.append("    real_server ").append(SUBNET).append('.').append(11 + r);
                } else {
                    // Every real its own address: 10.128.0.0/9 holds 8M.
                    int n = v * realsPerVip + r;
                    b.append("    real_server 10.").append(128 + (n >> 16)).append('.').append((n >> 8) & 255).append('.')
                            .append(n & 255);
                }
                b.append(" 80 {\n        weight ").append(weight).append("\n    }\n");
            }
            b.append("}\n");
        }
        return b.toString();
    }

    /** As the daemon applies it: every real's MAC resolved (until then a DR real takes no flows and sits in no ring). */
    private static DesiredState resolved(DesiredState state) {
        MacAddress mac = MacAddress.parse("02:00:5e:00:53:01");
        return new DesiredState(state.services().stream().map(s -> new Service(s.vip(), s.scheduler(), s.method(),
                s.reals().stream().map(r -> r.withNextHop(mac, 0)).toList(), s.persistence())).toList(), state.config());
    }

    /** As the daemon's reload checks it (on this host, attached to lo as the start's check had it). */
    private static ConfigCheck.Outcome check(Path conf) {
        ConfigCheck.Outcome o = ConfigCheck.check(conf, ConfigFiles.DISK, List.of("lo"), ConfigCheck.Host.local(), MapSizes.DEFAULTS);
        if (!o.accepted(false)) {
            throw new IllegalStateException("refused: " + o.errors().subList(0, Math.min(5, o.errors().size())));
        }
        return o;
    }

    private static void load(int vips, int realsPerVip, String scheduler) throws IOException {
        Path dir = Files.createTempDirectory("xlb-scale");
        Path conf = dir.resolve("keepalived.conf");
        try {
            long t0 = System.nanoTime();
            Files.writeString(conf, config(vips, realsPerVip, scheduler, -1, 0, false));
            double writeMs = ms(t0);
            long bytes = Files.size(conf);
            System.gc();
            // The daemon's start (Daemon.start): the file checked while the director loads with the sizes
            // its global_defs names, then the dataplane loaded and pinned (taking what was loaded meanwhile).
            Path pinDir = Path.of("/sys/fs/bpf/" + PREFIX + "-load-" + ProcessHandle.current().pid());
            Daemon.Options options = new Daemon.Options(conf, List.of("lo"), pinDir, Duration.ofSeconds(1));
            try (Bpf bpf = Bpf.open(); DirectorPreload preload = new DirectorPreload(bpf)) {
                long gc0 = gcMs();
                long[] cpu0 = cpuMs();
                t0 = System.nanoTime();
                // -Dscale.preload=off: the director loaded after the check, as the start did before the preload.
                ConfigCheck.Outcome first = "off".equals(System.getProperty("scale.preload"))
                        ? Daemon.check(options, told -> { }) : Daemon.check(options, preload);
                double checkMs = ms(t0);
                long gcCheck = gcMs();
                long[] cpuCheck = cpuMs();
                MapSizes sizes = first.sizes();
                t0 = System.nanoTime();
                Dataplane dp = Daemon.load(options, bpf, first, preload).dataplane();
                double loadMs = ms(t0);
                long gcLoad = gcMs();
                long[] cpuLoad = cpuMs();
                try (dp) {
                    t0 = System.nanoTime();
                    RawMap.Writes w0 = dp.mapWrites();
                    dp.apply(resolved(first.desired()));
                    double applyMs = ms(t0);
                    long gcApply = gcMs();
                    long[] cpuApply = cpuMs();
                    RawMap.Writes applyWrites = dp.mapWrites().minus(w0);
                    Runtime rt = Runtime.getRuntime();
                    System.gc();
                    long heapAfter = rt.totalMemory() - rt.freeMemory();

                    t0 = System.nanoTime();
                    w0 = dp.mapWrites();
                    dp.apply(resolved(first.desired()));
                    double againMs = ms(t0);
                    RawMap.Writes againWrites = dp.mapWrites().minus(w0);

                    int changed = vips / 2;
                    Files.writeString(conf, config(vips, realsPerVip, scheduler, changed, 2, false));
                    t0 = System.nanoTime();
                    ConfigCheck.Outcome next = check(conf);
                    double recheckMs = ms(t0);
                    t0 = System.nanoTime();
                    w0 = dp.mapWrites();
                    dp.apply(resolved(next.desired()));
                    double weightMs = ms(t0);
                    RawMap.Writes weightWrites = dp.mapWrites().minus(w0);

                    System.out.printf(Locale.ROOT, "%n## %d VIPs × %d reals (%s), one file of %.1f MB (written in %.0f ms)%n%n",
                            vips, realsPerVip, scheduler, bytes / 1e6, writeMs);
                    System.out.println("| step | ms | map elements written | write syscalls |");
                    System.out.println("|---|---:|---:|---:|");
                    System.out.printf(Locale.ROOT, "| check-config (parse, check, map to a desired state; the director loading meanwhile) | %.0f | — | — |%n", checkMs);
                    System.out.printf(Locale.ROOT, "| load the director with maps for %s, and pin it (what is left of it after the check) | %.0f | — | — |%n", sizes, loadMs);
                    System.out.printf(Locale.ROOT, "| apply (first) | %.0f | %d | %d |%n", applyMs, applyWrites.elements(), applyWrites.calls());
                    System.out.printf(Locale.ROOT, "| **from the file to the maps: check + load + apply** | **%.0f** | | |%n",
                            checkMs + loadMs + applyMs);
                    System.out.printf(Locale.ROOT, "| apply the same state again | %.0f | %d | %d |%n", againMs, againWrites.elements(), againWrites.calls());
                    System.out.printf(Locale.ROOT, "| check-config of the file with one real's weight 1 → 2 | %.0f | — | — |%n", recheckMs);
                    System.out.printf(Locale.ROOT, "| apply that (one weight changed among %d reals) | %.0f | %d | %d |%n",
                            vips * realsPerVip, weightMs, weightWrites.elements(), weightWrites.calls());
                    System.out.printf(Locale.ROOT, "%nGC pauses (ms): check %d, load %d, apply %d%n", gcCheck - gc0, gcLoad - gcCheck,
                            gcApply - gcLoad);
                    System.out.printf(Locale.ROOT, "CPU (ms; this thread / the whole process, GC and the preload included): check %d / %d,"
                                    + " load %d / %d, apply %d / %d%n", cpuCheck[0] - cpu0[0], cpuCheck[1] - cpu0[1],
                            cpuLoad[0] - cpuCheck[0], cpuLoad[1] - cpuCheck[1], cpuApply[0] - cpuLoad[0], cpuApply[1] - cpuLoad[1]);
                    System.out.printf(Locale.ROOT, "%nheap live after the first apply (after a GC): %d MiB%n", heapAfter >> 20);
                    memlock(dp, sizes);
                } finally {
                    DataplaneLoader.unpin(bpf, pinDir);
                }
            }
        } finally {
            Files.deleteIfExists(conf);
            Files.deleteIfExists(dir);
        }
    }

    /** Kernel memory of each map (memlock of /proc/self/fdinfo), beside what the default sizes take. */
    private static void memlock(Dataplane dp, MapSizes sizes) {
        Map<String, Long> at = new LinkedHashMap<>();
        Dataplane.MAPS.forEach(m -> at.put(m, memlock(dp.map(m))));
        Map<String, Long> defaults = new LinkedHashMap<>();
        try (Bpf bpf = Bpf.open(); Dataplane d = DataplaneLoader.load(bpf, DataplaneLoader.Options.of(MapSizes.DEFAULTS))) {
            Dataplane.MAPS.forEach(m -> defaults.put(m, memlock(d.map(m))));
        }
        System.out.printf(Locale.ROOT, "%nKernel memory (memlock, bytes; %d possible CPUs), default sizes beside %s:%n%n",
                dp.map("reals").possibleCpus(), sizes);
        System.out.println("| map | sized by | max_entries default | memlock default | max_entries here | memlock here | bytes per entry here |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        long total = 0, totalDefault = 0;
        Map<String, Integer> here = sizes.maxEntries();
        Map<String, Integer> def = MapSizes.DEFAULTS.maxEntries();
        for (String m : Dataplane.MAPS) {
            String by = m.equals("vips") || MapSizes.SERVICE_MAPS.contains(m) ? "services"
                    : MapSizes.REAL_MAPS.contains(m) ? "reals" : MapSizes.CONNECTION_MAPS.contains(m) ? "connections" : "fixed";
            long entries = dp.map(m).info().maxEntries();
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %d | %d | %.1f |%n", m, by,
                    def.containsKey(m) ? String.valueOf(def.get(m)) : "—", defaults.get(m), entries, at.get(m),
                    (double) at.get(m) / entries);
            total += at.get(m);
            totalDefault += defaults.get(m);
        }
        System.out.printf(Locale.ROOT, "| all | | | %.1f MiB | | %.1f MiB | |%n", totalDefault / 1048576.0, total / 1048576.0);
        System.out.println("(scheduling tables are extra: one inner map per service, (1 + table length) × 4 B + overhead)");
    }

    private static long memlock(RawMap map) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + map.fd()))) {
                if (line.startsWith("memlock:")) {
                    return Long.parseLong(line.substring(8).trim());
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return -1;
    }

    // --- one Maglev ring rebuilt ---

    private static void maglev(int members, int size) {
        List<MaglevRing.Member> ms = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            ms.add(new MaglevRing.Member("10.128.0." + i + ":80", i, 1));
        }
        List<MaglevRing.Member> weighted = new ArrayList<>(ms);
        weighted.set(0, new MaglevRing.Member("10.128.0.0:80", 0, 2));
        // The permutations MaglevRing.build computes, for the loop as it was before (the reference below).
        List<MaglevRing.Permutation> perms = new ArrayList<>();
        List<MaglevRing.Member> sorted = new ArrayList<>(ms);
        sorted.sort(java.util.Comparator.comparing(MaglevRing.Member::key));
        java.util.Random random = new java.util.Random(7);
        for (MaglevRing.Member m : sorted) {
            perms.add(new MaglevRing.Permutation(m.id(), random.nextInt(size), 1 + random.nextInt(size - 1), 1));
        }
        if (!Arrays.equals(MaglevRing.populate(perms, size), populateBefore(perms, size))) {
            throw new IllegalStateException("the population loop and its reference disagree");
        }
        for (int i = 0; i < 20; i++) {
            MaglevRing.build(ms, size); // warm up
            populateBefore(perms, size);
        }
        double[] equal = new double[31];
        double[] uneven = new double[31];
        double[] now = new double[31];
        double[] before = new double[31];
        for (int i = 0; i < equal.length; i++) {
            long t0 = System.nanoTime();
            MaglevRing.build(ms, size);
            equal[i] = ms(t0);
            t0 = System.nanoTime();
            MaglevRing.build(weighted, size);
            uneven[i] = ms(t0);
            t0 = System.nanoTime();
            MaglevRing.populate(perms, size);
            now[i] = ms(t0);
            t0 = System.nanoTime();
            populateBefore(perms, size);
            before[i] = ms(t0);
        }
        for (double[] a : List.of(equal, uneven, now, before)) {
            Arrays.sort(a);
        }
        System.out.printf(Locale.ROOT, "%n## Maglev ring of %d slots over %d reals, rebuilt (31 builds after 20, interleaved)%n%n", size, members);
        System.out.println("| build | median (ms) | min | max |");
        System.out.println("|---|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| MaglevRing.build, %d of weight 1 | %.2f | %.2f | %.2f |%n", members, equal[15], equal[0], equal[30]);
        System.out.printf(Locale.ROOT, "| the same, one of weight 2 | %.2f | %.2f | %.2f |%n", uneven[15], uneven[0], uneven[30]);
        System.out.printf(Locale.ROOT, "| population loop alone (given permutations) | %.2f | %.2f | %.2f |%n", now[15], now[0], now[30]);
        System.out.printf(Locale.ROOT, "| the loop as it was (multiply and modulo per probe), same permutations | %.2f | %.2f | %.2f |%n",
                before[15], before[0], before[30]);
    }

    /** MaglevRing.populate as it was before (a5e416e): the reference the faster loop is timed against and checked by. */
    private static int[] populateBefore(List<MaglevRing.Permutation> perms, int size) {
        int n = perms.size();
        long[] next = new long[n];
        long[] target = new long[n];
        long maxWeight = perms.stream().mapToLong(MaglevRing.Permutation::weight).max().orElseThrow();
        Arrays.fill(target, maxWeight);
        int[] table = new int[size];
        boolean[] taken = new boolean[size];
        int filled = 0;
        for (long turn = 1; filled < size; turn++) {
            for (int i = 0; i < n && filled < size; i++) {
                MaglevRing.Permutation p = perms.get(i);
                if (turn * p.weight() < target[i]) {
                    continue;
                }
                target[i] += maxWeight;
                int slot;
                do {
                    slot = (int) ((p.offset() + next[i] * p.skip()) % size);
                    next[i]++;
                } while (taken[slot]);
                taken[slot] = true;
                table[slot] = p.id();
                filled++;
            }
        }
        return table;
    }

    // --- the reaper over a full connection table ---

    private static void reaper(int entries) throws Exception {
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.of(
                new MapSizes(MapSizes.DEFAULTS.services(), MapSizes.DEFAULTS.reals(), entries)))) {
            long now = System.nanoTime();
            long fresh = now;
            long stale = now - 3_600L * 1_000_000_000L;
            InetAddress vip = InetAddress.getByName("10.96.0.1");
            Map<FlowKey, ConnEntry> chunk = new LinkedHashMap<>();
            int filled = 0;
            // The LRU table holds a little less than max_entries at once (per-CPU lists): fill 90 %.
            int target = entries / 10 * 9;
            long t0 = System.nanoTime();
            for (int i = 0; i < target; i++) {
                InetAddress client = InetAddress.getByAddress(new byte[] {(byte) 100, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
                // One in ten expired (idle for an hour), the rest established just now, on 16 reals.
                chunk.put(new FlowKey(client, vip, 1024 + (i & 0x7fff), 80, 6, FlowKey.CONNECTION),
                        new ConnEntry(i % 10 == 0 ? stale : fresh, i & 15, 0, ConnState.ESTABLISHED));
                if (chunk.size() == 4096) {
                    filled += dp.connectionTable().updateBatch(chunk);
                    chunk.clear();
                }
            }
            filled += dp.connectionTable().updateBatch(chunk);
            double fillMs = ms(t0);
            ConnReaper reaper = new ConnReaper(dp, () -> now);
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            System.gc();
            long a0 = threads.getCurrentThreadAllocatedBytes();
            t0 = System.nanoTime();
            ConnReaper.Sweep first = reaper.sweep();
            double firstMs = ms(t0);
            long firstAlloc = threads.getCurrentThreadAllocatedBytes() - a0;
            a0 = threads.getCurrentThreadAllocatedBytes();
            t0 = System.nanoTime();
            ConnReaper.Sweep second = reaper.sweep();
            double secondMs = ms(t0);
            long secondAlloc = threads.getCurrentThreadAllocatedBytes() - a0;
            System.out.printf(Locale.ROOT, "%n## Connection reaper over a table of %d entries (%d written in %.0f ms, 1 in 10 expired)%n%n",
                    entries, filled, fillMs);
            System.out.println("| sweep | scanned | expired | ms | heap allocated (MiB) |");
            System.out.println("|---|---:|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| first (deletes the expired) | %d | %d | %.0f | %.1f |%n", first.scanned(), first.expired(),
                    firstMs, firstAlloc / 1048576.0);
            System.out.printf(Locale.ROOT, "| second (nothing to delete) | %d | %d | %.0f | %.1f |%n", second.scanned(), second.expired(),
                    secondMs, secondAlloc / 1048576.0);
        }
    }

    // --- a daemon process's RSS ---

    private static void rss(int vips, int realsPerVip, String scheduler) throws Exception {
        try (LabDaemon lab = LabDaemon.start(PREFIX, SUBNET, config(vips, realsPerVip, scheduler, -1, 0, true, true),
                Duration.ofSeconds(300))) {
            BackgroundProcess daemon = lab.daemon();
            double startMs = lab.startMs();
            long atStart = rssKiB(daemon.pid());
            long peak = hwmKiB(daemon.pid());
            // Then as it runs: the tick, the reaper, MAC resolution; the largest RSS over 10 s.
            long most = atStart;
            for (int i = 0; i < 10; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000_000L);
                most = Math.max(most, rssKiB(daemon.pid()));
            }
            System.out.printf(Locale.ROOT, "%n## Daemon process with %d VIPs × %d reals (%s; the same %d reals behind each VIP), started in %.0f ms%n%n",
                    vips, realsPerVip, scheduler, realsPerVip, startMs);
            System.out.println("| RSS when running (MiB) | largest RSS over the next 10 s (MiB) | VmHWM, peak during start (MiB) | goal |");
            System.out.println("|---:|---:|---:|---|");
            System.out.printf(Locale.ROOT, "| %.0f | %.0f | %.0f | < 200 MB |%n", atStart / 1024.0, most / 1024.0,
                    hwmKiB(daemon.pid()) / 1024.0);
            if (!daemon.isAlive()) {
                throw new IllegalStateException("the daemon died:\n" + daemon.log());
            }
            System.out.printf(Locale.ROOT, "(VmHWM right after start: %.0f MiB)%n", peak / 1024.0);
            // -Dscale.rss.hold=SECONDS keeps the daemon up for a look inside (jcmd PID VM.native_memory, GC.class_histogram).
            long hold = Long.getLong("scale.rss.hold", 0);
            if (hold > 0) {
                System.out.printf(Locale.ROOT, "daemon pid %d held for %d s%n", daemon.pid(), hold);
                System.out.flush();
                java.util.concurrent.locks.LockSupport.parkNanos(hold * 1_000_000_000L);
            }
        }
    }

    private static long rssKiB(long pid) throws IOException {
        return statusKiB(pid, "VmRSS:");
    }

    private static long hwmKiB(long pid) throws IOException {
        return statusKiB(pid, "VmHWM:");
    }

    /** The daemon is java itself or nohup's child; /proc/PID/status of that process. */
    private static long statusKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** CPU time so far: this thread's, and the process's (every thread: the collector's, the preload's). */
    private static long[] cpuMs() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new long[] {ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000,
                os.getProcessCpuTime() / 1_000_000};
    }

    /** Time the collectors took so far (the serial collector's is all pause). */
    private static long gcMs() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
