// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of /dev/myheap: a command table, one function
 * per command.
 *
 * As in drivers/dma-buf/dma-heap.c, the command number indexes a table of
 * the kernel's commands and the size of the caller's struct comes from the
 * command the caller used: inputs are read with copy_struct_from_user(), so
 * an older (shorter) struct is zero-extended and a newer (longer) one must
 * have a zero tail; outputs are written up to the caller's size. The
 * handlers see only a kernel copy of the argument, take the heap lock
 * themselves, and never touch userspace while holding it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "myheap.h"

/* The ABI's numbers are the core's. */
static_assert(MYHEAP_POLICY_FIRST_FIT == MH_FIRST_FIT);
static_assert(MYHEAP_POLICY_NEXT_FIT == MH_NEXT_FIT);
static_assert(MYHEAP_POLICY_BEST_FIT == MH_BEST_FIT);
static_assert(MYHEAP_POLICY_WORST_FIT == MH_WORST_FIT);
static_assert(MYHEAP_POLICY_SEGREGATED == MH_SEGREGATED);
static_assert(MYHEAP_POLICY_BUDDY == MH_BUDDY);
static_assert(MYHEAP_NR_POLICIES == MH_NR_POLICIES);
static_assert(MYHEAP_VIOLATION_NONE == MH_V_NONE);
static_assert(MYHEAP_VIOLATION_HEADER == MH_V_HEADER);
static_assert(MYHEAP_VIOLATION_SIZE == MH_V_SIZE);
static_assert(MYHEAP_VIOLATION_PREV_FREE == MH_V_PREV_FREE);
static_assert(MYHEAP_VIOLATION_FOOTER == MH_V_FOOTER);
static_assert(MYHEAP_VIOLATION_ADJACENT_FREE == MH_V_ADJACENT_FREE);
static_assert(MYHEAP_VIOLATION_LINK == MH_V_LINK);
static_assert(MYHEAP_VIOLATION_CLASS == MH_V_CLASS);
static_assert(MYHEAP_VIOLATION_LIST_COUNT == MH_V_LIST_COUNT);
static_assert(MYHEAP_VIOLATION_BITMAP == MH_V_BITMAP);
static_assert(MYHEAP_VIOLATION_BUDDY == MH_V_BUDDY);
static_assert(MYHEAP_VIOLATION_POISON == MH_V_POISON);
static_assert(MYHEAP_VIOLATION_ACCOUNTING == MH_V_ACCOUNTING);
static_assert(MYHEAP_VIOLATION_SLACK == MH_V_SLACK);
static_assert(MYHEAP_NR_VIOLATION_KINDS == MH_NR_VIOLATION_KINDS);
static_assert(MYHEAP_HIST_BUCKETS == MH_HIST_BUCKETS);

/* The ABI's layouts: sizes, and the VER0 sizes end on a field boundary. */
static_assert(sizeof(struct myheap_info) == 64);
static_assert(offsetofend(struct myheap_info, mmap_size) == MYHEAP_INFO_SIZE_VER0);
static_assert(sizeof(struct myheap_alloc) == 40);
static_assert(offsetofend(struct myheap_alloc, offset) == MYHEAP_ALLOC_SIZE_VER0);
static_assert(sizeof(struct myheap_free) == 16);
static_assert(offsetofend(struct myheap_free, offset) == MYHEAP_FREE_SIZE_VER0);
static_assert(sizeof(struct myheap_realloc) == 40);
static_assert(offsetofend(struct myheap_realloc, new_offset) == MYHEAP_REALLOC_SIZE_VER0);
static_assert(sizeof(struct myheap_usable_size) == 32);
static_assert(offsetofend(struct myheap_usable_size, usable) == MYHEAP_USABLE_SIZE_SIZE_VER0);
static_assert(sizeof(struct myheap_stats) == 504);
static_assert(offsetofend(struct myheap_stats, high_water) == MYHEAP_STATS_SIZE_VER0);
static_assert(sizeof(struct myheap_check) == 24);
static_assert(sizeof(struct myheap_check) == MYHEAP_CHECK_SIZE_VER0);
static_assert(sizeof(struct myheap_policy) == 8);
static_assert(offsetofend(struct myheap_policy, policy) == MYHEAP_POLICY_SIZE_VER0);
static_assert(sizeof(struct myheap_batch_op) == 40);
static_assert(sizeof(struct myheap_batch_op) == MYHEAP_BATCH_OP_SIZE_VER0);
static_assert(sizeof(struct myheap_batch) == 32);
static_assert(offsetofend(struct myheap_batch, done) == MYHEAP_BATCH_SIZE_VER0);

