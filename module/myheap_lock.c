// SPDX-License-Identifier: GPL-2.0
/*
 * Taking &myheap_dev.lock, and giving it up fairly between the holds of a
 * long operation.
 *
 * A long operation (a BATCH, a close, a dump, a bounded walk) holds the
 * lock for MYHEAP_HOLD_NS at a time and then calls myheap_lock_yield().
 * A mutex is not fair: relocking at once, or after a fixed sleep, the
 * long operation often won the lock back before a waiter sleeping on it
 * had even been scheduled (under TCG an opener lost several 13 ms holds in
 * a row to a BATCH of first-fit ALLOCs at 64K holes). So every task that
 * takes the lock goes through myheap_lock() or myheap_lock_always(), which
 * count the tasks waiting (&myheap_dev.lock_waiters) and the holds
 * (&myheap_dev.lock_holds): a yield with nobody waiting keeps the lock
 * (and only lets the CPU go), a yield with waiters lets go and waits until
 * one of them has taken the lock.
 */
#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/wait_bit.h>

#include "myheap.h"

/*
 * Longest a yield waits for a waiter to take the lock. A waiter that is
 * there gets it at once; one that gives up (a fatal signal) wakes the
 * yielder too. So this bound is only for a waiter whose CPU does not run
 * at all: the long operation goes on then rather than stall.
 */
#define MYHEAP_YIELD_MAX_MS	100

/*
 * One waiter fewer (it has the lock, or gave up): wake a long operation
 * waiting in myheap_lock_yield(). atomic_dec_return() is fully ordered:
 * the hold count and the waiter count are stored before the yielder count
 * and the wait queue are read, as the yielder stores its count before it
 * reads ours (wait_var_event()), so one of the two sees the other.
 */
static void myheap_lock_unwait(struct myheap_dev *dev)
{
	atomic_dec_return(&dev->lock_waiters);
	if (atomic_read(&dev->lock_yielders))
		wake_up_var(&dev->lock_holds);
}

/* The clocks of struct myheap_hold at @ns (local_clock()), for current. */
static void myheap_hold_clocks(struct myheap_hold *now, u64 ns)
{
	now->ns = ns;
	now->cpu_ns = READ_ONCE(current->se.sum_exec_runtime);
	now->switches = READ_ONCE(current->nvcsw) + READ_ONCE(current->nivcsw);
	now->gap_ns = 0;
	now->at = 0;
}

/* The holder looks at the clock: a stretch of the hold ends. */
static u64 myheap_hold_look(struct myheap_dev *dev)
{
	u64 now = local_clock();

	dev->hold_begun.gap_ns = max(dev->hold_begun.gap_ns,
				     now - dev->hold_looked);
	dev->hold_looked = now;
	return now;
}

/* A hold begins: count it, and note the clocks. */
static void myheap_hold_begins(struct myheap_dev *dev)
{
	WRITE_ONCE(dev->lock_holds, dev->lock_holds + 1);
	dev->hold_looked = local_clock();
	myheap_hold_clocks(&dev->hold_begun, dev->hold_looked);
}

/*
 * A waiter that asked at @asked has the lock: count one more hold, keep
 * the longest wait, and wake a yielder waiting for it.
 */
static void myheap_lock_taken(struct myheap_dev *dev, u64 asked)
{
	myheap_hold_begins(dev);
	if (dev->hold_begun.ns - asked > dev->wait_max_ns) {
		dev->wait_max_ns = dev->hold_begun.ns - asked;
		dev->wait_max_behind = dev->let_go_at;
	}
	myheap_lock_unwait(dev);
}

/*
 * The lock at once, without counting a waiter: the uncontended path of
 * every ioctl pays no atomic beyond the mutex's own. A yielder need not be
 * woken by it: it waits for the counted waiters, which come next.
 */
static bool myheap_lock_now(struct myheap_dev *dev)
{
	if (!mutex_trylock(&dev->lock))
		return false;
	myheap_hold_begins(dev);
	return true;
}

/**
 * myheap_lock() - take &myheap_dev.lock for a caller that can give up.
 * @dev: the device.
 *
 * A fatal signal ends the wait, so a task stuck behind a long holder can
 * still be killed.
 *
 * Context: process context, may sleep.
 * Return: 0 with the lock held, or -EINTR (fatal signal) without it.
 */
int myheap_lock(struct myheap_dev *dev)
{
	u64 asked;

	if (myheap_lock_now(dev))
		return 0;
	asked = local_clock();
	atomic_inc(&dev->lock_waiters);
	if (mutex_lock_killable(&dev->lock)) {
		myheap_lock_unwait(dev);
		return -EINTR;
	}
	myheap_lock_taken(dev, asked);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_lock);

