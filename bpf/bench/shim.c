// SPDX-License-Identifier: GPL-2.0
/*
 * For benchmarks through BPF_PROG_TEST_RUN with repeat: the kernel reruns a program on its own
 * output, so this shim first restores the original frame (undoing an encapsulation), optionally
 * stamps a fresh source address (a new flow every run), then tail-calls the program measured.
 * The same shim tail-calling bench_floor is measured too, and subtracted.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define BENCH_V4_LEN 54   /* Ethernet + IPv4 + TCP, no payload */
#define BENCH_V6_LEN 74   /* Ethernet + IPv6 + TCP, no payload */
#define BENCH_MAX    128

struct bench_packet {
	__u32 len;
	__u32 stamp_offset;   /* 0: none; else where a per-run u32 is written (a source address) */
	__u8  bytes[BENCH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_packet);
} bench_input SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_seq SEC(".maps");

SEC("xdp")
int bench_shim(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct bench_packet *in = bpf_map_lookup_elem(&bench_input, &zero);
	void *data, *data_end;
	int delta;

	if (!in)
		return XDP_ABORTED;
	delta = (int)(ctx->data_end - ctx->data) - (int)in->len;
	if (delta && bpf_xdp_adjust_head(ctx, delta))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (in->len == BENCH_V4_LEN) {
		if (data + BENCH_V4_LEN > data_end)
			return XDP_ABORTED;
		__builtin_memcpy(data, in->bytes, BENCH_V4_LEN);
	} else if (in->len == BENCH_V6_LEN) {
		if (data + BENCH_V6_LEN > data_end)
			return XDP_ABORTED;
		__builtin_memcpy(data, in->bytes, BENCH_V6_LEN);
	} else {
		return XDP_ABORTED;
	}
	if (in->stamp_offset) {
		__u32 off = in->stamp_offset & (BENCH_MAX - 1);
		__u32 *seq = bpf_map_lookup_elem(&bench_seq, &zero);

		if (!seq || data + off + sizeof(__u32) > data_end)
			return XDP_ABORTED;
		*seq += 1;
		__builtin_memcpy(data + off, seq, sizeof(__u32));
	}
	bpf_tail_call(ctx, &bench_target, 0);
	return XDP_ABORTED;
}

/* The floor: the least an XDP_TX program does. */
SEC("xdp")
int bench_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
