/* SPDX-License-Identifier: GPL-2.0 */
/*
 * system_alloc.h - the allocator a program would have had without the
 * preloaded library (found with dlsym(RTLD_NEXT)); shared by the shim
 * (libmyheap-preload.so falls back to it) and the recorder
 * (libmyheap-record.so wraps it).
 */
#ifndef MYHEAP_SYSTEM_ALLOC_H
#define MYHEAP_SYSTEM_ALLOC_H

#include <stddef.h>

struct pl_system {
	void *(*malloc)(size_t);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void (*free)(void *);
	void *(*memalign)(size_t, size_t);
	size_t (*usable_size)(void *);
};

#endif /* MYHEAP_SYSTEM_ALLOC_H */
