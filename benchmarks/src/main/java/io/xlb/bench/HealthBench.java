package io.xlb.bench;

import io.vertx.core.Vertx;
import io.xlb.health.Check;
import io.xlb.health.CheckSpec;
import io.xlb.health.Checks;
import io.xlb.health.Clock;
import io.xlb.health.EventLoopClocks;
import io.xlb.health.HealthMonitor;
import io.xlb.health.NativeTransportVertx;
import io.xlb.health.Timing;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Health checks one process sustains: TCP_CHECKs against nginx on a real server in a namespace,
 * from a checker in another, on one Vert.x instance (as the daemon runs them: one check object per
 * real, rounds spread over the warmup). Reports checks per second achieved against those asked
 * for, and the process's CPU use, at 1 000 reals with delay_loop 1 s and with delay_loop 0.1 s.
 *
 * Usage: java -cp xlb-bench.jar io.xlb.bench.HealthBench [seconds per run, default 10 [reals, default 1000,10000]]
 * (each count of reals at delay_loop 1 s; 1 000 also at 0.1 s). Every real has its own address, as
 * in a deployment: the real server's namespace holds all of {@value #REALS_PREFIX}.0.0/16 on its
 * loopback (a local route) and one nginx answers on all of them. With one address for every real,
 * the checker's TIME_WAIT sockets (it closes first, as keepalived's checks do) would exhaust the
 * ports towards that one address at ~1 000 checks/s, a limit of the stand-in, not of the checker.
 */
public final class HealthBench {
    private static final String REALS_PREFIX = "10.78";
    private static final int MAX_REALS = 65_000;

    /** The address of real {@code i}: one per real, all held by the real server's namespace. */
    private static String realAddress(int i) {
        int n = i % MAX_REALS + 1;
        return REALS_PREFIX + "." + (n >> 8) + "." + (n & 0xff);
    }

