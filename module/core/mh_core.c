// SPDX-License-Identifier: GPL-2.0
/*
 * mh_core.c - the allocator's operations: init, reset, alloc, free,
 * realloc and the per-block queries, for every placement policy.
 *
 * Each operation runs in two phases: first it reads and validates every
 * block and link it is going to write through (any damage -> -EUCLEAN),
 * then it writes. So an operation that fails changes nothing. The policies
 * choose blocks (mh_policy_ops.find); splitting and coalescing are done
 * here, the same way for every policy that keeps the core's rules (a
 * policy with rules of its own, as the buddy system, brings them in its
 * ops: mh_buddy.c).
 */
#include "mh_pool.h"

/*
 * Clear the start bitmap, visiting only the words its summaries say are
 * nonzero: a reset after a short life costs what that life marked, not
 * the whole bitmap (1/128 of the region).
 */
static void mh_starts_clear(struct mh_heap *h)
{
	u32 x, w, n1 = h->starts_longs[1];

	for (x = mh_port_find_next_bit(h->starts_l2, n1, 0); x < n1;
	     x = mh_port_find_next_bit(h->starts_l2, n1, x + 1)) {
		u32 lim = mh_min_u32(h->starts_longs[0], (x + 1) * MH_BPL);

		for (w = mh_port_find_next_bit(h->starts_l1, lim, x * MH_BPL);
		     w < lim; w = mh_port_find_next_bit(h->starts_l1, lim, w + 1))
			h->starts[w] = 0;
		h->starts_l1[x] = 0;
	}
	memset(h->starts_l2, 0, h->starts_longs[2] * sizeof(unsigned long));
	memset(h->starts_l3, 0, sizeof(h->starts_l3));
}

/* Empty the heap: one free block over everything, or the policy's tiling. */
static void mh_layout(struct mh_heap *h)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 size, salt = mh_port_random_u32();

	/*
	 * A fresh random salt: a process that reads its own headers learns
	 * nothing about the next heap's, and every old header stops passing
	 * its check (the salt never repeats across one reset).
	 */
	h->generation++;
	h->salt = salt != h->salt ? salt : ~salt;
	memset(h->heads, 0, sizeof(h->heads));
	memset(h->sl_bitmap, 0, sizeof(h->sl_bitmap));
	h->fl_bitmap = 0;
	h->rover = MH_NIL;
	h->used_blocks = 0;
	h->free_blocks = 0;
	h->requested = 0;
	h->granted = 0;
	h->free_bytes = 0;
	h->peak_requested = 0;
	h->high_water = 0;
	memset(h->pool_heads, 0, sizeof(h->pool_heads));
	memset(h->pool_small, 0, sizeof(h->pool_small));
	h->slid = 0;
	h->slide_ban = 0;
	h->slide_credit = 0;
	h->pool_runs = 0;
	h->pool_slots = 0;
	h->heap_end = MH_FIRST_BLOCK +
		      ((h->region_size - MH_FIRST_BLOCK) & ~(ops->span_unit - 1));
	mh_poison(h, 0, h->region_size);
	mh_starts_clear(h);

	if (ops->layout) {
		ops->layout(h);
		return;
	}
	size = h->heap_end - MH_FIRST_BLOCK;
	mh_write_free(h, MH_FIRST_BLOCK, size, false);
	mh_list_push(h, mh_list_of(h, size), MH_FIRST_BLOCK);
	h->free_blocks = 1;
	h->free_bytes = size;
}

/**
 * mh_starts_bytes() - size of the block-start bitmap mh_init() needs.
 * @region_size: bytes of the region.
 *
 * One bit per 16-byte granule of the region, rounded up to whole longs,
 * and two summary levels of one bit per long below (1/64 and 1/4096 more).
 *
 * Context: any.
 * Return: the bytes to allocate (in caller memory, never in the region).
 */
size_t mh_starts_bytes(size_t region_size)
{
	size_t n0 = (region_size / MH_ALIGN + MH_BPL - 1) / MH_BPL;
	size_t n1 = (n0 + MH_BPL - 1) / MH_BPL, n2 = (n1 + MH_BPL - 1) / MH_BPL;

	return (n0 + n1 + n2) * sizeof(unsigned long);
}
EXPORT_SYMBOL_NS_GPL(mh_starts_bytes, MYHEAP_CORE);

/**
 * mh_init() - make @region an empty heap controlled by @h.
 * @h: control structure (caller memory, outside the region).
 * @region: the memory to allocate from.
 * @size: its size, MH_MIN_REGION .. MH_MAX_REGION bytes.
 * @policy: initial placement policy.
 * @flags: MH_INIT_* flags.
 * @starts: the block-start bitmap, mh_starts_bytes(@size) bytes of caller
 *	memory that only the core writes (never inside the region); it must
 *	stay allocated as long as @h is used.
 *
 * Context: any; writes the whole region when poisoning.
 * Return: 0, -EINVAL for a bad argument, -E2BIG for a region too large.
 */
int mh_init(struct mh_heap *h, void *region, size_t size,
	    enum mh_policy policy, unsigned int flags, unsigned long *starts)
{
	if (!h || !region || !starts || size < MH_MIN_REGION ||
	    (unsigned int)policy >= MH_NR_POLICIES || (flags & ~MH_INIT_VALID))
		return -EINVAL;
	if (size > MH_MAX_REGION)
		return -E2BIG;
	memset(h, 0, sizeof(*h));
	h->base = region;
	h->region_size = (u32)size;
	h->policy = policy;
	h->ops = mh_policy_table[policy];
	h->flags = flags;
	h->starts = starts;
	h->starts_longs[0] = (size / MH_ALIGN + MH_BPL - 1) / MH_BPL;
	h->starts_longs[1] = (h->starts_longs[0] + MH_BPL - 1) / MH_BPL;
	h->starts_longs[2] = (h->starts_longs[1] + MH_BPL - 1) / MH_BPL;
	h->starts_l1 = starts + h->starts_longs[0];
	h->starts_l2 = h->starts_l1 + h->starts_longs[1];
	memset(starts, 0, mh_starts_bytes(size));
	mh_layout(h);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_init, MYHEAP_CORE);

/**
 * mh_reset() - empty the heap, forgetting every block, possibly switching
 * policy. Old headers stop passing their check (the salt changes). The
 * knobs (mh_set_knobs()) stay, unless @policy has none.
 * @h: heap.
 * @policy: placement policy from now on.
 *
 * Context: any.
 * Return: 0, or -EINVAL for an unknown policy.
 */
int mh_reset(struct mh_heap *h, enum mh_policy policy)
{
	if ((unsigned int)policy >= MH_NR_POLICIES)
		return -EINVAL;
	if (!mh_policy_has_knobs(policy)) {
		h->list_order = MH_ORDER_ADDR;
		h->no_coalesce = false;
	}
	h->policy = policy;
	h->ops = mh_policy_table[policy];
	mh_layout(h);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_reset, MYHEAP_CORE);

/**
 * mh_empty() - is no block in use?
 * @h: heap.
 *
 * Context: any.
 * Return: true if the heap holds no block in use.
 */
