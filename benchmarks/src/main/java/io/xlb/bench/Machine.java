package io.xlb.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line naming the machine a benchmark ran on, and how loaded it was when it started. */
final class Machine {
    private Machine() {}

    static String describe() {
        String model = "?";
        String load = "?";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            // leave the question marks
        }
        return Runtime.getRuntime().availableProcessors() + " CPUs " + model + ", kernel " + System.getProperty("os.version")
                + ", load average at start " + load;
    }
}
