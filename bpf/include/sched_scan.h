/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Schedulers that compare every real of the service, as IPVS's ip_vs_{lc,wlc,sed,nq,fo,ovf}.c do.
 * Their table lists the service's reals in configuration order (IPVS's list order, which breaks
 * ties: the first best real wins). A real takes no new connection while it is absent, of weight 0
 * or overloaded (its connection thresholds). Weights are compared by cross-multiplying, as IPVS
 * does: a/w1 < b/w2 as a*w2 < b*w1.
 */
#ifndef XLB_SCHED_SCAN_H
#define XLB_SCHED_SCAN_H

#include "maps.h"
#include "thresholds.h"

#define XLB_NO_REAL     0xffffffff
/* IPVS's connection overhead (ip_vs_dest_conn_overhead): an active connection weighs 256 inactive ones. */
#define LC_ACTIVE_SHIFT 8

static __always_inline __u32 table_get(void *table, __u32 slot)
{
	__u32 *v = bpf_map_lookup_elem(table, &slot);

	return v ? *v : XLB_NO_REAL;
}

/* A real as the schedulers compare it. */
struct candidate {
	__u32 idx;
	__u32 weight;
	__u32 active;
	__u32 inactive;
	__u32 service;
};

/* The real `idx`, if it may take a new connection (present, weight > 0, not overloaded). */
static __always_inline int candidate_of(__u32 idx, struct candidate *c)
{
	struct real *r = bpf_map_lookup_elem(&reals, &idx);
	struct real_conns *rc = bpf_map_lookup_elem(&real_conns, &idx);

	if (!r || !rc || !(r->flags & XLB_REAL_F_PRESENT) || !r->weight || real_overloaded(idx))
		return 0;
	c->idx = idx;
	c->weight = r->weight;
	c->active = rc->active;
	c->inactive = rc->inactive;
	c->service = r->service;
	return 1;
}

/* What a least-overhead scheduler minimises, before dividing by the weight. */
static __always_inline __u64 scan_overhead(const struct candidate *c, __u8 sched)
{
	if (sched == XLB_SCHED_SED || sched == XLB_SCHED_NQ)
		return (__u64)c->active + 1; /* the expected delay counts the new job, and only active ones */
	return ((__u64)c->active << LC_ACTIVE_SHIFT) + c->inactive;
}

/* One scan over the table, as bpf_loop's context: the table and the best real so far. */
struct scan {
	void *table;
	__u64 best_oh;        /* least overhead: the best's; highest weight: unused */
	__u64 best_w;         /* the best's weight (1 for lc) */
	__u32 best;
	__u8  sched;
};

static __always_inline int scan_highest_weight(struct scan *s, const struct candidate *c)
{
	return c->weight > s->best_w && (s->sched != XLB_SCHED_OVF || c->active <= c->weight);
}

static __always_inline int scan_least(struct scan *s, const struct candidate *c, __u64 *oh, __u64 *w)
{
	*oh = scan_overhead(c, s->sched);
	*w = s->sched == XLB_SCHED_LC ? 1 : c->weight;
	return s->best == XLB_NO_REAL || *oh * s->best_w < s->best_oh * *w;
}

/* bpf_loop's callback for table slot `i`: 1 ends the scan (nq found an idle real). */
static long scan_slot(__u64 i, void *ctx)
{
	struct scan *s = ctx;
	struct candidate c;
	__u64 oh = 0, w = 0;

	if (!candidate_of(table_get(s->table, XLB_TABLE_HEADER + (__u32)i), &c))
		return 0;
	if (s->sched == XLB_SCHED_FO || s->sched == XLB_SCHED_OVF) {
		if (scan_highest_weight(s, &c)) {
			s->best = c.idx;
			s->best_w = c.weight;
		}
		return 0;
	}
	if (s->sched == XLB_SCHED_NQ && c.active == 0) {
		s->best = c.idx;
		return 1;
	}
	if (scan_least(s, &c, &oh, &w)) {
		s->best = c.idx;
		s->best_oh = oh;
		s->best_w = w;
	}
	return 0;
}

/*
 * lc: least overhead; wlc: least overhead / weight; sed: least (active + 1) / weight; nq: the first
 * real without an active connection, else as sed; the first minimum wins. fo: the real of highest
 * weight; ovf: the same among reals with no more active connections than their weight (IPVS skips
 * a real only when active > weight); the first of the highest wins. A bpf_loop: the verifier
 * checks the callback once, however many reals a service has.
 */
static __always_inline __u32 pick_scan(void *table, __u32 len, __u8 sched)
{
	struct scan s = { .table = table, .best = XLB_NO_REAL, .sched = sched };

	s.best_w = sched == XLB_SCHED_FO || sched == XLB_SCHED_OVF ? 0 : 1;
	bpf_loop(len < XLB_LC_MAX ? len : XLB_LC_MAX, scan_slot, &s, 0);
	return s.best;
}

#endif /* XLB_SCHED_SCAN_H */
