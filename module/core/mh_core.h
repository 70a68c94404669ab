/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mh_core.h - the myheap allocator core: a header/free-list heap over a
 * caller-supplied region, with first, next, best and worst fit, segregated
 * fit (TLSF-style, the default), the buddy system and pools (small
 * requests in headerless slots of runs, mh_pool.h).
 *
 * Concurrency contract: the core takes no locks and allocates nothing. The
 * caller serialises every call on one heap; read-only calls (check, walk,
 * stats, usable_size, probe) may run concurrently with each other only.
 *
 * Trust contract: the control structure (struct mh_heap) is trusted; it is
 * meant to live in memory the caller owns (kernel memory for the module).
 * The region is not: the module maps it into userspace, and another thread
 * may rewrite any byte of it at any moment, also in the middle of a call.
 * So within a call every region word the core depends on is read once and
 * validated into a plan that the writes follow (mh_block.h states the
 * rule); a value read from the region reaches the control structure only
 * after it was validated as a value that structure may hold, whatever the
 * region holds afterwards (mh_check_control() checks this without reading
 * the region); every loop over region data has a bound the region cannot
 * move: a list walk stops after the heap's block count (a longer list is
 * a loop: -EUCLEAN), a walk along the blocks moves forward at every step
 * (by a size of at least MH_MIN_BLOCK, or to the next bit of the start
 * bitmap) until the heap's end, a buddy merge stops after MH_BUDDY_ORDERS,
 * a byte check ends with its range; a size is believed only when its end
 * lands on a header that agrees with it and the start bitmap agrees; the
 * core writes only into blocks it validated as free or as the block the
 * caller named, and damage is returned as -EUCLEAN instead of being
 * followed. An operation that fails changes nothing in
 * the heap (the event counters aside).
 *
 * Where blocks start, the core does not learn from the region: it keeps a
 * block-start bitmap in caller memory (trusted, like struct mh_heap), one
 * bit per 16-byte granule (bit i: a block header at offset 16 * i + 8),
 * set whenever the core creates a block and cleared whenever a header
 * stops being one. A header is read only where a bit says a block starts,
 * and its size is believed only if the bitmap agrees: no block starts
 * inside it and the next one starts (or the heap ends) exactly at its end.
 * So a header forged with a valid check (ten bits fall to trial) to
 * swallow its neighbours is refused with -EUCLEAN before anything is
 * written, and a header forged where no block starts is no block
 * (-EBADMSG). The caller (the module's ownership records) remains the
 * defence against a process freeing a whole block another one owns.
 *
 * Block layout (all offsets are from the region start):
 *
 *   | 8 pad | hdr | payload ...      | hdr | payload ...     | ... | tail |
 *
 *   - every block starts with an 8-byte header; payloads are 16-byte aligned,
 *     so headers sit at offsets of 8 mod 16 and block sizes are multiples
 *     of 16 (minimum MH_MIN_BLOCK);
 *   - a free block keeps its list links (next, prev: u32 offsets) at the
 *     start of its payload and a boundary tag (its size, u32) in its last
 *     4 bytes, so a free merges with both neighbours in O(1); the header's
 *     PREV_FREE bit says whether the previous block's tag is valid;
 *   - the header word: size in 16-byte units (24 bits), USED, PREV_FREE,
 *     slack = granted payload - requested bytes (28 bits, so the requested
 *     size is recoverable) and a 10-bit check: a hash of the other fields,
 *     the block's own offset and a per-heap salt drawn at random at every
 *     reset, so a scribbled, stale or copied header is rejected. Ten bits
 *     fall to trial, so a header that passes is a claim, not a proof: the
 *     core still range-checks everything it derives from one.
 *
 * Every function returning int returns 0 (or a count) on success and a
 * negative errno on failure:
 *   -EINVAL   size 0, unknown flags or policy
 *   -E2BIG    size larger than the heap could ever hold
 *   -EDOM     alignment not a power of two or larger than the policy's
 *             limit, mh_max_align() (MH_MAX_ALIGN; MH_ALIGN under the
 *             buddy policy: its payloads sit 16 bytes past a power-of-two
 *             boundary)
 *   -ENOMEM   no free block large enough
 *   -ENXIO    offset is not a block of this heap (outside, misaligned)
 *   -EBADMSG  no block starts at offset (the start bitmap says so: inside
 *             a payload, or a block merged away), or the header there
 *             fails its magic check (or passes it by chance but describes
 *             an impossible block)
 *   -EALREADY block at offset is already free (double free)
 *   -EUCLEAN  heap metadata damaged; nothing was changed. Also for a block
 *             whose header passes its check but disagrees with the heap
 *             around it: its end is not the heap's end or a valid header
 *             whose PREV_FREE bit agrees, its size disagrees with the
 *             start bitmap (a block starts inside it, or none at its end),
 *             or (buddy) it is no power of two aligned to its size;
 *             counted in mh_counters.corruptions
 *   -EBUSY    policy or knob change on a heap that is not empty
 */
#ifndef MH_CORE_H
#define MH_CORE_H

#include "mh_port.h"

/** Payload alignment; also the unit of block sizes. */
#define MH_ALIGN		16u
/** Bytes of header in front of every payload. */
#define MH_HDR_SIZE		8u
/** Smallest block: header, two list links, boundary tag, padded to 16. */
#define MH_MIN_BLOCK		32u
/** Largest region the 24-bit size field (16-byte units) can describe. */
#define MH_MAX_REGION		(256u << 20)
/*
 * Longs of the start bitmap's third summary level (in struct mh_heap):
 * one bit per word of the second, for the largest region. One long on a
 * 64-bit build, 16 on a 32-bit one.
 */
#define MH_L3_BITS_PER_LONG	(8 * sizeof(unsigned long))
#define MH_STARTS_L3_LONGS \
	((MH_MAX_REGION / MH_ALIGN + MH_L3_BITS_PER_LONG * MH_L3_BITS_PER_LONG * \
	  MH_L3_BITS_PER_LONG * MH_L3_BITS_PER_LONG - 1) / \
	 (MH_L3_BITS_PER_LONG * MH_L3_BITS_PER_LONG * MH_L3_BITS_PER_LONG * \
	  MH_L3_BITS_PER_LONG))
/** Smallest region accepted by mh_init(). */
#define MH_MIN_REGION		4096u
/** Largest alignment mh_alloc() accepts. */
#define MH_MAX_ALIGN		BIT(20)
/** Byte written over free payloads when poisoning is on (as POISON_FREE). */
#define MH_POISON		0x6b

/* Segregated fit: TLSF two-level classes. */
#define MH_SL_LOG2		4	/* 16 second-level classes per power of two */
#define MH_SL_COUNT		BIT(MH_SL_LOG2)
#define MH_FL_SHIFT		(MH_SL_LOG2 + 4)	/* sizes < 256 are linear */
#define MH_FL_COUNT		(28 - MH_FL_SHIFT + 1)	/* up to 2^28 */
/* Buddy: orders of MH_MIN_BLOCK << order, up to the largest region. */
#define MH_BUDDY_ORDERS		24
#define MH_NR_LISTS		(MH_FL_COUNT * MH_SL_COUNT)
/** Buckets of the free-block histogram: bucket k counts sizes in [2^k, 2^(k+1)). */
#define MH_HIST_BUCKETS		32
/* Pools: slot classes of 16, 32, ... 128 bytes (mh_pool.c). */
#define MH_POOL_CLASSES		8

/**
 * enum mh_policy - placement policy of a heap.
 * @MH_FIRST_FIT: first block that fits in an address-ordered free list.
 * @MH_NEXT_FIT: first fit resuming where the last search stopped (rover).
 * @MH_BEST_FIT: smallest block that fits, whole address-ordered list.
 * @MH_WORST_FIT: largest block, whole address-ordered list.
 * @MH_SEGREGATED: TLSF-style size classes with bitmaps, O(1) good fit.
 * @MH_BUDDY: binary buddy system, power-of-two blocks.
 * @MH_POOLS: small requests in slots of runs (mh_pool.c), the rest as
 *	@MH_SEGREGATED.
 * @MH_NR_POLICIES: number of policies.
 */
enum mh_policy {
	MH_FIRST_FIT,
	MH_NEXT_FIT,
	MH_BEST_FIT,
	MH_WORST_FIT,
	MH_SEGREGATED,
	MH_BUDDY,
	MH_POOLS,
	MH_NR_POLICIES,
};

/**
 * enum mh_list_order - where the fit policies (first, next, best, worst)
 * put a block on their one free list: the list-order knob of OSTEP's
 * malloc.py, which mh_set_knobs() sets.
 * @MH_ORDER_ADDR: by address (the default; malloc.py's ADDRSORT).
 * @MH_ORDER_SIZE_UP: by size, smallest first, equal sizes by address
 *	(SIZESORT+).
 * @MH_ORDER_SIZE_DOWN: by size, largest first, equal sizes by address
 *	(SIZESORT-).
 * @MH_ORDER_FRONT: a freed block goes first (INSERT-FRONT).
 * @MH_ORDER_BACK: a freed block goes last (INSERT-BACK).
 * @MH_NR_ORDERS: number of orders.
 *
 * Under the address and insert orders the rest of a split block keeps the
 * block's place in the list (as malloc.py does); under the size orders it
 * moves to the place its new size sorts to, so the list stays sorted.
 */
enum mh_list_order {
	MH_ORDER_ADDR,
	MH_ORDER_SIZE_UP,
	MH_ORDER_SIZE_DOWN,
	MH_ORDER_FRONT,
	MH_ORDER_BACK,
	MH_NR_ORDERS,
};

/** mh_init() flag: fill free payloads with MH_POISON and verify on reuse. */
#define MH_INIT_POISON		BIT(0)
#define MH_INIT_VALID		MH_INIT_POISON

/** mh_alloc() flag: zero the payload (calloc). */
#define MH_ALLOC_ZERO		BIT(0)
#define MH_ALLOC_VALID		MH_ALLOC_ZERO

/**
 * enum mh_event - structural events reported to the observer.
 * @MH_EV_SPLIT: a block was split; offset/size describe the remainder.
 * @MH_EV_COALESCE: two blocks merged (a freed block with a free neighbour,
 *	or a block grown in place over its free right neighbour); offset/size
 *	describe the merged block.
 * @MH_EV_CORRUPTION: an operation found damage (-EUCLEAN); offset is the
 *	payload offset it was given (0 for an allocation), size is 0.
 * @MH_EV_SLOT_ALLOC: pools: a slot was handed out; offset is its payload
 *	offset (slots have no header), size the slot's.
 * @MH_EV_SLOT_FREE: pools: a slot was freed; as @MH_EV_SLOT_ALLOC.
 */
enum mh_event {
	MH_EV_SPLIT,
	MH_EV_COALESCE,
	MH_EV_CORRUPTION,
	MH_EV_SLOT_ALLOC,
	MH_EV_SLOT_FREE,
};

/**
 * typedef mh_observer_fn - called by the core on structural events.
 * @ctx: the pointer given to mh_set_observer().
 * @event: what happened.
 * @offset: block (header) offset, except for MH_EV_CORRUPTION and the
 *	slot events (a payload offset).
 * @size: block size in bytes.
 */
typedef void (*mh_observer_fn)(void *ctx, enum mh_event event, u32 offset,
			       u32 size);

/** MH_PAUSE_STEPS - free blocks a search reads between two pauses offered. */
#define MH_PAUSE_STEPS		256u

/**
 * typedef mh_pause_fn - offered a pause by a long search.
 * @ctx: the pointer given to mh_set_pause().
 *
 * The search of an mh_alloc() under first, next, best or worst fit reads
 * every free block on the list in the worst case; it offers a pause every
 * MH_PAUSE_STEPS blocks. The callback may let other users of the heap in
 * meanwhile (the kernel drops its lock when someone waits for it), as if
 * they ran before the search went on: nothing the search has changed yet,
 * and no policy or knob change may happen then (the caller refuses them
 * while a search is paused). Only mh_alloc() and mh_alloc_result() offer
 * pauses, and only for the search of a plain block (not a pools run, not a
 * realloc's move), which is where nothing has been decided yet.
 *
 * Return: true if the heap may have changed during the call: the search
 * then trusts nothing it read before and checks where it stands.
 */
typedef bool (*mh_pause_fn)(void *ctx);

/**
 * struct mh_counters - event counters kept by the core, never reset by
 * mh_reset() (they describe the heap's life, not its content); only
 * mh_clear_counters() zeroes them.
 * @allocs: successful mh_alloc() calls.
 * @frees: successful mh_free() calls.
 * @reallocs: successful mh_realloc() calls.
 * @failed_allocs: mh_alloc() calls that returned an error.
 * @failed_frees: mh_free() calls that returned an error.
 * @failed_reallocs: mh_realloc() calls that returned an error.
 * @splits: blocks split.
 * @coalesces: merges of two blocks.
 * @searched: free blocks examined by all allocations.
 * @searched_max: most free blocks examined by one allocation.
 * @corruptions: operations refused because metadata was damaged.
 * @poison_errors: free payloads found modified when reused.
 */
struct mh_counters {
	u64 allocs;
	u64 frees;
	u64 reallocs;
	u64 failed_allocs;
	u64 failed_frees;
	u64 failed_reallocs;
	u64 splits;
	u64 coalesces;
	u64 searched;
	u64 searched_max;
	u64 corruptions;
	u64 poison_errors;
};

struct mh_policy_ops;

/**
 * struct mh_heap - control structure of one heap (trusted, caller memory).
 *
 * All fields are private to the core; read them through mh_stats().
 * @base: the region.
 * @region_size: bytes of the region.
 * @heap_end: offset one past the last block.
 * @policy: current placement policy.
 * @ops: its operations, mh_policy_table[@policy] (kept beside it so that
 *	every step of an operation does not index the table again).
 * @flags: MH_INIT_* flags.
 * @list_order: fit policies: enum mh_list_order of the free list.
 * @no_coalesce: fit policies: a freed block never merges with its free
 *	neighbours (so free blocks may touch).
 * @salt: mixed into every header check; drawn at random at every reset.
 * @generation: number of resets.
 * @rover: next fit's roving pointer (block offset, 0 = list head).
 * @fl_bitmap: the policy's first-level bitmap of non-empty lists
 *	(segregated fit: first-level classes; buddy: orders), 0 if it has none.
 * @sl_bitmap: its second level (segregated fit: classes), 0 if none.
 * @heads: first block of each free list (0 = empty).
 * @starts: the block-start bitmap (caller memory, mh_starts_bytes()):
 *	bit i set iff a block header sits at offset 16 * i + 8.
 * @starts_l1: summary of @starts: bit w set iff its word w is nonzero.
 * @starts_l2: summary of @starts_l1, the same way.
 * @starts_l3: summary of @starts_l2, the same way (here: it is small), so
 *	finding the next block start past a large free block is a few word
 *	reads whatever the heap's size.
 * @starts_longs: longs of @starts, @starts_l1 and @starts_l2.
 * @used_blocks: blocks in use.
 * @free_blocks: free blocks.
 * @requested: bytes requested by the blocks in use.
 * @granted: payload bytes granted to the blocks in use.
 * @free_bytes: bytes of all free blocks, headers included.
 * @peak_requested: highest @requested ever.
 * @high_water: highest offset ever covered by a block in use.
 * @pool_heads: pools: first run of each slot class with a free slot.
 * @pool_small: pools: small blocks of each class handed out as ordinary
 *	blocks and not yet freed (a heuristic: when to carve a run).
 * @slid: pools: the block that slid down last (its offset), 0 if none.
 * @slide_ban: pools: a block whose moves after sliding cost more fresh
 *	space than its slides reclaimed: it does not slide again (no
 *	ping-pong).
 * @slide_credit: pools: bytes the @slid block's slides reclaimed, less the
 *	fresh space its moves since took (mh_slide()).
 * @pool_runs: pools: runs (blocks in use that hold slots).
 * @pool_slots: pools: slots in use.
 * @count: event counters.
 * @observer: optional event callback.
 * @observer_ctx: its argument.
 * @pause: optional callback offered pauses by long searches.
 * @pause_ctx: its argument.
 * @may_pause: the search running now may pause (set by mh_alloc() around
 *	it; see typedef mh_pause_fn).
 */
struct mh_heap {
	u8 *base;
	u32 region_size;
	u32 heap_end;
	enum mh_policy policy;
	const struct mh_policy_ops *ops;
	u32 flags;
	u32 list_order;
	bool no_coalesce;
	u32 salt;
	u32 generation;
	u32 rover;
	u32 fl_bitmap;
	u32 sl_bitmap[MH_FL_COUNT];
	u32 heads[MH_NR_LISTS];
	unsigned long *starts;
	unsigned long *starts_l1;
	unsigned long *starts_l2;
	unsigned long starts_l3[MH_STARTS_L3_LONGS];
	u32 starts_longs[3];
	u64 used_blocks;
	u64 free_blocks;
	u64 requested;
	u64 granted;
	u64 free_bytes;
	u64 peak_requested;
	u64 high_water;
	u32 pool_heads[MH_POOL_CLASSES];
	u32 pool_small[MH_POOL_CLASSES];
	u32 slid;
	u32 slide_ban;
	u64 slide_credit;
	u64 pool_runs;
	u64 pool_slots;
	struct mh_counters count;
	mh_observer_fn observer;
	void *observer_ctx;
	mh_pause_fn pause;
	void *pause_ctx;
	bool may_pause;
};

/**
 * struct mh_stats - a snapshot of a heap's state and history.
 * @policy: current policy.
 * @region_size: bytes of the region.
 * @heap_size: bytes covered by blocks (region minus start pad and tail).
 * @header_size: bytes of header per block (MH_HDR_SIZE).
 * @requested_bytes: bytes requested by the blocks in use.
 * @granted_bytes: payload bytes granted to the blocks in use.
 * @used_bytes: bytes of the blocks in use, headers included.
 * @free_bytes: bytes of the free blocks, headers included.
 * @overhead_bytes: metadata: every block's header, the start pad and tail,
 *	and the runs' own metadata (@pool_meta_bytes).
 * @used_blocks: blocks in use.
 * @free_blocks: free blocks.
 * @largest_free: size of the largest free block (headers included).
 * @largest_alloc: largest request that would succeed now (16-byte align).
 * @internal_frag: granted_bytes - requested_bytes, less the runs'
 *	metadata and free slots: the slack of blocks and slots in use.
 * @external_frag_ppm: 1 - largest_free / free_bytes, in parts per million.
 * @peak_requested: highest requested_bytes ever (peak payload).
 * @high_water: highest offset ever covered by a block in use.
 * @free_hist: free blocks by size: [k] counts sizes in [2^k, 2^(k+1)).
 * @pool_runs: runs (pools; counted in @used_blocks).
 * @pool_slots: slots in use (pools; not counted in @used_blocks).
 * @pool_meta_bytes: the runs' metadata (run word, links, slot map, pad).
 * @pool_free_bytes: bytes of the runs' free slots.
 * @count: event counters.
 */
struct mh_stats {
	u32 policy;
	u32 region_size;
	u64 heap_size;
	u64 header_size;
	u64 requested_bytes;
	u64 granted_bytes;
	u64 used_bytes;
	u64 free_bytes;
	u64 overhead_bytes;
	u64 used_blocks;
	u64 free_blocks;
	u64 largest_free;
	u64 largest_alloc;
	u64 internal_frag;
	u64 external_frag_ppm;
	u64 peak_requested;
	u64 high_water;
	u64 free_hist[MH_HIST_BUCKETS];
	u64 pool_runs;
	u64 pool_slots;
	u64 pool_meta_bytes;
	u64 pool_free_bytes;
	struct mh_counters count;
};

/**
 * enum mh_violation_kind - what mh_check() found wrong.
 * @MH_V_NONE: nothing.
 * @MH_V_HEADER: header fails its magic check.
 * @MH_V_SIZE: block size not a multiple of 16, too small, or past the end.
 * @MH_V_PREV_FREE: PREV_FREE bit disagrees with the previous block.
 * @MH_V_FOOTER: free block's boundary tag disagrees with its header.
 * @MH_V_ADJACENT_FREE: two neighbouring free blocks were not coalesced.
 * @MH_V_LINK: free-list link out of bounds, not a free block, or its back
 *	link disagrees.
 * @MH_V_CLASS: free block on the wrong list for its size.
 * @MH_V_LIST_COUNT: free lists and the block chain disagree on the free
 *	blocks (one missing, extra, or listed twice).
 * @MH_V_BITMAP: a class bitmap disagrees with its list.
 * @MH_V_BUDDY: buddy block misaligned, not a power of two, or two free
 *	buddies not merged.
 * @MH_V_POISON: a free payload was modified after free.
 * @MH_V_ACCOUNTING: the control structure's totals disagree with the blocks.
 * @MH_V_SLACK: recorded slack larger than the payload.
 * @MH_V_RUN: pools: a run's word, slot map or list links are bad, an
 *	empty run was kept, or a run with free slots is not on its list.
 * @MH_NR_VIOLATION_KINDS: number of kinds.
 */
enum mh_violation_kind {
	MH_V_NONE,
	MH_V_HEADER,
	MH_V_SIZE,
	MH_V_PREV_FREE,
	MH_V_FOOTER,
	MH_V_ADJACENT_FREE,
	MH_V_LINK,
	MH_V_CLASS,
	MH_V_LIST_COUNT,
	MH_V_BITMAP,
	MH_V_BUDDY,
	MH_V_POISON,
	MH_V_ACCOUNTING,
	MH_V_SLACK,
	MH_V_RUN,
	MH_NR_VIOLATION_KINDS,
};

/**
 * struct mh_violation - the first problem mh_check() found.
 * @kind: what.
 * @offset: block or link offset where it was found.
 */
struct mh_violation {
	enum mh_violation_kind kind;
	u32 offset;
};

/**
 * struct mh_check_state - an mh_check() done a piece at a time.
 *
 * Filled by mh_check_begin(), advanced by mh_check_step(), concluded by
 * mh_check_end(); the caller keeps it and may let the heap be used between
 * steps only if it starts again (the pieces must see one heap). Fields are
 * private to the core.
 */
struct mh_check_state {
	/* private: */
	u32 phase;
	u32 off;
	u32 list;
	u32 prev;
	u32 prev_size;
	u32 budget;
	bool prev_free;
	bool chain_complete;
	int count;
	struct mh_violation first;
	u64 chain_used;
	u64 chain_free;
	u64 chain_requested;
	u64 chain_granted;
	u64 chain_free_bytes;
	u64 chain_runs;
	u64 chain_slots;
	u64 chain_partial;
	u64 list_free;
	u64 list_free_bytes;
};

/**
 * enum mh_block_status - what mh_block_at() could make of a block.
 * @MH_BLOCK_OK: header valid.
 * @MH_BLOCK_DAMAGED: header invalid (or its size disagrees with the
 *	block-start bitmap); the record spans the bytes up to the next block
 *	the bitmap knows (or the heap's end).
 */
enum mh_block_status {
	MH_BLOCK_OK,
	MH_BLOCK_DAMAGED,
};

/**
 * struct mh_block_info - one block, as walks and dumps see it.
 * @offset: offset of the block (its header).
 * @size: bytes of the block, header included.
 * @requested: bytes requested (used blocks; 0 when free).
 * @granted: usable payload bytes (size - MH_HDR_SIZE).
 * @used: the block is in use.
 * @status: enum mh_block_status.
 * @slot_size: pools: a run's slot size (0: an ordinary block); @requested
 *	then sums its slots'.
 * @slots: pools: a run's slots.
 * @slots_used: pools: of which in use.
 * @next: offset of the following block; equals the heap end after the last.
 */
struct mh_block_info {
	u32 offset;
	u32 size;
	u32 requested;
	u32 granted;
	bool used;
	u8 status;
	u16 slot_size;
	u16 slots;
	u16 slots_used;
	u32 next;
};

/* pools: most slots a run has; a free slot's byte in mh_run_slots.slack */
#define MH_RUN_MAX_SLOTS	128u
#define MH_SLOT_FREE		0xffu

/**
 * struct mh_run_slots - pools: a run's slots, as dumps show them.
 * @first: payload offset of slot 0; slot i's is @first + i * @slot_size.
 * @slot_size: bytes of each slot.
 * @n: slots.
 * @slack: per slot, MH_SLOT_FREE if free, else @slot_size minus the
 *	bytes requested.
 */
struct mh_run_slots {
	u32 first;
	u16 slot_size;
	u16 n;
	u8 slack[MH_RUN_MAX_SLOTS];
};

/**
 * struct mh_run_info - pools: one run with a free slot, as run-list walks
 * see it.
 * @cls: its slot class (list).
 * @slot_size: bytes of each slot.
 * @slots: slots of the run.
 * @free: of which free (at least one: else it is on no list).
 * @offset: offset of the run (its header), as blocks names it.
 * @first_free: payload offset of its lowest free slot, the next one its
 *	class hands out.
 */
struct mh_run_info {
	u32 cls;
	u32 slot_size;
	u32 slots;
	u32 free;
	u32 offset;
	u32 first_free;
};

/**
 * struct mh_free_info - one free block, as free-list walks see it.
 * @list: index of its list in search order.
 * @class_min: smallest block size the list holds.
 * @class_max: largest block size the list holds.
 * @offset: offset of the block (its header).
 * @size: bytes of the block.
 * @rover: next fit starts its next search here.
 */
struct mh_free_info {
	u32 list;
	u32 class_min;
	u32 class_max;
	u32 offset;
	u32 size;
	bool rover;
};

/**
 * struct mh_list_info - how dumps name one free list of the policy.
 * @kind: what one list is called ("class", "order"), NULL when the policy
 *	keeps a single list (the fit policies).
 * @order: the single list's enum mh_list_order (MH_ORDER_ADDR otherwise).
 * @show_empty: dumps name this policy's empty lists too (buddy's orders).
 * @class_min: smallest block size the list holds.
 * @class_max: largest block size the list holds (== @class_min: one size).
 */
struct mh_list_info {
	const char *kind;
	u32 order;
	bool show_empty;
	u32 class_min;
	u32 class_max;
};

/** typedef mh_block_fn - mh_walk() callback; nonzero stops the walk. */
typedef int (*mh_block_fn)(void *arg, const struct mh_block_info *b);
/** typedef mh_free_fn - mh_walk_free() callback; nonzero stops the walk. */
typedef int (*mh_free_fn)(void *arg, const struct mh_free_info *f);
/** typedef mh_run_fn - mh_walk_runs_from() callback; nonzero stops it. */
typedef int (*mh_run_fn)(void *arg, const struct mh_run_info *r);

size_t mh_starts_bytes(size_t region_size);
int mh_init(struct mh_heap *h, void *region, size_t size,
	    enum mh_policy policy, unsigned int flags, unsigned long *starts);
int mh_reset(struct mh_heap *h, enum mh_policy policy);
int mh_set_policy(struct mh_heap *h, enum mh_policy policy);
int mh_set_knobs(struct mh_heap *h, enum mh_list_order order, bool coalesce);
bool mh_policy_has_knobs(enum mh_policy policy);
void mh_set_observer(struct mh_heap *h, mh_observer_fn fn, void *ctx);
void mh_set_pause(struct mh_heap *h, mh_pause_fn fn, void *ctx);

/* What a free did (struct mh_freed.flags). */
/** MH_FREED_LEFT - free bytes on the block's left merged into it. */
#define MH_FREED_LEFT		BIT(0)
/** MH_FREED_RIGHT - free bytes on the block's right merged into it. */
#define MH_FREED_RIGHT		BIT(1)
/** MH_FREED_SLOT - the offset was a slot of a run (pools). */
#define MH_FREED_SLOT		BIT(2)
/** MH_FREED_RUN - that slot was the run's last: the run was freed too. */
#define MH_FREED_RUN		BIT(3)

/**
 * struct mh_freed - what a free made of the block it was given, from the
 * free's own plan (the merge plan, buddy's plan, the run as read once):
 * never from the headers it wrote. Offsets are header offsets, 0 for none.
 * @flags: MH_FREED_* bits.
 * @merges: blocks merged into the freed one: the fit policies' free
 *	neighbours (0 to 2), buddy's buddies (one per order it climbed).
 * @freed_size: bytes of the block freed (header included), or of the slot.
 * @block: the free block that resulted (0: a slot freed inside a run that
 *	stays in use).
 * @size: its bytes: @left_size + the block freed + @right_size.
 * @left: with MH_FREED_LEFT, where the free bytes merged on the left start
 *	(the free neighbour; buddy: the lowest buddy merged, = @block).
 * @left_size: their bytes (buddy: all the buddies merged below).
 * @right: with MH_FREED_RIGHT, where those merged on the right start (the
 *	free neighbour; buddy: the first buddy above, at the freed end).
 * @right_size: their bytes (buddy: all the buddies merged above).
 * @run: with MH_FREED_SLOT, the run the slot was in.
 * @run_size: its bytes (header included).
 */
struct mh_freed {
	u32 flags;
	u32 merges;
	u32 freed_size;
	u32 block;
	u32 size;
	u32 left;
	u32 left_size;
	u32 right;
	u32 right_size;
	u32 run;
	u32 run_size;
};

/* How a realloc resized (struct mh_result.how). */
/** MH_RESIZE_MOVED - a new block; @freed is the old block's free. */
#define MH_RESIZE_MOVED		BIT(0)
/** MH_RESIZE_GREW - grew in place into its free right neighbour. */
#define MH_RESIZE_GREW		BIT(1)
/** MH_RESIZE_SHRANK - gave back its tail (@freed: the tail's free). */
#define MH_RESIZE_SHRANK	BIT(2)
/** MH_RESIZE_SLID - slid down into its free left neighbour (pools). */
#define MH_RESIZE_SLID		BIT(3)

/**
 * struct mh_result - what an operation made of the block it was given or
 * made, from the operation's own plan (so a caller need not decode the
 * header again, and cannot get a value a scribbler wrote in between).
 * @offset: payload offset of the block afterwards (the freed one's for
 *	mh_free_result()).
 * @usable: its usable payload bytes afterwards (0 once freed).
 * @requested: bytes requested: the new request for mh_alloc_result(), the
 *	request before the operation for mh_free_result() and
 *	mh_realloc_result(), the current one for mh_query().
 * @how: mh_realloc_result(): MH_RESIZE_* bits (0: in place, same block
 *	size or slack only); 0 for the others.
 * @left: mh_realloc_result(): the free left neighbour the block slid into
 *	(MH_RESIZE_SLID), header offset, else 0.
 * @left_size: its bytes.
 * @right: mh_realloc_result(): the free right neighbour the block grew
 *	into (MH_RESIZE_GREW, or a slide over it), header offset, else 0.
 * @right_size: its bytes.
 * @freed: mh_free_result(): what the free did; mh_realloc_result(): the
 *	old block's free after a move, the tail's after a shrink (zero when
 *	the policy gives back buddy halves, or nothing was given back).
 */
struct mh_result {
	u32 offset;
	u32 usable;
	u32 requested;
	u32 how;
	u32 left;
	u32 left_size;
	u32 right;
	u32 right_size;
	struct mh_freed freed;
};

int mh_alloc(struct mh_heap *h, size_t size, size_t align,
	     unsigned int flags, u32 *offset);
int mh_alloc_result(struct mh_heap *h, size_t size, size_t align,
		    unsigned int flags, struct mh_result *r);
int mh_free(struct mh_heap *h, u32 offset);
int mh_free_result(struct mh_heap *h, u32 offset, struct mh_result *r);
int mh_realloc(struct mh_heap *h, u32 offset, size_t size, u32 *new_offset);
int mh_realloc_result(struct mh_heap *h, u32 offset, size_t size,
		      struct mh_result *r);
int mh_query(const struct mh_heap *h, u32 offset, struct mh_result *r);

/**
 * mh_searched() - free blocks examined by all allocations so far.
 * @h: heap.
 *
 * The difference across one operation is what that operation searched
 * (OSTEP's "searched K elements"), successful or not.
 *
 * Return: the cumulative count (struct mh_stats.count.searched).
 */
static inline u64 mh_searched(const struct mh_heap *h)
{
	return h->count.searched;
}

int mh_usable_size(const struct mh_heap *h, u32 offset, size_t *size);
int mh_requested_size(const struct mh_heap *h, u32 offset, size_t *size);
int mh_probe(const struct mh_heap *h, u32 offset);
bool mh_empty(const struct mh_heap *h);
void mh_clear_counters(struct mh_heap *h);
u32 mh_max_align(const struct mh_heap *h);
u32 mh_policy_max_align(enum mh_policy policy);
u32 mh_block_size(const struct mh_heap *h, size_t size);

int mh_check(const struct mh_heap *h, struct mh_violation *first);
void mh_check_begin(const struct mh_heap *h, struct mh_check_state *s);
bool mh_check_step(const struct mh_heap *h, struct mh_check_state *s,
		   u32 max);
int mh_check_end(const struct mh_heap *h, struct mh_check_state *s,
		 struct mh_violation *first);
int mh_check_control(const struct mh_heap *h, struct mh_violation *first);
u32 mh_first_block(const struct mh_heap *h);
int mh_block_at(const struct mh_heap *h, u32 offset, struct mh_block_info *b);
int mh_block_containing(const struct mh_heap *h, u32 offset,
			struct mh_block_info *b);
int mh_run_slots(const struct mh_heap *h, const struct mh_block_info *b,
		 struct mh_run_slots *v);
int mh_walk(const struct mh_heap *h, mh_block_fn fn, void *arg);
int mh_walk_free(const struct mh_heap *h, mh_free_fn fn, void *arg);
int mh_walk_free_from(const struct mh_heap *h, u32 list, u32 offset,
		      mh_free_fn fn, void *arg);
int mh_walk_runs_from(const struct mh_heap *h, u32 cls, u32 offset,
		      mh_run_fn fn, void *arg);
bool mh_has_slots(const struct mh_heap *h);
void mh_stats(const struct mh_heap *h, struct mh_stats *st);
void mh_stats_begin(const struct mh_heap *h, struct mh_stats *st);
u32 mh_stats_walk(const struct mh_heap *h, struct mh_stats *st, u32 off,
		  u32 max);
int mh_list_info(const struct mh_heap *h, u32 list, struct mh_list_info *li);

const char *mh_policy_name(enum mh_policy policy);
int mh_policy_parse(const char *name);
const char *mh_order_name(enum mh_list_order order);
int mh_order_parse(const char *name);
const char *mh_violation_name(enum mh_violation_kind kind);

#endif /* MH_CORE_H */
