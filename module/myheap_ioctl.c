// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of /dev/myheap: a command table, one function
 * per command.
 *
 * As in drivers/dma-buf/dma-heap.c, the command number indexes a table of
 * the kernel's commands and the size of the caller's struct comes from the
 * command the caller used: inputs are read with copy_struct_from_user(), so
 * an older (shorter) struct is zero-extended and a newer (longer) one must
 * have a zero tail; outputs are written up to the caller's size. Only the
 * command's own bytes of the kernel copy are zeroed (by
 * copy_struct_from_user(), or for output-only commands a memset of their
 * size). The handlers take the heap lock themselves (killable) and never
 * fault on a user address while holding it: results are published after
 * it is dropped, except where a result must be known to be delivered
 * before the lock is dropped (ALLOC, BATCH), which copy with page faults
 * disabled and undo what they did in the same hold if that fails.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>

#include "myheap.h"

/* The ABI's numbers are the core's. */
static_assert(MYHEAP_MAX_ALIGN == MH_MAX_ALIGN);
static_assert(MYHEAP_POLICY_FIRST_FIT == MH_FIRST_FIT);
static_assert(MYHEAP_POLICY_NEXT_FIT == MH_NEXT_FIT);
static_assert(MYHEAP_POLICY_BEST_FIT == MH_BEST_FIT);
static_assert(MYHEAP_POLICY_WORST_FIT == MH_WORST_FIT);
static_assert(MYHEAP_POLICY_SEGREGATED == MH_SEGREGATED);
static_assert(MYHEAP_POLICY_BUDDY == MH_BUDDY);
static_assert(MYHEAP_POLICY_POOLS == MH_POOLS);
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
static_assert(MYHEAP_VIOLATION_RUN == MH_V_RUN);
static_assert(MYHEAP_NR_VIOLATION_KINDS == MH_NR_VIOLATION_KINDS);
static_assert(MYHEAP_HIST_BUCKETS == MH_HIST_BUCKETS);
static_assert(MYHEAP_ORDER_ADDRSORT == MH_ORDER_ADDR);
static_assert(MYHEAP_ORDER_SIZESORT_UP == MH_ORDER_SIZE_UP);
static_assert(MYHEAP_ORDER_SIZESORT_DOWN == MH_ORDER_SIZE_DOWN);
static_assert(MYHEAP_ORDER_INSERT_FRONT == MH_ORDER_FRONT);
static_assert(MYHEAP_ORDER_INSERT_BACK == MH_ORDER_BACK);
static_assert(MYHEAP_NR_ORDERS == MH_NR_ORDERS);
static_assert(MYHEAP_FREED_LEFT == MH_FREED_LEFT);
static_assert(MYHEAP_FREED_RIGHT == MH_FREED_RIGHT);
static_assert(MYHEAP_FREED_SLOT == MH_FREED_SLOT);
static_assert(MYHEAP_FREED_RUN == MH_FREED_RUN);
static_assert(MYHEAP_REALLOC_MOVED == MH_RESIZE_MOVED);
static_assert(MYHEAP_REALLOC_GREW == MH_RESIZE_GREW);
static_assert(MYHEAP_REALLOC_SHRANK == MH_RESIZE_SHRANK);
static_assert(MYHEAP_REALLOC_SLID == MH_RESIZE_SLID);

