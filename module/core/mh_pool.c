// SPDX-License-Identifier: GPL-2.0
/*
 * mh_pool.c - pools: requests of up to MH_POOL_MAX_SLOT bytes go to slots
 * of runs, one slot class per 16 bytes from MH_POOL_MIN_SLOT; everything
 * else, and the runs themselves, is segregated fit (mh_seg.c). The models
 * are mm/slub.c (slabs of equal objects) and mm/zsmalloc.c (size classes
 * carved from bigger memory); mh_pool.h draws a run.
 *
 * Why: a small block pays its 8-byte header and its 16-byte rounding, and
 * small blocks mixed with large ones leave holes when the large ones go.
 * A slot pays one map byte, and runs of one class empty together.
 *
 * Every operation reads a run's word, links and map once into a struct
 * mh_run and decides from it (the read-once rule of mh_block.h). A run's
 * list neighbours are validated as runs of the same class that link back
 * before anything is written, and the run block itself is validated as any
 * block in use is (mh_lookup_block()), so a run emptied goes back to the
 * heap through the ordinary free and coalesces.
 */
#include "mh_pool.h"

#define MH_RUN_MAGIC		0x706cu	/* "pl" */

/* Slot size of class @cls. */
static u32 mh_pool_slot(u32 cls)
{
	return MH_POOL_MIN_SLOT + cls * MH_ALIGN;
}

/* Slot class for @req bytes (req <= MH_POOL_MAX_SLOT). */
static u32 mh_pool_class(u32 req)
{
	u32 s = (req + MH_ALIGN - 1) & ~(MH_ALIGN - 1);

	return s <= MH_POOL_MIN_SLOT ? 0 : (s - MH_POOL_MIN_SLOT) / MH_ALIGN;
}

/*
 * Does a slot hold @req bytes (<= MH_POOL_MAX_SLOT) in less than a block
 * would? Not when the request leaves room for the 8-byte header in its
 * last 16 bytes (17..24 bytes: a 32-byte block and a 32-byte slot): the
 * block then costs the slot's bytes without its map byte and its share of
 * the run's metadata (jq's 24-byte requests in slots: 88.5% against
 * segregated fit's 89.4).
 */
static bool mh_pool_saves(u32 req)
{
	u32 block = (req + MH_HDR_SIZE + MH_ALIGN - 1) & ~(MH_ALIGN - 1);

	return mh_pool_slot(mh_pool_class(req)) <
	       (block < MH_MIN_BLOCK ? MH_MIN_BLOCK : block);
}

/* Slots of a run of class @cls: as many as fit with their map bytes. */
static u32 mh_pool_slots(u32 cls)
{
	return (MH_POOL_RUN_SIZE - MH_POOL_SLOT0) / (mh_pool_slot(cls) + 1);
}

/* Where the map of a run of class @cls starts, from its header. */
static u32 mh_pool_map_at(u32 cls)
{
	return MH_POOL_SLOT0 + mh_pool_slots(cls) * mh_pool_slot(cls);
}

/*
 * Block size of a run: the same for every class, so the place an emptied
 * run leaves takes a run of any class.
 */
static u32 mh_pool_run_size(u32 cls)
{
	(void)cls;
	return MH_POOL_RUN_SIZE;
}

static_assert((MH_POOL_RUN_SIZE - MH_POOL_SLOT0) / (MH_POOL_MIN_SLOT + 1) <=
	      MH_POOL_MAP_MAX, "the map of the smallest slots fits");

/* The run word's check: its fields, its offset and the heap's salt. */
static u32 mh_run_check(const struct mh_heap *h, u32 off, u32 fields)
{
	u64 x = fields ^ ((u64)off << 32) ^ ((u64)h->salt * 0x9e3779b97f4a7c15ull);

	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 31;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 29;
	return (u32)(x >> 32);
}

static u64 mh_run_word(const struct mh_heap *h, u32 off, u32 cls)
{
	u32 f = cls | mh_pool_slots(cls) << 8 | MH_RUN_MAGIC << 16;

	return f | (u64)mh_run_check(h, off, f) << 32;
}

