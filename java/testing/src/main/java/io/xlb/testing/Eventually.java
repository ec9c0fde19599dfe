package io.xlb.testing;

import java.time.Duration;
import java.time.Instant;

/** Polls a condition on other processes (daemons, peers) until it holds or a limit passes. */
public final class Eventually {
    private static final Duration POLL = Duration.ofMillis(50);

    /** A condition that may fail to be evaluated yet (a file not written): that counts as not met. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Eventually() {}

    public static void await(Duration limit, Condition condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        Exception last = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            if (Instant.now().isAfter(deadline)) {
                AssertionError failure = new AssertionError("condition not met within " + limit);
                if (last != null) {
                    failure.addSuppressed(last);
                }
                throw failure;
            }
            Thread.sleep(POLL); // waiting on other processes: there is no clock of ours to inject
        }
    }
}