/* A kernel copy of any command's argument. */
union myheap_ioctl_arg {
	struct myheap_info info;
	struct myheap_alloc alloc;
	struct myheap_free free;
	struct myheap_realloc realloc;
	struct myheap_usable_size usable;
	struct myheap_stats stats;
	struct myheap_check check;
	struct myheap_policy policy;
	struct myheap_batch batch;
};

static int myheap_ioctl_get_info(struct myheap_file *mf,
				 union myheap_ioctl_arg *arg)
{
	struct myheap_dev *dev = mf->dev;
	struct myheap_info *info = &arg->info;

	info->abi_version = MYHEAP_ABI_VERSION;
	info->features = MYHEAP_FEATURE_REALLOC | MYHEAP_FEATURE_BATCH |
			 MYHEAP_FEATURE_ZERO | MYHEAP_FEATURE_OWNERSHIP |
			 MYHEAP_FEATURE_RW;
	info->features |= myheap_private_mode() ? MYHEAP_FEATURE_PRIVATE :
						  MYHEAP_FEATURE_MMAP;
	if (dev->poison)
		info->features |= MYHEAP_FEATURE_POISON;
	info->region_size = dev->region_size;
	info->mmap_size = dev->mmap_size;
	info->header_size = MH_HDR_SIZE;
	info->alignment = MH_ALIGN;
	info->min_block = MH_MIN_BLOCK;
	info->max_align = MH_MAX_ALIGN;
	info->batch_max = MYHEAP_BATCH_MAX;
	info->nr_policies = MH_NR_POLICIES;
	info->hist_buckets = MH_HIST_BUCKETS;

	mutex_lock(&dev->lock);
	info->policy = dev->policy;
	mutex_unlock(&dev->lock);
	return 0;
}

static int myheap_ioctl_alloc(struct myheap_file *mf,
			      union myheap_ioctl_arg *arg)
{
	struct myheap_alloc *a = &arg->alloc;
	int ret;

	if (a->__pad)
		return -EINVAL;
	mutex_lock(&mf->dev->lock);
	ret = myheap_block_alloc(mf, a->size, a->align, a->flags, &a->offset,
				 &a->usable);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

/* The new block's offset could not be written back: nobody knows it. */
static void myheap_ioctl_alloc_undo(struct myheap_file *mf,
				    union myheap_ioctl_arg *arg)
{
	mutex_lock(&mf->dev->lock);
	myheap_block_free(mf, arg->alloc.offset);
	mutex_unlock(&mf->dev->lock);
}

static int myheap_ioctl_free(struct myheap_file *mf,
			     union myheap_ioctl_arg *arg)
{
	struct myheap_free *f = &arg->free;
	int ret;

	if (f->flags || f->__pad)
		return -EINVAL;
	mutex_lock(&mf->dev->lock);
	ret = myheap_block_free(mf, f->offset);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

static int myheap_ioctl_realloc(struct myheap_file *mf,
				union myheap_ioctl_arg *arg)
{
	struct myheap_realloc *r = &arg->realloc;
	int ret;

	if (r->flags || r->__pad)
		return -EINVAL;
	mutex_lock(&mf->dev->lock);
	ret = myheap_block_realloc(mf, r->offset, r->size, &r->new_offset,
				   &r->usable);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

static int myheap_ioctl_usable_size(struct myheap_file *mf,
				    union myheap_ioctl_arg *arg)
{
	struct myheap_usable_size *u = &arg->usable;
	int ret;

