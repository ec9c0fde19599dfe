/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one ABI of the director: every struct and constant that a map holds and java/dataplane
 * reads or writes. Java mirrors each struct as a MemoryLayout and a test checks it against the
 * object's BTF, so a change here that Java does not follow fails the build's tests.
 */
#ifndef XLB_ABI_H
#define XLB_ABI_H

#include <linux/types.h>

/* Capacities (max_entries), an enum so that the object's BTF carries them for Java to check. */
enum xlb_limit {
	XLB_MAX_VIPS        = 4096,
	XLB_MAX_SERVICES    = 1024,
	XLB_MAX_REALS       = 16384,
	XLB_MAX_CONNS       = 1 << 20,
	XLB_MAX_IFACES      = 64,
	/* A scheduling table: slot 0 holds the length, slots 1..len the entries (real indices). */
	XLB_TABLE_HEADER    = 1,
	XLB_TABLE_MAX       = 65537,
	/* Reals a scheduler that compares them all (lc, wlc, sed, nq, fo, ovf, lblc, lblcr) scans per new flow. */
	XLB_LC_MAX          = 256,
	XLB_MAX_PERSIST     = 1 << 18,
	/* lblc and lblcr: destination addresses remembered, all such services together. */
	XLB_MAX_LOCALITY    = 1 << 16,
	/* lblcr: reals one destination address's set holds at most. */
	XLB_LBLCR_SET_MAX   = 16,
	/* NAT: slots of nat_real_hints, a power of two (a slot is the low bits of a hash). */
	XLB_NAT_HINT_SLOTS  = 4096,
};

/* Address families as in linux/socket.h. */
#define XLB_AF_INET         2
#define XLB_AF_INET6        10

/* An IPv4 address is kept in addr[0], the rest zero; network byte order throughout. */
struct vip_key {
	__be32 addr[4];
	__be16 port;          /* 0: every port of the address */
	__u8   proto;         /* IPPROTO_TCP or IPPROTO_UDP */
	__u8   family;        /* XLB_AF_INET or XLB_AF_INET6 */
};

/* How a service picks a real for a new flow. */
enum xlb_sched {
	XLB_SCHED_NONE = 0,   /* no real: new flows are dropped */
	XLB_SCHED_RING = 1,   /* mh, sh, dh: table = hash ring, indexed by hash % len */
	XLB_SCHED_SEQ  = 2,   /* rr, wrr: table = weighted sequence, per-CPU cursor */
	XLB_SCHED_LC   = 3,   /* lc: table = the service's reals, least overhead wins */
	XLB_SCHED_WLC  = 4,   /* wlc: as lc, overhead divided by weight */
	XLB_SCHED_SED  = 5,   /* sed: table = the service's reals, least (active + 1) / weight */
	XLB_SCHED_NQ   = 6,   /* nq: the first idle real, else as sed */
	XLB_SCHED_FO   = 7,   /* fo: the real of highest weight */
	XLB_SCHED_OVF  = 8,   /* ovf: as fo, among reals with no more active connections than their weight */
	XLB_SCHED_LBLC = 9,   /* lblc: the real remembered for the destination address (map lblc), else wlc */
	XLB_SCHED_LBLCR = 10, /* lblcr: the least loaded of the address's set of reals (map lblcr), grown by wlc */
};

/*
 * lblc and lblcr forget a destination address unused this long, and lblcr drops the most loaded
 * member of a set unchanged this long (IPVS's sysctls lblc_expiration, lblcr_expiration).
 */
enum xlb_locality {
	XLB_LOCALITY_EXPIRATION_S = 24 * 60 * 60,
};

/* What a ring hashes. */
enum xlb_hash_key {
	XLB_HASH_SRC      = 0,  /* source address (mh, sh) */
	XLB_HASH_SRC_PORT = 1,  /* source address and port (mh with mh-port) */
	XLB_HASH_DST      = 2,  /* destination address (dh) */
};

struct service {
	__u8  sched;          /* enum xlb_sched */
	__u8  hash_key;       /* enum xlb_hash_key, for XLB_SCHED_RING */
	__u8  ipvs_sched;     /* which LVS scheduler this is (rr and wrr share a family): for listings */
	__u8  flags;          /* XLB_SVC_F_* */
	__u32 id;             /* the controller's id, echoed for diagnostics */
	__u32 persist_timeout_s; /* persistence (ipvsadm -p): 0 for none */
	__u8  persist_prefix; /* client addresses sharing a real: /prefix (persistence_granularity) */
	__u8  pad[3];
};

/* Persistence templates: a client (address masked to the service's prefix) to its real. */
struct persist_key {
	__be32 addr[4];
	__u32  service;
};

struct persist {
	__u64 last_seen_ns;   /* last new connection of the client */
	__u32 real;
	__u32 pad;
};


