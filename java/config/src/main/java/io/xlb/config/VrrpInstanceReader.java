package io.xlb.config;

import io.xlb.config.VrrpInstance.AuthType;
import io.xlb.config.VrrpInstance.Authentication;
import io.xlb.config.VrrpInstance.TrackScript;
import io.xlb.config.VrrpInstance.VirtualAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code vrrp_instance NAME { ... }} with its authentication, virtual addresses and tracking. */
final class VrrpInstanceReader {
    private static final int AUTH_PASS_MAX = 8;
    private static final Duration DEFAULT_ADVERT = Duration.ofSeconds(1);

    private static final class Builder {
        final String name;
        VrrpInstance.State state = VrrpInstance.State.BACKUP;
        String iface;
        InetAddress unicastSrc;
        Integer vrid, garpRepeat;
        int priority = 100, version;
        Duration advert = DEFAULT_ADVERT, preemptDelay, garpDelay, garpRefresh;
        SourcePos advertPos, authPos;
        Authentication auth;
        final List<VirtualAddress> vips = new ArrayList<>(), excluded = new ArrayList<>();
        final List<InetAddress> peers = new ArrayList<>();
        final List<VrrpInstance.TrackInterface> trackIfs = new ArrayList<>();
        final List<TrackScript> trackScripts = new ArrayList<>();
        final NotifyKeywords notify = new NotifyKeywords();
        boolean nopreempt, dontTrack;
        Boolean smtp, accept;

        Builder(String name, int version) {
            this.name = name;
            this.version = version;
        }
    }

    private static final class AuthBuilder {
        AuthType type;
        String pass;
    }

    private final Diagnostics d;
    /** Where each instance's virtual_router_id is written, by instance name. */
    private final Map<String, SourcePos> vridPos;
    private final KeywordTable<Builder> table;
    private final KeywordTable<AuthBuilder> authTable;

    VrrpInstanceReader(Diagnostics d, Map<String, SourcePos> vridPos) {
        this.d = d;
        this.vridPos = vridPos;
        this.table = new KeywordTable<Builder>("vrrp_instance", d)
                .include(NotifyKeywords.table(d), b -> b.notify)
                .keyword("state", 1, (b, n, v) -> {
                    String s = v.word(0, "MASTER or BACKUP");
                    if ("MASTER".equals(s)) {
                        b.state = VrrpInstance.State.MASTER;
                    } else if ("BACKUP".equals(s)) {
                        b.state = VrrpInstance.State.BACKUP;
                    } else if (s != null) {
                        d.warning(v.pos(0), "unknown state '" + s + "' (MASTER or BACKUP, in capitals): BACKUP assumed, as keepalived does");
                    }
                })
                .word("interface", "an interface name", (b, x) -> b.iface = x)
                .keyword("lvs_sync_daemon_interface", KeywordTable.ANY, (b, n, v) -> d.warning(n.pos(), GlobalDefsReader.NO_SYNC_DAEMON))
                .keyword("virtual_router_id", 1, (b, n, v) -> {
                    b.vrid = v.integer(0, 1, 255, "a VRID");
                    vridPos.put(b.name, v.pos(0));
                })
                .keyword("priority", 1, (b, n, v) -> {
                    Integer p = v.integer(0, 1, 255, "a priority");
                    if (p != null && p == 255) {
                        d.warning(v.pos(0), "priority 255 is the address owner's: this router always wins and never waits for the master-down timer");
                    }
                    b.priority = KeywordTable.orElse(p, b.priority);
                })
                .keyword("advert_int", 1, (b, n, v) -> {
                    b.advert = KeywordTable.orElse(v.seconds(0, false), b.advert);
                    b.advertPos = v.pos(0);
                })
                .integer("version", 2, 3, "2 or 3", (b, x) -> b.version = KeywordTable.orElse(x, b.version))
                .block("authentication", (b, n, v) -> {
                    b.auth = authentication(n);
                    b.authPos = n.pos();
                })
                .list("virtual_ipaddress", (b, a) -> KeywordTable.add(b.vips, virtualAddress(a)))
                .list("virtual_ipaddress_excluded", (b, a) -> KeywordTable.add(b.excluded, virtualAddress(a)))
                .flag("nopreempt", b -> b.nopreempt = true)
                .keyword("preempt_delay", 1, (b, n, v) -> {
                    b.preemptDelay = v.seconds(0, true);
                    if (b.preemptDelay != null && b.preemptDelay.compareTo(Duration.ofSeconds(1000)) > 0) {
                        d.error(v.pos(0), "preempt_delay must be 0..1000 seconds, got " + v.word(0, ""));
                        b.preemptDelay = null;
                    }
                })
                .address("unicast_src_ip", (b, x) -> b.unicastSrc = x)
                .list("unicast_peer", (b, p) -> {
                    if (!Addresses.isLiteral(p.keyword())) {
                        d.error(p.pos(), "not an IP address: '" + p.keyword() + "'");
                    } else {
                        b.peers.add(Addresses.parse(p.keyword()));
                    }
                })
                .list("track_interface", (b, t) -> b.trackIfs.add(trackInterface(t)))
                .list("track_script", (b, t) -> b.trackScripts.add(trackScript(t)))
                .seconds("garp_master_delay", true, (b, x) -> b.garpDelay = x)
                .integer("garp_master_repeat", 0, 10_000, "a count", (b, x) -> b.garpRepeat = x)
                .seconds("garp_master_refresh", true, (b, x) -> b.garpRefresh = x)
                .bool("smtp_alert", (b, x) -> b.smtp = x)
                .flag("dont_track_primary", b -> b.dontTrack = true)
                .flag("accept", b -> b.accept = true)
                .keyword("no_accept", KeywordTable.ANY, (b, n, v) -> {
                    b.accept = !v.flag();
                    d.error(n.pos(), "no_accept is not implemented by xlb: a master accepts packets addressed to its"
                            + " virtual addresses (accept mode, keepalived's default); remove no_accept");
                });
        this.authTable = new KeywordTable<AuthBuilder>("authentication", d)
                .keyword("auth_type", 1, (b, n, v) -> {
                    String t = v.oneOf(0, Set.of("PASS", "AH"), "auth_type");
                    if ("AH".equals(t)) {
                        // Sending adverts without it would make an AH peer drop them: both sides would be master.
                        d.error(v.pos(0), "auth_type AH (IPsec authentication header) is not implemented by xlb:"
                                + " use auth_type PASS, or no authentication (VRRPv3 has none)");
                        t = null;
                    }
                    b.type = t == null ? null : AuthType.valueOf(t);
                })
                .keyword("auth_pass", 1, (b, n, v) -> {
                    b.pass = v.word(0, "a password");
                    if (b.pass != null && b.pass.length() > AUTH_PASS_MAX) {
                        d.warning(v.pos(0), "auth_pass longer than 8 characters: only '" + b.pass.substring(0, AUTH_PASS_MAX)
                                + "' is used, as keepalived does");
                        b.pass = b.pass.substring(0, AUTH_PASS_MAX);
                    }
                });
    }

