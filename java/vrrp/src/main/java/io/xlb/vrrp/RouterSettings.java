package io.xlb.vrrp;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * One virtual router as a {@code vrrp_instance} configures it.
 *
 * @param primary      this router's own address on the interface: the advert's source, and the
 *                     tie-breaker between equal priorities (the higher address wins)
 * @param preempt      false for {@code nopreempt}
 * @param preemptDelay {@code preempt_delay}: after start, lower-priority masters are tolerated this long
 * @param skipCheckAdvAddr {@code vrrp_skip_check_adv_addr}: an advert from the master already known
 *                     is taken without comparing its address list (keepalived's shortcut)
 */
public record RouterSettings(String name, VrrpVersion version, int vrid, int priority, int intervalCs,
        List<InetAddress> addresses, String authPass, InetAddress primary, boolean preempt, Duration preemptDelay,
        boolean skipCheckAdvAddr) {
    public RouterSettings(String name, VrrpVersion version, int vrid, int priority, int intervalCs,
            List<InetAddress> addresses, String authPass, InetAddress primary, boolean preempt, Duration preemptDelay) {
        this(name, version, vrid, priority, intervalCs, addresses, authPass, primary, preempt, preemptDelay, false);
    }

    public RouterSettings {
        addresses = List.copyOf(addresses);
        // Validates the fields an advert carries the same way as a received one.
        new VrrpAdvert(version, vrid, Math.max(priority, 1), intervalCs, addresses, authPass);
        if (priority < 1) {
            throw new IllegalArgumentException("priority must be 1..255, got " + priority);
        }
    }

    /** The advert this router sends at {@code priority} (its own, or 0 when it stops). */
    public VrrpAdvert advert(int priority) {
        return new VrrpAdvert(version, vrid, priority, intervalCs, addresses, authPass);
    }

    /**
     * What an instance checks beyond {@link VrrpCodec#decode}: its VRID, version, authentication,
     * (VRRPv2) interval and address list. A mismatch drops the advert and is logged and counted, as
     * keepalived does; VRRPv3 backups instead learn the master's interval (RFC 5798 §6.4.2).
     */
    public Optional<DropReason> mismatch(VrrpAdvert advert) {
        return mismatch(advert, false);
    }

    /** As {@link #mismatch(VrrpAdvert)}; {@code fromKnownMaster}: sent by the master this router already follows. */
    public Optional<DropReason> mismatch(VrrpAdvert advert, boolean fromKnownMaster) {
        if (advert.vrid() != vrid) {
            return Optional.of(DropReason.VRID);
        }
        if (advert.version() != version) {
            return Optional.of(DropReason.VERSION);
        }
        if (version == VrrpVersion.V2) {
            if (advert.authPass().isEmpty() != authPass.isEmpty()) {
                return Optional.of(DropReason.AUTH_TYPE);
            }
            if (!advert.authPass().equals(authPass)) {
                return Optional.of(DropReason.AUTH_PASS);
            }
            if (advert.intervalCs() != intervalCs) {
                return Optional.of(DropReason.INTERVAL);
            }
        }
        if (!(skipCheckAdvAddr && fromKnownMaster) && !new HashSet<>(advert.addresses()).equals(new HashSet<>(addresses))) {
            return Optional.of(DropReason.ADDRESS_LIST);
        }
        return Optional.empty();
    }
}
