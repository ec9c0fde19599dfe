package io.xlb.dataplane;

import io.xlb.dataplane.abi.ServiceEntry;
import io.xlb.dataplane.sched.MaglevRing;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A service's scheduler, in the families the dataplane evaluates: a hash ring (mh, sh, dh), a
 * weighted sequence (rr, wrr), a comparison of every real (lc, wlc, sed, nq, fo, ovf) and
 * locality (lblc, lblcr). Each has IPVS's rules (net/netfilter/ipvs/ip_vs_*.c); see bpf/README.md.
 */
public sealed interface Scheduler {
    /** The name ipvsadm and keepalived use. */
    String ipvsName();

    /** enum xlb_sched. */
    int schedCode();

    /** ipvsadm's scheduler flags ({@code -b}), in the order ipvsadm lists them; none for most. */
    default List<String> flags() {
        return List.of();
    }

    /** Whether the program compares every real per new flow (and so scans at most LC_MAX of them). */
    default boolean comparesEveryReal() {
        return false;
    }

    /**
     * mh (source address, and port with {@code hashPort}), sh (the same), dh (destination), on a
     * Maglev ring. {@code fallback}: a real that takes no new flow (overloaded) sends it on to
     * another slot (sh-fallback, mh-fallback); without it the flow gets no real, as in IPVS.
     */
    record Ring(Key key, int size, boolean hashPort, boolean fallback) implements Scheduler {
        public enum Key { MH, SH, DH }

        public Ring(Key key, int size, boolean hashPort) {
            this(key, size, hashPort, false);
        }

        public Ring {
            if ((hashPort || fallback) && key == Key.DH) {
                throw new IllegalArgumentException("dh takes no scheduler flag (IPVS's flags are sh's and mh's)");
            }
            MaglevRingSize.check(size);
        }

        public String ipvsName() {
            return key.name().toLowerCase(java.util.Locale.ROOT);
        }

        public int schedCode() {
            return ServiceEntry.SCHED_RING;
        }

        public int hashKeyCode() {
            return switch (key) {
                case DH -> ServiceEntry.HASH_DST;
                case MH, SH -> hashPort ? ServiceEntry.HASH_SRC_PORT : ServiceEntry.HASH_SRC;
            };
        }

        /** ipvsadm's order: fallback, then port. */
        public List<String> flags() {
            List<String> out = new ArrayList<>();
            if (fallback) {
                out.add(ipvsName() + "-fallback");
            }
            if (hashPort) {
                out.add(ipvsName() + "-port");
            }
            return List.copyOf(out);
        }
    }

    /** rr ({@code weighted} false) and wrr. */
    record Sequence(boolean weighted) implements Scheduler {
        public String ipvsName() {
            return weighted ? "wrr" : "rr";
        }

        public int schedCode() {
            return ServiceEntry.SCHED_SEQ;
        }
    }

    /**
     * The schedulers that compare every real per new flow (lc, wlc, sed, nq, fo, ovf) or fall back
     * to such a comparison (lblc, lblcr, as IPVS's do to wlc's).
     */
    sealed interface ComparesEveryReal extends Scheduler {
        @Override
        default boolean comparesEveryReal() {
            return true;
        }
    }

    /** lc ({@code weighted} false: least active*256 + inactive) and wlc (the same over weight). */
    record LeastConnections(boolean weighted) implements ComparesEveryReal {
        public String ipvsName() {
            return weighted ? "wlc" : "lc";
        }

        public int schedCode() {
            return weighted ? ServiceEntry.SCHED_WLC : ServiceEntry.SCHED_LC;
        }
    }

    /**
     * sed: least (active + 1) / weight; nq ({@code neverQueue}): the first real without an active
     * connection, else as sed.
     */
    record ShortestExpectedDelay(boolean neverQueue) implements ComparesEveryReal {
        public String ipvsName() {
            return neverQueue ? "nq" : "sed";
        }

        public int schedCode() {
            return neverQueue ? ServiceEntry.SCHED_NQ : ServiceEntry.SCHED_SED;
        }
    }

    /**
     * fo: the real of highest weight (weighted failover); ovf ({@code overflow}): the same among the
     * reals with no more active connections than their weight.
     */
    record HighestWeight(boolean overflow) implements ComparesEveryReal {
        public String ipvsName() {
            return overflow ? "ovf" : "fo";
        }

