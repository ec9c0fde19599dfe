package io.xlb.lab;

import io.xlb.sys.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A network namespace made for a test or a lab topology, deleted by {@link #close()} with every
 * interface in it. Names are {@code PREFIX-PID-N}: a namespace whose creating process is gone
 * is a leftover of a killed run, and {@link #create} sweeps those away first.
 */
public final class Netns implements AutoCloseable {
    private static final Path RUN_NETNS = Path.of("/run/netns");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String name;
    private boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    public static Netns create(String prefix) {
        sweepLeftovers(prefix);
        String name = prefix + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        Command.of("ip", "netns", "add", name).run();
        Netns ns = new Netns(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Deletes namespaces named PREFIX-PID-N whose process no longer runs. */
    static void sweepLeftovers(String prefix) {
        if (!Files.isDirectory(RUN_NETNS)) {
            return;
        }
        List<String> stale = new ArrayList<>();
        try (Stream<Path> entries = Files.list(RUN_NETNS)) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix + "-"))
                    .forEach(n -> {
                        String[] parts = n.substring(prefix.length() + 1).split("-");
                        if (parts.length == 2 && parts[0].chars().allMatch(Character::isDigit)
                                && ProcessHandle.of(Long.parseLong(parts[0])).isEmpty()) {
                            stale.add(n);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stale.forEach(n -> Command.of("ip", "netns", "del", n).result());
    }

    public String name() {
        return name;
    }

    /** For code that must run inside (setns on a dedicated thread). */
    public NetNamespace namespace() {
        return NetNamespace.named(name);
    }

    /** Runs a command inside; keeps the caller's mount namespace so /sys/fs/bpf pins stay visible. */
    public String exec(String... argv) {
        return command(argv).run();
    }

    public Command command(String... argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + RUN_NETNS.resolve(name), "--"));
        full.addAll(List.of(argv));
        return new Command(full, Command.DEFAULT_TIMEOUT);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Command.of("ip", "netns", "del", name).run();
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