bool mh_empty(const struct mh_heap *h)
{
	return h->used_blocks == 0;
}
EXPORT_SYMBOL_NS_GPL(mh_empty, MYHEAP_CORE);

/**
 * mh_clear_counters() - zero the event counters (struct mh_counters).
 * @h: heap.
 *
 * The counters describe the heap's history (operations, failures,
 * splits, coalesces, blocks searched); the heap itself, its totals and
 * its peaks are left as they are.
 *
 * Context: any; the caller serialises it with the heap's operations.
 */
void mh_clear_counters(struct mh_heap *h)
{
	h->count = (struct mh_counters){ 0 };
}
EXPORT_SYMBOL_NS_GPL(mh_clear_counters, MYHEAP_CORE);

/**
 * mh_set_policy() - switch the placement policy of an empty heap.
 * @h: heap.
 * @policy: the new policy.
 *
 * Context: any.
 * Return: 0, -EINVAL for an unknown policy, -EBUSY if blocks are in use.
 */
int mh_set_policy(struct mh_heap *h, enum mh_policy policy)
{
	if ((unsigned int)policy >= MH_NR_POLICIES)
		return -EINVAL;
	if (!mh_empty(h))
		return -EBUSY;
	/* a new policy starts with the default knobs: nothing carries over */
	h->list_order = MH_ORDER_ADDR;
	h->no_coalesce = false;
	return mh_reset(h, policy);
}
EXPORT_SYMBOL_NS_GPL(mh_set_policy, MYHEAP_CORE);

/**
 * mh_policy_has_knobs() - does @policy take the list-order and coalescing
 * knobs of mh_set_knobs()?
 * @policy: a placement policy.
 *
 * Context: any.
 * Return: true for the fit policies (first, next, best, worst).
 */
bool mh_policy_has_knobs(enum mh_policy policy)
{
	return (unsigned int)policy < MH_NR_POLICIES &&
	       mh_policy_table[policy]->address_ordered;
}
EXPORT_SYMBOL_NS_GPL(mh_policy_has_knobs, MYHEAP_CORE);

/**
 * mh_set_knobs() - set the free-list order and coalescing of an empty heap
 * (OSTEP's malloc.py knobs), emptying it anew.
 * @h: heap.
 * @order: enum mh_list_order.
 * @coalesce: freed blocks merge with their free neighbours.
 *
 * Only the fit policies have knobs (mh_policy_has_knobs()); the others take
 * the defaults only (MH_ORDER_ADDR, @coalesce true). mh_set_policy() goes
 * back to the defaults, mh_reset() keeps the knobs.
 *
 * Context: any.
 * Return: 0, -EINVAL for an unknown order or a knob the policy does not
 * have, -EBUSY if blocks are in use.
 */
int mh_set_knobs(struct mh_heap *h, enum mh_list_order order, bool coalesce)
{
	if ((unsigned int)order >= MH_NR_ORDERS)
		return -EINVAL;
	if (!mh_policy_has_knobs(h->policy) &&
	    (order != MH_ORDER_ADDR || !coalesce))
		return -EINVAL;
	if (!mh_empty(h))
		return -EBUSY;
	h->list_order = order;
	h->no_coalesce = !coalesce;
	return mh_reset(h, h->policy);
}
EXPORT_SYMBOL_NS_GPL(mh_set_knobs, MYHEAP_CORE);

/**
 * mh_set_observer() - have @fn called on every split, coalesce and
 * detected corruption (for tracepoints).
 * @h: heap.
 * @fn: callback, or NULL for none.
 * @ctx: its first argument.
 *
 * Context: any.
 */
void mh_set_observer(struct mh_heap *h, mh_observer_fn fn, void *ctx)
{
	h->observer = fn;
	h->observer_ctx = ctx;
}
EXPORT_SYMBOL_NS_GPL(mh_set_observer, MYHEAP_CORE);

/**
 * mh_set_pause() - have @fn offered pauses by long searches (see typedef
 * mh_pause_fn).
 * @h: heap.
 * @fn: callback, or NULL for none (searches then run to their end).
 * @ctx: its argument.
 *
 * Context: any.
 */
void mh_set_pause(struct mh_heap *h, mh_pause_fn fn, void *ctx)
{
	h->pause = fn;
	h->pause_ctx = ctx;
}
EXPORT_SYMBOL_NS_GPL(mh_set_pause, MYHEAP_CORE);

/**
 * mh_policy_max_align() - largest alignment mh_alloc() honours under
 * @policy.
 * @policy: a placement policy.
 *
 * Context: any.
 * Return: the policy's limit, at most MH_MAX_ALIGN (MH_ALIGN under the
 * buddy policy: its payloads sit 16 bytes past a power-of-two boundary),
 * or 0 for a value out of range.
 */
u32 mh_policy_max_align(enum mh_policy policy)
{
	if ((unsigned int)policy >= MH_NR_POLICIES)
		return 0;
	return mh_policy_table[policy]->max_align;
}
EXPORT_SYMBOL_NS_GPL(mh_policy_max_align, MYHEAP_CORE);

/**
 * mh_max_align() - largest alignment mh_alloc() honours under the current
 * policy.
 * @h: heap.
 *
 * Context: any.
 * Return: mh_policy_max_align() of the heap's policy.
 */
u32 mh_max_align(const struct mh_heap *h)
{
	return mh_ops(h)->max_align;
}
EXPORT_SYMBOL_NS_GPL(mh_max_align, MYHEAP_CORE);

/**
 * mh_block_size() - the block, header included, that the current policy
 * takes for a request of @size payload bytes.
 * @h: heap.
 * @size: payload bytes.
 *
 * The rule alone: whether the heap could ever hold such a block is
 * mh_alloc()'s question (-E2BIG).
 *
 * Context: any.
 * Return: the block size, or 0 for a size no heap could hold (0, or
 * above MH_MAX_REGION).
 */
u32 mh_block_size(const struct mh_heap *h, size_t size)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 need;

	if (!size || size > MH_MAX_REGION)
		return 0;
	need = ((u32)size + MH_HDR_SIZE + MH_ALIGN - 1) & ~(MH_ALIGN - 1);
	if (need < MH_MIN_BLOCK)
		need = MH_MIN_BLOCK;
	return ops->block_size ? ops->block_size(need) : need;
}
EXPORT_SYMBOL_NS_GPL(mh_block_size, MYHEAP_CORE);

/* Validate a request; on success store the block size and alignment. */
static int mh_request(const struct mh_heap *h, size_t size, size_t align,
		      unsigned int flags, u32 *need, u32 *al)
{
	if (flags & ~MH_ALLOC_VALID)
		return -EINVAL;
	if (!size)
		return -EINVAL;
	if (align && (!mh_is_pow2(align) || align > MH_MAX_ALIGN))
		return -EDOM;
	*al = align < MH_ALIGN ? MH_ALIGN : (u32)align;
	if (*al > mh_max_align(h))
		return -EDOM;
	*need = mh_block_size(h, size);
	if (!*need || *need > h->heap_end - MH_FIRST_BLOCK)
		return -E2BIG;
	return 0;
}

