package io.xlb.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durations in nanoseconds, read back in milliseconds: count, median, a percentile, the largest. */
final class Latencies {
    private final List<Long> nanos = new ArrayList<>();

    void add(long ns) {
        nanos.add(ns);
    }

    int count() {
        return nanos.size();
    }

    /** The value at quantile {@code q} (0..1) of the sorted durations, nearest rank, in ms. */
    double ms(double q) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        int rank = (int) Math.ceil(q * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1))) / 1e6;
    }

    double p50() {
        return ms(0.5);
    }

    double p99() {
        return ms(0.99);
    }

    double max() {
        return ms(1.0);
    }

    List<Long> all() {
        return List.copyOf(nanos);
    }
}