/* The ABI's layouts: each struct as first published, and what grew since. */
static_assert(offsetofend(struct myheap_info, __pad) == MYHEAP_INFO_SIZE_VER0);
static_assert(sizeof(struct myheap_info) == MYHEAP_INFO_SIZE_VER1);
static_assert(offsetofend(struct myheap_alloc, usable) == MYHEAP_ALLOC_SIZE_VER0);
static_assert(sizeof(struct myheap_alloc) == MYHEAP_ALLOC_SIZE_VER1);
static_assert(sizeof(struct myheap_free) == MYHEAP_FREE_SIZE_VER0);
static_assert(offsetofend(struct myheap_realloc, usable) == MYHEAP_REALLOC_SIZE_VER0);
static_assert(sizeof(struct myheap_realloc) == MYHEAP_REALLOC_SIZE_VER1);
static_assert(sizeof(struct myheap_free_report) == MYHEAP_FREE_REPORT_SIZE_VER0);
static_assert(sizeof(struct myheap_usable_size) == MYHEAP_USABLE_SIZE_SIZE_VER0);
static_assert(offsetofend(struct myheap_stats, open_files) == MYHEAP_STATS_SIZE_VER0);
static_assert(sizeof(struct myheap_stats) == MYHEAP_STATS_SIZE_VER1);
static_assert(sizeof(struct myheap_check) == MYHEAP_CHECK_SIZE_VER0);
static_assert(offsetofend(struct myheap_policy, flags) == MYHEAP_POLICY_SIZE_VER0);
static_assert(sizeof(struct myheap_policy) == MYHEAP_POLICY_SIZE_VER1);
static_assert(sizeof(struct myheap_batch_op) == MYHEAP_BATCH_OP_SIZE_VER0);
static_assert(sizeof(struct myheap_batch) == MYHEAP_BATCH_SIZE_VER0);
static_assert(sizeof(struct myheap_stats_reset) == MYHEAP_STATS_RESET_SIZE_VER0);

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
	struct myheap_stats_reset stats_reset;
	struct myheap_free_report free_report;
};

/**
 * struct myheap_ioctl_call - one call as the caller made it.
 * @uarg: the caller's argument.
 * @usize: its size, from the command the caller encoded.
 */
struct myheap_ioctl_call {
	void __user *uarg;
	size_t usize;
};

static int myheap_ioctl_get_info(struct myheap_file *mf,
				 union myheap_ioctl_arg *arg,
				 const struct myheap_ioctl_call *call)
{
	struct myheap_dev *dev = mf->dev;
	struct myheap_info *info = &arg->info;

	info->abi_version = MYHEAP_ABI_VERSION;
	info->features = MYHEAP_FEATURE_REALLOC | MYHEAP_FEATURE_BATCH |
			 MYHEAP_FEATURE_ZERO | MYHEAP_FEATURE_OWNERSHIP |
			 MYHEAP_FEATURE_RW | MYHEAP_FEATURE_KNOBS |
			 MYHEAP_FEATURE_STATS_RESET | MYHEAP_FEATURE_ALLOC_REPORT |
			 MYHEAP_FEATURE_FREE_REPORT |
			 MYHEAP_FEATURE_REALLOC_REPORT;
	info->features |= myheap_private_mode() ? MYHEAP_FEATURE_PRIVATE :
						  MYHEAP_FEATURE_MMAP;
	if (dev->poison)
		info->features |= MYHEAP_FEATURE_POISON;
	info->region_size = dev->region_size;
	info->mmap_size = dev->mmap_size;
	info->header_size = MH_HDR_SIZE;
	info->alignment = MH_ALIGN;
	info->min_block = MH_MIN_BLOCK;
	info->batch_max = MYHEAP_BATCH_MAX;
	info->nr_policies = MH_NR_POLICIES;
	info->hist_buckets = MH_HIST_BUCKETS;
	/* A snapshot: set_policy() writes it under the lock. */
	info->policy = READ_ONCE(dev->policy);
	/* What the policy honours (buddy: 16), not what any policy might. */
	info->max_align = mh_policy_max_align(info->policy);
	info->list_order = READ_ONCE(dev->list_order);
	info->policy_flags = READ_ONCE(dev->policy_flags);
	return 0;
}

/*
 * A caller with the VER1 struct gets the report (its split needs the
 * core's observer for the call); an older one pays nothing for it.
 * ALLOC publishes its result before it drops the lock, with page faults
 * disabled: if the caller cannot receive the offset, the block just
 * allocated is freed in the same lock hold, so the undo can never free a
 * block another thread of the same file freed and got again meanwhile. A
 * page that is merely not present is faulted in (by writing back what the
 * caller wrote) outside the lock and the allocation tried once more.
 */
