package io.xlb.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.xlb.daemon.status.RealHealth;
import io.xlb.lab.PrometheusServer;
import io.xlb.testing.Privileged;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The real Prometheus server (Debian's 2.42) scrapes {@link DirectorMetrics} and reads back what the fake source holds. */
@Privileged(tools = "prometheus")
class DirectorMetricsScrapeTest {
    @Test
    void prometheusParsesAScrape() throws Exception {
        DirectorMetrics metrics = new DirectorMetrics(DirectorMetricsTest.source(), "0.1.0-test");
        metrics.attempts().attempted(new RealHealth.LastCheck(Instant.now(), Duration.ofMillis(3), "TCP_CHECK", true, "passed"));
        metrics.reloaded(false);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/metrics", exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            metrics.write(body);
            exchange.getResponseHeaders().set("Content-Type", metrics.contentType());
            exchange.sendResponseHeaders(200, body.size());
            body.writeTo(exchange.getResponseBody());
            exchange.close();
        });
        http.start();
        try (PrometheusServer prometheus = PrometheusServer.start(
                PrometheusServer.Target.of("127.0.0.1:" + http.getAddress().getPort()))) {
            assertEquals(100.0, prometheus.awaitValue(
                    "xlb_ipvs_backend_weight{local_address=\"2001:db8::100\",remote_address=\"2001:db8:1::b\",proto=\"UDP\"}",
                    Duration.ofSeconds(30)));
            assertEquals(1.0, prometheus.query("up{job=\"xlb\"}"));
            assertEquals(47.0, prometheus.query("xlb_ipvs_connections_total"));
            assertEquals(2.0, prometheus.query("xlb_vrrp_state{iname=\"VI_1\"}"));
            assertEquals(1.0, prometheus.query("xlb_config_reloads_total{result=\"refused\"}"));
            assertEquals(0.0, prometheus.query("xlb_real_up{remote_port=\"8080\"}"));
            assertEquals(1.0, prometheus.query("xlb_build_info{version=\"0.1.0-test\"}"));
            assertEquals(1.0, prometheus.query("xlb_health_check_duration_seconds_count{checker=\"TCP_CHECK\"}"));
            // The backend series and xlb_real_up share their labels: one matches the other without on().
            assertEquals(3.0, prometheus.query("count(xlb_ipvs_backend_weight and xlb_real_up)"));
        } finally {
            http.stop(0);
        }
    }
}
