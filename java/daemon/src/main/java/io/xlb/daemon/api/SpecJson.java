package io.xlb.daemon.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xlb.config.Addresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSON of {@link ServiceSpec}: read strictly (unknown fields, wrong types, values out of range
 * and keys that contradict the URL are refused, each at its JSON pointer), written back the same
 * way. Fields the director computes (stats, health, where it is defined) may come back in a PUT of
 * what a GET returned: they are ignored, not refused.
 */
public final class SpecJson {
    private SpecJson() {}

    static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    /** IPVS's scheduler names; which ones the director runs is the configuration check's to say. */
    static final Set<String> SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo",
            "ovf", "mh");
    static final Map<String, String> FORWARDING = Map.of("dr", "DR", "tun", "TUN", "nat", "NAT");
    /** An HTTP path as keepalived's url { path } takes it: no spaces, quotes or braces that would end the word. */
    private static final Pattern URL_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]{0,1023}");

    private static final Set<String> SERVICE_FIELDS = Set.of("protocol", "address", "port", "scheduler", "schedulerFlags",
            "forwarding", "persistenceTimeout", "delayLoop", "reals");
    private static final Set<String> SERVICE_COMPUTED = Set.of("key", "managed", "definedAt", "stats", "checkers");
    private static final Set<String> REAL_FIELDS = Set.of("address", "port", "weight", "upperThreshold", "lowerThreshold", "state",
            "check");
    /** ipvsadm's limit for -x and -y (and keepalived's for uthreshold, lthreshold). */
    private static final int THRESHOLD_MAX = Integer.MAX_VALUE;
    private static final Set<String> REAL_COMPUTED = Set.of("effectiveWeight", "health", "connections", "stats", "checkers");

    /** The body as JSON: malformed text (or a duplicate key) is a 400. */
    public static JsonNode parse(String body) {
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n == null || n.isMissingNode()) {
                throw ApiProblem.badRequest("", "the body is empty: a JSON object is expected");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("", "not JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() : ""));
        }
    }

    /** A service for {@code key} from {@code body}; every problem found, at its pointer. */
    public static ServiceSpec service(ServiceKey key, JsonNode body) {
        return service(key, body, "");
    }

    /** The same, for a body at {@code at} in a larger document. */
    static ServiceSpec service(ServiceKey key, JsonNode body, String at) {
        Problems p = new Problems();
        ServiceSpec s = service(key, body, at, p);
        p.throwIfAny();
        return s;
    }

    static ServiceSpec service(ServiceKey key, JsonNode body, String at, Problems p) {
        if (!body.isObject()) {
            p.add(at, "a service is a JSON object");
            return null;
        }
        fields(body, at, SERVICE_FIELDS, SERVICE_COMPUTED, p);
        if (body.has("protocol") && !(body.get("protocol").isTextual() && body.get("protocol").asText().equalsIgnoreCase(key.protocol()))) {
            p.add(at + "/protocol", "contradicts the URL's protocol " + key.protocol());
        }
        if (body.has("address")) {
            InetAddress a = address(body.get("address"), at + "/address", p);
            if (a != null && !a.equals(key.address())) {
                p.add(at + "/address", "contradicts the URL's address " + Addresses.text(key.address()));
            }
        }
        if (body.has("port")) {
            Integer port = integer(body.get("port"), at + "/port", 1, 65535, p);
            if (port != null && port != key.port()) {
                p.add(at + "/port", "contradicts the URL's port " + key.port());
            }
        }
        String scheduler = "wlc";
        if (body.has("scheduler")) {
            JsonNode n = body.get("scheduler");
            if (!n.isTextual() || !SCHEDULERS.contains(n.asText())) {
                p.add(at + "/scheduler", "one of " + new java.util.TreeSet<>(SCHEDULERS) + " (IPVS's names)");
            } else {
                scheduler = n.asText();
                try {
                    io.xlb.dataplane.Scheduler.named(scheduler); // the dataplane's word on what it runs
                } catch (IllegalArgumentException e) {
                    p.add(at + "/scheduler", e.getMessage());
                }
            }
        }
        List<String> flags = schedulerFlags(body, scheduler, at, p);
        String forwarding = "dr";
        if (body.has("forwarding")) {
            JsonNode n = body.get("forwarding");
            if (!n.isTextual() || !FORWARDING.containsKey(n.asText())) {
                p.add(at + "/forwarding", "dr, tun or nat");
            } else {
                forwarding = n.asText();
            }
        }
        Integer persistence = optionalInteger(body, "persistenceTimeout", at, 1, Integer.MAX_VALUE, p);
        Integer delayLoop = optionalInteger(body, "delayLoop", at, 1, 86_400, p);
        List<ServiceSpec.RealSpec> reals = new ArrayList<>();
        if (body.has("reals")) {
            JsonNode rs = body.get("reals");
            if (!rs.isArray()) {
                p.add(at + "/reals", "an array of real servers");
            } else {
                Set<ServiceKey.Endpoint> seen = new HashSet<>();
                for (int i = 0; i < rs.size(); i++) {
                    ServiceSpec.RealSpec r = real(null, rs.get(i), at + "/reals/" + i, p);
                    if (r != null && !seen.add(r.endpoint())) {
                        p.add(at + "/reals/" + i, "real " + r.endpoint() + " is listed twice");
                    }
                    if (r != null) {
                        reals.add(r);
                    }
                }
            }
        }
        return new ServiceSpec(key, scheduler, flags, forwarding, persistence, delayLoop, reals);
    }

    /**
     * {@code schedulerFlags}: sh's and mh's {@code -fallback} (another real when the hashed one has
     * weight 0 or is over its threshold) and {@code -port} (the source port hashed too), named after
     * the service's scheduler as keepalived writes them; no other scheduler reads a flag. Kept in
     * keepalived's order (fallback, then port), each once.
     */
    private static List<String> schedulerFlags(JsonNode body, String scheduler, String at, Problems p) {
        JsonNode n = body.get("schedulerFlags");
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            p.add(at + "/schedulerFlags", "an array of scheduler flags, e.g. [\"sh-fallback\", \"sh-port\"]");
            return List.of();
        }
        boolean hashing = scheduler.equals("sh") || scheduler.equals("mh");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode f = n.get(i);
            String where = at + "/schedulerFlags/" + i;
            if (!hashing) {
                p.add(where, "scheduler " + scheduler + " reads no flag (only sh and mh do: their -fallback and -port)");
            } else if (!f.isTextual() || !ServiceSpec.FLAG_KINDS.stream().map(k -> scheduler + "-" + k).toList().contains(f.asText())) {
                p.add(where, scheduler + "-fallback or " + scheduler + "-port (the flags of scheduler " + scheduler + ")");
            } else if (!seen.add(f.asText())) {
                p.add(where, f.asText() + " is listed twice");
            }
        }
        return ServiceSpec.FLAG_KINDS.stream().map(k -> scheduler + "-" + k).filter(seen::contains).toList();
    }

    /** A real server; {@code path} (from the URL) when the body names one. */
    public static ServiceSpec.RealSpec real(ServiceKey.Endpoint path, JsonNode body) {
        return real(path, body, "");
    }

    static ServiceSpec.RealSpec real(ServiceKey.Endpoint path, JsonNode body, String at) {
        Problems p = new Problems();
        ServiceSpec.RealSpec r = real(path, body, at, p);
        p.throwIfAny();
        return r;
    }

    static ServiceSpec.RealSpec real(ServiceKey.Endpoint path, JsonNode body, String at, Problems p) {
        if (!body.isObject()) {
            p.add(at, "a real server is a JSON object");
            return null;
        }
        fields(body, at, REAL_FIELDS, REAL_COMPUTED, p);
        InetAddress address = path == null ? null : path.address();
        Integer port = path == null ? null : path.port();
        if (body.has("address")) {
            InetAddress a = address(body.get("address"), at + "/address", p);
            if (path != null && a != null && !a.equals(path.address())) {
                p.add(at + "/address", "contradicts the URL's address " + Addresses.text(path.address()));
            }
            address = path == null ? a : address;
        } else if (path == null) {
            p.add(at + "/address", "required");
        }
        if (body.has("port")) {
            Integer x = integer(body.get("port"), at + "/port", 1, 65535, p);
            if (path != null && x != null && x != path.port()) {
                p.add(at + "/port", "contradicts the URL's port " + path.port());
            }
            port = path == null ? x : port;
        } else if (path == null) {
            p.add(at + "/port", "required");
        }
        Integer weight = optionalInteger(body, "weight", at, 0, 65535, p);
        Integer upper = optionalInteger(body, "upperThreshold", at, 0, THRESHOLD_MAX, p);
        Integer lower = optionalInteger(body, "lowerThreshold", at, 0, THRESHOLD_MAX, p);
        if (lower != null && lower > (upper == null ? 0 : upper)) {
            p.add(at + "/lowerThreshold", "above upperThreshold " + (upper == null ? "(none: 0)" : upper)
                    + ": IPVS refuses such a real (lower it, or raise upperThreshold)");
        }
        if (body.has("state")) {
            JsonNode s = body.get("state");
            if (!s.isTextual() || !(s.asText().equals("active") || s.asText().equals("drain"))) {
                p.add(at + "/state", "active or drain");
            } else if (s.asText().equals("drain")) {
                if (weight != null && weight != 0) {
                    p.add(at + "/state", "drain means weight 0, and /weight says " + weight);
                }
                weight = 0;
            }
        }
        ServiceSpec.Check check = body.has("check") ? check(body.get("check"), at + "/check", p) : new ServiceSpec.None();
        if (address == null || port == null) {
            return null;
        }
        return new ServiceSpec.RealSpec(address, port, weight == null ? 1 : weight, upper, lower, check);
    }

    static ServiceSpec.Check check(JsonNode n, String at, Problems p) {
        if (n.isNull()) {
            return new ServiceSpec.None();
        }
        if (!n.isObject()) {
            p.add(at, "a check is a JSON object with a type (none, tcp or http)");
            return null;
        }
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual()) {
            p.add(at + "/type", "none, tcp or http");
            return null;
        }
        switch (type.asText()) {
            case "none" -> {
                fields(n, at, Set.of("type"), Set.of(), p);
                return new ServiceSpec.None();
            }
            case "tcp" -> {
                fields(n, at, Set.of("type", "connectPort", "connectTimeout"), Set.of(), p);
                return new ServiceSpec.Tcp(optionalInteger(n, "connectPort", at, 1, 65535, p),
                        optionalInteger(n, "connectTimeout", at, 1, 3600, p));
            }
            case "http" -> {
                fields(n, at, Set.of("type", "path", "statusCode", "connectPort", "connectTimeout"), Set.of(), p);
                String path = "/";
                if (n.has("path")) {
                    JsonNode x = n.get("path");
                    if (!x.isTextual() || !URL_PATH.matcher(x.asText()).matches()) {
                        p.add(at + "/path", "an absolute URL path (/, /health), without spaces, quotes or braces");
                    } else {
                        path = x.asText();
                    }
                }
                Integer status = optionalInteger(n, "statusCode", at, 100, 599, p);
                return new ServiceSpec.Http(path, status == null ? 200 : status, optionalInteger(n, "connectPort", at, 1, 65535, p),
                        optionalInteger(n, "connectTimeout", at, 1, 3600, p));
            }
            default -> {
                p.add(at + "/type", "none, tcp or http, not " + type.asText());
                return null;
            }
        }
    }

    private static void fields(JsonNode object, String at, Set<String> known, Set<String> computed, Problems p) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f) && !computed.contains(f)) {
                p.add(at + "/" + escape(f), "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
    }

    private static Integer optionalInteger(JsonNode object, String field, String at, long min, long max, Problems p) {
        JsonNode n = object.get(field);
        return n == null || n.isNull() ? null : integer(n, at + "/" + field, min, max, p);
    }

    private static Integer integer(JsonNode n, String at, long min, long max, Problems p) {
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            p.add(at, "an integer from " + min + " to " + max);
            return null;
        }
        return (int) n.asLong();
    }

    private static InetAddress address(JsonNode n, String at, Problems p) {
        if (!n.isTextual() || !Addresses.isLiteral(n.asText())) {
            p.add(at, "an IPv4 or IPv6 address literal");
            return null;
        }
        return Addresses.parse(n.asText());
    }

    /** RFC 6901: a field name in a pointer. */
    static String escape(String field) {
        return field.replace("~", "~0").replace("/", "~1");
    }

    /** Problems found so far; a 422 with all of them. */
    static final class Problems {
        private final List<ApiProblem.Item> items = new ArrayList<>();

        void add(String pointer, String message) {
            items.add(new ApiProblem.Item(pointer, message));
        }

        void throwIfAny() {
            if (!items.isEmpty()) {
                throw new ApiProblem(422, items);
            }
        }
    }

    // --- writing ---

    /** The writable fields of a service, as a PUT takes them back. */
    public static ObjectNode write(ServiceSpec s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("key", s.key().toString());
        o.put("protocol", s.key().protocol());
        o.put("address", Addresses.text(s.key().address()));
        o.put("port", s.key().port());
        o.put("scheduler", s.scheduler());
        if (!s.schedulerFlags().isEmpty()) {
            ArrayNode flags = o.putArray("schedulerFlags");
            s.schedulerFlags().forEach(flags::add);
        }
        o.put("forwarding", s.forwarding());
        if (s.persistenceTimeout() != null) {
            o.put("persistenceTimeout", s.persistenceTimeout());
        }
        if (s.delayLoop() != null) {
            o.put("delayLoop", s.delayLoop());
        }
        ArrayNode rs = o.putArray("reals");
        s.reals().forEach(r -> rs.add(write(r)));
        return o;
    }

    public static ObjectNode write(ServiceSpec.RealSpec r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("address", Addresses.text(r.address()));
        o.put("port", r.port());
        o.put("weight", r.weight());
        putIf(o, "upperThreshold", r.upperThreshold());
        putIf(o, "lowerThreshold", r.lowerThreshold());
        o.put("state", r.weight() == 0 ? "drain" : "active");
        ObjectNode c = o.putObject("check");
        switch (r.check()) {
            case ServiceSpec.None n -> c.put("type", "none");
            case ServiceSpec.Tcp t -> {
                c.put("type", "tcp");
                putIf(c, "connectPort", t.connectPort());
                putIf(c, "connectTimeout", t.connectTimeout());
            }
            case ServiceSpec.Http h -> {
                c.put("type", "http");
                c.put("path", h.path());
                c.put("statusCode", h.statusCode());
                putIf(c, "connectPort", h.connectPort());
                putIf(c, "connectTimeout", h.connectTimeout());
            }
        }
        return o;
    }

    private static void putIf(ObjectNode o, String field, Integer value) {
        if (value != null) {
            o.put(field, value);
        }
    }

    /** RFC 7386 JSON merge patch: {@code patch}'s fields replace {@code target}'s, null removes one. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode out = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        patch.properties().forEach(e -> {
            if (e.getValue().isNull()) {
                out.remove(e.getKey());
            } else {
                out.set(e.getKey(), mergePatch(out.get(e.getKey()), e.getValue()));
            }
        });
        return out;
    }
}
