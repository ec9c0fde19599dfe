/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT (masquerading), as IPVS does it: on the way in the destination becomes the real's address
 * and port; the real's replies, routed back through the director, get the VIP and its port back as
 * their source. Checksums are updated incrementally; the next hop comes from the kernel's FIB,
 * so a real may sit behind another interface (two-armed) or on the clients' segment (one-armed).
 * Like IPVS, the way in keeps the TTL (the director is the destination) and the way out, which
 * IPVS routes through the kernel's forwarding, loses one.
 */
#ifndef XLB_NAT_H
#define XLB_NAT_H

#include "maps.h"
#include "packet.h"
#include "conn.h"
#include "csum.h"
#include "forward.h"
#include <linux/icmp.h>
#include <linux/icmpv6.h>

#define NAT_REWRITE_DST 1
#define NAT_REWRITE_SRC 0
#define IPV6_FLOWINFO_MASK bpf_htonl(0x0FFFFFFF)
#define UDP_CSUM_MANGLED   0xffff   /* RFC 768: a checksum computing to 0 is sent as all ones */

/* The L4 header's ports and checksum, after the addresses changed from `old` to `now` (words of 32 bits). */
static __always_inline int nat_l4(void *l4, void *end, const struct packet *p, int dst, const __u32 *old,
				  const __u32 *now, int words, __be16 port)
{
	if (p->flow.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		__be16 *field;
		__u16 check;

		if ((void *)(tcp + 1) > end)
			return -1;
		field = dst ? &tcp->dest : &tcp->source;
		check = csum_replace32(tcp->check, old, now, words);
		tcp->check = csum_replace16(check, *field, port);
		*field = port;
		return 0;
	}
	if (p->flow.proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		__be16 *field;

		if ((void *)(udp + 1) > end)
			return -1;
		field = dst ? &udp->dest : &udp->source;
		/* An IPv4 datagram may go without checksum (0); IPv6 ones may not. */
		if (udp->check || p->flow.family == XLB_AF_INET6) {
			__u16 check = csum_replace16(csum_replace32(udp->check, old, now, words), *field, port);

			udp->check = check ? check : UDP_CSUM_MANGLED;
		}
		*field = port;
		return 0;
	}
	return -1;
}

/* Writes `addr` and `port` as the packet's destination (the way in) or source (the way out). */
static __always_inline int nat_rewrite(struct xdp_md *ctx, const struct packet *p, int dst, const __be32 *addr, __be16 port)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *l3 = data + p->l2_len;

	if (p->l2_len > sizeof(struct ethhdr) + VLAN_HLEN)
		return -1;
	if (p->flow.family == XLB_AF_INET) {
		struct iphdr *ip = l3;
		__u32 old;
		__be32 *field;
		void *l4;

		if ((void *)(ip + 1) > end)
			return -1;
		field = dst ? &ip->daddr : &ip->saddr;
		old = *field;
		ip->check = csum_replace32(ip->check, &old, addr, 1);
		*field = addr[0];
		if (p->fragment == FRAG_LATER) /* no L4 header in it */
			return 0;
		l4 = l3 + (ip->ihl & 0xf) * IPV4_IHL_UNIT;
		return nat_l4(l4, end, p, dst, &old, addr, 1, port);
	}
	if (p->flow.family == XLB_AF_INET6) {
		struct ipv6hdr *ip6 = l3;
		__u32 old[4];
		struct in6_addr *field;

		if ((void *)(ip6 + 1) > end)
			return -1;
		field = dst ? &ip6->daddr : &ip6->saddr;
		__builtin_memcpy(old, field, sizeof(old));
		__builtin_memcpy(field, addr, sizeof(old));
		return nat_l4(l3 + sizeof(*ip6), end, p, dst, old, addr, 4, port);
	}
	return -1;
}

