package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.config.ConfigParser;
import io.xlb.config.Diagnostic;
import io.xlb.dataplane.abi.Structs;
import io.xlb.testing.KeepalivedConf;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Tier 1: the acceptance rule check-config and the daemon share. Each case is a file the parser
 * alone takes but the director could not run as written: refused at its position.
 */
class ConfigCheckTest {
    /** A host with one interface, eth0. */
    private static final ConfigCheck.Host HOST = name -> name.equals("eth0")
            ? Optional.of(new ConfigCheck.Interface("eth0", 2, 1500, null, null, true)) : Optional.empty();

    private static final String INSTANCE = """
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 51
                virtual_ipaddress {
                    192.0.2.10
                }
            }
            """;

    private static ConfigCheck.Outcome check(String text) {
        return ConfigCheck.check(ConfigParser.parse("t.conf", text), List.of(), HOST, "t.conf");
    }

    private static List<String> errors(String text) {
        ConfigCheck.Outcome o = check(text);
        assertFalse(o.accepted(false), "refused: " + o.diagnostics());
        return o.errors().stream().map(Diagnostic::toString).toList();
    }

    private static void has(List<String> all, String prefix) {
        assertTrue(all.stream().anyMatch(m -> m.startsWith(prefix)), "expected '" + prefix + "…' in " + all);
    }

    @Test
    void natNeedsAHostThatForwards() {
        String nat = INSTANCE + KeepalivedConf.service("192.0.2.10", "rr", 1, "").replace("lb_kind DR", "lb_kind NAT");
        assertTrue(check(nat).accepted(false), "this host's forwarding cannot be told: accepted");
        ConfigCheck.Host noForwarding = new ConfigCheck.Host() {
            @Override
            public Optional<ConfigCheck.Interface> find(String name) {
                return HOST.find(name);
            }

            @Override
            public Optional<Boolean> forwards(boolean ipv6) {
                return Optional.of(false);
            }
        };
        ConfigCheck.Outcome o = ConfigCheck.check(ConfigParser.parse("t.conf", nat), List.of(), noForwarding, "t.conf");
        has(o.errors().stream().map(Diagnostic::toString).toList(),
                "t.conf:8:1: error: lb_kind NAT: this host does not forward IPv4 packets");
        assertTrue(ConfigCheck.check(ConfigParser.parse("t.conf", INSTANCE + KeepalivedConf.service("192.0.2.10", "rr", 1, "")),
                List.of(), noForwarding, "t.conf").accepted(false), "DR needs no forwarding");
    }

    @Test
    void theTutorialsShapeIsAccepted() {
        ConfigCheck.Outcome o = check(INSTANCE + KeepalivedConf.service("192.0.2.10", "rr", 2, ""));
        assertTrue(o.accepted(true), o.diagnostics().toString());
        assertEquals(1, o.desired().services().size());
        assertEquals(List.of("eth0"), o.interfaces());
    }

    @Test
    void everyIpvsSchedulerIsAccepted() {
        for (String sched : List.of("sed", "nq", "fo", "ovf", "lblc", "lblcr")) {
            ConfigCheck.Outcome o = check(INSTANCE + KeepalivedConf.service("192.0.2.10", sched, 1, ""));
            assertTrue(o.accepted(true), sched + ": " + o.diagnostics());
            assertEquals(sched, o.desired().services().getFirst().scheduler().ipvsName());
        }
    }

    @Test
    void fwmarkServicesAreRefusedAndGroupsTaken() {
        List<String> e = errors(INSTANCE + """
                virtual_server_group G {
                    192.0.2.20 80
                }
                virtual_server group G {
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                }
                virtual_server fwmark 7 {
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                }
                """);
        assertEquals(1, e.size(), e.toString());
        has(e, "t.conf:16:1: error: virtual_server fwmark 7: firewall marks are set by netfilter");
    }

    @Test
    void theDataplanesLimitsAreRefusedAtTheServiceThatCrossesThem() {
        StringBuilder many = new StringBuilder(INSTANCE);
        for (int i = 0; i <= Structs.MAX_SERVICES; i++) {
            many.append("virtual_server 192.0.").append(2 + i / 250).append('.').append(i % 250 + 1)
                    .append(" 80 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n}\n");
        }
        List<String> e = errors(many.toString());
        assertEquals(1, e.size(), e.toString());
        has(e, "t.conf:" + (8 + 5 * Structs.MAX_SERVICES) + ":1: error: more than " + Structs.MAX_SERVICES + " virtual servers");

        String big = KeepalivedConf.service("192.0.2.10", "rr", Structs.MAX_REALS / 2, "")
                + KeepalivedConf.service("192.0.2.11", "rr", Structs.MAX_REALS / 2, "")
                + KeepalivedConf.service("192.0.2.12", "rr", 1, "");
        has(errors(INSTANCE + big), "t.conf:" + (8 + 2 * (5 + 2 * Structs.MAX_REALS / 2)) + ":1: error: more than "
                + Structs.MAX_REALS + " real servers in all");

        has(errors(INSTANCE + KeepalivedConf.service("192.0.2.10", "wlc", Structs.LC_MAX + 1, "")),
                "t.conf:8:1: error: wlc scans at most " + Structs.LC_MAX + " reals per service");
        assertTrue(check(INSTANCE + KeepalivedConf.service("192.0.2.10", "wlc", Structs.LC_MAX, "")).accepted(false));
    }

    @Test
    void aSorryServerThatIsAlsoARealIsRefused() {
        has(errors(INSTANCE + KeepalivedConf.service("192.0.2.10", "rr", 1, "    sorry_server 10.0.0.0 80\n")),
                "t.conf:8:1: error: sorry_server 10.0.0.0 80 is also a real_server of this virtual_server");
        assertTrue(check(INSTANCE + KeepalivedConf.service("192.0.2.10", "rr", 1, "    sorry_server 10.0.0.0 8080\n")).accepted(false));
    }

    @Test
    void vrrpCombinationsTheDaemonRefusesAreRefusedHere() {
        has(errors("""
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 51
                    virtual_ipaddress {
                        192.0.2.10
                        2001:db8::10
                    }
                }
                """), "t.conf:1:1: error: VI_1: IPv4 and IPv6 virtual addresses in one instance");
        has(errors("""
                vrrp_instance VI_6 {
                    interface eth0
                    virtual_router_id 51
                    unicast_peer {
                        2001:db8::3
                    }
                    virtual_ipaddress {
                        2001:db8::10
                    }
                }
                """), "t.conf:1:1: error: VI_6: unicast peers over IPv6 are not implemented yet");
    }

    @Test
    void interfacesTheHostLacksAreRefusedUnlessOffline() {
        String text = INSTANCE.replace("eth0", "nosuch0");
        has(errors(text), "t.conf:1:1: error: vrrp_instance VI_1: no interface nosuch0 on this host");
        ConfigCheck.Outcome offline = ConfigCheck.check(ConfigParser.parse("t.conf", text), List.of(),
                ConfigCheck.Host.OFFLINE, "t.conf");
        assertTrue(offline.accepted(false), offline.diagnostics().toString());
        ConfigCheck.Outcome extra = ConfigCheck.check(ConfigParser.parse("t.conf", INSTANCE), List.of("nosuch1"), HOST, "t.conf");
        assertEquals("t.conf:1:1: error: --interface nosuch1: no such interface on this host", extra.errors().getFirst().toString());
        assertFalse(check(KeepalivedConf.service("192.0.2.10", "rr", 1, "")).accepted(false), "no interface at all");
    }
}
