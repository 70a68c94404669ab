/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State shared by the glue files of myheap.ko.
 *
 * The module is thin glue around the allocator core (core/mh_core.h):
 *   myheap_main.c   module parameters, load and unload, the one device
 *   myheap_param.c  parsing of the region_size and policy parameters
 *   myheap_heap.c   the device state: region, core heap, damage log
 *   myheap_lock.c   taking the lock, and yielding it fairly in long operations
 *   myheap_owner.c  block ownership: owner ids, the owner table, close
 *   myheap_ops.c    the heap operations, one function each: ownership,
 *                   core, tracepoint and event ring in one layer
 *   myheap_dev.c    file operations: open, release, mmap
 *   myheap_ioctl.c  the ioctl command table, one function per command
 *   myheap_batch.c  MYHEAP_IOC_BATCH
 *   myheap_events.c the debugfs event ring (events file)
 *   myheap_debugfs.c, myheap_dump.c  /sys/kernel/debug/myheap/
 *
 * Locking: one mutex, &myheap_dev.lock, serialises every use of the core
 * heap (the core takes no locks), the owner table, the owner ids, the list
 * of open files and every counter below. Nothing allocates under it on the
 * alloc/free path. It is never held across anything that can fault on a
 * user address: results are copied out after it is dropped, or under it
 * with page faults disabled (copy_to_user_nofault()), so it never nests
 * outside mmap_lock. Waiting for it is killable in every ioctl and in open;
 * long operations (a BATCH, close, dumps, walks) hold it MYHEAP_HOLD_NS at
 * a time and yield it to waiters between holds (myheap_lock.c). Functions
 * that expect it held say so in their Context: and check it with
 * lockdep_assert_held().
 * Readers such as debugfs take it too, for a consistent snapshot.
 */
#ifndef MYHEAP_H
#define MYHEAP_H

#include <linux/moduleparam.h>
#include <linux/instruction_pointer.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <uapi/linux/myheap.h>

#include "mh_core.h"

/** MYHEAP_NAME - name of the module, the misc device and the log prefix. */
#define MYHEAP_NAME		"myheap"
/** MYHEAP_DEFAULT_REGION - region size when the parameter is not given. */
#define MYHEAP_DEFAULT_REGION	(4UL << 20)
/** MYHEAP_DEFAULT_POLICY - placement policy when the parameter is not given. */
#define MYHEAP_DEFAULT_POLICY	MH_SEGREGATED

/**
 * MYHEAP_OWNER_GRANULE - bytes of region per entry of the owner table.
 *
 * Payloads are 16-byte aligned and pools' smallest slots are 16 bytes, so
 * every possible payload offset has its own entry.
 */
#define MYHEAP_OWNER_GRANULE	16u
/**
 * MYHEAP_MAX_OWNERS - open files a device can have at once (8-bit slots):
 * one byte per 16 bytes keeps the owner table at 1/16 of the region.
 */
#define MYHEAP_MAX_OWNERS	255u

/**
 * struct myheap_alloc_report - what one allocation did, in OSTEP's terms.
 * @searched: free blocks it examined.
 * @splits: free blocks it split.
 * @split_offset: payload offset of the free block the last split left.
 * @split_size: its bytes, header included.
 */
struct myheap_alloc_report {
	u32 searched;
	u32 splits;
	u64 split_offset;
	u64 split_size;
};

/**
 * struct myheap_realloc_report - what one realloc did.
 * @seen: the free blocks a move's allocation searched, and the splits, as
 *	for an allocation.
 * @res: the core's result: how it resized, the neighbours it grew into,
 *	the free of the old block or the tail (header offsets).
 */
struct myheap_realloc_report {
	struct myheap_alloc_report seen;
	struct mh_result res;
};

/**
 * struct myheap_hold - a hold of &myheap_dev.lock, or the clocks at its start.
 * @ns: wall time (local_clock()).
 * @cpu_ns: the holder's run time as the scheduler counts it
 *	(&sched_entity.sum_exec_runtime, brought up to date at least every
 *	tick, so it is exact to a tick).
 * @switches: times the holder was switched out, voluntarily or not.
 * @gap_ns: the longest stretch of the hold in which the holder did not
 *	look at the clock (myheap_hold_over(), which a long operation calls
 *	between its steps: a few hundred block reads of a search, a chunk of
 *	a BATCH; the hold's start and end count as looks). An operation that
 *	does not pause is one step: a FREE placing its block in an
 *	address-ordered list reads it up to the block's place.
 * @at: where the lock was let go: an address in the function that let it
 *	go, or for a yield in the one that called myheap_lock_yield() (0 in
 *	the clocks at a start).
 *
 * Together they tell a hold that worked from one whose holder was not
 * running: preempted or asleep in the guest (@cpu_ns below @ns, @switches
 * above 0), or, with neither, a CPU the host did not run (the guest counts
 * that as the holder's run time; only a step far longer than its work, in
 * @gap_ns, shows it).
 */
