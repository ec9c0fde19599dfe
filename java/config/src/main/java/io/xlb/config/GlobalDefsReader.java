package io.xlb.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code global_defs}, keyword by keyword as keepalived 2.2's global parser reads it. */
final class GlobalDefsReader {
    /** What {@code global_defs} sets; null where the file says nothing. */
    private static final class Builder {
        String routerId, emailFrom, helo, scriptUser, scriptGroup;
        InetAddress smtpServer;
        Integer smtpPort, version, garpRepeat, maxAuto, newFlowLimit, tunnelTtl;
        Duration smtpTimeout, garpDelay, garpRefresh, garpInterval;
        final List<String> emails = new ArrayList<>();
        boolean scriptSecurity, skipCheck, strict;
        Boolean smtpAlert, smtpAlertVrrp, smtpAlertChecker;
        GlobalDefs.LvsTimeouts timeouts;
        GlobalDefs.MapSize maxServices, maxReals, maxConnections;
    }

    /** lvs_sync_daemon (global_defs) and the older lvs_sync_daemon_interface (vrrp_instance) start IPVS's connection sync. */
    static final String NO_SYNC_DAEMON = "IPVS's connection synchronisation daemon is ignored: xlb does not copy its connection"
            + " table to the backup director, so after a failover the new master schedules established flows afresh"
            + " (mh and sh keep most on their real; NAT replies of such a flow pass untranslated until the client opens a new one)";

    private final Diagnostics d;
    private final KeywordTable<Builder> table;

    GlobalDefsReader(Diagnostics d) {
        this.d = d;
        this.table = new KeywordTable<Builder>("global_defs", d)
                .word("router_id", "a name", (b, x) -> b.routerId = x)
                .list("notification_email", (b, e) -> {
                    b.emails.add(e.keyword());
                    new Values(e, d).noMoreThan(0);
                })
                .word("notification_email_from", "an address", (b, x) -> b.emailFrom = x)
                .keyword("smtp_server", 2, (b, n, v) -> {
                    b.smtpServer = v.address(0, "an address");
                    if (v.count() > 1) {
                        b.smtpPort = v.port(1);
                    }
                })
                .seconds("smtp_connect_timeout", false, (b, x) -> b.smtpTimeout = x)
                .keyword("smtp_connection_timeout", 1, (b, n, v) -> {
                    d.warning(n.pos(), "smtp_connection_timeout is not a keepalived keyword (keepalived -t rejects it):"
                            + " the keyword is smtp_connect_timeout; read as that");
                    b.smtpTimeout = v.seconds(0, false);
                })
                .word("smtp_helo_name", "a name", (b, x) -> b.helo = x)
                .bool("smtp_alert", (b, x) -> b.smtpAlert = x)
                .bool("smtp_alert_vrrp", (b, x) -> b.smtpAlertVrrp = x)
                .bool("smtp_alert_checker", (b, x) -> b.smtpAlertChecker = x)
                .flag("enable_script_security", b -> b.scriptSecurity = true)
                .keyword("script_user", 2, (b, n, v) -> {
                    b.scriptUser = v.word(0, "a user");
                    b.scriptGroup = v.count() > 1 ? v.word(1, "a group") : null;
                })
                .integer("vrrp_version", 2, 3, "2 or 3", (b, x) -> b.version = x)
                .seconds("vrrp_garp_master_delay", true, (b, x) -> b.garpDelay = x)
                .integer("vrrp_garp_master_repeat", 0, 10_000, "a count", (b, x) -> b.garpRepeat = x)
                .seconds("vrrp_garp_master_refresh", true, (b, x) -> b.garpRefresh = x)
                .seconds("vrrp_garp_interval", true, (b, x) -> b.garpInterval = x)
                .keyword("lvs_timeouts", KeywordTable.ANY, (b, n, v) -> b.timeouts = lvsTimeouts(v))
                .flag("vrrp_skip_check_adv_addr", b -> b.skipCheck = true)
                .flag("vrrp_strict", b -> b.strict = true)
                .keyword("max_auto_priority", KeywordTable.ANY, (b, n, v) -> {
                    b.maxAuto = v.count() == 0 ? Integer.valueOf(99) : v.integer(0, -1, 99, "a priority");
                    v.noMoreThan(1);
                    d.warning(n.pos(), "max_auto_priority is ignored: it sets keepalived's real-time scheduling priority;"
                            + " xlb's packet path runs in the kernel and its daemon at normal priority");
                })
                .keyword("lvs_sync_daemon", KeywordTable.ANY, (b, n, v) -> d.warning(n.pos(), NO_SYNC_DAEMON))
                .integer("xlb_new_flow_limit", 0, Integer.MAX_VALUE, "new flows per second per CPU (0: no limit)",
                        (b, x) -> b.newFlowLimit = x)
                .integer("xlb_tunnel_ttl", 1, 255, "a TTL (1..255)", (b, x) -> b.tunnelTtl = x)
                .keyword("xlb_max_services", 1, (b, n, v) -> b.maxServices = mapSize(n, v, 1,
                        GlobalDefs.MapSizes.MAX_SERVICES, "services"))
                .keyword("xlb_max_reals", 1, (b, n, v) -> b.maxReals = mapSize(n, v, 1, GlobalDefs.MapSizes.MAX_REALS,
                        "real servers, sorry servers included"))
                .keyword("xlb_max_connections", 1, (b, n, v) -> b.maxConnections = mapSize(n, v,
                        GlobalDefs.MapSizes.MIN_CONNECTIONS, GlobalDefs.MapSizes.MAX_CONNECTIONS, "connections"));
    }

    GlobalDefs read(Node n) {
        if (!KeywordTable.needsBlock(n, d)) {
            return GlobalDefs.empty(n.pos());
        }
        new Values(n, d).noMoreThan(0);
        Builder b = new Builder();
        table.read(n, b);
        return new GlobalDefs(b.routerId, b.emails, b.emailFrom, b.smtpServer, b.smtpPort, b.smtpTimeout, b.helo,
                b.scriptSecurity, b.scriptUser, b.scriptGroup, b.version, b.garpDelay, b.garpRepeat, b.garpRefresh,
                b.garpInterval, b.timeouts, b.skipCheck, b.strict, b.maxAuto, b.smtpAlert, b.smtpAlertVrrp,
                b.smtpAlertChecker, b.newFlowLimit, b.tunnelTtl, mapSizes(b), n.pos());
    }

    /** One of xlb_max_*: a count in bounds, or null (with the error at its position). */
    private static GlobalDefs.MapSize mapSize(Node n, Values v, int min, int max, String what) {
        Integer entries = v.integer(0, min, max, "a count of " + what + " (" + min + ".." + max + ")");
        return entries == null ? null : new GlobalDefs.MapSize(entries, n.pos());
    }

    private static GlobalDefs.MapSizes mapSizes(Builder b) {
        return b.maxServices == null && b.maxReals == null && b.maxConnections == null ? GlobalDefs.MapSizes.NONE
                : new GlobalDefs.MapSizes(b.maxServices, b.maxReals, b.maxConnections);
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
}
