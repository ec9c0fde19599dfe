package io.xlb.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.daemon.status.InstanceStatus;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.abi.Counter;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.vrrp.DropReason;
import io.xlb.vrrp.VrrpSpeaker;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The exposition a scrape writes, line by line, from a fake source: two services (IPv4 TCP, IPv6
 * UDP) with three reals, two VRRP instances, three watched reals; then the events (check attempts,
 * reloads). Every output is also checked against the text format's grammar ({@link Exposition}).
 */
class DirectorMetricsTest {
    static final class FakeSource implements MetricsSource {
        List<Dataplane.ServiceView> services = List.of();
        Map<Reason, Long> reasons = new EnumMap<>(Reason.class);
        List<InstanceStatus> vrrp = List.of();
        List<RealHealth> health = List.of();
        long generation;

        public List<Dataplane.ServiceView> services() { return services; }
        public Map<Reason, Long> reasons() { return reasons; }
        public List<InstanceStatus> vrrp() { return vrrp; }
        public List<RealHealth> health() { return health; }
        public long generation() { return generation; }
    }

    static FakeSource source() throws Exception {
        FakeSource s = new FakeSource();
        InetAddress vip4 = InetAddress.ofLiteral("192.168.1.100");
        InetAddress vip6 = InetAddress.ofLiteral("2001:db8:0:0:0:0:0:100");
        s.services = List.of(
                new Dataplane.ServiceView(0, new VipKey(vip4, 80, Protocol.TCP), "wrr", new Counter(1000, 64000, 40), List.of(
                        new Dataplane.RealView(0, InetAddress.ofLiteral("192.168.1.11"), 80, Method.DR, 3, new RealConns(5, 2),
                                Counter.ZERO, MacAddress.ZERO, 2),
                        new Dataplane.RealView(1, InetAddress.ofLiteral("192.168.1.12"), 8080, Method.DR, 1, new RealConns(1, 0),
                                Counter.ZERO, MacAddress.ZERO, 2))),
                new Dataplane.ServiceView(1, new VipKey(vip6, 53, Protocol.UDP), "mh", new Counter(20, 1500, 7), List.of(
                        new Dataplane.RealView(2, InetAddress.ofLiteral("2001:db8:1:0:0:0:0:b"), 5353, Method.TUN, 100,
                                new RealConns(0, 4), Counter.ZERO, MacAddress.ZERO, 3))));
        for (Reason r : Reason.values()) {
            s.reasons.put(r, 0L);
        }
        s.reasons.put(Reason.TX_DR, 900L);
        s.reasons.put(Reason.PASS_NOT_VIP, 12L);
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        drops.put(DropReason.AUTH_TYPE, 2L);
        drops.put(DropReason.AUTH_PASS, 3L);
        drops.put(DropReason.TTL, 1L);
        s.vrrp = List.of(
                new InstanceStatus("VI_1", "eth0", 51, new VrrpSpeaker.Status("VI_1", "MASTER", 100,
                        Optional.of(InetAddress.ofLiteral("192.168.1.2")), 120, 4, 1, drops)),
                new InstanceStatus("VI_6", "eth1", 52, new VrrpSpeaker.Status("VI_6", "BACKUP", 50,
                        Optional.empty(), 0, 300, 0, Map.of())));
        s.health = List.of(
                new RealHealth("TCP", "192.168.1.100", 80, "192.168.1.11", 80, true, OptionalInt.empty(), 1, Optional.empty()),
                new RealHealth("TCP", "192.168.1.100", 80, "192.168.1.12", 8080, false, OptionalInt.empty(), 1, Optional.empty()),
                new RealHealth("UDP", "2001:db8::100", 53, "2001:db8:1::b", 5353, true, OptionalInt.empty(), 2, Optional.empty()));
        s.generation = 7;
        return s;
    }

    static Exposition scrape(DirectorMetrics m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.write(out);
        return Exposition.parse(out.toString(StandardCharsets.UTF_8));
    }

    private static final String WEB1 =
            "local_address=\"192.168.1.100\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"192.168.1.11\",remote_port=\"80\"";
    private static final String WEB2 =
            "local_address=\"192.168.1.100\",local_mark=\"\",local_port=\"80\",proto=\"TCP\",remote_address=\"192.168.1.12\",remote_port=\"8080\"";
    private static final String DNS6 =
            "local_address=\"2001:db8::100\",local_mark=\"\",local_port=\"53\",proto=\"UDP\",remote_address=\"2001:db8:1::b\",remote_port=\"5353\"";
    private static final String VI_1 = "iname=\"VI_1\",intf=\"eth0\",vrid=\"51\"";
    private static final String VI_6 = "iname=\"VI_6\",intf=\"eth1\",vrid=\"52\"";

