package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.cli.RealServerPlan.LocalAddress;
import io.xlb.cli.RealServerPlan.Mode;
import io.xlb.config.Config;
import io.xlb.config.ConfigParser;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tier 1: what {@code xlb realserver} plans from a keepalived.conf or arguments, and its one-line errors. */
class RealServerTest {
    private static final Set<String> LINKS = Set.of("lo", "eth0", "eth1");

    private static InetAddress a(String s) {
        return InetAddress.ofLiteral(s);
    }

    private static Config config(String text) {
        ConfigParser.Result r = ConfigParser.parse("test.conf", text);
        assertFalse(r.hasErrors(false), r.diagnostics().toString());
        return r.config();
    }

    @Test
    void theSeedFileGivesEachRealItsVipInDrOnTheInterfaceHoldingItsAddress() throws Exception {
        Config seed = ConfigParser.parse(CheckConfigTest.resource("seed/master.conf")).config();
        List<LocalAddress> rs1 = List.of(new LocalAddress(a("192.168.1.130"), "eth0"), new LocalAddress(a("fe80::1"), "eth0"));
        RealServerPlan plan = RealServerPlan.fromConfig(seed, null, LINKS, rs1);
        assertEquals(Map.of(a("192.168.1.200"), EnumSet.of(Mode.DR)), plan.vips());
        assertEquals(Set.of("eth0"), plan.interfaces());
        assertEquals(Map.of(), plan.tunnels());
        Map<String, String> sysctls = new LinkedHashMap<>();
        sysctls.put("net/ipv4/conf/all/arp_ignore", "1");
        sysctls.put("net/ipv4/conf/all/arp_announce", "2");
        sysctls.put("net/ipv4/conf/eth0/arp_ignore", "1");
        sysctls.put("net/ipv4/conf/eth0/arp_announce", "2");
        assertEquals(List.copyOf(sysctls.entrySet()), List.copyOf(plan.sysctls().entrySet()), "the seed's script's values, all then eth0");

        RealServerException none = assertThrows(RealServerException.class,
                () -> RealServerPlan.fromConfig(seed, null, LINKS, List.of(new LocalAddress(a("192.168.1.128"), "eth0"))));
        assertTrue(none.getMessage().contains("has a real_server at one of this host's addresses (192.168.1.128)"), none.getMessage());
    }

    @Test
    void tunGroupsSorryServersAndPerRealMethodsAreFollowedAndFwmarksNoted() {
        Config c = config("""
                virtual_server_group WEB {
                    10.0.0.10-12 443
                    fwmark 7
                }
                virtual_server group WEB {
                    lb_kind TUN
                    protocol TCP
                    real_server 10.0.1.5 443 {
                    }
                }
                virtual_server 10.0.0.20 80 {
                    lb_kind DR
                    protocol TCP
                    sorry_server 10.0.2.5 80
                    real_server 10.0.9.9 80 {
                    }
                }
                virtual_server 10.0.0.30 80 {
                    lb_kind DR
                    protocol TCP
                    real_server 10.0.1.5 80 {
                        lvs_method TUN
                    }
                }
                virtual_server fwmark 9 {
                    lb_kind DR
                    protocol TCP
                    real_server 10.0.1.5 80 {
                    }
                }
                virtual_server 2001:db8::80 80 {
                    lb_kind DR
                    protocol TCP
                    real_server 2001:db8:1::5 80 {
                    }
                }
                """);
        List<LocalAddress> host = List.of(new LocalAddress(a("10.0.1.5"), "eth0"), new LocalAddress(a("10.0.2.5"), "eth1"),
                new LocalAddress(a("2001:db8:1::5"), "eth0"));
        RealServerPlan plan = RealServerPlan.fromConfig(c, null, LINKS, host);
        Map<InetAddress, Set<Mode>> vips = new LinkedHashMap<>();
        for (String g : List.of("10.0.0.10", "10.0.0.11", "10.0.0.12")) {
            vips.put(a(g), EnumSet.of(Mode.TUN));
        }
        vips.put(a("10.0.0.20"), EnumSet.of(Mode.DR)); // as the sorry server, on eth1
        vips.put(a("10.0.0.30"), EnumSet.of(Mode.TUN)); // the real's own lvs_method
        vips.put(a("2001:db8::80"), EnumSet.of(Mode.DR));
        assertEquals(vips, plan.vips());
        assertEquals(Set.of("eth0", "eth1"), plan.interfaces());
        assertEquals(Map.of("eth0", Set.of(a("10.0.1.5"))), plan.tunnels(), "tunnels arrive at the real's address");
        List<String> notes = plan.notes().stream().map(Object::toString).toList();
        assertEquals(List.of("test.conf:3:5: warning: fwmark 7 in virtual_server_group WEB names no address to put on lo: skipped (give its VIPs with --vip)",
                "test.conf:25:1: warning: virtual_server fwmark 9 names no address to put on lo: skipped (give its VIPs with --vip)"), notes);
        assertEquals("0", plan.sysctls().get("net/ipv4/conf/eth0/rp_filter"));
        assertEquals("0", plan.sysctls().get("net/ipv4/conf/all/rp_filter"));
        assertEquals("1", plan.sysctls().get("net/ipv4/conf/eth1/arp_ignore"));
        assertFalse(plan.sysctls().containsKey("net/ipv4/conf/eth1/rp_filter"), "no tunnels arrive on eth1");

        RealServerPlan onEth1 = RealServerPlan.fromConfig(c, "eth1", LINKS, host);
        assertEquals(Set.of("eth1"), onEth1.interfaces());
        assertEquals(Map.of("eth1", Set.of(a("10.0.1.5"))), onEth1.tunnels());
    }

