// SPDX-License-Identifier: GPL-2.0
/*
 * mh_core.c - the allocator's operations: init, reset, alloc, free,
 * realloc and the per-block queries, for every placement policy.
 *
 * Each operation runs in two phases: first it reads and validates every
 * block and link it is going to write through (any damage -> -EUCLEAN),
 * then it writes. So an operation that fails changes nothing. The policies
 * only choose blocks (mh_policy_ops.find); splitting and coalescing are
 * done here, the same way for all of them except the buddy system, whose
 * splits and merges follow its own rules (mh_buddy.c).
 */
#include "mh_policy.h"

/* Empty the heap: one free block over everything (buddy: a tiling). */
static void mh_layout(struct mh_heap *h)
{
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
	h->heap_end = MH_FIRST_BLOCK +
		      ((h->region_size - MH_FIRST_BLOCK) & ~(MH_ALIGN - 1));
	mh_poison(h, 0, h->region_size);

	if (h->policy == MH_BUDDY) {
		mh_buddy_carve(h);
		return;
	}
	size = h->heap_end - MH_FIRST_BLOCK;
	mh_write_free(h, MH_FIRST_BLOCK, size, false);
	mh_list_push(h, mh_ops(h)->list_of(size), MH_FIRST_BLOCK);
	h->free_blocks = 1;
	h->free_bytes = size;
}

/**
 * mh_init() - make @region an empty heap controlled by @h.
 * @h: control structure (caller memory, outside the region).
 * @region: the memory to allocate from.
 * @size: its size, MH_MIN_REGION .. MH_MAX_REGION bytes.
 * @policy: initial placement policy.
 * @flags: MH_INIT_* flags.
 *
 * Context: any; writes the whole region when poisoning.
 * Return: 0, -EINVAL for a bad argument, -E2BIG for a region too large.
 */
int mh_init(struct mh_heap *h, void *region, size_t size,
	    enum mh_policy policy, unsigned int flags)
{
	if (!h || !region || size < MH_MIN_REGION ||
	    (unsigned int)policy >= MH_NR_POLICIES || (flags & ~MH_INIT_VALID))
		return -EINVAL;
	if (size > MH_MAX_REGION)
		return -E2BIG;
	memset(h, 0, sizeof(*h));
	h->base = region;
	h->region_size = (u32)size;
	h->policy = policy;
	h->flags = flags;
	mh_layout(h);
	return 0;
}

/**
 * mh_reset() - empty the heap, forgetting every block, possibly switching
 * policy. Old headers stop passing their check (the salt changes).
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
	h->policy = policy;
	mh_layout(h);
	return 0;
}

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
	return mh_reset(h, policy);
}

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

/**
 * mh_max_align() - largest alignment mh_alloc() honours under the current
 * policy.
 * @h: heap.
 *
 * Context: any.
 * Return: MH_MAX_ALIGN, or MH_ALIGN under the buddy policy (its payloads
 * sit 16 bytes past a power-of-two boundary).
 */
u32 mh_max_align(const struct mh_heap *h)
{
	return h->policy == MH_BUDDY ? MH_ALIGN : MH_MAX_ALIGN;
}

/* Largest block the heap could ever hand out. */
static u32 mh_capacity(const struct mh_heap *h)
{
	u32 span = h->heap_end - MH_FIRST_BLOCK;

	return h->policy == MH_BUDDY ? 1u << mh_fls(span) : span;
}

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
	*need = mh_block_size_for(h, size);
	if (!*need || *need > mh_capacity(h) ||
	    (h->policy == MH_BUDDY &&
	     mh_buddy_size_for(*need) > mh_capacity(h)))
		return -E2BIG;
	return 0;
}

static void mh_count_search(struct mh_heap *h, u32 examined)
{
	h->count.searched += examined;
	if (examined > h->count.searched_max)
		h->count.searched_max = examined;
}

/* A poisoned free payload was written to: count, repair, refuse. */
static int mh_poison_broken(struct mh_heap *h, u32 off, u32 size)
{
	h->count.poison_errors++;
	mh_poison(h, off + MH_META_HEAD, off + size - MH_TAG_SIZE);
	return -EUCLEAN;
}

/*
 * Take a free block for a block of @need bytes aligned to @align (not
 * buddy): split off a front gap left by the alignment and a tail that can
 * stand as a block of its own, and mark the rest in use.
 */