/* Whether the packet has a hop left to be forwarded (TTL or hop limit above 1). */
static __always_inline int nat_hop_left(struct xdp_md *ctx, const struct packet *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *l3 = data + p->l2_len;

	if (p->l2_len > sizeof(struct ethhdr) + VLAN_HLEN)
		return 0;
	if (p->flow.family == XLB_AF_INET) {
		struct iphdr *ip = l3;

		return (void *)(ip + 1) <= end && ip->ttl > 1;
	}
	{
		struct ipv6hdr *ip6 = l3;

		return (void *)(ip6 + 1) <= end && ip6->hop_limit > 1;
	}
}

/* One hop less, as a router does (checked by nat_hop_left before anything changed). */
static __always_inline void nat_decrease_ttl(struct xdp_md *ctx, const struct packet *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *l3 = data + p->l2_len;

	if (p->l2_len > sizeof(struct ethhdr) + VLAN_HLEN)
		return;
	if (p->flow.family == XLB_AF_INET) {
		struct iphdr *ip = l3;
		__u16 before;

		if ((void *)(ip + 1) > end || ip->ttl <= 1)
			return;
		before = *(__u16 *)&ip->ttl; /* TTL and protocol: one word of the header's checksum */
		ip->ttl--;
		ip->check = csum_replace16(ip->check, before, *(__u16 *)&ip->ttl);
		return;
	}
	{
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end || ip6->hop_limit <= 1)
			return;
		ip6->hop_limit--;
	}
}

/*
 * Sends a translated packet to its next hop as the kernel's FIB says: back out of the interface
 * it came in by (XDP_TX), or redirected to another one. Without a resolved neighbour (or a route,
 * or with forwarding off) the stack gets it, translated, and forwards it itself.
 */
static __always_inline int nat_send(struct xdp_md *ctx, const struct packet *p, int routed, __u32 *reason, __u32 tx_reason)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3 = data + p->l2_len;
	struct bpf_fib_lookup fib = {};
	long rc;

	if (p->l2_len > sizeof(struct ethhdr) + VLAN_HLEN || (void *)(eth + 1) > end)
		goto stack;
	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = p->flow.proto;
	fib.tot_len = p->l3_len;
	if (p->flow.family == XLB_AF_INET) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end)
			goto stack;
		fib.family = XLB_AF_INET;
		fib.tos = ip->tos;
		fib.ipv4_src = ip->saddr;
		fib.ipv4_dst = ip->daddr;
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end)
			goto stack;
		fib.family = XLB_AF_INET6;
		fib.flowinfo = *(__be32 *)ip6 & IPV6_FLOWINFO_MASK;
		__builtin_memcpy(fib.ipv6_src, &ip6->saddr, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, &ip6->daddr, sizeof(fib.ipv6_dst));
	}
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		goto stack; /* the stack forwards it, one hop less */
	/*
	 * An interface the director is not attached to is the stack's to send on: decided before the
	 * MACs and the TTL change, which the stack sets itself (it would drop a frame addressed to
	 * another host's MAC, and take a second hop off).
	 */
	if (fib.ifindex != ctx->ingress_ifindex && !bpf_map_lookup_elem(&tx_ports, &fib.ifindex))
		goto stack;
	if (routed)
		nat_decrease_ttl(ctx, p);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > end)
		goto stack;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	*reason = tx_reason;
	if (fib.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect_map(&tx_ports, fib.ifindex, XDP_PASS);
stack:
	*reason = XLB_R_PASS_NAT_ROUTE;
	return XDP_PASS;
}

/* The way in: to the real's address and port (the VIP's port when the real has none). */
static __always_inline int forward_nat(struct xdp_md *ctx, const struct packet *p, const struct real *r, __u32 *reason)
{
	__be16 port = r->port ? r->port : p->flow.dport;

	if (nat_rewrite(ctx, p, NAT_REWRITE_DST, r->addr, port)) {
		*reason = XLB_R_DROP_ERROR;
		return XDP_DROP;
	}
	return nat_send(ctx, p, 0, reason, XLB_R_TX_NAT);
}