/* Count the free blocks one allocation examined. */
void mh_count_search(struct mh_heap *h, u32 examined)
{
	h->count.searched += examined;
	if (examined > h->count.searched_max)
		h->count.searched_max = examined;
}

/*
 * A poisoned free payload was written to: count and refuse. No repair: the
 * range would come from a size only the region vouches for, and a refusal
 * writes nothing (a forged free block can pass every check and cover a
 * live block). The block stays refused, and mh_check() reports it.
 */
int mh_poison_broken(struct mh_heap *h)
{
	h->count.poison_errors++;
	return -EUCLEAN;
}

/*
 * Plan where the gap and the tail of the take @t go on their lists when
 * they do not keep the free block's place: where the list order puts them
 * once the free block is unlinked, the tail's place updated for the gap
 * going on first. Changes nothing.
 */
static int mh_take_place(const struct mh_heap *h, struct mh_take *t)
{
	u32 tail_blk = t->u + t->usize;

	if (t->gap && mh_list_place(h, mh_list_of(h, t->gap), t->f, t->gap,
				    t->f, &t->fl, MH_NIL, NULL, &t->gap_at))
		return -EUCLEAN;
	if (!t->tail)
		return 0;
	if (mh_list_place(h, mh_list_of(h, t->tail), tail_blk, t->tail, t->f,
			  &t->fl, MH_NIL, NULL, &t->tail_at))
		return -EUCLEAN;
	if (t->gap && mh_list_of(h, t->gap) == mh_list_of(h, t->tail))
		mh_links_inserted(h, &t->tail_at, tail_blk, t->tail, t->f,
				  t->gap, &t->gap_at);
	return 0;
}

/*
 * Plan taking a free block for a block of @need bytes aligned to @align
 * (the core's split rules): the block the policy found, its header and links as the
 * search read them (once), the links checked against its neighbours, the
 * lists its gap and tail go on, and the block after it (whose PREV_FREE
 * must say it is free: a forged size that swallows part of its neighbour
 * is not believed). Changes nothing but the search counters.
 */
static int mh_take_plan(struct mh_heap *h, u32 need, u32 align, u32 req,
			struct mh_take *t)
{
	struct mh_delta d;
	const struct mh_policy_ops *ops = mh_ops(h);
	struct mh_found got;
	u32 examined = 0;
	int err;

	/*
	 * No memset of the plan: every field this take uses is written
	 * before it is read (mh_take_do() records the heads and the rover),
	 * and zeroing buddy's half_heads[] cost more than a whole free-list
	 * check. Only @halves is read by everyone (mh_move()).
	 */
	t->halves = 0;
	err = ops->find(h, need, align, &got, &examined);
	mh_count_search(h, examined);
	if (err)
		return err;
	t->f = got.off;
	t->fh = got.hd;
	t->fl = got.links;
	t->u = mh_fit_at(t->f, t->fh.size, need, align);
	if (!t->u)
		return -EUCLEAN;
	t->gap = t->u - t->f;
	t->usize = need;
	t->end = t->f + t->fh.size;
	t->tail = t->end - (t->u + need);
	if (t->tail < MH_MIN_BLOCK) {
		t->usize += t->tail;
		t->tail = 0;
	}
	t->list = mh_list_of(h, t->fh.size);
	d = (struct mh_delta){
		.used = 1,
		.granted = t->usize - MH_HDR_SIZE,
		.requested = req,
		.free_blocks = (t->gap != 0) + (t->tail != 0) - 1,
		.free_bytes = -(s64)t->usize,
	};
	if (!mh_delta_ok(h, &d) || !mh_in_order(h, t->f, t->fh.size, &t->fl) ||
	    !mh_list_links_ok(h, t->list, t->f, &t->fl) ||
	    (!mh_keeps_place(h) && mh_take_place(h, t)) ||
	    !mh_free_ends_ok(h, t->f, t->fh.size, &t->end_hd))
		return -EUCLEAN;
	if (!mh_poison_intact(h, t->gap ? t->u : t->f + MH_META_HEAD,
			      t->tail ? t->u + t->usize : t->end - MH_TAG_SIZE))
		return mh_poison_broken(h);
	return 0;
}

/*
 * Carry out a validated take: split off the front gap left by the
 * alignment and a tail that can stand as a block of its own, and mark the
 * rest in use. Uses only the plan; records in it what mh_untake() needs.
 */
static void mh_take_do(struct mh_heap *h, struct mh_take *t, u32 req)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 tail_blk = t->u + t->usize;
	struct mh_links at = { .prev = t->f, .next = t->fl.next };

	t->rover = h->rover;
	if (ops->rover)
		h->rover = t->f;	/* the list ops move it along from here */
	if (mh_keeps_place(h)) {
		/* A front gap keeps the free block's place in the list. */
		if (t->gap && t->tail)
			mh_list_insert(h, 0, tail_blk, &at);
		else if (t->tail)
			mh_list_replace(h, 0, t->f, &t->fl, tail_blk);
		else if (!t->gap)
			mh_list_unlink(h, 0, t->f, &t->fl);
	} else {
		mh_list_unlink(h, t->list, t->f, &t->fl);
		if (t->gap)
			mh_list_insert(h, mh_list_of(h, t->gap), t->f,
				       &t->gap_at);
		if (t->tail)
			mh_list_insert(h, mh_list_of(h, t->tail), tail_blk,
				       &t->tail_at);
	}
	if (t->gap) {
		mh_write_free(h, t->f, t->gap, t->fh.prev_free);
		mh_emit(h, MH_EV_SPLIT, t->f, t->gap);
	}
	mh_write_used(h, t->u, t->usize, t->gap ? true : t->fh.prev_free, req);
	if (t->tail) {
		mh_write_free(h, tail_blk, t->tail, false);
		mh_emit(h, MH_EV_SPLIT, tail_blk, t->tail);
	} else {
		mh_set_prev_free(h, t->end, &t->end_hd, false);
	}
	h->free_blocks += (t->gap != 0) + (t->tail != 0);
	h->free_blocks--;
	h->free_bytes -= t->usize;
}

/* Take a block of @need bytes for @req requested bytes, any policy. */
int mh_take_any(struct mh_heap *h, u32 need, u32 align, u32 req,
		struct mh_take *t)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	int err;

	if (ops->take)
		return ops->take(h, need, align, req, t);
	err = mh_take_plan(h, need, align, req, t);
	if (!err)
		mh_take_do(h, t, req);
	return err;
}

/*
 * Undo a take from its plan alone: it cannot fail and reads nothing. The
 * gap and tail come off the lists (from the places they went: nothing was
 * inserted since), the free block goes back where it was, whole again, and
 * the block after it says so.
 */