static void mh_run_links_write(struct mh_heap *h, u32 off, u32 next, u32 prev)
{
	mh_st64(h, off + MH_HDR_SIZE + 8, next | (u64)prev << 32);
}

/* Store the map word holding slot @i's byte, from the plan. */
static void mh_run_map_write(struct mh_heap *h, const struct mh_run *r, u32 i)
{
	u32 w = i / 8 * 8;
	u64 v;

	memcpy(&v, r->map + w, sizeof(v));
	mh_st64(h, r->b.off + mh_pool_map_at(r->cls) + w, v);
}

/*
 * Read the run word, links and map of the run [@off, @off + @size) (a
 * block in use whose header says run) once into @r. -EUCLEAN if any of
 * them is wrong: a check that fails, a size that is not its class's, a
 * map byte that is neither free nor a slack the slot can have.
 */
static int mh_run_decode(const struct mh_heap *h, u32 off, u32 size,
			 struct mh_run *r)
{
	u64 w = mh_ld64(h, off + MH_HDR_SIZE), l;
	u32 f = (u32)w, cls = f & 0xff, i, words;

	if ((u32)(w >> 32) != mh_run_check(h, off, f) || cls >= MH_POOL_CLASSES ||
	    f != (u32)mh_run_word(h, off, cls) ||
	    size < mh_pool_run_size(cls) ||
	    size >= mh_pool_run_size(cls) + MH_MIN_BLOCK)
		return -EUCLEAN;
	r->cls = cls;
	r->slot = mh_pool_slot(cls);
	r->n = mh_pool_slots(cls);
	l = mh_ld64(h, off + MH_HDR_SIZE + 8);
	r->links.next = (u32)l;
	r->links.prev = (u32)(l >> 32);
	words = (r->n + 7) / 8;
	for (i = 0; i < words; i++) {
		w = mh_ld64(h, off + mh_pool_map_at(cls) + 8 * i);
		memcpy(r->map + 8 * i, &w, sizeof(w));
	}
	for (i = 0, r->used = 0; i < r->n; i++) {
		if (r->map[i] == MH_POOL_FREE)
			continue;
		if (r->map[i] >= r->slot)
			return -EUCLEAN;
		r->used++;
	}
	return 0;
}

/*
 * The run at block offset @off, validated as a block in use (its end
 * agreeing with the heap) and as a run. -EBADMSG if no run is there.
 */
static int mh_run_read(const struct mh_heap *h, u32 off, struct mh_run *r)
{
	int err = mh_lookup_block(h, off + MH_HDR_SIZE, &r->b);

	if (err)
		return err == -EUCLEAN && mh_hdr_is_run(&r->b.hd) ? err :
		       -EBADMSG;
	if (!mh_hdr_is_run(&r->b.hd))
		return -EBADMSG;
	return mh_run_decode(h, off, r->b.hd.size, r);
}

/*
 * A list neighbour of a run of class @cls: a run of that class with a
 * free slot (else it would not be listed). Anything else is damage.
 */
static int mh_run_listed(const struct mh_heap *h, u32 off, u32 cls,
			 struct mh_run *r)
{
	if (mh_run_read(h, off, r) || r->cls != cls || r->used == r->n)
		return -EUCLEAN;
	return 0;
}

/*
 * Plan taking run @r off its list: its neighbours, read once, must link
 * back to it (and the head must be it when it has no predecessor).
 */
static int mh_run_unlink_ok(const struct mh_heap *h, const struct mh_run *r,
			    struct mh_run *pr, struct mh_run *nx)
{
	const struct mh_links *l = &r->links;

