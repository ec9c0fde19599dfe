package io.xlb.daemon.metrics;

import io.xlb.config.Addresses;
import io.prometheus.metrics.model.snapshots.Labels;
import java.net.InetAddress;
import java.util.Locale;

/**
 * The labels node_exporter's ipvs collector gives a (virtual service, real) pair, in its words:
 * local_address and local_port the service's, remote_address and remote_port the real's, proto
 * TCP or UDP, local_mark the firewall mark of an fwmark service (empty: xlb has none). Addresses
 * as Go prints them (node_exporter's net.IP.String()): dotted IPv4, IPv6 as RFC 5952.
 */
final class BackendLabels {
    static final String[] NAMES = {"local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"};

    private BackendLabels() {}

    static Labels of(InetAddress vip, int vipPort, String proto, InetAddress real, int realPort) {
        return of(Addresses.text(vip), vipPort, proto, Addresses.text(real), realPort);
    }

    static Labels of(String vip, int vipPort, String proto, String real, int realPort) {
        return Labels.of(NAMES, new String[] {address(vip), Integer.toString(vipPort), address(real),
                Integer.toString(realPort), proto.toUpperCase(Locale.ROOT), ""});
    }

    /** An address literal as Go prints it; anything that is not a literal as it is (empty for none). */
    static String address(String text) {
        if (text == null) {
            return "";
        }
        try {
            return Addresses.text(InetAddress.ofLiteral(text));
        } catch (IllegalArgumentException notALiteral) {
            return text;
        }
    }
}
