package io.xlb.daemon.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xlb.config.Addresses;
import io.xlb.config.Config;
import io.xlb.config.Checker;
import io.xlb.config.RealServer;
import io.xlb.config.VirtualServer;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.Counter;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A service as a GET shows it: what is configured (the fields a PUT takes), where it is defined,
 * and what the director does with it now: each real's effective weight, health, connections and
 * counters.
 */
final class ServiceView {
    private final Director director;
    private final ManagedDir managed;
    private final Map<VipKey, Service> effective = new HashMap<>();
    private final Map<VipKey, Dataplane.ServiceView> maps = new HashMap<>();
    private final Map<String, RealHealth> health = new HashMap<>();

    ServiceView(Director director, ManagedDir managed) {
        this.director = director;
        this.managed = managed;
        DesiredState d = director.effective();
        if (d != null) {
            d.services().forEach(s -> effective.put(s.vip(), s));
        }
        director.dataplane().forEach(v -> maps.put(v.vip(), v));
        director.health().forEach(h -> health.put(id(h.protocol(), h.vipAddress(), h.vipPort(), h.address(), h.port()), h));
    }

    private static String id(String proto, String vip, int vport, String addr, int port) {
        return proto.toLowerCase(Locale.ROOT) + "|" + vip + "|" + vport + "|" + addr + "|" + port;
    }

    static VipKey vip(ServiceKey k) {
        return new VipKey(k.address(), k.port(), Protocol.valueOf(k.protocol().toUpperCase(Locale.ROOT)));
    }

    /** The services of {@code config} named by address and port, in file order. */
    static List<VirtualServer> addressed(Config config) {
        return config.virtualServers().stream().filter(v -> v.key() instanceof VirtualServer.AddressPort).toList();
    }

    static Optional<VirtualServer> find(Config config, ServiceKey key) {
        return addressed(config).stream().filter(v -> ServiceText.read(v).key().equals(key)).findFirst();
    }

    ArrayNode all(Config config) {
        ArrayNode out = SpecJson.MAPPER.createArrayNode();
        addressed(config).forEach(v -> out.add(of(v)));
        return out;
    }

    ObjectNode of(VirtualServer vs) {
        ServiceSpec spec = ServiceText.read(vs);
        ObjectNode o = SpecJson.write(spec);
        o.put("managed", managed.holds(vs.pos().file()));
        o.put("definedAt", vs.pos().file() + ":" + vs.pos().line());
        VipKey vip = vip(spec.key());
        Dataplane.ServiceView m = maps.get(vip);
        o.set("stats", counter(m == null ? Counter.ZERO : m.counter()));
        ArrayNode reals = (ArrayNode) o.get("reals");
        for (int i = 0; i < spec.reals().size(); i++) {
            decorate((ObjectNode) reals.get(i), spec, vs.realServers().get(i), vip, m);
        }
        return o;
    }

    ObjectNode real(VirtualServer vs, ServiceKey.Endpoint ep) {
        ServiceSpec spec = ServiceText.read(vs);
        for (int i = 0; i < spec.reals().size(); i++) {
            ServiceSpec.RealSpec r = spec.reals().get(i);
            if (r.endpoint().equals(ep)) {
                ObjectNode o = SpecJson.write(r);
                decorate(o, spec, vs.realServers().get(i), vip(spec.key()), maps.get(vip(spec.key())));
                return o;
            }
        }
        throw ApiProblem.notFound("service " + spec.key() + " has no real " + ep);
    }

    private void decorate(ObjectNode o, ServiceSpec spec, RealServer configured, VipKey vip, Dataplane.ServiceView m) {
        Service s = effective.get(vip);
        Optional<Real> eff = s == null ? Optional.empty() : s.reals().stream()
                .filter(r -> r.address().equals(configured.address()) && r.port() == configured.port()).findFirst();
        o.put("effectiveWeight", eff.map(Real::weight).orElse(0));
        ArrayNode checkers = o.putArray("checkers");
        configured.checkers().forEach(c -> checkers.add(checkerName(c)));
        RealHealth h = health.get(id(spec.key().protocol(), Addresses.text(vip.address()), vip.port(),
                Addresses.text(configured.address()), configured.port()));
        ObjectNode ho = o.putObject("health");
        if (h == null) {
            ho.put("up", true);
            ho.put("checked", false);
        } else {
            ho.put("up", h.up());
            ho.put("checked", h.checkers() > 0);
            h.dynamicWeight().ifPresent(w -> ho.put("dynamicWeight", w));
            h.last().ifPresent(l -> StatusJson.lastCheck(ho.putObject("lastCheck"), l));
        }
        Optional<Dataplane.RealView> rv = m == null ? Optional.empty() : m.reals().stream()
                .filter(r -> r.address().equals(configured.address()) && r.port() == configured.port()).findFirst();
        ObjectNode conns = o.putObject("connections");
        conns.put("active", rv.map(r -> r.conns().active()).orElse(0));
        conns.put("inactive", rv.map(r -> r.conns().inactive()).orElse(0));
        o.set("stats", counter(rv.map(Dataplane.RealView::counter).orElse(Counter.ZERO)));
    }

    private static ObjectNode counter(Counter c) {
        ObjectNode o = SpecJson.MAPPER.createObjectNode();
        o.put("connections", c.conns());
        o.put("inPackets", c.packets());
        o.put("inBytes", c.bytes());
        o.put("outPackets", 0);
        o.put("outBytes", 0);
        return o;
    }

    private static String checkerName(Checker c) {
        return switch (c) {
            case Checker.TcpCheck t -> "TCP_CHECK";
            case Checker.HttpCheck h -> h.ssl() ? "SSL_GET" : "HTTP_GET";
            case Checker.MiscCheck m -> "MISC_CHECK";
            case Checker.UdpCheck u -> "UDP_CHECK";
            case Checker.PingCheck p -> "PING_CHECK";
            case Checker.DnsCheck d -> "DNS_CHECK";
            case Checker.SmtpCheck s -> "SMTP_CHECK";
        };
    }
}
