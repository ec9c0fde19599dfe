package io.xlb.dataplane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * IPVS's choices for a new connection, written from the kernel's net/netfilter/ipvs sources for
 * the differential tests (not from xlb's C): one service's destinations in list order, each with
 * weight, active and inactive connections, thresholds and the overload flag, changed as
 * ip_vs_conn.c (bind, unbind) and ip_vs_ctl.c (__ip_vs_update_dest) change them, and the schedulers
 * lc, wlc, sed, nq, fo, ovf, lblc and lblcr as ip_vs_*.c pick.
 *
 * lblc and lblcr keep their tables here as the kernel does, with one rule the kernel leaves to a
 * timer: an entry whose last use is {@code expiration} or more ago is gone (the kernel's periodic
 * full check deletes it within 30 minutes after that; xlb treats that moment as the deletion).
 * Time is virtual: {@link #advance}.
 */
final class IpvsModel {
    static final long EXPIRATION_NS = 24L * 60 * 60 * 1_000_000_000L;

    /** struct ip_vs_dest, the parts the schedulers read. */
    static final class Dest {
        final int id;
        int weight;
        int activeconns;
        int inactconns;
        int uThreshold;
        int lThreshold;
        boolean overload; // IP_VS_DEST_F_OVERLOAD

        Dest(int id, int weight) {
            this.id = id;
            this.weight = weight;
        }

        /** ip_vs_dest_totalconns. */
        long totalconns() {
            return (long) activeconns + inactconns;
        }

        /** ip_vs_dest_conn_overhead: (activeconns << 8) + inactconns. */
        long connOverhead() {
            return ((long) activeconns << 8) + inactconns;
        }

        @Override
        public String toString() {
            return "dest" + id + "{w=" + weight + " a=" + activeconns + " i=" + inactconns + " u=" + uThreshold + " l="
                    + lThreshold + (overload ? " OVERLOAD" : "") + "}";
        }
    }

    private record LblcEntry(Dest dest, long lastuse) {}

    /** struct ip_vs_lblcr_entry: the set newest first (list_add_rcu adds at the head). */
    private static final class LblcrEntry {
        final List<Dest> set = new ArrayList<>();
        long lastmod;
        long lastuse;
    }

    private final String sched;
    private final List<Dest> destinations;
    private final Map<String, LblcEntry> lblc = new HashMap<>();
    private final Map<String, LblcrEntry> lblcr = new HashMap<>();
    private long now;

    IpvsModel(String sched, List<Dest> destinations) {
        this.sched = sched;
        this.destinations = destinations;
    }

    List<Dest> destinations() {
        return destinations;
    }

    void advance(long nanos) {
        now += nanos;
    }

    // --- ip_vs_conn.c and ip_vs_ctl.c ---

    /** ip_vs_bind_dest for a new connection (it starts inactive: SYN_RECV, or UDP). */
    void bind(Dest d) {
        d.inactconns++;
        if (d.uThreshold != 0 && d.totalconns() >= d.uThreshold) {
            d.overload = true;
        }
    }

    /** ip_vs_unbind_dest's rule, after a connection left. */
    private static void afterUnbind(Dest d) {
        if (d.lThreshold != 0) {
            if (d.totalconns() < d.lThreshold) {
                d.overload = false;
            }
        } else if (d.uThreshold != 0) {
            if (d.totalconns() * 4 < (long) d.uThreshold * 3) {
                d.overload = false;
            }
        } else {
            d.overload = false;
        }
    }

    /**
     * New connection counts, reached one connection at a time: binds (the flag may set) when the
     * total grows, unbinds (it may clear) when it shrinks; a move between active and inactive is a
     * state change, which touches no flag.
     */
    void setConns(Dest d, int active, int inactive) {
        while (d.totalconns() < (long) active + inactive) {
            d.inactconns++;
            if (d.uThreshold != 0 && d.totalconns() >= d.uThreshold) {
                d.overload = true;
            }
        }
        while (d.totalconns() > (long) active + inactive) {
            d.inactconns--;
            afterUnbind(d);
        }
        d.activeconns = active;
        d.inactconns = inactive;
    }

    /** __ip_vs_update_dest: thresholds replaced; removing or raising the upper one clears the flag. */
    void setThresholds(Dest d, int upper, int lower) {
        if (upper == 0 || upper > d.uThreshold) {
            d.overload = false;
        }
        d.uThreshold = upper;
        d.lThreshold = lower;
    }

    void setWeight(Dest d, int weight) {
        d.weight = weight;
    }

    // --- the schedulers ---

    /** The destination for a new connection to {@code daddr}, or null (no destination available). */
    Dest schedule(String daddr) {
        return switch (sched) {
            case "lc" -> lc();
            case "wlc" -> wlc();
            case "sed" -> sed();
            case "nq" -> nq();
            case "fo" -> fo();
            case "ovf" -> ovf();
            case "lblc" -> lblc(daddr);
            case "lblcr" -> lblcr(daddr);
            default -> throw new IllegalArgumentException(sched);
        };
    }

    /** ip_vs_lc.c. */
    private Dest lc() {
        Dest least = null;
        long loh = 0;
        for (Dest dest : destinations) {
            if (dest.overload || dest.weight == 0) {
                continue;
            }
            long doh = dest.connOverhead();
            if (least == null || doh < loh) {
                least = dest;
                loh = doh;
            }
        }
        return least;
    }

    /** ip_vs_wlc.c (and __ip_vs_lblc_schedule, __ip_vs_lblcr_schedule, which are the same). */
    private Dest wlc() {
        return leastWeighted(destinations, Dest::connOverhead);
    }

    /** ip_vs_sed.c: overhead activeconns + 1. */
    private Dest sed() {
        return leastWeighted(destinations, dest -> dest.activeconns + 1L);
    }

    /**
     * The loop ip_vs_wlc.c, ip_vs_sed.c and ip_vs_dest_set_min share: the first of {@code candidates}
     * not overloaded and of a weight, then each later one not overloaded whose overhead per weight
     * is smaller, compared multiplied out as the kernel does (a later one of weight 0 can only tie).
     */
    private static Dest leastWeighted(List<Dest> candidates, ToLongFunction<Dest> overhead) {
        Dest least = null;
        long loh = 0;
        int i = 0;
        for (; i < candidates.size(); i++) {
            Dest dest = candidates.get(i);
            if (!dest.overload && dest.weight > 0) {
                least = dest;
                loh = overhead.applyAsLong(dest);
                break;
            }
        }
        if (least == null) {
            return null;
        }
        for (i++; i < candidates.size(); i++) {
            Dest dest = candidates.get(i);
            if (dest.overload) {
                continue;
            }
            long doh = overhead.applyAsLong(dest);
            if (loh * dest.weight > doh * least.weight) {
                least = dest;
                loh = doh;
            }
        }
        return least;
    }

    /** ip_vs_nq.c: an idle destination at once, else as sed. */
    private Dest nq() {
        Dest least = null;
        long loh = 0;
        for (Dest dest : destinations) {
            if (dest.overload || dest.weight == 0) {
                continue;
            }
            long doh = dest.activeconns + 1L;
            if (dest.activeconns == 0) {
                return dest;
            }
            if (least == null || loh * dest.weight > doh * least.weight) {
                least = dest;
                loh = doh;
            }
        }
        return least;
    }

    /** ip_vs_fo.c. */
    private Dest fo() {
        Dest hweight = null;
        int hw = 0;
        for (Dest dest : destinations) {
            if (!dest.overload && dest.weight > hw) {
                hweight = dest;
                hw = dest.weight;
            }
        }
        return hweight;
    }

    /** ip_vs_ovf.c. */
    private Dest ovf() {
        Dest h = null;
        int hw = 0;
        for (Dest dest : destinations) {
            int w = dest.weight;
            if (dest.overload || dest.activeconns > w || w == 0) {
                continue;
            }
            if (h == null || w > hw) {
                h = dest;
                hw = w;
            }
        }
        return h;
    }

    /** is_overloaded of ip_vs_lblc.c and ip_vs_lblcr.c. */
    private boolean isOverloaded(Dest dest) {
        if (dest.activeconns > dest.weight) {
            for (Dest d : destinations) {
                if ((long) d.activeconns * 2 < d.weight) {
                    return true;
                }
            }
        }
        return false;
    }

    /** ip_vs_lblc_schedule. */
    private Dest lblc(String daddr) {
        LblcEntry en = lblc.get(daddr);
        if (en != null && now - en.lastuse() >= EXPIRATION_NS) {
            lblc.remove(daddr); // the periodic full check
            en = null;
        }
        if (en != null) {
            en = new LblcEntry(en.dest(), now);
            lblc.put(daddr, en);
            Dest dest = en.dest();
            if (destinations.contains(dest) && dest.weight > 0 && !isOverloaded(dest)) {
                return dest;
            }
        }
        Dest dest = wlc();
        if (dest == null) {
            return null;
        }
        // ip_vs_lblc_new: the same destination keeps its entry, another replaces it.
        if (en == null || en.dest() != dest) {
            lblc.put(daddr, new LblcEntry(dest, now));
        }
        return dest;
    }

    /** ip_vs_dest_set_min: among the set's destinations still in the service. */
    private Dest setMin(LblcrEntry en) {
        return leastWeighted(en.set.stream().filter(destinations::contains).toList(), Dest::connOverhead);
    }

    /** ip_vs_dest_set_max. */
    private static Dest setMax(LblcrEntry en) {
        Dest most = null;
        long moh = 0;
        int i = 0;
        for (; i < en.set.size(); i++) {
            Dest d = en.set.get(i);
            if (d.weight > 0) {
                most = d;
                moh = d.connOverhead();
                break;
            }
        }
        if (most == null) {
            return null;
        }
        for (i++; i < en.set.size(); i++) {
            Dest dest = en.set.get(i);
            long doh = dest.connOverhead();
            if (moh * dest.weight < doh * most.weight && dest.weight > 0) {
                most = dest;
                moh = doh;
            }
        }
        return most;
    }

    /** ip_vs_dest_set_insert with check: at the head, unless there already. */
    private void setInsert(LblcrEntry en, Dest dest) {
        if (en.set.contains(dest)) {
            return;
        }
        en.set.addFirst(dest);
        en.lastmod = now;
    }

    /** ip_vs_lblcr_schedule. */
    private Dest lblcr(String daddr) {
        LblcrEntry en = lblcr.get(daddr);
        if (en != null && now - en.lastuse >= EXPIRATION_NS) {
            lblcr.remove(daddr); // the periodic full check
            en = null;
        }
        if (en != null) {
            en.lastuse = now;
            Dest dest = setMin(en);
            if (en.set.size() > 1 && now - en.lastmod > EXPIRATION_NS) {
                Dest m = setMax(en);
                if (m != null) {
                    en.set.remove(m);
                    en.lastmod = now;
                }
            }
            if (dest != null && !isOverloaded(dest)) {
                return dest;
            }
            dest = wlc();
            if (dest == null) {
                return null;
            }
            setInsert(en, dest);
            return dest;
        }
        Dest dest = wlc();
        if (dest == null) {
            return null;
        }
        LblcrEntry fresh = new LblcrEntry();
        fresh.lastuse = now;
        fresh.lastmod = now;
        fresh.set.add(dest);
        lblcr.put(daddr, fresh);
        return dest;
    }
}