static void mh_untake(struct mh_heap *h, const struct mh_take *t)
{
	const struct mh_policy_ops *ops = mh_ops(h);

	if (ops->untake) {
		ops->untake(h, t);
		return;
	}
	if (!mh_keeps_place(h)) {
		/* off their lists from where they went, the last one first */
		if (t->tail)
			mh_list_unlink(h, mh_list_of(h, t->tail),
				       t->u + t->usize, &t->tail_at);
		if (t->gap)
			mh_list_unlink(h, mh_list_of(h, t->gap), t->f,
				       &t->gap_at);
	}
	mh_list_insert(h, t->list, t->f, &t->fl);
	if (t->gap)
		mh_wipe_header(h, t->u);
	if (t->tail)
		mh_wipe_header(h, t->u + t->usize);
	mh_write_free(h, t->f, t->fh.size, t->fh.prev_free);
	mh_poison(h, t->f + MH_META_HEAD, t->end - MH_TAG_SIZE);
	if (!t->tail && t->end < h->heap_end)
		mh_hdr_write(h, t->end, &t->end_hd);
	h->free_blocks -= (t->gap != 0) + (t->tail != 0);
	h->free_blocks++;
	h->free_bytes += t->usize;
	h->rover = t->rover;
}

/* Book a block of @size bytes holding @req requested bytes as in use. */
void mh_account_use(struct mh_heap *h, u32 blk, u32 size, u32 req)
{
	h->used_blocks++;
	h->requested += req;
	h->granted += size - MH_HDR_SIZE;
	if (h->requested > h->peak_requested)
		h->peak_requested = h->requested;
	if (blk + size > h->high_water)
		h->high_water = blk + size;
}

static void mh_account_release(struct mh_heap *h, u32 size, u32 req)
{
	h->used_blocks--;
	h->requested -= req;
	h->granted -= size - MH_HDR_SIZE;
}

/*
 * mh_alloc() without the counters: a slot (pools) or a block; its usable
 * payload bytes come back in @usable, from the plan.
 */
int mh_alloc_block(struct mh_heap *h, size_t size, size_t align,
		   unsigned int flags, u32 *offset, u32 *usable)
{
	struct mh_take t;
	u32 need, al;
	int err;

	err = mh_request(h, size, align, flags, &need, &al);
	if (!err && mh_pool_wants(h, size, al)) {
		err = mh_pool_alloc(h, (u32)size, flags, offset, usable);
		if (err != -ENOSPC)
			return err;	/* else no run fits: a block may */
		err = 0;
	}
	if (!err) {
		/* the search comes first in the take: it may pause */
		h->may_pause = true;
		err = mh_take_any(h, need, al, (u32)size, &t);
		h->may_pause = false;
	}
	if (err)
		return err;
	if (mh_ops(h)->slots)
		mh_pool_small_made(h, size);
	mh_account_use(h, t.u, t.usize, (u32)size);
	if (flags & MH_ALLOC_ZERO)
		memset(h->base + t.u + MH_HDR_SIZE, 0, t.usize - MH_HDR_SIZE);
	*offset = t.u + MH_HDR_SIZE;
	*usable = t.usize - MH_HDR_SIZE;
	return 0;
}

/* Count a failure; damage also goes to the observer. */
static int mh_failed(struct mh_heap *h, u64 *counter, int err, u32 off)
{
	(*counter)++;
	if (err == -EUCLEAN) {
		h->count.corruptions++;
		mh_emit(h, MH_EV_CORRUPTION, off, 0);
	}
	return err;
}

/**
 * mh_alloc_result() - allocate a block, and say what it is.
 * @h: heap.
 * @size: payload bytes wanted (> 0).
 * @align: payload alignment: 0 (16), or a power of two up to MH_MAX_ALIGN.
 * @flags: MH_ALLOC_ZERO to zero the payload.
 * @r: set on success: @r->offset the payload's offset, @r->usable its
 *	usable bytes, @r->requested @size (what the caller needs, from the
 *	operation's own plan: no header is decoded again).
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, or -EINVAL, -EDOM, -E2BIG, -ENOMEM, -EUCLEAN (see mh_core.h);
 * on error the heap is unchanged.
 */
int mh_alloc_result(struct mh_heap *h, size_t size, size_t align,
		    unsigned int flags, struct mh_result *r)
{
	u32 off, usable;
	int err = mh_alloc_block(h, size, align, flags, &off, &usable);

	if (err)
		return mh_failed(h, &h->count.failed_allocs, err, 0);
	h->count.allocs++;
	r->offset = off;
	r->usable = usable;
	r->requested = (u32)size;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_alloc_result, MYHEAP_CORE);

/**
 * mh_alloc() - allocate a block.
 * @h: heap.
 * @size: payload bytes wanted (> 0).
 * @align: payload alignment: 0 (16), or a power of two up to MH_MAX_ALIGN.
 * @flags: MH_ALLOC_ZERO to zero the payload.
 * @offset: set to the payload's offset in the region.
 *
 * Context: any; the caller serialises calls on @h.
 * Return: the errors of mh_alloc_result().
 */
int mh_alloc(struct mh_heap *h, size_t size, size_t align,
	     unsigned int flags, u32 *offset)
{
	struct mh_result r;
	int err = mh_alloc_result(h, size, align, flags, &r);

	if (!err)
		*offset = r.offset;
	return err;
}
EXPORT_SYMBOL_NS_GPL(mh_alloc, MYHEAP_CORE);

/*
 * Find the block in use whose payload is at @payload. Its size is believed
 * only if it ends on the heap's end or on a valid header whose PREV_FREE
 * bit says a block in use precedes it (and if the policy's block_ok()
 * allows it: buddy blocks are powers of two aligned to their size): a
 * header that passes its check but disagrees with the heap around it is
 * damage, -EUCLEAN.
 */
int mh_lookup_block(const struct mh_heap *h, u32 payload, struct mh_block *b)
{
	u32 off = payload - MH_HDR_SIZE;

	memset(b, 0, sizeof(*b));
	if (payload < MH_HDR_SIZE || !mh_block_placed(h, off))
		return -ENXIO;
	/*
	 * No block starts where the bitmap says none does, whatever the
	 * region holds there. A header that passes its check by chance but
	 * is impossible is no block either: the caller asked about an
	 * offset, not the heap.
	 */
	if (!mh_start_at(h, off) || !mh_start_read(h, off, &b->hd))
		return -EBADMSG;
	if (!b->hd.used)
		return -EALREADY;
	b->off = off;
	b->end = off + b->hd.size;
	if ((mh_ops(h)->block_ok && !mh_ops(h)->block_ok(h, off, b->hd.size)) ||
	    !mh_span_agrees(h, off, b->hd.size, false, &b->end_hd))
		return -EUCLEAN;
	return 0;
}

/*
 * mh_lookup_block() for a block handed out: a run's payload is none
 * (pools: its slots are, mh_pool_lookup()).
 */
static int mh_lookup(const struct mh_heap *h, u32 payload, struct mh_block *b)
{
	int err = mh_lookup_block(h, payload, b);

	return !err && mh_hdr_is_run(&b->hd) ? -EBADMSG : err;
}

/*
 * What is at @payload, block or slot: 0 with @size and @req filled for
 * either in use, else the errors of mh_lookup() and mh_pool_lookup().
 */