/**
 * myheap_lock_always() - take &myheap_dev.lock where giving up is no option
 * (a release, module load and unload).
 * @dev: the device.
 *
 * Context: process context, may sleep.
 */
void myheap_lock_always(struct myheap_dev *dev)
{
	u64 asked;

	if (myheap_lock_now(dev))
		return;
	asked = local_clock();
	atomic_inc(&dev->lock_waiters);
	mutex_lock(&dev->lock);
	myheap_lock_taken(dev, asked);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_lock_always);

/**
 * myheap_unlock_at() - let go of &myheap_dev.lock, and keep the longest hold.
 * @dev: the device, its lock held.
 * @at: where it is let go, for &myheap_dev.hold_max (myheap_unlock() passes
 *	its caller's own address).
 *
 * The hold is measured here, in the kernel, so that `make stress` can tell
 * the lock held long from a waiter that was merely not scheduled (what a
 * prober in userspace sees is both; the waits are measured where the lock
 * is taken, myheap_lock_taken()). It is wall time: a holder preempted,
 * or a virtual CPU the host did not run, counts; the holder's run time and
 * switches, kept beside it, tell which (struct myheap_hold).
 *
 * Context: process context, &myheap_dev.lock held.
 */
void myheap_unlock_at(struct myheap_dev *dev, unsigned long at)
{
	const struct myheap_hold *begun = &dev->hold_begun;
	struct myheap_hold now;

	myheap_hold_clocks(&now, myheap_hold_look(dev));
	if (now.ns - begun->ns > dev->hold_max.ns) {
		dev->hold_max.ns = now.ns - begun->ns;
		dev->hold_max.cpu_ns = now.cpu_ns - begun->cpu_ns;
		dev->hold_max.switches = now.switches - begun->switches;
		dev->hold_max.gap_ns = begun->gap_ns;
		dev->hold_max.at = at;
	}
	dev->let_go_at = at;
	mutex_unlock(&dev->lock);
}
EXPORT_SYMBOL_IF_KUNIT(myheap_unlock_at);

/**
 * myheap_hold_deadline() - when a hold of the lock that starts now is over.
 *
 * Long operations (a BATCH, a close) run under the lock until this time has
 * passed, finish the step they are in, then let waiters in with
 * myheap_lock_yield(): time, not a count of steps, because a step costs
 * from a few nanoseconds (segregated fit) to a walk of every free block
 * (first fit), and what other openers wait for is time.
 *
 * Return: a local_clock() time, MYHEAP_HOLD_NS from now.
 */
u64 myheap_hold_deadline(void)
{
	return local_clock() + MYHEAP_HOLD_NS;
}

/**
 * myheap_hold_over() - has the hold that was given @deadline lasted enough?
 * @dev: the device, its lock held.
 * @deadline: from myheap_hold_deadline().
 *
 * Also ends a stretch of the hold for &myheap_hold.gap_ns.
 *
 * Context: &myheap_dev.lock held.
 * Return: true once the deadline has passed.
 */
bool myheap_hold_over(struct myheap_dev *dev, u64 deadline)
{
	return myheap_hold_look(dev) >= deadline;
}

/**
 * myheap_lock_yield() - let other openers in between two holds.
 * @dev: the device, its lock held.
 * @killable: a fatal signal ends the long operation.
 *
 * Called once a hold has lasted MYHEAP_HOLD_NS (myheap_hold_over()). With
 * nobody waiting for the lock it keeps it and only lets the CPU go. With a
 * waiter it drops the lock and sleeps until another task has taken it (or
 * MYHEAP_YIELD_MAX_MS passed), then waits for it like any opener: so a task
 * that asks for the heap during a long operation waits one of its holds,
 * not many (see the top of this file).
 *
 * Context: process context, may sleep.
 * Return: 0 with the lock held, or -EINTR (only if @killable: a fatal
 * signal is pending) without it.
 */
int myheap_lock_yield(struct myheap_dev *dev, bool killable)
{
	unsigned long holds;

	lockdep_assert_held(&dev->lock);

	if (killable && fatal_signal_pending(current)) {
		myheap_unlock_at(dev, _RET_IP_);
		return -EINTR;
	}
	if (!atomic_read(&dev->lock_waiters)) {
		cond_resched();
		return 0;
	}
	holds = dev->lock_holds;
	atomic_inc(&dev->lock_yielders);
	myheap_unlock_at(dev, _RET_IP_);
	wait_var_event_timeout(&dev->lock_holds,
			       READ_ONCE(dev->lock_holds) != holds ||
			       !atomic_read(&dev->lock_waiters),
			       msecs_to_jiffies(MYHEAP_YIELD_MAX_MS));
	atomic_dec(&dev->lock_yielders);
	if (killable)
		return myheap_lock(dev);
	myheap_lock_always(dev);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_lock_yield);
