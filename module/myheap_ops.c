// SPDX-License-Identifier: GPL-2.0
/*
 * The heap operations, one function each: check ownership, run the core,
 * keep the owner table and the file's counters right, fire the tracepoint
 * and record the event (as kmalloc fires its tracepoint inside the
 * operation). Also the core's observer, which turns splits, coalesces and
 * detected damage into tracepoints.
 *
 * Everything here runs under &myheap_dev.lock. The debugfs event ring is
 * written only while someone has the events file open; otherwise an
 * operation pays one test for it. The core's observer (splits, coalesces,
 * damage) is installed only while one of its tracepoints has a probe;
 * otherwise the core skips the indirect call it makes for every split
 * and coalesce, and an operation pays one static branch for it. The sizes
 * an operation reports come from the core's struct mh_result, taken from
 * the operation's own plan: no header is decoded again here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/errno.h>
#include <linux/jump_label.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/sched/clock.h>

#include "myheap.h"
#include "myheap_debugfs.h"
#include "myheap_trace.h"

static_assert(MYHEAP_ALLOC_ZERO == MH_ALLOC_ZERO);
static_assert(MYHEAP_ALLOC_VALID == MH_ALLOC_VALID);

/* Probes on the tracepoints the core's observer fires, if any. */
static DEFINE_STATIC_KEY_FALSE(myheap_observed);

/**
 * myheap_observe_reg() - the first probe of a tracepoint the core's
 * observer fires (split, coalesce, slot or corruption) was registered.
 *
 * Context: tracepoint registration (tracepoints_mutex held), may sleep.
 * Return: 0.
 */
int myheap_observe_reg(void)
{
	static_branch_inc(&myheap_observed);
	return 0;
}

/**
 * myheap_observe_unreg() - the last probe of such a tracepoint went.
 *
 * Context: tracepoint registration (tracepoints_mutex held), may sleep.
 */
void myheap_observe_unreg(void)
{
	static_branch_dec(&myheap_observed);
}

/*
 * Install the core's observer if its tracepoints have a probe, uninstall
 * it if not, before a core operation that may report events. A probe
 * registered meanwhile sees the events from the next operation on.
 */
static inline void myheap_observe_sync(struct myheap_dev *dev, bool want)
{
	bool off = !static_branch_unlikely(&myheap_observed) && !want;

	if (unlikely(off != dev->observer_off)) {
		mh_set_observer(&dev->heap, off ? NULL : myheap_observe, dev);
		dev->observer_off = off;
	}
}

/* A successful operation may have moved block boundaries. */
static inline void myheap_changed(struct myheap_dev *dev)
{
	dev->changes++;
}

static inline void myheap_record(struct myheap_file *mf,
				 enum myheap_event_op op, u64 offset,
				 u64 new_offset, u64 size, u32 searched,
				 int result)
{
	struct myheap_events *ev = mf->dev->events;

	if (ev && ev->readers)
		myheap_event_record(ev, mf, op, offset, new_offset, size,
				    searched, result);
}

static void myheap_account(struct myheap_file *mf, u64 sub, u64 add)
{
	mf->bytes -= min(sub, mf->bytes);
	mf->bytes += add;
	mf->peak_bytes = max(mf->peak_bytes, mf->bytes);
}

/**
 * struct myheap_pause - an allocation whose search may pause.
 * @dev: the device.
 * @deadline: when the search's hold of the lock is over.
 * @waited_ns: time its pauses have lasted so far (their bound:
 *	MYHEAP_SEARCH_WAIT_MAX_NS).
 * @report: the allocation's &myheap_dev.report.
 * @searched_elsewhere: blocks other operations searched while it paused
 *	(the core's counter is the heap's, not the operation's).
 */
struct myheap_pause {
	struct myheap_dev *dev;
	u64 deadline;
	u64 waited_ns;
	struct myheap_alloc_report *report;
	u64 searched_elsewhere;
};

/*
 * The core's pause (typedef mh_pause_fn): a first-fit search of 64K holes
 * reads every one of them, 20 ms and more on the debug kernel under TCG,
 * longer than any other opener should wait. Once the hold has lasted
 * MYHEAP_HOLD_NS, let waiters in (myheap_lock_yield()), until the pauses
 * have lasted MYHEAP_SEARCH_WAIT_MAX_NS in all. When the lock was let go,
 * the operations that ran meanwhile may have changed what belongs to this
 * allocation alone: its report, the observer and the pause.
 */
