package io.xlb.dataplane;

import io.xlb.bpf.Bpf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A pin directory of this test run's own, {@code /sys/fs/bpf/xlbt-PID-NAME} (runs side by side never
 * share one), whose director pins are removed after each test: a test's {@code @RegisterExtension} field.
 */
final class DirectorPins implements AfterEachCallback {
    private final Path dir;

    DirectorPins(String name) {
        dir = Path.of("/sys/fs/bpf", "xlbt-" + ProcessHandle.current().pid() + "-" + name);
    }

    Path dir() {
        return dir;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (Files.exists(dir)) {
            try (Bpf bpf = Bpf.open()) {
                DataplaneLoader.unpin(bpf, dir);
            }
        }
    }
}
