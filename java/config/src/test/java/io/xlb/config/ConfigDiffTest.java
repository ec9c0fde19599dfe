package io.xlb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    private static final String BASE = """
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 51
                priority 100
                virtual_ipaddress { 192.0.2.200 }
            }
            virtual_server 192.0.2.200 80 {
                lb_algo rr
                lb_kind DR
                protocol TCP
                real_server 10.0.0.1 80 {
                    weight 3
                    TCP_CHECK { connect_timeout 10 }
                }
                real_server 10.0.0.2 80 {
                    weight 3
                }
            }
            virtual_server 192.0.2.201 53 {
                lb_kind DR
                protocol UDP
            }
            """;

    private static Config parse(String text) {
        return ConfigParser.parse("t.conf", text).valid(false);
    }

    @Test
    void theSameConfigurationMovedAroundIsNoChange() {
        Config a = parse(BASE);
        Config b = parse("\n\n# moved down two lines\n" + BASE.replace("    weight 3", "        weight 3"));
        ConfigDiff diff = ConfigDiff.between(a, b);
        assertTrue(diff.isEmpty(), diff.toString());
    }

    @Test
    void aWeightChangeIsTellingApartFromOtherRealChanges() {
        Config a = parse(BASE);
        Config b = parse(BASE.replace("real_server 10.0.0.2 80 {\n        weight 3", "real_server 10.0.0.2 80 {\n        weight 0")
                .replace("connect_timeout 10", "connect_timeout 5"));
        ConfigDiff diff = ConfigDiff.between(a, b);
        assertEquals(1, diff.virtualServers().size());
        ConfigDiff.ServiceChange s = diff.virtualServers().getFirst();
        assertFalse(s.settingsChanged(), "only reals changed");
        assertEquals(2, s.realServers().size());
        assertFalse(s.realServers().get(0).weightOnly(), "10.0.0.1: its checker changed");
        assertTrue(s.realServers().get(1).weightOnly(), "10.0.0.2: its weight alone");
        assertEquals("""
                ~ virtual_server 192.0.2.200 80 TCP (reals only)
                  ~ real_server 10.0.0.1 80
                  ~ real_server 10.0.0.2 80 (weight)""", diff.toString());
    }

    @Test
    void servicesRealsAndInstancesAddedRemovedAndChanged() {
        Config a = parse(BASE);
        Config b = parse(BASE.replace("lb_algo rr", "lb_algo wrr")
                .replace("real_server 10.0.0.2 80 {", "real_server 10.0.0.3 80 {")
                .replace("virtual_server 192.0.2.201 53", "virtual_server 192.0.2.202 53")
                .replace("priority 100", "priority 110")
                + "vrrp_instance VI_2 {\n interface eth1\n virtual_router_id 52\n virtual_ipaddress { 192.0.2.9 }\n}\n");
        ConfigDiff diff = ConfigDiff.between(a, b);
        assertEquals("""
                ~ vrrp_instance VI_1
                + vrrp_instance VI_2
                ~ virtual_server 192.0.2.200 80 TCP
                  - real_server 10.0.0.2 80
                  + real_server 10.0.0.3 80
                - virtual_server 192.0.2.201 53 UDP
                + virtual_server 192.0.2.202 53 UDP""", diff.toString());
        ConfigDiff.ServiceChange web = diff.virtualServers().getFirst();
        assertTrue(web.settingsChanged(), "the scheduler changed");
        var m = assertInstanceOf(ConfigDiff.Modified.class, diff.vrrpInstances().getFirst());
        assertEquals(110, ((VrrpInstance) m.after()).priority());
        assertFalse(diff.globalChanged());
    }

    @Test
    void globalSettingsCount() {
        Config a = parse("global_defs { router_id A }\n" + BASE);
        Config b = parse("global_defs { router_id B }\n" + BASE);
        assertTrue(ConfigDiff.between(a, b).globalChanged());
    }
}
