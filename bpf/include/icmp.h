/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "Fragmentation needed" (ICMP) and "packet too big" (ICMPv6) sent back to the client when a
 * packet no longer fits the MTU once encapsulated, so its path MTU discovery can shrink the
 * flow (as Katran does). The reply quotes the start of the offending packet.
 */
#ifndef XLB_ICMP_H
#define XLB_ICMP_H

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include "forward.h"

/* Bytes of the offending IP packet quoted: its header and the start of its payload. */
#define ICMP_QUOTE_LEN      64
#define ICMP_HDR_LEN        8
#define ICMP_REPLY_TTL      64
#define ICMP_FRAG_NEEDED    4

/* Trims the frame to L2 + the quote, then makes room for the new L3 and ICMP headers. */
static __always_inline void *prepare_reply(struct xdp_md *ctx, const struct packet *p, int l3_hdr_len)
{
	int keep = p->l2_len + ICMP_QUOTE_LEN;
	int frame = ctx->data_end - ctx->data;

	if (frame < keep || bpf_xdp_adjust_tail(ctx, keep - frame))
		return NULL;
	return push_outer(ctx, p, l3_hdr_len + ICMP_HDR_LEN);
}

/* Back to whoever sent it: its source MAC becomes the destination. */
static __always_inline int swap_macs(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	own_source(eth, ctx->ingress_ifindex);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	return 0;
}

static __always_inline int icmp4_frag_needed(struct xdp_md *ctx, const struct packet *p, __u32 mtu)
{
	struct iphdr *ip;
	struct icmphdr *icmp;
	void *quote, *data_end;
	__be32 client = p->flow.src[0], vip = p->flow.dst[0];

	ip = prepare_reply(ctx, p, sizeof(struct iphdr));
	if (!ip)
		return -1;
	data_end = (void *)(long)ctx->data_end;
	icmp = (void *)(ip + 1);
	quote = (void *)(icmp + 1);
	if (quote + ICMP_QUOTE_LEN > data_end)
		return -1;
	ip->version = 4;
	ip->ihl = IPV4_MIN_IHL;
	ip->tos = 0;
	ip->tot_len = bpf_htons(sizeof(*ip) + ICMP_HDR_LEN + ICMP_QUOTE_LEN);
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = ICMP_REPLY_TTL;
	ip->protocol = IPPROTO_ICMP;
	ip->check = 0;
	ip->saddr = vip;
	ip->daddr = client;
	ip->check = ipv4_hdr_csum(ip);

	icmp->type = ICMP_DEST_UNREACH;
	icmp->code = ICMP_FRAG_NEEDED;
	icmp->checksum = 0;
	icmp->un.frag.__unused = 0;
	icmp->un.frag.mtu = bpf_htons(mtu - sizeof(struct iphdr));
	icmp->checksum = csum_fold(csum_words(icmp, ICMP_HDR_LEN) + csum_words(quote, ICMP_QUOTE_LEN));
	return swap_macs(ctx);
}

static __always_inline int icmp6_packet_too_big(struct xdp_md *ctx, const struct packet *p, __u32 mtu)
{
	struct ipv6hdr *ip6;
	struct icmp6hdr *icmp;
	void *quote, *data_end;
	__u64 sum;
	__u32 len = ICMP_HDR_LEN + ICMP_QUOTE_LEN;

	ip6 = prepare_reply(ctx, p, sizeof(struct ipv6hdr));
	if (!ip6)
		return -1;
	data_end = (void *)(long)ctx->data_end;
	icmp = (void *)(ip6 + 1);
	quote = (void *)(icmp + 1);
	if (quote + ICMP_QUOTE_LEN > data_end)
		return -1;
	__builtin_memset(ip6, 0, 4);
	ip6->version = 6;
	ip6->payload_len = bpf_htons(len);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = ICMP_REPLY_TTL;
	__builtin_memcpy(&ip6->saddr, p->flow.dst, sizeof(ip6->saddr));
	__builtin_memcpy(&ip6->daddr, p->flow.src, sizeof(ip6->daddr));

	icmp->icmp6_type = ICMPV6_PKT_TOOBIG;
	icmp->icmp6_code = 0;
	icmp->icmp6_cksum = 0;
	icmp->icmp6_mtu = bpf_htonl(mtu - sizeof(struct ipv6hdr));
	/* Pseudo-header: addresses, upper-layer length, next header. */
	sum = csum_words(&ip6->saddr, 32) + bpf_htons(len) + bpf_htons(IPPROTO_ICMPV6);
	sum += csum_words(icmp, ICMP_HDR_LEN) + csum_words(quote, ICMP_QUOTE_LEN);
	icmp->icmp6_cksum = csum_fold(sum);
	return swap_macs(ctx);
}

#endif /* XLB_ICMP_H */
