// SPDX-License-Identifier: GPL-2.0
/*
 * Which open file owns which block, and the heap operations
 * that keep that record right.
 *
 * The record lives in kernel memory, &myheap_dev.owners, an xarray from a
 * block's payload offset to the struct myheap_file that allocated it, so a
 * process that scribbles over the mapped region cannot forge ownership.
 * Every function here runs under &myheap_dev.lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/printk.h>

#include "myheap.h"

static_assert(MYHEAP_ALLOC_ZERO == MH_ALLOC_ZERO);
static_assert(MYHEAP_ALLOC_VALID == MH_ALLOC_VALID);

/**
 * myheap_file_add() - register a newly opened file as a block owner.
 * @dev: the device.
 * @mf: the file's state; @pid and @comm already filled in.
 *
 * Context: &myheap_dev.lock held.
 */
void myheap_file_add(struct myheap_dev *dev, struct myheap_file *mf)
{
	lockdep_assert_held(&dev->lock);

	mf->dev = dev;
	mf->id = dev->next_id++;
	mf->blocks = 0;
	mf->bytes = 0;
	mf->peak_bytes = 0;
	list_add_tail(&mf->node, &dev->files);
	dev->nr_files++;
}

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
		pr_warn("heap reset after the last close failed (%d)\n", ret);
		return;
	}
	dev->resets++;
	pr_warn("heap was damaged or held lost blocks after the last close: reset\n");
}

/**
 * myheap_file_remove() - free all blocks of a file and forget the file.
 * @dev: the device.
 * @mf: the file's state.
 * @blocks: where the number of blocks it still owned is stored.
 * @bytes: where their requested payload bytes are stored.
 *
 * Blocks that the core refuses to free (their header was overwritten
 * through the mapping) stay in the heap, owned by nobody; when the last file
 * closes a heap in that state is reset.
 *
 * Context: &myheap_dev.lock held.
 */
void myheap_file_remove(struct myheap_dev *dev, struct myheap_file *mf,
			u64 *blocks, u64 *bytes)
{
	unsigned long index;
	void *entry;
	int ret;

	lockdep_assert_held(&dev->lock);

	*blocks = mf->blocks;
	*bytes = mf->bytes;
	if (mf->blocks) {
		xa_for_each(&dev->owners, index, entry) {
			if (entry != mf)
				continue;
			xa_erase(&dev->owners, index);
			ret = myheap_block_release(mf, index);
			if (ret)
				myheap_note_damage(dev, ret, "release", index);
		}
	}
	mf->blocks = 0;
	mf->bytes = 0;
	list_del(&mf->node);
	dev->nr_files--;
	myheap_reset_if_damaged(dev);
}

/*
 * myheap_owned() - 0 if @offset is a block of @mf, else why not: -EPERM for
 * a block in use by someone else (or by no file at all), the core's verdict
 * (-ENXIO, -EBADMSG, -EALREADY, -EUCLEAN) for anything else.
 */
static int myheap_owned(struct myheap_file *mf, u64 offset, const char *op)
{
	struct myheap_dev *dev = mf->dev;
	void *entry;
	int ret;

	lockdep_assert_held(&dev->lock);

	if (offset >= dev->region_size)
		return -ENXIO;
	entry = xa_load(&dev->owners, offset);
	if (entry == mf)
		return 0;
	if (entry)
		return -EPERM;
	ret = mh_probe(&dev->heap, offset);
	if (!ret)
		return -EPERM;
	return myheap_note_damage(dev, ret, op, offset);
}

static void myheap_account(struct myheap_file *mf, u64 sub, u64 add)
{
	mf->bytes -= min(sub, mf->bytes);
	mf->bytes += add;
	mf->peak_bytes = max(mf->peak_bytes, mf->bytes);
}

/**
 * __myheap_block_alloc() - allocate a block for a file (untraced).
 * @mf: the file that will own the block.
 * @size: bytes wanted.
 * @align: payload alignment, 0 for the default.
 * @flags: MYHEAP_ALLOC_* flags.
 * @offset: where the payload offset is stored on success.
 * @usable: where the usable payload size is stored on success.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; -EINVAL size 0 or unknown flag; -E2BIG too large;
 * -EDOM bad alignment; -ENOMEM no room (or no memory for the ownership
 * record); -EUCLEAN damaged heap.
 */
int __myheap_block_alloc(struct myheap_file *mf, u64 size, u64 align,
			 u32 flags, u64 *offset, u64 *usable)
{
	struct myheap_dev *dev = mf->dev;
	size_t granted = 0;
	u32 off;
	int ret;

	lockdep_assert_held(&dev->lock);

	if (flags & ~MYHEAP_ALLOC_VALID)
		return -EINVAL;
	if (size > MH_MAX_REGION)
		return -E2BIG;
	if (align > MH_MAX_ALIGN)
		return -EDOM;
	ret = mh_alloc(&dev->heap, size, align ? align : MH_ALIGN, flags, &off);
	if (ret)
		return myheap_note_damage(dev, ret, "alloc", size);

	ret = xa_insert(&dev->owners, off, mf, GFP_KERNEL);
	if (ret == -EBUSY) {
		/* Another file owns this offset: a header was forged. */
		return myheap_note_damage(dev, -EUCLEAN, "alloc", off);
	}
	if (ret) {
		mh_free(&dev->heap, off);
		return -ENOMEM;
	}
	mh_usable_size(&dev->heap, off, &granted);
	mf->blocks++;
	myheap_account(mf, 0, size);
	*offset = off;
	*usable = granted;
	return 0;
}

