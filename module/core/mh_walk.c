// SPDX-License-Identifier: GPL-2.0
/*
 * mh_walk.c - reading a heap without changing it: block by block (for dumps
 * and pictures), free list by free list, and the statistics.
 *
 * A walk never trusts the region: a header that fails its check (or whose
 * size the block-start bitmap refutes) is reported as a damaged stretch
 * reaching to the next block the bitmap knows, so a dump of a scribbled
 * heap still shows everything around the damage.
 */
#include "mh_pool.h"

/**
 * mh_first_block() - offset of the first block, where walks start.
 * @h: heap.
 *
 * Context: any.
 * Return: the first block's offset.
 */
u32 mh_first_block(const struct mh_heap *h)
{
	(void)h;	/* the same for every heap: after the start pad */
	return MH_FIRST_BLOCK;
}
EXPORT_SYMBOL_NS_GPL(mh_first_block, MYHEAP_CORE);

/* Offset of the first block the bitmap knows after @off, or the heap end. */
static u32 mh_next_start(const struct mh_heap *h, u32 off)
{
	u32 end = mh_granule(h->heap_end);

	return mh_starts_next(h, mh_granule(off) + 1, end) * MH_ALIGN +
	       MH_HDR_SIZE;
}

/**
 * mh_block_at() - describe the block at @offset.
 * @h: heap.
 * @offset: a block offset: mh_first_block() or a previous @b->next.
 * @b: filled with the block; @b->status says whether its header is valid.
 *
 * A header is valid when it passes its check where the start bitmap says
 * a block starts and its size agrees with the bitmap; otherwise the record
 * is a damaged stretch up to the next block the bitmap knows (no scan of
 * the region: the walk resynchronises at once).
 *
 * Context: any; the caller keeps the heap from changing during the call.
 * Return: 0, or -ENXIO if @offset is at or past the heap's end or is not
 * where a block can start.
 */
int mh_block_at(const struct mh_heap *h, u32 offset, struct mh_block_info *b)
{
	struct mh_hdr hd;
	u32 next;

	if (offset >= h->heap_end || offset < MH_FIRST_BLOCK ||
	    offset % MH_ALIGN != MH_HDR_SIZE)
		return -ENXIO;
	memset(b, 0, sizeof(*b));
	b->offset = offset;
	if (mh_block_read(h, offset, &hd) &&
	    mh_starts_agree(h, offset, hd.size)) {
		b->size = hd.size;
		b->used = hd.used;
		b->granted = hd.size - MH_HDR_SIZE;
		b->requested = hd.used ? b->granted - hd.slack : 0;
		b->status = MH_BLOCK_OK;
		b->next = offset + hd.size;
		if (mh_hdr_is_run(&hd))
			mh_pool_describe(h, offset, b);
		return 0;
	}
	next = mh_next_start(h, offset);
	b->size = next - offset;
	b->status = MH_BLOCK_DAMAGED;
	b->next = next;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_block_at, MYHEAP_CORE);

/**
 * mh_block_containing() - describe the block that holds offset @offset.
 * @h: heap.
 * @offset: any offset inside the heap (a header or a payload byte).
 * @b: filled as by mh_block_at() for the last block the start bitmap
 *	knows at or below @offset; so @b->offset <= @offset < @b->next
 *	when @b->status is MH_BLOCK_OK.
 *
 * A backward bitmap scan instead of a walk from the first block: one word
 * per KiB between @offset and its block's start (the summaries are not
 * used backwards yet), never a region read before mh_block_at().
 *
 * Context: any; the caller keeps the heap from changing during the call.
 * Return: 0, or -ENXIO if @offset is outside the heap's blocks.
 */
int mh_block_containing(const struct mh_heap *h, u32 offset,
			struct mh_block_info *b)
{
	u32 start, last;

	if (offset < MH_FIRST_BLOCK || offset >= h->heap_end)
		return -ENXIO;
	/*
	 * Headers sit at 8 mod 16, so the last 8 bytes of a block share their
	 * granule with the next block's header: the last header at or below
	 * @offset has the granule of @offset - 8.
	 */
	last = mh_granule(offset - MH_HDR_SIZE);
	start = mh_port_find_last_bit(h->starts, last + 1);
	if (start > last)
		return -ENXIO;
	return mh_block_at(h, start * MH_ALIGN + MH_HDR_SIZE, b);
}
EXPORT_SYMBOL_NS_GPL(mh_block_containing, MYHEAP_CORE);

/**
 * mh_walk() - call @fn for every block in address order.
 * @h: heap.
 * @fn: callback; a nonzero return stops the walk.
 * @arg: its first argument.
 *
 * Context: any; the caller keeps the heap from changing during the walk.
 * Return: 0, or what @fn returned to stop the walk.
 */
