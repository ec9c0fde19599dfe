package io.xlb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TCP and HTTP checkers against servers on loopback. */
class ChecksTest {
    private Vertx vertx;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String run(Check c) throws Exception {
        return c.attempt().toCompletableFuture().get(10, TimeUnit.SECONDS).failure();
    }

    @Test
    void tcpPassesOnAnAcceptedConnectionAndFailsOnARefusedOne() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            assertNull(run(Checks.of(vertx, new CheckSpec.Tcp("127.0.0.1", port, Duration.ofSeconds(2)))));
        }
        String failure = run(Checks.of(vertx, new CheckSpec.Tcp("127.0.0.1", port, Duration.ofSeconds(2))));
        assertTrue(failure.startsWith("connect to 127.0.0.1:" + port + " failed"), failure);
    }

    @Test
    void aRefusedTcpCheckReadsTheSameOnEpollAsOnNio() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
        }
        Vertx epoll = NativeTransportVertx.create();
        try {
            assertTrue(epoll.isNativeTransportEnabled(), String.valueOf(epoll.unavailableNativeTransportCause()));
            for (Vertx v : List.of(vertx, epoll)) {
                String failure = run(Checks.of(v, new CheckSpec.Tcp("127.0.0.1", port, Duration.ofSeconds(2))));
                assertTrue(failure.startsWith("connect to 127.0.0.1:" + port + " failed: Connection refused"), failure);
            }
        } finally {
            epoll.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void bindtoSetsTheSourceAddressOfTcpAndHttpChecks() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CompletableFuture<String> peer = new java.util.concurrent.CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (java.net.Socket c = server.accept()) {
                    peer.complete(c.getInetAddress().getHostAddress());
                } catch (Exception e) {
                    peer.completeExceptionally(e);
                }
            });
            assertNull(run(Checks.of(vertx, new CheckSpec.Tcp("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(2), "127.0.0.2"))));
            assertEquals("127.0.0.2", peer.get(5, TimeUnit.SECONDS));
        }
        HttpServer server = vertx.createHttpServer().requestHandler(req -> req.response().end(req.remoteAddress().host()));
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        assertNull(run(Checks.of(vertx, new CheckSpec.Http("127.0.0.1", port, false,
                List.of(new CheckSpec.Url("/", Set.of(200), Checks.md5("127.0.0.3".getBytes()))), null, Duration.ofSeconds(2),
                "127.0.0.3"))), "the body (the client's address) has the digest of 127.0.0.3");
    }

    @Test
    void httpChecksStatusAndDigestOfEveryUrl() throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            switch (req.path()) {
                case "/health" -> req.response().end("ok\n");
                case "/teapot" -> req.response().setStatusCode(418).end();
                default -> req.response().setStatusCode(404).end();
            }
        });
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        String okDigest = Checks.md5("ok\n".getBytes());
        Duration t = Duration.ofSeconds(2);
        assertNull(run(Checks.of(vertx, new CheckSpec.Http("127.0.0.1", port, false,
                List.of(new CheckSpec.Url("/health", Set.of(), okDigest), new CheckSpec.Url("/teapot", Set.of(418), null)),
                "www.example.com", t))));
        assertEquals("GET http://127.0.0.1:" + port + "/teapot answered 418", run(Checks.of(vertx, new CheckSpec.Http(
                "127.0.0.1", port, false, List.of(new CheckSpec.Url("/teapot", Set.of(), null)), null, t))));
        assertEquals("GET http://127.0.0.1:" + port + "/health body digest " + okDigest + ", expected 00000000000000000000000000000000",
                run(Checks.of(vertx, new CheckSpec.Http("127.0.0.1", port, false,
                        List.of(new CheckSpec.Url("/health", Set.of(), "00000000000000000000000000000000")), null, t))));
    }
}
