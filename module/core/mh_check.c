// SPDX-License-Identifier: GPL-2.0
/*
 * mh_check.c - the integrity checker, the oracle tests and fuzzers call
 * after every operation.
 *
 * It walks the physical block chain and every free list and cross-checks
 * them against each other and against the control structure's totals. It
 * reads only through the bounds-checked accessors; a list walk stops after
 * the number of blocks the heap can hold and the chain walk moves forward
 * by at least MH_MIN_BLOCK bytes a step, so a region full of garbage
 * yields violations, never a crash or a hang.
 */
#include "mh_pool.h"

/**
 * struct mh_checker - violations found so far, and the heap they are in.
 * @h: the heap.
 * @count: violations found.
 * @first: the first of them.
 */
struct mh_checker {
	const struct mh_heap *h;
	int count;
	struct mh_violation first;
};

static void mh_violation(struct mh_checker *c, enum mh_violation_kind kind,
			 u32 off)
{
	if (!c->count++) {
		c->first.kind = kind;
		c->first.offset = off;
	}
}

/* The phases of a check done in steps (struct mh_check_state). */
enum { MH_CHECK_CHAIN, MH_CHECK_LISTS, MH_CHECK_DONE };

static void mh_check_bitmaps(struct mh_checker *c);

/* The chain walk is over (complete or broken): on to the lists. */
static void mh_chain_done(struct mh_checker *c, struct mh_check_state *s)
{
	mh_check_bitmaps(c);
	s->phase = MH_CHECK_LISTS;
	s->list = 0;
	s->off = MH_NIL;
}

/* Check the block at s->off and step over it; false if the walk ends. */
static bool mh_check_block(struct mh_checker *c, struct mh_check_state *s)
{
	const struct mh_heap *h = c->h;
	const struct mh_policy_ops *ops = mh_ops(h);
	enum mh_violation_kind kind;
	u32 off = s->off;
	struct mh_hdr hd;

	if (!mh_hdr_decode(h, off, &hd)) {
		mh_violation(c, MH_V_HEADER, off);
		return false;
	}
	if (hd.size < MH_MIN_BLOCK || hd.size > h->heap_end - off) {
		mh_violation(c, MH_V_SIZE, off);
		return false;
	}
	if (!mh_hdr_sane(h, off, &hd))
		mh_violation(c, MH_V_SLACK, off);
	if (hd.prev_free != s->prev_free)
		mh_violation(c, MH_V_PREV_FREE, off);
	kind = ops->check_block ? ops->check_block(h, off, &hd) : MH_V_NONE;
	if (kind != MH_V_NONE)
		mh_violation(c, kind, off);
	if (hd.used) {
		s->chain_used++;
		s->chain_granted += hd.size - MH_HDR_SIZE;
		s->chain_requested += hd.size - MH_HDR_SIZE - hd.slack;
		if (mh_hdr_is_run(&hd)) {
			kind = mh_pool_check_run(h, off, hd.size,
						 &s->chain_requested,
						 &s->chain_slots,
						 &s->chain_partial);
			s->chain_runs++;
			if (kind != MH_V_NONE)
				mh_violation(c, kind, off);
		}
	} else {
		s->chain_free++;
		s->chain_free_bytes += hd.size;
		if (mh_ld32(h, off + hd.size - MH_TAG_SIZE) != hd.size)
			mh_violation(c, MH_V_FOOTER, off);
		if (s->prev_free && mh_coalescing(h))
			mh_violation(c, MH_V_ADJACENT_FREE, off);
		if (!mh_poison_intact(h, off + MH_META_HEAD,
				      off + hd.size - MH_TAG_SIZE))
			mh_violation(c, MH_V_POISON, off);
	}
	/* The chain and the trusted start bitmap say the same. */
	if (!mh_starts_agree(h, off, hd.size))
		mh_violation(c, MH_V_SIZE, off);
	s->prev_free = !hd.used;
	s->off = off + hd.size;
	return true;
}

