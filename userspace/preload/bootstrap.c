// SPDX-License-Identifier: GPL-2.0
/* The static bootstrap arena (see bootstrap.h). */
#include <stdint.h>

#include "bootstrap.h"

/*
 * 256 KiB: glibc's dlsym and dlerror need a few hundred bytes, the shim's
 * libmyheap handle a few hundred more; a fork child's fallback takes none.
 * The rest is headroom for what a thread allocates while another one is
 * initialising (those wait, see preload.c) and for the recorder.
 */
#define BOOT_ARENA	(256 * 1024)
#define BOOT_HDR	16

static _Alignas(4096) unsigned char arena[BOOT_ARENA];
static size_t arena_used;

void *boot_alloc(size_t size, size_t align)
{
	size_t start, need, old;

	if (align < BOOT_HDR)
		align = BOOT_HDR;
	if (size > BOOT_ARENA || align > BOOT_ARENA)
		return NULL;
	old = __atomic_load_n(&arena_used, __ATOMIC_RELAXED);
	do {
		start = (old + BOOT_HDR + align - 1) & ~(align - 1);
		need = start + ((size + BOOT_HDR - 1) & ~(size_t)(BOOT_HDR - 1));
		if (need > BOOT_ARENA)
			return NULL;
	} while (!__atomic_compare_exchange_n(&arena_used, &old, need, true,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	*(size_t *)(arena + start - BOOT_HDR) = size;
	return arena + start;
}

bool boot_owns(const void *p)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)arena;

	return a >= b && a < b + BOOT_ARENA;
}

size_t boot_size(const void *p)
{
	return *(const size_t *)((const unsigned char *)p - BOOT_HDR);
}