	if (l->prev == r->b.off || l->next == r->b.off ||
	    (l->prev != MH_NIL && l->prev == l->next))
		return -EUCLEAN;
	if (l->prev == MH_NIL) {
		if (h->pool_heads[r->cls] != r->b.off)
			return -EUCLEAN;
	} else if (mh_run_listed(h, l->prev, r->cls, pr) ||
		   pr->links.next != r->b.off) {
		return -EUCLEAN;
	}
	if (l->next != MH_NIL && (mh_run_listed(h, l->next, r->cls, nx) ||
				  nx->links.prev != r->b.off))
		return -EUCLEAN;
	return 0;
}

static void mh_run_unlink(struct mh_heap *h, const struct mh_run *r,
			  const struct mh_run *pr, const struct mh_run *nx)
{
	const struct mh_links *l = &r->links;

	if (l->prev == MH_NIL)
		h->pool_heads[r->cls] = l->next;
	else
		mh_run_links_write(h, l->prev, l->next, pr->links.prev);
	if (l->next != MH_NIL)
		mh_run_links_write(h, l->next, nx->links.next, l->prev);
}

/* Plan pushing a run of class @cls at @off on its list: the old head. */
static int mh_run_push_ok(const struct mh_heap *h, u32 cls, u32 off,
			  struct mh_run *hr)
{
	u32 head = h->pool_heads[cls];

	if (head == MH_NIL)
		return 0;
	if (head == off || mh_run_listed(h, head, cls, hr) ||
	    hr->links.prev != MH_NIL)
		return -EUCLEAN;
	return 0;
}

static void mh_run_push(struct mh_heap *h, u32 cls, u32 off,
			const struct mh_run *hr)
{
	u32 head = h->pool_heads[cls];

	mh_run_links_write(h, off, head, MH_NIL);
	if (head != MH_NIL)
		mh_run_links_write(h, head, hr->links.next, off);
	h->pool_heads[cls] = off;
}

/**
 * mh_pool_wants() - does a request go to a slot?
 * @h: heap.
 * @size: bytes requested (validated by the caller).
 * @align: payload alignment (at least MH_ALIGN).
 *
 * Context: any.
 * Return: true under the pools policy for a small request aligned as slots
 * are, that a slot holds in fewer bytes than a block.
 */
bool mh_pool_wants(const struct mh_heap *h, size_t size, u32 align)
{
	return mh_ops(h)->slots && size <= MH_POOL_MAX_SLOT &&
	       align <= MH_ALIGN && mh_pool_saves((u32)size);
}

/**
 * mh_pool_small_made() - a small request became an ordinary block.
 * @h: heap.
 * @req: its requested bytes.
 *
 * Every request of a slot class counts, also those a block holds as
 * cheaply (mh_pool_saves()): the class's blocks come and go together, and
 * counting only the others carves runs later (cc1: 97.0% -> 96.0).
 *
 * Context: any; the caller serialises calls on @h.
 */
void mh_pool_small_made(struct mh_heap *h, size_t req)
{
	if (mh_ops(h)->slots && req <= MH_POOL_MAX_SLOT)
		h->pool_small[mh_pool_class((u32)req)]++;
}

/**
 * mh_pool_small_gone() - an ordinary block of @req bytes was freed.
 * @h: heap.
 * @req: its requested bytes (from its validated header).
 *
 * Context: any; the caller serialises calls on @h.
 */
void mh_pool_small_gone(struct mh_heap *h, u32 req)
{
	u32 cls;

	if (!mh_ops(h)->slots || !req || req > MH_POOL_MAX_SLOT)
		return;
	cls = mh_pool_class(req);
	if (h->pool_small[cls])
		h->pool_small[cls]--;
}

static void mh_pool_book(struct mh_heap *h, u32 req)
{
	h->requested += req;
	h->pool_slots++;
	if (h->requested > h->peak_requested)
		h->peak_requested = h->requested;
}

