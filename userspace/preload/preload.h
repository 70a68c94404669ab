/* SPDX-License-Identifier: GPL-2.0 */
/*
 * preload.h - what the files of libmyheap-preload.so share: the shim's
 * state, the system allocator it falls back to, and its counters.
 *
 * States, in the order a process goes through them:
 *   PL_UNINIT        nothing done yet; the first call initialises.
 *   PL_INITIALISING  one thread is opening the device. That thread (and a
 *                    signal handler interrupting it) is served from the
 *                    bootstrap arena; other threads wait for it.
 *   PL_DEVICE        every new block comes from /dev/myheap.
 *   PL_SYSTEM        new blocks come from the system allocator: the device
 *                    could not be opened, or this is a fork child (whose
 *                    copy of the parent's blocks is "frozen", see
 *                    preload_fork.c).
 * Pointers are told apart by address: the bootstrap arena, the mapping of
 * the region (live, or frozen in a fork child), or anything else, which is
 * the system allocator's.
 */
#ifndef MYHEAP_PRELOAD_H
#define MYHEAP_PRELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "myheap.h"
#include "system_alloc.h"

enum { PL_UNINIT, PL_INITIALISING, PL_DEVICE, PL_SYSTEM };


/* Per-process counts of what the shim did (atomic adds, no lock). */
struct pl_counts {
	uint64_t allocs, frees, reallocs, usable;	/* device calls made */
	uint64_t failed;				/* ... that failed */
	uint64_t system;				/* served by the system allocator */
};

extern int pl_state;
extern struct myheap *pl_heap;
extern uintptr_t pl_lo, pl_hi;		/* the live mapping, [lo, hi) */
extern uintptr_t pl_frozen_lo, pl_frozen_hi;	/* a fork child's frozen copy */
extern bool pl_fallback;		/* MYHEAP_FALLBACK=1 */
extern struct pl_system pl_sys;
extern struct pl_counts pl_counts;
extern size_t pl_page;
extern size_t pl_max_align;		/* largest alignment the device grants */

/* Make sure the shim is initialised; returns the state after. */
int pl_init(void);

/* Called in a fork child (pthread_atfork): freeze the parent's blocks. */
void pl_fork_child(void);

/* The exit report of MYHEAP_STATS_AT_EXIT=1 (preload_report.c). */
void pl_report(void);

/* Write a line to stderr without stdio (safe at any time). */
void pl_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same to the copy of stderr taken at init for the exit report. */
void pl_report_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define pl_count(field) __atomic_add_fetch(&pl_counts.field, 1, __ATOMIC_RELAXED)

static inline bool pl_in_live(const void *p)
{
	return (uintptr_t)p >= pl_lo && (uintptr_t)p < pl_hi;
}

static inline bool pl_in_frozen(const void *p)
{
	return (uintptr_t)p >= pl_frozen_lo && (uintptr_t)p < pl_frozen_hi;
}

#endif /* MYHEAP_PRELOAD_H */
