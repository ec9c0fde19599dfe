package io.xlb.dataplane;

import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import java.net.InetAddress;

/**
 * A real server of a service: address and port, weight (0: quiesced), forwarding method
 * (null: the service's), and how to reach it: next-hop MAC and, when it sits behind another
 * interface than the one packets arrive on, that interface's index (0: the same).
 */
public record Real(InetAddress address, int port, int weight, Method method, MacAddress mac, int ifindex) {
    public Real {
        if (weight < 0 || weight > 65535) {
            throw new IllegalArgumentException("weight out of 0..65535: " + weight);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static Real of(InetAddress address, int port, int weight, MacAddress mac) {
        return new Real(address, port, weight, null, mac, 0);
    }

    public Real withWeight(int w) {
        return new Real(address, port, w, method, mac, ifindex);
    }

    public Real withMethod(Method m) {
        return new Real(address, port, weight, m, mac, ifindex);
    }

    /** How to reach it: next-hop MAC and interface (0: the one packets arrive on). */
    public Real withNextHop(MacAddress m, int interfaceIndex) {
        return new Real(address, port, weight, method, m, interfaceIndex);
    }

    /** Whether its next hop's MAC is known: until it is, the real takes no flows. */
    public boolean reachable() {
        return !mac.equals(MacAddress.ZERO);
    }

    /** The ring key: stable across directors and restarts. */
    String ringKey() {
        return address.getHostAddress() + "#" + port;
    }
}
