package io.xlb.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * Debian's Prometheus server (the {@code prometheus} package, 2.42) scraping one target every
 * second, for tests: its configuration and TSDB in a temporary directory, listening on
 * 127.0.0.1 of the namespace it runs in, queried through its HTTP API. {@link #close()} kills it
 * and deletes the directory; so does a failed start.
 *
 * It is ready in about 0.2 s here, but its first sample comes 5 to 6 s after the start: 2.42's scrape
 * manager takes new targets from discovery at most every 5 s, a floor its hidden
 * {@code --discovery.reload.interval} flag cannot lower. {@link #awaitValue} waits for it.
 */
public final class PrometheusServer implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/prometheus");
    public static final String JOB = "xlb";
    public static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to scrape: {@code host:port} (an IPv6 host in brackets), the path, and a bearer token if any. */
    public record Target(String hostPort, String path, Optional<String> bearerToken) {
        public static Target of(String hostPort) {
            return new Target(hostPort, "/metrics", Optional.empty());
        }

        /** Sent as {@code Authorization: Bearer TOKEN} (Prometheus reads it from a file it is given). */
        public Target withBearerToken(String token) {
            return new Target(hostPort, path, Optional.of(token));
        }
    }

    /** One series of a query's result: its labels (with {@code __name__} when it has one) and value. */
    public record Sample(Map<String, String> labels, double value) {}

    private final Optional<Netns> ns;
    private final Path dir;
    private final BackgroundProcess process;
    private final int port;

    private PrometheusServer(Optional<Netns> ns, Path dir, BackgroundProcess process, int port) {
        this.ns = ns;
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /** Starts it in the current network namespace and waits until it is ready. */
    public static PrometheusServer start(Target target) {
        return start(Optional.empty(), target);
    }

    /** Starts it inside {@code ns} (it scrapes and listens there) and waits until it is ready. */
    public static PrometheusServer start(Netns ns, Target target) {
        return start(Optional.of(ns), target);
    }

    private static PrometheusServer start(Optional<Netns> ns, Target target) {
        Path dir;
        try {
            dir = Files.createTempDirectory("xlb-prometheus-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BackgroundProcess process = null;
        try {
            Optional<Path> token = Optional.empty();
            if (target.bearerToken().isPresent()) {
                token = Optional.of(Files.writeString(dir.resolve("token"), target.bearerToken().get()));
            }
            Path config = Files.writeString(dir.resolve("prometheus.yml"), config(target, token));
            int port = inside(ns, PrometheusServer::freePort);
            String[] argv = {BINARY.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port};
            Command command = ns.map(n -> n.command(argv)).orElseGet(() -> Command.of(argv));
            process = BackgroundProcess.start(command, dir.resolve("prometheus.log"));
            PrometheusServer server = new PrometheusServer(ns, dir, process, port);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            throw stopAfter(new UncheckedIOException(e), process, dir);
        } catch (RuntimeException e) {
            throw stopAfter(e, process, dir);
        } catch (Error e) {
            throw stopAfter(e, process, dir);
        }
    }

    /** Stops what a failed start left, and returns the failure to throw. */
    private static <E extends Throwable> E stopAfter(E failure, BackgroundProcess process, Path dir) {
        try {
            stop(process, dir);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failure.addSuppressed(e);
        }
        return failure;
    }

    /** The prometheus.yml: one job, {@value #JOB}, scraping the target each second. */
    static String config(Target target, Optional<Path> tokenFile) {
        String seconds = SCRAPE_INTERVAL.toSeconds() + "s";
        StringBuilder y = new StringBuilder();
        y.append("global:\n")
                .append("  scrape_interval: ").append(seconds).append('\n')
                .append("  evaluation_interval: ").append(seconds).append('\n')
                .append("scrape_configs:\n")
                .append("  - job_name: ").append(JOB).append('\n')
                .append("    scrape_interval: ").append(seconds).append('\n')
                .append("    scrape_timeout: ").append(seconds).append('\n')
                .append("    metrics_path: ").append(quoted(target.path())).append('\n');
        tokenFile.ifPresent(f -> y.append("    authorization:\n")
                .append("      type: Bearer\n")
                .append("      credentials_file: ").append(quoted(f.toString())).append('\n'));
        y.append("    static_configs:\n")
                .append("      - targets: [").append(quoted(target.hostPort())).append("]\n");
        return y.toString();
    }

    /** A YAML double-quoted scalar. */
    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The port it listens on, on 127.0.0.1 of its namespace. */
    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** Its temporary directory: configuration, TSDB, log. */
    public Path directory() {
        return dir;
    }

    /** What it logged so far. */
    public String log() {
        return process.log();
    }

    /**
     * The value of an instant query that yields one series or a scalar. NoSuchElementException when it
     * yields nothing (yet); IllegalStateException when it yields more than one series.
     */
    public double query(String promql) {
        List<Sample> result = queryAll(promql);
        if (result.isEmpty()) {
            throw new NoSuchElementException("no result for " + promql);
        }
        if (result.size() > 1) {
            throw new IllegalStateException(result.size() + " series for " + promql + ": " + result);
        }
        return result.getFirst().value();
    }

    /** Every series of an instant query ({@code /api/v1/query}); a scalar result is one sample without labels. */
    public List<Sample> queryAll(String promql) {
        JsonNode response = json(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        if (!"success".equals(response.path("status").asText())) {
            throw new IllegalStateException("query " + promql + " failed: " + response);
        }
        JsonNode data = response.path("data");
        JsonNode result = data.path("result");
        List<Sample> out = new ArrayList<>();
        switch (data.path("resultType").asText()) {
            case "vector" -> result.forEach(series -> {
                Map<String, String> labels = new LinkedHashMap<>();
                series.path("metric").properties().forEach(p -> labels.put(p.getKey(), p.getValue().asText()));
                out.add(new Sample(labels, number(series.path("value"))));
            });
            case "scalar" -> out.add(new Sample(Map.of(), number(result)));
            default -> throw new IllegalStateException("query " + promql + ": not an instant vector or scalar: " + data);
        }
        return out;
    }

    /** Waits until {@code promql} yields one value (e.g. once the target was scraped), and returns it. */
    public double awaitValue(String promql, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            List<Sample> result = queryAll(promql);
            if (result.size() == 1) {
                return result.getFirst().value();
            }
            if (result.size() > 1) {
                throw new IllegalStateException(result.size() + " series for " + promql + ": " + result);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no result for " + promql + " after " + timeout + "; targets: "
                        + get("/api/v1/targets") + "\nlog:\n" + log());
            }
            sleep(Duration.ofMillis(200));
        }
    }

    /** [timestamp, "value"], the value as Prometheus writes floats ("NaN", "+Inf"...). */
    private static double number(JsonNode pair) {
        String v = pair.path(1).asText();
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited:\n" + log());
            }
            try {
                if (status("/-/ready") == 200) {
                    return;
                }
            } catch (UncheckedIOException notYetListening) {
                // connection refused until the web handler is up
            }
            sleep(Duration.ofMillis(100)); // waiting on an external process; no clock to inject here
        }
        throw new IllegalStateException("prometheus not ready after " + READY_TIMEOUT + ":\n" + log());
    }

    private int status(String path) {
        return inside(ns, () -> {
            HttpURLConnection c = open(path);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        });
    }

    private String get(String path) {
        return inside(ns, () -> {
            HttpURLConnection c = open(path);
            try {
                int code = c.getResponseCode();
                InputStream body = code < 400 ? c.getInputStream() : c.getErrorStream();
                String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
                // The API answers errors (a bad query: 400, 422) with a JSON body that says why.
                if (code >= 400 && !text.startsWith("{")) {
                    throw new IllegalStateException("GET " + path + ": HTTP " + code + " " + text);
                }
                return text;
            } finally {
                c.disconnect();
            }
        });
    }

    /**
     * A connection made on the calling thread, which {@link #inside} has put in the server's namespace;
     * never reused ({@code Connection: close}), so that no other namespace's 127.0.0.1 gets it.
     */
    private HttpURLConnection open(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        c.setConnectTimeout((int) HTTP_TIMEOUT.toMillis());
        c.setReadTimeout((int) HTTP_TIMEOUT.toMillis());
        c.setRequestProperty("Connection", "close");
        return c;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }

    /** Runs {@code work} on a thread in {@code ns} (or here), rethrowing I/O failures unchecked. */
    private static <T> T inside(Optional<Netns> ns, Callable<T> work) {
        try {
            return ns.isPresent() ? ns.get().namespace().call(work) : work.call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Kills the server (SIGTERM, then SIGKILL after 5 s) and deletes its directory. */
    @Override
    public void close() throws InterruptedException, IOException {
        stop(process, dir);
    }

    private static void stop(BackgroundProcess process, Path dir) throws InterruptedException, IOException {
        try {
            if (process != null) {
                process.close();
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return "prometheus on 127.0.0.1:" + port + ns.map(n -> " in " + n).orElse("");
    }
}
