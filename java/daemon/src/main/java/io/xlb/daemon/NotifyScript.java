package io.xlb.daemon;

import io.xlb.health.ScriptCommand;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * notify_up/down, quorum_up/down and the VRRP notify scripts: run as {@link Scripts} says, not
 * waited for (a script must never hold up a failover), killed after a minute, a failure logged.
 */
final class NotifyScript {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");
    private static final long TIMEOUT_SECONDS = 60;

    private NotifyScript() {}

    static void run(ScriptCommand runAs, String command) {
        run(runAs, command, List.of());
    }

    /** Runs {@code command} with {@code args} after it (keepalived's notify: TYPE NAME STATE PRIORITY). */
    static void run(ScriptCommand runAs, String command, List<String> args) {
        if (command == null) {
            return;
        }
        Optional<String> refused = runAs.violation(command);
        if (refused.isPresent()) {
            LOG.log(System.Logger.Level.ERROR, "script ''{0}'' not run (enable_script_security): {1}", command, refused.get());
            return;
        }
        try {
            Process p = runAs.process(command, args).start();
            p.onExit().orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).whenComplete((done, timeout) -> {
                if (timeout != null) {
                    p.destroyForcibly();
                    LOG.log(System.Logger.Level.WARNING, "script ''{0}'' ran over a minute: killed", command);
                } else if (done.exitValue() != 0) {
                    LOG.log(System.Logger.Level.WARNING, "script ''{0}'' exited {1}", command, done.exitValue());
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot run ''{0}'': {1}", command, e.getMessage());
        }
    }
}
