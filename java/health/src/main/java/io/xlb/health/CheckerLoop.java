package io.xlb.health;

import java.util.function.Consumer;

/**
 * One checker of one real, driven as keepalived drives it: each round attempts the check, retries
 * a failure {@code retry} times {@code delayBeforeRetry} apart, then reports down; any success
 * reports up. Pure of I/O: the check and the clock are given.
 */
public final class CheckerLoop {
    /** Up or down, with the reason of the last failure. */
    public record Status(boolean up, String reason) {}

    private final Check check;
    private final Timing timing;
    private final Clock clock;
    private final Consumer<Status> onChange;
    private volatile boolean up;
    private volatile boolean stopped;
    private volatile String lastFailure;

    public CheckerLoop(Check check, Timing timing, Clock clock, boolean startUp, Consumer<Status> onChange) {
        this.check = check;
        this.timing = timing;
        this.clock = clock;
        this.onChange = onChange;
        this.up = startUp;
    }

    public void start() {
        clock.after(timing.warmup(), () -> attempt(0));
    }

    public void stop() {
        stopped = true;
    }

    public boolean isUp() {
        return up;
    }

    public String lastFailure() {
        return lastFailure;
    }

    private void attempt(int failuresSoFar) {
        if (stopped) {
            return;
        }
        check.attempt().whenComplete((failure, error) -> {
            String reason = error != null ? String.valueOf(error.getMessage()) : failure;
            if (reason == null) {
                set(true, null);
                clock.after(timing.delayLoop(), () -> attempt(0));
            } else if (failuresSoFar < timing.retry()) {
                lastFailure = reason;
                clock.after(timing.delayBeforeRetry(), () -> attempt(failuresSoFar + 1));
            } else {
                lastFailure = reason;
                set(false, reason);
                clock.after(timing.delayLoop(), () -> attempt(0));
            }
        });
    }

    private void set(boolean nowUp, String reason) {
        if (nowUp != up) {
            up = nowUp;
            if (!stopped) {
                onChange.accept(new Status(nowUp, reason));
            }
        }
    }
}
