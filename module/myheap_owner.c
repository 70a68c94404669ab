// SPDX-License-Identifier: GPL-2.0
/*
 * Which open file owns which block.
 *
 * Each open file gets an owner slot, a small number from an allocating
 * xarray (&myheap_dev.owners, which also maps the slot back to the file).
 * The owner table (&myheap_dev.owner_table) has one u8 per 16 bytes of
 * payload offsets: payloads are 16-byte aligned and pools' slots (no
 * header, 16 bytes the smallest) lie 16 bytes apart, so every payload
 * that can be live has an entry of its own, holding its owner slot. One
 * byte per 16 keeps the table at 1/16 of the region and owner slots at 8
 * bits (MYHEAP_MAX_OWNERS files open at once): a u16 per 16 bytes would
 * be 1/8, and a u16 per 32 bytes (the table before pools) cannot name
 * two 16-byte slots of different owners. The table is allocated once, at
 * device init (region_size / 16 bytes: at most 16 MiB for the largest
 * region), so ownership costs no
 * allocation and no pointer chase on the alloc and free paths, O(1) per
 * lookup, and lives in kernel memory a process that scribbles over the
 * mapped region cannot reach.
 *
 * Closing a file frees its blocks by scanning the table between the lowest
 * and highest index the file ever owned, in bounded chunks with the lock
 * dropped in between, and stops as soon as the file owns nothing more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "myheap.h"

/* Table entries one chunk of a close scans at most. */
#define MYHEAP_CLOSE_SCAN	4096u

static_assert(MH_ALIGN == MYHEAP_OWNER_GRANULE);
static_assert(U8_MAX >= MYHEAP_MAX_OWNERS);

/* Table index of a payload offset that passed myheap_owner_index_ok(). */
static inline u32 myheap_owner_index(u32 offset)
{
	return (offset - 2 * MH_HDR_SIZE) / MYHEAP_OWNER_GRANULE;
}

/* Payload offset of the block or slot whose entry sits at index @i. */
static inline u32 myheap_owner_offset(u32 i)
{
	return i * MYHEAP_OWNER_GRANULE + 2 * MH_HDR_SIZE;
}

/* Could a block's payload be at @offset (aligned, inside the region)? */
static inline bool myheap_owner_index_ok(const struct myheap_dev *dev,
					 u64 offset)
{
	return offset >= 2 * MH_HDR_SIZE && offset < dev->region_size &&
	       IS_ALIGNED(offset, MH_ALIGN);
}

/**
 * myheap_owner_init() - allocate the owner table and the slot map.
 * @dev: the device; @region_size set.
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM.
 */
int myheap_owner_init(struct myheap_dev *dev)
{
	dev->owner_entries = DIV_ROUND_UP(dev->region_size,
					  MYHEAP_OWNER_GRANULE);
	dev->owner_table = kvcalloc(dev->owner_entries,
				    sizeof(*dev->owner_table), GFP_KERNEL);
	if (!dev->owner_table)
		return -ENOMEM;
	xa_init_flags(&dev->owners, XA_FLAGS_ALLOC1);
	INIT_LIST_HEAD(&dev->files);
	dev->nr_files = 0;
	dev->next_id = 1;
	return 0;
}

/**
 * myheap_owner_destroy() - free what myheap_owner_init() allocated.
 * @dev: the device; no file may be open on it any more.
 *
 * Context: process context, may sleep.
 */
void myheap_owner_destroy(struct myheap_dev *dev)
{
	xa_destroy(&dev->owners);
	kvfree(dev->owner_table);
	dev->owner_table = NULL;
}

/**
 * myheap_owner_bytes() - kernel memory ownership takes, in bytes.
 * @dev: the device.
 *
 * The owner table; per open file a struct myheap_file and its slot (not
 * counted: they do not grow with blocks).
 *
 * Context: any.
 * Return: the bytes.
 */
size_t myheap_owner_bytes(const struct myheap_dev *dev)
{
	return (size_t)dev->owner_entries * sizeof(*dev->owner_table);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_owner_bytes);