static int myheap_ioctl_alloc(struct myheap_file *mf,
			      union myheap_ioctl_arg *arg,
			      const struct myheap_ioctl_call *call)
{
	struct myheap_dev *dev = mf->dev;
	struct myheap_alloc *a = &arg->alloc;
	size_t n = min(call->usize, sizeof(*a));
	bool report = call->usize >= MYHEAP_ALLOC_SIZE_VER1;
	struct myheap_alloc in = *a;
	struct myheap_alloc_report rep;
	unsigned int tries;
	int ret;

	if (a->__pad)
		return -EINVAL;
	for (tries = 0; ; tries++) {
		ret = myheap_lock(dev);
		if (ret)
			return ret;
		ret = myheap_block_alloc_report(mf, a->size, a->align, a->flags,
						&a->offset, &a->usable,
						report ? &rep : NULL);
		if (!ret) {
			a->searched = report ? rep.searched : 0;
			a->splits = report ? rep.splits : 0;
			a->split_offset = report ? rep.split_offset : 0;
			a->split_size = report ? rep.split_size : 0;
		}
		if (ret || !copy_to_user_nofault(call->uarg, a, n)) {
			myheap_unlock(dev);
			return ret;
		}
		myheap_block_free(mf, a->offset);
		myheap_unlock(dev);
		if (tries || copy_to_user(call->uarg, &in, n))
			return -EFAULT;
	}
}

static int myheap_ioctl_free(struct myheap_file *mf,
			     union myheap_ioctl_arg *arg,
			     const struct myheap_ioctl_call *call)
{
	struct myheap_free *f = &arg->free;
	int ret;

	if (f->flags || f->__pad)
		return -EINVAL;
	ret = myheap_lock(mf->dev);
	if (ret)
		return ret;
	ret = myheap_block_free(mf, f->offset);
	myheap_unlock(mf->dev);
	return ret;
}

/* A core block offset (its header; 0 for none) as the ABI names it. */
static u64 myheap_name(u32 blk)
{
	return blk ? (u64)blk + MH_HDR_SIZE : 0;
}

/* What a free did, as the core's plan said, in the ABI's terms. */
static void myheap_freed_to_user(struct myheap_freed *u,
				 const struct mh_freed *fr)
{
	*u = (struct myheap_freed){
		.outcome = fr->flags,
		.merges = fr->merges,
		.freed_size = fr->freed_size,
		.block_offset = myheap_name(fr->block),
		.block_size = fr->size,
		.left_offset = myheap_name(fr->left),
		.left_size = fr->left_size,
		.right_offset = myheap_name(fr->right),
		.right_size = fr->right_size,
		.run_offset = myheap_name(fr->run),
		.run_size = fr->run_size,
	};
}

/*
 * FREE_REPORT frees as FREE does. Before anything is freed it writes back
 * what the caller wrote (outside the lock, faulting the page in), so a
 * caller who cannot receive the report frees nothing; the report itself
 * is published after the lock is dropped.
 */
static int myheap_ioctl_free_report(struct myheap_file *mf,
				    union myheap_ioctl_arg *arg,
				    const struct myheap_ioctl_call *call)
{
	struct myheap_free_report *f = &arg->free_report;
	size_t n = min(call->usize, sizeof(*f));
	struct mh_freed fr;
	int ret;

	if (f->flags || f->__pad)
		return -EINVAL;
	if (copy_to_user(call->uarg, f, n))
		return -EFAULT;
	ret = myheap_lock(mf->dev);
	if (ret)
		return ret;
	ret = myheap_block_free_report(mf, f->offset, &fr);
	myheap_unlock(mf->dev);
	if (ret)
		return ret;
	myheap_freed_to_user(&f->freed, &fr);
	return copy_to_user(call->uarg, f, n) ? -EFAULT : 0;
}

/*
 * A caller with the VER1 struct gets the report (its splits need the
 * core's observer for the call); an older one pays nothing for it.
 */
