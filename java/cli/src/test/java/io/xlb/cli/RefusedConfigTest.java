package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.dataplane.abi.Structs;
import java.nio.file.Files;
import java.nio.file.Path;
import io.xlb.testing.KeepalivedConf;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files the parser takes but the director could not run as written: check-config refuses each at
 * its position, and the daemon refuses the same file at start, at the same position, having
 * touched nothing (no pin directory, no lock). Reload: DaemonLabTest.
 */
class RefusedConfigTest {
    private static final String INSTANCE = """
            vrrp_instance VI_1 {
                interface lo
                virtual_router_id 51
                virtual_ipaddress {
                    192.0.2.10
                }
            }
            """;

    /** Each refused file and the line:col and message its refusal must carry. */
    private static Map<String, String> cases() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(INSTANCE + "virtual_server 192.0.2.10 80 {\n    lb_algo sed\n    lb_kind DR\n    protocol TCP\n"
                + "    real_server 10.0.0.1 80 {\n        uthreshold 5\n        lthreshold 6\n    }\n}\n",
                ":12:5: error: lthreshold 6 is above uthreshold 5: IPVS refuses such a real");
        c.put(INSTANCE + "virtual_server fwmark 1 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n}\n",
                ":8:1: error: virtual_server fwmark 1: firewall marks are set by netfilter");
        c.put(INSTANCE + "virtual_server_group G {\n    192.0.2.20-21 80\n    fwmark 3\n}\nvirtual_server group G {\n    lb_algo rr\n"
                + "    lb_kind DR\n    protocol TCP\n}\n", ":10:5: error: fwmark 3 in virtual_server_group G: firewall marks");
        StringBuilder many = new StringBuilder(INSTANCE);
        for (int i = 0; i <= Structs.MAX_SERVICES; i++) {
            many.append("virtual_server 192.0.").append(2 + i / 250).append('.').append(i % 250 + 1)
                    .append(" 80 {\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n}\n");
        }
        c.put(many.toString(), ":" + (8 + 5 * Structs.MAX_SERVICES) + ":1: error: more than " + Structs.MAX_SERVICES
                + " virtual servers");
        c.put(INSTANCE + KeepalivedConf.service("192.0.2.10", "rr", Structs.MAX_REALS / 2, "") + KeepalivedConf.service("192.0.2.11", "rr",
                Structs.MAX_REALS / 2 + 1, ""), ":" + (8 + 5 + 2 * Structs.MAX_REALS / 2) + ":1: error: more than "
                + Structs.MAX_REALS + " real servers in all");
        c.put(INSTANCE + KeepalivedConf.service("192.0.2.10", "wlc", Structs.LC_MAX + 1, ""), ":8:1: error: wlc scans at most "
                + Structs.LC_MAX + " reals per service");
        c.put(INSTANCE + KeepalivedConf.service("192.0.2.10", "lblcr", Structs.LC_MAX + 1, ""), ":8:1: error: lblcr scans at most "
                + Structs.LC_MAX + " reals per service");
        c.put(INSTANCE + KeepalivedConf.service("192.0.2.10", "rr", 1, "    sorry_server 10.0.0.0 80\n"),
                ":8:1: error: sorry_server 10.0.0.0 80 is also a real_server");
        c.put(INSTANCE.replace("192.0.2.10\n", "192.0.2.10\n        2001:db8::10\n"),
                ":1:1: error: VI_1: IPv4 and IPv6 virtual addresses in one instance");
        c.put(INSTANCE.replace("interface lo", "interface nosuch0"), ":1:1: error: vrrp_instance VI_1: no interface nosuch0");
        c.put(INSTANCE.replace("virtual_router_id 51", "virtual_router_id 51\n    authentication {\n        auth_type AH\n"
                + "        auth_pass k3y\n    }"), ":5:19: error: auth_type AH");
        return c;
    }

    @Test
    void checkConfigAndTheDaemonRefuseEachAtTheSamePosition(@TempDir Path dir) throws Exception {
        Path pinDir = dir.resolve("pins-never-made");
        int n = 0;
        for (Map.Entry<String, String> c : cases().entrySet()) {
            Path file = dir.resolve("case-" + (++n) + ".conf");
            Files.writeString(file, c.getKey());
            String expected = file + c.getValue();
            XlbRun check = XlbRun.of("check-config", "-f", file.toString());
            assertEquals(1, check.exit(), expected + "\n" + check.err());
            assertTrue(check.err().lines().anyMatch(l -> l.startsWith(expected)), expected + "\n" + check.err());
            XlbRun daemon = XlbRun.of("daemon", "-f", file.toString(), "--pin-dir", pinDir.toString());
            assertEquals(1, daemon.exit(), expected + "\n" + daemon.err());
            assertTrue(daemon.err().contains(expected), expected + "\n" + daemon.err());
            assertFalse(daemon.err().contains("\tat "), "no stack trace: " + daemon.err());
            assertFalse(Files.exists(pinDir), "nothing was touched");
        }
    }

    @Test
    void aDaemonWhosePinDirectoryIsNotOnABpffsSaysSo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ok.conf");
        Files.writeString(file, INSTANCE);
        XlbRun daemon = XlbRun.of("daemon", "-f", file.toString(), "--pin-dir", dir.resolve("pins").toString());
        assertEquals(1, daemon.exit(), daemon.err());
        assertTrue(daemon.err().contains("is not on a BPF filesystem"), daemon.err());
        assertFalse(daemon.err().contains("\tat "), daemon.err());
    }
}
