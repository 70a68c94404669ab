// SPDX-License-Identifier: GPL-2.0
/*
 * fork: what a child gets.
 *
 * The region is mapped MAP_SHARED and blocks belong to the open file, which
 * parent and child now share. Left alone, the child would write into the
 * parent's live blocks (fork promises a copy, not shared memory) and could
 * free them: for the kernel the child *is* their owner. So the child
 * handler (pthread_atfork; it does not run for vfork or posix_spawn, whose
 * child only execs) does two things before the child's code goes on:
 *
 *  1. It replaces the shared mapping by a private copy at the same address
 *     (mmap an anonymous area, copy the region up to its high-water mark,
 *     mremap the copy over the mapping): every pointer the child inherited
 *     stays valid and now points at the child's own memory, as after any
 *     fork. Those blocks are "frozen": free() of one does nothing (its
 *     memory goes with the child), realloc() copies it into a new block,
 *     malloc_usable_size() asks the kernel through the inherited file.
 *  2. It switches the child to the system allocator for new blocks, and
 *     never allocates or frees on the inherited file: the parent's blocks
 *     stay the parent's. The file stays open in the child (O_CLOEXEC: an
 *     exec closes it, and the new image opens its own); if the parent
 *     exits first, the kernel frees its blocks when the child closes the
 *     last reference.
 *
 * A fork child therefore runs correctly but off the device; an exec'd one
 * is back on it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "preload.h"

static size_t copy_extent(size_t mapped)
{
	struct myheap_stats st;
	size_t end;

	/* Nothing above the high-water mark was ever handed out. */
	if (myheap_stats(pl_heap, &st) || st.high_water >= mapped)
		return mapped;
	end = ((size_t)st.high_water + pl_page - 1) & ~(pl_page - 1);
	return end < mapped ? end : mapped;
}

void pl_fork_child(void)
{
	size_t mapped = pl_hi - pl_lo, used;
	void *copy, *moved;

	if (__atomic_load_n(&pl_state, __ATOMIC_ACQUIRE) != PL_DEVICE)
		return;
	used = copy_extent(mapped);
	copy = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (copy == MAP_FAILED) {
		pl_say("fork child: no memory for a private copy of the heap (%s)",
		       strerror(errno));
		abort();
	}
	memcpy(copy, (void *)pl_lo, used);
	moved = mremap(copy, mapped, mapped, MREMAP_MAYMOVE | MREMAP_FIXED,
		       (void *)pl_lo);
	if (moved == MAP_FAILED) {
		pl_say("fork child: cannot replace the shared heap mapping (%s)",
		       strerror(errno));
		abort();
	}
	pl_frozen_lo = pl_lo;
	pl_frozen_hi = pl_hi;
	pl_lo = pl_hi = 0;
	__atomic_store_n(&pl_state, PL_SYSTEM, __ATOMIC_RELEASE);
}