/* A NAT real's key in nat_reals: its address and port as its replies carry them as their source. */
static __always_inline void nat_real_key(struct vip_key *key, const __be32 *addr, __be16 port, __u8 proto, __u8 family)
{
	__builtin_memcpy(key->addr, addr, sizeof(key->addr));
	key->port = port;
	key->proto = proto;
	key->family = family;
}

/*
 * Whether the replies of a new connection to real `real_idx` will be found through nat_reals:
 * the entry of the real's address and port names this very real (so it is not the same real of
 * another VIP, nor of a service on every port). Then the connection needs no entry of its own.
 */
static __always_inline int nat_keyed(const struct packet *p, const struct real *r, __u32 real_idx)
{
	struct vip_key key = {};
	struct nat_reply *nr;

	nat_real_key(&key, r->addr, r->port ? r->port : p->flow.dport, p->flow.proto, p->flow.family);
	nr = bpf_map_lookup_elem(&nat_reals, &key);
	return nr && nr->real == real_idx && nr->vport == p->flow.dport;
}

/* The flow of the real's replies to a connection nat_reals cannot name, and what they restore. */
static __always_inline void nat_remember(const struct packet *p, const struct real *r, __u32 svc_idx, __u32 real_idx)
{
	struct flow_key reply = {};
	struct nat_reply nr = {};

	__builtin_memcpy(reply.src, r->addr, sizeof(reply.src));
	__builtin_memcpy(reply.dst, p->flow.src, sizeof(reply.dst));
	reply.sport = r->port ? r->port : p->flow.dport;
	reply.dport = p->flow.sport;
	reply.proto = p->flow.proto;
	reply.family = p->flow.family;
	reply.kind = XLB_FLOW_CONN;
	__builtin_memcpy(nr.vip, p->flow.dst, sizeof(nr.vip));
	nr.vport = p->flow.dport;
	nr.service = svc_idx;
	nr.real = real_idx;
	bpf_map_update_elem(&nat_replies, &reply, &nr, BPF_ANY);
}

/*
 * The connection (client to VIP) a reply flow (real to client) answers if `nr` says what it
 * restores: its forward key is the reply's reversed, the VIP and port in the real's place. NULL
 * unless it lives on nr's real (gone, expired, or moved to another real).
 */
static __always_inline struct conn *nat_reply_conn(const struct flow_key *reply, const struct nat_reply *nr,
						   const struct xlb_config *cfg, __u64 now)
{
	struct flow_key forward = {};
	struct conn *c;

	__builtin_memcpy(forward.src, reply->dst, sizeof(forward.src));
	__builtin_memcpy(forward.dst, nr->vip, sizeof(forward.dst));
	forward.sport = reply->dport;
	forward.dport = nr->vport;
	forward.proto = reply->proto;
	forward.family = reply->family;
	forward.kind = XLB_FLOW_CONN;
	c = bpf_map_lookup_elem(&conns, &forward);
	if (!c || c->real != nr->real || now - c->last_seen_ns > conn_timeout_ns(cfg, c->state))
		return NULL;
	return c;
}

/* Where nat_live_reply looks: the real's entry (nat_reals), the reply flow's own (nat_replies). */
#define NAT_BY_REAL 1
#define NAT_BY_FLOW 2

/*
 * What a reply flow (real to client) restores, while the connection it answers lives on that
 * real; NULL when it is none of NAT's. `by` says where to look: the real's entry in nat_reals
 * (one small hash, no state per connection), then the flow's own entry in nat_replies (a real
 * shared by several services, a service on every port). Two fixed steps, no loop.
 */
static __always_inline struct nat_reply *nat_live_reply(const struct flow_key *reply, const struct xlb_config *cfg, __u64 now,
							 struct conn **conn, int by)
{
	struct vip_key key = {};
	struct nat_reply *nr;
	struct conn *c;