/* Carve a new run of class @cls and hand out its first slot. */
static int mh_pool_carve(struct mh_heap *h, u32 cls, u32 req, u32 *offset)
{
	u32 i, run, slot = mh_pool_slot(cls);
	struct mh_run r = { .cls = cls, .n = mh_pool_slots(cls) };
	struct mh_take t;
	int err;

	err = mh_take_any(h, mh_pool_run_size(cls), MH_ALIGN, req, &t);
	if (err)
		return err == -ENOMEM ? -ENOSPC : err;
	run = t.u;
	/* the take wrote a header for @req bytes: say "run" instead */
	mh_write_used(h, run, t.usize, t.gap ? true : t.fh.prev_free, 0);
	mh_account_use(h, run, t.usize, req);
	h->requested -= req;	/* booked again, as the slot's */
	h->pool_runs++;
	r.b.off = run;
	memset(r.map, MH_POOL_FREE, sizeof(r.map));
	r.map[0] = slot - req;
	mh_st64(h, run + MH_HDR_SIZE, mh_run_word(h, run, cls));
	mh_run_links_write(h, run, MH_NIL, MH_NIL);
	for (i = 0; i < r.n; i += 8)
		mh_run_map_write(h, &r, i);
	mh_poison(h, run + MH_POOL_SLOT0 + slot,
		  run + MH_POOL_SLOT0 + r.n * slot);
	h->pool_heads[cls] = run;	/* the list was empty */
	mh_pool_book(h, req);
	*offset = run + MH_POOL_SLOT0;
	mh_emit(h, MH_EV_SLOT_ALLOC, *offset, slot);
	return 0;
}

/**
 * mh_pool_alloc() - hand out a slot for @req bytes (mh_pool_wants()).
 * @h: heap.
 * @req: bytes requested.
 * @flags: MH_ALLOC_* flags.
 * @offset: set to the slot's payload offset.
 * @usable: set to its usable bytes (the slot size).
 *
 * The first run of the class with a free slot gives its lowest free slot;
 * with none, a new run is carved from the heap.
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, -ENOSPC if no run could be carved (the caller then tries an
 * ordinary block), or -EUCLEAN; on error the heap is unchanged.
 */
int mh_pool_alloc(struct mh_heap *h, u32 req, unsigned int flags,
		  u32 *offset, u32 *usable)
{
	u32 cls = mh_pool_class(req), head = h->pool_heads[cls], i, at;
	struct mh_delta d = { .requested = req };
	struct mh_run r, nx;
	int err;

	if (head == MH_NIL) {
		/*
		 * A run costs a run's bytes at once, and the class's last
		 * run is partly empty: carve one only when the class has as
		 * many small blocks live as fill four runs, so that run
		 * costs at most a quarter of what the class holds.
		 */
		if (h->pool_small[cls] < MH_POOL_RUNS_FIRST * mh_pool_slots(cls))
			return -ENOSPC;
		err = mh_pool_carve(h, cls, req, offset);
		if (!err && (flags & MH_ALLOC_ZERO))
			memset(h->base + *offset, 0, mh_pool_slot(cls));
		*usable = mh_pool_slot(cls);
		return err;
	}
	if (mh_run_listed(h, head, cls, &r) || r.links.prev != MH_NIL ||
	    !mh_delta_ok(h, &d))
		return -EUCLEAN;
	for (i = 0; i < r.n && r.map[i] != MH_POOL_FREE; i++)
		;
	at = head + MH_POOL_SLOT0 + i * r.slot;
	if (!mh_poison_intact(h, at, at + r.slot)) {
		h->count.poison_errors++;
		return -EUCLEAN;
	}
	r.map[i] = r.slot - req;
	if (r.used + 1 == r.n) {	/* full: off the list */
		if (mh_run_unlink_ok(h, &r, NULL, &nx))
			return -EUCLEAN;
		mh_run_unlink(h, &r, NULL, &nx);
	}
	mh_run_map_write(h, &r, i);
	mh_pool_book(h, req);
	*offset = at;
	*usable = r.slot;
	if (flags & MH_ALLOC_ZERO)
		memset(h->base + *offset, 0, r.slot);
	mh_emit(h, MH_EV_SLOT_ALLOC, at, r.slot);
	return 0;
}

