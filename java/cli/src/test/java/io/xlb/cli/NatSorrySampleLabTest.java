package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.dataplane.Dataplane;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.testing.Privileged;
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
 * Tier 3: keepalived's main sample, {@code doc/samples/keepalived.conf.sample} (keepalived 2.2.7),
 * run unchanged, one-armed NAT: the VIP 10.10.10.2:1358 (no VRRP address; the client, 172.16.200.50
 * on the same wire in a subnet of its own, routes 10.10.10.0/24 through VI_1's 192.168.200.11),
 * the real 192.168.200.2:1358 and the sorry server 192.168.200.200:1358, nginx both, with their
 * default route through VI_1's address.
 *
 * <p>Nothing is substituted, so the run is what the file says: the real's {@code HTTP_GET} wants
 * /testurl3/test.jsp to have the MD5 digest 640205b7b0fc66c1ea91c463fac6334d, which no page a lab
 * can write honestly has (that would take a preimage of MD5). The real serves a page there, the
 * check fails on its digest, the real is taken out, and the service's {@code sorry_server}, NATed
 * as its {@code lb_kind} says, answers the client through the VIP: the sample's own fallback path.
 * {@link NatSampleLabTest} shows a real serving (keepalived's NAT sample whose check can pass).
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "nginx", "curl", "bash"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatSorrySampleLabTest {
    static final String SAMPLE = "keepalived.conf.sample";
    private static final Path INSTALLED = Path.of("/usr/share/doc/keepalived/samples", SAMPLE);
    private static final String VIP = "10.10.10.2";
    private static final String CLIENT = "172.16.200.50";

    private final DirectorLab directorLab = new DirectorLab("natsorry");
    private final Lab lab = directorLab.lab();
    private Lan lan;
    private Path conf;
    private BackgroundProcess daemon;

    @BeforeAll
    void build() throws Exception {
        // The director at .254: the sample's smtp_server is .1.
        lan = Lan.create(lab, "192.168.200", Map.of("client", 50, "director", 254, "real", 2, "sorry", 200));
        Lan.Host director = lan.host("director");
        director.ns().exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        // The client in a subnet of its own on the same wire (as a client behind a router would be): the reals reach it only
        // through their default route, the director; on the reals' own subnet they would answer it directly, un-NATed.
        Lan.Host client = lan.host("client");
        client.ns().exec("ip", "addr", "flush", "dev", Lan.HOST_IF);
        client.ns().exec("ip", "addr", "add", CLIENT + "/24", "dev", Lan.HOST_IF);
        client.ns().exec("ip", "route", "add", "192.168.200.11", "dev", Lan.HOST_IF);
        client.ns().exec("ip", "route", "add", "10.10.10.0/24", "via", "192.168.200.11");
        director.ns().exec("ip", "addr", "add", "172.16.200.254/24", "dev", Lan.HOST_IF);
        for (String host : List.of("real", "sorry")) {
            lan.host(host).ns().exec("ip", "route", "add", "default", "via", "192.168.200.11");
            Nginx.start(lab, lan.host(host), 1358);
        }
        // The page the real's check asks for, truthfully the real's (its digest is not the sample's).
        Path page = lab.scratch().resolve("nginx-real/html/testurl3/test.jsp");
        Files.createDirectories(page.getParent());
        Files.writeString(page, "real\n");
        page.getParent().toFile().setExecutable(true, false);
        page.getParent().toFile().setReadable(true, false);
        page.toFile().setReadable(true, false);
        conf = lab.scratch().resolve(SAMPLE);
        Files.write(conf, NatSampleLabTest.sample(SAMPLE));
        daemon = directorLab.daemon(conf).start(lab, director.ns(), "daemon");
        directorLab.passOnSwitchPort(lan, director);
        // VI_1 starts as BACKUP (nopreempt): master after the master-down timer.
        await(Duration.ofSeconds(30), () -> director.ns().exec("ip", "-4", "addr", "show", "dev", "eth0").contains("192.168.200.11/32"));
    }

    @AfterAll
    void teardown() {
        directorLab.close();
    }

    @Test
    @Order(1)
    void theSampleIsKeepalivedsUnchangedAndCheckConfigTakesItWithoutAWord() throws Exception {
        if (Files.exists(INSTALLED)) {
            assertArrayEquals(Files.readAllBytes(INSTALLED), NatSampleLabTest.sample(SAMPLE));
        }
        XlbRun check = XlbRun.of("check-config", "--offline", "-f", conf.toString());
        assertEquals(0, check.exit(), check.err());
        assertEquals("", check.err().strip(), "every line of it is enforced");
    }

    /** The real fails its digest check; the sorry server answers the client through the VIP, NATed both ways. */
    @Test
    @Order(2)
    void theRealFailsItsDigestAndTheSorryServerAnswersThroughTheVip() throws Exception {
        Lan.Host client = lan.host("client");
        // retry 3, delay_before_retry 3, delay_loop 6: down within about 20 s.
        await(Duration.ofSeconds(60), () -> daemon.log().contains("body digest"));
        assertTrue(daemon.log().contains("expected 640205b7b0fc66c1ea91c463fac6334d"), daemon.log());
        String[] last = {""};
        try {
            await(Duration.ofSeconds(30), () -> {
                var r = client.ns().command("curl", "-sS", "--max-time", "2", "http://" + VIP + ":1358/").result();
                last[0] = r.output();
                return r.output().strip().equals("sorry");
            });
        } catch (AssertionError e) {
            throw new AssertionError("last answer: " + last[0] + "\n" + directorLab.ipvsList() + "\n"
                    + directorLab.adopted(Dataplane::reasons) + "\n" + daemon.log(), e);
        }
        String out = client.ns().command("bash", "-c",
                "for i in $(seq 10); do curl -sS --max-time 3 http://" + VIP + ":1358/ || echo FAIL; done").withTimeout(Duration.ofMinutes(1)).run();
        assertEquals(List.of("sorry"), out.lines().map(String::strip).distinct().toList(), out);
        String access = Files.readString(lab.scratch().resolve("nginx-sorry/access.log"));
        assertTrue(access.lines().filter(l -> l.startsWith(CLIENT + " ")).count() >= 10, "NAT keeps the client's address: " + access);
        String list = directorLab.ipvsList();
        assertTrue(list.contains("TCP  " + VIP + ":1358 rr persistent 50"), list);
        assertTrue(list.matches("(?s).*  -> 192\\.168\\.200\\.200:1358 +Masq +1 .*"), list);
        assertTrue(daemon.isAlive());
    }
}
