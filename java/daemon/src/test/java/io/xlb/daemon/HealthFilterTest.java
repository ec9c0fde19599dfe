package io.xlb.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tier 1: removal, inhibition, quorum with hysteresis and the sorry server. */
class HealthFilterTest {
    private static final VipKey WEB = new VipKey(InetAddress.ofLiteral("192.0.2.10"), 80, Protocol.TCP);
    private static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
    private static final Real A = Real.of(InetAddress.ofLiteral("10.0.0.1"), 80, 3, MAC);
    private static final Real B = Real.of(InetAddress.ofLiteral("10.0.0.2"), 80, 2, MAC);
    private static final DesiredState STATE = DesiredState.of(new Service(WEB, Scheduler.named("wrr"), Method.DR, List.of(A, B)));
    private static final HealthFilter.Policy POLICY = new HealthFilter.Policy(3, 1, InetAddress.ofLiteral("10.0.0.99"), 80,
            false, "/bin/quorum-up", "/bin/quorum-down", false, false);

    private static HealthFilter.Outcome run(Set<Real> down, Set<Real> inhibited, boolean quorumBefore) {
        return run(down, inhibited, Map.of(), quorumBefore);
    }

    private static HealthFilter.Outcome run(Set<Real> down, Set<Real> inhibited, Map<Real, Integer> dynamic, boolean quorumBefore) {
        return HealthFilter.apply(STATE, new HealthFilter.RealHealth() {
            @Override
            public boolean up(HealthPlan.RealId id) {
                return down.stream().noneMatch(r -> HealthFilter.id(WEB, r).equals(id));
            }

            @Override
            public boolean inhibited(HealthPlan.RealId id) {
                return inhibited.stream().anyMatch(r -> HealthFilter.id(WEB, r).equals(id));
            }

            @Override
            public OptionalInt weight(HealthPlan.RealId id) {
                return dynamic.entrySet().stream().filter(e -> HealthFilter.id(WEB, e.getKey()).equals(id))
                        .mapToInt(Map.Entry::getValue).findFirst();
            }
        }, Map.of(WEB, POLICY), Map.of(WEB, quorumBefore));
    }

    private static List<String> reals(HealthFilter.Outcome o) {
        return o.state().services().getFirst().reals().stream().map(r -> r.address().getHostAddress() + "/" + r.weight()).toList();
    }

    @Test
    void aDynamicWeightReplacesTheConfiguredOneAndCountsForTheQuorum() {
        assertEquals(List.of("10.0.0.1/8", "10.0.0.2/2"), reals(run(Set.of(), Set.of(), Map.of(A, 8), true)));
        HealthFilter.Outcome o = run(Set.of(), Set.of(), Map.of(A, 0, B, 1), true);
        assertEquals(false, o.quorum().get(WEB), "live weight 1 < quorum 3 - hysteresis 1");
        assertEquals(List.of("/bin/quorum-down"), o.scripts());
        assertEquals(List.of("10.0.0.1/0", "10.0.0.2/0", "10.0.0.99/1"), reals(run(Set.of(A, B), Set.of(A, B), Map.of(A, 8), true)),
                "inhibited while down: weight 0 whatever the dynamic weight (the sorry server takes over)");
    }

    @Test
    void aDownRealIsRemovedOrInhibited() {
        assertEquals(List.of("10.0.0.1/3"), reals(run(Set.of(B), Set.of(), true)));
        assertEquals(List.of("10.0.0.1/3", "10.0.0.2/0"), reals(run(Set.of(B), Set.of(B), true)));
    }

    @Test
    void quorumHoldsDownToQuorumLessHysteresis() {
        assertEquals(true, run(Set.of(B), Set.of(), true).quorum().get(WEB), "live weight 3 >= 3 - 1");
        HealthFilter.Outcome two = run(Set.of(A), Set.of(), true);
        assertEquals(true, two.quorum().get(WEB), "live weight 2 >= 3 - 1: still held");
        assertEquals(List.of(), two.scripts());
    }

