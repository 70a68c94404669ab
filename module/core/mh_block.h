/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mh_block.h - private to the core: how blocks, headers, boundary tags and
 * free-list links are laid out in the region, and the validated accessors
 * every other core file goes through.
 *
 * The region is untrusted (userspace can map and scribble it, also in the
 * middle of an operation), so the core keeps one rule:
 *
 *   READ ONCE. Within an operation every region word the core depends on
 *   is loaded once, into a local. Validation fills a plan (the block, its
 *   neighbours, their headers, their list links, the list indices) and the
 *   writers use only the plan: no link is re-read after its *_ok() check,
 *   no header just written is decoded again to learn a length, no link is
 *   followed twice. A value from the region reaches the control structure
 *   (heads, rover, bitmaps, totals) only after it was validated as a value
 *   that structure may hold, and every list index derived from region data
 *   is range-checked before it indexes h->heads[]. Every loop over region
 *   data has a bound the region cannot move: a counter (the heap's block
 *   count for a list, MH_BUDDY_ORDERS for merges), or forward progress to
 *   the heap's end (a walk along the blocks, a byte range).
 *
 *   WHERE BLOCKS ARE is not region data. The core's block-start bitmap
 *   (h->starts, caller memory) says where it made blocks; a header is read
 *   only where a bit is set (mh_block_read(), mh_lookup()), and a size
 *   that decides a write is believed only if the bitmap agrees it is one
 *   block (mh_starts_agree()). A header may pass its check by trial; it
 *   cannot move a block boundary.
 *
 * Mechanically:
 *   - every load goes through mh_ld32/mh_ld64 (or mh_poison_intact() for a
 *     bulk check), which refuse offsets outside the region and give the
 *     native attacker hook its chance to rewrite the region before the load;
 *   - every store goes through mh_st32/mh_st64, which refuse offsets outside
 *     the region, so no logic error can ever touch memory outside it.
 */
#ifndef MH_BLOCK_H
#define MH_BLOCK_H

#include "mh_core.h"

/* Header word fields. */
#define MH_SIZE_BITS		24
#define MH_SIZE_MASK		((1ull << MH_SIZE_BITS) - 1)
#define MH_USED_BIT		BIT_ULL(24)
#define MH_PREV_FREE_BIT	BIT_ULL(25)
#define MH_SLACK_SHIFT		26
#define MH_SLACK_MASK		((1ull << 28) - 1)
#define MH_CHECK_SHIFT		54
#define MH_FIELDS_MASK		((1ull << MH_CHECK_SHIFT) - 1)

/* Where things are inside a block, relative to its header. */
#define MH_NEXT_AT		8u	/* free: next free block */
#define MH_PREV_AT		12u	/* free: previous free block */
#define MH_META_HEAD		16u	/* free: header + links */
#define MH_TAG_SIZE		4u	/* free: boundary tag at the end */
#define MH_FIRST_BLOCK		MH_HDR_SIZE	/* first header: payload at 16 */
static_assert(MH_NEXT_AT + 4 == MH_PREV_AT, "links are adjacent");
static_assert((MH_HDR_SIZE + MH_NEXT_AT) % 8 == 0, "links share a word");

/* Eight poison bytes: what a wiped header reads as. */
#define MH_POISON_WORD		0x6b6b6b6b6b6b6b6bull
static_assert(MH_POISON == 0x6b, "MH_POISON_WORD repeats MH_POISON");

/* No list holds offset 0: it is inside the start pad, never a block. */
#define MH_NIL			0u

static_assert(MH_META_HEAD + MH_TAG_SIZE <= MH_MIN_BLOCK, "free block metadata");
static_assert(MH_MAX_REGION <= (MH_SIZE_MASK + 1) * MH_ALIGN, "size field");
static_assert(MH_MAX_REGION <= (MH_SLACK_MASK + 1), "slack field");

/**
 * struct mh_hdr - a decoded header.
 * @size: block size in bytes.
 * @used: block in use.
 * @prev_free: the previous block is free (its boundary tag is valid).
 * @slack: granted payload minus requested bytes.
 */
