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

/* The order of a block of @size bytes, a power of two >= 32 (ops.list_of). */
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
static u32 mh_buddy_size_for(u32 need)
{
	u32 size = MH_MIN_BLOCK;

	while (size < need)
		size <<= 1;
	return size;
}

static int mh_buddy_find(const struct mh_heap *h, u32 need, u32 align,
			 struct mh_found *got, u32 *examined)
{
	u32 size = mh_buddy_size_for(need), order = mh_buddy_list_of(size);
	u32 map;

	(void)align;	/* mh_buddy_ops.max_align is 16 */
	if (order >= MH_BUDDY_ORDERS)
		return -ENOMEM;
	map = h->fl_bitmap & (~0u << order);
	if (!map)
		return -ENOMEM;
	order = mh_ffs(map);
	if (order >= MH_BUDDY_ORDERS)
		return -EUCLEAN;
	(*examined)++;
	got->off = h->heads[order];
	if (!mh_free_read(h, got->off, &got->hd) ||
	    got->hd.size != MH_MIN_BLOCK << order)
		return -EUCLEAN;
	mh_links_read(h, got->off, &got->links);
	return 0;
}

/* Distance from the end of block [@off, @off + @size) to the heap's end. */
static u32 mh_buddy_rel(const struct mh_heap *h, u32 off, u32 size)
{
	return h->heap_end - off - size;
}

/* Is [@off, @off + @size) a power of two aligned to its size? */
static bool mh_buddy_aligned(const struct mh_heap *h, u32 off, u32 size)
{
	return mh_is_pow2(size) && !(mh_buddy_rel(h, off, size) & (size - 1));
}

/*
 * The offset of the buddy of the aligned block [@off, @off + @size); it may
 * lie outside the heap (no buddy).
 */
static u32 mh_buddy_of(const struct mh_heap *h, u32 off, u32 size)
{
	return h->heap_end - (mh_buddy_rel(h, off, size) ^ size) - size;
}

/* Can the halves that splitting @size down to @want leaves be listed? */
static bool mh_buddy_halves_ok(const struct mh_heap *h, u32 size, u32 want)
{
	for (size >>= 1; size >= want; size >>= 1)
		if (!mh_list_push_ok(h, mh_buddy_list_of(size), MH_NIL, NULL,
				     MH_NIL, NULL))
			return false;
	return true;
}

/*
 * Free and list the upper halves of [@off, @off + @size) until the block at
 * @off is @want bytes (both powers of two, validated). The block at @off is
 * in use, so the half next to it has PREV_FREE clear and every later half
 * has it set. Each list's old head goes to @heads (by order), for an undo.
 */
static u32 mh_buddy_split(struct mh_heap *h, u32 off, u32 size, u32 want,
			  u32 *heads)
{
	u32 halves = 0, list;

	for (; size > want; size >>= 1, halves++) {
		u32 half = off + size / 2;

		list = mh_buddy_list_of(size / 2);
		heads[list] = h->heads[list];
		mh_write_free(h, half, size / 2, half != off + want);
		mh_list_push(h, list, half);
		mh_emit(h, MH_EV_SPLIT, half, size / 2);
	}
	return halves;
}

/*
 * Take a block of at least @need bytes for @req requested bytes (ops.take):
 * @t is filled with the plan carried out, the block is @t->u, @t->usize
 * bytes, and mh_buddy_untake() undoes it. 0, -ENOMEM or -EUCLEAN (nothing
 * changed).
 */
static int mh_buddy_take(struct mh_heap *h, u32 need, u32 align, u32 req,
			 struct mh_take *t)
{
	u32 want = mh_buddy_size_for(need), examined = 0;
	struct mh_found got;
	struct mh_delta d;
	int err;

