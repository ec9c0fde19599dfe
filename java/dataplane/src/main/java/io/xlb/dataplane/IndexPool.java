package io.xlb.dataplane;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Slots of a BPF array handed out to services or reals. A released slot is reused last: an old
 * connection still naming it is more likely to have expired by then.
 */
final class IndexPool {
    private final int capacity;
    private final Deque<Integer> released = new ArrayDeque<>();
    private int neverUsed;

    IndexPool(int capacity) {
        this.capacity = capacity;
    }

    /** {@code what}: the slot's owner, named only when there is no free slot (a million reals' names are not built). */
    int allocate(java.util.function.Supplier<String> what) {
        if (neverUsed < capacity) {
            return neverUsed++;
        }
        Integer reused = released.pollFirst();
        if (reused == null) {
            throw new IllegalStateException("no free slot for " + what.get() + ": all " + capacity + " are in use");
        }
        return reused;
    }

    /** After re-adoption: these slots are in use; the gaps below the highest are free. */
    void reserve(java.util.Set<Integer> used) {
        int highest = used.stream().mapToInt(Integer::intValue).max().orElse(-1);
        released.clear();
        for (int i = 0; i <= highest; i++) {
            if (!used.contains(i)) {
                released.addLast(i);
            }
        }
        neverUsed = highest + 1;
    }

    void release(int index) {
        released.addLast(index);
    }

    int free() {
        return capacity - neverUsed + released.size();
    }
}