/* Walk the block chain, @max blocks at most (0: no limit). */
static void mh_check_chain(struct mh_checker *c, struct mh_check_state *s,
			   u32 max)
{
	u32 left = max;

	while (s->off < c->h->heap_end) {
		if (max && !left--)
			return;
		if (!mh_check_block(c, s)) {
			mh_chain_done(c, s);
			return;
		}
	}
	s->chain_complete = true;
	mh_chain_done(c, s);
}

/* Does the policy's bitmap say list @list is non-empty? (none: its head) */
static bool mh_list_marked(const struct mh_heap *h, u32 list)
{
	const struct mh_policy_ops *ops = mh_ops(h);

	return ops->marked ? ops->marked(h, list) : h->heads[list] != MH_NIL;
}

/* The bitmaps are sound on their own (all zero for a policy with none). */
static void mh_check_bitmaps(struct mh_checker *c)
{
	const struct mh_heap *h = c->h;
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 fl, any = h->fl_bitmap;

	for (fl = 0; fl < MH_FL_COUNT; fl++)
		any |= h->sl_bitmap[fl];
	if (ops->bitmaps_ok ? !ops->bitmaps_ok(h) : any)
		mh_violation(c, MH_V_BITMAP, 0);
}

/* Start list s->list: its head must agree with the policy's bitmap. */
static void mh_list_begin(struct mh_checker *c, struct mh_check_state *s)
{
	const struct mh_heap *h = c->h;

	if (mh_list_marked(h, s->list) != !!h->heads[s->list])
		mh_violation(c, MH_V_BITMAP, h->heads[s->list]);
	s->prev = MH_NIL;
	s->off = h->heads[s->list];
}

/* What no list walk sees: unused heads, the rover. */
static void mh_check_list_ends(struct mh_checker *c)
{
	const struct mh_heap *h = c->h;
	const struct mh_policy_ops *ops = mh_ops(h);
	struct mh_hdr hd;
	u32 list;

	for (list = ops->nr_lists; list < MH_NR_LISTS; list++)
		if (h->heads[list] != MH_NIL)
			mh_violation(c, MH_V_LINK, h->heads[list]);
	if (ops->rover && h->rover != MH_NIL &&
	    !mh_free_read(h, h->rover, &hd))
		mh_violation(c, MH_V_LINK, h->rover);
}

/* Walk the free lists, @max nodes at most (0: no limit). */
static void mh_check_lists(struct mh_checker *c, struct mh_check_state *s,
			   u32 max)
{
	const struct mh_heap *h = c->h;
	const struct mh_policy_ops *ops = mh_ops(h);
	struct mh_links l;
	struct mh_hdr hd;
	u32 cur, left = max;

	if (s->off == MH_NIL && s->prev == MH_NIL && s->list < ops->nr_lists)
		mh_list_begin(c, s);
	while (s->list < ops->nr_lists) {
		cur = s->off;
		if (cur == MH_NIL) {
			if (++s->list < ops->nr_lists)
				mh_list_begin(c, s);
			continue;
		}
		if (max && !left--)
			return;
		if (!s->budget--) {
			/* a loop: the other lists cannot be trusted either */
			mh_violation(c, MH_V_LIST_COUNT, cur);
			s->phase = MH_CHECK_DONE;
			return;
		}
		mh_links_read(h, cur, &l);
		if (!mh_free_read(h, cur, &hd) || l.prev != s->prev ||
		    (ops->address_ordered && s->prev != MH_NIL &&
		     !mh_order_before(h->list_order, s->prev, s->prev_size,
				      cur, hd.size))) {
			mh_violation(c, MH_V_LINK, cur);
			s->off = MH_NIL;	/* on to the next list */
			continue;
		}
		if (ops->list_of(hd.size) != s->list)
			mh_violation(c, MH_V_CLASS, cur);
		s->list_free++;
		s->list_free_bytes += hd.size;
		s->prev = cur;
		s->prev_size = hd.size;
		s->off = l.next;
	}
	mh_check_list_ends(c);
	s->phase = MH_CHECK_DONE;
}

