/* SPDX-License-Identifier: GPL-2.0 */
/* The connection table: IPVS's input-only TCP states, timeouts, and the per-real counters. */
#ifndef XLB_CONN_H
#define XLB_CONN_H

#include "maps.h"
#include "packet.h"

#define NSEC_PER_SEC 1000000000ULL

/* IPVS's defaults, used while the controller has not set a state's timeout. */
static __always_inline __u32 default_timeout_s(__u8 state)
{
	switch (state) {
	case XLB_CONN_ESTABLISHED: return XLB_TIMEOUT_ESTABLISHED;
	case XLB_CONN_SYN_RECV:    return XLB_TIMEOUT_SYN_RECV;
	case XLB_CONN_FIN_WAIT:    return XLB_TIMEOUT_FIN_WAIT;
	case XLB_CONN_TIME_WAIT:   return XLB_TIMEOUT_TIME_WAIT;
	case XLB_CONN_CLOSE:       return XLB_TIMEOUT_CLOSE;
	case XLB_CONN_UDP:         return XLB_TIMEOUT_UDP;
	case XLB_CONN_FRAG:        return XLB_TIMEOUT_FRAG;
	}
	return XLB_TIMEOUT_NONE;
}

static __always_inline __u64 conn_timeout_ns(const struct xlb_config *cfg, __u8 state)
{
	__u32 s = 0;

	if (cfg && state < XLB_CONN_STATE_MAX)
		s = cfg->timeout_s[state];
	if (!s)
		s = default_timeout_s(state);
	return (__u64)s * NSEC_PER_SEC;
}

enum tcp_event { EV_SYN = 0, EV_FIN = 1, EV_ACK = 2, EV_RST = 3, EV_NONE = 4 };

/* As IPVS's tcp_state_idx: RST wins, then SYN, FIN, ACK. */
static __always_inline int tcp_event(__u8 flags)
{
	if (flags & XLB_TCP_RST)
		return EV_RST;
	if (flags & XLB_TCP_SYN)
		return EV_SYN;
	if (flags & XLB_TCP_FIN)
		return EV_FIN;
	if (flags & XLB_TCP_ACK)
		return EV_ACK;
	return EV_NONE;
}

/* IPVS's INPUT-ONLY transitions for the states a director without replies can reach. */
static __always_inline __u8 tcp_next_state(__u8 state, __u8 flags)
{
	switch (tcp_event(flags)) {
	case EV_SYN:
		return state == XLB_CONN_ESTABLISHED ? XLB_CONN_ESTABLISHED : XLB_CONN_SYN_RECV;
	case EV_FIN:
		switch (state) {
		case XLB_CONN_ESTABLISHED: return XLB_CONN_FIN_WAIT;
		case XLB_CONN_SYN_RECV:    return XLB_CONN_TIME_WAIT;
		case XLB_CONN_FIN_WAIT:    return XLB_CONN_FIN_WAIT;
		case XLB_CONN_TIME_WAIT:   return XLB_CONN_TIME_WAIT;
		default:                   return XLB_CONN_CLOSE;
		}
	case EV_ACK:
		switch (state) {
		case XLB_CONN_ESTABLISHED:
		case XLB_CONN_SYN_RECV:    return XLB_CONN_ESTABLISHED;
		case XLB_CONN_FIN_WAIT:    return XLB_CONN_FIN_WAIT;
		case XLB_CONN_TIME_WAIT:   return XLB_CONN_TIME_WAIT;
		default:                   return XLB_CONN_CLOSE;
		}
	case EV_RST:
		return state == XLB_CONN_SYN_RECV ? XLB_CONN_SYN_RECV : XLB_CONN_CLOSE;
	}
	return XLB_CONN_CLOSE;
}

static __always_inline int state_counts(__u8 state)
{
	return state != XLB_CONN_NONE && state != XLB_CONN_FRAG;
}

/* Moves one connection of `real` between the active and inactive counts, atomically. */
static __always_inline void real_conns_move(__u32 real, __u8 from, __u8 to)
{
	struct real_conns *rc = bpf_map_lookup_elem(&real_conns, &real);

	if (!rc)
		return;
	if (state_counts(from)) {
		if (from == XLB_CONN_ESTABLISHED)
			__sync_fetch_and_add(&rc->active, -1);
		else
			__sync_fetch_and_add(&rc->inactive, -1);
	}
	if (state_counts(to)) {
		if (to == XLB_CONN_ESTABLISHED)
			__sync_fetch_and_add(&rc->active, 1);
		else
			__sync_fetch_and_add(&rc->inactive, 1);
	}
}

/* The state a flow starts in when its first packet is `flags` (UDP: XLB_CONN_UDP). */
static __always_inline __u8 conn_first_state(const struct packet *p)
{
	if (p->flow.proto != IPPROTO_TCP)
		return XLB_CONN_UDP;
	return tcp_next_state(XLB_CONN_NONE, p->tcp_flags);
}

/* A SYN on a closing connection starts a new one (IPVS's conn_reuse_mode). */
static __always_inline int conn_reused(const struct conn *c, const struct packet *p)
{
	if (p->flow.proto != IPPROTO_TCP)
		return 0;
	if ((p->tcp_flags & (XLB_TCP_SYN | XLB_TCP_ACK | XLB_TCP_RST)) != XLB_TCP_SYN)
		return 0;
	return c->state == XLB_CONN_FIN_WAIT || c->state == XLB_CONN_TIME_WAIT || c->state == XLB_CONN_CLOSE;
}

#endif /* XLB_CONN_H */
