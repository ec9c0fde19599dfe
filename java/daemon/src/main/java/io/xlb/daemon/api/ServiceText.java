package io.xlb.daemon.api;

import io.xlb.config.Addresses;
import io.xlb.config.Checker;
import io.xlb.config.RealServer;
import io.xlb.config.VirtualServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link ServiceSpec} as keepalived.conf text, and back from the parsed configuration. Each line
 * remembers the JSON pointer it came from, so that a configuration error in a rendered file is
 * answered at the field that caused it.
 */
public record ServiceText(String text, Map<Integer, String> pointers) {
    static final String HEADER = "# Written by xlb's HTTP API (/api/v1/services/%s): the next API write of this service\n"
            + "# replaces this file. To own the service by hand, move it out of this directory.\n";

    /** The JSON pointer that produced {@code line} (1-based), or "" when none did. */
    public String pointer(int line) {
        return pointers.getOrDefault(line, "");
    }

    public static ServiceText render(ServiceSpec s) {
        Lines l = new Lines();
        l.add(String.format(HEADER, s.key()), null);
        l.add("virtual_server " + Addresses.text(s.key().address()) + " " + s.key().port() + " {", "");
        l.add("    protocol " + s.key().protocol().toUpperCase(Locale.ROOT), "/protocol");
        l.add("    lb_algo " + s.scheduler(), "/scheduler");
        for (int i = 0; i < s.schedulerFlags().size(); i++) {
            l.add("    " + s.schedulerFlags().get(i), "/schedulerFlags/" + i);
        }
        l.add("    lb_kind " + SpecJson.FORWARDING.get(s.forwarding()), "/forwarding");
        if (s.persistenceTimeout() != null) {
            l.add("    persistence_timeout " + s.persistenceTimeout(), "/persistenceTimeout");
        }
        if (s.delayLoop() != null) {
            l.add("    delay_loop " + s.delayLoop(), "/delayLoop");
        }
        for (int i = 0; i < s.reals().size(); i++) {
            ServiceSpec.RealSpec r = s.reals().get(i);
            String at = "/reals/" + i;
            l.add("    real_server " + Addresses.text(r.address()) + " " + r.port() + " {", at);
            l.add("        weight " + r.weight(), at + "/weight");
            if (r.upperThreshold() != null) {
                l.add("        uthreshold " + r.upperThreshold(), at + "/upperThreshold");
            }
            if (r.lowerThreshold() != null) {
                l.add("        lthreshold " + r.lowerThreshold(), at + "/lowerThreshold");
            }
            switch (r.check()) {
                case ServiceSpec.None n -> {}
                case ServiceSpec.Tcp t -> {
                    l.add("        TCP_CHECK {", at + "/check");
                    common(l, at + "/check", t.connectPort(), t.connectTimeout());
                    l.add("        }", at + "/check");
                }
                case ServiceSpec.Http h -> {
                    l.add("        HTTP_GET {", at + "/check");
                    l.add("            url {", at + "/check/path");
                    l.add("                path " + h.path(), at + "/check/path");
                    l.add("                status_code " + h.statusCode(), at + "/check/statusCode");
                    l.add("            }", at + "/check/path");
                    common(l, at + "/check", h.connectPort(), h.connectTimeout());
                    l.add("        }", at + "/check");
                }
            }
            l.add("    }", at);
        }
        l.add("}", "");
        return new ServiceText(l.text.toString(), l.pointers);
    }

    private static void common(Lines l, String at, Integer port, Integer timeout) {
        if (port != null) {
            l.add("            connect_port " + port, at + "/connectPort");
        }
        if (timeout != null) {
            l.add("            connect_timeout " + timeout, at + "/connectTimeout");
        }
    }

    private static final class Lines {
        final StringBuilder text = new StringBuilder();
        final Map<Integer, String> pointers = new HashMap<>();
        int line = 1;

        void add(String s, String pointer) {
            text.append(s);
            if (!s.endsWith("\n")) {
                text.append('\n');
            }
            int n = (int) s.lines().count();
            if (pointer != null) {
                for (int i = 0; i < n; i++) {
                    pointers.put(line + i, pointer);
                }
            }
            line += n;
        }
    }

    /** The spec a parsed {@code virtual_server} of address and port says (only TCP_CHECK and HTTP_GET are representable). */
    public static ServiceSpec read(VirtualServer vs) {
        VirtualServer.AddressPort ap = (VirtualServer.AddressPort) vs.key();
        ServiceKey key = new ServiceKey(vs.protocol() == null ? "tcp" : vs.protocol(), ap.address(), ap.port());
        List<ServiceSpec.RealSpec> reals = new ArrayList<>();
        for (RealServer r : vs.realServers()) {
            reals.add(new ServiceSpec.RealSpec(r.address(), r.port(), r.weight(), r.uthreshold(), r.lthreshold(), check(r)));
        }
        String method = vs.method() == null ? "dr" : vs.method().toLowerCase(Locale.ROOT);
        return new ServiceSpec(key, vs.scheduler() == null ? "wlc" : vs.scheduler(), vs.schedulerFlags(), method, vs.persistenceTimeout(),
                vs.delayLoop() == null ? null : (int) vs.delayLoop().toSeconds(), reals);
    }

    private static ServiceSpec.Check check(RealServer r) {
        for (Checker c : r.checkers()) {
            Integer port = c.common().connectPort();
            Integer timeout = c.common().connectTimeout() == null ? null : (int) c.common().connectTimeout().toSeconds();
            if (c instanceof Checker.TcpCheck) {
                return new ServiceSpec.Tcp(port, timeout);
            }
            if (c instanceof Checker.HttpCheck h && !h.ssl() && !h.urls().isEmpty()) {
                Checker.Url u = h.urls().getFirst();
                return new ServiceSpec.Http(u.path(), u.statusCode() == null ? 200 : u.statusCode(), port, timeout);
            }
        }
        return new ServiceSpec.None();
    }
}
