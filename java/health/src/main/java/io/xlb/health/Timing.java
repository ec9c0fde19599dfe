package io.xlb.health;

import java.time.Duration;

/**
 * keepalived's checker timing: a round every {@code delayLoop}; a failed attempt is retried
 * {@code retry} times, {@code delayBeforeRetry} apart, before the checker is down; the first
 * round waits a random time between zero and {@code warmup} (keepalived's default warmup is the
 * delay_loop).
 */
public record Timing(Duration delayLoop, int retry, Duration delayBeforeRetry, Duration warmup) {
    public Timing {
        if (delayLoop.isNegative() || delayLoop.isZero()) {
            throw new IllegalArgumentException("delay_loop must be positive");
        }
        if (retry < 0) {
            throw new IllegalArgumentException("retry must not be negative");
        }
    }

    /** The longest time from a real failing to its checker being down. */
    public Duration detection(Duration connectTimeout) {
        return delayLoop.plus(connectTimeout.multipliedBy(retry + 1L)).plus(delayBeforeRetry.multipliedBy(retry));
    }
}
