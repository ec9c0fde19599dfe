package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Xdp;
import io.xlb.daemon.Daemon;
import io.xlb.daemon.PinLock;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Keepalived;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.lab.RealServerStep;
import io.xlb.lab.XlbDaemon;
import io.xlb.sys.Links;
import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tier 3: VRRP between two directors on one segment, with the tutorial's {@code vrrp_instance VI_1}
 * as written (interface substituted; the backup with {@code state BACKUP}, {@code priority 50}):
 * two xlb daemons, and xlb beside Debian's keepalived in either role. Who owns the VIP is read
 * from the directors' interfaces; failover times are measured and reported.
 */
@Privileged(tools = {"ip", "nsenter", "keepalived", "tshark", "nginx", "curl", "ss", "ethtool", "sysctl", "bash"})
class VrrpLabTest {
    private static final String SUBNET = "10.77.5";
    private static final String VIP = SUBNET + ".200";
    /** 3 × advert_int + skew of priority 50 at 1 s: the backup's master-down interval. */
    private static final Duration MASTER_DOWN_50 = Duration.ofMillis(3805);
    private static final Duration SLACK = Duration.ofMillis(1500);
    /** Stands for "VRRPv3, advert_int 0.1" where a password is asked for. */
    private static final String V3 = "v3";
    /** 3 × 0.1 s + skew of priority 50 at 0.1 s. */
    private static final Duration MASTER_DOWN_50_V3 = Duration.ofMillis(381);

    private Lab lab;
    private Lan lan;
    private final List<Path> pinDirs = new ArrayList<>();
    private int started;
    private final Map<String, BackgroundProcess> processes = new LinkedHashMap<>();

    @BeforeEach
    void build() {
        lab = new Lab("xlbv");
        Map<String, Integer> hosts = new LinkedHashMap<>();
        hosts.put("lb1", 128);
        hosts.put("lb2", 129);
        hosts.put("client", 100);
        hosts.put("rs1", 130);
        hosts.put("rs2", 131);
        lan = Lan.create(lab, SUBNET, hosts);
    }

    @AfterEach
    void teardown() throws Exception {
        if (System.getenv("XLB_VRRP_LOGS") != null) {
            processes.forEach((name, p) -> System.out.println("== " + name + "\n" + p.log()));
        }
        try {
            lab.close();
        } finally {
            for (Path p : pinDirs) {
                Daemon.flush(p);
            }
        }
    }

    @Test
    void twoXlbDaemonsElectFailOverAndPreempt() throws Exception {
        BackgroundProcess lb1 = xlb("lb1", 100, "1111");
        BackgroundProcess lb2 = xlb("lb2", 50, "1111");
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        assertFalse(owns("lb2"), "the backup holds the VIP too");
        await(Duration.ofSeconds(5), () -> status("lb2").contains("vrrp VI_1: BACKUP, priority 50, master " + SUBNET + ".128"));

        Duration failover = killAndTime(lb1, "lb2");
        System.out.println("xlb -> xlb: kill -9 of the master, VIP on the backup after " + failover.toMillis() + " ms");
        assertTrue(failover.compareTo(MASTER_DOWN_50.plus(SLACK)) <= 0, "failover took " + failover);

        xlb("lb1", 100, "1111");
        await(Duration.ofSeconds(15), () -> owns("lb1") && !owns("lb2"));
        // xlb status is rewritten every tick (1 s).
        await(Duration.ofSeconds(3), () -> status("lb2").contains("vrrp VI_1: BACKUP"));
        assertTrue(lb2.isAlive());
    }

