package io.xlb.daemon;

import io.xlb.config.Addresses;
import io.xlb.config.Config;
import io.xlb.config.GlobalDefs;
import io.xlb.config.Notify;
import io.xlb.config.SyncGroup;
import io.xlb.health.ScriptCommand;
import io.xlb.config.VrrpInstance;
import io.xlb.sys.Links;
import io.xlb.vrrp.RouterSettings;
import io.xlb.vrrp.RouterState;
import io.xlb.vrrp.Tracking;
import io.xlb.vrrp.VrrpSpeaker;
import io.xlb.vrrp.VrrpVersion;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The daemon's {@code vrrp_instance}s, each a {@link VrrpSpeaker}: tracking (interfaces, scripts),
 * sync groups, notify scripts and mail on state changes; a master holds the instance's addresses
 * ({@link VirtualAddresses}). On reload only instances whose settings changed restart.
 */
final class VrrpInstances implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");

    private record Running(VrrpInstance config, VrrpSpeaker speaker) {}

    /** How often tracked interfaces' link state is read over rtnetlink (IFF_UP and IFF_RUNNING). */
    private static final Duration LINK_POLL = Duration.ofMillis(100);

    private final ScheduledExecutorService scheduler;
    private final Consumer<AlertMail.Alert> alerts;
    private final Map<String, Running> running = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final VrrpScripts scripts;
    private final Map<String, Boolean> links = new ConcurrentHashMap<>();
    private final Map<String, Tracking.Effect> applied = new ConcurrentHashMap<>();
    private final Map<String, String> groupStates = new ConcurrentHashMap<>();
    private final VirtualAddresses addresses;
    private final ScheduledFuture<?> linkPoll;
    private volatile Config config;
    private volatile GlobalDefs global;

    /** {@code alerts} sends the smtp_alert mails of instances that ask for them. */
    VrrpInstances(ScheduledExecutorService scheduler, Consumer<AlertMail.Alert> alerts) {
        this.scheduler = scheduler;
        this.alerts = alerts;
        this.scripts = new VrrpScripts(scheduler, this::evaluate);
        this.addresses = new VirtualAddresses(scheduler, () -> global, name -> {
            Running r = running.get(name);
            return r != null && r.speaker().status().state().equals("MASTER");
        });
        this.linkPoll = scheduler.scheduleAtFixedRate(this::pollLinks, LINK_POLL.toMillis(), LINK_POLL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Checks what this version cannot run, so a daemon (or a reload) refuses it before starting. */
    static List<io.xlb.config.Diagnostic> unsupported(Config config) {
        List<io.xlb.config.Diagnostic> out = new ArrayList<>();
        for (VrrpInstance i : config.vrrpInstances()) {
            long v6 = i.virtualIpaddress().stream().filter(a -> a.address() instanceof Inet6Address).count();
            if (v6 > 0 && v6 < i.virtualIpaddress().size()) {
                out.add(ConfigCheck.error(i.pos(), i.name() + ": IPv4 and IPv6 virtual addresses in one instance: VRRP carries one"
                        + " family per instance; use one instance per family"));
            }
            if (v6 > 0 && (!i.unicastPeers().isEmpty() || i.unicastSrcIp() != null)) {
                out.add(ConfigCheck.error(i.pos(), i.name() + ": unicast peers over IPv6 are not implemented yet (multicast only)"));
            }
        }
        return out;
    }

    /** Starts, restarts or stops instances so that they match {@code config}. */
    void sync(Config config) throws SocketException {
        this.config = config;
        global = config.global();
        Map<String, VrrpInstance> wanted = new LinkedHashMap<>();
        config.vrrpInstances().forEach(i -> wanted.put(i.name(), i));
        for (String name : List.copyOf(running.keySet())) {
            VrrpInstance next = wanted.get(name);
            if (next == null || !same(next, running.get(name).config())) {
                running.remove(name).speaker().close();
                applied.remove(name);
            } else {
                // Scripts and mail settings take effect without a restart.
                running.put(name, new Running(next, running.get(name).speaker()));
            }
        }
        for (VrrpInstance i : wanted.values()) {
            if (!running.containsKey(i.name())) {
                NetworkInterface nif = NetworkInterface.getByName(i.interfaceName());
                if (nif == null) {
                    throw new IllegalArgumentException(i.name() + ": no interface " + i.interfaceName());
                }
                RouterSettings s = settings(i, primary(i, nif), global.vrrpSkipCheckAdvAddr());
                List<Inet4Address> peers = ipv6(i) ? List.of()
                        : i.unicastPeers().stream().map(p -> (Inet4Address) p).toList();
                running.put(i.name(), new Running(i, VrrpSpeaker.start(s, nif.getName(), nif.getIndex(), peers,
                        InstantSource.system(), (settings, from, to) -> changed(i, from, to))));
            }
        }
        scripts.sync(config.global(), config.vrrpScripts());
        readLinks();
        evaluate();
    }

    /** Reads the tracked interfaces' link state; true when one changed. */
    private boolean readLinks() {
        Config c = config;
        boolean changed = false;
        List<String> tracked = c == null ? List.of() : InstanceTracking.interfaces(c);
        if (tracked.isEmpty()) {
            return false;
        }
        Map<String, Links.Link> now;
        try (Links l = Links.open()) {
            now = l.list();
        }
        for (String name : tracked) {
            boolean up = now.containsKey(name) && now.get(name).up();
            Boolean before = links.put(name, up);
            if (before != null && before != up) {
                LOG.log(up ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "tracked interface {0} is {1}",
                        name, up ? "up" : "down");
                changed = true;
            }
        }
        return changed;
    }

    private void pollLinks() {
        try {
            if (readLinks()) {
                evaluate();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "reading tracked interfaces", e);
        }
    }

    /** Gives each instance what its tracked interfaces and scripts now make of it (fault, priority). */
    private synchronized void evaluate() {
        Config c = config;
        if (c == null) {
            return;
        }
        Map<String, Tracking.Effect> effects = InstanceTracking.effects(c, n -> links.getOrDefault(n, true), scripts::ok);
        for (Map.Entry<String, Running> r : running.entrySet()) {
            Tracking.Effect e = effects.get(r.getKey());
            if (e != null && !e.equals(applied.get(r.getKey()))) {
                Tracking.Effect before = applied.put(r.getKey(), e);
                if (before != null || e.fault()) {
                    List<String> down = new ArrayList<>();
                    links.forEach((name, up) -> {
                        if (!up) {
                            down.add("interface " + name);
                        }
                    });
                    c.vrrpScripts().stream().filter(sc -> !scripts.ok(sc.name())).forEach(sc -> down.add("script " + sc.name()));
                    LOG.log(e.fault() ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "{0}: tracking: {1} (down: {2})",
                            r.getKey(), e.fault() ? "fault" : "priority " + e.priority(), down.isEmpty() ? "none" : String.join(", ", down));
                }
                r.getValue().speaker().track(e);
            }
        }
    }

    /** Restart only for what the speaker or the address handling uses; positions in the file do not matter. */
    private static boolean same(VrrpInstance a, VrrpInstance b) {
        return a.interfaceName().equals(b.interfaceName())
                && java.util.Objects.equals(a.unicastSrcIp(), b.unicastSrcIp())
                && a.unicastPeers().equals(b.unicastPeers())
                && VirtualAddresses.held(a).stream().map(VrrpInstances::withoutPos).toList()
                        .equals(VirtualAddresses.held(b).stream().map(VrrpInstances::withoutPos).toList())
                && java.util.Objects.equals(a.garpMasterDelay(), b.garpMasterDelay())
                && java.util.Objects.equals(a.garpMasterRepeat(), b.garpMasterRepeat())
                && settings(a, null, false).equals(settings(b, null, false));
    }

    private static String withoutPos(VrrpInstance.VirtualAddress v) {
        return io.xlb.config.Addresses.text(v.address()) + "/" + v.prefixLength() + " " + v.dev() + " " + v.label() + " " + v.scope() + " " + v.broadcast();
    }

    /** IPv6 virtual addresses: VRRPv3 whatever version says (VRRPv2 has no IPv6; keepalived does the same). */
    static boolean ipv6(VrrpInstance i) {
        return !i.virtualIpaddress().isEmpty() && i.virtualIpaddress().getFirst().address() instanceof Inet6Address;
    }

    static RouterSettings settings(VrrpInstance i, InetAddress primary, boolean skipCheckAdvAddr) {
        VrrpVersion version = i.version() == 3 || ipv6(i) ? VrrpVersion.V3 : VrrpVersion.V2;
        String pass = "";
        if (version == VrrpVersion.V2 && i.authentication() != null && i.authentication().type() == VrrpInstance.AuthType.PASS) {
            byte[] b = i.authentication().pass().getBytes(StandardCharsets.UTF_8);
            pass = new String(Arrays.copyOf(b, Math.min(b.length, 8)), StandardCharsets.UTF_8);
        }
        List<InetAddress> addresses = i.virtualIpaddress().stream().map(VrrpInstance.VirtualAddress::address).toList();
        return new RouterSettings(i.name(), version, i.virtualRouterId(), i.priority(), (int) (i.advertInt().toMillis() / 10),
                addresses, pass, primary, !i.nopreempt(), i.preemptDelay() == null ? Duration.ZERO : i.preemptDelay(),
                skipCheckAdvAddr);
    }

    private static InetAddress primary(VrrpInstance i, NetworkInterface nif) {
        if (ipv6(i)) {
            // IPv6 adverts leave from the interface's link-local address (RFC 5798 §5.1.2.1).
            return nif.inetAddresses().filter(a -> a instanceof Inet6Address && a.isLinkLocalAddress())
                    .map(a -> InetAddress.ofLiteral(a.getHostAddress().replaceFirst("%.*$", ""))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(i.name() + ": " + nif.getName() + " has no IPv6 link-local address"));
        }
        if (i.unicastSrcIp() != null) {
            return i.unicastSrcIp();
        }
        // Not a virtual address: one left behind by a daemon killed while master would otherwise
        // be taken for ours, and removed from under us.
        List<InetAddress> virtual = i.virtualIpaddress().stream().map(VrrpInstance.VirtualAddress::address).toList();
        return nif.inetAddresses().filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast)
                .filter(a -> !a.isLinkLocalAddress() && !virtual.contains(a)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(i.name() + ": " + nif.getName() + " has no IPv4 address to send adverts from"));
    }

    private ScriptCommand scripts() {
        GlobalDefs g = global;
        return g == null ? ScriptCommand.AS_DAEMON : Scripts.runAs(g);
    }

    /** Runs on the instance's speaker thread. */
    private void changed(VrrpInstance started, RouterState from, RouterState to) {
        Running now = running.get(started.name());
        VrrpInstance i = now != null ? now.config() : started;
        boolean master = to instanceof RouterState.Master;
        addresses.move(i, master);
        notify(i, to);
        syncGroup(i, from, to);
    }

    /**
     * vrrp_sync_group: a member that becomes master takes the others with it, one that falls back
     * from master to backup takes them back (faults are shared through {@link InstanceTracking}).
     * The group's own notify scripts and mail run when the group as a whole enters a state.
     */
    private void syncGroup(VrrpInstance i, RouterState from, RouterState to) {
        Config c = config;
        if (c == null) {
            return;
        }
        for (SyncGroup g : c.syncGroups()) {
            if (!g.group().contains(i.name())) {
                continue;
            }
            for (String member : g.group()) {
                Running r = running.get(member);
                if (member.equals(i.name()) || r == null) {
                    continue;
                }
                if (to instanceof RouterState.Master) {
                    r.speaker().forceMaster();
                } else if (to instanceof RouterState.Backup && from instanceof RouterState.Master) {
                    r.speaker().forceBackup();
                }
            }
            String state = to instanceof RouterState.Initialize ? "STOP" : to.name();
            if (!state.equals(groupStates.put(g.name(), state))) {
                Notify n = g.notifyScripts();
                NotifyScript.run(scripts(), switch (to) {
                    case RouterState.Master m -> n.master();
                    case RouterState.Backup b -> n.backup();
                    case RouterState.Fault f -> n.fault();
                    case RouterState.Initialize s -> n.stop();
                });
                NotifyScript.run(scripts(), n.any(), List.of("GROUP", g.name(), state));
                boolean mailed = g.smtpAlert() != null ? g.smtpAlert() : global != null && global.vrrpAlerts();
                if (mailed && !(to instanceof RouterState.Initialize)) {
                    alerts.accept(AlertMail.Alert.vrrpGroup(g.name(), state));
                }
            }
        }
    }

    /**
     * keepalived's notify scripts (notify_master/backup/fault, notify_stop when the instance stops,
     * and notify with INSTANCE NAME STATE PRIORITY) and the smtp_alert mail of the new state.
     */
    private void notify(VrrpInstance i, RouterState to) {
        Notify n = i.notifyScripts();
        String state = to instanceof RouterState.Initialize ? "STOP" : to.name();
        NotifyScript.run(scripts(), switch (to) {
            case RouterState.Master m -> n.master();
            case RouterState.Backup b -> n.backup();
            case RouterState.Fault f -> n.fault();
            case RouterState.Initialize s -> n.stop();
        });
        NotifyScript.run(scripts(), n.any(), List.of("INSTANCE", i.name(), state, Integer.toString(i.priority())));
        boolean mailed = i.smtpAlert() != null ? i.smtpAlert() : global != null && global.vrrpAlerts();
        if (mailed && !(to instanceof RouterState.Initialize)) {
            alerts.accept(AlertMail.Alert.vrrp(i.name(), state));
        }
    }

    /** Every running instance, by name. */
    List<io.xlb.daemon.status.InstanceStatus> snapshot() {
        return running.values().stream().map(r -> new io.xlb.daemon.status.InstanceStatus(r.config().name(), r.config().interfaceName(),
                r.config().virtualRouterId(), r.speaker().status())).toList();
    }

    /** Each vrrp_script's state: ok, failing, or not run yet. */
    java.util.Map<String, String> scriptStates() {
        return scripts.states();
    }

    /** Stops every instance: masters send priority 0 and give their addresses up. */
    @Override
    public void close() {
        linkPoll.cancel(false);
        addresses.close();
        scripts.close();
        running.values().forEach(r -> r.speaker().close());
        running.clear();
    }
}
