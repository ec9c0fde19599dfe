package io.xlb.cli;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.Xdp;
import io.xlb.daemon.Daemon;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.lab.BackgroundProcess;

import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.lab.RealServerStep;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code xlb lab}: topologies in network namespaces on this machine. */
@Command(name = "lab", description = "Network-namespace labs on this machine.", subcommands = {LabCommand.Demo.class})
public final class LabCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The seed tutorial's set-up: a client, a director running xlb's daemon with the tutorial's
     * keepalived.conf (addresses and interface name substituted), two nginx real servers in DR.
     */
    @Command(name = "demo", description = "The tutorial's LVS-DR set-up in namespaces: requests to the VIP through xlb to two nginx.")
    public static final class Demo implements Callable<Integer> {
        private static final String SUBNET = "10.77.1";
        private static final String VIP = SUBNET + ".200";

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(names = "--requests", description = "requests to send (default: ${DEFAULT-VALUE})")
        int requests = 20;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path pinDir = Path.of("/sys/fs/bpf", "xlb-demo-" + ProcessHandle.current().pid());
            Lab lab = new Lab("xlbdemo");
            AtomicBoolean tornDown = new AtomicBoolean();
            Runnable teardown = () -> {
                if (tornDown.compareAndSet(false, true)) {
                    try {
                        lab.close(); // the daemon first (last started), then nginx, namespaces, scratch
                    } finally {
                        try {
                            Daemon.flush(pinDir);
                        } catch (Exception e) {
                            System.err.println("xlb lab demo: removing " + pinDir + ": " + e.getMessage());
                        }
                    }
                }
            };
            Thread onCtrlC = Thread.ofPlatform().unstarted(teardown);
            Runtime.getRuntime().addShutdownHook(onCtrlC);
            try {
                out.println("== building the tutorial's network in namespaces: client .100, director .128, reals .130 .131, VIP .200 (" + SUBNET + ".0/24)");
                out.flush();
                Lan lan = Lan.tutorial(lab, SUBNET);
                for (String rs : List.of("rs1", "rs2")) {
                    RealServerStep.apply(lan.host(rs), VIP);
                    Nginx.start(lab, lan.host(rs));
                }
                Path conf = lab.scratch().resolve("keepalived.conf");
                Files.writeString(conf, tutorialConfig());
                out.println("== the tutorial's keepalived.conf, addresses and interface substituted: " + conf);
                out.println("== starting xlb daemon on the director");
                out.flush();
                Lan.Host director = lan.host("director");
                BackgroundProcess daemon = lab.start(director.ns(), "daemon", daemonCommand(conf, pinDir));
                awaitPinned(pinDir, daemon, Duration.ofSeconds(30));
                passOnSwitchPort(lan, pinDir);
                Lan.Host client = lan.host("client");
                awaitServing(client, daemon, Duration.ofSeconds(30));

                out.println();
                out.println("$ xlb adm -Ln");
                out.print(listing(pinDir, false));
                out.println();
                out.println("$ for i in $(seq " + requests + "); do curl -s http://" + VIP + "/; done");
                java.util.Map<String, Integer> answers = new java.util.TreeMap<>();
                for (int i = 0; i < requests; i++) {
                    io.xlb.lab.Command.Result r = client.ns().command("curl", "-sS", "--max-time", "5", "http://" + VIP + "/").result();
                    String body = r.exitCode() == 0 ? r.output().strip() : "FAILED: " + r.output().strip();
                    out.println(body);
                    out.flush();
                    answers.merge(body, 1, Integer::sum);
                }
                out.println();
                out.println("$ xlb adm -Ln --stats");
                out.print(listing(pinDir, true));
                out.println();
                // A demo that printed errors must not look like a success.
                int served = answers.getOrDefault("rs1", 0) + answers.getOrDefault("rs2", 0);
                boolean ok = served == requests && answers.containsKey("rs1") && answers.containsKey("rs2");
                out.println(ok ? "== " + requests + " requests, answered in turn by rs1 and rs2"
                        : "== FAILED: of " + requests + " requests " + served + " were answered by rs1 or rs2: " + answers);
                out.println("== tearing down");
                out.flush();
                return ok ? 0 : 1;
            } catch (RuntimeException | InterruptedException e) {
                if (tornDown.get()) {
                    // Ctrl-C: the shutdown hook tore everything down under our feet.
                    System.err.println("== interrupted: everything the demo made has been removed");
                    return 130;
                }
                throw e;
            } finally {
                teardown.run();
                try {
                    Runtime.getRuntime().removeShutdownHook(onCtrlC);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook is running
                }
            }
        }

        /**
         * On veth, XDP_TX frames reach the bridge only through an XDP program on the peer: the
         * director's pinned pass program, on its switch port.
         */
        static void passOnSwitchPort(Lan lan, Path pinDir) throws Exception {
            passOnSwitchPort(lan, lan.host("director"), pinDir);
        }

        /** The same for any host's port on {@code lan} (a two-armed director's inside leg). */
        static void passOnSwitchPort(Lan lan, Lan.Host host, Path pinDir) throws Exception {
            try (Bpf bpf = Bpf.open()) {
                BpfProgram pass = bpf.openPinnedProgram(pinDir.resolve("xlb_pass"));
                int port = lan.switchNamespace().namespace().ifindex(host.switchPort());
                lan.switchNamespace().namespace().run(() -> bpf.xdp().attach(port, pass, Xdp.Mode.NATIVE));
            }
        }

        /** One request from {@code client} to {@code vip} answered by rs1 or rs2 within {@code limit}. */
        static boolean answeredByAReal(Lan.Host client, String vip, Duration limit) {
            io.xlb.lab.Command.Result r = client.ns().command("curl", "-sS", "--max-time",
                    Long.toString(Math.max(1, limit.toSeconds())), "http://" + vip + "/").result();
            return r.exitCode() == 0 && (r.output().strip().equals("rs1") || r.output().strip().equals("rs2"));
        }

        static String tutorialConfig() throws IOException {
            try (InputStream in = LabCommand.class.getResourceAsStream("/demo/keepalived.conf")) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return text.replace("192.168.80.1", SUBNET + ".1").replace("192.168.1.", SUBNET + ".")
                        .replace("eno16777736", Lan.HOST_IF);
            }
        }

        private static String[] daemonCommand(Path conf, Path pinDir) throws Exception {
            String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
            Path jar = Path.of(LabCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new String[] {java, "--enable-native-access=ALL-UNNAMED", "-cp", jar.toString(), Xlb.class.getName(),
                    "daemon", "-f", conf.toString(), "--pin-dir", pinDir.toString(), "--api-token-file",
                    io.xlb.lab.XlbDaemon.apiTokenFile(conf).toString()};
        }

        private static void awaitPinned(Path pinDir, BackgroundProcess daemon, Duration limit) throws InterruptedException {
            Instant deadline = Instant.now().plus(limit);
            while (!Files.exists(pinDir.resolve("xlb_pass"))) {
                if (!daemon.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the daemon did not start:\n" + daemon.log());
                }
                Thread.sleep(100);
            }
        }

        private static void awaitServing(Lan.Host client, BackgroundProcess daemon, Duration limit) throws InterruptedException {
            Instant deadline = Instant.now().plus(limit);
            while (true) {
                io.xlb.lab.Command.Result r = client.ns().command("curl", "-s", "--max-time", "1", "http://" + VIP + "/").result();
                if (r.exitCode() == 0) {
                    return;
                }
                if (!daemon.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the VIP does not answer:\n" + daemon.log());
                }
                Thread.sleep(200);
            }
        }

        private static String listing(Path pinDir, boolean stats) {
            try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.adopt(bpf, pinDir)) {
                long size = dp.map("conns").info().maxEntries();
                return stats ? IpvsListing.stats(dp.view(), size) : IpvsListing.list(dp.view(), size);
            }
        }
    }
}
