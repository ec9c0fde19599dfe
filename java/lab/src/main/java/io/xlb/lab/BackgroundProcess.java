package io.xlb.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command left running (a server); output goes to a log file; closing kills it and its children. */
public final class BackgroundProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String description;

    private BackgroundProcess(Process process, Path log, String description) {
        this.process = process;
        this.log = log;
        this.description = description;
    }

    static BackgroundProcess start(Command command, Path log) {
        try {
            Process p = new ProcessBuilder(command.argv()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            return new BackgroundProcess(p, log, String.join(" ", command.argv()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.argv(), e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** kill -9 of the process and all its descendants (a crash: nothing gets to clean up). */
    public void kill() throws InterruptedException {
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
