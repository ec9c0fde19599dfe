// SPDX-License-Identifier: GPL-2.0
/*
 * xlb's director: an XDP program in front of the stack. Frames to a configured VIP go to a real
 * server (DR: MAC rewrite; TUN: IPIP / IP6IP6; NAT: destination rewritten), chosen by the
 * service's scheduler for a new flow and by the connection table after that; NAT replies get the
 * VIP back as their source. Everything else is passed to the stack untouched.
 */
#include "maps.h"
#include "packet.h"
#include "conn.h"
#include "thresholds.h"
#include "sched.h"
#include "forward.h"
#include "nat.h"
#include "icmp.h"

static __always_inline void count_reason(__u32 reason)
{
	__u64 *n = bpf_map_lookup_elem(&reasons, &reason);

	if (n)
		*n += 1;
}

static __always_inline void count_traffic(void *map, __u32 idx, __u32 bytes, int new_conn)
{
	struct counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
		c->conns += new_conn;
	}
}

/* The service at the packet's destination address and `port` (0: the address's service on every port). */
static __always_inline int lookup_vip(const struct packet *p, __be16 port, __u32 *svc_idx)
{
	struct vip_key key = {};
	__u32 *idx;

	__builtin_memcpy(key.addr, p->flow.dst, sizeof(key.addr));
	key.port = port;
	key.proto = p->flow.proto;
	key.family = p->flow.family;
	idx = bpf_map_lookup_elem(&vips, &key);
	if (!idx)
		return -1;
	*svc_idx = *idx;
	return 0;
}

static __always_inline struct real *usable_real(__u32 idx)
{
	struct real *r = bpf_map_lookup_elem(&reals, &idx);

	return r && (r->flags & XLB_REAL_F_PRESENT) ? r : NULL;
}

/*
 * Under a SYN flood the connection table would churn and evict established flows. Above the
 * configured rate of new flows per CPU, a flow of a hash-ring service is forwarded untracked: the
 * ring sends its every packet to the same real as long as the ring is unchanged (as Katran does).
 * Other schedulers need the table to stay consistent, so their flows are always tracked.
 */
static __always_inline int may_track(const struct service *svc, const struct xlb_config *cfg, __u64 now)
{
	__u32 zero = 0;
	struct flow_rate *rate;

	if (!cfg || !cfg->new_flow_limit || svc->sched != XLB_SCHED_RING)
		return 1;
	rate = bpf_map_lookup_elem(&flow_rates, &zero);
	if (!rate)
		return 1;
	if (now - rate->window_start_ns >= NSEC_PER_SEC) {
		rate->window_start_ns = now;
		rate->tracked = 0;
	}
	if (rate->tracked >= cfg->new_flow_limit)
		return 0;
	rate->tracked++;
	return 1;
}

/* The client's address masked to the service's persistence prefix. */
static __always_inline void persist_key_of(const struct packet *p, const struct service *svc, __u32 svc_idx,
					   struct persist_key *key)
{
	__u32 prefix = svc->persist_prefix;

	key->service = svc_idx;
#pragma unroll
	for (__u32 i = 0; i < 4; i++) {
		__u32 bits = prefix > 32 * i ? prefix - 32 * i : 0;

		if (bits >= 32)
			key->addr[i] = p->flow.src[i];
		else if (bits == 0)
			key->addr[i] = 0;
		else
			key->addr[i] = p->flow.src[i] & bpf_htonl(~((1U << (32 - bits)) - 1));
	}
}

/*
 * A new connection of a persistent service goes where the client's template points, while the
 * template is younger than the timeout and its real is still in the service; otherwise the
 * scheduler picks and the template is (re)written. A template is refreshed by each new
 * connection it directs.
 */
static __always_inline __u32 schedule_persistent(const struct packet *p, __u32 svc_idx, const struct service *svc, __u64 now)
{
	struct persist_key key = {};
	struct persist *t, fresh = {};
	__u32 real;

	persist_key_of(p, svc, svc_idx, &key);
	t = bpf_map_lookup_elem(&persist, &key);
	if (t && now - t->last_seen_ns <= (__u64)svc->persist_timeout_s * NSEC_PER_SEC && usable_real(t->real)) {
		t->last_seen_ns = now;
		return t->real;
	}
	real = schedule(p, svc_idx, svc, now);
	if (real != XLB_NO_REAL) {
		fresh.real = real;
		fresh.last_seen_ns = now;
		bpf_map_update_elem(&persist, &key, &fresh, BPF_ANY);
	}
	return real;
}

