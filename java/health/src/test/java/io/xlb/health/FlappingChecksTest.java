package io.xlb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.xlb.lab.Command;
import io.xlb.lab.Netns;
import io.xlb.lab.Nginx;
import io.xlb.testing.Privileged;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each checker driven by its {@link CheckerLoop} on Vert.x's timers (real time, short intervals)
 * against a real peer that goes down and up twice: every transition is reported once, in order,
 * and nothing else is. Everything runs in a network namespace of the test's: peers, Vert.x's
 * threads (created from a thread inside it, they stay there) and the checks' sockets.
 */
@Privileged(tools = {"nginx", "openssl", "dnsmasq", "ss", "ip", "nsenter", "sysctl"})
class FlappingChecksTest {
    private static final Duration T = Duration.ofMillis(500);
    private static final Timing FAST = new Timing(Duration.ofMillis(150), 1, Duration.ofMillis(100), Duration.ZERO);
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    /** Something a checker checks, which the test can stop and start. */
    private interface Peer extends AutoCloseable {
        void up() throws Exception;

        void down() throws Exception;

        @Override
        default void close() throws Exception {
            down();
        }
    }

    private Netns ns;
    private Vertx vertx;
    private Path dir;

    @BeforeEach
    void start() throws Exception {
        ns = Netns.create("xlbt");
        vertx = ns.namespace().call(Vertx::vertx);
        dir = Files.createTempDirectory("xlb-flap");
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ns.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The peer starts up; goes down and up twice; the loop must report exactly up, down, up, down, up. */
    private void flaps(Check check, Peer peer) throws Exception {
        ns.namespace().call(() -> {
            flapsHere(check, peer);
            return null;
        });
    }

    private void flapsHere(Check check, Peer peer) throws Exception {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Clock clock = (delay, task) -> vertx.setTimer(Math.max(1, delay.toMillis()), id -> task.run());
        try (peer) {
            peer.up();
            CheckerLoop loop = new CheckerLoop(check, FAST, clock, false, s -> events.add(s.up() ? "up" : "down: " + s.reason()));
            loop.start();
            awaitEvents(events, 1);
            for (int cycle = 0; cycle < 2; cycle++) {
                peer.down();
                awaitEvents(events, 2 + 2 * cycle);
                peer.up();
                awaitEvents(events, 3 + 2 * cycle);
            }
            Thread.sleep(600); // a few more rounds while up: no further event
            loop.stop();
        }
        assertEquals(5, events.size(), events.toString());
        for (int i = 0; i < 5; i++) {
            assertEquals(i % 2 == 0, events.get(i).equals("up"), "event " + i + " of " + events);
        }
    }

    private static void awaitEvents(List<String> events, int n) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (events.size() < n) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("expected " + n + " transitions, got " + events);
            }
            Thread.sleep(20);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LO)) {
            return s.getLocalPort();
        }
    }

    /** A process of Debian's started and stopped on demand; up waits for its TCP or UDP port. */
    private final class ProcessPeer implements Peer {
        private final List<String> argv;
        private final int port;
        private final boolean udp;
        private Process process;

        ProcessPeer(int port, boolean udp, String... argv) {
            this.argv = List.of(argv);
            this.port = port;
            this.udp = udp;
        }

        @Override
        public void up() throws Exception {
            Path out = dir.resolve(Path.of(argv.getFirst()).getFileName() + ".out");
            process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            Instant deadline = Instant.now().plusSeconds(15);
            while (Command.of("ss", udp ? "-Huln" : "-Htln", "sport = :" + port).run().isBlank()) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new AssertionError(argv.getFirst() + " did not listen on " + port + ": " + Files.readString(out));
                }
                Thread.sleep(20);
            }
        }

        @Override
        public void down() throws Exception {
            if (process != null) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
                process = null;
            }
        }
    }

    private ProcessPeer nginx(int port, boolean ssl) throws Exception {
        Files.createDirectories(dir.resolve("html"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("html/index.html"), "rs1\n");
        String listen = "listen 127.0.0.1:" + port + ";";
        if (ssl) {
            Command.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=rs1.test",
                    "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString()).run();
            listen = "listen 127.0.0.1:%d ssl; ssl_certificate %s; ssl_certificate_key %s;"
                    .formatted(port, dir.resolve("cert.pem"), dir.resolve("key.pem"));
        }
        Files.writeString(dir.resolve("nginx.conf"), Nginx.config(dir, listen));
        for (Path p : List.of(dir, dir.resolve("html"), dir.resolve("html/index.html"))) {
            p.toFile().setReadable(true, false);
            p.toFile().setExecutable(true, false);
        }
        return new ProcessPeer(port, false, "nginx", "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString());
    }

    @Test
    void tcpAgainstNginx() throws Exception {
        int port = freePort();
        flaps(Checks.of(vertx, new CheckSpec.Tcp("127.0.0.1", port, T)), nginx(port, false));
    }

    @Test
    void httpWithDigestAgainstNginx() throws Exception {
        int port = freePort();
        flaps(Checks.of(vertx, new CheckSpec.Http("127.0.0.1", port, false,
                List.of(new CheckSpec.Url("/", Set.of(200), Checks.md5("rs1\n".getBytes()))), null, T)), nginx(port, false));
    }

    @Test
    void httpsAgainstNginxWithASelfSignedCertificate() throws Exception {
        int port = freePort();
        flaps(Checks.of(vertx, new CheckSpec.Http("127.0.0.1", port, true,
                List.of(new CheckSpec.Url("/", Set.of(200), null)), "rs1.test", T)), nginx(port, true));
    }

    @Test
    void dnsAgainstDnsmasq() throws Exception {
        int port = freePort();
        flaps(Checks.of(vertx, new CheckSpec.Dns("127.0.0.1", port, "A", "example.com", T)), new ProcessPeer(port, true,
                "dnsmasq", "--no-daemon", "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                "--no-hosts", "--address=/example.com/192.0.2.1", "--pid-file=" + dir.resolve("dnsmasq.pid")));
    }

    @Test
    void smtpAgainstAiosmtpd() throws Exception {
        int port = freePort();
        flaps(Checks.of(vertx, new CheckSpec.Smtp("127.0.0.1", port, "lb.example.com", T)), new ProcessPeer(port, false,
                "/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + port));
    }

    @Test
    void udpAgainstAnEchoResponder() throws Exception {
        int port = freePort();
        flaps(Checks.of(vertx, new CheckSpec.Udp("127.0.0.1", port, "ping".getBytes(), T)), new Peer() {
            private DatagramSocket socket;

            @Override
            public void up() throws Exception {
                DatagramSocket s = new DatagramSocket(port, LO);
                socket = s;
                Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            DatagramPacket p = new DatagramPacket(new byte[512], 512);
                            s.receive(p);
                            s.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                        }
                    } catch (IOException closed) {
                        // down(): the responder stops
                    }
                });
            }

            @Override
            public void down() {
                if (socket != null) {
                    socket.close();
                    socket = null;
                }
            }
        });
    }

    @Test
    void pingAgainstANamespaceThatStopsAnswering() throws Exception {
        flaps(Checks.of(vertx, new CheckSpec.Ping("127.0.0.1", T)), new Peer() {
            @Override
            public void up() {
                ns.exec("sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=0");
            }

            @Override
            public void down() {
                ns.exec("sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=1");
            }
        });
    }

    @Test
    void miscScriptWhoseExitCodeTheTestSets() throws Exception {
        Path code = dir.resolve("code");
        flaps(Checks.of(vertx, new CheckSpec.Misc("exit $(cat " + code + ")", T, false)), new Peer() {
            @Override
            public void up() throws IOException {
                Files.writeString(code, "0");
            }

            @Override
            public void down() throws IOException {
                Files.writeString(code, "1");
            }
        });
    }
}
