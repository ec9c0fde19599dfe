package io.xlb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.config.VrrpInstance.VirtualAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads a value from every keyword xlb supports (resources/full/keepalived.conf). */
class KeywordsTest {
    private static Config c;

    @BeforeAll
    static void parse() {
        ConfigParser.Result r = ConfigParser.parse(SeedConfigTest.resource("full/keepalived.conf"));
        assertFalse(r.hasErrors(true), "the full file is clean even under --strict: " + r.diagnostics());
        c = r.config();
    }

    @Test
    void globalDefs() {
        GlobalDefs g = c.global();
        assertEquals("LB_FULL", g.routerId());
        assertEquals(List.of("ops@example.com", "oncall@example.com"), g.notificationEmail());
        assertEquals("xlb@example.com", g.notificationEmailFrom());
        assertEquals("192.0.2.25", Addresses.text(g.smtpServer()));
        assertEquals(2525, g.smtpPort());
        assertEquals(Duration.ofSeconds(20), g.smtpConnectTimeout());
        assertEquals("lb.example.com", g.smtpHeloName());
        assertEquals(null, g.smtpAlert());
        assertTrue(g.checkerAlerts(), "smtp_alert_checker alone means on");
        assertFalse(g.vrrpAlerts(), "smtp_alert_vrrp off");
        assertTrue(g.enableScriptSecurity());
        assertEquals("keepalived_script", g.scriptUser());
        assertEquals(3, g.vrrpVersion());
        assertEquals(Duration.ofSeconds(5), g.vrrpGarpMasterDelay());
        assertEquals(3, g.vrrpGarpMasterRepeat());
        assertEquals(Duration.ofSeconds(60), g.vrrpGarpMasterRefresh());
        assertEquals(Duration.ofMillis(1), g.vrrpGarpInterval());
        assertEquals(new GlobalDefs.LvsTimeouts(7200, 60, 120), g.lvsTimeouts());
        assertTrue(g.vrrpSkipCheckAdvAddr());
        assertEquals(20000, g.newFlowLimit());
        assertEquals(32, g.tunnelTtl());
    }

    @Test
    void vrrpScriptAndSyncGroup() {
        VrrpScript s = c.vrrpScripts().getFirst();
        assertEquals(new VrrpScript("chk_nginx", "/usr/bin/pgrep -x nginx", Duration.ofSeconds(2), Duration.ofSeconds(1),
                -20, true, 2, 3, "nobody", "nogroup", s.pos()), s);
        SyncGroup g = c.syncGroups().getFirst();
        assertEquals("G1", g.name());
        assertEquals(List.of("VI_1", "VI_6"), g.group());
        assertEquals(new Notify("/etc/xlb/notify.sh master", "/etc/xlb/notify.sh backup", "/etc/xlb/notify.sh fault",
                "/etc/xlb/notify.sh stop", "/etc/xlb/notify-all.sh"), g.notifyScripts());
        assertTrue(g.smtpAlert());
    }

    @Test
    void vrrpInstance() {
        VrrpInstance i = c.vrrpInstances().getFirst();
        assertEquals(VrrpInstance.State.MASTER, i.state());
        assertEquals("eth0", i.interfaceName());
        assertEquals(51, i.virtualRouterId());
        assertEquals(150, i.priority());
        assertEquals(Duration.ofMillis(500), i.advertInt());
        assertEquals(3, i.version());
        VirtualAddress vip = i.virtualIpaddress().getFirst();
        assertEquals(List.of("192.0.2.50", "24", "eth0", "eth0:vip", "global", "192.0.2.255"),
                List.of(Addresses.text(vip.address()), String.valueOf(vip.prefixLength()), vip.dev(), vip.label(), vip.scope(), vip.broadcast()));
        assertEquals("192.0.2.51", Addresses.text(i.virtualIpaddress().get(1).address()));
        assertEquals("2001:db8::50", Addresses.text(i.virtualIpaddressExcluded().getFirst().address()));
        assertEquals(64, i.virtualIpaddressExcluded().getFirst().prefixLength());
        assertTrue(i.nopreempt());
        assertEquals(Duration.ofSeconds(30), i.preemptDelay());
        assertEquals("192.0.2.2", Addresses.text(i.unicastSrcIp()));
        assertEquals(List.of("192.0.2.3"), i.unicastPeers().stream().map(Addresses::text).toList());
        assertEquals(List.of(new VrrpInstance.TrackInterface("eth1", -20), new VrrpInstance.TrackInterface("eth2", null)),
                i.trackInterfaces());
        assertEquals(List.of(new VrrpInstance.TrackScript("chk_nginx", -10, true)), i.trackScripts());
        assertEquals(new Notify("/etc/xlb/master.sh", "/etc/xlb/backup.sh", "/etc/xlb/fault.sh", "/etc/xlb/stop.sh",
                "/etc/xlb/any.sh"), i.notifyScripts());
        assertEquals(Duration.ofSeconds(2), i.garpMasterDelay());
        assertEquals(4, i.garpMasterRepeat());
        assertEquals(Duration.ofSeconds(120), i.garpMasterRefresh());
        assertTrue(i.smtpAlert());
        assertTrue(i.dontTrackPrimary());
        assertEquals(Boolean.TRUE, i.accept());

        VrrpInstance six = c.vrrpInstances().get(1);
        assertEquals(new VrrpInstance.Authentication(VrrpInstance.AuthType.PASS, "k3y"), six.authentication());
        assertEquals(null, six.accept(), "neither accept nor no_accept");
        assertEquals(VrrpInstance.State.BACKUP, six.state(), "default state");
        assertEquals(100, six.priority(), "default priority");
    }

