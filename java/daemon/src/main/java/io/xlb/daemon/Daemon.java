package io.xlb.daemon;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfException;
import io.xlb.bpf.Xdp;
import io.xlb.config.Config;
import io.xlb.config.ConfigDiff;
import io.xlb.config.Diagnostic;
import io.xlb.dataplane.ConnReaper;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.DirectorPreload;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Service;
import io.vertx.core.Vertx;
import io.xlb.daemon.api.ApiServer;
import io.xlb.daemon.api.Director;
import io.xlb.daemon.status.InstanceStatus;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.RealEntry;
import io.xlb.dataplane.abi.Reason;
import io.xlb.sys.Neighbours;
import java.io.IOException;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code xlb daemon}: runs a keepalived.conf on the XDP dataplane. It loads (or adopts from the
 * pins) the director, attaches it to the interfaces, applies the services, keeps real servers'
 * MACs resolved, expires connections, and reloads on request. Stopping it leaves the dataplane
 * pinned, attached and forwarding: a new daemon adopts it.
 *
 * Each {@code vrrp_instance} runs VRRP (see {@link VrrpInstances}): the master holds the VIPs.
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");
    public static final Path DEFAULT_PIN_DIR = Path.of("/sys/fs/bpf/xlb");
    private static final int TICKS_PER_REAP = 10;

    /**
     * What the command line says; {@code api} null: no HTTP API. {@code mapSizes}: the map sizes where
     * the file's global_defs sets none (the {@code --max-*} options; the C definition's by default).
     */
    public record Options(Path configFile, List<String> interfaces, Path pinDir, Duration tick, ApiServer.Options api,
                          io.xlb.dataplane.MapSizes mapSizes) {
        public Options(Path configFile, List<String> interfaces, Path pinDir, Duration tick, ApiServer.Options api) {
            this(configFile, interfaces, pinDir, tick, api, io.xlb.dataplane.MapSizes.DEFAULTS);
        }

        public Options(Path configFile, List<String> interfaces, Path pinDir, Duration tick) {
            this(configFile, interfaces, pinDir, tick, null);
        }
    }

    private final Options options;
    private final PinLock lock;
    private final Bpf bpf;
    private final Dataplane dataplane;
    private final Neighbours neighbours;
    private final RealMacs macs;
    private final ConnReaper reaper;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("xlb-daemon").daemon(false).unstarted(r));
    private final AtomicBoolean reloadRequested = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final int primaryIfindex;
    /** The interfaces attached at start: a reload may not change them (XDP is attached once). */
    private final List<String> interfaces;
    /** The configuration's generation: one more at each change that takes effect; with the boot id, the API's ETag. */
    private volatile long generation;
    private final String bootId = java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextInt());
    private final java.time.Instant startedAt = java.time.Instant.now();
    private volatile ApiServer api;
    private final Vertx vertx = io.xlb.health.NativeTransportVertx.create();
    private volatile AlertMail mail;
    private final VrrpInstances vrrp = new VrrpInstances(loop, alert -> mail.send(alert));
    private final HealthChecks health;
    private final io.xlb.daemon.metrics.DirectorMetrics metrics;
    private volatile Config config;
    private volatile DesiredState desired;
    private volatile DesiredState applied;
    private long ticks;

    private Daemon(Options options, PinLock lock, Bpf bpf, Dataplane dataplane, ConfigCheck.Outcome accepted)
            throws IOException {
        this.options = options;
        this.lock = lock;
        this.bpf = bpf;
        this.dataplane = dataplane;
        this.config = accepted.config();
        this.interfaces = accepted.interfaces();
        NetworkInterface primary = NetworkInterface.getByName(interfaces.getFirst());
        if (primary == null) {
            throw new IllegalArgumentException("no interface " + interfaces.getFirst());
        }
        this.primaryIfindex = primary.getIndex();
        this.neighbours = Neighbours.open();
        this.macs = new RealMacs(neighbours, primaryIfindex);
        this.reaper = new ConnReaper(dataplane, System::nanoTime);
        this.mail = AlertMail.of(vertx, config.global());
        this.metrics = new io.xlb.daemon.metrics.DirectorMetrics(new io.xlb.daemon.metrics.MetricsSource() {
            @Override
            public List<Dataplane.ServiceView> services() {
                return dataplane.view();
            }

            @Override
            public java.util.Map<Reason, Long> reasons() {
                return dataplane.reasons();
            }

            @Override
            public List<InstanceStatus> vrrp() {
                return vrrp.snapshot();
            }

            @Override
            public List<RealHealth> health() {
                return health.snapshot();
            }

            @Override
            public long generation() {
                return generation;
            }
        }, options.api() == null ? "unknown" : options.api().version());
        // Scripts run as the configuration in force says (script_user); a change is applied on the daemon's thread.
        this.health = new HealthChecks(vertx, () -> Scripts.runAs(config.global()), alert -> mail.send(alert),
                () -> loop.execute(this::applyHealthChange), metrics.attempts());
    }

    /**
     * Checks the file as {@code xlb check-config} does, then loads or adopts, attaches and applies;
     * the daemon then runs until {@link #close()}. A refused file starts nothing.
     */
    public static Daemon start(Options options) throws IOException {
        Bpf bpf = Bpf.open();
        DirectorPreload preload = new DirectorPreload(bpf);
        ConfigCheck.Outcome accepted;
        PinLock lock;
        try {
            accepted = check(options, preload);
            if (options.api() != null) {
                ApiServer.preflight(options.api()); // a bad API option refuses the start before anything is touched
            }
            requireBpffs(options.pinDir());
            lock = PinLock.acquire(options.pinDir(), options.configFile());
        } catch (RuntimeException | IOException e) {
            preload.close();
            bpf.close();
            throw e;
        }
        Daemon d = null;
        try (preload) {
            DataplaneLoader.Start start = load(options, bpf, accepted, preload);
            Dataplane dp = start.dataplane();
            LOG.log(System.Logger.Level.INFO, "{0}: the dataplane at {1}, maps for {2}", start.outcome(), options.pinDir(),
                    dp.sizes());
            if (!start.mapsRecreated().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "maps whose layout changed were recreated (their state starts empty): {0}",
                        start.mapsRecreated());
            }
            d = new Daemon(options, lock, bpf, dp, accepted);
            d.run(accepted);
            return d;
        } catch (RuntimeException | IOException e) {
            if (d != null) {
                d.close(); // releases the lock and libbpf too; the dataplane stays as it is
            } else {
                bpf.close();
                lock.close();
            }
            throw e;
        }
    }

    /**
     * The start's check, as {@code xlb check-config} does it, while {@code preload} loads the director
     * with the map sizes of the file's global_defs as soon as it is read (the kernel's seconds of map
     * creation and verification overlap the parse). Throws, naming every error, if refused.
     */
    public static ConfigCheck.Outcome check(Options options, DirectorPreload preload) {
        return check(options, (java.util.function.Consumer<io.xlb.dataplane.MapSizes>) preload::start);
    }

    /** The same, telling {@code sizesRead} the map sizes of the file's global_defs as soon as it is read. */
    public static ConfigCheck.Outcome check(Options options, java.util.function.Consumer<io.xlb.dataplane.MapSizes> sizesRead) {
        ConfigCheck.Outcome accepted = ConfigCheck.check(options.configFile(), io.xlb.config.ConfigFiles.DISK,
                options.interfaces(), ConfigCheck.Host.local(), options.mapSizes(), sizesRead);
        accepted.diagnostics().forEach(d -> LOG.log(level(d), d.toString()));
        if (!accepted.accepted(false)) {
            throw new IllegalArgumentException(String.join("\n", accepted.errors().stream().map(Diagnostic::toString).toList())
                    + "\nconfiguration " + options.configFile() + " refused: not started");
        }
        return accepted;
    }

    /** The start's dataplane: loaded (taking what {@code preload} loaded), adopted or upgraded at the pin directory. */
    public static DataplaneLoader.Start load(Options options, Bpf bpf, ConfigCheck.Outcome accepted, DirectorPreload preload) {
        return DataplaneLoader.loadOrUpgrade(bpf, options.pinDir(), DataplaneLoader.Options.of(accepted.sizes()), preload);
    }

    /** Attaches, starts VRRP and the checks, applies, opens the API and starts ticking. */
    private void run(ConfigCheck.Outcome accepted) throws IOException {
        attach(accepted.interfaces());
        vrrp.sync(accepted.config());
        health.sync(accepted.health());
        desired = accepted.desired();
        applyWithMacs();
        if (options.api() != null) {
            api = ApiServer.start(vertx, director(), options.api(), new ApiServer.Scrape() {
                @Override
                public String contentType() {
                    return metrics.contentType();
                }

                @Override
                public void write(java.io.OutputStream out) throws IOException {
                    metrics.write(out);
                }
            });
            LOG.log(System.Logger.Level.INFO, "API on {0}{1}", options.api().port() < 0 ? "" : options.api().host() + ":"
                    + api.port() + " and ", options.api().socket());
        }
        if (!vertx.isNativeTransportEnabled()) {
            LOG.log(System.Logger.Level.INFO, "health checks and the API on Java NIO, not epoll: {0}",
                    String.valueOf(vertx.unavailableNativeTransportCause()));
        }
        loop.scheduleWithFixedDelay(this::tick, options.tick().toMillis(), options.tick().toMillis(), TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "running {0} on {1}: {2} services", options.configFile(), accepted.interfaces(),
                desired.services().size());
    }

    /** Where the daemon of {@code pinDir} listens for xlb's own commands (root only). */
    public static Path apiSocket(Path pinDir) {
        return PinLock.lockFile(pinDir).resolveSibling(PinLock.lockFile(pinDir).getFileName().toString().replace(".lock", ".sock"));
    }

    /**
     * Pins only live on a BPF filesystem. {@code ip netns exec} remounts /sys, hiding /sys/fs/bpf:
     * say so rather than fail deep in a bpf() call.
     */
    static void requireBpffs(Path pinDir) {
        if (!Bpf.onBpffs(pinDir)) {
            throw new IllegalArgumentException("--pin-dir " + pinDir + " is not on a BPF filesystem: mount one (mount -t bpf"
                    + " bpf /sys/fs/bpf); under 'ip netns exec', which remounts /sys, run the daemon with"
                    + " 'nsenter --net=/run/netns/NAME' instead");
        }
    }

    private static System.Logger.Level level(Diagnostic d) {
        return d.severity() == Diagnostic.Severity.ERROR ? System.Logger.Level.ERROR : System.Logger.Level.WARNING;
    }

    private void attach(List<String> interfaces) throws SocketException {
        for (String name : interfaces) {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) {
                throw new IllegalArgumentException("no interface " + name);
            }
            int ifindex = nif.getIndex();
            byte[] mac = nif.getHardwareAddress();
            if (mac != null && mac.length == MacAddress.LENGTH) {
                dataplane.addInterface(ifindex, new MacAddress(mac));
            }
            Optional<Xdp.Attachment> now = bpf.xdp().query(ifindex);
            if (now.isPresent() && now.get().programId() == dataplane.program().id()) {
                LOG.log(System.Logger.Level.INFO, "the director is already attached to {0}", name);
                continue;
            }
            if (now.isPresent()) {
                throw new IllegalStateException("another XDP program (id " + now.get().programId() + ") is attached to "
                        + name + ": detach it first (ip link set dev " + name + " xdp off)");
            }
            bpf.xdp().attach(ifindex, dataplane.program(), Xdp.Mode.NATIVE);
            LOG.log(System.Logger.Level.INFO, "attached the director to {0} (native XDP)", name);
        }
    }

    private void applyHealthChange() {
        try {
            applyWithMacs();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "applying a health change", e);
        }
    }

    private void applyWithMacs() {
        DesiredState resolved = macs.resolve(health.filter(desired));
        if (!resolved.equals(applied)) {
            dataplane.apply(resolved);
            applied = resolved;
        }
        boolean unresolved = resolved.services().stream().anyMatch(Service::awaitsMac);
        if (!unresolved) {
            macRetry = MAC_RETRY_FIRST;
        } else if (!macRetryPending) {
            // A new real answers ARP within milliseconds: look again soon, backing off to the tick.
            macRetryPending = true;
            loop.schedule(() -> {
                macRetryPending = false;
                applyHealthChange();
            }, macRetry.toMillis(), TimeUnit.MILLISECONDS);
            macRetry = macRetry.multipliedBy(2).compareTo(options.tick()) > 0 ? options.tick() : macRetry.multipliedBy(2);
        }
    }

    private static final Duration MAC_RETRY_FIRST = Duration.ofMillis(20);
    /** The next look at unresolved MACs (doubling from 20 ms up to the tick), and whether one is scheduled. */
    private Duration macRetry = MAC_RETRY_FIRST;
    private boolean macRetryPending;

    private void tick() {
        try {
            if (reloadRequested.getAndSet(false)) {
                reload();
            }
            applyWithMacs();
            if (++ticks % TICKS_PER_REAP == 0) {
                ConnReaper.Sweep s = reaper.sweep();
                if (s.expired() > 0 || s.countersCorrected() > 0) {
                    LOG.log(System.Logger.Level.DEBUG, "reaper: {0}", s);
                }
            }
        } catch (RuntimeException | Error e) {
            // Anything escaping would cancel the periodic tick for good: no more reloads or health changes.
            LOG.log(System.Logger.Level.ERROR, "daemon tick failed", e);
        }
    }

    /** Asks for a reload (SIGHUP): done on the daemon's thread, at its next tick. */
    public void requestReload() {
        reloadRequested.set(true);
    }

    /** SIGHUP: the files on disk, all or nothing; the verdict goes to the log. */
    private void reload() {
        apply(io.xlb.config.ConfigFiles.DISK, Director.Writes.NONE, c -> {});
    }

    /**
     * Checks the configuration read from {@code files} with the one acceptance rule and asks the
     * dataplane whether it has room; unless {@code write} is null (a dry run), writes the files and
     * switches to it. All or nothing: if applying fails, the files and the previous configuration
     * are put back. On the daemon's thread.
     */
    private Director.Verdict apply(io.xlb.config.ConfigFiles files, Director.Writes write,
                                   java.util.function.Consumer<Config> precondition) {
        Path file = options.configFile();
        ConfigCheck.Outcome next = ConfigCheck.check(file, files, options.interfaces(), ConfigCheck.Host.local(),
                options.mapSizes());
        List<String> refusals = new ArrayList<>();
        if (next.accepted(false)) {
            refusals.addAll(MapSizeChange.refusals(file, next.config().global().mapSizes(), dataplane.sizes(), next.sizes()));
        }
        if (next.accepted(false) && !next.interfaces().equals(interfaces)) {
            refusals.add(file + ": the director is attached to " + interfaces + " and this file needs "
                    + next.interfaces() + ": a reload cannot change the interfaces; restart the daemon");
        }
        if (next.accepted(false) && refusals.isEmpty()) {
            try {
                dataplane.check(withSorryServers(next.desired(), next.health()));
            } catch (IllegalArgumentException e) {
                refusals.add(file + ": the dataplane has no room for it: " + e.getMessage());
            }
        }
        boolean accepted = next.accepted(false) && refusals.isEmpty();
        List<Diagnostic> shown = accepted ? next.diagnostics() : next.errors();
        List<String> diff = accepted ? ConfigDiff.between(config, next.config()).toString().lines().filter(l -> !l.isBlank()).toList() : List.of();
        if (accepted) {
            precondition.accept(next.config());
        }
        if (!accepted || write == null) {
            if (write != null) {
                metrics.reloaded(false);
                next.diagnostics().forEach(d -> LOG.log(level(d), d.toString()));
                refusals.forEach(r -> LOG.log(System.Logger.Level.ERROR, r));
                LOG.log(System.Logger.Level.ERROR, "reload refused; the running configuration stays");
            }
            return new Director.Verdict(accepted, false, etag(), diff, shown, refusals, accepted ? next.config() : config);
        }
        next.diagnostics().forEach(d -> LOG.log(level(d), d.toString()));
        Config before = config;
        DesiredState desiredBefore = desired;
        HealthPlan.Result healthBefore = health.current();
        try {
            write.apply();
        } catch (IOException e) {
            refusals.add("writing the configuration failed: " + e.getMessage());
            LOG.log(System.Logger.Level.ERROR, "writing the configuration failed", e);
            metrics.reloaded(false);
            return new Director.Verdict(false, false, etag(), List.of(), List.of(), refusals, config);
        }
        if (diff.isEmpty()) {
            // Nothing to change, and the generation (the API's ETag) stays: only where things are written may have moved.
            config = next.config();
            metrics.reloaded(true);
            LOG.log(System.Logger.Level.INFO, "reloaded {0}: no change", file);
            return new Director.Verdict(true, true, etag(), diff, shown, List.of(), next.config());
        }
        try {
            switchTo(next.config(), next.health(), next.desired());
            generation++;
            metrics.reloaded(true);
            LOG.log(System.Logger.Level.INFO, "reloaded {0}:\n{1}", file, String.join("\n", diff));
            return new Director.Verdict(true, true, etag(), diff, shown, List.of(), next.config());
        } catch (SocketException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "applying the configuration failed; putting the previous one back", e);
            refusals.add(file + ": applying it failed (" + e.getMessage() + "); the previous configuration was put back");
            try {
                write.undo();
                switchTo(before, healthBefore, desiredBefore);
            } catch (IOException | RuntimeException again) {
                LOG.log(System.Logger.Level.ERROR, "putting the previous configuration back failed", again);
            }
            metrics.reloaded(false);
            return new Director.Verdict(false, false, etag(), List.of(), List.of(), refusals, config);
        }
    }

    private String etag() {
        return bootId + "-" + generation;
    }

    /** What the API sees of this daemon. */
    private Director director() {
        return new Director() {
            @Override
            public Path configFile() {
                return options.configFile();
            }

            @Override
            public <T> java.util.concurrent.CompletableFuture<T> serialized(java.util.concurrent.Callable<T> task) {
                java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
                try {
                    loop.execute(() -> {
                        try {
                            f.complete(task.call());
                        } catch (Throwable e) {
                            f.completeExceptionally(e);
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    f.completeExceptionally(new io.xlb.daemon.api.ApiProblem(503, "", "the daemon is stopping"));
                }
                return f;
            }

            @Override
            public Config config() {
                return config;
            }

            @Override
            public String etag() {
                return Daemon.this.etag();
            }

            @Override
            public Director.Verdict apply(io.xlb.config.ConfigFiles files, Director.Writes write,
                                          java.util.function.Consumer<Config> precondition) {
                return Daemon.this.apply(files, write, precondition);
            }

            @Override
            public DesiredState effective() {
                return applied;
            }

            @Override
            public List<Dataplane.ServiceView> dataplane() {
                return dataplane.view();
            }

            @Override
            public List<RealHealth> health() {
                return health.snapshot();
            }

            @Override
            public List<InstanceStatus> vrrp() {
                return vrrp.snapshot();
            }

            @Override
            public java.util.Map<String, String> vrrpScripts() {
                return vrrp.scriptStates();
            }

            @Override
            public List<io.xlb.dataplane.abi.VipKey> lostQuorums() {
                return health.lostQuorums();
            }

            @Override
            public java.util.Map<Reason, Long> reasons() {
                return dataplane.reasons();
            }

            @Override
            public java.util.Map<FlowKey, ConnEntry> connections() {
                return dataplane.connections();
            }

            @Override
            public java.util.Map<Integer, RealEntry> realEntries() {
                return dataplane.realEntries();
            }

            @Override
            public java.time.Instant started() {
                return startedAt;
            }

            @Override
            public void stop() {
                Thread.ofPlatform().name("xlb-stop").start(Daemon.this::close);
            }
        };
    }

    /** Health, VRRP and the maps under {@code c}: called with a configuration ConfigCheck accepted. */
    private void switchTo(Config c, HealthPlan.Result health, DesiredState next) throws SocketException {
        config = c;
        AlertMail oldMail = mail; // global_defs may name another server or other recipients
        mail = AlertMail.of(vertx, c.global());
        oldMail.close();
        this.health.sync(health);
        vrrp.sync(c);
        desired = next;
        applied = null;
        applyWithMacs();
    }

    /** The most the maps will hold under {@code d}: every sorry server in too (they join when a quorum is lost). */
    private static DesiredState withSorryServers(DesiredState d, HealthPlan.Result health) {
        return d.mapServices(s -> {
            HealthFilter.Policy p = health.policies().get(health.canonical(s.vip()));
            if (p == null || p.sorryAddress() == null) {
                return s;
            }
            List<Real> reals = new ArrayList<>(s.reals());
            reals.add(new Real(p.sorryAddress(), p.sorryPort(), 0, null, MacAddress.ZERO, 0));
            return s.withReals(reals);
        });
    }

    public Dataplane dataplane() {
        return dataplane;
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Stops the daemon; the dataplane stays pinned, attached and forwarding. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (api != null) {
            api.close();
        }
        health.runOmegaScripts();
        vrrp.close();
        loop.shutdown();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        health.close();
        mail.close();
        vertx.close();
        neighbours.close();
        bpf.close();
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the lock", e);
        }
        stopped.countDown();
        LOG.log(System.Logger.Level.INFO, "stopped; the dataplane keeps forwarding");
    }

    /** {@code xlb stop --flush}: detaches the director from every interface it is on and removes its pins. */
    public static List<String> flush(Path pinDir) throws SocketException {
        List<String> done = new ArrayList<>();
        try (Bpf bpf = Bpf.open()) {
            if (!Files.exists(pinDir.resolve(Dataplane.PROGRAM))) {
                bpf.close();
                return cleanLockFiles(pinDir, done);
            }
            int id = bpf.openPinnedProgram(pinDir.resolve(Dataplane.PROGRAM)).id();
            for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
                Optional<Xdp.Attachment> a = bpf.xdp().query(nif.getIndex());
                if (a.isPresent() && a.get().programId() == id) {
                    try {
                        bpf.xdp().detach(nif.getIndex(), a.get().mode());
                        done.add("detached from " + nif.getName());
                    } catch (BpfException e) {
                        done.add("could not detach from " + nif.getName() + ": " + e.getMessage());
                    }
                }
            }
            DataplaneLoader.unpin(bpf, pinDir);
            done.add("unpinned " + pinDir);
        }
        return cleanLockFiles(pinDir, done);
    }

    /** A daemon killed hard leaves its (unlocked) lock file and snapshot: remove them too. */
    private static List<String> cleanLockFiles(Path pinDir, List<String> done) {
        try {
            if (PinLock.daemon(pinDir).isEmpty()) {
                Files.deleteIfExists(PinLock.lockFile(pinDir));
                Files.deleteIfExists(apiSocket(pinDir));
            }
        } catch (IOException e) {
            done.add("could not remove the lock file: " + e.getMessage());
        }
        return done;
    }
}
