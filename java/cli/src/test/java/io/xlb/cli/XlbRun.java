package io.xlb.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;

/** One in-process run of the {@code xlb} command: exit code and what it printed. */
record XlbRun(int exit, String out, String err) {
    static XlbRun of(String... args) {
        var cl = Xlb.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new XlbRun(exit, out.toString(), err.toString());
    }

    /** {@code xlb <command> <args…> --pin-dir DIR}. */
    static XlbRun withPinDir(String command, java.nio.file.Path pinDir, String... args) {
        return of(Stream.concat(Stream.concat(Stream.of(command), Stream.of(args)), Stream.of("--pin-dir", pinDir.toString()))
                .toArray(String[]::new));
    }
}
