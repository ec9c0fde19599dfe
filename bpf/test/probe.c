// SPDX-License-Identifier: GPL-2.0
/* A small XDP program for java/bpf's tests: one of each map kind the bindings handle, a per-CPU
 * counter that moves under ping, and a MAC swap whose output bytes a test can predict. */
#include "parse.h"
#include "probe_abi.h"

/* Per IP protocol: packets and bytes seen. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROBE_PROTO_MAX);
	__type(key, __u32);
	__type(value, struct probe_counter);
} proto_stats SEC(".maps");

/* UDP destination ports (host order) whose datagrams are bounced back with XDP_TX. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROBE_PORTS_MAX);
	__type(key, __u16);
	__type(value, __u32);
} bounce_ports SEC(".maps");

/* Not read by the program: CRUD and batch operations from user space. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PROBE_KV_MAX);
	__type(key, struct probe_key);
	__type(value, struct probe_value);
} kv SEC(".maps");

/* Per-CPU hash, by IPv4 source address. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, PROBE_KV_MAX);
	__type(key, __u32);
	__type(value, struct probe_counter);
} src_stats SEC(".maps");

/* Inner map: slot 0 holds a tag that a bounced frame carries in its source MAC. */
struct tag_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tag_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct tag_map);
} tags SEC(".maps") = {
	.values = { [0] = &tag_a },
};

#define TAG_OFFSET_IN_MAC 2

static __always_inline void count(void *map, __u32 key, __u64 bytes)
{
	struct probe_counter *c = bpf_map_lookup_elem(map, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void count_source(__be32 saddr, __u64 bytes)
{
	__u32 key = bpf_ntohl(saddr);
	struct probe_counter *c = bpf_map_lookup_elem(&src_stats, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
		return;
	}
	struct probe_counter fresh = { .packets = 1, .bytes = bytes };
	bpf_map_update_elem(&src_stats, &key, &fresh, BPF_NOEXIST);
}

static __always_inline __u32 current_tag(void)
{
	__u32 zero = 0;
	void *inner = bpf_map_lookup_elem(&tags, &zero);
	__u32 *tag;

	if (!inner)
		return 0;
	tag = bpf_map_lookup_elem(inner, &zero);
	return tag ? *tag : 0;
}

static __always_inline int bounce(struct ethhdr *eth)
{
	unsigned char mac[ETH_ALEN];
	__u32 tag = bpf_htonl(current_tag());

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	if (tag)
		__builtin_memcpy(eth->h_source + TAG_OFFSET_IN_MAC, &tag, sizeof(tag));
	return XDP_TX;
}

SEC("xdp")
int xdp_probe(struct xdp_md *ctx)
{
	struct cursor c;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	__be16 proto;
	__u64 len = ctx->data_end - ctx->data;
	__u16 port;

	cursor_init(&c, ctx);
	eth = parse_eth(&c, &proto);
	if (!eth || proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (parse_ipv4(&c, &ip) != XLB_PARSED)
		return XDP_PASS;
	count(&proto_stats, ip->protocol, len);
	count_source(ip->saddr, len);
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = CURSOR_TAKE(&c, struct udphdr);
	if (!udp)
		return XDP_PASS;
	port = bpf_ntohs(udp->dest);
	if (!bpf_map_lookup_elem(&bounce_ports, &port))
		return XDP_PASS;
	return bounce(eth);
}

/* For the peer of a veth that receives XDP_TX frames: without a program there they are dropped. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
