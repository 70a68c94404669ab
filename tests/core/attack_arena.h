/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attack_arena.h - a heap under attack, and the operations a test or a
 * fuzzer runs on it with every assertion the attack must not break.
 *
 * The arena is a heap over its own exact-size malloc'd region (ASan sees
 * any access outside it), with a few blocks of "ours" in numbered slots and
 * one victim block: another process's data, allocated first, filled with a
 * pattern, and guarded (the attacker never writes it). arena_op() runs one
 * core call with the attacker armed, then, disarmed, checks that
 *   - the call made at most a bounded number of region loads (the attacker
 *     longjmps out past the bound, so an endless loop is a failure too),
 *   - it returned 0 or an errno mh_core.h documents for that call,
 *   - what it handed out lies in the heap and not over the victim (and
 *     writing it, as the caller will, leaves the victim intact),
 *   - the victim's header still says what it said (PREV_FREE aside: the
 *     core keeps that bit) and its payload is intact,
 *   - the control structure is self-consistent, judged without reading the
 *     region (mh_check_control(), and the same rules read by the test):
 *     list heads and rover are block offsets or empty, the class bitmaps
 *     agree with the heads, the totals fit the heap and add up.
 */
#ifndef MH_TEST_ATTACK_ARENA_H
#define MH_TEST_ATTACK_ARENA_H

#include "attack.h"
#include "mh_pool.h"

#define ARENA_SLOTS	8

/* Region loads one call may make, per block the heap can hold. */
#define ARENA_LOADS_PER_BLOCK	16

enum arena_op_kind {
	OP_ALLOC,
	OP_ALLOC_ZERO,
	OP_ALLOC_ALIGNED,	/* payload aligned to 64 */
	OP_FREE,
	OP_REALLOC,
	OP_USABLE,
	OP_PROBE,
	OP_CHECK,
	OP_WALK,
	OP_WALK_FREE,
	OP_STATS,
	OP_NR,
};

/**
 * struct arena_op - one call: @kind on slot @slot with @size bytes.
 */
struct arena_op {
	enum arena_op_kind kind;
	u8 slot;
	u32 size;
};

/**
 * struct arena - see the top of the file.
 * @h: the heap.
 * @region: its region (exact size).
 * @size: bytes of the region.
 * @policy: the heap's policy.
 * @slot: payload offsets of our blocks (0: none).
 * @slot_len: bytes we asked for.
 * @victim: the victim's payload offset.
 * @victim_blk: its block offset.
 * @victim_bsize: its block size.
 * @victim_hd: its header as allocated.
 * @att: the attacker.
 * @start_h: the heap as arena_init() left it (arena_restore() goes back).
 * @start_region: the region bytes then.
 * @starts: the heap's block-start bitmap.
 * @start_starts: the bitmap then.
 * @start_slot: the slots then.
 * @start_len: their lengths then.
 * @why: the first failure.
 * @kind: its class ("victim payload", "load bound", ...).
 */
struct arena {
	struct mh_heap h;
	u8 *region;
	u32 size;
	enum mh_policy policy;
	u32 slot[ARENA_SLOTS];
	u32 slot_len[ARENA_SLOTS];
	u32 victim, victim_blk, victim_bsize;
	struct mh_hdr victim_hd;
	struct attacker att;
	struct mh_heap start_h;
	u8 *start_region;
	unsigned long *starts;
	unsigned long *start_starts;
	u32 start_slot[ARENA_SLOTS];
	u32 start_len[ARENA_SLOTS];
	char why[320];
	const char *kind;
};

/*
 * A heap with our blocks, free blocks on both sides of the victim, and
 * @crowd more free blocks (each kept apart by a used one) after them, so
 * the free lists are longer.
 */
/* pools: 32-byte blocks the arena's setup makes (a run among them). */
#define ARENA_POOL_SMALL	(MH_POOL_RUNS_FIRST * 61u + 6u)
/* pools: the region the arena needs for them (smaller ones get none). */
#define ARENA_POOL_REGION	16384u

/* The knobs arena_init() sets on a fit policy's heap (mh_set_knobs()). */
extern u32 arena_order;
extern bool arena_coalesce;

bool arena_init(struct arena *ar, enum mh_policy policy, u32 region_size,
		unsigned int flags, u32 crowd);
void arena_fini(struct arena *ar);

/* Back to the heap arena_init() built, attacker reset and installed. */
void arena_restore(struct arena *ar);

/* Run @op under attack and check it; false with @ar->why on a failure. */
bool arena_op(struct arena *ar, const struct arena_op *op);

/*
 * Every kind of call on what the attack left: allocations of several
 * sizes, realloc, usable size, probe and free of every slot, and the
 * readers, each held to arena_op()'s assertions.
 */
bool arena_battery(struct arena *ar);

const char *arena_op_name(enum arena_op_kind kind);

/* The victim and the control structure as arena_op() judges them. */
bool arena_sound(struct arena *ar);

#endif /* MH_TEST_ATTACK_ARENA_H */
