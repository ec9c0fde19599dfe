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
#include "xlb_abi.h"

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

#define IPV4_MIN_IHL      5
#define IPV4_IHL_UNIT     4        /* ihl counts 32-bit words */
#define TCP_DOFF_MIN      5
#define VLAN_HLEN         sizeof(struct vlan_hdr)

/* IPv4 frag_off (host order): flags and the fragment offset. */
#define IP_MF             0x2000
#define IP_DF             0x4000
#define IP_OFFSET_MASK    0x1fff

/* A 16-bit length field in host order, with its range known to the verifier: kernels before 6.3 (Debian
 * 12's 6.1) do not track the range of a byte swap, and refuse a packet pointer moved by it. The mask
 * bounds it for them; the empty asm keeps the compiler from dropping the mask as redundant. */
static __always_inline __u32 be16_len(__be16 field)
{
	__u32 n = bpf_ntohs(field);

	asm volatile("" : "+r"(n));
	return n & 0xffff;
}

/* What a parse step returns when the header is whole and valid (else an enum xlb_reason). */
#define XLB_PARSED        (-1)

/*
 * The IPv4 header at the cursor, options included: version 4, ihl of at least 5, a total length
 * that covers the header, and header and total length inside the frame. Moves past the header.
 */
static __always_inline int parse_ipv4(struct cursor *c, struct iphdr **out)
{
	struct iphdr *ip = c->pos;
	__u32 hdr_len, tot_len;

	if ((void *)(ip + 1) > c->end)
		return XLB_R_PASS_TRUNCATED;
	if (ip->version != 4 || ip->ihl < IPV4_MIN_IHL)
		return XLB_R_PASS_MALFORMED;
	hdr_len = ip->ihl * IPV4_IHL_UNIT;
	tot_len = be16_len(ip->tot_len);
	if (tot_len < hdr_len)
		return XLB_R_PASS_MALFORMED;
	if (c->pos + hdr_len > c->end || (void *)ip + tot_len > c->end)
		return XLB_R_PASS_TRUNCATED;
	c->pos += hdr_len;
	*out = ip;
	return XLB_PARSED;
}

/* The IPv6 header at the cursor: version 6 and its payload inside the frame. Moves past it. */
static __always_inline int parse_ipv6(struct cursor *c, struct ipv6hdr **out)
{
	struct ipv6hdr *ip6 = c->pos;

	if ((void *)(ip6 + 1) > c->end)
		return XLB_R_PASS_TRUNCATED;
	if (ip6->version != 6)
		return XLB_R_PASS_MALFORMED;
	if ((void *)(ip6 + 1) + be16_len(ip6->payload_len) > c->end)
		return XLB_R_PASS_TRUNCATED;
	c->pos = ip6 + 1;
	*out = ip6;
	return XLB_PARSED;
}

#endif /* XLB_PARSE_H */
