package io.xlb.cli;

import io.xlb.bpf.Bpf;
import io.xlb.daemon.Daemon;
import io.xlb.dataplane.Dataplane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xlb adm}: ipvsadm's command line over the pinned maps (works with or without a daemon).
 * This version lists: {@code -L|-l [-n] [--stats]}.
 */
@Command(name = "adm", description = "ipvsadm's command line over the pinned dataplane (listing: -Ln, -Ln --stats).")
public final class AdmCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-L", "-l", "--list"}, description = "list the services and their reals")
    boolean list;

    @Option(names = {"-n", "--numeric"}, description = "numeric output (xlb never resolves names)")
    boolean numeric;

    @Option(names = "--stats", description = "with -L: counters (connections, packets, bytes)")
    boolean stats;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "the pinned dataplane (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Override
    public Integer call() {
        if (!list) {
            spec.commandLine().getErr().println("xlb adm: only listing (-L / -Ln [--stats]) exists so far");
            return 2;
        }
        if (!Files.exists(pinDir.resolve(Dataplane.PROGRAM))) {
            spec.commandLine().getErr().println("xlb adm: no dataplane is pinned at " + pinDir + " (is the daemon running? see --pin-dir)");
            return 1;
        }
        try (Bpf bpf = Bpf.open(); Dataplane dp = Dataplane.adopt(bpf, pinDir)) {
            long size = dp.map("conns").info().maxEntries();
            var view = dp.view();
            spec.commandLine().getOut().print(stats ? IpvsListing.stats(view, size) : IpvsListing.list(view, size));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