    @Test
    void withNopreemptARestartedHigherPriorityStaysBackup() throws Exception {
        BackgroundProcess lb1 = xlb("lb1", instanceWith(100, "    nopreempt").replace("state MASTER", "state BACKUP"));
        xlb("lb2", instanceWith(50, "    nopreempt"));
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        killAndTime(lb1, "lb2");
        xlb("lb1", instanceWith(100, "    nopreempt").replace("state MASTER", "state BACKUP"));
        await(Duration.ofSeconds(10), () -> status("lb1").contains("vrrp VI_1: BACKUP, priority 100, master " + SUBNET + ".129"));
        Thread.sleep(6000); // longer than lb1's master-down interval: it must not take over
        assertTrue(owns("lb2") && !owns("lb1"), "nopreempt: lb2 keeps the VIP");
    }

    @Test
    void aFailingTrackScriptLowersThePriorityAndKeepalivedPreempts() throws Exception {
        Path healthy = lab.scratch().resolve("healthy");
        Files.writeString(healthy, "");
        String script = """
                vrrp_script chk_nginx {
                    script "test -e %s"
                    interval 1
                    weight -60
                }
                """.formatted(healthy);
        xlb("lb1", script + instanceWith(100, "    track_script {\n        chk_nginx\n    }"));
        BackgroundProcess ka = keepalived("lb2", 50, "1111");
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        await(Duration.ofSeconds(10), () -> ka.log().contains("Entering BACKUP STATE"));

        Files.delete(healthy); // 100 - 60 = 40 < 50: keepalived preempts
        await(Duration.ofSeconds(10), () -> owns("lb2") && !owns("lb1"));
        await(Duration.ofSeconds(3), () -> status("lb1").contains("vrrp VI_1: BACKUP, priority 40, master " + SUBNET + ".129"));
        assertTrue(status("lb1").contains("vrrp_script chk_nginx: failing"), status("lb1"));

        Files.writeString(healthy, ""); // back to 100: xlb preempts in turn
        await(Duration.ofSeconds(10), () -> owns("lb1") && !owns("lb2"));
        await(Duration.ofSeconds(3), () -> status("lb1").contains("vrrp VI_1: MASTER, priority 100"));
    }

    @Test
    void aTrackedInterfaceDownIsAFaultAndTheBackupTakesOverAtItsSkewTime() throws Exception {
        uplink("lb1");
        xlb("lb1", instanceWith(100, "    track_interface {\n        uplink0\n    }"));
        xlb("lb2", 50, "1111");
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        await(Duration.ofSeconds(5), () -> status("lb2").contains("vrrp VI_1: BACKUP, priority 50, master " + SUBNET + ".128"));

        Instant down = Instant.now();
        lan.host("lb1").ns().exec("ip", "link", "set", "uplink0", "down");
        await(Duration.ofSeconds(10), () -> owns("lb2"));
        Duration failover = Duration.between(down, Instant.now());
        System.out.println("track_interface down: VIP on the backup after " + failover.toMillis() + " ms");
        // lb1 says priority 0 on its way to fault: lb2 waits only its skew time (0.8 s), not 3.8 s.
        assertTrue(failover.compareTo(Duration.ofMillis(2500)) <= 0, "took " + failover);
        assertFalse(owns("lb1"));
        await(Duration.ofSeconds(3), () -> status("lb1").contains("vrrp VI_1: FAULT"));

        lan.host("lb1").ns().exec("ip", "link", "set", "uplink0", "up");
        await(Duration.ofSeconds(10), () -> owns("lb1") && !owns("lb2"));
    }

