/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mh_policy.h - private to the core: the free lists and the interface each
 * placement policy implements.
 *
 * Every policy keeps its free blocks on doubly linked lists threaded through
 * the blocks' payloads (h->heads[list] is the first block). The policies
 * differ in how many lists there are, which list a block of a given size
 * belongs on, and how a search picks a block:
 *   - the fit policies (mh_fit.c): one list in address order;
 *   - segregated fit (mh_seg.c): TLSF classes with two bitmap levels;
 *   - buddy (mh_buddy.c): one list per power-of-two order.
 *
 * Operations validate everything they will write through before writing
 * anything: mh_list_unlink_ok() before mh_list_unlink(), mh_list_push_ok()
 * before mh_list_push(). That is what lets a failed operation leave the
 * heap untouched.
 */
#ifndef MH_POLICY_H
#define MH_POLICY_H

#include "mh_block.h"

/**
 * struct mh_policy_ops - what distinguishes one placement policy.
 * @name: as accepted by mh_policy_parse().
 * @address_ordered: one list kept in address order (the fit policies).
 * @buddy: power-of-two blocks that merge only with their buddy.
 * @nr_lists: lists in use.
 * @list_of: list a free block of @size belongs on.
 * @class_range: smallest and largest block size list @list holds.
 * @find: pick a free block for a block of @need bytes whose payload is
 *	aligned to @align; store its offset. Return 0, -ENOMEM or -EUCLEAN.
 *	Adds the blocks it examined to @examined.
 */
struct mh_policy_ops {
	const char *name;
	bool address_ordered;
	bool buddy;
	u32 nr_lists;
	u32 (*list_of)(u32 size);
	void (*class_range)(const struct mh_heap *h, u32 list, u32 *min,
			    u32 *max);
	int (*find)(struct mh_heap *h, u32 need, u32 align, u32 *off,
		    u32 *examined);
};

extern const struct mh_policy_ops mh_first_fit_ops;
extern const struct mh_policy_ops mh_next_fit_ops;
extern const struct mh_policy_ops mh_best_fit_ops;
extern const struct mh_policy_ops mh_worst_fit_ops;
extern const struct mh_policy_ops mh_seg_ops;
extern const struct mh_policy_ops mh_buddy_ops;

const struct mh_policy_ops *mh_ops(const struct mh_heap *h);

/* Most list nodes a walk may visit before it must be a loop. */
static inline u32 mh_max_blocks(const struct mh_heap *h)
{
	return h->heap_end / MH_MIN_BLOCK + 1;
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

bool mh_list_unlink_ok(const struct mh_heap *h, u32 list, u32 off);
void mh_list_unlink(struct mh_heap *h, u32 list, u32 off);
bool mh_list_push_ok(const struct mh_heap *h, u32 list, u32 a, u32 b);
void mh_list_push(struct mh_heap *h, u32 list, u32 off);
void mh_list_replace(struct mh_heap *h, u32 list, u32 old, u32 off);
void mh_list_insert_after(struct mh_heap *h, u32 list, u32 pred, u32 off);
int mh_list_pred(const struct mh_heap *h, u32 list, u32 off, u32 *pred);

void mh_write_free(struct mh_heap *h, u32 off, u32 size, bool prev_free);
void mh_set_prev_free(struct mh_heap *h, u32 off, bool prev_free);
void mh_wipe_header(struct mh_heap *h, u32 off);
void mh_absorb(struct mh_heap *h, u32 off);
void mh_write_used(struct mh_heap *h, u32 off, u32 size, bool prev_free,
		   u32 req);
void mh_poison(struct mh_heap *h, u32 from, u32 to);
bool mh_poison_intact(const struct mh_heap *h, u32 from, u32 to);
void mh_emit(struct mh_heap *h, enum mh_event ev, u32 off, u32 size);

/* buddy specifics used by the core's alloc/free/realloc */
u32 mh_buddy_size_for(u32 need);
bool mh_buddy_aligned(const struct mh_heap *h, u32 off, u32 size);
u32 mh_buddy_of(const struct mh_heap *h, u32 off, u32 size);
int mh_buddy_alloc(struct mh_heap *h, u32 need, u32 req, u32 *off,
		   u32 *size);
int mh_buddy_free(struct mh_heap *h, u32 off, u32 size, u32 *merges);
int mh_buddy_free_ok(const struct mh_heap *h, u32 off, u32 size);
int mh_buddy_shrink(struct mh_heap *h, u32 off, u32 size, u32 need,
		    u32 *new_free);
void mh_buddy_carve(struct mh_heap *h);

#endif /* MH_POLICY_H */
