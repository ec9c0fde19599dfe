package io.xlb.daemon.metrics;

import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.xlb.dataplane.abi.Reason;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The director's own series: packets per XDP reason, the configuration's generation, the build. */
final class DirectorSeries {
    private DirectorSeries() {}

    static List<MetricSnapshot> of(Map<Reason, Long> reasons, long generation, String version) {
        Map<Labels, Long> packets = new LinkedHashMap<>();
        reasons.forEach((r, n) -> packets.put(Labels.of("reason", r.name().toLowerCase(Locale.ROOT)), n));
        return List.of(
                Snapshots.counter("xlb_xdp_packets",
                        "Packets the XDP director handled, by what it did with them (bpf/README.md lists the reasons).", packets),
                Snapshots.gauge("xlb_config_generation",
                        "The generation of the configuration in force; each accepted reload adds one.", generation),
                InfoSnapshot.builder().name("xlb_build").help("The version of xlb running.")
                        .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", version)).build())
                        .build());
    }
}
