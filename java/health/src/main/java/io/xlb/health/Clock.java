package io.xlb.health;

import java.time.Duration;

/** Deferred work: Vert.x timers in the daemon, a virtual clock in tests. */
public interface Clock {
    void after(Duration delay, Runnable task);
}
