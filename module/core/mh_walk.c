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
#include "mh_policy.h"

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
		return 0;
	}
	next = mh_next_start(h, offset);
	b->size = next - offset;
	b->status = MH_BLOCK_DAMAGED;
	b->next = next;
	return 0;
}

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
	u32 start;

	if (offset < MH_FIRST_BLOCK || offset >= h->heap_end)
		return -ENXIO;
	start = mh_port_find_last_bit(h->starts, mh_granule(offset) + 1);
	if (start > mh_granule(offset))
		return -ENXIO;
	return mh_block_at(h, start * MH_ALIGN + MH_HDR_SIZE, b);
}

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
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 budget = mh_max_blocks(h), list, cur, prev;
	struct mh_free_info f;
	struct mh_links l;
	struct mh_hdr hd;
	int ret;

	for (list = 0; list < ops->nr_lists; list++) {
		memset(&f, 0, sizeof(f));
		f.list = list;
		ops->class_range(h, list, &f.class_min, &f.class_max);
		for (prev = MH_NIL, cur = h->heads[list]; cur != MH_NIL;
		     prev = cur, cur = l.next) {
			if (!budget-- || !mh_free_read(h, cur, &hd))
				return -EUCLEAN;
			mh_links_read(h, cur, &l);
			if (l.prev != prev)
				return -EUCLEAN;
			f.offset = cur;
			f.size = hd.size;
			f.rover = h->policy == MH_NEXT_FIT && cur == h->rover;
			ret = fn(arg, &f);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * mh_stats() - take a snapshot of the heap's figures.
 * @h: heap.
 * @st: filled in.
 *
 * Context: any; walks every block (largest free block, histogram).
 */
void mh_stats(const struct mh_heap *h, struct mh_stats *st)
{
	struct mh_block_info b;
	u32 off = MH_FIRST_BLOCK;
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

	while (!mh_block_at(h, off, &b)) {
		if (b.status == MH_BLOCK_OK && !b.used) {
			st->free_hist[mh_fls(b.size)]++;
			if (b.size > st->largest_free)
				st->largest_free = b.size;
		}
		off = b.next;
	}
	if (st->largest_free)
		st->largest_alloc = st->largest_free - MH_HDR_SIZE;
	if (st->free_bytes && st->largest_free <= st->free_bytes)
		st->external_frag_ppm = 1000000 -
			mh_div64(st->largest_free * 1000000, st->free_bytes);
}