struct mh_hdr {
	u32 size;
	bool used;
	bool prev_free;
	u32 slack;
};

static inline u32 mh_ld32(const struct mh_heap *h, u32 off)
{
	if (unlikely(off > h->region_size - 4))
		return 0;
	mh_port_before_load(h->base, off, 4);
	return READ_ONCE(*(u32 *)(h->base + off));
}

static inline void mh_st32(struct mh_heap *h, u32 off, u32 val)
{
	if (likely(off <= h->region_size - 4))
		WRITE_ONCE(*(u32 *)(h->base + off), val);
}

static inline u64 mh_ld64(const struct mh_heap *h, u32 off)
{
	if (unlikely(off > h->region_size - 8))
		return 0;
	mh_port_before_load(h->base, off, 8);
	return READ_ONCE(*(u64 *)(h->base + off));
}

static inline void mh_st64(struct mh_heap *h, u32 off, u64 val)
{
	if (likely(off <= h->region_size - 8))
		WRITE_ONCE(*(u64 *)(h->base + off), val);
}

/* The 10-bit check: a multiplicative hash of fields, offset and salt. */
static inline u64 mh_check_of(const struct mh_heap *h, u32 off, u64 fields)
{
	u64 x = fields ^ ((u64)off << 28) ^ ((u64)h->salt << 32);

	x *= 0x9e3779b97f4a7c15ull;
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	return x >> (64 - 10);
}

static inline u64 mh_hdr_encode(const struct mh_heap *h, u32 off,
				const struct mh_hdr *hd)
{
	u64 w = (u64)(hd->size / MH_ALIGN) |
		(hd->used ? MH_USED_BIT : 0) |
		(hd->prev_free ? MH_PREV_FREE_BIT : 0) |
		((u64)hd->slack << MH_SLACK_SHIFT);

	return w | mh_check_of(h, off, w) << MH_CHECK_SHIFT;
}

/*
 * Decode the header at @off; false if its check fails. Poisoned memory is
 * never a header, whatever its check says, so a wiped header stays dead.
 */
static inline bool mh_hdr_decode(const struct mh_heap *h, u32 off,
				 struct mh_hdr *hd)
{
	u64 w = mh_ld64(h, off);
	u64 fields = w & MH_FIELDS_MASK;

	hd->size = (u32)(fields & MH_SIZE_MASK) * MH_ALIGN;
	hd->used = fields & MH_USED_BIT;
	hd->prev_free = fields & MH_PREV_FREE_BIT;
	hd->slack = (u32)((fields >> MH_SLACK_SHIFT) & MH_SLACK_MASK);
	return w != MH_POISON_WORD &&
	       (w >> MH_CHECK_SHIFT) == mh_check_of(h, off, fields);
}

static inline void mh_hdr_write(struct mh_heap *h, u32 off,
				const struct mh_hdr *hd)
{
	mh_st64(h, off, mh_hdr_encode(h, off, hd));
}

/*
 * The block-start bitmap (trusted, caller memory): bit off / 16 is set iff
 * the core made a block whose header is at @off (8 mod 16). Marked by the
 * writers of headers (mh_write_free(), mh_write_used()), cleared by
 * mh_wipe_header(); only offsets inside the heap are ever marked.
 */
static inline u32 mh_granule(u32 off)
{
	return off / MH_ALIGN;
}

/*
 * Three summary levels keep a scan over a large block short: bit w of
 * starts_l1 says word w of starts is nonzero, bit x of starts_l2 says word
 * x of starts_l1 is, bit k of starts_l3 says word k of starts_l2 is. A
 * 256 MiB region has at most 64 words of starts_l2, so one of starts_l3
 * (on a 64-bit build).
 */
#define MH_BPL		(8 * (u32)sizeof(unsigned long))