/**
 * myheap_file_add() - register a newly opened file as a block owner.
 * @dev: the device.
 * @mf: the file's state; @pid and @comm already filled in.
 *
 * Context: &myheap_dev.lock held; may allocate (GFP_KERNEL).
 * Return: 0; -ENFILE MYHEAP_MAX_OWNERS files are open already; -ENOMEM.
 */
int myheap_file_add(struct myheap_dev *dev, struct myheap_file *mf)
{
	u32 slot;
	int ret;

	lockdep_assert_held(&dev->lock);

	ret = xa_alloc(&dev->owners, &slot, mf,
		       XA_LIMIT(1, MYHEAP_MAX_OWNERS), GFP_KERNEL);
	if (ret)
		return ret == -EBUSY ? -ENFILE : ret;
	mf->dev = dev;
	mf->slot = slot;
	mf->id = dev->next_id++;
	mf->blocks = 0;
	mf->bytes = 0;
	mf->peak_bytes = 0;
	mf->lo = U32_MAX;
	mf->hi = 0;
	mf->seq = 0;
	list_add_tail(&mf->node, &dev->files);
	dev->nr_files++;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_file_add);

/* After the last close, a heap still holding blocks (lost to damage) or
 * failing its check is reset, so damage never outlives its openers.
 */
static void myheap_reset_if_damaged(struct myheap_dev *dev)
{
	struct mh_violation first;
	int ret;

	lockdep_assert_held(&dev->lock);

	if (dev->nr_files)
		return;
	if (mh_empty(&dev->heap) && mh_check(&dev->heap, &first) == 0)
		return;
	ret = mh_reset(&dev->heap, dev->policy);
	if (ret) {
		pr_warn_ratelimited("heap reset after the last close failed (%d)\n",
				    ret);
		return;
	}
	/* No file is open: every entry left is a block lost to damage. */
	memset(dev->owner_table, 0,
	       dev->owner_entries * sizeof(*dev->owner_table));
	dev->resets++;
	pr_warn_ratelimited("heap was damaged or held lost blocks after the last close: reset\n");
}

/*
 * Free the blocks of @mf below owner table index *@end, highest first,
 * scanning at most MYHEAP_CLOSE_SCAN entries and stopping when the hold's
 * time is up; lower *@end to where it stopped.
 *
 * Highest first because an address-ordered free list (first, next, best,
 * worst fit) is walked from its lowest block up to the insertion point: a
 * block freed below every block freed before it passes only the holes
 * that were there already. In ascending order each free walked all the
 * blocks the close had freed so far, and closing a file of 64K blocks
 * interleaved with another file's walked two billion list nodes.
 */
static void myheap_file_release_chunk(struct myheap_file *mf, u32 *end)
{
	struct myheap_dev *dev = mf->dev;
	u32 stop = *end - mf->lo > MYHEAP_CLOSE_SCAN ?
		   *end - MYHEAP_CLOSE_SCAN : mf->lo;
	u64 deadline = myheap_hold_deadline();
	u32 i = *end, off;
	int ret;

	lockdep_assert_held(&dev->lock);

	while (i > stop && mf->blocks) {
		if (dev->owner_table[--i] != mf->slot)
			continue;
		off = myheap_owner_offset(i);
		ret = myheap_block_release(mf, off);
		if (ret)
			myheap_note_damage(dev, ret, "release", off);
		if (myheap_hold_over(dev, deadline))
			break;
	}
	*end = i;
}

/**
 * myheap_file_remove() - free all blocks of a file and forget the file.
 * @dev: the device.
 * @mf: the file's state; no operation on it can start any more.
 * @blocks: where the number of blocks it still owned is stored.
 * @bytes: where their requested payload bytes are stored.
 *
 * Frees the blocks a chunk at a time and drops the lock (and reschedules)
 * between chunks, so other files wait for one chunk at most, however many
 * blocks this one held. Blocks that the core refuses to free (their header
 * was overwritten through the mapping) stay in the heap, owned by nobody;
 * when the last file closes a heap in that state is reset.
 *
 * Context: &myheap_dev.lock held on entry and on return, dropped in
 * between; may sleep.
 */
