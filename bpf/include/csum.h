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

/*
 * Incremental update (RFC 1624: HC' = ~(~HC + ~m + m')) of a checksum field read as it lies in
 * memory, for 16-bit words that change from `from` to `to`, also as they lie in memory: the sum
 * is the same in either byte order as long as both sides are read alike.
 */
static __always_inline __u16 csum_replace16(__u16 check, __u16 from, __u16 to)
{
	__u64 sum = (__u16)~check;

	sum += (__u16)~from;
	sum += to;
	return csum_fold(sum);
}

/* The same for `words` 32-bit words (an IPv4 address is one, an IPv6 address four). */
static __always_inline __u16 csum_replace32(__u16 check, const __u32 *from, const __u32 *to, int words)
{
	__u64 sum = (__u16)~check;

#pragma unroll
	for (int i = 0; i < words; i++) {
		sum += (__u16)~(from[i] & 0xffff);
		sum += (__u16)~(from[i] >> 16);
		sum += to[i] & 0xffff;
		sum += to[i] >> 16;
	}
	return csum_fold(sum);
}

#endif /* XLB_CSUM_H */
