// SPDX-License-Identifier: GPL-2.0
/*
 * mh_buddy.c - the binary buddy system (Knowlton 1965; Knuth TAOCP 2.5).
 *
 * Blocks are MH_MIN_BLOCK << order bytes, aligned to their own size, so a
 * block's buddy is found by flipping one bit of its relative offset. An
 * allocation takes the smallest non-empty order that fits (one bitmap
 * lookup) and splits it in halves down to the size wanted; a free merges
 * with its buddy as long as the buddy is free and whole. The region rarely
 * is a power of two, so at reset it is carved into the largest aligned
 * power-of-two blocks that tile it, as the kernel's page allocator does
 * with a zone.
 *
 * Alignment is measured from the heap's END: the tiling then puts the small
 * blocks at low addresses and the largest at the top, so a small heap in
 * use stays low in the region (what the high-water mark and the malloc lab
 * utilization measure) instead of landing in the small blocks a bottom-up
 * tiling leaves at the very end.
 *
 * Buddy blocks keep the same header, boundary tag and PREV_FREE discipline
 * as every other policy, so one checker, walker and dumper serve them all.
 */
#include "mh_policy.h"

static u32 mh_buddy_list_of(u32 size)
{
	return mh_fls(size) - mh_fls(MH_MIN_BLOCK);
}

static void mh_buddy_class_range(const struct mh_heap *h, u32 list, u32 *min,
				 u32 *max)
{
	(void)h;	/* one size per order, whatever the heap */
	*min = MH_MIN_BLOCK << list;
	*max = *min;
}

/* Block size for a block of @need bytes: the next power of two. */
u32 mh_buddy_size_for(u32 need)
{
	u32 size = MH_MIN_BLOCK;

	while (size < need)
		size <<= 1;
	return size;
}

static int mh_buddy_find(struct mh_heap *h, u32 need, u32 align, u32 *off,
			 u32 *examined)
{
	u32 size = mh_buddy_size_for(need), order = mh_buddy_list_of(size);
	u32 map, head;
	struct mh_hdr hd;

	(void)align;	/* mh_request() refuses alignments above 16 */
	if (order >= MH_BUDDY_ORDERS)
		return -ENOMEM;
	map = h->fl_bitmap & (~0u << order);
	if (!map)
		return -ENOMEM;
	order = mh_ffs(map);
	head = h->heads[order];
	(*examined)++;
	if (!mh_free_read(h, head, &hd) || hd.size != MH_MIN_BLOCK << order)
		return -EUCLEAN;
	*off = head;
	return 0;
}

/* Distance from the end of block [@off, @off + @size) to the heap's end. */
static u32 mh_buddy_rel(const struct mh_heap *h, u32 off, u32 size)
{
	return h->heap_end - off - size;
}

/**
 * mh_buddy_aligned() - is [@off, @off + @size) a possible buddy block?
 * @h: heap.
 * @off: block offset.
 * @size: block size.
 *
 * Return: true if @size is a power of two and the block is aligned to it.
 */
bool mh_buddy_aligned(const struct mh_heap *h, u32 off, u32 size)
{
	return mh_is_pow2(size) && !(mh_buddy_rel(h, off, size) & (size - 1));
}

/**
 * mh_buddy_of() - offset of the buddy of block [@off, @off + @size).
 * @h: heap.
 * @off: block offset (aligned, see mh_buddy_aligned()).
 * @size: block size.
 *
 * Return: the buddy's offset; it may lie outside the heap (no buddy).
 */
u32 mh_buddy_of(const struct mh_heap *h, u32 off, u32 size)
{
	return h->heap_end - (mh_buddy_rel(h, off, size) ^ size) - size;
}

/* Can the halves that splitting @size down to @want leaves be listed? */
static bool mh_buddy_halves_ok(const struct mh_heap *h, u32 size, u32 want)
{
	for (size >>= 1; size >= want; size >>= 1)
		if (!mh_list_push_ok(h, mh_buddy_list_of(size), MH_NIL, MH_NIL))
			return false;
	return true;
}

