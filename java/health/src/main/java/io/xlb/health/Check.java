package io.xlb.health;

import java.util.concurrent.CompletionStage;

/** One attempt of a checker: completes with null when the real passed, or the reason it did not. */
@FunctionalInterface
public interface Check {
    CompletionStage<String> attempt();
}