    @Test
    void argumentsNameTheVipsAndTheInterfaceIsTheOnlyOneWithAnAddress() {
        List<LocalAddress> one = List.of(new LocalAddress(a("10.0.1.5"), "eth0"), new LocalAddress(a("fe80::5"), "eth0"),
                new LocalAddress(a("2001:db8:1::5"), "eth0"));
        RealServerPlan dr = RealServerPlan.fromArguments(List.of(a("10.0.0.1"), a("2001:db8::1")), Mode.DR, null, LINKS, one);
        assertEquals(Set.of("eth0"), dr.interfaces());
        assertEquals(Map.of(), dr.tunnels());
        RealServerPlan tun = RealServerPlan.fromArguments(List.of(a("10.0.0.1")), Mode.TUN, "eth0", LINKS, one);
        assertEquals(Map.of("eth0", Set.of(a("10.0.1.5"), a("2001:db8:1::5"))), tun.tunnels(), "every address but link-local");

        RealServerPlan v6only = RealServerPlan.fromArguments(List.of(a("2001:db8::1")), Mode.DR, "eth0", LINKS, one);
        assertEquals(Map.of(), v6only.sysctls(), "IPv6 answers neighbour solicitations only for the receiving interface's addresses");
        RealServerPlan v6tunOnV4 = RealServerPlan.fromArguments(List.of(a("2001:db8::1")), Mode.TUN, "eth1", LINKS,
                List.of(new LocalAddress(a("10.0.2.5"), "eth1")));
        assertEquals(List.of("--vip 2001:db8::1: eth1 has no IPv6 address for IP6IP6 tunnels to arrive at"),
                v6tunOnV4.notes().stream().map(d -> d.message()).toList());

        List<LocalAddress> two = List.of(new LocalAddress(a("10.0.1.5"), "eth0"), new LocalAddress(a("10.0.2.5"), "eth1"));
        assertEquals("several interfaces have addresses (eth0, eth1): name the one facing the director with --interface",
                assertThrows(RealServerException.class, () -> RealServerPlan.fromArguments(List.of(a("10.0.0.1")), Mode.DR, null, LINKS, two)).getMessage());
        assertEquals("no interface 'eth9' in this network namespace",
                assertThrows(RealServerException.class, () -> RealServerPlan.fromArguments(List.of(a("10.0.0.1")), Mode.DR, "eth9", LINKS, two)).getMessage());
        assertEquals("eth1 has no address for tunnels to arrive at",
                assertThrows(RealServerException.class, () -> RealServerPlan.fromArguments(List.of(a("10.0.0.1")), Mode.TUN, "eth1", LINKS, one)).getMessage());
    }

