package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.bpf.Codec;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tier 2: expiry by state timeout on the real connection table, driven by an injected clock. */
@Privileged
class ConnReaperTest {
    /** A freshly loaded director for each test, closed after it. */
    @RegisterExtension
    final DirectorFixture d = new DirectorFixture();

    @BeforeEach
    void load() {
        d.dataplane.apply(new DesiredState(List.of(service(WEB, "rr", Method.DR, RS1)),
                DirectorConfig.defaults().withTimeouts(900, 120, 300)));
    }

    @Test
    void entriesExpireByTheirStatesTimeoutAndCountersFollow() {
        // Three flows: one established, one half-open, one closed.
        d.run(Frame.tcp("198.51.100.1", 1000, "192.0.2.10", 80, Frame.SYN));
        d.run(Frame.tcp("198.51.100.1", 1000, "192.0.2.10", 80, Frame.ACK));
        d.run(Frame.tcp("198.51.100.2", 1000, "192.0.2.10", 80, Frame.SYN));
        d.run(Frame.tcp("198.51.100.3", 1000, "192.0.2.10", 80, Frame.SYN));
        d.run(Frame.tcp("198.51.100.3", 1000, "192.0.2.10", 80, Frame.ACK));
        d.run(Frame.tcp("198.51.100.3", 1000, "192.0.2.10", 80, Frame.RST)); // ESTABLISHED -> CLOSE
        int rs1 = d.dataplane.realIndex(WEB, RS1).orElseThrow();
        assertEquals(new RealConns(1, 2), d.dataplane.realConns(rs1));
        long start = System.nanoTime();

        ConnReaper.Sweep now = new ConnReaper(d.dataplane, () -> start).sweep();
        assertEquals(new ConnReaper.Sweep(3, 0, 0), now, "nothing has timed out yet");

        // CLOSE (10 s) goes first, then SYN_RECV (60 s); ESTABLISHED lasts 900 s.
        assertEquals(1, new ConnReaper(d.dataplane, () -> start + 11_000_000_000L).sweep().expired());
        assertEquals(new RealConns(1, 1), d.dataplane.realConns(rs1));
        assertEquals(1, new ConnReaper(d.dataplane, () -> start + 61_000_000_000L).sweep().expired());
        assertEquals(new RealConns(1, 0), d.dataplane.realConns(rs1));
        ConnReaper.Sweep late = new ConnReaper(d.dataplane, () -> start + 901_000_000_000L).sweep();
        assertEquals(1, late.expired());
        assertEquals(RealConns.ZERO, d.dataplane.realConns(rs1));
        assertEquals(Map.of(), d.dataplane.connections());
    }

    @Test
    void countersThatDriftedAreRecounted() {
        d.run(Frame.tcp("198.51.100.1", 1000, "192.0.2.10", 80, Frame.SYN));
        int rs1 = d.dataplane.realIndex(WEB, RS1).orElseThrow();
        // As after an LRU eviction the program never heard of.
        d.dataplane.map("real_conns").typed(Codec.U32, RealConns.CODEC).put(rs1, new RealConns(7, 9));
        ConnReaper.Sweep s = new ConnReaper(d.dataplane, System::nanoTime).sweep();
        assertEquals(1, s.countersCorrected());
        assertEquals(new RealConns(0, 1), d.dataplane.realConns(rs1));
    }
}