	if (u->flags || u->__pad)
		return -EINVAL;
	mutex_lock(&mf->dev->lock);
	ret = myheap_block_size(mf, u->offset, &u->usable, &u->requested);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

static void myheap_stats_to_user(struct myheap_stats *u,
				 const struct mh_stats *st)
{
	unsigned int i;

	u->policy = st->policy;
	u->hist_buckets = MH_HIST_BUCKETS;
	u->region_size = st->region_size;
	u->heap_size = st->heap_size;
	u->header_size = st->header_size;
	u->requested_bytes = st->requested_bytes;
	u->granted_bytes = st->granted_bytes;
	u->used_bytes = st->used_bytes;
	u->free_bytes = st->free_bytes;
	u->overhead_bytes = st->overhead_bytes;
	u->used_blocks = st->used_blocks;
	u->free_blocks = st->free_blocks;
	u->largest_free = st->largest_free;
	u->largest_alloc = st->largest_alloc;
	u->internal_frag = st->internal_frag;
	u->external_frag_ppm = st->external_frag_ppm;
	u->peak_requested = st->peak_requested;
	u->high_water = st->high_water;
	for (i = 0; i < MH_HIST_BUCKETS; i++)
		u->free_hist[i] = st->free_hist[i];
	u->allocs = st->count.allocs;
	u->frees = st->count.frees;
	u->reallocs = st->count.reallocs;
	u->failed_allocs = st->count.failed_allocs;
	u->failed_frees = st->count.failed_frees;
	u->failed_reallocs = st->count.failed_reallocs;
	u->splits = st->count.splits;
	u->coalesces = st->count.coalesces;
	u->searched = st->count.searched;
	u->searched_max = st->count.searched_max;
	u->corruptions = st->count.corruptions;
	u->poison_errors = st->count.poison_errors;
}

static int myheap_ioctl_stats(struct myheap_file *mf,
			      union myheap_ioctl_arg *arg)
{
	struct myheap_dev *dev = mf->dev;
	struct mh_stats *st;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	mutex_lock(&dev->lock);
	mh_stats(&dev->heap, st);
	arg->stats.damage_events = dev->damage_events;
	arg->stats.open_files = dev->nr_files;
	mutex_unlock(&dev->lock);

	myheap_stats_to_user(&arg->stats, st);
	kfree(st);
	return 0;
}

static int myheap_ioctl_check(struct myheap_file *mf,
			      union myheap_ioctl_arg *arg)
{
	struct myheap_check *c = &arg->check;
	struct mh_violation first = { MH_V_NONE, 0 };
	int ret;

	if (c->flags || c->__pad)
		return -EINVAL;
	mutex_lock(&mf->dev->lock);
	ret = mh_check(&mf->dev->heap, &first);
	mutex_unlock(&mf->dev->lock);
	if (ret < 0)
		return ret;
	c->violations = ret;
	c->first_kind = ret ? first.kind : MH_V_NONE;
	c->first_offset = ret ? first.offset : 0;
	return 0;
}

static int myheap_ioctl_set_policy(struct myheap_file *mf,
				   union myheap_ioctl_arg *arg)
{
	struct myheap_policy *p = &arg->policy;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (p->flags || p->policy >= MH_NR_POLICIES)
		return -EINVAL;
	mutex_lock(&mf->dev->lock);
	ret = myheap_set_policy(mf->dev, p->policy);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

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

/* Write back the first @count ops, up to @op_size bytes each. */
static int myheap_batch_copy_out(u8 __user *uops,
				 const struct myheap_batch_op *ops, u32 count,
				 u32 op_size)
{
	size_t n = min_t(size_t, op_size, sizeof(*ops));
	u32 i;

	if (op_size == sizeof(*ops))
		return copy_to_user(uops, ops, array_size(count, sizeof(*ops))) ?
		       -EFAULT : 0;
	for (i = 0; i < count; i++)
		if (copy_to_user(uops + (size_t)i * op_size, &ops[i], n))
			return -EFAULT;
	return 0;
}

/* Run the ops in order under one lock acquisition. */
static void myheap_batch_run(struct myheap_file *mf, struct myheap_batch *b,
			     struct myheap_batch_op *ops)
{
	struct myheap_batch_op *op;
	u64 usable;
	u32 i;

