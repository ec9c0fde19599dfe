package io.xlb.cli;

import static io.xlb.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Xdp;
import io.xlb.daemon.Daemon;
import io.xlb.dataplane.TunnelDecap;
import io.xlb.lab.Command;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.lab.XlbDaemon;
import io.xlb.testing.Privileged;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Tier 3: {@code xlb realserver} prepares the reals, nothing else does. A client, a director running
 * {@code xlb daemon} and two nginx reals in namespaces, one keepalived.conf for all: rs1 serves
 * .200 by DR, rs2 serves .201 by TUN. The command runs in-process on a thread that entered the
 * real's namespace, as it would run on that host. The steps share one lab, in order.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl", "nginx", "curl", "ping"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealServerLabTest {
    private static final String SUBNET = "10.77.6";
    private static final String VIP_DR = SUBNET + ".200";
    private static final String VIP_TUN = SUBNET + ".201";
    private static final String[] SYSCTLS = {"net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce",
            "net.ipv4.conf.eth0.arp_ignore", "net.ipv4.conf.eth0.arp_announce", "net.ipv4.conf.all.rp_filter",
            "net.ipv4.conf.eth0.rp_filter"};
    private final String prefix = "xlbt-" + ProcessHandle.current().pid();
    private final Path directorPins = XlbDaemon.pinDir("xlbt", "rsdirector");
    private Lab lab;
    private Lan lan;
    private Lan.Host rs1;
    private Lan.Host rs2;
    private Path conf;
    private final Map<String, String> before = new LinkedHashMap<>();

    @BeforeAll
    void build() throws Exception {
        lab = new Lab("xlbt");
        lan = Lan.tutorial(lab, SUBNET);
        rs1 = lan.host("rs1");
        rs2 = lan.host("rs2");
        for (Lan.Host rs : List.of(rs1, rs2)) {
            Nginx.start(lab, rs);
        }
        conf = lab.scratch().resolve("keepalived.conf");
        Files.writeString(conf, """
                vrrp_instance VI_1 {
                    state MASTER
                    interface eth0
                    virtual_router_id 61
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        %1$s
                        %2$s
                    }
                }
                virtual_server %1$s 80 {
                    delay_loop 2
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                    real_server %3$s.130 80 {
                        TCP_CHECK {
                            connect_timeout 2
                        }
                    }
                }
                virtual_server %2$s 80 {
                    delay_loop 2
                    lb_algo rr
                    lb_kind TUN
                    protocol TCP
                    real_server %3$s.131 80 {
                        TCP_CHECK {
                            connect_timeout 2
                        }
                    }
                }
                """.formatted(VIP_DR, VIP_TUN, SUBNET));
        // rs1 was not at the kernel's defaults: stop must put back these, not zeros.
        rs1.ns().exec("sysctl", "-q", "-w", "net.ipv4.conf.all.arp_announce=1", "net.ipv4.conf.eth0.rp_filter=1");
        for (Lan.Host rs : List.of(rs1, rs2)) {
            before.put(rs.name(), snapshot(rs));
        }
    }

    @AfterAll
    void teardown() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (Lan.Host rs : new Lan.Host[] {rs1, rs2}) {
            if (rs != null) {
                try {
                    realserver(rs, "stop"); // a failed step may have left it started
                } catch (Exception e) {
                    failures.add(e);
                }
            }
        }
        try {
            if (lab != null) {
                lab.close();
            }
        } finally {
            Daemon.flush(directorPins);
            try (Bpf bpf = Bpf.open()) {
                for (String rs : List.of("rs1", "rs2")) {
                    TunnelDecap.unpin(bpf, pins(rs).resolve(Lan.HOST_IF));
                    Files.deleteIfExists(pins(rs));
                }
            }
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    private Path pins(String rs) {
        return Path.of("/sys/fs/bpf", prefix + "-" + rs);
    }

    private Path state(Lan.Host rs) {
        return lab.scratch().resolve(rs.name() + "-realserver.json");
    }

    /** {@code xlb realserver ARGS --state … --pin-dir …}, in-process, on a thread inside the real's namespace. */
    private XlbRun realserver(Lan.Host rs, String... args) throws Exception {
        String[] argv = Stream.of(Stream.of("realserver"), Stream.of(args),
                        Stream.of("--state", state(rs).toString(), "--pin-dir", pins(rs.name()).toString()))
                .flatMap(s -> s).toArray(String[]::new);
        return rs.ns().namespace().call(() -> XlbRun.of(argv));
    }

    /** What the command may change on a real: lo's addresses, the sysctls, the XDP program on eth0, its pins. */
    private String snapshot(Lan.Host rs) throws Exception {
        return rs.ns().exec("ip", "-o", "addr", "show", "dev", "lo")
                + rs.ns().exec(Stream.concat(Stream.of("sysctl"), Stream.of(SYSCTLS)).toArray(String[]::new))
                + rs.ns().exec("ip", "-d", "-o", "link", "show", "dev", Lan.HOST_IF)
                + pinned(pins(rs.name())) + "\n"
                + "\nstate: " + (Files.exists(state(rs)) ? Files.readString(state(rs)) : "none");
    }

    private static String pinned(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return "no pins";
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return String.join(" ", all.map(Path::toString).sorted().toList());
        }
    }

    private String sysctl(Lan.Host rs, String name) {
        return rs.ns().exec("sysctl", "-n", name).strip();
    }

    private boolean onLo(Lan.Host rs, String address) {
        return rs.ns().exec("ip", "-o", "addr", "show", "dev", "lo").contains(" " + address + "/32 ");
    }

    /** Does anyone on the LAN answer the client's ARP request for {@code address}? The MAC that did, or null. */
    private String arpAnswer(String address) {
        Lan.Host client = lan.host("client");
        client.ns().exec("ip", "neigh", "flush", "dev", Lan.HOST_IF);
        client.ns().command("ping", "-c", "1", "-W", "1", address).result();
        Matcher m = Pattern.compile("lladdr (\\S+)").matcher(client.ns().exec("ip", "neigh", "show", address, "dev", Lan.HOST_IF));
        return m.find() ? m.group(1) : null;
    }

    @Test
    @Order(1)
    void drStartPutsTheVipOnLoSetsTheArpSysctlsAndTheRealStopsAnsweringArpForIt() throws Exception {
        // The check can fail: with the VIP on lo and no sysctls, rs1 answers ARP for it.
        rs1.ns().exec("ip", "addr", "add", VIP_DR + "/32", "dev", "lo");
        assertEquals(rs1.mac(), arpAnswer(VIP_DR), "without arp_ignore the real answers for its lo addresses");
        rs1.ns().exec("ip", "addr", "del", VIP_DR + "/32", "dev", "lo");

        XlbRun start = realserver(rs1, "start", "-f", conf.toString());
        assertEquals(0, start.exit(), start.err());
        assertEquals("", start.err());
        assertEquals(List.of("added " + VIP_DR + "/32 to lo (DR)",
                "set net.ipv4.conf.all.arp_ignore = 1 (was 0)",
                "set net.ipv4.conf.all.arp_announce = 2 (was 1)",
                "set net.ipv4.conf.eth0.arp_ignore = 1 (was 0)",
                "set net.ipv4.conf.eth0.arp_announce = 2 (was 0)",
                "real server started: " + VIP_DR + " DR via eth0; undo with: xlb realserver stop"), start.out().lines().toList());
        assertTrue(onLo(rs1, VIP_DR));
        assertFalse(onLo(rs2, VIP_DR), "the other real is untouched");
        assertFalse(Command.of("ip", "-o", "addr", "show", "dev", "lo").run().contains(VIP_DR), "the test's own namespace is untouched");
        for (String s : new String[] {"net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.eth0.arp_ignore"}) {
            assertEquals("1", sysctl(rs1, s), s);
        }
        for (String s : new String[] {"net.ipv4.conf.all.arp_announce", "net.ipv4.conf.eth0.arp_announce"}) {
            assertEquals("2", sysctl(rs1, s), s);
        }
        assertEquals("1", sysctl(rs1, "net.ipv4.conf.eth0.rp_filter"), "DR leaves reverse-path filtering alone");
        assertEquals(null, arpAnswer(VIP_DR), "no director holds the VIP yet, and the real keeps quiet");

        String once = snapshot(rs1);
        XlbRun again = realserver(rs1, "start", "-f", conf.toString());
        assertEquals(0, again.exit(), again.err());
        assertEquals("real server already configured: nothing changed (" + VIP_DR + " DR via eth0)\n", again.out());
        assertEquals(once, snapshot(rs1), "a second start changes nothing");

        XlbRun status = realserver(rs1, "status");
        assertEquals(0, status.exit(), status.out());
        assertTrue(status.out().contains("vip " + VIP_DR + "/32 DR on lo: present\n"), status.out());
        assertTrue(status.out().contains("sysctl net.ipv4.conf.all.arp_announce = 2 (was 1 before start)\n"), status.out());
    }

    @Test
    @Order(2)
    void tunStartAttachesTheDecapsulationProgramForTheRealsAddress() throws Exception {
        XlbRun start = realserver(rs2, "start", "-f", conf.toString());
        assertEquals(0, start.exit(), start.err());
        assertTrue(start.out().contains("added " + VIP_TUN + "/32 to lo (TUN)\n"), start.out());
        assertTrue(start.out().contains("xlb_decap on eth0: takes tunnels to " + rs2.address() + "\n"), start.out());
        assertTrue(start.out().contains("attached xlb_decap to eth0 (native XDP)\n"), start.out());
        assertTrue(onLo(rs2, VIP_TUN));
        assertFalse(onLo(rs2, VIP_DR), "rs2 is a real of the TUN service only");
        assertTrue(rs2.ns().exec("ip", "-d", "link", "show", "dev", Lan.HOST_IF).contains("name xlb_decap"));
        for (String name : TunnelDecap.PINS) {
            assertTrue(Files.exists(pins("rs2").resolve(Lan.HOST_IF).resolve(name)), name);
        }
        try (Bpf bpf = Bpf.open()) {
            TunnelDecap decap = TunnelDecap.adopt(bpf, pins("rs2").resolve(Lan.HOST_IF));
            assertEquals(Set.of(InetAddress.ofLiteral(rs2.address())), decap.accepted());
            int ifindex = rs2.ns().namespace().ifindex(Lan.HOST_IF);
            assertEquals(decap.program().id(), rs2.ns().namespace().call(() -> bpf.xdp().query(ifindex)).orElseThrow().programId());
        }
        assertEquals("0", sysctl(rs2, "net.ipv4.conf.all.rp_filter"));
        assertEquals("0", sysctl(rs2, "net.ipv4.conf.eth0.rp_filter"));
        assertEquals("1", sysctl(rs2, "net.ipv4.conf.eth0.arp_ignore"), "the VIP is on lo in TUN too");

        String once = snapshot(rs2);
        XlbRun again = realserver(rs2, "start", "-f", conf.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().startsWith("real server already configured: nothing changed"), again.out());
        assertEquals(once, snapshot(rs2), "a second start changes nothing: same program, same pins, same state");
    }

    @Test
    @Order(3)
    void theDirectorsDaemonReachesNginxOnBothRealsThroughTheirVips() throws Exception {
        Lan.Host director = lan.host("director");
        XlbDaemon.of(Xlb.class, conf, directorPins).start(lab, director.ns(), "daemon");
        try (Bpf bpf = Bpf.open()) {
            BpfProgram pass = bpf.openPinnedProgram(directorPins.resolve("xlb_pass"));
            int port = lan.switchNamespace().namespace().ifindex(director.switchPort());
            lan.switchNamespace().namespace().run(() -> bpf.xdp().attach(port, pass, Xdp.Mode.NATIVE));
        }
        Lan.Host client = lan.host("client");
        // The director answers for both VIPs once VRRP made it master.
        await(Duration.ofSeconds(30), () -> client.ns().command("curl", "-s", "--max-time", "1", "http://" + VIP_DR + "/")
                .result().output().strip().equals("rs1"));
        assertEquals(director.mac(), arpAnswer(VIP_DR), "only the director answers ARP for the VIP");
        for (int i = 0; i < 5; i++) {
            assertEquals("rs1", client.ns().exec("curl", "-sS", "--max-time", "3", "http://" + VIP_DR + "/").strip());
            assertEquals("rs2", client.ns().exec("curl", "-sS", "--max-time", "3", "http://" + VIP_TUN + "/").strip());
        }
        XlbRun status = realserver(rs2, "status");
        assertEquals(0, status.exit(), status.out());
        Matcher m = Pattern.compile("decapsulated (\\d+) IPIP").matcher(status.out());
        assertTrue(m.find(), status.out());
        assertTrue(Long.parseLong(m.group(1)) >= 5 * 3, "the requests reached nginx through the tunnel: " + status.out());
    }

    @Test
    @Order(4)
    void stopPutsBackWhatStartChangedAndASecondStopIsQuiet() throws Exception {
        XlbRun stop1 = realserver(rs1, "stop");
        assertEquals(0, stop1.exit(), stop1.err());
        assertTrue(stop1.out().contains("restored net.ipv4.conf.all.arp_announce = 1\n"), stop1.out());
        XlbRun stop2 = realserver(rs2, "stop");
        assertEquals(0, stop2.exit(), stop2.err());
        assertTrue(stop2.out().contains("detached xlb_decap from eth0\n"), stop2.out());
        for (Lan.Host rs : List.of(rs1, rs2)) {
            assertEquals(before.get(rs.name()), snapshot(rs), rs.name() + " is as it was before start");
            XlbRun again = realserver(rs, "stop");
            assertEquals(0, again.exit(), again.err());
            assertEquals("not started (no " + state(rs) + "): nothing to undo\n", again.out());
            assertEquals(3, realserver(rs, "status").exit());
        }
        assertFalse(Files.exists(pins("rs2")));
        // The director still sends to rs1, which no longer takes packets for the VIP.
        Command.Result r = lan.host("client").ns().command("curl", "-sS", "--max-time", "2", "http://" + VIP_DR + "/").result();
        assertNotEquals(0, r.exitCode(), r.output());
    }

    @Test
    @Order(5)
    void inTheRealsNamespaceMistakesAreOneLine() throws Exception {
        XlbRun unknown = realserver(rs1, "start", "--vip", VIP_DR, "--interface", "eth9");
        assertEquals(1, unknown.exit());
        assertEquals(List.of("xlb realserver start: no interface 'eth9' in this network namespace"), unknown.err().lines().toList());
        XlbRun director = realserver(lan.host("director"), "start", "-f", conf.toString());
        assertEquals(1, director.exit());
        assertTrue(director.err().startsWith("xlb realserver start: no virtual_server in " + conf
                + " has a real_server at one of this host's addresses (" + SUBNET + ".128"), director.err());
        assertEquals(1, director.err().lines().count(), director.err());
        rs1.ns().exec("ip", "addr", "add", VIP_DR + "/32", "dev", Lan.HOST_IF);
        try {
            XlbRun held = realserver(rs1, "start", "--vip", VIP_DR);
            assertEquals(List.of("xlb realserver start: VIP " + VIP_DR + " is on eth0: a real server holds its VIPs on lo only (is this host a director?)"),
                    held.err().lines().toList());
            assertEquals(1, held.exit());
        } finally {
            rs1.ns().exec("ip", "addr", "del", VIP_DR + "/32", "dev", Lan.HOST_IF);
        }
        assertFalse(Files.exists(state(rs1)), "a refused start changes nothing");
    }
}
