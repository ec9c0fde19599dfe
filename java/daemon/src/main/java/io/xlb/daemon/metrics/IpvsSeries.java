package io.xlb.daemon.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.abi.Counter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The series of node_exporter's ipvs collector (collector/ipvs_linux.go), same names, types and
 * labels with {@code xlb_ipvs_} for {@code node_ipvs_}, so that dashboards and alerts written for
 * an LVS director work on xlb. The totals are the sums of the services' counters in the maps (the
 * kernel's /proc/net/ip_vs_stats is global too); a removed service takes its share away, which a
 * rate() reads as a counter reset. The backend gauges are ipvsadm's Weight, ActiveConn and InActConn.
 */
final class IpvsSeries {
    private static final String NO_OUTGOING =
            " NAT's replies only: with direct routing and tunnelling they go from the reals to the clients, not through the director.";

    private IpvsSeries() {}

    static List<MetricSnapshot> of(List<Dataplane.ServiceView> services) {
        Counter total = Counter.ZERO;
        Counter out = Counter.ZERO;
        Map<Labels, long[]> backends = new LinkedHashMap<>(); // active, inactive, weight
        for (Dataplane.ServiceView s : services) {
            total = total.plus(s.counter());
            out = out.plus(s.out());
            for (Dataplane.RealView r : s.reals()) {
                Labels labels = BackendLabels.of(s.vip().address(), s.vip().port(), s.vip().protocol().name(),
                        r.address(), r.port());
                // node_exporter adds up the rows that share labels; xlb's (service, real) pairs are unique.
                long[] sum = backends.computeIfAbsent(labels, k -> new long[3]);
                sum[0] += r.conns().active();
                sum[1] += r.conns().inactive();
                sum[2] += r.weight();
            }
        }
        return List.of(
                Snapshots.counter("xlb_ipvs_connections", "The total number of connections made.", total.conns()),
                Snapshots.counter("xlb_ipvs_incoming_packets", "The total number of incoming packets.", total.packets()),
                Snapshots.counter("xlb_ipvs_outgoing_packets", "The total number of outgoing packets." + NO_OUTGOING, out.packets()),
                Snapshots.counter("xlb_ipvs_incoming_bytes", "The total amount of incoming data.", total.bytes()),
                Snapshots.counter("xlb_ipvs_outgoing_bytes", "The total amount of outgoing data." + NO_OUTGOING, out.bytes()),
                Snapshots.gauge("xlb_ipvs_backend_connections_active",
                        "The current active connections by local and remote address.", column(backends, 0)),
                Snapshots.gauge("xlb_ipvs_backend_connections_inactive",
                        "The current inactive connections by local and remote address.", column(backends, 1)),
                Snapshots.gauge("xlb_ipvs_backend_weight",
                        "The current backend weight by local and remote address.", column(backends, 2)));
    }

    private static Map<Labels, Long> column(Map<Labels, long[]> rows, int i) {
        Map<Labels, Long> out = new LinkedHashMap<>();
        rows.forEach((labels, row) -> out.put(labels, row[i]));
        return out;
    }
}
