// SPDX-License-Identifier: GPL-2.0
/*
 * Real-server side of TUN mode: strips an IPIP or IP6IP6 header addressed to this host and
 * passes the inner packet (to the VIP on lo) up the stack. Kernels without the ipip module,
 * and operators who prefer no tunnel devices, need nothing else.
 */
#include "parse.h"

#define DECAP_MAX_ADDRS 64

/* The outer destinations this host accepts tunnels to (its VIPs). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DECAP_MAX_ADDRS);
	__type(key, struct decap_addr);
	__type(value, __u32);
} decap_addrs SEC(".maps");

/* Packets stripped (IPIP, IP6IP6) and left alone, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DECAP_MAX);
	__type(key, __u32);
	__type(value, __u64);
} decap_stats SEC(".maps");

static __always_inline int count(__u32 what, int verdict)
{
	__u64 *n = bpf_map_lookup_elem(&decap_stats, &what);

	if (n)
		*n += 1;
	return verdict;
}

/* Moves the L2 header over the outer IP header and drops the latter from the front. */
static __always_inline int strip(struct xdp_md *ctx, __u32 l2_len, int outer)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (l2_len == sizeof(struct ethhdr) + VLAN_HLEN) {
		if (data + outer + sizeof(struct ethhdr) + VLAN_HLEN > data_end)
			return -1;
		__builtin_memmove(data + outer, data, sizeof(struct ethhdr) + VLAN_HLEN);
	} else {
		if (data + outer + sizeof(struct ethhdr) > data_end)
			return -1;
		__builtin_memmove(data + outer, data, sizeof(struct ethhdr));
	}
	return bpf_xdp_adjust_head(ctx, outer);
}

SEC("xdp")
int xlb_decap(struct xdp_md *ctx)
{
	struct decap_addr key = {};
	struct cursor c;
	__be16 proto;
	__u32 l2_len;

	cursor_init(&c, ctx);
	if (!parse_eth(&c, &proto))
		return count(DECAP_PASS, XDP_PASS);
	l2_len = c.pos - (void *)(long)ctx->data;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip;

		/* An outer header with options or fragmented is left to the stack. */
		if (parse_ipv4(&c, &ip) != XLB_PARSED || ip->protocol != IPPROTO_IPIP || ip->ihl != IPV4_MIN_IHL
		    || (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET_MASK)))
			return count(DECAP_PASS, XDP_PASS);
		/* The inner header must be there too: a stub is left to the stack. */
		if (c.pos + sizeof(struct iphdr) > c.end)
			return count(DECAP_PASS, XDP_PASS);
		key.addr[0] = ip->daddr;
		key.family = XLB_AF_INET;
		if (!bpf_map_lookup_elem(&decap_addrs, &key))
			return count(DECAP_PASS, XDP_PASS);
		if (strip(ctx, l2_len, sizeof(struct iphdr)))
			return count(DECAP_PASS, XDP_PASS);
		return count(DECAP_IPIP, XDP_PASS);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6;

		if (parse_ipv6(&c, &ip6) != XLB_PARSED || ip6->nexthdr != IPPROTO_IPV6
		    || c.pos + sizeof(struct ipv6hdr) > c.end)
			return count(DECAP_PASS, XDP_PASS);
		__builtin_memcpy(key.addr, &ip6->daddr, sizeof(key.addr));
		key.family = XLB_AF_INET6;
		if (!bpf_map_lookup_elem(&decap_addrs, &key))
			return count(DECAP_PASS, XDP_PASS);
		if (strip(ctx, l2_len, sizeof(struct ipv6hdr)))
			return count(DECAP_PASS, XDP_PASS);
		return count(DECAP_IP6IP6, XDP_PASS);
	}
	return count(DECAP_PASS, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
