package io.xlb.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.xlb.testing.Privileged;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Debian's Prometheus scrapes a static exposition from a JDK HTTP server on 127.0.0.1, in the test's
 * namespace (with a bearer token) and in a namespace of its own; then nothing of it is left.
 */
@Privileged(tools = {"prometheus", "ip", "nsenter"})
class PrometheusServerTest {
    private static final Duration SCRAPED = Duration.ofSeconds(30);
    private static final String EXPOSITION = """
            # HELP xlb_test_value A value for Prometheus to scrape.
            # TYPE xlb_test_value gauge
            xlb_test_value{kind="static"} 42.5
            """;

    /** Serves {@link #EXPOSITION} at /metrics; with a token, only to requests that bear it. Records each Authorization. */
    private record Exporter(HttpServer http, Set<String> authorizations) implements AutoCloseable {
        static Exporter start(String token) throws IOException {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            Set<String> seen = ConcurrentHashMap.newKeySet();
            http.createContext("/metrics", exchange -> {
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                seen.add(String.valueOf(auth));
                byte[] body = EXPOSITION.getBytes(StandardCharsets.UTF_8);
                int code = token == null || ("Bearer " + token).equals(auth) ? 200 : 401;
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(code, code == 200 ? body.length : -1);
                if (code == 200) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            http.start();
            return new Exporter(http, seen);
        }

        String hostPort() {
            return "127.0.0.1:" + http.getAddress().getPort();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private static void assertGone(long pid, Path dir) {
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "prometheus " + pid + " still runs");
        assertFalse(Files.exists(dir), dir + " left behind");
    }

    @Test
    void scrapesATargetHereWithABearerToken() throws Exception {
        long pid;
        Path dir;
        try (Exporter exporter = Exporter.start("s3cret");
             PrometheusServer prometheus = PrometheusServer.start(
                     PrometheusServer.Target.of(exporter.hostPort()).withBearerToken("s3cret"))) {
            pid = prometheus.pid();
            dir = prometheus.directory();
            assertEquals(42.5, prometheus.awaitValue("xlb_test_value", SCRAPED));
            assertEquals(1.0, prometheus.query("up{job=\"xlb\"}"));
            List<PrometheusServer.Sample> series = prometheus.queryAll("xlb_test_value");
            assertEquals(Map.of("__name__", "xlb_test_value", "job", "xlb", "instance", exporter.hostPort(), "kind", "static"),
                    series.getFirst().labels());
            assertEquals(85.0, prometheus.query("2 * scalar(xlb_test_value)"), "a scalar result");
            assertThrows(NoSuchElementException.class, () -> prometheus.query("xlb_no_such_series"));
            assertEquals(Set.of("Bearer s3cret"), exporter.authorizations());
        }
        assertGone(pid, dir);
    }

    @Test
    void scrapesATargetInsideANamespace() throws Exception {
        long pid;
        Path dir;
        try (Netns ns = Netns.create("xlbt");
             // Bound on a thread inside the namespace: its 127.0.0.1 is the namespace's, not this one's.
             Exporter exporter = ns.namespace().call(() -> Exporter.start(null));
             PrometheusServer prometheus = PrometheusServer.start(ns, PrometheusServer.Target.of(exporter.hostPort()))) {
            pid = prometheus.pid();
            dir = prometheus.directory();
            assertEquals(42.5, prometheus.awaitValue("xlb_test_value{job=\"xlb\"}", SCRAPED));
            assertEquals(Set.of("null"), exporter.authorizations(), "no token configured, none sent");
        }
        assertGone(pid, dir);
    }

    @Test
    void aTargetPrometheusRefusesFailsTheStartAndLeavesNothing() throws Exception {
        Set<Path> before = leftovers();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PrometheusServer.start(PrometheusServer.Target.of("http://127.0.0.1:1")));
        assertTrue(e.getMessage().contains("prometheus exited") && e.getMessage().contains("is not a valid hostname"),
                e.getMessage());
        assertEquals(before, leftovers());
    }

    private static Set<Path> leftovers() throws IOException {
        try (var all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(p -> p.getFileName().toString().startsWith("xlb-prometheus-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }
}
