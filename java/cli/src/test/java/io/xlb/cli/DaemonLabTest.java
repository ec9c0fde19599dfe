package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.lab.SmtpSink;
import io.xlb.sys.Signals;
import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * Tier 3: the daemon as a process, with the tutorial's keepalived.conf (addresses and interface
 * substituted), a client and two nginx reals in namespaces. The steps share one lab, in order.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "nginx", "curl", "ss", "bash"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DaemonLabTest {
    private static final String SUBNET = "10.77.2";
    private static final String VIP = SUBNET + ".200";
    private final DirectorLab directorLab = new DirectorLab("daemon");
    private final Lab lab = directorLab.lab();
    private final Path pinDir = directorLab.pinDir();
    private Lan lan;
    private Path conf;
    private BackgroundProcess daemon;
    private int daemons;
    private final Map<String, BackgroundProcess> nginx = new LinkedHashMap<>();

    @BeforeAll
    void build() throws Exception {
        lan = Lan.tutorial(lab, SUBNET);
        nginx.putAll(directorLab.tutorialReals(lan, VIP));
        conf = lab.scratch().resolve("keepalived.conf");
        Files.writeString(conf, config(3, 3));
        daemon = startDaemon();
        directorLab.passOnSwitchPort(lan);
        // The director holds the VIP once VRRP made it master (a master-down interval after start).
        await(Duration.ofSeconds(30), () -> requests(1).stream().anyMatch(b -> b.equals("rs1") || b.equals("rs2")));
    }

    @AfterAll
    void teardown() {
        directorLab.close();
    }

    private String config(int w1, int w2) throws Exception {
        String text = DirectorLab.tutorialConfig(SUBNET);
        // The tutorial's two reals both say "weight 3": set each.
        int first = text.indexOf("weight 3");
        int second = text.indexOf("weight 3", first + 1);
        return text.substring(0, first) + "weight " + w1 + text.substring(first + 8, second) + "weight " + w2
                + text.substring(second + 8);
    }

    private BackgroundProcess startDaemon() throws Exception {
        // Under nohup, as operators often start it: SIGHUP must still reload.
        return directorLab.daemon(conf).underNohup().start(lab, lan.host("director").ns(), "daemon-" + (++daemons));
    }

    /** Bodies of n requests from the client (FAIL for a failed one). */
    private List<String> requests(int n) {
        String out = lan.host("client").ns().command("bash", "-c",
                "for i in $(seq " + n + "); do curl -sS --max-time 3 http://" + VIP + "/ || echo FAIL; done")
                .withTimeout(Duration.ofMinutes(3)).run();
        return out.lines().map(String::strip).toList();
    }

    private static long count(List<String> bodies, String host) {
        return bodies.stream().filter(host::equals).count();
    }

    @Test
    @Order(1)
    void aHundredRequestsAllSucceedSplitEvenlyUnderRr() {
        List<String> bodies = requests(100);
        assertEquals(0, bodies.stream().filter(b -> b.startsWith("FAIL")).count(), bodies.toString());
        // rr's cursor is per CPU (2 here): each CPU alternates, so the totals differ by at most 2.
        assertTrue(Math.abs(count(bodies, "rs1") - count(bodies, "rs2")) <= 2, bodies.toString());
        String list = directorLab.ipvsList();
        assertTrue(list.contains("TCP  " + VIP + ":80 rr\n"), list);
        assertTrue(list.matches("(?s).*  -> " + SUBNET + "\\.130:80 +Route +3 .*"), list);
        assertTrue(list.matches("(?s).*  -> " + SUBNET + "\\.131:80 +Route +3 .*"), list);
    }

    @Test
    @Order(2)
    void killingTheDaemonLosesNoRequestAndTheNextOneAdopts() throws Exception {
        long connsBefore = connections();
        BackgroundProcess loop = lab.start(lan.host("client").ns(), "loop", "bash", "-c",
                "ok=0; fail=0; for i in $(seq 1500); do if curl -s -o /dev/null --max-time 3 http://" + VIP
                        + "/; then ok=$((ok+1)); else fail=$((fail+1)); fi; done; echo \"done $ok $fail\"");
        Thread.sleep(1500);
        daemon.close(); // kill: the process, mid-loop (SIGTERM first, SIGKILL if it lingers)
        ProcessHandle.of(daemon.pid()).ifPresent(ProcessHandle::destroyForcibly);
        daemon = startDaemon();
        assertTrue(daemon.log().contains("adopted (same program)"), daemon.log());
        await(Duration.ofMinutes(3), () -> loop.log().contains("done"));
        assertEquals("done 1500 0", loop.log().strip(), "no request failed while the daemon was down");
        assertTrue(connections() >= connsBefore + 1500, "counters continued: " + connections());
    }

    private long connections() {
        return directorLab.adopted(dp -> dp.view().getFirst().counter().conns());
    }

    @Test
    @Order(3)
    void sighupAppliesNewWeightsAndABrokenFileChangesNothing() throws Exception {
        // rr ignores weights, in IPVS as here: the new file also says wrr.
        Files.writeString(conf, config(1, 3).replace("lb_algo rr", "lb_algo wrr"));
        Signals.hangup(daemon.pid());
        await(Duration.ofSeconds(10), () -> directorLab.ipvsList().matches("(?s).*\\.130:80 +Route +1 .*"));
        List<String> bodies = requests(400);
        assertEquals(0, bodies.stream().filter(b -> b.startsWith("FAIL")).count());
        assertNear(100, count(bodies, "rs1"), 20, "1:3 within 5 %: " + count(bodies, "rs1") + "/" + count(bodies, "rs2"));

        String before = directorLab.ipvsList();
        Files.writeString(conf, config(2, 2).replace("lb_algo rr", "lb_algo wrr").replace("virtual_router_id 51", "virtual_router_id 300"));
        Signals.hangup(daemon.pid());
        await(Duration.ofSeconds(10), () -> daemon.log().contains("reload refused"));
        assertTrue(daemon.log().contains(conf + ":"), daemon.log());
        assertTrue(daemon.log().matches("(?s).*" + java.util.regex.Pattern.quote(conf.toString()) + ":\\d+:\\d+: error: virtual_router_id must be 1\\.\\.255, got 300.*"),
                daemon.log());
        assertEquals(before.replaceAll(" +\\d+ +\\d+ +\n", "\n"), directorLab.ipvsList().replaceAll(" +\\d+ +\\d+ +\n", "\n"),
                "the running configuration stays");
        List<String> after = requests(200);
        assertNear(50, count(after, "rs1"), 12, "still 1:3: " + count(after, "rs1") + "/" + count(after, "rs2"));
    }

    @Test
    @Order(4)
    void xlbReloadPrintsTheVerdictAndEveryRefusedFileLeavesTheOldOneServing() throws Exception {
        Files.writeString(conf, config(3, 3));
        XlbRun first = XlbRun.withPinDir("reload", pinDir);
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("reloaded:"), first.out());
        await(Duration.ofSeconds(10), () -> directorLab.ipvsList().contains(" rr\n") && directorLab.ipvsList().matches("(?s).*\\.130:80 +Route +3 .*"));
        String before = directorLab.ipvsList().replaceAll(" +\\d+ +\\d+ +\n", "\n");

        String tutorial = config(3, 3);
        StringBuilder many = new StringBuilder(tutorial);
        for (int i = 0; i <= io.xlb.dataplane.abi.Structs.MAX_SERVICES; i++) {
            many.append("virtual_server 10.78.").append(i / 250).append('.').append(i % 250 + 1)
                    .append(" 80 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n}\n");
        }
        String sorryIsReal = tutorial.replace("    protocol TCP\n", "    protocol TCP\n    sorry_server " + SUBNET + ".130 80\n");
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put(tutorial + "virtual_server fwmark 3 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n}\n",
                "error: virtual_server fwmark 3: firewall marks are set by netfilter");
        refused.put(tutorial + "virtual_server_group G {\n    " + VIP + " 80\n}\nvirtual_server group G {\n    lb_algo rr\n"
                + "    lb_kind DR\n    protocol TCP\n}\n", "error: virtual server " + VIP + " 80 TCP is also served at " + conf + ":");
        refused.put(many.toString(), "error: more than " + io.xlb.dataplane.abi.Structs.MAX_SERVICES + " virtual servers");
        refused.put(sorryIsReal, "error: sorry_server " + SUBNET + ".130 80 is also a real_server");
        refused.put(tutorial.replace("interface eth0", "interface nosuch0"), "error: vrrp_instance VI_1: no interface nosuch0");
        for (Map.Entry<String, String> c : refused.entrySet()) {
            Files.writeString(conf, c.getKey());
            XlbRun r = XlbRun.withPinDir("reload", pinDir);
            assertEquals(1, r.exit(), "refused: " + c.getValue() + "\n" + r.out() + r.err());
            assertTrue(r.err().contains("refused the file and keeps running the previous configuration"), r.err());
            assertTrue(r.err().contains(conf + ":") && r.err().contains(c.getValue()), r.err());
            if (!c.getValue().contains("nosuch0")) {
                // check-config says the same, at the same place.
                XlbRun check = XlbRun.of("check-config", "--offline", "-f", conf.toString());
                assertEquals(1, check.exit(), check.err());
                String line = check.err().lines().filter(l -> l.contains(c.getValue())).findFirst().orElseThrow();
                assertTrue(r.err().contains(line.substring(0, line.indexOf(": error:"))), line + " vs\n" + r.err());
            }
            assertEquals(before, directorLab.ipvsList().replaceAll(" +\\d+ +\\d+ +\n", "\n"), "the running configuration stays");
        }
        List<String> bodies = requests(20);
        assertEquals(0, bodies.stream().filter(b -> b.startsWith("FAIL")).count(), bodies.toString());
        assertTrue(daemon.log().lines().noneMatch(l -> l.contains("tick failed")), daemon.log());

        // Item 2 of the tutorial: persistence_timeout 50 keeps one client on one real.
        String persistent = tutorial.replace("    protocol TCP\n", "    persistence_timeout 50\n    protocol TCP\n");
        Files.writeString(conf, persistent);
        XlbRun ok = XlbRun.withPinDir("reload", pinDir);
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("~ virtual_server"), "the diff names what changed: " + ok.out());
        await(Duration.ofSeconds(10), () -> directorLab.ipvsList().contains(" rr persistent 50\n"));
        List<String> sticky = requests(20);
        assertTrue(count(sticky, "rs1") == 20 || count(sticky, "rs2") == 20, "one client, one real: " + sticky);
    }

    @Test
    @Order(8)
    void admOnAnAttachedDirectorKeepsPersistenceWhileItAddsAReal() throws Exception {
        // The daemon stopped at the end of the previous test; the dataplane forwards on, and adm edits it.
        var director = lan.host("director").ns();
        director.exec("ip", "addr", "add", VIP + "/32", "dev", "lo"); // the VIP that VRRP gave up, for ARP
        try {
            // In the director's namespace, as an operator on that machine: adm resolves the new real's MAC there.
            for (String[] argv : List.of(
                    new String[] {"-E", "-t", VIP + ":80", "-s", "rr", "-p", "50"},
                    new String[] {"-d", "-t", VIP + ":80", "-r", SUBNET + ".131:80"},
                    new String[] {"-a", "-t", VIP + ":80", "-r", SUBNET + ".131:80", "-g", "-w", "3"})) {
                XlbRun r = director.namespace().call(() -> XlbRun.withPinDir("adm", pinDir, argv));
                assertEquals(0, r.exit(), String.join(" ", argv) + ": " + r.err());
            }
            XlbRun list = XlbRun.withPinDir("adm", pinDir, "-Ln");
            assertTrue(list.out().contains("TCP  " + VIP + ":80 rr persistent 50\n"), list.out());
            assertTrue(list.out().matches("(?s).*\\.131:80 +Route +3 .*"), list.out());
            List<String> sticky = requests(20);
            assertTrue(count(sticky, "rs1") == 20 || count(sticky, "rs2") == 20, "one client, one real: " + sticky);
        } finally {
            director.exec("ip", "addr", "del", VIP + "/32", "dev", "lo");
        }
    }

    @Test
    @Order(5)
    void aStoppedRealLeavesWithinTheCheckersBoundAndReturnsWhenItIsBack() throws Exception {
        // The tutorial's file again: rr, TCP_CHECK with connect_timeout 10, retry 3, delay_before_retry 3, delay_loop 6.
        Files.writeString(conf, config(3, 3));
        Signals.hangup(daemon.pid());
        await(Duration.ofSeconds(10), () -> directorLab.ipvsList().contains(" rr\n") && directorLab.ipvsList().matches("(?s).*\\.130:80 +Route +3 .*"));

        nginx.remove("rs1").close();
        long stopped = System.nanoTime();
        int sent = 0;
        int failed = 0;
        while (directorLab.ipvsList().contains(SUBNET + ".130:80")) {
            assertTrue(System.nanoTime() - stopped < Duration.ofSeconds(40).toNanos(), "rs1 still listed after 40 s");
            List<String> bodies = requests(4);
            sent += bodies.size();
            failed += (int) bodies.stream().filter(b -> b.startsWith("FAIL")).count();
        }
        double seconds = (System.nanoTime() - stopped) / 1e9;
        System.out.printf("rs1 left the listing %.1f s after nginx stopped; %d of %d requests failed in that window%n",
                seconds, failed, sent);
        assertTrue(seconds <= 10 + 3 * 3 + 6 + 2, "within connect_timeout + retry x delay_before_retry + delay_loop: " + seconds);
        List<String> after = requests(20);
        assertEquals(20, count(after, "rs2"), "no new request reaches the stopped real: " + after);

        nginx.put("rs1", Nginx.start(lab, lan.host("rs1")));
        await(Duration.ofSeconds(15), () -> directorLab.ipvsList().contains(SUBNET + ".130:80"));
        List<String> back = requests(20);
        assertEquals(0, back.stream().filter(b -> b.startsWith("FAIL")).count());
        assertTrue(count(back, "rs1") >= 8, "rs1 has its share again: " + back);
        await(Duration.ofSeconds(10), () -> XlbRun.withPinDir("status", pinDir).out()
                .contains("TCP " + SUBNET + ".130:80 of " + VIP + ":80: up; last check "));
        String status = XlbRun.withPinDir("status", pinDir).out();
        assertTrue(status.matches("(?s).*last check [0-9.]+ ms, passed.*"), status);
    }

    @Test
    @Order(6)
    void whenTheOnlyRealFailsTheSorryServerServesAndTheNotifyScriptsRun() throws Exception {
        Path down = lab.scratch().resolve("rs1.down");
        Path up = lab.scratch().resolve("rs1.up");
        Files.writeString(conf, """
                vrrp_instance VI_1 {
                    state MASTER
                    interface eth0
                    virtual_router_id 51
                    virtual_ipaddress {
                        %1$s
                    }
                }
                virtual_server %1$s 80 {
                    delay_loop 2
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                    sorry_server %2$s.131 80
                    real_server %2$s.130 80 {
                        weight 3
                        notify_down "/usr/bin/touch %3$s"
                        notify_up "/usr/bin/touch %4$s"
                        TCP_CHECK {
                            connect_timeout 2
                            retry 1
                            delay_before_retry 1
                        }
                    }
                }
                """.formatted(VIP, SUBNET, down, up));
        Signals.hangup(daemon.pid());
        await(Duration.ofSeconds(10), () -> !directorLab.ipvsList().contains(SUBNET + ".131:80"));
        assertEquals(List.of("rs1", "rs1", "rs1"), requests(3));

        nginx.remove("rs1").close();
        await(Duration.ofSeconds(20), () -> directorLab.ipvsList().contains(SUBNET + ".131:80") && !directorLab.ipvsList().matches("(?s).*\\.130:80 +Route +3 .*"));
        assertEquals(List.of("rs2", "rs2", "rs2"), requests(3), "the sorry server takes the new flows");
        await(Duration.ofSeconds(5), () -> Files.exists(down));

        nginx.put("rs1", Nginx.start(lab, lan.host("rs1")));
        await(Duration.ofSeconds(20), () -> !directorLab.ipvsList().contains(SUBNET + ".131:80"));
        assertEquals(List.of("rs1", "rs1", "rs1"), requests(3), "quorum back: the sorry server leaves");
        await(Duration.ofSeconds(5), () -> Files.exists(up));
    }

    @Test
    @Order(7)
    void miscDynamicSetsWeightsHaSuspendWaitsForTheAddressAndOmegaRunsTheDownScriptsAtStop() throws Exception {
        Path code = lab.scratch().resolve("exit-code");
        Path script = lab.scratch().resolve("weight.sh");
        Path suspendedRan = lab.scratch().resolve("suspended.ran");
        Path omegaDown = lab.scratch().resolve("omega.down");
        Path quorumDown = lab.scratch().resolve("quorum.down");
        Path notifyLog = lab.scratch().resolve("notify.log");
        Path notifyScript = lab.scratch().resolve("notify.sh");
        Path becameMaster = lab.scratch().resolve("master");
        Files.writeString(code, "12");
        Files.writeString(script, "exit $(cat " + code + ")\n");
        Files.writeString(notifyScript, "echo \"$@\" >> " + notifyLog + "\n");
        String other = SUBNET + ".201";
        SmtpSink smtp = SmtpSink.start(lab, lan.host("director").ns(), 2525);
        Files.writeString(conf, """
                global_defs {
                    router_id LB_TEST
                    notification_email {
                        ops@example.com
                        oncall@example.com
                    }
                    notification_email_from xlb@lb.example.com
                    smtp_server 127.0.0.1 2525
                    smtp_connect_timeout 5
                }
                vrrp_instance VI_1 {
                    state MASTER
                    interface eth0
                    virtual_router_id 51
                    priority 150
                    smtp_alert
                    notify_master "/usr/bin/touch %8$s"
                    notify "/bin/sh %9$s"
                    virtual_ipaddress {
                        %1$s
                    }
                }
                virtual_server %1$s 80 {
                    delay_loop 1
                    lb_algo wrr
                    lb_kind DR
                    protocol TCP
                    omega
                    smtp_alert
                    quorum_down "/usr/bin/touch %6$s"
                    real_server %2$s.130 80 {
                        weight 3
                        notify_down "/usr/bin/touch %5$s"
                        MISC_CHECK {
                            misc_path "/bin/sh %3$s"
                            misc_dynamic
                            retry 0
                        }
                    }
                    real_server %2$s.131 80 {
                        weight 3
                    }
                }
                # Not on this host until added below: ha_suspend keeps its checker idle.
                virtual_server %7$s 80 {
                    delay_loop 1
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                    ha_suspend
                    real_server %2$s.131 80 {
                        MISC_CHECK {
                            misc_path "/usr/bin/touch %4$s"
                        }
                    }
                }
                """.formatted(VIP, SUBNET, script, suspendedRan, omegaDown, quorumDown, other, becameMaster, notifyScript));
        Signals.hangup(daemon.pid());
        // priority changed: VI_1 restarts, stops, is backup for a master-down interval, then master again.
        await(Duration.ofSeconds(15), () -> Files.exists(becameMaster));
        await(Duration.ofSeconds(5), () -> Files.readString(notifyLog).contains("INSTANCE VI_1 MASTER 150"));
        assertEquals(List.of("INSTANCE VI_1 BACKUP 150", "INSTANCE VI_1 MASTER 150"),
                Files.readAllLines(notifyLog), "notify gets TYPE NAME STATE PRIORITY, as keepalived's");
        await(Duration.ofSeconds(10), () -> smtp.messages().size() >= 2);
        assertMail(smtp.messages().get(0), "[LB_TEST] VRRP Instance VI_1 - Entering BACKUP state",
                "=> VRRP Instance is no longer owning VRRP VIPs <=");
        assertMail(smtp.messages().get(1), "[LB_TEST] VRRP Instance VI_1 - Entering MASTER state",
                "=> VRRP Instance is now owning VRRP VIPs <=");
        await(Duration.ofSeconds(10), () -> directorLab.ipvsList().matches("(?s).*\\.130:80 +Route +10 .*"));
        assertTrue(directorLab.ipvsList().matches("(?s).*\\.131:80 +Route +3 .*"), directorLab.ipvsList());
        await(Duration.ofSeconds(10), () -> XlbRun.withPinDir("status", pinDir).out()
                .contains("TCP " + SUBNET + ".130:80 of " + VIP + ":80: up, weight 10 (misc_dynamic)"));

        Files.writeString(code, "0"); // passes, weight as it was
        Thread.sleep(2500);
        assertTrue(directorLab.ipvsList().matches("(?s).*\\.130:80 +Route +10 .*"), directorLab.ipvsList());
        Files.writeString(code, "1"); // fails: removed
        await(Duration.ofSeconds(10), () -> !directorLab.ipvsList().contains(SUBNET + ".130:80"));
        await(Duration.ofSeconds(5), () -> Files.exists(omegaDown));
        Files.delete(omegaDown);
        await(Duration.ofSeconds(10), () -> smtp.messages().size() >= 3);
        assertMail(smtp.messages().get(2), "[LB_TEST] Realserver [" + SUBNET + ".130]:tcp:80 of virtual server [" + VIP
                + "]:tcp:80 - DOWN", "=> CHECK failed on service : '/bin/sh " + script + "' exited 1 <=");
        Files.writeString(code, "3"); // back, weight 1
        await(Duration.ofSeconds(10), () -> directorLab.ipvsList().matches("(?s).*\\.130:80 +Route +1 .*"));
        await(Duration.ofSeconds(10), () -> smtp.messages().size() >= 4);
        assertMail(smtp.messages().get(3), "[LB_TEST] Realserver [" + SUBNET + ".130]:tcp:80 of virtual server [" + VIP
                + "]:tcp:80 - UP", "=> CHECK succeed on service <=");

        assertFalse(Files.exists(suspendedRan), "ha_suspend: no check while " + other + " is not on this host");
        lan.host("director").ns().exec("ip", "addr", "add", other + "/32", "dev", "lo");
        await(Duration.ofSeconds(10), () -> Files.exists(suspendedRan));

        // omega: a clean stop runs the notify_down of each real still up and the held quorum's quorum_down.
        daemon.close();
        await(Duration.ofSeconds(10), () -> Files.exists(omegaDown) && Files.exists(quorumDown));
        lan.host("director").ns().exec("ip", "addr", "del", other + "/32", "dev", "lo");
    }

    /** A mail as aiosmtpd stored it: keepalived's headers and one-line body (quoted-printable, as Vert.x sends it). */
    private static void assertMail(String mail, String subject, String body) {
        assertTrue(mail.contains("Subject: " + subject + "\n"), mail);
        assertTrue(mail.contains("From: xlb@lb.example.com\n"), mail);
        assertTrue(mail.matches("(?s).*To: ops@example.com,\\s*oncall@example.com\n.*"), mail);
        String text = mail.substring(mail.indexOf("\n\n") + 2);
        if (mail.contains("Content-Transfer-Encoding: quoted-printable")) {
            text = java.util.regex.Pattern.compile("=([0-9A-F]{2})").matcher(text.replaceAll("=\r?\n", ""))
                    .replaceAll(m -> String.valueOf((char) Integer.parseInt(m.group(1), 16)));
        }
        assertEquals(body, text.strip(), mail);
    }

    private static void assertNear(long expected, long actual, long delta, String message) {
        assertTrue(Math.abs(expected - actual) <= delta, message);
    }
}
