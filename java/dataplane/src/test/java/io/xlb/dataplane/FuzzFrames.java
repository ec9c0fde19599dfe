package io.xlb.dataplane;

import io.xlb.dataplane.PacketModel.Iface;
import io.xlb.dataplane.PacketModel.RealM;
import io.xlb.dataplane.PacketModel.ServiceM;
import io.xlb.dataplane.abi.Method;
import io.xlb.testing.Frame;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The packet fuzz's frames: well-formed ones of every kind the director meets (clients' flows to
 * every service and to no service, TCP flag mixes, UDP, IPv6, IP options, VLAN tags, fragments
 * first and later with and without a remembered first, NAT replies, ICMP errors quoting NATed and
 * other flows from either side, other protocols, IPv6 extension headers, frames to other MACs,
 * oversized frames), then mutated at the byte level (truncated, padded, wrong lengths and header
 * sizes, flipped bits, bad checksums, extra tags), and frames of random bytes. All from one seeded
 * generator: the same seed gives the same frames.
 */
final class FuzzFrames {
    /** One frame to send: the bytes, the interface it arrives on, whether it is unmutated (its checksums valid), and what it is. */
    record Case(byte[] frame, Iface in, boolean clean, String kind) {}

    /** A client's flow to a service (or to an address and port of no service). */
    record Flow(byte[] vip, int dport, int proto, byte[] client, int cport, ServiceM service) {
        boolean v4() {
            return vip.length == 4;
        }
    }

    static final byte[] CLIENT_MAC = Frame.mac("02:00:00:00:00:0c");
    static final byte[] ROUTER_MAC = Frame.mac("02:00:00:00:00:fe");
    static final byte[] OTHER_HOST_MAC = Frame.mac("02:00:00:00:00:0e");
    static final byte[] BROADCAST = Frame.mac("ff:ff:ff:ff:ff:ff");
    static final byte[] MULTICAST4 = Frame.mac("01:00:5e:00:00:01");
    static final byte[] MULTICAST6 = Frame.mac("33:33:00:00:00:01");

    private final SplittableRandom random;
    private final PacketModel model;
    private final Iface front;
    private final Iface back;
    /** An interface nobody registered: a few frames arrive there too. */
    private final Iface side;
    private final List<byte[]> clients4;
    private final List<byte[]> clients6;
    private final List<byte[]> strangers4 = List.of(bytes("192.0.2.99"), bytes("198.51.100.1"), bytes("10.0.9.11"));
    private final List<byte[]> strangers6 = List.of(bytes("2001:db8:a::99"), bytes("2001:db8:c::1"));
    private final List<Flow> flows = new ArrayList<>();
    private final List<Flow> natFlows = new ArrayList<>();
    private final List<ServiceM> natServices;
    /** First fragments sent: flow and IP id, for later fragments to follow. */
    private final List<int[]> fragIds = new ArrayList<>();
    private final List<Flow> fragFlows = new ArrayList<>();
    private final List<Case> pending = new ArrayList<>();

    FuzzFrames(SplittableRandom random, PacketModel model, Iface front, Iface back, Iface side, List<String> clients4,
               List<String> clients6) {
        this.random = random;
        this.model = model;
        this.front = front;
        this.back = back;
        this.side = side;
        this.clients4 = clients4.stream().map(FuzzFrames::bytes).toList();
        this.clients6 = clients6.stream().map(FuzzFrames::bytes).toList();
        this.natServices = model.services.stream().filter(s -> s.reals.getFirst().method == Method.NAT).toList();
    }

    /** Forgets the flows it made: the director's tables were cleared. */
    void clear() {
        flows.clear();
        natFlows.clear();
        fragIds.clear();
        fragFlows.clear();
    }

    Case next() {
        if (!pending.isEmpty()) {
            return pending.removeFirst();
        }
        int roll = random.nextInt(1000);
        if (roll < 1) {
            return sweep();
        }
        Case c;
        if (roll < 400) {
            c = clientFrame(flow());
        } else if (roll < 480) {
            c = fragment();
        } else if (roll < 620) {
            c = natReply();
        } else if (roll < 740) {
            c = icmpError();
        } else if (roll < 790) {
            c = otherProtocol();
        } else if (roll < 820) {
            c = notIp();
        } else if (roll < 860) {
            return randomBytes();
        } else if (roll < 900) {
            c = big();
        } else {
            c = clientFrame(flow());
        }
        if (random.nextInt(100) < 30) {
            return mutate(c);
        }
        return c;
    }

