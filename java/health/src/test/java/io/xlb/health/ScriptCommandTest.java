package io.xlb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tier 1: how a configured script is run (shell, user, its arguments). */
class ScriptCommandTest {
    @Test
    void argvRunsByShellAsTheGivenUser() {
        assertEquals(List.of("/bin/sh", "-c", "/bin/check", "xlb-script"), ScriptCommand.AS_DAEMON.argv("/bin/check", List.of()));
        assertEquals(List.of("runuser", "-u", "nobody", "-g", "nogroup", "--", "/bin/sh", "-c", "/bin/notify \"$@\"", "xlb-script",
                "INSTANCE", "VI_1", "MASTER", "100"), new ScriptCommand("nobody", "nogroup", false)
                .argv("/bin/notify", List.of("INSTANCE", "VI_1", "MASTER", "100")));
        assertEquals(List.of("/bin/sh", "-c", "/bin/check", "xlb-script"), new ScriptCommand("root", null, true).argv("/bin/check", List.of()));
    }
}