	lockdep_assert_held(&mf->dev->lock);

	for (i = 0; i < b->count; i++) {
		op = &ops[i];
		if (op->op == MYHEAP_BATCH_OP_ALLOC)
			op->result = myheap_block_alloc(mf, op->size, op->align,
							op->flags, &op->offset,
							&usable);
		else if (op->flags || op->size || op->align)
			op->result = -EINVAL;
		else
			op->result = myheap_block_free(mf, op->offset);
		b->done++;
		if (op->result) {
			b->failed++;
			if (b->flags & MYHEAP_BATCH_STOP)
				break;
		}
	}
}

/* Free what a batch allocated: its results could not be written back. */
static void myheap_batch_rollback(struct myheap_file *mf,
				  const struct myheap_batch *b,
				  const struct myheap_batch_op *ops)
{
	u32 i;

	lockdep_assert_held(&mf->dev->lock);

	for (i = 0; i < b->done; i++)
		if (ops[i].op == MYHEAP_BATCH_OP_ALLOC && !ops[i].result)
			myheap_block_free(mf, ops[i].offset);
}

static int myheap_ioctl_batch(struct myheap_file *mf,
			      union myheap_ioctl_arg *arg)
{
	struct myheap_batch *b = &arg->batch;
	u8 __user *uops = u64_to_user_ptr(b->ops);
	struct myheap_batch_op *ops;
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
		return 0;

