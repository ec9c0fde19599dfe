package io.xlb.cli;

import java.net.InetAddress;

/**
 * {@code 10.0.0.1:80}, {@code [2001:db8::1]:80}, or an address alone (port 0); the port may be
 * a service name ({@code http}), as ipvsadm-save prints it without {@code -n}.
 */
record Endpoint(InetAddress address, int port) {
    static Endpoint parse(String text, boolean portRequired) {
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in " + text + " (IPv6 is written [ADDR]:PORT)");
            }
            host = text.substring(1, close);
            if (close + 1 < text.length()) {
                if (text.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("expected :PORT after ']' in " + text);
                }
                port = text.substring(close + 2);
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no address in '" + text + "'");
        }
        if (!io.xlb.config.Addresses.isLiteral(host)) {
            boolean name = host.matches("[A-Za-z0-9.-]*[A-Za-z][A-Za-z0-9.-]*");
            throw new IllegalArgumentException("not an IP address: " + host
                    + (name ? " (host names are not looked up: ipvsadm-save -n writes addresses)" : ""));
        }
        int p = port == null ? 0 : port(port, text);
        if (portRequired && p == 0) {
            throw new IllegalArgumentException("port must be 1..65535 in " + text
                    + (port == null ? " (ADDR:PORT, IPv6 as [ADDR]:PORT)" : ""));
        }
        return new Endpoint(InetAddress.ofLiteral(host), p);
    }

    private static int port(String port, String text) {
        if (port.matches("[0-9]{1,5}")) {
            int p = Integer.parseInt(port);
            if (p <= 65535) {
                return p;
            }
        } else if (port.matches("[A-Za-z][A-Za-z0-9_+.-]*")) {
            return ServiceNames.port(port).orElseThrow(() -> new IllegalArgumentException(
                    "unknown service name '" + port + "' in " + text + " (not in /etc/services)"));
        }
        throw new IllegalArgumentException("port must be 1..65535 in " + text);
    }
}
