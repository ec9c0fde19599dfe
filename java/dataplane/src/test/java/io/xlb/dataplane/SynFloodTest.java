package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.RS3;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.realNumber;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.BpfObject;
import io.xlb.bpf.Codec;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Reason;
import io.xlb.sys.CpuAffinity;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tier 2: a SYN flood against a full connection table. CPU 0's share of the table (1 Mi entries)
 * is filled, a marked set of established flows is made through the program, then a flood of new
 * flows larger than the whole table arrives (each SYN twice), then the ring changes. With the
 * guard at its default rate, the marked flows keep their entries and so their reals, and so do
 * the idle flows that filled the table last; without it (the control: the test tells the two
 * apart), the flood replaces every idle entry.
 */
@Privileged
class SynFloodTest {
    private static final int SHARE = 1 << 20;
    private static final int MARKED = 1000;
    private static final int FLOOD = SHARE + SHARE / 4;
    private static final int IP = 14;
    /** Of the flows that filled the table, the last ones in: idle since, but not the first to go. */
    private static final int IDLE = 1000;

    private DirectorFixture d;

    @AfterEach
    void close() {
        if (d != null) {
            d.close();
        }
    }

    @Test
    void aFloodAgainstAFullTableLeavesEstablishedFlowsWithTheirReals() throws Exception {
        Outcome o = flood(DirectorConfig.defaults());
        assertEquals(DirectorConfig.DEFAULT_NEW_FLOW_LIMIT, DirectorConfig.defaults().newFlowLimit(), "the guard is on by default");
        assertEquals(0, o.lost, "established flows evicted or moved by the flood: " + o);
        // At most the rate's worth each second (windows begin at the first flow: one more partial).
        assertTrue(o.tracked <= (long) DirectorConfig.DEFAULT_NEW_FLOW_LIMIT * (o.seconds + 2), o.toString());
        // The LRU takes the oldest entries first: while the guard let fewer in than the fill's older
        // entries, the last idle ones stay (a slow, loaded run lets more windows pass, hence the if).
        if (o.tracked < SHARE - MARKED - IDLE) {
            assertEquals(IDLE, o.idleKept, "idle established flows evicted: " + o);
        }
        // Above the rate the flood went untracked (still forwarded: the shim saw XDP_TX).
        assertTrue(o.untracked > 0, o.toString());
    }

    @Test
    void withoutTheGuardTheSameFloodEvictsIdleEstablishedFlows() throws Exception {
        Outcome o = flood(DirectorConfig.defaults().withNewFlowLimit(0));
        assertEquals(0, o.untracked);
        assertTrue(o.tracked >= FLOOD, o.toString());
        // A flood larger than the table replaces every entry that saw no packet since it came in.
        // (The marked flows, which did, are kept by the LRU's reference bit even here.)
        assertEquals(0, o.idleKept, o.toString());
    }

    /** tracked: the flood's flows that got an entry (new connections counted, less untracked, less the marked). */
    private record Outcome(int lost, int moved, long untracked, long tracked, long seconds, int idleKept) {}

