package io.xlb.dataplane;

import static io.xlb.bpf.TestRunResult.XDP_DROP;
import static io.xlb.bpf.TestRunResult.XDP_PASS;
import static io.xlb.bpf.TestRunResult.XDP_TX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.Codec;
import io.xlb.bpf.RawMap;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tier 2: withdrawing many services at once. Their scheduling-table slots are emptied with batches
 * of the outer map (each makes the kernel wait for running programs: a synchronize_rcu, milliseconds
 * on a busy machine), not one syscall per service; the withdrawn VIPs forward nothing, the others
 * still do, and services added afterwards reuse the slots with their own tables.
 */
@Privileged
class WithdrawalTest {
    private static final int SERVICES = 1200;
    private static final int KEPT = 100;

    private static VipKey vip(String net, int n) {
        return new VipKey(Frame.addr(net + (n >> 8) + "." + (n & 255)), 80, Protocol.TCP);
    }

    private static MacAddress mac(int n) {
        return MacAddress.parse(String.format("02:00:00:%02x:%02x:%02x", n >> 16 & 255, n >> 8 & 255, n & 255));
    }

    /** Service {@code n} of {@code net}: one DR real of its own, rr (a one-entry sequence table). */
    private static Service service(String net, int n, int realBase) {
        Real real = Real.of(Frame.addr("10.200." + ((realBase + n) >> 8) + "." + ((realBase + n) & 255)), 80, 1,
                mac(realBase + n));
        return new Service(vip(net, n), Scheduler.named("rr"), Method.DR, List.of(real));
    }

    private static Frame syn(VipKey vip, int clientPort) {
        return Frame.tcp("198.51.100.7", clientPort, vip.address().getHostAddress(), 80, Frame.SYN);
    }

    private static void assertForwardedTo(Dataplane dp, Frame in, int real) {
        TestRunResult r = dp.program().testRun(in.bytes());
        assertEquals(XDP_TX, r.retval(), "forwarded");
        assertArrayEquals(in.macs(Frame.DIRECTOR_MAC, mac(real).bytes()).bytes(), r.packet());
    }

    private static void assertNotForwarded(Dataplane dp, Frame in) {
        TestRunResult r = dp.program().testRun(in.bytes());
        assertEquals(XDP_PASS, r.retval(), "passed to the stack");
        assertArrayEquals(in.bytes(), r.packet(), "untouched");
    }

    @Test
    void withdrawingServicesTakesOneOuterMapBatchPerBatchOfServicesAndTheirVipsStopForwarding() {
        try (Bpf bpf = Bpf.open();
             Dataplane dp = DataplaneLoader.load(bpf, new DataplaneLoader.Options(2 * SERVICES, 4 * SERVICES, 65536))) {
            List<Service> all = new ArrayList<>();
            for (int n = 0; n < SERVICES; n++) {
                all.add(service("192.0.", n, 0));
            }
            dp.apply(new DesiredState(all, DirectorConfig.defaults()));
            int withdrawnSample = SERVICES - 1;
            Frame established = syn(vip("192.0.", withdrawnSample), 40001);
            assertForwardedTo(dp, established, withdrawnSample);

            RawMap outer = dp.map("sched_tables");
            RawMap.Writes before = outer.writes();
            RawMap.Writes vipsBefore = dp.map("vips").writes();
            dp.apply(new DesiredState(all.subList(0, KEPT), DirectorConfig.defaults()));
            RawMap.Writes withdrawal = outer.writes().minus(before);
            int withdrawn = SERVICES - KEPT;
            int batches = (withdrawn + Dataplane.WITHDRAW_EVERY - 1) / Dataplane.WITHDRAW_EVERY;
            assertEquals(new RawMap.Writes(withdrawn, batches), withdrawal, "outer map: every slot emptied, in batches");
            assertEquals(new RawMap.Writes(withdrawn, batches), dp.map("vips").writes().minus(vipsBefore), "VIPs deleted in batches");
            assertEquals(KEPT, dp.view().size());
            assertEquals(KEPT, dp.realIndices().size());

            for (int n = KEPT; n < SERVICES; n += 97) {
                assertNotForwarded(dp, syn(vip("192.0.", n), 40000));
            }
            // A flow that was established: its next packet is not forwarded either (the VIP is looked up first).
            assertNotForwarded(dp, established.tcpFlags(Frame.ACK));
            for (int n = 0; n < KEPT; n += 7) {
                assertForwardedTo(dp, syn(vip("192.0.", n), 40000), n);
            }

            // New services take the freed slots: each forwards to its own real, never through a table left behind.
            List<Service> next = new ArrayList<>(all.subList(0, KEPT));
            for (int n = 0; n < withdrawn; n++) {
                next.add(service("198.18.", n, SERVICES));
            }
            dp.apply(new DesiredState(next, DirectorConfig.defaults()));
            assertEquals(SERVICES, dp.view().size());
            for (int n = 0; n < withdrawn; n += 89) {
                assertForwardedTo(dp, syn(vip("198.18.", n), 40002), SERVICES + n);
            }
            for (int n = KEPT; n < SERVICES; n += 97) {
                assertNotForwarded(dp, syn(vip("192.0.", n), 40000));
            }
        }
    }

