package io.xlb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Netns;
import io.xlb.testing.Privileged;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * UDP, PING, DNS (Debian's dnsmasq), SMTP and MISC checkers against real peers on loopback or in
 * a namespace, each up and down. Root: ICMP echo and dnsmasq need it.
 */
@Privileged(tools = {"dnsmasq", "ip", "nsenter", "sysctl"})
class BlockingChecksTest {
    private static final Duration T = Duration.ofMillis(800);
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    @Test
    void udpPassesOnAReplyAndFailsOnPortUnreachable() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, LO)) {
            Thread responder = Thread.ofVirtual().start(() -> {
                try {
                    DatagramPacket p = new DatagramPacket(new byte[512], 512);
                    echo.receive(p);
                    echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            assertNull(BlockingChecks.udp(new CheckSpec.Udp("127.0.0.1", echo.getLocalPort(), "ping".getBytes(), T)));
            responder.join(2000);
        }
        int closed;
        try (DatagramSocket s = new DatagramSocket(0, LO)) {
            closed = s.getLocalPort();
        }
        assertEquals("UDP 127.0.0.1:" + closed + ": port unreachable",
                BlockingChecks.udp(new CheckSpec.Udp("127.0.0.1", closed, "ping".getBytes(), T)));
    }

    @Test
    void udpAndSmtpLeaveFromTheBindtoAddress() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, LO)) {
            java.util.concurrent.CompletableFuture<String> from = new java.util.concurrent.CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    DatagramPacket p = new DatagramPacket(new byte[512], 512);
                    echo.receive(p);
                    from.complete(p.getAddress().getHostAddress());
                    echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (Exception e) {
                    from.completeExceptionally(e);
                }
            });
            assertNull(BlockingChecks.udp(new CheckSpec.Udp("127.0.0.1", echo.getLocalPort(), "ping".getBytes(), T, "127.0.0.4")));
            assertEquals("127.0.0.4", from.get(5, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertEquals("bindto 192.0.2.99 is not an address of this host",
                BlockingChecks.ping(new CheckSpec.Ping("127.0.0.1", T, "192.0.2.99")));
    }

    @Test
    void requireReplyChecksThatAReplyComesAndWhatItSays() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, LO); DatagramSocket silent = new DatagramSocket(0, LO)) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        DatagramPacket p = new DatagramPacket(new byte[512], 512);
                        echo.receive(p);
                        echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    }
                } catch (Exception closed) {
                    // the test is over
                }
            });
            byte[] ping = "ping".getBytes();
            int port = echo.getLocalPort();
            assertNull(BlockingChecks.udp(new CheckSpec.Udp("127.0.0.1", port, ping, T, null,
                    new CheckSpec.Reply("pi".getBytes(), 4, 4))));
            assertEquals("UDP 127.0.0.1:" + port + ": reply does not start with 706f", BlockingChecks.udp(new CheckSpec.Udp(
                    "127.0.0.1", port, ping, T, null, new CheckSpec.Reply("po".getBytes(), null, null))));
            assertEquals("UDP 127.0.0.1:" + port + ": reply of 4 bytes, expected 8..65535", BlockingChecks.udp(new CheckSpec.Udp(
                    "127.0.0.1", port, ping, T, null, new CheckSpec.Reply(new byte[0], 8, null))));
            int quiet = silent.getLocalPort();
            assertNull(BlockingChecks.udp(new CheckSpec.Udp("127.0.0.1", quiet, ping, T)), "silence passes without require_reply");
            assertEquals("UDP 127.0.0.1:" + quiet + ": no reply within 800 ms", BlockingChecks.udp(new CheckSpec.Udp(
                    "127.0.0.1", quiet, ping, T, null, new CheckSpec.Reply(new byte[0], null, null))));
        }
    }

    @Test
    void pingPassesOnAnEchoReplyAndFailsWhereEchoIsIgnored() throws Exception {
        assertNull(BlockingChecks.ping(new CheckSpec.Ping("127.0.0.1", T)));
        try (Netns ns = Netns.create("xlbt")) {
            ns.exec("sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=1");
            String failure = ns.namespace().call(() -> BlockingChecks.ping(new CheckSpec.Ping("127.0.0.1", T)));
            assertEquals("no ICMP echo reply from 127.0.0.1 within 800 ms", failure);
        }
    }

    @Test
    void dnsAgainstDnsmasq() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, LO)) {
            port = probe.getLocalPort();
        }
        try (Lab lab = new Lab("xlbt")) {
            Netns ns = lab.namespace();
            BackgroundProcess dnsmasq = lab.start(ns, "dnsmasq", "dnsmasq", "--no-daemon", "--port=" + port,
                    "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--address=/example.com/192.0.2.1", "--pid-file=" + lab.scratch().resolve("dnsmasq.pid"));
            String ok = null;
            for (int i = 0; i < 50; i++) { // until dnsmasq listens
                ok = ns.namespace().call(() -> BlockingChecks.dns(new CheckSpec.Dns("127.0.0.1", port, "A", "example.com", T)));
                if (ok == null) {
                    break;
                }
                Thread.sleep(100);
            }
            assertNull(ok, dnsmasq.log());
            String refused = ns.namespace().call(() -> BlockingChecks.dns(new CheckSpec.Dns("127.0.0.1", port, "A", "other.test", T)));
            assertTrue(refused.startsWith("DNS answer for other.test A has RCODE"), refused);
            dnsmasq.close();
            String down = ns.namespace().call(() -> BlockingChecks.dns(new CheckSpec.Dns("127.0.0.1", port, "A", "example.com", T)));
            assertTrue(down.contains("port unreachable") || down.contains("no DNS answer"), down);
        }
    }

    /** An SMTP listener answering one session with the given banner. */
    private static Thread smtpServer(ServerSocket server, String banner) {
        return Thread.ofVirtual().start(() -> {
            try (Socket c = server.accept()) {
                OutputStream out = c.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                out.write((banner + "\r\n").getBytes(StandardCharsets.US_ASCII));
                String helo = in.readLine();
                out.write((helo != null && helo.startsWith("HELO ") ? "250 hello\r\n" : "500 what\r\n").getBytes(StandardCharsets.US_ASCII));
                in.readLine();
            } catch (Exception ignored) {
                // the check may hang up first
            }
        });
    }

    @Test
    void smtpNeedsA220BannerAnd250ToHelo() throws Exception {
        try (ServerSocket good = new ServerSocket(0, 5, LO); ServerSocket busy = new ServerSocket(0, 5, LO)) {
            smtpServer(good, "220-mail.example.com ESMTP\r\n220 ready");
            assertNull(BlockingChecks.smtp(new CheckSpec.Smtp("127.0.0.1", good.getLocalPort(), "lb.example.com", T)));
            smtpServer(busy, "554 no service");
            assertEquals("SMTP banner: 554 no service",
                    BlockingChecks.smtp(new CheckSpec.Smtp("127.0.0.1", busy.getLocalPort(), "lb.example.com", T)));
        }
    }

    @Test
    void miscByExitCodeAndTimeout() throws Exception {
        assertEquals(Verdict.PASS, BlockingChecks.misc(new CheckSpec.Misc("exit 0", T, false)));
        assertEquals(new Verdict.Fail("'exit 1' exited 1"), BlockingChecks.misc(new CheckSpec.Misc("exit 1", T, false)));
        assertEquals(new Verdict.Fail("'exit 5' exited 5"), BlockingChecks.misc(new CheckSpec.Misc("exit 5", T, false)));
        assertEquals(new Verdict.Pass(java.util.OptionalInt.of(3)), BlockingChecks.misc(new CheckSpec.Misc("exit 5", T, true)),
                "misc_dynamic: 2..255 pass, weight = code - 2");
        assertEquals(Verdict.PASS, BlockingChecks.misc(new CheckSpec.Misc("exit 0", T, true)), "0: weight unchanged");
        assertEquals(new Verdict.Fail("'exit 1' exited 1"), BlockingChecks.misc(new CheckSpec.Misc("exit 1", T, true)));
        assertEquals(new Verdict.Fail("'sleep 5' did not finish within 300 ms"),
                BlockingChecks.misc(new CheckSpec.Misc("sleep 5", Duration.ofMillis(300), false)));
    }
}