struct myheap_hold {
	u64 ns;
	u64 cpu_ns;
	unsigned long switches;
	u64 gap_ns;
	unsigned long at;
};

/**
 * struct myheap_dev - the heap and everything the module keeps about it.
 * @lock: serialises everything below (see the comment at the top); taken
 *	only through myheap_lock() and myheap_lock_always(), let go only
 *	through myheap_unlock().
 * @lock_waiters: tasks waiting for (or just given) @lock.
 * @lock_holds: times @lock was taken (written under it).
 * @hold_begun: the clocks when @lock was last taken (under it); its
 *	@gap_ns is the current hold's longest stretch so far.
 * @hold_looked: local_clock() at the current hold's last look at the clock.
 * @hold_max: longest hold of @lock since load or the last STATS_RESET
 *	(debugfs stats: lock_hold_max_*), measured where it is let go; a
 *	hold nobody waited for counts too.
 * @let_go_at: where @lock was last let go (&myheap_hold.at).
 * @wait_max_ns: longest an opener waited for @lock since load or the last
 *	STATS_RESET, from asking for it to having it (debugfs stats:
 *	lock_wait_max_us): what a long hold costs the others.
 * @wait_max_behind: where @lock was let go for that waiter (the end of
 *	the hold it waited for, or the last of them).
 * @lock_yielders: long operations waiting in myheap_lock_yield() for
 *	another task to take @lock.
 * @heap: the allocator core's control structure (trusted memory).
 * @region: the arena, from vmalloc_user(); mapped by userspace, untrusted.
 * @starts: the core's block-start bitmap (kernel memory, mh_starts_bytes()).
 * @region_size: bytes of @region the heap uses.
 * @mmap_size: bytes userspace may map (@region_size rounded to pages).
 * @policy: current placement policy (mirrors @heap).
 * @list_order: the fit policies' free-list order, enum mh_list_order
 *	(mirrors @heap, for GET_INFO without the lock).
 * @policy_flags: MYHEAP_POLICY_* flags in force (mirrors @heap too).
 * @poison: free payloads are poisoned (MH_INIT_POISON).
 * @owner_table: one u8 per MYHEAP_OWNER_GRANULE bytes of region, indexed
 *	by (payload offset - 16) / 16: 0 for no live block or slot there,
 *	else the owner slot of the file owning it. Kernel memory, so the
 *	mapping cannot forge it.
 * @owner_entries: entries of @owner_table.
 * @owners: owner slot -> struct myheap_file, for the slots in use.
 * @files: open files (struct myheap_file.node), in open order.
 * @nr_files: entries of @files.
 * @next_id: owner id given to the next opener (ids are never reused).
 * @damage_events: operations that failed with -EUCLEAN.
 * @resets: times the heap was reset because the last file closed while
 *	blocks were still in use (lost to damage).
 * @changes: incremented by every operation that may have moved block
 *	boundaries (see myheap_changes()).
 * @observer_off: the core's observer is uninstalled because none of the
 *	tracepoints it fires has a probe (myheap_observe_sync()).
 * @report: while an allocation or realloc that reports runs, where the
 *	observer counts its splits (myheap_block_alloc_report(),
 *	myheap_block_realloc_report()), else NULL.
 * @searches_paused: allocations whose search let the lock go in a pause
 *	(myheap_search_pause()) and has not got it back: no policy or knob
 *	may change under them.
 * @search_pauses: pauses in which a search let the lock go, since load
 *	(debugfs stats).
 * @search_waits_spent: searches that stopped pausing because their
 *	pauses had lasted their bound (MYHEAP_SEARCH_WAIT_MAX_NS), since load
 *	(debugfs stats).
 * @misc: /dev/myheap (unused by devices that are not registered, in tests).
 * @events: event ring of the debugfs events file (NULL: none, in tests).
 * @debugfs: /sys/kernel/debug/myheap/ (NULL: none, in tests).
 */
