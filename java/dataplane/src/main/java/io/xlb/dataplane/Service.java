package io.xlb.dataplane;

import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.VipKey;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A virtual service: its VIP key, scheduler, default forwarding method and reals. */
public record Service(VipKey vip, Scheduler scheduler, Method method, List<Real> reals) {
    public Service {
        reals = List.copyOf(reals);
        Set<String> seen = new HashSet<>();
        for (Real r : reals) {
            if (!seen.add(r.ringKey())) {
                throw new IllegalArgumentException(vip + ": real " + r.address().getHostAddress() + ":" + r.port() + " twice");
            }
            if (r.address().getClass() != vip.address().getClass()) {
                throw new IllegalArgumentException(vip + ": real " + r.address().getHostAddress()
                        + " is of another address family than the VIP");
            }
        }
    }

    public Method methodOf(Real r) {
        return r.method() != null ? r.method() : method;
    }
}