    @Test
    void vipsAreLiteralServiceAddressesAndModesDrOrTun() {
        assertEquals(a("2001:db8::1"), RealServerPlan.vip("2001:DB8:0::1"));
        for (String bad : List.of("10.0.0.256", "web.example.com", "10.0.0", "", "10.0.0.1/32")) {
            assertTrue(assertThrows(RealServerException.class, () -> RealServerPlan.vip(bad)).getMessage()
                    .endsWith("is not an IPv4 or IPv6 address"), bad);
        }
        for (String bad : List.of("0.0.0.0", "127.0.0.2", "224.0.0.18", "::1", "fe80::1")) {
            assertTrue(assertThrows(RealServerException.class, () -> RealServerPlan.vip(bad)).getMessage()
                    .contains("cannot be a service address"), bad);
        }
        assertEquals(Mode.TUN, Mode.parse("TUN"));
        assertEquals("--mode must be dr or tun, not 'nat'", assertThrows(RealServerException.class, () -> Mode.parse("nat")).getMessage());
        assertEquals("net.ipv4.conf.eth0/100.arp_ignore", RealServerSetup.name("net/ipv4/conf/eth0.100/arp_ignore"), "as sysctl(8) writes a VLAN's");
    }

    /** Each failure is one line on stderr, exit 1, no stack trace. */
    private static void oneLine(XlbRun r, String expected) {
        assertEquals(1, r.exit(), r.out() + r.err());
        assertEquals(List.of(expected), r.err().lines().toList());
    }

    @Test
    void mistakesAreOneLineAndExitOne(@TempDir Path dir) throws Exception {
        String state = dir.resolve("state.json").toString();
        oneLine(XlbRun.of("realserver", "start", "--vip", "10.0.0.256", "--state", state),
                "xlb realserver start: --vip '10.0.0.256' is not an IPv4 or IPv6 address");
        oneLine(XlbRun.of("realserver", "start", "--vip", "10.0.0.1", "--mode", "nat", "--state", state),
                "xlb realserver start: --mode must be dr or tun, not 'nat'");
        oneLine(XlbRun.of("realserver", "start", "--state", state),
                "xlb realserver start: give the directors' keepalived.conf (-f FILE) or the VIPs (--vip ADDR)");
        oneLine(XlbRun.of("realserver", "start", "-f", "x.conf", "--vip", "10.0.0.1", "--state", state),
                "xlb realserver start: -f and --vip/--mode are exclusive: the VIPs come from the file or from arguments");
        BooleanSupplier was = RealServerCommand.root;
        RealServerCommand.root = () -> false;
        try {
            for (String cmd : List.of("start", "stop")) {
                List<String> args = cmd.equals("start") ? List.of("realserver", cmd, "--vip", "10.0.0.1", "--state", state)
                        : List.of("realserver", cmd, "--state", state);
                oneLine(XlbRun.of(args.toArray(String[]::new)),
                        "xlb realserver " + cmd + ": must run as root (it changes addresses, sysctls and XDP programs)");
            }
        } finally {
            RealServerCommand.root = was;
        }
        assertFalse(Files.exists(dir.resolve("state.json")));
    }

    @Test
    void stopAndStatusBeforeAnyStartSayNotStarted(@TempDir Path dir) {
        String state = dir.resolve("state.json").toString();
        BooleanSupplier was = RealServerCommand.root;
        RealServerCommand.root = () -> true; // stop touches nothing when there is no state
        try {
            XlbRun stop = XlbRun.of("realserver", "stop", "--state", state);
            assertEquals(0, stop.exit(), stop.err());
            assertEquals("not started (no " + state + "): nothing to undo\n", stop.out());
        } finally {
            RealServerCommand.root = was;
        }
        XlbRun status = XlbRun.of("realserver", "status", "--state", state);
        assertEquals(3, status.exit(), "LSB's 'not running'");
        assertEquals("not started (no " + state + ")\n", status.out());
    }

    @Test
    void aStateFileFromAnotherNamespaceIsRefused(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state.json");
        RealServerState.empty("net:[1]", "--vip 10.0.0.1 --mode dr", "2026-01-01T00:00:00Z").save(state);
        XlbRun status = XlbRun.of("realserver", "status", "--state", state.toString());
        assertEquals(1, status.exit());
        assertEquals(List.of("xlb realserver status: " + state + " was written in network namespace net:[1], this is "
                + RealServerSetup.netns() + ": give each namespace its own --state file (and --pin-dir)"), status.err().lines().toList());
    }
}
