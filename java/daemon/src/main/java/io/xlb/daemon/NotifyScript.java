package io.xlb.daemon;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * notify_up/down, quorum_up/down and the VRRP notify scripts: run by /bin/sh, not waited for (a
 * script must never hold up a failover), killed after a minute, a failure logged.
 */
final class NotifyScript {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");
    private static final long TIMEOUT_SECONDS = 60;

    private NotifyScript() {}

    static void run(String command) {
        run(command, List.of());
    }

    /** Runs {@code command} with {@code args} after it (keepalived's notify: TYPE NAME STATE PRIORITY). */
    static void run(String command, List<String> args) {
        if (command == null) {
            return;
        }
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", args.isEmpty() ? command : command + " \"$@\"", "xlb-notify"));
        argv.addAll(args);
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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
