package io.xlb.health;

import java.util.concurrent.CompletionStage;

/** One attempt of a checker. */
@FunctionalInterface
public interface Check {
    CompletionStage<Verdict> attempt();
}
