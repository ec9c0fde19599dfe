package io.xlb.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The frame builder against frames assembled apart from it (a few lines of Python's struct over the
 * same fields, checksums by RFC 1071), so that tests that compare against a Frame compare against
 * the right bytes.
 */
class FrameTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String C = "02:00:00:00:00:01";
    private static final String D = "02:00:00:00:00:02";

    private static final Frame UDP4 = Frame.eth(C, D).vlan(5).ipv4("10.0.0.1", "10.0.0.2").ipId(0x1234).frag(Frame.DF)
            .udp(40000, 9).payload("hello");

    @Test
    void udpOverIpv4WithAVlanTag() {
        assertEquals("0200000000020200000000018100000508004500002112344000401114960a0000010a0000029c400009000d0bb668656c6c6f",
                HEX.formatHex(UDP4.bytes()));
        assertEquals(18, UDP4.l2Length());
        assertArrayEquals(Arrays.copyOfRange(UDP4.bytes(), 18, UDP4.bytes().length), UDP4.ip());
    }

    @Test
    void tcpOverIpv6() {
        Frame syn = Frame.eth(C, D).ipv6("2001:db8::7", "2001:db8::10").tcp(40000, 80, Frame.SYN);
        assertEquals("02000000000202000000000186dd600000000014064020010db800000000000000000000000720010db8"
                + "0000000000000000000000109c400050000003e8000000005002ffffb3e10000", HEX.formatHex(syn.bytes()));
    }

    @Test
    void icmpFragmentationNeededQuotingAPacket() {
        Frame f = Frame.eth(D, C).ipv4("192.0.2.10", "198.51.100.7").icmp(3, 4, 1480, Arrays.copyOf(UDP4.ip(), 8));
        assertEquals("0200000000010200000000020800450000240000000040018e94c000020ac633640703045fde000005c84500002112344000",
                HEX.formatHex(f.bytes()));
    }

    @Test
    void icmpv6PacketTooBigWithItsPseudoHeader() {
        Frame f = Frame.eth(D, C).ipv6("2001:db8::10", "2001:db8:2::7").icmp6(2, 0, 1460, new byte[8]);
        assertEquals("02000000000102000000000286dd6000000000103a4020010db800000000000000000000001020010db8"
                + "00020000000000000000000702009c76000005b40000000000000000", HEX.formatHex(f.bytes()));
    }

    @Test
    void ipipCarriesTheInnerPacketUnchanged() {
        Frame f = Frame.eth(D, "02:00:00:00:01:01").ipv4("192.0.2.1", "10.0.1.11").frag(Frame.DF).ipip(UDP4);
        assertEquals("0200000001010200000000020800450000350000400040046db9c00002010a00010b"
                + "4500002112344000401114960a0000010a0000029c400009000d0bb668656c6c6f", HEX.formatHex(f.bytes()));
        Frame tagged = UDP4.macs(D, "02:00:00:00:01:01").ipv4("192.0.2.1", "10.0.1.11").frag(Frame.DF).ipip(UDP4);
        assertEquals(18, tagged.l2Length(), "the VLAN tag stays where it was");
        assertArrayEquals(f.ip(), tagged.ip());
    }

    @Test
    void arpRequest() {
        byte[] broadcast = Frame.mac("ff:ff:ff:ff:ff:ff");
        Frame arp = Frame.eth(Frame.CLIENT_MAC, broadcast).arp(1, Frame.CLIENT_MAC, "198.51.100.7", new byte[6], "192.0.2.10");
        assertEquals("ffffffffffff02000000000c0806" + "0001080006040001" + "02000000000cc6336407" + "000000000000c000020a",
                HEX.formatHex(arp.bytes()));
    }

    @Test
    void optionsLengthenTheIpv4HeaderAndLeaveTheSegmentAlone() {
        Frame plain = Frame.tcp("198.51.100.7", 40000, "192.0.2.10", 80, Frame.SYN);
        Frame with = plain.ipOptions(new byte[] {1, 1, 1, 0});
        byte[] p = plain.ip();
        byte[] w = with.ip();
        assertEquals(0x46, w[0]);
        assertEquals(p.length + 4, ((w[2] & 0xff) << 8) | (w[3] & 0xff));
        assertEquals(0, Checksum.of(w, 0, 24), "the header checksum covers the options");
        assertArrayEquals(Arrays.copyOfRange(p, 20, p.length), Arrays.copyOfRange(w, 24, w.length));
    }

    @Test
    void aLaterFragmentCarriesOnlyData() {
        Frame later = Frame.udp("198.51.100.7", 5353, "192.0.2.10", 53).ipId(777).frag(185);
        assertEquals(20 + "query".length(), later.ip().length);
        assertEquals(185, later.fragField());
    }

    @Test
    void fieldsOfTheWrongLayerAreRefused() {
        assertThrows(IllegalStateException.class, () -> Frame.eth(C, D).tcp(1, 2, Frame.SYN));
        assertThrows(IllegalStateException.class, () -> Frame.eth(C, D).ipv6("::1", "::2").ipId(1));
        assertThrows(IllegalStateException.class, () -> Frame.eth(C, D).ipv6("::1", "::2").icmp(3, 4, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Frame.eth(C, D).ipv4("::1", "10.0.0.1"));
        assertThrows(IllegalStateException.class, () -> Frame.eth(C, D).ipv4("10.0.0.1", "10.0.0.2").bytes());
    }
}
