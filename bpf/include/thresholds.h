/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection thresholds of a real (ipvsadm -x/-y, keepalived's uthreshold/lthreshold), kept as IPVS
 * keeps them (ip_vs_conn.c): the real is overloaded once a new connection brings its active plus
 * inactive connections to the upper threshold, and stays so until a connection that ends leaves
 * fewer than the lower one (3/4 of the upper when the lower is 0). An overloaded real takes no new
 * connection from the schedulers (but for IPVS's exceptions: a persistence template, lblc's
 * remembered real); its established ones stay. The controller clears the flag when it removes the
 * upper threshold or raises it (ip_vs_ctl.c), and applies the rule of a connection that ends when
 * its recount of the connection table finds fewer than the program counted (expired entries).
 */
#ifndef XLB_THRESHOLDS_H
#define XLB_THRESHOLDS_H

#include "maps.h"
#include "conn.h"

/* ip_vs_dest_totalconns: what both thresholds count. */
static __always_inline __u64 real_total_conns(const struct real_conns *rc)
{
	return (__u64)rc->active + rc->inactive;
}

/* IPVS's rule for clearing the overload flag when a connection ends. */
static __always_inline int below_lower_threshold(const struct real_thresholds *t, __u64 total)
{
	if (t->lower)
		return total < t->lower;
	if (t->upper)
		return total * 4 < (__u64)t->upper * 3;
	return 1;
}

/* Whether `real` is overloaded: takes no new connection. */
static __always_inline int real_overloaded(__u32 real)
{
	struct real_thresholds *t = bpf_map_lookup_elem(&real_thresholds, &real);

	return t && t->overloaded;
}

/* A new connection of `real` starts in `state` (ip_vs_bind_dest). */
static __always_inline void real_conns_bind(__u32 real, __u8 state)
{
	struct real_thresholds *t;
	struct real_conns *rc;

	real_conns_move(real, XLB_CONN_NONE, state);
	t = bpf_map_lookup_elem(&real_thresholds, &real);
	if (!t || !t->upper || t->overloaded)
		return;
	rc = bpf_map_lookup_elem(&real_conns, &real);
	if (rc && real_total_conns(rc) >= t->upper)
		t->overloaded = 1;
}

/* A connection of `real` in `state` ends: expired, reused, or its real left (ip_vs_unbind_dest). */
static __always_inline void real_conns_unbind(__u32 real, __u8 state)
{
	struct real_thresholds *t;
	struct real_conns *rc;

	real_conns_move(real, state, XLB_CONN_NONE);
	t = bpf_map_lookup_elem(&real_thresholds, &real);
	if (!t || !t->overloaded)
		return;
	rc = bpf_map_lookup_elem(&real_conns, &real);
	if (rc && below_lower_threshold(t, real_total_conns(rc)))
		t->overloaded = 0;
}

#endif /* XLB_THRESHOLDS_H */
