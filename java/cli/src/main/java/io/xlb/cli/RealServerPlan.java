package io.xlb.cli;

import io.xlb.config.Addresses;
import io.xlb.config.Config;
import io.xlb.config.Diagnostic;
import io.xlb.config.RealServer;
import io.xlb.config.SourcePos;
import io.xlb.config.VirtualServer;
import io.xlb.config.VirtualServerGroup;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code xlb realserver start} makes of this host, decided without touching it: the VIPs to
 * put on {@code lo} with their forwarding methods, the interfaces that face the director (ARP
 * sysctls), and for TUN the interfaces to decapsulate on with the addresses tunnels arrive at.
 */
record RealServerPlan(Map<InetAddress, Set<Mode>> vips, Set<String> interfaces,
                      Map<String, Set<InetAddress>> tunnels, List<Diagnostic> notes) {

    enum Mode {
        DR, TUN;

        static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "dr" -> DR;
                case "tun" -> TUN;
                default -> throw new RealServerException("--mode must be dr or tun, not '" + s + "'");
            };
        }
    }

    /** Where notes about arguments point. */
    static final SourcePos ARGUMENTS = new SourcePos("xlb realserver start", 0, 0);

    /** An address of this host, on a named interface (loopback excluded). */
    record LocalAddress(InetAddress address, String ifname) {}

    RealServerPlan {
        vips = unmodifiable(vips);
        interfaces = Set.copyOf(interfaces);
        Map<String, Set<InetAddress>> t = new TreeMap<>();
        tunnels.forEach((k, v) -> t.put(k, Collections.unmodifiableSet(new LinkedHashSet<>(v))));
        tunnels = Collections.unmodifiableMap(t);
        notes = List.copyOf(notes);
    }

    private static Map<InetAddress, Set<Mode>> unmodifiable(Map<InetAddress, Set<Mode>> in) {
        Map<InetAddress, Set<Mode>> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, Collections.unmodifiableSet(EnumSet.copyOf(v))));
        return Collections.unmodifiableMap(out);
    }

    /** Interfaces in a stable order: sorted by name. */
    List<String> sortedInterfaces() {
        return new ArrayList<>(new TreeSet<>(interfaces));
    }

    boolean anyIpv4() {
        return vips.keySet().stream().anyMatch(a -> a instanceof Inet4Address);
    }

    boolean anyIpv4Tun() {
        return vips.entrySet().stream().anyMatch(e -> e.getKey() instanceof Inet4Address && e.getValue().contains(Mode.TUN));
    }

    /**
     * The sysctls a real server needs, by path under /proc/sys, in the order they are set. For IPv4
     * VIPs on lo: {@code arp_ignore=1} (answer ARP only for addresses of the receiving interface) and
     * {@code arp_announce=2} (never use a VIP as the source of ARP requests), on {@code all} and on each
     * interface facing the director. With IPv4 TUN: {@code rp_filter=0} there too, as for tunl0 in LVS:
     * the decapsulated packet comes from a client the reverse route may not lead back through that
     * interface to. IPv6 needs none: neighbour discovery answers only for the receiving interface's
     * addresses.
     */
    Map<String, String> sysctls() {
        Map<String, String> out = new LinkedHashMap<>();
        if (anyIpv4()) {
            List<String> ifs = new ArrayList<>(List.of("all"));
            ifs.addAll(sortedInterfaces());
            for (String i : ifs) {
                out.put("net/ipv4/conf/" + i + "/arp_ignore", "1");
                out.put("net/ipv4/conf/" + i + "/arp_announce", "2");
            }
        }
        if (anyIpv4Tun()) {
            List<String> ifs = new ArrayList<>(List.of("all"));
            ifs.addAll(tunnels.keySet());
            for (String i : ifs) {
                out.put("net/ipv4/conf/" + i + "/rp_filter", "0");
            }
        }
        return out;
    }

    /** An address as xlb writes it: dotted quad, or IPv6 in RFC 5952's short form. */
    static String text(InetAddress a) {
        return Addresses.normalize(a.getHostAddress());
    }

    /** One VIP's methods as written in messages: "DR", "TUN" or "DR+TUN". */
    static String modes(Set<Mode> modes) {
        return String.join("+", modes.stream().map(Mode::name).toList());
    }

    /** A VIP given as an argument: an IP literal that can be a service address (no name lookup). */
    static InetAddress vip(String text) {
        if (!Addresses.isLiteral(text)) {
            throw new RealServerException("--vip '" + text + "' is not an IPv4 or IPv6 address");
        }
        InetAddress a = InetAddress.ofLiteral(text);
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress() || a.isLinkLocalAddress()) {
            throw new RealServerException("--vip " + text + " cannot be a service address (unspecified, loopback, multicast or link-local)");
        }
        return a;
    }

    /**
     * From arguments: every VIP in {@code mode} on {@code ifname}, or, when that is null, on the one
     * interface that has an address. For TUN, tunnels arrive at every address of that interface.
     */
    static RealServerPlan fromArguments(List<InetAddress> vips, Mode mode, String ifname, Set<String> links,
                                        List<LocalAddress> local) {
        String i = ifname != null ? requireLink(ifname, links) : soleInterface(local);
        Map<InetAddress, Set<Mode>> v = new LinkedHashMap<>();
        vips.forEach(a -> v.put(a, EnumSet.of(mode)));
        List<Diagnostic> notes = new ArrayList<>();
        Map<String, Set<InetAddress>> tunnels = new TreeMap<>();
        if (mode == Mode.TUN) {
            Set<InetAddress> at = new LinkedHashSet<>();
            local.stream().filter(l -> l.ifname().equals(i) && !l.address().isLinkLocalAddress())
                    .forEach(l -> at.add(l.address()));
            if (at.isEmpty()) {
                throw new RealServerException(i + " has no address for tunnels to arrive at");
            }
            tunnels.put(i, at);
            for (InetAddress vip : vips) {
                if (at.stream().noneMatch(t -> t.getClass() == vip.getClass())) {
                    notes.add(new Diagnostic(Diagnostic.Severity.WARNING, ARGUMENTS, "--vip " + text(vip) + ": " + i + " has no "
                            + (vip instanceof Inet4Address ? "IPv4 address for IPIP" : "IPv6 address for IP6IP6")
                            + " tunnels to arrive at"));
                }
            }
        }
        return new RealServerPlan(v, Set.of(i), tunnels, notes);
    }

    /**
     * From a keepalived.conf: every service with a real (or sorry server) at one of this host's
     * addresses gives its VIP (each address of a group's ranges), in the real's method (its own
     * lvs_method, else the service's lb_kind), on the interface that holds that address unless
     * {@code ifname} names one.
     */
    static RealServerPlan fromConfig(Config config, String ifname, Set<String> links, List<LocalAddress> local) {
        if (ifname != null) {
            requireLink(ifname, links);
        }
        Map<InetAddress, String> mine = new LinkedHashMap<>();
        local.forEach(l -> mine.putIfAbsent(l.address(), l.ifname()));
        Map<InetAddress, Set<Mode>> vips = new LinkedHashMap<>();
        Set<String> interfaces = new TreeSet<>();
        Map<String, Set<InetAddress>> tunnels = new TreeMap<>();
        List<Diagnostic> notes = new ArrayList<>();
        for (VirtualServer vs : config.virtualServers()) {
            List<Target> targets = new ArrayList<>();
            for (RealServer r : vs.realServers()) {
                targets.add(new Target(r.address(), r.method() != null ? r.method() : vs.method()));
            }
            if (vs.sorryServer() != null) {
                targets.add(new Target(vs.sorryServer().address(), vs.method()));
            }
            List<Target> here = targets.stream().filter(t -> mine.containsKey(t.address())).toList();
            if (here.isEmpty()) {
                continue;
            }
            Optional<List<InetAddress>> addresses = serviceAddresses(config, vs, notes);
            if (addresses.isEmpty()) {
                continue;
            }
            for (Target t : here) {
                if (!t.method().equals("DR") && !t.method().equals("TUN")) {
                    continue; // NAT: the parser has refused it
                }
                Mode m = Mode.valueOf(t.method());
                InetAddress real = t.address();
                String i = ifname != null ? ifname : mine.get(real);
                interfaces.add(i);
                for (InetAddress vip : addresses.get()) {
                    vips.computeIfAbsent(vip, k -> EnumSet.noneOf(Mode.class)).add(m);
                }
                if (m == Mode.TUN) {
                    tunnels.computeIfAbsent(i, k -> new LinkedHashSet<>()).add(real);
                }
            }
        }
        if (vips.isEmpty()) {
            throw new RealServerException("no virtual_server in " + config.pos().file() + " has a real_server at one of this host's addresses ("
                    + String.join(", ", mine.keySet().stream().map(RealServerPlan::text).toList()) + ")");
        }
        return new RealServerPlan(vips, interfaces, tunnels, notes);
    }

    private record Target(InetAddress address, String method) {}

    /** The addresses a service answers at: its own, or each address of its group's ranges. */
    private static Optional<List<InetAddress>> serviceAddresses(Config config, VirtualServer vs, List<Diagnostic> notes) {
        return switch (vs.key()) {
            case VirtualServer.AddressPort ap -> Optional.of(List.of(ap.address()));
            case VirtualServer.Fwmark fw -> {
                notes.add(new Diagnostic(Diagnostic.Severity.WARNING, vs.pos(), "virtual_server fwmark " + fw.mark()
                        + " names no address to put on lo: skipped (give its VIPs with --vip)"));
                yield Optional.empty();
            }
            case VirtualServer.Group g -> {
                Optional<VirtualServerGroup> group = config.virtualServerGroups().stream()
                        .filter(x -> x.name().equals(g.name())).findFirst();
                if (group.isEmpty()) {
                    yield Optional.empty(); // the parser has reported it
                }
                List<InetAddress> out = new ArrayList<>();
                for (VirtualServerGroup.Member m : group.get().members()) {
                    switch (m) {
                        case VirtualServerGroup.AddressRange r -> out.addAll(expand(r));
                        case VirtualServerGroup.Fwmark fw -> notes.add(new Diagnostic(Diagnostic.Severity.WARNING, fw.pos(),
                                "fwmark " + fw.mark() + " in virtual_server_group " + g.name()
                                        + " names no address to put on lo: skipped (give its VIPs with --vip)"));
                    }
                }
                yield Optional.of(out);
            }
        };
    }

    /** {@code 10.0.0.1-3} → .1, .2, .3 (IPv4 ranges are on the last octet; an IPv6 entry is one address). */
    static List<InetAddress> expand(VirtualServerGroup.AddressRange r) {
        InetAddress first = r.first();
        if (!(first instanceof Inet4Address)) {
            return List.of(first);
        }
        byte[] b = first.getAddress();
        List<InetAddress> out = new ArrayList<>();
        for (int last = b[3] & 0xff; last <= r.rangeEnd(); last++) {
            b[3] = (byte) last;
            out.add(InetAddress.ofLiteral((b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + last));
        }
        return out;
    }

    private static String requireLink(String ifname, Set<String> links) {
        if (!links.contains(ifname)) {
            throw new RealServerException("no interface '" + ifname + "' in this network namespace");
        }
        if (ifname.equals("lo")) {
            throw new RealServerException("--interface names the interface facing the director, not lo");
        }
        return ifname;
    }

    private static String soleInterface(List<LocalAddress> local) {
        Set<String> withAddress = new TreeSet<>();
        local.forEach(l -> withAddress.add(l.ifname()));
        if (withAddress.size() == 1) {
            return withAddress.iterator().next();
        }
        if (withAddress.isEmpty()) {
            throw new RealServerException("no interface but lo has an address: name the one facing the director with --interface");
        }
        throw new RealServerException("several interfaces have addresses (" + String.join(", ", withAddress)
                + "): name the one facing the director with --interface");
    }
}
