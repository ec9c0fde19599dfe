package io.xlb.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code xlb daemon -f CONFIG --pin-dir PINS} as a process inside a lab namespace, run by this
 * JVM's own java on this JVM's class path (where tests and benchmarks have the command): the one
 * way the integration tests and the failover benchmark start a director. What differs between them
 * is a parameter: the main class (this module cannot name the command's), the pin directory,
 * nohup, and the log line that says it is up.
 */
public record XlbDaemon(String mainClass, Path config, Path pinDir, boolean nohup, String readyText, Duration readyWithin) {
    /** What the daemon logs once it serves its configuration. */
    public static final String RUNNING = "running ";

    /** {@code main} (the {@code xlb} command's class) with {@code config} and {@code pinDir}; up once it logs {@link #RUNNING}, within 30 s. */
    public static XlbDaemon of(Class<?> main, Path config, Path pinDir) {
        return new XlbDaemon(main.getName(), config, pinDir, false, RUNNING, Duration.ofSeconds(30));
    }

    /**
     * A pin directory of this process's own under /sys/fs/bpf, {@code PREFIX-PID-NAME}: runs side by
     * side never share one, and a leftover names the run that left it.
     */
    public static Path pinDir(String prefix, String name) {
        return Path.of("/sys/fs/bpf", prefix + "-" + ProcessHandle.current().pid() + "-" + name);
    }

    /** The API token file a lab daemon of {@code config} uses (the daemon creates it with one rw token). */
    public static Path apiTokenFile(Path config) {
        return config.resolveSibling("api-tokens");
    }

    /** Under nohup, as operators often start it (SIGHUP must still reload it). */
    public XlbDaemon underNohup() {
        return new XlbDaemon(mainClass, config, pinDir, true, readyText, readyWithin);
    }

    /** Up once its log contains {@code text}, within {@code limit}. */
    public XlbDaemon readyWhenLogged(String text, Duration limit) {
        return new XlbDaemon(mainClass, config, pinDir, nohup, text, limit);
    }

    /**
     * The runtime options the package's launcher gives the daemon (tools/debian/files/xlb says why:
     * a heap that follows what is live, not the machine's size), so that tests and benchmarks run
     * the daemon as it ships.
     */
    public static final List<String> RUNTIME_DEFAULTS = List.of("-XX:+UseSerialGC", "-Xms16m", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30");

    public List<String> argv() {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> argv = new ArrayList<>();
        if (nohup) {
            argv.add("nohup");
        }
        argv.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        // A collector named in JAVA_TOOL_OPTIONS (a benchmark comparing them) replaces the serial one, as XLB_JAVA_OPTS does.
        String tool = System.getenv().getOrDefault("JAVA_TOOL_OPTIONS", "");
        argv.addAll(tool.matches(".*-XX:\\+Use\\w*GC\\b.*") ? RUNTIME_DEFAULTS.subList(1, RUNTIME_DEFAULTS.size()) : RUNTIME_DEFAULTS);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass,
                "daemon", "-f", config.toString(), "--pin-dir", pinDir.toString(),
                // The lab's own token file, beside the configuration: a test never writes /etc.
                "--api-token-file", apiTokenFile(config).toString()));
        return argv;
    }

    /**
     * Starts it in {@code ns} as {@code name} (its output in NAME.log in the lab's scratch; killed
     * when the lab closes) and returns once it is up and still running.
     *
     * @throws IllegalStateException with its log, when it has exited or is not up within the limit
     */
    public BackgroundProcess start(Lab lab, Netns ns, String name) throws InterruptedException {
        BackgroundProcess p = lab.start(ns, name, argv().toArray(String[]::new));
        Instant deadline = Instant.now().plus(readyWithin);
        while (true) {
            boolean up = p.log().contains(readyText);
            if (!p.isAlive()) {
                throw new IllegalStateException("xlb daemon " + name + " exited:\n" + p.log());
            }
            if (up) {
                return p;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("xlb daemon " + name + " not up within " + readyWithin + ":\n" + p.log());
            }
            Thread.sleep(50); // waiting on another process; no clock to inject here
        }
    }
}
