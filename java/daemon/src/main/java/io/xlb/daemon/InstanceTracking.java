package io.xlb.daemon;

import io.xlb.config.Config;
import io.xlb.config.SyncGroup;
import io.xlb.config.VrrpInstance;
import io.xlb.config.VrrpScript;
import io.xlb.vrrp.Tracking;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What each vrrp_instance's tracked objects make of it (see {@link Tracking}): its own interface
 * (weight 0, unless dont_track_primary), its track_interface entries, its track_script entries
 * (the instance's weight if it gives one, else the script's). A vrrp_sync_group is in fault while
 * any member is (keepalived). Pure: link and script states are given.
 */
final class InstanceTracking {
    private InstanceTracking() {}

    static Map<String, Tracking.Effect> effects(Config config, Predicate<String> linkUp, Predicate<String> scriptOk) {
        Map<String, VrrpScript> scripts = new LinkedHashMap<>();
        config.vrrpScripts().forEach(s -> scripts.put(s.name(), s));
        Map<String, Tracking.Effect> own = new LinkedHashMap<>();
        for (VrrpInstance i : config.vrrpInstances()) {
            own.put(i.name(), Tracking.of(i.priority(), tracked(i, scripts, linkUp, scriptOk)));
        }
        Map<String, Tracking.Effect> out = new LinkedHashMap<>(own);
        for (SyncGroup g : config.syncGroups()) {
            boolean fault = g.group().stream().anyMatch(m -> own.containsKey(m) && own.get(m).fault());
            if (fault) {
                g.group().stream().filter(own::containsKey)
                        .forEach(m -> out.put(m, new Tracking.Effect(true, own.get(m).priority())));
            }
        }
        return out;
    }

    static List<Tracking.Tracked> tracked(VrrpInstance i, Map<String, VrrpScript> scripts, Predicate<String> linkUp,
                                          Predicate<String> scriptOk) {
        List<Tracking.Tracked> out = new ArrayList<>();
        if (!i.dontTrackPrimary()) {
            out.add(new Tracking.Tracked.Interface(i.interfaceName(), 0, linkUp.test(i.interfaceName())));
        }
        for (VrrpInstance.TrackInterface t : i.trackInterfaces()) {
            out.add(new Tracking.Tracked.Interface(t.name(), t.weight() != null ? t.weight() : 0, linkUp.test(t.name())));
        }
        for (VrrpInstance.TrackScript t : i.trackScripts()) {
            VrrpScript s = scripts.get(t.name());
            if (s == null) {
                continue; // warned at parse time, ignored as keepalived does
            }
            int weight = t.weight() != null ? t.weight() : s.weight();
            boolean reverse = t.weight() != null ? t.reverse() : s.weightReverse();
            out.add(new Tracking.Tracked.Script(t.name(), weight, reverse, scriptOk.test(t.name())));
        }
        return out;
    }

    /** The interfaces an instance set watches. */
    static List<String> interfaces(Config config) {
        List<String> out = new ArrayList<>();
        for (VrrpInstance i : config.vrrpInstances()) {
            if (!i.dontTrackPrimary() && !out.contains(i.interfaceName())) {
                out.add(i.interfaceName());
            }
            i.trackInterfaces().stream().map(VrrpInstance.TrackInterface::name).filter(n -> !out.contains(n)).forEach(out::add);
        }
        return out;
    }
}
