// SPDX-License-Identifier: GPL-2.0
/*
 * MYHEAP_IOC_BATCH: many allocations and frees for the price of one call.
 *
 * One copy_from_user() of the op array into one kernel buffer, then the
 * ops run under the heap lock in chunks: a chunk ends after
 * MYHEAP_BATCH_CHUNK ops or when the hold has lasted MYHEAP_HOLD_NS,
 * whichever comes first, and its results are copied out. Once the hold has
 * lasted MYHEAP_HOLD_NS the lock is yielded to other openers
 * (myheap_lock_yield()) before the next chunk; a chunk that ended by its
 * count goes on in the same hold.
 *
 * The clock is not read after every op: a read (local_clock()) costs about
 * a twentieth of a segregated-fit op (measured in the stock VM), which is
 * what a BATCH exists to save. After the first op of a chunk, and at each
 * look after that, the chunk's ops so far give a rate, and the next look
 * comes when, at that rate, half of the hold's time left would be used,
 * and never more than MYHEAP_BATCH_CLOCK_STRIDE ops later: O(1) policies
 * look once every that many ops, a list policy whose op walks thousands of
 * blocks looks after every op as the deadline nears, and a batch that
 * mixes cheap ops with dear ones overruns the hold by at most that many
 * dear ops.
 *
 * Results are written with page faults disabled (copy_to_user_nofault()),
 * since nothing may fault under the heap lock, after the op array and the
 * header were faulted in, non-destructively, before the first hold. A page
 * can still be briefly absent without the caller doing anything (reclaim,
 * migration, khugepaged collapsing it into a huge page): then the lock is
 * dropped and the chunk's results are copied with faults allowed (the
 * results are the kernel copy's, which needs no lock), and the lock is
 * taken again. (Faulting the pages in and retrying the copy under the lock
 * lost the race four times in a row to a thread dropping the pages every
 * 200 us on a loaded host.) So the copy-out fails only if the caller
 * unmaps or write-protects them while the batch runs; then the allocations
 * of the current chunk are freed (they are certainly still the batch's if
 * no other thread of the file changed its blocks while the lock was
 * dropped: its owner sequence did not move), and so are those of earlier
 * chunks on the same condition; otherwise those stay with the file and
 * are freed when it is closed. Frees stay done. The ioctl then fails with
 * -EFAULT.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "myheap.h"

/** MYHEAP_BATCH_CHUNK - ops run between two copy-outs of results, at most. */
#define MYHEAP_BATCH_CHUNK	64u
/** MYHEAP_BATCH_CLOCK_STRIDE - ops run between two looks at the clock, at most. */
#define MYHEAP_BATCH_CLOCK_STRIDE	8u

/**
 * struct myheap_batch_run - a batch being run.
 * @mf: the file.
 * @b: the kernel copy of the header (@done and @failed kept up to date).
 * @ub: the caller's header.
 * @hsize: bytes of the caller's header to write back.
 * @ops: the kernel copy of the ops.
 * @uops: the caller's ops.
 * @op_size: bytes per op in @uops.
 * @intact: the allocations of the chunks before the current one are still
 *	certainly the batch's (the file's owner sequence did not move while
 *	the lock was dropped).
 * @chunk_intact: so are those of the current chunk (a copy-out that had
 *	to fault, or an allocation's search, dropped the lock in the middle
 *	of a chunk, and the file's blocks changed meanwhile).
 * @seq: the file's owner sequence when the lock was last dropped.
 * @deadline: when the current hold of the lock is over.
 */
struct myheap_batch_run {
	struct myheap_file *mf;
	struct myheap_batch *b;
	struct myheap_batch __user *ub;
	size_t hsize;
	struct myheap_batch_op *ops;
	u8 __user *uops;
	u32 op_size;
	bool intact;
	bool chunk_intact;
	u64 seq;
	u64 deadline;
};

/* Read @count ops of @op_size bytes each; check what must be checked. */
static int myheap_batch_copy_in(struct myheap_batch_op *ops,
				const u8 __user *uops, u32 count, u32 op_size)
{
	u32 i;
	int ret;

	if (op_size == sizeof(*ops)) {
		if (copy_from_user(ops, uops, array_size(count, sizeof(*ops))))
			return -EFAULT;
	} else {
		for (i = 0; i < count; i++) {
			ret = copy_struct_from_user(&ops[i], sizeof(ops[i]),
						    uops + (size_t)i * op_size,
						    op_size);
			if (ret)
				return ret;
		}
	}
	for (i = 0; i < count; i++) {
		if (ops[i].op != MYHEAP_BATCH_OP_ALLOC &&
		    ops[i].op != MYHEAP_BATCH_OP_FREE)
			return -EINVAL;
		if (ops[i].__pad)
			return -EINVAL;
	}
	return 0;
}

