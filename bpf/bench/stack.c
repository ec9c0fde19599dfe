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
 *  - bench_gen, run by BPF_PROG_TEST_RUN in live-frames mode (benchmarks/run-forward --source
 *    xdp): writes gen_config's header template over each frame, gives it one of n source ports
 *    in turn and sends it (XDP_TX, which a live test run turns into a transmit on the context's
 *    interface). The template is written every time because the frame's page comes back to the
 *    test run's pool as the director and the stack left it (MACs swapped, TTL lowered).
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

#define GEN_HEADER_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))

struct gen_config {
	__u8 header[GEN_HEADER_LEN];         /* Ethernet, IPv4 (checksum set), UDP (checksum 0) */
	__u16 flows;                         /* source ports first_port .. first_port + flows - 1 */
	__u16 first_port;                    /* host order */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_config);
} gen_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_sent SEC(".maps");

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp = data + sizeof(struct ethhdr) + sizeof(struct iphdr);
	struct gen_config *cfg;
	__u64 *sent;
	__u32 zero = 0;

	if ((void *)(udp + 1) > data_end)
		return XDP_DROP;
	cfg = bpf_map_lookup_elem(&gen_config, &zero);
	sent = bpf_map_lookup_elem(&gen_sent, &zero);
	if (!cfg || !sent || cfg->flows == 0)
		return XDP_DROP;
	__builtin_memcpy(eth, cfg->header, GEN_HEADER_LEN);
	udp->source = bpf_htons(cfg->first_port + (__u16)(*sent % cfg->flows));
	(*sent)++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
