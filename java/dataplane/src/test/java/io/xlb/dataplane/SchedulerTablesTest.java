package io.xlb.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.dataplane.sched.MaglevRing;
import io.xlb.dataplane.sched.WeightedSequence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tier 1: the tables the controller builds, pure. */
class SchedulerTablesTest {
    @Test
    void maglevReproducesThePapersExample() {
        // Eisenbud et al. 2016, Table 1: M = 7; B0 (offset 3, skip 4), B1 (0, 2), B2 (3, 1).
        int[] table = MaglevRing.populate(List.of(
                new MaglevRing.Permutation(0, 3, 4, 1),
                new MaglevRing.Permutation(1, 0, 2, 1),
                new MaglevRing.Permutation(2, 3, 1, 1)), 7);
        assertArrayEquals(new int[] {1, 0, 1, 0, 2, 2, 0}, table);
        // After B1 is removed (Table 1, last column; derived by hand from the permutations).
        int[] without = MaglevRing.populate(List.of(
                new MaglevRing.Permutation(0, 3, 4, 1),
                new MaglevRing.Permutation(2, 3, 1, 1)), 7);
        assertArrayEquals(new int[] {0, 0, 0, 0, 2, 2, 2}, without);
    }

    private static List<MaglevRing.Member> members(int n) {
        List<MaglevRing.Member> m = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            m.add(new MaglevRing.Member("10.0.0." + (i + 1) + "#80", i, 1));
        }
        return m;
    }

    @Test
    void theSameRealsInAnyOrderGiveTheSameRing() {
        List<MaglevRing.Member> m = members(5);
        List<MaglevRing.Member> reversed = new ArrayList<>(m);
        java.util.Collections.reverse(reversed);
        assertArrayEquals(MaglevRing.build(m, 4093), MaglevRing.build(reversed, 4093));
    }

    @Test
    void removingOneOfNMovesAtMostOneNthPlusOnePercent() {
        int size = 65537;
        for (int n : new int[] {3, 10, 31}) {
            List<MaglevRing.Member> all = members(n);
            int[] before = MaglevRing.build(all, size);
            int[] after = MaglevRing.build(all.subList(0, n - 1), size);
            int moved = 0;
            for (int i = 0; i < size; i++) {
                if (before[i] != n - 1 && before[i] != after[i]) {
                    moved++;
                }
            }
            int removedShare = 0;
            for (int v : before) {
                removedShare += v == n - 1 ? 1 : 0;
            }
            double changed = (moved + removedShare) / (double) size;
            assertTrue(changed <= 1.0 / n + 0.01, n + " reals: " + changed + " of the slots changed");
        }
    }

    @Test
    void ringSlotsFollowWeights() {
        List<MaglevRing.Member> m = List.of(new MaglevRing.Member("a", 0, 1), new MaglevRing.Member("b", 1, 2),
                new MaglevRing.Member("c", 2, 3), new MaglevRing.Member("quiesced", 3, 0));
        int[] table = MaglevRing.build(m, 65537);
        Map<Integer, Integer> count = new HashMap<>();
        for (int v : table) {
            count.merge(v, 1, Integer::sum);
        }
        assertEquals(null, count.get(3), "weight 0 takes no slot");
        for (int id = 0; id < 3; id++) {
            double share = count.get(id) / 65537.0;
            assertEquals((id + 1) / 6.0, share, 0.01, "share of weight " + (id + 1));
        }
    }

    @Test
    void ringSizeMustBePrime() {
        assertThrows(IllegalArgumentException.class, () -> MaglevRing.build(members(2), 65536));
    }

    @Test
    void wrrInterleavesAsIpvsDoes() {
        int[] seq = WeightedSequence.build(List.of(new WeightedSequence.Member(10, 1),
                new WeightedSequence.Member(20, 2), new WeightedSequence.Member(30, 3)), 65537);
        assertArrayEquals(new int[] {30, 20, 30, 10, 20, 30}, seq);
        int[] halves = WeightedSequence.build(List.of(new WeightedSequence.Member(1, 4),
                new WeightedSequence.Member(2, 2), new WeightedSequence.Member(3, 0)), 65537);
        assertArrayEquals(new int[] {1, 1, 2}, halves, "gcd 2; weight 0 skipped");
        assertArrayEquals(new int[] {1, 2}, WeightedSequence.roundRobin(List.of(new WeightedSequence.Member(1, 5),
                new WeightedSequence.Member(2, 1), new WeightedSequence.Member(3, 0))));
    }

    @Test
    void aPeriodLongerThanTheTableIsScaledDown() {
        int[] seq = WeightedSequence.build(List.of(new WeightedSequence.Member(1, 65535),
                new WeightedSequence.Member(2, 65534)), 1000);
        assertTrue(seq.length <= 1000, "length " + seq.length);
        long ones = java.util.Arrays.stream(seq).filter(v -> v == 1).count();
        assertEquals(seq.length / 2.0, ones, 1.0);
    }
}
