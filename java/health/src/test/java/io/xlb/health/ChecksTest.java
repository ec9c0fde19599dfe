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