    @Test
    void everyFamilyWithItsType() throws Exception {
        DirectorMetrics m = new DirectorMetrics(source(), "0.1.0-test");
        // The check families have a series per checker, from its first attempt on.
        m.attempts().attempted(new RealHealth.LastCheck(Instant.now(), Duration.ofMillis(3), "TCP_CHECK", false, "refused"));
        Exposition e = scrape(m);
        Map<String, String> expected = new java.util.TreeMap<>(Map.ofEntries(
                Map.entry("xlb_ipvs_connections_total", "counter"),
                Map.entry("xlb_ipvs_incoming_packets_total", "counter"),
                Map.entry("xlb_ipvs_outgoing_packets_total", "counter"),
                Map.entry("xlb_ipvs_incoming_bytes_total", "counter"),
                Map.entry("xlb_ipvs_outgoing_bytes_total", "counter"),
                Map.entry("xlb_ipvs_backend_connections_active", "gauge"),
                Map.entry("xlb_ipvs_backend_connections_inactive", "gauge"),
                Map.entry("xlb_ipvs_backend_weight", "gauge"),
                Map.entry("xlb_vrrp_state", "gauge"),
                Map.entry("xlb_advertisements_received_total", "counter"),
                Map.entry("xlb_advertisements_sent_total", "counter"),
                Map.entry("xlb_become_master_total", "counter"),
                Map.entry("xlb_authentication_mismatch_total", "counter"),
                Map.entry("xlb_authentication_failure_total", "counter"),
                Map.entry("xlb_packet_length_errors_total", "counter"),
                Map.entry("xlb_advertisements_interval_errors_total", "counter"),
                Map.entry("xlb_ip_ttl_errors_total", "counter"),
                Map.entry("xlb_invalid_type_received_total", "counter"),
                Map.entry("xlb_address_list_errors_total", "counter"),
                Map.entry("xlb_real_up", "gauge"),
                Map.entry("xlb_xdp_packets_total", "counter"),
                Map.entry("xlb_config_generation", "gauge"),
                Map.entry("xlb_build_info", "gauge"),
                Map.entry("xlb_config_reloads_total", "counter"),
                Map.entry("xlb_health_check_duration_seconds", "histogram"),
                Map.entry("xlb_health_check_failures_total", "counter")));
        assertEquals(expected, e.types());
    }

    @Test
    void ipvsSeriesAsNodeExporterNamesThem() throws Exception {
        Exposition e = scrape(new DirectorMetrics(source(), "0.1.0-test"));
        assertEquals(List.of("xlb_ipvs_connections_total 47.0"), e.samples("xlb_ipvs_connections_total"));
        assertEquals(List.of("xlb_ipvs_incoming_packets_total 1020.0"), e.samples("xlb_ipvs_incoming_packets_total"));
        assertEquals(List.of("xlb_ipvs_incoming_bytes_total 65500.0"), e.samples("xlb_ipvs_incoming_bytes_total"));
        assertEquals(List.of("xlb_ipvs_outgoing_packets_total 0.0"), e.samples("xlb_ipvs_outgoing_packets_total"));
        assertEquals(List.of("xlb_ipvs_outgoing_bytes_total 0.0"), e.samples("xlb_ipvs_outgoing_bytes_total"));
        assertTrue(e.help("xlb_ipvs_outgoing_bytes_total").contains("NAT's replies only"), e.help("xlb_ipvs_outgoing_bytes_total"));
        assertEquals(List.of(
                "xlb_ipvs_backend_connections_active{" + WEB1 + "} 5.0",
                "xlb_ipvs_backend_connections_active{" + WEB2 + "} 1.0",
                "xlb_ipvs_backend_connections_active{" + DNS6 + "} 0.0"), e.samples("xlb_ipvs_backend_connections_active"));
        assertEquals(List.of(
                "xlb_ipvs_backend_connections_inactive{" + WEB1 + "} 2.0",
                "xlb_ipvs_backend_connections_inactive{" + WEB2 + "} 0.0",
                "xlb_ipvs_backend_connections_inactive{" + DNS6 + "} 4.0"), e.samples("xlb_ipvs_backend_connections_inactive"));
        assertEquals(List.of(
                "xlb_ipvs_backend_weight{" + WEB1 + "} 3.0",
                "xlb_ipvs_backend_weight{" + WEB2 + "} 1.0",
                "xlb_ipvs_backend_weight{" + DNS6 + "} 100.0"), e.samples("xlb_ipvs_backend_weight"));
    }

