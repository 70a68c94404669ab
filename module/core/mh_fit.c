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

/* Restarts after pauses before a search stops pausing (bounds its work). */
#define MH_FIT_RESTARTS		2u

/**
 * struct mh_fit_walk - where a search of the list stands.
 * @start: where it began (after wrapping to the head it stops there).
 * @cur: the next block to read (MH_NIL: the end of the list).
 * @prev_seen: the block read before @cur, whose next link led to it
 *	(MH_NIL: none, or a pause came between).
 * @best: the block the goal prefers so far (MH_NIL: none).
 * @best_size: its size.
 * @steps: blocks it may still read before the list must be a loop.
 * @read: blocks read since the last pause offered.
 * @restarts: restarts after pauses so far.
 * @wrapped: it went on from the head (or began there).
 * @pausable: it offers pauses (mh_set_pause(), &mh_heap.may_pause, and
 *	fewer than MH_FIT_RESTARTS restarts).
 * @let_go: a pause since it (re)started let others change the heap.
 */
struct mh_fit_walk {
	u32 start;
	u32 cur;
	u32 prev_seen;
	u32 best;
	u32 best_size;
	u32 steps;
	u32 read;
	u32 restarts;
	bool wrapped;
	bool pausable;
	bool let_go;
};

/* Begin (or begin again) at @start, with nothing seen. */
static void mh_fit_begin(const struct mh_heap *h, struct mh_fit_walk *w,
			 u32 start)
{
	w->start = start;
	w->cur = start;
	w->prev_seen = MH_NIL;
	w->best = MH_NIL;
	w->best_size = 0;
	w->steps = mh_max_blocks(h);
	w->read = 0;
	w->wrapped = start == h->heads[0];
	w->let_go = false;
}

/*
 * Begin again from the head, the whole list; after MH_FIT_RESTARTS the
 * walk offers no more pauses, so what the last one finds is certain.
 */
static void mh_fit_restart(const struct mh_heap *h, struct mh_fit_walk *w)
{
	mh_fit_begin(h, w, h->heads[0]);	/* the whole list, once */
	if (++w->restarts >= MH_FIT_RESTARTS)
		w->pausable = false;
}

/* Is the candidate still a free block of its size? (read again into @got) */
static bool mh_fit_keep(const struct mh_heap *h, const struct mh_fit_walk *w,
			struct mh_found *got)
{
	struct mh_hdr hd;

	if (!mh_free_read(h, w->best, &hd) || hd.size != w->best_size)
		return false;
	got->hd = hd;
	mh_links_read(h, w->best, &got->links);
	return true;
}

/*
 * Offer a pause every MH_PAUSE_STEPS reads; false if the walk must begin
 * again. After others changed the heap, what the walk read before is a
 * hint: it goes on from @cur, a block the next step reads afresh, without
 * the back-link check for that step, and keeps @best only if it is still
 * there. A failed read after a let-go is the heap having moved, not damage
 * (mh_fit_scan() begins again then too).
 */
static bool mh_fit_pause(const struct mh_heap *h, struct mh_fit_walk *w,
			 struct mh_found *got)
{
	if (!w->pausable || ++w->read < MH_PAUSE_STEPS)
		return true;
	w->read = 0;
	if (!h->pause(h->pause_ctx))
		return true;
	w->let_go = true;
	w->prev_seen = MH_NIL;
	return w->best == MH_NIL || mh_fit_keep(h, w, got);
}

/*
 * Walk the list from @start (wrapping to the head and stopping at @start
 * again when @start is not the head) and keep the block @goal prefers.
 */
static int mh_fit_scan(const struct mh_heap *h, u32 start, u32 need,
		       u32 align, enum mh_fit_goal goal, struct mh_found *got,
		       u32 *examined)
{
	struct mh_fit_walk w = {
		.pausable = h->pause && h->may_pause,
	};
	struct mh_links l;
	struct mh_hdr hd;

	mh_fit_begin(h, &w, start);
	for (;;) {
		if (w.cur == MH_NIL) {
			if (w.wrapped)
				break;
			w.wrapped = true;
			w.cur = h->heads[0];
			w.prev_seen = MH_NIL;
			continue;
		}
		if (w.wrapped && w.cur == w.start && w.start != h->heads[0])
			break;
		if (!mh_fit_pause(h, &w, got)) {
			mh_fit_restart(h, &w);
			continue;
		}
		if (!w.steps-- || !mh_free_read(h, w.cur, &hd)) {
			if (!w.let_go)
				return -EUCLEAN;
			mh_fit_restart(h, &w);
			continue;
		}
		mh_links_read(h, w.cur, &l);
		if (w.prev_seen != MH_NIL && l.prev != w.prev_seen)
			return -EUCLEAN;
		(*examined)++;
		if (mh_fit_at(w.cur, hd.size, need, align)) {
			if (w.best == MH_NIL ||
			    (goal == MH_GOAL_BEST ? hd.size < w.best_size
						  : hd.size > w.best_size)) {
				w.best = w.cur;
				w.best_size = hd.size;
				got->off = w.cur;
				got->hd = hd;
				got->links = l;
				if (goal == MH_GOAL_FIRST)
					return 0;
				if (goal == MH_GOAL_BEST && hd.size == need)
					break;
			}
		}
		w.prev_seen = w.cur;
		w.cur = l.next;
	}
	return w.best == MH_NIL ? -ENOMEM : 0;
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