/* A fragment entry: later fragments (no ports) follow the first fragment's real. */
static __always_inline void remember_fragment(const struct packet *p, const struct conn *c)
{
	struct flow_key key = p->flow;
	struct conn frag = *c;

	key.sport = p->ip_id;
	key.dport = 0;
	key.kind = XLB_FLOW_FRAG;
	frag.state = XLB_CONN_FRAG;
	bpf_map_update_elem(&conns, &key, &frag, BPF_ANY);
}

static __always_inline struct conn *fragment_conn(const struct packet *p)
{
	struct flow_key key = p->flow;

	key.sport = p->ip_id;
	key.dport = 0;
	key.kind = XLB_FLOW_FRAG;
	return bpf_map_lookup_elem(&conns, &key);
}

/*
 * Too big once encapsulated: tell the client the path MTU (IPv6 always; IPv4 only when DF is
 * set, as a router would fragment otherwise and the director cannot).
 */
static __always_inline int too_big(struct xdp_md *ctx, const struct packet *p, const struct xlb_config *cfg)
{
	int err;

	/* forward_tun finds a packet too big only against a config's MTU; older verifiers (6.1) do
	 * not follow that from its verdict, so say it again. */
	if (!cfg) {
		count_reason(XLB_R_DROP_ERROR);
		return XDP_DROP;
	}
	if (p->flow.family == XLB_AF_INET && !p->df) {
		count_reason(XLB_R_DROP_TOO_BIG);
		return XDP_DROP;
	}
	err = p->flow.family == XLB_AF_INET ? icmp4_frag_needed(ctx, p, cfg->mtu) : icmp6_packet_too_big(ctx, p, cfg->mtu);
	if (err) {
		count_reason(XLB_R_DROP_ERROR);
		return XDP_DROP;
	}
	count_reason(XLB_R_TX_ICMP_TOO_BIG);
	return XDP_TX;
}

