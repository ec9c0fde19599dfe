package io.xlb.cli;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.Xdp;
import io.xlb.daemon.Daemon;
import io.xlb.daemon.PinLock;
import io.xlb.daemon.RealMacs;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.sys.Neighbours;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code xlb adm}: ipvsadm's command line over the pinned maps, with or without a daemon.
 *
 * While a daemon manages the pin directory, changing commands are refused with the name of its
 * configuration file: the daemon's next apply would undo them (edit the file, then xlb reload).
 */
@Command(name = "adm", description = "ipvsadm's command line over the pinned dataplane.", sortOptions = false)
public final class AdmCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-A", "--add-service"}) boolean addService;
    @Option(names = {"-E", "--edit-service"}) boolean editService;
    @Option(names = {"-D", "--delete-service"}) boolean deleteService;
    @Option(names = {"-C", "--clear"}) boolean clear;
    @Option(names = {"-R", "--restore"}, description = "read rules (ipvsadm-save format) from stdin") boolean restore;
    @Option(names = {"-S", "--save"}, description = "print the rules in ipvsadm-save format") boolean save;
    @Option(names = {"-a", "--add-server"}) boolean addServer;
    @Option(names = {"-e", "--edit-server"}) boolean editServer;
    @Option(names = {"-d", "--delete-server"}) boolean deleteServer;
    @Option(names = {"-L", "-l", "--list"}) boolean list;
    @Option(names = {"-Z", "--zero"}) boolean zero;
    @Option(names = "--set", arity = "3", paramLabel = "SECONDS", description = "tcp tcpfin udp timeouts") List<Integer> set;
    @Option(names = {"-t", "--tcp-service"}, paramLabel = "ADDR:PORT") String tcpService;
    @Option(names = {"-u", "--udp-service"}, paramLabel = "ADDR:PORT") String udpService;
    @Option(names = {"-f", "--fwmark-service"}, paramLabel = "MARK") Integer fwmark;
    @Option(names = {"-s", "--scheduler"}) String scheduler;
    @Option(names = {"-b", "--sched-flags"}, paramLabel = "FLAGS", description = "scheduler flags, comma-separated: "
            + "sh-fallback, sh-port, mh-fallback, mh-port (flag-1, flag-2)") String schedFlags;
    @Option(names = {"-p", "--persistent"}, arity = "0..1", fallbackValue = "300") Integer persistent;
    @Option(names = {"-M", "--netmask"}) String netmask;
    @Option(names = {"-r", "--real-server"}, paramLabel = "ADDR[:PORT]") String realServer;
    @Option(names = {"-g", "--gatewaying"}) boolean gatewaying;
    @Option(names = {"-i", "--ipip"}) boolean ipip;
    @Option(names = {"-m", "--masquerading"}) boolean masquerading;
    @Option(names = {"-w", "--weight"}) Integer weight;
    @Option(names = {"-x", "--u-threshold"}) Integer upperThreshold;
    @Option(names = {"-y", "--l-threshold"}) Integer lowerThreshold;
    @Option(names = {"-n", "--numeric"}) boolean numeric;
    @Option(names = {"-c", "--connection"}) boolean connections;
    @Option(names = "--stats") boolean stats;
    @Option(names = "--timeout") boolean timeout;
    @Option(names = "--rate", description = "with -L: rates, measured over one second") boolean rate;
    @Option(names = "--thresholds") boolean thresholds;
    @Option(names = "--persistent-conn") boolean persistentConn;
    @Option(names = "--sort", description = "sorted output (xlb always sorts)") boolean sort;
    @Option(names = "--exact", description = "exact numbers, no K/M/G") boolean exact;
    @Option(names = "--pin-dir", paramLabel = "DIR", description = "the pinned dataplane (default: ${DEFAULT-VALUE})")
    Path pinDir = Daemon.DEFAULT_PIN_DIR;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // Every change is read and checked before the dataplane is looked at, as ipvsadm checks its
        // arguments before it talks to the kernel: a mistyped rule fails the same with or without one.
        List<UnaryOperator<DesiredState>> edits;
        try {
            checkOneCommand();
            edits = restore ? restoreEdits(new String(System.in.readAllBytes(), StandardCharsets.UTF_8))
                    : hasEdit() ? List.of(edit()) : List.of();
            if (edits.isEmpty() && (tcpService != null || udpService != null)) {
                service(); // -L -t: xlb lists every service, but a malformed one is still an error
            }
        } catch (AdmEdits.AdmException | IllegalArgumentException | UnsupportedOperationException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (!Files.exists(pinDir.resolve(Dataplane.PROGRAM))) {
            err.println("xlb adm: no dataplane is pinned at " + pinDir + " (is the daemon running? see --pin-dir)");
            return 1;
        }
        boolean changes = hasEdit() || restore || zero;
        if (changes) {
            Optional<PinLock.Holder> daemon = PinLock.daemon(pinDir);
            if (daemon.isPresent() && !zero) {
                err.println("xlb adm: the dataplane at " + pinDir + " is managed by xlb daemon (pid " + daemon.get().pid()
                        + ") from " + daemon.get().configFile() + ": change that file and run xlb reload");
                return 1;
            }
        }
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.adopt(bpf, pinDir)) {
            if (list || (!changes && !save)) {
                list(dp, out);
                return 0;
            }
            if (save) {
                out.print(IpvsRules.save(dp.current()));
                out.flush();
                return 0;
            }
            if (zero) {
                dp.zeroCounters();
                return 0;
            }
            DesiredState next = dp.current();
            for (UnaryOperator<DesiredState> e : edits) {
                next = e.apply(next);
            }
            dp.apply(resolveMacs(bpf, dp, next));
            return 0;
        } catch (AdmEdits.AdmException | IllegalArgumentException | UnsupportedOperationException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    /** A command that changes the services or the timeouts (not -R, -Z, -L, -S). */
    private boolean hasEdit() {
        return addService || editService || deleteService || clear || addServer || editServer || deleteServer || set != null;
    }

    /** ipvsadm takes one command an invocation. */
    private void checkOneCommand() {
        boolean[] commands = {addService, editService, deleteService, clear, restore, save, addServer, editServer,
                deleteServer, list, zero, set != null};
        int n = 0;
        for (boolean c : commands) {
            n += c ? 1 : 0;
        }
        if (n > 1) {
            throw new IllegalArgumentException("multiple commands specified: give one of -A, -E, -D, -C, -R, -S, -a, -e, -d, "
                    + "-L, -Z or --set");
        }
    }

    /** -R: each line of ipvsadm-save's output as a change, read and checked; errors name the line. */
    static List<UnaryOperator<DesiredState>> restoreEdits(String rules) {
        List<UnaryOperator<DesiredState>> out = new ArrayList<>();
        for (IpvsRules.Line l : IpvsRules.lines(rules)) {
            AdmCommand line = new AdmCommand();
            try {
                new CommandLine(line).parseArgs(l.argv());
                line.checkOneCommand();
                if (!line.hasEdit()) {
                    throw new IllegalArgumentException("only -A, -E, -D, -C, -a, -e, -d and --set can be restored");
                }
                UnaryOperator<DesiredState> edit = line.edit();
                // An edit that fails on the dataplane's rules still says which line it was.
                out.add(s -> {
                    try {
                        return edit.apply(s);
                    } catch (AdmEdits.AdmException | IllegalArgumentException | UnsupportedOperationException e) {
                        throw new IllegalArgumentException("-R line " + l.number() + ": " + e.getMessage(), e);
                    }
                });
            } catch (CommandLine.ParameterException | AdmEdits.AdmException | IllegalArgumentException
                     | UnsupportedOperationException e) {
                throw new IllegalArgumentException("-R line " + l.number() + ": " + oneLine(e.getMessage()), e);
            }
        }
        return out;
    }

    /**
     * picocli's usage errors for adm as one line, the way ipvsadm reports a bad option, rather than
     * the message followed by the whole usage.
     */
    static int usageError(CommandLine.ParameterException e) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("xlb adm: " + oneLine(e.getMessage()) + " (xlb help adm lists the options)");
        err.flush();
        return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
    }

    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** This invocation's change: checked now (errors as ipvsadm words them), applied to the dataplane's rules later. */
    UnaryOperator<DesiredState> edit() {
        if (fwmark != null) {
            throw new UnsupportedOperationException("fwmark services are not supported by the dataplane yet");
        }
        if (set != null) {
            if (set.stream().anyMatch(t -> t < 0)) {
                throw new IllegalArgumentException("--set: timeouts are seconds (0 keeps a value), got " + set);
            }
            return s -> AdmEdits.setTimeouts(s, set.get(0), set.get(1), set.get(2));
        }
        if (clear) {
            return AdmEdits::clear;
        }
        VipKey vip = service();
        Method method = ipip ? Method.TUN : masquerading ? Method.NAT : gatewaying ? Method.DR : null;
        if ((upperThreshold != null || lowerThreshold != null) && !addServer && !editServer) {
            throw new IllegalArgumentException("Illegal '" + (upperThreshold != null ? "u-threshold" : "l-threshold")
                    + "' option with the '" + commandName() + "' command");
        }
        if (upperThreshold != null && upperThreshold < 0) {
            throw new IllegalArgumentException("illegal u_threshold specified");
        }
        if (lowerThreshold != null && lowerThreshold < 0) {
            throw new IllegalArgumentException("illegal l_threshold specified");
        }
        if (schedFlags != null && !addService && !editService) {
            throw new IllegalArgumentException("Illegal 'sched-flags' option with the '" + commandName() + "' command");
        }
        if (weight != null && (weight < 0 || weight > 65535)) {
            throw new IllegalArgumentException("weight must be 0..65535, got " + weight);
        }
        if (addService || editService) {
            List<String> flags = schedFlags == null ? null : List.of(schedFlags.split(",", -1));
            String name = scheduler != null ? scheduler : addService ? "wlc" : null;
            // -E -b without -s: the flags of the scheduler the service has, checked when it is known.
            Scheduler sched = name != null ? Scheduler.named(name, flags == null ? List.of() : flags) : null;
            Service.Persistence p = persistence(vip);
            if (addService) {
                return s -> AdmEdits.addService(s, vip, sched, p);
            }
            return sched != null || flags == null ? s -> AdmEdits.editService(s, vip, sched, p)
                    : s -> AdmEdits.editServiceFlags(s, vip, flags, p);
        }
        if (deleteService) {
            return s -> AdmEdits.deleteService(s, vip);
        }
        Real real = real(vip);
        if (addServer) {
            Real added = AdmEdits.real(real.address(), real.port(), weight != null ? weight : 1,
                    method != null ? method : Method.DR).withThresholds(new Real.Thresholds(
                    upperThreshold != null ? upperThreshold : 0, lowerThreshold != null ? lowerThreshold : 0));
            return s -> AdmEdits.addReal(s, vip, added);
        }
        if (editServer) {
            return s -> AdmEdits.editReal(s, vip, real, weight, method, upperThreshold, lowerThreshold);
        }
        if (deleteServer) {
            return s -> AdmEdits.deleteReal(s, vip, real);
        }
        throw new IllegalArgumentException("no command given: -A, -E, -D, -C, -a, -e, -d, -Z, --set, -L, -S or -R");
    }

    /** ipvsadm's name of the command given, for its "Illegal option" message. */
    private String commandName() {
        return addService ? "add-service" : editService ? "edit-service" : deleteService ? "delete-service"
                : addServer ? "add-server" : editServer ? "edit-server" : deleteServer ? "delete-server" : "list";
    }

    private Service.Persistence persistence(VipKey vip) {
        if (persistent == null) {
            if (netmask != null) {
                throw new IllegalArgumentException("-M goes with -p (persistence granularity)");
            }
            return null;
        }
        Integer prefix = io.xlb.daemon.ConfigMapping.prefixOf(netmask, vip.address());
        if (prefix == null) {
            throw new IllegalArgumentException("-M " + netmask + " is neither a netmask nor a prefix length");
        }
        return new Service.Persistence(persistent, prefix);
    }

    private VipKey service() {
        if ((tcpService == null) == (udpService == null)) {
            throw new IllegalArgumentException("give one service: -t ADDR:PORT or -u ADDR:PORT");
        }
        String text = tcpService != null ? tcpService : udpService;
        Endpoint e = Endpoint.parse(text, true);
        return new VipKey(e.address(), e.port(), tcpService != null ? Protocol.TCP : Protocol.UDP);
    }

    private Real real(VipKey vip) {
        if (realServer == null) {
            throw new IllegalArgumentException("give the real server: -r ADDR[:PORT]");
        }
        Endpoint e = Endpoint.parse(realServer, false);
        if (e.address().getClass() != vip.address().getClass()) {
            throw new IllegalArgumentException("real server " + realServer + " is not of the service's address family");
        }
        return AdmEdits.real(e.address(), e.port() != 0 ? e.port() : vip.port(), 1, Method.DR);
    }

    /** Reals added by hand get their MAC from the kernel's neighbour table on the director's interface. */
    private static DesiredState resolveMacs(Bpf bpf, Dataplane dp, DesiredState next) throws Exception {
        boolean missing = next.services().stream().anyMatch(io.xlb.dataplane.Service::awaitsMac);
        if (!missing) {
            return next;
        }
        int ifindex = -1;
        for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
            Optional<Xdp.Attachment> a = bpf.xdp().query(nif.getIndex());
            if (a.isPresent() && a.get().programId() == dp.program().id()) {
                ifindex = nif.getIndex();
                break;
            }
        }
        if (ifindex < 0) {
            return next; // not attached here: reals stay unresolved until a daemon resolves them
        }
        try (Neighbours n = Neighbours.open()) {
            RealMacs macs = new RealMacs(n, ifindex);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(3));
            DesiredState resolved = macs.resolve(next);
            while (Instant.now().isBefore(deadline)
                    && resolved.services().stream().anyMatch(io.xlb.dataplane.Service::awaitsMac)) {
                Thread.sleep(100); // the kernel is resolving: ARP has no completion to wait on here
                resolved = macs.resolve(next);
            }
            return resolved;
        }
    }

    private void list(Dataplane dp, PrintWriter out) throws InterruptedException {
        long size = dp.map("conns").info().maxEntries();
        if (timeout) {
            Map<String, Integer> t = AdmEdits.timeouts(dp.current().config());
            out.printf("Timeout (tcp tcpfin udp): %d %d %d%n", t.get("tcp"), t.get("tcpfin"), t.get("udp"));
        } else if (connections) {
            out.print(connectionListing(dp));
        } else if (rate) {
            var before = dp.view();
            long start = System.nanoTime();
            Thread.sleep(1000); // a rate needs two readings; this is the sampling window, not logic
            var after = dp.view();
            out.print(IpvsListing.rate(before, after, (System.nanoTime() - start) / 1e9, size, exact));
        } else if (thresholds) {
            out.print(IpvsListing.thresholds(dp.view(), size));
        } else if (persistentConn) {
            out.print(IpvsListing.persistent(dp.view(), size));
        } else {
            out.print(stats ? IpvsListing.stats(dp.view(), size, exact) : IpvsListing.list(dp.view(), size));
        }
        out.flush();
    }

    private static String connectionListing(Dataplane dp) {
        StringBuilder b = new StringBuilder("IPVS connection entries\n");
        b.append("pro expire state       source             virtual            destination\n");
        long now = System.nanoTime();
        var config = dp.current().config();
        Map<Integer, Dataplane.RealView> reals = new java.util.HashMap<>();
        dp.view().forEach(s -> s.reals().forEach(r -> reals.put(r.index(), r)));
        List<Map.Entry<FlowKey, ConnEntry>> entries = new ArrayList<>(dp.connections().entrySet());
        for (Map.Entry<FlowKey, ConnEntry> e : entries) {
            FlowKey k = e.getKey();
            ConnEntry c = e.getValue();
            if (c.state() == ConnState.FRAG) {
                continue;
            }
            long left = Math.max(0, config.timeoutSeconds(c.state()) - (now - c.lastSeenNs()) / 1_000_000_000L);
            Dataplane.RealView r = reals.get(c.real());
            b.append(String.format("%-3s %02d:%02d  %-11s %-18s %-18s %s%n", k.proto() == 6 ? "TCP" : "UDP",
                    left / 60, left % 60, c.state(), IpvsListing.endpoint(k.src(), k.sport()),
                    IpvsListing.endpoint(k.dst(), k.dport()), r == null ? "?" : IpvsListing.endpoint(r.address(), r.port())));
        }
        return b.toString();
    }
}
