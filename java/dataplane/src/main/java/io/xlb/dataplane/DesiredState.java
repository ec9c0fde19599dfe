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

    /** These settings with each service replaced by what {@code f} makes of it. */
    public DesiredState mapServices(java.util.function.UnaryOperator<Service> f) {
        return new DesiredState(services.stream().map(f).toList(), config);
    }

    public DesiredState withServices(List<Service> next) {
        return new DesiredState(next, config);
    }

    public DesiredState withConfig(DirectorConfig next) {
        return new DesiredState(services, next);
    }

    public static DesiredState of(Service... services) {
        return new DesiredState(List.of(services), DirectorConfig.defaults());
    }
}
