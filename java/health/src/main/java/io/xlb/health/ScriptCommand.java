package io.xlb.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a configured script (MISC_CHECK, notify scripts, vrrp_script) is run, as keepalived runs it:
 * by /bin/sh, as {@code user} (and {@code group}) when one is given (keepalived's script_user, or a
 * vrrp_script's user), else as the daemon's own user. With {@code secure} (enable_script_security)
 * a script to be run as root is refused when a non-root user could change it: the file or any
 * directory above it owned by someone else or writable by group or others.
 */
public record ScriptCommand(String user, String group, boolean secure) {
    public static final ScriptCommand AS_DAEMON = new ScriptCommand(null, null, false);
    private static final String ROOT = "root";

    /** The argv that runs {@code command} with {@code args} as its positional parameters ($1, $2, ...). */
    public List<String> argv(String command, List<String> args) {
        List<String> out = new ArrayList<>();
        if (user != null && !user.equals(ROOT)) {
            // runuser (util-linux) sets the user's groups, as keepalived's setuid/initgroups does.
            out.addAll(List.of("runuser", "-u", user));
            if (group != null) {
                out.addAll(List.of("-g", group));
            }
            out.add("--");
        }
        out.addAll(List.of("/bin/sh", "-c", args.isEmpty() ? command : command + " \"$@\"", "xlb-script"));
        out.addAll(args);
        return out;
    }

    public ProcessBuilder process(String command, List<String> args) {
        return new ProcessBuilder(argv(command, args)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }

    /** Why {@code command} must not run (enable_script_security), or empty. */
    public Optional<String> violation(String command) {
        boolean asRoot = user == null || user.equals(ROOT);
        if (!secure || !asRoot) {
            return Optional.empty();
        }
        String first = command.strip().split("\\s+")[0];
        Path file = Path.of(first);
        if (!file.isAbsolute()) {
            return Optional.of("'" + first + "' is not an absolute path: under enable_script_security a script run as root must be");
        }
        for (Path p = file; p != null; p = p.getParent()) {
            try {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) {
                    p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
                    a = Files.readAttributes(p, PosixFileAttributes.class);
                }
                boolean byGroup = a.permissions().contains(PosixFilePermission.GROUP_WRITE) && !a.group().getName().equals(ROOT);
                if (!a.owner().getName().equals(ROOT) || byGroup || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)
                        && !(a.isDirectory() && sticky(p))) {
                    return Optional.of(p + " can be changed by a user other than root (owner " + a.owner().getName() + ", "
                            + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()) + ")");
                }
            } catch (IOException e) {
                return Optional.of("cannot check " + p + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** A world-writable directory with the sticky bit (/tmp) lets nobody replace another's file. */
    private static boolean sticky(Path dir) throws IOException {
        Object mode = Files.getAttribute(dir, "unix:mode");
        return mode instanceof Integer m && (m & 01000) != 0;
    }
}