    // ---- the kinds of frames

    /** A client's flow: most often one already seen (its next segment), else a new one. */
    private Flow flow() {
        if (!flows.isEmpty() && random.nextInt(100) < 65) {
            return flows.get(random.nextInt(flows.size()));
        }
        Flow f;
        int roll = random.nextInt(100);
        if (roll < 88) {
            ServiceM s = pick(model.services);
            int dport = s.port != 0 ? s.port : 1 + random.nextInt(65535);
            byte[] client = s.vip.length == 4 ? pick(clients4) : pick(clients6);
            f = new Flow(s.vip, dport, s.proto, client, port(), s);
        } else if (roll < 94) { // a VIP's other port or protocol
            ServiceM s = pick(model.services);
            int proto = random.nextBoolean() ? s.proto : (s.proto == PacketModel.TCP ? PacketModel.UDP : PacketModel.TCP);
            f = new Flow(s.vip, random.nextInt(65536), proto, s.vip.length == 4 ? pick(clients4) : pick(clients6), port(), null);
        } else { // no VIP at all
            boolean v4 = random.nextBoolean();
            f = new Flow(v4 ? pick(strangers4) : pick(strangers6), random.nextInt(65536),
                    random.nextBoolean() ? PacketModel.TCP : PacketModel.UDP, v4 ? pick(clients4) : pick(clients6), port(), null);
        }
        remember(f);
        return f;
    }

    private int port() {
        return random.nextInt(100) < 3 ? random.nextInt(1024) : 1024 + random.nextInt(64512);
    }

    private Case clientFrame(Flow f) {
        return clientFrame(f, payloadLength(), null);
    }

    private Case clientFrame(Flow f, int payload, Integer fragField) {
        int roll = random.nextInt(100);
        Iface in = roll < 87 ? front : roll < 97 ? back : side;
        Frame fr = Frame.eth(sourceMac(f.client), destinationMac(in)).ip(text(f.client), text(f.vip));
        if (f.v4()) {
            fr = fr.ipId(random.nextInt(65536)).frag(fragField != null ? fragField : random.nextInt(100) < 50 ? Frame.DF : 0);
            if (random.nextInt(100) < 10) {
                fr = fr.ipOptions(ipOptions());
            }
        }
        fr = fr.ttl(ttl()).tos(random.nextInt(100) < 10 ? random.nextInt(256) : 0);
        fr = f.proto == PacketModel.TCP ? fr.tcp(f.cport, f.dport, tcpFlags()) : fr.udp(f.cport, f.dport);
        fr = fr.payload(randomBytes(payload));
        return new Case(tag(fr).bytes(), in, true, "client " + (f.proto == PacketModel.TCP ? "tcp" : "udp") + (f.v4() ? "4" : "6"));
    }

    /** First fragments (MF, offset 0, ports) and later ones (an offset, no ports) after a first or not. */
    private Case fragment() {
        if (fragFlows.isEmpty() || random.nextInt(100) < 40) {
            Flow f;
            do {
                f = flow();
            } while (!f.v4());
            int id = random.nextInt(65536);
            Case c = clientFrame(f, payloadLength(), Frame.MF);
            // clientFrame chose a random id: read it back
            int l2 = l2(c.frame);
            id = PacketModel.u16(c.frame, l2 + 4);
            fragFlows.add(f);
            fragIds.add(new int[] {id});
            if (fragFlows.size() > 100) {
                fragFlows.removeFirst();
                fragIds.removeFirst();
            }
            return new Case(c.frame, c.in, c.clean, "first fragment");
        }
        Flow f;
        int id;
        if (random.nextInt(100) < 75) {
            int i = random.nextInt(fragFlows.size());
            f = fragFlows.get(i);
            id = fragIds.get(i)[0];
        } else {
            do {
                f = flow();
            } while (!f.v4());
            id = random.nextInt(65536);
        }
        Iface in = random.nextInt(100) < 92 ? front : back;
        int offset = 1 + random.nextInt(random.nextInt(100) < 80 ? 200 : 0x1fff);
        Frame fr = Frame.eth(sourceMac(f.client), destinationMac(in)).ipv4(addr(f.client), addr(f.vip)).ipId(id)
                .frag(offset | (random.nextBoolean() ? Frame.MF : 0)).ttl(ttl());
        fr = f.proto == PacketModel.TCP ? fr.tcp(f.cport, f.dport, Frame.ACK) : fr.udp(f.cport, f.dport);
        fr = fr.payload(randomBytes(random.nextInt(100) < 5 ? 0 : 8 * (1 + random.nextInt(40))));
        return new Case(tag(fr).bytes(), in, true, "later fragment");
    }

