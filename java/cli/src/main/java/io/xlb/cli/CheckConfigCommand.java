package io.xlb.cli;

import io.xlb.config.Diagnostic;
import io.xlb.daemon.ConfigCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xlb check-config -f FILE [--strict] [--dump] [--offline] [--interface IF]}: runs exactly
 * the check the daemon runs before it applies a file (at start and at reload); messages as
 * {@code file:line:col: error|warning: text} on stderr; exit 0 when the daemon would take it, 1 if not.
 */
@Command(name = "check-config", description = "Check a keepalived.conf as the daemon would before applying it; exit 0 when it would be accepted, 1 otherwise.")
public final class CheckConfigCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "the configuration file")
    Path file;

    @Option(names = "--strict", description = "treat warnings as errors")
    boolean strict;

    @Option(names = "--dump", description = "print the configuration as xlb understood it, as JSON")
    boolean dump;

    @Option(names = "--offline", description = "check the file alone, not against this host's interfaces (for a file meant for another machine)")
    boolean offline;

    @Option(names = "--interface", paramLabel = "IF", description = "an interface the daemon would be given with --interface")
    List<String> interfaces = new ArrayList<>();

    @CommandLine.Mixin
    MapSizeOptions mapSizes = new MapSizeOptions();

    @Override
    public Integer call() {
        io.xlb.dataplane.MapSizes sizes;
        try {
            sizes = mapSizes.sizes();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-" + e.getMessage());
        }
        ConfigCheck.Outcome r = ConfigCheck.check(file, io.xlb.config.ConfigFiles.DISK, interfaces,
                offline ? ConfigCheck.Host.OFFLINE : ConfigCheck.Host.local(), sizes);
        PrintWriter err = spec.commandLine().getErr();
        for (Diagnostic d : r.shown(strict)) {
            err.println(d);
        }
        err.flush();
        boolean failed = !r.accepted(strict);
        if (dump && !failed) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(ConfigJson.write(r.config()));
            out.flush();
        }
        return failed ? 1 : 0;
    }
}