/**
 * __myheap_block_free() - free a block of a file (untraced).
 * @mf: the file.
 * @offset: payload offset of the block.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; -EPERM another file's block; -EALREADY already
 * free; -EBADMSG damaged header; -ENXIO not a block; -EUCLEAN damaged heap.
 */
int __myheap_block_free(struct myheap_file *mf, u64 offset)
{
	struct myheap_dev *dev = mf->dev;
	size_t requested;
	int ret;

	lockdep_assert_held(&dev->lock);

	ret = myheap_owned(mf, offset, "free");
	if (ret)
		return ret;
	ret = mh_requested_size(&dev->heap, offset, &requested);
	if (!ret)
		ret = mh_free(&dev->heap, offset);
	if (ret)
		return myheap_note_damage(dev, ret, "free", offset);

	xa_erase(&dev->owners, offset);
	mf->blocks--;
	myheap_account(mf, requested, 0);
	return 0;
}

/**
 * __myheap_block_realloc() - resize a block of a file (untraced).
 * @mf: the file.
 * @offset: payload offset of the block.
 * @size: new size in bytes.
 * @new_offset: where the block's payload offset is stored on success.
 * @usable: where its usable payload size is stored on success.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; the errors of myheap_block_free() for @offset;
 * -EINVAL size 0; -E2BIG too large; -ENOMEM no room.
 */
int __myheap_block_realloc(struct myheap_file *mf, u64 offset, u64 size,
			   u64 *new_offset, u64 *usable)
{
	struct myheap_dev *dev = mf->dev;
	size_t requested, granted = 0;
	u32 off;
	int ret;

	lockdep_assert_held(&dev->lock);

	ret = myheap_owned(mf, offset, "realloc");
	if (ret)
		return ret;
	if (size > MH_MAX_REGION)
		return -E2BIG;
	ret = mh_requested_size(&dev->heap, offset, &requested);
	if (!ret)
		ret = mh_realloc(&dev->heap, offset, size, &off);
	if (ret)
		return myheap_note_damage(dev, ret, "realloc", offset);

	if (off != offset) {
		xa_erase(&dev->owners, offset);
		/*
		 * The block has moved and the old one is gone: the record
		 * cannot be allowed to fail. A node is a small slab object,
		 * and failslab leaves __GFP_NOFAIL alone.
		 */
		ret = xa_insert(&dev->owners, off, mf,
				GFP_KERNEL | __GFP_NOFAIL);
		if (ret) {
			/* -EBUSY: another file owns it, a header was forged. */
			mf->blocks--;
			myheap_account(mf, requested, 0);
			return myheap_note_damage(dev, -EUCLEAN, "realloc", off);
		}
	}
	mh_usable_size(&dev->heap, off, &granted);
	myheap_account(mf, requested, size);
	*new_offset = off;
	*usable = granted;
	return 0;
}

/**
 * myheap_block_size() - usable and requested size of a block of a file.
 * @mf: the file.
 * @offset: payload offset of the block.
 * @usable: where the usable payload size is stored on success.
 * @requested: where the requested size is stored on success.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; the errors of myheap_block_free().
 */
int myheap_block_size(struct myheap_file *mf, u64 offset, u64 *usable,
		      u64 *requested)
{
	struct myheap_dev *dev = mf->dev;
	size_t u, r;
	int ret;

	lockdep_assert_held(&dev->lock);

	ret = myheap_owned(mf, offset, "usable_size");
	if (ret)
		return ret;
	ret = mh_usable_size(&dev->heap, offset, &u);
	if (!ret)
		ret = mh_requested_size(&dev->heap, offset, &r);
	if (ret)
		return myheap_note_damage(dev, ret, "usable_size", offset);
	*usable = u;
	*requested = r;
	return 0;
}

/**
 * __myheap_set_policy() - change the placement policy of an empty heap
 * (untraced).
 * @dev: the device.
 * @policy: the new policy.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; -EINVAL unknown policy; -EBUSY blocks in use.
 */
int __myheap_set_policy(struct myheap_dev *dev, enum mh_policy policy)
{
	int ret;

	lockdep_assert_held(&dev->lock);

	if ((unsigned int)policy >= MH_NR_POLICIES)
		return -EINVAL;
	if (!mh_empty(&dev->heap))
		return -EBUSY;
	ret = mh_set_policy(&dev->heap, policy);
	if (ret)
		return myheap_note_damage(dev, ret, "set_policy", policy);
	dev->policy = policy;
	return 0;
}
