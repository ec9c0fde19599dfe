package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.config.Config;
import io.xlb.config.ConfigParser;
import io.xlb.vrrp.Tracking.Effect;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tier 1: what tracked interfaces, scripts and sync groups make of each instance. */
class InstanceTrackingTest {
    private static final Config CONFIG = ConfigParser.parse("t.conf", """
            vrrp_script chk_nginx {
                script "pidof nginx"
                weight -60
                fall 2
            }
            vrrp_script chk_disk {
                script "test -w /var"
            }
            vrrp_sync_group G {
                group {
                    VI_1
                    VI_2
                }
            }
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 51
                priority 100
                track_interface {
                    eth1 weight -20
                }
                track_script {
                    chk_nginx
                }
                virtual_ipaddress {
                    192.0.2.200
                }
            }
            vrrp_instance VI_2 {
                interface eth1
                virtual_router_id 52
                priority 90
                track_script {
                    chk_nginx weight 10
                }
                virtual_ipaddress {
                    192.0.2.201
                }
            }
            vrrp_instance VI_3 {
                interface eth2
                dont_track_primary
                virtual_router_id 53
                priority 80
                track_script {
                    chk_disk
                }
                virtual_ipaddress {
                    192.0.2.202
                }
            }
            """).config();

    private static Map<String, Effect> effects(Set<String> linksDown, Set<String> scriptsFailing) {
        return InstanceTracking.effects(CONFIG, l -> !linksDown.contains(l), s -> !scriptsFailing.contains(s));
    }

    @Test
    void everythingUpLeavesTheConfiguredPrioritiesAndPositiveWeights() {
        assertEquals(Map.of("VI_1", new Effect(false, 100), "VI_2", new Effect(false, 100), "VI_3", new Effect(false, 80)),
                effects(Set.of(), Set.of()), "VI_2 gives chk_nginx its own weight, +10 while ok");
    }

    @Test
    void weightsAndFaults() {
        Map<String, Effect> e = effects(Set.of(), Set.of("chk_nginx"));
        assertEquals(new Effect(false, 40), e.get("VI_1"), "the script's weight -60");
        assertEquals(new Effect(false, 90), e.get("VI_2"));
        assertEquals(new Effect(true, 80), effects(Set.of(), Set.of("chk_disk")).get("VI_3"), "weight 0: fault");
        assertEquals(new Effect(false, 80), effects(Set.of("eth2"), Set.of()).get("VI_3"), "dont_track_primary");
    }

    @Test
    void aSyncGroupIsInFaultWhileAnyMemberIs() {
        // eth1 down: VI_1 only loses 20 (weighted), but VI_2's own interface is eth1: fault, shared by G.
        Map<String, Effect> e = effects(Set.of("eth1"), Set.of());
        assertEquals(new Effect(true, 80), e.get("VI_1"));
        assertEquals(new Effect(true, 100), e.get("VI_2"));
        assertEquals(new Effect(false, 80), e.get("VI_3"));
        assertEquals(List.of("eth0", "eth1"), InstanceTracking.interfaces(CONFIG));
    }
}
