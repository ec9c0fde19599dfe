package io.xlb.bench;

import io.xlb.daemon.Daemon;
import io.xlb.lab.Lab;
import java.nio.file.Path;

/** Ends a benchmark's lab and its pinned dataplane; each step reports its own failure and the next still runs. */
final class LabTeardown {
    private LabTeardown() {}

    static void close(Lab lab, Path pinDir) {
        try {
            lab.close();
        } catch (RuntimeException e) {
            System.err.println("lab teardown: " + e);
        }
        try {
            Daemon.flush(pinDir);
        } catch (Exception e) {
            System.err.println("flushing " + pinDir + ": " + e);
        }
    }
}
