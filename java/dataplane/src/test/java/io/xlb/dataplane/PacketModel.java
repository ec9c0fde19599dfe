package io.xlb.dataplane;

import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Reason;
import io.xlb.testing.Checksum;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The director's decision for one frame, as bpf/README.md states the rules (and IPVS where the
 * README defers to it: the INPUT-ONLY TCP table, conn_reuse_mode, ip_vs_nat_icmp), written from
 * those rules and not from bpf/: what must come out (verdict and every byte), why (the reason
 * counter), and what the director remembers afterwards (connections, fragment entries, NAT
 * replies, each real's active and inactive counts).
 *
 * <p>Checksums are judged by a rule rather than by a formula: a field the director rewrites must
 * keep the one's-complement sum of what it covers as it was, so a valid checksum stays valid and a
 * damaged one stays damaged by the same amount (never repaired, never made). The model computes
 * that value from scratch with {@link Checksum}; 0x0000 and 0xffff are the same number there, except
 * in UDP, where 0 means "no checksum".
 *
 * <p>Timeouts are not modelled: the fuzz sets every timeout to a day and starts a fresh table
 * ({@link #clear}) long before one could pass, and before a per-CPU LRU list could fill.
 */
final class PacketModel {
    static final int TCP = 6, UDP = 17, ICMP = 1, ICMPV6 = 58;
    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

    /**
     * An interface of the director: the MAC it owns, its MTU, and whether the control plane
     * registered it (ifaces, tx_ports): only a registered one checks frames' destination MACs and is
     * redirected to; an interface the director is not attached to is the stack's to send on.
     */
    record Iface(String name, int ifindex, byte[] mac, int mtu, boolean registered) {}

    /** A route: destination prefix, its interface, and a gateway (null: the destination is on the link). */
    record Route(byte[] prefix, int length, Iface dev, byte[] via) {}

    static final class RealM {
        final String name;
        final byte[] addr;
        final int port;
        final Method method;
        final byte[] mac;
        /** Changed by the test as it applies a new weight. */
        int weight;
        /** The interface it is reached by when not the one frames arrive on (DR, TUN); null: that one. */
        Iface dev;
        int index;

        RealM(String name, String address, int port, Method method, String mac, int weight) {
            this.name = name;
            this.addr = InetAddress.ofLiteral(address).getAddress();
            this.port = port;
            this.method = method;
            this.mac = HexFormat.ofDelimiter(":").parseHex(mac);
            this.weight = weight;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final class ServiceM {
        final String name;
        final byte[] vip;
        final int port;
        final int proto;
        final List<RealM> reals;
        /** Persistence: the prefix length clients share a real by, or -1 for none (timeouts are not modelled). */
        final int persistPrefix;
        int index;

        ServiceM(String name, String vip, int port, int proto, List<RealM> reals, int persistPrefix) {
            this.name = name;
            this.vip = InetAddress.ofLiteral(vip).getAddress();
            this.port = port;
            this.proto = proto;
            this.reals = List.copyOf(reals);
            this.persistPrefix = persistPrefix;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A connection (or fragment entry, state FRAG) as the model remembers it. */
    static final class Conn {
        final ServiceM service;
        final RealM real;
        int state;

        Conn(ServiceM service, RealM real, int state) {
            this.service = service;
            this.real = real;
            this.state = state;
        }
    }

    /** What a NATed connection's replies restore, and the connection (its key) they belong to. */
    record Nat(ServiceM service, RealM real, byte[] vip, int vport, String connKey) {}

    /** A checksum field the director may have rewritten: where, its value, and whether 0 means "none" (UDP). */
    record Csum(int offset, int value, boolean udp) {}

    /**
     * One acceptable outcome: verdict, reason, the bytes that must come out ({@code want}; null for
     * a drop), the checksum fields judged by value, and what the model remembers if this is what
     * happened. A new flow of a service with several reals has one outcome per real it may take.
     */
    static final class Outcome {
        final int verdict;
        final Reason reason;
        final byte[] want;
        final List<Csum> csums;
        final Runnable commit;
        final String what;
        /** Whether the frame is a new one the director made or translated (its checksums must be valid when the input's were). */
        final boolean fresh;

        Outcome(int verdict, Reason reason, byte[] want, List<Csum> csums, Runnable commit, String what, boolean fresh) {
            this.verdict = verdict;
            this.reason = reason;
            this.want = want;
            this.csums = csums;
            this.commit = commit;
            this.what = what;
            this.fresh = fresh;
        }

        /** Whether {@code r} is this outcome: same verdict and, unless dropped, the same bytes. */
        String mismatch(TestRunResult r) {
            if (r.retval() != verdict) {
                return "verdict " + verdictName(r.retval()) + ", model says " + verdictName(verdict) + " (" + reason + ": " + what + ")";
            }
            if (verdict == TestRunResult.XDP_DROP) {
                return null;
            }
            byte[] got = r.packet();
            if (got.length != want.length) {
                return "length " + got.length + ", model says " + want.length + " (" + reason + ": " + what + ")";
            }
            boolean[] field = new boolean[want.length];
            for (Csum c : csums) {
                field[c.offset] = field[c.offset + 1] = true;
                int g = u16(got, c.offset), w = c.value;
                boolean ok;
                if (c.udp && w == 0) {
                    ok = g == 0; // no checksum stays none
                } else if (c.udp) {
                    ok = g != 0 && (g == w || (g == 0xffff && w == 0) || (g == 0 && w == 0xffff) || g % 0xffff == w % 0xffff);
                } else {
                    ok = g % 0xffff == w % 0xffff;
                }
                if (!ok) {
                    return String.format("checksum at %d is %04x, model says %04x (%s: %s)", c.offset, g, w, reason, what);
                }
            }
            for (int i = 0; i < want.length; i++) {
                if (!field[i] && got[i] != want[i]) {
                    return String.format("byte %d is %02x, model says %02x (%s: %s)", i, got[i] & 0xff, want[i] & 0xff, reason, what);
                }
            }
            return null;
        }
    }

    static String verdictName(int v) {
        return switch (v) {
            case TestRunResult.XDP_ABORTED -> "XDP_ABORTED";
            case TestRunResult.XDP_DROP -> "XDP_DROP";
            case TestRunResult.XDP_PASS -> "XDP_PASS";
            case TestRunResult.XDP_TX -> "XDP_TX";
            case TestRunResult.XDP_REDIRECT -> "XDP_REDIRECT";
            default -> "verdict " + v;
        };
    }

    // ---- configuration, set by the test

    final List<Iface> ifaces = new ArrayList<>();
    final List<Route> routes = new ArrayList<>();
    /** "ifindex/address hex" to the neighbour's MAC (permanent entries). */
    final Map<String, byte[]> neighbours = new HashMap<>();
    final List<byte[]> localAddresses = new ArrayList<>();
    final List<ServiceM> services = new ArrayList<>();
    byte[] tunnelSource4;
    byte[] tunnelSource6;
    int tunnelMtu;
    int tunnelTtl;

    // ---- what the director remembers

    /** Connections and fragment entries by flow_key (hex of its 40 bytes), as the conns map holds them. */
    final Map<String, Conn> conns = new HashMap<>();
    /** NAT replies by their flow (real to client). */
    final Map<String, Nat> natReplies = new HashMap<>();
    /** Persistence templates: service and client prefix to the real its new connections go to. */
    final Map<String, RealM> templates = new HashMap<>();
    /** Active (ESTABLISHED) and inactive connections per real. */
    final Map<RealM, int[]> counts = new HashMap<>();
    /** Reason counters as the model predicts them. */
    final long[] reasons = new long[Reason.COUNT];

    void neighbour(Iface dev, String address, byte[] mac) {
        neighbours.put(dev.ifindex + "/" + HexFormat.of().formatHex(InetAddress.ofLiteral(address).getAddress()), mac);
    }

    void route(String prefix, int length, Iface dev, String via) {
        routes.add(new Route(InetAddress.ofLiteral(prefix).getAddress(), length, dev,
                via == null ? null : InetAddress.ofLiteral(via).getAddress()));
    }

    /** A fresh table: what the test does to the maps between epochs. */
    void clear() {
        conns.clear();
        natReplies.clear();
        templates.clear();
        counts.clear();
    }

    // ---- parsing, as the README's rules read a frame

    static final class Parsed {
        final byte[] f;
        int l2;
        int family;
        int l3;
        int hl;
        int l3len;
        /** The end of the IP packet: what lies after it in the frame is padding, not packet. */
        int end;
        int proto;
        byte[] src;
        byte[] dst;
        int id;
        boolean df;
        boolean mf;
        int offset;
        int l4 = -1;
        int sport;
        int dport;
        int flags;
        Reason pass;

        Parsed(byte[] f) {
            this.f = f;
        }

        boolean later() {
            return family == 4 && offset != 0;
        }

        boolean first() {
            return family == 4 && offset == 0 && mf;
        }

        Parsed pass(Reason r) {
            pass = r;
            return this;
        }
    }

    static Parsed parse(byte[] f) {
        Parsed p = new Parsed(f);
        int n = f.length;
        if (n < 14) {
            return p.pass(Reason.PASS_TRUNCATED);
        }
        int type = u16(f, 12);
        int l2 = 14;
        if (type == 0x8100 || type == 0x88a8) { // one tag, 802.1Q or 802.1ad
            if (n < 18) {
                return p.pass(Reason.PASS_TRUNCATED);
            }
            type = u16(f, 16);
            l2 = 18;
        }
        p.l2 = p.l3 = l2;
        if (type == 0x0800) {
            if (n < l2 + 20) {
                return p.pass(Reason.PASS_TRUNCATED);
            }
            int version = (f[l2] & 0xff) >> 4, ihl = f[l2] & 0xf, tot = u16(f, l2 + 2);
            if (version != 4 || ihl < 5 || tot < ihl * 4) {
                return p.pass(Reason.PASS_MALFORMED);
            }
            if (l2 + ihl * 4 > n || l2 + tot > n) {
                return p.pass(Reason.PASS_TRUNCATED);
            }
            p.family = 4;
            p.hl = ihl * 4;
            p.l3len = tot;
            p.end = l2 + tot;
            p.proto = f[l2 + 9] & 0xff;
            p.src = Arrays.copyOfRange(f, l2 + 12, l2 + 16);
            p.dst = Arrays.copyOfRange(f, l2 + 16, l2 + 20);
            p.id = u16(f, l2 + 4);
            int frag = u16(f, l2 + 6);
            p.df = (frag & 0x4000) != 0;
            p.mf = (frag & 0x2000) != 0;
            p.offset = frag & 0x1fff;
            if (p.proto != TCP && p.proto != UDP) {
                return p.pass(Reason.PASS_PROTO);
            }
            return p.later() ? p : transport(p, l2 + p.hl);
        }
        if (type == 0x86dd) {
            if (n < l2 + 40) {
                return p.pass(Reason.PASS_TRUNCATED);
            }
            if ((f[l2] & 0xff) >> 4 != 6) {
                return p.pass(Reason.PASS_MALFORMED);
            }
            int payload = u16(f, l2 + 4);
            if (l2 + 40 + payload > n) {
                return p.pass(Reason.PASS_TRUNCATED);
            }
            p.family = 6;
            p.hl = 40;
            p.l3len = 40 + payload;
            p.end = l2 + 40 + payload;
            p.proto = f[l2 + 6] & 0xff;
            p.src = Arrays.copyOfRange(f, l2 + 8, l2 + 24);
            p.dst = Arrays.copyOfRange(f, l2 + 24, l2 + 40);
            switch (p.proto) {
                case 0, 43, 44, 60, 51, 50, 135 -> {
                    return p.pass(Reason.PASS_IPV6_EXT);
                }
                default -> { }
            }
            if (p.proto != TCP && p.proto != UDP) {
                return p.pass(Reason.PASS_PROTO);
            }
            return transport(p, l2 + 40);
        }
        return p.pass(Reason.PASS_NOT_IP);
    }

    /** The TCP or UDP header: whole inside the packet (not merely inside the frame), TCP's doff at least 5. */
    private static Parsed transport(Parsed p, int at) {
        byte[] f = p.f;
        if (p.proto == TCP) {
            if (at + 20 > p.end) {
                return p.pass(Reason.PASS_TRUNCATED);
            }
            if ((f[at + 12] & 0xff) >> 4 < 5) {
                return p.pass(Reason.PASS_MALFORMED);
            }
            p.flags = f[at + 13] & 0xff;
        } else if (at + 8 > p.end) {
            return p.pass(Reason.PASS_TRUNCATED);
        }
        p.l4 = at;
        p.sport = u16(f, at);
        p.dport = u16(f, at + 2);
        return p;
    }

    // ---- the decision

    /** Every outcome the rules allow for {@code f} arriving on {@code in}; the first is the one to show when none matched. */
    List<Outcome> decide(byte[] f, Iface in) {
        Parsed p = parse(f);
        if (p.pass != null) {
            if (p.pass == Reason.PASS_PROTO && (p.family == 4 && p.proto == ICMP || p.family == 6 && p.proto == ICMPV6)) {
                Outcome o = p.family == 4 ? icmpError(p, in) : icmp6Error(p, in);
                if (o != null) {
                    return List.of(o);
                }
            }
            return List.of(pass(f, p.pass, "not parsed further"));
        }
        if (p.later()) {
            Conn frag = conns.get(fragKey(p));
            if (frag == null) {
                return List.of(pass(f, Reason.PASS_FRAGMENT, "a later fragment whose first was not seen"));
            }
            if (otherHost(f, in)) {
                return List.of(pass(f, Reason.PASS_OTHER_HOST, "a later fragment to another MAC"));
            }
            return List.of(forward(p, in, frag.real, () -> { }, "a later fragment after its first"));
        }
        // A NAT reply nat_reals names; else the service at the address and port; else a NAT reply with
        // an entry of its own; else the address's service on every port.
        Outcome byReal = natReply(p, in, true);
        if (byReal != null) {
            return List.of(byReal);
        }
        ServiceM exact = service(p, false);
        if (exact == null) {
            Outcome o = natReply(p, in, false);
            if (o != null) {
                return List.of(o);
            }
        }
        ServiceM s = exact != null ? exact : service(p, true);
        if (s == null) {
            return List.of(pass(f, Reason.PASS_NOT_VIP, "no service, no NAT reply"));
        }
        if (otherHost(f, in)) {
            return List.of(pass(f, Reason.PASS_OTHER_HOST, "to another MAC"));
        }
        String key = connKey(p.family, p.src, p.dst, p.sport, p.dport, p.proto);
        Conn c = conns.get(key);
        if (c != null && !(p.proto == TCP && reuses(c.state, p.flags))) {
            int next = p.proto == TCP ? tcpNext(c.state, p.flags) : c.state;
            Runnable commit = () -> {
                move(c.real, c.state, next);
                c.state = next;
                rememberFragment(p, s, c.real);
            };
            return List.of(forward(p, in, c.real, commit, s + ", established on " + c.real + (c.real.weight == 0 ? " (quiesced)" : "")));
        }
        List<Outcome> out = new ArrayList<>();
        String template = s.persistPrefix < 0 ? null : s.name + "/" + HexFormat.of().formatHex(masked(p.src, s.persistPrefix));
        RealM sticky = template == null ? null : templates.get(template);
        for (RealM r : s.reals) {
            if (sticky != null ? r != sticky : r.weight == 0) {
                continue; // a client's template decides (persistence); else a quiesced real takes no new flows
            }
            int first = p.proto == TCP ? tcpNext(ConnState.NONE.ordinal(), p.flags) : ConnState.UDP.ordinal();
            Runnable commit = () -> {
                if (c != null) {
                    move(c.real, c.state, ConnState.NONE.ordinal());
                }
                conns.put(key, new Conn(s, r, first));
                move(r, ConnState.NONE.ordinal(), first);
                if (r.method == Method.NAT) {
                    // An entry of its own only where nat_reals does not name this real for this port.
                    int rport = r.port != 0 ? r.port : p.dport;
                    Nat owner = natReal(r.addr, rport, p.proto);
                    if (owner == null || owner.real() != r || owner.vport() != p.dport) {
                        natReplies.put(connKey(p.family, r.addr, p.src, rport, p.sport, p.proto),
                                new Nat(s, r, p.dst, p.dport, key));
                    }
                }
                rememberFragment(p, s, r);
                if (template != null) {
                    templates.put(template, r);
                }
            };
            out.add(forward(p, in, r, commit, s + ", new flow to " + r + (sticky != null ? " (its template)" : "") + (c != null ? " (a SYN reusing a closing connection)" : "")));
        }
        if (out.isEmpty()) {
            return List.of(new Outcome(TestRunResult.XDP_DROP, Reason.DROP_NO_REAL, null, List.of(), () -> { },
                    s + " has no real of positive weight", false));
        }
        return out;
    }

    private static byte[] masked(byte[] a, int bits) {
        byte[] m = a.clone();
        for (int i = 0; i < m.length * 8; i++) {
            if (i >= bits) {
                m[i / 8] &= (byte) ~(0x80 >> (i % 8));
            }
        }
        return m;
    }

    private void rememberFragment(Parsed p, ServiceM s, RealM r) {
        if (p.first()) {
            conns.put(fragKey(p), new Conn(s, r, ConnState.FRAG.ordinal()));
        }
    }

    /** The service at the packet's address and port, or ({@code everyPort}) the address's service on every port. */
    private ServiceM service(Parsed p, boolean everyPort) {
        for (ServiceM s : services) {
            if (s.proto == p.proto && Arrays.equals(s.vip, p.dst) && s.port == (everyPort ? 0 : p.dport)) {
                return s;
            }
        }
        return null;
    }

    /** Unicast to another MAC than the interface's own (every interface of the test is registered). */
    private static boolean otherHost(byte[] f, Iface in) {
        return in.registered && (f[0] & 1) == 0 && !Arrays.equals(f, 0, 6, in.mac, 0, 6);
    }

    /**
     * The source MAC of a frame sent back out of the interface it came in by: the address it came
     * to, or the interface's own when that was a group address (never a source), as far as the
     * director knows it (a registered interface).
     */
    private static byte[] ownSource(byte[] f, Iface in) {
        return (f[0] & 1) != 0 && in.registered ? in.mac : Arrays.copyOfRange(f, 0, 6);
    }

    /** A pure SYN on a closing connection starts a new one (IPVS's conn_reuse_mode for input-only connections). */
    private static boolean reuses(int state, int flags) {
        boolean syn = (flags & (SYN | ACK | RST)) == SYN;
        return syn && (state == ConnState.FIN_WAIT.ordinal() || state == ConnState.TIME_WAIT.ordinal()
                || state == ConnState.CLOSE.ordinal());
    }

    /**
     * IPVS's INPUT-ONLY TCP table (net/netfilter/ipvs/ip_vs_proto_tcp.c, tcp_states), for the
     * states a director without replies reaches; RST, then SYN, FIN, ACK decide; no flag: CLOSE.
     */
    static int tcpNext(int state, int flags) {
        final int no = 0, es = 1, sr = 2, fw = 3, tw = 4, cl = 5;
        //                         sNO sES sSR sFW sTW sCL
        final int[] syn = {sr, es, sr, sr, sr, sr};
        final int[] fin = {cl, fw, tw, fw, tw, cl};
        final int[] ack = {cl, es, es, fw, tw, cl};
        final int[] rst = {cl, cl, sr, cl, cl, cl};
        int column = state <= cl ? state : no;
        if ((flags & RST) != 0) {
            return rst[column];
        }
        if ((flags & SYN) != 0) {
            return syn[column];
        }
        if ((flags & FIN) != 0) {
            return fin[column];
        }
        if ((flags & ACK) != 0) {
            return ack[column];
        }
        return cl;
    }

    private void move(RealM r, int from, int to) {
        int[] c = counts.computeIfAbsent(r, k -> new int[2]);
        if (from != ConnState.NONE.ordinal() && from != ConnState.FRAG.ordinal()) {
            c[from == ConnState.ESTABLISHED.ordinal() ? 0 : 1]--;
        }
        if (to != ConnState.NONE.ordinal() && to != ConnState.FRAG.ordinal()) {
            c[to == ConnState.ESTABLISHED.ordinal() ? 0 : 1]++;
        }
    }

    // ---- forwarding

    private Outcome forward(Parsed p, Iface in, RealM r, Runnable commit, String what) {
        byte[] f = p.f;
        return switch (r.method) {
            case DR -> {
                byte[] w = f.clone();
                Iface out = r.dev != null ? r.dev : in;
                System.arraycopy(r.mac, 0, w, 0, 6);
                System.arraycopy(out == in ? ownSource(f, in) : out.mac, 0, w, 6, 6);
                yield out == in ? new Outcome(TestRunResult.XDP_TX, Reason.TX_DR, w, List.of(), commit, what + " (DR)", false)
                        : new Outcome(TestRunResult.XDP_REDIRECT, Reason.REDIRECT, w, List.of(), commit, what + " (DR by " + out.name + ")", false);
            }
            case TUN -> tunnel(p, in, r, commit, what + " (TUN)");
            case NAT -> natIn(p, in, r, commit, what + " (NAT)");
        };
    }

    private Outcome tunnel(Parsed p, Iface in, RealM r, Runnable commit, String what) {
        byte[] f = p.f;
        int outer = p.family == 4 ? 20 : 40;
        if (tunnelMtu > 0 && p.l3len + outer > tunnelMtu) {
            if (p.family == 4 && !p.df) {
                return new Outcome(TestRunResult.XDP_DROP, Reason.DROP_TOO_BIG, null, List.of(), commit,
                        what + ": too big without DF", false);
            }
            return tooBig(p, in, commit, what + ": too big");
        }
        byte[] w = new byte[f.length + outer];
        Iface out = r.dev != null ? r.dev : in;
        System.arraycopy(f, 0, w, 0, p.l2);
        System.arraycopy(r.mac, 0, w, 0, 6);
        System.arraycopy(out == in ? ownSource(f, in) : out.mac, 0, w, 6, 6);
        System.arraycopy(f, p.l2, w, p.l2 + outer, f.length - p.l2);
        int o = p.l2;
        List<Csum> csums = new ArrayList<>();
        if (p.family == 4) {
            w[o] = 0x45;
            w[o + 1] = f[o + 1]; // TOS of the inner packet
            put16(w, o + 2, p.l3len + 20);
            put16(w, o + 4, p.id);
            put16(w, o + 6, p.df ? 0x4000 : 0);
            w[o + 8] = (byte) tunnelTtl;
            w[o + 9] = 4;
            System.arraycopy(tunnelSource4, 0, w, o + 12, 4);
            System.arraycopy(r.addr, 0, w, o + 16, 4);
            csums.add(freshField(w, o + 10, new Checksum().add(w, o, 20)));
        } else {
            System.arraycopy(f, o, w, o, 4); // version, traffic class, flow label
            put16(w, o + 4, p.l3len);
            w[o + 6] = 41;
            w[o + 7] = (byte) tunnelTtl;
            System.arraycopy(tunnelSource6, 0, w, o + 8, 16);
            System.arraycopy(r.addr, 0, w, o + 24, 16);
        }
        return out == in ? new Outcome(TestRunResult.XDP_TX, Reason.TX_TUN, w, csums, commit, what, true)
                : new Outcome(TestRunResult.XDP_REDIRECT, Reason.REDIRECT, w, csums, commit, what + " by " + out.name, true);
    }

    /** Fragmentation needed (IPv4 with DF) or packet too big (IPv6) back to the client, from the VIP, quoting 64 bytes. */
    private Outcome tooBig(Parsed p, Iface in, Runnable commit, String what) {
        byte[] f = p.f;
        boolean v4 = p.family == 4;
        int ip = v4 ? 20 : 40;
        byte[] w = new byte[p.l2 + ip + 8 + 64];
        System.arraycopy(f, 0, w, 0, p.l2);
        System.arraycopy(f, 6, w, 0, 6);
        System.arraycopy(ownSource(f, in), 0, w, 6, 6);
        int o = p.l2, icmp = o + ip;
        System.arraycopy(f, p.l3, w, icmp + 8, 64);
        List<Csum> csums = new ArrayList<>();
        if (v4) {
            w[o] = 0x45;
            put16(w, o + 2, 20 + 8 + 64);
            w[o + 8] = 64;
            w[o + 9] = ICMP;
            System.arraycopy(p.dst, 0, w, o + 12, 4);
            System.arraycopy(p.src, 0, w, o + 16, 4);
            csums.add(freshField(w, o + 10, new Checksum().add(w, o, 20)));
            w[icmp] = 3;
            w[icmp + 1] = 4;
            put16(w, icmp + 6, tunnelMtu - 20);
            csums.add(freshField(w, icmp + 2, new Checksum().add(w, icmp, 8 + 64)));
        } else {
            w[o] = 0x60;
            put16(w, o + 4, 8 + 64);
            w[o + 6] = 58;
            w[o + 7] = 64;
            System.arraycopy(p.dst, 0, w, o + 8, 16);
            System.arraycopy(p.src, 0, w, o + 24, 16);
            w[icmp] = 2;
            put32(w, icmp + 4, tunnelMtu - 40);
            Checksum c = new Checksum().add(w, o + 8, 32).add32(8 + 64).add32(58).add(w, icmp, 8 + 64);
            csums.add(freshField(w, icmp + 2, c));
        }
        return new Outcome(TestRunResult.XDP_TX, Reason.TX_ICMP_TOO_BIG, w, csums, commit, what, true);
    }

    /** NAT's way in: the real's address and port (the VIP's port for a real without one), TTL kept. */
    private Outcome natIn(Parsed p, Iface in, RealM r, Runnable commit, String what) {
        byte[] w = p.f.clone();
        int port = p.later() ? -1 : (r.port != 0 ? r.port : p.dport);
        List<Csum> csums = translate(p, w, false, r.addr, port, false);
        return send(p, in, w, csums, r.addr, Reason.TX_NAT, commit, what + " to " + r);
    }

    /**
     * A real's reply to a live NATed connection, found by the real's entry ({@code byReal}) or by
     * its own: the VIP and its port as its source, one hop less.
     */
    private Outcome natReply(Parsed p, Iface in, boolean byReal) {
        Nat n = liveNat(p.family, p.src, p.dst, p.sport, p.dport, p.proto, byReal, !byReal);
        if (n == null) {
            return null;
        }
        byte[] f = p.f;
        String what = "a reply of " + n.real + " (" + n.service + ")";
        if (otherHost(f, in)) {
            return pass(f, Reason.PASS_OTHER_HOST, what + " to another MAC");
        }
        int ttl = f[p.l3 + (p.family == 4 ? 8 : 7)] & 0xff;
        if (ttl <= 1) {
            return pass(f, Reason.PASS_TTL, what + " with TTL " + ttl);
        }
        byte[] w = f.clone();
        boolean routed = sentByXdp(n.vip, p.dst, p.l3len, in);
        List<Csum> csums = translate(p, w, true, n.vip, p.later() ? -1 : n.vport, routed);
        return send(p, in, w, csums, p.dst, Reason.TX_NAT_REPLY, () -> { }, what);
    }

    /**
     * nat_reals as the dataplane writes it: a NAT real's address, port (as its replies carry it)
     * and protocol name the first service, in configuration order, that has it; services on every
     * port have no entry (their replies' port is the client's). Its connKey is null.
     */
    private Nat natReal(byte[] addr, int port, int proto) {
        for (ServiceM s : services) {
            if (s.port == 0 || s.proto != proto || s.vip.length != addr.length) {
                continue;
            }
            for (RealM r : s.reals) {
                if (r.method == Method.NAT && Arrays.equals(r.addr, addr) && (r.port != 0 ? r.port : s.port) == port) {
                    return new Nat(s, r, s.vip, s.port, null);
                }
            }
        }
        return null;
    }

    /**
     * What a reply flow (real to client) restores, while its connection lives on that real: the
     * connection nat_reals names by the real's address and port ({@code byReal}), else the flow's
     * own entry ({@code byFlow}).
     */
    private Nat liveNat(int family, byte[] real, byte[] client, int rport, int cport, int proto, boolean byReal, boolean byFlow) {
        Nat owner = byReal ? natReal(real, rport, proto) : null;
        if (owner != null) {
            String forward = connKey(family, client, owner.vip(), cport, owner.vport(), proto);
            Conn c = conns.get(forward);
            if (c != null && c.real == owner.real()) {
                return new Nat(owner.service(), owner.real(), owner.vip(), owner.vport(), forward);
            }
        }
        if (!byFlow) {
            return null;
        }
        Nat n = natReplies.get(connKey(family, real, client, rport, cport, proto));
        if (n == null) {
            return null;
        }
        Conn c = conns.get(n.connKey);
        return c != null && c.real == n.real ? n : null;
    }

    /**
     * Writes {@code addr} (and {@code port}, unless -1) as the source or destination, one hop less
     * when {@code hop}, and the checksums that cover what changed.
     */
    private static List<Csum> translate(Parsed p, byte[] w, boolean source, byte[] addr, int port, boolean hop) {
        byte[] f = p.f;
        int o = p.l3;
        List<Csum> csums = new ArrayList<>();
        if (p.family == 4) {
            System.arraycopy(addr, 0, w, o + (source ? 12 : 16), 4);
            if (hop) {
                w[o + 8]--;
            }
            csums.add(keep(f, w, o + 10, o, o + p.hl, 0, 0));
        } else {
            System.arraycopy(addr, 0, w, o + (source ? 8 : 24), 16);
            if (hop) {
                w[o + 7]--;
            }
        }
        if (port < 0) {
            return csums;
        }
        put16(w, p.l4 + (source ? 0 : 2), port);
        int field = p.l4 + (p.proto == TCP ? 16 : 6);
        if (p.proto == UDP && p.family == 4 && u16(f, field) == 0) {
            return csums; // an IPv4 datagram without checksum stays without
        }
        long inPseudo = pseudo(f, p), outPseudo = pseudo(w, p);
        Csum c = keep(f, w, field, p.l4, p.end, inPseudo, outPseudo);
        csums.add(p.proto == UDP ? new Csum(c.offset, c.value == 0 ? 0xffff : c.value, true) : c);
        return csums;
    }

    /** The pseudo-header's sum (addresses as they lie in {@code b}, protocol, transport length). */
    private static long pseudo(byte[] b, Parsed p) {
        Checksum c = new Checksum();
        if (p.family == 4) {
            c.add(b, p.l3 + 12, 8).add16(p.proto).add16(p.l3len - p.hl);
        } else {
            c.add(b, p.l3 + 8, 32).add32(p.l3len - p.hl).add32(p.proto);
        }
        return sumOf(c);
    }

    /**
     * Sends a translated packet to the next hop of {@code to} as the kernel's FIB says: back out of
     * the interface it came in by, or redirected to the other; without a route or a resolved
     * neighbour, or too big for the way out, the stack gets it translated (PASS_NAT_ROUTE).
     */
    private Outcome send(Parsed p, Iface in, byte[] w, List<Csum> csums, byte[] to, Reason reason, Runnable commit, String what) {
        byte[] from = p.family == 4 ? Arrays.copyOfRange(w, p.l3 + 12, p.l3 + 16) : Arrays.copyOfRange(w, p.l3 + 8, p.l3 + 24);
        Hop h = hop(from, to, p.l3len);
        if (h == null || (h.dev != in && !h.dev.registered)) {
            return new Outcome(TestRunResult.XDP_PASS, Reason.PASS_NAT_ROUTE, w, csums, commit,
                    what + (h == null ? ": no resolved next hop" : ": out of " + h.dev.name + ", not the director's")
                            + ", translated to the stack", true);
        }
        System.arraycopy(h.mac, 0, w, 0, 6);
        System.arraycopy(h.dev.mac, 0, w, 6, 6);
        int verdict = h.dev == in ? TestRunResult.XDP_TX : TestRunResult.XDP_REDIRECT;
        return new Outcome(verdict, reason, w, csums, commit, what + " out of " + h.dev.name, true);
    }

    record Hop(Iface dev, byte[] mac) {}

    /** Whether XDP sends it on (and takes the hop off it) rather than the stack, which takes the hop off itself. */
    private boolean sentByXdp(byte[] from, byte[] to, int l3len, Iface in) {
        Hop h = hop(from, to, l3len);
        return h != null && (h.dev == in || h.dev.registered);
    }

    /**
     * The FIB: longest prefix, a neighbour for the next hop, the packet within the interface's MTU;
     * null: the stack's. IPv6 from or to a multicast, link-local or loopback address is never
     * forwarded (the kernel's bpf_fib_lookup says so before it looks).
     */
    Hop hop(byte[] src, byte[] dst, int l3len) {
        if (dst.length == 16 && (scoped6(src) || scoped6(dst))) {
            return null;
        }
        for (byte[] local : localAddresses) {
            if (Arrays.equals(local, dst)) {
                return null;
            }
        }
        Route best = null;
        for (Route r : routes) {
            if (r.prefix.length == dst.length && matches(r.prefix, dst, r.length) && (best == null || r.length > best.length)) {
                best = r;
            }
        }
        if (best == null) {
            return null;
        }
        byte[] next = best.via != null ? best.via : dst;
        byte[] mac = neighbours.get(best.dev.ifindex + "/" + HexFormat.of().formatHex(next));
        if (mac == null || l3len > best.dev.mtu) {
            return null;
        }
        return new Hop(best.dev, mac);
    }

    private static boolean scoped6(byte[] a) {
        boolean loopback = Arrays.equals(a, 0, 15, new byte[15], 0, 15) && a[15] == 1;
        return (a[0] & 0xff) == 0xff || ((a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80) || loopback;
    }

    private static boolean matches(byte[] prefix, byte[] a, int bits) {
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((prefix[i / 8] & mask) != (a[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    // ---- ICMP errors about NATed flows (IPv4)

    /**
     * An ICMP error (destination unreachable, time exceeded, parameter problem) whose quote is a
     * NATed flow: from the reals' side it quotes what the real got (client to real) and reaches the
     * client as if the VIP had sent it; from the clients' side it quotes a reply (VIP to client) and
     * reaches the real quoting what the real sent. The quote is what lies inside the ICMP message.
     */
    private Outcome icmpError(Parsed p, Iface in) {
        byte[] f = p.f;
        if (p.mf || p.offset != 0) {
            return null;
        }
        int icmp = p.l3 + p.hl, end = p.end;
        if (icmp + 8 > end) {
            return null;
        }
        int type = f[icmp] & 0xff;
        if (type != 3 && type != 11 && type != 12) {
            return null;
        }
        int q = icmp + 8;
        if (q + 20 > end || (f[q] & 0xff) >> 4 != 4 || (f[q] & 0xf) < 5) {
            return null;
        }
        int qproto = f[q + 9] & 0xff;
        if ((qproto != TCP && qproto != UDP) || (u16(f, q + 6) & 0x1fff) != 0) {
            return null;
        }
        int qhl = (f[q] & 0xf) * 4, ql4 = q + qhl;
        if (ql4 + 4 > end) {
            return null;
        }
        return natIcmpError(p, in, IpHeader.V4, q, ql4, qproto, PacketModel::icmpChecksums);
    }

    /** The outer IP header, the quoted IP header, the quoted transport checksum when quoted, then the ICMP message. */
    private static List<Csum> icmpChecksums(Parsed p, byte[] w, int q, int qproto) {
        byte[] f = p.f;
        int end = p.end, qhl = (f[q] & 0xf) * 4, ql4 = q + qhl, icmp = p.l3 + p.hl;
        List<Csum> csums = new ArrayList<>();
        csums.add(keep(f, w, p.l3 + 10, p.l3, p.l3 + p.hl, 0, 0));
        Csum quotedIp = keep(f, w, q + 10, q, q + qhl, 0, 0);
        put16(w, quotedIp.offset, quotedIp.value);
        csums.add(quotedIp);
        int field = ql4 + (qproto == TCP ? 16 : 6);
        if (field + 2 <= end && !(qproto == UDP && u16(f, field) == 0)) {
            long inPseudo = sumOf(new Checksum().add(f, q + 12, 8).add16(qproto));
            long outPseudo = sumOf(new Checksum().add(w, q + 12, 8).add16(qproto));
            Csum c = keep(f, w, field, ql4, end, inPseudo, outPseudo);
            if (qproto == UDP) {
                c = new Csum(c.offset, c.value == 0 ? 0xffff : c.value, true);
            }
            put16(w, c.offset, c.value);
            csums.add(c);
        }
        csums.add(keep(f, w, icmp + 2, icmp, end, 0, 0));
        return csums;
    }

    // ---- ICMPv6 errors about NATed flows

    /**
     * The same for ICMPv6 (destination unreachable, packet too big, time exceeded, parameter
     * problem), whose quote is an IPv6 header followed directly by TCP or UDP (a quote with an
     * extension header first is the stack's). No IP checksums; the ICMPv6 checksum covers the outer
     * addresses (its pseudo-header) besides the message.
     */
    private Outcome icmp6Error(Parsed p, Iface in) {
        byte[] f = p.f;
        int icmp = p.l3 + 40, end = p.end;
        int q = icmp + 8, ql4 = q + 40;
        if (ql4 + 4 > end) {
            return null;
        }
        int type = f[icmp] & 0xff;
        if (type < 1 || type > 4) {
            return null;
        }
        int qproto = f[q + 6] & 0xff;
        if ((f[q] & 0xff) >> 4 != 6 || (qproto != TCP && qproto != UDP)) {
            return null;
        }
        return natIcmpError(p, in, IpHeader.V6, q, ql4, qproto, PacketModel::icmp6Checksums);
    }

    /** Where an IP header of a family has its addresses and its hop count (the outer header's and the quoted one's alike). */
    private record IpHeader(int version, String icmp, int src, int dst, int length, int hops, String hopsName) {
        static final IpHeader V4 = new IpHeader(4, "ICMP", 12, 16, 4, 8, "TTL");
        static final IpHeader V6 = new IpHeader(6, "ICMPv6", 8, 24, 16, 7, "hop limit");
    }

    /** The checksums an ICMP error's translation keeps right, of the family's kind ({@link #icmpChecksums}, {@link #icmp6Checksums}). */
    private interface IcmpChecksums {
        List<Csum> of(Parsed p, byte[] w, int q, int qproto);
    }

    /**
     * An ICMP error of either family whose quote (its IP header at {@code q}, its ports at {@code ql4})
     * is a NATed flow, translated as {@link #icmpError} says; null when the quote is no NATed flow's.
     */
    private Outcome natIcmpError(Parsed p, Iface in, IpHeader ip, int q, int ql4, int qproto, IcmpChecksums checksums) {
        byte[] f = p.f;
        byte[] qsrc = Arrays.copyOfRange(f, q + ip.src, q + ip.src + ip.length);
        byte[] qdst = Arrays.copyOfRange(f, q + ip.dst, q + ip.dst + ip.length);
        int qsport = u16(f, ql4), qdport = u16(f, ql4 + 2);
        // The flow the quote answers, seen from its other end: a reply flow, or a connection.
        String reverse = connKey(ip.version, qdst, qsrc, qdport, qsport, qproto);
        Nat n = liveNat(ip.version, qdst, qsrc, qdport, qsport, qproto, true, true);
        if (n != null) { // from the reals' side (the real, or a router on its way)
            String what = "an " + ip.icmp + " error from the reals' side about " + n.service + " on " + n.real;
            if (otherHost(f, in)) {
                return pass(f, Reason.PASS_OTHER_HOST, what + ", to another MAC");
            }
            int hops = f[p.l3 + ip.hops] & 0xff;
            if (hops <= 1) {
                return pass(f, Reason.PASS_TTL, what + " with " + ip.hopsName + " " + hops);
            }
            byte[] w = f.clone();
            boolean routed = sentByXdp(n.vip, p.dst, p.l3len, in);
            System.arraycopy(n.vip, 0, w, p.l3 + ip.src, ip.length); // outer source
            if (routed) {
                w[p.l3 + ip.hops]--;
            }
            System.arraycopy(n.vip, 0, w, q + ip.dst, ip.length); // quoted destination
            put16(w, ql4 + 2, n.vport);
            return send(p, in, w, checksums.of(p, w, q, qproto), p.dst, Reason.TX_NAT_ICMP, () -> { }, what);
        }
        Conn c = conns.get(reverse);
        if (c != null && c.real.method == Method.NAT && c.real.addr.length == ip.length) { // from the clients' side
            String what = "an " + ip.icmp + " error from the clients' side about " + c.service + " on " + c.real;
            if (otherHost(f, in)) {
                return pass(f, Reason.PASS_OTHER_HOST, what + ", to another MAC");
            }
            byte[] w = f.clone();
            System.arraycopy(c.real.addr, 0, w, p.l3 + ip.dst, ip.length); // outer destination
            System.arraycopy(c.real.addr, 0, w, q + ip.src, ip.length); // quoted source
            put16(w, ql4, c.real.port != 0 ? c.real.port : qsport);
            return send(p, in, w, checksums.of(p, w, q, qproto), c.real.addr, Reason.TX_NAT_ICMP, () -> { }, what);
        }
        return null;
    }

    /** The quoted transport checksum when quoted (a UDP one always: IPv6 has no "none"), then the ICMPv6 message's. */
    private static List<Csum> icmp6Checksums(Parsed p, byte[] w, int q, int qproto) {
        byte[] f = p.f;
        int end = p.end, ql4 = q + 40, icmp = p.l3 + 40;
        List<Csum> csums = new ArrayList<>();
        int field = ql4 + (qproto == TCP ? 16 : 6);
        if (field + 2 <= end) {
            long inPseudo = sumOf(new Checksum().add(f, q + 8, 32).add32(qproto));
            long outPseudo = sumOf(new Checksum().add(w, q + 8, 32).add32(qproto));
            Csum c = keep(f, w, field, ql4, end, inPseudo, outPseudo);
            if (qproto == UDP) {
                c = new Csum(c.offset, c.value == 0 ? 0xffff : c.value, true);
            }
            put16(w, c.offset, c.value);
            csums.add(c);
        }
        long inPseudo = sumOf(new Checksum().add(f, p.l3 + 8, 32).add32(ICMPV6));
        long outPseudo = sumOf(new Checksum().add(w, p.l3 + 8, 32).add32(ICMPV6));
        csums.add(keep(f, w, icmp + 2, icmp, end, inPseudo, outPseudo));
        return csums;
    }

    // ---- checksums

    /**
     * The value of the checksum field at {@code field} in {@code w} that gives the bytes
     * [{@code from}, {@code to}) plus the pseudo-header the same one's-complement sum as they have
     * in {@code f}; also written into {@code w}.
     */
    private static Csum keep(byte[] f, byte[] w, int field, int from, int to, long inPseudo, long outPseudo) {
        long residual = fold(sumOf(new Checksum().add(f, from, to - from)) + inPseudo);
        put16(w, field, 0);
        long rest = fold(sumOf(new Checksum().add(w, from, to - from)) + outPseudo);
        int value = (int) fold(residual + (~rest & 0xffff));
        put16(w, field, value);
        return new Csum(field, value, false);
    }

    /** A header or message the director builds whole: its checksum computed from scratch. */
    private static Csum freshField(byte[] w, int field, Checksum over) {
        int value = over.finish();
        put16(w, field, value);
        return new Csum(field, value, false);
    }

    /** The folded one's-complement sum a Checksum has accumulated (the complement of what it finishes to). */
    private static long sumOf(Checksum c) {
        return ~c.finish() & 0xffff;
    }

    private static long fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }

    // ---- keys, as struct flow_key lies in the conns map (40 bytes, in hex)

    static String connKey(int family, byte[] src, byte[] dst, int sport, int dport, int proto) {
        return key(family, src, dst, sport, dport, proto, 0);
    }

    static String fragKey(Parsed p) {
        return key(4, p.src, p.dst, p.id, 0, p.proto, 1);
    }

    private static String key(int family, byte[] src, byte[] dst, int sport, int dport, int proto, int kind) {
        byte[] k = new byte[40];
        System.arraycopy(src, 0, k, 0, src.length);
        System.arraycopy(dst, 0, k, 16, dst.length);
        put16(k, 32, sport);
        put16(k, 34, dport);
        k[36] = (byte) proto;
        k[37] = (byte) (family == 4 ? 2 : 10);
        k[38] = (byte) kind; // host order (x86: little-endian)
        return HexFormat.of().formatHex(k);
    }

    private static Outcome pass(byte[] f, Reason r, String what) {
        return new Outcome(TestRunResult.XDP_PASS, r, f, List.of(), () -> { }, what, false);
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, int v) {
        put16(b, at, v >>> 16);
        put16(b, at + 2, v);
    }
}
