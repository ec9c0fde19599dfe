package io.xlb.daemon;

import io.vertx.core.Vertx;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.health.Check;
import io.xlb.health.CheckerLoop;
import io.xlb.health.Checks;
import io.xlb.health.EventLoopClocks;
import io.xlb.health.HealthMonitor;
import io.xlb.health.ScriptCommand;
import io.xlb.health.Verdict;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The health checks of every real of the configuration in force, beside {@link VrrpInstances}:
 * which checkers watch which real, each service's quorum, what was last announced (notify
 * scripts, mail, log) and the last attempt of each check, for {@code xlb status}. The daemon asks
 * it what the desired state becomes given the reals' health ({@link #filter}); it tells the
 * daemon when that may have changed.
 */
final class HealthChecks implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");

    private final Vertx vertx;
    private final HealthMonitor<HealthPlan.RealId> monitor;
    private final Supplier<ScriptCommand> scripts;
    private final Consumer<AlertMail.Alert> alerts;
    private volatile Map<HealthPlan.RealId, HealthPlan.Entry> plan = Map.of();
    private volatile Map<VipKey, HealthFilter.Policy> policies = Map.of();
    private volatile Map<VipKey, VipKey> aliases = Map.of();
    private Map<VipKey, Boolean> quorum = new HashMap<>();
    /** Each real's up/down as last announced (notify scripts, log), to tell weight-only changes apart. */
    private final Map<HealthPlan.RealId, Boolean> announced = new ConcurrentHashMap<>();
    /** The last attempt of each real's checks. */
    private final Map<HealthPlan.RealId, RealHealth.LastCheck> lastCheck = new ConcurrentHashMap<>();
    private final RealHealth.Attempts attempts;

    /**
     * @param scripts who runs notify and quorum scripts under the configuration in force
     * @param changed called (on a Vert.x thread) when a real's health or weight changed
     */
    HealthChecks(Vertx vertx, Supplier<ScriptCommand> scripts, Consumer<AlertMail.Alert> alerts, Runnable changed,
                 RealHealth.Attempts attempts) {
        this.vertx = vertx;
        this.attempts = attempts;
        this.scripts = scripts;
        this.alerts = alerts;
        // Each real's checkers on an event loop of their own: thousands of checks a second do not fit in one.
        this.monitor = new HealthMonitor<>(new EventLoopClocks(vertx), RandomGenerator.getDefault(), (id, status) -> {
            announce(id, status);
            changed.run();
        });
    }

    /** Watches each real's checkers; a real whose checks changed is watched anew. */
    void sync(HealthPlan.Result r) {
        for (HealthPlan.RealId id : monitor.watched()) {
            HealthPlan.Entry next = r.entries().get(id);
            if (next == null || !next.equals(plan.get(id))) {
                monitor.unwatch(id);
                announced.remove(id);
            }
        }
        java.util.Set<HealthPlan.RealId> watched = java.util.Set.copyOf(monitor.watched()); // once: a copy per real is quadratic
        r.entries().forEach((id, e) -> {
            if (watched.contains(id)) {
                return; // the same checks as before keep running
            }
            announced.put(id, e.startUp() || e.checks().isEmpty());
            // ha_suspend: check only while the service's address is on this host (VRRP master).
            InetAddress vip = InetAddress.ofLiteral(id.vipAddress());
            monitor.watch(id, e.checks().stream().map(spec -> timed(id, checkerName(spec), Checks.of(vertx, spec))).toList(), e.timing(),
                    e.startUp(), e.haSuspend() ? () -> isLocal(vip) : () -> true);
        });
        plan = r.entries();
        policies = r.policies();
        aliases = r.aliases();
    }

    /** What is watched now, as a plan: to go back to it when a reload must be undone. */
    HealthPlan.Result current() {
        return new HealthPlan.Result(plan, policies, aliases, List.of());
    }

    /** A check whose attempts are timed and remembered for xlb status, the API and metrics. */
    private Check timed(HealthPlan.RealId id, String checker, Check check) {
        return () -> {
            long start = System.nanoTime();
            return check.attempt().whenComplete((verdict, error) -> {
                RealHealth.LastCheck last = new RealHealth.LastCheck(java.time.Instant.now(), java.time.Duration.ofNanos(System.nanoTime() - start),
                        checker, error == null && verdict instanceof Verdict.Pass, error != null ? error.getMessage() : switch (verdict) {
                            case Verdict.Pass p when p.weight().isPresent() -> "passed, weight " + p.weight().getAsInt();
                            case Verdict.Pass p -> "passed";
                            case Verdict.Fail f -> f.reason();
                        });
                lastCheck.put(id, last);
                attempts.attempted(last);
            });
        };
    }

    /** keepalived's name of the checker. */
    static String checkerName(io.xlb.health.CheckSpec spec) {
        return switch (spec) {
            case io.xlb.health.CheckSpec.Tcp t -> "TCP_CHECK";
            case io.xlb.health.CheckSpec.Http h -> h.ssl() ? "SSL_GET" : "HTTP_GET";
            case io.xlb.health.CheckSpec.Udp u -> "UDP_CHECK";
            case io.xlb.health.CheckSpec.Ping p -> "PING_CHECK";
            case io.xlb.health.CheckSpec.Dns d -> "DNS_CHECK";
            case io.xlb.health.CheckSpec.Smtp m -> "SMTP_CHECK";
            case io.xlb.health.CheckSpec.Misc m -> "MISC_CHECK";
        };
    }

    /** Every watched real's health, in a stable order. */
    List<RealHealth> snapshot() {
        List<RealHealth> out = new java.util.ArrayList<>();
        plan.forEach((id, entry) -> out.add(new RealHealth(id.protocol(), id.vipAddress(), id.vipPort(), id.address(), id.port(),
                monitor.isUp(id), monitor.weight(id), entry.checks().size(), java.util.Optional.ofNullable(lastCheck.get(id)))));
        out.sort(java.util.Comparator.comparing(RealHealth::vipAddress).thenComparingInt(RealHealth::vipPort)
                .thenComparing(RealHealth::protocol).thenComparing(RealHealth::address).thenComparingInt(RealHealth::port));
        return out;
    }

    private static boolean isLocal(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    /** A real went up or down (notify script, mail, log), or only its misc_dynamic weight moved. */
    private void announce(HealthPlan.RealId id, CheckerLoop.Status s) {
        HealthPlan.Entry entry = plan.get(id);
        Boolean before = announced.put(id, s.up());
        if (before != null && before == s.up()) {
            LOG.log(System.Logger.Level.INFO, "real {0}:{1} of {2}:{3}: weight {4} (misc_dynamic)", id.address(), id.port(),
                    id.vipAddress(), id.vipPort(), s.weight().getAsInt());
            return;
        }
        if (entry != null) {
            NotifyScript.run(scripts.get(), s.up() ? entry.notifyUp() : entry.notifyDown());
            if (entry.smtpAlert()) {
                alerts.accept(AlertMail.Alert.real(id, s.up(), s.reason()));
            }
        }
        if (s.up()) {
            LOG.log(System.Logger.Level.INFO, "real {0}:{1} of {2}:{3} is up", id.address(), id.port(), id.vipAddress(), id.vipPort());
        } else {
            LOG.log(System.Logger.Level.WARNING, "real {0}:{1} of {2}:{3} is down: {4}", id.address(), id.port(),
                    id.vipAddress(), id.vipPort(), s.reason());
        }
    }

    /** The desired state given the reals' health and each service's quorum (see HealthFilter). */
    synchronized DesiredState filter(DesiredState d) {
        Map<HealthPlan.RealId, HealthPlan.Entry> p = plan;
        Map<VipKey, HealthFilter.Policy> pol = policies;
        Map<VipKey, VipKey> alias = aliases;
        HealthFilter.Outcome o = HealthFilter.apply(d, new HealthFilter.RealHealth() {
            @Override
            public boolean up(HealthPlan.RealId id) {
                return monitor.isUp(id);
            }

            @Override
            public boolean inhibited(HealthPlan.RealId id) {
                return p.containsKey(id) && p.get(id).inhibitOnFailure();
            }

            @Override
            public OptionalInt weight(HealthPlan.RealId id) {
                return monitor.weight(id);
            }
        }, pol, alias, quorum);
        o.quorum().forEach((vip, held) -> {
            if (!held.equals(quorum.getOrDefault(vip, true))) {
                LOG.log(held ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "quorum of {0} {1}", vip,
                        held ? "is back" : "is lost");
                if (pol.getOrDefault(vip, HealthFilter.Policy.DEFAULT).smtpAlert()) {
                    alerts.accept(AlertMail.Alert.quorum(vip, held));
                }
            }
        });
        quorum = new HashMap<>(o.quorum());
        o.scripts().forEach(command -> NotifyScript.run(scripts.get(), command));
        return o.state();
    }

    /** The services whose quorum is lost now. */
    synchronized List<VipKey> lostQuorums() {
        return quorum.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    }

    /**
     * omega: at shutdown a service's reals stop being served by this director, so each real still
     * up gets its notify_down, and a held quorum its quorum_down (keepalived does the same).
     */
    synchronized void runOmegaScripts() {
        plan.forEach((id, entry) -> {
            HealthFilter.Policy p = policies.get(id.vip());
            if (p != null && p.omega() && monitor.isUp(id)) {
                NotifyScript.run(scripts.get(), entry.notifyDown());
            }
        });
        policies.forEach((vip, p) -> {
            if (p.omega() && quorum.getOrDefault(vip, true)) {
                NotifyScript.run(scripts.get(), p.quorumDown());
            }
        });
    }

    @Override
    public void close() {
        monitor.close();
    }
}