#define XLB_SVC_F_PRESENT    (1 << 0)
/* sh-fallback, mh-fallback: a ring's real that takes no new connection sends the flow on to another. */
#define XLB_SVC_F_FALLBACK   (1 << 1)
/* Some real of the service has an upper connection threshold: rings and sequences check overload. */
#define XLB_SVC_F_THRESHOLDS (1 << 2)

enum xlb_method {
	XLB_FWD_DR  = 0,      /* rewrite MACs, out again */
	XLB_FWD_TUN = 1,      /* IPIP / IP6IP6 to the real */
	XLB_FWD_NAT = 2,      /* destination rewritten to the real's; replies come back through the director */
};

struct real {
	__be32 addr[4];
	__u8   family;
	__u8   method;        /* enum xlb_method */
	__u16  flags;         /* XLB_REAL_F_* */
	__u32  weight;        /* 0: quiesced, no new flows; established ones stay */
	__u8   mac[6];        /* DR: the real's MAC; TUN: the next hop's */
	__u16  pad;
	__u32  ifindex;       /* 0: out of the ingress interface; else redirect there */
	__u32  service;       /* the service it belongs to: lets a restarted controller re-adopt */
	__be16 port;          /* its port (informational for DR/TUN, which keep the VIP's port) */
	__u16  conf_weight;   /* the weight configured (weight is 0 while the real is unresolved) */
};

#define XLB_REAL_F_PRESENT  (1 << 0)

/* Kept by the dataplane per real, atomically: what the schedulers compare and ipvsadm -L shows. */
struct real_conns {
	__u32 active;         /* connections in ESTABLISHED */
	__u32 inactive;       /* every other state */
};

/*
 * A real's connection thresholds (ipvsadm -x/-y, keepalived's uthreshold/lthreshold) and the
 * overload flag they drive (IPVS's IP_VS_DEST_F_OVERLOAD): the controller writes the thresholds,
 * the program and the controller set and clear the flag.
 */
struct real_thresholds {
	__u32 upper;          /* overloaded once a new connection brings active + inactive to it; 0: never */
	__u32 lower;          /* overloaded until active + inactive fall below it; 0: 3/4 of upper */
	__u32 overloaded;     /* 1: takes no new connection */
};

/* lblc and lblcr: a destination address of one service. */
struct locality_key {
	__be32 addr[4];
	__u32  service;
};

/* lblc: the real a destination address goes to. */
struct lblc_entry {
	__u64 last_use_ns;    /* last new connection to the address */
	__u32 real;
	__u32 pad;
};

/* lblcr: the set of reals a destination address goes to, stored oldest first (read newest first, as IPVS's list). */
struct lblcr_entry {
	__u64 last_use_ns;    /* last new connection to the address */
	__u64 last_mod_ns;    /* last change of the set */
	__u32 size;
	__u32 reals[XLB_LBLCR_SET_MAX];
	__u32 pad;
};

struct flow_key {
	__be32 src[4];
	__be32 dst[4];
	__be16 sport;         /* 0 for fragments: every fragment of a datagram hashes alike */
	__be16 dport;
	__u8   proto;
	__u8   family;
	__u16  kind;          /* XLB_FLOW_CONN, or XLB_FLOW_FRAG for a fragment entry */
};

/*
 * Connection states. TCP follows IPVS's INPUT-ONLY table (DR and TUN never see replies); a
 * fragment entry maps the fragments of one datagram, keyed by IP id, to its first fragment's real.
 */
enum xlb_conn_state {
	XLB_CONN_NONE        = 0,
	XLB_CONN_ESTABLISHED = 1,
	XLB_CONN_SYN_RECV    = 2,
	XLB_CONN_FIN_WAIT    = 3,
	XLB_CONN_TIME_WAIT   = 4,
	XLB_CONN_CLOSE       = 5,
	XLB_CONN_UDP         = 6,
	XLB_CONN_FRAG        = 7,
	XLB_CONN_STATE_MAX   = 8,
};

/* IPVS's default timeout of each state, in seconds, while the controller has set none. */
enum xlb_default_timeout {
	XLB_TIMEOUT_NONE        = 2,
	XLB_TIMEOUT_ESTABLISHED = 900,
	XLB_TIMEOUT_SYN_RECV    = 60,
	XLB_TIMEOUT_FIN_WAIT    = 120,
	XLB_TIMEOUT_TIME_WAIT   = 120,
	XLB_TIMEOUT_CLOSE       = 10,
	XLB_TIMEOUT_UDP         = 300,
	XLB_TIMEOUT_FRAG        = 30,
};

/* flow_key.kind: a connection, or a fragment entry (sport holds the IP id, dport is 0). */
#define XLB_FLOW_CONN       0
#define XLB_FLOW_FRAG       1