	if (by & NAT_BY_REAL) {
		nat_real_key(&key, reply->src, reply->sport, reply->proto, reply->family);
		nr = bpf_map_lookup_elem(&nat_reals, &key);
		if (nr) {
			c = nat_reply_conn(reply, nr, cfg, now);
			if (c) {
				*conn = c;
				return nr;
			}
		}
	}
	if (!(by & NAT_BY_FLOW))
		return NULL;
	nr = bpf_map_lookup_elem(&nat_replies, reply);
	if (!nr)
		return NULL;
	c = nat_reply_conn(reply, nr, cfg, now);
	if (!c)
		return NULL;
	*conn = c;
	return nr;
}

/* The slot of a NAT real's address and port in nat_real_hints; java/dataplane's Dataplane.natHintSlot is the same. */
static __always_inline __u32 nat_hint_slot(const __be32 *addr, __be16 port)
{
	return (bpf_ntohl(addr[0] ^ addr[1] ^ addr[2] ^ addr[3]) ^ bpf_ntohs(port)) & (XLB_NAT_HINT_SLOTS - 1);
}

/* Whether the packet's source may be a NAT real's address and port that nat_reals knows. */
static __always_inline int nat_maybe_real(const struct packet *p)
{
	__u32 slot = nat_hint_slot(p->flow.src, p->flow.sport);
	__u32 *n = bpf_map_lookup_elem(&nat_real_hints, &slot);

	return n && *n;
}

/*
 * The NATed connection (client to VIP) `conn` names, while it lives, and its real; NULL when
 * it is none of NAT's or of another family.
 */
static __always_inline struct real *nat_live_conn(const struct flow_key *conn, const struct xlb_config *cfg, __u64 now,
						  struct conn **out)
{
	struct conn *c = bpf_map_lookup_elem(&conns, conn);
	struct real *r;

	if (!c || now - c->last_seen_ns > conn_timeout_ns(cfg, c->state))
		return NULL;
	r = bpf_map_lookup_elem(&reals, &c->real);
	if (!r || r->method != XLB_FWD_NAT || r->family != conn->family)
		return NULL;
	*out = c;
	return r;
}

/*
 * The way out: a packet of a flow the director NATs (real to client), whose live connection `c`
 * and what it restores `nr` nat_live_reply found. Returns the verdict.
 */
static __always_inline int nat_reply(struct xdp_md *ctx, const struct packet *p, const struct nat_reply *nr, struct conn *c,
				     __u64 now, __u32 *reason)
{
	if (for_other_host(ctx)) { /* flooded to a backup director: the master forwards it */
		*reason = XLB_R_PASS_OTHER_HOST;
		return XDP_PASS;
	}
	if (!nat_hop_left(ctx, p)) {
		*reason = XLB_R_PASS_TTL; /* untranslated: the stack's time-exceeded goes to the real */
		return XDP_PASS;
	}
	c->last_seen_ns = now;
	if (nat_rewrite(ctx, p, NAT_REWRITE_SRC, nr->vip, nr->vport)) {
		*reason = XLB_R_DROP_ERROR;
		return XDP_DROP;
	}
	return nat_send(ctx, p, 1, reason, XLB_R_TX_NAT_REPLY);
}


/* ---- ICMP errors about NATed flows, either family ---- */

/*
 * How an ICMP error about a NATed flow is translated. From the reals' side (`from_reals`) it
 * quotes a packet the real got (client to real): the quote's destination and the outer source
 * become the VIP's (`addr`, `port`), as the client sent them, and it is routed to the client. From
 * the clients' side it quotes a reply (VIP to client): the quote's source and the outer
 * destination become the real's.
 */
struct nat_icmp_way {
	const __be32 *addr;
	__be16 port;
	int from_reals;
};

/* nat_icmp_find's answer when the error is to be translated; every verdict is >= 0, and -1 means none of ours. */
#define NAT_ICMP_TRANSLATE (-2)

