package io.xlb.daemon;

import io.xlb.config.Addresses;
import io.xlb.config.Checker;
import io.xlb.config.Config;
import io.xlb.config.Diagnostic;
import io.xlb.config.RealServer;
import io.xlb.config.VirtualServer;
import io.xlb.health.CheckSpec;
import io.xlb.health.Timing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to check for each real of a configuration, with keepalived's defaults: connect to the
 * real's own address and port, connect_timeout 5 s, retry 1, delay_before_retry 1 s, and the
 * service's delay_loop; checkers not implemented yet are reported and left out.
 */
public final class HealthPlan {
    private HealthPlan() {}

    /** A real of a service: the key of its health. */
    public record RealId(String vipAddress, int vipPort, String protocol, String address, int port) {
        public io.xlb.dataplane.abi.VipKey vip() {
            return new io.xlb.dataplane.abi.VipKey(java.net.InetAddress.ofLiteral(vipAddress), vipPort,
                    io.xlb.dataplane.abi.Protocol.valueOf(protocol));
        }
    }

    /** The checks of one real, their timing, and what to do when it fails. */
    public record Entry(List<CheckSpec> checks, Timing timing, boolean startUp, boolean inhibitOnFailure,
                        String notifyUp, String notifyDown, boolean haSuspend, boolean smtpAlert) {}

    /**
     * The checks of every real, each service's policy, and {@code aliases}: a group's other addresses,
     * each to the first, under which its reals are checked once and its quorum is kept once.
     */
    public record Result(Map<RealId, Entry> entries, Map<io.xlb.dataplane.abi.VipKey, HealthFilter.Policy> policies,
                         Map<io.xlb.dataplane.abi.VipKey, io.xlb.dataplane.abi.VipKey> aliases, List<Diagnostic> diagnostics) {
        /** The address under which {@code vip}'s reals are checked. */
        public io.xlb.dataplane.abi.VipKey canonical(io.xlb.dataplane.abi.VipKey vip) {
            return aliases.getOrDefault(vip, vip);
        }
    }

    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final int DNS_PORT = 53;
    private static final int SMTP_PORT = 25;
    private static final int DEFAULT_RETRY = 1;
    private static final Duration DEFAULT_DELAY_BEFORE_RETRY = Duration.ofSeconds(1);

