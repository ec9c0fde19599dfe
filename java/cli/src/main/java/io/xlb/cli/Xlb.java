package io.xlb.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code xlb} command. Subcommands arrive with the issues that make them real. */
@Command(name = "xlb",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.class,
        description = "L4 load-balancing director: an XDP dataplane run from a keepalived.conf.",
        subcommands = {DaemonCommand.class, AdmCommand.class, CheckConfigCommand.class, ReloadCommand.class,
                StopCommand.class, StatusCommand.class, RealServerCommand.class, LabCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class Xlb implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Xlb());
        CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((e, args) -> e.getCommandLine().getCommand() instanceof AdmCommand
                ? AdmCommand.usageError(e) : usage.handleParseException(e, args));
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
