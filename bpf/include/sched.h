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
static __always_inline int ring_real_available(__u32 idx, __u8 svc_flags)
{
	struct real *r = bpf_map_lookup_elem(&reals, &idx);

	if (!r || !(r->flags & XLB_REAL_F_PRESENT) || !r->weight)
		return 0;
	return !(svc_flags & XLB_SVC_F_THRESHOLDS) || !real_overloaded(idx);
}

/* The fallback's tries, as bpf_loop's context: the flow's hash words and the real found. */
struct ring_fallback {
	void *table;
	__u32 words[5];
	__u32 len;
	__u32 idx;
	__u8  svc_flags;
};

/* bpf_loop's callback for try i + 1 (try 0 was the flow's own slot): 1 once a real takes the flow. */
static long ring_fallback_try(__u64 i, void *ctx)
{
	struct ring_fallback *f = ctx;
	__u32 idx = table_get(f->table, XLB_TABLE_HEADER + jhash_5words(f->words, RING_HASH_SEED + (__u32)i + 1) % f->len);

	if (!ring_real_available(idx, f->svc_flags))
		return 0;
	f->idx = idx;
	return 1;
}

/*
 * The ring's real for the flow. Reals of weight 0 have no slot. Without thresholds or fallback
 * the slot decides alone (as before either existed). Otherwise a real that takes no new flow
 * gives none (IPVS's sh, mh and dh return no destination), or with sh-fallback / mh-fallback
 * the flow tries other slots, each chosen by rehashing the flow with the try's number (IPVS's
 * mh rehashes with an offset). The tries are a bpf_loop: 6.1's verifier walks an inlined loop
 * of 64 hashes state by state and gives up at its million instructions; it checks a callback once.
 */
static __always_inline __u32 pick_ring(void *table, __u32 len, const struct packet *p, const struct service *svc)
{
	struct ring_fallback f = { .table = table, .len = len, .idx = XLB_NO_REAL, .svc_flags = svc->flags };
	__u32 idx;

	ring_words(p, svc->hash_key, f.words);
	idx = table_get(table, XLB_TABLE_HEADER + jhash_5words(f.words, RING_HASH_SEED) % len);
	if (!(svc->flags & (XLB_SVC_F_THRESHOLDS | XLB_SVC_F_FALLBACK)) || ring_real_available(idx, svc->flags))
		return idx;
	if (!(svc->flags & XLB_SVC_F_FALLBACK))
		return XLB_NO_REAL;
	bpf_loop(RING_FALLBACK_TRIES, ring_fallback_try, &f, 0);
	return f.idx;
}

/* IPVS's rr and wrr skip an overloaded real or one of weight 0 and go on in their order. */
static __always_inline int seq_real_available(__u32 idx)
{
	struct real *r = bpf_map_lookup_elem(&reals, &idx);

	return r && r->weight && !real_overloaded(idx);
}

/* The skip past unavailable reals, as bpf_loop's context: where the sequence stands, the real found. */
struct seq_skip {
	void *table;
	__u32 len;
	__u32 pos;
	__u32 idx;
};

/* bpf_loop's callback for one position: 1 once its real takes the flow, else on to the next. */
static long seq_skip_step(__u64 i, void *ctx)
{
	struct seq_skip *s = ctx;
	__u32 idx = table_get(s->table, XLB_TABLE_HEADER + s->pos);

	if (seq_real_available(idx)) {
		s->idx = idx;
		return 1;
	}
	s->pos = s->pos + 1 >= s->len ? 0 : s->pos + 1;
	return 0;
}

/*
 * The next real of the sequence; with thresholds, the first available one from there, at most
 * one lap (and SEQ_SKIP_MAX positions). The skip is a bpf_loop for 6.1's verifier (see pick_ring).
 */
static __always_inline __u32 pick_seq(void *table, __u32 len, __u32 svc_idx, const struct service *svc)
{
	__u32 *cursor = bpf_map_lookup_elem(&seq_cursor, &svc_idx);
	struct seq_skip s = { .table = table, .len = len, .idx = XLB_NO_REAL };

	if (!cursor)
		return XLB_NO_REAL;
	s.pos = *cursor;
	if (s.pos >= len)
		s.pos = 0;
	if (!(svc->flags & XLB_SVC_F_THRESHOLDS)) {
		*cursor = s.pos + 1;
		return table_get(table, XLB_TABLE_HEADER + s.pos);
	}
	bpf_loop(len < SEQ_SKIP_MAX ? len : SEQ_SKIP_MAX, seq_skip_step, &s, 0);
	if (s.idx != XLB_NO_REAL)
		*cursor = s.pos + 1;
	return s.idx;
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
