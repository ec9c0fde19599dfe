package io.xlb.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per pin directory: an exclusive lock on a file under /run/xlb named after the pin
 * directory (a bpffs holds only BPF objects, not lock files), holding the daemon's pid.
 */
public final class PinLock implements AutoCloseable {
    public static final Path RUN_DIR = Path.of("/run/xlb");

    private final FileChannel channel;
    private final FileLock lock;
    private final Path file;

    private PinLock(FileChannel channel, FileLock lock, Path file) {
        this.channel = channel;
        this.lock = lock;
        this.file = file;
    }

    public static Path lockFile(Path pinDir) {
        String name = pinDir.toAbsolutePath().normalize().toString().replaceAll("[^A-Za-z0-9]+", "_");
        return RUN_DIR.resolve(name + ".lock");
    }

    /** What a running daemon wrote in its lock: its pid and the file it runs. */
    public record Holder(long pid, String configFile) {}

    /** Takes the lock, or fails with who holds it. */
    public static PinLock acquire(Path pinDir) throws IOException {
        return acquire(pinDir, null);
    }

    /** Takes the lock, recording the configuration file the daemon runs. */
    public static PinLock acquire(Path pinDir, Path configFile) throws IOException {
        Files.createDirectories(RUN_DIR);
        Path file = lockFile(pinDir);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // this very process holds it already
        }
        if (lock == null) {
            String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip().split("\n")[0];
            ch.close();
            throw new IllegalStateException("another xlb daemon (pid " + (holder.isEmpty() ? "?" : holder)
                    + ") already runs on " + pinDir + "; stop it first, or give this one another --pin-dir");
        }
        ch.truncate(0);
        String content = ProcessHandle.current().pid() + "\n" + (configFile == null ? "" : configFile.toAbsolutePath()) + "\n";
        ch.write(java.nio.ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
        return new PinLock(ch, lock, file);
    }

    /** The daemon holding the lock of {@code pinDir}, if one does. */
    public static java.util.Optional<Holder> daemon(Path pinDir) {
        java.util.OptionalLong pid = holder(pinDir);
        if (pid.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            String[] lines = Files.readString(lockFile(pinDir)).split("\n");
            return java.util.Optional.of(new Holder(pid.getAsLong(), lines.length > 1 ? lines[1].strip() : ""));
        } catch (IOException e) {
            return java.util.Optional.of(new Holder(pid.getAsLong(), ""));
        }
    }

    /** The pid of the daemon holding the lock of {@code pinDir}, if one does. */
    public static java.util.OptionalLong holder(Path pinDir) {
        Path file = lockFile(pinDir);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock probe = ch.tryLock();
            if (probe != null) {
                probe.release();
                return java.util.OptionalLong.empty(); // nobody holds it
            }
            String pid = Files.readString(file).strip().split("\n")[0].strip();
            return pid.isEmpty() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(Long.parseLong(pid));
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return java.util.OptionalLong.of(ProcessHandle.current().pid()); // held by this very process
        } catch (IOException | NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
        Files.deleteIfExists(file);
    }
}