static int mh_take(struct mh_heap *h, u32 need, u32 align, u32 req,
		   u32 *blk, u32 *size)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 examined = 0, f, u, gap, tail, usize, list;
	struct mh_hdr fh, next;
	int err;

	err = ops->find(h, need, align, &f, &examined);
	mh_count_search(h, examined);
	if (err)
		return err;
	if (!mh_free_read(h, f, &fh))
		return -EUCLEAN;
	u = mh_fit_at(f, fh.size, need, align);
	if (!u)
		return -EUCLEAN;
	gap = u - f;
	usize = need;
	tail = f + fh.size - (u + need);
	if (tail < MH_MIN_BLOCK) {
		usize += tail;
		tail = 0;
	}
	list = ops->list_of(fh.size);

	if (!mh_list_unlink_ok(h, list, f) ||
	    (!ops->address_ordered &&
	     ((gap && !mh_list_push_ok(h, ops->list_of(gap), f, MH_NIL)) ||
	      (tail && !mh_list_push_ok(h, ops->list_of(tail), f, MH_NIL)))) ||
	    (!tail && f + fh.size < h->heap_end &&
	     !mh_block_read(h, f + fh.size, &next)))
		return -EUCLEAN;
	if (!mh_poison_intact(h, u > f ? u : f + MH_META_HEAD,
			      tail ? u + usize : f + fh.size - MH_TAG_SIZE))
		return mh_poison_broken(h, f, fh.size);

	if (ops->address_ordered) {
		/* A front gap keeps the free block's place in the list. */
		if (gap && tail)
			mh_list_insert_after(h, 0, f, u + usize);
		else if (tail)
			mh_list_replace(h, 0, f, u + usize);
		else if (!gap)
			mh_list_unlink(h, 0, f);
	} else {
		mh_list_unlink(h, list, f);
		if (gap)
			mh_list_push(h, ops->list_of(gap), f);
		if (tail)
			mh_list_push(h, ops->list_of(tail), u + usize);
	}
	if (gap) {
		mh_write_free(h, f, gap, fh.prev_free);
		mh_emit(h, MH_EV_SPLIT, f, gap);
	}
	mh_write_used(h, u, usize, gap ? true : fh.prev_free, req);
	if (tail) {
		mh_write_free(h, u + usize, tail, false);
		mh_emit(h, MH_EV_SPLIT, u + usize, tail);
	} else {
		mh_set_prev_free(h, f + fh.size, false);
	}
	h->free_blocks += (gap != 0) + (tail != 0);
	h->free_blocks--;
	h->free_bytes -= usize;
	*blk = u;
	*size = usize;
	return 0;
}

/* Book a block of @size bytes holding @req requested bytes as in use. */
static void mh_account_use(struct mh_heap *h, u32 blk, u32 size, u32 req)
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

static int mh_alloc_block(struct mh_heap *h, size_t size, size_t align,
			  unsigned int flags, u32 *offset)
{
	u32 need, al, blk, bsize;
	int err;

	err = mh_request(h, size, align, flags, &need, &al);
	if (err)
		return err;
	if (h->policy == MH_BUDDY)
		err = mh_buddy_alloc(h, need, (u32)size, &blk, &bsize);
	else
		err = mh_take(h, need, al, (u32)size, &blk, &bsize);
	if (err)
		return err;
	mh_account_use(h, blk, bsize, (u32)size);
	if (flags & MH_ALLOC_ZERO)
		memset(h->base + blk + MH_HDR_SIZE, 0, bsize - MH_HDR_SIZE);
	*offset = blk + MH_HDR_SIZE;
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
 * mh_alloc() - allocate a block.
 * @h: heap.
 * @size: payload bytes wanted (> 0).
 * @align: payload alignment: 0 (16), or a power of two up to MH_MAX_ALIGN.
 * @flags: MH_ALLOC_ZERO to zero the payload.
 * @offset: set to the payload's offset in the region.
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, or -EINVAL, -EDOM, -E2BIG, -ENOMEM, -EUCLEAN (see mh_core.h);
 * on error the heap is unchanged.
 */
int mh_alloc(struct mh_heap *h, size_t size, size_t align,
	     unsigned int flags, u32 *offset)
{
	int err = mh_alloc_block(h, size, align, flags, offset);

	if (err)
		return mh_failed(h, &h->count.failed_allocs, err, 0);
	h->count.allocs++;
	return 0;
}

/* Find the block in use whose payload is at @payload. */
static int mh_lookup(const struct mh_heap *h, u32 payload, u32 *blk,
		     struct mh_hdr *hd)
{
	u32 off = payload - MH_HDR_SIZE;

	if (payload < MH_HDR_SIZE || !mh_block_placed(h, off))
		return -ENXIO;
	/*
	 * A header that passes its check by chance but is impossible is no
	 * block either: the caller asked about an offset, not the heap.
	 */
	if (!mh_hdr_decode(h, off, hd) || !mh_hdr_sane(h, off, hd))
		return -EBADMSG;
	if (!hd->used)
		return -EALREADY;
	*blk = off;
	return 0;
}

/**
 * mh_probe() - what is at payload offset @offset?
 * @h: heap.
 * @offset: payload offset.
 *
 * Context: any.
 * Return: 0 for a block in use, -EALREADY for a free block, -ENXIO if no
 * block can be there, -EBADMSG if no valid header is there (it fails its
 * check, or passes it by chance but describes an impossible block).
 */
int mh_probe(const struct mh_heap *h, u32 offset)
{
	struct mh_hdr hd;
	u32 blk;

	return mh_lookup(h, offset, &blk, &hd);
}

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
	struct mh_hdr hd;
	u32 blk;
	int err = mh_lookup(h, offset, &blk, &hd);

	if (!err)
		*size = hd.size - MH_HDR_SIZE;
	return err;
}

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
	struct mh_hdr hd;
	u32 blk;
	int err = mh_lookup(h, offset, &blk, &hd);

	if (!err)
		*size = hd.size - MH_HDR_SIZE - hd.slack;
	return err;
}