/**
 * mh_check_begin() - start a check to be done in steps.
 * @h: heap.
 * @s: the check's state, in the caller's memory.
 *
 * Context: any.
 */
void mh_check_begin(const struct mh_heap *h, struct mh_check_state *s)
{
	memset(s, 0, sizeof(*s));
	s->phase = MH_CHECK_CHAIN;
	s->off = MH_FIRST_BLOCK;
	s->budget = mh_max_blocks(h);
	s->first.kind = MH_V_NONE;
}
EXPORT_SYMBOL_NS_GPL(mh_check_begin, MYHEAP_CORE);

/**
 * mh_check_step() - go on with a check for at most @max blocks.
 * @h: heap, the same one (unchanged) as at mh_check_begin().
 * @s: the check's state.
 * @max: blocks of the chain or nodes of the lists to look at, at most
 *	(0: no limit).
 *
 * So a caller that must not hold its lock for a whole check can drop it
 * between steps (and start again with mh_check_begin() if the heap changed
 * meanwhile).
 *
 * Context: any; the caller keeps the heap from changing during the step.
 * Return: true when the walks are done and mh_check_end() may conclude.
 */
bool mh_check_step(const struct mh_heap *h, struct mh_check_state *s,
		   u32 max)
{
	struct mh_checker c = { .h = h, .count = s->count, .first = s->first };

	if (s->phase == MH_CHECK_CHAIN)
		mh_check_chain(&c, s, max);
	if (s->phase == MH_CHECK_LISTS)
		mh_check_lists(&c, s, max);
	s->count = c.count;
	s->first = c.first;
	return s->phase == MH_CHECK_DONE;
}
EXPORT_SYMBOL_NS_GPL(mh_check_step, MYHEAP_CORE);

/**
 * mh_check_end() - conclude a check whose steps are done.
 * @h: heap, unchanged since mh_check_begin().
 * @s: the check's state; mh_check_step() returned true.
 * @first: if not NULL, set to the first violation found (kind MH_V_NONE
 *	when there is none).
 *
 * Cross-checks the walks against each other and the control structure's
 * totals, then runs mh_check_control().
 *
 * Context: any; the caller keeps the heap from changing during the call.
 * Return: the number of violations found (0: the heap is sound).
 */
int mh_check_end(const struct mh_heap *h, struct mh_check_state *s,
		 struct mh_violation *first)
{
	struct mh_checker c = { .h = h, .count = s->count, .first = s->first };

	if (s->chain_complete && (s->list_free != s->chain_free ||
				  s->list_free_bytes != s->chain_free_bytes))
		mh_violation(&c, MH_V_LIST_COUNT, 0);
	if (s->chain_complete &&
	    (s->chain_used != h->used_blocks ||
	     s->chain_free != h->free_blocks ||
	     s->chain_requested != h->requested ||
	     s->chain_granted != h->granted ||
	     s->chain_free_bytes != h->free_bytes ||
	     s->chain_runs != h->pool_runs || s->chain_slots != h->pool_slots))
		mh_violation(&c, MH_V_ACCOUNTING, 0);
	if (s->chain_complete &&
	    mh_pool_check_lists(h, s->chain_partial) != MH_V_NONE)
		mh_violation(&c, MH_V_RUN, h->pool_heads[0]);
	if (first)
		*first = c.first;
	return c.count + mh_check_control(h, c.count ? NULL : first);
}
EXPORT_SYMBOL_NS_GPL(mh_check_end, MYHEAP_CORE);

/**
 * mh_check() - verify every invariant of the heap.
 * @h: heap.
 * @first: if not NULL, set to the first violation found (kind MH_V_NONE
 *	when there is none).
 *
 * Context: any; the caller keeps the heap from changing during the check.
 * With poisoning on, reads every free byte.
 * Also runs mh_check_control().
 * Return: the number of violations found (0: the heap is sound).
 */