struct myheap_dev {
	struct mutex lock; /* protects all of this struct and the files' counters */
	atomic_t lock_waiters;
	unsigned long lock_holds;
	struct myheap_hold hold_begun;
	u64 hold_looked;
	struct myheap_hold hold_max;
	unsigned long let_go_at;
	u64 wait_max_ns;
	unsigned long wait_max_behind;
	atomic_t lock_yielders;
	struct mh_heap heap;
	void *region;
	unsigned long *starts;
	size_t region_size;
	size_t mmap_size;
	enum mh_policy policy;
	u32 list_order;
	u32 policy_flags;
	bool poison;
	u8 *owner_table;
	u32 owner_entries;
	struct xarray owners;
	struct list_head files;
	unsigned int nr_files;
	u64 next_id;
	u64 damage_events;
	u64 resets;
	u64 changes;
	bool observer_off;
	struct myheap_alloc_report *report;
	unsigned int searches_paused;
	u64 search_pauses;
	u64 search_waits_spent;
	struct miscdevice misc;
	struct myheap_events *events;
	struct dentry *debugfs;
};

/**
 * struct myheap_file - one open file of /dev/myheap: the owner of blocks.
 * @dev: the device.
 * @node: entry in &myheap_dev.files (under &myheap_dev.lock).
 * @id: owner id, unique for the module's lifetime (what debugfs and the
 *	tracepoints show).
 * @slot: owner slot, 1..MYHEAP_MAX_OWNERS, unique among open files (what
 *	&myheap_dev.owner_table holds); reused after close.
 * @pid: thread group id of the opener.
 * @comm: command name of the opener.
 * @blocks: blocks this file owns now.
 * @bytes: payload bytes requested by those blocks.
 * @peak_bytes: highest @bytes ever.
 * @lo: lowest owner table index this file ever owned (close scans from it).
 * @hi: highest owner table index this file ever owned (close stops there).
 * @seq: counts the changes to this file's set of blocks; an undo that
 *	finds it moved knows a sibling thread changed them in between.
 *
 * Everything but @dev, @id, @slot, @pid and @comm (fixed at open) is
 * protected by &myheap_dev.lock.
 */
struct myheap_file {
	struct myheap_dev *dev;
	struct list_head node;
	u64 id;
	u16 slot;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	u64 blocks;
	u64 bytes;
	u64 peak_bytes;
	u32 lo;
	u32 hi;
	u64 seq;
};

/* myheap_param.c */
int myheap_parse_size(const char *val, unsigned long *size);
int myheap_parse_policy(const char *val);
int myheap_parse_order(const char *val);
extern const struct kernel_param_ops myheap_size_param_ops;
extern const struct kernel_param_ops myheap_policy_param_ops;
extern const struct kernel_param_ops myheap_order_param_ops;

/* myheap_heap.c */
int myheap_dev_init(struct myheap_dev *dev, size_t region_size,
		    enum mh_policy policy, bool poison);
void myheap_dev_destroy(struct myheap_dev *dev);
int myheap_note_damage(struct myheap_dev *dev, int err, const char *op,
		       u64 offset);
u64 myheap_changes(struct myheap_dev *dev);

/* myheap_lock.c */
int myheap_lock(struct myheap_dev *dev);
void myheap_lock_always(struct myheap_dev *dev);
void myheap_unlock_at(struct myheap_dev *dev, unsigned long at);
/**
 * myheap_unlock() - let go of &myheap_dev.lock (myheap_unlock_at(), noting
 * the function that lets it go).
 * @dev: the device, its lock held.
 */
#define myheap_unlock(dev)	myheap_unlock_at(dev, _THIS_IP_)
/* Longest hold of &myheap_dev.lock a long operation aims for. */
#define MYHEAP_HOLD_NS		NSEC_PER_MSEC
/*
 * Longest a search waits in all its pauses: then it finishes without
 * pausing. Each pause lets in every opener waiting then (a mutex's queue
 * has no room at the front for the one coming back), so under a crowd a
 * search that pauses every millisecond could wait for seconds: a best-fit
 * ALLOC took 2.6 s in `make stress`'s scribble test. With this bound an
 * allocation returns within its own search, this wait and one more turn
 * of the lock, and the others wait for the rest of its search once.
 */
#define MYHEAP_SEARCH_WAIT_MAX_NS	(100 * NSEC_PER_MSEC)
u64 myheap_hold_deadline(void);
bool myheap_hold_over(struct myheap_dev *dev, u64 deadline);
int myheap_lock_yield(struct myheap_dev *dev, bool killable);

