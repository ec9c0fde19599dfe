package io.xlb.vrrp;

import java.util.List;

/**
 * What an instance's tracked interfaces and scripts make of it, as keepalived computes it: an
 * object with weight 0 that is down (interface) or failing (script) puts the instance in fault;
 * a positive weight is added while the object is up, a negative one while it is down ({@code
 * reverse} applies them with the opposite sign). The result stays within 1..254; an address owner (255) keeps 255.
 */
public final class Tracking {
    private Tracking() {}

    /** One tracked object's state and the weight the instance gives it. */
    public sealed interface Tracked {
        int weight();

        boolean up();

        /** {@code track_interface} (and the instance's own interface, unless dont_track_primary). */
        record Interface(String name, int weight, boolean up) implements Tracked {}

        /** {@code track_script}: up while the script is ok. */
        record Script(String name, int weight, boolean reverse, boolean up) implements Tracked {}
    }

    public record Effect(boolean fault, int priority) {}

    private static final int MAX_TRACKED_PRIORITY = VrrpAdvert.OWNER_PRIORITY - 1;

    public static Effect of(int configured, List<? extends Tracked> tracked) {
        boolean fault = false;
        int delta = 0;
        for (Tracked t : tracked) {
            int sign = t instanceof Tracked.Script s && s.reverse() ? -1 : 1;
            if (t.weight() == 0) {
                fault |= !t.up();
            } else if (t.weight() > 0 == t.up()) {
                delta += sign * t.weight();
            }
        }
        if (configured == VrrpAdvert.OWNER_PRIORITY) {
            return new Effect(fault, configured);
        }
        return new Effect(fault, Math.clamp(configured + (long) delta, 1, MAX_TRACKED_PRIORITY));
    }
}