/*
 * The neighbours a free of [@blk, @blk + @hd->size) merges with, validated:
 * @left and @right are 0 when that side is not free (or absent).
 */
struct mh_merge {
	u32 left, left_size;
	bool left_prev_free;
	u32 right, right_size;
	u32 pred;	/* address order: insert after this (no merge) */
};

static int mh_merge_plan(const struct mh_heap *h, u32 blk,
			 const struct mh_hdr *hd, struct mh_merge *m)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 end = blk + hd->size, msize = hd->size;
	struct mh_hdr nh;

	memset(m, 0, sizeof(*m));
	if (hd->prev_free) {
		u32 tag = mh_ld32(h, blk - MH_TAG_SIZE);

		if (tag < MH_MIN_BLOCK || tag % MH_ALIGN ||
		    tag > blk - MH_FIRST_BLOCK ||
		    !mh_free_read(h, blk - tag, &nh) || nh.size != tag ||
		    !mh_list_unlink_ok(h, ops->list_of(tag), blk - tag))
			return -EUCLEAN;
		m->left = blk - tag;
		m->left_size = tag;
		m->left_prev_free = nh.prev_free;
		msize += tag;
	}
	if (end < h->heap_end) {
		if (!mh_block_read(h, end, &nh))
			return -EUCLEAN;
		if (!nh.used) {
			if (!mh_list_unlink_ok(h, ops->list_of(nh.size), end))
				return -EUCLEAN;
			m->right = end;
			m->right_size = nh.size;
			msize += nh.size;
		}
	}
	if (!ops->address_ordered)
		return mh_list_push_ok(h, ops->list_of(msize), m->left,
				       m->right) ? 0 : -EUCLEAN;
	if (m->left && m->right && mh_next_link(h, m->left) != m->right)
		return -EUCLEAN;
	if (!m->left && !m->right)
		return mh_list_pred(h, 0, blk, &m->pred);
	return 0;
}

/*
 * Carry out a validated merge of the free block [@blk, @blk + @size) whose
 * PREV_FREE bit is @prev_free; return the number of blocks it absorbed.
 */
static u32 mh_merge(struct mh_heap *h, u32 blk, u32 size, bool prev_free,
		    const struct mh_merge *m)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 start = m->left ? m->left : blk;
	u32 msize = m->left_size + size + m->right_size;

	if (ops->address_ordered) {
		if (m->left && m->right)
			mh_list_unlink(h, 0, m->right);
		else if (m->right)
			mh_list_replace(h, 0, m->right, blk);
		else if (!m->left)
			mh_list_insert_after(h, 0, m->pred, blk);
	} else {
		if (m->left)
			mh_list_unlink(h, ops->list_of(m->left_size), m->left);
		if (m->right)
			mh_list_unlink(h, ops->list_of(m->right_size),
				       m->right);
	}
	if (m->right)
		mh_absorb(h, m->right);
	if (m->left)
		mh_absorb(h, blk);
	mh_write_free(h, start, msize, m->left ? m->left_prev_free : prev_free);
	if (!ops->address_ordered)
		mh_list_push(h, ops->list_of(msize), start);
	/* One event per pair merged, as the buddy system counts them. */
	if (m->left)
		mh_emit(h, MH_EV_COALESCE, start, m->left_size + size);
	if (m->right)
		mh_emit(h, MH_EV_COALESCE, start, msize);
	return (m->left != 0) + (m->right != 0);
}

