package io.xlb.bench;

import io.xlb.cli.Xlb;
import io.xlb.lab.BackgroundProcess;
import io.xlb.lab.Lab;
import io.xlb.lab.Lan;
import io.xlb.lab.XlbDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code xlb daemon} on the one host, "director", of a lab LAN, with a benchmark's configuration:
 * the process, its namespace and its configuration file, and how long it took to be up. Closing it
 * (or, if the JVM is stopped first, a shutdown hook) ends the lab and flushes the daemon's pins.
 */
record LabDaemon(Lab lab, Path pinDir, Thread cleanup, Lan.Host director, Path conf, BackgroundProcess daemon, double startMs)
        implements AutoCloseable {
    /** Starts it in a lab named {@code prefix} on {@code subnet}; up within {@code readyWithin}. */
    static LabDaemon start(String prefix, String subnet, String config, Duration readyWithin) throws Exception {
        Path pinDir = XlbDaemon.pinDir(prefix, "director");
        Lab lab = new Lab(prefix);
        Thread cleanup = new Thread(() -> LabTeardown.close(lab, pinDir));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Lan.Host director = Lan.create(lab, subnet, List.of("director")).host("director");
            Path conf = lab.scratch().resolve("keepalived.conf");
            Files.writeString(conf, config);
            long t0 = System.nanoTime();
            BackgroundProcess daemon = XlbDaemon.of(Xlb.class, conf, pinDir).readyWhenLogged(XlbDaemon.RUNNING, readyWithin)
                    .start(lab, director.ns(), "daemon");
            return new LabDaemon(lab, pinDir, cleanup, director, conf, daemon, (System.nanoTime() - t0) / 1e6);
        } catch (Exception | Error e) {
            LabTeardown.close(lab, pinDir);
            Runtime.getRuntime().removeShutdownHook(cleanup);
            throw e;
        }
    }

    @Override
    public void close() {
        LabTeardown.close(lab, pinDir);
        Runtime.getRuntime().removeShutdownHook(cleanup);
    }
}
