package io.xlb.dataplane;

import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import java.net.InetAddress;

/**
 * A real server of a service: address and port, weight (0: quiesced), forwarding method
 * (null: the service's), how to reach it (next-hop MAC and, when it sits behind another
 * interface than the one packets arrive on, that interface's index; 0: the same), and its
 * connection thresholds.
 */
public record Real(InetAddress address, int port, int weight, Method method, MacAddress mac, int ifindex,
                   Thresholds thresholds) {
    public Real {
        if (weight < 0 || weight > 65535) {
            throw new IllegalArgumentException("weight out of 0..65535: " + weight);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (thresholds == null) {
            throw new IllegalArgumentException("thresholds of real " + address.getHostAddress() + " missing");
        }
    }

    public Real(InetAddress address, int port, int weight, Method method, MacAddress mac, int ifindex) {
        this(address, port, weight, method, mac, ifindex, Thresholds.NONE);
    }

    /**
     * ipvsadm -x/-y, keepalived's uthreshold/lthreshold: with {@code upper} > 0, the real takes no
     * new connection once it has that many (active and inactive), until it has fewer than
     * {@code lower} (3/4 of upper when lower is 0). IPVS refuses a lower above the upper.
     */
    public record Thresholds(int upper, int lower) {
        public static final Thresholds NONE = new Thresholds(0, 0);

        /** These thresholds; {@link #NONE} itself when there are none (a million reals share one). */
        public static Thresholds of(int upper, int lower) {
            return upper == 0 && lower == 0 ? NONE : new Thresholds(upper, lower);
        }

        public Thresholds {
            if (upper < 0 || lower < 0) {
                throw new IllegalArgumentException("connection thresholds are counts, got upper " + upper + " lower " + lower);
            }
            if (lower > upper) {
                throw new IllegalArgumentException("lower threshold " + lower + " is above the upper threshold " + upper
                        + " (IPVS refuses such a real)");
            }
        }
    }

    public static Real of(InetAddress address, int port, int weight, MacAddress mac) {
        return new Real(address, port, weight, null, mac, 0);
    }

    public Real withWeight(int w) {
        return new Real(address, port, w, method, mac, ifindex, thresholds);
    }

    public Real withMethod(Method m) {
        return new Real(address, port, weight, m, mac, ifindex, thresholds);
    }

    public Real withThresholds(Thresholds t) {
        return new Real(address, port, weight, method, mac, ifindex, t);
    }

    /** How to reach it: next-hop MAC and interface (0: the one packets arrive on). */
    public Real withNextHop(MacAddress m, int interfaceIndex) {
        return new Real(address, port, weight, method, m, interfaceIndex, thresholds);
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
