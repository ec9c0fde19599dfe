package io.xlb.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The median of several runs and their spread (smallest to largest), as RESULTS.md reports them. */
record Spread(double median, double min, double max, int n) {
    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.getFirst(), sorted.getLast(), n);
    }

    /** e.g. {@code 0.93 (0.90–0.95)} with {@code digits} decimals. */
    String format(int digits) {
        String f = "%." + digits + "f";
        return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median, min, max);
    }
}
