/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From a frame to what the director decides on: the flow key, TCP flags, lengths and where the
 * L3 header starts. Each step checks its bounds; the result is XLB_PARSED or the reason to pass.
 */
#ifndef XLB_PACKET_H
#define XLB_PACKET_H

#include "parse.h"

/* TCP flags as the 14th byte of the header holds them (not the kernel's TCP_FLAG_*, which are words). */
#define XLB_TCP_FIN       0x01
#define XLB_TCP_SYN       0x02
#define XLB_TCP_RST       0x04
#define XLB_TCP_ACK       0x10
#define TCP_FLAGS_OFFSET  13

enum fragment_kind {
	FRAG_NONE  = 0,
	FRAG_FIRST = 1,  /* offset 0, more fragments: carries the ports */
	FRAG_LATER = 2,  /* no L4 header */
};

struct packet {
	struct flow_key flow;
	__u32 l2_len;        /* Ethernet, plus 4 with a VLAN tag */
	__u32 l3_len;        /* IPv4 total length, or 40 + IPv6 payload length */
	__u32 frame_len;
	__u16 ip_id;         /* IPv4 identification, for fragment entries */
	__u8  tcp_flags;
	__u8  fragment;      /* enum fragment_kind */
	__u8  df;            /* IPv4 don't-fragment */
};

static __always_inline void copy_v6(__be32 *dst, const struct in6_addr *src)
{
	dst[0] = src->in6_u.u6_addr32[0];
	dst[1] = src->in6_u.u6_addr32[1];
	dst[2] = src->in6_u.u6_addr32[2];
	dst[3] = src->in6_u.u6_addr32[3];
}

/*
 * Ports (and TCP flags) from the L4 header at the cursor. `room` is what the IP header says is left
 * of the packet: a header that runs past it lies in the frame's trailing bytes, not in the packet.
 */
static __always_inline int parse_l4(struct cursor *c, struct packet *p, __u32 room)
{
	if (p->flow.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = c->pos;

		if ((void *)(tcp + 1) > c->end || room < sizeof(*tcp))
			return XLB_R_PASS_TRUNCATED;
		if (tcp->doff < TCP_DOFF_MIN)
			return XLB_R_PASS_MALFORMED;
		p->flow.sport = tcp->source;
		p->flow.dport = tcp->dest;
		p->tcp_flags = ((__u8 *)tcp)[TCP_FLAGS_OFFSET];
		return XLB_PARSED;
	}
	if (p->flow.proto == IPPROTO_UDP) {
		struct udphdr *udp = c->pos;

		if ((void *)(udp + 1) > c->end || room < sizeof(*udp))
			return XLB_R_PASS_TRUNCATED;
		p->flow.sport = udp->source;
		p->flow.dport = udp->dest;
		return XLB_PARSED;
	}
	return XLB_R_PASS_PROTO;
}

static __always_inline int parse_packet_v4(struct cursor *c, struct packet *p)
{
	struct iphdr *ip;
	__u16 frag;
	int r = parse_ipv4(c, &ip);

	if (r != XLB_PARSED)
		return r;
	p->flow.family = XLB_AF_INET;
	p->flow.proto = ip->protocol;
	p->flow.src[0] = ip->saddr;
	p->flow.dst[0] = ip->daddr;
	p->l3_len = be16_len(ip->tot_len);
	p->ip_id = ip->id;
	frag = bpf_ntohs(ip->frag_off);
	p->df = !!(frag & IP_DF);
	if (frag & IP_OFFSET_MASK)
		p->fragment = FRAG_LATER;
	else if (frag & IP_MF)
		p->fragment = FRAG_FIRST;
	if (p->flow.proto != IPPROTO_TCP && p->flow.proto != IPPROTO_UDP)
		return XLB_R_PASS_PROTO;
	if (p->fragment == FRAG_LATER)
		return XLB_PARSED;
	return parse_l4(c, p, p->l3_len - ip->ihl * IPV4_IHL_UNIT);
}

static __always_inline int is_ipv6_extension(__u8 nexthdr)
{
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case IPPROTO_ESP:
	case IPPROTO_MH:
		return 1;
	}
	return 0;
}

static __always_inline int parse_packet_v6(struct cursor *c, struct packet *p)
{
	struct ipv6hdr *ip6;
	int r = parse_ipv6(c, &ip6);

	if (r != XLB_PARSED)
		return r;
	p->l3_len = sizeof(*ip6) + be16_len(ip6->payload_len);
	p->flow.family = XLB_AF_INET6;
	p->flow.proto = ip6->nexthdr;
	copy_v6(p->flow.src, &ip6->saddr);
	copy_v6(p->flow.dst, &ip6->daddr);
	if (is_ipv6_extension(ip6->nexthdr))
		return XLB_R_PASS_IPV6_EXT;
	return parse_l4(c, p, be16_len(ip6->payload_len));
}

/* Fills p from the frame; XLB_PARSED, or an enum xlb_reason to pass the frame untouched. */
static __always_inline int parse_packet(struct xdp_md *ctx, struct packet *p)
{
	struct cursor c;
	__be16 proto;

	cursor_init(&c, ctx);
	p->frame_len = ctx->data_end - ctx->data;
	if (!parse_eth(&c, &proto))
		return XLB_R_PASS_TRUNCATED;
	p->l2_len = c.pos - (void *)(long)ctx->data;
	if (proto == bpf_htons(ETH_P_IP))
		return parse_packet_v4(&c, p);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_packet_v6(&c, p);
	return XLB_R_PASS_NOT_IP;
}

#endif /* XLB_PACKET_H */
