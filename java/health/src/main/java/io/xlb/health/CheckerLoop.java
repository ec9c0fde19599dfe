package io.xlb.health;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One checker of one real, driven as keepalived drives it: each round attempts the check, retries
 * a failure {@code retry} times {@code delayBeforeRetry} apart, then reports down; any success
 * reports up. While {@code active} says no (ha_suspend on a backup director), rounds are skipped
 * and the state stays as it was. The first round waits a random time up to {@code warmup}, as
 * keepalived's does, so that checkers started together (a daemon's start, a reload) do not all
 * reach their reals in the same instant. Pure of I/O: the check, the clock and the randomness are given.
 */
public final class CheckerLoop {
    /** Up or down, with the reason of the last failure and the weight a dynamic check set (if any). */
    public record Status(boolean up, String reason, OptionalInt weight) {
        public Status(boolean up, String reason) {
            this(up, reason, OptionalInt.empty());
        }
    }

    private final Check check;
    private final Timing timing;
    private final Clock clock;
    private final RandomGenerator random;
    private final BooleanSupplier active;
    private final Consumer<Status> onChange;
    private volatile boolean up;
    private volatile boolean stopped;
    private volatile String lastFailure;
    private volatile OptionalInt weight = OptionalInt.empty();

    public CheckerLoop(Check check, Timing timing, Clock clock, boolean startUp, Consumer<Status> onChange) {
        this(check, timing, clock, startUp, () -> true, onChange);
    }

    public CheckerLoop(Check check, Timing timing, Clock clock, boolean startUp, BooleanSupplier active,
                       Consumer<Status> onChange) {
        this(check, timing, clock, RandomGenerator.getDefault(), startUp, active, onChange);
    }

    public CheckerLoop(Check check, Timing timing, Clock clock, RandomGenerator random, boolean startUp,
                       BooleanSupplier active, Consumer<Status> onChange) {
        this.check = check;
        this.timing = timing;
        this.clock = clock;
        this.random = random;
        this.active = active;
        this.onChange = onChange;
        this.up = startUp;
    }

    public void start() {
        clock.after(Duration.ofNanos((long) (timing.warmup().toNanos() * random.nextDouble())), () -> attempt(0));
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

    /** The weight the last dynamic pass set; empty while none did. */
    public OptionalInt weight() {
        return weight;
    }

    private void attempt(int failuresSoFar) {
        if (stopped) {
            return;
        }
        if (!active.getAsBoolean()) {
            clock.after(timing.delayLoop(), () -> attempt(0));
            return;
        }
        check.attempt().whenComplete((verdict, error) -> {
            Verdict v = error != null ? new Verdict.Fail(String.valueOf(error.getMessage())) : verdict;
            switch (v) {
                case Verdict.Pass pass -> {
                    set(true, null, pass.weight().isPresent() ? pass.weight() : weight);
                    clock.after(timing.delayLoop(), () -> attempt(0));
                }
                case Verdict.Fail fail when failuresSoFar < timing.retry() -> {
                    lastFailure = fail.reason();
                    clock.after(timing.delayBeforeRetry(), () -> attempt(failuresSoFar + 1));
                }
                case Verdict.Fail fail -> {
                    lastFailure = fail.reason();
                    set(false, fail.reason(), weight);
                    clock.after(timing.delayLoop(), () -> attempt(0));
                }
            }
        });
    }

    private void set(boolean nowUp, String reason, OptionalInt nowWeight) {
        if (nowUp != up || !nowWeight.equals(weight)) {
            up = nowUp;
            weight = nowWeight;
            if (!stopped) {
                onChange.accept(new Status(nowUp, reason, nowWeight));
            }
        }
    }
}
