// SPDX-License-Identifier: GPL-2.0
/* For the deploy tier's bridge: a frame a director sends with XDP_TX into a veth reaches the
 * peer only when the peer has an XDP program of its own (see bpf/xlb.c's xlb_pass). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