/*
 * NAT: what a reply (real to client) restores as its source, the VIP and port, and whose it is.
 * The value of nat_reals (by the real's address and port) and of nat_replies (by the reply's
 * flow). The flow's state is the forward connection's (client to VIP), looked up from this.
 */
struct nat_reply {
	__be32 vip[4];
	__be16 vport;
	__u8   pad[2];
	__u32  service;
	__u32  real;
};

struct conn {
	__u64 last_seen_ns;   /* bpf_ktime_get_ns of the last packet */
	__u32 real;
	__u32 service;
	__u8  state;          /* enum xlb_conn_state */
	__u8  pad[7];
};

/* Director-wide settings, slot 0 of the config array. */
struct xlb_config {
	__u32 timeout_s[XLB_CONN_STATE_MAX]; /* per state, IPVS's defaults until set */
	__be32 tun_src4;      /* outer source of IPIP */
	__be32 tun_src6[4];   /* outer source of IP6IP6 */
	__u32 mtu;            /* L3 MTU toward the reals; 0: no check */
	__u8  tun_ttl;        /* outer TTL / hop limit */
	__u8  pad[3];
	__u32 new_flow_limit; /* per CPU per second, hash-ring services only; 0: no limit */
};

/* Per CPU: new flows tracked in the current one-second window. */
struct flow_rate {
	__u64 window_start_ns;
	__u64 tracked;
};

/*
 * The director's interfaces, by ifindex: a frame arriving on one must be addressed to its MAC to be
 * forwarded, and a frame redirected out of one leaves with its MAC as the source.
 */
struct iface {
	__u8  mac[6];
	__u16 pad;
};

struct counter {
	__u64 packets;
	__u64 bytes;
	__u64 conns;          /* new connections */
};

/* Why a packet left as it did: the global per-CPU counters, by index. */
enum xlb_reason {
	XLB_R_PASS_NOT_IP = 0,     /* ARP, LLDP, ... */
	XLB_R_PASS_NOT_VIP,        /* IP, not addressed to a service */
	XLB_R_PASS_PROTO,          /* neither TCP nor UDP */
	XLB_R_PASS_IPV6_EXT,       /* IPv6 with an extension header */
	XLB_R_PASS_MALFORMED,      /* a header shorter than it says or with bad fields */
	XLB_R_PASS_TRUNCATED,      /* frame ends inside a header */
	XLB_R_DROP_NO_REAL,        /* service without a usable real */
	XLB_R_DROP_TOO_BIG,        /* does not fit after encapsulation, no reply possible */
	XLB_R_TX_ICMP_TOO_BIG,     /* answered with frag-needed / packet-too-big */
	XLB_R_TX_DR,
	XLB_R_TX_TUN,
	XLB_R_REDIRECT,
	XLB_R_DROP_ERROR,          /* a helper failed */
	XLB_R_PASS_FAMILY,         /* real of the other family than the VIP (not supported) */
	XLB_R_PASS_FRAGMENT,       /* a later fragment whose first fragment was not seen */
	XLB_R_FLOW_UNTRACKED,      /* (counted besides the verdict) a new flow over the limit, not tracked */
	XLB_R_PASS_OTHER_HOST,     /* unicast to another host's MAC (flooded by a switch): not ours to forward */
	XLB_R_TX_NAT,              /* NAT: to the real, its address and port written in */
	XLB_R_TX_NAT_REPLY,        /* NAT: a real's reply, the VIP and port written back as its source */
	XLB_R_PASS_NAT_ROUTE,      /* NAT: translated, but the FIB has no resolved next hop: the stack forwards it */
	XLB_R_PASS_TTL,            /* NAT: TTL or hop limit would reach 0: the stack answers time-exceeded */
	XLB_R_TX_NAT_ICMP,         /* NAT: an ICMP error about a NATed flow, translated either way */
	XLB_R_MAX,
};

/* Real-server side (decap.c): an outer destination this host accepts tunnels to. */
struct decap_addr {
	__be32 addr[4];
	__u8   family;
	__u8   pad[3];
};

/* decap.c's counters, by index. */
enum decap_counter {
	DECAP_IPIP = 0,
	DECAP_IP6IP6,
	DECAP_PASS,        /* not a tunnel packet for us */
	DECAP_MAX,
};

/*
 * Never read by the program: names every enum Java mirrors so that the object's BTF carries
 * them (an enum only used for its constants would leave no trace there).
 */
struct xlb_abi_enums {
	enum xlb_limit limit;
	enum xlb_sched sched;
	enum xlb_method method;
	enum xlb_conn_state conn_state;
	enum xlb_default_timeout default_timeout;
	enum xlb_reason reason;
	enum xlb_locality locality;
};

#endif /* XLB_ABI_H */
