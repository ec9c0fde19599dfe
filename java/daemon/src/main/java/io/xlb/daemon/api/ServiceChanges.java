package io.xlb.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.xlb.config.Config;
import io.xlb.config.ConfigFiles;
import io.xlb.config.Diagnostic;
import io.xlb.config.VirtualServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One atomic set of edits to the managed directory: each operation (put, patch or delete of a
 * service or of one of its reals) renders a file; then the whole configuration, with those files
 * in place of the directory's, goes through the daemon's acceptance rule and is applied, or the
 * request is refused and nothing changes. Runs on the daemon's thread.
 */
final class ServiceChanges {
    private final Director director;
    private final ManagedDir managed;
    private final Config config;
    private final Map<String, String> before;
    private final Map<String, String> after;
    /** For each file rendered here: its text's pointers, under the operation's pointer prefix. */
    private final Map<String, Rendered> rendered = new HashMap<>();
    /** The services each operation must leave defined (in the managed directory) or gone. */
    private final Map<ServiceKey, Boolean> expect = new LinkedHashMap<>();
    private boolean created;

    private record Rendered(String prefix, ServiceText text) {}

    ServiceChanges(Director director, ManagedDir managed) {
        this.director = director;
        this.managed = managed;
        this.config = director.config();
        try {
            this.before = managed.read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.after = new TreeMap<>(before);
    }

    /** Whether an operation created a service that did not exist. */
    boolean created() {
        return created;
    }

    /** The service as configured now (after earlier operations of this request), if any. */
    private Optional<ServiceSpec> current(ServiceKey key) {
        Optional<VirtualServer> vs = ServiceView.find(config, key);
        if (vs.isPresent() && !managed.holds(vs.get().pos().file())) {
            throw ApiProblem.conflict("service " + key + " is defined by hand at " + vs.get().pos().file() + ":"
                    + vs.get().pos().line() + ": the API changes only the services it wrote (" + managed.path() + "); edit that"
                    + " file and reload, or move the service into the API's directory");
        }
        Rendered r = rendered.get(key.fileName());
        if (r != null || expect.containsKey(key)) {
            return Optional.ofNullable(pending.get(key));
        }
        return vs.map(ServiceText::read);
    }

    private final Map<ServiceKey, ServiceSpec> pending = new HashMap<>();

    private void set(ServiceKey key, ServiceSpec spec, String prefix) {
        if (spec == null) {
            after.remove(key.fileName());
            rendered.remove(key.fileName());
            pending.remove(key);
            expect.put(key, false);
        } else {
            ServiceText t = ServiceText.render(spec);
            after.put(key.fileName(), t.text());
            rendered.put(key.fileName(), new Rendered(prefix, t));
            pending.put(key, spec);
            expect.put(key, true);
        }
    }

    void putService(ServiceKey key, JsonNode body, String prefix) {
        Optional<ServiceSpec> now = current(key);
        ServiceSpec spec = SpecJson.service(key, body, prefix);
        created |= now.isEmpty();
        set(key, spec, prefix);
    }

    void patchService(ServiceKey key, JsonNode patch, String prefix) {
        ServiceSpec now = current(key).orElseThrow(() -> ApiProblem.notFound("no service " + key));
        if (!patch.isObject()) {
            throw ApiProblem.invalid(prefix, "a merge patch of a service is a JSON object");
        }
        set(key, SpecJson.service(key, SpecJson.mergePatch(SpecJson.write(now), patch), prefix), prefix);
    }

    void deleteService(ServiceKey key) {
        current(key).orElseThrow(() -> ApiProblem.notFound("no service " + key));
        set(key, null, "");
    }

    void putReal(ServiceKey key, ServiceKey.Endpoint ep, JsonNode body, String prefix) {
        ServiceSpec now = current(key).orElseThrow(() -> ApiProblem.notFound("no service " + key));
        ServiceSpec.RealSpec r = SpecJson.real(ep, body, prefix);
        List<ServiceSpec.RealSpec> reals = new ArrayList<>(now.reals());
        int i = index(now, ep);
        if (i < 0) {
            created = true;
            reals.add(r);
        } else {
            reals.set(i, r);
        }
        set(key, now.withReals(reals), prefix.isEmpty() ? "/reals/" + (i < 0 ? reals.size() - 1 : i) : prefix);
    }

    void patchReal(ServiceKey key, ServiceKey.Endpoint ep, JsonNode patch, String prefix) {
        ServiceSpec now = current(key).orElseThrow(() -> ApiProblem.notFound("no service " + key));
        int i = index(now, ep);
        if (i < 0) {
            throw ApiProblem.notFound("service " + key + " has no real " + ep);
        }
        if (!patch.isObject()) {
            throw ApiProblem.invalid(prefix, "a merge patch of a real is a JSON object");
        }
        ObjectNode base = SpecJson.write(now.reals().get(i));
        if (patch.has("weight") || patch.has("state")) {
            // weight and state say one thing: the patch's replaces both
            base.remove("weight");
            base.remove("state");
        }
        List<ServiceSpec.RealSpec> reals = new ArrayList<>(now.reals());
        reals.set(i, SpecJson.real(ep, SpecJson.mergePatch(base, patch), prefix));
        set(key, now.withReals(reals), prefix.isEmpty() ? "/reals/" + i : prefix);
    }

    void deleteReal(ServiceKey key, ServiceKey.Endpoint ep) {
        ServiceSpec now = current(key).orElseThrow(() -> ApiProblem.notFound("no service " + key));
        int i = index(now, ep);
        if (i < 0) {
            throw ApiProblem.notFound("service " + key + " has no real " + ep);
        }
        List<ServiceSpec.RealSpec> reals = new ArrayList<>(now.reals());
        reals.remove(i);
        set(key, now.withReals(reals), "");
    }

    private static int index(ServiceSpec s, ServiceKey.Endpoint ep) {
        for (int i = 0; i < s.reals().size(); i++) {
            if (s.reals().get(i).endpoint().equals(ep)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Checks the edited configuration and, unless {@code dryRun}, writes and applies it. Refusals
     * are thrown: errors in the files rendered here at their JSON pointers (422), anything else
     * naming its file and line (409).
     */
    Director.Verdict commit(boolean dryRun) {
        ConfigFiles files;
        try {
            files = ConfigFiles.replacing(managed.path(), after);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Director.Verdict v = director.apply(files, dryRun ? null : managed.write(before, after), this::requireIncluded);
        refuse(v);
        return v;
    }

    /** Each service written here must be read from the managed directory: else the main file does not include it. */
    private void requireIncluded(Config next) {
        for (Map.Entry<ServiceKey, Boolean> e : expect.entrySet()) {
            Optional<VirtualServer> vs = ServiceView.find(next, e.getKey());
            if (e.getValue() && (vs.isEmpty() || !managed.holds(vs.get().pos().file()))) {
                throw ApiProblem.conflict(director.configFile() + " does not include the API's directory: add the line 'include "
                        + managed.path() + "/*.conf' to it and reload");
            }
        }
    }

    private void refuse(Director.Verdict v) {
        if (v.accepted()) {
            return;
        }
        List<ApiProblem.Item> items = new ArrayList<>();
        boolean ours = false;
        for (Diagnostic d : v.errors()) {
            String name = java.nio.file.Path.of(d.pos().file()).getFileName().toString();
            Rendered r = managed.holds(d.pos().file()) ? rendered.get(name) : null;
            if (r != null) {
                ours = true;
                items.add(new ApiProblem.Item(r.prefix() + r.text().pointer(d.pos().line()), d.message()));
            } else {
                items.add(new ApiProblem.Item("", d.toString()));
            }
        }
        v.refusals().forEach(s -> items.add(new ApiProblem.Item("", s)));
        throw new ApiProblem(ours ? 422 : 409, items);
    }
}
