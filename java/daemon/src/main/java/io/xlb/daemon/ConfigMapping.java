package io.xlb.daemon;

import io.xlb.config.Config;
import io.xlb.config.Diagnostic;
import io.xlb.config.GlobalDefs;
import io.xlb.config.RealServer;
import io.xlb.config.SourcePos;
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
import io.xlb.dataplane.abi.Structs;
import io.xlb.dataplane.abi.VipKey;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * From a validated keepalived.conf to what the dataplane should hold: one service per address of a
 * virtual_server (a group's members each). What the dataplane cannot do (fwmark services, more
 * than its tables hold) is an error at its
 * position: part of {@link ConfigCheck}, so such a file is refused whole, never half applied.
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

    /** The map sizes: the file's xlb_max_* where it sets them, else {@code otherwise} (the daemon's options or the defaults). */
    public static io.xlb.dataplane.MapSizes sizes(GlobalDefs.MapSizes file, io.xlb.dataplane.MapSizes otherwise) {
        return new io.xlb.dataplane.MapSizes(file.services() != null ? file.services().entries() : otherwise.services(),
                file.reals() != null ? file.reals().entries() : otherwise.reals(),
                file.connections() != null ? file.connections().entries() : otherwise.connections());
    }

    /** One service address of {@code vs}, checked against the tables' room; false (with an error) if refused. */
    private static boolean mapOne(VirtualServer vs, VipKey key, Scheduler scheduler, List<Real> reals,
                                  Service.Persistence persistence, List<Service> services, int realSlots,
                                  io.xlb.dataplane.MapSizes sizes, List<Diagnostic> out) {
        Service service;
        try {
            service = new Service(key, scheduler, Method.valueOf(vs.method()), reals, persistence);
        } catch (IllegalArgumentException e) {
            out.add(ConfigCheck.error(vs.pos(), e.getMessage()));
            return false;
        }
        // The sorry server joins the reals when the quorum is lost: it needs a slot and must be told apart.
        int slots = reals.size();
        if (vs.sorryServer() != null) {
            InetAddress sorry = vs.sorryServer().address();
            if (reals.stream().anyMatch(r -> r.address().equals(sorry) && r.port() == vs.sorryServer().port())) {
                out.add(ConfigCheck.error(vs.pos(), "sorry_server " + io.xlb.config.Addresses.text(sorry) + " "
                        + vs.sorryServer().port() + " is also a real_server of this virtual_server: it would be both"));
                return false;
            }
            if (sorry.getClass() != key.address().getClass()) {
                out.add(ConfigCheck.error(vs.pos(), "sorry_server " + io.xlb.config.Addresses.text(sorry)
                        + " is of another address family than the virtual server"));
                return false;
            }
            slots++;
        }
        if (scheduler.comparesEveryReal() && slots > Structs.LC_MAX) {
            out.add(ConfigCheck.error(vs.pos(), scheduler.ipvsName() + " scans at most " + Structs.LC_MAX
                    + " reals per service, this one has " + slots + " (with its sorry_server): use mh, wrr or rr"));
            return false;
        }
        if (services.size() == sizes.services()) {
            out.add(ConfigCheck.error(vs.pos(), "more than " + sizes.services()
                    + " virtual servers: the dataplane's service table is full (global_defs xlb_max_services sizes it)"));
            return false;
        }
        if (realSlots + slots > sizes.reals()) {
            out.add(ConfigCheck.error(vs.pos(), "more than " + sizes.reals() + " real servers in all"
                    + " (sorry servers included): the dataplane's real table is full (global_defs xlb_max_reals sizes it)"));
            return false;
        }
        services.add(service);
        return true;
    }

    public static Result map(Config config, Inet4Address tunnelSource4, Inet6Address tunnelSource6, int mtu) {
        return map(config, tunnelSource4, tunnelSource6, mtu, sizes(config.global().mapSizes(), io.xlb.dataplane.MapSizes.DEFAULTS));
    }

    public static Result map(Config config, Inet4Address tunnelSource4, Inet6Address tunnelSource6, int mtu,
                             io.xlb.dataplane.MapSizes sizes) {
        List<Diagnostic> out = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        int realSlots = 0;
        java.util.Map<VipKey, SourcePos> served = new java.util.HashMap<>();
        for (VirtualServer vs : config.virtualServers()) {
            List<ServiceAddresses.Address> addresses = ServiceAddresses.of(config, vs, out);
            if (addresses.isEmpty()) {
                continue;
            }
            Scheduler scheduler;
            try {
                scheduler = Scheduler.named(vs.scheduler(), vs.schedulerFlags());
            } catch (IllegalArgumentException e) {
                out.add(ConfigCheck.error(vs.pos(), e.getMessage()));
                continue;
            }
            Service.Persistence persistence = null;
            if (vs.persistenceTimeout() != null) {
                Integer prefix = prefixOf(vs.persistenceGranularity(), addresses.getFirst().vip().address());
                if (prefix == null) {
                    out.add(ConfigCheck.error(vs.pos(), "persistence_granularity '"
                            + vs.persistenceGranularity() + "' is neither a netmask nor a prefix length"));
                    continue;
                }
                persistence = new Service.Persistence(vs.persistenceTimeout(), prefix);
            }
            List<Real> reals = new ArrayList<>();
            boolean refused = false;
            for (RealServer r : vs.realServers()) {
                Method m = r.method() != null ? Method.valueOf(r.method()) : null;
                try {
                    reals.add(new Real(r.address(), r.port(), r.weight(), m, MacAddress.ZERO, 0, Real.Thresholds.of(
                            r.uthreshold() == null ? 0 : r.uthreshold(), r.lthreshold() == null ? 0 : r.lthreshold())));
                } catch (IllegalArgumentException e) {
                    out.add(ConfigCheck.error(r.pos(), e.getMessage()));
                    refused = true;
                }
            }
            if (refused) {
                continue;
            }
            for (ServiceAddresses.Address address : addresses) {
                SourcePos before = served.putIfAbsent(address.vip(), address.pos());
                if (before != null) {
                    out.add(ConfigCheck.error(address.pos(), "virtual server " + io.xlb.config.Addresses.text(address.vip().address())
                            + " " + address.vip().port() + " " + vs.protocol() + " is also served at " + before + ": one address"
                            + " and port is one service"));
                    continue;
                }
                if (!mapOne(vs, address.vip(), scheduler, reals, persistence, services, realSlots, sizes, out)) {
                    continue;
                }
                realSlots += reals.size() + (vs.sorryServer() != null ? 1 : 0);
            }
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
        GlobalDefs g = config.global();
        DirectorConfig dc = new DirectorConfig(timeouts, tunnelSource4, tunnelSource6, mtu,
                g.tunnelTtl() != null ? g.tunnelTtl() : DirectorConfig.DEFAULT_TUNNEL_TTL,
                g.newFlowLimit() != null ? g.newFlowLimit() : DirectorConfig.DEFAULT_NEW_FLOW_LIMIT);
        return new Result(new DesiredState(services, dc), out);
    }
}
