package io.xlb.daemon.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.xlb.daemon.status.InstanceStatus;
import io.xlb.vrrp.DropReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The VRRP series of mehdy/keepalived-exporter (internal/collector/collector.go), with {@code xlb_}
 * for {@code keepalived_}: the same names, labels iname, intf and vrid, and the state as keepalived
 * numbers it (0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT). That exporter gives its state gauge one series
 * per virtual address (label ip_address); xlb's gauge has one per instance, without it.
 *
 * Of keepalived's receive errors, those xlb tells apart: its AUTH_TYPE drop (an authentication
 * type other than the instance's, or one xlb does not implement) counts as keepalived's
 * authtype_mismatch, AUTH_PASS as auth_failure. keepalived's invalid_authtype (an unknown type)
 * falls in AUTH_TYPE here and has no series of its own.
 */
final class VrrpSeries {
    /** keepalived's VRRP_STATE_INIT .. VRRP_STATE_FAULT, in order, as the exporters read them. */
    private static final List<String> STATES = List.of("INIT", "BACKUP", "MASTER", "FAULT");

    private VrrpSeries() {}

    static List<MetricSnapshot> of(List<InstanceStatus> instances) {
        List<MetricSnapshot> out = new ArrayList<>();
        Map<Labels, Integer> states = new LinkedHashMap<>();
        for (InstanceStatus i : instances) {
            int state = STATES.indexOf(i.status().state());
            if (state >= 0) {
                states.put(labels(i), state);
            }
        }
        out.add(Snapshots.gauge("xlb_vrrp_state", "State of vrrp: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT.", states));
        out.add(counter(instances, "xlb_advertisements_received", "Advertisements received",
                i -> i.status().advertsReceived()));
        out.add(counter(instances, "xlb_advertisements_sent", "Advertisements sent", i -> i.status().advertsSent()));
        out.add(counter(instances, "xlb_become_master", "Became master", i -> i.status().becameMaster()));
        out.add(drops(instances, "xlb_authentication_mismatch",
                "Authentication mismatch: another authentication type than the instance's, or one xlb does not implement",
                DropReason.AUTH_TYPE));
        out.add(drops(instances, "xlb_authentication_failure", "Authentication failure: another password",
                DropReason.AUTH_PASS));
        out.add(drops(instances, "xlb_packet_length_errors", "Packet length errors", DropReason.LENGTH));
        out.add(drops(instances, "xlb_advertisements_interval_errors", "Advertisement interval errors", DropReason.INTERVAL));
        out.add(drops(instances, "xlb_ip_ttl_errors", "TTL errors", DropReason.TTL));
        out.add(drops(instances, "xlb_invalid_type_received", "Invalid type errors", DropReason.TYPE));
        out.add(drops(instances, "xlb_address_list_errors", "Address list errors", DropReason.ADDRESS_LIST));
        return out;
    }

    private static MetricSnapshot drops(List<InstanceStatus> instances, String name, String help, DropReason reason) {
        return counter(instances, name, help, i -> i.status().drops().getOrDefault(reason, 0L));
    }

    private static MetricSnapshot counter(List<InstanceStatus> instances, String name, String help,
                                          ToLongFunction<InstanceStatus> value) {
        Map<Labels, Long> values = new LinkedHashMap<>();
        instances.forEach(i -> values.put(labels(i), value.applyAsLong(i)));
        return Snapshots.counter(name, help, values);
    }

    private static Labels labels(InstanceStatus i) {
        return Labels.of("iname", i.name(), "intf", i.interfaceName(), "vrid", Integer.toString(i.vrid()));
    }
}
