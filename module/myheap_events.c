// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs event ring (/sys/kernel/debug/myheap/events): the last
 * MYHEAP_EVENTS heap operations with their results, recorded by the
 * operations of myheap_ops.c while at least one reader has the file open
 * (so it costs nothing, no clock read and no ring write, otherwise), and
 * the change counter the dumps use to notice that blocks moved.
 *
 * Everything here runs under &myheap_dev.lock, which also protects the
 * ring. A device without a ring (myheap_events_init() not called, as in
 * the KUnit suites) still fires the tracepoints.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sched/clock.h>

#include "myheap.h"
#include "myheap_debugfs.h"

static_assert((MYHEAP_EVENTS & (MYHEAP_EVENTS - 1)) == 0);

/**
 * myheap_event_record() - record an operation in the event ring.
 * @ev: the ring; someone has the events file open (@ev->readers).
 * @mf: the file that asked.
 * @op: what it asked for.
 * @offset: payload offset (allocated, freed, or the old one of a realloc).
 * @new_offset: realloc: the block's payload offset now.
 * @size: bytes requested (alloc, realloc) or freed block's request (free).
 * @searched: free blocks the operation examined (0 for a free).
 * @result: 0 or the operation's negative errno.
 *
 * Context: &myheap_dev.lock held.
 */
void myheap_event_record(struct myheap_events *ev, struct myheap_file *mf,
			 enum myheap_event_op op, u64 offset, u64 new_offset,
			 u64 size, u32 searched, int result)
{
	struct myheap_event *e;

	lockdep_assert_held(&mf->dev->lock);

	e = &ev->ring[ev->recorded++ & (MYHEAP_EVENTS - 1)];
	e->time_ns = local_clock();
	e->owner = mf->id;
	e->pid = mf->pid;
	e->op = op;
	e->offset = offset;
	e->new_offset = new_offset;
	e->size = size;
	e->searched = searched;
	e->result = result;
}

/**
 * myheap_events_init() - give a device its event ring.
 * @dev: the device, initialised by myheap_dev_init().
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM (no ring).
 */
int myheap_events_init(struct myheap_dev *dev)
{
	struct myheap_events *ev = kvzalloc(sizeof(*ev), GFP_KERNEL);

	if (!ev)
		return -ENOMEM;
	myheap_lock_always(dev);
	dev->events = ev;
	myheap_unlock(dev);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_events_init);

/**
 * myheap_events_exit() - free the event ring.
 * @dev: the device.
 *
 * Context: process context; no file of the ring may be open any more.
 */
void myheap_events_exit(struct myheap_dev *dev)
{
	struct myheap_events *ev;

	myheap_lock_always(dev);
	ev = dev->events;
	dev->events = NULL;
	myheap_unlock(dev);
	kvfree(ev);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_events_exit);

/* The events file: one line per event, oldest first, then a trailer. */

enum myheap_events_rec { MYHEAP_EVREC_EVENT, MYHEAP_EVREC_END, MYHEAP_EVREC_PAST };

/**
 * struct myheap_events_iter - where a reader of the events file is.
 * @dev: the device.
 * @from: first event of this reading (the oldest kept when it began).
 * @to: one past the last event of this reading (the newest when it began).
 * @pos: record index of @seq (1 for @from; 0 is the header).
 * @seq: event the record at @pos shows.
 * @rec: what the record at @pos is (enum myheap_events_rec).
 * @lost: events of [@from, @to) overwritten before they could be shown.
 */
struct myheap_events_iter {
	struct myheap_dev *dev;
	u64 from;
	u64 to;
	loff_t pos;
	u64 seq;
	int rec;
	u64 lost;
};

static const char *const myheap_op_names[] = {
	[MYHEAP_EV_ALLOC] = "alloc",
	[MYHEAP_EV_FREE] = "free",
	[MYHEAP_EV_REALLOC] = "realloc",
};

/*
 * A result by its errno name ("-ENXIO"), as %pe prints it: the kernel's
 * one table of names, lib/errname.c. That takes CONFIG_SYMBOLIC_ERRNAME
 * (Debian's kernels and tests/vm/config.fragment have it; without it %pe
 * prints the number); tests/debugfs checks the names.
 */
static void myheap_put_result(struct seq_file *m, int result)
{
	char name[24] = "ok";

	if (result)
		snprintf(name, sizeof(name), "%pe", ERR_PTR(result));
	seq_printf(m, "%-10s", name);
}

/* Settle @it on the event @seq, or on the trailer when @seq is past them. */
static void *myheap_events_settle(struct myheap_events_iter *it, u64 seq)
{
	u64 recorded = it->dev->events->recorded;
	u64 oldest = recorded > MYHEAP_EVENTS ? recorded - MYHEAP_EVENTS : 0;

	if (seq < oldest) {
		it->lost += oldest - seq;
		seq = oldest;
	}
	it->seq = seq;
	it->rec = seq < it->to ? MYHEAP_EVREC_EVENT : MYHEAP_EVREC_END;
	return it;
}

