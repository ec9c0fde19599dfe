package io.xlb.dataplane;

import static io.xlb.bpf.TestRunResult.XDP_DROP;
import static io.xlb.bpf.TestRunResult.XDP_PASS;
import static io.xlb.bpf.TestRunResult.XDP_TX;
import static io.xlb.dataplane.DirectorFixture.RS1;
import static io.xlb.dataplane.DirectorFixture.RS1_MAC;
import static io.xlb.dataplane.DirectorFixture.RS2;
import static io.xlb.dataplane.DirectorFixture.RS3;
import static io.xlb.dataplane.DirectorFixture.WEB;
import static io.xlb.dataplane.DirectorFixture.realNumber;
import static io.xlb.dataplane.DirectorFixture.service;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.ConnEntry;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.Counter;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.FlowKey;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.RealConns;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.testing.Checksum;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tier 2: the director through BPF_PROG_TEST_RUN, asserting on the bytes that come out. */
@Privileged
class DirectorTest {
    private static final Inet4Address TUN_SRC4 = (Inet4Address) Frame.addr("192.0.2.1");
    private static final Inet6Address TUN_SRC6 = (Inet6Address) Frame.addr("2001:db8::1");
    /** A freshly loaded director for each test, closed after it. */
    @RegisterExtension
    final DirectorFixture d = new DirectorFixture();

    private void apply(DirectorConfig config, Service... services) {
        d.dataplane.apply(new DesiredState(List.of(services), config));
    }

    private static DirectorConfig tunnels() {
        return new DirectorConfig(Map.of(), TUN_SRC4, TUN_SRC6, 0, 64);
    }

    /** What DR must emit: the same frame with the real's MAC as destination, the director's as source. */
    private static Frame dr(Frame in, MacAddress realMac) {
        return in.macs(Frame.DIRECTOR_MAC, realMac.bytes());
    }

    /**
     * What TUN must emit for an IPv4 frame: L2 as DR (a VLAN tag kept), an outer IPv4 header (the
     * inner identification and DF, TTL 64) from the tunnel source, the original IP packet.
     */
    private static Frame ipip(Frame f, MacAddress realMac, Inet4Address real) {
        return dr(f, realMac).ipv4(TUN_SRC4, real).ipId(f.ipId()).frag(f.fragField() & Frame.DF).ttl(64).ipip(f);
    }

    @Test
    void drSendsANewFlowBackOutWithOnlyTheMacsChanged() {
        apply(DirectorConfig.defaults(), service(WEB, "wrr", Method.DR, RS1));
        Frame syn = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN);
        TestRunResult r = d.run(syn);
        assertEquals(XDP_TX, r.retval());
        assertArrayEquals(dr(syn, RS1_MAC).bytes(), r.packet());
        assertEquals(1, d.reason(Reason.TX_DR));