/*
 * The NATed flow an ICMP error of either family is about, from `key`, the reverse of its quote:
 * a reply flow (reals' side) or a connection (clients' side). Returns NAT_ICMP_TRANSLATE with
 * `way` filled in, the verdict when the error is passed as it is (to another host, or no hop
 * left), or -1 when it is none of ours.
 */
static __always_inline int nat_icmp_find(struct xdp_md *ctx, const struct packet *p, const struct xlb_config *cfg, __u64 now,
					 const struct flow_key *key, struct nat_icmp_way *way, __u32 *reason, __u32 *svc_idx,
					 __u32 *real_idx)
{
	struct nat_reply *nr;
	struct conn *c = NULL;
	struct real *r;

	nr = nat_live_reply(key, cfg, now, &c, NAT_BY_REAL | NAT_BY_FLOW);
	if (nr) {
		*svc_idx = nr->service;
		*real_idx = nr->real;
		if (for_other_host(ctx)) {
			*reason = XLB_R_PASS_OTHER_HOST;
			return XDP_PASS;
		}
		if (!nat_hop_left(ctx, p)) {
			*reason = XLB_R_PASS_TTL;
			return XDP_PASS;
		}
		way->addr = nr->vip;
		way->port = nr->vport;
		way->from_reals = 1;
		return NAT_ICMP_TRANSLATE;
	}

	r = nat_live_conn(key, cfg, now, &c);
	if (!r || !c)
		return -1;
	*svc_idx = c->service;
	*real_idx = c->real;
	if (for_other_host(ctx)) {
		*reason = XLB_R_PASS_OTHER_HOST;
		return XDP_PASS;
	}
	way->addr = r->addr;
	way->port = r->port ? r->port : key->dport;
	way->from_reals = 0;
	return NAT_ICMP_TRANSLATE;
}

/* ---- ICMP errors about NATed flows (IPv4), translated as IPVS's ip_vs_nat_icmp does ---- */

#define ICMP_ERR_HDR_LEN  8
#define TCP_CSUM_OFFSET   16
#define UDP_CSUM_OFFSET   6

static __always_inline int icmp4_is_error(__u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

/*
 * The packet an ICMP error quotes: its addresses, ports and protocol, where they lie, and where
 * its transport checksum is when the quote reaches it (0: it does not).
 */
struct icmp_quote {
	struct iphdr *outer;
	struct icmphdr *icmp;
	struct iphdr *inner;
	__be16 *ports;        /* source, then destination */
	__u16 *l4_check;
};

static __always_inline int icmp4_quote(struct xdp_md *ctx, const struct packet *p, struct icmp_quote *q)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *l4;
	__u32 csum_off, outer_len, inner_len, room;

	if (p->l2_len > sizeof(struct ethhdr) + VLAN_HLEN || p->fragment != FRAG_NONE)
		return -1;
	q->outer = data + p->l2_len;
	if ((void *)(q->outer + 1) > end)
		return -1;
	/*
	 * The message ends where the outer IP packet does (p->l3_len): bytes after it in the frame are
	 * padding, neither read as quote nor rewritten. `room` is what is left of it after each piece.
	 */
	outer_len = (q->outer->ihl & 0xf) * IPV4_IHL_UNIT;
	if (p->l3_len < outer_len + ICMP_ERR_HDR_LEN + sizeof(struct iphdr))
		return -1;
	room = p->l3_len - outer_len - ICMP_ERR_HDR_LEN;
	q->icmp = (void *)q->outer + outer_len;
	if ((void *)q->icmp + ICMP_ERR_HDR_LEN > end || !icmp4_is_error(q->icmp->type))
		return -1;
	q->inner = (void *)q->icmp + ICMP_ERR_HDR_LEN;
	if ((void *)(q->inner + 1) > end || q->inner->version != 4 || q->inner->ihl < IPV4_MIN_IHL)
		return -1;
	if (q->inner->protocol != IPPROTO_TCP && q->inner->protocol != IPPROTO_UDP)
		return -1;
	if (q->inner->frag_off & bpf_htons(IP_OFFSET_MASK)) /* a later fragment quoted: no ports */
		return -1;
	inner_len = (q->inner->ihl & 0xf) * IPV4_IHL_UNIT;
	if (room < inner_len + 2 * sizeof(__be16))
		return -1;
	room -= inner_len;
	l4 = (void *)q->inner + inner_len;
	q->ports = l4;
	if (l4 + 2 * sizeof(__be16) > end)
		return -1;
	csum_off = q->inner->protocol == IPPROTO_TCP ? TCP_CSUM_OFFSET : UDP_CSUM_OFFSET;
	q->l4_check = l4 + csum_off + sizeof(__u16) <= end && room >= csum_off + sizeof(__u16) ? l4 + csum_off : NULL;
	return 0;
}

