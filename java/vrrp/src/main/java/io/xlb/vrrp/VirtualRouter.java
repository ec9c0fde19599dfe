package io.xlb.vrrp;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One VRRP virtual router's state machine (RFC 5798 §6.4, with keepalived's choices). Pure: every
 * input carries the time it happens, every output is a {@link RouterAction}; the driver calls
 * {@link #tick} at {@link #deadline()}. So every scenario runs in virtual time.
 *
 * <p>keepalived's choices kept here: every router except the address owner (priority 255) starts
 * as backup whatever its {@code state} says, so a start takes a master-down interval; preemption
 * unless {@code nopreempt}, delayed by {@code preempt_delay} after start; equal priorities go to the
 * higher primary address.
 */
public final class VirtualRouter {
    private final RouterSettings settings;
    private final Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    private RouterState state = new RouterState.Initialize();
    private Instant startedAt = Instant.MIN;
    private long becameMaster;
    private int priority;

    public VirtualRouter(RouterSettings settings) {
        this.settings = settings;
        this.priority = settings.priority();
    }

    /** The priority in effect: the configured one moved by tracked scripts and interfaces. */
    public int priority() {
        return priority;
    }

    /**
     * Tracking moved the priority. A master advertises it from its next advert, so a backup that
     * now outranks it preempts; a backup that now outranks the master stops deferring to its
     * adverts and takes over when its master-down timer fires (unless nopreempt).
     */
    public List<RouterAction> setPriority(Instant now, int newPriority) {
        if (newPriority < 1 || newPriority > VrrpAdvert.OWNER_PRIORITY) {
            throw new IllegalArgumentException("priority must be 1..255, got " + newPriority);
        }
        List<RouterAction> out = new ArrayList<>();
        if (newPriority == priority) {
            return out;
        }
        priority = newPriority;
        if (state instanceof RouterState.Master) {
            // Tell the backups at once rather than at the next interval (keepalived does the same).
            out.add(new RouterAction.Send(settings.advert(priority)));
            state = new RouterState.Master(now.plus(interval(settings.intervalCs())));
        }
        return out;
    }

    /** A sync-group peer became master: so does this router, at once (keepalived's vrrp_sync_group). */
    public List<RouterAction> forceMaster(Instant now) {
        List<RouterAction> out = new ArrayList<>();
        if (state instanceof RouterState.Backup) {
            becomeMaster(now, out);
        }
        return out;
    }

    /** A sync-group peer fell back to backup: a master here steps down too, releasing at once. */
    public List<RouterAction> forceBackup(Instant now) {
        List<RouterAction> out = new ArrayList<>();
        if (state instanceof RouterState.Master) {
            out.add(new RouterAction.Send(settings.advert(VrrpAdvert.RELEASE_PRIORITY)));
            moveTo(backup(now, settings.intervalCs(), null), out);
        }
        return out;
    }

    public RouterSettings settings() {
        return settings;
    }

    public RouterState state() {
        return state;
    }

    /** Adverts dropped, by reason (those the transport dropped included, see {@link #dropped}). */
    public Map<DropReason, Long> drops() {
        return Collections.unmodifiableMap(new EnumMap<>(drops));
    }

    public long timesBecameMaster() {
        return becameMaster;
    }

    /** When {@link #tick} must next be called, if a timer runs. */
    public Optional<Instant> deadline() {
        return switch (state) {
            case RouterState.Backup b -> Optional.of(b.masterDownAt());
            case RouterState.Master m -> Optional.of(m.nextAdvertAt());
            case RouterState.Initialize i -> Optional.empty();
            case RouterState.Fault f -> Optional.empty();
        };
    }

    /** Startup (RFC 5798 §6.4.1). */
    public List<RouterAction> start(Instant now) {
        startedAt = now;
        List<RouterAction> out = new ArrayList<>();
        if (settings.priority() == VrrpAdvert.OWNER_PRIORITY) {
            becomeMaster(now, out);
        } else {
            moveTo(backup(now, settings.intervalCs(), null), out);
        }
        return out;
    }

    /** Stops as keepalived does on SIGTERM: a master sends priority 0 so a backup takes over at skew time. */
    public List<RouterAction> shutdown(Instant now) {
        List<RouterAction> out = new ArrayList<>();
        if (state instanceof RouterState.Master) {
            out.add(new RouterAction.Send(settings.advert(VrrpAdvert.RELEASE_PRIORITY)));
        }
        moveTo(new RouterState.Initialize(), out);
        return out;
    }

    /**
     * The interface went down (or a tracked object did): no adverts, no addresses. A master first
     * sends priority 0, so that a backup takes over after its skew time rather than the full
     * master-down interval (lost if the link itself is down).
     */
    public List<RouterAction> fault(Instant now) {
        List<RouterAction> out = new ArrayList<>();
        if (state instanceof RouterState.Master) {
            out.add(new RouterAction.Send(settings.advert(VrrpAdvert.RELEASE_PRIORITY)));
        }
        if (!(state instanceof RouterState.Fault)) {
            moveTo(new RouterState.Fault(), out);
        }
        return out;
    }

    /** The fault cleared: start over, as after startup (preempt_delay counts from here too). */
    public List<RouterAction> recover(Instant now) {
        return state instanceof RouterState.Fault ? start(now) : List.of();
    }

    /** Counts a packet the transport or the codec dropped before it reached this router. */
    public void dropped(DropReason reason) {
        drops.merge(reason, 1L, Long::sum);
    }

    /** A decoded advert for this router's VRID arrived. */
    public List<RouterAction> receive(Instant now, Received.Advert received) {
        VrrpAdvert advert = received.advert();
        Optional<DropReason> mismatch = settings.mismatch(advert,
                state instanceof RouterState.Backup b && received.source().equals(b.master()));
        if (mismatch.isPresent()) {
            dropped(mismatch.get());
            return List.of();
        }
        List<RouterAction> out = new ArrayList<>();
        int theirs = advert.priority();
        int ours = priority;
        // VRRPv3 backups time the master by its own interval; VRRPv2 intervals must match.
        int masterInterval = settings.version() == VrrpVersion.V3 ? advert.intervalCs() : settings.intervalCs();
        switch (state) {
            case RouterState.Backup b -> {
                if (theirs == VrrpAdvert.RELEASE_PRIORITY) {
                    state = new RouterState.Backup(now.plus(skew(masterInterval)), masterInterval, b.master());
                } else if (!settings.preempt() || theirs >= ours || now.isBefore(startedAt.plus(settings.preemptDelay()))) {
                    state = backup(now, masterInterval, received.source());
                }
                // Otherwise a lower-priority master: ignore it, so our master-down timer preempts it.
            }
            case RouterState.Master m -> {
                if (theirs == VrrpAdvert.RELEASE_PRIORITY) {
                    // Another master stepped down: assert ourselves at once (RFC 5798 §6.4.3).
                    out.add(new RouterAction.Send(settings.advert(ours)));
                    state = new RouterState.Master(now.plus(interval(settings.intervalCs())));
                } else if (theirs > ours || (theirs == ours && higher(received.source(), settings.primary()))) {
                    moveTo(backup(now, masterInterval, received.source()), out);
                }
            }
            case RouterState.Initialize i -> { }
            case RouterState.Fault f -> { }
        }
        return out;
    }

    /** The timer fired (or time passed it): master-down in backup, advert in master. */
    public List<RouterAction> tick(Instant now) {
        List<RouterAction> out = new ArrayList<>();
        switch (state) {
            case RouterState.Backup b when !now.isBefore(b.masterDownAt()) -> becomeMaster(now, out);
            case RouterState.Master m when !now.isBefore(m.nextAdvertAt()) -> {
                out.add(new RouterAction.Send(settings.advert(priority)));
                state = new RouterState.Master(now.plus(interval(settings.intervalCs())));
            }
            default -> { }
        }
        return out;
    }

    /** Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time. */
    public Duration masterDownInterval(int masterIntervalCs) {
        return interval(masterIntervalCs).multipliedBy(3).plus(skew(masterIntervalCs));
    }

    /** Skew_Time = ((256 − Priority) × Master_Adver_Interval) / 256: lower priorities wait longer. */
    public Duration skew(int masterIntervalCs) {
        return Duration.ofNanos(interval(masterIntervalCs).toNanos() * (256 - priority) / 256);
    }

    private RouterState.Backup backup(Instant now, int masterIntervalCs, InetAddress master) {
        return new RouterState.Backup(now.plus(masterDownInterval(masterIntervalCs)), masterIntervalCs, master);
    }

    private void becomeMaster(Instant now, List<RouterAction> out) {
        out.add(new RouterAction.Send(settings.advert(priority)));
        becameMaster++;
        moveTo(new RouterState.Master(now.plus(interval(settings.intervalCs()))), out);
    }

    private void moveTo(RouterState next, List<RouterAction> out) {
        RouterState from = state;
        state = next;
        if (!from.name().equals(next.name())) {
            out.add(new RouterAction.Transition(from, next));
        }
    }

    private static Duration interval(int centiseconds) {
        return Duration.ofMillis(centiseconds * 10L);
    }

    /** Addresses compared as unsigned numbers, as RFC 5798 §6.4.3 compares primary addresses. */
    static boolean higher(InetAddress a, InetAddress b) {
        return Arrays.compareUnsigned(a.getAddress(), b.getAddress()) > 0;
    }
}
