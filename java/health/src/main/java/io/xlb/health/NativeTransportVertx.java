package io.xlb.health;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * A Vert.x instance on Linux's epoll where Netty's native library loads (it is on the class path),
 * else on Java's NIO: a TCP check through epoll costs the event loop about half the CPU (see
 * benchmarks/RESULTS.md, health checks). Whether it took: {@link Vertx#isNativeTransportEnabled()}.
 */
public final class NativeTransportVertx {
    private NativeTransportVertx() {}

    public static Vertx create() {
        return Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    }
}
