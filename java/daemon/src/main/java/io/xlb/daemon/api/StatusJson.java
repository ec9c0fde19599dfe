package io.xlb.daemon.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xlb.config.Addresses;
import io.xlb.daemon.status.InstanceStatus;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.RealEntry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The read-only views: the daemon's status, VRRP instances, reals' health, the connection table. */
final class StatusJson {
    /** keepalived's and the exporters' numbering of VRRP states. */
    static final Map<String, Integer> VRRP_STATE = Map.of("INIT", 0, "BACKUP", 1, "MASTER", 2, "FAULT", 3);

    private final Director director;
    private final ManagedDir managed;

    StatusJson(Director director, ManagedDir managed) {
        this.director = director;
        this.managed = managed;
    }

    ObjectNode status(String version) {
        ObjectNode o = SpecJson.MAPPER.createObjectNode();
        o.put("version", version);
        o.put("pid", ProcessHandle.current().pid());
        o.put("configFile", director.configFile().toString());
        o.put("managedDir", managed.path().toString());
        o.put("etag", director.etag());
        o.put("startedAt", director.started().toString());
        List<Dataplane.ServiceView> views = director.dataplane();
        o.put("services", views.size());
        o.put("reals", views.stream().mapToInt(v -> v.reals().size()).sum());
        o.put("connections", director.connections().size());
        ObjectNode packets = o.putObject("packets");
        director.reasons().forEach((r, n) -> packets.put(r.name().toLowerCase(Locale.ROOT), n));
        o.set("vrrp", vrrp());
        ObjectNode scripts = o.putObject("vrrpScripts");
        director.vrrpScripts().forEach(scripts::put);
        ArrayNode lost = o.putArray("quorumLost");
        director.lostQuorums().forEach(v -> lost.add(v.protocol().name().toLowerCase(Locale.ROOT) + ":" + endpoint(v.address(), v.port())));
        List<RealHealth> h = director.health();
        ObjectNode health = o.putObject("health");
        health.put("up", h.stream().filter(RealHealth::up).count());
        health.put("down", h.stream().filter(x -> !x.up()).count());
        return o;
    }

    ArrayNode vrrp() {
        ArrayNode out = SpecJson.MAPPER.createArrayNode();
        for (InstanceStatus i : director.vrrp()) {
            ObjectNode o = out.addObject();
            o.put("name", i.name());
            o.put("interface", i.interfaceName());
            o.put("vrid", i.vrid());
            o.put("state", i.status().state());
            o.put("stateCode", VRRP_STATE.getOrDefault(i.status().state(), 0));
            o.put("priority", i.status().priority());
            i.status().master().ifPresentOrElse(a -> o.put("master", Addresses.text(a)), () -> o.putNull("master"));
            o.put("advertsSent", i.status().advertsSent());
            o.put("advertsReceived", i.status().advertsReceived());
            o.put("becameMaster", i.status().becameMaster());
            ObjectNode drops = o.putObject("dropped");
            i.status().drops().forEach((r, n) -> drops.put(r.name().toLowerCase(Locale.ROOT), n));
        }
        return out;
    }

    ArrayNode health() {
        ArrayNode out = SpecJson.MAPPER.createArrayNode();
        for (RealHealth h : director.health()) {
            ObjectNode o = out.addObject();
            o.put("protocol", h.protocol().toUpperCase(Locale.ROOT));
            o.put("service", h.protocol().toLowerCase(Locale.ROOT) + ":" + endpoint(Addresses.parse(h.vipAddress()), h.vipPort()));
            o.put("real", endpoint(Addresses.parse(h.address()), h.port()));
            o.put("up", h.up());
            o.put("checkers", h.checkers());
            h.dynamicWeight().ifPresent(w -> o.put("dynamicWeight", w));
            h.last().ifPresent(l -> lastCheck(o.putObject("lastCheck"), l));
        }
        return out;
    }

    /** A real's last check: when, latency in ms (two decimals), checker, outcome. */
    static void lastCheck(ObjectNode o, RealHealth.LastCheck l) {
        o.put("at", l.at().toString());
        o.put("latencyMs", Math.round(l.latency().toNanos() / 1e4) / 100.0);
        o.put("checker", l.checker());
        o.put("passed", l.passed());
        o.put("detail", l.detail());
    }

    /** The connection table, ordered by client, {@code limit} entries from {@code offset}. */
    ObjectNode connections(int offset, int limit) {
        Map<FlowKey, ConnEntry> all = director.connections();
        Map<Integer, RealEntry> reals = director.realEntries();
        List<Map.Entry<FlowKey, ConnEntry>> sorted = new ArrayList<>(all.entrySet());
        sorted.sort(Comparator.comparing((Map.Entry<FlowKey, ConnEntry> e) -> e.getKey().src().getAddress(), java.util.Arrays::compareUnsigned)
                .thenComparingInt(e -> e.getKey().sport()).thenComparing(e -> e.getKey().dst().getAddress(), java.util.Arrays::compareUnsigned)
                .thenComparingInt(e -> e.getKey().dport()));
        long now = System.nanoTime(); // CLOCK_MONOTONIC, as bpf_ktime_get_ns
        ObjectNode o = SpecJson.MAPPER.createObjectNode();
        o.put("total", sorted.size());
        o.put("offset", offset);
        ArrayNode items = o.putArray("items");
        for (int i = offset; i < sorted.size() && i < (long) offset + limit; i++) {
            FlowKey k = sorted.get(i).getKey();
            ConnEntry c = sorted.get(i).getValue();
            ObjectNode x = items.addObject();
            x.put("protocol", k.proto() == 6 ? "tcp" : k.proto() == 17 ? "udp" : Integer.toString(k.proto()));
            x.put("client", endpoint(k.src(), k.sport()));
            x.put("virtual", endpoint(k.dst(), k.dport()));
            RealEntry r = reals.get(c.real());
            if (r != null && r.address() != null) {
                x.put("real", endpoint(r.address(), r.port()));
            } else {
                x.putNull("real");
            }
            x.put("state", c.state().name());
            x.put("idleSeconds", Math.max(0, (now - c.lastSeenNs()) / 1_000_000_000L));
        }
        return o;
    }

    static String endpoint(InetAddress a, int port) {
        return (a instanceof Inet6Address ? "[" + Addresses.text(a) + "]" : Addresses.text(a)) + ":" + port;
    }
}