    /** A real's reply to a NATed flow (the model says which real has it), or a stray one. */
    private Case natReply() {
        Flow f = natFlow();
        RealM r = realOf(f);
        boolean v4 = f.v4();
        byte[] raddr;
        int rport;
        if (r != null) {
            raddr = r.addr;
            rport = r.port != 0 ? r.port : f.dport;
        } else {
            raddr = v4 ? bytes("10.0.9.11") : bytes("2001:db8:9::11");
            rport = random.nextInt(65536);
        }
        int cport = random.nextInt(100) < 95 ? f.cport : random.nextInt(65536);
        Iface in = random.nextInt(100) < 92 ? sideOf(raddr) : (sideOf(raddr) == front ? back : front);
        Frame fr = Frame.eth(random.nextInt(100) < 95 ? realMac(raddr) : ROUTER_MAC, destinationMac(in)).ip(text(raddr), text(f.client));
        if (v4) {
            fr = fr.ipId(random.nextInt(65536)).frag(random.nextInt(100) < 50 ? Frame.DF : random.nextInt(100) < 10 ? Frame.MF : 0);
            if (random.nextInt(100) < 8) {
                fr = fr.ipOptions(ipOptions());
            }
        }
        fr = fr.ttl(replyTtl()).tos(random.nextInt(100) < 10 ? random.nextInt(256) : 0);
        fr = f.proto == PacketModel.TCP ? fr.tcp(rport, cport, tcpFlags()) : fr.udp(rport, cport);
        fr = fr.payload(randomBytes(payloadLength()));
        return new Case(tag(fr).bytes(), in, true, "NAT reply" + (v4 ? "4" : "6"));
    }

    /** A flow to a NAT service: one the generator made (most often), or a new one. */
    private Flow natFlow() {
        if (!natFlows.isEmpty() && random.nextInt(100) < 90) {
            return pick(natFlows);
        }
        ServiceM s = pick(natServices);
        // On every port: often the port a NAT real of another service listens on, whose replies look alike.
        int dport = s.port != 0 ? s.port : random.nextBoolean() ? 80 : 1 + random.nextInt(65535);
        Flow f = new Flow(s.vip, dport, s.proto, s.vip.length == 4 ? pick(clients4) : pick(clients6), port(), s);
        remember(f);
        return f;
    }

    private void remember(Flow f) {
        flows.add(f);
        if (flows.size() > 200) {
            natFlows.remove(flows.remove(random.nextInt(flows.size())));
        }
        if (f.service != null && f.service.reals.getFirst().method == Method.NAT) {
            natFlows.add(f);
        }
    }

    private RealM realOf(Flow f) {
        PacketModel.Conn c = model.conns.get(PacketModel.connKey(f.v4() ? 4 : 6, f.client, f.vip, f.cport, f.dport, f.proto));
        return c == null ? null : c.real;
    }

