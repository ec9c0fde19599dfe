/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Picking a real for a new flow: hash ring (mh, sh, dh), sequence (rr, wrr), the schedulers that
 * compare every real (lc, wlc, sed, nq, fo, ovf: sched_scan.h) and the locality-based ones (lblc,
 * lblcr: locality.h).
 */
#ifndef XLB_SCHED_H
#define XLB_SCHED_H

#include "maps.h"
#include "packet.h"
#include "jhash.h"
#include "sched_scan.h"
#include "locality.h"

#define RING_HASH_SEED  0x786c6221 /* "xlb!" */
/* sh-fallback, mh-fallback: other slots tried, each by a hash of the flow and the try's number. */
#define RING_FALLBACK_TRIES 64
/* rr, wrr: positions tried past overloaded reals before giving up on a new flow. */
#define SEQ_SKIP_MAX 256

static __always_inline void ring_words(const struct packet *p, __u8 key, __u32 words[5])
{
	const __be32 *addr = key == XLB_HASH_DST ? p->flow.dst : p->flow.src;

	words[0] = addr[0];
	words[1] = addr[1];
	words[2] = addr[2];
	words[3] = addr[3];
	words[4] = key == XLB_HASH_SRC_PORT ? p->flow.sport : 0;
}

/*
 * Whether a ring's real takes the new flow (IPVS's is_unavailable, inverted): present, weight > 0
 * and, when the service has thresholds, not overloaded.
 */
static __always_inline int ring_real_available(__u32 idx, const struct service *svc)
{
	struct real *r = bpf_map_lookup_elem(&reals, &idx);

	if (!r || !(r->flags & XLB_REAL_F_PRESENT) || !r->weight)
		return 0;
	return !(svc->flags & XLB_SVC_F_THRESHOLDS) || !real_overloaded(idx);
}

/*
 * The ring's real for the flow. Reals of weight 0 have no slot. Without thresholds or fallback
 * the slot decides alone (as before either existed). Otherwise a real that takes no new flow
 * gives none (IPVS's sh, mh and dh return no destination), or with sh-fallback / mh-fallback
 * the flow tries other slots, each chosen by rehashing the flow with the try's number (IPVS's
 * mh rehashes with an offset).
 */
static __always_inline __u32 pick_ring(void *table, __u32 len, const struct packet *p, const struct service *svc)
{
	__u32 words[5];
	__u32 idx;

	ring_words(p, svc->hash_key, words);
	idx = table_get(table, XLB_TABLE_HEADER + jhash_5words(words, RING_HASH_SEED) % len);
	if (!(svc->flags & (XLB_SVC_F_THRESHOLDS | XLB_SVC_F_FALLBACK)) || ring_real_available(idx, svc))
		return idx;
	if (!(svc->flags & XLB_SVC_F_FALLBACK))
		return XLB_NO_REAL;
#pragma clang loop unroll(disable)
	for (__u32 try = 1; try <= RING_FALLBACK_TRIES; try++) {
		idx = table_get(table, XLB_TABLE_HEADER + jhash_5words(words, RING_HASH_SEED + try) % len);
		if (ring_real_available(idx, svc))
			return idx;
	}
	return XLB_NO_REAL;
}

/* IPVS's rr and wrr skip an overloaded real or one of weight 0 and go on in their order. */
static __always_inline int seq_real_available(__u32 idx)
{
	struct real *r = bpf_map_lookup_elem(&reals, &idx);

	return r && r->weight && !real_overloaded(idx);
}

static __always_inline __u32 pick_seq(void *table, __u32 len, __u32 svc_idx, const struct service *svc)
{
	__u32 *cursor = bpf_map_lookup_elem(&seq_cursor, &svc_idx);
	__u32 pos, idx;

	if (!cursor)
		return XLB_NO_REAL;
	pos = *cursor;
	if (pos >= len)
		pos = 0;
	if (!(svc->flags & XLB_SVC_F_THRESHOLDS)) {
		*cursor = pos + 1;
		return table_get(table, XLB_TABLE_HEADER + pos);
	}
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < SEQ_SKIP_MAX; i++) {
		if (i >= len)
			break;
		idx = table_get(table, XLB_TABLE_HEADER + pos);
		if (seq_real_available(idx)) {
			*cursor = pos + 1;
			return idx;
		}
		pos = pos + 1 >= len ? 0 : pos + 1;
	}
	return XLB_NO_REAL;
}

/* The real for a new flow of service svc_idx, or XLB_NO_REAL. */
static __always_inline __u32 schedule(const struct packet *p, __u32 svc_idx, const struct service *svc, __u64 now)
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
		return pick_seq(table, len, svc_idx, svc);
	case XLB_SCHED_LC:
	case XLB_SCHED_WLC:
	case XLB_SCHED_SED:
	case XLB_SCHED_NQ:
	case XLB_SCHED_FO:
	case XLB_SCHED_OVF:
		return pick_scan(table, len, svc->sched);
	case XLB_SCHED_LBLC:
		return pick_lblc(table, len, p, svc_idx, now);
	case XLB_SCHED_LBLCR:
		return pick_lblcr(table, len, p, svc_idx, now);
	}
	return XLB_NO_REAL;
}

#endif /* XLB_SCHED_H */