static int mh_lookup_any(const struct mh_heap *h, u32 payload, u32 *size,
			 u32 *req)
{
	struct mh_block b;
	struct mh_run r;
	u32 idx;
	int err = mh_lookup(h, payload, &b);

	if (!err) {
		*size = b.hd.size - MH_HDR_SIZE;
		*req = *size - b.hd.slack;
		return 0;
	}
	if (err != -EBADMSG || !mh_ops(h)->slots)
		return err;
	err = mh_pool_lookup(h, payload, &r, &idx);
	if (!err) {
		*size = r.slot;
		*req = r.slot - r.map[idx];
	}
	return err;
}

/**
 * mh_probe() - what is at payload offset @offset?
 * @h: heap.
 * @offset: payload offset.
 *
 * Context: any.
 * Return: 0 for a block in use, -EALREADY for a free block, -ENXIO if no
 * block can be there, -EBADMSG if no valid header is there (it fails its
 * check, or passes it by chance but describes an impossible block),
 * -EUCLEAN if the header is valid but the heap around it disagrees (its
 * end does not land on a header that knows it is in use).
 */
int mh_probe(const struct mh_heap *h, u32 offset)
{
	u32 size, req;

	return mh_lookup_any(h, offset, &size, &req);
}
EXPORT_SYMBOL_NS_GPL(mh_probe, MYHEAP_CORE);

/**
 * mh_query() - usable and requested size of a block in use, from one
 * decode of its header (or its slot's map byte).
 * @h: heap.
 * @offset: payload offset.
 * @r: set on success: @r->offset @offset, @r->usable and @r->requested.
 *
 * Context: any.
 * Return: 0, or the errors of mh_probe().
 */
int mh_query(const struct mh_heap *h, u32 offset, struct mh_result *r)
{
	u32 usable, req;
	int err = mh_lookup_any(h, offset, &usable, &req);

	if (!err) {
		r->offset = offset;
		r->usable = usable;
		r->requested = req;
	}
	return err;
}
EXPORT_SYMBOL_NS_GPL(mh_query, MYHEAP_CORE);

/**
 * mh_usable_size() - payload bytes a block in use may use.
 * @h: heap.
 * @offset: payload offset.
 * @size: set to the usable size.
 *
 * Context: any.
 * Return: 0, or the errors of mh_probe().
 */
int mh_usable_size(const struct mh_heap *h, u32 offset, size_t *size)
{
	u32 usable, req;
	int err = mh_lookup_any(h, offset, &usable, &req);

	if (!err)
		*size = usable;
	return err;
}
EXPORT_SYMBOL_NS_GPL(mh_usable_size, MYHEAP_CORE);

/**
 * mh_requested_size() - payload bytes a block in use was asked for.
 * @h: heap.
 * @offset: payload offset.
 * @size: set to the requested size.
 *
 * Context: any.
 * Return: 0, or the errors of mh_probe().
 */
int mh_requested_size(const struct mh_heap *h, u32 offset, size_t *size)
{
	u32 usable, req;
	int err = mh_lookup_any(h, offset, &usable, &req);

	if (!err)
		*size = req;
	return err;
}
EXPORT_SYMBOL_NS_GPL(mh_requested_size, MYHEAP_CORE);

/*
 * The neighbours a free of [@blk, @blk + @hd->size) merges with, validated:
 * @left and @right are 0 when that side is not free (or absent); their
 * links as read once, @right's already updated for @left's unlinking.
 */
struct mh_merge {
	u32 left, left_size;
	bool left_prev_free;
	struct mh_links left_links;
	u32 right, right_size;
	struct mh_links right_links;
	struct mh_links at;	/* where the freed block goes on its list */
};

/*
 * Plan freeing the block [@blk, @blk + @hd->size), whose right neighbour's
 * header @rh was validated earlier in the operation (mh_end_agrees()).
 * With coalescing off (a fit policy's knob) it merges with neither side.
 * Changes nothing.
 */
static int mh_merge_plan(const struct mh_heap *h, u32 blk,
			 const struct mh_hdr *hd, const struct mh_hdr *rh,
			 struct mh_merge *m)
{
	u32 end = blk + hd->size, msize = hd->size, tag;
	bool merges = mh_coalescing(h);
	struct mh_hdr nh;

	memset(m, 0, sizeof(*m));
	if (hd->prev_free && merges) {
		tag = mh_ld32(h, blk - MH_TAG_SIZE);
		if (tag < MH_MIN_BLOCK || tag % MH_ALIGN ||
		    tag > blk - MH_FIRST_BLOCK || !mh_free_size_ok(h, tag) ||
		    !mh_starts_agree(h, blk - tag, tag) ||
		    !mh_start_read(h, blk - tag, &nh) || nh.used ||
		    nh.size != tag ||
		    !mh_list_unlink_ok(h, mh_list_of(h, tag), blk - tag,
				       &m->left_links) ||
		    !mh_in_order(h, blk - tag, tag, &m->left_links))
			return -EUCLEAN;
		m->left = blk - tag;
		m->left_size = tag;
		m->left_prev_free = nh.prev_free;
		msize += tag;
	}
	if (merges && end < h->heap_end && !rh->used) {
		if (!mh_free_ends_ok(h, end, rh->size, &nh) ||
		    !mh_list_unlink_ok(h, mh_list_of(h, rh->size), end,
				       &m->right_links) ||
		    !mh_in_order(h, end, rh->size, &m->right_links))
			return -EUCLEAN;
		m->right = end;
		m->right_size = rh->size;
		msize += rh->size;
	}
	if (!mh_addr_ordered(h)) {
		if (mh_list_place(h, mh_list_of(h, msize),
				  m->left ? m->left : blk, msize, m->left,
				  &m->left_links, m->right, &m->right_links,
				  &m->at))
			return -EUCLEAN;
		if (m->left && m->right)
			mh_links_unlinked(&m->right_links, m->left,
					  &m->left_links);
		return 0;
	}
	if (m->left && m->right && (m->left_links.next != m->right ||
				    m->right_links.prev != m->left))
		return -EUCLEAN;
	if (!m->left && !m->right)
		return mh_list_pred(h, 0, blk, &m->at) ||
		       !mh_in_order(h, blk, hd->size, &m->at) ? -EUCLEAN : 0;
	return 0;
}

/*
 * Carry out a validated merge of the free block [@blk, @blk + @size) whose
 * PREV_FREE bit is @prev_free and whose right neighbour's header is @rh;
 * return the number of blocks it absorbed.
 */
static u32 mh_merge(struct mh_heap *h, u32 blk, u32 size, bool prev_free,
		    const struct mh_hdr *rh, const struct mh_merge *m)
{
	u32 start = m->left ? m->left : blk;
	u32 msize = m->left_size + size + m->right_size;

	if (mh_addr_ordered(h)) {
		if (m->left && m->right)
			mh_list_unlink(h, 0, m->right, &m->right_links);
		else if (m->right)
			mh_list_replace(h, 0, m->right, &m->right_links, blk);
		else if (!m->left)
			mh_list_insert(h, 0, blk, &m->at);
	} else {
		if (m->left)
			mh_list_unlink(h, mh_list_of(h, m->left_size), m->left,
				       &m->left_links);
		if (m->right)
			mh_list_unlink(h, mh_list_of(h, m->right_size),
				       m->right, &m->right_links);
	}
	if (m->right)
		mh_absorb(h, m->right);
	if (m->left)
		mh_absorb(h, blk);
	mh_write_free(h, start, msize, m->left ? m->left_prev_free : prev_free);
	if (!mh_addr_ordered(h))
		mh_list_insert(h, mh_list_of(h, msize), start, &m->at);
	if (!m->right)
		mh_set_prev_free(h, blk + size, rh, true);
	/* One event per pair merged, as the buddy system counts them. */
	if (m->left)
		mh_emit(h, MH_EV_COALESCE, start, m->left_size + size);
	if (m->right)
		mh_emit(h, MH_EV_COALESCE, start, msize);
	return (m->left != 0) + (m->right != 0);
}