    @Test
    void aSyncGroupFailsOverAsOne() throws Exception {
        uplink("lb1");
        String vip2 = SUBNET + ".201";
        String group = "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\n";
        java.util.function.IntFunction<String> second = priority -> """
                vrrp_instance VI_2 {
                    state BACKUP
                    interface eth0
                    virtual_router_id 52
                    priority %d
                    advert_int 1
                    track_interface {
                        uplink0
                    }
                    virtual_ipaddress {
                        %s
                    }
                }
                """.formatted(priority, vip2);
        xlb("lb1", group + instance("MASTER", 100, "1111") + second.apply(100));
        xlb("lb2", group + instance("BACKUP", 50, "1111") + second.apply(50).replace("track_interface {\n        uplink0\n    }\n", ""));
        await(Duration.ofSeconds(15), () -> owns("lb1") && owns("lb1", vip2));

        // Only VI_2 tracks uplink0; the group takes VI_1 into fault with it.
        lan.host("lb1").ns().exec("ip", "link", "set", "uplink0", "down");
        await(Duration.ofSeconds(10), () -> owns("lb2") && owns("lb2", vip2));
        assertFalse(owns("lb1") || owns("lb1", vip2));
        await(Duration.ofSeconds(3), () -> status("lb1").contains("vrrp VI_1: FAULT") && status("lb1").contains("vrrp VI_2: FAULT"));

        lan.host("lb1").ns().exec("ip", "link", "set", "uplink0", "up");
        await(Duration.ofSeconds(10), () -> owns("lb1") && owns("lb1", vip2) && !owns("lb2") && !owns("lb2", vip2));
    }

    @Test
    void garpMasterRefreshRepeatsTheGratuitousArpWhileMaster() throws Exception {
        xlb("lb1", instanceWith(100, "    garp_master_delay 0\n    garp_master_repeat 1\n    garp_master_refresh 1"));
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        String captured = lan.host("lb2").ns().command("tshark", "-n", "-i", Lan.HOST_IF, "-a", "duration:3.5", "-f", "arp",
                "-T", "fields", "-e", "arp.isgratuitous", "-e", "arp.src.proto_ipv4").withTimeout(Duration.ofSeconds(20)).run();
        long garps = captured.lines().filter(l -> l.equals("1\t" + VIP)).count();
        assertTrue(garps >= 3 && garps <= 5, "one gratuitous ARP a second: " + captured);
    }

    @Test
    void theMasterHoldsExcludedAddressesWithScopeAndBroadcastAndSpacesItsGratuitousArps() throws Exception {
        // Another subnet: the kernel refuses a secondary address whose scope differs from its primary's.
        String excluded = "10.77.6.210";
        BackgroundProcess capture = lab.start(lan.host("lb2").ns(), "tshark-garp", "tshark", "-n", "-l", "-i", Lan.HOST_IF,
                "-a", "duration:12", "-f", "arp", "-T", "fields", "-e", "frame.time_relative", "-e", "arp.isgratuitous",
                "-e", "arp.src.proto_ipv4");
        Thread.sleep(1500); // tshark is capturing
        xlb("lb1", "global_defs {\n    vrrp_garp_interval 0.5\n}\n" + instanceWith(100, "    garp_master_delay 0\n"
                + "    garp_master_repeat 3\n    virtual_ipaddress_excluded {\n        " + excluded + "/24 scope link brd +\n    }"));
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        String addrs = lan.host("lb1").ns().command("ip", "-o", "-4", "addr", "show", "dev", Lan.HOST_IF).run();
        assertTrue(addrs.contains("inet " + excluded + "/24 brd 10.77.6.255 scope link"), addrs);
        await(Duration.ofSeconds(20), () -> !capture.isAlive());
        List<Double> garps = capture.log().lines().map(l -> l.split("\t")).filter(f -> f.length == 3 && f[1].equals("1")
                && f[2].equals(VIP)).map(f -> Double.parseDouble(f[0])).toList();
        assertEquals(3, garps.size(), "garp_master_repeat 3, no second burst: " + capture.log());
        for (int i = 1; i < garps.size(); i++) {
            assertTrue(garps.get(i) - garps.get(i - 1) >= 0.45, "vrrp_garp_interval 0.5 between them: " + garps);
        }
        assertTrue(capture.log().lines().anyMatch(l -> l.endsWith("\t1\t" + excluded)), "the excluded address is announced too: "
                + capture.log());
    }

