package io.xlb.dataplane.sched;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Maglev's consistent-hash lookup table (Eisenbud et al., NSDI 2016, section 3.4): each member
 * has a permutation of the slots, (offset + j * skip) mod M, and members take turns claiming
 * their next free preferred slot. Weights set how often a member gets a turn: one of weight w
 * takes w turns for every maxWeight turns of the heaviest. Pure: the same members give the same
 * table, and removing one of N moves little more than 1/N of the slots.
 */
public final class MaglevRing {
    private MaglevRing() {}

    /** IPVS's mh default is 4093; Maglev's paper uses 65537. Both prime. */
    public static final int DEFAULT_SIZE = 65537;
    private static final long OFFSET_SEED = 0x6f66667365744c42L;
    private static final long SKIP_SEED = 0x736b69704c42L;

    /** A real on the ring: a stable key (its address and port), the id stored in the table, a weight. */
    public record Member(String key, int id, int weight) {
        public Member {
            if (weight < 0) {
                throw new IllegalArgumentException("negative weight for " + key);
            }
        }
    }

    /** A member with its permutation given, as in the paper's example. */
    public record Permutation(int id, long offset, long skip, int weight) {}

    /**
     * The table of {@code size} slots (a prime) holding member ids. Members of weight 0 take no
     * slot; with none left the table is empty.
     */
    public static int[] build(List<Member> members, int size) {
        requirePrime(size);
        List<Member> sorted = new ArrayList<>(members.stream().filter(m -> m.weight() > 0).toList());
        // Order by key, not by configuration order: every director builds the same table.
        sorted.sort(Comparator.comparing(Member::key));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).key().equals(sorted.get(i - 1).key())) {
                throw new IllegalArgumentException("two ring members share the key " + sorted.get(i).key());
            }
        }
        List<Permutation> perms = sorted.stream().map(m -> new Permutation(m.id(),
                Long.remainderUnsigned(StableHash.hash64(m.key(), OFFSET_SEED), size),
                Long.remainderUnsigned(StableHash.hash64(m.key(), SKIP_SEED), size - 1) + 1,
                m.weight())).toList();
        return populate(perms, size);
    }

    /**
     * The paper's population loop over given permutations (weights by turns). Each member's next
     * preferred slot is kept as a position that advances by its skip (mod size), which is
     * (offset + next * skip) mod size without the multiplication and the division.
     */
    public static int[] populate(List<Permutation> perms, int size) {
        if (perms.isEmpty()) {
            return new int[0];
        }
        int n = perms.size();
        int[] position = new int[n];
        int[] skip = new int[n];
        int[] id = new int[n];
        long[] weight = new long[n];
        long[] target = new long[n];
        long maxWeight = 0;
        for (int i = 0; i < n; i++) {
            Permutation p = perms.get(i);
            position[i] = (int) (p.offset() % size);
            skip[i] = (int) (p.skip() % size);
            id[i] = p.id();
            weight[i] = p.weight();
            maxWeight = Math.max(maxWeight, p.weight());
        }
        java.util.Arrays.fill(target, maxWeight);
        int[] table = new int[size];
        boolean[] taken = new boolean[size];
        int filled = 0;
        for (long turn = 1; filled < size; turn++) {
            for (int i = 0; i < n && filled < size; i++) {
                if (turn * weight[i] < target[i]) {
                    continue; // a lighter member waits for its turn
                }
                target[i] += maxWeight;
                int slot = position[i];
                while (taken[slot]) {
                    slot += skip[i];
                    if (slot >= size) {
                        slot -= size;
                    }
                }
                taken[slot] = true;
                table[slot] = id[i];
                filled++;
                slot += skip[i];
                position[i] = slot >= size ? slot - size : slot;
            }
        }
        return table;
    }

    static void requirePrime(int size) {
        if (size < 2 || !BigInteger.valueOf(size).isProbablePrime(30)) {
            throw new IllegalArgumentException("a Maglev table size must be prime: " + size);
        }
    }
}
