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
#include "mh_pool.h"

const struct mh_policy_ops *const mh_policy_table[MH_NR_POLICIES] = {
	[MH_FIRST_FIT] = &mh_first_fit_ops,
	[MH_NEXT_FIT] = &mh_next_fit_ops,
	[MH_BEST_FIT] = &mh_best_fit_ops,
	[MH_WORST_FIT] = &mh_worst_fit_ops,
	[MH_SEGREGATED] = &mh_seg_ops,
	[MH_BUDDY] = &mh_buddy_ops,
	[MH_POOLS] = &mh_pool_ops,
};

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
EXPORT_SYMBOL_NS_GPL(mh_policy_name, MYHEAP_CORE);

/**
 * mh_policy_parse() - look a policy up by name.
 * @name: a policy's name (its ops' name, as mh_policy_name() gives it);
 *	a trailing newline (as sysfs writes carry) is ignored.
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
EXPORT_SYMBOL_NS_GPL(mh_policy_parse, MYHEAP_CORE);

/* The core's one table of list-order names (malloc.py's, lower case). */
static const char *const mh_order_names[MH_NR_ORDERS] = {
	[MH_ORDER_ADDR] = "addrsort",
	[MH_ORDER_SIZE_UP] = "sizesort+",
	[MH_ORDER_SIZE_DOWN] = "sizesort-",
	[MH_ORDER_FRONT] = "insert-front",
	[MH_ORDER_BACK] = "insert-back",
};

/**
 * mh_order_name() - name of a free-list order.
 * @order: the order.
 *
 * Context: any.
 * Return: its name, or "unknown" for a value out of range.
 */
const char *mh_order_name(enum mh_list_order order)
{
	if ((unsigned int)order >= MH_NR_ORDERS)
		return "unknown";
	return mh_order_names[order];
}
EXPORT_SYMBOL_NS_GPL(mh_order_name, MYHEAP_CORE);

/**
 * mh_order_parse() - look a free-list order up by name.
 * @name: an order's name, as mh_order_name() gives it; a trailing newline
 *	is ignored.
 *
 * Context: any.
 * Return: the enum mh_list_order value, or -EINVAL for an unknown name.
 */
int mh_order_parse(const char *name)
{
	size_t len = strlen(name);
	int o;

	if (len && name[len - 1] == '\n')
		len--;
	for (o = 0; o < MH_NR_ORDERS; o++) {
		const char *n = mh_order_names[o];

		if (strlen(n) == len && !memcmp(n, name, len))
			return o;
	}
	return -EINVAL;
}
EXPORT_SYMBOL_NS_GPL(mh_order_parse, MYHEAP_CORE);

/* Keep the policy's class bitmaps in step with list @list being (non-)empty. */
void mh_list_mark(struct mh_heap *h, u32 list, bool nonempty)
{
	const struct mh_policy_ops *ops = mh_ops(h);

	if (ops->mark)
		ops->mark(h, list, nonempty);
}

/* Is @off a free block that belongs on @list? (its header read once) */
static bool mh_on_list(const struct mh_heap *h, u32 list, u32 off)
{
	struct mh_hdr hd;

	return mh_free_read(h, off, &hd) && mh_list_of(h, hd.size) == list;
}

/**
 * mh_list_links_ok() - are the links @l of the free block @off on @list
 *	consistent with its neighbours?
 * @h: heap.
 * @list: the list @off is on (range-checked here).
 * @off: a validated free block.
 * @l: its links, as read once: the plan mh_list_unlink() and
 *	mh_list_replace() follow.
 *
 * Its previous block (or the list head) and its next block must be free
 * blocks of the same list that link back to it.
 *
 * Return: true if @off can be unlinked with @l.
 */
bool mh_list_links_ok(const struct mh_heap *h, u32 list, u32 off,
		      const struct mh_links *l)
{
	u32 link;

	if (list >= mh_ops(h)->nr_lists)
		return false;
	if (l->next == off || l->prev == off ||
	    (l->prev != MH_NIL && l->prev == l->next))
		return false;
	if (l->prev == MH_NIL) {
		if (h->heads[list] != off)
			return false;
	} else {
		/* The head has no predecessor, whatever the region says. */
		if (h->heads[list] == off || !mh_on_list(h, list, l->prev))
			return false;
		link = mh_ld32(h, l->prev + MH_NEXT_AT);
		if (link != off)
			return false;
	}
	if (l->next == MH_NIL)
		return true;
	if (!mh_on_list(h, list, l->next))
		return false;
	link = mh_ld32(h, l->next + MH_PREV_AT);
	return link == off;
}

/**
 * mh_list_unlink_ok() - read the links of the free block @off on @list
 *	once and check them (mh_list_links_ok()).
 * @h: heap.
 * @list: the list @off is on.
 * @off: a validated free block.
 * @l: set to @off's links.
 *
 * Return: true if @off can be unlinked with @l.
 */
