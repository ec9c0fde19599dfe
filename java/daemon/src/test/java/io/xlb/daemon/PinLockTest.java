package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** One daemon per pin directory (the lock lives under /run/xlb, so root is needed). */
@Privileged
class PinLockTest {
    @Test
    void aSecondDaemonIsRefusedWithWhoHoldsThePins() throws Exception {
        Path pins = Path.of("/sys/fs/bpf/xlbt-" + ProcessHandle.current().pid() + "-lock");
        Path conf = Path.of("/etc/xlb/keepalived.conf");
        try (PinLock first = PinLock.acquire(pins, conf)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> PinLock.acquire(pins));
            assertEquals("another xlb daemon (pid " + ProcessHandle.current().pid() + ") already runs on " + pins
                    + "; stop it first, or give this one another --pin-dir", e.getMessage());
            PinLock.Holder h = PinLock.daemon(pins).orElseThrow();
            assertEquals(ProcessHandle.current().pid(), h.pid());
            assertEquals(conf.toString(), h.configFile());
        }
        assertTrue(PinLock.daemon(pins).isEmpty(), "released on close");
        assertTrue(!Files.exists(PinLock.lockFile(pins)));
    }
}
