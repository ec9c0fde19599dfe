/* SPDX-License-Identifier: GPL-2.0 */
/* Bob Jenkins' lookup3 hash over 32-bit words, as the kernel's jhash2: spreads flows on a ring. */
#ifndef XLB_JHASH_H
#define XLB_JHASH_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define JHASH_INITVAL 0xdeadbeef

static __always_inline __u32 rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

#define __jhash_mix(a, b, c)                        \
	{                                           \
		a -= c; a ^= rol32(c, 4);  c += b;  \
		b -= a; b ^= rol32(a, 6);  a += c;  \
		c -= b; c ^= rol32(b, 8);  b += a;  \
		a -= c; a ^= rol32(c, 16); c += b;  \
		b -= a; b ^= rol32(a, 19); a += c;  \
		c -= b; c ^= rol32(b, 4);  b += a;  \
	}

#define __jhash_final(a, b, c)                      \
	{                                           \
		c ^= b; c -= rol32(b, 14);          \
		a ^= c; a -= rol32(c, 11);          \
		b ^= a; b -= rol32(a, 25);          \
		c ^= b; c -= rol32(b, 16);          \
		a ^= c; a -= rol32(c, 4);           \
		b ^= a; b -= rol32(a, 14);          \
		c ^= b; c -= rol32(b, 24);          \
	}

/* Hash of the five words k[0..4] (an address of up to 16 bytes and a port). */
static __always_inline __u32 jhash_5words(const __u32 *k, __u32 seed)
{
	__u32 a, b, c;

	a = b = c = JHASH_INITVAL + (5 << 2) + seed;
	a += k[0];
	b += k[1];
	c += k[2];
	__jhash_mix(a, b, c);
	a += k[3];
	b += k[4];
	__jhash_final(a, b, c);
	return c;
}

#endif /* XLB_JHASH_H */
