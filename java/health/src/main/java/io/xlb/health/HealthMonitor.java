package io.xlb.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The health of a set of reals, each with its checkers: a real is up only when every checker
 * is. Transitions are reported with the real's key; nothing here knows of the dataplane.
 */
public final class HealthMonitor<K> implements AutoCloseable {
    private final Clock clock;
    private final BiConsumer<K, CheckerLoop.Status> onChange;
    private final Map<K, List<CheckerLoop>> loops = new LinkedHashMap<>();
    private final Map<K, Boolean> state = new LinkedHashMap<>();

    public HealthMonitor(Clock clock, BiConsumer<K, CheckerLoop.Status> onChange) {
        this.clock = clock;
        this.onChange = onChange;
    }

    /** Starts watching {@code key} with these checks (none: always up); {@code startUp} false is keepalived's alpha. */
    public synchronized void watch(K key, List<Check> checks, Timing timing, boolean startUp) {
        if (loops.containsKey(key)) {
            return;
        }
        List<CheckerLoop> ls = new ArrayList<>();
        state.put(key, startUp || checks.isEmpty());
        for (Check c : checks) {
            ls.add(new CheckerLoop(c, timing, clock, startUp, s -> changed(key, s)));
        }
        loops.put(key, ls);
        ls.forEach(CheckerLoop::start);
    }

    public synchronized void unwatch(K key) {
        List<CheckerLoop> ls = loops.remove(key);
        if (ls != null) {
            ls.forEach(CheckerLoop::stop);
        }
        state.remove(key);
    }

    public synchronized boolean isUp(K key) {
        return state.getOrDefault(key, true);
    }

    public synchronized java.util.Set<K> watched() {
        return new java.util.LinkedHashSet<>(loops.keySet());
    }

    private void changed(K key, CheckerLoop.Status s) {
        boolean now;
        synchronized (this) {
            List<CheckerLoop> ls = loops.get(key);
            if (ls == null) {
                return;
            }
            now = ls.stream().allMatch(CheckerLoop::isUp);
            Boolean before = state.put(key, now);
            if (before != null && before == now) {
                return;
            }
        }
        onChange.accept(key, new CheckerLoop.Status(now, now ? null : s.reason()));
    }

    @Override
    public synchronized void close() {
        loops.values().forEach(ls -> ls.forEach(CheckerLoop::stop));
        loops.clear();
    }
}
