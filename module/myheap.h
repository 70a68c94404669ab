/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State shared by the glue files of myheap.ko.
 *
 * The module is thin glue around the allocator core (core/mh_core.h):
 *   myheap_main.c   module parameters, load and unload, the one device
 *   myheap_param.c  parsing of the region_size and policy parameters
 *   myheap_heap.c   the device state: region, core heap, lock, damage log
 *   myheap_owner.c  block ownership (offset -> open file) and the heap
 *                   operations that keep it right
 *   myheap_dev.c    file operations: open, release, mmap
 *   myheap_ioctl.c  the ioctl command table, one function per command
 *   myheap_events.c the operations as called: traced and logged (event ring)
 *   myheap_debugfs.c, myheap_dump.c  /sys/kernel/debug/myheap/
 *
 * Locking: one mutex, &myheap_dev.lock, serialises every use of the core
 * heap (the core takes no locks), the ownership xarray's contents, the list
 * of open files and every counter below. It is a mutex because the ownership
 * xarray allocates with GFP_KERNEL under it. It is never held across a copy
 * to or from userspace, and nothing else is taken inside it except the
 * xarray's own spinlock, so it nests under mmap_lock freely. Functions that
 * expect it held say so in their Context: and check it with
 * lockdep_assert_held(). Readers such as debugfs take it too, for a
 * consistent snapshot.
 */
#ifndef MYHEAP_H
#define MYHEAP_H

#include <linux/moduleparam.h>
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
 * struct myheap_dev - the heap and everything the module keeps about it.
 * @lock: serialises everything below (see the comment at the top).
 * @heap: the allocator core's control structure (trusted memory).
 * @region: the arena, from vmalloc_user(); mapped by userspace, untrusted.
 * @starts: the core's block-start bitmap (kernel memory, mh_starts_bytes()).
 * @region_size: bytes of @region the heap uses.
 * @mmap_size: bytes userspace may map (@region_size rounded to pages).
 * @policy: current placement policy (mirrors @heap).
 * @poison: free payloads are poisoned (MH_INIT_POISON).
 * @owners: payload offset -> the struct myheap_file owning that block.
 * @files: open files (struct myheap_file.node), in open order.
 * @nr_files: entries of @files.
 * @next_id: owner id given to the next opener (ids are never reused).
 * @damage_events: operations that failed with -EUCLEAN.
 * @resets: times the heap was reset because the last file closed while
 *	blocks were still in use (lost to damage).
 * @misc: /dev/myheap (unused by devices that are not registered, in tests).
 * @events: event ring of the debugfs events file (NULL: none, in tests).
 * @debugfs: /sys/kernel/debug/myheap/ (NULL: none, in tests).
 */
struct myheap_dev {
	struct mutex lock; /* protects all of this struct and the files' counters */
	struct mh_heap heap;
	void *region;
	unsigned long *starts;
	size_t region_size;
	size_t mmap_size;
	enum mh_policy policy;
	bool poison;
	struct xarray owners;
	struct list_head files;
	unsigned int nr_files;
	u64 next_id;
	u64 damage_events;
	u64 resets;
	struct miscdevice misc;
	struct myheap_events *events;
	struct dentry *debugfs;
};

/**
 * struct myheap_file - one open file of /dev/myheap: the owner of blocks.
 * @dev: the device.
 * @node: entry in &myheap_dev.files (under &myheap_dev.lock).
 * @id: owner id, unique for the module's lifetime.
 * @pid: thread group id of the opener.
 * @comm: command name of the opener.
 * @blocks: blocks this file owns now.
 * @bytes: payload bytes requested by those blocks.
 * @peak_bytes: highest @bytes ever.
 *
 * The counters are protected by &myheap_dev.lock.
 */
struct myheap_file {
	struct myheap_dev *dev;
	struct list_head node;
	u64 id;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	u64 blocks;
	u64 bytes;
	u64 peak_bytes;
};

/* The device of the loaded module (myheap_main.c). */
extern struct myheap_dev myheap;

/* myheap_param.c */
int myheap_parse_size(const char *val, unsigned long *size);
int myheap_parse_policy(const char *val);
extern const struct kernel_param_ops myheap_size_param_ops;
extern const struct kernel_param_ops myheap_policy_param_ops;

/* myheap_heap.c */
int myheap_dev_init(struct myheap_dev *dev, size_t region_size,
		    enum mh_policy policy, bool poison);
void myheap_dev_destroy(struct myheap_dev *dev);
int myheap_note_damage(struct myheap_dev *dev, int err, const char *op,
		       u64 offset);

/* myheap_owner.c */
void myheap_file_add(struct myheap_dev *dev, struct myheap_file *mf);
void myheap_file_remove(struct myheap_dev *dev, struct myheap_file *mf,
			u64 *blocks, u64 *bytes);
int __myheap_block_alloc(struct myheap_file *mf, u64 size, u64 align,
			 u32 flags, u64 *offset, u64 *usable);
int __myheap_block_free(struct myheap_file *mf, u64 offset);
int __myheap_block_realloc(struct myheap_file *mf, u64 offset, u64 size,
			   u64 *new_offset, u64 *usable);
int myheap_block_size(struct myheap_file *mf, u64 offset, u64 *usable,
		      u64 *requested);
int __myheap_set_policy(struct myheap_dev *dev, enum mh_policy policy);

/* myheap_events.c: the operations above, traced and logged; call these */
int myheap_block_alloc(struct myheap_file *mf, u64 size, u64 align,
		       u32 flags, u64 *offset, u64 *usable);
int myheap_block_free(struct myheap_file *mf, u64 offset);
int myheap_block_release(struct myheap_file *mf, u64 offset);
int myheap_block_realloc(struct myheap_file *mf, u64 offset, u64 size,
			 u64 *new_offset, u64 *usable);
int myheap_set_policy(struct myheap_dev *dev, enum mh_policy policy);

/* myheap_debugfs.c */
void myheap_debugfs_init(struct myheap_dev *dev);
void myheap_debugfs_exit(struct myheap_dev *dev);

/* myheap_dev.c */
extern const struct file_operations myheap_fops;

/* myheap_ioctl.c */
long myheap_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* MYHEAP_H */
