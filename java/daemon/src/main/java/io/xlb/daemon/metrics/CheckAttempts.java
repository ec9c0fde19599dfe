package io.xlb.daemon.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.xlb.daemon.status.RealHealth;

/**
 * Counts health-check attempts as they end: their duration in
 * {@code xlb_health_check_duration_seconds{checker}}, the failed ones in
 * {@code xlb_health_check_failures_total{checker}}; checker is keepalived's name (TCP_CHECK, HTTP_GET...).
 */
final class CheckAttempts implements RealHealth.Attempts {
    /** From a local TCP connect (well under a millisecond) to a check that runs into a long connect_timeout. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Histogram duration;
    private final Counter failures;

    CheckAttempts(PrometheusRegistry registry) {
        duration = Histogram.builder().name("xlb_health_check_duration_seconds")
                .help("How long health-check attempts took, passed or failed, by checker.")
                .labelNames("checker").classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
        failures = Counter.builder().name("xlb_health_check_failures_total")
                .help("Health-check attempts that failed, by checker.")
                .labelNames("checker").withoutExemplars().register(registry);
    }

    @Override
    public void attempted(RealHealth.LastCheck last) {
        duration.labelValues(last.checker()).observe(last.latency().toNanos() / 1e9);
        if (!last.passed()) {
            failures.labelValues(last.checker()).inc();
        }
    }
}