    @Test
    void unicastPeersWithKeepalived() throws Exception {
        String lb1 = SUBNET + ".128";
        String lb2 = SUBNET + ".129";
        String unicastTo = "    unicast_src_ip %s\n    unicast_peer {\n        %s\n    }";
        BackgroundProcess x = xlb("lb1", instanceWith(100, unicastTo.formatted(lb1, lb2)));
        BackgroundProcess ka = keepalived("lb2", instanceWith(50, unicastTo.formatted(lb2, lb1)));
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        await(Duration.ofSeconds(10), () -> ka.log().contains("Entering BACKUP STATE"));
        assertFalse(owns("lb2"));
        await(Duration.ofSeconds(5), () -> status("lb1").contains("vrrp VI_1: MASTER"));
        // On the wire: to lb2's own address, not to 224.0.0.18, TTL 255, decoded as valid VRRP.
        String captured = lan.host("lb2").ns().command("tshark", "-n", "-i", Lan.HOST_IF, "-a", "duration:3", "-f", "ip proto 112",
                "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.ttl", "-e", "vrrp.prio",
                "-e", "_ws.malformed").withTimeout(Duration.ofSeconds(20)).run();
        List<String> adverts = captured.lines().filter(l -> l.startsWith(lb1)).toList();
        assertTrue(adverts.size() >= 2, captured);
        adverts.forEach(l -> assertEquals(lb1 + "|" + lb2 + "|255|100|", l));

        Duration failover = killAndTime(x, "lb2");
        System.out.println("unicast, xlb -> keepalived: VIP on keepalived after " + failover.toMillis() + " ms");
        assertTrue(failover.compareTo(MASTER_DOWN_50.plus(SLACK)) <= 0, "failover took " + failover);
        xlb("lb1", instanceWith(100, unicastTo.formatted(lb1, lb2)));
        await(Duration.ofSeconds(15), () -> owns("lb1") && !owns("lb2"));
    }