    @Test
    void vrrpSeriesAsTheKeepalivedExporterNamesThem() throws Exception {
        Exposition e = scrape(new DirectorMetrics(source(), "0.1.0-test"));
        assertEquals(List.of("xlb_vrrp_state{" + VI_1 + "} 2.0", "xlb_vrrp_state{" + VI_6 + "} 1.0"), e.samples("xlb_vrrp_state"));
        assertEquals(List.of("xlb_advertisements_sent_total{" + VI_1 + "} 120.0", "xlb_advertisements_sent_total{" + VI_6 + "} 0.0"),
                e.samples("xlb_advertisements_sent_total"));
        assertEquals(List.of("xlb_advertisements_received_total{" + VI_1 + "} 4.0",
                "xlb_advertisements_received_total{" + VI_6 + "} 300.0"), e.samples("xlb_advertisements_received_total"));
        assertEquals(List.of("xlb_become_master_total{" + VI_1 + "} 1.0", "xlb_become_master_total{" + VI_6 + "} 0.0"),
                e.samples("xlb_become_master_total"));
        assertEquals(List.of("xlb_authentication_mismatch_total{" + VI_1 + "} 2.0",
                "xlb_authentication_mismatch_total{" + VI_6 + "} 0.0"), e.samples("xlb_authentication_mismatch_total"));
        assertEquals(List.of("xlb_authentication_failure_total{" + VI_1 + "} 3.0",
                "xlb_authentication_failure_total{" + VI_6 + "} 0.0"), e.samples("xlb_authentication_failure_total"));
        assertEquals(List.of("xlb_ip_ttl_errors_total{" + VI_1 + "} 1.0", "xlb_ip_ttl_errors_total{" + VI_6 + "} 0.0"),
                e.samples("xlb_ip_ttl_errors_total"));
    }

    @Test
    void vrrpStatesAreNumberedAsKeepalivedDoes() throws Exception {
        FakeSource s = new FakeSource();
        List<String> states = List.of("INIT", "BACKUP", "MASTER", "FAULT");
        s.vrrp = states.stream().map(st -> new InstanceStatus(st, "eth0", states.indexOf(st) + 1,
                new VrrpSpeaker.Status(st, st, 100, Optional.empty(), 0, 0, 0, Map.of()))).toList();
        Exposition e = scrape(new DirectorMetrics(s, "v"));
        assertEquals(List.of(
                "xlb_vrrp_state{iname=\"BACKUP\",intf=\"eth0\",vrid=\"2\"} 1.0",
                "xlb_vrrp_state{iname=\"FAULT\",intf=\"eth0\",vrid=\"4\"} 3.0",
                "xlb_vrrp_state{iname=\"INIT\",intf=\"eth0\",vrid=\"1\"} 0.0",
                "xlb_vrrp_state{iname=\"MASTER\",intf=\"eth0\",vrid=\"3\"} 2.0"), e.samples("xlb_vrrp_state"));
    }

    @Test
    void realsHealthReasonsGenerationAndBuild() throws Exception {
        Exposition e = scrape(new DirectorMetrics(source(), "0.1.0-test"));
        // The health snapshot's IPv6 addresses, however written, come out as the ipvs series print them.
        assertEquals(List.of("xlb_real_up{" + WEB1 + "} 1.0", "xlb_real_up{" + WEB2 + "} 0.0", "xlb_real_up{" + DNS6 + "} 1.0"),
                e.samples("xlb_real_up"));
        List<String> xdp = e.samples("xlb_xdp_packets_total");
        assertEquals(Reason.COUNT, xdp.size());
        assertTrue(xdp.contains("xlb_xdp_packets_total{reason=\"tx_dr\"} 900.0"), xdp.toString());
        assertTrue(xdp.contains("xlb_xdp_packets_total{reason=\"pass_not_vip\"} 12.0"), xdp.toString());
        assertTrue(xdp.contains("xlb_xdp_packets_total{reason=\"pass_other_host\"} 0.0"), xdp.toString());
        assertEquals(List.of("xlb_config_generation 7.0"), e.samples("xlb_config_generation"));
        assertEquals(List.of("xlb_build_info{version=\"0.1.0-test\"} 1"), e.samples("xlb_build_info"));
    }

