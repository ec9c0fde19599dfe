package io.xlb.daemon;

import io.xlb.config.GlobalDefs;
import io.xlb.config.VrrpScript;
import io.xlb.health.ScriptCommand;
import io.xlb.vrrp.ScriptState;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs each vrrp_script every {@code interval} (a run still going is not started again), kills it
 * after {@code timeout}, and keeps its verdict with rise and fall ({@link ScriptState}). Exit 0
 * passes. When a script's verdict flips, {@code onChange} runs so instances re-evaluate.
 */
final class VrrpScripts implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");

    private record Running(VrrpScript script, ScriptCommand runAs, ScheduledFuture<?> task) {}

    private final ScheduledExecutorService scheduler;
    private final Runnable onChange;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Map<String, ScriptState> states = new java.util.concurrent.ConcurrentHashMap<>();

    VrrpScripts(ScheduledExecutorService scheduler, Runnable onChange) {
        this.scheduler = scheduler;
        this.onChange = onChange;
    }

    /** Starts, restarts (when changed) or stops runners to match {@code scripts}. */
    synchronized void sync(GlobalDefs global, List<VrrpScript> scripts) {
        Map<String, VrrpScript> wanted = new LinkedHashMap<>();
        scripts.forEach(s -> wanted.put(s.name(), s));
        for (String name : List.copyOf(running.keySet())) {
            VrrpScript next = wanted.get(name);
            if (next == null || !io.xlb.config.Positions.sameIgnoringPositions(next, running.get(name).script())
                    || !Scripts.runAs(global, next).equals(running.get(name).runAs())) {
                running.remove(name).task().cancel(false);
                states.remove(name);
            }
        }
        for (VrrpScript s : wanted.values()) {
            if (!running.containsKey(s.name())) {
                ScriptCommand runAs = Scripts.runAs(global, s);
                AtomicBoolean busy = new AtomicBoolean();
                ScheduledFuture<?> task = scheduler.scheduleAtFixedRate(() -> {
                    if (busy.compareAndSet(false, true)) {
                        Thread.ofVirtual().name("vrrp_script " + s.name()).start(() -> {
                            try {
                                record(s, runOnce(s, runAs));
                            } finally {
                                busy.set(false);
                            }
                        });
                    }
                }, 0, s.interval().toMillis(), TimeUnit.MILLISECONDS);
                running.put(s.name(), new Running(s, runAs, task));
            }
        }
    }

    boolean ok(String name) {
        return states.getOrDefault(name, ScriptState.UNKNOWN).isOk();
    }

    /** One line per script for {@code xlb status}. */
    /** Each script's state: ok, failing, or not run yet. */
    java.util.Map<String, String> states() {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        states.forEach((name, st) -> out.put(name, st.ok() == null ? "not run yet" : st.isOk() ? "ok" : "failing"));
        return out;
    }

    private void record(VrrpScript s, boolean success) {
        ScriptState before = states.getOrDefault(s.name(), ScriptState.UNKNOWN);
        ScriptState after = before.next(success, s.rise(), s.fall());
        states.put(s.name(), after);
        if (before.isOk() != after.isOk() || before.ok() == null) {
            LOG.log(after.isOk() ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "vrrp_script {0} {1}",
                    s.name(), after.isOk() ? "succeeded" : "failed");
            onChange.run();
        }
    }

    private static boolean runOnce(VrrpScript s, ScriptCommand runAs) {
        java.util.Optional<String> refused = runAs.violation(s.script());
        if (refused.isPresent()) {
            LOG.log(System.Logger.Level.ERROR, "vrrp_script {0} not run (enable_script_security): {1}", s.name(), refused.get());
            return false;
        }
        try {
            Process p = runAs.process(s.script(), List.of()).start();
            if (!p.waitFor(s.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                LOG.log(System.Logger.Level.WARNING, "vrrp_script {0} timed out after {1} ms", s.name(), s.timeout().toMillis());
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "vrrp_script {0}: {1}", s.name(), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public synchronized void close() {
        running.values().forEach(r -> r.task().cancel(false));
        running.clear();
    }
}