/**
 * mh_pool_lookup() - the slot whose payload is at @payload.
 * @h: heap.
 * @payload: payload offset, where no block starts.
 * @r: filled with its run, as read once.
 * @idx: set to its slot index.
 *
 * Context: any.
 * Return: 0 for a slot in use, -EALREADY for a free one, -EBADMSG if
 * @payload is no slot boundary of a run (inside a block's payload, or no
 * run at all), -EUCLEAN for a run whose metadata is damaged.
 */
int mh_pool_lookup(const struct mh_heap *h, u32 payload, struct mh_run *r,
		   u32 *idx)
{
	u32 g, run, rel;
	int err;

	if (payload < MH_FIRST_BLOCK + MH_POOL_SLOT0 ||
	    payload >= h->heap_end)
		return -EBADMSG;
	/* the last block starting below the slot's would-be header */
	g = mh_port_find_last_bit(h->starts, mh_granule(payload));
	if (g >= mh_granule(payload))
		return -EBADMSG;
	run = g * MH_ALIGN + MH_HDR_SIZE;
	err = mh_run_read(h, run, r);
	if (err)
		return err == -EALREADY ? -EBADMSG : err;
	rel = payload - run;
	if (rel < MH_POOL_SLOT0 || (rel - MH_POOL_SLOT0) % r->slot ||
	    (rel - MH_POOL_SLOT0) / r->slot >= r->n)
		return -EBADMSG;
	*idx = (rel - MH_POOL_SLOT0) / r->slot;
	if (!r->used)
		return -EUCLEAN;	/* an empty run goes back to the heap */
	return r->map[*idx] == MH_POOL_FREE ? -EALREADY : 0;
}

/*
 * Say in @fr that a slot of the run @r (as read once) was freed, and with
 * @run (MH_FREED_RUN) that the run went back to the heap too.
 */
static void mh_freed_slot(struct mh_freed *fr, const struct mh_run *r,
			  u32 run)
{
	fr->flags |= MH_FREED_SLOT | run;
	fr->freed_size = r->slot;
	fr->run = r->b.off;
	fr->run_size = r->b.hd.size;
}

/**
 * mh_pool_free() - free the slot at @payload.
 * @h: heap.
 * @payload: its payload offset.
 * @req_out: set to the bytes the slot had been requested for.
 * @fr: what the free did (zeroed by the caller): MH_FREED_SLOT, the run
 *	and the slot's bytes, as the run was read once; with MH_FREED_RUN,
 *	the run's own free as mh_release() says it.
 *
 * A full run goes back on its class's list; an empty one goes back to the
 * heap as a free block and coalesces.
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, or the errors of mh_pool_lookup() and mh_free(); on error the
 * heap is unchanged.
 */
int mh_pool_free(struct mh_heap *h, u32 payload, u32 *req_out,
		 struct mh_freed *fr)
{
	struct mh_delta d = { 0 };
	struct mh_run r, pr, nx;
	u32 idx, req;
	int err;

	err = mh_pool_lookup(h, payload, &r, &idx);
	if (err)
		return err;
	req = r.slot - r.map[idx];
	d.requested = -(s64)req;
	r.map[idx] = MH_POOL_FREE;
	if (r.used == 1) {	/* empty: the run goes (mh_release checks) */
		if (mh_run_unlink_ok(h, &r, &pr, &nx))
			return -EUCLEAN;
		h->requested -= req;
		err = mh_release(h, &r.b, fr);
		if (err) {
			h->requested += req;
			return err;
		}
		mh_run_unlink(h, &r, &pr, &nx);
		h->pool_runs--;
		h->pool_slots--;
		*req_out = req;
		mh_freed_slot(fr, &r, MH_FREED_RUN);
		mh_emit(h, MH_EV_SLOT_FREE, payload, r.slot);
		return 0;
	}
	if (!mh_delta_ok(h, &d))
		return -EUCLEAN;
	if (r.used == r.n) {	/* was full: back on the list */
		if (mh_run_push_ok(h, r.cls, r.b.off, &pr))
			return -EUCLEAN;
		mh_run_push(h, r.cls, r.b.off, &pr);
	}
	mh_run_map_write(h, &r, idx);
	mh_poison(h, payload, payload + r.slot);
	h->requested -= req;
	h->pool_slots--;
	*req_out = req;
	mh_freed_slot(fr, &r, 0);
	mh_emit(h, MH_EV_SLOT_FREE, payload, r.slot);
	return 0;
}

