package io.xlb.dataplane;

import io.xlb.lab.Netns;
import io.xlb.lab.Veth;

/**
 * The director NAT's tests route through: a namespace with "front" (198.51.100.1/24,
 * 2001:db8:c::1/64, toward the clients) and "back" (10.0.9.1/24, 2001:db8:9::1/64, toward the
 * reals), veths to a "wire" namespace, forwarding on, so that the program's FIB lookups find next
 * hops once a test adds its neighbours; and the director program ({@link DirectorFixture}).
 * {@link #close()} removes all of it, as does a failed {@link #create}.
 */
record RoutedDirector(Netns director, Netns wire, DirectorFixture d) implements AutoCloseable {
    static RoutedDirector create(String prefix) {
        Netns director = Netns.create(prefix);
        Netns wire = null;
        try {
            wire = Netns.create(prefix);
            Veth.create(director, "front", "198.51.100.1/24", wire, "peer0", null);
            Veth.create(director, "back", "10.0.9.1/24", wire, "peer1", null);
            director.exec("ip", "-6", "addr", "add", "2001:db8:c::1/64", "dev", "front", "nodad");
            director.exec("ip", "-6", "addr", "add", "2001:db8:9::1/64", "dev", "back", "nodad");
            director.exec("sysctl", "-q", "-w", "net.ipv4.conf.all.forwarding=1", "net.ipv6.conf.all.forwarding=1");
            return new RoutedDirector(director, wire, new DirectorFixture());
        } catch (RuntimeException e) {
            if (wire != null) {
                wire.close();
            }
            director.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            d.close();
        } finally {
            wire.close();
            director.close();
        }
    }
}
