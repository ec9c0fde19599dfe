/* SPDX-License-Identifier: GPL-2.0 */
/* Sending a packet on to its real: DR by MAC rewrite, TUN by pushing an IPIP / IP6IP6 header. */
#ifndef XLB_FORWARD_H
#define XLB_FORWARD_H

#include "maps.h"
#include "packet.h"
#include "csum.h"

#define DEFAULT_TUN_TTL   64
#define IPV4_VERSION_IHL  0x45
#define ETH_GROUP_BIT     0x01 /* I/G bit of the first octet: a group (multicast, broadcast) address */

/* A registered interface's entry: its array slot when it has one, else the hash map's. */
static __always_inline struct iface *own_iface(__u32 ifindex)
{
	struct iface *slot;

	if (ifindex < XLB_IFACE_SLOTS) {
		slot = bpf_map_lookup_elem(&iface_slots, &ifindex);
		if (slot && (slot->mac[0] | slot->mac[1] | slot->mac[2] | slot->mac[3] | slot->mac[4] | slot->mac[5]))
			return slot;
	}
	return bpf_map_lookup_elem(&ifaces, &ifindex);
}

/*
 * A switch floods a frame whose destination MAC it has not learnt, so a backup director sees the
 * frames meant for the master. The stack would drop them (PACKET_OTHERHOST); forwarding them would
 * duplicate every packet. Interfaces the control plane did not register are not checked.
 */
static __always_inline int for_other_host(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 ifindex = ctx->ingress_ifindex;
	struct iface *own;

	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_dest[0] & ETH_GROUP_BIT) /* broadcast and multicast reach every host */
		return 0;
	own = own_iface(ifindex);
	if (!own)
		return 0;
#pragma unroll
	for (int i = 0; i < ETH_ALEN; i++)
		if (eth->h_dest[i] != own->mac[i])
			return 1;
	return 0;
}

/*
 * The source MAC of a frame sent back out of the interface it arrived on: the address it arrived
 * to, or, when that was a group address (broadcast, multicast: never a source), the interface's
 * own as registered in `ifaces` (an interface nobody registered keeps the old behaviour).
 */
static __always_inline void own_source(struct ethhdr *eth, __u32 ingress)
{
	struct iface *own;

	if (!(eth->h_dest[0] & ETH_GROUP_BIT))
		return;
	own = own_iface(ingress);
	if (own)
		__builtin_memcpy(eth->h_source, own->mac, ETH_ALEN);
}

/* Source MAC for a frame leaving by `ifindex`: that interface's own, or the one it arrived to. */
static __always_inline int set_macs(struct ethhdr *eth, const struct real *r, __u32 ingress)
{
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	own_source(eth, ingress);
	__builtin_memcpy(eth->h_dest, r->mac, ETH_ALEN);
	if (r->ifindex && r->ifindex != ingress) {
		struct iface *out = own_iface(r->ifindex);

		if (!out)
			return -1;
		__builtin_memcpy(eth->h_source, out->mac, ETH_ALEN);
	}
	return 0;
}

static __always_inline int transmit(const struct real *r, __u32 ingress, __u32 *reason, __u32 tx_reason)
{
	if (r->ifindex && r->ifindex != ingress) {
		*reason = XLB_R_REDIRECT;
		return bpf_redirect_map(&tx_ports, r->ifindex, 0);
	}
	*reason = tx_reason;
	return XDP_TX;
}

static __always_inline int rewrite_macs(struct xdp_md *ctx, const struct real *r)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	return set_macs(eth, r, ctx->ingress_ifindex);
}

static __always_inline int forward_dr(struct xdp_md *ctx, const struct real *r, __u32 *reason)
{
	if (rewrite_macs(ctx, r)) {
		*reason = XLB_R_DROP_ERROR;
		return XDP_DROP;
	}
	return transmit(r, ctx->ingress_ifindex, reason, XLB_R_TX_DR);
}

/*
 * Makes room for an outer header of `outer` bytes in front of the L3 header: grows the head,
 * then moves the Ethernet header (and VLAN tag) to the new front. Returns the new L3 start.
 */