    /**
     * ICMP and ICMPv6 errors: from a real (or a router on its side) about what a client sent it,
     * from a client (or a router on the way) about a reply, about DR and TUN flows and flows nobody
     * knows, and ICMP that is no error.
     */
    private Case icmpError() {
        Flow f = random.nextInt(100) < 70 ? natFlow() : flow();
        boolean v4 = f.v4();
        RealM r = realOf(f);
        int[] tcr = v4 ? icmpTypeCodeRest() : icmp6TypeCodeRest();
        int type = tcr[0], code = tcr[1], rest = tcr[2];
        boolean fromReal = random.nextBoolean() && r != null && r.method == Method.NAT;
        Frame quote;
        Frame outer;
        Iface in;
        if (fromReal) { // the real quotes the client's packet as it got it
            int rport = r.port != 0 ? r.port : f.dport;
            quote = ipHeader(Frame.eth(CLIENT_MAC, CLIENT_MAC), f.client, r.addr);
            quote = v4 ? quoteOptions(quote.ipId(random.nextInt(65536)).frag(random.nextBoolean() ? Frame.DF : 0)) : quote;
            quote = quote.ttl(ttl());
            quote = f.proto == PacketModel.TCP ? quote.tcp(random.nextInt(100) < 95 ? f.cport : port(), rport, tcpFlags())
                    : quote.udp(f.cport, rport);
            in = random.nextInt(100) < 90 ? sideOf(r.addr) : front;
            byte[] from = random.nextInt(100) < 80 ? r.addr : bytes(v4 ? "10.0.9.254" : "2001:db8:9::fe");
            outer = ipHeader(Frame.eth(realMac(r.addr), destinationMac(in)), from, f.client).ttl(replyTtl());
        } else { // a client or a router on the way quotes a reply, from the VIP
            quote = ipHeader(Frame.eth(CLIENT_MAC, CLIENT_MAC), f.vip, f.client);
            quote = v4 ? quoteOptions(quote.ipId(random.nextInt(65536)).frag(random.nextBoolean() ? Frame.DF : 0)) : quote;
            quote = quote.ttl(ttl());
            quote = f.proto == PacketModel.TCP ? quote.tcp(f.dport, random.nextInt(100) < 95 ? f.cport : port(), Frame.ACK)
                    : quote.udp(f.dport, f.cport);
            in = random.nextInt(100) < 90 ? front : back;
            byte[] from = random.nextInt(100) < 80 ? f.client : bytes(v4 ? "203.0.113.1" : "2001:db8:c::fe");
            outer = ipHeader(Frame.eth(sourceMac(f.client), destinationMac(in)), from, f.vip).ttl(ttl());
        }
        if (v4 && random.nextInt(100) < 5) {
            outer = outer.frag(random.nextBoolean() ? Frame.MF : 100);
        }
        if (v4 && random.nextInt(100) < 8) {
            outer = outer.ipOptions(ipOptions());
        }
        byte[] q = quote.payload(randomBytes(random.nextInt(100) < 70 ? random.nextInt(40) : random.nextInt(600))).ip();
        int header = v4 ? (q[0] & 0xf) * 4 : 40;
        int keep = switch (random.nextInt(4)) {
            case 0 -> q.length;
            case 1 -> Math.min(q.length, header + 8); // header and 8 bytes, as RFC 792 asks at least
            case 2 -> Math.min(q.length, 1 + random.nextInt(q.length));
            default -> Math.min(q.length, v4 ? 548 : 1232); // RFC 1812's 576 and RFC 4443's 1280, less the headers
        };
        byte[] body = Arrays.copyOf(q, keep);
        boolean intact = true;
        int protocolAt = v4 ? 9 : 6;
        if (body.length > protocolAt && random.nextInt(100) < 5) {
            // the quote is no TCP or UDP (IPv6: an extension header first)
            body[protocolAt] = (byte) (int) (v4 ? pick(List.of(1, 47, 132)) : pick(List.of(58, 0, 44, 60, 43)));
            intact = false;
        }
        if (v4 && body.length > 7 && random.nextInt(100) < 5) {
            PacketModel.put16(body, 6, 1 + random.nextInt(0x1fff)); // a later fragment quoted
            intact = false;
        }
        Frame fr = v4 ? outer.icmp(type, code, rest, body) : outer.icmp6(type, code, rest, body);
        return new Case(tag(fr).bytes(), in, intact, (v4 ? "ICMP " : "ICMPv6 ") + type + (fromReal ? " from a real" : " from a client"));
    }

    private static Frame ipHeader(Frame eth, byte[] src, byte[] dst) {
        return src.length == 4 ? eth.ipv4(addr(src), addr(dst)) : eth.ipv6(addr(src), addr(dst));
    }

    /** Destination unreachable (frag needed with an MTU), time exceeded, parameter problem, or no error at all. */
    private int[] icmpTypeCodeRest() {
        int roll = random.nextInt(100);
        if (roll < 60) {
            int code = random.nextInt(16);
            return new int[] {3, code, code == 4 ? 1000 + random.nextInt(500) : 0};
        }
        if (roll < 75) {
            return new int[] {11, random.nextInt(2), 0};
        }
        if (roll < 85) {
            return new int[] {12, random.nextInt(3), random.nextInt(256) << 24};
        }
        return new int[] {pick(List.of(0, 4, 5, 8, 13, 14, 30, 255)), random.nextInt(4), 0};
    }

