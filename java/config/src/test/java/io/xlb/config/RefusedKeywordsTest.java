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
    void noAcceptAndThresholdsAreRefused() {
        List<String> m = messages("""
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
                }
                """);
        has(m, "t.conf:7:5: error: no_accept is not implemented by xlb");
        has(m, "t.conf:14:9: error: uthreshold is not enforced by xlb's dataplane yet");
        has(m, "t.conf:15:9: error: lthreshold is not enforced by xlb's dataplane yet");
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