/* Free the block in use at @blk (validated by mh_lookup()). */
static int mh_release(struct mh_heap *h, u32 blk, const struct mh_hdr *hd)
{
	u32 req = hd->size - MH_HDR_SIZE - hd->slack, merged;
	struct mh_merge m;
	int err;

	if (h->policy == MH_BUDDY) {
		err = mh_buddy_free(h, blk, hd->size, &merged);
		if (err)
			return err;
	} else {
		err = mh_merge_plan(h, blk, hd, &m);
		if (err)
			return err;
		mh_poison(h, blk + MH_HDR_SIZE, blk + hd->size);
		merged = mh_merge(h, blk, hd->size, hd->prev_free, &m);
		if (!m.right)
			mh_set_prev_free(h, blk + hd->size, true);
	}
	mh_account_release(h, hd->size, req);
	h->free_blocks += 1;
	h->free_blocks -= merged;
	h->free_bytes += hd->size;
	return 0;
}

/**
 * mh_free() - free a block.
 * @h: heap.
 * @offset: payload offset returned by mh_alloc() or mh_realloc().
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, or -ENXIO, -EBADMSG, -EALREADY, -EUCLEAN (see mh_core.h); on
 * error the heap is unchanged.
 */
int mh_free(struct mh_heap *h, u32 offset)
{
	struct mh_hdr hd;
	u32 blk;
	int err = mh_lookup(h, offset, &blk, &hd);

	if (!err)
		err = mh_release(h, blk, &hd);
	if (err)
		return mh_failed(h, &h->count.failed_frees, err, offset);
	h->count.frees++;
	return 0;
}

/* Shrink a block in use to @need bytes, freeing the tail (not buddy). */
static int mh_shrink(struct mh_heap *h, u32 blk, const struct mh_hdr *hd,
		     u32 need, u32 req)
{
	u32 tail = blk + need, tsize = hd->size - need, merged;
	struct mh_hdr th = { .size = tsize, .used = true, .prev_free = false };
	struct mh_merge m;
	int err;

	if (tsize < MH_MIN_BLOCK)
		return -ENOSPC;	/* not worth a block: keep the slack */
	err = mh_merge_plan(h, tail, &th, &m);
	if (err)
		return err;
	mh_poison(h, tail, blk + hd->size);
	mh_write_used(h, blk, need, hd->prev_free, req);
	merged = mh_merge(h, tail, tsize, false, &m);
	if (!m.right)
		mh_set_prev_free(h, tail + tsize, true);
	mh_emit(h, MH_EV_SPLIT, tail, tsize);
	h->free_blocks += 1;
	h->free_blocks -= merged;
	h->free_bytes += tsize;
	return 0;
}

/* Grow a block in use into its free right neighbour (not buddy). */
static int mh_grow(struct mh_heap *h, u32 blk, const struct mh_hdr *hd,
		   u32 need, u32 req)
{
	const struct mh_policy_ops *ops = mh_ops(h);
	u32 r = blk + hd->size, rsize, total, tail, usize, list;
	struct mh_hdr rh, nh;

	if (r >= h->heap_end)
		return -ENOSPC;
	if (!mh_block_read(h, r, &rh))
		return -EUCLEAN;
	total = hd->size + rh.size;
	if (rh.used || total < need)
		return -ENOSPC;
	rsize = rh.size;
	list = ops->list_of(rsize);
	tail = total - need;
	usize = tail < MH_MIN_BLOCK ? total : need;
	if (tail < MH_MIN_BLOCK)
		tail = 0;
	if (!mh_list_unlink_ok(h, list, r) ||
	    (tail && !ops->address_ordered &&
	     !mh_list_push_ok(h, ops->list_of(tail), r, MH_NIL)) ||
	    (!tail && r + rsize < h->heap_end &&
	     !mh_block_read(h, r + rsize, &nh)))
		return -EUCLEAN;
	if (!mh_poison_intact(h, r + MH_META_HEAD,
			      tail ? blk + usize : r + rsize - MH_TAG_SIZE))
		return mh_poison_broken(h, r, rsize);

	if (ops->address_ordered && tail) {
		mh_list_replace(h, 0, r, blk + usize);
	} else {
		mh_list_unlink(h, list, r);
		if (tail)
			mh_list_push(h, ops->list_of(tail), blk + usize);
	}
	mh_wipe_header(h, r);
	mh_write_used(h, blk, usize, hd->prev_free, req);
	mh_emit(h, MH_EV_COALESCE, blk, total);
	if (tail) {
		mh_write_free(h, blk + usize, tail, false);
		mh_emit(h, MH_EV_SPLIT, blk + usize, tail);
	} else {
		mh_set_prev_free(h, r + rsize, false);
	}
	h->free_bytes -= usize - hd->size;
	if (!tail)
		h->free_blocks--;
	return 0;
}

