package io.xlb.daemon;

import io.xlb.config.Config;
import io.xlb.config.Diagnostic;
import io.xlb.config.SourcePos;
import io.xlb.config.VirtualServer;
import io.xlb.config.VirtualServerGroup;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The addresses a {@code virtual_server} answers on: its own address and port, or each member of
 * its {@code virtual_server_group} (a range {@code 10.0.0.1-5 80} is five), as keepalived makes
 * one IPVS service of each. Every one is an entry of the same XDP lookup (the VIP map), with the
 * group's reals. Firewall marks cannot be: netfilter sets them after XDP has forwarded the packet.
 */
final class ServiceAddresses {
    private ServiceAddresses() {}

    /** A service address and where the configuration wrote it. */
    record Address(VipKey vip, SourcePos pos) {}

    static final String FWMARK_REASON = "firewall marks are set by netfilter, after XDP has forwarded the packet, so xlb"
            + " cannot match them; name the addresses instead: one virtual_server per address and port, or a"
            + " virtual_server_group of addresses and ranges (persistence_timeout keeps a client on one real)";

    /** The service's addresses; what cannot be one is an error in {@code out}. */
    static List<Address> of(Config config, VirtualServer vs, List<Diagnostic> out) {
        Protocol protocol = Protocol.valueOf(vs.protocol());
        return switch (vs.key()) {
            case VirtualServer.AddressPort ap -> List.of(new Address(new VipKey(ap.address(), ap.port(), protocol), vs.pos()));
            case VirtualServer.Fwmark f -> {
                out.add(ConfigCheck.error(vs.pos(), "virtual_server fwmark " + f.mark() + ": " + FWMARK_REASON));
                yield List.of();
            }
            case VirtualServer.Group g -> group(config, g, protocol, vs.pos(), out);
        };
    }

    private static List<Address> group(Config config, VirtualServer.Group g, Protocol protocol, SourcePos at,
                                       List<Diagnostic> out) {
        Optional<VirtualServerGroup> group = config.virtualServerGroups().stream().filter(x -> x.name().equals(g.name())).findFirst();
        if (group.isEmpty()) {
            out.add(ConfigCheck.error(at, "virtual_server group " + g.name() + ": no virtual_server_group of that name"));
            return List.of();
        }
        List<Address> addresses = new ArrayList<>();
        for (VirtualServerGroup.Member m : group.get().members()) {
            switch (m) {
                case VirtualServerGroup.Fwmark f -> out.add(ConfigCheck.error(f.pos(), "fwmark " + f.mark()
                        + " in virtual_server_group " + g.name() + ": " + FWMARK_REASON));
                case VirtualServerGroup.AddressRange r -> {
                    for (InetAddress a : expand(r)) {
                        addresses.add(new Address(new VipKey(a, r.port(), protocol), r.pos()));
                    }
                }
            }
        }
        if (addresses.isEmpty() && group.get().members().stream().noneMatch(VirtualServerGroup.Fwmark.class::isInstance)) {
            out.add(ConfigCheck.error(at, "virtual_server group " + g.name() + ": the group has no address"));
        }
        return addresses;
    }

    /** {@code 10.0.0.1-5}: .1 to .5; an IPv6 address (keepalived's ranges there are not read) is itself. */
    private static List<InetAddress> expand(VirtualServerGroup.AddressRange r) {
        if (!(r.first() instanceof Inet4Address)) {
            return List.of(r.first());
        }
        byte[] b = r.first().getAddress();
        List<InetAddress> out = new ArrayList<>();
        for (int last = b[3] & 0xff; last <= r.rangeEnd(); last++) {
            b[3] = (byte) last;
            try {
                out.add(InetAddress.getByAddress(b.clone()));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // never: four bytes
            }
        }
        return out;
    }
}