    /** Destination unreachable, packet too big (an MTU), time exceeded, parameter problem (a pointer), or informational. */
    private int[] icmp6TypeCodeRest() {
        int roll = random.nextInt(100);
        if (roll < 40) {
            return new int[] {1, random.nextInt(8), 0};
        }
        if (roll < 55) {
            return new int[] {2, 0, 1280 + random.nextInt(220)};
        }
        if (roll < 70) {
            return new int[] {3, random.nextInt(2), 0};
        }
        if (roll < 82) {
            return new int[] {4, random.nextInt(4), random.nextInt(48)};
        }
        return new int[] {pick(List.of(0, 5, 100, 127, 128, 129, 133, 135, 143, 255)), random.nextInt(4), 0};
    }

    private Frame quoteOptions(Frame quote) {
        return random.nextInt(100) < 10 ? quote.ipOptions(ipOptions()) : quote;
    }

    /** Other protocols to a VIP: ICMP that is no error, GRE, ESP, SCTP, IPIP; IPv6 extension headers and ICMPv6. */
    private Case otherProtocol() {
        ServiceM s = pick(model.services);
        Iface in = random.nextInt(100) < 90 ? front : back;
        boolean v4 = s.vip.length == 4;
        byte[] client = v4 ? pick(clients4) : pick(clients6);
        Frame fr = Frame.eth(sourceMac(client), destinationMac(in)).ip(text(client), text(s.vip)).ttl(ttl());
        byte[] body = randomBytes(random.nextInt(60));
        if (v4) {
            fr = random.nextInt(100) < 40 ? fr.icmp(8, 0, random.nextInt(), body) : fr.ipPayload(pick(List.of(4, 47, 50, 132, 2, 0)), body);
        } else {
            fr = random.nextInt(100) < 30 ? fr.icmp6(128, 0, random.nextInt(), body) : fr.ipPayload(pick(List.of(0, 43, 44, 60, 51, 50, 135, 59, 4)), body);
        }
        return new Case(tag(fr).bytes(), in, true, "other protocol");
    }

    private Case notIp() {
        Iface in = random.nextBoolean() ? front : back;
        int roll = random.nextInt(3);
        Frame fr;
        if (roll == 0) {
            fr = Frame.eth(CLIENT_MAC, BROADCAST).arp(1, CLIENT_MAC, "198.51.100.7", new byte[6], "192.0.2.10");
            return new Case(tag(fr).bytes(), in, true, "ARP");
        }
        byte[] f = new byte[14 + random.nextInt(100)];
        random.nextBytes(f);
        System.arraycopy(destinationMac(in), 0, f, 0, 6);
        PacketModel.put16(f, 12, roll == 1 ? 0x88cc : random.nextInt(65536));
        return new Case(f, in, false, "not IP");
    }

    private Case randomBytes() {
        Iface in = random.nextBoolean() ? front : back;
        byte[] f = new byte[14 + random.nextInt(random.nextInt(100) < 80 ? 120 : 1500)];
        random.nextBytes(f);
        if (random.nextInt(100) < 70) { // reaches the IP parser at least
            System.arraycopy(destinationMac(in), 0, f, 0, 6);
            PacketModel.put16(f, 12, random.nextBoolean() ? 0x0800 : 0x86dd);
            if (f.length > 14 && random.nextBoolean()) {
                f[14] = (byte) (PacketModel.u16(f, 12) == 0x0800 ? 0x45 : 0x60);
            }
        }
        return new Case(f, in, false, "random bytes");
    }

    /** Near and beyond the sizes that still fit: TUN's MTU once encapsulated, NAT's way out. */
    private Case big() {
        Flow f = flow();
        int ip = f.v4() ? 20 : 40, l4 = f.proto == PacketModel.TCP ? 20 : 8;
        int l3 = 1340 + random.nextInt(220);
        return clientFrame(f, Math.max(0, l3 - ip - l4), null);
    }

