package io.xlb.cli;

import io.xlb.bpf.Bpf;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code xlb version}: what this build is and what it runs on (JDK, libbpf, kernel, BTF). */
@Command(name = "version", description = "Print xlb's version and the JDK, libbpf and kernel it runs on.")
public final class VersionCommand implements Callable<Integer>, CommandLine.IVersionProvider {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : getVersion()) {
            out.println(line);
        }
        out.flush();
        return 0;
    }

    /** This build's version, or "(development build)" outside a packaged jar. */
    static String version() {
        String version = VersionCommand.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    @Override
    public String[] getVersion() {
        return List.of(
                "xlb " + version(),
                "jdk " + Runtime.version(),
                "libbpf " + Bpf.libbpfVersion(),
                "kernel " + kernelRelease(),
                "kernel BTF " + (Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")) ? "present" : "absent")
        ).toArray(String[]::new);
    }

    private static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
