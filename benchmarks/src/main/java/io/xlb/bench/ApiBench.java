package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Xdp;
import io.xlb.cli.Xlb;
import io.xlb.daemon.Daemon;
import io.xlb.daemon.api.ApiTokens;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.lab.RealServerStep;
import io.xlb.lab.XlbDaemon;
import io.xlb.sys.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The HTTP API of a running daemon (a process in a lab namespace, as ApiLabTest runs it), timed
 * from inside the director's namespace over one keep-alive connection:
 * <ol>
 * <li>writes: sequential PUTs of distinct new services (each a new file in the managed directory
 *     and a reload by diff; each followed by the DELETE of that service, timed apart, so the number
 *     of services stays where it was), and PATCHes of one real's weight, beside POST
 *     /api/v1/config/reload with nothing changed (re-reading and checking the files) and GET
 *     /api/v1/services, at 10, 100 and 1000 services already managed;</li>
 * <li>PUT to first packet: a probe in the client's namespace loops HTTP requests to a VIP that no
 *     service has yet (the director's own stack refuses them) while a PUT creates it; the time is
 *     from the PUT's send to the end of the first request answered by a real. Baseline: the same
 *     probe's requests to the service that exists from the start.</li>
 * </ol>
 *
 * Usage: java -cp xlb-bench.jar io.xlb.bench.ApiBench [seconds per case, default 10] [trials, default 20]
 *        [levels, default 10,100,1000]
 */
public final class ApiBench {
    private static final String PREFIX = "xlbapib";
    private static final String SUBNET = "10.77.8";
    private static final String VIP = SUBNET + ".200";
    private static final String RS1 = SUBNET + ".130";
    private static final String RS2 = SUBNET + ".131";
    private static final int API_PORT = 9180;
    /** Every VIP the API creates here lies in 10.96.0.0/12: the client routes it to the director, the reals hold it on lo. */
    private static final String API_VIPS = "10.96.0.0/12";
    private static final String API_VIPS_ON_LO = "10.111.255.254/12";
    /** Between two refused probe attempts: leaves the CPU to the daemon, bounds the probe's resolution. */
    private static final long PROBE_PAUSE_NS = 500_000;

    private static final String NO_CHECK_BODY = "{\"scheduler\": \"wlc\", \"forwarding\": \"dr\", \"reals\": ["
            + "{\"address\": \"" + RS1 + "\", \"port\": 80}, {\"address\": \"" + RS2 + "\", \"port\": 80}]}";
    private static final String MH_BODY = NO_CHECK_BODY.replace("\"wlc\"", "\"mh\"");
    /** ApiLabTest's body: two reals with TCP checks. */
    private static final String CHECKED_BODY = "{\"scheduler\": \"rr\", \"forwarding\": \"dr\", \"reals\": ["
            + "{\"address\": \"" + RS1 + "\", \"port\": 80, \"check\": {\"type\": \"tcp\", \"connectTimeout\": 3}},"
            + "{\"address\": \"" + RS2 + "\", \"port\": 80, \"check\": {\"type\": \"tcp\", \"connectTimeout\": 3}}]}";

    private static final java.util.Random RANDOM = new java.util.Random();

    private record Row(int level, String request, Latencies lat, double perSecond) {}

    private record Trial(int level, String kind, double putMs, double firstMs, int refusedBefore) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int trials = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int[] levels = Arrays.stream((args.length > 2 ? args[2] : "10,100,1000").split(",")).mapToInt(Integer::parseInt).toArray();
        Path pinDir = XlbDaemon.pinDir(PREFIX, "director");
        Lab lab = new Lab(PREFIX);
        Thread cleanup = new Thread(() -> LabTeardown.close(lab, pinDir));
        Runtime.getRuntime().addShutdownHook(cleanup); // also on Ctrl-C
        try {
            run(lab, pinDir, seconds, trials, levels);
        } finally {
            LabTeardown.close(lab, pinDir);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private static void run(Lab lab, Path pinDir, int seconds, int trials, int[] levels) throws Exception {
        Lan lan = Lan.tutorial(lab, SUBNET);
        for (String rs : List.of("rs1", "rs2")) {
            RealServerStep.apply(lan.host(rs), VIP);
            lan.host(rs).ns().exec("ip", "addr", "add", API_VIPS_ON_LO, "dev", "lo");
            Nginx.start(lab, lan.host(rs));
        }
        // A VIP without a service yet reaches the director's own stack, which refuses the connection at once.
        lan.host("director").ns().exec("ip", "addr", "add", API_VIPS_ON_LO, "dev", "lo");
        lan.host("client").ns().exec("ip", "route", "add", API_VIPS, "via", lan.host("director").address());
        Path conf = lab.scratch().resolve("keepalived.conf");
        Files.writeString(conf, config());
        BackgroundProcess daemon = XlbDaemon.of(Xlb.class, conf, pinDir).start(lab, lan.host("director").ns(), "daemon");
        try (Bpf bpf = Bpf.open()) {
            BpfProgram pass = bpf.openPinnedProgram(pinDir.resolve("xlb_pass"));
            int port = lan.switchNamespace().namespace().ifindex(lan.host("director").switchPort());
            lan.switchNamespace().namespace().run(() -> bpf.xdp().attach(port, pass, Xdp.Mode.NATIVE));
        }
        NetNamespace client = lan.host("client").ns().namespace();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!client.call(() -> request(VIP))) {
            if (System.nanoTime() > deadline || !daemon.isAlive()) {
                throw new IllegalStateException("the hand-written service does not answer:\n" + daemon.log());
            }
            Thread.sleep(100);
        }
        String token = ApiTokens.firstReadWrite(XlbDaemon.apiTokenFile(conf)).orElseThrow();

        List<Row> rows = new ArrayList<>();
        List<Trial> done = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (HttpConn api = HttpConn.open(lan.host("director").ns().namespace(), "127.0.0.1", API_PORT, token)) {
            Latencies baseline = probeBaseline(client, 200);
            int managed = 0;
            int[] next = {0};
            warmUp(api, next);
            for (int li = 0; li < levels.length; li++) {
                int level = levels[li];
                long t0 = System.nanoTime();
                setLevel(api, managed, level);
                notes.add(String.format(Locale.ROOT, "%d → %d managed services in one POST /api/v1/changes: %.0f ms",
                        managed, level, (System.nanoTime() - t0) / 1e6));
                managed = level;
                String patched = "/api/v1/services/tcp:" + existing(0) + ":80/reals/" + RS1 + ":80";
                rows.add(timed(level, "GET /api/v1/services", seconds, () -> expect(api.send("GET", "/api/v1/services", null), 200)));
                rows.add(timed(level, "POST /api/v1/config/reload?dryRun=true (read and check only)", seconds,
                        () -> expect(api.send("POST", "/api/v1/config/reload?dryRun=true", null), 200)));
                rows.add(timed(level, "POST /api/v1/config/reload (no change)", seconds,
                        () -> expect(api.send("POST", "/api/v1/config/reload", null), 200)));
                if (li == 0) {
                    String a = api.send("POST", "/api/v1/config/reload", null).headers().get("etag");
                    String b = api.send("POST", "/api/v1/config/reload", null).headers().get("etag");
                    notes.add("two reloads in a row, nothing changed in between: ETag " + a + " then " + b);
                }
                int[] w = {1};
                rows.add(timed(level, "PATCH one real's weight", seconds,
                        () -> expect(api.send("PATCH", patched, "{\"weight\": " + (w[0] = 3 - w[0]) + "}"), 200)));
                rows.addAll(putDelete(api, level, "wlc", NO_CHECK_BODY, seconds, next));
                rows.addAll(putDelete(api, level, "mh", MH_BODY, seconds, next));
                // PUT to first packet, at this level: reals the director has resolved (those of the hand-written service).
                for (int t = 0; t < trials; t++) {
                    done.add(trial(api, client, level, "10.99." + li + "." + (t + 1), CHECKED_BODY, "reals resolved"));
                }
                if (li == 0) {
                    // A real the director has never seen: its MAC is resolved after the PUT, and applied at the next tick.
                    for (int t = 0; t < trials; t++) {
                        String fresh = SUBNET + "." + (140 + t);
                        lan.host("rs1").ns().exec("ip", "addr", "add", fresh + "/24", "dev", Lan.HOST_IF);
                        String body = "{\"scheduler\": \"rr\", \"forwarding\": \"dr\", \"reals\": [{\"address\": \"" + fresh
                                + "\", \"port\": 80, \"check\": {\"type\": \"tcp\", \"connectTimeout\": 3}}]}";
                        done.add(trial(api, client, level, "10.99.200." + (t + 1), body, "a real not yet resolved"));
                    }
                }
            }
            print(rows, done, baseline, notes, daemon);
        }
    }

    private static String config() {
        return """
                global_defs {
                    router_id xlbapib
                }
                vrrp_instance VI_1 {
                    state MASTER
                    interface eth0
                    virtual_router_id 51
                    priority 100
                    advert_int 1
                    authentication {
                        auth_type PASS
                        auth_pass 1111
                    }
                    virtual_ipaddress {
                        %1$s
                    }
                }
                virtual_server %1$s 80 {
                    delay_loop 6
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                    real_server %2$s 80 {
                        weight 3
                        TCP_CHECK {
                            connect_timeout 10
                            connect_port 80
                        }
                    }
                    real_server %3$s 80 {
                        weight 3
                        TCP_CHECK {
                            connect_timeout 10
                            connect_port 80
                        }
                    }
                }
                include xlb-api.d/*.conf
                """.formatted(VIP, RS1, RS2);
    }

    /** The i-th of the services that make up a level: 10.97.0.1, 10.97.0.2, … */
    private static String existing(int i) {
        return "10.97." + (i / 250) + "." + (i % 250 + 1);
    }

    /** The n-th service a timed PUT creates: 10.98.0.1, … */
    private static String created(int n) {
        return "10.98." + (n / 250) + "." + (n % 250 + 1);
    }

    /** Adds services from {@code from} to {@code to} in one atomic change. */
    private static void setLevel(HttpConn api, int from, int to) throws IOException {
        if (to <= from) {
            return;
        }
        StringBuilder ops = new StringBuilder("{\"operations\": [");
        for (int i = from; i < to; i++) {
            ops.append(i > from ? "," : "").append("{\"op\": \"put\", \"service\": \"tcp:").append(existing(i))
                    .append(":80\", \"body\": ").append(NO_CHECK_BODY).append('}');
        }
        ops.append("]}");
        expect(api.send("POST", "/api/v1/changes", ops.toString()), 200);
    }

    private static void warmUp(HttpConn api, int[] next) throws IOException {
        for (int i = 0; i < 30; i++) {
            expect(api.send("GET", "/api/v1/services", null), 200);
            expect(api.send("POST", "/api/v1/config/reload", null), 200);
            String key = "/api/v1/services/tcp:" + created(next[0]++) + ":80";
            expect(api.send("PUT", key, NO_CHECK_BODY), 201);
            expect(api.send("DELETE", key, null), 200);
        }
    }

    private interface Op {
        void run() throws IOException;
    }

    private static Row timed(int level, String name, int seconds, Op op) throws IOException {
        Latencies lat = new Latencies();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long now = start;
        while (now < end) {
            op.run();
            long t = System.nanoTime();
            lat.add(t - now);
            now = t;
        }
        return new Row(level, name, lat, lat.count() / ((now - start) / 1e9));
    }

    /** PUT of a new service, then its DELETE, in turn for {@code seconds}: both timed, the count of services unchanged. */
    private static List<Row> putDelete(HttpConn api, int level, String scheduler, String body, int seconds, int[] next)
            throws IOException {
        Latencies puts = new Latencies();
        Latencies deletes = new Latencies();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long now = start;
        while (now < end) {
            String key = "/api/v1/services/tcp:" + created(next[0]++) + ":80";
            expect(api.send("PUT", key, body), 201);
            long t = System.nanoTime();
            puts.add(t - now);
            expect(api.send("DELETE", key, null), 200);
            now = System.nanoTime();
            deletes.add(now - t);
        }
        double elapsed = (now - start) / 1e9;
        return List.of(new Row(level, "PUT of a new service (" + scheduler + ", 2 reals, no checks)", puts, puts.count() / elapsed),
                new Row(level, "DELETE of that service", deletes, deletes.count() / elapsed));
    }

    private static HttpConn.Response expect(HttpConn.Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("expected " + status + ", got " + r.status() + ": " + r.text());
        }
        return r;
    }

    // --- PUT to first packet ---

    /** A probe's loop in the client's namespace: requests to {@code vip} until one is answered by a real. */
    private static final class Probe {
        private final String vip;
        private volatile boolean stop;
        private volatile long answeredAt = -1;
        private volatile int refused;
        private final Thread thread;

        Probe(NetNamespace ns, String vip) {
            this.vip = vip;
            this.thread = Thread.ofPlatform().name("probe-" + vip).start(() -> {
                try {
                    ns.call(() -> {
                        loop();
                        return null;
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        private void loop() {
            while (!stop) {
                if (request(vip)) {
                    answeredAt = System.nanoTime();
                    return;
                }
                refused++;
                LockSupport.parkNanos(PROBE_PAUSE_NS);
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }

    private static Trial trial(HttpConn api, NetNamespace client, int level, String vip, String body, String kind)
            throws Exception {
        Probe probe = new Probe(client, vip);
        try {
            long wait = System.nanoTime() + 5_000_000_000L;
            while (probe.refused < 5) { // the probe runs, and the VIP is not served yet
                if (probe.answeredAt > 0 || System.nanoTime() > wait) {
                    throw new IllegalStateException(vip + ": the probe was answered before the PUT, or not running");
                }
                Thread.sleep(1);
            }
            // A random phase against the daemon's 1 s tick: trials in a row would otherwise lock onto it.
            Thread.sleep(RANDOM.nextInt(1000));
            int refusedBefore = probe.refused;
            String key = "/api/v1/services/tcp:" + vip + ":80";
            long sent = System.nanoTime();
            expect(api.send("PUT", key, body), 201);
            long answered = System.nanoTime();
            long limit = sent + 10_000_000_000L;
            while (probe.answeredAt < 0 && System.nanoTime() < limit) {
                Thread.sleep(1);
            }
            if (probe.answeredAt < 0) {
                throw new IllegalStateException(vip + ": not served within 10 s of the PUT");
            }
            Trial t = new Trial(level, kind, (answered - sent) / 1e6, (probe.answeredAt - sent) / 1e6, refusedBefore);
            expect(api.send("DELETE", key, null), 200);
            return t;
        } finally {
            probe.stop();
        }
    }

    /** The same probe's requests to the service that exists from the start, back to back. */
    private static Latencies probeBaseline(NetNamespace client, int n) throws Exception {
        return client.call(() -> {
            Latencies lat = new Latencies();
            for (int i = 0; i < n + 20; i++) {
                long t = System.nanoTime();
                if (!request(VIP)) {
                    throw new IllegalStateException("the existing service did not answer");
                }
                if (i >= 20) {
                    lat.add(System.nanoTime() - t);
                }
            }
            return lat;
        });
    }

    /** One HTTP/1.0 request to {@code vip}:80: true when a real answered 200 with its name. */
    private static boolean request(String vip) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(vip, 80), 50);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + vip + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return reply.startsWith("HTTP/1.1 200") && (reply.endsWith("rs1\n") || reply.endsWith("rs2\n"));
        } catch (IOException e) {
            return false;
        }
    }

    // --- report ---

    private static void print(List<Row> rows, List<Trial> trials, Latencies baseline, List<String> notes,
                              BackgroundProcess daemon) {
        System.out.println("API requests, sequential, one keep-alive connection from the director's namespace"
                + " (ratios: p50 over the same level's reload and GET p50)");
        System.out.println();
        System.out.println("| services managed | request | n | per s | p50 (ms) | p99 (ms) | p50 / check p50 | p50 / reload p50 | p50 / GET p50 |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            Row check = rows.stream().filter(x -> x.level() == r.level() && x.request().contains("dryRun")).findFirst().orElseThrow();
            Row reload = rows.stream().filter(x -> x.level() == r.level() && x.request().contains("(no change)")).findFirst().orElseThrow();
            Row get = rows.stream().filter(x -> x.level() == r.level() && x.request().startsWith("GET")).findFirst().orElseThrow();
            System.out.printf(Locale.ROOT, "| %d | %s | %d | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", r.level(), r.request(),
                    r.lat().count(), r.perSecond(), r.lat().p50(), r.lat().p99(), r.lat().p50() / check.lat().p50(),
                    r.lat().p50() / reload.lat().p50(), r.lat().p50() / get.lat().p50());
        }
        System.out.println();
        notes.forEach(System.out::println);
        System.out.println();
        System.out.printf(Locale.ROOT, "Baseline: the probe's request to the service that exists from the start: median %.2f ms,"
                + " max %.2f ms (%d requests); between two refused attempts it pauses %.1f ms%n",
                baseline.p50(), baseline.max(), baseline.count(), PROBE_PAUSE_NS / 1e6);
        System.out.println();
        System.out.println("| services managed | the new service's reals | trials | PUT latency median / max (ms) | PUT send → first answer median / max (ms) | first answer − PUT answered, median (ms) | median / baseline request |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|");
        trials.stream().map(t -> t.level() + "\t" + t.kind()).distinct().forEach(group -> {
            List<Trial> g = trials.stream().filter(t -> (t.level() + "\t" + t.kind()).equals(group)).toList();
            Latencies put = new Latencies();
            Latencies first = new Latencies();
            Latencies gap = new Latencies();
            g.forEach(t -> {
                put.add(Math.round(t.putMs() * 1e6));
                first.add(Math.round(t.firstMs() * 1e6));
                gap.add(Math.round((t.firstMs() - t.putMs()) * 1e6));
            });
            System.out.printf(Locale.ROOT, "| %d | %s | %d | %.1f / %.1f | %.1f / %.1f | %.1f | %.1f |%n", g.getFirst().level(),
                    g.getFirst().kind(), g.size(), put.p50(), put.max(), first.p50(), first.max(), gap.p50(),
                    first.p50() / baseline.p50());
        });
        System.out.println();
        for (Trial t : trials) {
            System.out.printf(Locale.ROOT, "trial: %d managed, %s: PUT %.1f ms, first answer %.1f ms (%d refused before the PUT)%n",
                    t.level(), t.kind(), t.putMs(), t.firstMs(), t.refusedBefore());
        }
        long errors = daemon.log().lines().filter(l -> l.contains("ERROR") || l.contains("Exception")).count();
        System.out.println();
        System.out.println("daemon log: " + daemon.log().lines().count() + " lines, " + errors + " with ERROR or an exception");
        daemon.log().lines().filter(l -> l.contains("ERROR") || l.contains("Exception")).limit(10).forEach(l -> System.out.println("  " + l));
    }
}
