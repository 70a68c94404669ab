// SPDX-License-Identifier: GPL-2.0
/*
 * mh_list.c - free lists threaded through free payloads, and the small
 * writers of block metadata (free headers, boundary tags, poison) that all
 * policies share.
 *
 * The *_ok() predicates validate every block a later write will touch; the
 * writers trust that validation (and the bounds-checked accessors keep even
 * a racing scribbler from turning them into a write outside the region).
 */
#include "mh_policy.h"

static const struct mh_policy_ops *const mh_policy_table[MH_NR_POLICIES] = {
	[MH_FIRST_FIT] = &mh_first_fit_ops,
	[MH_NEXT_FIT] = &mh_next_fit_ops,
	[MH_BEST_FIT] = &mh_best_fit_ops,
	[MH_WORST_FIT] = &mh_worst_fit_ops,
	[MH_SEGREGATED] = &mh_seg_ops,
	[MH_BUDDY] = &mh_buddy_ops,
};

const struct mh_policy_ops *mh_ops(const struct mh_heap *h)
{
	return mh_policy_table[h->policy];
}

/**
 * mh_policy_name() - name of a placement policy.
 * @policy: the policy.
 *
 * Context: any.
 * Return: its name, or "unknown" for a value out of range.
 */
const char *mh_policy_name(enum mh_policy policy)
{
	if ((unsigned int)policy >= MH_NR_POLICIES)
		return "unknown";
	return mh_policy_table[policy]->name;
}

/**
 * mh_policy_parse() - look a policy up by name.
 * @name: "first", "next", "best", "worst", "segregated" or "buddy"; a
 *	trailing newline (as sysfs writes carry) is ignored.
 *
 * Context: any.
 * Return: the enum mh_policy value, or -EINVAL for an unknown name.
 */
int mh_policy_parse(const char *name)
{
	size_t len = strlen(name);
	int p;

	if (len && name[len - 1] == '\n')
		len--;
	for (p = 0; p < MH_NR_POLICIES; p++) {
		const char *n = mh_policy_table[p]->name;

		if (strlen(n) == len && !memcmp(n, name, len))
			return p;
	}
	return -EINVAL;
}

/* Keep the class bitmaps in step with list @list being (non-)empty. */
static void mh_list_mark(struct mh_heap *h, u32 list, bool nonempty)
{
	if (h->policy == MH_SEGREGATED) {
		u32 fl = list / MH_SL_COUNT, sl = list % MH_SL_COUNT;

		if (nonempty)
			h->sl_bitmap[fl] |= 1u << sl;
		else
			h->sl_bitmap[fl] &= ~(1u << sl);
		if (h->sl_bitmap[fl])
			h->fl_bitmap |= 1u << fl;
		else
			h->fl_bitmap &= ~(1u << fl);
	} else if (h->policy == MH_BUDDY) {
		if (nonempty)
			h->fl_bitmap |= 1u << list;
		else
			h->fl_bitmap &= ~(1u << list);
	}
}

/* Is @off, a free block on @list, linked consistently with its neighbours? */
bool mh_list_unlink_ok(const struct mh_heap *h, u32 list, u32 off)
{
	u32 next = mh_next_link(h, off), prev = mh_prev_link(h, off);
	struct mh_hdr hd;

	if (next == off || prev == off)
		return false;
	if (prev == MH_NIL) {
		if (h->heads[list] != off)
			return false;
	} else if (!mh_free_read(h, prev, &hd) ||
		   mh_next_link(h, prev) != off) {
		return false;
	}
	return next == MH_NIL ||
	       (mh_free_read(h, next, &hd) && mh_prev_link(h, next) == off);
}

void mh_list_unlink(struct mh_heap *h, u32 list, u32 off)
{
	u32 next = mh_next_link(h, off), prev = mh_prev_link(h, off);

	if (prev == MH_NIL) {
		h->heads[list] = next;
		if (next == MH_NIL)
			mh_list_mark(h, list, false);
	} else {
		mh_st32(h, prev + MH_NEXT_AT, next);
	}
	if (next != MH_NIL)
		mh_st32(h, next + MH_PREV_AT, prev);
	if (h->rover == off)
		h->rover = next;
}

/*
 * Can a block be pushed on @list? Its head must be a free block that knows
 * it is first. @a and @b are blocks about to be unlinked (0 if none, their
 * links validated by mh_list_unlink_ok()): if they head the list, the first
 * block after them will.
 */
bool mh_list_push_ok(const struct mh_heap *h, u32 list, u32 a, u32 b)
{
	u32 head = h->heads[list], prev = MH_NIL;
	struct mh_hdr hd;

	while (head != MH_NIL && (head == a || head == b)) {
		prev = head;
		head = mh_next_link(h, head);
	}
	return head == MH_NIL ||
	       (mh_free_read(h, head, &hd) && mh_prev_link(h, head) == prev);
}

void mh_list_push(struct mh_heap *h, u32 list, u32 off)
{
	u32 head = h->heads[list];

	mh_st32(h, off + MH_NEXT_AT, head);
	mh_st32(h, off + MH_PREV_AT, MH_NIL);
	if (head != MH_NIL)
		mh_st32(h, head + MH_PREV_AT, off);
	h->heads[list] = off;
	mh_list_mark(h, list, true);
}