int mh_check(const struct mh_heap *h, struct mh_violation *first)
{
	struct mh_check_state s;

	mh_check_begin(h, &s);
	mh_check_step(h, &s, 0);
	return mh_check_end(h, &s, first);
}
EXPORT_SYMBOL_NS_GPL(mh_check, MYHEAP_CORE);

/* The class bitmaps say exactly which lists are non-empty. */
static void mh_control_bitmaps(struct mh_checker *c)
{
	const struct mh_heap *h = c->h;
	u32 list;

	mh_check_bitmaps(c);
	if (!mh_ops(h)->marked)
		return;
	for (list = 0; list < mh_ops(h)->nr_lists; list++)
		if (mh_list_marked(h, list) != !!h->heads[list])
			mh_violation(c, MH_V_BITMAP, h->heads[list]);
}

/*
 * The totals fit together: the blocks in use and the free blocks cover the
 * heap exactly, and every block holds at least its minimum.
 */
static void mh_control_totals(struct mh_checker *c, u32 nonempty)
{
	const struct mh_heap *h = c->h;
	u64 span = h->heap_end - MH_FIRST_BLOCK;

	if (h->granted + h->used_blocks * MH_HDR_SIZE + h->free_bytes != span ||
	    h->used_blocks > span / MH_MIN_BLOCK ||
	    h->free_blocks > span / MH_MIN_BLOCK ||
	    h->granted < h->used_blocks * (MH_MIN_BLOCK - MH_HDR_SIZE) ||
	    h->free_bytes < h->free_blocks * MH_MIN_BLOCK ||
	    !h->free_blocks != !h->free_bytes ||
	    h->requested > h->granted || h->requested < h->used_blocks ||
	    h->free_blocks < nonempty ||
	    h->peak_requested < h->requested || h->high_water > h->heap_end ||
	    (h->used_blocks && h->high_water < MH_FIRST_BLOCK + MH_MIN_BLOCK))
		mh_violation(c, MH_V_ACCOUNTING, 0);
}

/*
 * The start bitmap marks exactly one bit per block the totals count, the
 * first block's among them, and none at or past the heap's end.
 */
static void mh_control_starts(struct mh_checker *c)
{
	const struct mh_heap *h = c->h;
	u32 bits = h->starts_longs[0] * MH_BPL;
	u32 end = mh_granule(h->heap_end), w;

	if (mh_port_bitmap_weight(h->starts, end) !=
	    h->used_blocks + h->free_blocks ||
	    !mh_start_at(h, MH_FIRST_BLOCK))
		mh_violation(c, MH_V_ACCOUNTING, 0);
	if (mh_port_find_next_bit(h->starts, bits, end) != bits)
		mh_violation(c, MH_V_ACCOUNTING, h->heap_end);
	/* the summaries say which words are nonzero, exactly */
	for (w = 0; w < h->starts_longs[0]; w++)
		if (mh_port_test_bit(h->starts_l1, w) != !!h->starts[w])
			mh_violation(c, MH_V_ACCOUNTING, w * MH_BPL * MH_ALIGN);
	for (w = 0; w < h->starts_longs[1]; w++)
		if (mh_port_test_bit(h->starts_l2, w) != !!h->starts_l1[w])
			mh_violation(c, MH_V_ACCOUNTING, 0);
	for (w = 0; w < MH_STARTS_L3_LONGS * MH_BPL; w++)
		if (mh_port_test_bit(h->starts_l3, w) !=
		    (w < h->starts_longs[2] && h->starts_l2[w]))
			mh_violation(c, MH_V_ACCOUNTING, 0);
}

/**
 * mh_check_control() - verify the control structure on its own, without
 *	reading the region.
 * @h: heap.
 * @first: if not NULL, set to the first violation found (kind MH_V_NONE
 *	when there is none).
 *
 * What any operation must leave true whatever the region holds: the heap's
 * bounds are sane, every list head is 0 or a place a block can start, on a
 * list the policy uses; the bitmaps say exactly which lists are non-empty;
 * the rover (next fit only) is 0 or a place a block can start; the totals
 * cover the heap exactly; the block-start bitmap counts as many blocks as
 * the totals and marks nothing past the heap's end. It reads no byte of the region, so a test may
 * call it while the region is being scribbled.
 *
 * Context: any; the caller keeps the heap from changing during the check.
 * Return: the number of violations found (0: the control structure is
 * self-consistent).
 */
