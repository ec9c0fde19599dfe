package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.TestRunResult;
import io.xlb.daemon.api.ApiTokens;
import io.xlb.daemon.metrics.DirectorMetrics;
import io.xlb.daemon.metrics.MetricsSource;
import io.xlb.daemon.status.InstanceStatus;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.Structs;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.dataplane.sched.MaglevRing;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.XlbDaemon;
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Frame;
import java.io.OutputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A Prometheus scrape of a large director, and what scraping costs the packets. A director with
 * 1000 services × 10 reals (or as many reals as its maps hold) applied in-process: the duration
 * and size of one DirectorMetrics scrape over a MetricsSource reading that Dataplane (as the
 * daemon's does), and the director's ns/packet through BPF_PROG_TEST_RUN on CPU 0 (DataplaneBench's
 * shim and floor, same frames) idle and while another thread, pinned to CPU 1, scrapes in a loop;
 * idle and scraped samples alternate. Then the same configuration in a daemon process in a lab
 * namespace, scraped over HTTP (GET /metrics), to show what the HTTP path adds.
 *
 * Usage: java -cp xlb-bench.jar io.xlb.bench.ScrapeBench [repeat per sample, default 1000000] [samples, default 7]
 *        [services, default 1000] [reals per service, default 10] [http: yes|no, default yes]
 */
public final class ScrapeBench {
    private static final String PREFIX = "xlbscrb";
    private static final String SUBNET = "10.77.9";

    public static void main(String[] args) throws Exception {
        int repeat = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        int services = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int realsAsked = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        boolean http = args.length <= 4 || args[4].equals("yes");
        InProcess done = CpuAffinity.callOn(0, () -> inProcess(repeat, samples, services, realsAsked));
        if (http) {
            overHttp(services, done);
        }
    }

    /** VIP i: 10.97.0.1, 10.97.0.2, … (as ApiBench's managed services). */
    private static String vip(int i) {
        return "10.97." + (i / 250) + "." + (i % 250 + 1);
    }

    /** Real j of every service: the same few addresses behind each VIP, each its own slot per service. */
    private static String real(int j) {
        return SUBNET + "." + (11 + j);
    }

    private static String scheduler(int i) {
        return i % 2 == 0 ? "mh" : "wlc";
    }

    private static DesiredState state(int services, int reals) {
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            List<Real> rs = new ArrayList<>();
            for (int j = 0; j < reals; j++) {
                rs.add(new Real(InetAddress.ofLiteral(real(j)), 80, 1, Method.DR,
                        MacAddress.parse(String.format("02:00:00:00:03:%02x", j + 1)), 0));
            }
            out.add(new Service(new VipKey(InetAddress.ofLiteral(vip(i)), 80, Protocol.TCP), Scheduler.named(scheduler(i)),
                    Method.DR, rs));
        }
        return new DesiredState(out, DirectorConfig.defaults());
    }

    /** What a scrape reads: the maps through Dataplane, and (optionally) one watched-real entry per real. */
    private static MetricsSource source(Dataplane dp, List<RealHealth> health) {
        return new MetricsSource() {
            @Override
            public List<Dataplane.ServiceView> services() {
                return dp.view();
            }

            @Override
            public Map<Reason, Long> reasons() {
                return dp.reasons();
            }

            @Override
            public List<InstanceStatus> vrrp() {
                return List.of();
            }

            @Override
            public List<RealHealth> health() {
                return health;
            }

            @Override
            public long generation() {
                return 1;
            }
        };
    }

    /** Counts what a scrape writes, keeps nothing. */
    private static final class Sink extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

    /** Scrapes in a loop on CPU 1 while on; {@link #set} returns once the loop is in the asked state. */
    private static final class Scraper {
        private final DirectorMetrics metrics;
        private volatile boolean on;
        private volatile boolean busy;
        private volatile boolean quit;
        private final AtomicLong scrapes = new AtomicLong();
        private final Thread thread;
        private volatile Throwable failure;
        private long onSince;
        private long onNanos;
        private long onScrapes;
        private long scrapesAtOn;

        Scraper(DirectorMetrics metrics) {
            this.metrics = metrics;
            this.thread = Thread.ofPlatform().name("scraper").start(() -> {
                try {
                    CpuAffinity.callOn(1, () -> {
                        loop();
                        return null;
                    });
                } catch (Throwable e) {
                    failure = e;
                    busy = false;
                }
            });
        }

        private void loop() throws Exception {
            Sink sink = new Sink();
            while (!quit) {
                if (!on) {
                    busy = false;
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                busy = true;
                metrics.write(sink);
                scrapes.incrementAndGet();
            }
            busy = false;
        }

        void set(boolean want) {
            boolean was = on;
            on = want;
            long c = scrapes.get();
            while (failure == null && (want ? scrapes.get() <= c : busy)) {
                LockSupport.parkNanos(200_000);
            }
            if (failure != null) {
                throw new IllegalStateException("the scraper failed", failure);
            }
            if (want && !was) {
                onSince = System.nanoTime();
                scrapesAtOn = scrapes.get();
            } else if (!want && was) {
                onNanos += System.nanoTime() - onSince;
                onScrapes += scrapes.get() - scrapesAtOn;
            }
        }

        /** Scrapes per second over the time it was on (counted from its first scrape each time). */
        double rate() {
            double r = onScrapes / (onNanos / 1e9);
            onNanos = 0;
            onScrapes = 0;
            return r;
        }

        void quit() throws InterruptedException {
            quit = true;
            thread.join();
        }
    }

    private record Scenario(String name, Frame frame, boolean newFlowEachRun) {}

    /** What the HTTP part compares with: the reals per service measured, one in-process scrape with every real watched. */
    private record InProcess(int reals, double scrapeMs, long bytes) {}

    private static InProcess inProcess(int repeat, int samples, int services, int realsAsked) throws Exception {
        try (Bpf bpf = Bpf.open()) {
            BenchShim shim = BenchShim.load(bpf);
            try (Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.defaults())) {
                dp.addInterface(DataplaneBench.LOOPBACK_IFINDEX, new MacAddress(Frame.DIRECTOR_MAC));
                int reals = realsAsked;
                try {
                    dp.check(state(services, reals));
                } catch (IllegalArgumentException e) {
                    reals = Structs.MAX_REALS / services;
                    System.out.printf("%d services × %d reals refused by the dataplane (\"%s\"): measured with %d × %d = %d reals%n",
                            services, realsAsked, e.getMessage(), services, reals, services * reals);
                }
                long t0 = System.nanoTime();
                dp.apply(state(services, reals));
                System.out.printf(Locale.ROOT, "applied %d services × %d reals in %.0f ms (mh, wlc, in turn)%n", services, reals,
                        (System.nanoTime() - t0) / 1e6);
                // What one more apply costs at this size: the daemon applies the whole desired state on every change.
                t0 = System.nanoTime();
                dp.apply(state(services, reals));
                double same = (System.nanoTime() - t0) / 1e6;
                List<Service> more = new ArrayList<>(state(services, reals).services());
                Service extra = more.get(1);
                more.add(new Service(new VipKey(InetAddress.ofLiteral("10.98.0.1"), 80, Protocol.TCP), extra.scheduler(),
                        Method.DR, extra.reals()));
                t0 = System.nanoTime();
                dp.apply(new DesiredState(more, DirectorConfig.defaults()));
                double plusOne = (System.nanoTime() - t0) / 1e6;
                t0 = System.nanoTime();
                dp.apply(state(services, reals));
                double minusOne = (System.nanoTime() - t0) / 1e6;
                System.out.printf(Locale.ROOT, "Dataplane.apply at this size: the same state again %.0f ms; with one wlc service more"
                        + " %.0f ms; back without it %.0f ms%n", same, plusOne, minusOne);
                List<MaglevRing.Member> members = new ArrayList<>();
                for (int j = 0; j < reals; j++) {
                    members.add(new MaglevRing.Member(real(j) + ":80", j, 1));
                }
                Latencies ring = new Latencies();
                for (int i = 0; i < 30; i++) {
                    long t = System.nanoTime();
                    MaglevRing.build(members, MaglevRing.DEFAULT_SIZE);
                    ring.add(System.nanoTime() - t);
                }
                System.out.printf(Locale.ROOT, "one MaglevRing.build of %d members, %d slots: median %.2f ms (× %d mh services = %.0f ms)%n",
                        reals, MaglevRing.DEFAULT_SIZE, ring.p50(), (services + 1) / 2, ring.p50() * ((services + 1) / 2));

                List<RealHealth> health = new ArrayList<>();
                for (int i = 0; i < services; i++) {
                    for (int j = 0; j < reals; j++) {
                        health.add(new RealHealth("TCP", vip(i), 80, real(j), 80, true, OptionalInt.empty(), 1, Optional.empty()));
                    }
                }
                DirectorMetrics metrics = new DirectorMetrics(source(dp, List.of()), "bench");
                DirectorMetrics withHealth = new DirectorMetrics(source(dp, health), "bench");
                double[] watched = scrapeTimes(dp, metrics, withHealth);

                byte[] empty = new byte[0];
                Frame ack4 = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.ACK).payload(empty);
                List<Scenario> scenarios = List.of(
                        new Scenario("DR, established flow", Frame.tcp("198.51.100.7", 40000, vip(0), 80, Frame.ACK).payload(empty), false),
                        new Scenario("DR, new flow, mh (SYN)", Frame.tcp("198.51.100.7", 40000, vip(2), 80, Frame.SYN).payload(empty), true));
                int perCpuShare = (1 << 20) / bpf.possibleCpus();
                Scraper scraper = new Scraper(metrics);
                try {
                    System.out.println();
                    System.out.printf(Locale.ROOT, "ns/packet, repeat %d per sample (fewer where marked), %d samples of each, CPU 0;"
                            + " each: (shim+director) - (shim+floor) + floor; idle and scraped samples alternate; the scraper"
                            + " runs DirectorMetrics.write in a loop on CPU 1%n%n", repeat, samples);
                    System.out.println("| path | idle ns/packet | × floor | scraped ns/packet | × floor | scraped / idle | scrapes/s while on |");
                    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
                    for (Scenario s : scenarios) {
                        byte[] bytes = s.frame().bytes();
                        int stamp = s.newFlowEachRun() ? DataplaneBench.V4_SRC_OFFSET : 0;
                        int runs = s.newFlowEachRun() ? Math.min(repeat, perCpuShare / (2 * samples + 1)) : repeat;
                        shim.aim(dp.program(), bytes, stamp);
                        DataplaneBench.check(shim.shim().testRun(bytes, 1), TestRunResult.XDP_TX, 54, s.name());
                        double[][] ns = new double[2][samples];
                        double[][] ratio = new double[2][samples];
                        double[] change = new double[samples];
                        for (int i = 0; i < samples; i++) {
                            for (int k = 0; k < 2; k++) {
                                boolean scraped = (k == 1) ^ (i % 2 == 1); // alternate which goes first
                                scraper.set(scraped);
                                BenchShim.Floor floor = shim.measureFloor(ack4.bytes(), runs);
                                shim.aim(dp.program(), bytes, stamp);
                                int m = scraped ? 1 : 0;
                                ns[m][i] = floor.cost(DataplaneBench.check(shim.shim().testRun(bytes, runs), TestRunResult.XDP_TX, 54, s.name()));
                                ratio[m][i] = ns[m][i] / Math.max(1, floor.floorNs());
                            }
                            change[i] = ns[1][i] / ns[0][i];
                        }
                        scraper.set(false);
                        System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.0f | %.1f | %.2f | %.1f |%n",
                                s.name() + (runs != repeat ? " [" + runs + " per sample]" : ""), DataplaneBench.median(ns[0]),
                                DataplaneBench.median(ratio[0]), DataplaneBench.median(ns[1]), DataplaneBench.median(ratio[1]),
                                DataplaneBench.median(change), scraper.rate());
                    }
                    System.out.println();
                    System.out.println("(scraped / idle: the median over samples of each sample's scraped ns over its idle ns)");
                } finally {
                    scraper.quit();
                }
                return new InProcess(reals, watched[0], (long) watched[1]);
            }
        }
    }

    /** Prints the scrapes' times; returns the median and size of one with every real watched. */
    private static double[] scrapeTimes(Dataplane dp, DirectorMetrics metrics, DirectorMetrics withHealth) throws Exception {
        int n = 30;
        Latencies view = new Latencies();
        Latencies plain = new Latencies();
        Latencies health = new Latencies();
        long[] bytes = new long[2];
        for (int i = 0; i < 10; i++) { // warm-up
            metrics.write(new Sink());
            withHealth.write(new Sink());
        }
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            int services = dp.view().size();
            view.add(System.nanoTime() - t);
            if (services == 0) {
                throw new IllegalStateException("no services in the maps");
            }
            Sink a = new Sink();
            t = System.nanoTime();
            metrics.write(a);
            plain.add(System.nanoTime() - t);
            Sink b = new Sink();
            t = System.nanoTime();
            withHealth.write(b);
            health.add(System.nanoTime() - t);
            bytes[0] = a.bytes;
            bytes[1] = b.bytes;
        }
        System.out.println();
        System.out.println("One scrape in-process, on CPU 0, nothing else running in this process (" + n + " each, after 10 to warm up):");
        System.out.println();
        System.out.println("| what | median (ms) | max (ms) | bytes | × Dataplane.view() |");
        System.out.println("|---|---:|---:|---:|---:|");
        System.out.printf(Locale.ROOT, "| Dataplane.view() alone (the map reads) | %.1f | %.1f | — | 1.00 |%n", view.p50(), view.max());
        System.out.printf(Locale.ROOT, "| DirectorMetrics.write, no watched reals | %.1f | %.1f | %d | %.2f |%n", plain.p50(), plain.max(),
                bytes[0], plain.p50() / view.p50());
        System.out.printf(Locale.ROOT, "| DirectorMetrics.write, every real watched (xlb_real_up each) | %.1f | %.1f | %d | %.2f |%n",
                health.p50(), health.max(), bytes[1], health.p50() / view.p50());
        return new double[] {health.p50(), bytes[1]};
    }

    // --- the same configuration in a daemon, over HTTP ---

    private static void overHttp(int services, InProcess inProcess) throws Exception {
        int reals = inProcess.reals();
        try (LabDaemon lab = LabDaemon.start(PREFIX, SUBNET, config(services, reals), Duration.ofSeconds(180))) {
            BackgroundProcess daemon = lab.daemon();
            double startMs = lab.startMs();
            String token = ApiTokens.firstReadWrite(XlbDaemon.apiTokenFile(lab.conf())).orElseThrow();
            Latencies get = new Latencies();
            long size = 0;
            String text = "";
            try (HttpConn api = HttpConn.open(lab.director().ns().namespace(), "127.0.0.1", 9180, token)) {
                for (int i = 0; i < 40; i++) {
                    long t = System.nanoTime();
                    HttpConn.Response r = api.send("GET", "/metrics", null);
                    long d = System.nanoTime() - t;
                    if (r.status() != 200) {
                        throw new IllegalStateException("GET /metrics: " + r.status() + " " + r.text());
                    }
                    if (i >= 10) {
                        get.add(d);
                    }
                    size = r.body().length;
                    text = r.text();
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "Through a daemon process (%d services × %d reals in its keepalived.conf, started in %.0f ms),"
                    + " GET /metrics over one keep-alive connection from its namespace, %d after 10 to warm up:%n%n",
                    services, reals, startMs, get.count());
            System.out.println("| what | median (ms) | max (ms) | bytes | × in-process scrape, every real watched |");
            System.out.println("|---|---:|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| DirectorMetrics.write in-process, every real watched (from above) | %.1f | — | %d | 1.00 |%n",
                    inProcess.scrapeMs(), inProcess.bytes());
            System.out.printf(Locale.ROOT, "| GET /metrics over HTTP from the daemon | %.1f | %.1f | %d | %.2f |%n", get.p50(), get.max(),
                    size, get.p50() / inProcess.scrapeMs());
            long samplesLines = text.lines().filter(l -> !l.startsWith("#")).count();
            long up = text.lines().filter(l -> l.startsWith("xlb_real_up{")).count();
            System.out.println();
            System.out.println("the daemon's scrape: " + samplesLines + " samples, of which " + up
                    + " xlb_real_up (its reals have no checkers)");
            if (!daemon.isAlive()) {
                throw new IllegalStateException("the daemon died:\n" + daemon.log());
            }
        }
    }

    /** A vrrp_instance (for the interface) and the services written out by hand, no checks. */
    private static String config(int services, int reals) {
        StringBuilder b = new StringBuilder("""
                global_defs {
                    router_id xlbscrb
                }
                vrrp_instance VI_1 {
                    state MASTER
                    interface eth0
                    virtual_router_id 52
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        %s.200
                    }
                }
                """.formatted(SUBNET));
        for (int i = 0; i < services; i++) {
            b.append("virtual_server ").append(vip(i)).append(" 80 {\n    protocol TCP\n    lb_algo ").append(scheduler(i))
                    .append("\n    lb_kind DR\n");
            for (int j = 0; j < reals; j++) {
                b.append("    real_server ").append(real(j)).append(" 80 {\n        weight 1\n    }\n");
            }
            b.append("}\n");
        }
        return b.toString();
    }
}
