package io.xlb.config;

import java.time.Duration;
import java.util.List;

/** {@code global_defs}. Absent settings are null (keepalived's default applies where it has one). */
public record GlobalDefs(String routerId, List<String> notificationEmail, String notificationEmailFrom,
                         String smtpServer, Integer smtpPort, Duration smtpConnectTimeout, String smtpHeloName,
                         boolean enableScriptSecurity, String scriptUser, Integer vrrpVersion,
                         Duration vrrpGarpMasterDelay, Integer vrrpGarpMasterRepeat, Duration vrrpGarpMasterRefresh,
                         Duration vrrpGarpInterval, LvsTimeouts lvsTimeouts, boolean vrrpSkipCheckAdvAddr,
                         boolean vrrpStrict, Integer maxAutoPriority, SourcePos pos) implements Model {
    public GlobalDefs {
        notificationEmail = List.copyOf(notificationEmail);
    }

    /** {@code lvs_timeouts tcp N tcpfin N udp N}: what ipvsadm --set sets, in seconds. */
    public record LvsTimeouts(Integer tcp, Integer tcpfin, Integer udp) {}

    static GlobalDefs empty(SourcePos pos) {
        return new GlobalDefs(null, List.of(), null, null, null, null, null, false, null, null, null, null, null,
                null, null, false, false, null, pos);
    }
}