static inline void mh_start_mark(struct mh_heap *h, u32 off)
{
	u32 g = mh_granule(off);

	if (unlikely(off >= h->heap_end))
		return;
	mh_port_set_bit(h->starts, g);
	mh_port_set_bit(h->starts_l1, g / MH_BPL);
	mh_port_set_bit(h->starts_l2, g / MH_BPL / MH_BPL);
	mh_port_set_bit(h->starts_l3, g / MH_BPL / MH_BPL / MH_BPL);
}

static inline void mh_start_unmark(struct mh_heap *h, u32 off)
{
	u32 g = mh_granule(off);

	if (unlikely(off >= h->heap_end))
		return;
	mh_port_clear_bit(h->starts, g);
	if (h->starts[g / MH_BPL])
		return;
	mh_port_clear_bit(h->starts_l1, g / MH_BPL);
	if (h->starts_l1[g / MH_BPL / MH_BPL])
		return;
	mh_port_clear_bit(h->starts_l2, g / MH_BPL / MH_BPL);
	if (!h->starts_l2[g / MH_BPL / MH_BPL / MH_BPL])
		mh_port_clear_bit(h->starts_l3, g / MH_BPL / MH_BPL / MH_BPL);
}

static inline u32 mh_min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/*
 * First granule in [@from, @end) where a block starts, or @end: the rest
 * of @from's word, then the rest of its summary word, then the rest of
 * its second summary word, then the third summary level (one word, for
 * the largest region on a 64-bit build). Each level is a word read and a
 * find-first-set; no scan passes @end.
 */
static inline u32 mh_starts_next(const struct mh_heap *h, u32 from, u32 end)
{
	u32 w = from / MH_BPL, x, y, last;
	unsigned long v;

	if (from >= end)
		return end;
	v = h->starts[w] & (~0ul << (from % MH_BPL));
	if (v)
		goto found;
	if (++w * MH_BPL >= end)
		return end;
	/* the next nonzero word of starts, from the summaries */
	x = w / MH_BPL;
	v = h->starts_l1[x] & (~0ul << (w % MH_BPL));
	if (!v) {
		unsigned long top, t3;
		u32 k, klast, j;

		last = (end - 1) / MH_BPL / MH_BPL;	/* last l1 word to look at */
		y = x + 1;
		if (y > last)
			return end;
		k = y / MH_BPL;
		klast = last / MH_BPL;	/* last l2 word to look at */
		top = h->starts_l2[k] & (~0ul << (y % MH_BPL));
		if (!top) {
			/*
			 * The next nonzero word of starts_l2, from starts_l3:
			 * a free block over most of a large heap (the top of
			 * a fresh one) costs a word read, not a scan.
			 */
			if (++k > klast)
				return end;
			j = k / MH_BPL;
			t3 = h->starts_l3[j] & (~0ul << (k % MH_BPL));
			while (!t3 && j < klast / MH_BPL &&
			       j + 1 < MH_STARTS_L3_LONGS)
				t3 = h->starts_l3[++j];
			if (!t3)
				return end;
			k = j * MH_BPL + mh_port_ffs_long(t3);
			if (k > klast)
				return end;
			top = h->starts_l2[k];
			if (!top)
				return end;	/* summaries disagree */
		}
		y = k * MH_BPL + mh_port_ffs_long(top);
		if (y > last)
			return end;
		v = h->starts_l1[y];
		if (!v)
			return end;	/* summaries disagree: never for the core's own */
		x = y;
	}
	w = x * MH_BPL + mh_port_ffs_long(v);
	v = h->starts[w];
	if (!v)
		return end;	/* summaries disagree: never for the core's own */
found:
	w = w * MH_BPL + mh_port_ffs_long(v);
	return mh_min_u32(w, end);
}

/* Does a block start at @off (< heap end), as the core made it? */
static inline bool mh_start_at(const struct mh_heap *h, u32 off)
{
	return off < h->heap_end && mh_port_test_bit(h->starts, mh_granule(off));
}