    @Test
    void virtualServerGroupAndKeys() {
        VirtualServerGroup g = c.virtualServerGroups().getFirst();
        assertEquals("WEB", g.name());
        VirtualServerGroup.AddressRange range = assertInstanceOf(VirtualServerGroup.AddressRange.class, g.members().getFirst());
        assertEquals(List.of("192.0.2.70", "75", "80"), List.of(Addresses.text(range.first()), String.valueOf(range.rangeEnd()), String.valueOf(range.port())));
        assertEquals(7, assertInstanceOf(VirtualServerGroup.Fwmark.class, g.members().get(1)).mark());
        assertEquals(new VirtualServer.Fwmark(7), c.virtualServers().get(2).key());
        assertEquals(new VirtualServer.Group("WEB"), c.virtualServers().get(3).key());
        assertEquals(8080, c.virtualServers().get(2).realServers().getFirst().port(), "$REALS_PORT substituted");
    }

    @Test
    void virtualServer() {
        VirtualServer vs = c.virtualServers().getFirst();
        assertEquals(new VirtualServer.AddressPort(Addresses.parse("192.0.2.50"), 80), vs.key(), "$VIP substituted");
        assertEquals(Duration.ofSeconds(10), vs.delayLoop());
        assertEquals("mh", vs.scheduler());
        assertEquals("TUN", vs.method());
        assertEquals(300, vs.persistenceTimeout());
        assertEquals("255.255.255.0", vs.persistenceGranularity());
        assertEquals("TCP", vs.protocol());
        assertEquals(new VirtualServer.SorryServer(Addresses.parse("192.0.2.99"), 80), vs.sorryServer());
        assertTrue(vs.sorryServerInhibit());
        assertEquals(2, vs.quorum());
        assertEquals("/etc/xlb/quorum.sh up", vs.quorumUp());
        assertEquals("/etc/xlb/quorum.sh down", vs.quorumDown());
        assertEquals(1, vs.hysteresis());
        assertTrue(vs.alpha() && vs.omega() && vs.inhibitOnFailure() && vs.haSuspend());
        assertEquals("www.example.com", vs.virtualhost());
        assertEquals(4, vs.retry());
        assertEquals(Duration.ofSeconds(2), vs.delayBeforeRetry());
        assertEquals(Duration.ofSeconds(5), vs.warmup());
        VirtualServer dns = c.virtualServers().get(1);
        assertEquals(List.of("wlc", "DR", "UDP"), List.of(dns.scheduler(), dns.method(), dns.protocol()));
    }

    @Test
    void realServersAndCheckers() {
        List<RealServer> rs = c.virtualServers().getFirst().realServers();
        RealServer r1 = rs.getFirst();
        assertEquals(List.of("10.0.0.1", "80", "5", "DR"), List.of(Addresses.text(r1.address()), String.valueOf(r1.port()),
                String.valueOf(r1.weight()), r1.method()));
        assertTrue(r1.inhibitOnFailure());
        assertEquals("/etc/xlb/up.sh 10.0.0.1", r1.notifyUp());
        assertEquals("/etc/xlb/down.sh 10.0.0.1", r1.notifyDown());
        Checker.TcpCheck tcp = assertInstanceOf(Checker.TcpCheck.class, r1.checkers().getFirst());
        assertEquals(new Checker.Common(Addresses.parse("10.0.0.1"), 80, Addresses.parse("192.0.2.2"), Duration.ofSeconds(3), 2, Duration.ofSeconds(1),
                Duration.ofSeconds(4)), tcp.common());

        Checker.HttpCheck http = assertInstanceOf(Checker.HttpCheck.class, rs.get(1).checkers().getFirst());
        assertFalse(http.ssl());
        assertEquals(List.of(new Checker.Url("/health", "9b3a0c85a887a256d6939da88aabd8cd", 200),
                new Checker.Url("/ready", null, null)), http.urls());
        assertEquals("health.example.com", http.virtualhost());
        assertEquals(Duration.ofSeconds(2), http.common().connectTimeout());
        Checker.HttpCheck ssl = assertInstanceOf(Checker.HttpCheck.class, rs.get(2).checkers().getFirst());
        assertTrue(ssl.ssl());
        assertEquals(204, ssl.urls().getFirst().statusCode());

        Checker.MiscCheck misc = assertInstanceOf(Checker.MiscCheck.class, rs.get(3).checkers().getFirst());
        assertEquals("/usr/local/bin/check 10.0.0.4", misc.path());
        assertEquals(Duration.ofSeconds(6), misc.timeout());
        assertTrue(misc.dynamic());
        assertEquals(Duration.ofSeconds(1),
                assertInstanceOf(Checker.PingCheck.class, rs.get(4).checkers().getFirst()).common().connectTimeout());
        Checker.SmtpCheck smtp = assertInstanceOf(Checker.SmtpCheck.class, rs.get(5).checkers().getFirst());
        assertEquals("mail.example.com", smtp.heloName());
        assertEquals(List.of(25, 587), smtp.hosts().stream().map(Checker.Common::connectPort).toList());

        RealServer dnsReal = c.virtualServers().get(1).realServers().getFirst();
        Checker.UdpCheck udp = assertInstanceOf(Checker.UdpCheck.class, dnsReal.checkers().getFirst());
        assertEquals(53, udp.common().connectPort());
        assertEquals("00010100", udp.payload());
        assertTrue(udp.requireReply());
        assertEquals("0001", udp.replyData());
        assertEquals(4, udp.minReplyLength());
        assertEquals(512, udp.maxReplyLength());
        Checker.DnsCheck dns = assertInstanceOf(Checker.DnsCheck.class, dnsReal.checkers().get(1));
        assertEquals(List.of("A", "example.com"), List.of(dns.type(), dns.name()));
    }
}
