// SPDX-License-Identifier: GPL-2.0
/*
 * mh_fit.c - the textbook policies over one free list: first fit, next fit
 * (first fit from a roving pointer), best fit and worst fit. Searches are
 * linear, as taught; that cost is what the "searched" statistic shows next
 * to segregated fit and buddy. The list is in address order unless the
 * heap's knobs (mh_set_knobs(): OSTEP's list orders, coalescing off) say
 * otherwise; the searches walk it in whatever order it is in, so "first"
 * means first in the list, and the ties of best and worst fit go to the
 * block met first.
 */
#include "mh_policy.h"

enum mh_fit_goal { MH_GOAL_FIRST, MH_GOAL_BEST, MH_GOAL_WORST };

static u32 mh_fit_list_of(u32 size)
{
	(void)size;	/* one list for every size */
	return 0;
}

static void mh_fit_class_range(const struct mh_heap *h, u32 list, u32 *min,
			       u32 *max)
{
	(void)list;
	*min = MH_MIN_BLOCK;
	*max = h->heap_end;
}

/*
 * Walk the list from @start (wrapping to the head and stopping at @start
 * again when @start is not the head) and keep the block @goal prefers.
 */
static int mh_fit_scan(const struct mh_heap *h, u32 start, u32 need,
		       u32 align, enum mh_fit_goal goal, struct mh_found *got,
		       u32 *examined)
{
	u32 cur = start, prev_seen = MH_NIL, best = MH_NIL, best_size = 0;
	u32 steps = mh_max_blocks(h);
	bool wrapped = start == h->heads[0];
	struct mh_links l;
	struct mh_hdr hd;

	for (;;) {
		if (cur == MH_NIL) {
			if (wrapped)
				break;
			wrapped = true;
			cur = h->heads[0];
			prev_seen = MH_NIL;
			continue;
		}
		if (wrapped && cur == start && start != h->heads[0])
			break;
		if (!steps-- || !mh_free_read(h, cur, &hd))
			return -EUCLEAN;
		mh_links_read(h, cur, &l);
		if (prev_seen != MH_NIL && l.prev != prev_seen)
			return -EUCLEAN;
		(*examined)++;
		if (mh_fit_at(cur, hd.size, need, align)) {
			if (best == MH_NIL ||
			    (goal == MH_GOAL_BEST ? hd.size < best_size
						  : hd.size > best_size)) {
				best = cur;
				best_size = hd.size;
				got->off = cur;
				got->hd = hd;
				got->links = l;
				if (goal == MH_GOAL_FIRST)
					return 0;
				if (goal == MH_GOAL_BEST && hd.size == need)
					break;
			}
		}
		prev_seen = cur;
		cur = l.next;
	}
	return best == MH_NIL ? -ENOMEM : 0;
}

static int mh_first_fit_find(const struct mh_heap *h, u32 need, u32 align,
			     struct mh_found *got, u32 *examined)
{
	return mh_fit_scan(h, h->heads[0], need, align, MH_GOAL_FIRST, got,
			   examined);
}

/*
 * Start at the rover. It is only a hint: fall back to the head if it went
 * stale. It moves (in mh_take()) only when the allocation succeeds.
 */
static int mh_next_fit_find(const struct mh_heap *h, u32 need, u32 align,
			    struct mh_found *got, u32 *examined)
{
	u32 start = h->rover;
	struct mh_hdr hd;

	if (start == MH_NIL || !mh_free_read(h, start, &hd))
		start = h->heads[0];
	return mh_fit_scan(h, start, need, align, MH_GOAL_FIRST, got,
			   examined);
}

static int mh_best_fit_find(const struct mh_heap *h, u32 need, u32 align,
			    struct mh_found *got, u32 *examined)
{
	return mh_fit_scan(h, h->heads[0], need, align, MH_GOAL_BEST, got,
			   examined);
}

static int mh_worst_fit_find(const struct mh_heap *h, u32 need, u32 align,
			     struct mh_found *got, u32 *examined)
{
	return mh_fit_scan(h, h->heads[0], need, align, MH_GOAL_WORST, got,
			   examined);
}

#define MH_FIT_OPS(policy, policy_name, roving)				\
const struct mh_policy_ops mh_##policy##_ops = {			\
	.name = policy_name,						\
	.address_ordered = true,					\
	.rover = roving,						\
	.coalesces = true,						\
	.max_align = MH_MAX_ALIGN,					\
	.span_unit = MH_ALIGN,						\
	.nr_lists = 1,							\
	.list_of = mh_fit_list_of,					\
	.class_range = mh_fit_class_range,				\
	.find = mh_##policy##_find,					\
}

MH_FIT_OPS(first_fit, "first", false);
MH_FIT_OPS(next_fit, "next", true);
MH_FIT_OPS(best_fit, "best", false);
MH_FIT_OPS(worst_fit, "worst", false);
