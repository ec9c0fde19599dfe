package io.xlb.daemon;

import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.sys.Neighbours;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * Fills in the real servers' MACs from the kernel's neighbour table. Each real's address gets a
 * managed entry on the director's interface, so the kernel resolves it (ARP / NDP) and keeps it
 * resolved, following a changed MAC; {@link #resolve} reads the table each time it is called, and
 * the daemon applies the result whenever it differs. A real not resolved yet gets no MAC, and so
 * no flows, until it is.
 *
 * Reals are taken as on-link on the interface: a TUN real behind a router would need its next
 * hop from the routing table (not done yet).
 */
public final class RealMacs {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");
    /** linux/errno.h: what adding a neighbour answers when the table is at gc_thresh3. */
    private static final int ENOBUFS = 105;
    private final Neighbours neighbours;
    private final int ifindex;
    private final Set<InetAddress> managed = new HashSet<>();
    /** Whether the full neighbour table was reported since it last took an entry (once, not once per real). */
    private boolean tableFullReported;

    public RealMacs(Neighbours neighbours, int ifindex) {
        this.neighbours = neighbours;
        this.ifindex = ifindex;
    }

    /** {@code desired} with each real's MAC as the kernel knows it now (ZERO when unresolved). */
    public synchronized DesiredState resolve(DesiredState desired) {
        java.util.Map<InetAddress, MacAddress> macs = new java.util.HashMap<>();
        for (Neighbours.Neighbour n : neighbours.dump()) {
            if (n.ifindex() == ifindex) {
                n.usableMac().ifPresent(m -> macs.putIfAbsent(n.address(), MacAddress.parse(m)));
            }
        }
        return desired.mapServices(s -> s.mapReals(r -> {
            if (s.methodOf(r) == io.xlb.dataplane.abi.Method.NAT) {
                return r; // its next hop is the FIB's, per packet, on whichever interface
            }
            if (!managed.contains(r.address()) && manage(r.address())) {
                managed.add(r.address());
            }
            return r.withNextHop(macs.getOrDefault(r.address(), MacAddress.ZERO), r.ifindex());
        }));
    }

    /**
     * A managed neighbour entry for {@code address}; false when the kernel's table is full (more reals
     * than net.ipv4.neigh.default.gc_thresh3, 1 024 by default): the real stays unresolved, is tried
     * again at the next call, and the daemon says what to raise, instead of stopping.
     */
    private boolean manage(InetAddress address) {
        try {
            neighbours.manage(ifindex, address);
            tableFullReported = false;
            return true;
        } catch (io.xlb.sys.SysException e) {
            if (e.errno() != ENOBUFS) {
                throw e;
            }
            if (!tableFullReported) {
                tableFullReported = true;
                LOG.log(System.Logger.Level.WARNING, "the kernel''s neighbour table is full at real {0} ({1} reals managed):"
                        + " reals beyond it stay unresolved and take no flows; raise net.ipv4.neigh.default.gc_thresh3"
                        + " (and gc_thresh2) above the number of reals", address.getHostAddress(), managed.size());
            }
            return false;
        }
    }
}