/*
 * Say in @fr what the validated merge plan @m makes of freeing [@blk, @blk
 * + @size): the plan's own offsets and sizes, nothing read again.
 */
static void mh_freed_plan(struct mh_freed *fr, u32 blk, u32 size,
			  const struct mh_merge *m)
{
	if (m->left)
		fr->flags |= MH_FREED_LEFT;
	if (m->right)
		fr->flags |= MH_FREED_RIGHT;
	fr->merges = (m->left != 0) + (m->right != 0);
	fr->freed_size = size;
	fr->block = m->left ? m->left : blk;
	fr->size = m->left_size + size + m->right_size;
	fr->left = m->left;
	fr->left_size = m->left_size;
	fr->right = m->right;
	fr->right_size = m->right_size;
}

/* Free @b coalescing with its free neighbours (the core's merge rules). */
static int mh_coalesce(struct mh_heap *h, const struct mh_block *b,
		       const struct mh_delta *d, struct mh_freed *fr)
{
	struct mh_delta dm = *d;
	struct mh_merge m;
	int err;

	err = mh_merge_plan(h, b->off, &b->hd, &b->end_hd, &m);
	if (err)
		return err;
	dm.free_blocks -= (m.left != 0) + (m.right != 0);
	if (!mh_delta_ok(h, &dm))
		return -EUCLEAN;
	mh_poison(h, b->off + MH_HDR_SIZE, b->end);
	mh_merge(h, b->off, b->hd.size, b->hd.prev_free, &b->end_hd, &m);
	mh_freed_plan(fr, b->off, b->hd.size, &m);
	return 0;
}

/*
 * Free the block in use @b (validated by mh_lookup_block()); @fr says what
 * the free did (its flags are added to, the rest set; scratch on error).
 */
int mh_release(struct mh_heap *h, const struct mh_block *b,
	       struct mh_freed *fr)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 size = b->hd.size, req = size - MH_HDR_SIZE - b->hd.slack;
	int err;

	struct mh_delta d = {
		.used = -1,
		.granted = -(s64)(size - MH_HDR_SIZE),
		.requested = -(s64)req,
		.free_blocks = 1,
		.free_bytes = size,
	};

	if (ops->release)
		err = ops->release(h, b, &d, fr);
	else
		err = mh_coalesce(h, b, &d, fr);
	if (err)
		return err;
	mh_account_release(h, size, req);
	if (mh_ops(h)->slots)
		mh_pool_small_gone(h, req);
	h->free_blocks += 1;
	h->free_blocks -= fr->merges;
	h->free_bytes += size;
	return 0;
}

/*
 * mh_free() without the counters: a block, or (pools) a slot; the bytes it
 * had been requested for come back in @req, from the validated header, and
 * what the free did in @fr (zeroed by the caller; scratch on error).
 */
int mh_free_any(struct mh_heap *h, u32 offset, u32 *req, struct mh_freed *fr)
{
	struct mh_block b;
	int err = mh_lookup(h, offset, &b);

	if (err == -EBADMSG && mh_ops(h)->slots)
		return mh_pool_free(h, offset, req, fr);
	if (!err)
		err = mh_release(h, &b, fr);
	if (!err)
		*req = b.hd.size - MH_HDR_SIZE - b.hd.slack;
	return err;
}

/**
 * mh_free_result() - free a block, and say what it was.
 * @h: heap.
 * @offset: payload offset returned by mh_alloc() or mh_realloc().
 * @r: set on success: @r->offset @offset, @r->usable 0, @r->requested
 *	the bytes the block had been requested for (from the header the free
 *	validated, not decoded again), @r->freed what the free did: the
 *	neighbours it merged with and the free block that resulted, from the
 *	free's own plan; the rest 0.
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, or -ENXIO, -EBADMSG, -EALREADY, -EUCLEAN (see mh_core.h); on
 * error the heap is unchanged.
 */
int mh_free_result(struct mh_heap *h, u32 offset, struct mh_result *r)
{
	struct mh_freed fr = { 0 };
	u32 req;
	int err = mh_free_any(h, offset, &req, &fr);

	if (err)
		return mh_failed(h, &h->count.failed_frees, err, offset);
	h->count.frees++;
	*r = (struct mh_result){ .offset = offset, .requested = req,
				 .freed = fr };
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_free_result, MYHEAP_CORE);

/**
 * mh_free() - free a block.
 * @h: heap.
 * @offset: payload offset returned by mh_alloc() or mh_realloc().
 *
 * Context: any; the caller serialises calls on @h.
 * Return: the errors of mh_free_result().
 */
int mh_free(struct mh_heap *h, u32 offset)
{
	struct mh_result r;

	return mh_free_result(h, offset, &r);
}
EXPORT_SYMBOL_NS_GPL(mh_free, MYHEAP_CORE);

/*
 * Shrink a block in use to @need bytes, freeing the tail (core's rules);
 * @r says so, and what the tail's free merged with.
 */
static int mh_shrink(struct mh_heap *h, const struct mh_block *b, u32 need,
		     u32 req, s64 d_req, struct mh_result *r)
{
	u32 tail = b->off + need, tsize = b->hd.size - need, merged;
	struct mh_hdr th = { .size = tsize, .used = true, .prev_free = false };
	struct mh_delta d = { .granted = -(s64)tsize, .requested = d_req,
			      .free_blocks = 1, .free_bytes = tsize };
	struct mh_merge m;
	int err;

	if (tsize < MH_MIN_BLOCK)
		return -ENOSPC;	/* not worth a block: keep the slack */
	err = mh_merge_plan(h, tail, &th, &b->end_hd, &m);
	if (err)
		return err;
	d.free_blocks -= m.right != 0;
	if (!mh_delta_ok(h, &d))
		return -EUCLEAN;
	mh_poison(h, tail, b->end);
	mh_write_used(h, b->off, need, b->hd.prev_free, req);
	merged = mh_merge(h, tail, tsize, false, &b->end_hd, &m);
	mh_emit(h, MH_EV_SPLIT, tail, tsize);
	h->free_blocks += 1;
	h->free_blocks -= merged;
	h->free_bytes += tsize;
	r->how |= MH_RESIZE_SHRANK;
	mh_freed_plan(&r->freed, tail, tsize, &m);
	return 0;
}

/*
 * Grow a block in use into its free right neighbour (core's rules); @r
 * names the neighbour, as validated.
 */