    VrrpInstance read(Node n, int defaultVersion) {
        Builder b = table.readNamed(n, name -> new Builder(name, defaultVersion), (name, built) -> built);
        if (b == null) {
            return null;
        }
        String name = b.name;
        if (b.iface == null) {
            d.error(n.pos(), "vrrp_instance " + name + " has no interface");
        }
        if (b.vrid == null && !vridPos.containsKey(name)) {
            d.error(n.pos(), "vrrp_instance " + name + " has no virtual_router_id");
        }
        if (b.version == 2 && b.advertPos != null && b.advert.toNanosPart() != 0) {
            d.error(b.advertPos, "advert_int in fractions of a second needs VRRPv3 (version 3)");
        }
        if (b.version == 3 && b.auth != null) {
            d.warning(b.authPos, "VRRPv3 has no authentication: ignored");
            b.auth = null;
        }
        if (b.vips.isEmpty()) {
            d.warning(n.pos(), "vrrp_instance " + name + " has no virtual_ipaddress");
        }
        if (b.vrid == null || b.iface == null) {
            return null;
        }
        return new VrrpInstance(name, b.state, b.iface, b.vrid, b.priority, b.advert, b.version, b.auth, b.vips,
                b.excluded, b.nopreempt, b.preemptDelay, b.unicastSrc, b.peers, b.trackIfs, b.trackScripts,
                b.notify.build(), b.garpDelay, b.garpRepeat, b.garpRefresh, b.smtp, b.dontTrack, b.accept, n.pos());
    }

    private Authentication authentication(Node n) {
        AuthBuilder b = authTable.readBlock(n, AuthBuilder::new);
        if (b == null) {
            return null;
        }
        if (b.type == null) {
            d.error(n.pos(), "authentication needs auth_type PASS or AH");
            return null;
        }
        if (b.pass == null) {
            d.error(n.pos(), "authentication needs auth_pass");
            return null;
        }
        return new Authentication(b.type, b.pass);
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
        return new VirtualAddress(Addresses.parse(addr), len != null ? len : max, dev, label, scope, brd, n.pos());
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
}
