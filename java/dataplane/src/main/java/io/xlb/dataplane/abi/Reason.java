package io.xlb.dataplane.abi;

/** enum xlb_reason: why a packet left the director as it did; the index of the global counters. */
public enum Reason {
    PASS_NOT_IP, PASS_NOT_VIP, PASS_PROTO, PASS_IPV6_EXT, PASS_MALFORMED, PASS_TRUNCATED,
    DROP_NO_REAL, DROP_TOO_BIG, TX_ICMP_TOO_BIG, TX_DR, TX_TUN, REDIRECT, DROP_ERROR, PASS_FAMILY,
    PASS_FRAGMENT,
    /** Counted besides the verdict: a new flow over the per-CPU limit, forwarded untracked. */
    FLOW_UNTRACKED,
    /** Unicast to another host's MAC, as a switch floods to a backup director: left to the stack. */
    PASS_OTHER_HOST,
    /** NAT: to the real, its address and port written in. */
    TX_NAT,
    /** NAT: a real's reply, the VIP and its port written back as the source. */
    TX_NAT_REPLY,
    /** NAT: translated, but without a resolved next hop in the FIB: the stack forwards it. */
    PASS_NAT_ROUTE,
    /** NAT: a reply whose TTL or hop limit would reach 0: the stack answers time-exceeded. */
    PASS_TTL,
    /** NAT: an ICMP error about a NATed flow, translated either way. */
    TX_NAT_ICMP;

    public static final int COUNT = values().length;
}
