/* SPDX-License-Identifier: GPL-2.0 */
/* The director's maps. java/dataplane owns every write to them; the program only reads the
 * tables and updates connections, counters and cursors. */
#ifndef XLB_MAPS_H
#define XLB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xlb_abi.h"

/* (address, port, protocol) -> service index. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_VIPS);
	__type(key, struct vip_key);
	__type(value, __u32);
} vips SEC(".maps");

/* service index -> its scheduler, hash key, persistence; SCHED_NONE once withdrawn. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct service);
} services SEC(".maps");

/* One scheduling table per service, swapped whole: a packet sees the old table or the new one. */
struct sched_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_TABLE_HEADER + XLB_TABLE_MAX);
	__uint(map_flags, BPF_F_INNER_MAP); /* tables of other sizes fit the same slot */
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__array(values, struct sched_table);
} sched_tables SEC(".maps");

/* rr/wrr position per service, per CPU: no cache line is shared between CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, __u32);
} seq_cursor SEC(".maps");

/* real index -> address, method, MAC and interface, weight, owning service. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_REALS);
	__type(key, __u32);
	__type(value, struct real);
} reals SEC(".maps");

/* real index -> active and inactive connections, as IPVS counts them. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_REALS);
	__type(key, __u32);
	__type(value, struct real_conns);
} real_conns SEC(".maps");

/* real index -> its connection thresholds and overload flag. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_MAX_REALS);
	__type(key, __u32);
	__type(value, struct real_thresholds);
} real_thresholds SEC(".maps");

/* flow -> its real and TCP state: the connection table (and fragment entries). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_CONNS);
	__uint(map_flags, BPF_F_NO_COMMON_LRU); /* per-CPU LRU lists: no lock shared by all CPUs */
	__type(key, struct flow_key);
	__type(value, struct conn);
} conns SEC(".maps");

/* the one director-wide setting: timeouts, tunnel source and TTL, MTU, new-flow limit. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_config);
} config SEC(".maps");

/* persistence templates: (client prefix, service) -> real, for persistence_timeout. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_PERSIST);
	__type(key, struct persist_key);
	__type(value, struct persist);
} persist SEC(".maps");

/* lblc: (destination address, service) -> the real it goes to. Shared by every CPU (one table, as
 * IPVS's per service); the least recently used address makes room when it is full. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_LOCALITY);
	__type(key, struct locality_key);
	__type(value, struct lblc_entry);
} lblc SEC(".maps");

/* lblcr: (destination address, service) -> its set of reals, as lblc. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_LOCALITY);
	__type(key, struct locality_key);
	__type(value, struct lblcr_entry);
} lblcr SEC(".maps");

/* ifindex -> its MAC: frames are forwarded only when addressed to it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct iface);
} ifaces SEC(".maps");

/*
 * ifindex -> its MAC as in `ifaces`, for ifindexes below XLB_IFACE_SLOTS: an array lookup, which
 * the verifier inlines, where the hash lookup cost an established DR flow ~15 %. A slot whose MAC
 * is all zeros holds nothing: `ifaces` stays the truth (own_iface in forward.h).
 */
#define XLB_IFACE_SLOTS 4096

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_IFACE_SLOTS);
	__type(key, __u32);
	__type(value, struct iface);
} iface_slots SEC(".maps");

/* ifindex -> ifindex: where bpf_redirect_map sends a real reached by another interface. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XLB_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

/* service index -> connections, packets, bytes, per CPU (ipvsadm --stats). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct counter);
} svc_stats SEC(".maps");

/* real index -> connections, packets, bytes, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_REALS);
	__type(key, __u32);
	__type(value, struct counter);
} real_stats SEC(".maps");

/* new flows tracked this second, per CPU: the SYN-flood guard (new_flow_limit). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flow_rate);
} flow_rates SEC(".maps");

/* enum xlb_reason -> packets, per CPU: what the program decided and why. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_R_MAX);
	__type(key, __u32);
	__type(value, __u64);
} reasons SEC(".maps");

/*
 * NAT: a real's address, port (as its replies carry it as their source) and protocol, in a vip_key,
 * to the service whose replies it sends: the VIP and port they restore, the service and the real.
 * A reply's connection is then found by its forward key alone (client, VIP, port), with no state
 * per connection. java/dataplane writes one entry per such key, for the first NAT service that has
 * it; the connections of any other (the same real behind another VIP, a service on every port,
 * whose replies' port is the client's) keep an entry each in nat_replies. Sized as `reals`, not
 * preallocated: only NAT reals take an entry, and only the control plane adds one.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_MAX_REALS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vip_key);
	__type(value, struct nat_reply);
} nat_reals SEC(".maps");

/*
 * NAT: how many keys of nat_reals fall in each slot (nat_hint_slot in nat.h: the real's address
 * and port, hashed). A packet whose source's slot is empty is no reply nat_reals knows, learnt by an
 * array lookup (inlined by the verifier); one whose slot is not is looked up in nat_reals before the
 * VIP table, which a reply would only miss. java/dataplane counts a key in before writing it and out
 * after deleting it, so a key in nat_reals is never in an empty slot.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_NAT_HINT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} nat_real_hints SEC(".maps");

/* NAT: replies' flows (real to client) to what they restore, for connections nat_reals cannot name; as large as the connection table. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_MAX_CONNS);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct flow_key);
	__type(value, struct nat_reply);
} nat_replies SEC(".maps");

/* NAT: the replies' packets and bytes (ipvsadm's OutPkts, OutBytes), per service and per real. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct counter);
} svc_out_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_MAX_REALS);
	__type(key, __u32);
	__type(value, struct counter);
} real_out_stats SEC(".maps");

#endif /* XLB_MAPS_H */
