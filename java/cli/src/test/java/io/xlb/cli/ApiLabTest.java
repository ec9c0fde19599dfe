package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.daemon.api.ApiTokens;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Command;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.XlbDaemon;
import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tier 3: the HTTP API of a running daemon, driven by curl on the director. A VIP that the
 * tutorial's vrrp_instance holds but no virtual_server serves is created, survives kill -9 and a
 * restart (it is in the managed file), and is deleted; two writers with one ETag race.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "nginx", "curl", "bash", "prometheus"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiLabTest {
    private static final String SUBNET = "10.77.6";
    private static final String VIP = SUBNET + ".200";
    private static final String VIP2 = SUBNET + ".201";
    private static final String SERVICE = "/api/v1/services/tcp:" + VIP2 + ":80";
    private static final String API = "http://127.0.0.1:9180";
    private final DirectorLab directorLab = new DirectorLab("api");
    private final Lab lab = directorLab.lab();
    private Lan lan;
    private Path conf;
    private BackgroundProcess daemon;
    private int daemons;
    private String token;

    @BeforeAll
    void build() throws Exception {
        lan = Lan.tutorial(lab, SUBNET);
        directorLab.tutorialReals(lan, VIP, VIP2);
        conf = lab.scratch().resolve("keepalived.conf");
        Files.writeString(conf, DirectorLab.tutorialConfigWithApiVip(SUBNET, VIP, VIP2));
        daemon = startDaemon();
        directorLab.passOnSwitchPort(lan);
        await(Duration.ofSeconds(30), () -> served(VIP));
        token = ApiTokens.firstReadWrite(XlbDaemon.apiTokenFile(conf)).orElseThrow();
    }

    @AfterAll
    void teardown() {
        directorLab.close();
    }

    private BackgroundProcess startDaemon() throws Exception {
        return directorLab.daemon(conf).start(lab, lan.host("director").ns(), "daemon-" + (++daemons));
    }

    private String curl(String method, String path, String body, String ifMatch) {
        return ApiCurl.of(lan.host("director").ns(), token).call(method, path, body, ifMatch);
    }

    private String etag() {
        return ApiCurl.of(lan.host("director").ns(), token).etag();
    }

    private boolean served(String vip) {
        return LabCommand.Demo.answeredByAReal(lan.host("client"), vip, java.time.Duration.ofSeconds(1));
    }

    private static final String TWO_REALS = "{\"scheduler\": \"rr\", \"forwarding\": \"dr\", \"reals\": ["
            + "{\"address\": \"" + SUBNET + ".130\", \"port\": 80, \"check\": {\"type\": \"tcp\", \"connectTimeout\": 3}},"
            + "{\"address\": \"" + SUBNET + ".131\", \"port\": 80, \"check\": {\"type\": \"tcp\", \"connectTimeout\": 3}}]}";

    @Test
    @Order(1)
    void aVipCreatedWithCurlIsServedWithinASecondAndLivesInTheManagedFile() throws Exception {
        assertFalse(served(VIP2), "nothing serves the second VIP yet");
        String tag = etag();
        long start = System.nanoTime();
        String put = curl("PUT", SERVICE, TWO_REALS, tag);
        assertTrue(put.endsWith("201"), put);
        boolean ok = false;
        while (!ok && System.nanoTime() - start < Duration.ofSeconds(1).toNanos()) {
            ok = served(VIP2);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        assertTrue(ok, "served within 1 s of the PUT: " + ms + " ms\n" + directorLab.ipvsList());
        Path file = conf.resolveSibling("xlb-api.d").resolve("tcp_" + VIP2 + "_80.conf");
        String text = Files.readString(file);
        assertTrue(text.contains("virtual_server " + VIP2 + " 80 {") && text.contains("real_server " + SUBNET + ".131 80 {"), text);
        // check-config reads the same files the daemon does.
        XlbRun check = XlbRun.of("check-config", "--offline", "-f", conf.toString());
        assertEquals(0, check.exit(), check.err());
    }

    @Test
    @Order(2)
    void afterKillNineAndARestartTheServiceIsStillTheDaemons() throws Exception {
        daemon.kill();
        daemon = startDaemon();
        String got = curl("GET", SERVICE, null, null);
        assertTrue(got.endsWith("200") && got.contains("\"managed\" : true"), got);
        assertTrue(directorLab.ipvsList().contains("TCP  " + VIP2 + ":80 rr\n"), directorLab.ipvsList());
        await(Duration.ofSeconds(5), () -> served(VIP2));
        // The new daemon edits it: drain rs1, and every request goes to rs2.
        String drain = curl("PATCH", SERVICE + "/reals/" + SUBNET + ".130:80", "{\"state\": \"drain\"}", etag());
        assertTrue(drain.endsWith("200"), drain);
        await(Duration.ofSeconds(2), () -> directorLab.ipvsList().matches("(?s).*-> " + SUBNET.replace(".", "\\.") + "\\.130:80 +Route +0 .*"));
        for (int i = 0; i < 6; i++) {
            Command.Result r = lan.host("client").ns().command("curl", "-sS", "--max-time", "2", "http://" + VIP2 + "/").result();
            assertEquals("rs2", r.output().strip());
        }
    }

    @Test
    @Order(3)
    void twoWritersWithOneEtagOneIsRefused() {
        String tag = etag();
        String both = lan.host("director").ns().command("bash", "-c",
                "for w in 3 4; do curl -sS -o /dev/null -w '%{http_code}\\n' -X PATCH -H 'Authorization: Bearer " + token
                        + "' -H 'If-Match: " + tag + "' -H 'Content-Type: application/json' --data \"{\\\"weight\\\": $w}\" '"
                        + API + SERVICE + "/reals/" + SUBNET + ".131:80' & done; wait").run();
        assertEquals(List.of("200", "412"), both.lines().map(String::strip).sorted().toList(), both);
    }

    @Test
    @Order(4)
    void badInputAndMissingTokensAreRefusedWithJson() {
        String noToken = lan.host("director").ns().command("bash", "-c",
                "curl -sS -o /dev/stderr -w '%{http_code}' " + API + "/api/v1/services 2>&1").run();
        assertTrue(noToken.endsWith("401") && noToken.contains("\"pointer\""), noToken);
        String bad = curl("PUT", SERVICE, "{\"reals\": [{\"address\": \"" + SUBNET + ".130\", \"port\": 70000}]}", etag());
        assertTrue(bad.endsWith("422") && bad.contains("\"/reals/0/port\""), bad);
    }

    @Test
    @Order(5)
    void deletingItStopsServingIt() throws Exception {
        String del = curl("DELETE", SERVICE, null, etag());
        assertTrue(del.endsWith("200"), del);
        await(Duration.ofSeconds(1), () -> !served(VIP2));
        assertFalse(Files.exists(conf.resolveSibling("xlb-api.d").resolve("tcp_" + VIP2 + "_80.conf")));
        assertFalse(directorLab.ipvsList().contains(VIP2 + ":80"), directorLab.ipvsList());
        assertTrue(served(VIP), "the hand-written service is untouched");
    }

    /** Debian's Prometheus, in the director's namespace, scrapes /metrics with the token: the series say what adm --stats says. */
    @Test
    @Order(6)
    void prometheusScrapesTheSeriesAdmStatsShows() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertTrue(served(VIP));
        }
        String stats = directorLab.ipvs((services, size) -> IpvsListing.stats(services, size, true));
        // TCP  10.77.6.200:80   Conns InPkts OutPkts InBytes OutBytes; its reals below.
        String[] service = stats.lines().filter(l -> l.startsWith("TCP  " + VIP + ":80")).findFirst().orElseThrow().split("\\s+");
        try (io.xlb.lab.PrometheusServer prometheus = io.xlb.lab.PrometheusServer.start(lan.host("director").ns(),
                io.xlb.lab.PrometheusServer.Target.of("127.0.0.1:9180").withBearerToken(token))) {
            Duration within = Duration.ofSeconds(20);
            assertEquals(Double.parseDouble(service[2]), prometheus.awaitValue("xlb_ipvs_connections_total", within), stats);
            assertEquals(Double.parseDouble(service[3]), prometheus.awaitValue("xlb_ipvs_incoming_packets_total", within), stats);
            assertEquals(Double.parseDouble(service[5]), prometheus.awaitValue("xlb_ipvs_incoming_bytes_total", within), stats);
            assertEquals(3.0, prometheus.awaitValue("xlb_ipvs_backend_weight{remote_address=\"" + SUBNET + ".130\",local_port=\"80\"}", within));
            assertEquals(2.0, prometheus.awaitValue("xlb_vrrp_state{iname=\"VI_1\"}", within), "MASTER");
            assertEquals(1.0, prometheus.awaitValue("xlb_real_up{remote_address=\"" + SUBNET + ".131\",local_address=\"" + VIP + "\"}", within));
            assertTrue(prometheus.awaitValue("sum(xlb_xdp_packets_total)", within) > 0);
        }
    }

    /** A virtual_server_group (a range and one address) serves every member through the same lookup, with one set of reals. */
    @Test
    @Order(7)
    void aVirtualServerGroupServesEachOfItsAddresses() throws Exception {
        String group = "\nvirtual_server_group API_GROUP {\n    " + VIP2 + "-202 80\n}\nvirtual_server group API_GROUP {\n"
                + "    lb_algo rr\n    lb_kind DR\n    protocol TCP\n    real_server " + SUBNET + ".130 80 {\n        TCP_CHECK {\n"
                + "            connect_timeout 2\n        }\n    }\n    real_server " + SUBNET + ".131 80 {\n    }\n}\n";
        Files.writeString(conf, Files.readString(conf) + group);
        XlbRun reload = XlbRun.withPinDir("reload", directorLab.pinDir());
        assertEquals(0, reload.exit(), reload.err());
        await(Duration.ofSeconds(5), () -> served(VIP2));
        String list = directorLab.ipvsList();
        assertTrue(list.contains("TCP  " + VIP2 + ":80 rr\n") && list.contains("TCP  " + SUBNET + ".202:80 rr\n"), list);
        // rs2 is a real of the hand-written service and of each of the group's two addresses.
        assertEquals(3, list.lines().filter(l -> l.contains("-> " + SUBNET + ".131:80 ")).count(), list);
    }

    @Test
    @Order(8)
    void xlbReloadStatusAndStopTalkToTheDaemonsApi() throws Exception {
        XlbRun reload = XlbRun.withPinDir("reload", directorLab.pinDir());
        assertEquals(0, reload.exit(), reload.err());
        assertTrue(reload.out().contains("reloaded:") && reload.out().contains("no change"), reload.out());
        XlbRun status = XlbRun.withPinDir("status", directorLab.pinDir());
        assertTrue(status.out().contains("vrrp VI_1: MASTER"), status.out());
        XlbRun stop = XlbRun.withPinDir("stop", directorLab.pinDir());
        assertEquals(0, stop.exit(), stop.err());
        assertTrue(stop.out().contains("asked over its API (202)"), stop.out());
        assertFalse(daemon.isAlive());
        assertTrue(served(VIP), "the dataplane keeps forwarding");
    }
}