	memset(t, 0, sizeof(*t));
	err = mh_buddy_find(h, need, align, &got, &examined);
	mh_count_search(h, examined);
	if (err)
		return err;
	t->f = got.off;
	t->fh = got.hd;
	t->fl = got.links;
	if (t->fh.size < want || !mh_buddy_aligned(h, t->f, t->fh.size) ||
	    !mh_list_links_ok(h, mh_buddy_list_of(t->fh.size), t->f, &t->fl) ||
	    t->fl.prev != MH_NIL ||
	    !mh_buddy_halves_ok(h, t->fh.size, want))
		return -EUCLEAN;
	t->end = t->f + t->fh.size;
	if (!mh_free_ends_ok(h, t->f, t->fh.size, &t->end_hd))
		return -EUCLEAN;
	if (!mh_poison_intact(h, t->f + MH_META_HEAD, t->f + want -
			      (want == t->fh.size ? MH_TAG_SIZE : 0)))
		return mh_poison_broken(h);
	t->list = mh_buddy_list_of(t->fh.size);
	t->u = t->f;
	t->usize = want;
	d = (struct mh_delta){
		.used = 1,
		.granted = want - MH_HDR_SIZE,
		.requested = req,
		.free_blocks = (s64)(mh_fls(t->fh.size) - mh_fls(want)) - 1,
		.free_bytes = -(s64)want,
	};
	if (!mh_delta_ok(h, &d))
		return -EUCLEAN;
	mh_list_unlink(h, t->list, t->f, &t->fl);
	t->halves = mh_buddy_split(h, t->f, t->fh.size, want, t->half_heads);
	mh_write_used(h, t->f, want, t->fh.prev_free, req);
	if (!t->halves)
		mh_set_prev_free(h, t->end, &t->end_hd, false);
	h->free_blocks += t->halves;
	h->free_blocks--;
	h->free_bytes -= want;
	return 0;
}

/*
 * Undo mh_buddy_take() from its plan @t, reading nothing (ops.untake);
 * nothing else changed the lists since. The halves come off the lists they
 * were pushed on (each still heads it), the block goes back at the head of
 * its own list and is whole and free again, as it was.
 */
static void mh_buddy_untake(struct mh_heap *h, const struct mh_take *t)
{
	u32 size, list, head;

	for (size = t->usize; size < t->fh.size; size <<= 1) {
		list = mh_buddy_list_of(size);
		head = t->half_heads[list];
		h->heads[list] = head;
		if (head != MH_NIL)
			mh_st32(h, head + MH_PREV_AT, MH_NIL);
		mh_list_mark(h, list, head != MH_NIL);
		mh_wipe_header(h, t->f + size);
	}
	mh_list_insert(h, t->list, t->f, &t->fl);
	mh_write_free(h, t->f, t->fh.size, t->fh.prev_free);
	mh_poison(h, t->f + MH_META_HEAD, t->f + t->fh.size - MH_TAG_SIZE);
	if (!t->halves && t->end < h->heap_end)
		mh_hdr_write(h, t->end, &t->end_hd);
	h->free_blocks -= t->halves;
	h->free_blocks++;
	h->free_bytes += t->usize;
}

/**
 * struct mh_buddy_plan - every merge a buddy free makes, validated.
 * @merges: buddies merged.
 * @bud: each buddy, smallest first.
 * @links: its list links.
 * @lo: where the merged block starts.
 * @low: header of the block at @lo (for its PREV_FREE bit).
 * @size: the merged block's size.
 * @after: header of the block after the merged block.
 */
struct mh_buddy_plan {
	u32 merges;
	u32 bud[MH_BUDDY_ORDERS];
	struct mh_links links[MH_BUDDY_ORDERS];
	u32 lo;
	struct mh_hdr low;
	u32 size;
	struct mh_hdr after;
};

/*
 * Find and validate every merge freeing the block in use [@off, @off +
 * @hd->size) would make. Every buddy is read once; each must agree with
 * the blocks around it through PREV_FREE (a forged free header over
 * someone's blocks does not), and the merged block must end on a header
 * that agrees. Changes nothing.
 */
