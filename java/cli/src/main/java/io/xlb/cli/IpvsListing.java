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
 * xlb's: {@code -Ln} and {@code -Ln --stats}. Out-counters are NAT's replies; in DR and TUN the
 * director never sees replies, so they read 0 (as with IPVS).
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
            b.append(serviceLine(s));
            for (RealView r : s.reals()) {
                b.append(String.format("  -> %-28s %-7s %-6d %-10d %-10d%n", realName(r),
                        forward(r.method()), r.weight(), r.conns().active(), r.conns().inactive()));
            }
        }
        return b.toString();
    }

    /** ipvsadm -Ln --stats; {@code exact}: --exact (no K/M/G abbreviation). */
    public static String stats(List<ServiceView> services, long size, boolean exact) {
        StringBuilder b = new StringBuilder(header(size));
        b.append(String.format("%-33s %8s %8s %8s %8s %8s%n  -> RemoteAddress:Port%n", "Prot LocalAddress:Port",
                "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"));
        for (ServiceView s : services) {
            b.append(String.format("%-33s", serviceName(s)));
            for (long v : new long[] {s.counter().conns(), s.counter().packets(), s.out().packets(), s.counter().bytes(), s.out().bytes()}) {
                b.append(largenum(v, exact));
            }
            b.append('\n');
            for (RealView r : s.reals()) {
                b.append(String.format("  -> %-28s", realName(r)));
                for (long v : new long[] {r.counter().conns(), r.counter().packets(), r.out().packets(), r.counter().bytes(), r.out().bytes()}) {
                    b.append(largenum(v, exact));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    public static String stats(List<ServiceView> services, long size) {
        return stats(services, size, false);
    }

    /** Per-second rates between two readings {@code seconds} apart (ipvsadm -Ln --rate). */
    public static String rate(List<ServiceView> before, List<ServiceView> after, double seconds, long size, boolean exact) {
        StringBuilder b = new StringBuilder(header(size));
        b.append(String.format("%-33s %8s %8s %8s %8s %8s%n  -> RemoteAddress:Port%n", "Prot LocalAddress:Port",
                "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"));
        for (ServiceView s : after) {
            ServiceView old = before.stream().filter(x -> x.vip().equals(s.vip())).findFirst().orElse(s);
            b.append(String.format("%-33s", serviceName(s)));
            b.append(largenum(per(s.counter().conns() - old.counter().conns(), seconds), exact));
            b.append(largenum(per(s.counter().packets() - old.counter().packets(), seconds), exact));
            b.append(largenum(per(s.out().packets() - old.out().packets(), seconds), exact));
            b.append(largenum(per(s.counter().bytes() - old.counter().bytes(), seconds), exact));
            b.append(largenum(per(s.out().bytes() - old.out().bytes(), seconds), exact)).append('\n');
            for (RealView r : s.reals()) {
                RealView o = old.reals().stream().filter(x -> x.index() == r.index()).findFirst().orElse(r);
                b.append(String.format("  -> %-28s %8d %8d %8d", realName(r),
                        per(r.counter().conns() - o.counter().conns(), seconds),
                        per(r.counter().packets() - o.counter().packets(), seconds), per(r.out().packets() - o.out().packets(), seconds)));
                b.append(largenum(per(r.counter().bytes() - o.counter().bytes(), seconds), exact));
                b.append(largenum(per(r.out().bytes() - o.out().bytes(), seconds), exact)).append('\n');
            }
        }
        return b.toString();
    }

    /** ipvsadm -Ln --thresholds: each real's upper and lower connection thresholds (0: none). */
    public static String thresholds(List<ServiceView> services, long size) {
        StringBuilder b = new StringBuilder(header(size));
        b.append(String.format("%-33s %-10s %-10s %-10s %-10s%n  -> RemoteAddress:Port%n", "Prot LocalAddress:Port",
                "Uthreshold", "Lthreshold", "ActiveConn", "InActConn"));
        for (ServiceView s : services) {
            b.append(serviceLine(s));
            for (RealView r : s.reals()) {
                b.append(String.format("  -> %-28s %-10d %-10d %-10d %-10d%n", realName(r),
                        Integer.toUnsignedLong(r.thresholds().upper()), Integer.toUnsignedLong(r.thresholds().lower()),
                        r.conns().active(), r.conns().inactive()));
            }
        }
        return b.toString();
    }

    /** ipvsadm -Ln --persistent-conn: templates are not counted per real yet, so PersistConn reads 0. */
    public static String persistent(List<ServiceView> services, long size) {
        StringBuilder b = new StringBuilder(header(size));
        b.append(String.format("%-33s %-9s %-11s %-10s %-10s%n  -> RemoteAddress:Port%n", "Prot LocalAddress:Port",
                "Weight", "PersistConn", "ActiveConn", "InActConn"));
        for (ServiceView s : services) {
            b.append(serviceLine(s));
            for (RealView r : s.reals()) {
                b.append(String.format("  -> %-28s %-9d %-11d %-10d %-10d%n", realName(r), r.weight(), 0,
                        r.conns().active(), r.conns().inactive()));
            }
        }
        return b.toString();
    }

    /**
     * A service's line in -L's listings, as ipvsadm's print_service_entry: "TCP  addr:port sched",
     * the scheduler's flags in parentheses, then persistence.
     */
    static String serviceLine(ServiceView s) {
        String flags = s.schedulerFlags().isEmpty() ? "" : " (" + String.join(",", s.schedulerFlags()) + ")";
        return serviceName(s) + " " + s.scheduler() + flags + persistence(s, " persistent ", " mask ") + "\n";
    }

    /** " persistent 300" (and " mask 255.255.255.0" below /32) as ipvsadm prints it; -S uses " -p " and " -M ". */
    static String persistence(ServiceView s, String timeoutWord, String maskWord) {
        var p = s.persistence();
        if (p == null) {
            return "";
        }
        boolean v4 = !(s.vip().address() instanceof Inet6Address);
        String out = timeoutWord + p.timeoutSeconds();
        if (v4 && p.prefixLength() < 32) {
            long mask = p.prefixLength() == 0 ? 0 : (0xffffffffL << (32 - p.prefixLength())) & 0xffffffffL;
            out += maskWord + ((mask >> 24) & 255) + "." + ((mask >> 16) & 255) + "." + ((mask >> 8) & 255) + "." + (mask & 255);
        } else if (!v4 && p.prefixLength() < 128) {
            out += maskWord + p.prefixLength();
        }
        return out;
    }

    private static long per(long delta, double seconds) {
        return Math.round(Math.max(0, delta) / seconds);
    }

    /** ipvsadm's print_largenum: 9 columns, K/M/G/T past 100 million unless exact. */
    static String largenum(long i, boolean exact) {
        if (exact) {
            int len = Long.toString(i).length();
            return String.format("%" + (len <= 8 ? 9 : len + 1) + "d", i);
        }
        if (i < 100_000_000L) {
            return String.format("%9d", i);
        } else if (i < 1_000_000_000L) {
            return String.format("%8dK", i / 1000);
        } else if (i < 100_000_000_000L) {
            return String.format("%8dM", i / 1_000_000);
        } else if (i < 100_000_000_000_000L) {
            return String.format("%8dG", i / 1_000_000_000L);
        }
        return String.format("%8dT", i / 1_000_000_000_000L);
    }

    /** "TCP  addr:port", cut at 33 characters for IPv4 as ipvsadm does. */
    static String serviceName(ServiceView s) {
        String name = s.vip().protocol() + "  " + endpoint(s.vip().address(), s.vip().port());
        return s.vip().address() instanceof Inet6Address || name.length() <= 33 ? name : name.substring(0, 33);
    }

    static String realName(RealView r) {
        String name = endpoint(r.address(), r.port());
        return r.address() instanceof Inet6Address || name.length() <= 28 ? name : name.substring(0, 28);
    }

    static String endpoint(InetAddress a, int port) {
        String text = Addresses.normalize(a.getHostAddress());
        return (a instanceof Inet6Address ? "[" + text + "]" : text) + ":" + port;
    }

    static String forward(Method m) {
        return switch (m) {
            case TUN -> "Tunnel";
            case NAT -> "Masq";
            case DR -> "Route";
        };
    }
}
