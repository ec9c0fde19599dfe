package io.xlb.cli;

import io.xlb.config.ConfigParser;
import io.xlb.config.Diagnostic;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code xlb realserver start|stop|status}: the tutorial's realserver script, for the hosts behind
 * the director. DR and TUN both want each VIP on {@code lo} (/32, /128) and IPv4's ARP kept off it
 * ({@code arp_ignore=1}, {@code arp_announce=2} on all and the director-facing interface); TUN
 * also attaches xlb's decapsulation program to that interface and turns reverse-path filtering
 * off there. {@code stop} puts back what {@code start} changed, sysctls to the values they had.
 */
@Command(name = "realserver", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
        description = "Make this host a real server of an xlb (or LVS) director: VIPs on lo, ARP sysctls, "
                + "and for TUN the decapsulation XDP program; stop puts back everything start changed.",
        subcommands = {RealServerCommand.Start.class, RealServerCommand.Stop.class, RealServerCommand.Status.class})
public final class RealServerCommand implements Runnable {
    /** Whether this process may change addresses, sysctls and XDP; tests stand in for it. */
    static volatile BooleanSupplier root = io.xlb.ffi.Privileges::isRoot;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where start keeps what it changed, and the decapsulation program's pins. */
    static final class Places {
        @Option(names = "--state", paramLabel = "FILE",
                description = "what start changed, for stop to undo (default: ${DEFAULT-VALUE})")
        Path stateFile = RealServerState.DEFAULT_FILE;

        @Option(names = "--pin-dir", paramLabel = "DIR",
                description = "the decapsulation program's pins, one directory per interface (default: ${DEFAULT-VALUE})")
        Path pinDir = RealServerSetup.DEFAULT_PIN_DIR;
    }

    /** Runs {@code body}; a failure is one line on stderr and exit 1, never a stack trace. */
    private static int guarded(CommandLine.Model.CommandSpec spec, Callable<Integer> body) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return body.call();
        } catch (RealServerException e) {
            err.println("xlb realserver " + spec.name() + ": " + e.getMessage());
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            Throwable cause = e.getCause();
            if (cause != null && cause.getMessage() != null && !m.contains(cause.getMessage())) {
                m += ": " + cause.getMessage();
            }
            err.println("xlb realserver " + spec.name() + ": " + m.lines().findFirst().orElse(m));
        } finally {
            spec.commandLine().getOut().flush();
            err.flush();
        }
        return 1;
    }

    private static void requireRoot() {
        if (!root.getAsBoolean()) {
            throw new RealServerException("must run as root (it changes addresses, sysctls and XDP programs)");
        }
    }

    private static RealServerSetup setup(CommandLine.Model.CommandSpec spec, Places places) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return new RealServerSetup(places.stateFile, places.pinDir, out::println,
                w -> err.println("xlb realserver " + spec.name() + ": warning: " + w));
    }

    @Command(name = "start", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
            description = {"Configure this host as a real server; run again, it changes only what differs.",
                    "The VIPs and methods come from -f FILE (every virtual_server with a real_server or sorry_server "
                            + "at one of this host's addresses, in that real's method) or from --vip and --mode."})
    static final class Start implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Places places;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "the directors' keepalived.conf")
        Path file;

        @Option(names = "--vip", paramLabel = "ADDR", description = "a VIP (repeat for more); instead of -f")
        List<String> vips = new ArrayList<>();

        @Option(names = "--mode", paramLabel = "dr|tun", description = "how the director forwards to --vip (default: dr)")
        String mode;

        @Option(names = "--interface", paramLabel = "IF",
                description = "the interface facing the director (default: with -f, the one holding the real's address; "
                        + "with --vip, the only one with an address)")
        String ifname;

        @Override
        public Integer call() {
            return guarded(spec, this::start);
        }

        private int start() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            if (file != null && (!vips.isEmpty() || mode != null)) {
                throw new RealServerException("-f and --vip/--mode are exclusive: the VIPs come from the file or from arguments");
            }
            if (file == null && vips.isEmpty()) {
                throw new RealServerException("give the directors' keepalived.conf (-f FILE) or the VIPs (--vip ADDR)");
            }
            List<InetAddress> addresses = vips.stream().map(RealServerPlan::vip).distinct().toList();
            RealServerPlan.Mode m = mode == null ? RealServerPlan.Mode.DR : RealServerPlan.Mode.parse(mode);
            requireRoot();
            var links = RealServerSetup.links();
            var local = RealServerSetup.localAddresses(links);
            RealServerPlan plan;
            String source;
            if (file != null) {
                if (!Files.isRegularFile(file)) {
                    throw new RealServerException("no file " + file);
                }
                ConfigParser.Result r = ConfigParser.parse(file);
                r.shown(false).forEach(err::println);
                if (r.hasErrors(false)) {
                    return 1;
                }
                plan = RealServerPlan.fromConfig(r.config(), ifname, links.keySet(), local);
                source = file.toAbsolutePath().normalize().toString();
            } else {
                plan = RealServerPlan.fromArguments(addresses, m, ifname, links.keySet(), local);
                source = "--vip " + String.join(" --vip ", addresses.stream().map(RealServerPlan::text).toList())
                        + " --mode " + m.name().toLowerCase(Locale.ROOT) + (ifname == null ? "" : " --interface " + ifname);
            }
            for (Diagnostic d : plan.notes()) {
                err.println(d.pos() == RealServerPlan.ARGUMENTS ? "xlb realserver start: warning: " + d.message() : d.toString());
            }
            int changes = setup(spec, places).start(plan, source);
            PrintWriter out = spec.commandLine().getOut();
            String what = describe(plan.vips()) + " via " + String.join(", ", plan.sortedInterfaces());
            out.println(changes == 0 ? "real server already configured: nothing changed (" + what + ")"
                    : "real server started: " + what + "; undo with: xlb realserver stop");
            return 0;
        }

        private static String describe(Map<InetAddress, Set<RealServerPlan.Mode>> vips) {
            List<String> parts = new ArrayList<>();
            vips.forEach((a, modes) -> parts.add(RealServerPlan.text(a) + " " + RealServerPlan.modes(modes)));
            return String.join(", ", parts);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
            description = "Undo what start did: its VIPs off lo, the sysctls back to their values before start, "
                    + "the decapsulation program detached and unpinned. Not started: nothing to do, exit 0.")
    static final class Stop implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Places places;

        @Override
        public Integer call() {
            return guarded(spec, () -> {
                requireRoot();
                boolean undone = setup(spec, places).stop();
                spec.commandLine().getOut().println(undone ? "real server stopped: everything start changed is back as it was"
                        : "not started (no " + places.stateFile + "): nothing to undo");
                return 0;
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
            description = {"What start configured, and whether it is still in place.",
                    "Exit 0: all in place; 1: something is missing or changed; 3: not started."})
    static final class Status implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Places places;

        @Override
        public Integer call() {
            return guarded(spec, () -> setup(spec, places).status(root.getAsBoolean()));
        }
    }
}