/**
 * struct myheap_walk - a whole-heap walk that can be done in pieces.
 * @begin: (re)start the walk's state.
 * @step: go on for at most @max blocks (0: to the end); true once done.
 */
struct myheap_walk {
	void (*begin)(struct myheap_walk *w, const struct mh_heap *h);
	bool (*step)(struct myheap_walk *w, const struct mh_heap *h, u32 max);
};

/**
 * struct myheap_stats_walk - mh_stats() as a struct myheap_walk.
 * @w: the walk (myheap_stats_walk_init()).
 * @st: the figures.
 * @off: where the walk goes on.
 */
struct myheap_stats_walk {
	struct myheap_walk w;
	struct mh_stats st;
	u32 off;
};

/* Walks started again because the heap changed, before one hold does all. */
#define MYHEAP_WALK_TRIES	4u
int myheap_walk_bounded(struct myheap_dev *dev, struct myheap_walk *w);
int myheap_check_heap(struct myheap_dev *dev, struct mh_violation *first);
void myheap_stats_walk_init(struct myheap_stats_walk *sw);
int myheap_stats_heap(struct myheap_dev *dev, struct mh_stats *st);

/* myheap_owner.c */
int myheap_owner_init(struct myheap_dev *dev);
void myheap_owner_destroy(struct myheap_dev *dev);
int myheap_file_add(struct myheap_dev *dev, struct myheap_file *mf);
void myheap_file_remove(struct myheap_dev *dev, struct myheap_file *mf,
			u64 *blocks, u64 *bytes);
int myheap_owner_check(struct myheap_file *mf, u64 offset);
void myheap_owner_set(struct myheap_file *mf, u32 offset);
void myheap_owner_clear(struct myheap_file *mf, u32 offset);
bool myheap_owner_free_slot(const struct myheap_dev *dev, u32 offset);
struct myheap_file *myheap_owner_at(struct myheap_dev *dev, u32 offset);
size_t myheap_owner_bytes(const struct myheap_dev *dev);

/* myheap_ops.c: the heap operations, traced and logged; call these */
int myheap_block_alloc(struct myheap_file *mf, u64 size, u64 align,
		       u32 flags, u64 *offset, u64 *usable);
int myheap_block_alloc_report(struct myheap_file *mf, u64 size, u64 align,
			      u32 flags, u64 *offset, u64 *usable,
			      struct myheap_alloc_report *rep);
int myheap_block_free(struct myheap_file *mf, u64 offset);
int myheap_block_free_report(struct myheap_file *mf, u64 offset,
			     struct mh_freed *fr);
int myheap_block_release(struct myheap_file *mf, u32 offset);
int myheap_block_realloc(struct myheap_file *mf, u64 offset, u64 size,
			 u64 *new_offset, u64 *usable);
int myheap_block_realloc_report(struct myheap_file *mf, u64 offset,
				u64 size, u64 *new_offset, u64 *usable,
				struct myheap_realloc_report *rep);
int myheap_block_size(struct myheap_file *mf, u64 offset, u64 *usable,
		      u64 *requested);
int myheap_set_policy(struct myheap_dev *dev, enum mh_policy policy);
void myheap_stats_reset(struct myheap_dev *dev);
int myheap_set_config(struct myheap_dev *dev, enum mh_policy policy,
		      enum mh_list_order order, bool coalesce);
void myheap_observe(void *ctx, enum mh_event event, u32 offset, u32 size);

/* myheap_debugfs.c */
void myheap_debugfs_init(struct myheap_dev *dev);
void myheap_debugfs_exit(struct myheap_dev *dev);

/* myheap_dev.c */
extern const struct file_operations myheap_fops;

/* myheap_ioctl.c */
long myheap_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* myheap_batch.c */
int myheap_ioctl_batch(struct myheap_file *mf, struct myheap_batch *b,
		       struct myheap_batch __user *ub, size_t usize);

/* myheap_main.c */
bool myheap_private_mode(void);

/* myheap_rw.c: read()/write() of the caller's own blocks */
ssize_t myheap_read(struct file *file, char __user *ubuf, size_t len,
		    loff_t *ppos);
ssize_t myheap_write(struct file *file, const char __user *ubuf, size_t len,
		     loff_t *ppos);
loff_t myheap_llseek(struct file *file, loff_t offset, int whence);

#endif /* MYHEAP_H */
