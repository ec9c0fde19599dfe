package io.xlb.cli;

import io.xlb.daemon.Daemon;
import io.xlb.daemon.PinLock;
import io.xlb.daemon.ReloadVerdict;
import io.xlb.sys.Signals;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xlb reload}: asks the running daemon to re-read its file (SIGHUP) and prints its verdict:
 * the diff when it took the file (exit 0), the errors when it refused it and kept the running
 * configuration (exit 1).
 */
@Command(name = "reload", description = "Make the running daemon re-read its configuration and print its verdict (exit 1 if it refused the file).")
public final class ReloadCommand implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(50);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "the daemon's pin directory (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for the verdict (default: ${DEFAULT-VALUE})")
    int timeoutSeconds = 30;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OptionalLong pid = PinLock.holder(pinDir);
        if (pid.isEmpty()) {
            err.println("xlb reload: no daemon runs on " + pinDir);
            err.flush();
            return 1;
        }
        Path file = PinLock.reloadFile(pinDir);
        long before = ReloadVerdict.read(file).map(ReloadVerdict::generation).orElse(-1L);
        Signals.hangup(pid.getAsLong());
        Instant deadline = Instant.now().plusSeconds(timeoutSeconds);
        while (Instant.now().isBefore(deadline)) {
            var verdict = ReloadVerdict.read(file).filter(v -> v.generation() > before);
            if (verdict.isPresent()) {
                ReloadVerdict v = verdict.get();
                PrintWriter to = v.accepted() ? out : err;
                to.println(v.accepted() ? "xlb reload: daemon " + pid.getAsLong() + " reloaded:"
                        : "xlb reload: daemon " + pid.getAsLong() + " refused the file and keeps running the previous configuration:");
                v.lines().forEach(l -> to.println("  " + l));
                to.flush();
                return v.accepted() ? 0 : 1;
            }
            Thread.sleep(POLL);
        }
        err.println("xlb reload: asked daemon " + pid.getAsLong() + " to reload, but it gave no verdict within "
                + timeoutSeconds + " s (see its log)");
        err.flush();
        return 1;
    }
}
