/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bootstrap.h - a small static arena for the allocations a preloaded
 * allocator must serve before it can serve anything else.
 *
 * dlsym() (to find the system allocator), the first fopen() or the
 * library's own handle all call malloc or calloc while the shim is still
 * initialising, or from the thread that is doing it. Those requests come
 * from here: a bump allocator over a static buffer, lock-free (one atomic
 * add), async-signal-safe. Its blocks are never reused: free() of one is a
 * no-op, realloc() copies out of it. Each block carries its size in the
 * 16 bytes in front of it, so realloc and malloc_usable_size know it.
 */
#ifndef MYHEAP_PRELOAD_BOOTSTRAP_H
#define MYHEAP_PRELOAD_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>

/* @size bytes aligned to @align (a power of two, 16 at least); NULL when full. */
void *boot_alloc(size_t size, size_t align);
/* Does @p point into the arena? */
bool boot_owns(const void *p);
/* The size a block of the arena was allocated with. */
size_t boot_size(const void *p);

#endif /* MYHEAP_PRELOAD_BOOTSTRAP_H */
