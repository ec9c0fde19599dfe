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
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.Real;
import io.vertx.core.Vertx;
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

    /** What the command line says. */
    public record Options(Path configFile, List<String> interfaces, Path pinDir, Duration tick) {}

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
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final int primaryIfindex;
    /** The interfaces attached at start: a reload may not change them (XDP is attached once). */
    private final List<String> interfaces;
    private long generation;
    private final Vertx vertx = Vertx.vertx();
    private volatile AlertMail mail;
    private final VrrpInstances vrrp = new VrrpInstances(loop, alert -> mail.send(alert));
    private final HealthChecks health;
    private volatile Config config;
    private DesiredState desired;
    private DesiredState applied;
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
        // Scripts run as the configuration in force says (script_user); a change is applied on the daemon's thread.
        this.health = new HealthChecks(vertx, () -> Scripts.runAs(config.global()), alert -> mail.send(alert),
                () -> loop.execute(this::applyHealthChange), io.xlb.daemon.status.RealHealth.Attempts.NONE);
    }

    /**
     * Checks the file as {@code xlb check-config} does, then loads or adopts, attaches and applies;
     * the daemon then runs until {@link #close()}. A refused file starts nothing.
     */
    public static Daemon start(Options options) throws IOException {
        ConfigCheck.Outcome accepted = ConfigCheck.check(options.configFile(), options.interfaces(), ConfigCheck.Host.local());
        accepted.diagnostics().forEach(d -> LOG.log(level(d), d.toString()));
        if (!accepted.accepted(false)) {
            throw new IllegalArgumentException(String.join("\n", accepted.errors().stream().map(Diagnostic::toString).toList())
                    + "\nconfiguration " + options.configFile() + " refused: not started");
        }
        requireBpffs(options.pinDir());
        PinLock lock = PinLock.acquire(options.pinDir(), options.configFile());
        Bpf bpf = Bpf.open();
        try {
            DataplaneLoader.Start start = DataplaneLoader.loadOrUpgrade(bpf, options.pinDir(), DataplaneLoader.Options.defaults());
            Dataplane dp = start.dataplane();
            LOG.log(System.Logger.Level.INFO, "{0}: the dataplane at {1}", start.outcome(), options.pinDir());
            if (!start.mapsRecreated().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "maps whose layout changed were recreated (their state starts empty): {0}",
                        start.mapsRecreated());
            }
            Daemon d = new Daemon(options, lock, bpf, dp, accepted);
            d.attach(accepted.interfaces());
            d.vrrp.sync(accepted.config());
            d.health.sync(accepted.health());
            d.desired = accepted.desired();
            d.applyWithMacs();
            d.writeVerdict(new ReloadVerdict(0, true, List.of("started with " + options.configFile())));
            d.loop.scheduleWithFixedDelay(d::tick, options.tick().toMillis(), options.tick().toMillis(), TimeUnit.MILLISECONDS);
            LOG.log(System.Logger.Level.INFO, "running {0} on {1}: {2} services", options.configFile(), accepted.interfaces(),
                    d.desired.services().size());
            return d;
        } catch (RuntimeException | IOException e) {
            bpf.close();
            lock.close();
            throw e;
        }
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

    /** The health snapshot xlb status shows: each real, lost quorums, each VRRP instance. */
    private void writeStatus() {
        try {
            Path file = PinLock.healthFile(options.pinDir());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, health.statusLines() + vrrp.statusLines());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "health snapshot", e);
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
    }

    private void tick() {
        try {
            if (reloadRequested.getAndSet(false)) {
                reload();
            }
            applyWithMacs();
            writeStatus();
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

    /**
     * Reloads all or nothing: the new file passes the same check as at start, and the dataplane
     * confirms it has room, before anything changes; if applying still fails, the old
     * configuration is put back. The verdict goes to the log and to {@code xlb reload}.
     */
    private void reload() {
        ConfigCheck.Outcome next = ConfigCheck.check(options.configFile(), options.interfaces(), ConfigCheck.Host.local());
        next.diagnostics().forEach(d -> LOG.log(level(d), d.toString()));
        List<String> refusals = new ArrayList<>(next.errors().stream().map(Diagnostic::toString).toList());
        if (refusals.isEmpty() && !next.interfaces().equals(interfaces)) {
            refusals.add(options.configFile() + ": the director is attached to " + interfaces + " and this file needs "
                    + next.interfaces() + ": a reload cannot change the interfaces; restart the daemon");
        }
        if (refusals.isEmpty()) {
            try {
                dataplane.check(withSorryServers(next.desired(), next.health()));
            } catch (IllegalArgumentException e) {
                refusals.add(options.configFile() + ": the dataplane has no room for it: " + e.getMessage());
            }
        }
        if (refusals.isEmpty()) {
            Config before = config;
            DesiredState desiredBefore = desired;
            HealthPlan.Result healthBefore = health.current();
            try {
                switchTo(next.config(), next.health(), next.desired());
                ConfigDiff diff = ConfigDiff.between(before, next.config());
                LOG.log(System.Logger.Level.INFO, "reloaded {0}: {1}", options.configFile(), diff.isEmpty() ? "no change" : "\n" + diff);
                writeVerdict(new ReloadVerdict(++generation, true,
                        diff.isEmpty() ? List.of("no change") : diff.toString().lines().toList()));
                return;
            } catch (SocketException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "applying the reload failed; putting the previous configuration back", e);
                refusals.add(options.configFile() + ": applying it failed (" + e.getMessage() + "); the previous configuration was put back");
                try {
                    switchTo(before, healthBefore, desiredBefore);
                } catch (SocketException | RuntimeException again) {
                    LOG.log(System.Logger.Level.ERROR, "putting the previous configuration back failed", again);
                }
            }
        }
        LOG.log(System.Logger.Level.ERROR, "reload refused; the running configuration stays");
        writeVerdict(new ReloadVerdict(++generation, false, refusals));
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
            HealthFilter.Policy p = health.policies().get(s.vip());
            if (p == null || p.sorryAddress() == null) {
                return s;
            }
            List<Real> reals = new ArrayList<>(s.reals());
            reals.add(new Real(p.sorryAddress(), p.sorryPort(), 0, null, MacAddress.ZERO, 0));
            return s.withReals(reals);
        });
    }

    private void writeVerdict(ReloadVerdict verdict) {
        try {
            verdict.write(PinLock.reloadFile(options.pinDir()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "writing the reload verdict", e);
        }
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
        try {
            Files.deleteIfExists(PinLock.healthFile(options.pinDir()));
            Files.deleteIfExists(PinLock.reloadFile(options.pinDir()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "removing the health snapshot", e);
        }
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
                Files.deleteIfExists(PinLock.healthFile(pinDir));
                Files.deleteIfExists(PinLock.reloadFile(pinDir));
            }
        } catch (IOException e) {
            done.add("could not remove the lock file: " + e.getMessage());
        }
        return done;
    }
}
