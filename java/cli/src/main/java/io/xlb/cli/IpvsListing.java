package io.xlb.cli;

import io.xlb.config.Addresses;
import io.xlb.dataplane.Dataplane.RealView;
import io.xlb.dataplane.Dataplane.ServiceView;
import io.xlb.dataplane.abi.Method;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * ipvsadm 1.31's listings, byte for byte in layout, so scripts that read ipvsadm's output read
 * xlb's: {@code -Ln} and {@code -Ln --stats}. Out-counters are 0: in DR and TUN the director
 * never sees replies (as with IPVS).
 */
public final class IpvsListing {
    private IpvsListing() {}

    static String header(long size) {
        return "IP Virtual Server version 1.2.1 (size=" + size + ")\n";
    }

    public static String list(List<ServiceView> services, long size) {
        StringBuilder b = new StringBuilder(header(size));
        b.append("Prot LocalAddress:Port Scheduler Flags\n");
        b.append("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        for (ServiceView s : services) {
            b.append(s.vip().protocol()).append("  ").append(endpoint(s.vip().address(), s.vip().port())).append(' ')
                    .append(s.scheduler()).append('\n');
            for (RealView r : s.reals()) {
                b.append(String.format("  -> %-28s %-7s %-6d %-10d %-10d%n", endpoint(r.address(), r.port()),
                        forward(r.method()), r.weight(), r.conns().active(), r.conns().inactive()));
            }
        }
        return b.toString();
    }

    public static String stats(List<ServiceView> services, long size) {
        StringBuilder b = new StringBuilder(header(size));
        b.append("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n");
        b.append("  -> RemoteAddress:Port\n");
        for (ServiceView s : services) {
            b.append(String.format("%-33s %8d %8d %8d %8d %8d%n", s.vip().protocol() + "  " + endpoint(s.vip().address(), s.vip().port()),
                    s.counter().conns(), s.counter().packets(), 0, s.counter().bytes(), 0));
            for (RealView r : s.reals()) {
                b.append(String.format("  -> %-28s %8d %8d %8d %8d %8d%n", endpoint(r.address(), r.port()),
                        r.counter().conns(), r.counter().packets(), 0, r.counter().bytes(), 0));
            }
        }
        return b.toString();
    }

    static String endpoint(InetAddress a, int port) {
        String text = Addresses.normalize(a.getHostAddress());
        return (a instanceof Inet6Address ? "[" + text + "]" : text) + ":" + port;
    }

    static String forward(Method m) {
        return m == Method.TUN ? "Tunnel" : "Route";
    }
}