static bool myheap_search_pause(void *ctx)
{
	struct myheap_pause *p = ctx;
	struct myheap_dev *dev = p->dev;
	unsigned long holds = dev->lock_holds;
	u64 searched = mh_searched(&dev->heap);
	u64 since;

	if (!myheap_hold_over(dev, p->deadline) ||
	    p->waited_ns >= MYHEAP_SEARCH_WAIT_MAX_NS)
		return false;
	dev->searches_paused++;
	since = local_clock();
	myheap_lock_yield(dev, false);	/* the search cannot fail here */
	p->waited_ns += local_clock() - since;
	p->deadline = myheap_hold_deadline();
	dev->searches_paused--;
	if (p->waited_ns >= MYHEAP_SEARCH_WAIT_MAX_NS)
		dev->search_waits_spent++;
	if (dev->lock_holds == holds)
		return false;	/* nobody was waiting: the lock was kept */
	dev->search_pauses++;
	p->searched_elsewhere += mh_searched(&dev->heap) - searched;
	dev->report = p->report;
	myheap_observe_sync(dev, !!p->report);
	mh_set_pause(&dev->heap, myheap_search_pause, p);
	return true;
}

static int myheap_do_alloc(struct myheap_file *mf, u64 size, u64 align,
			   u32 flags, u32 *off, size_t *usable)
{
	struct myheap_dev *dev = mf->dev;
	struct mh_result r;
	int ret;

	if (flags & ~MYHEAP_ALLOC_VALID)
		return -EINVAL;
	if (size > MH_MAX_REGION)
		return -E2BIG;
	if (align > MH_MAX_ALIGN)
		return -EDOM;
	ret = mh_alloc_result(&dev->heap, size, align ? align : MH_ALIGN, flags,
			      &r);
	if (ret)
		return myheap_note_damage(dev, ret, "alloc", size);
	*off = r.offset;
	if (!myheap_owner_free_slot(dev, *off)) {
		/*
		 * The core handed out a block over one that is live: a header
		 * was forged. Give it back (it is the block just allocated,
		 * under the same lock hold) and refuse.
		 */
		mh_free(&dev->heap, *off);
		myheap_changed(dev);
		return myheap_note_damage(dev, -EUCLEAN, "alloc", *off);
	}
	myheap_owner_set(mf, *off);
	myheap_account(mf, 0, size);
	myheap_changed(dev);
	*usable = r.usable;
	return 0;
}

/**
 * myheap_block_alloc_report() - allocate a block for a file, and say what
 * the allocation did.
 * @mf: the file that will own the block.
 * @size: bytes wanted.
 * @align: payload alignment, 0 for the default.
 * @flags: MYHEAP_ALLOC_* flags.
 * @offset: where the payload offset is stored on success.
 * @usable: where the usable payload size is stored on success.
 * @rep: NULL, or where the report is stored on success: the free blocks
 *	searched (the core's counter's change across the call) and the
 *	splits, as the core's observer saw them (installed for the call).
 *
 * A long search lets the lock go between its holds (myheap_search_pause()):
 * other operations may then run in the middle of this one, before it has
 * changed anything. A caller that keeps state across the call must check
 * it afterwards (&myheap_dev.lock_holds says whether the lock was let go).
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; -EINVAL size 0 or unknown flag; -E2BIG too large;
 * -EDOM bad alignment; -ENOMEM no room; -EUCLEAN damaged heap.
 */
int myheap_block_alloc_report(struct myheap_file *mf, u64 size, u64 align,
			      u32 flags, u64 *offset, u64 *usable,
			      struct myheap_alloc_report *rep)
{
	struct myheap_alloc_report seen = { 0 };
	u64 searched = mh_searched(&mf->dev->heap);
	struct myheap_pause pause = {
		.dev = mf->dev,
		.deadline = myheap_hold_deadline(),
		.report = rep ? &seen : NULL,
	};
	size_t use = 0;
	u32 off = 0;
	int ret;

	lockdep_assert_held(&mf->dev->lock);
	myheap_observe_sync(mf->dev, !!rep);