static int myheap_ioctl_realloc(struct myheap_file *mf,
				union myheap_ioctl_arg *arg,
				const struct myheap_ioctl_call *call)
{
	struct myheap_realloc *r = &arg->realloc;
	bool report = call->usize >= MYHEAP_REALLOC_SIZE_VER1;
	struct myheap_realloc_report rep;
	int ret;

	if (r->flags || r->__pad)
		return -EINVAL;
	ret = myheap_lock(mf->dev);
	if (ret)
		return ret;
	ret = myheap_block_realloc_report(mf, r->offset, r->size,
					  &r->new_offset, &r->usable,
					  report ? &rep : NULL);
	myheap_unlock(mf->dev);
	if (ret || !report)
		return ret;
	r->how = rep.res.how;
	r->searched = rep.seen.searched;
	r->splits = rep.seen.splits;
	r->__pad2 = 0;
	r->split_offset = rep.seen.split_offset;
	r->split_size = rep.seen.split_size;
	r->left_offset = myheap_name(rep.res.left);
	r->left_size = rep.res.left_size;
	r->right_offset = myheap_name(rep.res.right);
	r->right_size = rep.res.right_size;
	myheap_freed_to_user(&r->freed, &rep.res.freed);
	return 0;
}

static int myheap_ioctl_usable_size(struct myheap_file *mf,
				    union myheap_ioctl_arg *arg,
				    const struct myheap_ioctl_call *call)
{
	struct myheap_usable_size *u = &arg->usable;
	int ret;

	if (u->flags || u->__pad)
		return -EINVAL;
	ret = myheap_lock(mf->dev);
	if (ret)
		return ret;
	ret = myheap_block_size(mf, u->offset, &u->usable, &u->requested);
	myheap_unlock(mf->dev);
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
			      union myheap_ioctl_arg *arg,
			      const struct myheap_ioctl_call *call)
{
	struct myheap_dev *dev = mf->dev;
	struct mh_stats st;
	int ret;

	ret = myheap_lock(dev);
	if (!ret)
		ret = myheap_stats_heap(dev, &st);
	if (ret)
		return ret;
	arg->stats.damage_events = dev->damage_events;
	arg->stats.open_files = dev->nr_files;
	myheap_unlock(dev);

	myheap_stats_to_user(&arg->stats, &st);
	arg->stats.owner_bytes = myheap_owner_bytes(dev);
	return 0;
}

static int myheap_ioctl_stats_reset(struct myheap_file *mf,
				    union myheap_ioctl_arg *arg,
				    const struct myheap_ioctl_call *call)
{
	struct myheap_stats_reset *r = &arg->stats_reset;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if ((r->flags & ~MYHEAP_STATS_RESET_VALID) || r->__pad)
		return -EINVAL;
	ret = myheap_lock(mf->dev);
	if (ret)
		return ret;
	myheap_stats_reset(mf->dev);
	myheap_unlock(mf->dev);
	return 0;
}

static int myheap_ioctl_check(struct myheap_file *mf,
			      union myheap_ioctl_arg *arg,
			      const struct myheap_ioctl_call *call)
{
	struct myheap_check *c = &arg->check;
	struct mh_violation first = { MH_V_NONE, 0 };
	int ret;

	if (c->flags || c->__pad)
		return -EINVAL;
	ret = myheap_lock(mf->dev);
	if (ret)
		return ret;
	ret = myheap_check_heap(mf->dev, &first);
	if (ret < 0)
		return ret;
	myheap_unlock(mf->dev);
	c->violations = ret;
	c->first_kind = ret ? first.kind : MH_V_NONE;
	c->first_offset = ret ? first.offset : 0;
	return 0;
}

static int myheap_ioctl_set_policy(struct myheap_file *mf,
				   union myheap_ioctl_arg *arg,
				   const struct myheap_ioctl_call *call)
{
	struct myheap_policy *p = &arg->policy;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if ((p->flags & ~MYHEAP_POLICY_VALID) || p->__pad ||
	    p->policy >= MH_NR_POLICIES || p->list_order >= MH_NR_ORDERS)
		return -EINVAL;
	ret = myheap_lock(mf->dev);
	if (ret)
		return ret;
	ret = myheap_set_config(mf->dev, p->policy, p->list_order,
				!(p->flags & MYHEAP_POLICY_NO_COALESCE));
	myheap_unlock(mf->dev);
	return ret;
}