static int mh_grow(struct mh_heap *h, const struct mh_block *b, u32 need,
		   u32 req, s64 d_req, u32 *new_size, struct mh_result *res)
{
	struct mh_delta d;
	u32 blk = b->off, r = b->end, rsize, total, tail, usize, list;
	bool in_place = mh_keeps_place(h);
	struct mh_hdr nh = { 0 };
	struct mh_links rl, at = { 0 };

	if (r >= h->heap_end || b->end_hd.used ||
	    b->hd.size + b->end_hd.size < need)
		return -ENOSPC;
	rsize = b->end_hd.size;
	total = b->hd.size + rsize;
	list = mh_list_of(h, rsize);
	tail = total - need;
	usize = tail < MH_MIN_BLOCK ? total : need;
	if (tail < MH_MIN_BLOCK)
		tail = 0;
	d = (struct mh_delta){
		.granted = usize - b->hd.size,
		.requested = d_req,
		.free_blocks = tail ? 0 : -1,
		.free_bytes = -(s64)(usize - b->hd.size),
	};
	if (!mh_delta_ok(h, &d) || !mh_list_unlink_ok(h, list, r, &rl) ||
	    !mh_in_order(h, r, rsize, &rl) ||
	    (tail && !in_place &&
	     mh_list_place(h, mh_list_of(h, tail), blk + usize, tail, r, &rl,
			   MH_NIL, NULL, &at)) ||
	    !mh_free_ends_ok(h, r, rsize, &nh))
		return -EUCLEAN;
	if (!mh_poison_intact(h, r + MH_META_HEAD,
			      tail ? blk + usize : r + rsize - MH_TAG_SIZE))
		return mh_poison_broken(h);

	if (in_place && tail) {
		mh_list_replace(h, 0, r, &rl, blk + usize);
	} else {
		mh_list_unlink(h, list, r, &rl);
		if (tail)
			mh_list_insert(h, mh_list_of(h, tail), blk + usize,
				       &at);
	}
	mh_wipe_header(h, r);
	mh_write_used(h, blk, usize, b->hd.prev_free, req);
	mh_emit(h, MH_EV_COALESCE, blk, total);
	if (tail) {
		mh_write_free(h, blk + usize, tail, false);
		mh_emit(h, MH_EV_SPLIT, blk + usize, tail);
	} else {
		mh_set_prev_free(h, r + rsize, &nh, false);
	}
	h->free_bytes -= usize - b->hd.size;
	if (!tail)
		h->free_blocks--;
	*new_size = usize;
	res->how |= MH_RESIZE_GREW;
	res->right = r;
	res->right_size = rsize;
	return 0;
}

/*
 * Resize in place if the block or its neighbour allows; else -ENOSPC. The
 * block's new size comes back in @new_size, from the plan (never from the
 * header just written), and how it resized in @r.
 */
static int mh_resize_in_place(struct mh_heap *h, const struct mh_block *b,
			      u32 need, u32 req, u32 *new_size,
			      struct mh_result *r)
{
	s64 d_req = (s64)req - (b->hd.size - MH_HDR_SIZE - b->hd.slack);
	struct mh_delta d = { .requested = d_req };
	int ret;

	if (mh_ops(h)->resize) {
		ret = mh_ops(h)->resize(h, b, need, req, new_size);
		if (!ret && *new_size < b->hd.size)
			r->how |= MH_RESIZE_SHRANK;	/* halves given back */
		return ret;
	}
	if (need > b->hd.size)
		return mh_grow(h, b, need, req, d_req, new_size, r);
	ret = mh_shrink(h, b, need, req, d_req, r);
	if (ret == -ENOSPC) {	/* too little to split off: keep as slack */
		if (!mh_delta_ok(h, &d))
			return -EUCLEAN;
		mh_write_used(h, b->off, b->hd.size, b->hd.prev_free, req);
		*new_size = b->hd.size;
		return 0;
	}
	*new_size = need;
	return ret;
}

/*
 * Move the block @b to a new block of @need bytes. The old block's release
 * is validated first (so a damaged neighbour fails before anything moves);
 * then the new block is taken and the payload copied, with a length from
 * the two plans. Taking the new block may have changed the old one's
 * neighbours (it may have been carved from one), so the release is planned
 * again from the old block's header as first validated, its right
 * neighbour read anew; if that fails, the take is undone from its own plan,
 * which cannot fail, and the heap is as it was.
 */
static int mh_move(struct mh_heap *h, struct mh_block *b, u32 need,
		   u32 req, struct mh_result *r)
{
	u32 old_req = b->hd.size - MH_HDR_SIZE - b->hd.slack, copy;
	u64 peak = h->peak_requested, high = h->high_water;
	struct mh_merge m;
	struct mh_take t;
	int err;

	if (mh_ops(h)->release_ok)
		err = mh_ops(h)->release_ok(h, b);
	else
		err = mh_merge_plan(h, b->off, &b->hd, &b->end_hd, &m);
	if (!err)
		err = mh_take_any(h, need, MH_ALIGN, req, &t);
	if (err)
		return err;
	/* The payload moves: it must not count twice towards the peak. */
	h->requested -= old_req;
	mh_account_use(h, t.u, t.usize, req);
	h->requested += old_req;
	copy = (b->hd.size < t.usize ? b->hd.size : t.usize) - MH_HDR_SIZE;
	mh_port_before_load(h->base, b->off + MH_HDR_SIZE, copy);
	memcpy(h->base + t.u + MH_HDR_SIZE, h->base + b->off + MH_HDR_SIZE,
	       copy);

	/* What the take wrote next to the old block, the plan knows. */
	if (t.end == b->off)
		b->hd.prev_free = t.tail || t.halves;
	err = mh_end_agrees(h, b->end, false, &b->end_hd) ? 0 : -EUCLEAN;
	if (!err)
		err = mh_release(h, b, &r->freed);
	if (err) {
		mh_untake(h, &t);
		mh_account_release(h, t.usize, req);
		h->peak_requested = peak;
		h->high_water = high;
		return err;
	}
	r->offset = t.u + MH_HDR_SIZE;
	r->usable = t.usize - MH_HDR_SIZE;
	r->how |= MH_RESIZE_MOVED;
	return 0;
}

/*
 * Pools: grow the block @b by sliding it down into its free left
 * neighbour (and over its free right one) instead of growing it in place
 * into fresh space (past the high-water mark), when that neighbour is a
 * hole worth reclaiming: at least half the block. A growth in place below
 * the mark costs nothing and wins; a block that must move anyway moves as
 * under segregated fit (sliding those too reclaimed nothing more on the
 * malloclab traces and cost python3's recorded trace 0.1 point). A slide
 * can ping-pong (realloc-bal: 50% when unchecked): the next small block
 * takes the tail behind the slid block, which then moves up to fresh
 * space, slides down again. So the slid block keeps an account: a slide
 * credits the bytes it moved down (the hole reclaimed), a move of the
 * block that raises the high-water mark debits what it raised it by; once
 * the debits pass the credits, that block slides no more (mh_resize()).
 * -ENOSPC when it does not apply. Plans with mh_merge_plan(), as a free of
 * @b would.
 */