int mh_check_control(const struct mh_heap *h, struct mh_violation *first)
{
	struct mh_checker c = { .h = h };
	u32 list, nr_lists, nonempty = 0;

	if ((unsigned int)h->policy >= MH_NR_POLICIES ||
	    h->ops != mh_policy_table[h->policy] ||
	    h->region_size < MH_MIN_REGION || h->region_size > MH_MAX_REGION ||
	    h->heap_end > h->region_size ||
	    h->heap_end < MH_FIRST_BLOCK + MH_MIN_BLOCK ||
	    h->heap_end % MH_ALIGN != MH_HDR_SIZE ||
	    (h->heap_end - MH_FIRST_BLOCK) % mh_ops(h)->span_unit) {
		mh_violation(&c, MH_V_SIZE, h->heap_end);
		goto out;	/* nothing below means anything */
	}
	if (h->list_order >= MH_NR_ORDERS ||
	    (!mh_policy_has_knobs(h->policy) &&
	     (h->list_order != MH_ORDER_ADDR || h->no_coalesce)))
		mh_violation(&c, MH_V_ACCOUNTING, 0);
	nr_lists = mh_ops(h)->nr_lists;
	for (list = 0; list < MH_NR_LISTS; list++) {
		if (h->heads[list] == MH_NIL)
			continue;
		nonempty++;
		if (list >= nr_lists || !mh_block_placed(h, h->heads[list]) ||
		    !mh_start_at(h, h->heads[list]))
			mh_violation(&c, MH_V_LINK, h->heads[list]);
	}
	if (h->rover != MH_NIL &&
	    (!mh_ops(h)->rover || !mh_block_placed(h, h->rover) ||
	     !mh_start_at(h, h->rover)))
		mh_violation(&c, MH_V_LINK, h->rover);
	mh_control_bitmaps(&c);
	mh_control_totals(&c, nonempty);
	if (!mh_pool_control_ok(h))
		mh_violation(&c, MH_V_ACCOUNTING, 0);
	mh_control_starts(&c);
out:
	if (first)
		*first = c.first;
	return c.count;
}
EXPORT_SYMBOL_NS_GPL(mh_check_control, MYHEAP_CORE);

static const char *const mh_violation_names[MH_NR_VIOLATION_KINDS] = {
	[MH_V_NONE] = "none",
	[MH_V_HEADER] = "header fails its magic check",
	[MH_V_SIZE] = "block size out of range",
	[MH_V_PREV_FREE] = "PREV_FREE bit disagrees with the previous block",
	[MH_V_FOOTER] = "boundary tag disagrees with the header",
	[MH_V_ADJACENT_FREE] = "two neighbouring free blocks not coalesced",
	[MH_V_LINK] = "free-list link damaged",
	[MH_V_CLASS] = "free block on the wrong list for its size",
	[MH_V_LIST_COUNT] = "free lists and block chain disagree",
	[MH_V_BITMAP] = "class bitmap disagrees with its list",
	[MH_V_BUDDY] = "buddy invariant broken",
	[MH_V_POISON] = "free payload modified after free",
	[MH_V_ACCOUNTING] = "totals disagree with the blocks",
	[MH_V_SLACK] = "recorded slack larger than the payload",
	[MH_V_RUN] = "run metadata or run list damaged",
};

/**
 * mh_violation_name() - describe a violation kind.
 * @kind: the kind.
 *
 * Context: any.
 * Return: a short sentence, or "unknown" for a value out of range.
 */
const char *mh_violation_name(enum mh_violation_kind kind)
{
	if ((unsigned int)kind >= MH_NR_VIOLATION_KINDS)
		return "unknown";
	return mh_violation_names[kind];
}
EXPORT_SYMBOL_NS_GPL(mh_violation_name, MYHEAP_CORE);
