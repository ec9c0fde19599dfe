/* SPDX-License-Identifier: GPL-2.0 */
/* Picking a real for a new flow: hash ring (mh, sh, dh), sequence (rr, wrr), least connections (lc, wlc). */
#ifndef XLB_SCHED_H
#define XLB_SCHED_H

#include "maps.h"
#include "packet.h"
#include "jhash.h"

#define XLB_NO_REAL     0xffffffff
#define RING_HASH_SEED  0x786c6221 /* "xlb!" */
/* IPVS's connection overhead: an active connection weighs 256 inactive ones. */
#define LC_ACTIVE_SHIFT 8

static __always_inline __u32 table_get(void *table, __u32 slot)
{
	__u32 *v = bpf_map_lookup_elem(table, &slot);

	return v ? *v : XLB_NO_REAL;
}

static __always_inline __u32 ring_hash(const struct packet *p, __u8 key)
{
	__u32 words[5] = {};
	const __be32 *addr = key == XLB_HASH_DST ? p->flow.dst : p->flow.src;

	words[0] = addr[0];
	words[1] = addr[1];
	words[2] = addr[2];
	words[3] = addr[3];
	if (key == XLB_HASH_SRC_PORT)
		words[4] = p->flow.sport;
	return jhash_5words(words, RING_HASH_SEED);
}

static __always_inline __u32 pick_ring(void *table, __u32 len, const struct packet *p, const struct service *svc)
{
	return table_get(table, XLB_TABLE_HEADER + ring_hash(p, svc->hash_key) % len);
}

static __always_inline __u32 pick_seq(void *table, __u32 len, __u32 svc_idx)
{
	__u32 *cursor = bpf_map_lookup_elem(&seq_cursor, &svc_idx);
	__u32 pos;

	if (!cursor)
		return XLB_NO_REAL;
	pos = *cursor;
	if (pos >= len)
		pos = 0;
	*cursor = pos + 1;
	return table_get(table, XLB_TABLE_HEADER + pos);
}

/*
 * lc: least active*256 + inactive; wlc: least of that divided by weight, compared by
 * cross-multiplying as IPVS does (no division). First minimum wins; weight 0 never does.
 */
static __always_inline __u32 pick_least(void *table, __u32 len, int weighted)
{
	__u32 best = XLB_NO_REAL;
	__u64 best_oh = 0, best_w = 1;

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < XLB_LC_MAX; i++) {
		if (i >= len)
			break;
		__u32 idx = table_get(table, XLB_TABLE_HEADER + i);
		struct real *r = bpf_map_lookup_elem(&reals, &idx);
		struct real_conns *rc = bpf_map_lookup_elem(&real_conns, &idx);

		if (!r || !rc || !r->weight || !(r->flags & XLB_REAL_F_PRESENT))
			continue;
		__u64 oh = ((__u64)rc->active << LC_ACTIVE_SHIFT) + rc->inactive;
		__u64 w = weighted ? r->weight : 1;

		if (best == XLB_NO_REAL || oh * best_w < best_oh * w) {
			best = idx;
			best_oh = oh;
			best_w = w;
		}
	}
	return best;
}

/* The real for a new flow of service svc_idx, or XLB_NO_REAL. */
static __always_inline __u32 schedule(const struct packet *p, __u32 svc_idx, const struct service *svc)
{
	void *table = bpf_map_lookup_elem(&sched_tables, &svc_idx);
	__u32 len;

	if (!table)
		return XLB_NO_REAL;
	len = table_get(table, 0);
	if (len == 0 || len == XLB_NO_REAL || len > XLB_TABLE_MAX)
		return XLB_NO_REAL;
	switch (svc->sched) {
	case XLB_SCHED_RING:
		return pick_ring(table, len, p, svc);
	case XLB_SCHED_SEQ:
		return pick_seq(table, len, svc_idx);
	case XLB_SCHED_LC:
		return pick_least(table, len, 0);
	case XLB_SCHED_WLC:
		return pick_least(table, len, 1);
	}
	return XLB_NO_REAL;
}

#endif /* XLB_SCHED_H */
