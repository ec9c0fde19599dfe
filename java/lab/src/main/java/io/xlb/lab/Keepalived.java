package io.xlb.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's keepalived as a VRRP peer in a lab namespace: its VRRP process only, in the foreground,
 * logging to the console (the process's log), its pid files beside its configuration file. The one
 * way the integration tests and the failover benchmark start it.
 */
public record Keepalived(Path config, boolean logDetail) {
    public static Keepalived of(Path config) {
        return new Keepalived(config, false);
    }

    /** With {@code --log-detail}: each state change and advert problem in the log. */
    public Keepalived withLogDetail() {
        return new Keepalived(config, true);
    }

    public List<String> argv() {
        Path dir = config.toAbsolutePath().getParent();
        List<String> argv = new ArrayList<>(List.of("keepalived", "--dont-fork", "--log-console"));
        if (logDetail) {
            argv.add("--log-detail");
        }
        argv.addAll(List.of("--vrrp", "-f", config.toString(), "-p", dir.resolve("k.pid").toString(),
                "-r", dir.resolve("v.pid").toString(), "-c", dir.resolve("c.pid").toString()));
        return argv;
    }

    /** Starts it in {@code ns} as {@code name} (its output in NAME.log in the lab's scratch; killed when the lab closes). */
    public BackgroundProcess start(Lab lab, Netns ns, String name) {
        return lab.start(ns, name, argv().toArray(String[]::new));
    }
}
