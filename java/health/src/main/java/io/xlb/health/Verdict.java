package io.xlb.health;

import java.util.OptionalInt;

/** What one attempt of a checker found: the real passed (possibly setting its weight), or why not. */
public sealed interface Verdict {
    Verdict PASS = new Pass(OptionalInt.empty());

    /** Passed; {@code weight} is set by MISC_CHECK with misc_dynamic (exit code − 2), else empty. */
    record Pass(OptionalInt weight) implements Verdict {}

    record Fail(String reason) implements Verdict {
        public Fail {
            if (reason == null) {
                throw new IllegalArgumentException("a failure needs a reason");
            }
        }
    }

    /** Checkers that only pass or fail report null for a pass, else the reason. */
    static Verdict of(String failure) {
        return failure == null ? PASS : new Fail(failure);
    }

    /** The reason of a failure; null for a pass. */
    default String failure() {
        return this instanceof Fail f ? f.reason() : null;
    }
}
