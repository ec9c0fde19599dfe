package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.config.ConfigParser;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.sched.MaglevRing;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.Method;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tier 1: keepalived.conf records to the dataplane's desired state. */
class ConfigMappingTest {
    private static ConfigMapping.Result map(String text) {
        return ConfigMapping.map(ConfigParser.parse("t.conf", text).valid(false), null, null, 1500);
    }

    @Test
    void servicesRealsPersistenceAndTimeouts() {
        ConfigMapping.Result r = map("""
                global_defs { lvs_timeouts tcp 600 tcpfin 30 udp 60 }
                virtual_server 192.0.2.10 80 {
                    lb_algo wlc
                    lb_kind TUN
                    persistence_timeout 120
                    persistence_granularity 255.255.0.0
                    protocol TCP
                    real_server 10.0.0.1 80 { weight 4 }
                    real_server 10.0.0.2 80 {
                        weight 1
                        lvs_method DR
                    }
                }
                """);
        assertTrue(r.diagnostics().isEmpty(), r.diagnostics().toString());
        Service s = r.state().services().getFirst();
        assertEquals("wlc", s.scheduler().ipvsName());
        assertEquals(Method.TUN, s.method());
        assertEquals(new Service.Persistence(120, 16), s.persistence());
        assertEquals(4, s.reals().getFirst().weight());
        assertNull(s.reals().getFirst().method(), "the service's method");
        assertEquals(Method.DR, s.reals().get(1).method());
        assertEquals(600, r.state().config().timeoutSeconds(ConnState.ESTABLISHED));
        assertEquals(30, r.state().config().timeoutSeconds(ConnState.FIN_WAIT));
        assertEquals(60, r.state().config().timeoutSeconds(ConnState.UDP));
        assertEquals(1500, r.state().config().mtu());
    }

    @Test
    void whatTheDataplaneCannotDoIsReportedAtItsPosition() {
        ConfigMapping.Result r = map("""
                virtual_server fwmark 5 {
                    lb_kind DR
                    protocol TCP
                }
                """);
        assertEquals(0, r.state().services().size());
        assertTrue(r.diagnostics().get(0).toString().startsWith("t.conf:1:1: error: virtual_server fwmark 5: firewall marks"
                + " are set by netfilter, after XDP has forwarded the packet"), r.diagnostics().toString());
        assertEquals(1, r.diagnostics().size(), r.diagnostics().toString());
    }