/*
 * Free and list the upper halves of [@off, @off + @size) until the block at
 * @off is @want bytes. The block at @off is in use, so the half next to it
 * has PREV_FREE clear and every later half has it set.
 */
static u32 mh_buddy_split(struct mh_heap *h, u32 off, u32 size, u32 want)
{
	u32 halves = 0;

	for (; size > want; size >>= 1, halves++) {
		u32 half = off + size / 2;

		mh_write_free(h, half, size / 2, half != off + want);
		mh_list_push(h, mh_buddy_list_of(size / 2), half);
		mh_emit(h, MH_EV_SPLIT, half, size / 2);
	}
	return halves;
}

/**
 * mh_buddy_alloc() - take a block of at least @need bytes.
 * @h: heap (buddy policy).
 * @need: block bytes wanted, header included.
 * @req: payload bytes requested.
 * @off: set to the block's offset.
 * @size: set to the block's size.
 *
 * Return: 0, -ENOMEM or -EUCLEAN (nothing changed).
 */
int mh_buddy_alloc(struct mh_heap *h, u32 need, u32 req, u32 *off,
		   u32 *size)
{
	u32 want = mh_buddy_size_for(need), examined = 0, blk, halves;
	struct mh_hdr hd, next;
	int err;

	err = mh_buddy_find(h, need, MH_ALIGN, &blk, &examined);
	h->count.searched += examined;
	if (examined > h->count.searched_max)
		h->count.searched_max = examined;
	if (err)
		return err;
	if (!mh_free_read(h, blk, &hd) ||
	    !mh_list_unlink_ok(h, mh_buddy_list_of(hd.size), blk) ||
	    !mh_buddy_halves_ok(h, hd.size, want) ||
	    (blk + hd.size < h->heap_end &&
	     !mh_block_read(h, blk + hd.size, &next)))
		return -EUCLEAN;
	if (!mh_poison_intact(h, blk + MH_META_HEAD,
			      blk + want - (want == hd.size ? MH_TAG_SIZE : 0))) {
		h->count.poison_errors++;
		mh_poison(h, blk + MH_META_HEAD, blk + hd.size - MH_TAG_SIZE);
		return -EUCLEAN;
	}
	mh_list_unlink(h, mh_buddy_list_of(hd.size), blk);
	halves = mh_buddy_split(h, blk, hd.size, want);
	mh_write_used(h, blk, want, hd.prev_free, req);
	if (!halves)
		mh_set_prev_free(h, blk + hd.size, false);
	h->free_blocks += halves;
	h->free_blocks--;
	h->free_bytes -= want;
	*off = blk;
	*size = want;
	return 0;
}

/*
 * Find and validate every merge freeing [@off, @off + @size) would make:
 * how many (@merges), where the merged block starts (@lo) and the header
 * of its first block (@low, for its PREV_FREE bit). Changes nothing.
 */
static int mh_buddy_plan(const struct mh_heap *h, u32 off, u32 size,
			 u32 *merges, u32 *lo, struct mh_hdr *low)
{
	u32 s = size, bud;
	struct mh_hdr hd;

	if (!mh_hdr_decode(h, off, low))
		return -EUCLEAN;
	*lo = off;
	*merges = 0;
	for (;; s <<= 1, (*merges)++) {
		bud = mh_buddy_of(h, *lo, s);
		if (s >= MH_MAX_REGION / 2 || bud < MH_FIRST_BLOCK ||
		    bud > h->heap_end - s)
			break;
		if (!mh_block_read(h, bud, &hd))
			return -EUCLEAN;
		if (hd.used || hd.size != s)
			break;
		if (!mh_list_unlink_ok(h, mh_buddy_list_of(s), bud))
			return -EUCLEAN;
		if (bud < *lo) {
			*lo = bud;
			*low = hd;
		}
	}
	if (!mh_list_push_ok(h, mh_buddy_list_of(s), MH_NIL, MH_NIL) ||
	    (*lo + s < h->heap_end && !mh_block_read(h, *lo + s, &hd)))
		return -EUCLEAN;
	return 0;
}

