package io.xlb.dataplane;

import static io.xlb.dataplane.DirectorFixture.RS1_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.lab.Netns;
import io.xlb.lab.Veth;
import io.xlb.testing.Frame;
import io.xlb.testing.Privileged;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tier 2: NAT both ways through BPF_PROG_TEST_RUN, on a director namespace with two interfaces
 * ("front" toward the clients, "back" toward the reals), forwarding on and the neighbours known,
 * so that the program's FIB lookups find their next hops. Each frame out is compared byte for
 * byte with the frame built whole by {@link Frame}: addresses, ports, TTL and every checksum.
 */
@Privileged(tools = {"ip", "nsenter", "ethtool", "sysctl"})
class NatTest {
    private static final String CLIENT = "198.51.100.7";
    private static final String CLIENT6 = "2001:db8:c::7";
    private static final MacAddress CLIENT_MAC = MacAddress.parse("02:00:00:00:00:0c");
    private static final VipKey WEB = new VipKey(Frame.addr("192.0.2.10"), 80, Protocol.TCP);
    private static final VipKey DNS = new VipKey(Frame.addr("192.0.2.10"), 53, Protocol.UDP);
    private static final VipKey WEB6 = new VipKey(Frame.addr("2001:db8:a::10"), 80, Protocol.TCP);
    private static final VipKey DNS6 = new VipKey(Frame.addr("2001:db8:a::10"), 53, Protocol.UDP);
    private static final Real BEHIND = new Real(Frame.addr("10.0.9.11"), 8080, 1, null, MacAddress.ZERO, 0);
    private static final Real BEHIND6 = new Real(Frame.addr("2001:db8:9::11"), 8080, 1, null, MacAddress.ZERO, 0);
    private static final Real BEHIND6_DNS = new Real(Frame.addr("2001:db8:9::11"), 5353, 1, null, MacAddress.ZERO, 0);
    private static final Real BESIDE = new Real(Frame.addr("198.51.100.21"), 53, 1, null, MacAddress.ZERO, 0);

    private RoutedDirector routed;
    private Netns director;
    private DirectorFixture d;
    private int front;
    private int back;
    private MacAddress frontMac;
    private MacAddress backMac;

    @BeforeEach
    void build() throws Exception {
        routed = RoutedDirector.create("xlbt");
        director = routed.director();
        d = routed.d();
        director.exec("ip", "neigh", "replace", CLIENT, "lladdr", CLIENT_MAC.toString(), "dev", "front", "nud", "permanent");
        director.exec("ip", "neigh", "replace", "198.51.100.21", "lladdr", RS1_MAC.toString(), "dev", "front", "nud", "permanent");
        director.exec("ip", "neigh", "replace", "10.0.9.11", "lladdr", RS1_MAC.toString(), "dev", "back", "nud", "permanent");
        director.exec("ip", "-6", "neigh", "replace", CLIENT6, "lladdr", CLIENT_MAC.toString(), "dev", "front", "nud", "permanent");
        director.exec("ip", "-6", "neigh", "replace", "2001:db8:9::11", "lladdr", RS1_MAC.toString(), "dev", "back", "nud", "permanent");
        front = director.namespace().ifindex("front");
        back = director.namespace().ifindex("back");
        frontMac = MacAddress.parse(Veth.mac(director, "front"));
        backMac = MacAddress.parse(Veth.mac(director, "back"));
        d.dataplane.apply(new DesiredState(List.of(
                new Service(WEB, Scheduler.named("rr"), Method.NAT, List.of(BEHIND)),
                new Service(DNS, Scheduler.named("rr"), Method.NAT, List.of(BESIDE)),
                new Service(WEB6, Scheduler.named("rr"), Method.NAT, List.of(BEHIND6)),
                new Service(DNS6, Scheduler.named("rr"), Method.NAT, List.of(BEHIND6_DNS))), io.xlb.dataplane.abi.DirectorConfig.defaults()));
        // The devmap resolves ifindexes in the writer's namespace.
        director.namespace().run(() -> {
            d.dataplane.addInterface(front, frontMac);
            d.dataplane.addInterface(back, backMac);
        });
    }