    /** One valid frame cut at every length, shortest first, then whole. */
    private Case sweep() {
        Case whole = switch (random.nextInt(4)) {
            case 0 -> natReply();
            case 1 -> icmpError();
            case 2 -> fragment();
            default -> clientFrame(flow());
        };
        for (int len = 14; len < whole.frame.length; len++) {
            pending.add(new Case(Arrays.copyOf(whole.frame, len), whole.in, false, "cut " + whole.kind));
        }
        pending.add(whole);
        return pending.removeFirst();
    }

    // ---- mutations

    private Case mutate(Case c) {
        byte[] f = c.frame.clone();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            f = mutation(f);
        }
        return new Case(f, c.in, false, "mutated " + c.kind);
    }

    private byte[] mutation(byte[] f) {
        int l2 = l2(f);
        int l3 = Math.min(l2, f.length - 1);
        boolean v4 = f.length > l2 && (f[l3] & 0xf0) == 0x40;
        int ihl = v4 ? (f[l3] & 0xf) * 4 : 40;
        int l4 = l3 + ihl;
        switch (random.nextInt(16)) {
            case 0 -> {
                return Arrays.copyOf(f, 14 + random.nextInt(Math.max(1, f.length - 14)));
            }
            case 1 -> {
                byte[] padded = Arrays.copyOf(f, f.length + 1 + random.nextInt(40));
                if (random.nextBoolean()) {
                    for (int i = f.length; i < padded.length; i++) {
                        padded[i] = (byte) random.nextInt(256);
                    }
                }
                return padded;
            }
            case 2 -> { // total length / payload length
                int at = l3 + (v4 ? 2 : 4);
                if (at + 2 <= f.length) {
                    int now = PacketModel.u16(f, at);
                    PacketModel.put16(f, at, switch (random.nextInt(4)) {
                        case 0 -> now + 1 + random.nextInt(8);
                        case 1 -> now - 1 - random.nextInt(Math.max(1, Math.min(now, 40)));
                        case 2 -> 0;
                        default -> random.nextInt(65536);
                    });
                }
            }
            case 3 -> { // IPv4 header length
                if (l3 < f.length) {
                    f[l3] = (byte) (f[l3] & 0xf0 | random.nextInt(16));
                }
            }
            case 4 -> { // TCP data offset
                if (l4 + 12 < f.length) {
                    f[l4 + 12] = (byte) (random.nextInt(16) << 4 | f[l4 + 12] & 0xf);
                }
            }
            case 5 -> f[random.nextInt(f.length)] = (byte) random.nextInt(256);
            case 6 -> {
                int at = random.nextInt(f.length);
                f[at] ^= (byte) (1 << random.nextInt(8));
            }
            case 7 -> { // version
                if (l3 < f.length) {
                    f[l3] = (byte) (random.nextInt(16) << 4 | f[l3] & 0xf);
                }
            }
            case 8 -> {
                if (l2 <= f.length) {
                    PacketModel.put16(f, l2 - 2, pick(List.of(0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806, random.nextInt(65536))));
                }
            }
            case 9 -> { // a transport checksum, wrong or none
                int at = l4 + (random.nextBoolean() ? 16 : 6);
                if (at + 2 <= f.length) {
                    PacketModel.put16(f, at, random.nextBoolean() ? 0 : random.nextInt(65536));
                }
            }
            case 10 -> {
                if (v4 && l3 + 12 <= f.length) {
                    PacketModel.put16(f, l3 + 10, random.nextInt(65536));
                }
            }
            case 11 -> { // another tag in front (a second one is not parsed)
                byte[] tagged = new byte[f.length + 4];
                System.arraycopy(f, 0, tagged, 0, 12);
                PacketModel.put16(tagged, 12, random.nextBoolean() ? 0x8100 : 0x88a8);
                PacketModel.put16(tagged, 14, random.nextInt(4096));
                System.arraycopy(f, 12, tagged, 16, f.length - 12);
                return tagged;
            }
            case 12 -> { // TCP flags
                if (l4 + 14 <= f.length) {
                    f[l4 + 13] = (byte) random.nextInt(256);
                }
            }
            case 13 -> { // flags and fragment offset
                if (v4 && l3 + 8 <= f.length) {
                    PacketModel.put16(f, l3 + 6, pick(List.of(Frame.MF, Frame.DF, 1 + random.nextInt(0x1fff), random.nextInt(65536))));
                }
            }
            case 14 -> { // protocol
                if (l3 + 10 <= f.length) {
                    f[l3 + (v4 ? 9 : 6)] = (byte) (int) pick(List.of(1, 6, 17, 0, 41, 58, 4, random.nextInt(256)));
                }
            }
            default -> { // destination MAC
                System.arraycopy(pick(List.of(OTHER_HOST_MAC, BROADCAST, MULTICAST4, MULTICAST6, front.mac(), back.mac())), 0, f, 0, 6);
            }
        }
        return f;
    }

    // ---- pieces

    private byte[] destinationMac(Iface in) {
        int roll = random.nextInt(100);
        if (roll < 86) {
            return in.mac();
        }
        return switch (roll) {
            case 86, 87, 88, 89 -> OTHER_HOST_MAC;
            case 90, 91 -> BROADCAST;
            case 92, 93 -> MULTICAST4;
            case 94, 95 -> MULTICAST6;
            case 96, 97 -> (in == front ? back : front).mac();
            default -> {
                byte[] m = randomBytes(6);
                yield m;
            }
        };
    }

    private byte[] sourceMac(byte[] client) {
        return random.nextInt(100) < 97 ? CLIENT_MAC : randomBytes(6);
    }

    /** The MAC a real's frames come from: 02:00:00:00:09 and the last octet of its address. */
    private static byte[] realMac(byte[] addr) {
        return new byte[] {2, 0, 0, 0, 9, addr[addr.length - 1]};
    }

    private Iface sideOf(byte[] real) {
        if (real.length == 4 && (real[0] & 0xff) == 198) {
            return front;
        }
        return real.length == 4 && (real[2] & 0xff) == 7 ? side : back;
    }

    private Frame tag(Frame fr) {
        return random.nextInt(100) < 10 ? fr.vlan(random.nextInt(4096)) : fr;
    }

    private int tcpFlags() {
        int roll = random.nextInt(100);
        if (roll < 22) {
            return Frame.SYN;
        }
        if (roll < 55) {
            return Frame.ACK | (random.nextBoolean() ? Frame.PSH : 0);
        }
        if (roll < 65) {
            return Frame.FIN | Frame.ACK;
        }
        if (roll < 72) {
            return Frame.RST | (random.nextBoolean() ? Frame.ACK : 0);
        }
        if (roll < 77) {
            return Frame.SYN | Frame.ACK;
        }
        if (roll < 80) {
            return Frame.FIN;
        }
        if (roll < 83) {
            return 0;
        }
        return random.nextInt(256);
    }

    private int ttl() {
        int roll = random.nextInt(100);
        return roll < 80 ? 64 : roll < 84 ? 0 : roll < 88 ? 1 : roll < 92 ? 2 : random.nextInt(256);
    }

    private int replyTtl() {
        int roll = random.nextInt(100);
        return roll < 85 ? 64 : roll < 89 ? 0 : roll < 94 ? 1 : roll < 97 ? 2 : random.nextInt(256);
    }

    private int payloadLength() {
        int roll = random.nextInt(100);
        return roll < 30 ? 0 : roll < 85 ? random.nextInt(64) : random.nextInt(600);
    }

    /** IPv4 options: NOPs and an end, a record-route, a timestamp, or random bytes; 4 to 40 bytes. */
    private byte[] ipOptions() {
        int words = 1 + random.nextInt(10);
        byte[] o = new byte[4 * words];
        switch (random.nextInt(4)) {
            case 0 -> Arrays.fill(o, (byte) 1);
            case 1 -> {
                o[0] = 7;
                o[1] = (byte) (o.length - 1);
                o[2] = 4;
            }
            case 2 -> {
                o[0] = 68;
                o[1] = (byte) o.length;
                o[2] = 5;
            }
            default -> random.nextBytes(o);
        }
        return o;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    static int l2(byte[] f) {
        if (f.length >= 14) {
            int type = PacketModel.u16(f, 12);
            if (type == 0x8100 || type == 0x88a8) {
                return 18;
            }
        }
        return 14;
    }

    static byte[] bytes(String literal) {
        return InetAddress.ofLiteral(literal).getAddress();
    }

    static InetAddress addr(byte[] a) {
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String text(byte[] a) {
        return addr(a).getHostAddress();
    }
}
