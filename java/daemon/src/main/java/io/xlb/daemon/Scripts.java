package io.xlb.daemon;

import io.xlb.config.GlobalDefs;
import io.xlb.config.VrrpScript;
import io.xlb.health.ScriptCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who runs configured scripts, as keepalived decides: global_defs' script_user; without it the
 * user {@code keepalived_script} when it exists, else root; a vrrp_script's own user wins.
 */
final class Scripts {
    private static final String DEFAULT_USER = "keepalived_script";

    private Scripts() {}

    static ScriptCommand runAs(GlobalDefs g) {
        String user = g.scriptUser() != null ? g.scriptUser() : userExists(DEFAULT_USER) ? DEFAULT_USER : null;
        return new ScriptCommand(user, g.scriptUser() != null ? g.scriptGroup() : null, g.enableScriptSecurity());
    }

    static ScriptCommand runAs(GlobalDefs g, VrrpScript s) {
        return s.user() != null ? new ScriptCommand(s.user(), s.group(), g.enableScriptSecurity()) : runAs(g);
    }

    private static boolean userExists(String name) {
        try {
            return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(name + ":"));
        } catch (IOException e) {
            return false;
        }
    }
}