/**
 * mh_pool_resize() - realloc of the slot at @payload.
 * @h: heap.
 * @payload: its payload offset.
 * @size: new size (validated by the caller).
 * @res: set on success: the payload offset and usable bytes afterwards, the
 *	bytes the slot had been requested for.
 *
 * In place while the size stays in the slot's class; else the payload
 * moves to a new slot or block and the slot is freed.
 *
 * Context: any; the caller serialises calls on @h.
 * Return: 0, or the errors of mh_alloc() and mh_pool_free().
 */
int mh_pool_resize(struct mh_heap *h, u32 payload, size_t size,
		   struct mh_result *res)
{
	u64 peak = h->peak_requested, high = h->high_water;
	struct mh_run r;
	u32 idx, req, to, usable, gone;
	int err;

	err = mh_pool_lookup(h, payload, &r, &idx);
	if (err)
		return err;
	req = r.slot - r.map[idx];
	/* still its class: it stays, even where a block would cost as much */
	if (size <= MH_POOL_MAX_SLOT && mh_pool_class((u32)size) == r.cls) {
		struct mh_delta d = { .requested = (s64)size - req };

		if (!mh_delta_ok(h, &d))
			return -EUCLEAN;
		r.map[idx] = r.slot - (u32)size;
		mh_run_map_write(h, &r, idx);
		h->requested -= req;
		mh_pool_book(h, (u32)size);
		h->pool_slots--;
		res->offset = payload;
		res->usable = r.slot;
		res->requested = req;
		return 0;
	}
	/* The payload moves: it must not count twice towards the peak. */
	h->requested -= req;
	err = mh_alloc_block(h, size, 0, 0, &to, &usable);
	h->requested += req;
	if (err)
		return err;
	mh_port_before_load(h->base, payload, r.slot);
	memcpy(h->base + to, h->base + payload,
	       size < r.slot ? size : r.slot);
	err = mh_pool_free(h, payload, &gone, &res->freed);
	if (err) {
		struct mh_freed undo = { 0 };

		mh_free_any(h, to, &gone, &undo);
		h->peak_requested = peak;
		h->high_water = high;
		return err;
	}
	res->offset = to;
	res->usable = usable;
	res->requested = req;
	res->how |= MH_RESIZE_MOVED;
	return 0;
}

/**
 * mh_pool_describe() - fill a walk's record of the run at @off.
 * @h: heap.
 * @off: a block in use whose header says run.
 * @b: its record; @b->requested becomes its slots' sum.
 *
 * Context: any; the caller keeps the heap from changing during the call.
 */
void mh_pool_describe(const struct mh_heap *h, u32 off,
		      struct mh_block_info *b)
{
	struct mh_run r;
	u32 i;

	b->requested = 0;
	if (mh_run_decode(h, off, b->size, &r))
		return;
	b->slot_size = r.slot;
	b->slots = r.n;
	b->slots_used = r.used;
	for (i = 0; i < r.n; i++)
		if (r.map[i] != MH_POOL_FREE)
			b->requested += r.slot - r.map[i];
}

/**
 * mh_run_slots() - the slots of a run, for a dump.
 * @h: heap.
 * @b: a run as mh_block_at() described it (@b->slot_size nonzero).
 * @v: filled with its slots, from one read of its word and map.
 *
 * Context: any; the caller keeps the heap from changing during the call.
 * Return: 0; -EINVAL if @b is no valid run; -EUCLEAN if its word or map
 * fails its checks now (the mapping changed it since @b was read).
 */
int mh_run_slots(const struct mh_heap *h, const struct mh_block_info *b,
		 struct mh_run_slots *v)
{
	struct mh_run r;