    @Test
    void everyIpvsSchedulerWithItsFlagsAndEveryRealWithItsThresholds() {
        StringBuilder text = new StringBuilder();
        List<String> names = List.of("rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "lblc", "lblcr", "mh", "sh", "dh");
        for (int i = 0; i < names.size(); i++) {
            text.append("virtual_server 192.0.2.").append(10 + i).append(" 80 {\n    lb_algo ").append(names.get(i))
                    .append("\n    lb_kind DR\n    protocol TCP\n")
                    .append(names.get(i).equals("sh") ? "    sh-port\n    sh-fallback\n" : "")
                    .append(names.get(i).equals("mh") ? "    mh-fallback\n" : "")
                    .append("    real_server 10.0.0.1 80 {\n        uthreshold 100\n        lthreshold 60\n    }\n")
                    .append("    real_server 10.0.0.2 80 {\n        uthreshold 8\n    }\n}\n");
        }
        ConfigMapping.Result r = map(text.toString());
        assertEquals(List.of(), r.diagnostics());
        assertEquals(names, r.state().services().stream().map(s -> s.scheduler().ipvsName()).toList());
        Service sh = r.state().services().get(names.indexOf("sh"));
        assertEquals(new Scheduler.Ring(Scheduler.Ring.Key.SH, MaglevRing.DEFAULT_SIZE, true, true), sh.scheduler());
        assertEquals(List.of("mh-fallback"), r.state().services().get(names.indexOf("mh")).scheduler().flags());
        for (Service s : r.state().services()) {
            assertEquals(new Real.Thresholds(100, 60), s.reals().get(0).thresholds());
            assertEquals(new Real.Thresholds(8, 0), s.reals().get(1).thresholds());
        }
    }

    @Test
    void granularityAsMaskOrPrefix() {
        InetAddress v4 = InetAddress.ofLiteral("192.0.2.1");
        InetAddress v6 = InetAddress.ofLiteral("2001:db8::1");
        assertEquals(32, ConfigMapping.prefixOf(null, v4));
        assertEquals(128, ConfigMapping.prefixOf(null, v6));
        assertEquals(24, ConfigMapping.prefixOf("255.255.255.0", v4));
        assertEquals(0, ConfigMapping.prefixOf("0.0.0.0", v4));
        assertEquals(64, ConfigMapping.prefixOf("64", v6));
        assertNull(ConfigMapping.prefixOf("255.0.255.0", v4), "not contiguous");
        assertNull(ConfigMapping.prefixOf("40", v4));
    }

    @Test
    void tunnelTtlAndNewFlowLimitReachTheDirectorConfig() {
        ConfigMapping.Result r = map("global_defs {\n    xlb_tunnel_ttl 9\n    xlb_new_flow_limit 5000\n}\n");
        assertEquals(9, r.state().config().tunnelTtl());
        assertEquals(5000, r.state().config().newFlowLimit());
        ConfigMapping.Result defaults = map("global_defs {\n}\n");
        assertEquals(64, defaults.state().config().tunnelTtl());
        assertEquals(DirectorConfig.DEFAULT_NEW_FLOW_LIMIT, defaults.state().config().newFlowLimit(), "the guard is on by default");
        assertEquals(0, map("global_defs {\n    xlb_new_flow_limit 0\n}\n").state().config().newFlowLimit(), "0: no limit");
    }

    @Test
    void aGroupIsOneServicePerAddressWithTheGroupsReals() {
        ConfigMapping.Result r = map("""
                virtual_server_group WEB {
                    192.0.2.10-12 80
                    192.0.2.20 443
                }
                virtual_server group WEB {
                    lb_algo mh
                    lb_kind DR
                    protocol TCP
                    real_server 10.0.0.1 80 { weight 2 }
                }
                """);
        assertTrue(r.diagnostics().isEmpty(), r.diagnostics().toString());
        assertEquals(java.util.List.of("192.0.2.10:80", "192.0.2.11:80", "192.0.2.12:80", "192.0.2.20:443"),
                r.state().services().stream().map(s -> s.vip().address().getHostAddress() + ":" + s.vip().port()).toList());
        assertTrue(r.state().services().stream().allMatch(s -> s.reals().size() == 1 && s.reals().getFirst().weight() == 2
                && s.scheduler().ipvsName().equals("mh")));
    }

    @Test
    void aGroupsFwmarkOrAnAddressServedTwiceIsRefusedAtItsLine() {
        ConfigMapping.Result r = map("""
                virtual_server_group WEB {
                    192.0.2.10-11 80
                    fwmark 7
                }
                virtual_server group WEB {
                    lb_kind DR
                    protocol TCP
                }
                virtual_server 192.0.2.11 80 {
                    lb_kind DR
                    protocol TCP
                }
                """);
        assertTrue(r.diagnostics().get(0).toString().startsWith("t.conf:3:5: error: fwmark 7 in virtual_server_group WEB:"
                + " firewall marks are set by netfilter"), r.diagnostics().toString());
        assertTrue(r.diagnostics().get(0).toString().contains("virtual_server_group of addresses"), r.diagnostics().toString());
        assertEquals("t.conf:9:1: error: virtual server 192.0.2.11 80 TCP is also served at t.conf:2:5: one address and port"
                + " is one service", r.diagnostics().get(1).toString());
        assertEquals(2, r.state().services().size(), "the group's two addresses");
    }
}
