package io.xlb.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API against a director without a dataplane: routes, tokens, ETags, files, and bad input. */
class ApiServerTest {
    private static final String RW = "0123456789abcdef0123456789abcdef";
    private static final String RO = "fedcba9876543210fedcba9876543210";
    private static final String HAND = """
            virtual_server 192.0.2.1 80 {
                lb_algo rr
                lb_kind DR
                protocol TCP
                real_server 10.0.0.1 80 {
                }
            }
            """;

    @TempDir
    Path dir;
    private FakeDirectorApi server;
    private Vertx vertx;
    private FakeDirector director;
    private ApiServer api;
    private Path conf;
    private Path managed;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        server = FakeDirectorApi.start(dir, HAND, RW + " rw admin\n" + RO + " ro viewer\n");
        conf = server.conf();
        managed = server.managed();
        vertx = server.vertx();
        director = server.director();
        api = server.api();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Answer(int status, String etag, JsonNode json, String body) {}

    private Answer call(String method, String path, String body, String token, String ifMatch) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                        + path.replace("[", "%5B").replace("]", "%5D")))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (ifMatch != null) {
            b.header("If-Match", ifMatch);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = null;
        try {
            json = SpecJson.MAPPER.readTree(r.body());
        } catch (IOException e) {
            // not JSON: the assertions say so
        }
        return new Answer(r.statusCode(), r.headers().firstValue("ETag").orElse(null), json, r.body());
    }

    private Answer get(String path) throws Exception {
        return call("GET", path, null, RW, null);
    }

    private String etag() throws Exception {
        return get("/api/v1/services").etag();
    }

    private static final String TWO_REALS = """
            {"scheduler": "rr", "forwarding": "dr", "reals": [
              {"address": "10.0.0.11", "port": 80, "check": {"type": "tcp", "connectTimeout": 3}},
              {"address": "10.0.0.12", "port": 8080, "weight": 2}]}""";

    @Test
    void theOpenApiDocumentNamesEveryRouteAndNoOther() throws Exception {
        Answer doc = call("GET", "/api/v1/openapi.json", null, null, null);
        assertEquals(200, doc.status());
        assertEquals("3.1.0", doc.json().path("openapi").asText());
        Set<String> documented = new TreeSet<>();
        doc.json().path("paths").properties().forEach(p -> p.getValue().properties().forEach(m -> {
            if (!m.getKey().equals("parameters")) {
                documented.add(m.getKey().toUpperCase() + " " + p.getKey().replaceAll("\\{([a-z]+)}", ":$1"));
            }
        }));
        documented.remove("GET /metrics"); // served only with metrics, which this test's server has none of
        Set<String> routed = new TreeSet<>();
        for (Route r : api.router().getRoutes()) {
            if (r.getPath() != null && r.methods() != null && !r.getPath().endsWith("*")) {
                r.methods().forEach(m -> routed.add(m.name() + " " + r.getPath()));
            }
        }
        assertEquals(documented, routed);
    }

    @Test
    void anAddressOtherThanLoopbackNeedsTls() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ApiServer.start(vertx, director, new ApiServer.Options("0.0.0.0", 0, dir.resolve("tokens"), null, null, null,
                        managed, 1024, "test"), null));
        assertTrue(e.getMessage().contains("needs TLS"), e.getMessage());
    }

    @Test
    void overTlsTheTokenStillDecides() throws Exception {
        io.vertx.core.net.SelfSignedCertificate cert = io.vertx.core.net.SelfSignedCertificate.create("localhost");
        try (ApiServer tls = ApiServer.start(vertx, director, new ApiServer.Options("127.0.0.1", 0, dir.resolve("tokens"),
                Path.of(cert.certificatePath()), Path.of(cert.privateKeyPath()), null, managed, 1024, "test"), null)) {
            java.security.KeyStore trust = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trust.load(null, null);
            try (var in = Files.newInputStream(Path.of(cert.certificatePath()))) {
                trust.setCertificateEntry("xlb", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
            URI uri = URI.create("https://localhost:" + tls.port() + "/api/v1/status");
            assertEquals(401, client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + RO).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
        } finally {
            cert.delete();
        }
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        Answer a = call("PUT", "/api/v1/services/tcp:192.0.2.10:80", "{\"reals\": [" + " ".repeat(70 * 1024) + "]}", RW, "*");
        assertEquals(413, a.status(), a.body());
        assertEquals(413, a.json().path("status").asInt());
    }

    @Test
    void tokensGuardEverythingButTheProbes() throws Exception {
        assertEquals(200, call("GET", "/healthz", null, null, null).status());
        assertEquals(200, call("GET", "/readyz", null, null, null).status());
        Answer none = call("GET", "/api/v1/services", null, null, null);
        assertEquals(401, none.status());
        assertTrue(none.json().path("errors").get(0).has("pointer"), none.body());
        assertEquals(401, call("GET", "/api/v1/services", null, "not-a-token-of-ours", null).status());
        assertEquals(200, call("GET", "/api/v1/services", null, RO, null).status());
        Answer ro = call("PUT", "/api/v1/services/tcp:192.0.2.10:80", TWO_REALS, RO, "*");
        assertEquals(403, ro.status(), ro.body());
        assertFalse(Files.exists(managed.resolve("tcp_192.0.2.10_80.conf")));
    }

    @Test
    void aPutWritesTheFileAppliesItAndMovesTheEtag() throws Exception {
        String before = etag();
        Answer dry = call("PUT", "/api/v1/services/tcp:192.0.2.10:80?dryRun=true", TWO_REALS, RW, before);
        assertEquals(200, dry.status(), dry.body());
        assertTrue(dry.json().path("dryRun").asBoolean());
        assertFalse(Files.exists(managed.resolve("tcp_192.0.2.10_80.conf")), "a dry run writes nothing");
        assertEquals(before, etag());

        Answer put = call("PUT", "/api/v1/services/tcp:192.0.2.10:80", TWO_REALS, RW, before);
        assertEquals(201, put.status(), put.body());
        assertNotEquals(before, put.etag());
        String file = Files.readString(managed.resolve("tcp_192.0.2.10_80.conf"));
        assertTrue(file.contains("virtual_server 192.0.2.10 80 {\n    protocol TCP\n    lb_algo rr\n    lb_kind DR\n"), file);
        assertTrue(file.contains("    real_server 10.0.0.12 8080 {\n        weight 2\n    }\n"), file);
        assertTrue(file.contains("TCP_CHECK {\n            connect_timeout 3\n        }"), file);

        Answer got = get("/api/v1/services/tcp:192.0.2.10:80");
        assertEquals(200, got.status());
        assertTrue(got.json().path("managed").asBoolean());
        assertEquals("rr", got.json().path("scheduler").asText());
        assertEquals(2, got.json().path("reals").get(1).path("weight").asInt());
        assertEquals(put.etag(), got.etag());

        // The same body again: 200, not 201, and nothing changed, so the ETag stays. Another: a new ETag, the old one 412. None: 428.
        Answer same = call("PUT", "/api/v1/services/tcp:192.0.2.10:80", TWO_REALS, RW, got.etag());
        assertEquals(200, same.status());
        assertEquals(got.etag(), same.etag());
        String wrr = TWO_REALS.replace("\"rr\"", "\"wrr\"");
        Answer changed = call("PUT", "/api/v1/services/tcp:192.0.2.10:80", wrr, RW, got.etag());
        assertEquals(200, changed.status());
        assertNotEquals(got.etag(), changed.etag());
        assertEquals(412, call("PUT", "/api/v1/services/tcp:192.0.2.10:80", TWO_REALS, RW, got.etag()).status());
        assertEquals(428, call("PUT", "/api/v1/services/tcp:192.0.2.10:80", TWO_REALS, RW, null).status());

        // Drain one real; delete the service.
        Answer drain = call("PATCH", "/api/v1/services/tcp:192.0.2.10:80/reals/10.0.0.12:8080", "{\"state\": \"drain\"}", RW, "*");
        assertEquals(200, drain.status(), drain.body());
        assertTrue(Files.readString(managed.resolve("tcp_192.0.2.10_80.conf")).contains("10.0.0.12 8080 {\n        weight 0\n"));
        assertEquals("drain", get("/api/v1/services/tcp:192.0.2.10:80/reals/10.0.0.12:8080").json().path("state").asText());
        Answer del = call("DELETE", "/api/v1/services/tcp:192.0.2.10:80", null, RW, "*");
        assertEquals(200, del.status(), del.body());
        assertFalse(Files.exists(managed.resolve("tcp_192.0.2.10_80.conf")));
        assertEquals(404, get("/api/v1/services/tcp:192.0.2.10:80").status());
    }

    /** Scheduler flags and thresholds: written as keepalived's keywords, read back, refused at their pointer where IPVS would refuse them. */
    @Test
    void schedulerFlagsAndThresholdsAreWrittenReadBackAndCheckedAtTheirPointer() throws Exception {
        String body = """
                {"scheduler": "mh", "schedulerFlags": ["mh-port", "mh-fallback"], "forwarding": "nat", "reals": [
                  {"address": "10.0.0.11", "port": 8080, "upperThreshold": 100, "lowerThreshold": 60},
                  {"address": "10.0.0.12", "port": 8080, "upperThreshold": 8}]}""";
        Answer put = call("PUT", "/api/v1/services/tcp:192.0.2.50:80", body, RW, "*");
        assertEquals(201, put.status(), put.body());
        String file = Files.readString(managed.resolve("tcp_192.0.2.50_80.conf"));
        assertTrue(file.contains("    lb_algo mh\n    mh-fallback\n    mh-port\n    lb_kind NAT\n"), file);
        assertTrue(file.contains("    real_server 10.0.0.11 8080 {\n        weight 1\n        uthreshold 100\n        lthreshold 60\n    }\n"), file);
        assertTrue(file.contains("    real_server 10.0.0.12 8080 {\n        weight 1\n        uthreshold 8\n    }\n"), file);
        Answer got = get("/api/v1/services/tcp:192.0.2.50:80");
        assertEquals("[\"mh-fallback\",\"mh-port\"]", got.json().path("schedulerFlags").toString(), got.body());
        assertEquals(100, got.json().path("reals").get(0).path("upperThreshold").asInt());
        assertEquals(60, got.json().path("reals").get(0).path("lowerThreshold").asInt());
        assertFalse(got.json().path("reals").get(1).has("lowerThreshold"), got.body());
        // What a GET returned, PUT back: nothing changes.
        Answer same = call("PUT", "/api/v1/services/tcp:192.0.2.50:80", got.body(), RW, got.etag());
        assertEquals(200, same.status(), same.body());
        assertEquals(got.etag(), same.etag());
        // A PATCH of one real's threshold.
        Answer patch = call("PATCH", "/api/v1/services/tcp:192.0.2.50:80/reals/10.0.0.12:8080", "{\"upperThreshold\": 20, \"lowerThreshold\": 5}",
                RW, "*");
        assertEquals(200, patch.status(), patch.body());
        assertTrue(Files.readString(managed.resolve("tcp_192.0.2.50_80.conf")).contains("uthreshold 20\n        lthreshold 5\n"));

        Map<String, String> files = snapshot();
        Map<String, String> refused = new TreeMap<>(Map.of(
                "{\"scheduler\": \"rr\", \"schedulerFlags\": [\"sh-port\"]}", "/schedulerFlags/0",
                "{\"scheduler\": \"sh\", \"schedulerFlags\": [\"mh-port\"]}", "/schedulerFlags/0",
                "{\"scheduler\": \"sh\", \"schedulerFlags\": [\"sh-port\", \"sh-port\"]}", "/schedulerFlags/1",
                "{\"scheduler\": \"sh\", \"schedulerFlags\": \"sh-port\"}", "/schedulerFlags",
                "{\"scheduler\": \"sh\", \"schedulerFlags\": [\"flag-1\"]}", "/schedulerFlags/0",
                "{\"reals\": [{\"address\": \"10.0.0.11\", \"port\": 80, \"upperThreshold\": 10, \"lowerThreshold\": 11}]}", "/reals/0/lowerThreshold",
                "{\"reals\": [{\"address\": \"10.0.0.11\", \"port\": 80, \"lowerThreshold\": 1}]}", "/reals/0/lowerThreshold",
                "{\"reals\": [{\"address\": \"10.0.0.11\", \"port\": 80, \"upperThreshold\": -1}]}", "/reals/0/upperThreshold",
                "{\"reals\": [{\"address\": \"10.0.0.11\", \"port\": 80, \"upperThreshold\": 2147483648}]}", "/reals/0/upperThreshold",
                "{\"reals\": [{\"address\": \"10.0.0.11\", \"port\": 80, \"upperThreshold\": \"10\"}]}", "/reals/0/upperThreshold"));
        for (var c : refused.entrySet()) {
            Answer a = call("PUT", "/api/v1/services/tcp:192.0.2.50:80", c.getKey(), RW, "*");
            assertEquals(422, a.status(), c.getKey() + " -> " + a.body());
            assertEquals(c.getValue(), a.json().path("errors").get(0).path("pointer").asText(), c.getKey() + " -> " + a.body());
        }
        assertEquals(files, snapshot(), "nothing refused was written");
    }

    @Test
    void twoWritersWithOneEtagOneWins() throws Exception {
        String tag = etag();
        List<CompletableFuture<Integer>> writers = new ArrayList<>();
        for (String vip : List.of("192.0.2.20", "192.0.2.21")) {
            writers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return call("PUT", "/api/v1/services/tcp:" + vip + ":80", TWO_REALS, RW, tag).status();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<Integer> statuses = writers.stream().map(CompletableFuture::join).sorted().toList();
        assertEquals(List.of(201, 412), statuses);
    }

    @Test
    void aServiceWrittenByHandIsNotTheApis() throws Exception {
        Answer a = call("PUT", "/api/v1/services/tcp:192.0.2.1:80", TWO_REALS, RW, "*");
        assertEquals(409, a.status(), a.body());
        assertTrue(a.json().path("detail").asText().contains(conf + ":1"), a.body());
        assertEquals(409, call("DELETE", "/api/v1/services/tcp:192.0.2.1:80", null, RW, "*").status());
        Answer got = get("/api/v1/services/tcp:192.0.2.1:80");
        assertFalse(got.json().path("managed").asBoolean());
        assertEquals(conf + ":1", got.json().path("definedAt").asText());
    }

    @Test
    void withoutTheIncludeTheApiSaysWhatToAdd() throws Exception {
        Files.writeString(conf, HAND);
        Answer a = call("PUT", "/api/v1/services/tcp:192.0.2.10:80", TWO_REALS, RW, "*");
        assertEquals(409, a.status(), a.body());
        assertTrue(a.json().path("detail").asText().contains("include " + managed + "/*.conf"), a.body());
        assertFalse(Files.exists(managed.resolve("tcp_192.0.2.10_80.conf")));
    }

    @Test
    void theConfigurationChecksRefusalIsAnsweredAtTheFieldThatCausedIt() throws Exception {
        // A persistence longer than keepalived's 31 days: the API takes the number, the configuration check refuses it at its line.
        Answer a = call("PUT", "/api/v1/services/tcp:192.0.2.10:80", TWO_REALS.replace("\"scheduler\"", "\"persistenceTimeout\": 99999999, \"scheduler\""), RW, "*");
        assertEquals(422, a.status(), a.body());
        boolean atField = false;
        for (var e : a.json().path("errors")) {
            atField |= e.path("pointer").asText().equals("/persistenceTimeout");
        }
        assertTrue(atField, a.body());
        assertFalse(Files.exists(managed.resolve("tcp_192.0.2.10_80.conf")));
    }

    @Test
    void changesApplyTogetherOrNotAtAll() throws Exception {
        String ok = "{\"operations\": [{\"op\": \"put\", \"service\": \"tcp:192.0.2.30:80\", \"body\": " + TWO_REALS + "},"
                + "{\"op\": \"put\", \"service\": \"udp:[2001:db8::30]:53\", \"body\": {\"reals\": [{\"address\": \"2001:db8::31\", \"port\": 53}]}}]}";
        Answer a = call("POST", "/api/v1/changes", ok, RW, "*");
        assertEquals(200, a.status(), a.body());
        assertTrue(Files.exists(managed.resolve("udp_2001-db8--30_53.conf")));
        String bad = "{\"operations\": [{\"op\": \"delete\", \"service\": \"tcp:192.0.2.30:80\"},"
                + "{\"op\": \"patch\", \"service\": \"udp:[2001:db8::30]:53\", \"body\": {\"scheduler\": \"nope\"}}]}";
        Answer b = call("POST", "/api/v1/changes", bad, RW, "*");
        assertEquals(422, b.status(), b.body());
        assertEquals("/operations/1/body/scheduler", b.json().path("errors").get(0).path("pointer").asText(), b.body());
        assertTrue(Files.exists(managed.resolve("tcp_192.0.2.30_80.conf")), "the delete did not happen either");
        assertEquals(200, get("/api/v1/services/udp:[2001:db8::30]:53").status());
    }

    /** 200 malformed, mistyped, unknown, out-of-range and contradicting bodies: each a 4xx naming a pointer; nothing changes. */
    @Test
    void badInputIsRefusedAtItsPointerAndChangesNothing() throws Exception {
        assertEquals(201, call("PUT", "/api/v1/services/tcp:192.0.2.40:80", TWO_REALS, RW, "*").status());
        Map<String, String> files = snapshot();
        String tag = etag();
        Random random = new Random(0x5EED_A91L);
        List<String[]> cases = badCases(random);
        assertTrue(cases.size() >= 200, "cases: " + cases.size());
        for (String[] c : cases) {
            Answer a = call(c[0], c[1], c[2], RW, tag);
            String what = c[0] + " " + c[1] + " " + c[2] + " -> " + a.status() + " " + a.body();
            assertTrue(a.status() >= 400 && a.status() < 500, what);
            assertTrue(a.json() != null && a.json().path("errors").size() > 0 && a.json().path("errors").get(0).has("pointer"), what);
            assertEquals(a.status(), a.json().path("status").asInt(), what);
        }
        assertEquals(files, snapshot());
        assertEquals(tag, etag());
    }

    private Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.list(managed)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), Files.readString(p));
            }
        }
        out.put("main", Files.readString(conf));
        return out;
    }

    private static List<String[]> badCases(Random random) {
        String svc = "/api/v1/services/tcp:192.0.2.40:80";
        String real = svc + "/reals/10.0.0.11:80";
        List<String> bodies = new ArrayList<>(List.of(
                "", "{", "}", "[", "null", "42", "\"x\"", "[]", "{\"reals\": [}", "{'scheduler': 'rr'}", "{\"scheduler\": rr}",
                "{\"scheduler\": \"rr\",}", "{\"scheduler\": \"rr\" \"forwarding\": \"dr\"}", "{\"scheduler\": \"rr\", \"scheduler\": \"wrr\"}",
                "{\"scheduler\": 1}", "{\"scheduler\": null, \"x\": 1}", "{\"scheduler\": \"RR\"}", "{\"scheduler\": \"rr\\n real_server 1.1.1.1 80 {\"}",
                "{\"forwarding\": \"DR \"}", "{\"forwarding\": true}", "{\"persistenceTimeout\": -1}", "{\"persistenceTimeout\": 0}",
                "{\"persistenceTimeout\": 1.5}", "{\"persistenceTimeout\": \"50\"}", "{\"persistenceTimeout\": 99999999999}",
                "{\"delayLoop\": 0}", "{\"delayLoop\": 86401}", "{\"protocol\": \"udp\"}", "{\"address\": \"192.0.2.41\"}",
                "{\"port\": 81}", "{\"port\": \"80\"}", "{\"address\": \"not-an-ip\"}", "{\"reals\": {}}", "{\"reals\": [1]}",
                "{\"reals\": [{}]}", "{\"reals\": [{\"address\": \"10.0.0.1\"}]}", "{\"reals\": [{\"port\": 80}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 0}]}", "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 65536}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"weight\": -1}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"weight\": 65536}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"weight\": \"1\"}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"state\": \"off\"}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"state\": \"drain\", \"weight\": 3}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80}, {\"address\": \"10.0.0.1\", \"port\": 80}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"check\": {}}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"check\": {\"type\": \"icmp\"}}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"check\": {\"type\": \"tcp\", \"connectTimeout\": 0}}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"check\": {\"type\": \"http\", \"path\": \"no-slash\"}}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"check\": {\"type\": \"http\", \"path\": \"/a b\"}}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"check\": {\"type\": \"http\", \"path\": \"/}\"}}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"check\": {\"type\": \"http\", \"statusCode\": 99}}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"check\": {\"type\": \"tcp\", \"path\": \"/\"}}]}",
                "{\"reals\": [{\"address\": \"10.0.0.1\", \"port\": 80, \"color\": \"red\"}]}",
                "{\"scheduler\": \"maglev\"}", "{\"forwarding\": \"masq\"}", "{\"unknown\": true}", "{\"reals\": [{\"address\": \"::1\", \"port\": 80}]}"));
        String[] fields = {"scheduler", "forwarding", "persistenceTimeout", "delayLoop", "reals", "protocol", "address", "port", "nope"};
        String[] junk = {"null", "true", "-5", "1e400", "\"\"", "{}", "[]", "\"\\u0000\"", "\"x\\ny\"", "123456789012345678901234567890"};
        while (bodies.size() < 170) {
            String f = fields[random.nextInt(fields.length)];
            String v = junk[random.nextInt(junk.length)];
            String body = "{\"" + f + "\": " + v + "}";
            boolean valid = (f.equals("persistenceTimeout") || f.equals("delayLoop")) && v.equals("null")
                    || f.equals("reals") && v.equals("[]");
            if (!valid) {
                bodies.add(body);
            }
        }
        List<String[]> out = new ArrayList<>();
        for (String b : bodies) {
            out.add(new String[] {"PUT", svc, b});
        }
        for (String b : List.of("{\"weight\": -1}", "{\"state\": 1}", "{\"address\": \"10.0.0.99\"}", "{\"port\": 81}",
                "{\"check\": {\"type\": 3}}", "[]", "{\"weight\": 1, \"weight\": 2}", "{\"extra\": 0}", "not json", "{\"weight\": 1.0e2}")) {
            out.add(new String[] {"PUT", real, b});
            out.add(new String[] {"PATCH", real, b});
        }
        for (String b : List.of("{}", "{\"operations\": []}", "{\"operations\": [1]}", "{\"operations\": [{\"op\": \"move\", \"service\": \"tcp:192.0.2.40:80\"}]}",
                "{\"operations\": [{\"op\": \"delete\", \"service\": \"tcp:192.0.2.40:80\", \"body\": {}}]}",
                "{\"operations\": [{\"op\": \"put\", \"service\": \"tcp:192.0.2.40:80\"}]}",
                "{\"operations\": [{\"op\": \"put\", \"service\": \"icmp:1.2.3.4:1\", \"body\": {}}]}",
                "{\"operations\": [{\"op\": \"delete\", \"service\": \"tcp:192.0.2.1:80\"}]}",
                "{\"operations\": [{\"op\": \"delete\", \"service\": \"tcp:192.0.2.40:80\"}], \"more\": 1}",
                "{\"operations\": [{\"op\": \"delete\", \"service\": \"tcp:192.0.2.99:80\"}]}")) {
            out.add(new String[] {"POST", "/api/v1/changes", b});
        }
        out.add(new String[] {"PUT", "/api/v1/services/tcp:999.0.0.1:80", "{}"});
        out.add(new String[] {"PUT", "/api/v1/services/sctp:192.0.2.40:80", "{}"});
        out.add(new String[] {"PUT", "/api/v1/services/tcp:192.0.2.40:0", "{}"});
        out.add(new String[] {"PUT", "/api/v1/services/tcp:2001:db8::1:80", "{}"});
        out.add(new String[] {"PATCH", "/api/v1/services/tcp:192.0.2.99:80", "{}"});
        out.add(new String[] {"DELETE", "/api/v1/services/tcp:192.0.2.99:80", null});
        out.add(new String[] {"DELETE", svc + "/reals/10.9.9.9:80", null});
        out.add(new String[] {"PUT", svc + "?dryRun=maybe", "{}"});
        out.add(new String[] {"PUT", svc, "{\"reals\": [" + "{\"address\": \"10.0.0.1\", \"port\": 80},".repeat(3000) + "{}]}"});
        out.add(new String[] {"POST", "/api/v1/services", "{}"});
        return out;
    }
}
