package io.xlb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Tier 1: keepalived's retry timing in virtual time. */
class CheckerLoopTest {
    /** A check whose answers the test sets; every attempt is recorded with its time. */
    private static final class Scripted implements Check {
        final VirtualClock clock;
        final List<Long> attempts = new ArrayList<>();
        volatile boolean passing = true;
        volatile Verdict pass = Verdict.PASS;

        Scripted(VirtualClock clock) {
            this.clock = clock;
        }

        @Override
        public CompletableFuture<Verdict> attempt() {
            attempts.add(clock.nowMillis());
            return CompletableFuture.completedFuture(passing ? pass : new Verdict.Fail("refused"));
        }
    }

    /** Randomness that always draws one half. */
    private static final RandomGenerator HALF = () -> Long.MIN_VALUE;

    // The tutorial's TCP_CHECK: delay_loop 6, retry 3, delay_before_retry 3.
    private static final Timing TUTORIAL = new Timing(Duration.ofSeconds(6), 3, Duration.ofSeconds(3), Duration.ZERO);

    @Test
    void aFailureIsRetriedThenReportedDownAndASuccessBringsItBack() {
        VirtualClock clock = new VirtualClock();
        Scripted check = new Scripted(clock);
        List<String> events = new ArrayList<>();
        CheckerLoop loop = new CheckerLoop(check, TUTORIAL, clock, true,
                s -> events.add(clock.nowMillis() / 1000 + "s " + (s.up() ? "up" : "down: " + s.reason())));
        loop.start();
        clock.advance(Duration.ofSeconds(11));
        assertEquals(List.of(0L, 6000L), check.attempts, "a round every delay_loop while it passes");

        check.passing = false; // the server stops just after the second round
        clock.advance(Duration.ofSeconds(30));
        // Round at 12 s fails; retries at 15, 18, 21; down at 21; next round at 27 fails, ...
        assertEquals(List.of(0L, 6000L, 12000L, 15000L, 18000L, 21000L, 27000L, 30000L, 33000L, 36000L),
                check.attempts.subList(0, 10));
        assertEquals(List.of("21s down: refused"), events);

        check.passing = true; // at 41 s, during the retries of the round of 27 s (30, 33, 36 failed)
        clock.advance(Duration.ofSeconds(20));
        assertEquals(List.of("21s down: refused", "42s up"), events, "the next round (42 s) passes: up at once");
    }