    @Test
    void ipv6WithKeepalivedAdvertsAndNeighbourAdvertisementsDecodedByTshark() throws Exception {
        String vip6 = "2001:db8:77::200";
        for (String host : List.of("lb1", "lb2", "client")) {
            // Lan keeps IPv6 off (quiet captures); on here, without duplicate address detection's delay.
            lan.host(host).ns().exec("sysctl", "-q", "-w", "net.ipv6.conf." + Lan.HOST_IF + ".accept_dad=0",
                    "net.ipv6.conf." + Lan.HOST_IF + ".disable_ipv6=0");
            await(Duration.ofSeconds(5), () -> !lan.host(host).ns().command("ip", "-6", "addr", "show", "dev", Lan.HOST_IF,
                    "scope", "link").run().isBlank());
        }
        String v6 = """
                vrrp_instance VI_6 {
                    state %s
                    interface eth0
                    virtual_router_id 61
                    priority %d
                    advert_int 1
                    version 3
                    virtual_ipaddress {
                        %s/64
                    }
                }
                """;
        BackgroundProcess ka = keepalived("lb1", v6.formatted("MASTER", 100, vip6));
        xlb("lb2", v6.formatted("BACKUP", 50, vip6));
        await(Duration.ofSeconds(15), () -> owns6("lb1", vip6));
        String lb1LinkLocal = linkLocal("lb1");
        // keepalived's IPv6 adverts pass every check (hop limit, checksum over the IPv6 pseudo-header).
        await(Duration.ofSeconds(10), () -> status("lb2").contains("vrrp VI_6: BACKUP, priority 50, master " + lb1LinkLocal));
        assertFalse(status("lb2").contains("dropped"), status("lb2"));

        BackgroundProcess capture = lab.start(lan.host("client").ns(), "tshark-v6", "tshark", "-n", "-l", "-i", Lan.HOST_IF,
                "-a", "duration:12", "-f", "ip6 proto 112 or icmp6", "-T", "fields", "-E", "separator=|", "-e", "ipv6.src",
                "-e", "ipv6.dst", "-e", "ipv6.hlim", "-e", "vrrp.version", "-e", "vrrp.prio", "-e", "vrrp.checksum.status",
                "-e", "icmpv6.type", "-e", "icmpv6.nd.na.target_address", "-e", "icmpv6.nd.na.flag.o", "-e", "icmpv6.opt.linkaddr",
                "-e", "_ws.malformed");
        Thread.sleep(2000); // tshark is capturing
        Duration failover = killAndTime(ka, "lb2", () -> owns6("lb2", vip6));
        System.out.println("IPv6 VRRPv3, keepalived -> xlb: VIP on xlb after " + failover.toMillis() + " ms");
        assertTrue(failover.compareTo(MASTER_DOWN_50.plus(SLACK)) <= 0, "failover took " + failover);
        await(Duration.ofSeconds(20), () -> !capture.isAlive());
        String lb2LinkLocal = linkLocal("lb2");
        List<String> lines = capture.log().lines().filter(l -> l.startsWith("fe80")).toList();
        List<String> adverts = lines.stream().filter(l -> l.startsWith(lb2LinkLocal + "|ff02::12|")).toList();
        assertTrue(adverts.size() >= 3, capture.log());
        adverts.forEach(l -> assertEquals(lb2LinkLocal + "|ff02::12|255|3|50|1|||||", l, "advert as tshark reads it"));
        List<String> na = lines.stream().filter(l -> l.contains("|136|")).toList();
        assertTrue(!na.isEmpty(), "an unsolicited neighbour advertisement: " + capture.log());
        na.forEach(l -> assertEquals(lb2LinkLocal + "|ff02::1|255||||136|" + vip6 + "|1|" + lan.host("lb2").mac() + "|", l,
                "NA as tshark reads it"));
        // The client, given an address on the VIP's prefix, now reaches the VIP at xlb's director.
        lan.host("client").ns().exec("ip", "-6", "addr", "add", "2001:db8:77::100/64", "dev", Lan.HOST_IF, "nodad");
        assertTrue(lan.host("client").ns().command("ping", "-6", "-c", "1", "-W", "2", vip6).run().contains("1 received"));

        // keepalived below xlb accepts xlb's IPv6 adverts: it stays backup past its master-down interval.
        BackgroundProcess below = keepalived("lb1", v6.formatted("BACKUP", 40, vip6));
        await(Duration.ofSeconds(10), () -> below.log().contains("Entering BACKUP STATE"));
        Thread.sleep(5000);
        assertFalse(below.log().contains("Entering MASTER STATE"), below.log());
        assertTrue(owns6("lb2", vip6) && !owns6("lb1", vip6));
    }

    @Test
    void keepalivedMasterXlbBackup() throws Exception {
        BackgroundProcess ka = keepalived("lb1", 100, "1111");
        xlb("lb2", 50, "1111");
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        await(Duration.ofSeconds(5), () -> status("lb2").contains("vrrp VI_1: BACKUP, priority 50, master " + SUBNET + ".128"));
        assertFalse(owns("lb2"));
        assertFalse(status("lb2").contains("dropped"), status("lb2"));

        Duration failover = killAndTime(ka, "lb2");
        System.out.println("keepalived -> xlb: VIP on xlb after " + failover.toMillis() + " ms");
        assertTrue(failover.compareTo(MASTER_DOWN_50.plus(SLACK)) <= 0, "failover took " + failover);

        keepalived("lb1", 100, "1111");
        await(Duration.ofSeconds(15), () -> owns("lb1") && !owns("lb2"));
        // xlb status is rewritten every tick (1 s).
        await(Duration.ofSeconds(3), () -> status("lb2").contains("vrrp VI_1: BACKUP"));
    }

