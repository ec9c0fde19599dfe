package io.xlb.cli;

import io.xlb.config.ConfigParser;
import io.xlb.config.Diagnostic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xlb check-config -f FILE [--strict] [--dump]}: parses and validates a keepalived.conf;
 * messages as {@code file:line:col: error|warning: text} on stderr; exit 0 when valid, 1 if not.
 */
@Command(name = "check-config", description = "Check a keepalived.conf as xlb reads it; exit 0 when valid, 1 otherwise.")
public final class CheckConfigCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "the configuration file")
    Path file;

    @Option(names = "--strict", description = "treat warnings as errors")
    boolean strict;

    @Option(names = "--dump", description = "print the configuration as xlb understood it, as JSON")
    boolean dump;

    @Override
    public Integer call() {
        ConfigParser.Result r = ConfigParser.parse(file);
        PrintWriter err = spec.commandLine().getErr();
        for (Diagnostic d : r.shown(strict)) {
            err.println(d);
        }
        err.flush();
        boolean failed = r.hasErrors(strict);
        if (dump && !failed) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(ConfigJson.write(r.config()));
            out.flush();
        }
        return failed ? 1 : 0;
    }
}
