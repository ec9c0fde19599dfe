package io.xlb.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.testing.Privileged;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** keepalived's script_user and enable_script_security, on real files and a real user switch (root). */
@Privileged(tools = {"runuser", "chown"})
class ScriptSecurityTest {
    @Test
    void aMiscCheckRunsAsScriptUser() throws Exception {
        ScriptCommand nobody = new ScriptCommand("nobody", null, true);
        assertEquals(Verdict.PASS, BlockingChecks.misc(new CheckSpec.Misc("test \"$(id -un)\" = nobody", Duration.ofSeconds(5), false, nobody)));
        assertEquals(Verdict.PASS, BlockingChecks.misc(new CheckSpec.Misc("test \"$(id -un)\" = root", Duration.ofSeconds(5), false,
                ScriptCommand.AS_DAEMON)));
    }

    @Test
    void scriptSecurityRefusesWhatANonRootUserCouldChange() throws Exception {
        ScriptCommand secure = new ScriptCommand(null, null, true);
        Path dir = Files.createTempDirectory("xlb-sec"); // root's, 0700, under the sticky /tmp
        try {
            Path script = dir.resolve("check.sh");
            Files.writeString(script, "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            assertEquals(Optional.empty(), secure.violation(script + " --quiet"));
            assertEquals(Optional.empty(), secure.violation("/bin/true"));

            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxrwx"));
            assertTrue(secure.violation(script.toString()).orElseThrow().startsWith(script + " can be changed by a user other than root"));
            assertEquals(Optional.empty(), new ScriptCommand(null, null, false).violation(script.toString()),
                    "without enable_script_security nothing is refused");
            assertEquals(Optional.empty(), new ScriptCommand("nobody", null, true).violation(script.toString()),
                    "only scripts run as root are checked");

            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            new ProcessBuilder("chown", "nobody", script.toString()).start().waitFor();
            assertTrue(secure.violation(script.toString()).orElseThrow().contains("owner nobody"));
            assertTrue(secure.violation("check.sh").orElseThrow().contains("not an absolute path"));
            assertTrue(BlockingChecks.misc(new CheckSpec.Misc(script.toString(), Duration.ofSeconds(5), false, secure))
                    .failure().startsWith("not run (enable_script_security)"));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
