package io.xlb.cli;

import io.xlb.daemon.Daemon;
import io.xlb.daemon.PinLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code xlb stop [--flush]}: stops the daemon over its API; with --flush also detaches and unpins the dataplane. */
@Command(name = "stop", description = "Stop the daemon (the dataplane keeps forwarding); --flush also detaches and unpins it.")
public final class StopCommand implements Callable<Integer> {
    private static final int WAIT_SECONDS = 10;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "the daemon's pin directory (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Option(names = "--flush", description = "detach the director from every interface and remove its pins")
    boolean flush;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        OptionalLong pid = PinLock.holder(pinDir);
        if (pid.isPresent()) {
            Optional<ProcessHandle> process = ProcessHandle.of(pid.getAsLong());
            String how;
            try {
                DaemonClient.Response r = DaemonClient.of(pinDir).post("/api/v1/stop");
                how = "asked over its API (" + r.status() + ")";
            } catch (IOException e) {
                // A daemon whose API does not answer (hung, or started without a socket): the signal it also obeys.
                process.ifPresent(ProcessHandle::destroy);
                how = "its API did not answer (" + e.getMessage() + "), sent SIGTERM";
            }
            boolean gone = true;
            if (process.isPresent()) {
                try {
                    process.get().onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    gone = false;
                }
            }
            if (!gone) {
                err.println("xlb stop: daemon " + pid.getAsLong() + " did not stop within " + WAIT_SECONDS + " s; " + how);
                err.flush();
                return 1;
            }
            out.println("stopped daemon " + pid.getAsLong() + " (" + how + ")");
        }
        if (flush) {
            Daemon.flush(pinDir).forEach(out::println);
        }
        out.flush();
        return 0;
    }
}