static int mh_buddy_plan(const struct mh_heap *h, u32 off,
			 const struct mh_hdr *hd, struct mh_buddy_plan *p)
{
	u32 s = hd->size, bud;
	bool last_free = false;	/* is the last block of [lo, lo + s) free? */
	struct mh_hdr bh;

	if (!mh_buddy_aligned(h, off, s))
		return -EUCLEAN;
	p->lo = off;
	p->low = *hd;
	p->merges = 0;
	for (; p->merges < MH_BUDDY_ORDERS; s <<= 1, p->merges++) {
		bud = mh_buddy_of(h, p->lo, s);
		if (s >= MH_MAX_REGION / 2 || bud < MH_FIRST_BLOCK ||
		    bud > h->heap_end - s)
			break;
		if (!mh_block_read(h, bud, &bh))
			return -EUCLEAN;
		if (bh.used || bh.size != s)
			break;
		if (!mh_starts_agree(h, bud, s))
			return -EUCLEAN;
		if (bud > p->lo) {
			if (bh.prev_free != last_free)
				return -EUCLEAN;
			last_free = true;
		} else if (!p->low.prev_free) {
			return -EUCLEAN;
		}
		p->bud[p->merges] = bud;
		if (!mh_list_unlink_ok(h, mh_buddy_list_of(s), bud,
				       &p->links[p->merges]))
			return -EUCLEAN;
		if (bud < p->lo) {
			p->lo = bud;
			p->low = bh;
		}
	}
	p->size = s;
	if (!mh_list_push_ok(h, mh_buddy_list_of(s), MH_NIL, NULL, MH_NIL,
			     NULL) ||
	    !mh_end_agrees(h, p->lo + s, last_free, &p->after))
		return -EUCLEAN;
	return 0;
}

/*
 * Could the block in use @b be freed now (ops.release_ok)? 0, or -EUCLEAN
 * if a buddy or a list is damaged.
 */
static int mh_buddy_release_ok(const struct mh_heap *h,
			       const struct mh_block *b)
{
	struct mh_buddy_plan p;

	return mh_buddy_plan(h, b->off, &b->hd, &p);
}

/*
 * Return the block in use @b and merge it with its free buddies
 * (ops.release). @d is what the free adds to the totals, merges not
 * counted yet: refused (-EUCLEAN) if the totals would not fit together.
 * @fr says what the plan did: the buddies merged, the block that resulted,
 * the bytes merged below and above the freed block. 0, or -EUCLEAN if a
 * buddy or a list is damaged (nothing changed).
 */
static int mh_buddy_release(struct mh_heap *h, const struct mh_block *b,
			    const struct mh_delta *d, struct mh_freed *fr)
{
	const struct mh_hdr *hd = &b->hd;
	struct mh_delta dm = *d;
	struct mh_buddy_plan p;
	u32 off = b->off, lo = off, s = hd->size, bud, i;
	int err;

	err = mh_buddy_plan(h, off, hd, &p);
	if (err)
		return err;
	dm.free_blocks -= p.merges;
	if (!mh_delta_ok(h, &dm))
		return -EUCLEAN;
	mh_poison(h, off + MH_HDR_SIZE, off + hd->size);
	for (i = 0; i < p.merges; i++, s <<= 1) {
		bud = p.bud[i];
		mh_list_unlink(h, mh_buddy_list_of(s), bud, &p.links[i]);
		mh_absorb(h, bud > lo ? bud : lo);
		if (bud < lo)
			lo = bud;
		mh_emit(h, MH_EV_COALESCE, lo, s << 1);
	}
	mh_write_free(h, lo, s, p.low.prev_free);
	mh_list_push(h, mh_buddy_list_of(s), lo);
	mh_set_prev_free(h, lo + s, &p.after, true);
	fr->merges = p.merges;
	fr->freed_size = hd->size;
	fr->block = lo;
	fr->size = s;
	if (lo < off) {
		fr->flags |= MH_FREED_LEFT;
		fr->left = lo;
		fr->left_size = off - lo;
	}
	if (lo + s > off + hd->size) {
		fr->flags |= MH_FREED_RIGHT;
		fr->right = off + hd->size;
		fr->right_size = lo + s - (off + hd->size);
	}
	return 0;
}

/*
 * Resize the block in use @b in place (ops.resize): a block never grows in
 * place; it shrinks by giving back its upper halves. Writes its header for
 * @req requested bytes and sets @new_size. 0, -ENOSPC (it must move) or
 * -EUCLEAN (nothing changed).
 */
