package io.xlb.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code virtual_server ADDR PORT | fwmark N | group NAME { ... }} and its {@code real_server}s. */
final class VirtualServerReader {
    private static final Set<String> SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq",
            "mh", "fo", "ovf");
    private static final Set<String> METHODS = Set.of("DR", "TUN", "NAT");
    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
    private static final Duration DEFAULT_DELAY_LOOP = Duration.ofSeconds(60);
    /** IPVS's scheduler flags as bits (IP_VS_SVC_F_SCHED1..3): sh's and mh's fallback, their port, and a third nobody reads. */
    private static final int SCHED_FLAG_1 = 1, SCHED_FLAG_2 = 2, SCHED_FLAG_3 = 4;

    /** A scheduler flag keyword that set a bit, where it was written. */
    private record SchedulerFlag(String keyword, int bit, SourcePos pos) {}

    private static final class Builder {
        VirtualServer.Key key;
        Duration delayLoop = DEFAULT_DELAY_LOOP, delayBeforeRetry, warmup;
        String sched = "wlc", method = "NAT", granularity, protocol, quorumUp, quorumDown, virtualhost;
        Integer persistence, retry;
        VirtualServer.SorryServer sorry;
        boolean sorryInhibit, alpha, omega, inhibit, haSuspend;
        Boolean smtp;
        int quorum = 1, hysteresis;
        final List<RealServer> reals = new ArrayList<>();
        final List<SchedulerFlag> schedFlags = new ArrayList<>();
    }

    private static final class RealBuilder {
        int weight = 1;
        String method, notifyUp, notifyDown;
        boolean inhibit;
        Boolean smtp;
        Integer upper, lower;
        final List<Checker> checkers = new ArrayList<>();
    }

    private final Diagnostics d;
    /**
     * Where a real_server's address is written, by the real_server's own position, for the reals
     * whose family is not their virtual server's (the only error reported there): a map of every
     * real's would hold a million entries for a million reals.
     */
    private final Map<SourcePos, SourcePos> realAddressPos;
    private final KeywordTable<Builder> table;
    private final KeywordTable<RealBuilder> realTable;

    VirtualServerReader(Diagnostics d, Map<SourcePos, SourcePos> realAddressPos) {
        this.d = d;
        this.realAddressPos = realAddressPos;
        this.table = new KeywordTable<Builder>("virtual_server", d)
                .seconds("delay_loop", false, (b, x) -> b.delayLoop = KeywordTable.orElse(x, b.delayLoop))
                .oneOf("lb_algo", SCHEDULERS, "scheduler", (b, x) -> b.sched = KeywordTable.orElse(x, b.sched))
                .alias("lvs_sched", "lb_algo")
                .keyword("lb_kind", 1, (b, n, v) -> b.method = KeywordTable.orElse(method(v), b.method))
                .alias("lvs_method", "lb_kind")
                .keyword("persistence_timeout", 1, (b, n, v) -> {
                    Integer p = v.integer(0, 0, 31 * 24 * 3600, "seconds");
                    if (p != null && p == 0) {
                        d.warning(v.pos(0), "persistence_timeout 0 means no persistence (keepalived -t rejects 0 as out of range); read as none");
                    }
                    b.persistence = p != null && p > 0 ? p : null;
                })
                .word("persistence_granularity", "a netmask", (b, x) -> b.granularity = x)
                .keyword("protocol", 1, (b, n, v) -> {
                    b.protocol = v.oneOf(0, PROTOCOLS, "protocol");
                    if ("SCTP".equals(b.protocol)) {
                        d.error(v.pos(0), "protocol SCTP is not supported by xlb (TCP and UDP are)");
                    }
                })
                .keyword("sorry_server", 2, (b, n, v) -> {
                    InetAddress a = v.address(0, "an address");
                    Integer p = v.port(1);
                    b.sorry = a == null || p == null ? null : new VirtualServer.SorryServer(a, p);
                })
                .flag("sorry_server_inhibit", b -> b.sorryInhibit = true)
                .integer("quorum", 1, 65535, "a count", (b, x) -> b.quorum = KeywordTable.orElse(x, b.quorum))
                .command("quorum_up", (b, x) -> b.quorumUp = x)
                .command("quorum_down", (b, x) -> b.quorumDown = x)
                .integer("hysteresis", 0, 65535, "a count", (b, x) -> b.hysteresis = KeywordTable.orElse(x, b.hysteresis))
                .flag("alpha", b -> b.alpha = true)
                .flag("omega", b -> b.omega = true)
                .flag("inhibit_on_failure", b -> b.inhibit = true)
                .flag("ha_suspend", b -> b.haSuspend = true)
                .bool("smtp_alert", (b, x) -> b.smtp = x)
                .word("virtualhost", "a host name", (b, x) -> b.virtualhost = x)
                .integer("retry", 1, 1000, "a count", (b, x) -> b.retry = x)
                .keyword("nb_get_retry", 1, (b, n, v) -> b.retry = CheckerReader.nbGetRetry(n, v, 1, d))
                .seconds("delay_before_retry", true, (b, x) -> b.delayBeforeRetry = x)
                .seconds("warmup", true, (b, x) -> b.warmup = x)
                .keyword("nat_mask", KeywordTable.ANY, (b, n, v) -> d.warning(n.pos(),
                        "nat_mask is obsolete (keepalived -t rejects it; the reals' netmask plays no part in NAT): ignored"))
                .block("real_server", (b, n, v) -> KeywordTable.add(b.reals, realServer(b, n)));
        for (String flag : List.of("sh-port", "sh-fallback", "mh-port", "mh-fallback", "flag-1", "flag-2", "flag-3")) {
            table.keyword(flag, 0, (b, n, v) -> schedulerFlag(b, n));
        }
        CheckerReader checkers = new CheckerReader(d);
        this.realTable = new KeywordTable<RealBuilder>("real_server", d)
                .integer("weight", 0, 65535, "a weight", (b, x) -> b.weight = KeywordTable.orElse(x, b.weight))
                .keyword("lvs_method", 1, (b, n, v) -> b.method = method(v))
                .flag("inhibit_on_failure", b -> b.inhibit = true)
                .bool("smtp_alert", (b, x) -> b.smtp = x)
                .command("notify_up", (b, x) -> b.notifyUp = x)
                .command("notify_down", (b, x) -> b.notifyDown = x)
                .keyword("uthreshold", KeywordTable.ANY, (b, n, v) -> b.upper = threshold(n, v))
                .keyword("lthreshold", KeywordTable.ANY, (b, n, v) -> b.lower = threshold(n, v))
                .unknownMayHaveBlock(k -> k.endsWith("_CHECK") || k.endsWith("_GET"));
        for (String kind : CheckerReader.KINDS) {
            realTable.block(kind, (b, n, v) -> KeywordTable.add(b.checkers, checkers.read(n)));
        }
    }

    VirtualServer read(Node n) {
        VirtualServer.Key key = key(new Values(n, d));
        if (n.values().isEmpty() || !KeywordTable.needsBlock(n, d)) { // no values: key() has said so
            return null;
        }
        Builder b = new Builder();
        b.key = key;
        table.read(n, b);
        if (b.protocol == null) {
            d.warning(n.pos(), "virtual_server without protocol: TCP assumed (keepalived 2.2.7 was seen to use UDP); write protocol TCP or UDP");
            b.protocol = "TCP";
        }
        if (key == null) {
            return null;
        }
        return new VirtualServer(key, b.delayLoop, b.sched, schedulerFlags(b), b.method, b.persistence, b.granularity, b.protocol, b.sorry,
                b.sorryInhibit, b.quorum, b.quorumUp, b.quorumDown, b.hysteresis, b.alpha, b.omega, b.inhibit,
                b.haSuspend, b.virtualhost, b.retry, b.delayBeforeRetry, b.warmup, b.smtp, b.reals, n.pos());
    }

    private VirtualServer.Key key(Values head) {
        String first = head.word(0, "an address and port, 'fwmark N' or 'group NAME'");
        if (first == null) {
            return null;
        }
        if (first.equals("fwmark")) {
            Integer mark = head.integer(1, 1, Integer.MAX_VALUE, "a mark");
            head.noMoreThan(2);
            return mark == null ? null : new VirtualServer.Fwmark(mark);
        }
        if (first.equals("group")) {
            String g = head.word(1, "a group name");
            head.noMoreThan(2);
            return g == null ? null : new VirtualServer.Group(g);
        }
        InetAddress addr = head.address(0, "an address");
        Integer port = head.count() > 1 ? head.port(1) : null;
        if (head.count() < 2) {
            head.word(1, "a port");
        }
        head.noMoreThan(2);
        return addr == null || port == null ? null : new VirtualServer.AddressPort(addr, port);
    }

    private String method(Values v) {
        String m = v.word(0, "DR, TUN or NAT");
        if (m == null) {
            return null;
        }
        if (!METHODS.contains(m)) {
            d.error(v.pos(0), "unknown forwarding method '" + m + "' (DR, TUN or NAT, in capitals)");
            return null;
        }
        return m;
    }

    /** uthreshold, lthreshold: a count of connections, up to ipvsadm's limit (2^31 - 1). */
    private Integer threshold(Node n, Values v) {
        Integer t = v.integer(0, 0, Integer.MAX_VALUE, "a count of connections");
        v.noMoreThan(1);
        return t;
    }

    /**
     * keepalived's lbflags_handler: sh-port and sh-fallback take effect under lb_algo sh as set so
     * far (mh-port, mh-fallback under mh), each as the scheduler flag bit it stands for; flag-1..3
     * set their bit whatever the scheduler. Bits are read by the final scheduler in {@link #schedulerFlags}.
     */
    private void schedulerFlag(Builder b, Node n) {
        String k = n.keyword();
        int bit = switch (k) {
            case "flag-1" -> SCHED_FLAG_1;
            case "flag-2" -> SCHED_FLAG_2;
            case "flag-3" -> SCHED_FLAG_3;
            default -> k.endsWith("-fallback") ? SCHED_FLAG_1 : SCHED_FLAG_2;
        };
        String owner = k.substring(0, 2);
        if (k.startsWith("flag-") || b.sched.equals(owner)) {
            b.schedFlags.add(new SchedulerFlag(k, bit, n.pos()));
        } else if (b.sched.equals("sh") || b.sched.equals("mh")) {
            d.warning(n.pos(), k + " is a flag of lb_algo " + owner + ", not " + b.sched + ": ignored (keepalived ignores it silently)");
        } else {
            d.warning(n.pos(), k + " is a flag of lb_algo " + owner + " and the scheduler here is " + b.sched
                    + " (keepalived reads the flag against the lb_algo written before it): ignored, as keepalived does");
        }
    }

    /** The flags the final scheduler reads, as ipvsadm names them: sh and mh read bit 1 (fallback) and 2 (port). */
    private List<String> schedulerFlags(Builder b) {
        boolean hashing = b.sched.equals("sh") || b.sched.equals("mh");
        int bits = 0;
        for (SchedulerFlag f : b.schedFlags) {
            if (hashing && f.bit() != SCHED_FLAG_3) {
                bits |= f.bit();
            } else {
                d.warning(f.pos(), f.keyword() + " does nothing with lb_algo " + b.sched + (f.bit() == SCHED_FLAG_3
                        ? " (no IPVS scheduler reads flag-3)" : " (only sh and mh read scheduler flags)") + ": ignored");
            }
        }
        List<String> out = new ArrayList<>();
        if ((bits & SCHED_FLAG_1) != 0) {
            out.add(b.sched + "-fallback");
        }
        if ((bits & SCHED_FLAG_2) != 0) {
            out.add(b.sched + "-port");
        }
        return out;
    }

    private RealServer realServer(Builder vs, Node n) {
        Values head = new Values(n, d);
        InetAddress addr = head.address(0, "an address");
        if (addr != null && vs.key instanceof VirtualServer.AddressPort ap && Addresses.isV4(ap.address()) != Addresses.isV4(addr)) {
            realAddressPos.put(n.pos(), head.pos(0));
        }
        Integer port = head.count() > 1 ? head.port(1) : null;
        if (head.count() < 2) {
            head.word(1, "a port");
        }
        head.noMoreThan(2);
        RealBuilder b = new RealBuilder();
        if (n.block()) {
            realTable.read(n, b);
        }
        long upper = b.upper == null ? 0 : b.upper, lower = b.lower == null ? 0 : b.lower;
        if (lower > upper) {
            d.error(n.pos(), "lthreshold " + lower + " is above uthreshold " + upper
                    + ": IPVS refuses such a real (lower it, or raise uthreshold)");
        }
        if (addr == null || port == null) {
            return null;
        }
        return new RealServer(addr, port, b.weight, b.method, b.inhibit, b.notifyUp, b.notifyDown, b.upper, b.lower,
                b.smtp, b.checkers, n.pos());
    }
}
