package io.xlb.health;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.function.Supplier;

/**
 * Clocks on Vert.x's event loops, each on a context of its own, taken from the loops in turn. A
 * checker's timers, connections and callbacks then stay on its clock's loop. Started from one
 * thread outside Vert.x, every timer would otherwise land on the one context Vert.x keeps for that
 * thread, and thousands of checks a second do not fit in one loop.
 */
public final class EventLoopClocks implements Supplier<Clock> {
    private final VertxInternal vertx;

    public EventLoopClocks(Vertx vertx) {
        this.vertx = (VertxInternal) vertx;
    }

    @Override
    public Clock get() {
        ContextInternal context = vertx.createEventLoopContext();
        return (delay, task) -> context.setTimer(Math.max(1, delay.toMillis()), id -> task.run());
    }
}
