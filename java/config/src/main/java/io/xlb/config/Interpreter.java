package io.xlb.config;

import io.xlb.config.Checker.Common;
import io.xlb.config.VrrpInstance.Authentication;
import io.xlb.config.VrrpInstance.AuthType;
import io.xlb.config.VrrpInstance.TrackScript;
import io.xlb.config.VrrpInstance.VirtualAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * From the node tree to the configuration records, keyword by keyword, as keepalived 2.2's
 * parsers read them. Unknown keywords are warnings; bad values are errors at the value.
 */
final class Interpreter {
    static final Set<String> SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq",
            "mh", "fo", "ovf");
    private static final Set<String> METHODS = Set.of("DR", "TUN", "NAT");
    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
    private static final int AUTH_PASS_MAX = 8;
    private static final Duration DEFAULT_DELAY_LOOP = Duration.ofSeconds(60);
    private static final Duration DEFAULT_ADVERT = Duration.ofSeconds(1);

    private final Diagnostics d;
    private int defaultVersion = 2;

    Interpreter(Diagnostics d) {
        this.d = d;
    }

    Config config(List<Node> top, SourcePos filePos) {
        GlobalDefs global = GlobalDefs.empty(filePos);
        List<VrrpScript> scripts = new ArrayList<>();
        List<SyncGroup> groups = new ArrayList<>();
        List<VrrpInstance> instances = new ArrayList<>();
        List<VirtualServerGroup> vsGroups = new ArrayList<>();
        List<VirtualServer> servers = new ArrayList<>();
        // global_defs first: instances take their default VRRP version from it.
        for (Node n : top) {
            if (n.keyword().equals("global_defs")) {
                global = globalDefs(n);
            }
        }
        defaultVersion = global.vrrpVersion() != null ? global.vrrpVersion() : 2;
        for (Node n : top) {
            switch (n.keyword()) {
                case "global_defs" -> { }
                case "vrrp_script" -> add(scripts, vrrpScript(n));
                case "vrrp_sync_group" -> add(groups, syncGroup(n));
                case "vrrp_instance" -> add(instances, vrrpInstance(n));
                case "virtual_server_group" -> add(vsGroups, virtualServerGroup(n));
                case "virtual_server" -> add(servers, virtualServer(n));
                default -> unknown(n, "the top level");
            }
        }
        checkInstances(instances);
        checkStrict(global, instances);
        checkSyncGroups(groups, instances);
        checkTrackScripts(scripts, instances);
        checkServers(servers, vsGroups);
        return new Config(global, scripts, groups, instances, vsGroups, servers, filePos);
    }

    private static <T> void add(List<T> list, T item) {
        if (item != null) {
            list.add(item);
        }
    }

    private void unknown(Node n, String where) {
        d.warning(n.pos(), "unknown keyword '" + n.keyword() + "' in " + where + ": ignored");
    }

    private boolean needsBlock(Node n) {
        if (!n.block()) {
            d.error(n.pos(), n.keyword() + " needs a block { ... }");
            return false;
        }
        return true;
    }

    private void noBlock(Node n) {
        if (n.block()) {
            d.error(n.pos(), n.keyword() + " takes no block");
        }
    }

    /** The values of a list block ({@code notification_email}, {@code unicast_peer}, ...): one per line. */
    private List<Node> listBlock(Node n) {
        if (!needsBlock(n)) {
            return List.of();
        }
        new Values(n, d).noMoreThan(0);
        return n.children();
    }

    // --- global_defs ---

    private GlobalDefs globalDefs(Node n) {
        if (!needsBlock(n)) {
            return GlobalDefs.empty(n.pos());
        }
        new Values(n, d).noMoreThan(0);
        String routerId = null, emailFrom = null, smtpServer = null, helo = null, scriptUser = null, scriptGroup = null;
        Integer smtpPort = null, version = null, garpRepeat = null, maxAuto = null, newFlowLimit = null, tunnelTtl = null;
        Duration smtpTimeout = null, garpDelay = null, garpRefresh = null, garpInterval = null;
        List<String> emails = new ArrayList<>();
        boolean scriptSecurity = false, skipCheck = false, strict = false;
        Boolean smtpAlert = null, smtpAlertVrrp = null, smtpAlertChecker = null;
        GlobalDefs.LvsTimeouts timeouts = null;
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            if (!c.keyword().equals("notification_email")) {
                noBlock(c);
            }
            switch (c.keyword()) {
                case "router_id" -> { routerId = v.word(0, "a name"); v.noMoreThan(1); }
                case "notification_email" -> listBlock(c).forEach(e -> {
                    emails.add(e.keyword());
                    new Values(e, d).noMoreThan(0);
                });
                case "notification_email_from" -> { emailFrom = v.word(0, "an address"); v.noMoreThan(1); }
                case "smtp_server" -> {
                    smtpServer = v.address(0, "an address");
                    if (v.count() > 1) {
                        smtpPort = v.port(1);
                    }
                    v.noMoreThan(2);
                }
                case "smtp_connect_timeout" -> { smtpTimeout = v.seconds(0, false); v.noMoreThan(1); }
                case "smtp_connection_timeout" -> {
                    d.warning(c.pos(), "smtp_connection_timeout is not a keepalived keyword (keepalived -t rejects it):"
                            + " the keyword is smtp_connect_timeout; read as that");
                    smtpTimeout = v.seconds(0, false);
                    v.noMoreThan(1);
                }
                case "smtp_helo_name" -> { helo = v.word(0, "a name"); v.noMoreThan(1); }
                case "smtp_alert" -> smtpAlert = v.bool();
                case "smtp_alert_vrrp" -> smtpAlertVrrp = v.bool();
                case "smtp_alert_checker" -> smtpAlertChecker = v.bool();
                case "enable_script_security" -> scriptSecurity = v.flag();
                case "script_user" -> {
                    scriptUser = v.word(0, "a user");
                    scriptGroup = v.count() > 1 ? v.word(1, "a group") : null;
                    v.noMoreThan(2);
                }
                case "vrrp_version" -> { version = v.integer(0, 2, 3, "2 or 3"); v.noMoreThan(1); }
                case "vrrp_garp_master_delay" -> { garpDelay = v.seconds(0, true); v.noMoreThan(1); }
                case "vrrp_garp_master_repeat" -> { garpRepeat = v.integer(0, 0, 10_000, "a count"); v.noMoreThan(1); }
                case "vrrp_garp_master_refresh" -> { garpRefresh = v.seconds(0, true); v.noMoreThan(1); }
                case "vrrp_garp_interval" -> { garpInterval = v.seconds(0, true); v.noMoreThan(1); }
                case "lvs_timeouts" -> timeouts = lvsTimeouts(v);
                case "vrrp_skip_check_adv_addr" -> skipCheck = v.flag();
                case "vrrp_strict" -> strict = v.flag();
                case "max_auto_priority" -> {
                    maxAuto = v.count() == 0 ? Integer.valueOf(99) : v.integer(0, -1, 99, "a priority");
                    v.noMoreThan(1);
                    d.warning(c.pos(), "max_auto_priority is ignored: it sets keepalived's real-time scheduling priority;"
                            + " xlb's packet path runs in the kernel and its daemon at normal priority");
                }
                case "xlb_new_flow_limit" -> { newFlowLimit = v.integer(0, 0, Integer.MAX_VALUE, "new flows per second per CPU (0: no limit)"); v.noMoreThan(1); }
                case "xlb_tunnel_ttl" -> { tunnelTtl = v.integer(0, 1, 255, "a TTL (1..255)"); v.noMoreThan(1); }
                default -> unknown(c, "global_defs");
            }
        }
        return new GlobalDefs(routerId, emails, emailFrom, smtpServer, smtpPort, smtpTimeout, helo, scriptSecurity,
                scriptUser, scriptGroup, version, garpDelay, garpRepeat, garpRefresh, garpInterval, timeouts, skipCheck, strict,
                maxAuto, smtpAlert, smtpAlertVrrp, smtpAlertChecker, newFlowLimit, tunnelTtl, n.pos());
    }

    private GlobalDefs.LvsTimeouts lvsTimeouts(Values v) {
        Integer tcp = null, tcpfin = null, udp = null;
        for (int i = 0; i < v.count(); i += 2) {
            String what = v.word(i, "tcp, tcpfin or udp");
            Integer secs = v.integer(i + 1, 1, 31 * 24 * 3600, "seconds");
            switch (what) {
                case "tcp" -> tcp = secs;
                case "tcpfin" -> tcpfin = secs;
                case "udp" -> udp = secs;
                default -> d.error(v.pos(i), "lvs_timeouts takes tcp, tcpfin and udp, not '" + what + "'");
            }
        }
        if (v.count() == 0) {
            v.word(0, "tcp N, tcpfin N and/or udp N");
        }
        return new GlobalDefs.LvsTimeouts(tcp, tcpfin, udp);
    }

    // --- vrrp_script ---

    private VrrpScript vrrpScript(Node n) {
        Values head = new Values(n, d);
        String name = head.word(0, "a name");
        head.noMoreThan(1);
        if (!needsBlock(n) || name == null) {
            return null;
        }
        String script = null, user = null, group = null;
        Duration interval = Duration.ofSeconds(1), timeout = null;
        int weight = 0, rise = 1, fall = 1;
        boolean reverse = false;
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            noBlock(c);
            switch (c.keyword()) {
                case "script" -> script = v.rest(0, "a command");
                case "interval" -> { interval = orElse(v.seconds(0, false), interval); v.noMoreThan(1); }
                case "timeout" -> { timeout = v.seconds(0, false); v.noMoreThan(1); }
                case "weight" -> {
                    weight = orElse(v.integer(0, -253, 253, "a weight"), 0);
                    if (v.count() > 1) {
                        if (v.word(1, "reverse").equals("reverse")) {
                            reverse = true;
                        } else {
                            d.error(v.pos(1), "weight takes 'reverse' after the number, not '" + v.word(1, "") + "'");
                        }
                    }
                    v.noMoreThan(2);
                }
                case "rise" -> { rise = orElse(v.integer(0, 1, 1000, "a count"), 1); v.noMoreThan(1); }
                case "fall" -> { fall = orElse(v.integer(0, 1, 1000, "a count"), 1); v.noMoreThan(1); }
                case "user" -> {
                    user = v.word(0, "a user");
                    group = v.count() > 1 ? v.word(1, "a group") : null;
                    v.noMoreThan(2);
                }
                default -> unknown(c, "vrrp_script");
            }
        }
        if (script == null) {
            d.error(n.pos(), "vrrp_script " + name + " has no script");
        }
        return new VrrpScript(name, script, interval, timeout != null ? timeout : interval, weight, reverse, rise, fall,
                user, group, n.pos());
    }

    private static <T> T orElse(T v, T fallback) {
        return v != null ? v : fallback;
    }

    // --- vrrp_sync_group ---

    private SyncGroup syncGroup(Node n) {
        Values head = new Values(n, d);
        String name = head.word(0, "a name");
        head.noMoreThan(1);
        if (!needsBlock(n) || name == null) {
            return null;
        }
        List<String> members = new ArrayList<>();
        NotifyBuilder notify = new NotifyBuilder();
        Boolean smtp = null;
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            if (c.keyword().equals("group")) {
                listBlock(c).forEach(m -> {
                    members.add(m.keyword());
                    m.values().forEach(t -> members.add(t.text()));
                });
                continue;
            }
            noBlock(c);
            if (notify.read(c, v)) {
                continue;
            }
            if (c.keyword().equals("smtp_alert")) {
                smtp = v.bool();
            } else {
                unknown(c, "vrrp_sync_group");
            }
        }
        return new SyncGroup(name, members, notify.build(), smtp, n.pos());
    }

    /** notify_master, notify_backup, notify_fault, notify_stop, notify: shared by groups and instances. */
    private final class NotifyBuilder {
        String master, backup, fault, stop, any;

        boolean read(Node c, Values v) {
            switch (c.keyword()) {
                case "notify_master" -> master = v.rest(0, "a command");
                case "notify_backup" -> backup = v.rest(0, "a command");
                case "notify_fault" -> fault = v.rest(0, "a command");
                case "notify_stop" -> stop = v.rest(0, "a command");
                case "notify" -> any = v.rest(0, "a command");
                default -> {
                    return false;
                }
            }
            return true;
        }

        Notify build() {
            return new Notify(master, backup, fault, stop, any);
        }
    }

    // --- vrrp_instance ---

    private VrrpInstance vrrpInstance(Node n) {
        Values head = new Values(n, d);
        String name = head.word(0, "a name");
        head.noMoreThan(1);
        if (!needsBlock(n) || name == null) {
            return null;
        }
        VrrpInstance.State state = VrrpInstance.State.BACKUP;
        String iface = null, unicastSrc = null;
        Integer vrid = null, garpRepeat = null;
        int priority = 100, version = defaultVersion;
        Duration advert = DEFAULT_ADVERT, preemptDelay = null, garpDelay = null, garpRefresh = null;
        SourcePos advertPos = null, authPos = null;
        Authentication auth = null;
        List<VirtualAddress> vips = new ArrayList<>(), excluded = new ArrayList<>();
        List<String> peers = new ArrayList<>();
        List<VrrpInstance.TrackInterface> trackIfs = new ArrayList<>();
        List<TrackScript> trackScripts = new ArrayList<>();
        NotifyBuilder notify = new NotifyBuilder();
        boolean nopreempt = false, dontTrack = false;
        Boolean smtp = null;
        Boolean accept = null;
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            if (!Set.of("authentication", "virtual_ipaddress", "virtual_ipaddress_excluded", "unicast_peer",
                    "track_interface", "track_script").contains(c.keyword())) {
                noBlock(c);
            }
            if (notify.read(c, v)) {
                continue;
            }
            switch (c.keyword()) {
                case "state" -> {
                    String s = v.word(0, "MASTER or BACKUP");
                    if ("MASTER".equals(s)) {
                        state = VrrpInstance.State.MASTER;
                    } else if ("BACKUP".equals(s)) {
                        state = VrrpInstance.State.BACKUP;
                    } else if (s != null) {
                        d.warning(v.pos(0), "unknown state '" + s + "' (MASTER or BACKUP, in capitals): BACKUP assumed, as keepalived does");
                    }
                    v.noMoreThan(1);
                }
                case "interface" -> { iface = v.word(0, "an interface name"); v.noMoreThan(1); }
                case "virtual_router_id" -> {
                    vrid = v.integer(0, 1, 255, "a VRID");
                    vridPos.put(name, v.pos(0));
                    v.noMoreThan(1);
                }
                case "priority" -> {
                    Integer p = v.integer(0, 1, 255, "a priority");
                    if (p != null && p == 255) {
                        d.warning(v.pos(0), "priority 255 is the address owner's: this router always wins and never waits for the master-down timer");
                    }
                    priority = orElse(p, priority);
                    v.noMoreThan(1);
                }
                case "advert_int" -> { advert = orElse(v.seconds(0, false), advert); advertPos = v.pos(0); v.noMoreThan(1); }
                case "version" -> { version = orElse(v.integer(0, 2, 3, "2 or 3"), version); v.noMoreThan(1); }
                case "authentication" -> { auth = authentication(c); authPos = c.pos(); }
                case "virtual_ipaddress" -> listBlock(c).forEach(a -> add(vips, virtualAddress(a)));
                case "virtual_ipaddress_excluded" -> listBlock(c).forEach(a -> add(excluded, virtualAddress(a)));
                case "nopreempt" -> nopreempt = v.flag();
                case "preempt_delay" -> {
                    preemptDelay = v.seconds(0, true);
                    if (preemptDelay != null && preemptDelay.compareTo(Duration.ofSeconds(1000)) > 0) {
                        d.error(v.pos(0), "preempt_delay must be 0..1000 seconds, got " + v.word(0, ""));
                        preemptDelay = null;
                    }
                    v.noMoreThan(1);
                }
                case "unicast_src_ip" -> { unicastSrc = v.address(0, "an address"); v.noMoreThan(1); }
                case "unicast_peer" -> listBlock(c).forEach(p -> {
                    if (!Addresses.isLiteral(p.keyword())) {
                        d.error(p.pos(), "not an IP address: '" + p.keyword() + "'");
                    } else {
                        peers.add(Addresses.normalize(p.keyword()));
                    }
                });
                case "track_interface" -> listBlock(c).forEach(t -> trackIfs.add(trackInterface(t)));
                case "track_script" -> listBlock(c).forEach(t -> trackScripts.add(trackScript(t)));
                case "garp_master_delay" -> { garpDelay = v.seconds(0, true); v.noMoreThan(1); }
                case "garp_master_repeat" -> { garpRepeat = v.integer(0, 0, 10_000, "a count"); v.noMoreThan(1); }
                case "garp_master_refresh" -> { garpRefresh = v.seconds(0, true); v.noMoreThan(1); }
                case "smtp_alert" -> smtp = v.bool();
                case "dont_track_primary" -> dontTrack = v.flag();
                case "accept" -> accept = v.flag();
                case "no_accept" -> {
                    accept = !v.flag();
                    d.error(c.pos(), "no_accept is not implemented by xlb: a master accepts packets addressed to its"
                            + " virtual addresses (accept mode, keepalived's default); remove no_accept");
                }
                default -> unknown(c, "vrrp_instance");
            }
        }
        if (iface == null) {
            d.error(n.pos(), "vrrp_instance " + name + " has no interface");
        }
        if (vrid == null && !vridPos.containsKey(name)) {
            d.error(n.pos(), "vrrp_instance " + name + " has no virtual_router_id");
        }
        if (version == 2 && advertPos != null && advert.toNanosPart() != 0) {
            d.error(advertPos, "advert_int in fractions of a second needs VRRPv3 (version 3)");
        }
        if (version == 3 && auth != null) {
            d.warning(authPos, "VRRPv3 has no authentication: ignored");
            auth = null;
        }
        if (vips.isEmpty()) {
            d.warning(n.pos(), "vrrp_instance " + name + " has no virtual_ipaddress");
        }
        if (vrid == null || iface == null) {
            return null;
        }
        return new VrrpInstance(name, state, iface, vrid, priority, advert, version, auth, vips, excluded, nopreempt,
                preemptDelay, unicastSrc, peers, trackIfs, trackScripts, notify.build(), garpDelay, garpRepeat,
                garpRefresh, smtp, dontTrack, accept, n.pos());
    }

    private final Map<String, SourcePos> vridPos = new HashMap<>();

    private Authentication authentication(Node n) {
        if (!needsBlock(n)) {
            return null;
        }
        AuthType type = null;
        String pass = null;
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            noBlock(c);
            switch (c.keyword()) {
                case "auth_type" -> {
                    String t = v.oneOf(0, Set.of("PASS", "AH"), "auth_type");
                    if ("AH".equals(t)) {
                        // Sending adverts without it would make an AH peer drop them: both sides would be master.
                        d.error(v.pos(0), "auth_type AH (IPsec authentication header) is not implemented by xlb:"
                                + " use auth_type PASS, or no authentication (VRRPv3 has none)");
                        t = null;
                    }
                    type = t == null ? null : AuthType.valueOf(t);
                    v.noMoreThan(1);
                }
                case "auth_pass" -> {
                    pass = v.word(0, "a password");
                    if (pass != null && pass.length() > AUTH_PASS_MAX) {
                        d.warning(v.pos(0), "auth_pass longer than 8 characters: only '" + pass.substring(0, AUTH_PASS_MAX)
                                + "' is used, as keepalived does");
                        pass = pass.substring(0, AUTH_PASS_MAX);
                    }
                    v.noMoreThan(1);
                }
                default -> unknown(c, "authentication");
            }
        }
        if (type == null) {
            d.error(n.pos(), "authentication needs auth_type PASS or AH");
            return null;
        }
        if (pass == null) {
            d.error(n.pos(), "authentication needs auth_pass");
            return null;
        }
        return new Authentication(type, pass);
    }

    /** {@code ADDR[/LEN] [dev D] [label L] [scope S] [brd B]} (the address is the node's keyword). */
    private VirtualAddress virtualAddress(Node n) {
        String text = n.keyword();
        String addr = text;
        Integer len = null;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            addr = text.substring(0, slash);
            String l = text.substring(slash + 1);
            len = l.matches("\\d{1,3}") ? Integer.parseInt(l) : -1;
        }
        if (!Addresses.isLiteral(addr)) {
            d.error(n.pos(), "not an IP address: '" + text + "'");
            return null;
        }
        int max = Addresses.isV4(addr) ? 32 : 128;
        if (len != null && (len < 0 || len > max)) {
            d.error(n.pos(), "prefix length must be 0.." + max + " in '" + text + "'");
            return null;
        }
        String dev = null, label = null, scope = null, brd = null;
        Values v = new Values(n, d);
        for (int i = 0; i < v.count(); i += 2) {
            String key = v.word(i, "");
            String value = v.word(i + 1, "a value after " + key);
            switch (key) {
                case "dev" -> dev = value;
                case "label" -> label = value;
                case "scope" -> {
                    scope = value;
                    if (value != null && Addresses.scopeCode(value) < 0) {
                        d.error(v.pos(i + 1), "scope is host, link, site, global (universe), nowhere or 0..255, not '" + value + "'");
                    }
                }
                case "brd", "broadcast" -> {
                    brd = value;
                    if (value != null && !(Addresses.isV4(addr) && (value.equals("+") || value.equals("-")
                            || Addresses.isLiteral(value) && Addresses.isV4(value)))) {
                        d.error(v.pos(i + 1), "brd takes an IPv4 broadcast address, + (computed) or - (none), and only for"
                                + " IPv4 addresses, not '" + value + "'");
                    }
                }
                default -> d.warning(v.pos(i), "unknown option '" + key + "' of a virtual address: ignored");
            }
        }
        return new VirtualAddress(Addresses.normalize(addr), len != null ? len : max, dev, label, scope, brd, n.pos());
    }

    private VrrpInstance.TrackInterface trackInterface(Node n) {
        Values v = new Values(n, d);
        Integer weight = null;
        if (v.count() > 0 && "weight".equals(v.word(0, "weight"))) {
            weight = v.integer(1, -253, 253, "a weight");
            v.noMoreThan(2);
        } else {
            v.noMoreThan(0);
        }
        return new VrrpInstance.TrackInterface(n.keyword(), weight);
    }

    private TrackScript trackScript(Node n) {
        Values v = new Values(n, d);
        Integer weight = null;
        boolean reverse = false;
        if (v.count() > 0) {
            if ("weight".equals(v.word(0, ""))) {
                weight = v.integer(1, -253, 253, "a weight");
                if (v.count() > 2 && "reverse".equals(v.word(2, ""))) {
                    reverse = true;
                }
                v.noMoreThan(reverse ? 3 : 2);
            } else {
                v.noMoreThan(0);
            }
        }
        return new TrackScript(n.keyword(), weight, reverse);
    }

    private void checkInstances(List<VrrpInstance> instances) {
        Map<String, VrrpInstance> byIfVrid = new HashMap<>();
        Set<String> names = new java.util.HashSet<>();
        for (VrrpInstance i : instances) {
            if (!names.add(i.name())) {
                d.error(i.pos(), "vrrp_instance " + i.name() + " is defined twice");
            }
            String key = i.interfaceName() + "/" + i.virtualRouterId();
            VrrpInstance first = byIfVrid.putIfAbsent(key, i);
            if (first != null) {
                d.error(vridPos.getOrDefault(i.name(), i.pos()), "virtual_router_id " + i.virtualRouterId() + " on "
                        + i.interfaceName() + " is already used by vrrp_instance " + first.name() + " (" + first.pos() + ")");
            }
        }
    }

    /**
     * vrrp_strict, as keepalived enforces it: every instance has a virtual address, no unicast
     * peers, no authentication, no accept mode. Its other half (no_accept: the master drops
     * packets addressed to its virtual addresses) is not done by xlb, and said so.
     */
    private void checkStrict(GlobalDefs global, List<VrrpInstance> instances) {
        if (!global.vrrpStrict()) {
            return;
        }
        d.warning(global.pos(), "vrrp_strict: its protocol checks are enforced, but not its no_accept part: the master"
                + " accepts packets addressed to its virtual addresses (xlb installs no firewall rules)");
        for (VrrpInstance i : instances) {
            if (i.virtualIpaddress().isEmpty()) {
                d.error(i.pos(), "vrrp_instance " + i.name() + ": vrrp_strict requires at least one virtual_ipaddress");
            }
            if (!i.unicastPeers().isEmpty()) {
                d.error(i.pos(), "vrrp_instance " + i.name() + ": vrrp_strict does not allow unicast_peer (VRRP is multicast)");
            }
            if (i.authentication() != null) {
                d.error(i.pos(), "vrrp_instance " + i.name() + ": vrrp_strict does not allow authentication"
                        + " (RFC 5798 removed it): remove the authentication block");
            }
            if (Boolean.TRUE.equals(i.accept())) {
                d.error(i.pos(), "vrrp_instance " + i.name() + ": vrrp_strict does not allow accept");
            }
        }
    }

    /** keepalived warns and ignores a track_script naming no vrrp_script; so does xlb. */
    private void checkTrackScripts(List<VrrpScript> scripts, List<VrrpInstance> instances) {
        Set<String> names = new java.util.HashSet<>();
        scripts.forEach(s -> names.add(s.name()));
        for (VrrpInstance i : instances) {
            for (VrrpInstance.TrackScript t : i.trackScripts()) {
                if (!names.contains(t.name())) {
                    d.warning(i.pos(), "vrrp_instance " + i.name() + " tracks script " + t.name()
                            + ", which no vrrp_script defines: ignored");
                }
            }
        }
    }

    private void checkSyncGroups(List<SyncGroup> groups, List<VrrpInstance> instances) {
        Set<String> names = new java.util.HashSet<>();
        instances.forEach(i -> names.add(i.name()));
        for (SyncGroup g : groups) {
            for (String member : g.group()) {
                if (!names.contains(member)) {
                    d.error(g.pos(), "vrrp_sync_group " + g.name() + " names vrrp_instance " + member + ", which is not defined");
                }
            }
        }
    }

    // --- virtual_server_group ---

    private VirtualServerGroup virtualServerGroup(Node n) {
        Values head = new Values(n, d);
        String name = head.word(0, "a name");
        head.noMoreThan(1);
        if (!needsBlock(n) || name == null) {
            return null;
        }
        List<VirtualServerGroup.Member> members = new ArrayList<>();
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            noBlock(c);
            if (c.keyword().equals("fwmark")) {
                Integer mark = v.integer(0, 1, 0xffffffffL > Integer.MAX_VALUE ? Integer.MAX_VALUE : 0, "a mark");
                if (mark != null) {
                    members.add(new VirtualServerGroup.Fwmark(mark, c.pos()));
                }
                v.noMoreThan(1);
                continue;
            }
            String text = c.keyword();
            int dash = text.lastIndexOf('-');
            String first = text;
            int end = -1;
            if (dash > 0 && text.substring(dash + 1).matches("\\d{1,3}") && !text.contains(":")) {
                first = text.substring(0, dash);
                end = Integer.parseInt(text.substring(dash + 1));
            }
            if (!Addresses.isLiteral(first)) {
                d.error(c.pos(), "not an IP address or range: '" + text + "'");
                continue;
            }
            byte[] bytes = java.net.InetAddress.ofLiteral(first).getAddress(); // IPv6: its last group
            int lastOctet = bytes.length == 4 ? bytes[3] & 0xff : ((bytes[14] & 0xff) << 8) | (bytes[15] & 0xff);
            if (end >= 0 && (end < lastOctet || end > 255)) {
                d.error(c.pos(), "address range " + text + " must end at " + lastOctet + "..255");
                continue;
            }
            Integer port = v.port(0);
            v.noMoreThan(1);
            if (port != null) {
                members.add(new VirtualServerGroup.AddressRange(Addresses.normalize(first), end < 0 ? lastOctet : end, port, c.pos()));
            }
        }
        return new VirtualServerGroup(name, members, n.pos());
    }

    // --- virtual_server ---

    private VirtualServer virtualServer(Node n) {
        Values head = new Values(n, d);
        VirtualServer.Key key = null;
        String first = head.word(0, "an address and port, 'fwmark N' or 'group NAME'");
        if (first == null) {
            return null;
        }
        if (first.equals("fwmark")) {
            Integer mark = head.integer(1, 1, Integer.MAX_VALUE, "a mark");
            key = mark == null ? null : new VirtualServer.Fwmark(mark);
            head.noMoreThan(2);
        } else if (first.equals("group")) {
            String g = head.word(1, "a group name");
            key = g == null ? null : new VirtualServer.Group(g);
            head.noMoreThan(2);
        } else {
            String addr = head.address(0, "an address");
            Integer port = head.count() > 1 ? head.port(1) : null;
            if (head.count() < 2) {
                head.word(1, "a port");
            }
            head.noMoreThan(2);
            key = addr == null || port == null ? null : new VirtualServer.AddressPort(addr, port);
        }
        if (!needsBlock(n)) {
            return null;
        }
        Duration delayLoop = DEFAULT_DELAY_LOOP, delayBeforeRetry = null, warmup = null;
        String sched = "wlc", method = "NAT", granularity = null, protocol = null, quorumUp = null, quorumDown = null,
                virtualhost = null;
        SourcePos methodPos = null, protocolPos = null;
        Integer persistence = null, retry = null;
        VirtualServer.SorryServer sorry = null;
        boolean sorryInhibit = false, alpha = false, omega = false, inhibit = false, haSuspend = false;
        Boolean vsSmtp = null;
        int quorum = 1, hysteresis = 0;
        boolean methodSet = false;
        List<RealServer> reals = new ArrayList<>();
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            if (!c.keyword().equals("real_server")) {
                noBlock(c);
            }
            switch (c.keyword()) {
                case "delay_loop" -> { delayLoop = orElse(v.seconds(0, false), delayLoop); v.noMoreThan(1); }
                case "lb_algo", "lvs_sched" -> { sched = orElse(v.oneOf(0, SCHEDULERS, "scheduler"), sched); v.noMoreThan(1); }
                case "lb_kind", "lvs_method" -> {
                    String m = method(v);
                    if (m != null) {
                        method = m;
                        methodSet = true;
                        methodPos = v.pos(0);
                    }
                    v.noMoreThan(1);
                }
                case "persistence_timeout" -> {
                    Integer p = v.integer(0, 0, 31 * 24 * 3600, "seconds");
                    if (p != null && p == 0) {
                        d.warning(v.pos(0), "persistence_timeout 0 means no persistence (keepalived -t rejects 0 as out of range); read as none");
                    }
                    persistence = p != null && p > 0 ? p : null;
                    v.noMoreThan(1);
                }
                case "persistence_granularity" -> { granularity = v.word(0, "a netmask"); v.noMoreThan(1); }
                case "protocol" -> {
                    protocol = v.oneOf(0, PROTOCOLS, "protocol");
                    protocolPos = v.pos(0);
                    if ("SCTP".equals(protocol)) {
                        d.error(v.pos(0), "protocol SCTP is not supported by xlb (TCP and UDP are)");
                    }
                    v.noMoreThan(1);
                }
                case "sorry_server" -> {
                    String a = v.address(0, "an address");
                    Integer p = v.port(1);
                    sorry = a == null || p == null ? null : new VirtualServer.SorryServer(a, p);
                    v.noMoreThan(2);
                }
                case "sorry_server_inhibit" -> sorryInhibit = v.flag();
                case "quorum" -> { quorum = orElse(v.integer(0, 1, 65535, "a count"), quorum); v.noMoreThan(1); }
                case "quorum_up" -> quorumUp = v.rest(0, "a command");
                case "quorum_down" -> quorumDown = v.rest(0, "a command");
                case "hysteresis" -> { hysteresis = orElse(v.integer(0, 0, 65535, "a count"), hysteresis); v.noMoreThan(1); }
                case "alpha" -> alpha = v.flag();
                case "omega" -> omega = v.flag();
                case "inhibit_on_failure" -> inhibit = v.flag();
                case "ha_suspend" -> haSuspend = v.flag();
                case "smtp_alert" -> vsSmtp = v.bool();
                case "virtualhost" -> { virtualhost = v.word(0, "a host name"); v.noMoreThan(1); }
                case "retry" -> { retry = v.integer(0, 1, 1000, "a count"); v.noMoreThan(1); }
                case "nb_get_retry" -> {
                    d.warning(c.pos(), "nb_get_retry is the old name of retry (keepalived -t rejects it): read as retry");
                    retry = v.integer(0, 1, 1000, "a count");
                    v.noMoreThan(1);
                }
                case "delay_before_retry" -> { delayBeforeRetry = v.seconds(0, true); v.noMoreThan(1); }
                case "warmup" -> { warmup = v.seconds(0, true); v.noMoreThan(1); }
                case "nat_mask" -> d.warning(c.pos(), "nat_mask is obsolete (keepalived -t rejects it) and xlb does no NAT: ignored");
                case "real_server" -> add(reals, realServer(c));
                default -> unknown(c, "virtual_server");
            }
        }
        if (protocol == null) {
            d.warning(n.pos(), "virtual_server without protocol: TCP assumed (keepalived 2.2.7 was seen to use UDP); write protocol TCP or UDP");
            protocol = "TCP";
        }
        if (!methodSet) {
            d.error(n.pos(), "virtual_server without lb_kind: keepalived's default is NAT, which xlb does not do; write lb_kind DR or TUN");
        }
        if (key == null) {
            return null;
        }
        VirtualServer vs = new VirtualServer(key, delayLoop, sched, method, persistence, granularity, protocol, sorry,
                sorryInhibit, quorum, quorumUp, quorumDown, hysteresis, alpha, omega, inhibit, haSuspend, virtualhost,
                retry, delayBeforeRetry, warmup, vsSmtp, reals, n.pos());
        return vs;
    }

    private String method(Values v) {
        String m = v.word(0, "DR or TUN");
        if (m == null) {
            return null;
        }
        if (!METHODS.contains(m)) {
            d.error(v.pos(0), "unknown forwarding method '" + m + "' (DR, TUN or NAT, in capitals)");
            return null;
        }
        if (m.equals("NAT")) {
            d.error(v.pos(0), "forwarding method NAT is not supported by xlb (DR and TUN are)");
            return null;
        }
        return m;
    }

    /** Where each real_server's address is written, by the real_server's own position. */
    private final Map<SourcePos, SourcePos> realAddressPos = new HashMap<>();

    private RealServer realServer(Node n) {
        Values head = new Values(n, d);
        String addr = head.address(0, "an address");
        realAddressPos.put(n.pos(), head.pos(0));
        Integer port = head.count() > 1 ? head.port(1) : null;
        if (head.count() < 2) {
            head.word(1, "a port");
        }
        head.noMoreThan(2);
        int weight = 1;
        String method = null, notifyUp = null, notifyDown = null;
        boolean inhibit = false;
        Boolean rsSmtp = null;
        Integer upper = null, lower = null;
        List<Checker> checkers = new ArrayList<>();
        for (Node c : n.block() ? n.children() : List.<Node>of()) {
            Values v = new Values(c, d);
            if (!c.keyword().endsWith("_CHECK") && !c.keyword().endsWith("_GET")) {
                noBlock(c);
            }
            switch (c.keyword()) {
                case "weight" -> { weight = orElse(v.integer(0, 0, 65535, "a weight"), weight); v.noMoreThan(1); }
                case "lvs_method" -> { method = method(v); v.noMoreThan(1); }
                case "inhibit_on_failure" -> inhibit = v.flag();
                case "smtp_alert" -> rsSmtp = v.bool();
                case "notify_up" -> notifyUp = v.rest(0, "a command");
                case "notify_down" -> notifyDown = v.rest(0, "a command");
                case "uthreshold", "lthreshold" -> {
                    Integer t = v.integer(0, 0, Integer.MAX_VALUE, "a count");
                    v.noMoreThan(1);
                    if (c.keyword().equals("uthreshold")) {
                        upper = t;
                    } else {
                        lower = t;
                    }
                    d.error(c.pos(), c.keyword() + " is not enforced by xlb's dataplane yet (connection thresholds per real):"
                            + " remove it, or cap the real by its weight");
                }
                case "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "UDP_CHECK", "PING_CHECK", "DNS_CHECK",
                     "SMTP_CHECK" -> add(checkers, checker(c));
                default -> unknown(c, "real_server");
            }
        }
        if (addr == null || port == null) {
            return null;
        }
        return new RealServer(addr, port, weight, method, inhibit, notifyUp, notifyDown, upper, lower, rsSmtp, checkers,
                n.pos());
    }

    // --- checkers ---

    private Checker checker(Node n) {
        new Values(n, d).noMoreThan(0);
        if (!needsBlock(n)) {
            return null;
        }
        CommonBuilder common = new CommonBuilder();
        List<Checker.Url> urls = new ArrayList<>();
        List<Common> hosts = new ArrayList<>();
        String virtualhost = null, miscPath = null, dnsType = null, dnsName = null, helo = null;
        Duration miscTimeout = null;
        boolean miscDynamic = false, requireReply = false;
        String udpPayload = null, replyData = null;
        Integer minReply = null, maxReply = null;
        String kind = n.keyword();
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            if (!c.keyword().equals("url") && !c.keyword().equals("host")) {
                noBlock(c);
            }
            if (common.read(c, v)) {
                continue;
            }
            boolean http = kind.equals("HTTP_GET") || kind.equals("SSL_GET");
            switch (c.keyword()) {
                case "url" -> {
                    if (http) {
                        add(urls, url(c));
                    } else {
                        unknown(c, kind);
                    }
                }
                case "virtualhost" -> {
                    if (http) {
                        virtualhost = v.word(0, "a host name");
                        v.noMoreThan(1);
                    } else {
                        unknown(c, kind);
                    }
                }
                case "misc_path" -> {
                    if (kind.equals("MISC_CHECK")) {
                        miscPath = v.rest(0, "a command");
                    } else {
                        unknown(c, kind);
                    }
                }
                case "misc_timeout" -> {
                    if (kind.equals("MISC_CHECK")) {
                        miscTimeout = v.seconds(0, false);
                        v.noMoreThan(1);
                    } else {
                        unknown(c, kind);
                    }
                }
                case "misc_dynamic" -> {
                    if (kind.equals("MISC_CHECK")) {
                        miscDynamic = v.flag();
                    } else {
                        unknown(c, kind);
                    }
                }
                case "type" -> {
                    if (kind.equals("DNS_CHECK")) {
                        dnsType = v.oneOf(0, Set.of("A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"), "DNS type");
                        v.noMoreThan(1);
                    } else {
                        unknown(c, kind);
                    }
                }
                case "name" -> {
                    if (kind.equals("DNS_CHECK")) {
                        dnsName = v.word(0, "a domain name");
                        v.noMoreThan(1);
                    } else {
                        unknown(c, kind);
                    }
                }
                case "payload", "require_reply", "min_reply_length", "max_reply_length" -> {
                    if (!kind.equals("UDP_CHECK")) {
                        unknown(c, kind);
                    } else if (c.keyword().equals("payload")) {
                        udpPayload = hex(v, 0);
                        v.noMoreThan(1);
                    } else if (c.keyword().equals("require_reply")) {
                        requireReply = true;
                        replyData = v.count() > 0 ? hex(v, 0) : null;
                        v.noMoreThan(1);
                    } else if (c.keyword().equals("min_reply_length")) {
                        minReply = v.integer(0, 0, 65535, "a length");
                        v.noMoreThan(1);
                    } else {
                        maxReply = v.integer(0, 0, 65535, "a length");
                        v.noMoreThan(1);
                    }
                }
                case "helo_name" -> {
                    if (kind.equals("SMTP_CHECK")) {
                        helo = v.word(0, "a name");
                        v.noMoreThan(1);
                    } else {
                        unknown(c, kind);
                    }
                }
                case "host" -> {
                    if (kind.equals("SMTP_CHECK") && needsBlock(c)) {
                        CommonBuilder h = new CommonBuilder();
                        for (Node hc : c.children()) {
                            noBlock(hc);
                            if (!h.read(hc, new Values(hc, d))) {
                                unknown(hc, "host");
                            }
                        }
                        hosts.add(h.build());
                    } else if (!kind.equals("SMTP_CHECK")) {
                        unknown(c, kind);
                    }
                }
                default -> unknown(c, kind);
            }
        }
        Common com = common.build();
        return switch (kind) {
            case "TCP_CHECK" -> new Checker.TcpCheck(com, n.pos());
            case "HTTP_GET", "SSL_GET" -> {
                if (urls.isEmpty()) {
                    d.error(n.pos(), kind + " needs at least one url { path ... }");
                }
                yield new Checker.HttpCheck(kind.equals("SSL_GET"), com, urls, virtualhost, n.pos());
            }
            case "MISC_CHECK" -> {
                if (miscPath == null) {
                    d.error(n.pos(), "MISC_CHECK needs misc_path");
                }
                yield new Checker.MiscCheck(com, miscPath, miscTimeout, miscDynamic, n.pos());
            }
            case "UDP_CHECK" -> new Checker.UdpCheck(com, udpPayload, requireReply, replyData, minReply, maxReply, n.pos());
            case "PING_CHECK" -> new Checker.PingCheck(com, n.pos());
            case "DNS_CHECK" -> new Checker.DnsCheck(com, dnsType != null ? dnsType : "SOA", dnsName != null ? dnsName : ".", n.pos());
            default -> new Checker.SmtpCheck(com, helo, hosts, n.pos());
        };
    }

    /** Hex digits (keepalived's payload and require_reply data), an even count of them. */
    private String hex(Values v, int i) {
        String text = v.word(i, "hex digits");
        if (text == null) {
            return null;
        }
        if (!text.matches("(?i)([0-9a-f]{2})+")) {
            d.error(v.pos(i), "expected hex digits, two a byte, got '" + text + "'");
            return null;
        }
        return text.toLowerCase(java.util.Locale.ROOT);
    }

    private Checker.Url url(Node n) {
        if (!needsBlock(n)) {
            return null;
        }
        String path = null, digest = null;
        Integer status = null;
        for (Node c : n.children()) {
            Values v = new Values(c, d);
            noBlock(c);
            switch (c.keyword()) {
                case "path" -> { path = v.word(0, "a path"); v.noMoreThan(1); }
                case "digest" -> {
                    digest = v.word(0, "an MD5 digest");
                    if (digest != null && !digest.matches("[0-9a-fA-F]{32}")) {
                        d.error(v.pos(0), "digest must be 32 hexadecimal digits (MD5), got '" + digest + "'");
                        digest = null;
                    }
                    v.noMoreThan(1);
                }
                case "status_code" -> { status = v.integer(0, 100, 599, "an HTTP status"); v.noMoreThan(1); }
                default -> unknown(c, "url");
            }
        }
        if (path == null) {
            d.error(n.pos(), "url needs a path");
            return null;
        }
        return new Checker.Url(path, digest, status);
    }

    /** connect_ip, connect_port, bindto, connect_timeout, retry, delay_before_retry, warmup. */
    private final class CommonBuilder {
        String ip, bindto;
        Integer port, retry;
        Duration timeout, delay, warmup;

        boolean read(Node c, Values v) {
            switch (c.keyword()) {
                case "connect_ip" -> { ip = v.address(0, "an address"); v.noMoreThan(1); }
                case "connect_port" -> { port = v.port(0); v.noMoreThan(1); }
                case "bindto" -> { bindto = v.address(0, "an address"); v.noMoreThan(1); }
                case "connect_timeout" -> { timeout = v.seconds(0, false); v.noMoreThan(1); }
                case "retry" -> { retry = v.integer(0, 0, 1000, "a count"); v.noMoreThan(1); }
                case "nb_get_retry" -> {
                    d.warning(c.pos(), "nb_get_retry is the old name of retry (keepalived -t rejects it): read as retry");
                    retry = v.integer(0, 0, 1000, "a count");
                    v.noMoreThan(1);
                }
                case "delay_before_retry" -> { delay = v.seconds(0, true); v.noMoreThan(1); }
                case "warmup" -> { warmup = v.seconds(0, true); v.noMoreThan(1); }
                default -> {
                    return false;
                }
            }
            return true;
        }

        Common build() {
            return new Common(ip, port, bindto, timeout, retry, delay, warmup);
        }
    }

    private void checkServers(List<VirtualServer> servers, List<VirtualServerGroup> groups) {
        Set<String> groupNames = new java.util.HashSet<>();
        groups.forEach(g -> groupNames.add(g.name()));
        Set<String> seen = new java.util.HashSet<>();
        for (VirtualServer vs : servers) {
            String id = vs.key() + "/" + vs.protocol();
            if (!seen.add(id)) {
                d.error(vs.pos(), "virtual_server " + describe(vs.key()) + " " + vs.protocol() + " is defined twice");
            }
            if (vs.key() instanceof VirtualServer.Group g && !groupNames.contains(g.name())) {
                d.error(vs.pos(), "virtual_server group " + g.name() + ": no virtual_server_group of that name");
            }
            Set<String> realsSeen = new java.util.HashSet<>();
            for (RealServer r : vs.realServers()) {
                if (!realsSeen.add(r.address() + ":" + r.port())) {
                    d.error(r.pos(), "real_server " + r.address() + " " + r.port() + " appears twice in this virtual_server");
                }
                if (vs.key() instanceof VirtualServer.AddressPort ap) {
                    if (Addresses.isV4(ap.address()) != Addresses.isV4(r.address())) {
                        d.error(realAddressPos.getOrDefault(r.pos(), r.pos()),
                                "real_server " + r.address() + " is not of the virtual server's address family (" + ap.address() + ")");
                    }
                    String m = r.method() != null ? r.method() : vs.method();
                    if ("DR".equals(m) && r.port() != ap.port()) {
                        d.warning(r.pos(), "DR cannot change the port: real_server port " + r.port()
                                + " differs from the virtual server's " + ap.port() + "; packets keep port " + ap.port());
                    }
                }
            }
        }
    }

    static String describe(VirtualServer.Key key) {
        return switch (key) {
            case VirtualServer.AddressPort ap -> ap.address() + " " + ap.port();
            case VirtualServer.Fwmark f -> "fwmark " + f.mark();
            case VirtualServer.Group g -> "group " + g.name();
        };
    }
}
