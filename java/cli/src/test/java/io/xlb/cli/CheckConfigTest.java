package io.xlb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.xlb.config.Config;
import io.xlb.config.ConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigTest {

    static Path resource(String name) throws Exception {
        return Path.of(CheckConfigTest.class.getResource("/" + name).toURI());
    }

    @Test
    void theSeedFileIsValidAndItsDumpShowsTheService() throws Exception {
        Path seed = resource("seed/master.conf");
        XlbRun r = XlbRun.of("check-config", "--offline", "-f", seed.toString(), "--dump");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains(seed + ":7:4: warning: smtp_connection_timeout"), r.err());
        JsonNode json = ConfigJson.mapper().readTree(r.out());
        JsonNode vs = json.get("virtualServers").get(0);
        assertEquals("192.168.1.200", vs.get("key").get("address").asText());
        assertEquals(80, vs.get("key").get("port").asInt());
        assertEquals("rr", vs.get("scheduler").asText());
        assertEquals("DR", vs.get("method").asText());
        assertEquals(2, vs.get("realServers").size());
        for (JsonNode real : vs.get("realServers")) {
            assertEquals(3, real.get("weight").asInt());
            assertEquals("TCP_CHECK", real.get("checkers").get(0).get("kind").asText());
        }
        JsonNode vi = json.get("vrrpInstances").get(0);
        assertEquals("VI_1", vi.get("name").asText());
        assertEquals(51, vi.get("virtualRouterId").asInt());
        assertEquals(100, vi.get("priority").asInt());
        assertEquals("PASS", vi.get("authentication").get("type").asText());
    }

    @Test
    void strictFailsOnWarningsAndShowsThemAsErrors() throws Exception {
        Path seed = resource("seed/master.conf");
        XlbRun r = XlbRun.of("check-config", "--offline", "-f", seed.toString(), "--strict");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(seed + ":29:5: error: nat_mask is obsolete"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anErrorExitsOneWithFileLineColumn(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 256\n}\n");
        XlbRun r = XlbRun.of("check-config", "-f", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().lines().toList().contains(bad + ":3:23: error: virtual_router_id must be 1..255, got 256"), r.err());
        XlbRun missing = XlbRun.of("check-config", "-f", dir.resolve("none.conf").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("cannot read"), missing.err());
    }

    @Test
    void theDumpParsesBackToEqualRecords() throws Exception {
        for (String name : new String[] {"seed/master.conf", "full/keepalived.conf"}) {
            Config parsed = ConfigParser.parse(resource(name)).valid(false);
            String json = ConfigJson.write(parsed);
            assertEquals(parsed, ConfigJson.read(json), name + " round trip");
            assertEquals(json, ConfigJson.write(ConfigJson.read(json)));
        }
    }

    @Test
    void theHostsInterfacesAreCheckedAsTheDaemonChecksThemUnlessOffline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, "vrrp_instance VI_1 {\n    interface nosuch0\n    virtual_router_id 51\n"
                + "    virtual_ipaddress {\n        192.0.2.10\n    }\n}\n");
        XlbRun here = XlbRun.of("check-config", "-f", file.toString());
        assertEquals(1, here.exit(), here.err());
        assertTrue(here.err().contains(file + ":1:1: error: vrrp_instance VI_1: no interface nosuch0 on this host"), here.err());
        XlbRun offline = XlbRun.of("check-config", "--offline", "-f", file.toString());
        assertEquals(0, offline.exit(), offline.err());
        Files.writeString(file, Files.readString(file).replace("nosuch0", "lo"));
        XlbRun extra = XlbRun.of("check-config", "-f", file.toString(), "--interface", "nosuch1");
        assertEquals(1, extra.exit(), extra.err());
        assertTrue(extra.err().contains("--interface nosuch1: no such interface on this host"), extra.err());
    }

    @Test
    void whatTheDataplaneCannotDoFailsCheckConfig(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, "virtual_server fwmark 1 {\n    lb_algo sed\n    lb_kind DR\n    protocol TCP\n}\n");
        XlbRun r = XlbRun.of("check-config", "--offline", "-f", file.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains(file + ":1:1: error: virtual_server fwmark 1: firewall marks are set by netfilter"), r.err());
    }
}