    @Test
    void xlbMasterKeepalivedBackup() throws Exception {
        BackgroundProcess x = xlb("lb1", 100, "1111");
        BackgroundProcess ka = keepalived("lb2", 50, "1111");
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        // keepalived says so in its log once it hears the master.
        await(Duration.ofSeconds(10), () -> ka.log().contains("Entering BACKUP STATE"));
        assertFalse(owns("lb2"));

        Duration failover = killAndTime(x, "lb2");
        System.out.println("xlb -> keepalived: VIP on keepalived after " + failover.toMillis() + " ms");
        assertTrue(failover.compareTo(MASTER_DOWN_50.plus(SLACK)) <= 0, "failover took " + failover);

        xlb("lb1", 100, "1111");
        await(Duration.ofSeconds(15), () -> owns("lb1") && !owns("lb2"));
    }

    @Test
    void aMismatchedPasswordIsRejectedAndCounted() throws Exception {
        keepalived("lb1", 100, "1111");
        xlb("lb2", 50, "2222");
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        // xlb drops every advert: it counts them and (like keepalived) takes the VIP itself.
        await(Duration.ofSeconds(15), () -> status("lb2").contains("AUTH_PASS="));
        await(Duration.ofSeconds(10), () -> owns("lb2"));
        System.out.println("mismatched auth_pass: " + status("lb2").strip());
    }

    @Test
    void vrrpV3WithKeepalivedBothWaysAndDecodedByTshark() throws Exception {
        BackgroundProcess x = xlb("lb1", 100, V3);
        BackgroundProcess ka = keepalived("lb2", 50, V3);
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        await(Duration.ofSeconds(10), () -> ka.log().contains("Entering BACKUP STATE"));
        assertFalse(owns("lb2"));
        assertFalse(ka.log().contains("invalid"), ka.log());
        // xlb's adverts as captured on the peer: VRRPv3, good checksum, nothing malformed.
        String captured = lan.host("lb2").ns().command("tshark", "-n", "-i", Lan.HOST_IF, "-a", "duration:2", "-f", "ip proto 112",
                "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.ttl", "-e", "vrrp.version", "-e", "vrrp.short_adver_int",
                "-e", "vrrp.checksum.status", "-e", "_ws.malformed").withTimeout(Duration.ofSeconds(20)).run();
        List<String> adverts = captured.lines().filter(l -> l.startsWith(SUBNET)).toList();
        assertTrue(adverts.size() >= 10, captured);
        adverts.forEach(l -> assertTrue(l.equals(SUBNET + ".128|255|3|10|1|"), "advert as tshark reads it: " + l));

        Duration failover = killAndTime(x, "lb2");
        System.out.println("VRRPv3 0.1 s, xlb -> keepalived: VIP on keepalived after " + failover.toMillis() + " ms");
        assertTrue(failover.compareTo(MASTER_DOWN_50_V3.plus(SLACK)) <= 0, "failover took " + failover);

        ka.close();
        await(Duration.ofSeconds(5), () -> !owns("lb2"));
        keepalived("lb1", 100, V3);
        xlb("lb2", 50, V3);
        await(Duration.ofSeconds(15), () -> owns("lb1"));
        await(Duration.ofSeconds(5), () -> status("lb2").contains("vrrp VI_1: BACKUP, priority 50, master " + SUBNET + ".128"));
        assertFalse(status("lb2").contains("dropped"), status("lb2"));
        assertFalse(owns("lb2"));
    }

