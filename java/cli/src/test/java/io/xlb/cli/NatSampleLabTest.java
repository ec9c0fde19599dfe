package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.testing.Privileged;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tier 3: keepalived's own NAT example, {@code doc/samples/keepalived.conf.vrrp.lvs_syncd} as
 * keepalived 2.2.7 ships it (Debian: /usr/share/doc/keepalived/samples/), run unchanged by the
 * daemon. Of keepalived's samples with {@code lb_kind NAT} it is the one that sets up a whole NAT
 * director: VIPs on the outside ({@code eth0}, VI_1 and VI_2), the reals' gateway as a VIP of an
 * instance on the inside ({@code eth1}, VI_3), the real 192.168.201.100:80 behind the VIP
 * 192.168.200.19:80, and a {@code TCP_CHECK} that a real nginx answers truthfully. The others
 * carry checks no lab can pass honestly: {@code keepalived.conf.sample}'s {@code HTTP_GET} and
 * {@code keepalived.conf.HTTP_GET.port}'s {@code SSL_GET} want a page whose MD5 is a given digest
 * (finding one is a preimage attack on MD5), and the MISC_CHECK samples call scripts that are not
 * shipped.
 *
 * <p>The topology is built around the sample's addresses, inside namespaces this test creates: the
 * outside segment 192.168.200.0/24 (the director's {@code eth0} at .2, a client at .50), the inside
 * segment 192.168.201.0/24 (the director's {@code eth1} at .2, the real at .100, its default route
 * via VI_3's 192.168.201.19). Nothing in the file is substituted. What xlb does not do is warned
 * about at its line, as keepalived 2.2.7's own {@code keepalived -t} does for the same lines: the
 * sync group's members written without {@code group { }} (keepalived: "Unknown keyword 'VI_2'"),
 * and {@code lvs_sync_daemon_interface} (IPVS's connection sync).
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "nginx", "curl", "bash"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatSampleLabTest {
    static final String SAMPLE = "keepalived.conf.vrrp.lvs_syncd";
    private static final Path INSTALLED = Path.of("/usr/share/doc/keepalived/samples", SAMPLE);
    private static final String VIP = "192.168.200.19";
    private static final String CLIENT = "192.168.200.50";
    private static final String REAL = "192.168.201.100";

    private final DirectorLab directorLab = new DirectorLab("natsample");
    private final Lab lab = directorLab.lab();
    private Lan outside;
    private Lan inside;
    private Path conf;
    private BackgroundProcess daemon;

    static byte[] sample(String name) throws Exception {
        try (InputStream in = NatSampleLabTest.class.getResourceAsStream("/keepalived-samples/" + name)) {
            return in.readAllBytes();
        }
    }

    @BeforeAll
    void build() throws Exception {
        outside = Lan.create(lab, "192.168.200", Map.of("client", 50, "director", 2));
        inside = Lan.create(lab, "192.168.201", Map.of("real", 100));
        Lan.Host director = outside.host("director");
        Lan.Host leg = inside.join(director, "eth1", "192.168.201.2/24");
        director.ns().exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        inside.host("real").ns().exec("ip", "route", "add", "default", "via", "192.168.201.19");
        Nginx.start(lab, inside.host("real"));
        conf = lab.scratch().resolve(SAMPLE);
        Files.write(conf, sample(SAMPLE));
        daemon = directorLab.daemon(conf).start(lab, director.ns(), "daemon");
        directorLab.passOnSwitchPort(outside, director);
        directorLab.passOnSwitchPort(inside, leg);
        // VI_2 (the VIP) and VI_3 (the reals' gateway) start as BACKUP: masters after the master-down timer.
        await(Duration.ofSeconds(30), () -> director.ns().exec("ip", "-4", "addr", "show", "dev", "eth0").contains(VIP + "/32")
                && director.ns().exec("ip", "-4", "addr", "show", "dev", "eth1").contains("192.168.201.19/32"));
    }

    @AfterAll
    void teardown() {
        directorLab.close();
    }

    /** The file in the test's resources is the one keepalived ships, byte for byte (checked where keepalived is installed). */
    @Test
    @Order(1)
    void theSampleIsKeepalivedsUnchanged() throws Exception {
        if (Files.exists(INSTALLED)) {
            assertArrayEquals(Files.readAllBytes(INSTALLED), sample(SAMPLE));
        }
        assertTrue(new String(sample(SAMPLE)).contains("lb_kind NAT"));
    }

    /** check-config takes it; each line xlb does not enforce is warned about where it is written, and nothing else. */
    @Test
    @Order(2)
    void checkConfigTakesItWarningWhereItDoesNotEnforce() {
        XlbRun check = XlbRun.of("check-config", "--offline", "-f", conf.toString());
        assertEquals(0, check.exit(), check.err());
        List<String> lines = check.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(3, lines.size(), check.err());
        assertTrue(lines.get(0).startsWith(conf + ":4:3: warning: unknown keyword 'VI_2' in vrrp_sync_group"), check.err());
        assertTrue(lines.get(1).startsWith(conf + ":5:3: warning: unknown keyword 'VI_3' in vrrp_sync_group"), check.err());
        assertTrue(lines.get(2).startsWith(conf + ":11:5: warning: IPVS's connection synchronisation daemon is ignored"), check.err());
    }

    /** The client fetches through the VIP from nginx on the real, whose replies cross the director by its inside gateway VIP. */
    @Test
    @Order(3)
    void theClientFetchesThroughTheVipFromTheRealBehindTheDirector() throws Exception {
        Lan.Host client = outside.host("client");
        await(Duration.ofSeconds(40), () -> client.ns().command("curl", "-sS", "--max-time", "2", "http://" + VIP + "/").result()
                .output().strip().equals("real"));
        String out = client.ns().command("bash", "-c",
                "for i in $(seq 10); do curl -sS --max-time 3 http://" + VIP + "/ || echo FAIL; done").withTimeout(Duration.ofMinutes(1)).run();
        assertEquals(List.of("real"), out.lines().map(String::strip).distinct().toList(), out);
        // NAT keeps the client's address: the real logged it (not the director's).
        String access = Files.readString(lab.scratch().resolve("nginx-real/access.log"));
        assertTrue(access.lines().filter(l -> l.startsWith(CLIENT + " ")).count() >= 10, access);

        // As ipvsadm -Ln lists it: rr, persistent 50, the real as Masq with weight 1.
        String list = directorLab.ipvsList();
        assertTrue(list.contains("TCP  " + VIP + ":80 rr persistent 50"), list);
        assertTrue(list.matches("(?s).*  -> " + REAL.replace(".", "\\.") + ":80 +Masq +1 .*"), list);
        // VI_1 (MASTER, priority 150) holds its three addresses too; VI_2 and VI_3 all of theirs.
        String eth0 = outside.host("director").ns().exec("ip", "-4", "addr", "show", "dev", "eth0");
        for (int a = 16; a <= 21; a++) {
            assertTrue(eth0.contains("192.168.200." + a + "/32"), eth0);
        }
        assertTrue(daemon.isAlive());
    }
}
