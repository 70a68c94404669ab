/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * myheap userspace API: the ioctls, read/write and mmap of /dev/myheap.
 *
 * The module runs a header/free-list heap over one region of kernel memory.
 * A process opens /dev/myheap, maps the whole region MAP_SHARED, and asks
 * for blocks with MYHEAP_IOC_ALLOC; a block is named by its payload offset
 * from the start of the region, so its bytes are at mmap_base + offset.
 * pread()/pwrite() at a payload offset reach the same bytes of the caller's
 * own blocks without the mapping; in private mode (module parameter
 * mmap=0) they are the only way, and the region cannot be mapped at all.
 * Every block belongs to the open file that allocated it: other files cannot
 * free, resize, query, read or write it, and the file's blocks are freed
 * when its last reference goes: at the last close(), or, if the region is
 * still mapped through it, at the last munmap() of that mapping.
 * At most 32767 files can be open on the device at once: the next open()
 * fails with ENFILE.
 */
#ifndef _UAPI_LINUX_MYHEAP_H
#define _UAPI_LINUX_MYHEAP_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: myheap ABI conventions
 *
 * - Every argument is a struct of fixed-width fields with explicit padding;
 *   pointers travel as __u64. Padding and reserved fields must be zero
 *   (-EINVAL otherwise), and so must undefined flag bits (each flags field
 *   has a ``*_VALID`` mask).
 * - Structs grow only at their end. The kernel takes the size of the
 *   caller's struct from the ioctl command (_IOC_SIZE), so a program built
 *   against an older or newer header keeps working: inputs are read as with
 *   copy_struct_from_user() (a shorter struct is zero-extended; a longer one
 *   must have an all-zero tail, else -E2BIG), outputs are written up to the
 *   caller's size (a longer struct gets a zero-filled tail). A struct shorter
 *   than its ``*_SIZE_VER0`` is -EINVAL; one longer than a page is -E2BIG.
 *   ``*_SIZE_VER0`` is the struct's size as first published; each time a
 *   struct grows, the new size is its next ``*_SIZE_VER<n>`` (as in
 *   include/uapi/linux/sched.h).
 * - A command with a wrong type, number or direction is -ENOTTY.
 * - Output fields are written only when the command succeeds; their input
 *   values are ignored.
 * - Errors common to every command: -EFAULT (argument pointer NULL,
 *   unmapped or not writable), -EINVAL (struct shorter than its VER0 size,
 *   nonzero padding or reserved field, unknown flag bit), -E2BIG (struct
 *   longer than the kernel's with a nonzero tail, or longer than a page),
 *   -ENOTTY (unknown command), -EINTR (a fatal signal arrived while the
 *   call waited for the heap). Each command lists its own errors below.
 * - The region's metadata lives in memory every opener can write through
 *   its mapping, so the kernel validates every header it reads: a damaged
 *   heap makes operations fail with -EUCLEAN (nothing is changed), never
 *   crash. When the last file is closed a heap that is not empty (blocks
 *   lost to damage) is reset.
 */

/**
 * MYHEAP_ABI_VERSION - reported by MYHEAP_IOC_GET_INFO. The ABI only grows
 * (structs at their end, commands, flags and feature bits added; nothing
 * changes meaning), so a module of version N serves every program built
 * against a version up to N. Programs test MYHEAP_FEATURE_* bits for
 * what they use and ignore bits they do not know.
 */
#define MYHEAP_ABI_VERSION	1

/** MYHEAP_DEVICE - path of the device node. */
#define MYHEAP_DEVICE		"/dev/myheap"

/* Feature bits reported in myheap_info.features. */
/** MYHEAP_FEATURE_MMAP - the region can be mapped (MAP_SHARED, offset 0). */
#define MYHEAP_FEATURE_MMAP		_BITULL(0)
/** MYHEAP_FEATURE_REALLOC - MYHEAP_IOC_REALLOC is available. */
#define MYHEAP_FEATURE_REALLOC		_BITULL(1)
/** MYHEAP_FEATURE_BATCH - MYHEAP_IOC_BATCH is available. */
#define MYHEAP_FEATURE_BATCH		_BITULL(2)
/** MYHEAP_FEATURE_ZERO - MYHEAP_ALLOC_ZERO is available. */
#define MYHEAP_FEATURE_ZERO		_BITULL(3)
/** MYHEAP_FEATURE_POISON - free payloads are poisoned and checked on reuse. */
#define MYHEAP_FEATURE_POISON		_BITULL(4)
/** MYHEAP_FEATURE_OWNERSHIP - blocks belong to the file that allocated them. */
#define MYHEAP_FEATURE_OWNERSHIP	_BITULL(5)
/** MYHEAP_FEATURE_RW - pread()/pwrite() reach the caller's own blocks. */
#define MYHEAP_FEATURE_RW		_BITULL(6)
/**
 * MYHEAP_FEATURE_PRIVATE - private mode (module parameter mmap=0): the
 * region cannot be mapped (MYHEAP_FEATURE_MMAP is clear, mmap() fails with
 * -ENODEV) and a process reaches only its own blocks' payloads, through
 * pread()/pwrite(): no other process's data and no header.
 */
#define MYHEAP_FEATURE_PRIVATE		_BITULL(7)
/**
 * MYHEAP_FEATURE_KNOBS - the fit policies take a free-list order and
 * coalescing on or off (myheap_policy.list_order, MYHEAP_POLICY_NO_COALESCE),
 * reported in myheap_info.list_order and myheap_info.policy_flags.
 */
#define MYHEAP_FEATURE_KNOBS		_BITULL(8)
/**
 * MYHEAP_FEATURE_STATS_RESET - MYHEAP_IOC_STATS_RESET zeroes the counters
 * of struct myheap_stats.
 */
#define MYHEAP_FEATURE_STATS_RESET	_BITULL(9)
/**
 * MYHEAP_FEATURE_ALLOC_REPORT - MYHEAP_IOC_ALLOC reports what it did in
 * OSTEP's terms: myheap_alloc.searched, .splits, .split_offset and
 * .split_size (a caller with the MYHEAP_ALLOC_SIZE_VER1 struct).
 */
#define MYHEAP_FEATURE_ALLOC_REPORT	_BITULL(10)
/**
 * MYHEAP_FEATURE_FREE_REPORT - MYHEAP_IOC_FREE_REPORT is available: a free
 * that says which neighbours it coalesced with and the free block that
 * resulted (struct myheap_freed).
 */
#define MYHEAP_FEATURE_FREE_REPORT	_BITULL(11)
/**
 * MYHEAP_FEATURE_REALLOC_REPORT - MYHEAP_IOC_REALLOC reports how it resized
 * (a caller with the MYHEAP_REALLOC_SIZE_VER1 struct): myheap_realloc.how
 * and the fields after it.
 */
#define MYHEAP_FEATURE_REALLOC_REPORT	_BITULL(12)

/*
 * Placement policies (myheap_info.policy, myheap_stats.policy,
 * myheap_policy.policy). The names are the module parameter's values.
 */
/** MYHEAP_POLICY_FIRST_FIT - "first": first block that fits, address order. */
#define MYHEAP_POLICY_FIRST_FIT		0
/** MYHEAP_POLICY_NEXT_FIT - "next": first fit resuming at a roving pointer. */
#define MYHEAP_POLICY_NEXT_FIT		1
/** MYHEAP_POLICY_BEST_FIT - "best": smallest block that fits. */
#define MYHEAP_POLICY_BEST_FIT		2
/** MYHEAP_POLICY_WORST_FIT - "worst": largest block. */
#define MYHEAP_POLICY_WORST_FIT		3
/** MYHEAP_POLICY_SEGREGATED - "segregated": TLSF size classes (default). */
#define MYHEAP_POLICY_SEGREGATED	4
/** MYHEAP_POLICY_BUDDY - "buddy": binary buddy system. */
#define MYHEAP_POLICY_BUDDY		5
/** MYHEAP_POLICY_POOLS - "pools": small requests in slots of runs. */
#define MYHEAP_POLICY_POOLS		6
/** MYHEAP_NR_POLICIES - number of policies. */
#define MYHEAP_NR_POLICIES		7

/*
 * Free-list orders of the fit policies (first, next, best, worst):
 * myheap_policy.list_order, myheap_info.list_order. The other policies
 * keep lists of their own and take MYHEAP_ORDER_ADDRSORT only. The names
 * are OSTEP's malloc.py's, in lower case.
 */
/** MYHEAP_ORDER_ADDRSORT - "addrsort": by address (the default). */
#define MYHEAP_ORDER_ADDRSORT		0
/** MYHEAP_ORDER_SIZESORT_UP - "sizesort+": by size, smallest first. */
#define MYHEAP_ORDER_SIZESORT_UP	1
/** MYHEAP_ORDER_SIZESORT_DOWN - "sizesort-": by size, largest first. */
#define MYHEAP_ORDER_SIZESORT_DOWN	2
/** MYHEAP_ORDER_INSERT_FRONT - "insert-front": a freed block goes first. */
#define MYHEAP_ORDER_INSERT_FRONT	3
/** MYHEAP_ORDER_INSERT_BACK - "insert-back": a freed block goes last. */
#define MYHEAP_ORDER_INSERT_BACK	4
/** MYHEAP_NR_ORDERS - number of orders. */
#define MYHEAP_NR_ORDERS		5

/*
 * Kinds of integrity violation reported by MYHEAP_IOC_CHECK
 * (myheap_check.first_kind).
 */
/** MYHEAP_VIOLATION_NONE - no violation. */
#define MYHEAP_VIOLATION_NONE		0
/** MYHEAP_VIOLATION_HEADER - a header fails its magic check. */
#define MYHEAP_VIOLATION_HEADER		1
/** MYHEAP_VIOLATION_SIZE - a block size is misaligned, too small or too big. */
#define MYHEAP_VIOLATION_SIZE		2
/** MYHEAP_VIOLATION_PREV_FREE - a PREV_FREE bit disagrees with its neighbour. */
#define MYHEAP_VIOLATION_PREV_FREE	3
/** MYHEAP_VIOLATION_FOOTER - a free block's boundary tag disagrees. */
#define MYHEAP_VIOLATION_FOOTER		4
/** MYHEAP_VIOLATION_ADJACENT_FREE - two neighbouring free blocks. */
#define MYHEAP_VIOLATION_ADJACENT_FREE	5
/** MYHEAP_VIOLATION_LINK - a free-list link is broken. */
#define MYHEAP_VIOLATION_LINK		6
/** MYHEAP_VIOLATION_CLASS - a free block is on the wrong list. */
#define MYHEAP_VIOLATION_CLASS		7
/** MYHEAP_VIOLATION_LIST_COUNT - free lists and block chain disagree. */
#define MYHEAP_VIOLATION_LIST_COUNT	8
/** MYHEAP_VIOLATION_BITMAP - a class bitmap disagrees with its list. */
#define MYHEAP_VIOLATION_BITMAP		9
/** MYHEAP_VIOLATION_BUDDY - buddy invariants broken. */
#define MYHEAP_VIOLATION_BUDDY		10
/** MYHEAP_VIOLATION_POISON - a free payload was written after free. */
#define MYHEAP_VIOLATION_POISON		11
/** MYHEAP_VIOLATION_ACCOUNTING - totals disagree with the blocks. */
#define MYHEAP_VIOLATION_ACCOUNTING	12
/** MYHEAP_VIOLATION_SLACK - recorded slack larger than the payload. */
#define MYHEAP_VIOLATION_SLACK		13
/** MYHEAP_VIOLATION_RUN - a run's metadata or the run lists are damaged. */
#define MYHEAP_VIOLATION_RUN		14
/** MYHEAP_NR_VIOLATION_KINDS - number of kinds. */
#define MYHEAP_NR_VIOLATION_KINDS	15

/** MYHEAP_HIST_BUCKETS - entries of myheap_stats.free_hist. */
#define MYHEAP_HIST_BUCKETS		32

/** MYHEAP_BATCH_MAX - most operations one MYHEAP_IOC_BATCH may carry. */
#define MYHEAP_BATCH_MAX		4096
/**
 * MYHEAP_MAX_ALIGN - largest alignment any policy grants; the current
 * policy's limit is myheap_info.max_align.
 */
#define MYHEAP_MAX_ALIGN		_BITUL(20)

/**
 * struct myheap_info - what the heap is (MYHEAP_IOC_GET_INFO, output).
 * @abi_version: MYHEAP_ABI_VERSION of the running module.
 * @policy: current placement policy, MYHEAP_POLICY_*.
 * @features: MYHEAP_FEATURE_* bits.
 * @region_size: bytes of the region (the heap's arena).
 * @mmap_size: bytes to pass to mmap() to map the whole region (reported in
 *	private mode too, where mmap() fails: see MYHEAP_FEATURE_PRIVATE).
 * @header_size: bytes of header in front of every payload.
 * @alignment: payload alignment: every offset is a multiple of it.
 * @min_block: smallest block in bytes, header included.
 * @max_align: largest alignment MYHEAP_IOC_ALLOC accepts under @policy,
 *	at most MYHEAP_MAX_ALIGN (the buddy policy honours @alignment only).
 * @batch_max: MYHEAP_BATCH_MAX.
 * @nr_policies: MYHEAP_NR_POLICIES as the module knows it.
 * @hist_buckets: entries of myheap_stats.free_hist the module fills.
 * @__pad: zero.
 * @list_order: MYHEAP_ORDER_* of the free list (MYHEAP_FEATURE_KNOBS).
 * @policy_flags: MYHEAP_POLICY_* flags in force (MYHEAP_POLICY_NO_COALESCE).
 */
struct myheap_info {
	__u32 abi_version;
	__u32 policy;
	__u64 features;
	__u64 region_size;
	__u64 mmap_size;
	__u32 header_size;
	__u32 alignment;
	__u32 min_block;
	__u32 max_align;
	__u32 batch_max;
	__u32 nr_policies;
	__u32 hist_buckets;
	__u32 __pad;
	__u32 list_order;
	__u32 policy_flags;
};

/** MYHEAP_INFO_SIZE_VER0 - sizeof(struct myheap_info) as first published. */
#define MYHEAP_INFO_SIZE_VER0		64
/** MYHEAP_INFO_SIZE_VER1 - with @list_order and @policy_flags. */
#define MYHEAP_INFO_SIZE_VER1		72

/** MYHEAP_ALLOC_ZERO - fill the payload with zeroes (calloc). */
#define MYHEAP_ALLOC_ZERO		_BITUL(0)
/** MYHEAP_ALLOC_VALID - every defined MYHEAP_ALLOC_* flag. */
#define MYHEAP_ALLOC_VALID		(MYHEAP_ALLOC_ZERO)

/**
 * struct myheap_alloc - allocate a block (MYHEAP_IOC_ALLOC).
 * @size: in: bytes wanted, at least 1.
 * @align: in: payload alignment, a power of two up to myheap_info.max_align,
 *	or 0 for the default (myheap_info.alignment).
 * @flags: in: MYHEAP_ALLOC_* flags.
 * @__pad: in: zero.
 * @offset: out: payload offset of the new block in the region.
 * @usable: out: usable payload bytes (at least @size).
 * @searched: out: free blocks this allocation examined (OSTEP's
 *	"searched K elements"; the cumulative myheap_stats.searched grew by
 *	exactly this).
 * @splits: out: free blocks this allocation split (0: it took a whole
 *	block; the fit policies split at most twice, before an aligned
 *	payload and after the block; buddy halves a block once per order).
 * @split_offset: out: with @splits, the payload offset of the free block
 *	the last split left (the rest of the block it carved, the free
 *	list's name for it), else 0.
 * @split_size: out: its bytes, header included, else 0.
 */
struct myheap_alloc {
	__u64 size;
	__u64 align;
	__u32 flags;
	__u32 __pad;
	__u64 offset;
	__u64 usable;
	__u32 searched;
	__u32 splits;
	__u64 split_offset;
	__u64 split_size;
};

/** MYHEAP_ALLOC_SIZE_VER0 - sizeof(struct myheap_alloc) as first published. */
#define MYHEAP_ALLOC_SIZE_VER0		40
/**
 * MYHEAP_ALLOC_SIZE_VER1 - with @searched, @splits, @split_offset and
 * @split_size (MYHEAP_FEATURE_ALLOC_REPORT).
 */
#define MYHEAP_ALLOC_SIZE_VER1		64

/**
 * struct myheap_free - free a block (MYHEAP_IOC_FREE, input).
 * @offset: payload offset returned by MYHEAP_IOC_ALLOC or _REALLOC.
 * @flags: zero (no flags are defined).
 * @__pad: zero.
 */
struct myheap_free {
	__u64 offset;
	__u32 flags;
	__u32 __pad;
};

/** MYHEAP_FREE_SIZE_VER0 - sizeof(struct myheap_free) as first published. */
#define MYHEAP_FREE_SIZE_VER0		16

/* What a free did (myheap_freed.outcome). */
/** MYHEAP_FREED_LEFT - it merged with the free bytes on its left. */
#define MYHEAP_FREED_LEFT		_BITUL(0)
/** MYHEAP_FREED_RIGHT - it merged with the free bytes on its right. */
#define MYHEAP_FREED_RIGHT		_BITUL(1)
/** MYHEAP_FREED_SLOT - the offset was a slot of a run (pools). */
#define MYHEAP_FREED_SLOT		_BITUL(2)
/**
 * MYHEAP_FREED_RUN - that slot was the run's last: the run went back to
 * the heap as a free block (and coalesced as any block does).
 */
#define MYHEAP_FREED_RUN		_BITUL(3)

/**
 * struct myheap_freed - what one free did to the heap, in OSTEP's terms
 *	(output of MYHEAP_IOC_FREE_REPORT; in struct myheap_realloc, what
 *	giving back the old block or the tail did).
 *
 * Offsets are payload offsets (a block's name everywhere in the ABI), 0
 * for none; sizes are bytes with the header. All of it comes from the
 * free's own plan: what it validated and carried out.
 * @outcome: MYHEAP_FREED_* bits.
 * @merges: blocks merged into the freed one: its free neighbours (0 to
 *	2; always 0 with MYHEAP_POLICY_NO_COALESCE), under buddy the buddies
 *	merged, one per order the block climbed.
 * @freed_size: bytes of the block freed, or of the slot (pools).
 * @block_offset: the free block that resulted (0 when a slot was freed
 *	inside a run that stays in use: the slot stays the run's).
 * @block_size: its bytes: @left_size + the bytes freed + @right_size.
 * @left_offset: with MYHEAP_FREED_LEFT, where the free bytes merged on the
 *	left start: the free left neighbour (buddy: the lowest buddy merged,
 *	= @block_offset); else 0.
 * @left_size: their bytes (buddy: every buddy merged below, together).
 * @right_offset: with MYHEAP_FREED_RIGHT, where those merged on the right
 *	start: the free right neighbour (buddy: the first buddy above, right
 *	after the block freed); else 0.
 * @right_size: their bytes (buddy: every buddy merged above, together).
 * @run_offset: with MYHEAP_FREED_SLOT, the run the slot was in; else 0.
 *	With MYHEAP_FREED_RUN the run itself was freed, and @block_offset,
 *	@left_* and @right_* describe that free (of @run_size bytes).
 * @run_size: its bytes, else 0.
 */
struct myheap_freed {
	__u32 outcome;
	__u32 merges;
	__u64 freed_size;
	__u64 block_offset;
	__u64 block_size;
	__u64 left_offset;
	__u64 left_size;
	__u64 right_offset;
	__u64 right_size;
	__u64 run_offset;
	__u64 run_size;
};

/**
 * struct myheap_free_report - free a block and say what the free did
 *	(MYHEAP_IOC_FREE_REPORT).
 * @offset: in: payload offset returned by MYHEAP_IOC_ALLOC or _REALLOC.
 * @flags: in: zero (no flags are defined).
 * @__pad: in: zero.
 * @freed: out: what the free did.
 */
struct myheap_free_report {
	__u64 offset;
	__u32 flags;
	__u32 __pad;
	struct myheap_freed freed;
};

/** MYHEAP_FREE_REPORT_SIZE_VER0 - sizeof(struct myheap_free_report), first. */
#define MYHEAP_FREE_REPORT_SIZE_VER0	96

/**
 * struct myheap_realloc - resize a block (MYHEAP_IOC_REALLOC).
 * @offset: in: payload offset of a block of this file.
 * @size: in: new size in bytes, at least 1.
 * @flags: in: zero (no flags are defined).
 * @__pad: in: zero.
 * @new_offset: out: payload offset of the block now (may equal @offset);
 *	the first min(old, new) bytes are preserved.
 * @usable: out: usable payload bytes of the block now.
 * @how: out: MYHEAP_REALLOC_* bits: how it resized (0: in place within
 *	its block, only the slack changed).
 * @searched: out: free blocks the allocation of a move examined, as
 *	myheap_alloc.searched (0 in place).
 * @splits: out: free blocks split (a move's allocation, a growth's
 *	remainder, a shrink's tail, buddy's halves), as myheap_alloc.splits.
 * @__pad2: out: zero.
 * @split_offset: out: with @splits, the payload offset of the free block
 *	the last split left (before it merged with anything), else 0.
 * @split_size: out: its bytes, header included, else 0.
 * @left_offset: out: with MYHEAP_REALLOC_SLID, the free left neighbour
 *	the block slid into, else 0.
 * @left_size: out: its bytes, else 0.
 * @right_offset: out: with MYHEAP_REALLOC_GREW, the free right neighbour
 *	it grew into (also a slide's, when it took that too), else 0.
 * @right_size: out: its bytes, else 0.
 * @freed: out: with MYHEAP_REALLOC_MOVED, the free of the old block; with
 *	MYHEAP_REALLOC_SHRANK under every policy but buddy, the free of the
 *	tail it gave back (which may merge with a free right neighbour); else
 *	zero (buddy gives back halves: see @splits).
 */
struct myheap_realloc {
	__u64 offset;
	__u64 size;
	__u32 flags;
	__u32 __pad;
	__u64 new_offset;
	__u64 usable;
	__u32 how;
	__u32 searched;
	__u32 splits;
	__u32 __pad2;
	__u64 split_offset;
	__u64 split_size;
	__u64 left_offset;
	__u64 left_size;
	__u64 right_offset;
	__u64 right_size;
	struct myheap_freed freed;
};

/** MYHEAP_REALLOC_SIZE_VER0 - sizeof(struct myheap_realloc) as first published. */
#define MYHEAP_REALLOC_SIZE_VER0	40
/**
 * MYHEAP_REALLOC_SIZE_VER1 - with @how and the report after it
 * (MYHEAP_FEATURE_REALLOC_REPORT).
 */
#define MYHEAP_REALLOC_SIZE_VER1	184

/* How a realloc resized (myheap_realloc.how). */
/** MYHEAP_REALLOC_MOVED - to a new block; @freed is the old block's free. */
#define MYHEAP_REALLOC_MOVED		_BITUL(0)
/** MYHEAP_REALLOC_GREW - in place, into its free right neighbour. */
#define MYHEAP_REALLOC_GREW		_BITUL(1)
/** MYHEAP_REALLOC_SHRANK - in place, giving back its tail. */
#define MYHEAP_REALLOC_SHRANK		_BITUL(2)
/**
 * MYHEAP_REALLOC_SLID - pools: it slid down into its free left neighbour
 * (the payload moved; no new block was allocated).
 */
#define MYHEAP_REALLOC_SLID		_BITUL(3)

/**
 * struct myheap_usable_size - query a block (MYHEAP_IOC_USABLE_SIZE).
 * @offset: in: payload offset of a block of this file.
 * @flags: in: zero (no flags are defined).
 * @__pad: in: zero.
 * @usable: out: usable payload bytes (malloc_usable_size()).
 * @requested: out: bytes requested when the block was allocated or resized.
 */
struct myheap_usable_size {
	__u64 offset;
	__u32 flags;
	__u32 __pad;
	__u64 usable;
	__u64 requested;
};

/** MYHEAP_USABLE_SIZE_SIZE_VER0 - sizeof(struct myheap_usable_size), first. */
#define MYHEAP_USABLE_SIZE_SIZE_VER0	32

/**
 * struct myheap_stats - a snapshot of the heap (MYHEAP_IOC_STATS, output).
 *
 * Byte counts include headers unless they say payload.
 * @policy: current placement policy, MYHEAP_POLICY_*.
 * @hist_buckets: entries of @free_hist the module fills.
 * @region_size: bytes of the region.
 * @heap_size: bytes covered by blocks.
 * @header_size: bytes of header per block.
 * @requested_bytes: payload bytes requested by the blocks in use.
 * @granted_bytes: payload bytes granted to the blocks in use.
 * @used_bytes: bytes of the blocks in use.
 * @free_bytes: bytes of the free blocks.
 * @overhead_bytes: metadata: every header, the start pad and the tail.
 * @used_blocks: blocks in use.
 * @free_blocks: free blocks.
 * @largest_free: bytes of the largest free block.
 * @largest_alloc: largest request that would succeed now (default align).
 * @internal_frag: @granted_bytes - @requested_bytes.
 * @external_frag_ppm: 1 - @largest_free / @free_bytes, parts per million.
 * @peak_requested: highest @requested_bytes ever.
 * @high_water: highest offset ever covered by a block in use.
 * @free_hist: free blocks by size: [k] counts sizes in [2^k, 2^(k+1)).
 * @allocs: successful allocations.
 * @frees: successful frees.
 * @reallocs: successful reallocations.
 * @failed_allocs: failed allocations.
 * @failed_frees: failed frees.
 * @failed_reallocs: failed reallocations.
 * @splits: blocks split.
 * @coalesces: merges of two free blocks.
 * @searched: free blocks examined by all allocations.
 * @searched_max: most free blocks examined by one allocation.
 * @corruptions: operations the core refused because metadata was damaged.
 * @poison_errors: free payloads found modified when reused.
 * @damage_events: operations the module saw fail with -EUCLEAN.
 * @open_files: files open on the device now.
 * @owner_bytes: kernel memory that records which file owns which block
 *	(a fixed table of region_size / 16 bytes, allocated at load): divide
 *	by @used_blocks for the cost per live block.
 */
struct myheap_stats {
	__u32 policy;
	__u32 hist_buckets;
	__u64 region_size;
	__u64 heap_size;
	__u64 header_size;
	__u64 requested_bytes;
	__u64 granted_bytes;
	__u64 used_bytes;
	__u64 free_bytes;
	__u64 overhead_bytes;
	__u64 used_blocks;
	__u64 free_blocks;
	__u64 largest_free;
	__u64 largest_alloc;
	__u64 internal_frag;
	__u64 external_frag_ppm;
	__u64 peak_requested;
	__u64 high_water;
	__u64 free_hist[MYHEAP_HIST_BUCKETS];
	__u64 allocs;
	__u64 frees;
	__u64 reallocs;
	__u64 failed_allocs;
	__u64 failed_frees;
	__u64 failed_reallocs;
	__u64 splits;
	__u64 coalesces;
	__u64 searched;
	__u64 searched_max;
	__u64 corruptions;
	__u64 poison_errors;
	__u64 damage_events;
	__u64 open_files;
	__u64 owner_bytes;
};

/** MYHEAP_STATS_SIZE_VER0 - sizeof(struct myheap_stats) as first published. */
#define MYHEAP_STATS_SIZE_VER0		504
/** MYHEAP_STATS_SIZE_VER1 - with @owner_bytes. */
#define MYHEAP_STATS_SIZE_VER1		512

/**
 * struct myheap_check - run the integrity checker (MYHEAP_IOC_CHECK).
 * @flags: in: zero (no flags are defined).
 * @violations: out: number of violations found, 0 when the heap is sound.
 * @first_kind: out: MYHEAP_VIOLATION_* of the first one found.
 * @__pad: zero.
 * @first_offset: out: region offset (block or link) where it was found.
 */
struct myheap_check {
	__u32 flags;
	__u32 violations;
	__u32 first_kind;
	__u32 __pad;
	__u64 first_offset;
};

/** MYHEAP_CHECK_SIZE_VER0 - sizeof(struct myheap_check) as first published. */
#define MYHEAP_CHECK_SIZE_VER0		24

/**
 * MYHEAP_POLICY_NO_COALESCE - a fit policy's freed blocks do not merge with
 * their free neighbours (OSTEP's coalescing knob, off).
 */
#define MYHEAP_POLICY_NO_COALESCE	_BITUL(0)
/** MYHEAP_POLICY_VALID - the myheap_policy.flags bits defined. */
#define MYHEAP_POLICY_VALID		MYHEAP_POLICY_NO_COALESCE

/**
 * struct myheap_policy - change the placement policy (MYHEAP_IOC_SET_POLICY).
 * @policy: MYHEAP_POLICY_*.
 * @flags: MYHEAP_POLICY_* flags (fit policies only).
 * @list_order: MYHEAP_ORDER_* of the free list (fit policies only; a
 *	caller with the 8-byte struct gets MYHEAP_ORDER_ADDRSORT).
 * @__pad: zero.
 */
struct myheap_policy {
	__u32 policy;
	__u32 flags;
	__u32 list_order;
	__u32 __pad;
};

/** MYHEAP_POLICY_SIZE_VER0 - sizeof(struct myheap_policy) as first published. */
#define MYHEAP_POLICY_SIZE_VER0		8
/** MYHEAP_POLICY_SIZE_VER1 - with @list_order. */
#define MYHEAP_POLICY_SIZE_VER1		16

/** MYHEAP_STATS_RESET_VALID - the myheap_stats_reset.flags bits defined. */
#define MYHEAP_STATS_RESET_VALID	0

/**
 * struct myheap_stats_reset - zero the statistics' counters
 *	(MYHEAP_IOC_STATS_RESET, input).
 * @flags: zero (no flags are defined: MYHEAP_STATS_RESET_VALID).
 * @__pad: zero.
 */
struct myheap_stats_reset {
	__u32 flags;
	__u32 __pad;
};

/** MYHEAP_STATS_RESET_SIZE_VER0 - sizeof(struct myheap_stats_reset), first. */
#define MYHEAP_STATS_RESET_SIZE_VER0	8

/** MYHEAP_BATCH_OP_ALLOC - allocate, as MYHEAP_IOC_ALLOC. */
#define MYHEAP_BATCH_OP_ALLOC		1
/** MYHEAP_BATCH_OP_FREE - free, as MYHEAP_IOC_FREE. */
#define MYHEAP_BATCH_OP_FREE		2

/**
 * struct myheap_batch_op - one operation of a batch.
 * @op: in: MYHEAP_BATCH_OP_*.
 * @flags: in: MYHEAP_ALLOC_* for an allocation, zero for a free.
 * @size: in: bytes wanted (allocation); zero for a free.
 * @align: in: alignment or 0 (allocation); zero for a free.
 * @offset: in: payload offset to free; out: payload offset allocated.
 * @result: out: 0 or the negative errno the single command would return.
 * @__pad: in: zero.
 */
struct myheap_batch_op {
	__u32 op;
	__u32 flags;
	__u64 size;
	__u64 align;
	__u64 offset;
	__s32 result;
	__u32 __pad;
};

/** MYHEAP_BATCH_OP_SIZE_VER0 - sizeof(struct myheap_batch_op), first published. */
#define MYHEAP_BATCH_OP_SIZE_VER0	40

/** MYHEAP_BATCH_STOP - stop at the first operation that fails. */
#define MYHEAP_BATCH_STOP		_BITUL(0)
/** MYHEAP_BATCH_VALID - every defined MYHEAP_BATCH_* flag. */
#define MYHEAP_BATCH_VALID		(MYHEAP_BATCH_STOP)

/**
 * struct myheap_batch - run many operations at once (MYHEAP_IOC_BATCH).
 * @ops: in: user pointer to an array of @count operations, each @op_size
 *	bytes (each read as with copy_struct_from_user()).
 * @count: in: number of operations, 0 to MYHEAP_BATCH_MAX.
 * @flags: in: MYHEAP_BATCH_* flags.
 * @op_size: in: sizeof(struct myheap_batch_op) as the caller knows it,
 *	at least MYHEAP_BATCH_OP_SIZE_VER0 and at most a page.
 * @done: out: operations executed (all of them unless MYHEAP_BATCH_STOP
 *	stopped early: then the last one executed is the one that failed).
 * @failed: out: operations executed whose result is an error.
 * @__pad: zero.
 */
struct myheap_batch {
	__u64 ops;
	__u32 count;
	__u32 flags;
	__u32 op_size;
	__u32 done;
	__u32 failed;
	__u32 __pad;
};

/** MYHEAP_BATCH_SIZE_VER0 - sizeof(struct myheap_batch) as first published. */
#define MYHEAP_BATCH_SIZE_VER0		32

/** MYHEAP_IOC_MAGIC - ioctl type of /dev/myheap (free in ioctl-number.rst). */
#define MYHEAP_IOC_MAGIC		0xB9

/**
 * DOC: MYHEAP_IOC_GET_INFO - describe the heap
 *
 * Fills struct myheap_info: ABI version, feature bits, region and mmap size,
 * header size, alignment, minimum block, policy. Never fails except for the
 * common errors (-EFAULT, -EINVAL for a struct shorter than
 * MYHEAP_INFO_SIZE_VER0, -E2BIG for one longer than a page).
 */
#define MYHEAP_IOC_GET_INFO	_IOR(MYHEAP_IOC_MAGIC, 0x00, struct myheap_info)

/**
 * DOC: MYHEAP_IOC_ALLOC - allocate a block
 *
 * Allocates myheap_alloc.size bytes aligned to myheap_alloc.align and
 * returns the payload offset; the block belongs to the calling open file.
 * The payload holds garbage (or the poison pattern) unless MYHEAP_ALLOC_ZERO.
 *
 * Errors: -EFAULT bad argument pointer; -EINVAL size 0, unknown flag,
 * nonzero padding; -E2BIG size larger than the heap could ever hold;
 * -EDOM alignment not a power of two, above myheap_info.max_align, or
 * more than the current policy can honour (the buddy policy aligns
 * payloads to myheap_info.alignment only);
 * -ENOMEM no free block large enough now; -EUCLEAN heap metadata damaged.
 * If the result cannot be written back (-EFAULT), the block is freed again
 * before any other call can see it.
 */
#define MYHEAP_IOC_ALLOC	_IOWR(MYHEAP_IOC_MAGIC, 0x01, struct myheap_alloc)

/**
 * DOC: MYHEAP_IOC_FREE - free a block
 *
 * Frees the block at myheap_free.offset, which must belong to the calling
 * open file. Neighbouring free blocks coalesce.
 *
 * Errors: -EFAULT; -EINVAL nonzero flags or padding; -EPERM the block is in
 * use but belongs to another open file; -EALREADY the block is already free
 * (double free); -EBADMSG the header at that offset fails its magic check
 * (overwritten through the mapping, or the offset points inside a
 * block's payload); -ENXIO the offset cannot be a block of this heap
 * (outside the region, misaligned); -EUCLEAN heap metadata damaged.
 */
#define MYHEAP_IOC_FREE		_IOW(MYHEAP_IOC_MAGIC, 0x02, struct myheap_free)

/**
 * DOC: MYHEAP_IOC_REALLOC - resize a block
 *
 * Resizes the block at myheap_realloc.offset (of the calling file) in place
 * when it can, else moves it: the first min(old, new) bytes are kept. On
 * failure the old block is untouched. There is no realloc(NULL) or
 * realloc(p, 0) shortcut: use ALLOC and FREE. If the result cannot be
 * written back (-EFAULT after the resize) the block stays owned by the file
 * and is freed when it is closed.
 *
 * A caller with the MYHEAP_REALLOC_SIZE_VER1 struct also learns how it
 * resized: in place or moved, grown into the right neighbour or shrunk
 * with a split, and for a move what the old block's free coalesced with
 * (MYHEAP_FEATURE_REALLOC_REPORT); an older caller gets what it always
 * did.
 *
 * Errors: those of MYHEAP_IOC_FREE for the offset, -EINVAL size 0,
 * -E2BIG size larger than the heap could ever hold, -ENOMEM no room.
 */
#define MYHEAP_IOC_REALLOC	_IOWR(MYHEAP_IOC_MAGIC, 0x03, struct myheap_realloc)

/**
 * DOC: MYHEAP_IOC_USABLE_SIZE - usable and requested size of a block
 *
 * Errors: -EFAULT; -EINVAL nonzero flags or padding; -EPERM, -EALREADY,
 * -EBADMSG, -ENXIO, -EUCLEAN as for MYHEAP_IOC_FREE.
 */
#define MYHEAP_IOC_USABLE_SIZE	_IOWR(MYHEAP_IOC_MAGIC, 0x04, struct myheap_usable_size)

/**
 * DOC: MYHEAP_IOC_STATS - statistics of the whole heap
 *
 * Fills struct myheap_stats (all openers' blocks). It allocates nothing, so
 * it cannot fail for lack of memory. The walk behind the free block
 * figures lets other openers in about every millisecond; if they change
 * the heap meanwhile it starts again (at most four times, then it finishes
 * in one go), so the figures always describe one state of the heap.
 * Errors: the common ones.
 */
#define MYHEAP_IOC_STATS	_IOR(MYHEAP_IOC_MAGIC, 0x05, struct myheap_stats)

/**
 * DOC: MYHEAP_IOC_CHECK - run the integrity checker
 *
 * Walks every block and free list and reports the number of violations and
 * the first one. A damaged heap is a successful check with violations > 0.
 * Like MYHEAP_IOC_STATS, the walk lets other openers in about every
 * millisecond and starts again if they changed the heap (at most four
 * times, then it finishes in one go): the answer is about one state.
 *
 * Errors: -EFAULT; -EINVAL nonzero flags or padding.
 */
#define MYHEAP_IOC_CHECK	_IOWR(MYHEAP_IOC_MAGIC, 0x06, struct myheap_check)

/**
 * DOC: MYHEAP_IOC_SET_POLICY - change the placement policy
 *
 * Needs CAP_SYS_ADMIN and an empty heap (no block in use by anyone). Sets
 * the policy and its knobs together: a fit policy takes a list order and
 * MYHEAP_POLICY_NO_COALESCE (MYHEAP_FEATURE_KNOBS); what is not given is
 * the default (address order, coalescing), whatever was set before.
 *
 * Errors: -EFAULT; -EPERM caller lacks CAP_SYS_ADMIN; -EINVAL unknown
 * policy, unknown flag or order, nonzero padding; -EOPNOTSUPP a list
 * order or NO_COALESCE for a policy without knobs (segregated, buddy,
 * pools); -EBUSY blocks are in use, or an allocation is under way (its
 * search paused to let others in).
 */
#define MYHEAP_IOC_SET_POLICY	_IOW(MYHEAP_IOC_MAGIC, 0x07, struct myheap_policy)

/**
 * DOC: MYHEAP_IOC_BATCH - many allocations and frees in one call
 *
 * Runs myheap_batch.count operations in order, each with the result the
 * single command would have returned, holding the heap lock about a
 * millisecond at a time (a longer batch lets other callers in between
 * holds, so ops of other files may interleave with it there). The ioctl
 * itself succeeds when the batch ran, whatever the results. The ops and
 * the header must be writable when the call starts (else -EFAULT and
 * nothing is run); if they stop being writable while it runs, the blocks
 * the batch allocated are freed again (those of earlier holds only if no
 * other thread of the file allocated or freed in between; otherwise they
 * stay the file's until it is closed), its frees stay done, and the ioctl
 * fails with -EFAULT. A page that was only briefly absent (reclaimed or
 * migrated by the kernel) is faulted in again and the results delivered.
 *
 * Errors: -EFAULT bad argument or @ops pointer; -EINVAL unknown flag,
 * nonzero padding, op_size below MYHEAP_BATCH_OP_SIZE_VER0, an operation
 * with an unknown op or nonzero padding (nothing is run); -E2BIG count
 * above MYHEAP_BATCH_MAX, op_size above a page, an operation with a
 * nonzero tail beyond the kernel's struct; -ENOMEM no kernel memory for
 * the copy of the operations.
 */
#define MYHEAP_IOC_BATCH	_IOWR(MYHEAP_IOC_MAGIC, 0x08, struct myheap_batch)

/**
 * DOC: MYHEAP_IOC_STATS_RESET - zero the counters of the statistics
 *
 * Zeroes what struct myheap_stats counts over the heap's life: @allocs,
 * @frees, @reallocs, their failures, @splits, @coalesces, @searched,
 * @searched_max, @corruptions, @poison_errors and @damage_events, so an
 * experiment can count from zero. What describes the heap as it is (its
 * blocks, byte totals, free histogram, open files) and the peaks
 * (@peak_requested, @high_water) are unchanged, and so is the heap.
 * Needs CAP_SYS_ADMIN: the counters are every opener's
 * (MYHEAP_FEATURE_STATS_RESET).
 *
 * Errors: -EFAULT; -EPERM caller lacks CAP_SYS_ADMIN; -EINVAL nonzero
 * flags or padding.
 */
#define MYHEAP_IOC_STATS_RESET	_IOW(MYHEAP_IOC_MAGIC, 0x09, struct myheap_stats_reset)

/**
 * DOC: MYHEAP_IOC_FREE_REPORT - free a block and say what the free did
 *
 * Frees the block at myheap_free_report.offset as MYHEAP_IOC_FREE does,
 * and fills myheap_free_report.freed: which neighbours it coalesced with,
 * the free block that resulted, and under pools the slot's run and
 * whether the run went back to the heap (MYHEAP_FEATURE_FREE_REPORT).
 * The argument must be writable: that is tried before anything is freed
 * (-EFAULT, nothing freed); if another thread unmaps it while the free
 * runs, the free is done and only the report is lost (-EFAULT).
 *
 * Errors: exactly those of MYHEAP_IOC_FREE, in the same cases; on error
 * nothing is freed.
 */
#define MYHEAP_IOC_FREE_REPORT	_IOWR(MYHEAP_IOC_MAGIC, 0x0A, struct myheap_free_report)

/**
 * DOC: mmap of /dev/myheap
 *
 * mmap(NULL, myheap_info.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
 * 0) maps the whole region; a shorter length maps its start. Errors:
 * -ENODEV private mode (MYHEAP_FEATURE_PRIVATE: the region is never
 * mapped); -EINVAL offset not 0, length beyond the region, or a private
 * mapping (MAP_PRIVATE: a copy-on-write view of a shared heap is refused);
 * -EPERM PROT_EXEC; -EACCES PROT_WRITE on a file opened read-only.
 *
 * The mapping can never become executable: a later mprotect() adding
 * PROT_EXEC fails with -EACCES (the kernel's answer for a mapping without
 * VM_MAYEXEC).
 *
 * Lifetime: a mapping holds the open file, and the file holds the module.
 * After close(fd) the mapping stays valid; the file's blocks stay allocated
 * and the module cannot be unloaded until the last munmap(), when the
 * blocks are freed as at a close.
 */

/**
 * DOC: read and write of /dev/myheap
 *
 * pread(fd, buf, len, pos) and pwrite(fd, buf, len, pos) copy the bytes of
 * one block of the calling open file (MYHEAP_FEATURE_RW), in both modes;
 * read()/write() do the same at the file position, and lseek() moves it
 * within [0, myheap_info.region_size]. @pos is a payload offset (from
 * MYHEAP_IOC_ALLOC or _REALLOC) or a byte inside that payload (payload
 * offset + k); the whole range [pos, pos + len) must lie within the
 * block's usable size. A transfer reaches nothing else: no other file's
 * block, no free block, no header. The block for an inner @pos is found
 * in the kernel's own record of where blocks start (a bitmap scan back to
 * the block's start); @pos at the payload offset is one lookup.
 *
 * Returns the bytes moved: all of @len, or fewer only if the block was
 * freed or moved by another thread of the same file during the call or
 * @buf faulted after the first page. A @len of 0 returns 0 and checks
 * nothing. Errors (nothing moved):
 *
 * - -EINVAL the range leaves the block (@pos + @len beyond its usable
 *   size), or a negative @pos;
 * - -ENXIO @pos is no payload byte: at or past the region's end, in a
 *   header, before the first block or in the heap's tail;
 * - -EPERM the block there is in use by another open file;
 * - -EALREADY the block there is free;
 * - -EBADMSG the header of the block there fails its magic check;
 * - -EUCLEAN heap metadata damaged;
 * - -EFAULT @buf not readable (pwrite) or writable (pread);
 * - -EBADF write on a file opened read-only, or read on one opened
 *   write-only;
 * - -EINTR a fatal signal arrived while waiting for the heap lock;
 * - -ENOMEM no kernel memory for the bounce buffer.
 */

#endif /* _UAPI_LINUX_MYHEAP_H */
