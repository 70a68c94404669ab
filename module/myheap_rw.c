// SPDX-License-Identifier: GPL-2.0
/*
 * read() and write() of /dev/myheap: the bytes of the caller's own blocks,
 * reached by file position (pread()/pwrite() at a payload offset). This is
 * the only way to a block's bytes in private mode (mmap=0), where the
 * region is never mapped; it works the same when mapping is allowed.
 *
 * A transfer starts at a payload offset, or inside the payload (payload
 * offset + k), and must end within the block's usable size; it reaches
 * nothing else: not another file's block, not a free block, not a header.
 * Which block holds a position and whether the file owns it is decided
 * under &myheap_dev.lock with myheap_block_size() (the kernel's ownership
 * record, never the region's say-so), in the same hold that copies, and
 * decided again for every chunk; the block for a position inside a
 * payload comes from the core's trusted block-start bitmap. The bytes
 * travel through a kernel bounce buffer of at most a page, so no
 * copy to or from userspace happens with the lock held (see myheap.h).
 *
 * Errors (the matrix is documented in the uapi header):
 *   -ENXIO     the position is no payload byte: outside the heap, in a
 *              header, in the pad before the first block or the tail
 *   -EPERM     the block is in use by another file
 *   -EALREADY  the block is free
 *   -EBADMSG   the header of the block there fails its check
 *   -EUCLEAN   the heap's metadata is damaged
 *   -EINVAL    the range leaves the block: position + length beyond its
 *              usable size (a negative position is -EINVAL too)
 *   -EFAULT    the buffer is not readable/writable (nothing transferred)
 *   -EINTR     a fatal signal while waiting for the lock
 * A length of 0 transfers nothing and returns 0 without looking further.
 * If a later chunk fails (the block was freed or moved meanwhile by another
 * thread of the same file, a fault past the start of the buffer), the
 * call returns the bytes moved so far, as a short read or write.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "myheap.h"

/* Largest piece of a transfer copied under one hold of the lock. */
#define MYHEAP_RW_CHUNK		PAGE_SIZE

/*
 * The block whose payload holds @pos when @pos is not itself a payload
 * offset: the core's block-start bitmap (trusted memory) names the last
 * block starting at or below @pos, so no walk and no region word decides
 * where blocks lie. A block found this way is only a candidate: the
 * caller decides with myheap_block_size(), under the hold that copies.
 *
 * Returns 0 with the payload offset in @payload, or why there is no block
 * in use there.
 */
static int myheap_rw_find(struct myheap_dev *dev, u64 pos, u64 *payload)
{
	struct mh_block_info b;

	lockdep_assert_held(&dev->lock);

	if (mh_block_containing(&dev->heap, pos, &b) || pos >= b.next)
		return -ENXIO;			/* pad, tail or past the heap */
	if (pos < (u64)b.offset + MH_HDR_SIZE)
		return -ENXIO;			/* in the header */
	if (b.status != MH_BLOCK_OK)
		return -EBADMSG;
	if (!b.used)
		return -EALREADY;
	*payload = (u64)b.offset + MH_HDR_SIZE;
	return 0;
}

/*
 * myheap_rw_check() - may @mf move @len bytes at @pos? On success
 * @payload holds the payload offset of the block. @payload is an input
 * too: nonzero, the block found for the previous chunk, tried first.
 * Called with the lock held; returns with it held.
 */
static int myheap_rw_check(struct myheap_file *mf, u64 pos, u64 len,
			   u64 *payload)
{
	struct myheap_dev *dev = mf->dev;
	u64 usable, requested, p = *payload;
	int ret;

	lockdep_assert_held(&dev->lock);

	if (pos >= dev->region_size)
		return -ENXIO;
	if (!p)
		p = pos;
	/*
	 * A block of this file at @p, by the kernel's record: decided. Any
	 * other answer may come from payload bytes that happen to look like a
	 * header (pos inside a payload), so the block chain decides.
	 */
	ret = -ENXIO;
	if (IS_ALIGNED(p, MH_ALIGN))
		ret = myheap_block_size(mf, p, &usable, &requested);
	if (ret) {
		ret = myheap_rw_find(dev, pos, &p);
		if (!ret)
			ret = myheap_block_size(mf, p, &usable, &requested);
	}
	if (ret)
		return ret;
	if (pos < p || p + usable > dev->region_size)
		return myheap_note_damage(dev, -EUCLEAN, "rw", pos);
	if (pos >= p + usable || len > p + usable - pos)
		return -EINVAL;
	*payload = p;
	return 0;
}