    @AfterEach
    void teardown() {
        routed.close();
    }

    private TestRunResult run(Frame f, int ingress) throws Exception {
        return director.namespace().call(() -> d.program.testRun(f.bytes(), 1, ingress));
    }

    @Test
    void twoArmedTcpBothWaysWithAPortMapped() throws Exception {
        Frame syn = Frame.tcp(CLIENT, 40000, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString());
        TestRunResult in = run(syn, front);
        assertEquals(TestRunResult.XDP_REDIRECT, in.retval());
        // To the real behind "back": its address and port, the TTL kept (the director is the destination).
        Frame want = Frame.tcp(CLIENT, 40000, "10.0.9.11", 8080, Frame.SYN).macs(backMac.bytes(), RS1_MAC.bytes());
        assertArrayEquals(want.bytes(), in.packet());
        assertEquals(1, d.reason(Reason.TX_NAT));

        // Its answer arrives on "back" and leaves by "front" from the VIP and its port, one hop less.
        Frame answer = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", CLIENT).ipId(0x4321).ttl(64)
                .tcp(8080, 40000, Frame.SYN | Frame.ACK).payload("hello");
        TestRunResult out = run(answer, back);
        assertEquals(TestRunResult.XDP_REDIRECT, out.retval());
        Frame restored = Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("192.0.2.10", CLIENT).ipId(0x4321).ttl(63)
                .tcp(80, 40000, Frame.SYN | Frame.ACK).payload("hello");
        assertArrayEquals(restored.bytes(), out.packet());
        assertEquals(1, d.reason(Reason.TX_NAT_REPLY));
        var view = d.dataplane.view().stream().filter(s -> s.vip().equals(WEB)).findFirst().orElseThrow();
        assertEquals(1, view.out().packets(), "ipvsadm's OutPkts");
        assertEquals(restored.bytes().length, view.out().bytes());
        assertEquals(1, view.reals().getFirst().out().packets());
    }

    @Test
    void oneArmedUdpGoesBackOutTheWayItCameAndAZeroChecksumStaysZero() throws Exception {
        Frame query = Frame.udp(CLIENT, 5353, "192.0.2.10", 53).dstMac(frontMac.toString());
        byte[] noChecksum = query.bytes();
        int udpCheck = query.l2Length() + 20 + 6;
        noChecksum[udpCheck] = 0;
        noChecksum[udpCheck + 1] = 0;
        TestRunResult in = director.namespace().call(() -> d.program.testRun(noChecksum, 1, front));
        assertEquals(TestRunResult.XDP_TX, in.retval());
        byte[] want = Frame.udp(CLIENT, 5353, "198.51.100.21", 53).macs(frontMac.bytes(), RS1_MAC.bytes()).bytes();
        want[udpCheck] = 0;
        want[udpCheck + 1] = 0;
        assertArrayEquals(want, in.packet());

        Frame reply = Frame.eth(RS1_MAC.bytes(), frontMac.bytes()).ip("198.51.100.21", CLIENT).ipId(7).udp(53, 5353).payload("answer");
        TestRunResult out = run(reply, front);
        assertEquals(TestRunResult.XDP_TX, out.retval());
        Frame restored = Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("192.0.2.10", CLIENT).ipId(7).ttl(63)
                .udp(53, 5353).payload("answer");
        assertArrayEquals(restored.bytes(), out.packet(), "a UDP checksum recomputed incrementally");
    }

