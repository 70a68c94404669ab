/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mh_port.h - the only file of the allocator core that knows whether it is
 * built into the kernel or natively in userspace.
 *
 * The core (mh_*.c) uses kernel types (u8, u32, u64, size_t, bool), the
 * kernel's errno values, memcpy/memset/memcmp, static_assert and the
 * likely()/unlikely() hints. In the kernel they come from the kernel's own
 * headers; natively they are provided here from the C library.
 */
#ifndef MH_PORT_H
#define MH_PORT_H

#ifdef __KERNEL__

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/math64.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/types.h>

static inline u64 mh_div64(u64 dividend, u64 divisor)
{
	return div64_u64(dividend, divisor);
}

/* A fresh header salt at every reset: headers must not be predictable. */
static inline u32 mh_port_random_u32(void)
{
	return get_random_u32();
}

/* The kernel build has no attacker hook: loads are plain READ_ONCE. */
static inline void mh_port_before_load(u8 *base, u32 off, u32 len)
{
}

/* First byte of [@p, @p + @n) that is not @c, or NULL (word at a time). */
static inline void *mh_port_memchr_inv(const void *p, int c, size_t n)
{
	return memchr_inv(p, c, n);
}

/* Bit operations on the core's block-start bitmap (trusted memory). */
static inline void mh_port_set_bit(unsigned long *map, u32 bit)
{
	__set_bit(bit, map);
}

static inline void mh_port_clear_bit(unsigned long *map, u32 bit)
{
	__clear_bit(bit, map);
}

static inline bool mh_port_test_bit(const unsigned long *map, u32 bit)
{
	return test_bit(bit, map);
}

/* First set bit in [@from, @size), or @size if none. */
static inline u32 mh_port_find_next_bit(const unsigned long *map, u32 size,
					u32 from)
{
	return find_next_bit(map, size, from);
}

/* Last set bit in [0, @size), or @size if none. */
static inline u32 mh_port_find_last_bit(const unsigned long *map, u32 size)
{
	return find_last_bit(map, size);
}

/* Index of the lowest set bit of @w (w != 0). */
static inline u32 mh_port_ffs_long(unsigned long w)
{
	return __ffs(w);
}

/* Set bits in [0, @size). */
static inline u32 mh_port_bitmap_weight(const unsigned long *map, u32 size)
{
	return bitmap_weight(map, size);
}

#else /* native build: tests, fuzzers, replay, benchmarks */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

/*
 * The core's API is exported (namespace MYHEAP_CORE) by myheap.ko for the
 * modules that test and time the shipped objects; natively it is just the
 * functions, and the export line declares a name nothing uses (it has to
 * be something that takes the line's semicolon).
 */
#define EXPORT_SYMBOL_NS_GPL(sym, ns)	extern int mh_export_##ns##_##sym

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

static inline u64 mh_div64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

/*
 * Native builds (tests/core/mh_port_user.c): a seedable generator, so a
 * test run is reproducible, and the attacker hook: when set, it is called
 * before every load the core makes from the region, with the region and the
 * bytes about to be read, and may rewrite any byte of the region, as a
 * process writing the mapping during an operation could.
 */
u32 mh_port_random_u32(void);
void mh_port_seed(u64 seed);

typedef void (*mh_load_hook_fn)(u8 *base, u32 off, u32 len);
extern mh_load_hook_fn mh_load_hook;

static inline void mh_port_before_load(u8 *base, u32 off, u32 len)
{
	if (unlikely(mh_load_hook))
		mh_load_hook(base, off, len);
}

/*
 * First byte of [@p, @p + @n) that is not @c, or NULL: a word at a time
 * once aligned, as the kernel's memchr_inv().
 */
static inline void *mh_port_memchr_inv(const void *p, int c, size_t n)
{
	const unsigned char *b = p;
	u64 word = 0x0101010101010101ull * (unsigned char)c, w;

	for (; n && ((unsigned long)b & 7); n--, b++)
		if (*b != (unsigned char)c)
			return (void *)b;
	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		if (w != word)
			break;
	}
	for (; n; n--, b++)
		if (*b != (unsigned char)c)
			return (void *)b;
	return NULL;
}

#define MH_LONG_BITS	(8 * sizeof(unsigned long))

static inline void mh_port_set_bit(unsigned long *map, u32 bit)
{
	map[bit / MH_LONG_BITS] |= 1ul << (bit % MH_LONG_BITS);
}

static inline void mh_port_clear_bit(unsigned long *map, u32 bit)
{
	map[bit / MH_LONG_BITS] &= ~(1ul << (bit % MH_LONG_BITS));
}

static inline bool mh_port_test_bit(const unsigned long *map, u32 bit)
{
	return (map[bit / MH_LONG_BITS] >> (bit % MH_LONG_BITS)) & 1;
}

/* First set bit in [@from, @size), or @size if none: a word at a time. */
static inline u32 mh_port_find_next_bit(const unsigned long *map, u32 size,
					u32 from)
{
	u32 i;
	unsigned long w;

	if (from >= size)
		return size;
	i = from / MH_LONG_BITS;
	w = map[i] & (~0ul << (from % MH_LONG_BITS));
	while (!w) {
		if (++i >= (size + MH_LONG_BITS - 1) / MH_LONG_BITS)
			return size;
		w = map[i];
	}
	from = i * MH_LONG_BITS + __builtin_ctzl(w);
	return from < size ? from : size;
}

/* Last set bit in [0, @size), or @size if none. */
static inline u32 mh_port_find_last_bit(const unsigned long *map, u32 size)
{
	u32 i = size / MH_LONG_BITS;
	unsigned long w;

	if (!size)
		return 0;
	w = size % MH_LONG_BITS ?
	    map[i] & ((1ul << (size % MH_LONG_BITS)) - 1) : 0;
	while (!w) {
		if (!i--)
			return size;
		w = map[i];
	}
	return i * MH_LONG_BITS + MH_LONG_BITS - 1 - __builtin_clzl(w);
}

/* Index of the lowest set bit of @w (w != 0). */
static inline u32 mh_port_ffs_long(unsigned long w)
{
	return __builtin_ctzl(w);
}

/* Set bits in [0, @size). */
static inline u32 mh_port_bitmap_weight(const unsigned long *map, u32 size)
{
	u32 i, n = 0;

	for (i = 0; i < size / MH_LONG_BITS; i++)
		n += __builtin_popcountl(map[i]);
	if (size % MH_LONG_BITS)
		n += __builtin_popcountl(map[i] &
					 ((1ul << (size % MH_LONG_BITS)) - 1));
	return n;
}

#endif /* __KERNEL__ */

#endif /* MH_PORT_H */
