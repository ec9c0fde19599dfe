package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
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
 * Tier 3: NAT as keepalived's NAT set-ups run it, with nginx reals. One-armed: rs1 and rs2 on the
 * clients' segment (another subnet), their default route through the director. Two-armed: rs3 and
 * rs4 on an inside LAN behind the director's eth1, listening on 8080 behind a VIP on port 80, their
 * gateway a VIP of a second vrrp_instance. The client (in 10.80.9.0/24, routed through the
 * director) fetches through both VIPs; tshark on the client and on a real decodes every packet.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "nginx", "curl", "bash", "tshark"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatLabTest {
    private static final String OUT = "10.77.9";
    private static final String IN = "10.78.9";
    private static final String CLIENT = "10.80.9.100";
    private static final String ONE_ARMED = OUT + ".200";
    private static final String TWO_ARMED = OUT + ".201";
    private final DirectorLab directorLab = new DirectorLab("nat");
    private final Lab lab = directorLab.lab();
    private Lan lan;
    private Lan inside;
    private Path conf;
    private BackgroundProcess daemon;

    @BeforeAll
    void build() throws Exception {
        lan = Lan.tutorial(lab, OUT);
        inside = Lan.create(lab, IN, java.util.Map.of("rs3", 130, "rs4", 131));
        Lan.Host director = lan.host("director");
        Lan.Host leg = inside.join(director, "eth1", IN + ".1/24");
        director.ns().exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        director.ns().exec("ip", "addr", "add", "10.80.9.1/24", "dev", Lan.HOST_IF);
        // The client lives in another subnet on the same wire: its packets, and the replies to it, cross the director.
        Lan.Host client = lan.host("client");
        client.ns().exec("ip", "addr", "flush", "dev", Lan.HOST_IF);
        client.ns().exec("ip", "addr", "add", CLIENT + "/24", "dev", Lan.HOST_IF);
        client.ns().exec("ip", "route", "add", "default", "via", "10.80.9.1");
        for (String rs : List.of("rs1", "rs2")) {
            lan.host(rs).ns().exec("ip", "route", "add", "default", "via", OUT + ".128");
            Nginx.start(lab, lan.host(rs));
        }
        for (String rs : List.of("rs3", "rs4")) {
            inside.host(rs).ns().exec("ip", "route", "add", "default", "via", IN + ".254");
            Nginx.start(lab, inside.host(rs), 8080);
        }
        conf = lab.scratch().resolve("keepalived.conf");
        Files.writeString(conf, """
                global_defs {
                    router_id NAT_LAB
                }
                vrrp_instance VI_1 {
                    state MASTER
                    interface eth0
                    virtual_router_id 51
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        %1$s.200
                        %1$s.201
                    }
                }
                vrrp_instance VI_2 {
                    state MASTER
                    interface eth1
                    virtual_router_id 52
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        %2$s.254
                    }
                }
                virtual_server %1$s.200 80 {
                    delay_loop 2
                    lb_algo rr
                    lb_kind NAT
                    protocol TCP
                    real_server %1$s.130 80 {
                        TCP_CHECK {
                            connect_timeout 2
                        }
                    }
                    real_server %1$s.131 80 {
                        TCP_CHECK {
                            connect_timeout 2
                        }
                    }
                }
                virtual_server %1$s.200 53 {
                    lb_algo rr
                    lb_kind NAT
                    protocol UDP
                    real_server %1$s.130 5353 {
                    }
                }
                virtual_server %1$s.201 80 {
                    delay_loop 2
                    lb_algo rr
                    lb_kind NAT
                    nat_mask 255.255.255.0
                    protocol TCP
                    real_server %2$s.130 8080 {
                        TCP_CHECK {
                            connect_timeout 2
                        }
                    }
                    real_server %2$s.131 8080 {
                        TCP_CHECK {
                            connect_timeout 2
                        }
                    }
                }
                """.formatted(OUT, IN));
        daemon = directorLab.daemon(conf).start(lab, director.ns(), "daemon");
        directorLab.passOnSwitchPort(lan);
        directorLab.passOnSwitchPort(inside, leg);
        await(Duration.ofSeconds(30), () -> LabCommand.Demo.answeredByAReal(client, ONE_ARMED, Duration.ofSeconds(1)));
    }

    @AfterAll
    void teardown() {
        directorLab.close();
    }

    private List<String> fetch(String vip, int n) {
        String out = lan.host("client").ns().command("bash", "-c",
                "for i in $(seq " + n + "); do curl -sS --max-time 3 http://" + vip + "/ || echo FAIL; done")
                .withTimeout(Duration.ofMinutes(2)).run();
        return out.lines().map(String::strip).toList();
    }

    @Test
    @Order(1)
    void oneArmedAndTwoArmedServeThroughTheirVips() throws Exception {
        List<String> one = fetch(ONE_ARMED, 20);
        assertEquals(10, one.stream().filter("rs1"::equals).count(), one.toString());
        assertEquals(10, one.stream().filter("rs2"::equals).count(), one.toString());
        await(Duration.ofSeconds(10), () -> fetch(TWO_ARMED, 1).getFirst().startsWith("rs"));
        List<String> two = fetch(TWO_ARMED, 20);
        assertEquals(10, two.stream().filter("rs3"::equals).count(), two.toString());
        assertEquals(10, two.stream().filter("rs4"::equals).count(), two.toString());
        String list = directorLab.ipvsList();
        assertTrue(list.matches("(?s).*  -> " + IN.replace(".", "\\.") + "\\.130:8080 +Masq +1 .*"), list);
        assertTrue(list.matches("(?s).*  -> " + OUT.replace(".", "\\.") + "\\.131:80 +Masq +1 .*"), list);
        // ipvsadm --stats: NAT's replies are counted out.
        String stats = directorLab.ipvs((services, size) -> IpvsListing.stats(services, size, true));
        String[] row = stats.lines().filter(l -> l.startsWith("TCP  " + TWO_ARMED + ":80")).findFirst().orElseThrow().split("\\s+");
        assertTrue(Long.parseLong(row[4]) >= 20 * 3, "OutPkts of 20 fetches: " + stats);
    }

    /** Every packet the client sees comes from a VIP, checksums good; the real sees its own address and port. */
    @Test
    @Order(2)
    void tsharkDecodesEveryTranslatedPacketWithGoodChecksums() throws Exception {
        BackgroundProcess onClient = lab.start(lan.host("client").ns(), "tshark-client", "tshark", "-n", "-l", "-i", Lan.HOST_IF,
                "-a", "duration:10", "-f", "tcp port 80", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport",
                "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "_ws.malformed");
        BackgroundProcess onReal = lab.start(inside.host("rs3").ns(), "tshark-rs3", "tshark", "-n", "-l", "-i", Lan.HOST_IF,
                "-a", "duration:10", "-f", "tcp port 8080", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport",
                "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "_ws.malformed");
        await(Duration.ofSeconds(30), () -> onClient.log().contains("Capturing on") && onReal.log().contains("Capturing on"));
        fetch(TWO_ARMED, 4);
        fetch(ONE_ARMED, 4);
        await(Duration.ofSeconds(20), () -> !onClient.isAlive() && !onReal.isAlive());
        List<String[]> client = rows(onClient.log());
        assertTrue(client.size() >= 40, "8 fetches' packets: " + onClient.log());
        for (String[] f : client) {
            boolean fromClient = f[0].equals(CLIENT);
            String peer = fromClient ? f[2] : f[0];
            assertTrue(peer.equals(ONE_ARMED) || peer.equals(TWO_ARMED), "only VIPs talk to the client: " + String.join("|", f));
            assertEquals("80", fromClient ? f[3] : f[1], String.join("|", f));
            assertEquals("1", f[4], "IPv4 checksum good: " + String.join("|", f));
            assertEquals("1", f[5], "TCP checksum good: " + String.join("|", f));
            assertEquals("", f.length > 6 ? f[6] : "", "not malformed");
        }
        // Besides the director's own health checks (from its inside address), the client's packets.
        List<String[]> real = rows(onReal.log()).stream().filter(f -> !f[0].equals(IN + ".1") && !f[2].equals(IN + ".1")).toList();
        assertTrue(!real.isEmpty(), onReal.log());
        for (String[] f : real) {
            boolean toReal = f[2].equals(IN + ".130");
            assertEquals(CLIENT, toReal ? f[0] : f[2], "the client's own address, kept: " + String.join("|", f));
            assertEquals("8080", toReal ? f[3] : f[1], String.join("|", f));
            assertEquals("1", f[4], String.join("|", f));
            assertEquals("1", f[5], String.join("|", f));
        }
    }

    private String reasons() {
        return directorLab.adopted(dp -> dp.reasons().toString());
    }

    private static List<String[]> rows(String log) {
        return log.lines().filter(l -> l.matches("[0-9.,]+\\|.*")).map(l -> l.split("\\|", -1)).toList();
    }

    /** keepalived's nat_mask is read and ignored, with its warning; the file is otherwise taken whole. */
    @Test
    @Order(3)
    void natMaskStaysIgnoredWithItsWarning() {
        XlbRun check = XlbRun.of("check-config", "--offline", "-f", conf.toString());
        assertEquals(0, check.exit(), check.err());
        assertTrue(check.err().contains("warning: nat_mask is obsolete"), check.err());
        assertTrue(daemon.isAlive());
    }

    /**
     * A datagram to a real's closed port: the real's port-unreachable reaches the client from the
     * VIP, quoting the datagram as the client sent it (to the VIP's port), every checksum good.
     */
    @Test
    @Order(4)
    void aRealsPortUnreachableReachesTheClientFromTheVip() throws Exception {
        BackgroundProcess onClient = lab.start(lan.host("client").ns(), "tshark-icmp", "tshark", "-n", "-l", "-i", Lan.HOST_IF,
                "-a", "duration:8", "-f", "icmp", "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type", "-e", "icmp.code",
                "-e", "udp.dstport", "-e", "icmp.checksum.status", "-e", "ip.checksum.status", "-e", "_ws.malformed");
        await(Duration.ofSeconds(30), () -> onClient.log().contains("Capturing on"));
        // Three datagrams a second apart: the real's kernel sends at most one error a second to a host.
        lan.host("client").ns().command("bash", "-c", "for i in 1 2 3; do echo query > /dev/udp/" + ONE_ARMED + "/53; sleep 1; done")
                .run();
        await(Duration.ofSeconds(15), () -> !onClient.isAlive());
        List<String[]> icmp = rows(onClient.log());
        assertTrue(!icmp.isEmpty(), onClient.log() + "\n" + reasons());
        for (String[] f : icmp) {
            portUnreachableFromTheVip(f);
        }
    }

    private static void portUnreachableFromTheVip(String[] f) {
        // ip.src and ip.dst list the outer header's, then the quoted one's.
        assertEquals(ONE_ARMED + "," + CLIENT, f[0], "from the VIP; the quote from the client");
        assertEquals(CLIENT + "," + ONE_ARMED, f[1], "to the client; the quote to the VIP");
        assertEquals("3", f[2]);
        assertEquals("3", f[3], "port unreachable");
        assertEquals("53", f[4], "the VIP's port, not the real's 5353");
        assertEquals("1", f[5], "ICMP checksum good");
        assertEquals("1,1", f[6], "both IPv4 checksums good");
    }
}
