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

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/types.h>

static inline u64 mh_div64(u64 dividend, u64 divisor)
{
	return div64_u64(dividend, divisor);
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

#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

static inline u64 mh_div64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

#endif /* __KERNEL__ */

#endif /* MH_PORT_H */