    @Test
    void checkAttemptsFillTheHistogramAndFailuresTheCounter() throws Exception {
        DirectorMetrics m = new DirectorMetrics(new FakeSource(), "v");
        assertEquals(List.of(), scrape(m).samples("xlb_health_check_duration_seconds"));
        RealHealth.Attempts a = m.attempts();
        a.attempted(new RealHealth.LastCheck(Instant.now(), Duration.ofMillis(3), "TCP_CHECK", true, "passed"));
        a.attempted(new RealHealth.LastCheck(Instant.now(), Duration.ofMillis(20), "TCP_CHECK", false, "connection refused"));
        a.attempted(new RealHealth.LastCheck(Instant.now(), Duration.ofMillis(700), "HTTP_GET", false, "timeout"));
        Exposition e = scrape(m);
        List<String> tcp = e.samples("xlb_health_check_duration_seconds").stream().filter(l -> l.contains("TCP_CHECK")).toList();
        String b = "xlb_health_check_duration_seconds_bucket{checker=\"TCP_CHECK\",le=";
        assertEquals(List.of(
                b + "\"5.0E-4\"} 0", b + "\"0.001\"} 0", b + "\"0.0025\"} 0", b + "\"0.005\"} 1", b + "\"0.01\"} 1",
                b + "\"0.025\"} 2", b + "\"0.05\"} 2", b + "\"0.1\"} 2", b + "\"0.25\"} 2", b + "\"0.5\"} 2", b + "\"1.0\"} 2",
                b + "\"2.5\"} 2", b + "\"5.0\"} 2", b + "\"10.0\"} 2", b + "\"30.0\"} 2", b + "\"+Inf\"} 2",
                "xlb_health_check_duration_seconds_count{checker=\"TCP_CHECK\"} 2",
                "xlb_health_check_duration_seconds_sum{checker=\"TCP_CHECK\"} 0.023"), tcp);
        assertTrue(e.samples("xlb_health_check_duration_seconds")
                .contains("xlb_health_check_duration_seconds_bucket{checker=\"HTTP_GET\",le=\"0.5\"} 0"));
        assertTrue(e.samples("xlb_health_check_duration_seconds")
                .contains("xlb_health_check_duration_seconds_bucket{checker=\"HTTP_GET\",le=\"1.0\"} 1"));
        assertEquals(List.of("xlb_health_check_failures_total{checker=\"HTTP_GET\"} 1.0",
                "xlb_health_check_failures_total{checker=\"TCP_CHECK\"} 1.0"), e.samples("xlb_health_check_failures_total"));
    }

    @Test
    void reloadsCountedByVerdictBothShownFromTheStart() throws Exception {
        DirectorMetrics m = new DirectorMetrics(new FakeSource(), "v");
        assertEquals(List.of("xlb_config_reloads_total{result=\"accepted\"} 0.0", "xlb_config_reloads_total{result=\"refused\"} 0.0"),
                scrape(m).samples("xlb_config_reloads_total"));
        m.reloaded(true);
        m.reloaded(true);
        m.reloaded(false);
        assertEquals(List.of("xlb_config_reloads_total{result=\"accepted\"} 2.0", "xlb_config_reloads_total{result=\"refused\"} 1.0"),
                scrape(m).samples("xlb_config_reloads_total"));
    }

    @Test
    void eachScrapeReadsTheSourceThen() throws Exception {
        FakeSource s = source();
        DirectorMetrics m = new DirectorMetrics(s, "v");
        assertEquals(List.of("xlb_config_generation 7.0"), scrape(m).samples("xlb_config_generation"));
        s.generation = 8;
        s.services = List.of();
        s.vrrp = List.of();
        Exposition e = scrape(m);
        assertEquals(List.of("xlb_config_generation 8.0"), e.samples("xlb_config_generation"));
        assertEquals(List.of("xlb_ipvs_connections_total 0.0"), e.samples("xlb_ipvs_connections_total"));
        assertEquals(List.of(), e.samples("xlb_ipvs_backend_weight"));
        assertEquals(List.of(), e.samples("xlb_vrrp_state"));
    }

    @Test
    void contentTypeIsTheTextFormat() {
        assertEquals("text/plain; version=0.0.4; charset=utf-8", new DirectorMetrics(new FakeSource(), "v").contentType());
    }

    @Test
    void labelValuesAreEscaped() throws Exception {
        FakeSource s = new FakeSource();
        s.vrrp = List.of(new InstanceStatus("a\"b\\c", "eth0", 1,
                new VrrpSpeaker.Status("x", "MASTER", 100, Optional.empty(), 0, 0, 0, Map.of())));
        Exposition e = scrape(new DirectorMetrics(s, "v"));
        assertEquals(List.of("xlb_vrrp_state{iname=\"a\\\"b\\\\c\",intf=\"eth0\",vrid=\"1\"} 2.0"), e.samples("xlb_vrrp_state"));
        assertEquals(Set.of("a\"b\\c"), e.labelValues("xlb_vrrp_state", "iname"));
    }
}