/*
 * Rewrites the quoted packet's address and port on one side (`src`: the quote's source), keeping
 * the quote's IP checksum and, when quoted, its transport checksum right, and the ICMP checksum
 * over all of it.
 */
static __always_inline void icmp4_rewrite_quote(struct icmp_quote *q, int src, __be32 addr, __be16 port, void *end)
{
	__be32 *field = src ? &q->inner->saddr : &q->inner->daddr;
	__u32 old_addr = *field;
	__be16 *pfield = src ? &q->ports[0] : &q->ports[1];
	__u16 old_port = *pfield;
	__u16 old_ip_check = q->inner->check;
	__u16 icmp_check = q->icmp->checksum;

	*field = addr;
	q->inner->check = csum_replace32(q->inner->check, &old_addr, &addr, 1);
	*pfield = port;
	icmp_check = csum_replace32(icmp_check, &old_addr, &addr, 1);
	icmp_check = csum_replace16(icmp_check, old_port, port);
	icmp_check = csum_replace16(icmp_check, old_ip_check, q->inner->check);
	if (q->l4_check && (void *)q->l4_check + sizeof(__u16) <= end) {
		__u16 old_l4 = *q->l4_check;

		/* An IPv4 UDP checksum of 0 means none: leave it so. */
		if (old_l4 || q->inner->protocol == IPPROTO_TCP) {
			__u16 l4 = csum_replace16(csum_replace32(old_l4, &old_addr, &addr, 1), old_port, port);

			if (!l4 && q->inner->protocol == IPPROTO_UDP)
				l4 = UDP_CSUM_MANGLED;
			*q->l4_check = l4;
			icmp_check = csum_replace16(icmp_check, old_l4, l4);
		}
	}
	q->icmp->checksum = icmp_check;
}

/* The outer header's source or destination. */
static __always_inline void icmp4_rewrite_outer(struct icmp_quote *q, int src, __be32 addr)
{
	__be32 *field = src ? &q->outer->saddr : &q->outer->daddr;
	__u32 old = *field;

	*field = addr;
	q->outer->check = csum_replace32(q->outer->check, &old, &addr, 1);
}

/* An ICMP error about a NATed flow, either way (struct nat_icmp_way). Returns the verdict, or -1 when it is none of ours. */
static __always_inline int nat_icmp4(struct xdp_md *ctx, const struct packet *p, const struct xlb_config *cfg, __u64 now,
				     __u32 *reason, __u32 *svc_idx, __u32 *real_idx)
{
	void *end = (void *)(long)ctx->data_end;
	struct icmp_quote q = {};
	struct flow_key key = {};
	struct nat_icmp_way way = {};
	int verdict;

	if (p->flow.family != XLB_AF_INET || icmp4_quote(ctx, p, &q))
		return -1;
	/* The reverse of the quoted packet. */
	key.src[0] = q.inner->daddr;
	key.dst[0] = q.inner->saddr;
	key.sport = q.ports[1];
	key.dport = q.ports[0];
	key.proto = q.inner->protocol;
	key.family = XLB_AF_INET;
	key.kind = XLB_FLOW_CONN;
	verdict = nat_icmp_find(ctx, p, cfg, now, &key, &way, reason, svc_idx, real_idx);
	if (verdict != NAT_ICMP_TRANSLATE)
		return verdict;
	icmp4_rewrite_quote(&q, !way.from_reals, way.addr[0], way.port, end);
	icmp4_rewrite_outer(&q, way.from_reals, way.addr[0]);
	return nat_send(ctx, p, way.from_reals, reason, XLB_R_TX_NAT_ICMP);
}

