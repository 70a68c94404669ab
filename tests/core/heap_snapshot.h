/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heap_snapshot.h - "an operation that fails changes nothing": a copy of a
 * heap's control structure, statistics and region bytes, and a comparison
 * that names what changed.
 */
#ifndef MH_TEST_HEAP_SNAPSHOT_H
#define MH_TEST_HEAP_SNAPSHOT_H

#include "mh_core.h"

/**
 * struct heap_snapshot - a heap as it was.
 * @ctl: copy of the control structure.
 * @st: its statistics.
 * @region: the live region.
 * @bytes: copy of the region and then of the block-start bitmap (caller's
 *	buffer of @size + mh_starts_bytes(@size) bytes), or NULL to compare
 *	the control structure and statistics only.
 * @size: bytes of the region.
 */
struct heap_snapshot {
	struct mh_heap ctl;
	struct mh_stats st;
	const u8 *region;
	u8 *bytes;
	size_t size;
};

void snapshot_take(struct heap_snapshot *s, const struct mh_heap *h,
		   const void *region, size_t size, u8 *buf);

/*
 * NULL when @h is as @s recorded it, apart from the event counters (a
 * failure is counted); otherwise a short description of the first change.
 */
const char *snapshot_diff(const struct heap_snapshot *s,
			  const struct mh_heap *h);

#endif /* MH_TEST_HEAP_SNAPSHOT_H */
