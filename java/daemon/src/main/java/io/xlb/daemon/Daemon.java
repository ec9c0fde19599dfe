package io.xlb.daemon;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfException;
import io.xlb.bpf.Xdp;
import io.xlb.config.Config;
import io.xlb.config.ConfigDiff;
import io.xlb.config.Diagnostic;
import io.xlb.config.VrrpInstance;
import io.xlb.dataplane.ConnReaper;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Service;
import io.xlb.health.CheckerLoop;
import io.xlb.health.Checks;
import io.xlb.health.HealthMonitor;
import io.xlb.health.Verdict;
import io.vertx.core.Vertx;
import io.xlb.sys.InterfaceAddresses;
import io.xlb.sys.Neighbours;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
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
    private final HealthMonitor<HealthPlan.RealId> health;
    private volatile AlertMail mail;
    private final VrrpInstances vrrp = new VrrpInstances(loop, alert -> mail.send(alert));
    private Map<HealthPlan.RealId, HealthPlan.Entry> plan = Map.of();
    private Map<io.xlb.dataplane.abi.VipKey, HealthFilter.Policy> policies = Map.of();
    private Map<io.xlb.dataplane.abi.VipKey, Boolean> quorum = new HashMap<>();
    /** Each real's up/down as last announced (notify scripts, log), to tell weight-only changes apart. */
    private final Map<HealthPlan.RealId, Boolean> announced = new java.util.concurrent.ConcurrentHashMap<>();
    /** The last attempt of each real's checks: latency and outcome, for xlb status. */
    private final Map<HealthPlan.RealId, String> lastCheck = new java.util.concurrent.ConcurrentHashMap<>();
    private Config config;
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
        this.health = new HealthMonitor<>((delay, task) -> vertx.setTimer(Math.max(1, delay.toMillis()), id -> task.run()),
                this::healthChanged);
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
            Dataplane.Start start = Dataplane.loadOrUpgrade(bpf, options.pinDir(), Dataplane.Options.defaults());
            Dataplane dp = start.dataplane();
            LOG.log(System.Logger.Level.INFO, "{0}: the dataplane at {1}", start.outcome(), options.pinDir());
            if (!start.mapsRecreated().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "maps whose layout changed were recreated (their state starts empty): {0}",
                        start.mapsRecreated());
            }
            Daemon d = new Daemon(options, lock, bpf, dp, accepted);
            d.attach(accepted.interfaces());
            d.vrrp.sync(accepted.config());
            d.syncHealth(accepted.health());
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
    static void requireBpffs(Path pinDir) throws IOException {
        Path existing = pinDir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        String type = existing == null ? "nothing" : Files.getFileStore(existing).type();
        if (!type.equals("bpf")) {
            throw new IllegalArgumentException("--pin-dir " + pinDir + " is not on a BPF filesystem (" + existing + " is "
                    + type + "): mount one (mount -t bpf bpf /sys/fs/bpf); under 'ip netns exec', which remounts /sys,"
                    + " run the daemon with 'nsenter --net=/run/netns/NAME' instead");
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

    /** Watches each real's checkers; a real whose checks changed is watched anew. */
    private void syncHealth(HealthPlan.Result r) {
        for (HealthPlan.RealId id : health.watched()) {
            HealthPlan.Entry next = r.entries().get(id);
            if (next == null || !next.equals(plan.get(id))) {
                health.unwatch(id);
                announced.remove(id);
            }
        }
        r.entries().forEach((id, e) -> {
            if (!health.watched().contains(id)) {
                announced.put(id, e.startUp() || e.checks().isEmpty());
            }
            // ha_suspend: check only while the service's address is on this host (VRRP master).
            InetAddress vip = InetAddress.ofLiteral(id.vipAddress());
            health.watch(id, e.checks().stream().map(spec -> timed(id, Checks.of(vertx, spec))).toList(), e.timing(),
                    e.startUp(), e.haSuspend() ? () -> isLocal(vip) : () -> true);
        });
        plan = r.entries();
        policies = r.policies();
    }

    /** A check whose attempts are timed and remembered for xlb status. */
    private io.xlb.health.Check timed(HealthPlan.RealId id, io.xlb.health.Check check) {
        return () -> {
            long start = System.nanoTime();
            return check.attempt().whenComplete((verdict, error) -> lastCheck.put(id, String.format("%.1f ms, %s",
                    (System.nanoTime() - start) / 1e6, error != null ? error.getMessage() : switch (verdict) {
                        case Verdict.Pass p when p.weight().isPresent() -> "passed, weight " + p.weight().getAsInt();
                        case Verdict.Pass p -> "passed";
                        case Verdict.Fail f -> f.reason();
                    })));
        };
    }

    /** The health snapshot xlb status shows: one line per real. */
    private void writeHealth() {
        StringBuilder b = new StringBuilder();
        for (HealthPlan.RealId id : plan.keySet()) {
            OptionalInt weight = health.weight(id);
            b.append(String.format("%s %s:%d of %s:%d: %s%s; last check %s%n", id.protocol(), id.address(), id.port(),
                    id.vipAddress(), id.vipPort(), health.isUp(id) ? "up" : "down",
                    weight.isPresent() ? ", weight " + weight.getAsInt() + " (misc_dynamic)" : "",
                    lastCheck.getOrDefault(id, plan.get(id).checks().isEmpty() ? "none (no checker)" : "pending")));
        }
        quorum.forEach((vip, held) -> {
            if (!held) {
                b.append("quorum lost: ").append(vip).append('\n');
            }
        });
        b.append(vrrp.statusLines());
        try {
            Path file = PinLock.healthFile(options.pinDir());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, b.toString());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "health snapshot", e);
        }
    }

    /** Who runs notify and quorum scripts under the configuration in force. */
    private io.xlb.health.ScriptCommand scripts() {
        return Scripts.runAs(config.global());
    }

    private static boolean isLocal(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    private void healthChanged(HealthPlan.RealId id, CheckerLoop.Status s) {
        HealthPlan.Entry entry = plan.get(id);
        Boolean before = announced.put(id, s.up());
        if (before != null && before == s.up()) {
            // Only the weight changed (misc_dynamic).
            LOG.log(System.Logger.Level.INFO, "real {0}:{1} of {2}:{3}: weight {4} (misc_dynamic)", id.address(), id.port(),
                    id.vipAddress(), id.vipPort(), s.weight().getAsInt());
            loop.execute(this::applyHealthChange);
            return;
        }
        if (entry != null) {
            NotifyScript.run(scripts(), s.up() ? entry.notifyUp() : entry.notifyDown());
            if (entry.smtpAlert()) {
                mail.send(AlertMail.Alert.real(id, s.up(), s.reason()));
            }
        }
        if (s.up()) {
            LOG.log(System.Logger.Level.INFO, "real {0}:{1} of {2}:{3} is up", id.address(), id.port(), id.vipAddress(), id.vipPort());
        } else {
            LOG.log(System.Logger.Level.WARNING, "real {0}:{1} of {2}:{3} is down: {4}", id.address(), id.port(),
                    id.vipAddress(), id.vipPort(), s.reason());
        }
        loop.execute(this::applyHealthChange);
    }

    private void applyHealthChange() {
        try {
            applyWithMacs();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "applying a health change", e);
        }
    }

    /** The desired state given the reals' health and each service's quorum (see HealthFilter). */
    private DesiredState healthy(DesiredState d) {
        HealthFilter.Outcome o = HealthFilter.apply(d, new HealthFilter.RealHealth() {
            @Override
            public boolean up(HealthPlan.RealId id) {
                return health.isUp(id);
            }

            @Override
            public boolean inhibited(HealthPlan.RealId id) {
                return plan.containsKey(id) && plan.get(id).inhibitOnFailure();
            }

            @Override
            public OptionalInt weight(HealthPlan.RealId id) {
                return health.weight(id);
            }
        }, policies, quorum);
        o.quorum().forEach((vip, held) -> {
            if (!held.equals(quorum.getOrDefault(vip, true))) {
                LOG.log(held ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "quorum of {0} {1}", vip,
                        held ? "is back" : "is lost");
                if (policies.getOrDefault(vip, HealthFilter.Policy.DEFAULT).smtpAlert()) {
                    mail.send(AlertMail.Alert.quorum(vip, held));
                }
            }
        });
        quorum = new HashMap<>(o.quorum());
        o.scripts().forEach(command -> NotifyScript.run(scripts(), command));
        return o.state();
    }

    /**
     * omega: at shutdown a service's reals stop being served by this director, so each real still
     * up gets its notify_down, and a held quorum its quorum_down (keepalived does the same).
     */
    private void runOmegaScripts() {
        plan.forEach((id, entry) -> {
            HealthFilter.Policy p = policies.get(id.vip());
            if (p != null && p.omega() && health.isUp(id)) {
                NotifyScript.run(scripts(), entry.notifyDown());
            }
        });
        policies.forEach((vip, p) -> {
            if (p.omega() && quorum.getOrDefault(vip, true)) {
                NotifyScript.run(scripts(), p.quorumDown());
            }
        });
    }


    private void applyWithMacs() {
        DesiredState resolved = macs.resolve(healthy(desired));
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
            writeHealth();
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
            HealthPlan.Result healthBefore = new HealthPlan.Result(plan, policies, List.of());
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
        syncHealth(health);
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
        runOmegaScripts();
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
            Dataplane.unpin(bpf, pinDir);
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