bool mh_list_unlink_ok(const struct mh_heap *h, u32 list, u32 off,
		       struct mh_links *l)
{
	mh_links_read(h, off, l);
	return mh_list_links_ok(h, list, off, l);
}

/**
 * mh_links_unlinked() - update a plan's links for the unlinking of another
 *	block of the same list.
 * @l: links validated by mh_list_unlink_ok(), of a block still to unlink.
 * @gone: the block unlinked first.
 * @gl: its links.
 */
void mh_links_unlinked(struct mh_links *l, u32 gone, const struct mh_links *gl)
{
	if (l->prev == gone)
		l->prev = gl->prev;
	if (l->next == gone)
		l->next = gl->next;
}

/* Take @off, whose links @l were validated, off @list. */
void mh_list_unlink(struct mh_heap *h, u32 list, u32 off,
		    const struct mh_links *l)
{
	if (l->prev == MH_NIL) {
		h->heads[list] = l->next;
		if (l->next == MH_NIL)
			mh_list_mark(h, list, false);
	} else {
		mh_st32(h, l->prev + MH_NEXT_AT, l->next);
	}
	if (l->next != MH_NIL)
		mh_st32(h, l->next + MH_PREV_AT, l->prev);
	if (h->rover == off)
		h->rover = l->next;
}

/**
 * mh_list_push_ok() - can a block be pushed on @list?
 * @h: heap.
 * @list: the list (range-checked here).
 * @a: a block about to be unlinked (MH_NIL if none).
 * @la: its validated links (may be NULL when @a is MH_NIL).
 * @b: another block about to be unlinked (MH_NIL if none).
 * @lb: its validated links.
 *
 * The block that will head @list when mh_list_push() runs must be a free
 * block of @list that knows it is first. If @a or @b heads the list, the
 * block after it will: at most two known blocks are skipped, through their
 * validated links, never through the region.
 *
 * Return: true if the push may go ahead.
 */
bool mh_list_push_ok(const struct mh_heap *h, u32 list, u32 a,
		     const struct mh_links *la, u32 b,
		     const struct mh_links *lb)
{
	u32 head, prev = MH_NIL, link;
	int skip;

	if (list >= mh_ops(h)->nr_lists)
		return false;
	head = h->heads[list];
	for (skip = 0; skip < 2 && head != MH_NIL; skip++) {
		if (a != MH_NIL && head == a) {
			prev = a;
			head = la->next;
		} else if (b != MH_NIL && head == b) {
			prev = b;
			head = lb->next;
		} else {
			break;
		}
	}
	/* a skipped block's next was validated with it; still not a or b */
	if (head == MH_NIL || (skip && head != a && head != b))
		return true;
	if (head == a || head == b || !mh_on_list(h, list, head))
		return false;
	link = mh_ld32(h, head + MH_PREV_AT);
	return link == prev;
}

/*
 * Push @off on @list (validated with mh_list_push_ok()). The old head comes
 * from the control structure, never from the region.
 */
void mh_list_push(struct mh_heap *h, u32 list, u32 off)
{
	u32 head = h->heads[list];

	mh_st32(h, off + MH_NEXT_AT, head);
	mh_st32(h, off + MH_PREV_AT, MH_NIL);
	h->heads[list] = off;
	if (head != MH_NIL)
		mh_st32(h, head + MH_PREV_AT, off);
	else
		mh_list_mark(h, list, true);
}

/* Put @off where @old is on @list; @l are @old's validated links. */
void mh_list_replace(struct mh_heap *h, u32 list, u32 old,
		     const struct mh_links *l, u32 off)
{
	mh_list_insert(h, list, off, l);
	if (h->rover == old)
		h->rover = off;
}

/*
 * Link @off between @at->prev (MH_NIL: at the head) and @at->next, both
 * validated (mh_list_pred(), mh_list_unlink_ok()).
 */
void mh_list_insert(struct mh_heap *h, u32 list, u32 off,
		    const struct mh_links *at)
{
	mh_st32(h, off + MH_NEXT_AT, at->next);
	mh_st32(h, off + MH_PREV_AT, at->prev);
	if (at->prev == MH_NIL)
		h->heads[list] = off;
	else
		mh_st32(h, at->prev + MH_NEXT_AT, off);
	if (at->next != MH_NIL)
		mh_st32(h, at->next + MH_PREV_AT, off);
	else if (at->prev == MH_NIL)
		mh_list_mark(h, list, true);	/* the list was empty */
}