static int mh_slide(struct mh_heap *h, const struct mh_block *b, u32 need,
		    u32 req, struct mh_result *r)
{
	u32 size = b->hd.size, old_req = size - MH_HDR_SIZE - b->hd.slack;
	u32 msize, usize, tail, start, end, copy, tl = 0;
	struct mh_delta d;
	struct mh_merge m;
	int err;

	if (!mh_ops(h)->slots || !b->hd.prev_free || need <= size ||
	    b->off == h->slide_ban)
		return -ENOSPC;
	err = mh_merge_plan(h, b->off, &b->hd, &b->end_hd, &m);
	if (err)
		return err;
	msize = m.left_size + size + m.right_size;
	if (!m.left || m.left_size * 2 < size || msize < need ||
	    size + m.right_size < need ||	/* moves: a slide may not help */
	    b->off + need <= h->high_water)	/* grows in place, free */
		return -ENOSPC;
	start = m.left;
	end = start + msize;
	tail = msize - need;
	usize = tail < MH_MIN_BLOCK ? msize : need;
	if (tail < MH_MIN_BLOCK)
		tail = 0;
	if (m.right && !tail)
		return -ENOSPC;	/* the block after would need its header */
	if (tail)
		tl = mh_list_of(h, tail);
	d = (struct mh_delta){
		.granted = usize - size,
		.requested = (s64)req - old_req,
		.free_blocks = (tail != 0) - 1 - (m.right != 0),
		.free_bytes = -(s64)(usize - size),
	};
	if (!mh_delta_ok(h, &d) ||
	    (tail && !mh_list_push_ok(h, tl, m.left, &m.left_links, m.right,
				      &m.right_links)))
		return -EUCLEAN;
	if (!mh_poison_intact(h, start + MH_META_HEAD,
			      start + m.left_size - MH_TAG_SIZE) ||
	    (m.right && !mh_poison_intact(h, m.right + MH_META_HEAD,
					  end - MH_TAG_SIZE)))
		return mh_poison_broken(h);

	mh_list_unlink(h, mh_list_of(h, m.left_size), m.left, &m.left_links);
	if (m.right)
		mh_list_unlink(h, mh_list_of(h, m.right_size), m.right,
			       &m.right_links);
	copy = size - MH_HDR_SIZE;
	mh_port_before_load(h->base, b->off + MH_HDR_SIZE, copy);
	memmove(h->base + start + MH_HDR_SIZE, h->base + b->off + MH_HDR_SIZE,
		copy);
	/* old headers are payload or tail now: no blocks start there */
	mh_start_unmark(h, b->off);
	if (m.right)
		mh_start_unmark(h, m.right);
	mh_write_used(h, start, usize, m.left_prev_free, req);
	mh_emit(h, MH_EV_COALESCE, start, msize);
	if (tail) {
		mh_write_free(h, start + usize, tail, false);
		mh_poison(h, start + usize + MH_META_HEAD, end - MH_TAG_SIZE);
		mh_list_push(h, tl, start + usize);
		mh_emit(h, MH_EV_SPLIT, start + usize, tail);
		if (!m.right)
			mh_set_prev_free(h, end, &b->end_hd, true);
	}
	h->free_blocks += (tail != 0);
	h->free_blocks -= 1 + (m.right != 0);
	h->free_bytes -= usize - size;
	mh_account_release(h, size, old_req);
	mh_account_use(h, start, usize, req);
	/* the same block sliding again adds to its credit */
	h->slide_credit = (b->off == h->slid ? h->slide_credit : 0) +
			  (b->off - start);
	h->slid = start;
	r->offset = start + MH_HDR_SIZE;
	r->usable = usize - MH_HDR_SIZE;
	r->how |= MH_RESIZE_SLID;
	r->left = m.left;
	r->left_size = m.left_size;
	r->right = m.right;
	r->right_size = m.right_size;
	return 0;
}

/* mh_realloc_result() without the counters; @r is scratch on failure. */
static int mh_resize(struct mh_heap *h, u32 offset, size_t size,
		     struct mh_result *r)
{
	u32 need, al, old_req, new_size;
	struct mh_block b;
	u64 high;
	int err;

	err = mh_request(h, size, 0, 0, &need, &al);
	if (!err)
		err = mh_lookup(h, offset, &b);
	if (err == -EBADMSG && mh_ops(h)->slots)
		return mh_pool_resize(h, offset, size, r);
	if (err)
		return err;
	old_req = b.hd.size - MH_HDR_SIZE - b.hd.slack;
	r->requested = old_req;
	err = mh_slide(h, &b, need, (u32)size, r);
	if (err != -ENOSPC)
		return err;
	err = mh_resize_in_place(h, &b, need, (u32)size, &new_size, r);
	if (!err) {
		mh_account_release(h, b.hd.size, old_req);
		mh_account_use(h, b.off, new_size, (u32)size);
		r->offset = offset;
		r->usable = new_size - MH_HDR_SIZE;
		return 0;
	}
	if (err != -ENOSPC)
		return err;
	high = h->high_water;
	err = mh_move(h, &b, need, (u32)size, r);
	if (err || b.off != h->slid)
		return err;
	/* the slid block moved: it is still the one the account follows */
	h->slid = r->offset - MH_HDR_SIZE;
	if (h->high_water - high > h->slide_credit)	/* ping-pong */
		h->slide_ban = h->slid;
	else
		h->slide_credit -= h->high_water - high;
	return 0;
}

/**
 * mh_realloc_result() - resize a block, in place when it or its right
 * neighbour allows, else by moving it (payload copied up to the smaller
 * size), and say what it became.
 * @h: heap.
 * @offset: payload offset of a block in use.
 * @size: new payload size (> 0).
 * @r: set on success: @r->offset the block's payload offset afterwards,
 *	@r->usable its usable bytes, @r->requested the bytes it had been
 *	requested for before, @r->how how it resized, @r->left and @r->right
 *	the free neighbours it grew into, @r->freed what giving back the old
 *	block (a move) or the tail (a shrink) merged with (all from the
 *	operation's plans).
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, or the errors of mh_alloc() and mh_free(); on error the old
 * block is intact and still in use, and the heap is unchanged.
 */
int mh_realloc_result(struct mh_heap *h, u32 offset, size_t size,
		      struct mh_result *r)
{
	struct mh_result res = { 0 };
	int err = mh_resize(h, offset, size, &res);

	if (err)
		return mh_failed(h, &h->count.failed_reallocs, err, offset);
	h->count.reallocs++;
	*r = res;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_realloc_result, MYHEAP_CORE);

/**
 * mh_realloc() - resize a block (mh_realloc_result()).
 * @h: heap.
 * @offset: payload offset of a block in use.
 * @size: new payload size (> 0).
 * @new_offset: set to the block's payload offset afterwards.
 *
 * Context: any; the caller serialises calls on @h.
 * Return: the errors of mh_realloc_result().
 */
int mh_realloc(struct mh_heap *h, u32 offset, size_t size, u32 *new_offset)
{
	struct mh_result r;
	int err = mh_realloc_result(h, offset, size, &r);

	if (!err)
		*new_offset = r.offset;
	return err;
}
EXPORT_SYMBOL_NS_GPL(mh_realloc, MYHEAP_CORE);