/*
 * The loop of read() and write(): a chunk at a time, ownership decided
 * under the lock in the same hold that copies between the region and the
 * bounce buffer; the user copy happens outside the lock (before it for a
 * write, after it for a read).
 */
static ssize_t myheap_transfer(struct myheap_file *mf, void __user *ubuf,
			       size_t len, loff_t *ppos, bool to_region)
{
	struct myheap_dev *dev = mf->dev;
	u64 pos = *ppos, payload = 0;
	size_t done = 0, chunk;
	void *bounce, *at;
	int ret = 0;

	if (!len)
		return 0;
	if (*ppos < 0)
		return -EINVAL;
	bounce = kmalloc(min_t(size_t, len, MYHEAP_RW_CHUNK), GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;

	while (done < len) {
		chunk = min_t(size_t, len - done, MYHEAP_RW_CHUNK);
		if (to_region && copy_from_user(bounce, ubuf + done, chunk)) {
			ret = -EFAULT;
			break;
		}
		ret = myheap_lock(dev);
		if (ret)
			break;
		ret = myheap_rw_check(mf, pos + done, len - done, &payload);
		at = dev->region + pos + done;
		if (!ret)
			memcpy(to_region ? at : bounce, to_region ? bounce : at,
			       chunk);
		myheap_unlock(dev);
		if (ret)
			break;
		if (!to_region && copy_to_user(ubuf + done, bounce, chunk)) {
			ret = -EFAULT;
			break;
		}
		done += chunk;
		cond_resched();
	}
	kfree(bounce);
	if (!done)
		return ret;
	*ppos = pos + done;
	return done;
}

/**
 * myheap_read() - read() of /dev/myheap: bytes of one of the caller's blocks.
 * @file: the open file, the blocks' owner.
 * @ubuf: user buffer.
 * @len: bytes wanted.
 * @ppos: file position: a payload offset, or inside a payload.
 *
 * Context: process context; takes &myheap_dev.lock for each chunk.
 * Return: the bytes read (all of @len, or fewer if the block changed or
 * @ubuf faulted after the first chunk), or a negative errno as listed at
 * the top of this file.
 */
ssize_t myheap_read(struct file *file, char __user *ubuf, size_t len,
		    loff_t *ppos)
{
	return myheap_transfer(file->private_data, ubuf, len, ppos, false);
}

/**
 * myheap_write() - write() of /dev/myheap: bytes into one of the caller's
 * blocks.
 * @file: the open file, the blocks' owner.
 * @ubuf: user buffer.
 * @len: bytes to write.
 * @ppos: file position: a payload offset, or inside a payload.
 *
 * Context: process context; takes &myheap_dev.lock for each chunk.
 * Return: the bytes written (all of @len, or fewer if the block changed or
 * @ubuf faulted after the first chunk), or a negative errno as listed at
 * the top of this file; on an error nothing was written.
 */
ssize_t myheap_write(struct file *file, const char __user *ubuf, size_t len,
		     loff_t *ppos)
{
	return myheap_transfer(file->private_data, (void __user *)ubuf, len,
			       ppos, true);
}

/**
 * myheap_llseek() - lseek() of /dev/myheap: positions within the region.
 * @file: the open file.
 * @offset: as lseek().
 * @whence: SEEK_SET, SEEK_CUR or SEEK_END (the end of the region).
 *
 * Context: process context.
 * Return: the new position, or -EINVAL for one outside [0, region size].
 */
loff_t myheap_llseek(struct file *file, loff_t offset, int whence)
{
	struct myheap_file *mf = file->private_data;

	return fixed_size_llseek(file, offset, whence, mf->dev->region_size);
}
