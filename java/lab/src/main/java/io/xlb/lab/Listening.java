package io.xlb.lab;

import java.time.Duration;
import java.time.Instant;

/** Waits for a server started in a namespace to listen on its TCP port. */
final class Listening {
    private Listening() {}

    static void await(Netns ns, String what, BackgroundProcess server, int port, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!server.isAlive()) {
                throw new IllegalStateException(what + " exited: " + server.log());
            }
            if (!ns.exec("ss", "-Htln", "sport = :" + port).isBlank()) {
                return;
            }
            try {
                Thread.sleep(50); // waiting on an external process to bind; no clock to inject here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException(what + " not listening on port " + port + " after " + timeout);
    }
}
