package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static io.xlb.lab.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Xdp;
import io.xlb.daemon.Daemon;
import io.xlb.dataplane.Dataplane;
import io.xlb.lab.Nginx;
import io.xlb.lab.RealServerStep;
import io.xlb.daemon.PinLock;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.testing.Privileged;
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
        try (Bpf bpf = Bpf.open(); Dataplane dp = Dataplane.adopt(bpf, pinDir("lb2"))) {
            assertTrue(IpvsListing.stats(dp.view(), dp.map("conns").info().maxEntries()).contains(VIP + ":80"));
        }
    }

    private String answer() {
        return lan.host("client").ns().command("bash", "-c", "curl -s --max-time 1 http://" + VIP + "/ || true").run().strip();
    }

    private Path pinDir(String host) {
        return Path.of("/sys/fs/bpf", "xlbt-" + ProcessHandle.current().pid() + "-vrrp-" + host);
    }

    private Duration killAndTime(BackgroundProcess master, String backup) throws Exception {
        Instant killed = Instant.now();
        master.kill();
        await(Duration.ofSeconds(15), () -> owns(backup));
        return Duration.between(killed, Instant.now());
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
        String text = LabCommand.Demo.tutorialConfig().replace("10.77.1.", SUBNET + ".");
        String vi = text.substring(text.indexOf("vrrp_instance VI_1"), text.indexOf("# 定义对外提供服务"));
        String conf = text.replace(vi, instance(priority == 100 ? "MASTER" : "BACKUP", priority, pass));
        Path file = lab.scratch().resolve(host + "-" + (++started) + ".conf");
        Files.writeString(file, conf);
        Path pinDir = Path.of("/sys/fs/bpf", "xlbt-" + ProcessHandle.current().pid() + "-vrrp-" + host);
        if (!pinDirs.contains(pinDir)) {
            pinDirs.add(pinDir);
        }
        String java = ProcessHandle.current().info().command().orElseThrow();
        BackgroundProcess p = lab.start(lan.host(host).ns(), "xlb-" + host + "-" + started, java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Xlb.class.getName(), "daemon", "-f", file.toString(),
                "--pin-dir", pinDir.toString());
        processes.put("xlb-" + host + "-" + started, p);
        await(Duration.ofSeconds(30), () -> p.log().contains("running ") || !p.isAlive());
        assertTrue(p.isAlive(), p.log());
        return p;
    }

    private BackgroundProcess keepalived(String host, int priority, String pass) throws Exception {
        Path dir = lab.scratch().resolve("ka-" + host + "-" + (++started));
        Files.createDirectories(dir);
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, "global_defs {\n    router_id " + host + "\n}\n" + instance(priority == 100 ? "MASTER" : "BACKUP", priority, pass));
        return remember("keepalived-" + host + "-" + started, lab.start(lan.host(host).ns(), "keepalived-" + host + "-" + started, "keepalived", "--dont-fork", "--log-console",
                "--log-detail", "--vrrp", "-f", conf.toString(), "-p", dir.resolve("k.pid").toString(),
                "-r", dir.resolve("v.pid").toString(), "-c", dir.resolve("c.pid").toString()));
    }

    private BackgroundProcess remember(String name, BackgroundProcess p) {
        processes.put(name, p);
        return p;
    }

    private String status(String host) {
        try {
            Path file = PinLock.healthFile(Path.of("/sys/fs/bpf", "xlbt-" + ProcessHandle.current().pid() + "-vrrp-" + host));
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private boolean owns(String host) {
        return lan.host(host).ns().command("ip", "-o", "-4", "addr", "show", "dev", Lan.HOST_IF).run().contains(" " + VIP + "/32 ");
    }
}
