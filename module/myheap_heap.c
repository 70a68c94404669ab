// SPDX-License-Identifier: GPL-2.0
/*
 * The device state: the region, the core heap over it, the
 * lock, and what happens when the core reports damage.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include "myheap.h"
#include "myheap_debugfs.h"

/**
 * myheap_dev_init() - set up a device: region, heap, lock, ownership, and
 * the core observer behind the split, coalesce and corruption tracepoints.
 * @dev: the device, zeroed by the caller.
 * @region_size: bytes of the region, as validated by myheap_parse_size().
 * @policy: initial placement policy.
 * @poison: poison free payloads.
 *
 * The region comes from vmalloc_user(), so it is zeroed and can be mapped
 * into userspace with remap_vmalloc_range(). The misc device is not touched.
 *
 * Context: process context, may sleep.
 * Return: 0 on success; -ENOMEM if the region or the owner table cannot be
 * allocated; the core's error (-EINVAL) for a size or policy it refuses.
 */
int myheap_dev_init(struct myheap_dev *dev, size_t region_size,
		    enum mh_policy policy, bool poison)
{
	int ret;

	dev->region = vmalloc_user(region_size);
	if (!dev->region)
		return -ENOMEM;
	dev->starts = kvzalloc(mh_starts_bytes(region_size), GFP_KERNEL);
	if (!dev->starts) {
		vfree(dev->region);
		dev->region = NULL;
		return -ENOMEM;
	}
	dev->region_size = region_size;
	dev->mmap_size = PAGE_ALIGN(region_size);
	dev->policy = policy;
	dev->poison = poison;

	ret = mh_init(&dev->heap, dev->region, region_size, policy,
		      poison ? MH_INIT_POISON : 0, dev->starts);
	if (ret)
		goto free_region;

	ret = myheap_owner_init(dev);
	if (ret)
		goto free_region;
	mutex_init(&dev->lock);
	mh_set_observer(&dev->heap, myheap_observe, dev);
	return 0;

free_region:
	kvfree(dev->starts);
	dev->starts = NULL;
	vfree(dev->region);
	dev->region = NULL;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_dev_init);

/**
 * myheap_dev_destroy() - free what myheap_dev_init() set up.
 * @dev: the device; no file may be open on it any more.
 *
 * Context: process context, may sleep.
 */
void myheap_dev_destroy(struct myheap_dev *dev)
{
	WARN_ON_ONCE(!list_empty(&dev->files));
	mh_set_observer(&dev->heap, NULL, NULL);
	myheap_owner_destroy(dev);
	mutex_destroy(&dev->lock);
	kvfree(dev->starts);
	dev->starts = NULL;
	vfree(dev->region);
	dev->region = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_dev_destroy);

/**
 * myheap_note_damage() - account for a core error that means damage.
 * @dev: the device.
 * @err: the core's return value.
 * @op: name of the operation, for the log.
 * @offset: the offset it was given.
 *
 * -EUCLEAN means the heap's metadata (in the user-writable region) is
 * damaged and the core refused the operation, changing nothing. That is
 * counted and logged, rate-limited, never treated as a kernel bug: anyone
 * with the region mapped can cause it.
 *
 * Context: &myheap_dev.lock held.
 * Return: @err, so callers can write ``return myheap_note_damage(...)``.
 */
int myheap_note_damage(struct myheap_dev *dev, int err, const char *op,
		       u64 offset)
{
	lockdep_assert_held(&dev->lock);

	if (err == -EUCLEAN) {
		dev->damage_events++;
		pr_warn_ratelimited("heap metadata damaged: %s at offset %llu refused (%llu so far)\n",
				    op, offset, dev->damage_events);
	}
	return err;
}

/**
 * myheap_changes() - a number that moves whenever block boundaries may have:
 * the operations' change counter (&myheap_dev.changes) plus the resets of
 * the heap after its last close (&myheap_dev.resets). A walk or a dump
 * that sees it move between two holds of the lock knows its saved place
 * may no longer start a block.
 * @dev: the device.
 *
 * Context: &myheap_dev.lock held.
 * Return: the number.
 */
u64 myheap_changes(struct myheap_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	return dev->changes + dev->resets;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_changes);

/* Blocks (or list nodes) a walk looks at between two looks at the clock. */
#define MYHEAP_WALK_STEP	256u