	mf->dev->report = pause.report;
	mh_set_pause(&mf->dev->heap, myheap_search_pause, &pause);
	ret = myheap_do_alloc(mf, size, align, flags, &off, &use);
	mh_set_pause(&mf->dev->heap, NULL, NULL);
	mf->dev->report = NULL;
	searched = mh_searched(&mf->dev->heap) - searched -
		   pause.searched_elsewhere;
	trace_myheap_alloc(mf->id, mf->pid, size, align, flags, off, use,
			   searched, ret);
	myheap_record(mf, MYHEAP_EV_ALLOC, off, 0, size, searched, ret);
	if (!ret) {
		*offset = off;
		*usable = use;
		if (rep) {
			*rep = seen;
			rep->searched = searched;
		}
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_block_alloc_report);

/**
 * myheap_block_alloc() - allocate a block for a file.
 * @mf: the file that will own the block.
 * @size: bytes wanted.
 * @align: payload alignment, 0 for the default.
 * @flags: MYHEAP_ALLOC_* flags.
 * @offset: where the payload offset is stored on success.
 * @usable: where the usable payload size is stored on success.
 *
 * Context: &myheap_dev.lock held.
 * Return: as myheap_block_alloc_report().
 */
int myheap_block_alloc(struct myheap_file *mf, u64 size, u64 align,
		       u32 flags, u64 *offset, u64 *usable)
{
	return myheap_block_alloc_report(mf, size, align, flags, offset,
					 usable, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_block_alloc);

/**
 * myheap_block_free_report() - free a block of a file, and say what the
 * free did.
 * @mf: the file.
 * @offset: payload offset of the block.
 * @fr: NULL, or where what the free did is stored on success: the core's
 *	struct mh_freed, from the free's own plan (header offsets).
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; -EPERM another file's block; -EALREADY already
 * free; -EBADMSG damaged header; -ENXIO not a block; -EUCLEAN damaged heap.
 */
int myheap_block_free_report(struct myheap_file *mf, u64 offset,
			     struct mh_freed *fr)
{
	struct myheap_dev *dev = mf->dev;
	struct mh_result r = { 0 };
	int ret;

	lockdep_assert_held(&dev->lock);
	myheap_observe_sync(mf->dev, false);

	ret = myheap_owner_check(mf, offset);
	if (!ret)
		ret = mh_free_result(&dev->heap, offset, &r);
	if (!ret) {
		myheap_owner_clear(mf, offset);
		myheap_account(mf, r.requested, 0);
		myheap_changed(dev);
		if (fr)
			*fr = r.freed;
	} else {
		myheap_note_damage(dev, ret, "free", offset);
	}
	trace_myheap_free(mf->id, mf->pid, offset, r.requested, ret);
	myheap_record(mf, MYHEAP_EV_FREE, offset, 0, r.requested, 0, ret);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_block_free_report);

/**
 * myheap_block_free() - free a block of a file.
 * @mf: the file.
 * @offset: payload offset of the block.
 *
 * Context: &myheap_dev.lock held.
 * Return: as myheap_block_free_report().
 */
int myheap_block_free(struct myheap_file *mf, u64 offset)
{
	return myheap_block_free_report(mf, offset, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_block_free);

/**
 * myheap_block_release() - free a block of a closing file.
 * @mf: the file; it owns the block at @offset.
 * @offset: payload offset of the block.
 *
 * The file stops owning the block whatever the core says: a block the core
 * refuses to free (damaged) is lost until the heap is reset.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 or the error of mh_free().
 */
int myheap_block_release(struct myheap_file *mf, u32 offset)
{
	struct myheap_dev *dev = mf->dev;
	struct mh_result r = { 0 };
	int ret;

	lockdep_assert_held(&dev->lock);
	myheap_observe_sync(mf->dev, false);

	myheap_owner_clear(mf, offset);
	ret = mh_free_result(&dev->heap, offset, &r);
	if (!ret)
		myheap_changed(dev);
	trace_myheap_free(mf->id, mf->pid, offset, r.requested, ret);
	myheap_record(mf, MYHEAP_EV_FREE, offset, 0, r.requested, 0, ret);
	return ret;
}

static int myheap_do_realloc(struct myheap_file *mf, u64 offset, u64 size,
			     size_t *old_size, u32 *off, size_t *usable,
			     struct mh_result *res)
{
	struct myheap_dev *dev = mf->dev;
	struct mh_result r;
	int ret;

	ret = myheap_owner_check(mf, offset);
	if (ret)
		return myheap_note_damage(dev, ret, "realloc", offset);
	if (size > MH_MAX_REGION)
		return -E2BIG;
	ret = mh_realloc_result(&dev->heap, offset, size, &r);
	if (ret)
		return myheap_note_damage(dev, ret, "realloc", offset);
	*old_size = r.requested;
	*off = r.offset;

	myheap_changed(dev);
	if (*off != offset) {
		myheap_owner_clear(mf, offset);
		if (!myheap_owner_free_slot(dev, *off)) {
			/*
			 * The core moved the block over one that is live: a
			 * header was forged. The realloc happened (the data
			 * moved, the old block is gone), so it is reported
			 * as done and the new block is this file's; the
			 * block it overlaps is lost to its owner.
			 */
			myheap_note_damage(dev, -EUCLEAN, "realloc", *off);
		}
		myheap_owner_set(mf, *off);
	}
	myheap_account(mf, *old_size, size);
	*usable = r.usable;
	*res = r;
	return 0;
}

/**
 * myheap_block_realloc_report() - resize a block of a file, and say how.
 * @mf: the file.
 * @offset: payload offset of the block.
 * @size: new size in bytes.
 * @new_offset: where the block's payload offset is stored on success.
 * @usable: where its usable payload size is stored on success.
 * @rep: NULL, or where the report is stored on success: the free blocks
 *	searched and the splits (the observer, installed for the call, as
 *	for an allocation) and the core's result (how it resized, the
 *	neighbours grown into, the free of the old block or the tail).
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; the errors of myheap_block_free() for @offset;
 * -EINVAL size 0; -E2BIG too large; -ENOMEM no room; -EUCLEAN damaged
 * heap (nothing changed).
 */
int myheap_block_realloc_report(struct myheap_file *mf, u64 offset,
				u64 size, u64 *new_offset, u64 *usable,
				struct myheap_realloc_report *rep)
{
	struct myheap_alloc_report seen = { 0 };
	u64 searched = mh_searched(&mf->dev->heap);
	struct mh_result res = { 0 };
	size_t old_size = 0, use = 0;
	u32 off = 0;
	int ret;

	lockdep_assert_held(&mf->dev->lock);
	myheap_observe_sync(mf->dev, !!rep);

	mf->dev->report = rep ? &seen : NULL;
	ret = myheap_do_realloc(mf, offset, size, &old_size, &off, &use, &res);
	mf->dev->report = NULL;
	searched = mh_searched(&mf->dev->heap) - searched;
	trace_myheap_realloc(mf->id, mf->pid, offset, old_size, size, off, use,
			     ret);
	myheap_record(mf, MYHEAP_EV_REALLOC, offset, off, size, searched, ret);
	if (!ret) {
		*new_offset = off;
		*usable = use;
		if (rep) {
			rep->seen = seen;
			rep->seen.searched = searched;
			rep->res = res;
		}
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_block_realloc_report);

/**
 * myheap_block_realloc() - resize a block of a file.
 * @mf: the file.
 * @offset: payload offset of the block.
 * @size: new size in bytes.
 * @new_offset: where the block's payload offset is stored on success.
 * @usable: where its usable payload size is stored on success.
 *
 * Context: &myheap_dev.lock held.
 * Return: as myheap_block_realloc_report().
 */
int myheap_block_realloc(struct myheap_file *mf, u64 offset, u64 size,
			 u64 *new_offset, u64 *usable)
{
	return myheap_block_realloc_report(mf, offset, size, new_offset,
					   usable, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_block_realloc);

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
	struct mh_result r;
	int ret;

	lockdep_assert_held(&dev->lock);

	ret = myheap_owner_check(mf, offset);
	if (ret)
		return myheap_note_damage(dev, ret, "usable_size", offset);
	ret = mh_query(&dev->heap, offset, &r);
	if (ret)
		return myheap_note_damage(dev, ret, "usable_size", offset);
	*usable = r.usable;
	*requested = r.requested;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_block_size);

/**
 * myheap_set_config() - change the placement policy of an empty heap and
 * its knobs (the fit policies' list order and coalescing).
 * @dev: the device.
 * @policy: the new policy.
 * @order: its free-list order (MH_ORDER_ADDR for a policy without knobs).
 * @coalesce: freed blocks merge with free neighbours (true for a policy
 *	without knobs).
 *
 * Everything is checked before the heap is touched, so a refused change
 * leaves the old policy and knobs in force.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; -EINVAL unknown policy or order; -EOPNOTSUPP a
 * knob the policy does not have; -EBUSY blocks in use (or an allocation
 * under way, its search paused).
 */
int myheap_set_config(struct myheap_dev *dev, enum mh_policy policy,
		      enum mh_list_order order, bool coalesce)
{
	enum mh_policy old = dev->policy;
	int ret = 0;

	lockdep_assert_held(&dev->lock);

	if ((unsigned int)policy >= MH_NR_POLICIES ||
	    (unsigned int)order >= MH_NR_ORDERS)
		ret = -EINVAL;
	else if (!mh_policy_has_knobs(policy) &&
		 (order != MH_ORDER_ADDR || !coalesce))
		ret = -EOPNOTSUPP;
	else if (!mh_empty(&dev->heap) || dev->searches_paused)
		ret = -EBUSY;
	if (!ret)
		ret = myheap_note_damage(dev, mh_set_policy(&dev->heap, policy),
					 "set_policy", policy);
	if (!ret && mh_policy_has_knobs(policy))
		ret = mh_set_knobs(&dev->heap, order, coalesce);
	if (!ret) {
		/* GET_INFO reads them without the lock. */
		WRITE_ONCE(dev->policy, policy);
		WRITE_ONCE(dev->list_order, order);
		WRITE_ONCE(dev->policy_flags,
			   coalesce ? 0 : MYHEAP_POLICY_NO_COALESCE);
		myheap_changed(dev);
	}
	trace_myheap_policy_change(old, policy, ret);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_set_config);

/**
 * myheap_set_policy() - change the placement policy of an empty heap, with
 * the default knobs.
 * @dev: the device.
 * @policy: the new policy.
 *
 * Context: &myheap_dev.lock held.
 * Return: 0 on success; -EINVAL unknown policy; -EBUSY blocks in use (or
 * an allocation under way).
 */
int myheap_set_policy(struct myheap_dev *dev, enum mh_policy policy)
{
	return myheap_set_config(dev, policy, MH_ORDER_ADDR, true);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_set_policy);

/**
 * myheap_stats_reset() - zero the counters the statistics keep over the
 * heap's life (the core's, the device's damage events, and the lock's
 * longest hold and wait).
 * @dev: the device.
 *
 * Context: &myheap_dev.lock held.
 */
void myheap_stats_reset(struct myheap_dev *dev)
{
	lockdep_assert_held(&dev->lock);

	mh_clear_counters(&dev->heap);
	dev->damage_events = 0;
	dev->hold_max = (struct myheap_hold){ 0 };
	dev->wait_max_ns = 0;
	dev->wait_max_behind = 0;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_stats_reset);

/**
 * myheap_observe() - the core's observer: splits, coalesces and damage as
 * tracepoints. Installed by myheap_dev_init(), and uninstalled by the
 * operations while none of those tracepoints has a probe.
 * @ctx: the device.
 * @event: what happened.
 * @offset: block (header) offset.
 * @size: block size.
 *
 * Context: &myheap_dev.lock held (called by the core's operations).
 */
void myheap_observe(void *ctx, enum mh_event event, u32 offset, u32 size)
{
	struct myheap_dev *dev = ctx;

	switch (event) {
	case MH_EV_SPLIT:
		trace_myheap_split(offset, size);
		if (dev->report) {
			/* the core's own plan: the rest it left free */
			dev->report->splits++;
			dev->report->split_offset = offset + MH_HDR_SIZE;
			dev->report->split_size = size;
		}
		break;
	case MH_EV_COALESCE:
		trace_myheap_coalesce(offset, size);
		break;
	case MH_EV_CORRUPTION:
		trace_myheap_corruption(offset);
		return;
	case MH_EV_SLOT_ALLOC:
		trace_myheap_slot_alloc(offset, size);
		break;
	case MH_EV_SLOT_FREE:
		trace_myheap_slot_free(offset, size);
		break;
	}
	myheap_changed(dev);
}
