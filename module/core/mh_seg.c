// SPDX-License-Identifier: GPL-2.0
/*
 * mh_seg.c - segregated fit, after TLSF (Masmano et al., "TLSF: a new
 * dynamic memory allocator for real-time systems", ECRTS 2004).
 *
 * Free blocks sit on one of MH_FL_COUNT x MH_SL_COUNT lists: the first level
 * is the power of two of the size, the second splits each power of two into
 * 16 equal classes (sizes below 256 get 16-byte classes). Two bitmaps say
 * which lists are non-empty, so finding a list whose every block is large
 * enough takes two find-first-set operations: O(1) "good fit".
 *
 * Pure TLSF rounds the request up to the next class and never looks at the
 * request's own class, which wastes blocks that would fit. This version
 * first looks at a few blocks of the request's own class (cheap, and close
 * to best fit), then takes the O(1) good fit, and only when that finds
 * nothing scans the rest of the request's own class, so an allocation fails
 * only when no free block can hold it.
 */
#include "mh_pool.h"

/* How many blocks of the request's own class to try before the good fit. */
#define MH_SEG_PEEK		8

/* The TLSF class of a free block of @size bytes (ops.list_of). */
u32 mh_seg_list_of(u32 size)
{
	u32 top;

	if (size < (1u << MH_FL_SHIFT))
		return size / MH_ALIGN;
	top = mh_fls(size);
	return (top - MH_FL_SHIFT + 1) * MH_SL_COUNT +
	       ((size >> (top - MH_SL_LOG2)) & (MH_SL_COUNT - 1));
}

void mh_seg_class_range(const struct mh_heap *h, u32 list, u32 *min,
			u32 *max)
{
	u32 fl = list / MH_SL_COUNT, sl = list % MH_SL_COUNT, base, step;

	(void)h;	/* classes do not depend on the heap */
	if (fl == 0) {
		*min = sl * MH_ALIGN;
		*max = *min + MH_ALIGN - 1;
		return;
	}
	base = 1u << (fl + MH_FL_SHIFT - 1);
	step = base >> MH_SL_LOG2;
	*min = base + sl * step;
	*max = *min + step - 1;
}

/* First list after rounding @size up to a class whose blocks all fit it. */
static bool mh_seg_good_list(const struct mh_heap *h, u32 size, u32 *list)
{
	u64 rounded = size;
	u32 fl, sl, sl_map, fl_map, l;

	if (size >= (1u << MH_FL_SHIFT))
		rounded += (1u << (mh_fls(size) - MH_SL_LOG2)) - 1;
	if (rounded >= MH_MAX_REGION)
		return false;
	l = mh_seg_list_of((u32)rounded);
	fl = l / MH_SL_COUNT;
	sl = l % MH_SL_COUNT;
	sl_map = h->sl_bitmap[fl] & (~0u << sl);
	if (!sl_map) {
		fl_map = fl + 1 < 32 ? h->fl_bitmap & (~0u << (fl + 1)) : 0;
		if (!fl_map)
			return false;
		fl = mh_ffs(fl_map);
		if (fl >= MH_FL_COUNT)
			return false;
		sl_map = h->sl_bitmap[fl];
		if (!sl_map)
			return false;
	}
	*list = fl * MH_SL_COUNT + mh_ffs(sl_map);
	return true;
}

/*
 * Scan up to @limit blocks of @list for one that holds the request. A scan
 * bounded by the heap's block count that does not reach the end of the list
 * has met a loop.
 */
static int mh_seg_scan(const struct mh_heap *h, u32 list, u32 limit,
		       u32 need, u32 align, struct mh_found *got,
		       u32 *examined)
{
	u32 cur = h->heads[list], prev = MH_NIL, left = limit;
	struct mh_links l;
	struct mh_hdr hd;

	for (; cur != MH_NIL && left; left--) {
		if (!mh_free_read(h, cur, &hd) ||
		    mh_seg_list_of(hd.size) != list)
			return -EUCLEAN;
		mh_links_read(h, cur, &l);
		if (l.prev != prev)
			return -EUCLEAN;
		(*examined)++;
		if (mh_fit_at(cur, hd.size, need, align)) {
			got->off = cur;
			got->hd = hd;
			got->links = l;
			return 0;
		}
		prev = cur;
		cur = l.next;
	}
	return cur != MH_NIL && limit == mh_max_blocks(h) ? -EUCLEAN : -ENOMEM;
}

int mh_seg_find(const struct mh_heap *h, u32 need, u32 align,
		struct mh_found *got, u32 *examined)
{
	/* An aligned block needs room for the worst-case front gap too. */
	u32 want = align > MH_ALIGN ? need + align + MH_MIN_BLOCK : need;
	u32 own = mh_seg_list_of(want < MH_MAX_REGION ? want : need);
	u32 list;
	int err;

	err = mh_seg_scan(h, own, MH_SEG_PEEK, need, align, got, examined);
	if (err != -ENOMEM)
		return err;
	if (want < MH_MAX_REGION && mh_seg_good_list(h, want, &list)) {
		err = mh_seg_scan(h, list, 1, need, align, got, examined);
		if (err != -ENOMEM)
			return err;
	}
	return mh_seg_scan(h, own, mh_max_blocks(h), need, align, got,
			   examined);
}

/*
 * The two bitmap levels: bit sl of h->sl_bitmap[fl] set iff class
 * fl * MH_SL_COUNT + sl is non-empty, bit fl of h->fl_bitmap iff any of
 * the first level's classes is.
 */
void mh_seg_mark(struct mh_heap *h, u32 list, bool nonempty)
{
	u32 fl = list / MH_SL_COUNT, sl = list % MH_SL_COUNT;

	if (nonempty)
		h->sl_bitmap[fl] |= 1u << sl;
	else
		h->sl_bitmap[fl] &= ~(1u << sl);
	if (h->sl_bitmap[fl])
		h->fl_bitmap |= 1u << fl;
	else
		h->fl_bitmap &= ~(1u << fl);
}

bool mh_seg_marked(const struct mh_heap *h, u32 list)
{
	return (h->sl_bitmap[list / MH_SL_COUNT] >> (list % MH_SL_COUNT)) & 1;
}

bool mh_seg_bitmaps_ok(const struct mh_heap *h)
{
	u32 fl;

	if (h->fl_bitmap >> MH_FL_COUNT)
		return false;
	for (fl = 0; fl < MH_FL_COUNT; fl++)
		if (h->sl_bitmap[fl] >> MH_SL_COUNT ||
		    ((h->fl_bitmap >> fl) & 1) != !!h->sl_bitmap[fl])
			return false;
	return true;
}

const struct mh_policy_ops mh_seg_ops = {
	.name = "segregated",
	.coalesces = true,
	.max_align = MH_MAX_ALIGN,
	.span_unit = MH_ALIGN,
	.nr_lists = MH_NR_LISTS,
	.list_kind = "class",
	.list_of = mh_seg_list_of,
	.class_range = mh_seg_class_range,
	.find = mh_seg_find,
	.mark = mh_seg_mark,
	.marked = mh_seg_marked,
	.bitmaps_ok = mh_seg_bitmaps_ok,
};
