package io.xlb.health;

import java.time.Duration;
import java.util.PriorityQueue;

/** Time that moves only when told: deferred tasks run in order as it advances. */
final class VirtualClock implements Clock {
    private record Task(long at, long seq, Runnable run) {}

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    @Override
    public void after(Duration delay, Runnable task) {
        queue.add(new Task(now + delay.toMillis(), seq++, task));
    }

    long nowMillis() {
        return now;
    }

    /** Runs everything due up to {@code now + d}. */
    void advance(Duration d) {
        long until = now + d.toMillis();
        while (!queue.isEmpty() && queue.peek().at <= until) {
            Task t = queue.poll();
            now = t.at;
            t.run.run();
        }
        now = until;
    }
}
