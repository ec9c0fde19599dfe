/* SPDX-License-Identifier: GPL-2.0 */
/* Internet checksums (RFC 1071) over headers the program builds. */
#ifndef XLB_CSUM_H
#define XLB_CSUM_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* The one's-complement sum of the 16-bit words of [p, p + bytes); bytes even and constant. */
static __always_inline __u64 csum_words(const void *p, int bytes)
{
	const __u16 *w = p;
	__u64 sum = 0;

#pragma unroll
	for (int i = 0; i < bytes / 2; i++)
		sum += w[i];
	return sum;
}

#define IPV4_HDR_LEN 20

/* Checksum of an IPv4 header without options, its check field zero. */
static __always_inline __u16 ipv4_hdr_csum(const void *hdr)
{
	return csum_fold(csum_words(hdr, IPV4_HDR_LEN));
}

#endif /* XLB_CSUM_H */
