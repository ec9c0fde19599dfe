package io.xlb.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.ProbeAbi.Counter;
import io.xlb.lab.Netns;
import io.xlb.lab.Veth;
import io.xlb.testing.Eventually;
import io.xlb.testing.Privileged;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tier 2 on a live interface: the probe attached natively to a veth inside a namespace this test
 * creates, counting a ping from a second namespace. Both namespaces, and so the veth, are deleted
 * after each test whatever its outcome.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "ping"})
class XdpTest {
    private static final int ICMP = 1;
    private static final int UDP = 17;
    private Netns client;
    private Netns server;
    private int serverIf;

    @BeforeEach
    void topology() throws Exception {
        client = Netns.create("xlbt");
        server = Netns.create("xlbt");
        Veth.create(client, "cli0", "10.199.0.1/24", server, "srv0", "10.199.0.2/24");
        serverIf = server.namespace().ifindex("srv0");
    }

    @AfterEach
    void teardown() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    @Test
    void countersMoveUnderPingAndAttachmentIsExclusive() throws Exception {
        try (Bpf bpf = Bpf.open()) {
            BpfObject probe = bpf.openObject(ProbeAbi.object("probe"));
            probe.load();
            BpfProgram xdpProbe = probe.program("xdp_probe");
            BpfProgram xdpPass = probe.program("xdp_pass");
            Xdp xdp = bpf.xdp();

            server.namespace().run(() -> xdp.attach(serverIf, xdpProbe, Xdp.Mode.NATIVE));
            assertEquals(Optional.of(new Xdp.Attachment(xdpProbe.id(), Xdp.Mode.NATIVE)),
                    server.namespace().call(() -> xdp.query(serverIf)));

            client.exec("ping", "-c", "5", "-i", "0.2", "-W", "2", "10.199.0.2");
            PerCpuMap<Integer, Counter> protos = probe.map("proto_stats").perCpu(Codec.U32, Counter.CODEC);
            Counter icmp = protos.lookupSum(ICMP, Counter::plus).orElseThrow();
            assertEquals(5, icmp.packets(), "five echo requests reached the server's veth");
            assertEquals(5 * (14 + 20 + 8 + 56), icmp.bytes(), "ping's default 56-byte payload, framed");

            // Attaching over an attached program is an error, not a silent replace.
            BpfException busy = assertThrows(BpfException.class,
                    () -> server.namespace().run(() -> xdp.attach(serverIf, xdpPass, Xdp.Mode.NATIVE)));
            assertEquals(Errno.EBUSY, busy.errno());

            // Replace checks the expected program: the wrong one is refused, the right one swaps.
            BpfException stale = assertThrows(BpfException.class,
                    () -> server.namespace().run(() -> xdp.replace(serverIf, xdpProbe, xdpPass, Xdp.Mode.NATIVE)));
            assertEquals(Errno.EEXIST, stale.errno());
            server.namespace().run(() -> xdp.replace(serverIf, xdpPass, xdpProbe, Xdp.Mode.NATIVE));
            assertEquals(xdpPass.id(), server.namespace().call(() -> xdp.query(serverIf)).orElseThrow().programId());

            client.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.199.0.2");
            assertEquals(5, protos.lookupSum(ICMP, Counter::plus).orElseThrow().packets(), "xdp_pass counts nothing");

            server.namespace().run(() -> xdp.detach(serverIf, xdpPass, Xdp.Mode.NATIVE));
            assertEquals(Optional.empty(), server.namespace().call(() -> xdp.query(serverIf)));
        }
    }

    @Test
    void liveFramesLeaveByTheGivenInterfaceAndReachItsPeer() throws Exception {
        try (Bpf bpf = Bpf.open()) {
            // Two copies of the probe, each with its own maps: the client's bounces (XDP_TX) the
            // datagrams a live run makes, the server's counts what arrives on the peer.
            BpfObject sender = bpf.openObject(ProbeAbi.object("probe"));
            sender.load();
            sender.map("bounce_ports").typed(Codec.U16, Codec.U32).put(9, 1);
            BpfObject receiver = bpf.openObject(ProbeAbi.object("probe"));
            receiver.load();
            server.namespace().run(() -> bpf.xdp().attach(serverIf, receiver.program("xdp_probe"), Xdp.Mode.NATIVE));
            int clientIf = client.namespace().ifindex("cli0");
            byte[] datagram = ProbeAbi.datagram(9, "live".getBytes()).bytes();

            client.namespace().run(() -> sender.program("xdp_probe").testRunLive(datagram, 1000, clientIf, 0));

            Counter sent = sender.map("proto_stats").perCpu(Codec.U32, Counter.CODEC).lookupSum(UDP, Counter::plus).orElseThrow();
            assertEquals(1000, sent.packets(), "the program ran once per frame");
            PerCpuMap<Integer, Counter> arrived = receiver.map("proto_stats").perCpu(Codec.U32, Counter.CODEC);
            Eventually.await(Duration.ofSeconds(5),
                    () -> arrived.lookupSum(UDP, Counter::plus).map(Counter::packets).orElse(0L) >= 1000);
            assertEquals(Optional.of(new Counter(1000, 1000L * datagram.length)), arrived.lookupSum(UDP, Counter::plus),
                    "every XDP_TX frame left by cli0 and reached srv0, whole");
            assertThrows(IllegalArgumentException.class, () -> sender.program("xdp_probe").testRunLive(datagram, 1, 0, 0),
                    "a live run needs the interface its frames leave by");
            assertThrows(IllegalArgumentException.class, () -> sender.program("xdp_probe").testRunLive(datagram, 1, clientIf, 257),
                    "the kernel sends at most 256 frames at a time");
        }
    }

    @Test
    void generictModeAndPlainDetachWork() throws Exception {
        try (Bpf bpf = Bpf.open()) {
            BpfObject probe = bpf.openObject(ProbeAbi.object("probe"));
            probe.load();
            Xdp xdp = bpf.xdp();
            server.namespace().run(() -> xdp.attach(serverIf, probe.program("xdp_probe"), Xdp.Mode.GENERIC));
            assertEquals(Xdp.Mode.GENERIC, server.namespace().call(() -> xdp.query(serverIf)).orElseThrow().mode());
            client.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.199.0.2");
            assertEquals(2, probe.map("proto_stats").perCpu(Codec.U32, Counter.CODEC)
                    .lookupSum(ICMP, Counter::plus).orElseThrow().packets());
            server.namespace().run(() -> xdp.detach(serverIf, Xdp.Mode.GENERIC));
            assertEquals(Optional.empty(), server.namespace().call(() -> xdp.query(serverIf)));
        }
    }

    @Test
    void aLoadAttachCloseCycleLeavesNoFdBehind() throws Exception {
        cycle(); // warm-up: class loading, libbpf's one-time probes, the JIT
        long before = openFds();
        for (int i = 0; i < 3; i++) {
            cycle();
        }
        assertEquals(before, openFds(), "open fds before and after three load/attach/detach/close cycles");
    }

    private void cycle() throws Exception {
        try (Bpf bpf = Bpf.open()) {
            BpfObject probe = bpf.openObject(ProbeAbi.object("probe"));
            probe.load();
            BpfProgram prog = probe.program("xdp_probe");
            probe.map("kv");
            server.namespace().run(() -> bpf.xdp().attach(serverIf, prog, Xdp.Mode.NATIVE));
            server.namespace().run(() -> bpf.xdp().detach(serverIf, prog, Xdp.Mode.NATIVE));
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