	ops = kvcalloc(b->count, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	ret = myheap_batch_copy_in(ops, uops, b->count, b->op_size);
	if (ret)
		goto free_ops;

	mutex_lock(&mf->dev->lock);
	myheap_batch_run(mf, b, ops);
	mutex_unlock(&mf->dev->lock);

	ret = myheap_batch_copy_out(uops, ops, b->done, b->op_size);
	if (ret) {
		mutex_lock(&mf->dev->lock);
		myheap_batch_rollback(mf, b, ops);
		mutex_unlock(&mf->dev->lock);
	}
free_ops:
	kvfree(ops);
	return ret;
}

/**
 * struct myheap_ioctl_desc - one command of the table.
 * @cmd: the command as this kernel defines it (direction, type, size).
 * @ver0: smallest argument size accepted (the *_SIZE_VER0 of its struct).
 * @fn: runs the command on a kernel copy of the argument.
 * @undo: reverts a successful @fn whose result could not be written back
 *	to userspace; NULL when there is nothing to revert.
 */
struct myheap_ioctl_desc {
	unsigned int cmd;
	unsigned int ver0;
	int (*fn)(struct myheap_file *mf, union myheap_ioctl_arg *arg);
	void (*undo)(struct myheap_file *mf, union myheap_ioctl_arg *arg);
};

static const struct myheap_ioctl_desc myheap_ioctls[] = {
	[_IOC_NR(MYHEAP_IOC_GET_INFO)] = {
		.cmd = MYHEAP_IOC_GET_INFO,
		.ver0 = MYHEAP_INFO_SIZE_VER0,
		.fn = myheap_ioctl_get_info,
	},
	[_IOC_NR(MYHEAP_IOC_ALLOC)] = {
		.cmd = MYHEAP_IOC_ALLOC,
		.ver0 = MYHEAP_ALLOC_SIZE_VER0,
		.fn = myheap_ioctl_alloc,
		.undo = myheap_ioctl_alloc_undo,
	},
	[_IOC_NR(MYHEAP_IOC_FREE)] = {
		.cmd = MYHEAP_IOC_FREE,
		.ver0 = MYHEAP_FREE_SIZE_VER0,
		.fn = myheap_ioctl_free,
	},
	[_IOC_NR(MYHEAP_IOC_REALLOC)] = {
		.cmd = MYHEAP_IOC_REALLOC,
		.ver0 = MYHEAP_REALLOC_SIZE_VER0,
		.fn = myheap_ioctl_realloc,
	},
	[_IOC_NR(MYHEAP_IOC_USABLE_SIZE)] = {
		.cmd = MYHEAP_IOC_USABLE_SIZE,
		.ver0 = MYHEAP_USABLE_SIZE_SIZE_VER0,
		.fn = myheap_ioctl_usable_size,
	},
	[_IOC_NR(MYHEAP_IOC_STATS)] = {
		.cmd = MYHEAP_IOC_STATS,
		.ver0 = MYHEAP_STATS_SIZE_VER0,
		.fn = myheap_ioctl_stats,
	},
	[_IOC_NR(MYHEAP_IOC_CHECK)] = {
		.cmd = MYHEAP_IOC_CHECK,
		.ver0 = MYHEAP_CHECK_SIZE_VER0,
		.fn = myheap_ioctl_check,
	},
	[_IOC_NR(MYHEAP_IOC_SET_POLICY)] = {
		.cmd = MYHEAP_IOC_SET_POLICY,
		.ver0 = MYHEAP_POLICY_SIZE_VER0,
		.fn = myheap_ioctl_set_policy,
	},
	[_IOC_NR(MYHEAP_IOC_BATCH)] = {
		.cmd = MYHEAP_IOC_BATCH,
		.ver0 = MYHEAP_BATCH_SIZE_VER0,
		.fn = myheap_ioctl_batch,
	},
};

/**
 * myheap_ioctl() - the unlocked_ioctl of /dev/myheap.
 * @file: an open file of the device.
 * @ucmd: the command as the caller encoded it.
 * @arg: user pointer to the command's struct.
 *
 * Looks the command up by number, checks its type and direction, reads the
 * argument as its size in @ucmd says, runs it and writes the result back.
 *
 * Context: process context, may sleep; takes &myheap_dev.lock.
 * Return: 0 on success; -ENOTTY unknown command or encoding; -EINVAL
 * argument shorter than the command's VER0 size; -E2BIG argument longer
 * than a page or with a nonzero tail; -EFAULT bad pointer; otherwise the
 * command's own errors (see include/uapi/linux/myheap.h).
 */
long myheap_ioctl(struct file *file, unsigned int ucmd, unsigned long arg)
{
	struct myheap_file *mf = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct myheap_ioctl_desc *desc;
	union myheap_ioctl_arg karg;
	unsigned int nr = _IOC_NR(ucmd);
	size_t usize, ksize;
	int ret;

	if (_IOC_TYPE(ucmd) != MYHEAP_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(myheap_ioctls))
		return -ENOTTY;
	desc = &myheap_ioctls[array_index_nospec(nr, ARRAY_SIZE(myheap_ioctls))];
	if (!desc->fn || _IOC_DIR(ucmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;

	usize = _IOC_SIZE(ucmd);
	ksize = _IOC_SIZE(desc->cmd);
	if (usize < desc->ver0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;

	memset(&karg, 0, sizeof(karg));
	if (_IOC_DIR(ucmd) & _IOC_WRITE) {
		ret = copy_struct_from_user(&karg, ksize, uarg, usize);
		if (ret)
			return ret;
	}

	ret = desc->fn(mf, &karg);
	if (ret || !(_IOC_DIR(ucmd) & _IOC_READ))
		return ret;

	/* Publish the result; a newer caller's unknown output tail reads 0. */
	if (copy_to_user(uarg, &karg, min(usize, ksize)) ||
	    (!(_IOC_DIR(ucmd) & _IOC_WRITE) && usize > ksize &&
	     clear_user(uarg + ksize, usize - ksize))) {
		if (desc->undo)
			desc->undo(mf, &karg);
		return -EFAULT;
	}
	return 0;
}
