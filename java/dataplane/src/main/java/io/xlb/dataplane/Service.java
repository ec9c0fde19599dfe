package io.xlb.dataplane;

import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.VipKey;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A virtual service: its VIP key, scheduler, default forwarding method, reals, and persistence
 * (null: none).
 */
public record Service(VipKey vip, Scheduler scheduler, Method method, List<Real> reals, Persistence persistence) {
    /**
     * ipvsadm -p / persistence_timeout: a client's new connections go to its real for this long;
     * clients within the same /prefix (persistence_granularity) share it.
     */
    public record Persistence(int timeoutSeconds, int prefixLength) {
        public Persistence {
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("persistence timeout must be positive: " + timeoutSeconds);
            }
            if (prefixLength < 0 || prefixLength > 128) {
                throw new IllegalArgumentException("persistence prefix out of range: " + prefixLength);
            }
        }
    }

    /** A real's address and port: what makes two reals of a service the same. */
    private record Endpoint(java.net.InetAddress address, int port) {}

    public Service(VipKey vip, Scheduler scheduler, Method method, List<Real> reals) {
        this(vip, scheduler, method, reals, null);
    }

    public Service {
        reals = List.copyOf(reals);
        // By address and port, as the ring key names a real; no string built per real (a million per apply).
        Set<Endpoint> seen = new HashSet<>(reals.size() * 2);
        for (Real r : reals) {
            if (!seen.add(new Endpoint(r.address(), r.port()))) {
                throw new IllegalArgumentException(vip + ": real " + r.address().getHostAddress() + ":" + r.port() + " twice");
            }
            if (r.address().getClass() != vip.address().getClass()) {
                throw new IllegalArgumentException(vip + ": real " + r.address().getHostAddress()
                        + " is of another address family than the VIP");
            }
        }
    }

    /** This service with other reals; every other field kept. */
    public Service withReals(List<Real> next) {
        return new Service(vip, scheduler, method, next, persistence);
    }

    /** This service with another scheduler; every other field kept. */
    public Service withScheduler(Scheduler next) {
        return new Service(vip, next, method, reals, persistence);
    }

    /** This service with other persistence (null: none); every other field kept. */
    public Service withPersistence(Persistence next) {
        return new Service(vip, scheduler, method, reals, next);
    }

    /** This service with each real replaced by what {@code f} makes of it. */
    public Service mapReals(java.util.function.UnaryOperator<Real> f) {
        return withReals(reals.stream().map(f).toList());
    }

    public Method methodOf(Real r) {
        return r.method() != null ? r.method() : method;
    }

    /**
     * Whether {@code r} may take flows now: DR and TUN need its next hop's MAC, NAT finds the next
     * hop in the kernel's FIB per packet.
     */
    public boolean takesFlows(Real r) {
        return methodOf(r) == Method.NAT || r.reachable();
    }

    /** The weight the schedulers see: 0 while the real cannot take flows. */
    public int effectiveWeight(Real r) {
        return takesFlows(r) ? r.weight() : 0;
    }

    /** Whether a real of it waits for its next hop's MAC. */
    public boolean awaitsMac() {
        return reals.stream().anyMatch(r -> !takesFlows(r));
    }
}