	if (b->status != MH_BLOCK_OK || !b->used || !b->slot_size ||
	    !mh_block_placed(h, b->offset) || !mh_start_at(h, b->offset) ||
	    b->size > h->heap_end - b->offset)
		return -EINVAL;
	if (mh_run_decode(h, b->offset, b->size, &r))
		return -EUCLEAN;
	v->first = b->offset + MH_POOL_SLOT0;
	v->slot_size = r.slot;
	v->n = r.n;
	memcpy(v->slack, r.map, sizeof(v->slack));
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_run_slots, MYHEAP_CORE);

/**
 * mh_has_slots() - does the heap's policy keep small blocks in slots of
 * runs (so a dump of its free space shows the run lists too)?
 * @h: heap.
 *
 * Context: any; reads only the control structure.
 * Return: true under pools.
 */
bool mh_has_slots(const struct mh_heap *h)
{
	return mh_ops(h)->slots;
}
EXPORT_SYMBOL_NS_GPL(mh_has_slots, MYHEAP_CORE);

/*
 * May a run-list walk resume at @off in class @cls? It must still be a
 * listed run of the class (read once into @r), linked from the head or
 * from the listed run its back link names.
 */
static bool mh_run_resume_ok(const struct mh_heap *h, u32 cls, u32 off,
			     struct mh_run *r)
{
	struct mh_run pr;

	if (mh_run_listed(h, off, cls, r))
		return false;
	if (r->links.prev == MH_NIL)
		return h->pool_heads[cls] == off;
	return r->links.prev != off &&
	       !mh_run_listed(h, r->links.prev, cls, &pr) &&
	       pr.links.next == off;
}

/**
 * mh_walk_runs_from() - pools: the runs with a free slot, class by class
 * in list order, from a given place, so a long listing can be taken in
 * pieces with the heap changing in between.
 * @h: heap.
 * @cls: slot class to start in.
 * @offset: listed run of @cls to start at (reported first), or 0 for
 *	the head of @cls.
 * @fn: callback; a nonzero return stops the walk.
 * @arg: its first argument.
 *
 * Each run is read once and validated as every pool path validates it (a
 * block in use whose header says run, its word's check, its map), its
 * back link must name the run before it, and the walk is cut after as
 * many runs as the heap can hold, per call. Under a policy without slots
 * there is nothing to report.
 *
 * Context: any; the caller keeps the heap from changing during the walk.
 * Return: 0 (also for @cls past the last class), what @fn returned to stop
 * the walk, -ESTALE if @offset is no longer a listed run of @cls (nothing
 * reported), or -EUCLEAN at the first damaged run or link after it.
 */
int mh_walk_runs_from(const struct mh_heap *h, u32 cls, u32 offset,
		      mh_run_fn fn, void *arg)
{
	u32 budget = mh_max_blocks(h), cur = offset, prev = MH_NIL, i;
	bool checked = false;	/* @r holds @cur's run */
	struct mh_run_info ri;
	struct mh_run r;
	int ret;

	if (!mh_ops(h)->slots || cls >= MH_POOL_CLASSES)
		return offset == MH_NIL ? 0 : -ESTALE;
	if (offset != MH_NIL) {
		if (!mh_run_resume_ok(h, cls, offset, &r))
			return -ESTALE;
		prev = r.links.prev;
		checked = true;
	}
	for (; cls < MH_POOL_CLASSES; cls++) {
		if (!checked) {
			cur = h->pool_heads[cls];
			prev = MH_NIL;
		}
		while (cur != MH_NIL) {
			if (!budget--)
				return -EUCLEAN;
			if (!checked && (mh_run_listed(h, cur, cls, &r) ||
					 r.links.prev != prev))
				return -EUCLEAN;
			checked = false;
			for (i = 0; r.map[i] != MH_POOL_FREE; i++)
				;	/* listed: a free slot exists */
			ri = (struct mh_run_info){
				.cls = cls, .slot_size = r.slot, .slots = r.n,
				.free = r.n - r.used, .offset = cur,
				.first_free = cur + MH_POOL_SLOT0 + i * r.slot,
			};
			ret = fn(arg, &ri);
			if (ret)
				return ret;
			prev = cur;
			cur = r.links.next;
		}
	}
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mh_walk_runs_from, MYHEAP_CORE);