/**
 * mh_buddy_free_ok() - could the block in use [@off, @off + @size) be
 * freed now? For a realloc that must know before it moves the block.
 * @h: heap (buddy policy).
 * @off: the block.
 * @size: its size.
 *
 * Return: 0, or -EUCLEAN if a buddy or a list is damaged.
 */
int mh_buddy_free_ok(const struct mh_heap *h, u32 off, u32 size)
{
	struct mh_hdr low;
	u32 merges, lo;

	return mh_buddy_plan(h, off, size, &merges, &lo, &low);
}

/**
 * mh_buddy_free() - return a block and merge it with its free buddies.
 * @h: heap (buddy policy).
 * @off: the block.
 * @size: its size.
 * @merges: set to the number of buddies merged.
 *
 * Return: 0, or -EUCLEAN if a buddy or a list is damaged (nothing changed).
 */
int mh_buddy_free(struct mh_heap *h, u32 off, u32 size, u32 *merges)
{
	u32 lo, s, bud;
	struct mh_hdr low;
	int err;

	err = mh_buddy_plan(h, off, size, merges, &lo, &low);
	if (err)
		return err;
	mh_poison(h, off + MH_HDR_SIZE, off + size);
	for (lo = off, s = size; s < size << *merges; s <<= 1) {
		bud = mh_buddy_of(h, lo, s);
		mh_list_unlink(h, mh_buddy_list_of(s), bud);
		mh_absorb(h, bud > lo ? bud : lo);
		if (bud < lo)
			lo = bud;
		mh_emit(h, MH_EV_COALESCE, lo, s << 1);
	}
	mh_write_free(h, lo, s, low.prev_free);
	mh_list_push(h, mh_buddy_list_of(s), lo);
	mh_set_prev_free(h, lo + s, true);
	return 0;
}

/**
 * mh_buddy_shrink() - give back the upper halves of a block in use.
 * @h: heap (buddy policy).
 * @off: the block.
 * @size: its size.
 * @need: block bytes still needed.
 * @halves: set to the number of halves freed.
 *
 * Return: the block's new size, or -EUCLEAN (nothing changed).
 */
int mh_buddy_shrink(struct mh_heap *h, u32 off, u32 size, u32 need,
		    u32 *halves)
{
	u32 want = mh_buddy_size_for(need);
	struct mh_hdr next;

	*halves = 0;
	if (want >= size)
		return size;
	if (!mh_buddy_halves_ok(h, size, want) ||
	    (off + size < h->heap_end && !mh_block_read(h, off + size, &next)))
		return -EUCLEAN;
	mh_poison(h, off + want, off + size);
	*halves = mh_buddy_split(h, off, size, want);
	mh_set_prev_free(h, off + size, true);
	h->free_blocks += *halves;
	h->free_bytes += size - want;
	return want;
}

/* Tile an empty heap with the largest aligned power-of-two blocks. */
void mh_buddy_carve(struct mh_heap *h)
{
	u32 end, size;

	h->heap_end = MH_FIRST_BLOCK +
		      ((h->heap_end - MH_FIRST_BLOCK) & ~(MH_MIN_BLOCK - 1));
	for (end = h->heap_end; end - MH_FIRST_BLOCK >= MH_MIN_BLOCK;
	     end -= size) {
		size = MH_MIN_BLOCK << (MH_BUDDY_ORDERS - 1);
		while (size > end - MH_FIRST_BLOCK ||
		       ((h->heap_end - end) & (size - 1)))
			size >>= 1;
		mh_write_free(h, end - size, size, end - size != MH_FIRST_BLOCK);
		mh_list_push(h, mh_buddy_list_of(size), end - size);
		h->free_blocks++;
		h->free_bytes += size;
	}
}

const struct mh_policy_ops mh_buddy_ops = {
	.name = "buddy",
	.buddy = true,
	.nr_lists = MH_BUDDY_ORDERS,
	.list_of = mh_buddy_list_of,
	.class_range = mh_buddy_class_range,
	.find = mh_buddy_find,
};
