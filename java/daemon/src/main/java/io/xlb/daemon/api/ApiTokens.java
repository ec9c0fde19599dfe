package io.xlb.daemon.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The bearer tokens the API takes, from a file only root may read: one token per line, then its
 * scope ({@code rw} or {@code ro}), then an optional name; {@code #} starts a comment. The daemon
 * creates the file with one read-write token at its first start.
 */
public final class ApiTokens {
    /** What a token may do. */
    public enum Scope { READ_ONLY, READ_WRITE }

    private record Token(byte[] secret, Scope scope, String name) {}

    private final List<Token> tokens;

    private ApiTokens(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /** Reads {@code file}, creating it (mode 0600, one read-write token) if it does not exist. */
    public static ApiTokens load(Path file) throws IOException {
        if (!Files.exists(file)) {
            create(file);
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            throw new IllegalArgumentException("API token file " + file + " is readable by others ("
                    + PosixFilePermissions.toString(perms) + "): chmod 600 it");
        }
        List<Token> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split("\\s+");
            if (w.length < 2 || !(w[1].equals("rw") || w[1].equals("ro")) || w[0].length() < 16) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected TOKEN rw|ro [NAME], with a token of"
                        + " at least 16 characters");
            }
            out.add(new Token(w[0].getBytes(StandardCharsets.UTF_8), w[1].equals("rw") ? Scope.READ_WRITE : Scope.READ_ONLY,
                    w.length > 2 ? w[2] : "line " + (i + 1)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("API token file " + file + " holds no token");
        }
        return new ApiTokens(out);
    }

    private static void create(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String text = "# xlb API tokens: TOKEN rw|ro [NAME]; created by the daemon at its first start\n"
                + HexFormat.of().formatHex(secret) + " rw admin\n";
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            return; // another process made it first: use theirs
        }
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** The scope of {@code presented}, compared in constant time; empty if it is no token of ours. */
    public Optional<Scope> scope(String presented) {
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        Optional<Scope> found = Optional.empty();
        for (Token t : tokens) {
            if (MessageDigest.isEqual(t.secret(), p)) {
                found = Optional.of(t.scope());
            }
        }
        return found;
    }

    /** The first read-write token in {@code file}, for a client (xlb's own commands, tests). */
    public static Optional<String> firstReadWrite(Path file) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] w = line.replaceFirst("#.*", "").strip().split("\\s+");
            if (w.length >= 2 && w[1].equals("rw")) {
                return Optional.of(w[0]);
            }
        }
        return Optional.empty();
    }
}
