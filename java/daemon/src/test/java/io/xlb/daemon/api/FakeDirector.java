package io.xlb.daemon.api;

import io.xlb.config.Config;
import io.xlb.config.ConfigDiff;
import io.xlb.config.ConfigFiles;
import io.xlb.daemon.ConfigCheck;
import io.xlb.daemon.status.InstanceStatus;
import io.xlb.daemon.status.RealHealth;
import io.xlb.dataplane.Dataplane;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.RealEntry;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.VipKey;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A director without a dataplane: the configuration goes through the real acceptance rule
 * (offline: no interfaces), and what it maps to is "applied" by keeping it. Enough for the API's
 * own logic: files, ETags, refusals.
 */
final class FakeDirector implements Director, AutoCloseable {
    private final Path file;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private volatile Config config;
    private volatile DesiredState desired;
    private volatile long generation;
    volatile boolean stopped;

    FakeDirector(Path file) {
        this.file = file;
        ConfigCheck.Outcome o = ConfigCheck.check(file, List.of(), ConfigCheck.Host.OFFLINE);
        if (!o.accepted(false)) {
            throw new IllegalArgumentException(o.errors().toString());
        }
        config = o.config();
        desired = o.desired();
    }

    @Override
    public Path configFile() {
        return file;
    }

    @Override
    public <T> CompletableFuture<T> serialized(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public String etag() {
        return "test-" + generation;
    }

    @Override
    public Verdict apply(ConfigFiles files, Writes write, java.util.function.Consumer<Config> precondition) {
        ConfigCheck.Outcome o = ConfigCheck.check(file, files, List.of(), ConfigCheck.Host.OFFLINE);
        if (!o.accepted(false)) {
            return new Verdict(false, false, etag(), List.of(), o.errors(), List.of(), config);
        }
        precondition.accept(o.config());
        List<String> diff = ConfigDiff.between(config, o.config()).toString().lines().filter(l -> !l.isBlank()).toList();
        if (write == null) {
            return new Verdict(true, false, etag(), diff, o.diagnostics(), List.of(), o.config());
        }
        try {
            write.apply();
        } catch (IOException e) {
            return new Verdict(false, false, etag(), List.of(), List.of(), List.of(e.toString()), config);
        }
        config = o.config();
        desired = o.desired();
        if (!diff.isEmpty()) {
            generation++;
        }
        return new Verdict(true, true, etag(), diff, o.diagnostics(), List.of(), config);
    }

    @Override
    public DesiredState effective() {
        return desired;
    }

    @Override
    public List<Dataplane.ServiceView> dataplane() {
        return List.of();
    }

    @Override
    public List<RealHealth> health() {
        return List.of();
    }

    @Override
    public List<InstanceStatus> vrrp() {
        return List.of();
    }

    @Override
    public Map<String, String> vrrpScripts() {
        return Map.of();
    }

    @Override
    public List<VipKey> lostQuorums() {
        return List.of();
    }

    @Override
    public Map<Reason, Long> reasons() {
        return Map.of();
    }

    @Override
    public Map<FlowKey, ConnEntry> connections() {
        return Map.of();
    }

    @Override
    public Map<Integer, RealEntry> realEntries() {
        return Map.of();
    }

    @Override
    public Instant started() {
        return Instant.EPOCH;
    }

    @Override
    public void stop() {
        stopped = true;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