int mh_walk(const struct mh_heap *h, mh_block_fn fn, void *arg)
{
	struct mh_block_info b;
	u32 off = MH_FIRST_BLOCK;
	int ret;

	while (!mh_block_at(h, off, &b)) {
		ret = fn(arg, &b);
		if (ret)
			return ret;
		off = b.next;
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_walk, MYHEAP_CORE);

/**
 * mh_walk_free() - call @fn for every free block, list by list, in the
 * order the policy searches them.
 * @h: heap.
 * @fn: callback; a nonzero return stops the walk.
 * @arg: its first argument.
 *
 * Context: any; the caller keeps the heap from changing during the walk.
 * Return: 0, what @fn returned to stop the walk, or -EUCLEAN at the first
 * damaged link (after reporting the blocks before it).
 */
int mh_walk_free(const struct mh_heap *h, mh_free_fn fn, void *arg)
{
	return mh_walk_free_from(h, 0, MH_NIL, fn, arg);
}
EXPORT_SYMBOL_NS_GPL(mh_walk_free, MYHEAP_CORE);

/**
 * mh_stats_begin() - the heap's figures that need no walk.
 * @h: heap.
 * @st: filled in; the free block histogram, the largest free block and the
 *	external fragmentation stay zero until mh_stats_walk() reaches the
 *	heap's end.
 *
 * Context: any; O(1).
 */
void mh_stats_begin(const struct mh_heap *h, struct mh_stats *st)
{
	u64 blocks = h->used_blocks + h->free_blocks;

	memset(st, 0, sizeof(*st));
	st->policy = h->policy;
	st->region_size = h->region_size;
	st->heap_size = h->heap_end - MH_FIRST_BLOCK;
	st->header_size = MH_HDR_SIZE;
	st->requested_bytes = h->requested;
	st->granted_bytes = h->granted;
	st->used_bytes = h->granted + h->used_blocks * MH_HDR_SIZE;
	st->free_bytes = h->free_bytes;
	st->overhead_bytes = blocks * MH_HDR_SIZE + MH_FIRST_BLOCK +
			     (h->region_size - h->heap_end);
	st->used_blocks = h->used_blocks;
	st->free_blocks = h->free_blocks;
	st->internal_frag = h->granted - h->requested;
	st->peak_requested = h->peak_requested;
	st->high_water = h->high_water;
	st->count = h->count;
}
EXPORT_SYMBOL_NS_GPL(mh_stats_begin, MYHEAP_CORE);

/**
 * mh_stats_walk() - add the blocks from @off on to the figures.
 * @h: heap, unchanged since mh_stats_begin() filled @st.
 * @st: the figures.
 * @off: block (header) offset to start at: mh_first_block() first, then
 *	what the previous call returned.
 * @max: blocks to look at, at most (0: every one to the end).
 *
 * So a caller that must not hold its lock for a whole walk can drop it
 * between calls (and start again with mh_stats_begin() if the heap changed
 * meanwhile).
 *
 * Context: any; the caller keeps the heap from changing during the call.
 * Return: the offset to go on from, or 0 when the walk reached the end
 * (the figures are then complete).
 */
u32 mh_stats_walk(const struct mh_heap *h, struct mh_stats *st, u32 off,
		  u32 max)
{
	struct mh_block_info b;
	u32 left = max;

	while (!mh_block_at(h, off, &b)) {
		if (max && !left--)
			return off;
		if (b.status == MH_BLOCK_OK && b.slot_size) {
			st->pool_runs++;
			st->pool_slots += b.slots_used;
			st->pool_meta_bytes += b.granted - b.slots * b.slot_size;
			st->pool_free_bytes += (u64)(b.slots - b.slots_used) *
					       b.slot_size;
		}
		if (b.status == MH_BLOCK_OK && !b.used) {
			st->free_hist[mh_fls(b.size)]++;
			if (b.size > st->largest_free)
				st->largest_free = b.size;
		}
		off = b.next;
	}
	st->overhead_bytes += st->pool_meta_bytes;
	if (st->internal_frag >= st->pool_meta_bytes + st->pool_free_bytes)
		st->internal_frag -= st->pool_meta_bytes + st->pool_free_bytes;
	if (st->largest_free)
		st->largest_alloc = st->largest_free - MH_HDR_SIZE;
	if (st->free_bytes && st->largest_free <= st->free_bytes)
		st->external_frag_ppm = 1000000 -
			mh_div64(st->largest_free * 1000000, st->free_bytes);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_stats_walk, MYHEAP_CORE);

/**
 * mh_stats() - take a snapshot of the heap's figures.
 * @h: heap.
 * @st: filled in.
 *
 * Context: any; walks every block (largest free block, histogram).
 */
void mh_stats(const struct mh_heap *h, struct mh_stats *st)
{
	mh_stats_begin(h, st);
	mh_stats_walk(h, st, MH_FIRST_BLOCK, 0);
}
EXPORT_SYMBOL_NS_GPL(mh_stats, MYHEAP_CORE);

/**
 * mh_list_info() - how the current policy's free list @list is named.
 * @h: heap.
 * @list: index of the list in search order.
 * @li: filled with its name and size range.
 *
 * Context: any; reads only the control structure.
 * Return: 0, or -ERANGE if the policy keeps no list @list.
 */
int mh_list_info(const struct mh_heap *h, u32 list, struct mh_list_info *li)
{
	const struct mh_policy_ops *ops = mh_ops(h);

	if (list >= ops->nr_lists)
		return -ERANGE;
	li->kind = ops->list_kind;
	li->show_empty = ops->list_show_empty;
	li->order = h->list_order;
	ops->class_range(h, list, &li->class_min, &li->class_max);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_list_info, MYHEAP_CORE);

/*
 * Is the block at @off still on list @list? It must be free, of a size
 * that list holds, and linked from its list: the head, or the next link
 * of a free block its prev link names. Fills @hd and @l from the words it
 * read, for the walk to go on from them.
 */
static bool mh_free_resume_ok(const struct mh_heap *h,
			      const struct mh_policy_ops *ops, u32 list,
			      u32 off, struct mh_hdr *hd, struct mh_links *l)
{
	struct mh_links pl;
	struct mh_hdr phd;

	if (!mh_free_read(h, off, hd) || ops->list_of(hd->size) != list)
		return false;
	mh_links_read(h, off, l);
	if (l->prev == MH_NIL)
		return h->heads[list] == off;
	if (!mh_free_read(h, l->prev, &phd))
		return false;
	mh_links_read(h, l->prev, &pl);
	return pl.next == off;
}

/**
 * mh_walk_free_from() - mh_walk_free() from a given place: the rest of the
 * walk that reported @offset on @list, so a long listing can be taken in
 * pieces with the heap changing in between.
 * @h: heap.
 * @list: list to start in.
 * @offset: free block of @list to start at (reported first), or 0 for the
 *	head of @list.
 * @fn: callback; a nonzero return stops the walk.
 * @arg: its first argument.
 *
 * @offset is checked before anything is reported: it must still be a free
 * block of @list's sizes, linked from the list's head or from the free
 * block its back link names. Each block's header and links are read once.
 * Its cost is that of the blocks reported; a list loop is cut (-EUCLEAN)
 * after as many blocks as the heap can hold, per call: a caller taking the
 * walk in pieces bounds their sum itself.
 *
 * Context: any; the caller keeps the heap from changing during the walk.
 * Return: 0 (also for the head of a @list past the last one), what @fn
 * returned to stop the walk, -ESTALE if @offset is not on @list any more
 * (nothing reported), or -EUCLEAN at the first damaged link after it.
 */
int mh_walk_free_from(const struct mh_heap *h, u32 list, u32 offset,
		      mh_free_fn fn, void *arg)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 budget = mh_max_blocks(h), cur = offset, prev = MH_NIL;
	bool checked = false;	/* @hd and @l hold @cur's words */
	struct mh_links l = { 0 };
	struct mh_hdr hd = { 0 };
	struct mh_free_info f;
	int ret;

	if (list >= ops->nr_lists)
		return offset == MH_NIL ? 0 : -ESTALE;
	if (offset != MH_NIL) {
		if (!mh_free_resume_ok(h, ops, list, offset, &hd, &l))
			return -ESTALE;
		prev = l.prev;
		checked = true;
	}
	for (; list < ops->nr_lists; list++) {
		memset(&f, 0, sizeof(f));
		f.list = list;
		ops->class_range(h, list, &f.class_min, &f.class_max);
		if (!checked) {
			cur = h->heads[list];
			prev = MH_NIL;
		}
		while (cur != MH_NIL) {
			if (!budget--)
				return -EUCLEAN;
			if (!checked) {
				if (!mh_free_read(h, cur, &hd))
					return -EUCLEAN;
				mh_links_read(h, cur, &l);
				if (l.prev != prev)
					return -EUCLEAN;
			}
			checked = false;
			f.offset = cur;
			f.size = hd.size;
			f.rover = ops->rover && cur == h->rover;
			ret = fn(arg, &f);
			if (ret)
				return ret;
			prev = cur;
			cur = l.next;
		}
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_walk_free_from, MYHEAP_CORE);
