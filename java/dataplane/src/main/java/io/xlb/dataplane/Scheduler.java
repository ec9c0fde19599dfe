package io.xlb.dataplane;

import io.xlb.dataplane.abi.ServiceEntry;
import io.xlb.dataplane.sched.MaglevRing;

/**
 * A service's scheduler, in the three families the dataplane evaluates: a hash ring (mh, sh,
 * dh), a weighted sequence (rr, wrr) and least connections (lc, wlc).
 */
public sealed interface Scheduler {
    /** The name ipvsadm and keepalived use. */
    String ipvsName();

    /** enum xlb_sched. */
    int schedCode();

    /** mh (source address, and port with {@code hashPort}), sh (source), dh (destination), on a Maglev ring. */
    record Ring(Key key, int size, boolean hashPort) implements Scheduler {
        public enum Key { MH, SH, DH }

        public Ring {
            if (hashPort && key != Key.MH) {
                throw new IllegalArgumentException("only mh hashes the source port");
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
                case MH -> hashPort ? ServiceEntry.HASH_SRC_PORT : ServiceEntry.HASH_SRC;
                case SH -> ServiceEntry.HASH_SRC;
            };
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

    /** lc ({@code weighted} false) and wlc. */
    record LeastConnections(boolean weighted) implements Scheduler {
        public String ipvsName() {
            return weighted ? "wlc" : "lc";
        }

        public int schedCode() {
            return weighted ? ServiceEntry.SCHED_WLC : ServiceEntry.SCHED_LC;
        }
    }

    /** By ipvsadm's name; ring sizes default to Maglev's 65537. */
    static Scheduler named(String name) {
        return switch (name) {
            case "rr" -> new Sequence(false);
            case "wrr" -> new Sequence(true);
            case "lc" -> new LeastConnections(false);
            case "wlc" -> new LeastConnections(true);
            case "mh" -> new Ring(Ring.Key.MH, MaglevRing.DEFAULT_SIZE, false);
            case "sh" -> new Ring(Ring.Key.SH, MaglevRing.DEFAULT_SIZE, false);
            case "dh" -> new Ring(Ring.Key.DH, MaglevRing.DEFAULT_SIZE, false);
            case "sed", "nq", "lblc", "lblcr", "fo", "ovf" ->
                    throw new UnsupportedOperationException("scheduler " + name + " is not implemented yet");
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
