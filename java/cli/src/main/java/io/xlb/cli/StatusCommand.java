package io.xlb.cli;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.daemon.Daemon;
import io.xlb.daemon.PinLock;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.abi.Reason;
import java.io.PrintWriter;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code xlb status}: the daemon, the pinned program, where it is attached, services, packet outcomes. */
@Command(name = "status", description = "Show the daemon, the pinned dataplane, its interfaces and packet counters.")
public final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pin-dir", paramLabel = "DIR", description = "the pinned dataplane (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println("daemon:     " + PinLock.daemon(pinDir).map(h -> "running, pid " + h.pid() + ", " + h.configFile())
                .orElse("not running"));
        if (!Files.exists(pinDir.resolve(Dataplane.PROGRAM))) {
            out.println("dataplane:  nothing pinned at " + pinDir);
            out.flush();
            return 3;
        }
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.adopt(bpf, pinDir)) {
            BpfProgram p = dp.program();
            out.println("dataplane:  " + pinDir + ", program " + p.name() + " id " + p.id() + " tag " + p.info().tag());
            List<String> attached = new ArrayList<>();
            for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
                bpf.xdp().query(nif.getIndex()).filter(a -> a.programId() == p.id())
                        .ifPresent(a -> attached.add(nif.getName() + " (" + a.mode().name().toLowerCase(java.util.Locale.ROOT) + ")"));
            }
            out.println("attached:   " + (attached.isEmpty() ? "nowhere in this network namespace" : String.join(", ", attached)));
            var view = dp.view();
            out.println("services:   " + view.size() + ", reals " + view.stream().mapToInt(s -> s.reals().size()).sum()
                    + ", connections " + dp.connectionTable().keys().size());
            Map<Reason, Long> reasons = dp.reasons();
            StringBuilder b = new StringBuilder();
            reasons.forEach((r, n) -> {
                if (n > 0) {
                    b.append(b.isEmpty() ? "" : ", ").append(r.name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(n);
                }
            });
            out.println("packets:    " + (b.isEmpty() ? "none yet" : b));
        }
        if (PinLock.daemon(pinDir).isPresent()) {
            List<String> lines = DaemonStatus.lines(pinDir);
            if (!lines.isEmpty()) {
                out.println("health:");
                lines.forEach(l -> out.println("  " + l));
            }
        }
        out.flush();
        return 0;
    }
}