    @Test
    void aDynamicPassSetsTheWeightAndAPlainPassKeepsIt() {
        VirtualClock clock = new VirtualClock();
        Scripted check = new Scripted(clock);
        List<String> events = new ArrayList<>();
        HealthMonitor<String> monitor = new HealthMonitor<>(clock, (k, s) -> events.add(clock.nowMillis() / 1000 + "s "
                + (s.up() ? "up" : "down") + " " + s.weight()));
        monitor.watch("rs1", List.of(check), TUTORIAL, true);
        check.pass = new Verdict.Pass(java.util.OptionalInt.of(8)); // misc_dynamic: exit 10
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of("0s up OptionalInt[8]"), events, "a weight change is reported though the real stayed up");
        check.pass = Verdict.PASS; // exit 0: the weight is left as it was (keepalived)
        clock.advance(Duration.ofSeconds(6));
        assertEquals(1, events.size());
        assertEquals(java.util.OptionalInt.of(8), monitor.weight("rs1"));
        check.passing = false;
        clock.advance(Duration.ofSeconds(20));
        assertEquals("21s down OptionalInt[8]", events.get(1), "down keeps the last weight for when it returns");
    }

    @Test
    void whileSuspendedNoCheckRunsAndTheStateStays() {
        VirtualClock clock = new VirtualClock();
        Scripted check = new Scripted(clock);
        List<CheckerLoop.Status> events = new ArrayList<>();
        boolean[] master = {false};
        CheckerLoop loop = new CheckerLoop(check, TUTORIAL, clock, true, () -> master[0], events::add);
        loop.start();
        check.passing = false;
        clock.advance(Duration.ofSeconds(30));
        assertEquals(List.of(), check.attempts, "ha_suspend: a backup director does not check");
        assertEquals(List.of(), events);
        master[0] = true; // becomes VRRP master: the next round (36 s) checks
        clock.advance(Duration.ofSeconds(20));
        assertEquals(36000L, check.attempts.getFirst());
        assertEquals(1, events.size(), "then fails as usual after its retries");
        assertEquals(false, events.getFirst().up());
    }

    @Test
    void aSingleFailedAttemptThatPassesOnRetryChangesNothing() {
        VirtualClock clock = new VirtualClock();
        Scripted check = new Scripted(clock);
        List<CheckerLoop.Status> events = new ArrayList<>();
        CheckerLoop loop = new CheckerLoop(check, TUTORIAL, clock, true, events::add);
        loop.start();
        check.passing = false;
        clock.advance(Duration.ofSeconds(4)); // attempts at 0 and 3 fail
        check.passing = true;
        clock.advance(Duration.ofSeconds(10));
        assertEquals(List.of(), events, "flapping within the retries is not a transition");
    }

    @Test
    void alphaStartsDownAndTheFirstPassingRoundBringsItUp() {
        VirtualClock clock = new VirtualClock();
        Scripted check = new Scripted(clock);
        List<CheckerLoop.Status> events = new ArrayList<>();
        CheckerLoop loop = new CheckerLoop(check, new Timing(Duration.ofSeconds(6), 1, Duration.ofSeconds(1),
                Duration.ofSeconds(2)), clock, HALF, false, () -> true, events::add);
        loop.start();
        clock.advance(Duration.ofMillis(999));
        assertEquals(List.of(), check.attempts, "warmup delays the first attempt (by half of it, as the randomness drew)");
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of(new CheckerLoop.Status(true, null)), events);
    }

    @Test
    void checkersStartedTogetherSpreadTheirRoundsOverTheWarmup() {
        VirtualClock clock = new VirtualClock();
        Scripted check = new Scripted(clock);
        Timing timing = new Timing(Duration.ofSeconds(1), 1, Duration.ofSeconds(1), Duration.ofSeconds(1));
        HealthMonitor<Integer> monitor = new HealthMonitor<>(() -> clock, new java.util.SplittableRandom(7), (k, s) -> { });
        for (int real = 0; real < 10_000; real++) {
            monitor.watch(real, List.of(check), timing, true);
        }
        clock.advance(Duration.ofMillis(2_999));
        assertEquals(30_000, check.attempts.size(), "each real once a second, from its own start");
        int[] perTenth = new int[10];
        check.attempts.stream().filter(t -> t >= 1000 && t < 2000).forEach(t -> perTenth[(int) ((t - 1000) / 100)]++);
        for (int n : perTenth) {
            assertTrue(n > 800 && n < 1200, "every tenth of a second carries about a tenth of the rounds: "
                    + java.util.Arrays.toString(perTenth));
        }
    }

    @Test
    void aRealIsUpOnlyWhenAllItsCheckersAre() {
        VirtualClock clock = new VirtualClock();
        Scripted a = new Scripted(clock);
        Scripted b = new Scripted(clock);
        List<String> events = new ArrayList<>();
        HealthMonitor<String> monitor = new HealthMonitor<>(clock, (k, s) -> events.add(k + (s.up() ? " up" : " down")));
        monitor.watch("rs1", List.of(a, b), new Timing(Duration.ofSeconds(5), 0, Duration.ofSeconds(1), Duration.ZERO), true);
        clock.advance(Duration.ofSeconds(1));
        b.passing = false;
        clock.advance(Duration.ofSeconds(5));
        assertEquals(List.of("rs1 down"), events);
        a.passing = false;
        clock.advance(Duration.ofSeconds(5));
        assertEquals(List.of("rs1 down"), events, "already down");
        a.passing = true;
        clock.advance(Duration.ofSeconds(5));
        assertEquals(List.of("rs1 down"), events, "b still fails");
        b.passing = true;
        clock.advance(Duration.ofSeconds(5));
        assertEquals(List.of("rs1 down", "rs1 up"), events);
        assertEquals(true, monitor.isUp("rs1"));
    }

    @Test
    void detectionTimeIsTheTutorialsBound() {
        assertEquals(Duration.ofSeconds(6 + 4 * 10 + 3 * 3), TUTORIAL.detection(Duration.ofSeconds(10)));
    }
}
