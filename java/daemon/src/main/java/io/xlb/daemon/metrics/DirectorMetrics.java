package io.xlb.daemon.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.xlb.daemon.status.RealHealth;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The director's Prometheus metrics in the text exposition format (version 0.0.4). Events (check
 * attempts, reloads) are counted as they happen; everything else is read from the
 * {@link MetricsSource} when a scrape asks, so a scrape shows the maps as they are then. Its
 * series and where their names come from: {@link IpvsSeries} (node_exporter's ipvs collector),
 * {@link VrrpSeries} (the keepalived exporters), {@link RealSeries}, {@link DirectorSeries},
 * {@link CheckAttempts}, and {@code xlb_config_reloads_total{result}}. Thread-safe.
 */
public final class DirectorMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final CheckAttempts attempts;
    private final Counter reloads;

    public DirectorMetrics(MetricsSource source, String version) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(version, "version");
        attempts = new CheckAttempts(registry);
        reloads = Counter.builder().name("xlb_config_reloads_total")
                .help("Reloads of the configuration, accepted (now in force) or refused (the previous one kept).")
                .labelNames("result").withoutExemplars().register(registry);
        reloads.initLabelValues("accepted");
        reloads.initLabelValues("refused");
        registry.register(() -> {
            List<MetricSnapshot> all = new ArrayList<>(IpvsSeries.of(source.services()));
            all.addAll(VrrpSeries.of(source.vrrp()));
            all.add(RealSeries.of(source.health()));
            all.addAll(DirectorSeries.of(source.reasons(), source.generation(), version));
            return new MetricSnapshots(all);
        });
    }

    /** To hand to the health checks: each attempt lands in the duration histogram, each failure in the failures counter. */
    public RealHealth.Attempts attempts() {
        return attempts;
    }

    /** Counts a reload: accepted (in force now) or refused (the previous configuration kept serving). */
    public void reloaded(boolean accepted) {
        reloads.labelValues(accepted ? "accepted" : "refused").inc();
    }

    /** The Content-Type of what {@link #write} writes. */
    public String contentType() {
        return writer.getContentType();
    }

    /** One scrape: reads the source now and writes every series to {@code out} (left open). */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
