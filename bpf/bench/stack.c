// SPDX-License-Identifier: GPL-2.0
/*
 * For the through-the-stack benchmarks (benchmarks/run-forward, benchmarks/run-http), on veth:
 *  - bench_sink, on the sink's interface: counts the IPv4 frames that arrive and drops them, so
 *    the sink costs the shared CPUs as little as possible and the count is exact; everything
 *    else (ARP) goes to the stack.
 *  - bench_dr_floor, in the director's place: the least a DR director does (IPv4 to the VIP:
 *    pick one of n reals by the client's address and port, rewrite the MACs, XDP_TX), with no
 *    tables, counters or checks; everything else is passed. It tells what the hop through a
 *    director costs on this topology whatever the director does.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define FLOOR_MAX_REALS 4

struct sink_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sink_count);
} sink_counts SEC(".maps");

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct sink_count *c;
	__u32 zero = 0;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	c = bpf_map_lookup_elem(&sink_counts, &zero);
	if (c) {
		c->packets++;
		c->bytes += data_end - data;
	}
	return XDP_DROP;
}

struct floor_config {
	__be32 vip;                          /* network order */
	__u32 reals;                         /* how many of macs[] are used, 1..FLOOR_MAX_REALS */
	__u8 macs[FLOOR_MAX_REALS][ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct floor_config);
} floor_config SEC(".maps");

SEC("xdp")
int bench_dr_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct floor_config *cfg;
	__u32 zero = 0, pick, n;
	__u16 *ports;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	cfg = bpf_map_lookup_elem(&floor_config, &zero);
	if (!cfg || ip->daddr != cfg->vip || ip->ihl != 5)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	ports = (void *)(ip + 1);
	if ((void *)(ports + 2) > data_end)
		return XDP_PASS;
	n = cfg->reals;
	if (n == 0 || n > FLOOR_MAX_REALS)
		return XDP_PASS;
	/* Mixed: connect() prefers even source ports, so their low bit alone would pick one real. */
	pick = (((bpf_ntohl(ip->saddr) ^ bpf_ntohs(ports[0])) * 2654435761u) >> 16) % n;
	asm volatile("" : "+r"(pick)); /* keep the bound below for the verifier */
	pick &= FLOOR_MAX_REALS - 1;
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, cfg->macs[pick], ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