/* Put @off where @old is on @list (validated with mh_list_unlink_ok()). */
void mh_list_replace(struct mh_heap *h, u32 list, u32 old, u32 off)
{
	u32 next = mh_next_link(h, old), prev = mh_prev_link(h, old);

	mh_st32(h, off + MH_NEXT_AT, next);
	mh_st32(h, off + MH_PREV_AT, prev);
	if (prev == MH_NIL)
		h->heads[list] = off;
	else
		mh_st32(h, prev + MH_NEXT_AT, off);
	if (next != MH_NIL)
		mh_st32(h, next + MH_PREV_AT, off);
	if (h->rover == old)
		h->rover = off;
}

/* Link @off after @pred (0: at the head); @pred's links were validated. */
void mh_list_insert_after(struct mh_heap *h, u32 list, u32 pred, u32 off)
{
	u32 next = pred == MH_NIL ? h->heads[list] : mh_next_link(h, pred);

	mh_st32(h, off + MH_NEXT_AT, next);
	mh_st32(h, off + MH_PREV_AT, pred);
	if (pred == MH_NIL)
		h->heads[list] = off;
	else
		mh_st32(h, pred + MH_NEXT_AT, off);
	if (next != MH_NIL)
		mh_st32(h, next + MH_PREV_AT, off);
	mh_list_mark(h, list, true);
}

/**
 * mh_list_pred() - find where @off goes in the address-ordered list @list.
 * @h: heap.
 * @list: the list.
 * @off: a block not on the list.
 * @pred: set to the last block below @off (0: @off becomes the head).
 *
 * Validates every node it passes and the back link of the node after the
 * insertion point, so mh_list_insert_after() only writes to checked blocks.
 *
 * Return: 0, or -EUCLEAN if the list is damaged.
 */
int mh_list_pred(const struct mh_heap *h, u32 list, u32 off, u32 *pred)
{
	u32 prev = MH_NIL, cur = h->heads[list], steps = mh_max_blocks(h);
	struct mh_hdr hd;

	while (cur != MH_NIL && cur < off) {
		if (!steps-- || !mh_free_read(h, cur, &hd) ||
		    mh_prev_link(h, cur) != prev)
			return -EUCLEAN;
		prev = cur;
		cur = mh_next_link(h, cur);
	}
	if (cur == off)
		return -EUCLEAN;
	if (cur != MH_NIL &&
	    (!mh_free_read(h, cur, &hd) || mh_prev_link(h, cur) != prev))
		return -EUCLEAN;
	*pred = prev;
	return 0;
}

/* Write the header and boundary tag of a free block (links untouched). */
void mh_write_free(struct mh_heap *h, u32 off, u32 size, bool prev_free)
{
	struct mh_hdr hd = { .size = size, .prev_free = prev_free };

	mh_hdr_write(h, off, &hd);
	mh_st32(h, off + size - MH_TAG_SIZE, size);
}

/* Update the PREV_FREE bit of the block at @off, if there is one. */
void mh_set_prev_free(struct mh_heap *h, u32 off, bool prev_free)
{
	struct mh_hdr hd;

	if (off >= h->heap_end || !mh_hdr_decode(h, off, &hd) ||
	    hd.prev_free == prev_free)
		return;
	hd.prev_free = prev_free;
	mh_hdr_write(h, off, &hd);
}

/* Make the header at @off fail its check forever (it is no block now). */
void mh_wipe_header(struct mh_heap *h, u32 off)
{
	mh_st64(h, off, MH_POISON_WORD);
}

/*
 * The block at @off merged into the free block on its left: its header and
 * links, and the left block's old boundary tag, are plain free payload now.
 * Wipe the header so it never passes for a block again, and with poisoning
 * on restore the poison over all of it.
 */
void mh_absorb(struct mh_heap *h, u32 off)
{
	mh_wipe_header(h, off);
	mh_poison(h, off - MH_TAG_SIZE, off + MH_META_HEAD);
}

/* Write the header of a block in use that was asked for @req bytes. */
void mh_write_used(struct mh_heap *h, u32 off, u32 size, bool prev_free,
		   u32 req)
{
	struct mh_hdr hd = {
		.size = size,
		.used = true,
		.prev_free = prev_free,
		.slack = size - MH_HDR_SIZE - req,
	};

	mh_hdr_write(h, off, &hd);
}

/* With poisoning on, fill [@from, @to) with the poison byte. */
void mh_poison(struct mh_heap *h, u32 from, u32 to)
{
	if ((h->flags & MH_INIT_POISON) && from < to && to <= h->region_size)
		memset(h->base + from, MH_POISON, to - from);
}

/* With poisoning on, is [@from, @to) still all poison? */
bool mh_poison_intact(const struct mh_heap *h, u32 from, u32 to)
{
	const u8 *p = h->base + from;
	u32 n;

	if (!(h->flags & MH_INIT_POISON) || from >= to || to > h->region_size)
		return true;
	for (n = to - from; n && *p == MH_POISON; n--)
		p++;
	return n == 0;
}

void mh_emit(struct mh_heap *h, enum mh_event ev, u32 off, u32 size)
{
	if (ev == MH_EV_SPLIT)
		h->count.splits++;
	else if (ev == MH_EV_COALESCE)
		h->count.coalesces++;
	if (h->observer)
		h->observer(h->observer_ctx, ev, off, size);
}
