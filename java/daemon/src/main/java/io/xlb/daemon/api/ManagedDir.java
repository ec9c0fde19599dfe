package io.xlb.daemon.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The directory the API writes, one {@code .conf} file per service, included from the main
 * configuration file. Writes are atomic per file (a temporary file renamed over the old one) and
 * can be undone when applying them fails.
 */
public final class ManagedDir {
    private final Path dir;

    public ManagedDir(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path path() {
        return dir;
    }

    /** Creates the directory if it is missing. */
    public void create() throws IOException {
        Files.createDirectories(dir);
    }

    /** Whether {@code file} (as the configuration names it) lies in this directory. */
    public boolean holds(String file) {
        Path p = Path.of(file).toAbsolutePath().normalize();
        try {
            return p.getParent() != null && Files.isDirectory(dir) && p.getParent().toRealPath().equals(dir.toRealPath());
        } catch (IOException e) {
            return p.getParent() != null && p.getParent().equals(dir);
        }
    }

    /** Its {@code .conf} files, by name. */
    public Map<String, String> read() throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(x -> x.getFileName().toString().endsWith(".conf") && Files.isRegularFile(x)).toList()) {
                out.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** A change from {@code before} to {@code after} (file name to text), to write and, if need be, undo. */
    public Write write(Map<String, String> before, Map<String, String> after) {
        return new Write(Map.copyOf(before), Map.copyOf(after));
    }

    /** Writes what changed between two sets of files; {@link #undo()} puts the earlier ones back. */
    public final class Write implements Director.Writes {
        private final Map<String, String> before;
        private final Map<String, String> after;

        private Write(Map<String, String> before, Map<String, String> after) {
            this.before = before;
            this.after = after;
        }

        @Override
        public void apply() throws IOException {
            put(before, after);
        }

        @Override
        public void undo() throws IOException {
            put(after, before);
        }

        private void put(Map<String, String> from, Map<String, String> to) throws IOException {
            Map<String, String> changed = new HashMap<>();
            to.forEach((name, text) -> {
                if (!Objects.equals(from.get(name), text)) {
                    changed.put(name, text);
                }
            });
            for (Map.Entry<String, String> e : changed.entrySet()) {
                atomically(dir.resolve(e.getKey()), e.getValue());
            }
            for (String name : from.keySet()) {
                if (!to.containsKey(name)) {
                    Files.deleteIfExists(dir.resolve(name));
                }
            }
        }
    }

    private static void atomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