/* Resize in place if the block or its neighbour allows; else -ENOSPC. */
static int mh_resize_in_place(struct mh_heap *h, u32 blk,
			      const struct mh_hdr *hd, u32 need, u32 req)
{
	u32 halves;
	int ret;

	if (h->policy == MH_BUDDY) {
		if (mh_buddy_size_for(need) > hd->size)
			return -ENOSPC;
		ret = mh_buddy_shrink(h, blk, hd->size, need, &halves);
		if (ret < 0)
			return ret;
		mh_write_used(h, blk, (u32)ret, hd->prev_free, req);
		return 0;
	}
	if (need > hd->size)
		return mh_grow(h, blk, hd, need, req);
	ret = mh_shrink(h, blk, hd, need, req);
	if (ret == -ENOSPC) {	/* too little to split off: keep as slack */
		mh_write_used(h, blk, hd->size, hd->prev_free, req);
		return 0;
	}
	return ret;
}

static int mh_resize(struct mh_heap *h, u32 offset, size_t size,
		     u32 *new_offset)
{
	u32 need, al, blk, moved, old_req;
	struct mh_hdr hd, now;
	struct mh_merge m;
	size_t copy;
	int err;

	err = mh_request(h, size, 0, 0, &need, &al);
	if (!err)
		err = mh_lookup(h, offset, &blk, &hd);
	if (err)
		return err;
	old_req = hd.size - MH_HDR_SIZE - hd.slack;
	err = mh_resize_in_place(h, blk, &hd, need, (u32)size);
	if (!err) {
		mh_hdr_decode(h, blk, &now);
		mh_account_release(h, hd.size, old_req);
		mh_account_use(h, blk, now.size, (u32)size);
		*new_offset = offset;
		return 0;
	}
	if (err != -ENOSPC)
		return err;

	/* Move: make sure the old block can be freed before taking a new. */
	if (h->policy == MH_BUDDY)
		err = mh_buddy_free_ok(h, blk, hd.size);
	else
		err = mh_merge_plan(h, blk, &hd, &m);
	if (err)
		return err;
	/* The payload moves: it must not count twice towards the peak. */
	h->requested -= old_req;
	err = mh_alloc_block(h, size, 0, 0, &moved);
	h->requested += old_req;
	if (err)
		return err;
	mh_hdr_decode(h, moved - MH_HDR_SIZE, &now);
	copy = (hd.size < now.size ? hd.size : now.size) - MH_HDR_SIZE;
	memcpy(h->base + moved, h->base + offset, copy);
	err = mh_lookup(h, offset, &blk, &hd);
	if (!err)
		err = mh_release(h, blk, &hd);
	if (err) {
		mh_lookup(h, moved, &blk, &now);
		mh_release(h, blk, &now);
		return err;
	}
	*new_offset = moved;
	return 0;
}

/**
 * mh_realloc() - resize a block, in place when it or its right neighbour
 * allows, else by moving it (payload copied up to the smaller size).
 * @h: heap.
 * @offset: payload offset of a block in use.
 * @size: new payload size (> 0).
 * @new_offset: set to the block's payload offset afterwards.
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, or the errors of mh_alloc() and mh_free(); on error the old
 * block is intact and still in use.
 */
int mh_realloc(struct mh_heap *h, u32 offset, size_t size, u32 *new_offset)
{
	int err = mh_resize(h, offset, size, new_offset);

	if (err)
		return mh_failed(h, &h->count.failed_reallocs, err, offset);
	h->count.reallocs++;
	return 0;
}
