package io.xlb.daemon.api;

import io.xlb.config.Addresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;

/**
 * A virtual service as the API names it: {@code tcp:192.0.2.10:80}, {@code udp:[2001:db8::1]:53}.
 * The natural key an operator already knows, never an internal index.
 */
public record ServiceKey(String protocol, InetAddress address, int port) {
    public ServiceKey {
        protocol = protocol.toLowerCase(Locale.ROOT);
    }

    /** Parses a key; a malformed one is a 404 (no such resource can exist), naming what is wrong. */
    public static ServiceKey parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw ApiProblem.notFound("service " + text + ": not PROTOCOL:ADDRESS:PORT (tcp:192.0.2.10:80, udp:[2001:db8::1]:53)");
        }
        String proto = text.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!proto.equals("tcp") && !proto.equals("udp")) {
            throw ApiProblem.notFound("service " + text + ": the protocol is tcp or udp, not " + text.substring(0, colon));
        }
        Endpoint e = Endpoint.parse(text.substring(colon + 1), "service " + text);
        return new ServiceKey(proto, e.address(), e.port());
    }

    /** An address and port: {@code 10.0.0.1:80}, {@code [2001:db8::1]:80}. */
    public record Endpoint(InetAddress address, int port) {
        public static Endpoint parse(String text, String what) {
            String host;
            String port;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                    throw ApiProblem.notFound(what + ": an IPv6 address is written [ADDRESS]:PORT");
                }
                host = text.substring(1, close);
                port = text.substring(close + 2);
            } else {
                int colon = text.lastIndexOf(':');
                if (colon < 0 || text.indexOf(':') != colon) {
                    throw ApiProblem.notFound(what + ": not ADDRESS:PORT (an IPv6 address in brackets)");
                }
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            }
            if (!Addresses.isLiteral(host) || (text.startsWith("[") != host.contains(":"))) {
                throw ApiProblem.notFound(what + ": " + host + " is not an IP address");
            }
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw ApiProblem.notFound(what + ": the port is 1 to 65535, not " + port);
            }
            return new Endpoint(Addresses.parse(host), Integer.parseInt(port));
        }

        @Override
        public String toString() {
            String a = Addresses.text(address);
            return (address instanceof Inet6Address ? "[" + a + "]" : a) + ":" + port;
        }
    }

    public Endpoint endpoint() {
        return new Endpoint(address, port);
    }

    /** The name of its file in the managed directory. */
    public String fileName() {
        return protocol + "_" + Addresses.text(address).replace(':', '-') + "_" + port + ".conf";
    }

    @Override
    public String toString() {
        return protocol + ":" + endpoint();
    }
}
