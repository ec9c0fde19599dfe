package io.xlb.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The health of a set of reals, each with its checkers: a real is up only when every checker
 * is; its weight is the one a dynamic checker last set (keepalived: the last writer wins).
 * Transitions and weight changes are reported with the real's key; nothing here knows of the
 * dataplane.
 */
public final class HealthMonitor<K> implements AutoCloseable {
    private final Supplier<Clock> clocks;
    private final RandomGenerator random;
    private final BiConsumer<K, CheckerLoop.Status> onChange;
    private final Map<K, List<CheckerLoop>> loops = new LinkedHashMap<>();
    private final Map<K, Boolean> state = new LinkedHashMap<>();
    private final Map<K, OptionalInt> weights = new LinkedHashMap<>();

    public HealthMonitor(Clock clock, BiConsumer<K, CheckerLoop.Status> onChange) {
        this(() -> clock, RandomGenerator.getDefault(), onChange);
    }

    /**
     * @param clocks a clock for each real watched, called once per real: the checkers of one real
     *               share it, so that their reports reach {@code onChange} in order, while different
     *               reals may run on different threads (the daemon spreads them over its event loops)
     * @param random spreads each checker's first round over its warmup; drawn from under this
     *               monitor's lock only
     */
    public HealthMonitor(Supplier<Clock> clocks, RandomGenerator random, BiConsumer<K, CheckerLoop.Status> onChange) {
        this.clocks = clocks;
        this.random = random;
        this.onChange = onChange;
    }

    /** Starts watching {@code key} with these checks (none: always up); {@code startUp} false is keepalived's alpha. */
    public synchronized void watch(K key, List<Check> checks, Timing timing, boolean startUp) {
        watch(key, checks, timing, startUp, () -> true);
    }

    /** As above, checking only while {@code active} holds (ha_suspend). */
    public synchronized void watch(K key, List<Check> checks, Timing timing, boolean startUp, BooleanSupplier active) {
        if (loops.containsKey(key)) {
            return;
        }
        List<CheckerLoop> ls = new ArrayList<>();
        state.put(key, startUp || checks.isEmpty());
        weights.put(key, OptionalInt.empty());
        Clock clock = clocks.get();
        for (Check c : checks) {
            ls.add(new CheckerLoop(c, timing, clock, random, startUp, active, s -> changed(key, s)));
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
        weights.remove(key);
    }

    public synchronized boolean isUp(K key) {
        return state.getOrDefault(key, true);
    }

    /** The weight a dynamic checker set for {@code key}; empty: the configured one. */
    public synchronized OptionalInt weight(K key) {
        return weights.getOrDefault(key, OptionalInt.empty());
    }

    public synchronized java.util.Set<K> watched() {
        return new java.util.LinkedHashSet<>(loops.keySet());
    }

    private void changed(K key, CheckerLoop.Status s) {
        boolean now;
        OptionalInt weight;
        synchronized (this) {
            List<CheckerLoop> ls = loops.get(key);
            if (ls == null) {
                return;
            }
            now = ls.stream().allMatch(CheckerLoop::isUp);
            OptionalInt weightBefore = weights.get(key);
            weight = s.weight().isPresent() ? s.weight() : weightBefore;
            weights.put(key, weight);
            Boolean before = state.put(key, now);
            if (before != null && before == now && weight.equals(weightBefore)) {
                return;
            }
        }
        onChange.accept(key, new CheckerLoop.Status(now, now ? null : s.reason(), weight));
    }

    @Override
    public synchronized void close() {
        loops.values().forEach(ls -> ls.forEach(CheckerLoop::stop));
        loops.clear();
    }
}
