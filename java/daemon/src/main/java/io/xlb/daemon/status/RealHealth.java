package io.xlb.daemon.status;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A real's health now, as its service names it: up or down, its misc_dynamic weight if a checker
 * set one, how many checkers watch it, and its last check (none before the first).
 */
public record RealHealth(String protocol, String vipAddress, int vipPort, String address, int port, boolean up,
                         OptionalInt dynamicWeight, int checkers, Optional<LastCheck> last) {

    /** The last attempt of a real's checks: when, how long, by which checker, and what it found. */
    public record LastCheck(Instant at, Duration latency, String checker, boolean passed, String detail) {
        @Override
        public String toString() {
            return String.format("%.1f ms, %s", latency.toNanos() / 1e6, detail);
        }
    }

    /** Told of every check attempt (metrics count them). */
    public interface Attempts {
        Attempts NONE = last -> {};

        void attempted(LastCheck last);
    }
}