    public static Result of(Config config) {
        Map<RealId, Entry> out = new LinkedHashMap<>();
        Map<io.xlb.dataplane.abi.VipKey, HealthFilter.Policy> policies = new LinkedHashMap<>();
        Map<io.xlb.dataplane.abi.VipKey, io.xlb.dataplane.abi.VipKey> aliases = new LinkedHashMap<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (VirtualServer vs : config.virtualServers()) {
            // Refusals of addresses are ConfigMapping's to report; here a service is checked under its first address.
            List<ServiceAddresses.Address> addresses = ServiceAddresses.of(config, vs, new ArrayList<>());
            if (addresses.isEmpty()) {
                continue;
            }
            io.xlb.dataplane.abi.VipKey first = addresses.getFirst().vip();
            addresses.subList(1, addresses.size()).forEach(a -> aliases.putIfAbsent(a.vip(), first));
            policies.put(first, new HealthFilter.Policy(vs.quorum(), vs.hysteresis(),
                    vs.sorryServer() == null ? null : vs.sorryServer().address(),
                    vs.sorryServer() == null ? 0 : vs.sorryServer().port(), vs.sorryServerInhibit(), vs.quorumUp(), vs.quorumDown(), vs.omega(),
                    vs.smtpAlert() != null ? vs.smtpAlert() : config.global().checkerAlerts()));
            String firstAddress = text(first.address());
            // The timing of a real without checks is its service's: one object for all of them (a million reals, one each before).
            Timing serviceTiming = null;
            for (RealServer r : vs.realServers()) {
                List<CheckSpec> checks = r.checkers().isEmpty() ? List.of() : new ArrayList<>();
                Checker.Common timingFrom = null;
                for (Checker c : r.checkers()) {
                    Checker.Common k = c.common();
                    String host = text(k.connectIp() != null ? k.connectIp() : r.address());
                    String bindto = text(k.bindto());
                    int port = k.connectPort() != null ? k.connectPort() : r.port();
                    Duration timeout = k.connectTimeout() != null ? k.connectTimeout() : DEFAULT_CONNECT_TIMEOUT;
                    switch (c) {
                        case Checker.TcpCheck t -> checks.add(new CheckSpec.Tcp(host, port, timeout, bindto));
                        case Checker.HttpCheck h -> checks.add(new CheckSpec.Http(host, port, h.ssl(),
                                h.urls().stream().map(u -> new CheckSpec.Url(u.path(),
                                        u.statusCode() == null ? Set.<Integer>of() : Set.of(u.statusCode()), u.digest())).toList(),
                                h.virtualhost() != null ? h.virtualhost() : vs.virtualhost(), timeout, bindto));
                        case Checker.UdpCheck u -> checks.add(new CheckSpec.Udp(host, port,
                                u.payload() == null ? new byte[0] : java.util.HexFormat.of().parseHex(u.payload()), timeout, bindto,
                                u.requireReply() ? new CheckSpec.Reply(u.replyData() == null ? new byte[0]
                                        : java.util.HexFormat.of().parseHex(u.replyData()), u.minReplyLength(), u.maxReplyLength())
                                        : null));
                        case Checker.PingCheck p -> checks.add(new CheckSpec.Ping(host, timeout, bindto));
                        case Checker.DnsCheck d -> checks.add(new CheckSpec.Dns(host,
                                k.connectPort() != null ? k.connectPort() : DNS_PORT, d.type(), d.name(), timeout, bindto));
                        case Checker.SmtpCheck m -> {
                            if (m.hosts().isEmpty()) {
                                checks.add(new CheckSpec.Smtp(host, k.connectPort() != null ? k.connectPort() : SMTP_PORT,
                                        m.heloName(), timeout, bindto));
                            }
                            for (Checker.Common h : m.hosts()) {
                                checks.add(new CheckSpec.Smtp(h.connectIp() != null ? text(h.connectIp()) : host,
                                        h.connectPort() != null ? h.connectPort() : SMTP_PORT, m.heloName(),
                                        h.connectTimeout() != null ? h.connectTimeout() : timeout,
                                        h.bindto() != null ? text(h.bindto()) : bindto));
                            }
                        }
                        case Checker.MiscCheck m -> checks.add(new CheckSpec.Misc(m.path(),
                                m.timeout() != null ? m.timeout() : vs.delayLoop(), m.dynamic(), Scripts.runAs(config.global())));
                    }
                    if (timingFrom == null) {
                        timingFrom = k;
                    }
                }
                Timing timing;
                if (timingFrom != null) {
                    timing = timing(timingFrom, vs);
                } else {
                    timing = serviceTiming != null ? serviceTiming : (serviceTiming = timing(Checker.Common.NONE_VALUE, vs));
                }
                out.put(new RealId(firstAddress, first.port(), vs.protocol(), text(r.address()), r.port()),
                        new Entry(checks, timing, !vs.alpha(),
                                r.inhibitOnFailure() || vs.inhibitOnFailure(), r.notifyUp(), r.notifyDown(), vs.haSuspend(),
                                // keepalived: the real's setting, else its service's, else global_defs'.
                                r.smtpAlert() != null ? r.smtpAlert() : vs.smtpAlert() != null ? vs.smtpAlert()
                                        : config.global().checkerAlerts()));
            }
        }
        return new Result(out, policies, aliases, diagnostics);
    }

    /** The timing of a real's checks: its first checker's settings, else its service's, else keepalived's defaults. */
    private static Timing timing(Checker.Common k, VirtualServer vs) {
        int retry = k.retry() != null ? k.retry() : vs.retry() != null ? vs.retry() : DEFAULT_RETRY;
        Duration delay = k.delayBeforeRetry() != null ? k.delayBeforeRetry()
                : vs.delayBeforeRetry() != null ? vs.delayBeforeRetry() : DEFAULT_DELAY_BEFORE_RETRY;
        // keepalived's default warmup is the delay_loop: first rounds spread over one loop.
        Duration warmup = k.warmup() != null ? k.warmup() : vs.warmup() != null ? vs.warmup() : vs.delayLoop();
        return new Timing(vs.delayLoop(), retry, delay, warmup);
    }

    /** An address of the configuration as the health checks and their ids name it (null: none). */
    private static String text(java.net.InetAddress a) {
        return a == null ? null : Addresses.text(a);
    }
}
