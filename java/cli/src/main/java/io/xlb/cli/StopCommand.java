package io.xlb.cli;

import io.xlb.daemon.Daemon;
import io.xlb.daemon.PinLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code xlb stop [--flush]}: stops the daemon; with --flush also detaches and unpins the dataplane. */
@Command(name = "stop", description = "Stop the daemon (the dataplane keeps forwarding); --flush also detaches and unpins it.")
public final class StopCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "the daemon's pin directory (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Option(names = "--flush", description = "detach the director from every interface and remove its pins")
    boolean flush;

    @Override
    public Integer call() throws Exception {
        OptionalLong pid = PinLock.holder(pinDir);
        if (pid.isPresent()) {
            ProcessHandle.of(pid.getAsLong()).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS);
                } catch (Exception e) {
                    spec.commandLine().getErr().println("xlb stop: daemon " + pid.getAsLong() + " did not stop in 10 s");
                }
            });
            spec.commandLine().getOut().println("stopped daemon " + pid.getAsLong());
        }
        if (flush) {
            Daemon.flush(pinDir).forEach(spec.commandLine().getOut()::println);
        }
        return 0;
    }
}
