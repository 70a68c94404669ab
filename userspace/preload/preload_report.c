// SPDX-License-Identifier: GPL-2.0
/*
 * MYHEAP_STATS_AT_EXIT=1: what this process did on the device, and the
 * region as it is at exit (every opener's blocks), on stderr:
 *
 *   myheap-preload[PID]: N device operations (A alloc, F free, R realloc,
 *       U usable-size; X failed), S served by the system allocator
 *   myheap-preload[PID]: region ...: policy P, B blocks in use ...
 *
 * The first line is the one tests parse ("N device operations").
 */
#define _GNU_SOURCE
#include "preload.h"

static unsigned long long get(const uint64_t *field)
{
	return __atomic_load_n(field, __ATOMIC_RELAXED);
}

void pl_report(void)
{
	const struct pl_counts *c = &pl_counts;
	unsigned long long total = get(&c->allocs) + get(&c->frees) +
				   get(&c->reallocs) + get(&c->usable);
	struct myheap_stats st;
	int state = __atomic_load_n(&pl_state, __ATOMIC_ACQUIRE);

	pl_report_line("%llu device operations (%llu alloc, %llu free, %llu realloc, %llu usable-size; %llu failed), %llu served by the system allocator%s",
	       total, get(&c->allocs), get(&c->frees), get(&c->reallocs),
	       get(&c->usable), get(&c->failed), get(&c->system),
	       state == PL_DEVICE ? "" : " (not on the device)");
	if (!pl_heap || myheap_stats(pl_heap, &st))
		return;
	pl_report_line("region %llu bytes, policy %s: %llu blocks in use (%llu bytes requested), %llu free blocks, largest free %llu, high water %llu, peak requested %llu",
	       (unsigned long long)st.region_size, myheap_policy_name(st.policy),
	       (unsigned long long)st.used_blocks,
	       (unsigned long long)st.requested_bytes,
	       (unsigned long long)st.free_blocks,
	       (unsigned long long)st.largest_free,
	       (unsigned long long)st.high_water,
	       (unsigned long long)st.peak_requested);
}