static __always_inline void *push_outer(struct xdp_md *ctx, const struct packet *p, int outer)
{
	void *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, -outer))
		return NULL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (p->l2_len == sizeof(struct ethhdr) + VLAN_HLEN) {
		if (data + outer + sizeof(struct ethhdr) + VLAN_HLEN > data_end)
			return NULL;
		__builtin_memcpy(data, data + outer, sizeof(struct ethhdr) + VLAN_HLEN);
		return data + sizeof(struct ethhdr) + VLAN_HLEN;
	}
	if (data + outer + sizeof(struct ethhdr) > data_end)
		return NULL;
	__builtin_memcpy(data, data + outer, sizeof(struct ethhdr));
	return data + sizeof(struct ethhdr);
}

static __always_inline int encap_ipip(struct xdp_md *ctx, const struct packet *p, const struct real *r,
				      const struct xlb_config *cfg)
{
	struct iphdr *inner, *outer;
	void *l3, *data_end;
	__u8 tos;

	l3 = push_outer(ctx, p, sizeof(struct iphdr));
	if (!l3)
		return -1;
	data_end = (void *)(long)ctx->data_end;
	outer = l3;
	inner = l3 + sizeof(struct iphdr);
	if ((void *)(inner + 1) > data_end)
		return -1;
	tos = inner->tos;
	outer->version = 4;
	outer->ihl = IPV4_MIN_IHL;
	outer->tos = tos;
	outer->tot_len = bpf_htons(p->l3_len + sizeof(struct iphdr));
	outer->id = inner->id;
	outer->frag_off = p->df ? bpf_htons(IP_DF) : 0;
	outer->ttl = cfg && cfg->tun_ttl ? cfg->tun_ttl : DEFAULT_TUN_TTL;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = cfg ? cfg->tun_src4 : 0;
	outer->daddr = r->addr[0];
	outer->check = ipv4_hdr_csum(outer);
	return 0;
}

static __always_inline int encap_ip6ip6(struct xdp_md *ctx, const struct packet *p, const struct real *r,
					const struct xlb_config *cfg)
{
	struct ipv6hdr *inner, *outer;
	void *l3, *data_end;

	l3 = push_outer(ctx, p, sizeof(struct ipv6hdr));
	if (!l3)
		return -1;
	data_end = (void *)(long)ctx->data_end;
	outer = l3;
	inner = l3 + sizeof(struct ipv6hdr);
	if ((void *)(inner + 1) > data_end)
		return -1;
	/* Version, traffic class and flow label as the inner packet's: ECMP on the way keeps the flow. */
	__builtin_memcpy(outer, inner, 4);
	outer->payload_len = bpf_htons(p->l3_len);
	outer->nexthdr = IPPROTO_IPV6;
	outer->hop_limit = cfg && cfg->tun_ttl ? cfg->tun_ttl : DEFAULT_TUN_TTL;
	if (cfg)
		__builtin_memcpy(&outer->saddr, cfg->tun_src6, sizeof(outer->saddr));
	else
		__builtin_memset(&outer->saddr, 0, sizeof(outer->saddr));
	__builtin_memcpy(&outer->daddr, r->addr, sizeof(outer->daddr));
	return 0;
}

static __always_inline int forward_tun(struct xdp_md *ctx, const struct packet *p, const struct real *r,
				       const struct xlb_config *cfg, __u32 *reason)
{
	__u32 outer = p->flow.family == XLB_AF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr);
	int err;

	if (cfg && cfg->mtu && p->l3_len + outer > cfg->mtu) {
		*reason = XLB_R_DROP_TOO_BIG;
		return XDP_ABORTED; /* not sent: the caller answers with ICMP */
	}
	err = p->flow.family == XLB_AF_INET ? encap_ipip(ctx, p, r, cfg) : encap_ip6ip6(ctx, p, r, cfg);
	if (err || rewrite_macs(ctx, r)) {
		*reason = XLB_R_DROP_ERROR;
		return XDP_DROP;
	}
	return transmit(r, ctx->ingress_ifindex, reason, XLB_R_TX_TUN);
}

#endif /* XLB_FORWARD_H */