static int mh_buddy_resize(struct mh_heap *h, const struct mh_block *b,
			   u32 need, u32 req, u32 *new_size)
{
	u32 size = b->hd.size, want = mh_buddy_size_for(need), halves;
	u32 heads[MH_BUDDY_ORDERS];
	struct mh_delta d = {
		.requested = (s64)req - (size - MH_HDR_SIZE - b->hd.slack),
	};

	if (want > size)
		return -ENOSPC;
	if (want < size) {
		d.granted = -(s64)(size - want);
		d.free_blocks = mh_fls(size) - mh_fls(want);
		d.free_bytes = size - want;
	}
	if (!mh_delta_ok(h, &d) ||
	    (want < size && !mh_buddy_halves_ok(h, size, want)))
		return -EUCLEAN;
	if (want < size) {
		mh_poison(h, b->off + want, b->off + size);
		halves = mh_buddy_split(h, b->off, size, want, heads);
		mh_set_prev_free(h, b->off + size, &b->end_hd, true);
		h->free_blocks += halves;
		h->free_bytes += size - want;
	}
	mh_write_used(h, b->off, want, b->hd.prev_free, req);
	*new_size = want;
	return 0;
}

/*
 * Tile an empty heap with the largest aligned power-of-two blocks
 * (ops.layout; the span is a multiple of MH_MIN_BLOCK, ops.span_unit).
 */
static void mh_buddy_layout(struct mh_heap *h)
{
	u32 end, size;

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

/* The orders' bitmap: bit k of h->fl_bitmap set iff order k is non-empty. */
static void mh_buddy_mark(struct mh_heap *h, u32 list, bool nonempty)
{
	if (nonempty)
		h->fl_bitmap |= 1u << list;
	else
		h->fl_bitmap &= ~(1u << list);
}

static bool mh_buddy_marked(const struct mh_heap *h, u32 list)
{
	return (h->fl_bitmap >> list) & 1;
}

static bool mh_buddy_bitmaps_ok(const struct mh_heap *h)
{
	u32 fl;

	for (fl = 0; fl < MH_FL_COUNT; fl++)
		if (h->sl_bitmap[fl])
			return false;
	return !(h->fl_bitmap >> MH_BUDDY_ORDERS);
}

static bool mh_buddy_block_ok(const struct mh_heap *h, u32 off, u32 size)
{
	return mh_buddy_aligned(h, off, size);
}

/* A free buddy block whose buddy is free and whole should have merged. */
static enum mh_violation_kind mh_buddy_check_block(const struct mh_heap *h,
						   u32 off,
						   const struct mh_hdr *hd)
{
	u32 bud;
	struct mh_hdr bh;

	if (!mh_buddy_aligned(h, off, hd->size))
		return MH_V_BUDDY;
	bud = mh_buddy_of(h, off, hd->size);
	/* the region as it is: the bitmap is cross-checked on its own */
	if (!hd->used && bud > off && bud <= h->heap_end - hd->size &&
	    mh_block_placed(h, bud) && mh_hdr_decode(h, bud, &bh) &&
	    mh_hdr_sane(h, bud, &bh) && !bh.used && bh.size == hd->size)
		return MH_V_BUDDY;
	return MH_V_NONE;
}

const struct mh_policy_ops mh_buddy_ops = {
	.name = "buddy",
	.max_align = MH_ALIGN,	/* payloads sit 16 bytes past a boundary */
	.span_unit = MH_MIN_BLOCK,
	.nr_lists = MH_BUDDY_ORDERS,
	.list_kind = "order",
	.list_show_empty = true,
	.list_of = mh_buddy_list_of,
	.class_range = mh_buddy_class_range,
	.block_size = mh_buddy_size_for,
	.find = mh_buddy_find,
	.mark = mh_buddy_mark,
	.marked = mh_buddy_marked,
	.bitmaps_ok = mh_buddy_bitmaps_ok,
	.block_ok = mh_buddy_block_ok,
	.check_block = mh_buddy_check_block,
	.layout = mh_buddy_layout,
	.take = mh_buddy_take,
	.untake = mh_buddy_untake,
	.release = mh_buddy_release,
	.release_ok = mh_buddy_release_ok,
	.resize = mh_buddy_resize,
};
