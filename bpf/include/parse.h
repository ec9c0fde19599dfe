/* SPDX-License-Identifier: GPL-2.0 */
/* Header parsing with a cursor: every step checks its bounds against data_end before reading. */
#ifndef XLB_PARSE_H
#define XLB_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

struct cursor {
	void *pos;
	void *end;
};

static __always_inline void cursor_init(struct cursor *c, struct xdp_md *ctx)
{
	c->pos = (void *)(long)ctx->data;
	c->end = (void *)(long)ctx->data_end;
}

/* Returns the header at the cursor and moves past it, or NULL when fewer than len bytes remain. */
#define CURSOR_TAKE(c, type) ({                                  \
	type *__h = (c)->pos;                                    \
	if ((void *)(__h + 1) > (c)->end)                        \
		__h = NULL;                                      \
	else                                                     \
		(c)->pos = (void *)(__h + 1);                    \
	__h;                                                     \
})

/* Ethernet plus at most one 802.1Q/802.1ad tag; *proto gets the inner EtherType (network order). */
static __always_inline struct ethhdr *parse_eth(struct cursor *c, __be16 *proto)
{
	struct ethhdr *eth = CURSOR_TAKE(c, struct ethhdr);

	if (!eth)
		return NULL;
	*proto = eth->h_proto;
	if (*proto == bpf_htons(ETH_P_8021Q) || *proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vlan = CURSOR_TAKE(c, struct vlan_hdr);

		if (!vlan)
			return NULL;
		*proto = vlan->h_vlan_encapsulated_proto;
	}
	return eth;
}

#define IPV4_MIN_IHL 5

/* IPv4 header including options; NULL when truncated or when ihl is below the minimum. */
static __always_inline struct iphdr *parse_ipv4(struct cursor *c)
{
	struct iphdr *ip = c->pos;
	__u32 hdr_len;

	if ((void *)(ip + 1) > c->end)
		return NULL;
	if (ip->ihl < IPV4_MIN_IHL || ip->version != 4)
		return NULL;
	hdr_len = ip->ihl * 4;
	if (c->pos + hdr_len > c->end)
		return NULL;
	c->pos += hdr_len;
	return ip;
}

static __always_inline struct ipv6hdr *parse_ipv6(struct cursor *c)
{
	struct ipv6hdr *ip6 = CURSOR_TAKE(c, struct ipv6hdr);

	if (ip6 && ip6->version != 6)
		return NULL;
	return ip6;
}

static __always_inline struct udphdr *parse_udp(struct cursor *c)
{
	return CURSOR_TAKE(c, struct udphdr);
}

static __always_inline struct tcphdr *parse_tcp(struct cursor *c)
{
	struct tcphdr *tcp = c->pos;
	__u32 hdr_len;

	if ((void *)(tcp + 1) > c->end)
		return NULL;
	hdr_len = tcp->doff * 4;
	if (hdr_len < sizeof(*tcp) || c->pos + hdr_len > c->end)
		return NULL;
	c->pos += hdr_len;
	return tcp;
}

#endif /* XLB_PARSE_H */
