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

/* Checksum of an IPv4 header without options (20 bytes), its check field zero. */
static __always_inline __u16 ipv4_hdr_csum(const void *hdr)
{
	const __u16 *w = hdr;
	__u64 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	return csum_fold(sum);
}

/* Adds bytes [from, from+len) to a running sum; len even and bounded by the caller. */
static __always_inline __u64 csum_add_words(__u64 sum, const __u16 *w, int words)
{
#pragma unroll
	for (int i = 0; i < words; i++)
		sum += w[i];
	return sum;
}

#endif /* XLB_CSUM_H */
