package io.xlb.bench;

import io.xlb.cli.Xlb;
import io.xlb.daemon.Daemon;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Keepalived;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.XlbDaemon;
import io.xlb.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failover time: the master director dies (its VRRP process killed with SIGKILL and its link taken
 * down in the same instant) while a client pings the VIP every 10 ms; the time is from the kill to
 * the first echo reply after it, which the backup sends once it holds the VIP and its gratuitous
 * ARP moved the client. Pairs of xlb daemons and, in the same run, pairs of Debian's keepalived,
 * with the tutorial's VI_1 (VRRPv2, advert_int 1, priorities 100/50) and with VRRPv3 at 0.1 s.
 *
 * Usage: java -cp xlb-bench.jar io.xlb.bench.FailoverBench [trials per case, default 5]
 */
public final class FailoverBench {
    private static final String SUBNET = "10.77.6";
    private static final String VIP = SUBNET + ".200";
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)\\] \\d+ bytes from " + Pattern.quote(VIP) + ":");

    private enum Peer { XLB, KEEPALIVED }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.println("| adverts | pair | trials (ms) | median (ms) | bound: 3 × advert + skew(50) (ms) |");
        System.out.println("|---|---|---|---:|---:|");
        for (boolean v3 : new boolean[] {false, true}) {
            for (Peer peer : Peer.values()) {
                List<Long> times = new ArrayList<>();
                for (int t = 0; t < trials; t++) {
                    times.add(trial(peer, v3));
                }
                List<Long> sorted = times.stream().sorted().toList();
                long bound = v3 ? 300 + (256 - 50) * 100 / 256 : 3000 + (256 - 50) * 1000 / 256;
                System.out.printf(Locale.ROOT, "| %s | %s → %s | %s | %d | %d |%n", v3 ? "VRRPv3, 0.1 s" : "VRRPv2 PASS, 1 s",
                        peer.name().toLowerCase(Locale.ROOT), peer.name().toLowerCase(Locale.ROOT), times,
                        sorted.get(sorted.size() / 2), bound);
            }
        }
    }

    private static long trial(Peer peer, boolean v3) throws Exception {
        List<Path> pins = new ArrayList<>();
        try (Lab lab = new Lab("xlbbench")) {
            Lan lan = Lan.create(lab, SUBNET, List.of("lb1", "lb2", "client"));
            BackgroundProcess master = start(lab, lan, peer, "lb1", 100, v3, pins);
            Eventually.await(Duration.ofSeconds(20), () -> owns(lan, "lb1"));
            start(lab, lan, peer, "lb2", 50, v3, pins);
            Thread.sleep(v3 ? 1500 : 5000); // the backup has heard the master for a while
            BackgroundProcess ping = lab.start(lan.host("client").ns(), "ping", "ping", "-D", "-n", "-i", "0.01", "-W", "1", VIP);
            Eventually.await(Duration.ofSeconds(5), () -> ping.log().contains(" bytes from "));
            double killed = Instant.now().toEpochMilli() / 1000.0;
            master.kill();
            lan.host("lb1").ns().exec("ip", "link", "set", Lan.HOST_IF, "down");
            double downAt = Instant.now().toEpochMilli() / 1000.0;
            Eventually.await(Duration.ofSeconds(20), () -> firstReplyAfter(ping.log(), downAt) > 0);
            return Math.round((firstReplyAfter(ping.log(), downAt) - killed) * 1000);
        } finally {
            for (Path p : pins) {
                Daemon.flush(p);
            }
        }
    }

    private static double firstReplyAfter(String log, double after) {
        for (String line : log.lines().toList()) {
            Matcher m = REPLY.matcher(line);
            if (m.find() && Double.parseDouble(m.group(1)) > after) {
                return Double.parseDouble(m.group(1));
            }
        }
        return -1;
    }

    private static String instance(int priority, boolean v3) {
        return """
                vrrp_instance VI_1 {
                    state %s
                    interface %s
                    virtual_router_id 51
                    priority %d
                    advert_int %s
                    %s
                    virtual_ipaddress {
                        %s
                    }
                }
                """.formatted(priority == 100 ? "MASTER" : "BACKUP", Lan.HOST_IF, priority, v3 ? "0.1" : "1",
                v3 ? "version 3" : "authentication {\n        auth_type PASS\n        auth_pass 1111\n    }", VIP);
    }

    private static BackgroundProcess start(Lab lab, Lan lan, Peer peer, String host, int priority, boolean v3, List<Path> pins)
            throws Exception {
        Path dir = lab.scratch().resolve(host);
        Files.createDirectories(dir);
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, "global_defs {\n    router_id " + host + "\n}\n" + instance(priority, v3));
        if (peer == Peer.KEEPALIVED) {
            return Keepalived.of(conf).start(lab, lan.host(host).ns(), "keepalived-" + host);
        }
        Path pinDir = XlbDaemon.pinDir("xlbbench", host);
        pins.add(pinDir);
        return XlbDaemon.of(Xlb.class, conf, pinDir).start(lab, lan.host(host).ns(), "xlb-" + host);
    }

    private static boolean owns(Lan lan, String host) {
        return lan.host(host).ns().command("ip", "-o", "-4", "addr", "show", "dev", Lan.HOST_IF).run().contains(" " + VIP + "/32 ");
    }
}
