package io.xlb.daemon.metrics;

import io.xlb.daemon.status.InstanceStatus;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.abi.Reason;
import java.util.List;
import java.util.Map;

/**
 * What a scrape reads, at the time of the scrape. Every method only reads: the dataplane's maps
 * (never written from here, nothing on the packet path), the speakers' and checkers' snapshots.
 */
public interface MetricsSource {
    /** The services, their reals and counters, as {@link Dataplane#view()} reads them from the maps. */
    List<Dataplane.ServiceView> services();

    /** The XDP program's packets per reason (summed over CPUs), as {@link Dataplane#reasons()} reads them. */
    Map<Reason, Long> reasons();

    /** Each running vrrp_instance. */
    List<InstanceStatus> vrrp();

    /** Each watched real's health. */
    List<RealHealth> health();

    /** The generation of the configuration in force (each accepted reload adds one). */
    long generation();
}
