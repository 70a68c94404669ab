// SPDX-License-Identifier: GPL-2.0
/*
 * The malloc family of libmyheap-preload.so: every call decides by the
 * shim's state (preload.h) where a new block comes from, and by address
 * where an old one lives. Device calls are one ioctl each, serialised by
 * the kernel, so the shim holds no lock: threads run in parallel and a
 * signal handler may allocate in the middle of anything.
 *
 * Conventions kept from glibc: malloc(0) returns a unique pointer,
 * realloc(p, 0) frees p and returns NULL, failures set errno to ENOMEM
 * (posix_memalign returns it), a bad pointer to free or realloc aborts
 * with a message. Device errors other than "no room" on a pointer of the
 * mapping (EPERM, EALREADY, EBADMSG, ENXIO, EUCLEAN) are such bad pointers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "preload.h"

#define EXPORT __attribute__((visibility("default")))

/* A block from the system allocator (fallback, fork child, no device). */
static void *sys_alloc(size_t size, size_t align, bool zero)
{
	void *p;

	pl_count(system);
	if (align <= 16)
		return zero ? pl_sys.calloc(1, size) : pl_sys.malloc(size);
	p = pl_sys.memalign(align, size);
	if (p && zero)
		memset(p, 0, size);
	return p;
}

/* "No room" as opposed to a bad request or a bad pointer. */
static bool no_room(int ret)
{
	return ret == -ENOMEM || ret == -E2BIG || ret == -EDOM;
}

static void *dev_alloc(size_t size, size_t align, bool zero)
{
	uint64_t off;
	int ret;

	if (!size)
		size = 1;
	if (align > pl_max_align) {
		ret = -EDOM;
	} else {
		pl_count(allocs);
		ret = myheap_off_alloc(pl_heap, size, align <= 16 ? 0 : align,
				       zero ? MYHEAP_ALLOC_ZERO : 0, &off, NULL);
		if (!ret)
			return (void *)(pl_lo + off);
		pl_count(failed);
	}
	if (pl_fallback && no_room(ret))
		return sys_alloc(size, align, zero);
	errno = ENOMEM;
	return NULL;
}

static void *any_alloc(size_t size, size_t align, bool zero)
{
	switch (pl_init()) {
	case PL_DEVICE:
		return dev_alloc(size, align, zero);
	case PL_SYSTEM:
		return sys_alloc(size, align, zero);
	default: {
		/* The initialising thread: the arena is zeroed, never reused. */
		void *p = boot_alloc(size, align);

		if (!p)
			errno = ENOMEM;
		return p;
	}
	}
}

static __attribute__((noreturn)) void bad_pointer(const char *call, const void *p,
						  int ret)
{
	pl_say("%s(%p): %s", call, p, myheap_strerror(ret));
	abort();
}

/* Usable bytes of a block in the mapping, frozen or live; 0 if unknown. */
static size_t mapped_usable(const void *p, uintptr_t hi)
{
	uint64_t usable;

	pl_count(usable);
	if (myheap_off_usable_size(pl_heap, (uintptr_t)p - (pl_in_frozen(p) ?
				   pl_frozen_lo : pl_lo), &usable, NULL)) {
		pl_count(failed);
		return 0;
	}
	return usable < hi - (uintptr_t)p ? (size_t)usable : hi - (uintptr_t)p;
}

EXPORT void *malloc(size_t size)
{
	return any_alloc(size, 0, false);
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return any_alloc(total, 0, true);
}

EXPORT void free(void *p)
{
	int ret;

	if (!p || boot_owns(p) || pl_in_frozen(p))
		return;
	if (pl_in_live(p)) {
		pl_count(frees);
		ret = myheap_off_free(pl_heap, (uintptr_t)p - pl_lo);
		if (ret) {
			pl_count(failed);
			bad_pointer("free", p, ret);
		}
		return;
	}
	/* A first call that is a free: find the system allocator first. */
	if (!pl_sys.free && pl_init() == PL_INITIALISING)
		return;	/* dlsym's own frees are of arena blocks: unreachable */
	pl_sys.free(p);
}

/* Move a block we cannot resize in place: new block, copy, free the old. */
static void *move_block(void *p, size_t old, size_t size)
{
	void *q = any_alloc(size, 0, false);

	if (q) {
		memcpy(q, p, old < size ? old : size);
		free(p);
	}
	return q;
}

static void *dev_realloc(void *p, size_t size)
{
	uint64_t off;
	int ret;

	pl_count(reallocs);
	ret = myheap_off_realloc(pl_heap, (uintptr_t)p - pl_lo, size, &off, NULL);
	if (!ret)
		return (void *)(pl_lo + off);
	pl_count(failed);
	if (!no_room(ret))
		bad_pointer("realloc", p, ret);
	if (pl_fallback) {
		void *q = sys_alloc(size, 0, false);
		size_t old = mapped_usable(p, pl_hi);

		if (q) {
			memcpy(q, p, old < size ? old : size);
			free(p);
		}
		return q;
	}
	errno = ENOMEM;
	return NULL;
}

EXPORT void *realloc(void *p, size_t size)
{
	if (!p)
		return malloc(size);
	if (!size) {
		free(p);
		return NULL;
	}
	if (boot_owns(p))
		return move_block(p, boot_size(p), size);
	if (pl_in_frozen(p))
		return move_block(p, mapped_usable(p, pl_frozen_hi), size);
	if (pl_in_live(p))
		return dev_realloc(p, size);
	if (!pl_sys.realloc && pl_init() == PL_INITIALISING) {
		errno = ENOMEM;
		return NULL;
	}
	return pl_sys.realloc(p, size);
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total);
}

static bool power_of_two(size_t n)
{
	return n && !(n & (n - 1));
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!power_of_two(align) || align % sizeof(void *))
		return EINVAL;
	p = any_alloc(size, align, false);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *memalign(size_t align, size_t size)
{
	if (!align)
		align = 1;
	if (!power_of_two(align)) {
		/* glibc rounds a non-power-of-two alignment up to one. */
		if (align > ((size_t)1 << (sizeof(size_t) * 8 - 1))) {
			errno = EINVAL;
			return NULL;
		}
		align = (size_t)1 << (sizeof(size_t) * 8 - __builtin_clzl(align));
	}
	return any_alloc(size, align, false);
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	return any_alloc(size, align, false);
}

EXPORT void *valloc(size_t size)
{
	pl_init();
	return any_alloc(size, pl_page, false);
}

EXPORT void *pvalloc(size_t size)
{
	size_t rounded;

	pl_init();
	if (__builtin_add_overflow(size, pl_page - 1, &rounded)) {
		errno = ENOMEM;
		return NULL;
	}
	rounded &= ~(pl_page - 1);
	return any_alloc(rounded ? rounded : pl_page, pl_page, false);
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (boot_owns(p))
		return boot_size(p);
	if (pl_in_frozen(p))
		return mapped_usable(p, pl_frozen_hi);
	if (pl_in_live(p))
		return mapped_usable(p, pl_hi);
	return pl_sys.usable_size ? pl_sys.usable_size(p) : 0;
}