/* ---- ICMPv6 errors about NATed flows, translated as IPVS's ip_vs_nat_icmp_v6 does ---- */

/*
 * The quote of an ICMPv6 error. Unlike ICMP's, the ICMPv6 checksum covers a pseudo-header with
 * the outer addresses (RFC 4443 2.3), and a quoted IPv6 header has no checksum of its own.
 */
struct icmp6_quote {
	struct ipv6hdr *outer;
	struct icmp6hdr *icmp;
	struct ipv6hdr *inner;
	__be16 *ports;        /* source, then destination */
	__u16 *l4_check;
};

/* Destination unreachable, packet too big, time exceeded, parameter problem (RFC 4443 3). */
static __always_inline int icmp6_is_error(__u8 type)
{
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG || type == ICMPV6_TIME_EXCEED ||
	       type == ICMPV6_PARAMPROB;
}

/*
 * The quote's addresses and ports. A quote whose next header is not TCP or UDP (an extension
 * header first) is not followed: the stack gets the error untranslated.
 */
static __always_inline int icmp6_quote(struct xdp_md *ctx, const struct packet *p, struct icmp6_quote *q)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *l4;
	__u32 csum_off, room;

	if (p->l2_len > sizeof(struct ethhdr) + VLAN_HLEN)
		return -1;
	q->outer = data + p->l2_len;
	if ((void *)(q->outer + 1) > end)
		return -1;
	/* As for ICMP: the message ends where the outer packet does; `room` is what is left of it after the quoted header. */
	if (p->l3_len < 2 * sizeof(struct ipv6hdr) + ICMP_ERR_HDR_LEN + 2 * sizeof(__be16))
		return -1;
	room = p->l3_len - 2 * sizeof(struct ipv6hdr) - ICMP_ERR_HDR_LEN;
	q->icmp = (void *)(q->outer + 1);
	if ((void *)q->icmp + ICMP_ERR_HDR_LEN > end || !icmp6_is_error(q->icmp->icmp6_type))
		return -1;
	q->inner = (void *)q->icmp + ICMP_ERR_HDR_LEN;
	if ((void *)(q->inner + 1) > end || q->inner->version != 6)
		return -1;
	if (q->inner->nexthdr != IPPROTO_TCP && q->inner->nexthdr != IPPROTO_UDP)
		return -1;
	l4 = q->inner + 1;
	q->ports = l4;
	if (l4 + 2 * sizeof(__be16) > end)
		return -1;
	csum_off = q->inner->nexthdr == IPPROTO_TCP ? TCP_CSUM_OFFSET : UDP_CSUM_OFFSET;
	q->l4_check = l4 + csum_off + sizeof(__u16) <= end && room >= csum_off + sizeof(__u16) ? l4 + csum_off : NULL;
	return 0;
}

