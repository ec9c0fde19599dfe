package io.xlb.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Debian's nginx in a lab host, on port 80 (or another), serving a page that names the host. */
public final class Nginx {
    private Nginx() {}

    public static BackgroundProcess start(Lab lab, Lan.Host host) {
        return start(lab, host, 80);
    }

    /** On {@code port}: a real behind NAT may listen on another port than its service's. */
    public static BackgroundProcess start(Lab lab, Lan.Host host, int port) {
        return start(lab, host, port, "listen " + port + ";", 1, 256);
    }

    /**
     * Built for connection rate (a stand-in for many reals under health checks): {@code workers}
     * processes, an accept queue of {@code backlog} (the namespace's somaxconn raised to match).
     */
    public static BackgroundProcess startForConnections(Lab lab, Lan.Host host, int port, int workers, int backlog) {
        host.ns().exec("sysctl", "-q", "-w", "net.core.somaxconn=" + backlog, "net.ipv4.tcp_max_syn_backlog=" + backlog);
        return start(lab, host, port, "listen " + port + " backlog=" + backlog + ";", workers, backlog);
    }

    private static BackgroundProcess start(Lab lab, Lan.Host host, int port, String listen, int workers, int connections) {
        Path dir = lab.scratch().resolve("nginx-" + host.name());
        try {
            Files.createDirectories(dir.resolve("html"));
            Files.createDirectories(dir.resolve("tmp"));
            Files.writeString(dir.resolve("html/index.html"), host.name() + "\n");
            Files.writeString(dir.resolve("nginx.conf"), config(dir, listen, workers, connections));
            // nginx's workers run as nobody: let them read the page.
            for (Path p : new Path[] {lab.scratch(), dir, dir.resolve("html"), dir.resolve("html/index.html")}) {
                p.toFile().setReadable(true, false);
                p.toFile().setExecutable(true, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BackgroundProcess nginx = lab.start(host.ns(), "nginx-" + host.name(),
                "nginx", "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString());
        Listening.await(host.ns(), "nginx in " + host.name(), nginx, port, Duration.ofSeconds(10));
        return nginx;
    }

    /**
     * An nginx.conf that keeps everything (pid, logs, temp files) under {@code dir}, serves
     * {@code dir/html}, in the foreground, with {@code listen} (e.g. {@code "listen 80;"}, or a TLS
     * listener and its certificate lines) in its one server block.
     */
    public static String config(Path dir, String listen) {
        return config(dir, listen, 1, 256);
    }

    private static String config(Path dir, String listen, int workers, int connections) {
        return """
                daemon off;
                worker_processes %3$d;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections %4$d; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/tmp;
                    proxy_temp_path %1$s/tmp;
                    fastcgi_temp_path %1$s/tmp;
                    uwsgi_temp_path %1$s/tmp;
                    scgi_temp_path %1$s/tmp;
                    server {
                        %2$s
                        root %1$s/html;
                    }
                }
                """.formatted(dir, listen, workers, connections);
    }
}