/**
 * mh_list_pred() - find where @off goes in the address-ordered list @list.
 * @h: heap.
 * @list: the list.
 * @off: a block not on the list.
 * @at: set to the last block below @off (prev; 0: @off becomes the head)
 *	and the first above it (next; 0: none): the plan of mh_list_insert().
 *
 * Validates every node it passes (each read once) and the node after the
 * insertion point, so mh_list_insert() only writes to checked blocks. The
 * walk is bounded by the heap's block count.
 *
 * Return: 0, or -EUCLEAN if the list is damaged.
 */
int mh_list_pred(const struct mh_heap *h, u32 list, u32 off,
		 struct mh_links *at)
{
	u32 prev = MH_NIL, cur = h->heads[list], steps = mh_max_blocks(h);
	struct mh_links l;
	struct mh_hdr hd;

	/* one address-ordered list holds every size: no class to check */
	while (cur != MH_NIL && cur < off) {
		if (!steps-- || !mh_free_read(h, cur, &hd))
			return -EUCLEAN;
		mh_links_read(h, cur, &l);
		if (l.prev != prev || l.next == cur)
			return -EUCLEAN;
		prev = cur;
		cur = l.next;
	}
	if (cur == off)
		return -EUCLEAN;
	if (cur != MH_NIL) {
		if (!mh_free_read(h, cur, &hd) ||
		    mh_ld32(h, cur + MH_PREV_AT) != prev)
			return -EUCLEAN;
	}
	at->prev = prev;
	at->next = cur;
	return 0;
}

/**
 * mh_order_before() - does the free block [@a, @a + @asize) sort before
 *	[@b, @b + @bsize) on a list kept in @order?
 * @order: enum mh_list_order.
 * @a: one block.
 * @asize: its size.
 * @b: another block.
 * @bsize: its size.
 *
 * Equal sizes sort by address, so every sorted order is total and the
 * checker can verify it. The insert orders keep no order (always true).
 *
 * Return: true if @a may come first.
 */
bool mh_order_before(u32 order, u32 a, u32 asize, u32 b, u32 bsize)
{
	switch (order) {
	case MH_ORDER_ADDR:
		return a < b;
	case MH_ORDER_SIZE_UP:
		return asize < bsize || (asize == bsize && a < b);
	case MH_ORDER_SIZE_DOWN:
		return asize > bsize || (asize == bsize && a < b);
	default:
		return true;
	}
}

/* Does the new block (@off, @size) go in front of the listed @cur? */
static bool mh_goes_before(const struct mh_heap *h, u32 off, u32 size,
			   u32 cur, u32 csize)
{
	/* the other policies push on the front of the list */
	u32 order = mh_ops(h)->address_ordered ? h->list_order : MH_ORDER_FRONT;

	if (order == MH_ORDER_FRONT)
		return true;
	if (order == MH_ORDER_BACK)
		return false;
	return mh_order_before(order, off, size, cur, csize);
}

/**
 * mh_list_place() - plan where the free block [@off, @off + @size) goes on
 *	@list, in the heap's list order (the front for the policies that keep
 *	no order), on the list as it will be once @a and @b are unlinked.
 * @h: heap.
 * @list: the list (range-checked here).
 * @off: a block not on the list.
 * @size: its size.
 * @a: a block about to be unlinked (MH_NIL if none): skipped.
 * @la: its validated links (may be NULL when @a is MH_NIL).
 * @b: another block about to be unlinked (MH_NIL if none).
 * @lb: its validated links.
 * @at: set to the blocks @off goes between (prev MH_NIL: the head; next
 *	MH_NIL: the end): the plan of mh_list_insert(), run after @a and @b
 *	were unlinked.
 *
 * As mh_list_pred() does: every node it passes is read once and validated
 * (a free block of @list whose back link is the node before it), so is the
 * node after the insertion point, @a and @b are passed through their
 * validated links, never the region, and the walk is bounded by the heap's
 * block count. A size-sorted order stops at the first block the new one
 * sorts before; insert-back walks to the end.
 *
 * Return: 0, or -EUCLEAN if the list is damaged.
 */
int mh_list_place(const struct mh_heap *h, u32 list, u32 off, u32 size,
		  u32 a, const struct mh_links *la, u32 b,
		  const struct mh_links *lb, struct mh_links *at)
{
	u32 prev = MH_NIL, seen = MH_NIL, cur, steps = mh_max_blocks(h);
	struct mh_links l;
	struct mh_hdr hd;

	if (list >= mh_ops(h)->nr_lists)
		return -EUCLEAN;
	cur = h->heads[list];
	while (cur != MH_NIL) {
		if (!steps--)
			return -EUCLEAN;
		if (cur == a || cur == b) {
			seen = cur;
			cur = (cur == a ? la : lb)->next;
			continue;
		}
		if (cur == off || !mh_free_read(h, cur, &hd) ||
		    mh_list_of(h, hd.size) != list)
			return -EUCLEAN;
		mh_links_read(h, cur, &l);
		if (l.prev != seen || l.next == cur)
			return -EUCLEAN;
		if (mh_goes_before(h, off, size, cur, hd.size))
			break;
		prev = cur;
		seen = cur;
		cur = l.next;
	}
	at->prev = prev;
	at->next = cur;
	return 0;
}