static int myheap_ioctl_batch_cmd(struct myheap_file *mf,
				  union myheap_ioctl_arg *arg,
				  const struct myheap_ioctl_call *call)
{
	return myheap_ioctl_batch(mf, &arg->batch, call->uarg, call->usize);
}

/**
 * struct myheap_ioctl_desc - one command of the table.
 * @cmd: the command as this kernel defines it (direction, type, size).
 * @ver0: smallest argument size accepted (the *_SIZE_VER0 of its struct).
 * @fn: runs the command on a kernel copy of the argument.
 * @publishes: @fn writes its result back itself (the handler does not).
 */
struct myheap_ioctl_desc {
	unsigned int cmd;
	unsigned int ver0;
	int (*fn)(struct myheap_file *mf, union myheap_ioctl_arg *arg,
		  const struct myheap_ioctl_call *call);
	bool publishes;
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
		.publishes = true,
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
		.fn = myheap_ioctl_batch_cmd,
		.publishes = true,
	},
	[_IOC_NR(MYHEAP_IOC_STATS_RESET)] = {
		.cmd = MYHEAP_IOC_STATS_RESET,
		.ver0 = MYHEAP_STATS_RESET_SIZE_VER0,
		.fn = myheap_ioctl_stats_reset,
	},
	[_IOC_NR(MYHEAP_IOC_FREE_REPORT)] = {
		.cmd = MYHEAP_IOC_FREE_REPORT,
		.ver0 = MYHEAP_FREE_REPORT_SIZE_VER0,
		.fn = myheap_ioctl_free_report,
		.publishes = true,
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
 * Context: process context, may sleep; takes &myheap_dev.lock (killable).
 * Return: 0 on success; -ENOTTY unknown command or encoding; -EINVAL
 * argument shorter than the command's VER0 size; -E2BIG argument longer
 * than a page or with a nonzero tail; -EFAULT bad pointer; -EINTR a fatal
 * signal came while waiting for the heap; otherwise the command's own
 * errors (see include/uapi/linux/myheap.h).
 */
long myheap_ioctl(struct file *file, unsigned int ucmd, unsigned long arg)
{
	struct myheap_file *mf = file->private_data;
	struct myheap_ioctl_call call = { .uarg = (void __user *)arg };
	const struct myheap_ioctl_desc *desc;
	union myheap_ioctl_arg karg;
	unsigned int nr = _IOC_NR(ucmd);
	size_t ksize;
	int ret;

	if (_IOC_TYPE(ucmd) != MYHEAP_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(myheap_ioctls))
		return -ENOTTY;
	desc = &myheap_ioctls[array_index_nospec(nr, ARRAY_SIZE(myheap_ioctls))];
	if (!desc->fn || _IOC_DIR(ucmd) != _IOC_DIR(desc->cmd))
		return -ENOTTY;

	call.usize = _IOC_SIZE(ucmd);
	ksize = _IOC_SIZE(desc->cmd);
	if (call.usize < desc->ver0)
		return -EINVAL;
	if (call.usize > PAGE_SIZE)
		return -E2BIG;

	if (_IOC_DIR(ucmd) & _IOC_WRITE) {
		/* Zero-extends a shorter struct up to ksize, no further. */
		ret = copy_struct_from_user(&karg, ksize, call.uarg,
					    call.usize);
		if (ret)
			return ret;
	} else {
		memset(&karg, 0, ksize);
	}

	/*
	 * A retpoline for every call of the table is not needed for the hot
	 * commands: they are called directly when the pointer is theirs.
	 */
	ret = INDIRECT_CALL_4(desc->fn, myheap_ioctl_alloc, myheap_ioctl_free,
			      myheap_ioctl_batch_cmd, myheap_ioctl_realloc, mf,
			      &karg, &call);
	if (ret || desc->publishes || !(_IOC_DIR(ucmd) & _IOC_READ))
		return ret;

	/* Publish the result; a newer caller's unknown output tail reads 0. */
	if (copy_to_user(call.uarg, &karg, min(call.usize, ksize)) ||
	    (!(_IOC_DIR(ucmd) & _IOC_WRITE) && call.usize > ksize &&
	     clear_user(call.uarg + ksize, call.usize - ksize)))
		return -EFAULT;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_ioctl);