    @Test
    void hysteresisOnBothSides() {
        HealthFilter.Outcome lost = run(Set.of(A, B), Set.of(), true);
        assertEquals(false, lost.quorum().get(WEB));
        assertEquals(List.of("/bin/quorum-down"), lost.scripts());
        assertEquals(List.of("10.0.0.99/1"), reals(lost), "only the sorry server takes flows");
        HealthFilter.Outcome stillLost = run(Set.of(A), Set.of(), false);
        assertEquals(false, stillLost.quorum().get(WEB), "2 < 3 + 1: not back yet");
        assertEquals(List.of("10.0.0.2/0", "10.0.0.99/1"), reals(stillLost));
        HealthFilter.Outcome back = run(Set.of(), Set.of(), false);
        assertEquals(true, back.quorum().get(WEB), "5 >= 3 + 1");
        assertEquals(List.of("/bin/quorum-up"), back.scripts());
        assertEquals(List.of("10.0.0.1/3", "10.0.0.2/2"), reals(back));
    }

    @Test
    void sorryServerInhibitKeepsTheSorryServerAtWeightZeroWhileTheQuorumHolds() {
        HealthFilter.Policy inhibit = new HealthFilter.Policy(3, 1, InetAddress.ofLiteral("10.0.0.99"), 80, true, null, null,
                false, false);
        HealthFilter.RealHealth allUp = new HealthFilter.RealHealth() {
            @Override
            public boolean up(HealthPlan.RealId id) {
                return true;
            }

            @Override
            public boolean inhibited(HealthPlan.RealId id) {
                return false;
            }

            @Override
            public OptionalInt weight(HealthPlan.RealId id) {
                return OptionalInt.empty();
            }
        };
        assertEquals(List.of("10.0.0.1/3", "10.0.0.2/2", "10.0.0.99/0"),
                reals(HealthFilter.apply(STATE, allUp, Map.of(WEB, inhibit), Map.of(WEB, true))));
        assertEquals(List.of("10.0.0.1/3", "10.0.0.2/2"), reals(run(Set.of(), Set.of(), true)), "without it: not listed");
    }

    @Test
    void aGroupsAddressesShareTheirRealsHealthAndOneQuorum() {
        VipKey other = new VipKey(InetAddress.ofLiteral("192.0.2.11"), 80, Protocol.TCP);
        DesiredState group = DesiredState.of(new Service(WEB, Scheduler.named("wrr"), Method.DR, List.of(A, B)),
                new Service(other, Scheduler.named("wrr"), Method.DR, List.of(A, B)));
        HealthFilter.Outcome o = HealthFilter.apply(group, new HealthFilter.RealHealth() {
            @Override
            public boolean up(HealthPlan.RealId id) {
                // Checked under the group's first address only: any other id would be a second checker.
                if (!id.vipAddress().equals("192.0.2.10")) {
                    throw new AssertionError("asked under " + id);
                }
                return !id.address().equals("10.0.0.1");
            }

            @Override
            public boolean inhibited(HealthPlan.RealId id) {
                return false;
            }

            @Override
            public OptionalInt weight(HealthPlan.RealId id) {
                return OptionalInt.empty();
            }
        }, Map.of(WEB, POLICY), Map.of(other, WEB), Map.of(WEB, true));
        // A is down: live weight 2 < quorum 3 - hysteresis 1 is false (2 >= 2), so the quorum holds; B serves both addresses.
        assertEquals(List.of(List.of("10.0.0.2/2"), List.of("10.0.0.2/2")), o.state().services().stream()
                .map(s -> s.reals().stream().map(r -> r.address().getHostAddress() + "/" + r.weight()).toList()).toList());
        assertEquals(Map.of(WEB, true), o.quorum());
        assertEquals(List.of(), o.scripts());
    }
}