    @Test
    void ipv6BothWays() throws Exception {
        Frame syn = Frame.tcp(CLIENT6, 40000, "2001:db8:a::10", 80, Frame.SYN).dstMac(frontMac.toString());
        TestRunResult in = run(syn, front);
        assertEquals(TestRunResult.XDP_REDIRECT, in.retval());
        assertArrayEquals(Frame.tcp(CLIENT6, 40000, "2001:db8:9::11", 8080, Frame.SYN).macs(backMac.bytes(), RS1_MAC.bytes()).bytes(),
                in.packet());
        Frame answer = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("2001:db8:9::11", CLIENT6).ttl(64)
                .tcp(8080, 40000, Frame.SYN | Frame.ACK);
        TestRunResult out = run(answer, back);
        assertEquals(TestRunResult.XDP_REDIRECT, out.retval());
        assertArrayEquals(Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("2001:db8:a::10", CLIENT6).ttl(63)
                .tcp(80, 40000, Frame.SYN | Frame.ACK).bytes(), out.packet());
    }

    @Test
    void whatIsNotAReplyOfOursOrHasNoHopLeftIsPassedUntouched() throws Exception {
        Frame stray = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", CLIENT).ttl(64).tcp(8080, 40001, Frame.ACK);
        TestRunResult a = run(stray, back);
        assertEquals(TestRunResult.XDP_PASS, a.retval());
        assertArrayEquals(stray.bytes(), a.packet());
        assertEquals(1, d.reason(Reason.PASS_NOT_VIP));

        run(Frame.tcp(CLIENT, 40002, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        Frame dying = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", CLIENT).ttl(1).tcp(8080, 40002, Frame.ACK);
        TestRunResult b = run(dying, back);
        assertEquals(TestRunResult.XDP_PASS, b.retval());
        assertArrayEquals(dying.bytes(), b.packet(), "untranslated: the stack's time-exceeded goes to the real");
        assertEquals(1, d.reason(Reason.PASS_TTL));
    }

    @Test
    void withoutAKnownNeighbourTheTranslatedPacketIsTheStacksToForward() throws Exception {
        director.exec("ip", "neigh", "del", "10.0.9.11", "dev", "back");
        Frame syn = Frame.tcp(CLIENT, 40003, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString());
        TestRunResult in = run(syn, front);
        assertEquals(TestRunResult.XDP_PASS, in.retval());
        // Addresses and checksums are the real's already; the MACs are the stack's to set.
        assertArrayEquals(Frame.tcp(CLIENT, 40003, "10.0.9.11", 8080, Frame.SYN).dstMac(frontMac.toString()).bytes(), in.packet());
        assertEquals(1, d.reason(Reason.PASS_NAT_ROUTE));
    }

    /** A real's ICMP error about what the client sent reaches the client as if the VIP had sent it. */
    @Test
    void aRealsIcmpErrorIsTranslatedBackToTheVip() throws Exception {
        Frame syn = Frame.tcp(CLIENT, 40010, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString());
        run(syn, front);
        byte[] quoted = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT, "10.0.9.11").ipId(0x1234).frag(Frame.DF).ttl(64)
                .tcp(40010, 8080, Frame.SYN).payload("GET /").ip();
        Frame error = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", CLIENT).ipId(9).ttl(64)
                .icmp(3, 13, 0, quoted); // communication administratively prohibited
        TestRunResult out = run(error, back);
        assertEquals(TestRunResult.XDP_REDIRECT, out.retval());
        byte[] asSent = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT, "192.0.2.10").ipId(0x1234).frag(Frame.DF).ttl(64)
                .tcp(40010, 80, Frame.SYN).payload("GET /").ip();
        Frame want = Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("192.0.2.10", CLIENT).ipId(9).ttl(63).icmp(3, 13, 0, asSent);
        assertArrayEquals(want.bytes(), out.packet(), "outer source, quoted destination and port, every checksum");
        assertEquals(1, d.reason(Reason.TX_NAT_ICMP));
    }

