package io.xlb.daemon.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Map;

/**
 * Counter and gauge families built at scrape time from values read then. Counter names are given
 * without {@code _total}: the text format adds it to the TYPE line and to each sample.
 */
final class Snapshots {
    private Snapshots() {}

    static CounterSnapshot counter(String name, String help, Map<Labels, ? extends Number> values) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        values.forEach((labels, v) -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(labels).value(v.doubleValue()).build()));
        return b.build();
    }

    static CounterSnapshot counter(String name, String help, Number value) {
        return counter(name, help, Map.of(Labels.EMPTY, value));
    }

    static GaugeSnapshot gauge(String name, String help, Map<Labels, ? extends Number> values) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        values.forEach((labels, v) -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(labels).value(v.doubleValue()).build()));
        return b.build();
    }

    static GaugeSnapshot gauge(String name, String help, Number value) {
        return gauge(name, help, Map.of(Labels.EMPTY, value));
    }
}
