package io.xlb.cli;

import io.xlb.config.Addresses;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * ipvsadm-save's format ({@code -S -n}): what {@code -R} reads back, so rules move between ipvsadm
 * and xlb. One addition: a real's thresholds as {@code -x}/{@code -y} when set (ipvsadm 1.31 saves
 * none, so its save loses them; its -R reads these options).
 */
public final class IpvsRules {
    private IpvsRules() {}

    public static String save(DesiredState state) {
        StringBuilder b = new StringBuilder();
        for (Service s : state.services()) {
            String svc = (s.vip().protocol() == Protocol.TCP ? "-t " : "-u ") + endpoint(s.vip().address(), s.vip().port());
            b.append("-A ").append(svc).append(" -s ").append(s.scheduler().ipvsName())
                    .append(IpvsListing.persistence(new io.xlb.dataplane.Dataplane.ServiceView(0, s.vip(), "", null, List.of(),
                            s.persistence()), " -p ", " -M "));
            if (!s.scheduler().flags().isEmpty()) {
                b.append(" -b ").append(String.join(",", s.scheduler().flags()));
            }
            b.append('\n');
            for (Real r : s.reals()) {
                b.append("-a ").append(svc).append(" -r ").append(endpoint(r.address(), r.port())).append(' ')
                        .append(switch (s.methodOf(r)) {
                            case TUN -> "-i";
                            case NAT -> "-m";
                            case DR -> "-g";
                        }).append(" -w ").append(r.weight());
                if (r.thresholds().upper() != 0) {
                    b.append(" -x ").append(r.thresholds().upper());
                }
                if (r.thresholds().lower() != 0) {
                    b.append(" -y ").append(r.thresholds().lower());
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    static String endpoint(InetAddress a, int port) {
        String text = Addresses.normalize(a.getHostAddress());
        return (a instanceof Inet6Address ? "[" + text + "]" : text) + ":" + port;
    }

    /** One line of a rules file: its number (from 1) and its words. */
    public record Line(int number, String[] argv) {}

    /** A rules file as argument vectors, one per non-empty, non-comment line. */
    public static List<Line> lines(String text) {
        List<Line> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(new Line(i + 1, t.split("\\s+")));
            }
        }
        return out;
    }
}
