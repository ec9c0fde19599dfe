package io.xlb.dataplane.sched;

import java.util.ArrayList;
import java.util.List;

/**
 * One period of IPVS's wrr order (net/netfilter/ipvs/ip_vs_wrr.c): the current weight starts at
 * the largest weight and falls by the weights' gcd each pass over the reals; a pass picks, in
 * order, every real whose weight reaches it. Weights 1:2:3 (A, B, C) give C B C A B C:
 * interleaved, not clumped. rr is the same with every positive weight taken as 1.
 */
public final class WeightedSequence {
    private WeightedSequence() {}

    /** A real with the id the table stores and its weight (0: skipped, as IPVS skips it). */
    public record Member(int id, int weight) {}

    /**
     * The sequence, at most {@code maxLength} long: if one period is longer, the weights are
     * divided by the smallest factor that makes it fit (every positive weight stays at least 1).
     */
    public static int[] build(List<Member> members, int maxLength) {
        List<Member> live = members.stream().filter(m -> m.weight() > 0).toList();
        if (live.isEmpty()) {
            return new int[0];
        }
        if (live.size() > maxLength) {
            throw new IllegalArgumentException(live.size() + " reals do not fit a table of " + maxLength);
        }
        long total = periodLength(live);
        if (total > maxLength) {
            long factor = (total + maxLength - 1) / maxLength;
            while (periodLength(scaled(live, factor)) > maxLength) {
                factor++;
            }
            live = scaled(live, factor);
        }
        int gcd = live.stream().mapToInt(Member::weight).reduce(0, WeightedSequence::gcd);
        int max = live.stream().mapToInt(Member::weight).max().orElseThrow();
        List<Integer> out = new ArrayList<>();
        for (int current = max; current > 0; current -= gcd) {
            for (Member m : live) {
                if (m.weight() >= current) {
                    out.add(m.id());
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** rr: each live real once, in order. */
    public static int[] roundRobin(List<Member> members) {
        return members.stream().filter(m -> m.weight() > 0).mapToInt(Member::id).toArray();
    }

    private static long periodLength(List<Member> live) {
        int gcd = live.stream().mapToInt(Member::weight).reduce(0, WeightedSequence::gcd);
        return live.stream().mapToLong(m -> m.weight() / gcd).sum();
    }

    private static List<Member> scaled(List<Member> live, long factor) {
        return live.stream().map(m -> new Member(m.id(), (int) Math.max(1, m.weight() / factor))).toList();
    }

    static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
