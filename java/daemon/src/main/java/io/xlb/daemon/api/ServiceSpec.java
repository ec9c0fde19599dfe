package io.xlb.daemon.api;

import java.net.InetAddress;
import java.util.List;

/**
 * What the API writes for one virtual service: the fields an operator sets, nothing the director
 * computes. It is rendered as a {@code virtual_server} block ({@link ServiceText}) and read back from
 * the parsed configuration, so the file stays the truth.
 */
public record ServiceSpec(ServiceKey key, String scheduler, List<String> schedulerFlags, String forwarding,
                          Integer persistenceTimeout, Integer delayLoop, List<RealSpec> reals) {
    /** The scheduler flags keepalived passes to IPVS, as ipvsadm names them: sh's and mh's fallback and port. */
    public static final List<String> FLAG_KINDS = List.of("fallback", "port");

    public ServiceSpec {
        schedulerFlags = List.copyOf(schedulerFlags);
        reals = List.copyOf(reals);
    }

    /** Without scheduler flags. */
    public ServiceSpec(ServiceKey key, String scheduler, String forwarding, Integer persistenceTimeout, Integer delayLoop,
                       List<RealSpec> reals) {
        this(key, scheduler, List.of(), forwarding, persistenceTimeout, delayLoop, reals);
    }

    /**
     * A real server: weight 0 drains it (no new connections, established ones stay). The thresholds
     * are IPVS's (uthreshold, lthreshold): from {@code upperThreshold} active + inactive connections
     * on the real takes no new one until it is below {@code lowerThreshold} (3/4 of the upper when
     * null); null upper: no limit.
     */
    public record RealSpec(InetAddress address, int port, int weight, Integer upperThreshold, Integer lowerThreshold, Check check) {
        /** Without thresholds. */
        public RealSpec(InetAddress address, int port, int weight, Check check) {
            this(address, port, weight, null, null, check);
        }

        public ServiceKey.Endpoint endpoint() {
            return new ServiceKey.Endpoint(address, port);
        }
    }

    /** How a real's health is checked: not at all, by a TCP connect, or by an HTTP GET. */
    public sealed interface Check permits None, Tcp, Http {}

    public record None() implements Check {}

    /** TCP_CHECK: connect_port (null: the real's port), connect_timeout in seconds (null: keepalived's 5). */
    public record Tcp(Integer connectPort, Integer connectTimeout) implements Check {}

    /** HTTP_GET of {@code path} expecting {@code statusCode}. */
    public record Http(String path, int statusCode, Integer connectPort, Integer connectTimeout) implements Check {}

    public ServiceSpec withReals(List<RealSpec> next) {
        return new ServiceSpec(key, scheduler, schedulerFlags, forwarding, persistenceTimeout, delayLoop, next);
    }
}
