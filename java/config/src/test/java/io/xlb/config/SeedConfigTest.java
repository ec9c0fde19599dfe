package io.xlb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed tutorial's two files, exactly as written there (only the markdown indent removed). */
class SeedConfigTest {
    static Path resource(String name) {
        try {
            return Path.of(SeedConfigTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertSeed(Config c, VrrpInstance.State state, int priority) {
        assertEquals("LVS_DEVEL", c.global().routerId());
        assertEquals(List.of("edisonchou@hotmail.com"), c.global().notificationEmail());
        assertEquals("sns-lvs@gmail.com", c.global().notificationEmailFrom());
        assertEquals("192.168.80.1", Addresses.text(c.global().smtpServer()));
        assertEquals(Duration.ofSeconds(30), c.global().smtpConnectTimeout());

        VrrpInstance vi = c.vrrpInstances().getFirst();
        assertEquals("VI_1", vi.name());
        assertEquals(state, vi.state());
        assertEquals("eno16777736", vi.interfaceName());
        assertEquals(51, vi.virtualRouterId());
        assertEquals(priority, vi.priority());
        assertEquals(Duration.ofSeconds(1), vi.advertInt());
        assertEquals(new VrrpInstance.Authentication(VrrpInstance.AuthType.PASS, "1111"), vi.authentication());
        assertEquals("192.168.1.200", Addresses.text(vi.virtualIpaddress().getFirst().address()));
        assertEquals(32, vi.virtualIpaddress().getFirst().prefixLength());

        VirtualServer vs = c.virtualServers().getFirst();
        assertEquals(new VirtualServer.AddressPort(Addresses.parse("192.168.1.200"), 80), vs.key());
        assertEquals("rr", vs.scheduler());
        assertEquals("DR", vs.method());
        assertEquals("TCP", vs.protocol());
        assertEquals(Duration.ofSeconds(6), vs.delayLoop());
        assertNull(vs.persistenceTimeout(), "persistence_timeout 0 is no persistence");
        assertEquals(2, vs.realServers().size());
        for (RealServer r : vs.realServers()) {
            assertEquals(3, r.weight());
            assertEquals(80, r.port());
            Checker.TcpCheck tcp = assertInstanceOf(Checker.TcpCheck.class, r.checkers().getFirst());
            assertEquals(Duration.ofSeconds(10), tcp.common().connectTimeout());
            assertEquals(3, tcp.common().retry(), "nb_get_retry read as retry");
            assertEquals(Duration.ofSeconds(3), tcp.common().delayBeforeRetry());
            assertEquals(80, tcp.common().connectPort());
        }
        assertEquals(List.of("192.168.1.130", "192.168.1.131"),
                vs.realServers().stream().map(r -> Addresses.text(r.address())).toList());
    }

    @Test
    void theMasterFileParsesWithoutErrorAndWarnsAboutTheOldSpellings() {
        Path file = resource("seed/master.conf");
        ConfigParser.Result r = ConfigParser.parse(file);
        assertFalse(r.hasErrors(false), r.diagnostics().toString());
        assertSeed(r.config(), VrrpInstance.State.MASTER, 100);
        String f = file.toString();
        List<String> messages = r.diagnostics().stream().map(Diagnostic::toString).toList();
        assertEquals(List.of(
                f + ":7:4: warning: smtp_connection_timeout is not a keepalived keyword (keepalived -t rejects it): the keyword is smtp_connect_timeout; read as that",
                f + ":29:5: warning: nat_mask is obsolete (keepalived -t rejects it; the reals' netmask plays no part in NAT): ignored",
                f + ":30:25: warning: persistence_timeout 0 means no persistence (keepalived -t rejects 0 as out of range); read as none",
                f + ":36:9: warning: nb_get_retry is the old name of retry (keepalived -t rejects it): read as retry",
                f + ":45:9: warning: nb_get_retry is the old name of retry (keepalived -t rejects it): read as retry"), messages);
    }

    @Test
    void theBackupFileIsTheSameButForStateAndPriority() {
        ConfigParser.Result r = ConfigParser.parse(resource("seed/backup.conf"));
        assertFalse(r.hasErrors(false), r.diagnostics().toString());
        assertSeed(r.config(), VrrpInstance.State.BACKUP, 50);
    }
}
