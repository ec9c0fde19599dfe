package io.xlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The running daemon's side of {@code xlb status}, asked over its API: one line per VRRP instance,
 * vrrp_script, real (health and last check) and lost quorum.
 */
public final class DaemonStatus {
    private DaemonStatus() {}

    /** The lines, or empty when no daemon answers on {@code pinDir}'s socket. */
    public static List<String> lines(Path pinDir) {
        DaemonClient client = DaemonClient.of(pinDir);
        if (!client.reachable()) {
            return List.of();
        }
        try {
            DaemonClient.Response status = client.get("/api/v1/status");
            DaemonClient.Response health = client.get("/api/v1/health");
            if (status.status() != 200 || health.status() != 200) {
                return List.of("the daemon answered " + status.status() + "/" + health.status());
            }
            return lines(status.json(), health.json());
        } catch (IOException e) {
            return List.of();
        }
    }

    static List<String> lines(JsonNode status, JsonNode health) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : status.path("vrrp")) {
            StringBuilder b = new StringBuilder(String.format("vrrp %s: %s, priority %d, master %s, adverts sent %d received %d,"
                            + " became master %d times", v.path("name").asText(), v.path("state").asText(), v.path("priority").asInt(),
                    v.path("master").isNull() ? "unknown" : v.path("master").asText(), v.path("advertsSent").asLong(),
                    v.path("advertsReceived").asLong(), v.path("becameMaster").asLong()));
            if (!v.path("dropped").isEmpty()) {
                List<String> drops = new ArrayList<>();
                v.path("dropped").properties().forEach(e -> drops.add(e.getKey().toUpperCase(java.util.Locale.ROOT) + "=" + e.getValue().asLong()));
                b.append(", dropped {").append(String.join(", ", drops)).append('}');
            }
            out.add(b.toString());
        }
        status.path("vrrpScripts").properties().forEach(e -> out.add("vrrp_script " + e.getKey() + ": " + e.getValue().asText()));
        for (JsonNode h : health) {
            JsonNode last = h.path("lastCheck");
            out.add(String.format("%s %s of %s: %s%s; last check %s", h.path("protocol").asText(), h.path("real").asText(),
                    h.path("service").asText().substring(h.path("service").asText().indexOf(':') + 1),
                    h.path("up").asBoolean() ? "up" : "down",
                    h.has("dynamicWeight") ? ", weight " + h.path("dynamicWeight").asInt() + " (misc_dynamic)" : "",
                    last.isMissingNode() ? (h.path("checkers").asInt() == 0 ? "none (no checker)" : "pending")
                            : String.format("%.1f ms, %s", last.path("latencyMs").asDouble(), last.path("detail").asText())));
        }
        status.path("quorumLost").forEach(q -> out.add("quorum lost: " + q.asText()));
        return out;
    }
}
