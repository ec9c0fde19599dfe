package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.RS3;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.realNumber;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tier 2: a second controller re-adopts what the first pinned, and flows never notice. */
@Privileged
class AdoptionTest {
    @RegisterExtension
    final DirectorPins pins = new DirectorPins("adopt");
    private final Path dir = pins.dir();

    @Test
    void aNewControllerContinuesWhereThePinsLeftOff() {
        DesiredState state = DesiredState.of(service(WEB, "wrr", Method.DR, RS1, RS2, RS3));
        Frame syn = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN);
        int realBefore;
        int rs2Index;
        try (DirectorFixture first = new DirectorFixture()) {
            first.dataplane.apply(state);
            realBefore = realNumber(first.run(syn));
            rs2Index = first.dataplane.realIndex(WEB, RS2).orElseThrow();
            DataplaneLoader.pin(first.dataplane, dir);
        }
        // Every fd of the first controller is closed: only the pins hold the maps and program.
        try (Bpf bpf = Bpf.open(); Dataplane second = DataplaneLoader.adopt(bpf, dir)) {
            assertEquals(rs2Index, second.realIndex(WEB, RS2).orElseThrow(), "slots rebuilt from the maps");
            TestRunResult ack = second.program().testRun(syn.tcpFlags(Frame.ACK).bytes());
            assertEquals(realBefore, realNumber(ack), "the established flow stays on its real");
            second.apply(state);
            assertEquals(rs2Index, second.realIndex(WEB, RS2).orElseThrow(), "the same state keeps the same slots");
            assertEquals(realBefore, realNumber(second.program().testRun(syn.tcpFlags(Frame.ACK).bytes())));
            FlowKey key = new FlowKey(syn.src(), syn.dst(), 40000, 80, 6, 0);
            assertEquals(ConnState.ESTABLISHED, second.connections().get(key).state());
            int total = 0;
            for (Real r : new Real[] {RS1, RS2, RS3}) {
                RealConns c = second.realConns(second.realIndex(WEB, r).orElseThrow());
                total += c.active() + c.inactive();
            }
            assertEquals(1, total, "one connection, counted once");
            assertTrue(second.serviceCounter(second.serviceIndex(WEB).orElseThrow()).packets() >= 3,
                    "counters carried over");
        }
    }

    /** NAT's reals by address are read back too: the same state writes none of them again, a changed one only the change. */
    @Test
    void natRealsAreAdoptedAndKeptInLineByDiff() {
        DesiredState state = DesiredState.of(service(WEB, "rr", Method.NAT, RS1, RS2));
        java.util.Map<io.xlb.dataplane.abi.VipKey, io.xlb.dataplane.abi.NatReply> written;
        try (DirectorFixture first = new DirectorFixture()) {
            first.dataplane.apply(state);
            written = first.dataplane.natReals();
            assertEquals(2, written.size());
            DataplaneLoader.pin(first.dataplane, dir);
        }
        try (Bpf bpf = Bpf.open(); Dataplane second = DataplaneLoader.adopt(bpf, dir)) {
            assertEquals(written, second.natReals(), "read back from the pinned map");
            var before = second.map("nat_reals").writes();
            second.apply(state);
            assertEquals(before, second.map("nat_reals").writes(), "the same state: no write");
            second.apply(DesiredState.of(service(WEB, "rr", Method.NAT, RS1)));
            assertEquals(1, second.natReals().size());
            assertEquals(second.realIndex(WEB, RS1).orElseThrow(),
                    second.natReals().values().iterator().next().real());
            second.apply(DesiredState.of(service(WEB, "rr", Method.DR, RS1)));
            assertEquals(java.util.Map.of(), second.natReals(), "DR reals have no entry");
        }
    }
}
