// SPDX-License-Identifier: GPL-2.0
/*
 * heap_snapshot.c - compare a heap with an earlier copy of itself.
 *
 * The event counters are left out on purpose: failed operations are counted
 * (failed_allocs, corruptions, searched...), everything else must stay.
 */
#include <stdio.h>
#include <string.h>

#include "heap_snapshot.h"

void snapshot_take(struct heap_snapshot *s, const struct mh_heap *h,
		   const void *region, size_t size, u8 *buf)
{
	s->ctl = *h;
	mh_stats(h, &s->st);
	s->region = region;
	s->bytes = buf;
	s->size = size;
	if (buf) {
		memcpy(buf, region, size);
		memcpy(buf + size, h->starts, mh_starts_bytes(size));
	}
}

/* The control structure's fields, one by one (padding is not compared). */
static const char *ctl_diff(const struct mh_heap *a, const struct mh_heap *b)
{
#define SAME(field) \
	do { if (memcmp(&a->field, &b->field, sizeof(a->field))) \
		return "control structure field " #field " changed"; } while (0)
	SAME(base);
	SAME(region_size);
	SAME(heap_end);
	SAME(policy);
	SAME(flags);
	SAME(salt);
	SAME(generation);
	SAME(rover);
	SAME(fl_bitmap);
	SAME(sl_bitmap);
	SAME(heads);
	SAME(used_blocks);
	SAME(free_blocks);
	SAME(requested);
	SAME(granted);
	SAME(free_bytes);
	SAME(peak_requested);
	SAME(high_water);
	SAME(observer);
	SAME(observer_ctx);
#undef SAME
	return NULL;
}

const char *snapshot_diff(const struct heap_snapshot *s,
			  const struct mh_heap *h)
{
	static char msg[96];
	struct mh_stats now;
	const char *why;

	why = ctl_diff(&s->ctl, h);
	if (why)
		return why;
	mh_stats(h, &now);
	/* counters may move on a failure; nothing else in the stats may */
	now.count = s->st.count;
	if (memcmp(&now, &s->st, sizeof(now)))
		return "statistics changed";
	if (s->bytes && memcmp(s->bytes, s->region, s->size)) {
		for (size_t i = 0; i < s->size; i++) {
			if (s->bytes[i] != s->region[i]) {
				snprintf(msg, sizeof(msg),
					 "region byte at offset %zu changed", i);
				return msg;
			}
		}
	}
	if (s->bytes && memcmp(s->bytes + s->size, h->starts,
			       mh_starts_bytes(s->size)))
		return "block-start bitmap changed";
	return NULL;
}