/**
 * myheap_walk_bounded() - run a whole-heap walk in holds of MYHEAP_HOLD_NS.
 * @dev: the device, its lock held.
 * @w: the walk.
 *
 * Between holds other openers run and may change the heap; the pieces of
 * one walk must see one heap, so a walk that finds it changed
 * (myheap_changes()) starts again, and after MYHEAP_WALK_TRIES such starts
 * it is done under one hold, so a heap that never stops changing still
 * gets its answer.
 *
 * Context: process context, may sleep.
 * Return: 0 with the lock held (the walk done), or -EINTR without it.
 */
int myheap_walk_bounded(struct myheap_dev *dev, struct myheap_walk *w)
{
	const struct mh_heap *h = &dev->heap;
	unsigned int tries;
	u64 changes, deadline;
	bool done;

	lockdep_assert_held(&dev->lock);

	for (tries = 0;; tries++) {
		u32 step = tries < MYHEAP_WALK_TRIES ? MYHEAP_WALK_STEP : 0;

		w->begin(w, h);
		changes = myheap_changes(dev);
		deadline = myheap_hold_deadline();
		while (!(done = w->step(w, h, step))) {
			if (!myheap_hold_over(dev, deadline))
				continue;
			if (myheap_lock_yield(dev, true))
				return -EINTR;
			if (myheap_changes(dev) != changes)
				break;
			deadline = myheap_hold_deadline();
		}
		if (done)
			return 0;
	}
}
EXPORT_SYMBOL_IF_KUNIT(myheap_walk_bounded);

struct myheap_check_walk {
	struct myheap_walk w;
	struct mh_check_state s;
};

static void myheap_check_begin(struct myheap_walk *w, const struct mh_heap *h)
{
	mh_check_begin(h, &container_of(w, struct myheap_check_walk, w)->s);
}

static bool myheap_check_step(struct myheap_walk *w, const struct mh_heap *h,
			      u32 max)
{
	return mh_check_step(h, &container_of(w, struct myheap_check_walk, w)->s,
			     max);
}

/**
 * myheap_check_heap() - mh_check() in bounded holds (myheap_walk_bounded()).
 * @dev: the device, its lock held.
 * @first: set to the first violation found.
 *
 * Context: process context, may sleep.
 * Return: the number of violations with the lock held, or -EINTR without.
 */
int myheap_check_heap(struct myheap_dev *dev, struct mh_violation *first)
{
	struct myheap_check_walk cw = {
		.w = { .begin = myheap_check_begin, .step = myheap_check_step },
	};
	int ret = myheap_walk_bounded(dev, &cw.w);

	return ret ? ret : mh_check_end(&dev->heap, &cw.s, first);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_check_heap);

static void myheap_stats_begin(struct myheap_walk *w, const struct mh_heap *h)
{
	struct myheap_stats_walk *sw = container_of(w, struct myheap_stats_walk, w);

	mh_stats_begin(h, &sw->st);
	sw->off = mh_first_block(h);
}

static bool myheap_stats_step(struct myheap_walk *w, const struct mh_heap *h,
			      u32 max)
{
	struct myheap_stats_walk *sw = container_of(w, struct myheap_stats_walk, w);

	sw->off = mh_stats_walk(h, &sw->st, sw->off, max);
	return !sw->off;
}

/**
 * myheap_stats_walk_init() - set up a walk that takes mh_stats().
 * @sw: the walk; after myheap_walk_bounded() @sw->st holds the figures.
 */
void myheap_stats_walk_init(struct myheap_stats_walk *sw)
{
	sw->w.begin = myheap_stats_begin;
	sw->w.step = myheap_stats_step;
}

/**
 * myheap_stats_heap() - mh_stats() in bounded holds.
 * @dev: the device, its lock held.
 * @st: filled in.
 *
 * Context: process context, may sleep.
 * Return: 0 with the lock held, or -EINTR without.
 */
int myheap_stats_heap(struct myheap_dev *dev, struct mh_stats *st)
{
	struct myheap_stats_walk sw;
	int ret;

	myheap_stats_walk_init(&sw);
	ret = myheap_walk_bounded(dev, &sw.w);
	if (!ret)
		*st = sw.st;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_stats_heap);
