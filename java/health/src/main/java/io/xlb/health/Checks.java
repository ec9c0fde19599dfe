package io.xlb.health;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.vertx.core.internal.VertxInternal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;

/** The checkers on Vert.x's event loops, no thread per check (blocking ones on its worker pool). */
public final class Checks {
    /** A TCP check reads nothing: whatever the server sends before the close is dropped at the pipeline's tail. */
    private static final ChannelHandler IGNORE_INBOUND = new IgnoreInbound();

    /** How Netty's native transport words a failed call, before the system's own text (strerror). */
    private static final String NATIVE_CALL_FAILED = "(..) failed with error(";

    private Checks() {}

    @ChannelHandler.Sharable
    private static final class IgnoreInbound extends ChannelInboundHandlerAdapter {}

    public static Check of(Vertx vertx, CheckSpec spec) {
        return switch (spec) {
            case CheckSpec.Tcp tcp -> tcp(vertx, tcp);
            case CheckSpec.Http http -> http(vertx, http);
            case CheckSpec.Udp udp -> blocking(vertx, () -> Verdict.of(BlockingChecks.udp(udp)));
            case CheckSpec.Ping ping -> blocking(vertx, () -> Verdict.of(BlockingChecks.ping(ping)));
            case CheckSpec.Dns dns -> blocking(vertx, () -> Verdict.of(BlockingChecks.dns(dns)));
            case CheckSpec.Smtp smtp -> blocking(vertx, () -> Verdict.of(BlockingChecks.smtp(smtp)));
            case CheckSpec.Misc misc -> blocking(vertx, () -> BlockingChecks.misc(misc));
        };
    }

    /** A check of blocking calls on Vert.x's worker pool (each bounded by its own timeout). */
    static Check blocking(Vertx vertx, java.util.concurrent.Callable<Verdict> body) {
        return () -> vertx.executeBlocking(() -> {
            try {
                return body.call();
            } catch (java.io.IOException e) {
                return (Verdict) new Verdict.Fail(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }, false).toCompletionStage();
    }

    /**
     * A TCP_CHECK: a connection accepted, then closed. Straight on Netty, on the event loop of the
     * context that runs the check (its real's, see EventLoopClocks): a connect and a close are all it
     * needs, and Vert.x's NetSocket around each (its inbound queue, handlers, close hooks) cost the
     * checker more CPU and garbage than the connection itself at thousands of reals.
     */
    static Check tcp(Vertx vertx, CheckSpec.Tcp spec) {
        VertxInternal vx = (VertxInternal) vertx;
        InetSocketAddress remote = new InetSocketAddress(InetAddress.ofLiteral(spec.host()), spec.port());
        InetSocketAddress local = spec.bindto() == null ? null : new InetSocketAddress(InetAddress.ofLiteral(spec.bindto()), 0);
        Bootstrap connections = new Bootstrap()
                .channelFactory(vx.transport().channelFactory(false))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) spec.connectTimeout().toMillis())
                .handler(IGNORE_INBOUND);
        String failed = "connect to " + spec.host() + ":" + spec.port() + " failed: ";
        return () -> {
            CompletableFuture<Verdict> verdict = new CompletableFuture<>();
            Bootstrap b = connections.clone(vx.getOrCreateContext().nettyEventLoop());
            ChannelFuture connect = local == null ? b.connect(remote) : b.connect(remote, local);
            connect.addListener((ChannelFuture f) -> {
                if (f.isSuccess()) {
                    f.channel().close().addListener(closed -> verdict.complete(Verdict.PASS));
                } else {
                    verdict.complete(new Verdict.Fail(failed + connectFailure(f.cause())));
                }
            });
            return verdict;
        };
    }

    /**
     * Why a connect failed, the same on either transport: epoll's errors read "finishConnect(..) failed
     * with error(-111): Connection refused", NIO's "Connection refused: /address:port".
     */
    static String connectFailure(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        int call = message.indexOf(NATIVE_CALL_FAILED);
        int errno = call < 0 ? -1 : message.indexOf("): ", call);
        return errno < 0 ? message : message.substring(errno + 3);
    }

    static Check http(Vertx vertx, CheckSpec.Http spec) {
        var client = vertx.createHttpClient(new HttpClientOptions()
                .setSsl(spec.ssl()).setTrustAll(true).setVerifyHost(false)
                .setConnectTimeout((int) spec.connectTimeout().toMillis()).setLocalAddress(spec.bindto())
                .setKeepAlive(false));
        return () -> {
            Future<String> chain = Future.succeededFuture(null);
            for (CheckSpec.Url url : spec.urls()) {
                chain = chain.compose(previous -> previous != null ? Future.succeededFuture(previous) : get(client, spec, url));
            }
            return stage(chain);
        };
    }

    private static Future<String> get(io.vertx.core.http.HttpClient client, CheckSpec.Http spec, CheckSpec.Url url) {
        RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setHost(spec.host()).setPort(spec.port())
                .setURI(url.path()).setTimeout(spec.connectTimeout().toMillis());
        if (spec.virtualhost() != null) {
            req.putHeader("Host", spec.virtualhost());
        }
        String where = (spec.ssl() ? "https://" : "http://") + spec.host() + ":" + spec.port() + url.path();
        return client.request(req)
                .compose(r -> r.send())
                .compose(resp -> resp.body().map(body -> verdict(where, url, resp.statusCode(), body)))
                .recover(e -> Future.succeededFuture("GET " + where + " failed: " + e.getMessage()));
    }

    static String verdict(String where, CheckSpec.Url url, int status, Buffer body) {
        boolean statusOk = url.statuses().isEmpty() ? status >= 200 && status < 300 : url.statuses().contains(status);
        if (!statusOk) {
            return "GET " + where + " answered " + status;
        }
        if (url.digest() != null) {
            String got = md5(body.getBytes());
            if (!got.equalsIgnoreCase(url.digest())) {
                return "GET " + where + " body digest " + got + ", expected " + url.digest();
            }
        }
        return null;
    }

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CompletionStage<Verdict> stage(Future<String> failure) {
        return failure.map(Verdict::of).toCompletionStage();
    }
}