    private static final Duration WARM_UP = Duration.ofSeconds(15);

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        if (args.length > 1 && args[1].equals("--baseline")) {
            baseline(seconds);
            return;
        }
        if (args.length > 1 && args[1].equals("--worker")) {
            worker(Integer.parseInt(args[2]), Duration.ofMillis(Long.parseLong(args[3])), Way.valueOf(args[4]), seconds);
            return;
        }
        List<Integer> realCounts = args.length > 1
                ? java.util.Arrays.stream(args[1].split(",")).map(Integer::parseInt).toList() : List.of(1000, 10_000);
        try (Lab lab = new Lab("xlbbench")) {
            Lan lan = Lan.create(lab, "10.77.4", List.of("checker", "rs"));
            lan.host("checker").ns().exec("sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=1024 65535");
            lan.host("rs").ns().exec("ip", "route", "add", "local", REALS_PREFIX + ".0.0/16", "dev", "lo");
            lan.host("checker").ns().exec("ip", "route", "add", REALS_PREFIX + ".0.0/16", "via", lan.host("rs").address());
            // Two workers and a deep accept queue: the stand-in for 10 000 reals must accept 10 000 connections a second.
            Nginx.startForConnections(lab, lan.host("rs"), 80, 2, 8192);
            String java = ProcessHandle.current().info().command().orElseThrow();
            String cp = System.getProperty("java.class.path");
            System.out.println("| reals | delay_loop | TCP check | checks/s asked | checks/s done | failed | CPU (% of one core) | CPU per check, ms (user + kernel) |");
            System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|");
            for (int reals : realCounts) {
                for (long loopMs : reals == 1000 ? new long[] {1000, 100} : new long[] {1000}) {
                    // Every checker on the event loops in turn (EventLoopClocks), as the daemon runs them.
                    for (Way on : Way.values()) {
                        // The daemon's JVM (its launcher's runtime defaults), so the collector's work is what the daemon's would be.
                        List<String> command = new java.util.ArrayList<>(List.of(java));
                        command.addAll(io.xlb.lab.XlbDaemon.RUNTIME_DEFAULTS);
                        command.addAll(List.of("-cp", cp, HealthBench.class.getName(), String.valueOf(seconds), "--worker",
                                String.valueOf(reals), String.valueOf(loopMs), on.name()));
                        BackgroundProcess w = lab.start(lan.host("checker").ns(), "worker-" + reals + "-" + loopMs + "-" + on,
                                command.toArray(String[]::new));
                        while (w.isAlive()) {
                            Thread.sleep(200);
                        }
                        w.log().lines().filter(l -> l.startsWith("failed: ") || l.contains("has been blocked")).limit(6).forEach(System.err::println);
                        System.out.println(w.log().lines().filter(l -> l.startsWith("|")).findFirst().orElse("worker failed: " + w.log()));
                    }
                }
            }
            BackgroundProcess b = lab.start(lan.host("checker").ns(), "baseline", java, "-cp", cp,
                    HealthBench.class.getName(), String.valueOf(seconds), "--baseline");
            while (b.isAlive()) {
                Thread.sleep(200);
            }
            System.out.println();
            System.out.println(b.log().lines().filter(l -> l.startsWith("baseline")).findFirst().orElse("baseline failed: " + b.log()));
        }
    }

    /** The same machine's ceiling: plain blocking connect-and-close to the same reals, 4 threads, no Vert.x. */
    private static void baseline(int seconds) throws Exception {
        AtomicLong next = new AtomicLong();
        AtomicLong n = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CpuTimes cpu0 = CpuTimes.ofThisProcess();
        List<Thread> threads = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    try (java.net.Socket s = new java.net.Socket()) {
                        s.connect(new java.net.InetSocketAddress(realAddress((int) (next.getAndIncrement() % 10_000)), 80), 2000);
                        n.incrementAndGet();
                    } catch (java.io.IOException e) {
                        // counted as not done
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        CpuTimes cpu = CpuTimes.ofThisProcess().minus(cpu0);
        System.out.println(String.format(Locale.ROOT,
                "baseline: blocking connect+close to 10 000 of the same addresses in turn, 4 threads, as fast as it goes: %.0f/s at %.0f %% of one core, %s ms of CPU per check (user + kernel)",
                n.get() / (double) seconds, 100.0 * cpu.totalMs() / 1000 / seconds, cpu.perCheck(n.get())));
        System.exit(0);
    }

    /** How a TCP check connects: as the daemon did before (Vert.x's NetClient on Java NIO), and as it does now. */
    enum Way {
        NETCLIENT_NIO("Vert.x NetClient, Java NIO (before)"),
        NETTY_NIO("Netty connect, Java NIO"),
        NETTY_EPOLL("Netty connect, epoll (now)");

        final String label;

        Way(String label) {
            this.label = label;
        }

        boolean epoll() {
            return this == NETTY_EPOLL;
        }
    }

    /** The TCP check as it was before it connected on Netty directly: kept here as the benchmark's "before". */
    private static Check netClientCheck(Vertx vertx, CheckSpec.Tcp spec) {
        io.vertx.core.net.NetClient client = vertx.createNetClient(new io.vertx.core.net.NetClientOptions()
                .setConnectTimeout((int) spec.connectTimeout().toMillis()));
        return () -> client.connect(spec.port(), spec.host())
                .compose(socket -> socket.close().map((String) null), e -> io.vertx.core.Future.succeededFuture(
                        "connect to " + spec.host() + ":" + spec.port() + " failed: " + e.getMessage()))
                .map(io.xlb.health.Verdict::of).toCompletionStage();
    }

    private static void worker(int reals, Duration delayLoop, Way way, int seconds) throws Exception {
        Vertx vertx = way.epoll() ? NativeTransportVertx.create() : Vertx.vertx();
        if (vertx.isNativeTransportEnabled() != way.epoll()) {
            throw new IllegalStateException(way + ": the transport is not the one asked for: " + vertx.unavailableNativeTransportCause());
        }
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Supplier<Clock> clocks = new EventLoopClocks(vertx);
        HealthMonitor<Integer> monitor = new HealthMonitor<>(clocks, RandomGenerator.getDefault(), (k, s) -> { });
        // As the daemon: a check per real, first rounds spread over keepalived's default warmup (the delay_loop).
        for (int i = 0; i < reals; i++) {
            CheckSpec.Tcp spec = new CheckSpec.Tcp(realAddress(i), 80, Duration.ofSeconds(2));
            Check tcp = way == Way.NETCLIENT_NIO ? netClientCheck(vertx, spec) : Checks.of(vertx, spec);
            Check counted = () -> tcp.attempt().whenComplete((verdict, e) -> {
                done.incrementAndGet();
                // A Verdict since the checks answer with one (a pass is a Verdict too, not null).
                if (e != null || verdict == null || verdict.failure() != null) {
                    if (failed.incrementAndGet() % 1000 == 1) {
                        System.err.println("failed: " + (e != null ? e : verdict == null ? "no verdict" : verdict.failure()));
                    }
                }
            });
            monitor.watch(i, List.of(counted), new Timing(delayLoop, 1, Duration.ofSeconds(1), delayLoop), true);
        }
        // Warm-up: the first rounds spread over the warmup, and the JIT compiling Vert.x's and Netty's connect path
        // (its compiler threads' CPU would be counted as the checks' otherwise; a daemon runs for days).
        Thread.sleep(Math.max(delayLoop.toMillis() * 2, WARM_UP.toMillis()));
        long c0 = done.get();
        long f0 = failed.get();
        CpuTimes cpu0 = CpuTimes.ofThisProcess();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        CpuTimes cpu = CpuTimes.ofThisProcess().minus(cpu0);
        long n = done.get() - c0;
        System.out.println(String.format(Locale.ROOT, "| %d | %.1f s | %s | %.0f | %.0f | %d | %.0f | %s |", reals,
                delayLoop.toMillis() / 1000.0, way.label,
                reals * 1000.0 / delayLoop.toMillis(), n / elapsed, failed.get() - f0,
                100.0 * cpu.totalMs() / 1000 / elapsed, cpu.perCheck(n)));
        monitor.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        CompletableFuture.completedFuture(null);
        System.exit(0);
    }

    /** This process's CPU time from /proc/self/stat, in the kernel's clock ticks (USER_HZ 100), split user / kernel. */
    private record CpuTimes(long userTicks, long kernelTicks) {
        private static final double MS_PER_TICK = 10.0;

        static CpuTimes ofThisProcess() throws java.io.IOException {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new CpuTimes(Long.parseLong(f[11]), Long.parseLong(f[12]));
        }

        CpuTimes minus(CpuTimes earlier) {
            return new CpuTimes(userTicks - earlier.userTicks, kernelTicks - earlier.kernelTicks);
        }

        double totalMs() {
            return (userTicks + kernelTicks) * MS_PER_TICK;
        }

        String perCheck(long checks) {
            return checks == 0 ? "–" : String.format(Locale.ROOT, "%.3f (%.3f + %.3f)", totalMs() / checks,
                    userTicks * MS_PER_TICK / checks, kernelTicks * MS_PER_TICK / checks);
        }
    }
}
