package io.xlb.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * What the daemon answered to its last reload: numbered, so that {@code xlb reload} can tell its
 * own answer from an older one, and either accepted (with the diff) or refused (with the errors;
 * the running configuration stays).
 */
public record ReloadVerdict(long generation, boolean accepted, List<String> lines) {
    private static final String GENERATION = "generation ";
    private static final String ACCEPTED = "accepted";
    private static final String REFUSED = "refused";

    public ReloadVerdict {
        lines = List.copyOf(lines);
    }

    /** Written whole (a reader never sees half of it). */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder b = new StringBuilder(GENERATION).append(generation).append('\n')
                .append(accepted ? ACCEPTED : REFUSED).append('\n');
        lines.forEach(l -> b.append(l).append('\n'));
        Files.writeString(tmp, b);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The verdict in {@code file}, if there is a readable one. */
    public static Optional<ReloadVerdict> read(Path file) {
        try {
            List<String> all = Files.readAllLines(file);
            if (all.size() < 2 || !all.get(0).startsWith(GENERATION)) {
                return Optional.empty();
            }
            long generation = Long.parseLong(all.get(0).substring(GENERATION.length()).trim());
            return Optional.of(new ReloadVerdict(generation, all.get(1).equals(ACCEPTED), all.subList(2, all.size())));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
