package io.xlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.xlb.daemon.Daemon;
import io.xlb.daemon.PinLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xlb reload}: asks the running daemon, over its API, to re-read its files and prints its
 * verdict: the diff when it took them (exit 0), the errors when it refused them and kept the
 * running configuration (exit 1).
 */
@Command(name = "reload", description = "Make the running daemon re-read its configuration and print its verdict (exit 1 if it refused the file).")
public final class ReloadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "the daemon's pin directory (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Option(names = "--dry-run", description = "check the files as the daemon would take them, change nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OptionalLong pid = PinLock.holder(pinDir);
        if (pid.isEmpty()) {
            err.println("xlb reload: no daemon runs on " + pinDir);
            err.flush();
            return 1;
        }
        DaemonClient.Response r;
        try {
            r = DaemonClient.of(pinDir).post("/api/v1/config/reload" + (dryRun ? "?dryRun=true" : ""));
        } catch (IOException e) {
            err.println("xlb reload: daemon " + pid.getAsLong() + " does not answer on " + Daemon.apiSocket(pinDir) + ": " + e.getMessage());
            err.flush();
            return 1;
        }
        JsonNode v = r.json();
        boolean accepted = r.status() == 200 && v != null && v.path("accepted").asBoolean();
        PrintWriter to = accepted ? out : err;
        if (v == null) {
            err.println("xlb reload: daemon " + pid.getAsLong() + " answered " + r.status() + ": " + r.body());
        } else if (accepted) {
            to.println("xlb reload: daemon " + pid.getAsLong() + (dryRun ? " would take the files:" : " reloaded:"));
            if (v.path("diff").isEmpty()) {
                to.println("  no change");
            }
            v.path("diff").forEach(l -> to.println("  " + l.asText()));
            v.path("warnings").forEach(l -> to.println("  " + l.asText()));
        } else {
            to.println("xlb reload: daemon " + pid.getAsLong() + " refused the file and keeps running the previous configuration:");
            v.path("errors").forEach(e -> to.println("  " + e.path("message").asText()));
        }
        to.flush();
        return accepted ? 0 : 1;
    }
}
