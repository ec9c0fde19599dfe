package io.xlb.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.xlb.config.ConfigFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The daemon's HTTP API on Vert.x Web: {@code /api/v1} (JSON), {@code /metrics} (Prometheus
 * text), {@code /healthz} and {@code /readyz}, and the status page at {@code /}. It listens on a TCP
 * address (loopback unless TLS is configured), where every call but the probes and the page's static
 * files needs a bearer token, and on a Unix socket only root can open, where xlb's own commands need none.
 */
public final class ApiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon.api");
    private static final String SCOPE = "xlb.scope";

    /**
     * Where to listen: {@code host}:{@code port} (port -1: no TCP listener; 0: any free port), the
     * token file, PEM certificate and key for TLS (both or neither), and the Unix socket (null: none).
     */
    public record Options(String host, int port, Path tokenFile, Path tlsCert, Path tlsKey, Path socket, Path managedDir,
                          int bodyLimit, String version) {
        public static final int DEFAULT_PORT = 9180;
        public static final int DEFAULT_BODY_LIMIT = 1 << 20;
    }

    /** One Prometheus scrape (the daemon's metrics). */
    public interface Scrape {
        String contentType();

        void write(OutputStream out) throws IOException;
    }

    private final Director director;
    private final ManagedDir managed;
    private final ApiTokens tokens;
    private final Scrape metrics;
    private final Options options;
    private final List<HttpServer> servers = new ArrayList<>();
    private final Router router;

    private ApiServer(Vertx vertx, Director director, Options options, ApiTokens tokens, Scrape metrics) {
        this.director = director;
        this.options = options;
        this.managed = new ManagedDir(options.managedDir());
        this.tokens = tokens;
        this.metrics = metrics;
        this.router = routes(vertx);
    }

    /**
     * Checks the options (a non-loopback address needs TLS), loads or creates the tokens, creates the
     * managed directory, and listens. Blocks until listening; throws if it cannot.
     */
    public static ApiServer start(Vertx vertx, Director director, Options options, Scrape metrics) throws IOException {
        ApiTokens tokens = preflight(options);
        boolean tls = options.tlsCert() != null;
        ApiServer api = new ApiServer(vertx, director, options, tokens, metrics);
        api.managed.create();
        try {
            if (options.port() >= 0) {
                // No cleartext HTTP/2 upgrade: clients speak HTTP/1.1 or TLS.
                HttpServerOptions o = new HttpServerOptions().setHost(options.host()).setPort(options.port())
                        .setHttp2ClearTextEnabled(false);
                if (tls) {
                    o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(options.tlsCert().toString())
                            .setKeyPath(options.tlsKey().toString()));
                }
                api.servers.add(vertx.createHttpServer(o).requestHandler(api.router).listen().await());
            }
            if (options.socket() != null) {
                Files.deleteIfExists(options.socket()); // left by a daemon killed hard
                api.servers.add(vertx.createHttpServer().requestHandler(api.router)
                        .listen(SocketAddress.domainSocketAddress(options.socket().toString())).await());
                Files.setPosixFilePermissions(options.socket(), PosixFilePermissions.fromString("rw-------"));
            }
        } catch (RuntimeException e) {
            api.close();
            throw new IllegalStateException("the API cannot listen on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage() + " (--api-listen HOST:PORT, or off)", e);
        }
        return api;
    }

    /**
     * What can be checked before listening: TLS needs both files (readable), an address other than
     * loopback needs TLS, and the token file must be root's (it is created if missing).
     */
    public static ApiTokens preflight(Options options) throws IOException {
        boolean tls = options.tlsCert() != null || options.tlsKey() != null;
        if (tls && (options.tlsCert() == null || options.tlsKey() == null)) {
            throw new IllegalArgumentException("--api-tls-cert and --api-tls-key go together");
        }
        if (tls && !(Files.isReadable(options.tlsCert()) && Files.isReadable(options.tlsKey()))) {
            throw new IllegalArgumentException("--api-tls-cert " + options.tlsCert() + " or --api-tls-key " + options.tlsKey()
                    + ": cannot read it");
        }
        if (options.port() >= 0 && !InetAddress.ofLiteral(options.host()).isLoopbackAddress() && !tls) {
            throw new IllegalArgumentException("--api-listen " + options.host() + ": an address other than loopback needs TLS"
                    + " (--api-tls-cert, --api-tls-key): the API's tokens would cross the network in clear");
        }
        return ApiTokens.load(options.tokenFile());
    }

    /** The TCP port listened on (when started with port 0), or -1. */
    public int port() {
        return servers.isEmpty() || options.port() < 0 ? -1 : servers.getFirst().actualPort();
    }

    public Router router() {
        return router;
    }

    // --- routes ---

    private Router routes(Vertx vertx) {
        Router r = Router.router(vertx);
        r.route().handler(ctx -> {
            ctx.response().putHeader("Cache-Control", "no-store");
            ctx.next();
        });
        r.get("/healthz").handler(ctx -> json(ctx, 200, SpecJson.MAPPER.createObjectNode().put("status", "ok")));
        r.get("/readyz").handler(ctx -> json(ctx, 200, SpecJson.MAPPER.createObjectNode().put("status", "ready")
                .put("etag", director.etag())));
        r.get("/api/v1/openapi.json").handler(ctx -> resource(ctx, "openapi.json", "application/json"));
        // The status page: static files without a token (they hold no data; their script asks /api/v1 with one).
        r.get("/").handler(ctx -> page(ctx, "status/index.html", "text/html; charset=utf-8"));
        r.get("/status.css").handler(ctx -> page(ctx, "status/status.css", "text/css; charset=utf-8"));
        r.get("/status.js").handler(ctx -> page(ctx, "status/status.js", "text/javascript; charset=utf-8"));
        r.route("/api/v1/*").handler(this::authorize);
        r.route("/metrics").handler(this::authorize);
        r.route("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(options.bodyLimit()));

        if (metrics != null) {
            r.get("/metrics").handler(ctx -> blocking(ctx, () -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                metrics.write(out);
                return out.toByteArray();
            }).onSuccess(bytes -> ctx.response().putHeader("Content-Type", metrics.contentType())
                    .end(io.vertx.core.buffer.Buffer.buffer(bytes))));
        }

        r.get("/api/v1/status").handler(ctx -> read(ctx, () -> new StatusJson(director, managed).status(options.version())));
        r.get("/api/v1/vrrp").handler(ctx -> read(ctx, () -> new StatusJson(director, managed).vrrp()));
        r.get("/api/v1/health").handler(ctx -> read(ctx, () -> new StatusJson(director, managed).health()));
        r.get("/api/v1/connections").handler(ctx -> read(ctx, () -> new StatusJson(director, managed)
                .connections(query(ctx, "offset", 0, Integer.MAX_VALUE, 0), query(ctx, "limit", 1, 10_000, 100))));
        r.get("/api/v1/services").handler(ctx -> read(ctx, () -> new ServiceView(director, managed).all(director.config())));
        r.get("/api/v1/services/:key").handler(ctx -> read(ctx, () -> new ServiceView(director, managed).of(
                existing(ServiceKey.parse(ctx.pathParam("key"))))));
        r.get("/api/v1/services/:key/reals").handler(ctx -> read(ctx, () -> new ServiceView(director, managed).of(
                existing(ServiceKey.parse(ctx.pathParam("key")))).get("reals")));
        r.get("/api/v1/services/:key/reals/:real").handler(ctx -> read(ctx, () -> new ServiceView(director, managed).real(
                existing(ServiceKey.parse(ctx.pathParam("key"))), endpoint(ctx))));

        r.put("/api/v1/services/:key").handler(ctx -> write(ctx, (c, key) -> c.putService(key, body(ctx), ""), true));
        r.patch("/api/v1/services/:key").handler(ctx -> write(ctx, (c, key) -> c.patchService(key, body(ctx), ""), true));
        r.delete("/api/v1/services/:key").handler(ctx -> write(ctx, (c, key) -> c.deleteService(key), false));
        r.put("/api/v1/services/:key/reals/:real").handler(ctx -> write(ctx, (c, key) -> c.putReal(key, endpoint(ctx), body(ctx), ""), true));
        r.patch("/api/v1/services/:key/reals/:real").handler(ctx -> write(ctx, (c, key) -> c.patchReal(key, endpoint(ctx), body(ctx), ""), true));
        r.delete("/api/v1/services/:key/reals/:real").handler(ctx -> write(ctx, (c, key) -> c.deleteReal(key, endpoint(ctx)), true));
        r.post("/api/v1/changes").handler(this::changes);
        r.post("/api/v1/config/reload").handler(this::reload);
        r.post("/api/v1/stop").handler(ctx -> {
            ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                    .end(SpecJson.MAPPER.createObjectNode().put("stopping", true).toString())
                    .onComplete(x -> director.stop());
        });

        r.route().last().handler(ctx -> fail(ctx, ApiProblem.notFound("no such resource: " + ctx.request().method() + " "
                + ctx.request().path() + " (see /api/v1/openapi.json)")));
        r.route().failureHandler(this::failure);
        return r;
    }

    private void authorize(RoutingContext ctx) {
        ApiTokens.Scope scope;
        SocketAddress local = ctx.request().localAddress();
        if (local != null && local.isDomainSocket()) {
            scope = ApiTokens.Scope.READ_WRITE; // only root can open the socket
        } else {
            String h = ctx.request().getHeader("Authorization");
            Optional<ApiTokens.Scope> s = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? tokens.scope(h.substring(7).strip()) : Optional.empty();
            if (s.isEmpty()) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"xlb\"");
                fail(ctx, new ApiProblem(401, "", h == null ? "no token: send Authorization: Bearer TOKEN (a token from "
                        + options.tokenFile() + ")" : "the token is not one of " + options.tokenFile() + "'s"));
                return;
            }
            scope = s.get();
        }
        HttpMethod m = ctx.request().method();
        if (scope == ApiTokens.Scope.READ_ONLY && !(m == HttpMethod.GET || m == HttpMethod.HEAD)) {
            fail(ctx, new ApiProblem(403, "", "this token is read-only; " + m + " needs a read-write (rw) token"));
            return;
        }
        ctx.put(SCOPE, scope);
        ctx.next();
    }

    private io.xlb.config.VirtualServer existing(ServiceKey key) {
        return ServiceView.find(director.config(), key).orElseThrow(() -> ApiProblem.notFound("no service " + key));
    }

    private static ServiceKey.Endpoint endpoint(RoutingContext ctx) {
        return ServiceKey.Endpoint.parse(ctx.pathParam("real"), "real " + ctx.pathParam("real"));
    }

    private static JsonNode body(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && !type.toLowerCase(java.util.Locale.ROOT).matches("application/([a-z0-9.+-]*\\+)?json(-patch)?(\\s*;.*)?|application/merge-patch\\+json(\\s*;.*)?")) {
            throw new ApiProblem(415, "", "the body is JSON: send Content-Type: application/json, not " + type);
        }
        return SpecJson.parse(ctx.body() == null || ctx.body().buffer() == null ? "" : ctx.body().asString());
    }

    private static int query(RoutingContext ctx, String name, int min, int max, int dflt) {
        String v = ctx.request().getParam(name);
        if (v == null) {
            return dflt;
        }
        if (!v.matches("[0-9]{1,10}") || Long.parseLong(v) < min || Long.parseLong(v) > max) {
            throw ApiProblem.badRequest("", "query parameter " + name + " is an integer from " + min + " to " + max + ", not " + v);
        }
        return Integer.parseInt(v);
    }

    private static boolean dryRun(RoutingContext ctx) {
        String v = ctx.request().getParam("dryRun");
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true") || v.isEmpty()) {
            return true;
        }
        throw ApiProblem.badRequest("", "query parameter dryRun is true or false, not " + v);
    }

    /** A GET: computed off the event loop (it reads the maps), with the configuration's ETag. */
    private void read(RoutingContext ctx, Callable<JsonNode> body) {
        String etag = director.etag();
        blocking(ctx, body).onSuccess(json -> {
            ctx.response().putHeader("ETag", quoted(etag));
            json(ctx, 200, json);
        });
    }

    private interface Edit {
        void on(ServiceChanges changes, ServiceKey key);
    }

    /** A write of one service: If-Match against the generation, then one atomic change, on the daemon's thread. */
    private void write(RoutingContext ctx, Edit edit, boolean returnsService) {
        ServiceKey key;
        boolean dry;
        try {
            key = ServiceKey.parse(ctx.pathParam("key"));
            dry = dryRun(ctx);
        } catch (ApiProblem p) {
            fail(ctx, p);
            return;
        }
        committed(ctx, dry, changes -> edit.on(changes, key), (changes, v) -> {
            ObjectNode out = verdict(v, dry);
            if (returnsService) {
                ServiceView.find(v.config(), key).ifPresent(vs -> out.set("service", SpecJson.write(ServiceText.read(vs))));
            }
            return new Answer(!dry && changes.created() ? 201 : 200, v.etag(), out);
        });
    }

    /** What a write's answer says, from its changes (made and committed) and their verdict. */
    private interface Answering {
        Answer answer(ServiceChanges changes, Director.Verdict verdict);
    }

    /**
     * The way every write of services goes: If-Match against the generation, then what {@code make}
     * changes, committed as one (only checked when {@code dry}), on the daemon's thread.
     */
    private void committed(RoutingContext ctx, boolean dry, Consumer<ServiceChanges> make, Answering answering) {
        String ifMatch = ctx.request().getHeader("If-Match");
        serialized(ctx, () -> {
            requireMatch(ifMatch);
            ServiceChanges changes = new ServiceChanges(director, managed);
            make.accept(changes);
            return answering.answer(changes, changes.commit(dry));
        });
    }

    /** {@code POST /api/v1/changes}: {"operations": [{"op", "service", "real"?, "body"?}, ...]}, all or none. */
    private void changes(RoutingContext ctx) {
        JsonNode doc;
        boolean dry;
        try {
            doc = body(ctx);
            dry = dryRun(ctx);
        } catch (ApiProblem p) {
            fail(ctx, p);
            return;
        }
        committed(ctx, dry, changes -> {
            JsonNode ops = doc.isObject() ? doc.get("operations") : null;
            if (ops == null || !ops.isArray() || ops.isEmpty()) {
                throw ApiProblem.invalid("/operations", "a non-empty array of operations");
            }
            doc.fieldNames().forEachRemaining(f -> {
                if (!f.equals("operations")) {
                    throw ApiProblem.invalid("/" + SpecJson.escape(f), "unknown field (known: operations)");
                }
            });
            for (int i = 0; i < ops.size(); i++) {
                operation(changes, ops.get(i), "/operations/" + i);
            }
        }, (changes, v) -> new Answer(200, v.etag(), verdict(v, dry)));
    }

    private static void operation(ServiceChanges changes, JsonNode op, String at) {
        if (!op.isObject()) {
            throw ApiProblem.invalid(at, "an operation is an object: {\"op\": \"put\"|\"patch\"|\"delete\", \"service\": KEY, \"real\"?: ADDRESS:PORT, \"body\"?: {...}}");
        }
        op.fieldNames().forEachRemaining(f -> {
            if (!List.of("op", "service", "real", "body").contains(f)) {
                throw ApiProblem.invalid(at + "/" + SpecJson.escape(f), "unknown field (known: body, op, real, service)");
            }
        });
        JsonNode kind = op.get("op");
        JsonNode service = op.get("service");
        JsonNode real = op.get("real");
        JsonNode body = op.get("body");
        if (kind == null || !kind.isTextual() || !List.of("put", "patch", "delete").contains(kind.asText())) {
            throw ApiProblem.invalid(at + "/op", "put, patch or delete");
        }
        if (service == null || !service.isTextual()) {
            throw ApiProblem.invalid(at + "/service", "a service key such as tcp:192.0.2.10:80");
        }
        if (real != null && !real.isTextual()) {
            throw ApiProblem.invalid(at + "/real", "a real server as ADDRESS:PORT");
        }
        ServiceKey key;
        ServiceKey.Endpoint ep;
        try {
            key = ServiceKey.parse(service.asText());
            ep = real == null ? null : ServiceKey.Endpoint.parse(real.asText(), "real " + real.asText());
        } catch (ApiProblem p) {
            throw ApiProblem.invalid(at + (p.getMessage().startsWith("real") ? "/real" : "/service"), p.items().getFirst().message());
        }
        boolean needsBody = !kind.asText().equals("delete");
        if (needsBody != (body != null)) {
            throw ApiProblem.invalid(at + "/body", needsBody ? "required for " + kind.asText() : "a delete takes no body");
        }
        switch (kind.asText()) {
            case "put" -> {
                if (ep == null) {
                    changes.putService(key, body, at + "/body");
                } else {
                    changes.putReal(key, ep, body, at + "/body");
                }
            }
            case "patch" -> {
                if (ep == null) {
                    changes.patchService(key, body, at + "/body");
                } else {
                    changes.patchReal(key, ep, body, at + "/body");
                }
            }
            default -> {
                if (ep == null) {
                    changes.deleteService(key);
                } else {
                    changes.deleteReal(key, ep);
                }
            }
        }
    }

    /** {@code POST /api/v1/config/reload}: the files on disk, checked and applied; the diff, or why not. */
    private void reload(RoutingContext ctx) {
        boolean dry;
        try {
            dry = dryRun(ctx);
        } catch (ApiProblem p) {
            fail(ctx, p);
            return;
        }
        serialized(ctx, () -> {
            Director.Verdict v = director.apply(ConfigFiles.DISK, dry ? null : Director.Writes.NONE);
            ObjectNode out = verdict(v, dry);
            if (!v.accepted()) {
                ArrayNode errors = out.putArray("errors");
                v.errors().forEach(d -> errors.add(SpecJson.MAPPER.createObjectNode().put("pointer", "").put("message", d.toString())));
                v.refusals().forEach(s -> errors.add(SpecJson.MAPPER.createObjectNode().put("pointer", "").put("message", s)));
                out.put("status", 422);
                out.put("title", "the configuration was refused; the running one stays");
                return new Answer(422, v.etag(), out);
            }
            return new Answer(200, v.etag(), out);
        });
    }

    private static ObjectNode verdict(Director.Verdict v, boolean dry) {
        ObjectNode out = SpecJson.MAPPER.createObjectNode();
        out.put("accepted", v.accepted());
        out.put("dryRun", dry);
        out.put("etag", v.etag());
        ArrayNode diff = out.putArray("diff");
        v.diff().forEach(diff::add);
        ArrayNode warnings = out.putArray("warnings");
        v.errors().stream().filter(d -> d.severity() == io.xlb.config.Diagnostic.Severity.WARNING)
                .forEach(d -> warnings.add(d.toString()));
        return out;
    }

    private void requireMatch(String ifMatch) {
        if (ifMatch == null) {
            throw new ApiProblem(428, "", "a write needs If-Match with the ETag of a GET (the configuration's generation), or *");
        }
        String now = quoted(director.etag());
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || t.equals(now)) {
                return;
            }
        }
        throw new ApiProblem(412, "", "the configuration changed since that ETag (now " + now + "): GET again, then write");
    }

    private record Answer(int status, String etag, JsonNode body) {}

    private void serialized(RoutingContext ctx, Callable<Answer> task) {
        Context context = Vertx.currentContext();
        Future.fromCompletionStage(director.serialized(task), context).onComplete(ar -> {
            if (ar.succeeded()) {
                Answer a = ar.result();
                ctx.response().putHeader("ETag", quoted(a.etag()));
                json(ctx, a.status(), a.body());
            } else {
                fail(ctx, ar.cause());
            }
        });
    }

    private <T> Future<T> blocking(RoutingContext ctx, Callable<T> body) {
        return ctx.vertx().<T>executeBlocking(body, false).onFailure(e -> fail(ctx, e));
    }

    private static String quoted(String etag) {
        return "\"" + etag + "\"";
    }

    private static void json(RoutingContext ctx, int status, JsonNode body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toPrettyString() + "\n");
    }

    private void resource(RoutingContext ctx, String name, String type) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                fail(ctx, ApiProblem.notFound("no " + name + " in this build"));
                return;
            }
            ctx.response().putHeader("Content-Type", type).end(io.vertx.core.buffer.Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            fail(ctx, e);
        }
    }

    /**
     * A file of the status page, with headers that keep it to itself: scripts and styles only from
     * this origin (no inline code, so data the API returns can never run), requests only to this
     * origin, no framing (the Drain button cannot be clicked through another site's page).
     */
    private void page(RoutingContext ctx, String name, String type) {
        ctx.response().putHeader("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self';"
                        + " connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Referrer-Policy", "no-referrer");
        resource(ctx, name, type);
    }

    private static void fail(RoutingContext ctx, Throwable t) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        ApiProblem p;
        if (e instanceof ApiProblem ap) {
            p = ap;
        } else {
            LOG.log(System.Logger.Level.ERROR, "API " + ctx.request().method() + " " + ctx.request().path(), e);
            p = new ApiProblem(500, "", "internal error: " + e);
        }
        problem(ctx, p);
    }

    private void failure(RoutingContext ctx) {
        if (ctx.failure() != null) {
            fail(ctx, ctx.failure());
            return;
        }
        int status = ctx.statusCode();
        problem(ctx, new ApiProblem(status, "", switch (status) {
            case 413 -> "the body is larger than " + options.bodyLimit() + " bytes";
            case 405 -> "method not allowed here";
            case 404 -> "no such resource";
            default -> "status " + status;
        }));
    }

    /** RFC 9457 problem details, each problem with the JSON pointer of the field it is about. */
    private static void problem(RoutingContext ctx, ApiProblem p) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(p.status());
        ObjectNode o = SpecJson.MAPPER.createObjectNode();
        o.put("status", p.status());
        o.put("title", ctx.response().getStatusMessage());
        o.put("detail", p.items().isEmpty() ? "" : p.items().getFirst().message());
        ArrayNode errors = o.putArray("errors");
        p.items().forEach(i -> errors.add(SpecJson.MAPPER.createObjectNode().put("pointer", i.pointer()).put("message", i.message())));
        ctx.response().putHeader("Content-Type", "application/problem+json")
                .end(o.toPrettyString() + "\n");
    }

    @Override
    public void close() {
        for (HttpServer s : servers) {
            try {
                s.close().await();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the API", e);
            }
        }
        servers.clear();
        if (options.socket() != null) {
            try {
                Files.deleteIfExists(options.socket());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "removing the API socket", e);
            }
        }
    }
}
