package io.xlb.daemon.api;

import io.xlb.config.Config;
import io.xlb.config.ConfigFiles;
import io.xlb.config.Diagnostic;
import io.xlb.daemon.status.InstanceStatus;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.Reason;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** What the API sees of the running daemon and may ask of it. */
public interface Director {
    /** The main configuration file. */
    Path configFile();

    /** Runs {@code task} on the daemon's thread, one at a time with reloads and health changes. */
    <T> CompletableFuture<T> serialized(Callable<T> task);

    /** The configuration in force. */
    Config config();

    /** The configuration's generation as an entity tag: it changes whenever another configuration takes effect. */
    String etag();

    /**
     * Checks the configuration as read from {@code files} with the daemon's one acceptance rule;
     * unless {@code write} is null, then writes it (by {@code write}) and applies it by diff, all or
     * nothing. Called on the daemon's thread ({@link #serialized}).
     */
    default Verdict apply(ConfigFiles files, Writes write) {
        return apply(files, write, config -> {});
    }

    /**
     * As above; {@code precondition} is shown the accepted configuration before anything is
     * written and may refuse it by throwing (an {@link ApiProblem}).
     */
    Verdict apply(ConfigFiles files, Writes write, java.util.function.Consumer<Config> precondition);

    /** Writes files before a configuration is applied, and takes them back if applying it fails. */
    interface Writes {
        /** Nothing to write: the files on disk are the configuration (a reload). */
        Writes NONE = new Writes() {
            @Override
            public void apply() {}

            @Override
            public void undo() {}
        };

        void apply() throws java.io.IOException;

        void undo() throws java.io.IOException;
    }

    /** What the maps were last given: the configuration with the reals' health applied. */
    DesiredState effective();

    List<Dataplane.ServiceView> dataplane();

    List<RealHealth> health();

    List<InstanceStatus> vrrp();

    /** Each vrrp_script's state: ok, failing, or not run yet. */
    Map<String, String> vrrpScripts();

    /** The services whose quorum is lost (their sorry server, if any, serves). */
    List<io.xlb.dataplane.abi.VipKey> lostQuorums();

    Map<Reason, Long> reasons();

    Map<FlowKey, ConnEntry> connections();

    Map<Integer, io.xlb.dataplane.abi.RealEntry> realEntries();

    Instant started();

    /** Stops the daemon (the dataplane keeps forwarding), soon after the answer is sent. */
    void stop();

    /**
     * A check's or a write's outcome: taken (with its diff, and the configuration and entity tag
     * it produced) or refused (errors at their positions, and refusals that have none).
     */
    record Verdict(boolean accepted, boolean applied, String etag, List<String> diff, List<Diagnostic> errors,
                   List<String> refusals, Config config) {
        public Verdict {
            diff = List.copyOf(diff);
            errors = List.copyOf(errors);
            refusals = List.copyOf(refusals);
        }
    }
}
