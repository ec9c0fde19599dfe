package io.xlb.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changes between a running configuration and a new one: the set of changes a reload
 * applies. Positions are ignored (moving a block is no change); a real whose weight alone changed
 * is told apart, since that is one map write.
 */
public record ConfigDiff(boolean globalChanged, List<Change<VrrpInstance>> vrrpInstances,
                         List<ServiceChange> virtualServers) {
    public ConfigDiff {
        vrrpInstances = List.copyOf(vrrpInstances);
        virtualServers = List.copyOf(virtualServers);
    }

    /** A change of one element. */
    public sealed interface Change<T> permits Added, Removed, Modified {}

    public record Added<T>(T after) implements Change<T> {}

    public record Removed<T>(T before) implements Change<T> {}

    public record Modified<T>(T before, T after) implements Change<T> {}

    /** A virtual server's change; for a modified one, also what changed among its reals. */
    public record ServiceChange(Change<VirtualServer> change, boolean settingsChanged, List<RealChange> realServers) {
        public ServiceChange {
            realServers = List.copyOf(realServers);
        }
    }

    /** A real's change; {@code weightOnly} when nothing but its weight differs. */
    public record RealChange(Change<RealServer> change, boolean weightOnly) {}

    public boolean isEmpty() {
        return !globalChanged && vrrpInstances.isEmpty() && virtualServers.isEmpty();
    }

    public static ConfigDiff between(Config before, Config after) {
        boolean global = !Positions.sameIgnoringPositions(before.global(), after.global())
                || !Positions.sameIgnoringPositions(before.vrrpScripts(), after.vrrpScripts())
                || !Positions.sameIgnoringPositions(before.syncGroups(), after.syncGroups())
                || !Positions.sameIgnoringPositions(before.virtualServerGroups(), after.virtualServerGroups());
        return new ConfigDiff(global, changes(index(before.vrrpInstances(), VrrpInstance::name),
                index(after.vrrpInstances(), VrrpInstance::name)), services(before, after));
    }

    private static <T> Map<String, T> index(List<T> items, java.util.function.Function<T, String> key) {
        Map<String, T> out = new LinkedHashMap<>();
        items.forEach(i -> out.put(key.apply(i), i));
        return out;
    }

    private static <T> List<Change<T>> changes(Map<String, T> before, Map<String, T> after) {
        List<Change<T>> out = new ArrayList<>();
        before.forEach((k, b) -> {
            T a = after.get(k);
            if (a == null) {
                out.add(new Removed<>(b));
            } else if (!Positions.sameIgnoringPositions(a, b)) {
                out.add(new Modified<>(b, a));
            }
        });
        after.forEach((k, a) -> {
            if (!before.containsKey(k)) {
                out.add(new Added<>(a));
            }
        });
        return out;
    }

    private static String serviceKey(VirtualServer vs) {
        return Interpreter.describe(vs.key()) + " " + vs.protocol();
    }

    private static String realKey(RealServer r) {
        return Addresses.text(r.address()) + " " + r.port();
    }

    private static List<ServiceChange> services(Config before, Config after) {
        Map<String, VirtualServer> b = index(before.virtualServers(), ConfigDiff::serviceKey);
        Map<String, VirtualServer> a = index(after.virtualServers(), ConfigDiff::serviceKey);
        List<ServiceChange> out = new ArrayList<>();
        for (Change<VirtualServer> c : changes(b, a)) {
            if (c instanceof Modified<VirtualServer>(VirtualServer old, VirtualServer neu)) {
                List<RealChange> reals = new ArrayList<>();
                for (Change<RealServer> rc : changes(index(old.realServers(), ConfigDiff::realKey),
                        index(neu.realServers(), ConfigDiff::realKey))) {
                    boolean weightOnly = rc instanceof Modified<RealServer>(RealServer x, RealServer y)
                            && x.weight() != y.weight()
                            && Positions.sameIgnoringPositions(withWeight(x, 0), withWeight(y, 0));
                    reals.add(new RealChange(rc, weightOnly));
                }
                boolean settings = !Positions.sameIgnoringPositions(withReals(old, List.of()), withReals(neu, List.of()));
                out.add(new ServiceChange(c, settings, reals));
            } else {
                out.add(new ServiceChange(c, true, List.of()));
            }
        }
        return out;
    }

    private static RealServer withWeight(RealServer r, int weight) {
        return new RealServer(r.address(), r.port(), weight, r.method(), r.inhibitOnFailure(), r.notifyUp(),
                r.notifyDown(), r.uthreshold(), r.lthreshold(), r.smtpAlert(), r.checkers(), r.pos());
    }

    private static VirtualServer withReals(VirtualServer v, List<RealServer> reals) {
        return new VirtualServer(v.key(), v.delayLoop(), v.scheduler(), v.schedulerFlags(), v.method(), v.persistenceTimeout(),
                v.persistenceGranularity(), v.protocol(), v.sorryServer(), v.sorryServerInhibit(), v.quorum(),
                v.quorumUp(), v.quorumDown(), v.hysteresis(), v.alpha(), v.omega(), v.inhibitOnFailure(), v.haSuspend(),
                v.virtualhost(), v.retry(), v.delayBeforeRetry(), v.warmup(), v.smtpAlert(), reals, v.pos());
    }

    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        if (globalChanged) {
            lines.add("~ global settings");
        }
        vrrpInstances.forEach(c -> lines.add(line(c, i -> "vrrp_instance " + i.name())));
        for (ServiceChange s : virtualServers) {
            lines.add(line(s.change(), v -> "virtual_server " + serviceKey(v)) + (s.change() instanceof Modified<?>
                    && !s.settingsChanged() ? " (reals only)" : ""));
            s.realServers().forEach(r -> lines.add("  " + line(r.change(), x -> "real_server " + realKey(x))
                    + (r.weightOnly() ? " (weight)" : "")));
        }
        return String.join("\n", lines);
    }

    private static <T> String line(Change<T> c, java.util.function.Function<T, String> name) {
        return switch (c) {
            case Added<T>(T a) -> "+ " + name.apply(a);
            case Removed<T>(T b) -> "- " + name.apply(b);
            case Modified<T>(T b, T a) -> "~ " + name.apply(a);
        };
    }

    static boolean same(Object a, Object b) {
        return Objects.equals(a, b);
    }
}
