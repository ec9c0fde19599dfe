package io.xlb.lab.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Polls a condition on other processes (daemons, peers) until it holds or a limit passes. */
public final class Eventually {
    private static final Duration POLL = Duration.ofMillis(50);

    private Eventually() {}

    public static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(POLL); // waiting on other processes: there is no clock of ours to inject
        }
    }
}
