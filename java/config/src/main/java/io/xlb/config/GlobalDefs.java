package io.xlb.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * {@code global_defs}. Absent settings are null (keepalived's default applies where it has one).
 * xlb's own: {@code xlb_new_flow_limit} (new flows of hash-ring services per CPU per second above
 * which they are forwarded untracked; 0: no limit), {@code xlb_tunnel_ttl} (outer TTL of TUN packets), and
 * the dataplane's map sizes {@code xlb_max_services}, {@code xlb_max_reals}, {@code xlb_max_connections}
 * (fixed when the maps are created: read at the daemon's start).
 */
public record GlobalDefs(String routerId, List<String> notificationEmail, String notificationEmailFrom,
                         InetAddress smtpServer, Integer smtpPort, Duration smtpConnectTimeout, String smtpHeloName,
                         boolean enableScriptSecurity, String scriptUser, String scriptGroup, Integer vrrpVersion,
                         Duration vrrpGarpMasterDelay, Integer vrrpGarpMasterRepeat, Duration vrrpGarpMasterRefresh,
                         Duration vrrpGarpInterval, LvsTimeouts lvsTimeouts, boolean vrrpSkipCheckAdvAddr,
                         boolean vrrpStrict, Integer maxAutoPriority, Boolean smtpAlert, Boolean smtpAlertVrrp,
                         Boolean smtpAlertChecker, Integer newFlowLimit, Integer tunnelTtl, MapSizes mapSizes, SourcePos pos) implements Model {
    public GlobalDefs {
        notificationEmail = List.copyOf(notificationEmail);
    }

    /**
     * Whether checker alerts are mailed when neither the real nor its service says: keepalived's
     * order is smtp_alert_checker, then smtp_alert, then no.
     */
    public boolean checkerAlerts() {
        return smtpAlertChecker != null ? smtpAlertChecker : smtpAlert != null && smtpAlert;
    }

    /** The same for VRRP instances and sync groups: smtp_alert_vrrp, then smtp_alert, then no. */
    public boolean vrrpAlerts() {
        return smtpAlertVrrp != null ? smtpAlertVrrp : smtpAlert != null && smtpAlert;
    }

    /** One map size the file sets, and where. */
    public record MapSize(int entries, SourcePos pos) {}

    /** {@code xlb_max_services}, {@code xlb_max_reals}, {@code xlb_max_connections}; null where not set. */
    public record MapSizes(MapSize services, MapSize reals, MapSize connections) {
        public static final MapSizes NONE = new MapSizes(null, null, null);
        /** Bounds each keyword accepts (the dataplane's MapSizes checks the same). */
        public static final int MAX_SERVICES = 1 << 20;
        public static final int MAX_REALS = 1 << 24;
        public static final int MIN_CONNECTIONS = 1024;
        public static final int MAX_CONNECTIONS = 1 << 28;
    }

    /** {@code lvs_timeouts tcp N tcpfin N udp N}: what ipvsadm --set sets, in seconds. */
    public record LvsTimeouts(Integer tcp, Integer tcpfin, Integer udp) {}

    static GlobalDefs empty(SourcePos pos) {
        return new GlobalDefs(null, List.of(), null, null, null, null, null, false, null, null, null, null, null, null,
                null, null, false, false, null, null, null, null, null, null, MapSizes.NONE, pos);
    }
}