/* Rewrites the quoted packet's address and port on one side, its transport checksum when quoted, and the ICMPv6 checksum. */
static __always_inline void icmp6_rewrite_quote(struct icmp6_quote *q, int src, const __be32 *addr, __be16 port, void *end)
{
	struct in6_addr *field = src ? &q->inner->saddr : &q->inner->daddr;
	__be16 *pfield = src ? &q->ports[0] : &q->ports[1];
	__u16 old_port = *pfield;
	__u16 icmp_check = q->icmp->icmp6_cksum;
	__u32 old[4];

	__builtin_memcpy(old, field, sizeof(old));
	__builtin_memcpy(field, addr, sizeof(old));
	*pfield = port;
	icmp_check = csum_replace32(icmp_check, old, addr, 4);
	icmp_check = csum_replace16(icmp_check, old_port, port);
	if (q->l4_check && (void *)q->l4_check + sizeof(__u16) <= end) {
		__u16 old_l4 = *q->l4_check;
		/* IPv6 datagrams always carry a UDP checksum (RFC 8200 8.1), so it is always updated. */
		__u16 l4 = csum_replace16(csum_replace32(old_l4, old, addr, 4), old_port, port);

		if (!l4 && q->inner->nexthdr == IPPROTO_UDP)
			l4 = UDP_CSUM_MANGLED;
		*q->l4_check = l4;
		icmp_check = csum_replace16(icmp_check, old_l4, l4);
	}
	q->icmp->icmp6_cksum = icmp_check;
}

/* The outer header's source or destination, which the ICMPv6 checksum covers. */
static __always_inline void icmp6_rewrite_outer(struct icmp6_quote *q, int src, const __be32 *addr)
{
	struct in6_addr *field = src ? &q->outer->saddr : &q->outer->daddr;
	__u32 old[4];

	__builtin_memcpy(old, field, sizeof(old));
	__builtin_memcpy(field, addr, sizeof(old));
	q->icmp->icmp6_cksum = csum_replace32(q->icmp->icmp6_cksum, old, addr, 4);
}

/*
 * An ICMPv6 error about a NATed flow, either way, as nat_icmp4: from the reals' side the error may
 * come from the real or a router between it and the director, from the clients' side from the
 * client or a router on its path.
 */
static __always_inline int nat_icmp6(struct xdp_md *ctx, const struct packet *p, const struct xlb_config *cfg, __u64 now,
				     __u32 *reason, __u32 *svc_idx, __u32 *real_idx)
{
	void *end = (void *)(long)ctx->data_end;
	struct icmp6_quote q = {};
	struct flow_key key = {};
	struct nat_icmp_way way = {};
	int verdict;

	if (p->flow.family != XLB_AF_INET6 || icmp6_quote(ctx, p, &q))
		return -1;
	/* The reverse of the quoted packet. */
	__builtin_memcpy(key.src, &q.inner->daddr, sizeof(key.src));
	__builtin_memcpy(key.dst, &q.inner->saddr, sizeof(key.dst));
	key.sport = q.ports[1];
	key.dport = q.ports[0];
	key.proto = q.inner->nexthdr;
	key.family = XLB_AF_INET6;
	key.kind = XLB_FLOW_CONN;
	verdict = nat_icmp_find(ctx, p, cfg, now, &key, &way, reason, svc_idx, real_idx);
	if (verdict != NAT_ICMP_TRANSLATE)
		return verdict;
	icmp6_rewrite_quote(&q, !way.from_reals, way.addr, way.port, end);
	icmp6_rewrite_outer(&q, way.from_reals, way.addr);
	return nat_send(ctx, p, way.from_reals, reason, XLB_R_TX_NAT_ICMP);
}

/* An ICMP or ICMPv6 error about a NATed flow: the verdict, or -1 when it is none of ours. */
static __always_inline int nat_icmp(struct xdp_md *ctx, const struct packet *p, const struct xlb_config *cfg, __u64 now,
				    __u32 *reason, __u32 *svc_idx, __u32 *real_idx)
{
	if (p->flow.family == XLB_AF_INET && p->flow.proto == IPPROTO_ICMP)
		return nat_icmp4(ctx, p, cfg, now, reason, svc_idx, real_idx);
	if (p->flow.family == XLB_AF_INET6 && p->flow.proto == IPPROTO_ICMPV6)
		return nat_icmp6(ctx, p, cfg, now, reason, svc_idx, real_idx);
	return -1;
}

#endif /* XLB_NAT_H */