        public int schedCode() {
            return overflow ? ServiceEntry.SCHED_OVF : ServiceEntry.SCHED_FO;
        }
    }

    /**
     * lblc: a destination address keeps its real while that real is not overloaded; lblcr
     * ({@code replicated}): it keeps a set of reals, grown when all are overloaded and shrunk when
     * unchanged for a day.
     */
    record LocalityBased(boolean replicated) implements ComparesEveryReal {
        public String ipvsName() {
            return replicated ? "lblcr" : "lblc";
        }

        public int schedCode() {
            return replicated ? ServiceEntry.SCHED_LBLCR : ServiceEntry.SCHED_LBLC;
        }
    }

    /** Every scheduler's ipvsadm name. */
    List<String> IPVS_NAMES = List.of("rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "lblc", "lblcr", "mh", "sh", "dh");

    /** By ipvsadm's name; ring sizes default to Maglev's 65537. */
    static Scheduler named(String name) {
        return named(name, List.of());
    }

    /**
     * By ipvsadm's name and its scheduler flags ({@code -b}, keepalived's {@code sh-port} ...):
     * sh-fallback, sh-port, mh-fallback, mh-port, and flag-1 (fallback) and flag-2 (port) of sh
     * and mh. A flag no scheduler of that name reads is refused, in ipvsadm's words where it has them.
     */
    static Scheduler named(String name, List<String> flags) {
        if (!IPVS_NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown scheduler " + name);
        }
        Set<String> given = new LinkedHashSet<>(flags);
        boolean fallback = false, port = false;
        for (String flag : given) {
            switch (flag) {
                case "sh-fallback", "sh-port", "mh-fallback", "mh-port" -> {
                    if (!flag.startsWith(name + "-")) {
                        throw new IllegalArgumentException("incompatible scheduler flag `" + flag + "' (for "
                                + flag.substring(0, 2) + ", not " + name + ")");
                    }
                    fallback |= flag.endsWith("-fallback");
                    port |= flag.endsWith("-port");
                }
                case "flag-1", "flag-2" -> {
                    if (!name.equals("sh") && !name.equals("mh")) {
                        throw new IllegalArgumentException("scheduler flag " + flag + " does nothing with " + name
                                + " (IPVS's sh and mh read it)");
                    }
                    fallback |= flag.equals("flag-1");
                    port |= flag.equals("flag-2");
                }
                case "flag-3" -> throw new IllegalArgumentException("scheduler flag flag-3 does nothing (no IPVS scheduler reads it)");
                default -> throw new IllegalArgumentException("invalid scheduler flag `" + flag + "'");
            }
        }
        return switch (name) {
            case "rr" -> new Sequence(false);
            case "wrr" -> new Sequence(true);
            case "lc" -> new LeastConnections(false);
            case "wlc" -> new LeastConnections(true);
            case "sed" -> new ShortestExpectedDelay(false);
            case "nq" -> new ShortestExpectedDelay(true);
            case "fo" -> new HighestWeight(false);
            case "ovf" -> new HighestWeight(true);
            case "lblc" -> new LocalityBased(false);
            case "lblcr" -> new LocalityBased(true);
            case "mh" -> new Ring(Ring.Key.MH, MaglevRing.DEFAULT_SIZE, port, fallback);
            case "sh" -> new Ring(Ring.Key.SH, MaglevRing.DEFAULT_SIZE, port, fallback);
            case "dh" -> new Ring(Ring.Key.DH, MaglevRing.DEFAULT_SIZE, false);
            default -> throw new IllegalArgumentException("unknown scheduler " + name);
        };
    }

    /** Ring sizes: prime, and within the table map. */
    final class MaglevRingSize {
        private MaglevRingSize() {}

        static void check(int size) {
            if (size > io.xlb.dataplane.abi.Structs.TABLE_MAX || size < 2
                    || !java.math.BigInteger.valueOf(size).isProbablePrime(30)) {
                throw new IllegalArgumentException("ring size must be a prime up to "
                        + io.xlb.dataplane.abi.Structs.TABLE_MAX + ": " + size);
            }
        }
    }
}