void myheap_file_remove(struct myheap_dev *dev, struct myheap_file *mf,
			u64 *blocks, u64 *bytes)
{
	u32 end = mf->hi + 1;

	lockdep_assert_held(&dev->lock);

	*blocks = mf->blocks;
	*bytes = mf->bytes;
	while (mf->blocks && end > mf->lo) {
		myheap_file_release_chunk(mf, &end);
		if (!mf->blocks || end <= mf->lo)
			break;
		myheap_lock_yield(dev, false);
	}
	mf->blocks = 0;
	mf->bytes = 0;
	list_del(&mf->node);
	xa_erase(&dev->owners, mf->slot);
	dev->nr_files--;
	myheap_reset_if_damaged(dev);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_file_remove);

/**
 * myheap_owner_check() - whether a payload offset is a block of a file.
 * @mf: the file.
 * @offset: the payload offset it named.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 if @offset is a block of @mf; -EPERM a block in use by another
 * file (or by no file at all); for anything else the core's verdict
 * (-ENXIO, -EBADMSG, -EALREADY, -EUCLEAN).
 */
int myheap_owner_check(struct myheap_file *mf, u64 offset)
{
	struct myheap_dev *dev = mf->dev;
	u8 e;
	int ret;

	lockdep_assert_held(&dev->lock);

	if (!myheap_owner_index_ok(dev, offset))
		return -ENXIO;
	e = dev->owner_table[myheap_owner_index(offset)];
	if (e == mf->slot)
		return 0;
	if (e)
		return -EPERM;
	ret = mh_probe(&dev->heap, offset);
	return ret ? ret : -EPERM;
}

/**
 * myheap_owner_free_slot() - whether no live block is recorded where a
 * new block's payload at @offset would go.
 * @dev: the device.
 * @offset: a payload offset the core just handed out.
 *
 * Context: &myheap_dev.lock held.
 * Return: true if the table's entry is free (false: the core handed out
 * a block over one that is still live, its headers were forged).
 */
bool myheap_owner_free_slot(const struct myheap_dev *dev, u32 offset)
{
	lockdep_assert_held(&dev->lock);

	return myheap_owner_index_ok(dev, offset) &&
	       !dev->owner_table[myheap_owner_index(offset)];
}

/**
 * myheap_owner_set() - record a file as the owner of a new block.
 * @mf: the file.
 * @offset: payload offset of the block, as the core handed it out.
 *
 * A live entry there means the core handed out memory of a live block (its
 * headers were forged): that block is lost to its owner, which stops
 * counting it.
 *
 * Context: &myheap_dev.lock held.
 */
void myheap_owner_set(struct myheap_file *mf, u32 offset)
{
	struct myheap_dev *dev = mf->dev;
	u32 i = myheap_owner_index(offset);
	struct myheap_file *victim;
	u8 e;

	lockdep_assert_held(&dev->lock);

	if (!myheap_owner_index_ok(dev, offset))
		return;
	e = dev->owner_table[i];
	if (e) {
		victim = xa_load(&dev->owners, e);
		if (victim && victim->blocks) {
			victim->blocks--;
			victim->seq++;
		}
	}
	dev->owner_table[i] = mf->slot;
	mf->lo = min(mf->lo, i);
	mf->hi = max(mf->hi, i);
	mf->blocks++;
	mf->seq++;
}

/**
 * myheap_owner_clear() - forget a file's block that is gone (or lost).
 * @mf: the file.
 * @offset: payload offset of a block myheap_owner_set() recorded for @mf.
 *
 * Context: &myheap_dev.lock held.
 */
void myheap_owner_clear(struct myheap_file *mf, u32 offset)
{
	lockdep_assert_held(&mf->dev->lock);

	mf->dev->owner_table[myheap_owner_index(offset)] = 0;
	mf->blocks--;
	mf->seq++;
}

/**
 * myheap_owner_at() - the open file owning the block at a payload offset.
 * @dev: the device.
 * @offset: payload offset of a block.
 *
 * Context: &myheap_dev.lock held.
 * Return: the file, or NULL when no open file owns a block there.
 */
struct myheap_file *myheap_owner_at(struct myheap_dev *dev, u32 offset)
{
	u8 e;

	lockdep_assert_held(&dev->lock);

	if (!myheap_owner_index_ok(dev, offset))
		return NULL;
	e = dev->owner_table[myheap_owner_index(offset)];
	return e ? xa_load(&dev->owners, e) : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_owner_at);
