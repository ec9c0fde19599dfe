package io.xlb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keywords xlb reads but does not do: each is an error at its position (the director would not
 * do what the line says) or a warning that says it is ignored and why.
 */
class RefusedKeywordsTest {
    private static List<String> messages(String text) {
        return ConfigParser.parse("t.conf", text).diagnostics().stream().map(Diagnostic::toString).toList();
    }

    private static void has(List<String> all, String prefix) {
        assertTrue(all.stream().anyMatch(m -> m.startsWith(prefix)), "expected '" + prefix + "…' in " + all);
    }

    @Test
    void authTypeAhIsRefusedWhereItIsWritten() {
        List<String> m = messages("""
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 51
                    authentication {
                        auth_type AH
                        auth_pass k3y
                    }
                    virtual_ipaddress {
                        192.0.2.10
                    }
                }
                """);
        has(m, "t.conf:5:19: error: auth_type AH (IPsec authentication header) is not implemented by xlb");
    }

    @Test
    void noAcceptIsRefusedAndThresholdsAreRead() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 51
                    virtual_ipaddress {
                        192.0.2.10
                    }
                    no_accept
                }
                virtual_server 192.0.2.10 80 {
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                    real_server 10.0.0.1 80 {
                        uthreshold 1000
                        lthreshold 800
                    }
                    real_server 10.0.0.2 80 {
                        uthreshold 10
                        lthreshold 11
                    }
                }
                """);
        List<String> m = r.diagnostics().stream().map(Diagnostic::toString).toList();
        has(m, "t.conf:7:5: error: no_accept is not implemented by xlb");
        RealServer first = r.config().virtualServers().getFirst().realServers().getFirst();
        assertEquals(1000, first.uthreshold());
        assertEquals(800, first.lthreshold());
        has(m, "t.conf:17:5: error: lthreshold 11 is above uthreshold 10: IPVS refuses such a real");
        assertEquals(2, m.size(), m.toString());
    }

    /**
     * keepalived's lbflags_handler: sh-port and the like count under the lb_algo written before
     * them (keepalived says "only applies to sh scheduler - ignoring" otherwise), flag-1..3 set a
     * bit whatever the scheduler, and only sh and mh read bits 1 (fallback) and 2 (port).
     */
    @Test
    void schedulerFlagsAreReadAsKeepalivedReadsThem() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                virtual_server 192.0.2.10 80 {
                    sh-port
                    lb_algo sh
                    sh-fallback
                    mh-port
                    flag-2
                    flag-3
                    lb_kind DR
                    protocol TCP
                }
                virtual_server 192.0.2.11 80 {
                    lb_algo mh
                    flag-1
                    lb_kind DR
                    protocol TCP
                }
                virtual_server 192.0.2.12 80 {
                    lb_algo wlc
                    flag-1
                    lb_kind DR
                    protocol TCP
                }
                """);
        List<String> m = r.diagnostics().stream().map(Diagnostic::toString).toList();
        has(m, "t.conf:2:5: warning: sh-port is a flag of lb_algo sh and the scheduler here is wlc");
        has(m, "t.conf:5:5: warning: mh-port is a flag of lb_algo mh, not sh: ignored");
        has(m, "t.conf:7:5: warning: flag-3 does nothing with lb_algo sh (no IPVS scheduler reads flag-3)");
        has(m, "t.conf:19:5: warning: flag-1 does nothing with lb_algo wlc (only sh and mh read scheduler flags)");
        assertEquals(4, m.size(), m.toString());
        List<VirtualServer> vs = r.config().virtualServers();
        assertEquals(List.of("sh-fallback", "sh-port"), vs.get(0).schedulerFlags(), "sh-fallback, and flag-2 is sh's port");
        assertEquals(List.of("mh-fallback"), vs.get(1).schedulerFlags());
        assertEquals(List.of(), vs.get(2).schedulerFlags());
    }

    @Test
    void ipvsConnectionSyncIsIgnoredWithAWarningThatSaysWhatFailoverThenDoes() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                global_defs {
                    lvs_sync_daemon eth1 VI_1 id 5
                }
                vrrp_instance VI_1 {
                    interface eth0
                    lvs_sync_daemon_interface eth1
                    virtual_router_id 51
                    priority 100
                    virtual_ipaddress {
                        192.168.200.16
                    }
                }
                """);
        List<String> m = r.diagnostics().stream().map(Diagnostic::toString).toList();
        has(m, "t.conf:2:5: warning: IPVS's connection synchronisation daemon is ignored");
        has(m, "t.conf:6:5: warning: IPVS's connection synchronisation daemon is ignored");
        assertEquals(2, m.size(), m.toString());
        assertTrue(!r.hasErrors(false));
    }

    @Test
    void maxAutoPriorityIsReadAndIgnoredWithAWarning() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", "global_defs {\n    max_auto_priority 50\n}\n");
        assertEquals(50, r.config().global().maxAutoPriority());
        assertTrue(!r.hasErrors(false));
        has(r.diagnostics().stream().map(Diagnostic::toString).toList(), "t.conf:2:5: warning: max_auto_priority is ignored");
    }

    @Test
    void vrrpStrictEnforcesKeepalivedsChecksAndSaysWhatItDoesNotDo() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                global_defs {
                    vrrp_strict
                }
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 51
                    unicast_peer {
                        192.0.2.3
                    }
                    authentication {
                        auth_type PASS
                        auth_pass k3y
                    }
                    accept
                }
                """);
        assertTrue(r.config().global().vrrpStrict());
        List<String> m = r.diagnostics().stream().map(Diagnostic::toString).toList();
        has(m, "t.conf:1:1: warning: vrrp_strict: its protocol checks are enforced, but not its no_accept part");
        has(m, "t.conf:4:1: error: vrrp_instance VI_1: vrrp_strict requires at least one virtual_ipaddress");
        has(m, "t.conf:4:1: error: vrrp_instance VI_1: vrrp_strict does not allow unicast_peer");
        has(m, "t.conf:4:1: error: vrrp_instance VI_1: vrrp_strict does not allow authentication");
        has(m, "t.conf:4:1: error: vrrp_instance VI_1: vrrp_strict does not allow accept");
    }

    @Test
    void virtualAddressScopeAndBroadcastAreCheckedWhereWritten() {
        List<String> m = messages("""
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 51
                    virtual_ipaddress {
                        192.0.2.10/24 scope galaxy brd 192.0.2.255
                        192.0.2.11/24 scope link brd nonsense
                        2001:db8::1/64 brd +
                        192.0.2.12/24 scope 200 brd +
                    }
                }
                """);
        has(m, "t.conf:5:29: error: scope is host, link, site, global (universe), nowhere or 0..255, not 'galaxy'");
        has(m, "t.conf:6:38: error: brd takes an IPv4 broadcast address");
        has(m, "t.conf:7:28: error: brd takes an IPv4 broadcast address");
        assertEquals(3, m.size(), "the last address is fine: " + m);
    }
}