/*
 * Make every page of [@p, @p + @len) present and writable without changing
 * a byte (each page's first byte in the range is read and written back),
 * so that the copies under the lock, with faults disabled, find them so.
 */
static int myheap_batch_prefault(u8 __user *p, size_t len)
{
	u8 __user *end = p + len;
	u8 c;

	while (p < end) {
		if (get_user(c, p) || put_user(c, p))
			return -EFAULT;
		p = (u8 __user *)min_t(unsigned long, (unsigned long)end,
				       PAGE_ALIGN((unsigned long)p + 1));
	}
	return 0;
}

/* Copy @len bytes out, with faults disabled (@nofault) or allowed. */
static int myheap_batch_put(void __user *to, const void *from, size_t len,
			    bool nofault)
{
	if (nofault)
		return copy_to_user_nofault(to, from, len) ? -EFAULT : 0;
	return copy_to_user(to, from, len) ? -EFAULT : 0;
}

/*
 * Write back ops [@from, @to) and, if @header, the header: with faults
 * disabled under the lock (@nofault), or allowed without it.
 */
static int myheap_batch_copy_out(const struct myheap_batch_run *r, u32 from,
				 u32 to, bool header, bool nofault)
{
	size_t n = min_t(size_t, r->op_size, sizeof(*r->ops));
	int ret = 0;
	u32 i;

	if (r->op_size == sizeof(*r->ops))
		ret = myheap_batch_put(r->uops + (size_t)from * n,
				       &r->ops[from], (size_t)(to - from) * n,
				       nofault);
	for (i = from; !ret && r->op_size != sizeof(*r->ops) && i < to; i++)
		ret = myheap_batch_put(r->uops + (size_t)i * r->op_size,
				       &r->ops[i], n, nofault);
	if (!ret && header)
		ret = myheap_batch_put(r->ub, r->b, r->hsize, nofault);
	return ret;
}

/* Free what ops [@from, @to) allocated. */
static void myheap_batch_undo(const struct myheap_batch_run *r, u32 from,
			      u32 to)
{
	u32 i;

	lockdep_assert_held(&r->mf->dev->lock);

	for (i = from; i < to; i++)
		if (r->ops[i].op == MYHEAP_BATCH_OP_ALLOC && !r->ops[i].result)
			myheap_block_free(r->mf, r->ops[i].offset);
}

/*
 * Ops to run before the next look at the clock: those that, at the rate of
 * the @done ops that took @spent ns, use half of the @left ns that remain
 * (see the top of this file).
 */
static u32 myheap_batch_stride(u64 spent, u64 left, u32 done)
{
	u64 n;

	if (!spent)
		return MYHEAP_BATCH_CLOCK_STRIDE;
	n = div64_u64(left * done, 2 * spent);
	return clamp_t(u64, n, 1, MYHEAP_BATCH_CLOCK_STRIDE);
}

/*
 * Run an ALLOC op. Its search may let the lock go (myheap_search_pause());
 * if another thread of the file changed its blocks meanwhile, the undo can
 * no longer be sure which blocks are the batch's, as after a copy-out that
 * dropped the lock (the file's owner sequence moved by more than this
 * allocation's own step).
 */
static int myheap_batch_alloc(struct myheap_batch_run *r,
			      struct myheap_batch_op *op, u64 *usable)
{
	struct myheap_dev *dev = r->mf->dev;
	unsigned long holds = dev->lock_holds;
	u64 seq = r->mf->seq;
	int ret;

	ret = myheap_block_alloc(r->mf, op->size, op->align, op->flags,
				 &op->offset, usable);
	if (dev->lock_holds != holds && r->mf->seq != seq + !ret) {
		r->intact = false;
		r->chunk_intact = false;
	}
	return ret;
}

/*
 * Run ops from @from on, up to @to or until the hold's time is up (at least
 * one op); false if the batch stopped at a failure.
 */
static bool myheap_batch_chunk(struct myheap_batch_run *r, u32 from, u32 to)
{
	struct myheap_batch *b = r->b;
	u64 start = local_clock(), now;
	struct myheap_batch_op *op;
	u32 i, look = from + 1;
	u64 usable;

	lockdep_assert_held(&r->mf->dev->lock);

	for (i = from; i < to; i++) {
		if (i == look) {
			now = local_clock();
			if (now >= r->deadline)
				break;
			look = i + myheap_batch_stride(now - start,
						       r->deadline - now,
						       i - from);
		}
		op = &r->ops[i];
		if (op->op == MYHEAP_BATCH_OP_ALLOC)
			op->result = myheap_batch_alloc(r, op, &usable);
		else if (op->flags || op->size || op->align)
			op->result = -EINVAL;
		else
			op->result = myheap_block_free(r->mf, op->offset);
		b->done++;
		if (op->result) {
			b->failed++;
			if (b->flags & MYHEAP_BATCH_STOP)
				return false;
		}
	}
	return true;
}

