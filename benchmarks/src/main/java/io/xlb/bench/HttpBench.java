package io.xlb.bench;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.Xdp;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DataplaneLoader;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.Nginx;
import io.xlb.lab.RealServerStep;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests per second through the VIP (DR, two nginx) with wrk, beside the same wrk straight to
 * one real server, in one run: keep-alive and one connection per request.
 *
 * Usage: java -cp xlb-bench.jar io.xlb.bench.HttpBench [seconds per run, default 10]
 */
public final class HttpBench {
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses: (\\d+)|Socket errors: .*");

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String vip = "10.77.3.200";
        try (Lab lab = new Lab("xlbbench"); Bpf bpf = Bpf.open()) {
            Lan lan = Lan.create(lab, "10.77.3", List.of("client", "director", "rs1", "rs2"));
            lan.host("director").ns().exec("ip", "addr", "add", vip + "/32", "dev", "eth0");
            List<Real> reals = new ArrayList<>();
            for (String rs : List.of("rs1", "rs2")) {
                RealServerStep.apply(lan.host(rs), vip);
                Nginx.start(lab, lan.host(rs));
                reals.add(Real.of(InetAddress.ofLiteral(lan.host(rs).address()), 80, 1, MacAddress.parse(lan.host(rs).mac())));
            }
            Dataplane dp = DataplaneLoader.load(bpf, DataplaneLoader.Options.defaults());
            dp.apply(new DesiredState(List.of(new Service(new VipKey(InetAddress.ofLiteral(vip), 80, Protocol.TCP),
                    Scheduler.named("mh"), Method.DR, reals)), DirectorConfig.defaults()));
            int dirIf = lan.host("director").ns().namespace().ifindex("eth0");
            lan.host("director").ns().namespace().run(() -> bpf.xdp().attach(dirIf, dp.program(), Xdp.Mode.NATIVE));
            int port = lan.switchNamespace().namespace().ifindex(lan.host("director").switchPort());
            lan.switchNamespace().namespace().run(() -> bpf.xdp().attach(port, dp.passProgram(), Xdp.Mode.NATIVE));
            // Warm up both paths (ARP, nginx workers).
            wrk(lan, "http://" + vip + "/", 2, false);
            wrk(lan, "http://" + lan.host("rs1").address() + "/", 2, false);

            System.out.println("| connections | straight to one nginx (req/s) | through xlb to two (req/s) | ratio |");
            System.out.println("|---|---:|---:|---:|");
            for (boolean close : new boolean[] {false, true}) {
                double direct = wrk(lan, "http://" + lan.host("rs1").address() + "/", seconds, close);
                double through = wrk(lan, "http://" + vip + "/", seconds, close);
                System.out.println(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f |",
                        close ? "one per request (Connection: close)" : "keep-alive", direct, through, through / direct));
            }
            System.out.println();
            System.out.println("director: " + dp.serviceCounter(0) + "; reasons " + dp.reasons());
        }
    }

    private static double wrk(Lan lan, String url, int seconds, boolean close) {
        List<String> argv = new ArrayList<>(List.of("wrk", "-t", "2", "-c", "32", "-d", seconds + "s"));
        if (close) {
            argv.addAll(List.of("-H", "Connection: close"));
        }
        argv.add(url);
        String out = lan.host("client").ns().command(argv.toArray(String[]::new))
                .withTimeout(Duration.ofSeconds(seconds + 30)).run();
        Matcher m = RATE.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no rate in wrk's output:\n" + out);
        }
        Matcher e = ERRORS.matcher(out);
        if (e.find()) {
            System.err.println("wrk reported errors for " + url + ": " + e.group());
        }
        return Double.parseDouble(m.group(1));
    }
}
