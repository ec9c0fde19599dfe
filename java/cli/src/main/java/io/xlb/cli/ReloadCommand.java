package io.xlb.cli;

import io.xlb.daemon.Daemon;
import io.xlb.daemon.PinLock;
import io.xlb.sys.Signals;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code xlb reload}: asks the running daemon to re-read its file (SIGHUP). */
@Command(name = "reload", description = "Make the running daemon re-read its configuration (as SIGHUP does).")
public final class ReloadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "the daemon's pin directory (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Override
    public Integer call() {
        OptionalLong pid = PinLock.holder(pinDir);
        if (pid.isEmpty()) {
            spec.commandLine().getErr().println("xlb reload: no daemon runs on " + pinDir);
            return 1;
        }
        Signals.hangup(pid.getAsLong());
        spec.commandLine().getOut().println("asked daemon " + pid.getAsLong() + " to reload");
        return 0;
    }
}
