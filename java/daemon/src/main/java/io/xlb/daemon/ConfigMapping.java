package io.xlb.daemon;

import io.xlb.config.Config;
import io.xlb.config.Diagnostic;
import io.xlb.config.GlobalDefs;
import io.xlb.config.RealServer;
import io.xlb.config.VirtualServer;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * From a validated keepalived.conf to what the dataplane should hold. What the dataplane cannot do
 * yet (fwmark and group services, persistence, some schedulers) is reported at its position and
 * left out, rather than silently done differently.
 */
public final class ConfigMapping {
    private ConfigMapping() {}

    /** The desired state, and what could not be mapped. */
    public record Result(DesiredState state, List<Diagnostic> diagnostics) {}

    /** "255.255.255.0" → 24, "64" → 64, absent → the whole address (32 or 128); null if neither. */
    public static Integer prefixOf(String granularity, InetAddress family) {
        int max = family instanceof Inet4Address ? 32 : 128;
        if (granularity == null) {
            return max;
        }
        if (granularity.matches("\\d{1,3}")) {
            int p = Integer.parseInt(granularity);
            return p <= max ? p : null;
        }
        if (!granularity.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        long mask = 0;
        for (String part : granularity.split("\\.")) {
            int v = Integer.parseInt(part);
            if (v > 255) {
                return null;
            }
            mask = (mask << 8) | v;
        }
        int ones = Long.bitCount(mask);
        long contiguous = ones == 0 ? 0 : (0xffffffffL << (32 - ones)) & 0xffffffffL;
        return mask == contiguous ? ones : null;
    }

    public static Result map(Config config, Inet4Address tunnelSource4, Inet6Address tunnelSource6, int mtu) {
        List<Diagnostic> out = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        for (VirtualServer vs : config.virtualServers()) {
            if (!(vs.key() instanceof VirtualServer.AddressPort ap)) {
                out.add(new Diagnostic(Diagnostic.Severity.WARNING, vs.pos(),
                        "fwmark and group virtual servers are not supported by the dataplane yet: skipped"));
                continue;
            }
            Scheduler scheduler;
            try {
                scheduler = Scheduler.named(vs.scheduler());
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                out.add(new Diagnostic(Diagnostic.Severity.ERROR, vs.pos(), e.getMessage()));
                continue;
            }
            InetAddress vip = InetAddress.ofLiteral(ap.address());
            Service.Persistence persistence = null;
            if (vs.persistenceTimeout() != null) {
                Integer prefix = prefixOf(vs.persistenceGranularity(), vip);
                if (prefix == null) {
                    out.add(new Diagnostic(Diagnostic.Severity.ERROR, vs.pos(), "persistence_granularity '"
                            + vs.persistenceGranularity() + "' is neither a netmask nor a prefix length"));
                    continue;
                }
                persistence = new Service.Persistence(vs.persistenceTimeout(), prefix);
            }
            List<Real> reals = new ArrayList<>();
            for (RealServer r : vs.realServers()) {
                Method m = r.method() != null ? Method.valueOf(r.method()) : null;
                reals.add(new Real(InetAddress.ofLiteral(r.address()), r.port(), r.weight(), m, MacAddress.ZERO, 0));
            }
            services.add(new Service(new VipKey(vip, ap.port(), Protocol.valueOf(vs.protocol())), scheduler,
                    Method.valueOf(vs.method()), reals, persistence));
        }
        Map<ConnState, Integer> timeouts = new EnumMap<>(ConnState.class);
        GlobalDefs.LvsTimeouts t = config.global().lvsTimeouts();
        if (t != null) {
            if (t.tcp() != null) {
                timeouts.put(ConnState.ESTABLISHED, t.tcp());
            }
            if (t.tcpfin() != null) {
                timeouts.put(ConnState.FIN_WAIT, t.tcpfin());
            }
            if (t.udp() != null) {
                timeouts.put(ConnState.UDP, t.udp());
            }
        }
        DirectorConfig dc = new DirectorConfig(timeouts, tunnelSource4, tunnelSource6, mtu, 64);
        return new Result(new DesiredState(services, dc), out);
    }
}
