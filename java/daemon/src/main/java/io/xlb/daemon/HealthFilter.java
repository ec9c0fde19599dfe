package io.xlb.daemon;

import io.xlb.config.Addresses;
import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.VipKey;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * From the configured state to what the dataplane should hold given the reals' health, as
 * keepalived's checker does: a down real is removed (or kept at weight 0 with
 * inhibit_on_failure); when the live weight of a service falls below its quorum (less the
 * hysteresis) the quorum is lost — quorum_down runs and the sorry server, if any, takes every new
 * flow — until it reaches quorum plus hysteresis again (quorum_up runs). Pure: the health and the
 * previous quorum states are given.
 */
public final class HealthFilter {
    private HealthFilter() {}

    /**
     * A service's quorum settings (keepalived: quorum 1, hysteresis 0); omega: its down scripts run
     * at shutdown; smtpAlert: quorum changes are mailed.
     */
    public record Policy(int quorum, int hysteresis, InetAddress sorryAddress, int sorryPort, boolean sorryInhibit,
                         String quorumUp, String quorumDown, boolean omega, boolean smtpAlert) {
        static final Policy DEFAULT = new Policy(1, 0, null, 0, false, null, null, false, false);
    }

    /** What the checkers say of each real. */
    public interface RealHealth {
        boolean up(HealthPlan.RealId id);

        /** inhibit_on_failure: kept at weight 0 while down instead of removed. */
        boolean inhibited(HealthPlan.RealId id);

        /** The weight a misc_dynamic check set; empty: the configured one. */
        OptionalInt weight(HealthPlan.RealId id);
    }

    /** The state to apply, each service's quorum (true: held), and the scripts to run for transitions. */
    public record Outcome(DesiredState state, Map<VipKey, Boolean> quorum, List<String> scripts) {}

    public static Outcome apply(DesiredState configured, RealHealth health, Map<VipKey, Policy> policies,
                                Map<VipKey, Boolean> quorumBefore) {
        return apply(configured, health, policies, Map.of(), quorumBefore);
    }

    /**
     * With {@code aliases}: a group's other addresses, each to its first, under which the reals'
     * health and the quorum are kept once for the whole group (its scripts run once).
     */
    public static Outcome apply(DesiredState configured, RealHealth health, Map<VipKey, Policy> policies,
                                Map<VipKey, VipKey> aliases, Map<VipKey, Boolean> quorumBefore) {
        List<Service> services = new ArrayList<>();
        Map<VipKey, Boolean> quorum = new HashMap<>();
        List<String> scripts = new ArrayList<>();
        for (Service svc : configured.services()) {
            VipKey key = aliases.getOrDefault(svc.vip(), svc.vip());
            List<Real> reals = new ArrayList<>();
            long liveWeight = 0;
            for (Real r : svc.reals()) {
                HealthPlan.RealId id = id(key, r);
                Real weighted = health.weight(id).isPresent() ? r.withWeight(health.weight(id).getAsInt()) : r;
                if (health.up(id)) {
                    reals.add(weighted);
                    liveWeight += weighted.weight();
                } else if (health.inhibited(id)) {
                    reals.add(r.withWeight(0));
                }
            }
            Policy p = policies.getOrDefault(key, Policy.DEFAULT);
            // Another address of the same group decided the quorum already (its scripts ran once).
            boolean decided = quorum.containsKey(key);
            boolean held = decided ? quorum.get(key) : quorumBefore.getOrDefault(key, true);
            if (!decided && held && liveWeight < (long) p.quorum() - p.hysteresis()) {
                held = false;
                if (p.quorumDown() != null) {
                    scripts.add(p.quorumDown());
                }
            } else if (!decided && !held && liveWeight >= (long) p.quorum() + p.hysteresis()) {
                held = true;
                if (p.quorumUp() != null) {
                    scripts.add(p.quorumUp());
                }
            }
            quorum.put(key, held);
            if (!held && p.sorryAddress() != null) {
                // The sorry server takes every new flow; the reals that still live keep their established ones.
                List<Real> withSorry = new ArrayList<>();
                reals.forEach(r -> withSorry.add(r.withWeight(0)));
                withSorry.add(sorry(p, 1));
                reals = withSorry;
            } else if (p.sorryAddress() != null && p.sorryInhibit()) {
                // sorry_server_inhibit: out of service it stays at weight 0 (its flows end where they are).
                reals.add(sorry(p, 0));
            }
            services.add(svc.withReals(reals));
        }
        return new Outcome(configured.withServices(services), quorum, scripts);
    }

    private static Real sorry(Policy p, int weight) {
        return new Real(p.sorryAddress(), p.sorryPort(), weight, null, MacAddress.ZERO, 0);
    }

    static HealthPlan.RealId id(VipKey vip, Real r) {
        return new HealthPlan.RealId(Addresses.normalize(vip.address().getHostAddress()), vip.port(), vip.protocol().name(),
                Addresses.normalize(r.address().getHostAddress()), r.port());
    }
}