/**
 * mh_pool_check_run() - the checker's look at one run.
 * @h: heap.
 * @off: a block in use of @size bytes whose header says run.
 * @size: its size.
 * @requested: its slots' requested bytes are added here.
 * @slots: its slots in use are added here.
 * @partial: incremented if it has a free slot (it must be listed).
 *
 * Context: any; the caller keeps the heap from changing during the call.
 * Return: MH_V_NONE, MH_V_RUN (a bad word or map, an empty run, or a run
 * under another policy) or MH_V_POISON (a free slot written to).
 */
enum mh_violation_kind mh_pool_check_run(const struct mh_heap *h, u32 off,
					 u32 size, u64 *requested,
					 u64 *slots, u64 *partial)
{
	struct mh_run r;
	u32 i, at;

	if (!mh_ops(h)->slots || mh_run_decode(h, off, size, &r) ||
	    !r.used)
		return MH_V_RUN;
	for (i = 0; i < r.n; i++)
		if (r.map[i] != MH_POOL_FREE)
			*requested += r.slot - r.map[i];
	*slots += r.used;
	if (r.used == r.n)
		return MH_V_NONE;
	(*partial)++;
	for (i = 0; i < r.n; i++) {
		at = off + MH_POOL_SLOT0 + i * r.slot;
		if (r.map[i] == MH_POOL_FREE &&
		    !mh_poison_intact(h, at, at + r.slot))
			return MH_V_POISON;
	}
	return MH_V_NONE;
}

/**
 * mh_pool_check_lists() - the checker's look at the run lists.
 * @h: heap.
 * @partial: runs with a free slot the block chain found.
 *
 * Every listed run is a valid run of its list's class with a free slot,
 * linking back to its predecessor, and the lists hold @partial runs.
 *
 * Context: any; the caller keeps the heap from changing during the call.
 * Return: MH_V_NONE or MH_V_RUN.
 */
enum mh_violation_kind mh_pool_check_lists(const struct mh_heap *h,
					   u64 partial)
{
	u64 budget = mh_max_blocks(h), listed = 0;
	u32 cls, cur, prev;
	struct mh_run r;

	for (cls = 0; cls < MH_POOL_CLASSES; cls++) {
		for (prev = MH_NIL, cur = h->pool_heads[cls]; cur != MH_NIL;
		     prev = cur, cur = r.links.next) {
			if (!budget-- || mh_run_listed(h, cur, cls, &r) ||
			    r.links.prev != prev)
				return MH_V_RUN;
			listed++;
		}
	}
	return listed == partial ? MH_V_NONE : MH_V_RUN;
}

/**
 * mh_pool_control_ok() - the pools part of mh_check_control().
 * @h: heap.
 *
 * Context: any; reads no byte of the region.
 * Return: true if the run heads and counts can be what they say.
 */
bool mh_pool_control_ok(const struct mh_heap *h)
{
	u32 cls, head;

	for (cls = 0; cls < MH_POOL_CLASSES; cls++) {
		head = h->pool_heads[cls];
		if (head != MH_NIL && (!mh_ops(h)->slots ||
				       !mh_block_placed(h, head) ||
				       !mh_start_at(h, head)))
			return false;
	}
	return h->pool_runs <= h->used_blocks &&
	       h->pool_slots >= h->pool_runs &&
	       h->pool_slots <= h->pool_runs * MH_POOL_MAP_MAX &&
	       h->requested >= h->used_blocks - h->pool_runs + h->pool_slots;
}

/* Blocks and runs: segregated fit's lists, bitmaps and rules. */
const struct mh_policy_ops mh_pool_ops = {
	.name = "pools",
	.coalesces = true,
	.slots = true,
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
