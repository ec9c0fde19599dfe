package io.xlb.dataplane;

import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.VipKey;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Everything the maps should say: the services and the director-wide settings. */
public record DesiredState(List<Service> services, DirectorConfig config) {
    public DesiredState {
        services = List.copyOf(services);
        Set<VipKey> seen = new HashSet<>();
        for (Service s : services) {
            if (!seen.add(s.vip())) {
                throw new IllegalArgumentException("service " + s.vip() + " twice");
            }
        }
    }

    public static DesiredState of(Service... services) {
        return new DesiredState(List.of(services), DirectorConfig.defaults());
    }
}