SEC("xdp")
int xlb_director(struct xdp_md *ctx)
{
	struct packet p = {};
	struct xlb_config *cfg;
	struct service *svc;
	struct real *r = NULL;
	struct conn *c, *nat_conn = NULL, fresh = {};
	struct nat_reply *nr;
	__u32 zero = 0, svc_idx = 0, real_idx, reason;
	__u64 now;
	int verdict, new_conn = 0;

	reason = parse_packet(ctx, &p);
	if (reason != (__u32)XLB_PARSED) {
		if (reason == XLB_R_PASS_PROTO && (p.flow.proto == IPPROTO_ICMP || p.flow.proto == IPPROTO_ICMPV6)) {
			/* An ICMP or ICMPv6 error about a NATed flow goes where its flow goes. */
			cfg = bpf_map_lookup_elem(&config, &zero);
			verdict = nat_icmp(ctx, &p, cfg, bpf_ktime_get_coarse_ns(), &reason, &svc_idx, &real_idx);
			if (verdict >= 0) {
				count_reason(reason);
				return verdict;
			}
			reason = XLB_R_PASS_PROTO;
		}
		count_reason(reason);
		return XDP_PASS;
	}
	cfg = bpf_map_lookup_elem(&config, &zero);
	now = bpf_ktime_get_coarse_ns();

	if (p.fragment == FRAG_LATER) {
		c = fragment_conn(&p);
		if (!c || now - c->last_seen_ns > conn_timeout_ns(cfg, XLB_CONN_FRAG)) {
			count_reason(XLB_R_PASS_FRAGMENT);
			return XDP_PASS;
		}
		if (for_other_host(ctx)) {
			count_reason(XLB_R_PASS_OTHER_HOST);
			return XDP_PASS;
		}
		svc_idx = c->service;
		r = usable_real(c->real);
		real_idx = c->real;
		if (!r) {
			count_reason(XLB_R_DROP_NO_REAL);
			return XDP_DROP;
		}
		goto forward;
	}

	/*
	 * A real's reply to a NATed connection, else a service's address and port, else a reply
	 * nat_reals cannot name (its own entry in nat_replies), else a service on every port of the
	 * address, else nothing of ours. A source nat_real_hints marks is looked up in nat_reals
	 * first: a reply found so skips the VIP table, which it would only miss, and the rest pay an
	 * inlined array lookup. A reply to a client that is itself a VIP is a reply, not a new
	 * connection: the reply's lookups come before the every-port service's.
	 */
	nr = nat_maybe_real(&p) ? nat_live_reply(&p.flow, cfg, now, &nat_conn, NAT_BY_REAL) : NULL;
	if (!nr && lookup_vip(&p, p.flow.dport, &svc_idx)) {
		nr = nat_live_reply(&p.flow, cfg, now, &nat_conn, NAT_BY_FLOW);
		if (!nr && lookup_vip(&p, 0, &svc_idx)) {
			count_reason(XLB_R_PASS_NOT_VIP);
			return XDP_PASS;
		}
	}
	if (nr && nat_conn) {
		verdict = nat_reply(ctx, &p, nr, nat_conn, now, &reason);
		if (reason != XLB_R_PASS_TTL && reason != XLB_R_PASS_OTHER_HOST && reason != XLB_R_DROP_ERROR) {
			count_traffic(&svc_out_stats, nr->service, p.frame_len, 0);
			count_traffic(&real_out_stats, nr->real, p.frame_len, 0);
		}
		count_reason(reason);
		return verdict;
	}
	svc = bpf_map_lookup_elem(&services, &svc_idx);
	if (!svc || !(svc->flags & XLB_SVC_F_PRESENT)) {
		count_reason(XLB_R_PASS_NOT_VIP);
		return XDP_PASS;
	}
	if (for_other_host(ctx)) {
		count_reason(XLB_R_PASS_OTHER_HOST);
		return XDP_PASS;
	}

	c = bpf_map_lookup_elem(&conns, &p.flow);
	if (c && c->service == svc_idx && now - c->last_seen_ns <= conn_timeout_ns(cfg, c->state)
	    && !conn_reused(c, &p) && (r = usable_real(c->real))) {
		/* An established flow keeps its real whatever its weight now is (IPVS quiescing). */
		__u8 next = p.flow.proto == IPPROTO_TCP ? tcp_next_state(c->state, p.tcp_flags) : c->state;

		if (next != c->state) {
			real_conns_move(c->real, c->state, next);
			c->state = next;
		}
		c->last_seen_ns = now;
		real_idx = c->real;
	} else {
		if (c) /* expired, reused, or its real is gone: it stops counting */
			real_conns_unbind(c->real, c->state);
		real_idx = svc->persist_timeout_s ? schedule_persistent(&p, svc_idx, svc, now) : schedule(&p, svc_idx, svc, now);
		r = usable_real(real_idx);
		if (!r) {
			count_reason(XLB_R_DROP_NO_REAL);
			return XDP_DROP;
		}
		new_conn = 1;
		/* NAT must see the replies' flow: its connections are always tracked. */
		if (r->method == XLB_FWD_NAT || may_track(svc, cfg, now)) {
			fresh.real = real_idx;
			fresh.service = svc_idx;
			fresh.state = conn_first_state(&p);
			fresh.last_seen_ns = now;
			bpf_map_update_elem(&conns, &p.flow, &fresh, BPF_ANY);
			real_conns_bind(real_idx, fresh.state);
			/* Replies are found by the real's entry in nat_reals, or else by one of the connection's own. */
			if (r->method == XLB_FWD_NAT && !nat_keyed(&p, r, real_idx))
				nat_remember(&p, r, svc_idx, real_idx);
		} else {
			count_reason(XLB_R_FLOW_UNTRACKED);
		}
	}
	if (p.fragment == FRAG_FIRST) {
		struct conn first = { .real = real_idx, .service = svc_idx, .last_seen_ns = now };

		remember_fragment(&p, &first);
	}

forward:
	if (r->family != p.flow.family) {
		count_reason(XLB_R_PASS_FAMILY);
		return XDP_PASS;
	}
	count_traffic(&svc_stats, svc_idx, p.frame_len, new_conn);
	count_traffic(&real_stats, real_idx, p.frame_len, new_conn);
	if (r->method == XLB_FWD_TUN) {
		verdict = forward_tun(ctx, &p, r, cfg, &reason);
		if (verdict == XDP_ABORTED)
			return too_big(ctx, &p, cfg);
	} else if (r->method == XLB_FWD_NAT) {
		verdict = forward_nat(ctx, &p, r, &reason);
	} else {
		verdict = forward_dr(ctx, r, &reason);
	}
	count_reason(reason);
	return verdict;
}


/*
 * For labs on veth only: a frame sent with XDP_TX reaches the peer veth only when the peer has
 * an XDP program of its own (it then runs in NAPI). Attached to the director's peer, it passes.
 */
SEC("xdp")
int xlb_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Read by nobody: carries the ABI's enums into the object's BTF (java/dataplane checks them). */
const volatile struct xlb_abi_enums xlb_abi;

char LICENSE[] SEC("license") = "GPL";