/**
 * mh_links_inserted() - update a plan of mh_list_place() for the insertion
 *	of another new block planned on the same list before it.
 * @h: heap.
 * @at: the plan of (@off, @size), made without @first on the list.
 * @off: the block @at places.
 * @size: its size.
 * @first: the block inserted first (at @first_at).
 * @first_size: its size.
 * @first_at: its plan.
 *
 * Two new blocks planned into the same place go in the order the list
 * keeps (the later one first at the front, last at the back).
 */
void mh_links_inserted(const struct mh_heap *h, struct mh_links *at, u32 off,
		       u32 size, u32 first, u32 first_size,
		       const struct mh_links *first_at)
{
	if (at->prev != first_at->prev)
		return;		/* another place: the insertions are apart */
	if (mh_goes_before(h, off, size, first, first_size))
		at->next = first;
	else
		at->prev = first;
}

/**
 * mh_end_agrees() - does a block ending at @end end where a block starts?
 * @h: heap.
 * @end: offset one past the block.
 * @free: the block is free (the next block's PREV_FREE must say so).
 * @hd: set to the header at @end (read once), when @end is not the heap's
 *	end; the plan for a later mh_set_prev_free().
 *
 * A size is only believed when its end lands on the heap's end or on a
 * valid header whose PREV_FREE bit agrees: a forged size that swallows
 * part of its neighbour fails here.
 *
 * Return: true if it does.
 */
bool mh_end_agrees(const struct mh_heap *h, u32 end, bool free,
		   struct mh_hdr *hd)
{
	if (end == h->heap_end)
		return true;
	return end < h->heap_end && mh_block_read(h, end, hd) &&
	       hd->prev_free == free;
}

/**
 * mh_free_ends_ok() - does the free block [@off, @off + @size) end where
 *	both its boundary tag and the next header say it does?
 * @h: heap.
 * @off: a free block whose header was validated.
 * @size: its size.
 * @hd: set as by mh_end_agrees().
 *
 * A free block's size is about to decide what the core writes (split,
 * merge): it must fit in the free bytes the control structure counts, the
 * start bitmap must agree it is one block, its tag must repeat it and the
 * block after it must know it follows a free block.
 *
 * Return: true if they agree.
 */
bool mh_free_ends_ok(const struct mh_heap *h, u32 off, u32 size,
		     struct mh_hdr *hd)
{
	u32 tag;

	if (!mh_free_size_ok(h, size))
		return false;
	tag = mh_ld32(h, off + size - MH_TAG_SIZE);
	return tag == size && mh_span_agrees(h, off, size, true, hd);
}

/* Write the header and boundary tag of a free block (links untouched). */
void mh_write_free(struct mh_heap *h, u32 off, u32 size, bool prev_free)
{
	struct mh_hdr hd = { .size = size, .prev_free = prev_free };

	mh_hdr_write(h, off, &hd);
	mh_st32(h, off + size - MH_TAG_SIZE, size);
	mh_start_mark(h, off);
}

/*
 * Set the PREV_FREE bit of the block at @off, if there is one, from @hd: its
 * header as validated earlier in the operation (never decoded again).
 */
void mh_set_prev_free(struct mh_heap *h, u32 off, const struct mh_hdr *hd,
		      bool prev_free)
{
	struct mh_hdr nh = *hd;

	if (off >= h->heap_end || hd->prev_free == prev_free)
		return;
	nh.prev_free = prev_free;
	mh_hdr_write(h, off, &nh);
}

/* Make the header at @off fail its check forever (it is no block now). */
void mh_wipe_header(struct mh_heap *h, u32 off)
{
	mh_st64(h, off, MH_POISON_WORD);
	mh_start_unmark(h, off);
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
	mh_start_mark(h, off);
}

/* With poisoning on, fill [@from, @to) with the poison byte. */
void mh_poison(struct mh_heap *h, u32 from, u32 to)
{
	if ((h->flags & MH_INIT_POISON) && from < to && to <= h->region_size)
		memset(h->base + from, MH_POISON, to - from);
}

/*
 * With poisoning on, is [@from, @to) still all poison? One bulk read, a word
 * at a time, that the attacker hook sees as one load of the whole range.
 */
bool mh_poison_intact(const struct mh_heap *h, u32 from, u32 to)
{
	if (!(h->flags & MH_INIT_POISON) || from >= to || to > h->region_size)
		return true;
	mh_port_before_load(h->base, from, to - from);
	return !mh_port_memchr_inv(h->base + from, MH_POISON, to - from);
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
