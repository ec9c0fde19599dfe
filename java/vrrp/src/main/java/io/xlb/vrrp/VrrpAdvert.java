package io.xlb.vrrp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One VRRP advertisement as sent or received (without the IP header).
 *
 * @param intervalCs advertisement interval in centiseconds; VRRPv2 carries whole seconds only
 * @param authPass   VRRPv2 simple-text password ({@code auth_type PASS}), at most 8 bytes; empty for
 *                   none and always empty for VRRPv3, which dropped authentication
 */
public record VrrpAdvert(VrrpVersion version, int vrid, int priority, int intervalCs,
        List<InetAddress> addresses, String authPass) {
    /** Priority of the address owner: starts as master at once. */
    public static final int OWNER_PRIORITY = 255;
    /** Priority a master sends when it stops: backups take over after their skew time only. */
    public static final int RELEASE_PRIORITY = 0;
    public static final int AUTH_PASS_MAX = 8;
    static final int V3_MAX_INTERVAL_CS = 0xfff;

    public VrrpAdvert {
        Objects.requireNonNull(version, "version");
        addresses = List.copyOf(addresses);
        authPass = authPass == null ? "" : authPass;
        if (vrid < 1 || vrid > 255) {
            throw new IllegalArgumentException("VRID must be 1..255, got " + vrid);
        }
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority must be 0..255, got " + priority);
        }
        if (addresses.isEmpty() || addresses.size() > 255) {
            throw new IllegalArgumentException("an advertisement carries 1..255 addresses, got " + addresses.size());
        }
        boolean v4 = addresses.getFirst() instanceof Inet4Address;
        if (addresses.stream().anyMatch(a -> (a instanceof Inet4Address) != v4)) {
            throw new IllegalArgumentException("an advertisement's addresses are all IPv4 or all IPv6");
        }
        switch (version) {
            case V2 -> {
                if (!v4) {
                    throw new IllegalArgumentException("VRRPv2 is IPv4 only");
                }
                if (intervalCs % 100 != 0 || intervalCs < 100 || intervalCs > 255 * 100) {
                    throw new IllegalArgumentException("VRRPv2 advertises whole seconds 1..255, got " + intervalCs + " cs");
                }
                if (authPass.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > AUTH_PASS_MAX) {
                    throw new IllegalArgumentException("auth_pass is at most 8 bytes on the wire");
                }
            }
            case V3 -> {
                if (intervalCs < 1 || intervalCs > V3_MAX_INTERVAL_CS) {
                    throw new IllegalArgumentException("VRRPv3 advertises 1..4095 centiseconds, got " + intervalCs);
                }
                if (!authPass.isEmpty()) {
                    throw new IllegalArgumentException("VRRPv3 has no authentication");
                }
            }
        }
    }

    public boolean ipv4() {
        return addresses.getFirst() instanceof Inet4Address;
    }
}
