/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Locality-based schedulers, as IPVS's ip_vs_lblc.c and ip_vs_lblcr.c: the flows to one destination
 * address go to the same real (lblc) or set of reals (lblcr), so that a cache behind the director
 * keeps its objects; a real that is overloaded while another is less than half loaded gives way
 * to wlc's choice.
 *
 * IPVS keeps a table per service and a timer collecting its entries. Here both tables are LRU hash
 * maps keyed by (destination address, service), shared by the CPUs, and expiry is read at lookup:
 * - IPVS deletes an entry unused for lblc(r)_expiration (24 h) at the full check its timer makes
 *   every 30 minutes; here an entry unused that long is treated as deleted from that moment on
 *   (the earliest the kernel would delete it) and replaced when its address next schedules.
 * - IPVS also deletes entries unused for 6 minutes when a service has more than 16384 of them;
 *   here the LRU map evicts the least recently used entry when all XLB_MAX_LOCALITY are taken.
 * - lblcr drops the most loaded real of a set that has not changed for lblcr_expiration, at the
 *   next new connection to the address, one real per expiration period: the same here.
 * An entry is changed in place, without IPVS's per-service lock: two CPUs changing the same set at
 * the same instant may lose one change, which the next flow that needs it makes again.
 */
#ifndef XLB_LOCALITY_H
#define XLB_LOCALITY_H

#include "maps.h"
#include "packet.h"
#include "conn.h"
#include "sched_scan.h"

#define LOCALITY_EXPIRATION_NS ((__u64)XLB_LOCALITY_EXPIRATION_S * NSEC_PER_SEC)

static __always_inline void locality_key_of(const struct packet *p, __u32 svc_idx, struct locality_key *key)
{
	__builtin_memcpy(key->addr, p->flow.dst, sizeof(key->addr));
	key->service = svc_idx;
}

/* IPVS's IP_VS_DEST_F_AVAILABLE and weight > 0: still a real of the service, taking new flows. */
static __always_inline int locality_usable(__u32 idx, __u32 svc_idx)
{
	struct real *r = bpf_map_lookup_elem(&reals, &idx);

	return r && (r->flags & XLB_REAL_F_PRESENT) && r->service == svc_idx && r->weight;
}

/* bpf_loop's context: the service's table, and whether some real is less than half loaded. */
struct half_loaded_scan {
	void *table;
	int found;
};

static long half_loaded_slot(__u64 i, void *ctx)
{
	struct half_loaded_scan *s = ctx;
	__u32 idx = table_get(s->table, XLB_TABLE_HEADER + (__u32)i);
	struct real *r = bpf_map_lookup_elem(&reals, &idx);
	struct real_conns *rc = bpf_map_lookup_elem(&real_conns, &idx);

	if (r && rc && (__u64)rc->active * 2 < r->weight) {
		s->found = 1;
		return 1;
	}
	return 0;
}

/*
 * IPVS's is_overloaded for lblc(r): more active connections than its weight, while some real of
 * the service has fewer than half its weight. (Not the thresholds' overload flag: IPVS does not
 * read that flag for a remembered real.)
 */
static __always_inline int locality_overloaded(__u32 idx, void *table, __u32 len)
{
	struct real *r = bpf_map_lookup_elem(&reals, &idx);
	struct real_conns *rc = bpf_map_lookup_elem(&real_conns, &idx);
	struct half_loaded_scan s = { .table = table };

	if (!r || !rc || rc->active <= r->weight)
		return 0;
	bpf_loop(len < XLB_LC_MAX ? len : XLB_LC_MAX, half_loaded_slot, &s, 0);
	return s.found;
}

static __always_inline int locality_expired(__u64 now, __u64 last_use_ns)
{
	return now - last_use_ns >= LOCALITY_EXPIRATION_NS;
}

/* lblc: the address's real while it is usable and not overloaded, else wlc's choice, remembered. */
static __always_inline __u32 pick_lblc(void *table, __u32 len, const struct packet *p, __u32 svc_idx, __u64 now)
{
	struct locality_key key = {};
	struct lblc_entry *en, fresh = {};
	__u32 real;

	locality_key_of(p, svc_idx, &key);
	en = bpf_map_lookup_elem(&lblc, &key);
	if (en && !locality_expired(now, en->last_use_ns)) {
		en->last_use_ns = now;
		real = en->real;
		if (locality_usable(real, svc_idx) && !locality_overloaded(real, table, len))
			return real;
		real = pick_scan(table, len, XLB_SCHED_WLC);
		if (real != XLB_NO_REAL && real != en->real) {
			fresh.real = real;
			fresh.last_use_ns = now;
			bpf_map_update_elem(&lblc, &key, &fresh, BPF_ANY);
		}
		return real;
	}
	real = pick_scan(table, len, XLB_SCHED_WLC);
	if (real != XLB_NO_REAL) {
		fresh.real = real;
		fresh.last_use_ns = now;
		bpf_map_update_elem(&lblc, &key, &fresh, BPF_ANY);
	}
	return real;
}

