package io.xlb.cli;

import io.xlb.daemon.Daemon;
import io.xlb.daemon.LogFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code xlb daemon -f FILE}: runs the configuration on the XDP dataplane until SIGTERM. */
@Command(name = "daemon", description = "Run a keepalived.conf on the XDP dataplane (SIGHUP reloads; SIGTERM stops, traffic keeps flowing).")
public final class DaemonCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "keepalived.conf")
    Path file;

    @Option(names = "--interface", paramLabel = "IF", description = "attach here too (besides the vrrp_instance interfaces)")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "where programs and maps are pinned (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Option(names = "--log-format", paramLabel = "plain|json", description = "log lines as plain text (default) or JSON")
    String logFormat = "plain";

    @Override
    public Integer call() throws Exception {
        if (!logFormat.equals("plain") && !logFormat.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--log-format is plain or json, not " + logFormat);
        }
        LogFormat.install(logFormat.equals("json"));
        Daemon daemon;
        try {
            daemon = Daemon.start(new Daemon.Options(file, interfaces, pinDir, Duration.ofSeconds(1)));
        } catch (IllegalArgumentException | IllegalStateException | io.xlb.bpf.BpfException | java.io.IOException
                 | java.io.UncheckedIOException e) {
            // The configuration's errors were logged at their positions; this is the one-line outcome.
            spec.commandLine().getErr().println("xlb daemon: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        io.xlb.sys.Signals.unignoreHangup(); // started under nohup, SIGHUP would stay ignored
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> daemon.requestReload());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(daemon::close));
        daemon.awaitStop();
        return 0;
    }
}
