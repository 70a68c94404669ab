/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mh_policy.h - private to the core: the free lists and the interface each
 * placement policy implements.
 *
 * Every policy keeps its free blocks on doubly linked lists threaded through
 * the blocks' payloads (h->heads[list] is the first block). The policies
 * differ in how many lists there are, which list a block of a given size
 * belongs on, how a search picks a block, and in whatever else struct
 * mh_policy_ops lists (the core asks the ops, never the policy's number):
 *   - the fit policies (mh_fit.c): one list, in address order unless the
 *     heap's list-order knob says otherwise (enum mh_list_order);
 *   - segregated fit (mh_seg.c): TLSF classes with two bitmap levels;
 *   - buddy (mh_buddy.c): one list per power-of-two order;
 *   - pools (mh_pool.c): segregated fit's lists for blocks, and lists of
 *     runs with a free slot per slot class (h->pool_heads[]).
 *
 * Operations validate everything they will write through before writing
 * anything, and the validation is the plan the writers follow (the read-once
 * rule of mh_block.h): mh_list_unlink_ok() reads a block's links once into
 * a struct mh_links that mh_list_unlink() or mh_list_replace() then uses;
 * mh_list_push_ok() checks the head a later mh_list_push() will link to.
 * That is what lets a failed operation leave the heap untouched, and what
 * keeps a scribbler from choosing what reaches h->heads[] or h->rover.
 */
#ifndef MH_POLICY_H
#define MH_POLICY_H

#include "mh_block.h"

/**
 * struct mh_found - a free block a search picked, as it read it.
 * @off: its offset.
 * @hd: its header (a valid free block's).
 * @links: its list links (not yet checked against its neighbours).
 */
struct mh_found {
	u32 off;
	struct mh_hdr hd;
	struct mh_links links;
};

struct mh_take;
struct mh_block;
struct mh_delta;

/**
 * struct mh_policy_ops - everything that distinguishes one placement
 * policy. Adding a policy is one file defining one of these, plus its
 * entry in mh_policy_table[] (mh_list.c) and enum mh_policy.
 *
 * What the lists are:
 * @name: as accepted by mh_policy_parse(): the core's one table of policy
 *	names, which the module (parameters, debugfs, log lines) uses too.
 * @address_ordered: one list, kept in the heap's h->list_order (address
 *	order by default): the fit policies, whose knobs mh_set_knobs() sets.
 * @rover: searches resume at a roving pointer, h->rover (next fit).
 * @coalesces: free neighbours merge, so two adjacent free blocks are
 *	damage (every policy but buddy, whose blocks merge only with their
 *	buddy), unless the heap's h->no_coalesce knob is set (mh_coalescing()).
 * @slots: small requests go to slots of runs (mh_pool.h): a free, query
 *	or realloc of an offset where no block starts asks mh_pool.c, and a
 *	block that would move may slide down instead (mh_slide()).
 * @max_align: largest payload alignment mh_alloc() honours.
 * @span_unit: the heap's span (heap_end - MH_FIRST_BLOCK) is a multiple
 *	of this power of two (MH_ALIGN, or MH_MIN_BLOCK for buddy's tiling).
 * @nr_lists: lists in use (at most MH_NR_LISTS).
 * @list_kind: what dumps call one list ("class", "order"), NULL for the
 *	single list of the address-ordered policies.
 * @list_show_empty: dumps name the empty lists too (buddy's orders).
 * @list_of: list a free block of @size belongs on.
 * @class_range: smallest and largest block size list @list holds.
 * @block_size: NULL, or the block size the policy hands out for a block of
 *	@need bytes (a multiple of 16, at least MH_MIN_BLOCK; buddy: the
 *	next power of two).
 * @find: pick a free block for a block of @need bytes whose payload is
 *	aligned to @align; fill @got with it as read (once) on the way.
 *	Return 0, -ENOMEM or -EUCLEAN. Adds the blocks it examined to
 *	@examined. Changes nothing (next fit's rover moves only when the
 *	allocation succeeds).
 *
 * The class bitmaps (h->fl_bitmap, h->sl_bitmap), NULL for a policy that
 * keeps none (then both must stay zero):
 * @mark: keep the bitmaps in step with list @list being (non-)empty.
 * @marked: does the bitmap say list @list is non-empty?
 * @bitmaps_ok: are the bitmaps sound on their own: no bit for a list the
 *	policy does not use, the levels agree with each other? (Whether each
 *	list's bit agrees with its head, the core checks through @marked.)
 *
 * What a block of the policy must be, NULL when any block will do:
 * @block_ok: could [@off, @off + @size) be a block (buddy: a power of two
 *	aligned to its size)? A block in use that is not is damage.
 * @check_block: what mh_check() finds wrong with the block @hd at @off
 *	beyond the rules every policy shares: MH_V_NONE, or a violation kind
 *	(buddy: misaligned, or free beside its free whole buddy).
 *
 * Split and merge rules: NULL for the core's (a free block is split into
 * a front gap, the block and a tail; a freed block coalesces with both
 * free neighbours); a policy with rules of its own sets all of them:
 * @layout: tile an empty heap (h->heap_end set, lists empty) with free
 *	blocks: push each, and count them in h->free_blocks, h->free_bytes.
 * @take: take a block of @need bytes (already @block_size) for @req
 *	requested bytes, payload aligned to @align; @t is the plan carried
 *	out, for @untake. Return 0, -ENOMEM or -EUCLEAN (nothing changed).
 * @untake: undo @take from its plan alone; cannot fail, reads nothing.
 * @release: free the validated block in use @b, @d what the free adds to
 *	the totals before merges; say in @fr what it did (struct mh_freed:
 *	@fr->merges the blocks merged away, the free block that resulted,
 *	the bytes merged on either side; add to @fr->flags, set the rest).
 *	Return 0 or -EUCLEAN (nothing changed).
 * @release_ok: could @b be released now? (for a realloc that must know
 *	before it moves the block) Return 0 or -EUCLEAN; changes nothing.
 * @resize: resize @b in place to @need bytes for @req requested bytes,
 *	writing its header; set @new_size. Return 0, -ENOSPC (it must move)
 *	or -EUCLEAN (nothing changed).
 */
struct mh_policy_ops {
	const char *name;
	bool address_ordered;
	bool rover;
	bool coalesces;
	bool slots;
	u32 max_align;
	u32 span_unit;
	u32 nr_lists;
	const char *list_kind;
	bool list_show_empty;
	u32 (*list_of)(u32 size);
	void (*class_range)(const struct mh_heap *h, u32 list, u32 *min,
			    u32 *max);
	u32 (*block_size)(u32 need);
	int (*find)(const struct mh_heap *h, u32 need, u32 align,
		    struct mh_found *got, u32 *examined);

	void (*mark)(struct mh_heap *h, u32 list, bool nonempty);
	bool (*marked)(const struct mh_heap *h, u32 list);
	bool (*bitmaps_ok)(const struct mh_heap *h);

	bool (*block_ok)(const struct mh_heap *h, u32 off, u32 size);
	enum mh_violation_kind (*check_block)(const struct mh_heap *h, u32 off,
					      const struct mh_hdr *hd);

	void (*layout)(struct mh_heap *h);
	int (*take)(struct mh_heap *h, u32 need, u32 align, u32 req,
		    struct mh_take *t);
	void (*untake)(struct mh_heap *h, const struct mh_take *t);
	int (*release)(struct mh_heap *h, const struct mh_block *b,
		       const struct mh_delta *d, struct mh_freed *fr);
	int (*release_ok)(const struct mh_heap *h, const struct mh_block *b);
	int (*resize)(struct mh_heap *h, const struct mh_block *b, u32 need,
		      u32 req, u32 *new_size);
};

/**
 * struct mh_block - a block in use, as mh_lookup() validated it.
 * @off: its offset (header).
 * @hd: its header, read once.
 * @end: offset one past it.
 * @end_hd: the header at @end (read once), when @end is not the heap's end.
 */
struct mh_block {
	u32 off;
	struct mh_hdr hd;
	u32 end;
	struct mh_hdr end_hd;
};

/**
 * struct mh_take - the plan of an allocation, and what undoes it.
 * @f: the free block taken from.
 * @fh: its header, as validated.
 * @fl: its list links, as validated.
 * @list: its list.
 * @u: the block handed out.
 * @usize: its size.
 * @gap: bytes left free in front of @u (at @f), 0 if none.
 * @tail: bytes left free after @u, 0 if none.
 * @end: the block after @f (== heap end if none).
 * @end_hd: its header, as validated (PREV_FREE set: @f is free).
 * @rover: next fit's rover before the allocation.
 * @gap_at: where the gap went on its list (when @f was unlinked).
 * @tail_at: where the tail went on its list (after the gap went on).
 * @halves: buddy: halves split off.
 * @half_heads: buddy: head of each order's list when its half was pushed.
 */
struct mh_take {
	u32 f;
	struct mh_hdr fh;
	struct mh_links fl;
	u32 list;
	u32 u;
	u32 usize;
	u32 gap;
	u32 tail;
	u32 end;
	struct mh_hdr end_hd;
	u32 rover;
	struct mh_links gap_at;
	struct mh_links tail_at;
	u32 halves;
	u32 half_heads[MH_BUDDY_ORDERS];
};

extern const struct mh_policy_ops mh_first_fit_ops;
extern const struct mh_policy_ops mh_next_fit_ops;
extern const struct mh_policy_ops mh_best_fit_ops;
extern const struct mh_policy_ops mh_worst_fit_ops;
extern const struct mh_policy_ops mh_seg_ops;
extern const struct mh_policy_ops mh_buddy_ops;
extern const struct mh_policy_ops mh_pool_ops;

extern const struct mh_policy_ops *const mh_policy_table[MH_NR_POLICIES];

static inline const struct mh_policy_ops *mh_ops(const struct mh_heap *h)
{
	return h->ops;
}

/* The list a free block of @size belongs on. */
static inline u32 mh_list_of(const struct mh_heap *h, u32 size)
{
	return mh_ops(h)->list_of(size);
}

/* Most list nodes a walk may visit before it must be a loop. */
static inline u32 mh_max_blocks(const struct mh_heap *h)
{
	return h->heap_end / MH_MIN_BLOCK + 1;
}

/**
 * struct mh_delta - what an operation will add to the heap's totals.
 * @used: blocks in use.
 * @granted: payload bytes granted.
 * @requested: bytes requested.
 * @free_blocks: free blocks.
 * @free_bytes: bytes of free blocks.
 */
struct mh_delta {
	s64 used;
	s64 granted;
	s64 requested;
	s64 free_blocks;
	s64 free_bytes;
};

/*
 * Would the totals still fit together (as mh_check_control() requires)
 * after adding @d? Sizes come from headers, and a header can be forged so
 * well that nothing in the region gives it away (a used block swallowing
 * its used neighbour, ending on a header that agrees): such a size must
 * still never drive the control structure into values it may not hold.
 */
static inline bool mh_delta_ok(const struct mh_heap *h,
			       const struct mh_delta *d)
{
	s64 span = h->heap_end - MH_FIRST_BLOCK;
	s64 used = (s64)h->used_blocks + d->used;
	s64 granted = (s64)h->granted + d->granted;
	s64 req = (s64)h->requested + d->requested;
	s64 fblocks = (s64)h->free_blocks + d->free_blocks;
	s64 fbytes = (s64)h->free_bytes + d->free_bytes;

	return used >= 0 && fblocks >= 0 && granted >= 0 && fbytes >= 0 &&
	       granted + used * MH_HDR_SIZE + fbytes == span &&
	       granted >= used * (MH_MIN_BLOCK - MH_HDR_SIZE) &&
	       fbytes >= fblocks * MH_MIN_BLOCK && !fblocks == !fbytes &&
	       req <= granted && req >= used;
}

/*
 * Could one free block be @size bytes? The control structure's own totals
 * bound it: all the free bytes, less the minimum of every other free block.
 * A forged free size reaching over live blocks usually exceeds it.
 */
static inline bool mh_free_size_ok(const struct mh_heap *h, u32 size)
{
	return h->free_blocks &&
	       size <= h->free_bytes - (h->free_blocks - 1) * MH_MIN_BLOCK;
}

/* The heap's one list is in address order (the fit policies' default). */
static inline bool mh_addr_ordered(const struct mh_heap *h)
{
	return mh_ops(h)->address_ordered && h->list_order == MH_ORDER_ADDR;
}

/* The heap's one list is sorted by size (a fit policy's knob). */
static inline bool mh_size_ordered(const struct mh_heap *h)
{
	return h->list_order == MH_ORDER_SIZE_UP ||
	       h->list_order == MH_ORDER_SIZE_DOWN;
}

/*
 * The rest of a split (or grown-into) free block keeps the block's place
 * in the list: the fit policies, unless their list is sorted by size. The
 * other policies unlink it and put what is left where it belongs.
 */
static inline bool mh_keeps_place(const struct mh_heap *h)
{
	return mh_ops(h)->address_ordered && !mh_size_ordered(h);
}

/* Does a freed block merge with its free neighbours? */
static inline bool mh_coalescing(const struct mh_heap *h)
{
	return mh_ops(h)->coalesces && !h->no_coalesce;
}

/*
 * On an address-ordered list, the free block [@off, @off + @size) lies
 * strictly between its list neighbours @l, with room for a block in use
 * on each side when free blocks never touch (coalescing on). A forged size
 * that reaches over the next free block (and so over any block in use
 * before it) fails.
 */
static inline bool mh_in_order(const struct mh_heap *h, u32 off, u32 size,
			       const struct mh_links *l)
{
	u32 room = mh_coalescing(h) ? MH_MIN_BLOCK : 0;

	if (!mh_addr_ordered(h))
		return true;
	return (l->prev == MH_NIL || l->prev < off) &&
	       (l->next == MH_NIL || (u64)l->next >= (u64)off + size + room);
}

/*
 * Where the payload of a block of @need bytes goes inside the free block
 * [@off, @off + @size) for alignment @align: the block's offset, or 0 when
 * it does not fit. A gap left in front is always large enough to be a free
 * block of its own.
 */
static inline u32 mh_fit_at(u32 off, u32 size, u32 need, u32 align)
{
	u32 payload = off + MH_HDR_SIZE;
	u32 aligned = (payload + align - 1) & ~(align - 1);

	if (aligned != payload && aligned - payload < MH_MIN_BLOCK)
		aligned += align;
	if ((u64)aligned - MH_HDR_SIZE + need > (u64)off + size)
		return 0;
	return aligned - MH_HDR_SIZE;
}

bool mh_list_unlink_ok(const struct mh_heap *h, u32 list, u32 off,
		       struct mh_links *l);
bool mh_list_links_ok(const struct mh_heap *h, u32 list, u32 off,
		      const struct mh_links *l);
void mh_list_unlink(struct mh_heap *h, u32 list, u32 off,
		    const struct mh_links *l);
bool mh_list_push_ok(const struct mh_heap *h, u32 list, u32 a,
		     const struct mh_links *la, u32 b,
		     const struct mh_links *lb);
void mh_list_push(struct mh_heap *h, u32 list, u32 off);
void mh_list_mark(struct mh_heap *h, u32 list, bool nonempty);
void mh_list_replace(struct mh_heap *h, u32 list, u32 old,
		     const struct mh_links *l, u32 off);
void mh_list_insert(struct mh_heap *h, u32 list, u32 off,
		    const struct mh_links *at);
int mh_list_pred(const struct mh_heap *h, u32 list, u32 off,
		 struct mh_links *at);
bool mh_order_before(u32 order, u32 a, u32 asize, u32 b, u32 bsize);
int mh_list_place(const struct mh_heap *h, u32 list, u32 off, u32 size,
		  u32 a, const struct mh_links *la, u32 b,
		  const struct mh_links *lb, struct mh_links *at);
void mh_links_inserted(const struct mh_heap *h, struct mh_links *at, u32 off,
		       u32 size, u32 first, u32 first_size,
		       const struct mh_links *first_at);
void mh_links_unlinked(struct mh_links *l, u32 gone,
		       const struct mh_links *gl);

bool mh_end_agrees(const struct mh_heap *h, u32 end, bool free,
		   struct mh_hdr *hd);
bool mh_free_ends_ok(const struct mh_heap *h, u32 off, u32 size,
		     struct mh_hdr *hd);
void mh_write_free(struct mh_heap *h, u32 off, u32 size, bool prev_free);
void mh_set_prev_free(struct mh_heap *h, u32 off, const struct mh_hdr *hd,
		      bool prev_free);
void mh_wipe_header(struct mh_heap *h, u32 off);
void mh_absorb(struct mh_heap *h, u32 off);
void mh_write_used(struct mh_heap *h, u32 off, u32 size, bool prev_free,
		   u32 req);
void mh_poison(struct mh_heap *h, u32 from, u32 to);
bool mh_poison_intact(const struct mh_heap *h, u32 from, u32 to);
void mh_emit(struct mh_heap *h, enum mh_event ev, u32 off, u32 size);

/* Bookkeeping a policy's own split/merge rules share with the core's. */
void mh_count_search(struct mh_heap *h, u32 examined);
int mh_poison_broken(struct mh_heap *h);

#endif /* MH_POLICY_H */