    /** The client's "fragmentation needed" about a reply reaches the real, quoting the reply as the real sent it. */
    @Test
    void aClientsIcmpErrorAboutAReplyReachesTheReal() throws Exception {
        run(Frame.tcp(CLIENT, 40011, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        byte[] quoted = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip("192.0.2.10", CLIENT).ipId(77).frag(Frame.DF).ttl(63)
                .tcp(80, 40011, Frame.ACK).payload("a long answer").ip();
        Frame fragNeeded = Frame.eth(CLIENT_MAC.bytes(), frontMac.bytes()).ip(CLIENT, "192.0.2.10").ipId(5).ttl(64)
                .icmp(3, 4, 1400, quoted);
        TestRunResult in = run(fragNeeded, front);
        assertEquals(TestRunResult.XDP_REDIRECT, in.retval());
        byte[] asSent = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip("10.0.9.11", CLIENT).ipId(77).frag(Frame.DF).ttl(63)
                .tcp(8080, 40011, Frame.ACK).payload("a long answer").ip();
        Frame want = Frame.eth(backMac.bytes(), RS1_MAC.bytes()).ip(CLIENT, "10.0.9.11").ipId(5).ttl(64).icmp(3, 4, 1400, asSent);
        assertArrayEquals(want.bytes(), in.packet());

        // About a flow the director does not know: the stack's.
        byte[] other = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip("192.0.2.10", CLIENT).ttl(63).tcp(80, 40999, Frame.ACK).ip();
        Frame stray = Frame.eth(CLIENT_MAC.bytes(), frontMac.bytes()).ip(CLIENT, "192.0.2.10").ttl(64).icmp(3, 4, 1400, other);
        TestRunResult passed = run(stray, front);
        assertEquals(TestRunResult.XDP_PASS, passed.retval());
        assertArrayEquals(stray.bytes(), passed.packet());
    }
    /**
     * A switch floods the master's frames to the backup too: replies and ICMP errors of a NATed
     * flow addressed to another MAC are the stack's (which drops them), untouched and not counted
     * as the service's OutPkts (found by the packet fuzz).
     */
    @Test
    void repliesAndIcmpErrorsToAnotherMacAreLeftToTheStack() throws Exception {
        String other = "02:00:00:00:00:0e";
        run(Frame.tcp(CLIENT, 40020, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        Frame reply = Frame.eth(RS1_MAC.toString(), other).ip("10.0.9.11", CLIENT).ttl(64).tcp(8080, 40020, Frame.ACK);
        byte[] quoted = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT, "10.0.9.11").ttl(64).tcp(40020, 8080, Frame.ACK).ip();
        Frame realsError = Frame.eth(RS1_MAC.toString(), other).ip("10.0.9.11", CLIENT).ttl(64).icmp(3, 3, 0, quoted);
        byte[] reply2 = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip("192.0.2.10", CLIENT).ttl(63).tcp(80, 40020, Frame.ACK).ip();
        Frame clientsError = Frame.eth(CLIENT_MAC.toString(), other).ip(CLIENT, "192.0.2.10").ttl(64).icmp(3, 4, 1400, reply2);
        for (Frame f : List.of(reply, realsError, clientsError)) {
            TestRunResult r = run(f, f == clientsError ? front : back);
            assertEquals(TestRunResult.XDP_PASS, r.retval());
            assertArrayEquals(f.bytes(), r.packet());
        }
        assertEquals(3, d.reason(Reason.PASS_OTHER_HOST));
        var view = d.dataplane.view().stream().filter(s -> s.vip().equals(WEB)).findFirst().orElseThrow();
        assertEquals(0, view.out().packets(), "no OutPkts");
    }

    /**
     * An ICMP error's message ends where its IP packet does: bytes after it in the frame are no
     * part of the quote, neither read nor rewritten, and the ICMP checksum covers the message only
     * (found by the packet fuzz: a quote cut before its TCP checksum, trailing bytes where that
     * checksum would be).
     */
    @Test
    void anIcmpErrorsQuoteEndsWhereItsPacketEnds() throws Exception {
        run(Frame.tcp(CLIENT, 40021, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        byte[] quoted = java.util.Arrays.copyOf(Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT, "10.0.9.11").ipId(3)
                .ttl(64).tcp(40021, 8080, Frame.SYN).ip(), 28);
        byte[] trailing = new byte[24];
        java.util.Arrays.fill(trailing, (byte) 0x5a);
        byte[] in = concat(Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", CLIENT).ipId(9).ttl(64)
                .icmp(3, 3, 0, quoted).bytes(), trailing);
        TestRunResult out = director.namespace().call(() -> d.program.testRun(in, 1, back));
        assertEquals(TestRunResult.XDP_REDIRECT, out.retval());
        byte[] asSent = java.util.Arrays.copyOf(Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT, "192.0.2.10").ipId(3)
                .ttl(64).tcp(40021, 80, Frame.SYN).ip(), 28);
        // The quoted IP checksum is the packet's as the client sent it; the quote ends before its TCP checksum.
        byte[] want = concat(Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("192.0.2.10", CLIENT).ipId(9).ttl(63)
                .icmp(3, 3, 0, asSent).bytes(), trailing);
        assertArrayEquals(want, out.packet());
    }

    /**
     * A next hop behind an interface the director is not attached to is the stack's to reach: the
     * translated packet is passed with the MACs it came with and its TTL (the stack sets the one
     * and takes the hop off the other); rewritten for a redirect that cannot happen, the stack
     * dropped it as addressed to another host (found by the packet fuzz).
     */
    @Test
    void aNextHopBehindAnInterfaceTheDirectorIsNotAttachedToIsTheStacks() throws Exception {
        Veth.create(director, "side", "10.0.7.1/24", routed.wire(), "peer2", null);
        director.exec("ip", "neigh", "replace", "10.0.7.11", "lladdr", RS1_MAC.toString(), "dev", "side", "nud", "permanent");
        director.exec("ip", "neigh", "replace", "10.0.7.5", "lladdr", CLIENT_MAC.toString(), "dev", "side", "nud", "permanent");
        VipKey sideWeb = new VipKey(Frame.addr("192.0.2.10"), 83, Protocol.TCP);
        Real behindSide = new Real(Frame.addr("10.0.7.11"), 80, 1, null, MacAddress.ZERO, 0);
        d.dataplane.apply(new DesiredState(List.of(
                new Service(WEB, Scheduler.named("rr"), Method.NAT, List.of(BEHIND)),
                new Service(sideWeb, Scheduler.named("rr"), Method.NAT, List.of(behindSide))),
                io.xlb.dataplane.abi.DirectorConfig.defaults()));

        Frame syn = Frame.tcp(CLIENT, 40030, "192.0.2.10", 83, Frame.SYN).dstMac(frontMac.toString());
        TestRunResult in = run(syn, front);
        assertEquals(TestRunResult.XDP_PASS, in.retval());
        assertArrayEquals(Frame.tcp(CLIENT, 40030, "10.0.7.11", 80, Frame.SYN).dstMac(frontMac.toString()).bytes(), in.packet());

        run(Frame.tcp("10.0.7.5", 40031, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        Frame answer = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", "10.0.7.5").ttl(64).tcp(8080, 40031, Frame.ACK);
        TestRunResult out = run(answer, back);
        assertEquals(TestRunResult.XDP_PASS, out.retval());
        assertArrayEquals(Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("192.0.2.10", "10.0.7.5").ttl(64).tcp(80, 40031, Frame.ACK).bytes(),
                out.packet(), "translated; MACs and TTL are the stack's");
        assertEquals(2, d.reason(Reason.PASS_NAT_ROUTE));
    }

    // ---- ICMPv6: the same translations; the ICMPv6 checksum also covers the outer addresses (its pseudo-header)

    /** A real's "administratively prohibited" about what the client sent reaches the client from the VIP, quoting what the client sent. */
    @Test
    void aRealsIcmpv6ErrorIsTranslatedBackToTheVip() throws Exception {
        run(Frame.tcp(CLIENT6, 40010, "2001:db8:a::10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        byte[] quoted = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT6, "2001:db8:9::11").ttl(64)
                .tcp(40010, 8080, Frame.SYN).payload("GET /").ip();
        Frame error = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("2001:db8:9::11", CLIENT6).ttl(64).icmp6(1, 1, 0, quoted);
        TestRunResult out = run(error, back);
        assertEquals(TestRunResult.XDP_REDIRECT, out.retval());
        byte[] asSent = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT6, "2001:db8:a::10").ttl(64)
                .tcp(40010, 80, Frame.SYN).payload("GET /").ip();
        Frame want = Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("2001:db8:a::10", CLIENT6).ttl(63).icmp6(1, 1, 0, asSent);
        assertArrayEquals(want.bytes(), out.packet(), "outer source, quoted destination and port, TCP and ICMPv6 checksums");
        assertEquals(1, d.reason(Reason.TX_NAT_ICMP));
    }

    /**
     * "Time exceeded" from a router between the director and the reals, about a client's UDP
     * query: the client gets it from the VIP (as IPVS rewrites the outer source whoever sent it),
     * quoting its query as it sent it.
     */
    @Test
    void aTimeExceededFromTheRealsPathReachesTheClient() throws Exception {
        run(Frame.udp(CLIENT6, 6000, "2001:db8:a::10", 53).payload("q").dstMac(frontMac.toString()), front);
        byte[] quoted = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT6, "2001:db8:9::11").ttl(1)
                .udp(6000, 5353).payload("q").ip();
        Frame error = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("2001:db8:9::fe", CLIENT6).ttl(64).icmp6(3, 0, 0, quoted);
        TestRunResult out = run(error, back);
        assertEquals(TestRunResult.XDP_REDIRECT, out.retval());
        byte[] asSent = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT6, "2001:db8:a::10").ttl(1)
                .udp(6000, 53).payload("q").ip();
        Frame want = Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("2001:db8:a::10", CLIENT6).ttl(63).icmp6(3, 0, 0, asSent);
        assertArrayEquals(want.bytes(), out.packet(), "a quoted UDP checksum updated too");
    }

    /** "Packet too big" from a router on the clients' path about a reply reaches the real, quoting the reply as the real sent it. */
    @Test
    void aPacketTooBigAboutAReplyReachesTheReal() throws Exception {
        run(Frame.tcp(CLIENT6, 40011, "2001:db8:a::10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        byte[] quoted = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip("2001:db8:a::10", CLIENT6).ttl(63)
                .tcp(80, 40011, Frame.ACK).payload("a long answer").ip();
        Frame tooBig = Frame.eth(CLIENT_MAC.bytes(), frontMac.bytes()).ip("2001:db8:c::fe", "2001:db8:a::10").ttl(64)
                .icmp6(2, 0, 1280, quoted);
        TestRunResult in = run(tooBig, front);
        assertEquals(TestRunResult.XDP_REDIRECT, in.retval());
        byte[] asSent = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip("2001:db8:9::11", CLIENT6).ttl(63)
                .tcp(8080, 40011, Frame.ACK).payload("a long answer").ip();
        Frame want = Frame.eth(backMac.bytes(), RS1_MAC.bytes()).ip("2001:db8:c::fe", "2001:db8:9::11").ttl(64).icmp6(2, 0, 1280, asSent);
        assertArrayEquals(want.bytes(), in.packet(), "outer destination, quoted source and port; the hop limit kept (the director is the destination)");
        assertEquals(1, d.reason(Reason.TX_NAT_ICMP));
    }

    /** A quote cut after the ports (no transport checksum in it): the ports and the ICMPv6 checksum only. */
    @Test
    void anIcmpv6QuoteCutBeforeItsChecksum() throws Exception {
        run(Frame.tcp(CLIENT6, 40012, "2001:db8:a::10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        byte[] quoted = java.util.Arrays.copyOf(Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT6, "2001:db8:9::11").ttl(64)
                .tcp(40012, 8080, Frame.SYN).ip(), 48);
        Frame error = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("2001:db8:9::11", CLIENT6).ttl(64).icmp6(1, 4, 0, quoted);
        TestRunResult out = run(error, back);
        assertEquals(TestRunResult.XDP_REDIRECT, out.retval());
        byte[] asSent = java.util.Arrays.copyOf(Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT6, "2001:db8:a::10").ttl(64)
                .tcp(40012, 80, Frame.SYN).ip(), 48);
        // The client's packet as it sent it, cut alike (its payload length still says 20).
        Frame want = Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("2001:db8:a::10", CLIENT6).ttl(63).icmp6(1, 4, 0, asSent);
        assertArrayEquals(want.bytes(), out.packet());
    }

    /** Informational ICMPv6, an error about a flow nobody knows, and one with no hop left are the stack's, untouched. */
    @Test
    void icmpv6ThatIsNotAboutALiveNatedFlowIsPassedUntouched() throws Exception {
        run(Frame.tcp(CLIENT6, 40013, "2001:db8:a::10", 80, Frame.SYN).dstMac(frontMac.toString()), front);
        byte[] quoted = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT6, "2001:db8:9::11").ttl(64).tcp(40013, 8080, Frame.SYN).ip();
        byte[] unknown = Frame.eth(Frame.CLIENT_MAC, Frame.DIRECTOR_MAC).ip(CLIENT6, "2001:db8:9::11").ttl(64).tcp(40999, 8080, Frame.SYN).ip();
        Frame echo = Frame.eth(CLIENT_MAC.bytes(), frontMac.bytes()).ip(CLIENT6, "2001:db8:a::10").ttl(64).icmp6(128, 0, 7, new byte[8]);
        Frame stray = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("2001:db8:9::11", CLIENT6).ttl(64).icmp6(1, 1, 0, unknown);
        Frame notAnError = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("2001:db8:9::11", CLIENT6).ttl(64).icmp6(137, 0, 0, quoted);
        Frame dying = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("2001:db8:9::11", CLIENT6).ttl(1).icmp6(1, 1, 0, quoted);
        for (Frame f : List.of(echo, stray, notAnError, dying)) {
            TestRunResult r = run(f, f == echo ? front : back);
            assertEquals(TestRunResult.XDP_PASS, r.retval(), f.toString());
            assertArrayEquals(f.bytes(), r.packet());
        }
        assertEquals(3, d.reason(Reason.PASS_PROTO));
        assertEquals(1, d.reason(Reason.PASS_TTL));
        assertEquals(0, d.reason(Reason.TX_NAT_ICMP));
    }

    /**
     * One real and port behind two VIPs, and a service on every port: nat_reals names the real for
     * the first VIP only, so the second VIP's and the every-port service's connections keep an entry
     * each in nat_replies, and each reply gets back the VIP and port its client chose.
     */
    @Test
    void aRealBehindTwoVipsAnswersFromTheVipItsClientChose() throws Exception {
        VipKey second = new VipKey(Frame.addr("192.0.2.11"), 80, Protocol.TCP);
        VipKey everyPort = new VipKey(Frame.addr("192.0.2.12"), 0, Protocol.TCP);
        Real onEveryPort = new Real(Frame.addr("10.0.9.11"), 0, 1, null, MacAddress.ZERO, 0);
        d.dataplane.apply(new DesiredState(List.of(
                new Service(WEB, Scheduler.named("rr"), Method.NAT, List.of(BEHIND)),
                new Service(second, Scheduler.named("rr"), Method.NAT, List.of(BEHIND)),
                new Service(everyPort, Scheduler.named("rr"), Method.NAT, List.of(onEveryPort))),
                io.xlb.dataplane.abi.DirectorConfig.defaults()));
        VipKey realKey = new VipKey(BEHIND.address(), 8080, Protocol.TCP);
        assertEquals(java.util.Map.of(realKey, new io.xlb.dataplane.abi.NatReply(WEB.address(), 80,
                d.dataplane.serviceIndex(WEB).orElseThrow(), d.dataplane.realIndex(WEB, BEHIND).orElseThrow())),
                d.dataplane.natReals(), "the first VIP's; none for the every-port service");

        String[] vips = {"192.0.2.10", "192.0.2.11", "192.0.2.12"};
        int[] vports = {80, 80, 8080};
        for (int i = 0; i < vips.length; i++) {
            int cport = 41000 + i;
            TestRunResult in = run(Frame.tcp(CLIENT, cport, vips[i], vports[i], Frame.SYN).dstMac(frontMac.toString()), front);
            assertEquals(TestRunResult.XDP_REDIRECT, in.retval());
            assertArrayEquals(Frame.tcp(CLIENT, cport, "10.0.9.11", 8080, Frame.SYN).macs(backMac.bytes(), RS1_MAC.bytes()).bytes(),
                    in.packet(), "all three reach the same real and port");
        }
        assertEquals(2, entries("nat_replies"), "an entry for the second VIP's and the every-port connection only");
        for (int i = 0; i < vips.length; i++) {
            int cport = 41000 + i;
            Frame answer = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", CLIENT).ttl(64).tcp(8080, cport, Frame.SYN | Frame.ACK);
            TestRunResult out = run(answer, back);
            assertEquals(TestRunResult.XDP_REDIRECT, out.retval(), vips[i]);
            assertArrayEquals(Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip(vips[i], CLIENT).ttl(63)
                    .tcp(vports[i], cport, Frame.SYN | Frame.ACK).bytes(), out.packet(), "the reply of " + vips[i]);
        }
        assertEquals(3, d.reason(Reason.TX_NAT_REPLY));

        // The first VIP withdrawn: the second's real takes the key; its connection still has its own entry.
        d.dataplane.apply(new DesiredState(List.of(
                new Service(second, Scheduler.named("rr"), Method.NAT, List.of(BEHIND))), io.xlb.dataplane.abi.DirectorConfig.defaults()));
        assertEquals(d.dataplane.realIndex(second, BEHIND).orElseThrow(), d.dataplane.natReals().get(realKey).real());
        TestRunResult again = run(Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", CLIENT).ttl(64)
                .tcp(8080, 41001, Frame.ACK), back);
        assertArrayEquals(Frame.eth(frontMac.bytes(), CLIENT_MAC.bytes()).ip("192.0.2.11", CLIENT).ttl(63).tcp(80, 41001, Frame.ACK).bytes(),
                again.packet());
        d.dataplane.apply(new DesiredState(List.of(), io.xlb.dataplane.abi.DirectorConfig.defaults()));
        assertEquals(java.util.Map.of(), d.dataplane.natReals(), "gone with the last NAT service");
        assertEquals(0, entries("nat_reals"));
    }

    /** A reply from a NAT real whose connection is gone (or was never made) is none of the director's: passed untouched. */
    @Test
    void aReplyWhoseConnectionIsGoneIsPassedUntouched() throws Exception {
        Frame syn = Frame.tcp(CLIENT, 40050, "192.0.2.10", 80, Frame.SYN).dstMac(frontMac.toString());
        assertEquals(TestRunResult.XDP_REDIRECT, run(syn, front).retval());
        assertEquals(0, entries("nat_replies"), "found by nat_reals: no entry of its own");
        assertTrue(d.dataplane.connectionTable().delete(new io.xlb.dataplane.abi.FlowKey(syn.src(), syn.dst(), 40050, 80, 6, 0)));
        Frame answer = Frame.eth(RS1_MAC.bytes(), backMac.bytes()).ip("10.0.9.11", CLIENT).ttl(64).tcp(8080, 40050, Frame.ACK);
        TestRunResult out = run(answer, back);
        assertEquals(TestRunResult.XDP_PASS, out.retval());
        assertArrayEquals(answer.bytes(), out.packet());
        assertEquals(1, d.reason(Reason.PASS_NOT_VIP));
        assertEquals(0, d.reason(Reason.TX_NAT_REPLY));
    }

    /** How many entries a map of the director holds. */
    private int entries(String map) {
        var raw = d.dataplane.map(map);
        return raw.typed(io.xlb.bpf.Codec.bytes(raw.info().keySize()), io.xlb.bpf.Codec.bytes(raw.info().valueSize()))
                .keys().size();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
