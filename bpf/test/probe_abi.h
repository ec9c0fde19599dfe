/* SPDX-License-Identifier: GPL-2.0 */
/* Structs shared by bpf/test/probe.c and java/bpf's tests, which check their layouts against BTF. */
#ifndef XLB_PROBE_ABI_H
#define XLB_PROBE_ABI_H

#include <linux/types.h>

#define PROBE_KV_MAX     1024
#define PROBE_PORTS_MAX  64
#define PROBE_PROTO_MAX  256

struct probe_counter {
	__u64 packets;
	__u64 bytes;
};

/* Key of the test hash map: padded explicitly so the layout is the same in C and Java. */
struct probe_key {
	__u32 addr;
	__u16 port;
	__u8  proto;
	__u8  pad;
};

struct probe_value {
	__u64 hits;
	__u32 weight;
	__u32 flags;
};

#endif /* XLB_PROBE_ABI_H */