    @Test
    void servicesLosingEveryUsableRealTakeTheEmptyTableInBatchesAndDropNewFlows() {
        try (Bpf bpf = Bpf.open();
             Dataplane dp = DataplaneLoader.load(bpf, new DataplaneLoader.Options(2 * SERVICES, 4 * SERVICES, 65536))) {
            List<Service> up = new ArrayList<>();
            List<Service> down = new ArrayList<>();
            for (int n = 0; n < SERVICES; n++) {
                Service s = service("192.0.", n, 0);
                up.add(s);
                Real r = s.reals().getFirst();
                // Weight 0: kept, takes no new flow; with it the service has no usable real (a rack down).
                down.add(new Service(s.vip(), s.scheduler(), s.method(), List.of(Real.of(r.address(), r.port(), 0, mac(n)))));
            }
            dp.apply(new DesiredState(up, DirectorConfig.defaults()));
            RawMap outer = dp.map("sched_tables");
            RawMap.Writes before = outer.writes();
            dp.apply(new DesiredState(down, DirectorConfig.defaults()));
            int batches = (SERVICES + 511) / 512; // PendingWrites flushes every 512 tables
            assertEquals(new RawMap.Writes(SERVICES, batches), outer.writes().minus(before),
                    "every slot given the empty table, a batch per flush, not a syscall per service");
            for (int n = 0; n < SERVICES; n += 97) {
                assertEquals(XDP_DROP, dp.program().testRun(syn(vip("192.0.", n), 40000).bytes()).retval(),
                        "no usable real: a new flow is dropped");
            }
            dp.apply(new DesiredState(up, DirectorConfig.defaults()));
            for (int n = 0; n < SERVICES; n += 97) {
                assertForwardedTo(dp, syn(vip("192.0.", n), 40001), n);
            }
        }
    }

    @Test
    void aVipAlreadyGoneDoesNotStopTheOthersWithdrawal() {
        try (Bpf bpf = Bpf.open(); Dataplane dp = DataplaneLoader.load(bpf, new DataplaneLoader.Options(65536))) {
            List<Service> three = List.of(service("192.0.", 1, 0), service("192.0.", 2, 0), service("192.0.", 3, 0));
            dp.apply(new DesiredState(three, DirectorConfig.defaults()));
            dp.map("vips").typed(VipKey.CODEC, Codec.U32).delete(vip("192.0.", 2)); // by hand, behind the dataplane's back
            dp.apply(new DesiredState(List.of(), DirectorConfig.defaults()));
            assertEquals(List.of(), dp.view());
            assertEquals(0, dp.map("vips").typed(VipKey.CODEC, Codec.U32).keys().size());
            assertNotForwarded(dp, syn(vip("192.0.", 1), 40000));
        }
    }
}
