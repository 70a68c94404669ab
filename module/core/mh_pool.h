/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mh_pool.h - private to the core: the pools policy (mh_pool.c) and the
 * few core internals it builds on.
 *
 * A run is an ordinary block in use, with its header and its start bit;
 * what marks it as a run is its header: in use with nothing requested
 * (slack == payload), which no block handed out can be (a request is at
 * least one byte). Its payload holds, in this order:
 *
 *   | hdr | run word | links | slot 0 | slot 1 | ... | slot n-1 | map | pad |
 *     8     8          8      S bytes each               n bytes
 *
 *   - the run word: slot class, slot count, a magic and a 32-bit check of
 *     those, the run's offset and the heap's salt;
 *   - the links: next and previous run of the class with a free slot;
 *   - the map: one byte per slot, MH_POOL_FREE for a free slot, else the
 *     slot's slack (slot size - requested bytes, < 128).
 * Slots carry no header and no start bit: a slot's payload offset is found
 * through the start bitmap's last block at or below it, which must be a
 * valid run whose slot boundary it is.
 */
#ifndef MH_POOL_H
#define MH_POOL_H

#include "mh_policy.h"

/*
 * Smallest slot: the alignment, as small as a payload can be (the module's
 * owner table has an entry per 16 bytes of payload offsets for it).
 */
#define MH_POOL_MIN_SLOT	MH_ALIGN
/* Largest slot: where a block's 8-byte header is still >= 1/16 of it. */
#define MH_POOL_MAX_SLOT	(16 * MH_HDR_SIZE)
/* Every run is one block of this size: 16 of the largest slots. */
#define MH_POOL_RUN_SIZE	(16 * MH_POOL_MAX_SLOT)
#define MH_POOL_MAP_MAX		MH_RUN_MAX_SLOTS
/* Runs' worth of small blocks a class has live before its first run. */
#define MH_POOL_RUNS_FIRST	4u
/* Where the first slot (its payload) is, from the run's header. */
#define MH_POOL_SLOT0		(MH_HDR_SIZE + 16u)
#define MH_POOL_FREE		MH_SLOT_FREE

static_assert(MH_POOL_CLASSES ==
	      (MH_POOL_MAX_SLOT - MH_POOL_MIN_SLOT) / MH_ALIGN + 1,
	      "one class per 16 bytes of slot");
static_assert(MH_POOL_MAX_SLOT <= MH_POOL_FREE, "slack fits a map byte");
static_assert(MH_POOL_RUN_SIZE % MH_ALIGN == 0, "a run is a block");
static_assert((MH_POOL_SLOT0 + MH_HDR_SIZE) % MH_ALIGN == 0,
	      "slots are 16-byte aligned");

/**
 * struct mh_run - a run, as read once: its word, links and map.
 * @b: its block, validated.
 * @cls: slot class.
 * @slot: slot size.
 * @n: slots.
 * @used: slots in use (from @map).
 * @links: its list links (@links.next, @links.prev: run offsets).
 * @map: the slot map.
 */
struct mh_run {
	struct mh_block b;
	u32 cls;
	u32 slot;
	u32 n;
	u32 used;
	struct mh_links links;
	u8 map[MH_POOL_MAP_MAX];
};

/* Does this header say "run"? (in use, nothing requested) */
static inline bool mh_hdr_is_run(const struct mh_hdr *hd)
{
	return hd->used && hd->slack == hd->size - MH_HDR_SIZE;
}

/* core internals (mh_core.c) */
int mh_lookup_block(const struct mh_heap *h, u32 payload, struct mh_block *b);
int mh_take_any(struct mh_heap *h, u32 need, u32 align, u32 req,
		struct mh_take *t);
void mh_account_use(struct mh_heap *h, u32 blk, u32 size, u32 req);
int mh_release(struct mh_heap *h, const struct mh_block *b,
	       struct mh_freed *fr);
int mh_alloc_block(struct mh_heap *h, size_t size, size_t align,
		   unsigned int flags, u32 *offset, u32 *usable);
int mh_free_any(struct mh_heap *h, u32 offset, u32 *req, struct mh_freed *fr);

/* segregated fit, whose lists pools use for everything but slots */
u32 mh_seg_list_of(u32 size);
void mh_seg_class_range(const struct mh_heap *h, u32 list, u32 *min,
			u32 *max);
int mh_seg_find(const struct mh_heap *h, u32 need, u32 align,
		struct mh_found *got, u32 *examined);
void mh_seg_mark(struct mh_heap *h, u32 list, bool nonempty);
bool mh_seg_marked(const struct mh_heap *h, u32 list);
bool mh_seg_bitmaps_ok(const struct mh_heap *h);

bool mh_pool_wants(const struct mh_heap *h, size_t size, u32 align);
void mh_pool_small_made(struct mh_heap *h, size_t req);
void mh_pool_small_gone(struct mh_heap *h, u32 req);
int mh_pool_alloc(struct mh_heap *h, u32 req, unsigned int flags,
		  u32 *offset, u32 *usable);
int mh_pool_lookup(const struct mh_heap *h, u32 payload, struct mh_run *r,
		   u32 *idx);
int mh_pool_free(struct mh_heap *h, u32 payload, u32 *req,
		 struct mh_freed *fr);
int mh_pool_resize(struct mh_heap *h, u32 payload, size_t size,
		   struct mh_result *r);
void mh_pool_describe(const struct mh_heap *h, u32 off,
		      struct mh_block_info *b);
enum mh_violation_kind mh_pool_check_run(const struct mh_heap *h, u32 off,
					 u32 size, u64 *requested,
					 u64 *slots, u64 *partial);
enum mh_violation_kind mh_pool_check_lists(const struct mh_heap *h,
					   u64 partial);
bool mh_pool_control_ok(const struct mh_heap *h);

#endif /* MH_POOL_H */