static void *myheap_events_start(struct seq_file *m, loff_t *pos)
{
	struct myheap_events_iter *it = m->private;
	struct myheap_events *ev;

	myheap_lock_always(it->dev);
	ev = it->dev->events;
	if (!ev)
		return NULL;
	if (!*pos) {
		it->to = ev->recorded;
		it->from = it->to > MYHEAP_EVENTS ? it->to - MYHEAP_EVENTS : 0;
		it->lost = 0;
		it->pos = 0;
		return SEQ_START_TOKEN;
	}
	if (*pos == it->pos) {
		/* Resume where the last read stopped. */
		if (it->rec != MYHEAP_EVREC_EVENT)
			return it->rec == MYHEAP_EVREC_END ? it : NULL;
		return myheap_events_settle(it, it->seq);
	}
	/* Anywhere else (a seek): count from the first event. */
	it->pos = *pos;
	if ((u64)*pos - 1 > it->to - it->from) {
		it->rec = MYHEAP_EVREC_PAST;
		return NULL;
	}
	return myheap_events_settle(it, it->from + *pos - 1);
}

static void *myheap_events_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct myheap_events_iter *it = m->private;

	it->pos = ++*pos;
	if (v == SEQ_START_TOKEN)
		return myheap_events_settle(it, it->from);
	if (it->rec == MYHEAP_EVREC_EVENT)
		return myheap_events_settle(it, it->seq + 1);
	it->rec = MYHEAP_EVREC_PAST;
	return NULL;
}

static void myheap_events_stop(struct seq_file *m, void *v)
{
	struct myheap_events_iter *it = m->private;

	myheap_unlock(it->dev);
}

static int myheap_events_show(struct seq_file *m, void *v)
{
	struct myheap_events_iter *it = m->private;
	const struct myheap_event *e;
	u32 nsec;
	u64 sec;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "myheap events - version: %s\n",
			   MYHEAP_EVENTS_VERSION);
		seq_printf(m, "# last %u of %llu events recorded; sizes in bytes, offsets of payloads\n",
			   MYHEAP_EVENTS, it->to);
		seq_puts(m, "#      seq            time op         offset new_offset       size     pid  owner result     searched\n");
		return 0;
	}
	if (it->rec == MYHEAP_EVREC_END) {
		seq_printf(m, "# end: %llu events, %llu overwritten while reading\n",
			   it->to - it->from - it->lost, it->lost);
		return 0;
	}
	e = &it->dev->events->ring[it->seq & (MYHEAP_EVENTS - 1)];
	sec = div_u64_rem(e->time_ns, NSEC_PER_SEC, &nsec);
	seq_printf(m, "%10llu %8llu.%06u %-7s ", it->seq, sec, nsec / 1000,
		   myheap_op_names[e->op]);
	if (e->op == MYHEAP_EV_ALLOC && e->result)
		seq_printf(m, "%10s ", "-");
	else
		seq_printf(m, "%10llu ", e->offset);
	if (e->op == MYHEAP_EV_REALLOC && !e->result)
		seq_printf(m, "%10llu", e->new_offset);
	else
		seq_printf(m, "%10s", "-");
	if (e->op == MYHEAP_EV_FREE && !e->size)	/* not a block */
		seq_printf(m, " %10s", "-");
	else
		seq_printf(m, " %10llu", e->size);
	seq_printf(m, " %7d %6llu ", e->pid, e->owner);
	myheap_put_result(m, e->result);
	/* the free blocks an allocation looked at: OSTEP's "searched K" */
	if (e->op == MYHEAP_EV_FREE)
		seq_printf(m, " %8s\n", "-");
	else
		seq_printf(m, " %8u\n", e->searched);
	return 0;
}

static const struct seq_operations myheap_events_sops = {
	.start = myheap_events_start,
	.next = myheap_events_next,
	.stop = myheap_events_stop,
	.show = myheap_events_show,
};

/* An open events file turns recording on until it is released. */
static int myheap_events_open(struct inode *inode, struct file *file)
{
	struct myheap_events_iter *it;
	struct myheap_dev *dev = inode->i_private;

	it = __seq_open_private(file, &myheap_events_sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->dev = dev;
	myheap_lock_always(dev);
	if (dev->events)
		dev->events->readers++;
	myheap_unlock(dev);
	return 0;
}

static int myheap_events_release(struct inode *inode, struct file *file)
{
	struct myheap_dev *dev = inode->i_private;

	myheap_lock_always(dev);
	if (dev->events && dev->events->readers)
		dev->events->readers--;
	myheap_unlock(dev);
	return seq_release_private(inode, file);
}

/* /sys/kernel/debug/myheap/events */
const struct file_operations myheap_events_fops = {
	.owner = THIS_MODULE,
	.open = myheap_events_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = myheap_events_release,
};