/*
 * Copy out the results of the chunk that started at @from and, after the
 * @last one, the header: under the lock with faults disabled, or if a page
 * is absent, with the lock dropped and faults allowed. 0 or -EFAULT with
 * the lock held, -EINTR without.
 */
static int myheap_batch_publish(struct myheap_batch_run *r, u32 from,
				bool last)
{
	struct myheap_dev *dev = r->mf->dev;
	u64 seq = r->mf->seq;
	int ret;

	if (!myheap_batch_copy_out(r, from, r->b->done, last, true))
		return 0;
	myheap_unlock(dev);
	ret = myheap_batch_copy_out(r, from, r->b->done, last, false);
	if (myheap_lock(dev))
		return -EINTR;
	if (r->mf->seq != seq) {
		r->intact = false;
		r->chunk_intact = false;
	}
	return ret;
}

/* Run every chunk; 0, -EFAULT (results undeliverable) or -EINTR. */
static int myheap_batch_run_all(struct myheap_batch_run *r)
{
	struct myheap_dev *dev = r->mf->dev;
	u32 from = 0, count = r->b->count;
	bool more = true;
	int ret;

	ret = myheap_lock(dev);
	if (ret)
		return ret;
	r->deadline = myheap_hold_deadline();
	while (more) {
		r->chunk_intact = true;
		more = myheap_batch_chunk(r, from,
					  min(count, from + MYHEAP_BATCH_CHUNK));
		more = more && r->b->done < count;
		ret = myheap_batch_publish(r, from, !more);
		if (ret == -EINTR)
			return ret;
		if (ret) {
			if (r->chunk_intact)
				myheap_batch_undo(r, from, r->b->done);
			if (r->intact)
				myheap_batch_undo(r, 0, from);
			break;
		}
		if (!more)
			break;
		from = r->b->done;
		if (!myheap_hold_over(dev, r->deadline))
			continue;
		r->seq = r->mf->seq;
		ret = myheap_lock_yield(dev, true);
		if (ret)
			return ret;
		r->intact &= r->mf->seq == r->seq;
		r->deadline = myheap_hold_deadline();
	}
	myheap_unlock(dev);
	return ret;
}

/**
 * myheap_ioctl_batch() - MYHEAP_IOC_BATCH.
 * @mf: the calling file.
 * @b: kernel copy of the caller's header.
 * @ub: the caller's header.
 * @usize: its size.
 *
 * Publishes the header and the ops' results itself (see the top of this
 * file).
 *
 * Context: process context, may sleep; takes &myheap_dev.lock (killable).
 * Return: 0 when the batch ran, whatever the ops' results; -EINVAL unknown
 * flag, nonzero padding, op_size too small, an unknown op or nonzero op
 * padding (nothing run); -E2BIG too many ops, op_size above a page, an op
 * with a nonzero tail; -ENOMEM no memory for the kernel copy; -EFAULT the
 * ops cannot be read, or the results cannot be written back (see above);
 * -EINTR fatal signal.
 */
int myheap_ioctl_batch(struct myheap_file *mf, struct myheap_batch *b,
		       struct myheap_batch __user *ub, size_t usize)
{
	struct myheap_batch_run r = {
		.mf = mf, .b = b, .ub = ub,
		.hsize = min(usize, sizeof(*b)),
		.uops = u64_to_user_ptr(b->ops), .op_size = b->op_size,
		.intact = true,
	};
	int ret;

	if ((b->flags & ~MYHEAP_BATCH_VALID) || b->__pad)
		return -EINVAL;
	if (b->op_size < MYHEAP_BATCH_OP_SIZE_VER0)
		return -EINVAL;
	if (b->op_size > PAGE_SIZE || b->count > MYHEAP_BATCH_MAX)
		return -E2BIG;
	b->done = 0;
	b->failed = 0;
	if (!b->count)
		return copy_to_user(ub, b, r.hsize) ? -EFAULT : 0;

	r.ops = kvmalloc_array(b->count, sizeof(*r.ops), GFP_KERNEL);
	if (!r.ops)
		return -ENOMEM;
	ret = myheap_batch_copy_in(r.ops, r.uops, b->count, b->op_size);
	if (!ret)
		ret = myheap_batch_prefault(r.uops,
					    (size_t)b->count * b->op_size);
	if (!ret)
		ret = myheap_batch_prefault((u8 __user *)ub, r.hsize);
	if (!ret)
		ret = myheap_batch_run_all(&r);
	kvfree(r.ops);
	return ret;
}