        int rs1 = d.dataplane.realIndex(WEB, RS1).orElseThrow();
        int svc = d.dataplane.serviceIndex(WEB).orElseThrow();
        assertEquals(new RealConns(0, 1), d.dataplane.realConns(rs1), "SYN_RECV counts as inactive");
        assertEquals(new Counter(1, syn.bytes().length, 1), d.dataplane.serviceCounter(svc));
        assertEquals(new Counter(1, syn.bytes().length, 1), d.dataplane.realCounter(rs1));
        Map<FlowKey, ConnEntry> conns = d.dataplane.connections();
        FlowKey key = new FlowKey(syn.src(), syn.dst(), 40000, 80, 6, 0);
        assertEquals(ConnState.SYN_RECV, conns.get(key).state());
        assertEquals(rs1, conns.get(key).real());
    }

    @Test
    void tcpStatesAndCountersFollowIpvsInputOnlyTable() {
        apply(DirectorConfig.defaults(), service(WEB, "rr", Method.DR, RS1));
        int rs1 = d.dataplane.realIndex(WEB, RS1).orElseThrow();
        Frame f = Frame.tcp("198.51.100.7", 40001, "192.0.2.10", 80, Frame.SYN);
        FlowKey key = new FlowKey(f.src(), f.dst(), 40001, 80, 6, 0);
        record Step(int flags, ConnState state, RealConns counts) {}
        for (Step s : List.of(
                new Step(Frame.SYN, ConnState.SYN_RECV, new RealConns(0, 1)),
                new Step(Frame.ACK, ConnState.ESTABLISHED, new RealConns(1, 0)),
                new Step(Frame.ACK | Frame.SYN, ConnState.ESTABLISHED, new RealConns(1, 0)),
                new Step(Frame.FIN | Frame.ACK, ConnState.FIN_WAIT, new RealConns(0, 1)),
                new Step(Frame.ACK, ConnState.FIN_WAIT, new RealConns(0, 1)),
                new Step(Frame.RST, ConnState.CLOSE, new RealConns(0, 1)))) {
            assertEquals(XDP_TX, d.run(f.tcpFlags(s.flags())).retval());
            assertEquals(s.state(), d.dataplane.connections().get(key).state(), "after flags " + s.flags());
            assertEquals(s.counts(), d.dataplane.realConns(rs1), "after flags " + s.flags());
        }
        // A SYN on a closed connection starts a new one (IPVS conn_reuse_mode): counted once, not twice.
        assertEquals(XDP_TX, d.run(f.tcpFlags(Frame.SYN)).retval());
        assertEquals(ConnState.SYN_RECV, d.dataplane.connections().get(key).state());
        assertEquals(new RealConns(0, 1), d.dataplane.realConns(rs1));
        assertEquals(2, d.dataplane.serviceCounter(d.dataplane.serviceIndex(WEB).orElseThrow()).conns());
    }

    @Test
    void anEstablishedFlowKeepsItsRealWhenWeightsChangeAndAQuiescedRealTakesNoNewFlows() {
        apply(DirectorConfig.defaults(), service(WEB, "mh", Method.DR, RS1, RS2, RS3));
        int[] firstReal = new int[50];
        for (int i = 0; i < 50; i++) {
            firstReal[i] = realNumber(d.run(Frame.tcp("198.51.100." + (i + 1), 40000, "192.0.2.10", 80, Frame.SYN)));
        }
        int victim = firstReal[0];
        Real[] reals = {RS1, RS2, RS3};
        reals[victim - 1] = reals[victim - 1].withWeight(0);
        apply(DirectorConfig.defaults(), service(WEB, "mh", Method.DR, reals));
        for (int i = 0; i < 50; i++) {
            TestRunResult r = d.run(Frame.tcp("198.51.100." + (i + 1), 40000, "192.0.2.10", 80, Frame.ACK));
            assertEquals(firstReal[i], realNumber(r), "established flow " + i + " stays on its real");
        }
        for (int i = 0; i < 200; i++) {
            TestRunResult r = d.run(Frame.tcp("203.0.113." + (i % 250 + 1), 41000 + i, "192.0.2.10", 80, Frame.SYN));
            assertNotEquals(victim, realNumber(r), "a real of weight 0 takes no new flow");
        }
    }

    @Test
    void aServiceWithoutUsableRealsDropsNewFlows() {
        apply(DirectorConfig.defaults(), service(WEB, "wlc", Method.DR, RS1.withWeight(0)));
        assertEquals(XDP_DROP, d.run(Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN)).retval());
        apply(DirectorConfig.defaults(), service(WEB, "wrr", Method.DR, RS1.withWeight(0)));
        assertEquals(XDP_DROP, d.run(Frame.tcp("198.51.100.7", 40002, "192.0.2.10", 80, Frame.SYN)).retval());
        assertEquals(2, d.reason(Reason.DROP_NO_REAL));
    }

    @Test
    void aRealWhoseMacIsNotResolvedTakesNoFlows() {
        Real unresolved = Real.of(Frame.addr("10.0.0.19"), 80, 5, MacAddress.ZERO);
        apply(DirectorConfig.defaults(), service(WEB, "wrr", Method.DR, unresolved, RS1));
        for (int i = 0; i < 20; i++) {
            TestRunResult r = d.run(Frame.tcp("198.51.100." + (i + 1), 40000, "192.0.2.10", 80, Frame.SYN));
            assertEquals(XDP_TX, r.retval());
            assertEquals(1, realNumber(r), "only the resolved real serves");
        }
        apply(DirectorConfig.defaults(), service(WEB, "wlc", Method.DR, unresolved));
        assertEquals(XDP_DROP, d.run(Frame.tcp("198.51.100.99", 40000, "192.0.2.10", 80, Frame.SYN)).retval());
    }

    @Test
    void portZeroServesEveryPortOfTheAddress() {
        VipKey any = new VipKey(Frame.addr("192.0.2.20"), 0, Protocol.TCP);
        apply(DirectorConfig.defaults(), service(any, "rr", Method.DR, RS1));
        for (int port : new int[] {22, 443, 8080}) {
            Frame f = Frame.tcp("198.51.100.7", 40000, "192.0.2.20", port, Frame.SYN);
            TestRunResult r = d.run(f);
            assertEquals(XDP_TX, r.retval(), "port " + port);
            assertArrayEquals(dr(f, RS1_MAC).bytes(), r.packet());
        }
        assertEquals(XDP_PASS, d.run(Frame.udp("198.51.100.7", 40000, "192.0.2.20", 53)).retval(), "UDP is another service");
    }

    @Test
    void aVlanTaggedFrameKeepsItsTag() {
        apply(DirectorConfig.defaults(), service(WEB, "rr", Method.DR, RS1));
        Frame f = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN).vlan(42);
        TestRunResult r = d.run(f);
        assertEquals(XDP_TX, r.retval());
        assertArrayEquals(dr(f, RS1_MAC).bytes(), r.packet());
    }

    @Test
    void trafficNotForAServicePassesUntouched() {
        apply(DirectorConfig.defaults(), service(WEB, "rr", Method.DR, RS1));
        List<byte[]> frames = List.of(
                Frame.tcp("198.51.100.7", 40000, "192.0.2.11", 80, Frame.SYN).bytes(),   // other address
                Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 81, Frame.SYN).bytes(),   // other port
                Frame.udp("198.51.100.7", 40000, "192.0.2.10", 80).bytes(),             // other protocol
                Frame.tcp("2001:db8::7", 40000, "2001:db8::10", 80, Frame.SYN).bytes(),  // IPv6, no service
                arp());
        for (byte[] f : frames) {
            TestRunResult r = d.program.testRun(f);
            assertEquals(XDP_PASS, r.retval());
            assertArrayEquals(f, r.packet());
        }
        assertEquals(4, d.reason(Reason.PASS_NOT_VIP));
        assertEquals(1, d.reason(Reason.PASS_NOT_IP));
    }

    @Test
    void framesAddressedToAnotherHostAreLeftToTheStack() {
        apply(DirectorConfig.defaults(), service(WEB, "rr", Method.DR, RS1));
        d.dataplane.addInterface(LOOPBACK_IFINDEX, new MacAddress(Frame.DIRECTOR_MAC));
        Frame syn = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN);
        byte[] flooded = syn.dstMac(OTHER_DIRECTOR_MAC).bytes();
        TestRunResult r = d.program.testRun(flooded);
        assertEquals(XDP_PASS, r.retval());
        assertArrayEquals(flooded, r.packet());
        assertEquals(1, d.reason(Reason.PASS_OTHER_HOST));
        assertTrue(d.dataplane.connections().isEmpty(), "a flooded frame must not create a connection");

        assertEquals(XDP_TX, d.run(syn).retval(), "addressed to the director: forwarded");
        byte[] floodedAck = syn.tcpFlags(Frame.ACK).dstMac(OTHER_DIRECTOR_MAC).bytes();
        assertEquals(XDP_PASS, d.program.testRun(floodedAck).retval(), "an established flow's flooded frame too");
        byte[] broadcast = syn.tcpFlags(Frame.ACK).dstMac("ff:ff:ff:ff:ff:ff").bytes();
        assertEquals(XDP_TX, d.program.testRun(broadcast).retval(), "a group address reaches every host, the director too");
        assertEquals(2, d.reason(Reason.PASS_OTHER_HOST));
        assertEquals(2, d.reason(Reason.TX_DR));
    }

    /**
     * The program reads an interface's MAC from its array slot; `ifaces` stays the truth. An
     * interface only `ifaces` knows (pins of a daemon from before the slots) is checked as before.
     */
    @Test
    void anInterfaceOnlyTheHashKnowsIsCheckedToo() {
        apply(DirectorConfig.defaults(), service(WEB, "rr", Method.DR, RS1));
        var slots = d.dataplane.map("iface_slots").typed(io.xlb.bpf.Codec.U32, io.xlb.dataplane.abi.IfaceEntry.CODEC);
        d.dataplane.addInterface(LOOPBACK_IFINDEX, new MacAddress(Frame.DIRECTOR_MAC));
        assertEquals(new MacAddress(Frame.DIRECTOR_MAC), slots.lookup(LOOPBACK_IFINDEX).orElseThrow().mac(), "addInterface fills the slot");
        slots.put(LOOPBACK_IFINDEX, new io.xlb.dataplane.abi.IfaceEntry(new MacAddress(new byte[6])));
        Frame syn = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN);
        assertEquals(XDP_PASS, d.program.testRun(syn.dstMac(OTHER_DIRECTOR_MAC).bytes()).retval());
        assertEquals(1, d.reason(Reason.PASS_OTHER_HOST));
        assertEquals(XDP_TX, d.run(syn).retval(), "addressed to the director: forwarded");
    }

    /**
     * A frame sent to a group address (broadcast, multicast) is forwarded, but a group address is
     * never a source: what goes back out carries the interface's own MAC (found by the packet fuzz).
     */
    @Test
    void aFrameSentToAGroupAddressLeavesFromTheInterfacesOwnMac() {
        Real tun1 = new Real(Frame.addr("10.0.1.11"), 80, 1, Method.TUN, RS1_MAC, 0);
        VipKey tunWeb = new VipKey(Frame.addr("192.0.2.20"), 80, Protocol.TCP);
        apply(new DirectorConfig(Map.of(), TUN_SRC4, TUN_SRC6, 1500, 64), service(WEB, "rr", Method.DR, RS1),
                service(tunWeb, "rr", Method.TUN, tun1));
        d.dataplane.addInterface(LOOPBACK_IFINDEX, new MacAddress(Frame.DIRECTOR_MAC));
        for (String group : List.of("ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01")) {
            Frame syn = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN).dstMac(group);
            TestRunResult r = d.run(syn);
            assertEquals(XDP_TX, r.retval());
            assertArrayEquals(dr(syn, RS1_MAC).bytes(), r.packet(), "DR from the director's MAC, not " + group);

            Frame tun = Frame.tcp("198.51.100.7", 40001, "192.0.2.20", 80, Frame.SYN).dstMac(group);
            assertArrayEquals(ipip(tun, RS1_MAC, (Inet4Address) tun1.address()).bytes(), d.run(tun).packet(), "TUN, " + group);

            Frame big = Frame.tcp("198.51.100.7", 40002, "192.0.2.20", 80, Frame.ACK).payload(new byte[1500]).dstMac(group);
            TestRunResult tooBig = d.run(big);
            assertEquals(XDP_TX, tooBig.retval());
            assertArrayEquals(Frame.DIRECTOR_MAC, Arrays.copyOfRange(tooBig.packet(), 6, 12), "frag-needed from the director's MAC");
            assertArrayEquals(Frame.CLIENT_MAC, Arrays.copyOfRange(tooBig.packet(), 0, 6));
        }
    }

    /**
     * Bytes after the IP packet (its total or payload length says where it ends) are padding: a
     * TCP or UDP header there is no part of the packet, which is passed as truncated, not forwarded
     * and not remembered (found by the packet fuzz).
     */
    @Test
    void aHeaderInTheBytesAfterThePacketIsNoHeader() {
        VipKey web6 = new VipKey(Frame.addr("2001:db8::10"), 80, Protocol.TCP);
        VipKey dns = new VipKey(Frame.addr("192.0.2.10"), 53, Protocol.UDP);
        apply(DirectorConfig.defaults(), service(WEB, "rr", Method.DR, RS1), service(dns, "rr", Method.DR, RS1),
                service(web6, "rr", Method.DR, Real.of(Frame.addr("2001:db8:1::11"), 80, 1, RS1_MAC)));
        List<byte[]> frames = new ArrayList<>();
        for (Frame f : List.of(Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN),
                Frame.udp("198.51.100.7", 40000, "192.0.2.10", 53))) {
            for (int total : new int[] {20, 21, 27, 39}) {
                byte[] b = f.bytes();
                b[16] = (byte) (total >> 8);
                b[17] = (byte) total;
                b[24] = 0;
                b[25] = 0;
                int check = Checksum.of(b, 14, 20);
                b[24] = (byte) (check >> 8);
                b[25] = (byte) check;
                if (total < 28 || f.bytes()[23] == Frame.TCP) {
                    frames.add(b);
                }
            }
        }
        for (int payload : new int[] {0, 7, 19}) {
            byte[] b = Frame.tcp("2001:db8::7", 40000, "2001:db8::10", 80, Frame.SYN).bytes();
            b[18] = 0;
            b[19] = (byte) payload;
            frames.add(b);
        }
        for (byte[] f : frames) {
            TestRunResult r = d.program.testRun(f);
            assertEquals(XDP_PASS, r.retval(), HexFormat.of().formatHex(f));
            assertArrayEquals(f, r.packet());
        }
        assertEquals(frames.size(), d.reason(Reason.PASS_TRUNCATED));
        assertTrue(d.dataplane.connections().isEmpty(), "nothing remembered");
    }

    private static final int LOOPBACK_IFINDEX = 1; // BPF_PROG_TEST_RUN's ingress without a context
    private static final String OTHER_DIRECTOR_MAC = "02:00:00:00:00:0e";

    /** Who has 192.0.2.10, asked by the client. */
    private static byte[] arp() {
        return Frame.eth(Frame.CLIENT_MAC, Frame.mac("ff:ff:ff:ff:ff:ff"))
                .arp(1, Frame.CLIENT_MAC, "198.51.100.7", new byte[6], "192.0.2.10").bytes();
    }

    @Test
    void everyTruncationOfAValidFrameIsPassedNeverForwarded() {
        VipKey web6 = new VipKey(Frame.addr("2001:db8::10"), 80, Protocol.TCP);
        VipKey dns = new VipKey(Frame.addr("192.0.2.10"), 53, Protocol.UDP);
        Real rs6 = Real.of(Frame.addr("2001:db8:1::11"), 80, 1, RS1_MAC);
        apply(tunnels(), service(WEB, "rr", Method.DR, RS1), service(web6, "rr", Method.TUN, rs6),
                service(dns, "rr", Method.DR, Real.of(Frame.addr("10.0.0.11"), 53, 1, RS1_MAC)));
        List<Frame> valid = List.of(
                Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN),
                Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN).vlan(7),
                Frame.tcp("2001:db8::7", 40000, "2001:db8::10", 80, Frame.SYN),
                Frame.udp("198.51.100.7", 40000, "192.0.2.10", 53));
        int runs = 0;
        for (Frame f : valid) {
            byte[] full = f.bytes();
            assertEquals(XDP_TX, d.program.testRun(full).retval(), "the whole frame is forwarded");
            for (int len = 14; len < full.length; len++) {
                byte[] cut = Arrays.copyOf(full, len);
                TestRunResult r = d.program.testRun(cut);
                assertEquals(XDP_PASS, r.retval(), "frame cut to " + len + " of " + full.length);
                assertArrayEquals(cut, r.packet(), "frame cut to " + len + " is untouched");
                runs++;
            }
        }
        assertEquals(runs, d.reason(Reason.PASS_TRUNCATED));
    }

    @Test
    void tunEncapsulatesIpv4InIpipWithACorrectHeader() {
        Real tun1 = new Real(Frame.addr("10.0.1.11"), 80, 1, Method.TUN, RS1_MAC, 0);
        apply(tunnels(), service(WEB, "rr", Method.DR, tun1));
        for (Frame f : List.of(Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN),
                Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.ACK),
                Frame.tcp("198.51.100.8", 40000, "192.0.2.10", 80, Frame.SYN).vlan(9))) {
            TestRunResult r = d.run(f);
            assertEquals(XDP_TX, r.retval());
            assertArrayEquals(ipip(f, RS1_MAC, (Inet4Address) tun1.address()).bytes(), r.packet());
        }
        assertEquals(3, d.reason(Reason.TX_TUN));
    }

    @Test
    void tunEncapsulatesIpv6InIp6ip6() {
        VipKey web6 = new VipKey(Frame.addr("2001:db8::10"), 80, Protocol.TCP);
        Real rs6 = new Real(Frame.addr("2001:db8:1::11"), 80, 1, Method.TUN, RS1_MAC, 0);
        apply(tunnels(), service(web6, "rr", Method.TUN, rs6));
        Frame f = Frame.tcp("2001:db8:2::7", 40000, "2001:db8::10", 80, Frame.SYN);
        TestRunResult r = d.run(f);
        assertEquals(XDP_TX, r.retval());
        Frame want = dr(f, RS1_MAC).ipv6(TUN_SRC6, rs6.address()).ttl(64).ip6ip6(f);
        assertArrayEquals(want.bytes(), r.packet());
    }

    @Test
    void udpFlowsAreTrackedAsUdpAndCountInactive() {
        VipKey dns = new VipKey(Frame.addr("192.0.2.10"), 53, Protocol.UDP);
        Real ns1 = Real.of(Frame.addr("10.0.0.11"), 53, 1, RS1_MAC);
        apply(DirectorConfig.defaults(), service(dns, "rr", Method.DR, ns1));
        Frame q = Frame.udp("198.51.100.7", 5353, "192.0.2.10", 53);
        for (int i = 0; i < 3; i++) {
            TestRunResult r = d.run(q);
            assertEquals(XDP_TX, r.retval());
            assertArrayEquals(dr(q, RS1_MAC).bytes(), r.packet());
        }
        int id = d.dataplane.realIndex(dns, ns1).orElseThrow();
        assertEquals(new RealConns(0, 1), d.dataplane.realConns(id));
        assertEquals(new Counter(3, 3L * q.bytes().length, 1), d.dataplane.realCounter(id));
        assertEquals(ConnState.UDP, d.dataplane.connections().values().iterator().next().state());
    }

    @Test
    void tooBigForTheTunnelIsAnsweredWithFragmentationNeeded() {
        Real tun1 = new Real(Frame.addr("10.0.1.11"), 80, 1, Method.TUN, RS1_MAC, 0);
        apply(new DirectorConfig(Map.of(), TUN_SRC4, TUN_SRC6, 1500, 64), service(WEB, "rr", Method.TUN, tun1));
        Frame fits = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.ACK).payload(new byte[1500 - 40 - 20]);
        Frame big = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.ACK).payload(new byte[1500 - 40 - 19]);
        assertEquals(XDP_TX, d.run(fits).retval(), "1480 bytes + 20 of IPIP = 1500");

        TestRunResult r = d.run(big);
        assertEquals(XDP_TX, r.retval(), "1481 + 20 > 1500: answered");
        // Destination unreachable, fragmentation needed (3/4), next-hop MTU 1480 in the low 16 bits of
        // the second word, quoting the first 64 bytes of the packet; from the VIP, TTL 64, no DF.
        Frame want = Frame.eth(Frame.DIRECTOR_MAC, Frame.CLIENT_MAC).ipv4("192.0.2.10", "198.51.100.7").ipId(0).frag(0).ttl(64)
                .icmp(3, 4, 1480, Arrays.copyOf(big.ip(), 64));
        assertArrayEquals(want.bytes(), r.packet());
        assertEquals(1, d.reason(Reason.TX_ICMP_TOO_BIG));

        Frame noDf = big.ipId(0x4321).frag(0);
        assertEquals(XDP_DROP, d.run(noDf).retval(), "without DF a router would fragment; the director drops");
        assertEquals(1, d.reason(Reason.DROP_TOO_BIG));
    }

    @Test
    void tooBigForTheIpv6TunnelIsAnsweredWithPacketTooBig() {
        VipKey web6 = new VipKey(Frame.addr("2001:db8::10"), 80, Protocol.TCP);
        Real rs6 = new Real(Frame.addr("2001:db8:1::11"), 80, 1, Method.TUN, RS1_MAC, 0);
        apply(new DirectorConfig(Map.of(), TUN_SRC4, TUN_SRC6, 1500, 64), service(web6, "rr", Method.TUN, rs6));
        Frame big = Frame.tcp("2001:db8:2::7", 40000, "2001:db8::10", 80, Frame.ACK).payload(new byte[1500 - 60 - 39]);
        TestRunResult r = d.run(big);
        assertEquals(XDP_TX, r.retval());
        // Packet too big (2/0), MTU 1460 (1500 less the IP6IP6 header), quoting 64 bytes; from the VIP, hop limit 64.
        Frame want = Frame.eth(Frame.DIRECTOR_MAC, Frame.CLIENT_MAC).ipv6("2001:db8::10", "2001:db8:2::7").ttl(64)
                .icmp6(2, 0, 1460, Arrays.copyOf(big.ip(), 64));
        assertArrayEquals(want.bytes(), r.packet());
    }

    @Test
    void laterFragmentsFollowTheirFirstFragment() {
        VipKey dns = new VipKey(Frame.addr("192.0.2.10"), 53, Protocol.UDP);
        Real a = Real.of(Frame.addr("10.0.0.11"), 53, 1, RS1_MAC);
        Real b = Real.of(Frame.addr("10.0.0.12"), 53, 1, DirectorFixture.RS2_MAC);
        apply(DirectorConfig.defaults(), service(dns, "rr", Method.DR, a, b));
        Frame first = Frame.udp("198.51.100.7", 5353, "192.0.2.10", 53).ipId(777).frag(Frame.MF);
        int real = realNumber(d.run(first));
        // Move the rr cursor so a fresh schedule would pick the other real.
        d.run(Frame.udp("198.51.100.9", 5353, "192.0.2.10", 53));
        Frame later = Frame.udp("198.51.100.7", 5353, "192.0.2.10", 53).ipId(777).frag(185);
        TestRunResult r = d.run(later);
        assertEquals(XDP_TX, r.retval());
        assertEquals(real, realNumber(r));
        assertArrayEquals(dr(later, realNumber(r) == 1 ? RS1_MAC : DirectorFixture.RS2_MAC).bytes(), r.packet());
        Frame orphan = later.ipId(778).frag(185);
        TestRunResult o = d.run(orphan);
        assertEquals(XDP_PASS, o.retval(), "a later fragment whose first was not seen goes to the stack");
        assertArrayEquals(orphan.bytes(), o.packet());
        assertEquals(1, d.reason(Reason.PASS_FRAGMENT));
    }

    @Test
    void ipv4OptionsAreSkippedToFindThePorts() {
        apply(DirectorConfig.defaults(), service(WEB, "rr", Method.DR, RS1));
        // 4 bytes of options (NOP NOP NOP EOL): IHL 6, the length and the checksum follow.
        Frame f = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN).ipOptions(new byte[] {1, 1, 1, 0});
        TestRunResult r = d.run(f);
        assertEquals(XDP_TX, r.retval());
        assertArrayEquals(dr(f, RS1_MAC).bytes(), r.packet());
        assertTrue(d.dataplane.connections().containsKey(new FlowKey(Frame.addr("198.51.100.7"),
                Frame.addr("192.0.2.10"), 40000, 80, 6, 0)));
    }
}
