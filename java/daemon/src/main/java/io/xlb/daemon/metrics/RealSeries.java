package io.xlb.daemon.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.xlb.daemon.status.RealHealth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code xlb_real_up}: 1 while a real's checks pass (always, for a real without checkers, which
 * keepalived takes as up), 0 while they fail; labelled as the ipvs backend series are, so that
 * {@code xlb_real_up} and {@code xlb_ipvs_backend_weight} match one to one. A group's reals are
 * checked once, under the group's first address.
 */
final class RealSeries {
    private RealSeries() {}

    static MetricSnapshot of(List<RealHealth> health) {
        Map<Labels, Integer> up = new LinkedHashMap<>();
        for (RealHealth h : health) {
            up.put(BackendLabels.of(h.vipAddress(), h.vipPort(), h.protocol(), h.address(), h.port()), h.up() ? 1 : 0);
        }
        return Snapshots.gauge("xlb_real_up", "Whether the real's health checks pass (1) or not (0); 1 for a real without checkers.", up);
    }
}
