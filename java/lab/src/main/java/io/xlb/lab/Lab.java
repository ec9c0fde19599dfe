package io.xlb.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * Owns everything a topology creates (namespaces, background processes, a scratch directory) and
 * removes it all on {@link #close()}, in reverse order, whatever failed before.
 */
public final class Lab implements AutoCloseable {
    private final String prefix;
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
    private final Path scratch;

    public Lab(String prefix) {
        this.prefix = prefix;
        try {
            this.scratch = Files.createTempDirectory(prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cleanup.push(() -> deleteTree(scratch));
    }

    public Path scratch() {
        return scratch;
    }

    public Netns namespace() {
        return own(Netns.create(prefix));
    }

    /** Registers something to close with the lab. */
    public synchronized <T extends AutoCloseable> T own(T resource) {
        cleanup.push(resource);
        return resource;
    }

    /** Starts a long-running command inside {@code ns}; it is killed when the lab closes. */
    public BackgroundProcess start(Netns ns, String name, String... argv) {
        return own(BackgroundProcess.start(ns.command(argv), scratch.resolve(name + ".log")));
    }

    @Override
    public synchronized void close() {
        List<Exception> failures = new ArrayList<>();
        while (!cleanup.isEmpty()) {
            try {
                cleanup.pop().close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("lab teardown: " + failures.size() + " failures");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
