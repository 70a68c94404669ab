/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the files behind /sys/kernel/debug/myheap/:
 *   myheap_debugfs.c  the directory; stats, frag, owners, check
 *   myheap_dump.c     blocks, blocks.json, freelist (any number of blocks)
 *   myheap_events.c   the event ring (events), written by myheap_ops.c
 *
 * Every file takes &myheap_dev.lock killably. The dumps take it for at
 * most a page of records at a time (also while seq_file replays them for
 * an lseek or a pread) and drop it in between, so a dump of any size never
 * holds the heap for long; what a hold shows is a consistent snapshot, a
 * whole file is not when the heap changes while it is read. Nothing prints
 * a kernel address: blocks are named by their offset in the region.
 */
#ifndef MYHEAP_DEBUGFS_H
#define MYHEAP_DEBUGFS_H

#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/types.h>

#include "myheap.h"

/**
 * MYHEAP_DEBUGFS_VERSION - format version printed by the blocks, freelist,
 * frag and owners files. A file's minor version grows when it gains a
 * column at the end of a line (old parsers keep working); the major when
 * a column changes meaning.
 */
#define MYHEAP_DEBUGFS_VERSION	"1.0"
/**
 * MYHEAP_EVENTS_VERSION - format version of the events file: 1.1 added
 * the searched column (free blocks the operation examined).
 */
#define MYHEAP_EVENTS_VERSION	"1.1"
/** MYHEAP_EVENTS - entries of the event ring (a power of two). */
#define MYHEAP_EVENTS		1024u

/**
 * enum myheap_event_op - what an event of the ring records.
 * @MYHEAP_EV_ALLOC: an allocation.
 * @MYHEAP_EV_FREE: a free (asked for, or done when its owner closed).
 * @MYHEAP_EV_REALLOC: a reallocation.
 */
enum myheap_event_op {
	MYHEAP_EV_ALLOC,
	MYHEAP_EV_FREE,
	MYHEAP_EV_REALLOC,
};

/**
 * struct myheap_event - one operation in the event ring.
 * @time_ns: when it completed (local_clock(), as printk and ftrace).
 * @owner: owner id of the file that asked.
 * @offset: payload offset: allocated (alloc), freed (free), old (realloc).
 * @new_offset: realloc: payload offset of the block now.
 * @size: bytes: requested (alloc, realloc), freed block's request (free).
 * @pid: thread group id of the file's opener.
 * @result: 0 or the negative errno the operation returned.
 * @searched: free blocks the operation examined (alloc, realloc).
 * @op: enum myheap_event_op.
 */
struct myheap_event {
	u64 time_ns;
	u64 owner;
	u64 offset;
	u64 new_offset;
	u64 size;
	s32 pid;
	s32 result;
	u32 searched;
	u8 op;
};

/**
 * struct myheap_events - the event ring of a device.
 * @recorded: events ever recorded; event n sits in @ring[n % MYHEAP_EVENTS]
 *	until event n + MYHEAP_EVENTS overwrites it.
 * @readers: open events files; operations are recorded only while there
 *	is one.
 * @ring: the last MYHEAP_EVENTS events recorded.
 *
 * Everything is protected by &myheap_dev.lock.
 */
struct myheap_events {
	u64 recorded;
	unsigned int readers;
	struct myheap_event ring[MYHEAP_EVENTS];
};

/* myheap_events.c */
void myheap_event_record(struct myheap_events *ev, struct myheap_file *mf,
			 enum myheap_event_op op, u64 offset, u64 new_offset,
			 u64 size, u32 searched, int result);
int myheap_events_init(struct myheap_dev *dev);
void myheap_events_exit(struct myheap_dev *dev);
extern const struct file_operations myheap_events_fops;

/* myheap_dump.c */
extern const struct file_operations myheap_blocks_fops;
extern const struct file_operations myheap_blocks_json_fops;
extern const struct file_operations myheap_freelist_fops;

#endif /* MYHEAP_DEBUGFS_H */
