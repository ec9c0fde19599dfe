package io.xlb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.xlb.lab.Command;
import io.xlb.lab.Nginx;
import io.xlb.testing.Privileged;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SSL_GET against Debian's nginx serving HTTPS with a self-signed certificate (made by openssl), on
 * loopback: keepalived does not verify real servers' certificates, and neither does xlb.
 */
@Privileged(tools = {"nginx", "openssl", "ss"})
class SslCheckTest {
    @Test
    void sslGetUpWrongStatusAndDown() throws Exception {
        Path dir = Files.createTempDirectory("xlb-ssl");
        Vertx vertx = Vertx.vertx();
        Process nginx = null;
        try {
            Command.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=rs1.test",
                    "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString()).run();
            Files.createDirectories(dir.resolve("html"));
            Files.createDirectories(dir.resolve("tmp"));
            Files.writeString(dir.resolve("html/index.html"), "rs1\n");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Files.writeString(dir.resolve("nginx.conf"), Nginx.config(dir, "listen 127.0.0.1:%d ssl; ssl_certificate %s; ssl_certificate_key %s;"
                    .formatted(port, dir.resolve("cert.pem"), dir.resolve("key.pem"))));
            for (Path p : List.of(dir, dir.resolve("html"), dir.resolve("html/index.html"))) {
                p.toFile().setReadable(true, false);
                p.toFile().setExecutable(true, false);
            }
            nginx = new ProcessBuilder("nginx", "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            Instant deadline = Instant.now().plusSeconds(10);
            while (Command.of("ss", "-Htln", "sport = :" + port).run().isBlank()) {
                assertTrue(nginx.isAlive() && Instant.now().isBefore(deadline), "nginx did not start: " + Files.readString(dir.resolve("nginx.out")));
                Thread.sleep(50);
            }
            Duration t = Duration.ofSeconds(3);
            String digest = Checks.md5("rs1\n".getBytes());
            assertNull(run(Checks.of(vertx, new CheckSpec.Http("127.0.0.1", port, true,
                    List.of(new CheckSpec.Url("/", Set.of(200), digest)), "rs1.test", t))));
            assertEquals("GET https://127.0.0.1:" + port + "/missing answered 404", run(Checks.of(vertx, new CheckSpec.Http(
                    "127.0.0.1", port, true, List.of(new CheckSpec.Url("/missing", Set.of(), null)), null, t))));
            // Plain HTTP_GET on the TLS port is not mistaken for a pass.
            String plain = run(Checks.of(vertx, new CheckSpec.Http("127.0.0.1", port, false, List.of(new CheckSpec.Url("/", Set.of(), null)), null, t)));
            assertTrue(plain != null, "plain HTTP to a TLS port passed");
            nginx.destroy();
            nginx.waitFor(10, TimeUnit.SECONDS);
            String down = run(Checks.of(vertx, new CheckSpec.Http("127.0.0.1", port, true, List.of(new CheckSpec.Url("/", Set.of(), null)), null, t)));
            assertTrue(down != null && down.contains("127.0.0.1:" + port), "after nginx stopped: " + down);
        } finally {
            if (nginx != null) {
                nginx.destroyForcibly();
                nginx.waitFor(10, TimeUnit.SECONDS);
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String run(Check c) throws Exception {
        return c.attempt().toCompletableFuture().get(10, TimeUnit.SECONDS).failure();
    }
}
