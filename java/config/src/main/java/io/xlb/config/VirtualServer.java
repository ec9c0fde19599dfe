package io.xlb.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * {@code virtual_server}. Scheduler and method are IPVS's names (lb_algo/lvs_sched,
 * lb_kind/lvs_method); schedulerFlags the scheduler's flags that take effect, as ipvsadm names them
 * ("sh-fallback", "sh-port", "mh-fallback", "mh-port"); persistenceTimeout null means no
 * persistence; smtpAlert null: global_defs'.
 */
public record VirtualServer(Key key, Duration delayLoop, String scheduler, List<String> schedulerFlags, String method,
                            Integer persistenceTimeout, String persistenceGranularity, String protocol,
                            SorryServer sorryServer, boolean sorryServerInhibit, int quorum, String quorumUp,
                            String quorumDown, int hysteresis, boolean alpha, boolean omega,
                            boolean inhibitOnFailure, boolean haSuspend, String virtualhost, Integer retry,
                            Duration delayBeforeRetry, Duration warmup, Boolean smtpAlert, List<RealServer> realServers,
                            SourcePos pos) implements Model {
    public VirtualServer {
        realServers = List.copyOf(realServers);
        schedulerFlags = List.copyOf(schedulerFlags);
    }

    /** How the service is named: address and port, a firewall mark, or a group. */
    public sealed interface Key permits AddressPort, Fwmark, Group {}

    public record AddressPort(InetAddress address, int port) implements Key {}

    public record Fwmark(int mark) implements Key {}

    public record Group(String name) implements Key {}

    public record SorryServer(InetAddress address, int port) {}
}