    @Test
    void theClientKeepsReachingNginxAcrossAFailover() throws Exception {
        for (String rs : List.of("rs1", "rs2")) {
            RealServerStep.apply(lan.host(rs), VIP);
            Nginx.start(lab, lan.host(rs));
        }
        BackgroundProcess lb1 = xlb("lb1", 100, "1111");
        xlb("lb2", 50, "1111");
        // On veth, XDP_TX frames reach the bridge only through an XDP program on the peer.
        try (Bpf bpf = Bpf.open()) {
            for (String lb : List.of("lb1", "lb2")) {
                BpfProgram pass = bpf.openPinnedProgram(pinDir(lb).resolve("xlb_pass"));
                int port = lan.switchNamespace().namespace().ifindex(lan.host(lb).switchPort());
                lan.switchNamespace().namespace().run(() -> bpf.xdp().attach(port, pass, Xdp.Mode.NATIVE));
            }
        }
        await(Duration.ofSeconds(20), () -> owns("lb1") && answer().matches("rs[12]"));
        BackgroundProcess loop = lab.start(lan.host("client").ns(), "requests", "bash", "-c",
                "for i in $(seq 150); do curl -s --max-time 1 http://" + VIP + "/ || echo FAIL; sleep 0.05; done; echo done");
        Thread.sleep(2000);
        Instant killed = Instant.now();
        // The director dies: daemon killed and link down (a killed daemon alone leaves its XDP
        // program forwarding, which would hide the failover).
        lb1.kill();
        lan.host("lb1").ns().exec("ip", "link", "set", Lan.HOST_IF, "down");
        await(Duration.ofSeconds(60), () -> loop.log().contains("done"));
        List<String> bodies = loop.log().lines().map(String::strip).filter(l -> !l.equals("done")).toList();
        long failed = bodies.stream().filter("FAIL"::equals).count();
        System.out.println("failover under load: " + failed + " of " + bodies.size() + " requests failed; VIP on lb2 "
                + (owns("lb2") ? "yes" : "no") + ", killed at +" + Duration.between(killed, Instant.now()).toSeconds() + " s before the end");
        assertTrue(owns("lb2"));
        assertTrue(bodies.stream().allMatch(b -> b.equals("FAIL") || b.equals("rs1") || b.equals("rs2")), bodies.toString());
        // Only requests inside the master-down window may fail (the client still sends to lb1's MAC,
        // which lb2's director leaves alone until its gratuitous ARP moves the VIP); the last ones
        // all go through lb2.
        assertTrue(failed <= 10, "a failed request costs its 1 s timeout; the window is ~3.6 s: " + bodies);
        assertTrue(bodies.subList(bodies.size() - 30, bodies.size()).stream().noneMatch("FAIL"::equals), bodies.toString());
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.adopt(bpf, pinDir("lb2"))) {
            assertTrue(IpvsListing.stats(dp.view(), dp.map("conns").info().maxEntries()).contains(VIP + ":80"));
        }
    }

    private String answer() {
        return lan.host("client").ns().command("bash", "-c", "curl -s --max-time 1 http://" + VIP + "/ || true").run().strip();
    }

    private static Path pinDir(String host) {
        return XlbDaemon.pinDir("xlbt", "vrrp-" + host);
    }

    private Duration killAndTime(BackgroundProcess master, String backup) throws Exception {
        return killAndTime(master, backup, () -> owns(backup));
    }

    private Duration killAndTime(BackgroundProcess master, String backup, io.xlb.testing.Eventually.Condition owned)
            throws Exception {
        Instant killed = Instant.now();
        master.kill();
        await(Duration.ofSeconds(15), owned);
        return Duration.between(killed, Instant.now());
    }

    private boolean owns6(String host, String address) {
        return lan.host(host).ns().command("ip", "-o", "-6", "addr", "show", "dev", Lan.HOST_IF).run().contains(" " + address + "/64 ");
    }

    private String linkLocal(String host) {
        String out = lan.host(host).ns().command("ip", "-o", "-6", "addr", "show", "dev", Lan.HOST_IF, "scope", "link").run();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1);
    }

    private String instance(String state, int priority, String pass) throws Exception {
        String text = LabCommand.Demo.tutorialConfig().replace("10.77.1.", SUBNET + ".");
        String vi = text.substring(text.indexOf("vrrp_instance VI_1"), text.indexOf("# 定义对外提供服务"));
        vi = vi.replace("state MASTER", "state " + state).replace("priority 100", "priority " + priority);
        if (pass.equals(V3)) {
            // VRRPv3 at 10 adverts a second; v3 has no authentication.
            int auth = vi.indexOf("    authentication {");
            vi = vi.substring(0, auth) + vi.substring(vi.indexOf("}", auth) + 2);
            return vi.replace("advert_int 1 ", "advert_int 0.1\n    version 3 ");
        }
        return vi.replace("auth_pass 1111", "auth_pass " + pass);
    }

    private BackgroundProcess xlb(String host, int priority, String pass) throws Exception {
        return xlb(host, instance(priority == 100 ? "MASTER" : "BACKUP", priority, pass));
    }

    /** The tutorial's file with its vrrp_instance VI_1 replaced by {@code vrrp} (scripts, instances, groups). */
    private BackgroundProcess xlb(String host, String vrrp) throws Exception {
        String text = LabCommand.Demo.tutorialConfig().replace("10.77.1.", SUBNET + ".");
        String vi = text.substring(text.indexOf("vrrp_instance VI_1"), text.indexOf("# 定义对外提供服务"));
        String conf = text.replace(vi, vrrp);
        Path file = lab.scratch().resolve(host + "-" + (++started) + ".conf");
        Files.writeString(file, conf);
        Path pinDir = pinDir(host);
        if (!pinDirs.contains(pinDir)) {
            pinDirs.add(pinDir);
        }
        String name = "xlb-" + host + "-" + started;
        return remember(name, XlbDaemon.of(Xlb.class, file, pinDir).start(lab, lan.host(host).ns(), name));
    }

    private BackgroundProcess keepalived(String host, int priority, String pass) throws Exception {
        return keepalived(host, instance(priority == 100 ? "MASTER" : "BACKUP", priority, pass));
    }

    private BackgroundProcess keepalived(String host, String vrrp) throws Exception {
        Path dir = lab.scratch().resolve("ka-" + host + "-" + (++started));
        Files.createDirectories(dir);
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, "global_defs {\n    router_id " + host + "\n}\n" + vrrp);
        String name = "keepalived-" + host + "-" + started;
        return remember(name, Keepalived.of(conf).withLogDetail().start(lab, lan.host(host).ns(), name));
    }

    private BackgroundProcess remember(String name, BackgroundProcess p) {
        processes.put(name, p);
        return p;
    }

    private String status(String host) {
        return String.join("\n", DaemonStatus.lines(pinDir(host))) + "\n";
    }

    private boolean owns(String host) {
        return owns(host, VIP);
    }

    private boolean owns(String host, String address) {
        return lan.host(host).ns().command("ip", "-o", "-4", "addr", "show", "dev", Lan.HOST_IF).run().contains(" " + address + "/32 ");
    }

    /**
     * A second link of {@code host} to track (no dummy module in this kernel: a veth pair inside the
     * namespace), up with carrier before a daemon first reads it: the kernel's linkwatch sets the
     * carrier (IFF_RUNNING) asynchronously, later on a busy machine.
     */
    private void uplink(String host) throws InterruptedException {
        lan.host(host).ns().exec("ip", "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink0p");
        lan.host(host).ns().exec("ip", "link", "set", "uplink0p", "up");
        lan.host(host).ns().exec("ip", "link", "set", "uplink0", "up");
        await(Duration.ofSeconds(5), () -> lan.host(host).ns().namespace().call(() -> {
            try (Links links = Links.open()) {
                return links.list().get("uplink0").up();
            }
        }));
    }

    /** The tutorial's VI_1 at {@code priority} with {@code lines} added inside it. */
    private String instanceWith(int priority, String lines) throws Exception {
        String vi = instance(priority == 100 ? "MASTER" : "BACKUP", priority, "1111");
        int close = vi.lastIndexOf('}');
        return vi.substring(0, close) + lines + "\n" + vi.substring(close);
    }
}