/*
 * Does the bitmap agree that [@off, @off + @size) is one block? A block
 * starts at @off, none inside, and the next starts at its end (or the heap
 * ends there). Needs @off + @size <= heap end (mh_hdr_sane()). A bounded
 * scan: at most @size / 16 bits, a word at a time.
 */
static inline bool mh_starts_agree(const struct mh_heap *h, u32 off,
				   u32 size)
{
	u32 i = mh_granule(off), e = mh_granule(off + size);

	return mh_start_at(h, off) && mh_starts_next(h, i + 1, e) == e &&
	       (off + size == h->heap_end || mh_port_test_bit(h->starts, e));
}

/* Could a block start at @off? (alignment and bounds only) */
static inline bool mh_block_placed(const struct mh_heap *h, u32 off)
{
	return off >= MH_FIRST_BLOCK && off % MH_ALIGN == MH_HDR_SIZE &&
	       off <= h->heap_end - MH_MIN_BLOCK;
}

/* A header whose check passes and whose size fits the heap from @off. */
static inline bool mh_hdr_sane(const struct mh_heap *h, u32 off,
			       const struct mh_hdr *hd)
{
	return hd->size >= MH_MIN_BLOCK && hd->size <= h->heap_end - off &&
	       hd->slack <= hd->size - MH_HDR_SIZE &&
	       (hd->used || hd->slack == 0);
}

/*
 * Decode and check the header at @off, where the caller has just found
 * the start bit set (so a block the core made, placed as one): the rest
 * of mh_block_read().
 */
static inline bool mh_start_read(const struct mh_heap *h, u32 off,
				 struct mh_hdr *hd)
{
	return mh_hdr_decode(h, off, hd) && mh_hdr_sane(h, off, hd);
}

/*
 * Read and fully validate the block header at @off: only where the bitmap
 * says a block starts (so no header forged inside a payload is read), its
 * size not yet checked against the bitmap (mh_starts_agree() does that
 * where a size decides a write).
 */
static inline bool mh_block_read(const struct mh_heap *h, u32 off,
				 struct mh_hdr *hd)
{
	return mh_block_placed(h, off) && mh_start_at(h, off) &&
	       mh_start_read(h, off, hd);
}

/*
 * mh_starts_agree() and then the header at the block's end: the heap's end,
 * or a valid header (read once into @hd) whose PREV_FREE says @free. The
 * bitmap test at the end has just found a block the core made there, so
 * its placement is not tested again (mh_block_read() would).
 */
static inline bool mh_span_agrees(const struct mh_heap *h, u32 off, u32 size,
				  bool free, struct mh_hdr *hd)
{
	u32 end = off + size;

	if (!mh_starts_agree(h, off, size))
		return false;
	if (end == h->heap_end)
		return true;
	return mh_start_read(h, end, hd) && hd->prev_free == free;
}

/* Read the block at @off and require it to be free. */
static inline bool mh_free_read(const struct mh_heap *h, u32 off,
				struct mh_hdr *hd)
{
	return mh_block_read(h, off, hd) && !hd->used;
}

/**
 * struct mh_links - the list links of a free block, as read once.
 * @prev: previous block on its list (MH_NIL: it is the head).
 * @next: next block on its list (MH_NIL: it is the last).
 */
struct mh_links {
	u32 prev;
	u32 next;
};

/* Both links in one load: they share an aligned 8-byte word. */
static inline void mh_links_read(const struct mh_heap *h, u32 off,
				 struct mh_links *l)
{
	u64 w = mh_ld64(h, off + MH_NEXT_AT);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	l->next = (u32)w;
	l->prev = (u32)(w >> 32);
#else
	l->next = (u32)(w >> 32);
	l->prev = (u32)w;
#endif
}

static inline bool mh_is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

/* Index of the highest set bit (x != 0). */
static inline unsigned int mh_fls(u64 x)
{
	return 63 - __builtin_clzll(x);
}

/* Index of the lowest set bit (x != 0). */
static inline unsigned int mh_ffs(u64 x)
{
	return __builtin_ctzll(x);
}

#endif /* MH_BLOCK_H */