    private Outcome flood(DirectorConfig config) throws Exception {
        int cpus;
        try (io.xlb.bpf.Bpf bpf = io.xlb.bpf.Bpf.open()) {
            cpus = bpf.possibleCpus();
        }
        d = new DirectorFixture(SHARE * cpus);
        d.dataplane.apply(new DesiredState(java.util.List.of(service(WEB, "mh", Method.DR, RS1, RS2, RS3)), config));
        int svc = d.dataplane.serviceIndex(WEB).orElseThrow();
        int real = d.dataplane.realIndex(WEB, RS1).orElseThrow();
        return CpuAffinity.callOn(0, () -> {
            // CPU 0's LRU list full: entries of other clients (the syscall's CPU list takes them).
            var table = d.dataplane.connectionTable();
            InetAddress vip = Frame.addr("192.0.2.10");
            Map<FlowKey, ConnEntry> chunk = new HashMap<>();
            for (int i = 0; i < SHARE - MARKED; i++) {
                chunk.put(new FlowKey(addr(100, i), vip, 1024 + (i & 0x7fff), 80, Frame.TCP, FlowKey.CONNECTION),
                        new ConnEntry(0, real, svc, ConnState.ESTABLISHED));
                if (chunk.size() == 65536) {
                    table.updateBatch(chunk);
                    chunk.clear();
                }
            }
            table.updateBatch(chunk);
            // The marked flows: handshakes through the program, established.
            int[] reals = new int[MARKED];
            for (int i = 0; i < MARKED; i++) {
                String src = addr(10, i).getHostAddress();
                d.run(Frame.tcp(src, 2000, "192.0.2.10", 80, Frame.SYN));
                reals[i] = realNumber(d.run(Frame.tcp(src, 2000, "192.0.2.10", 80, Frame.ACK)));
            }
            // The flood: a distinct client per SYN, each SYN sent twice (a flow seen again, as a
            // handshake's is), in the kernel's loop: the shim stamps a fresh source per run.
            long start = System.nanoTime();
            try (BpfObject shim = d.bpf.openResource(SynFloodTest.class, "/bpf/shim.o")) {
                shim.load();
                shim.map("bench_target").typed(Codec.U32, Codec.U32).put(0, d.program.fd());
                var seq = shim.map("bench_seq").perCpu(Codec.U32, Codec.U32);
                byte[] syn = Frame.tcp("172.16.0.0", 3000, "192.0.2.10", 80, Frame.SYN).payload(new byte[0]).bytes();
                MemorySegment in = MemorySegment.ofArray(new byte[136]);
                in.set(ValueLayout.JAVA_INT_UNALIGNED, 0, syn.length);
                in.set(ValueLayout.JAVA_INT_UNALIGNED, 4, IP + 12);
                MemorySegment.copy(syn, 0, in, ValueLayout.JAVA_BYTE, 8, syn.length);
                shim.map("bench_input").typed(Codec.U32, Codec.bytes(136)).put(0, in.toArray(ValueLayout.JAVA_BYTE));
                for (int pass = 0; pass < 2; pass++) {
                    seq.put(0, java.util.Collections.nCopies(cpus, 0));
                    TestRunResult r = shim.program("bench_shim").testRun(syn, FLOOD);
                    assertEquals(TestRunResult.XDP_TX, r.retval(), "the flood's last SYN");
                }
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            long untracked = d.reason(Reason.FLOW_UNTRACKED);
            long tracked = d.dataplane.serviceCounter(svc).conns() - untracked - MARKED;
            // The ring changes (RS1's weight 1 -> 5): a flow the table no longer holds may move.
            d.dataplane.apply(new DesiredState(java.util.List.of(service(WEB, "mh", Method.DR, RS1.withWeight(5), RS2, RS3)),
                    config));
            // Each marked flow: still in the table, and its next packet goes to the same real.
            int lost = 0;
            int moved = 0;
            for (int i = 0; i < MARKED; i++) {
                InetAddress src = addr(10, i);
                boolean kept = table.lookup(new FlowKey(src, vip, 2000, 80, Frame.TCP, FlowKey.CONNECTION)).isPresent();
                int now = realNumber(d.run(Frame.tcp(src.getHostAddress(), 2000, "192.0.2.10", 80, Frame.ACK)));
                if (!kept || now != reals[i]) {
                    lost++;
                }
                if (now != reals[i]) {
                    moved++;
                }
            }
            // The idle established flows filled last (the LRU's youngest idle entries).
            int idleKept = 0;
            for (int i = SHARE - MARKED - IDLE; i < SHARE - MARKED; i++) {
                if (table.lookup(new FlowKey(addr(100, i), vip, 1024 + (i & 0x7fff), 80, Frame.TCP,
                        FlowKey.CONNECTION)).isPresent()) {
                    idleKept++;
                }
            }
            return new Outcome(lost, moved, untracked, tracked, seconds, idleKept);
        });
    }

    /** The i-th address of first.0.0.0/8. */
    private static InetAddress addr(int first, int i) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) first, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
