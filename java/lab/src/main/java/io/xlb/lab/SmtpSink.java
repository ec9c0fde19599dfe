package io.xlb.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * An SMTP server for tests: Debian's aiosmtpd (python3-aiosmtpd) on loopback in a namespace,
 * keeping every mail it accepts in a Maildir, so a test reads what a sender really delivered.
 */
public final class SmtpSink implements AutoCloseable {
    private static final String PYTHON = "/usr/bin/python3"; // Debian's, where python3-aiosmtpd is installed

    private final BackgroundProcess server;
    private final Path maildir;
    private final int port;

    private SmtpSink(BackgroundProcess server, Path maildir, int port) {
        this.server = server;
        this.maildir = maildir;
        this.port = port;
    }

    public static SmtpSink start(Lab lab, Netns ns, int port) {
        Path maildir = lab.scratch().resolve("maildir-" + port);
        BackgroundProcess p = lab.start(ns, "smtp-" + port, PYTHON, "-m", "aiosmtpd", "-n",
                "-c", "aiosmtpd.handlers.Mailbox", "-l", "127.0.0.1:" + port, maildir.toString());
        Listening.await(ns, "aiosmtpd", p, port, Duration.ofSeconds(15));
        return new SmtpSink(p, maildir, port);
    }

    public int port() {
        return port;
    }

    /** Each mail received so far, as its raw text (headers, blank line, body), oldest first. */
    public List<String> messages() {
        Path fresh = maildir.resolve("new");
        if (!Files.isDirectory(fresh)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(fresh)) {
            return files.sorted((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
                    .map(f -> {
                        try {
                            return Files.readString(f);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
    }
}