/* A set member by age, newest first (IPVS adds at the head of its list): slot size - 1 - nth. */
static __always_inline __u32 set_member(const struct lblcr_entry *set, __u32 nth)
{
	__u32 slot = set->size - 1 - nth;

	/* The compiler proves the check from its callers and drops it; 6.1's verifier cannot. */
	asm volatile("" : "+r"(slot));
	return slot < XLB_LBLCR_SET_MAX ? set->reals[slot] : XLB_NO_REAL;
}

/* ip_vs_dest_set_min: the least overhead / weight among members that take new connections. */
static __always_inline __u32 set_least_loaded(const struct lblcr_entry *set, __u32 svc_idx)
{
	__u32 best = XLB_NO_REAL;
	__u64 best_oh = 0, best_w = 1;

#pragma clang loop unroll(full)
	for (__u32 i = 0; i < XLB_LBLCR_SET_MAX; i++) {
		struct candidate c;

		if (i >= set->size)
			break;
		if (!candidate_of(set_member(set, i), &c) || c.service != svc_idx)
			continue;
		__u64 oh = scan_overhead(&c, XLB_SCHED_WLC);

		if (best == XLB_NO_REAL || oh * best_w < best_oh * c.weight) {
			best = c.idx;
			best_oh = oh;
			best_w = c.weight;
		}
	}
	return best;
}

/* ip_vs_dest_set_max: the most overhead / weight among members of weight > 0, overloaded or not. */
static __always_inline __u32 set_most_loaded(const struct lblcr_entry *set)
{
	__u32 most = XLB_NO_REAL;
	__u64 most_oh = 0, most_w = 1;

#pragma clang loop unroll(full)
	for (__u32 i = 0; i < XLB_LBLCR_SET_MAX; i++) {
		if (i >= set->size)
			break;
		__u32 idx = set_member(set, i);
		struct real *r = bpf_map_lookup_elem(&reals, &idx);
		struct real_conns *rc = bpf_map_lookup_elem(&real_conns, &idx);

		if (!r || !rc || !r->weight)
			continue;
		__u64 oh = ((__u64)rc->active << LC_ACTIVE_SHIFT) + rc->inactive;

		if (most == XLB_NO_REAL || most_oh * r->weight < oh * most_w) {
			most = idx;
			most_oh = oh;
			most_w = r->weight;
		}
	}
	return most;
}

/* ip_vs_dest_set_erase: removes `idx` from the set, keeping the others' order. */
static __always_inline void set_erase(struct lblcr_entry *set, __u32 idx, __u64 now)
{
	__u32 size = set->size;
	int found = 0;

#pragma clang loop unroll(full)
	for (__u32 slot = 0; slot < XLB_LBLCR_SET_MAX; slot++) {
		if (slot < size && set->reals[slot] == idx)
			found = 1;
		if (found && slot + 1 < size && slot + 1 < XLB_LBLCR_SET_MAX)
			set->reals[slot] = set->reals[slot + 1];
	}
	if (!found)
		return;
	set->size = size - 1;
	set->last_mod_ns = now;
}

/* ip_vs_dest_set_insert: adds `idx` as the newest member unless it is one already (or the set is full). */
static __always_inline void set_insert(struct lblcr_entry *set, __u32 idx, __u64 now)
{
	__u32 size = set->size;
	int member = 0;

#pragma clang loop unroll(full)
	for (__u32 slot = 0; slot < XLB_LBLCR_SET_MAX; slot++)
		if (slot < size && set->reals[slot] == idx)
			member = 1;
	if (member || size >= XLB_LBLCR_SET_MAX)
		return;
	set->reals[size] = idx;
	set->size = size + 1;
	set->last_mod_ns = now;
}

/*
 * lblcr: the least loaded member of the address's set unless it is overloaded, else wlc's choice,
 * added to the set. A set of more than one real unchanged for the expiration drops its most
 * loaded member first (after the least loaded was chosen, as IPVS does).
 */
static __always_inline __u32 pick_lblcr(void *table, __u32 len, const struct packet *p, __u32 svc_idx, __u64 now)
{
	struct locality_key key = {};
	struct lblcr_entry *en, fresh = {};
	__u32 real;

	locality_key_of(p, svc_idx, &key);
	en = bpf_map_lookup_elem(&lblcr, &key);
	if (en && !locality_expired(now, en->last_use_ns) && en->size <= XLB_LBLCR_SET_MAX) {
		en->last_use_ns = now;
		real = set_least_loaded(en, svc_idx);
		if (en->size > 1 && now - en->last_mod_ns > LOCALITY_EXPIRATION_NS) {
			__u32 most = set_most_loaded(en);

			if (most != XLB_NO_REAL)
				set_erase(en, most, now);
		}
		if (real != XLB_NO_REAL && !locality_overloaded(real, table, len))
			return real;
		real = pick_scan(table, len, XLB_SCHED_WLC);
		if (real != XLB_NO_REAL)
			set_insert(en, real, now);
		return real;
	}
	real = pick_scan(table, len, XLB_SCHED_WLC);
	if (real != XLB_NO_REAL) {
		fresh.last_use_ns = now;
		fresh.last_mod_ns = now;
		fresh.size = 1;
		fresh.reals[0] = real;
		bpf_map_update_elem(&lblcr, &key, &fresh, BPF_ANY);
	}
	return real;
}

#endif /* XLB_LOCALITY_H */
