/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attack.h - a hostile process inside the allocator core's operations.
 *
 * The module maps the region into userspace, so another thread can rewrite
 * any byte while an operation runs. The core calls mh_load_hook before
 * every load it makes from the region (mh_port.h); the attacker installed
 * there counts those loads and, at chosen load points (or at random ones),
 * rewrites region words the way such a thread would: zero the word being
 * loaded, fill it with random bytes, flip a bit, point a link at its own
 * block or build a two-block cycle, forge a size that swallows the next
 * block, forge a plausible header (with the heap's own salt: a process can
 * recover it, so the core must cope with valid-looking lies), or aim a link
 * or a size at the victim. It can also strike from the observer callback,
 * at split and coalesce events.
 *
 * The attacker never writes the guarded range (the victim block, header
 * and payload), so if the victim changes, the core did it. It also bounds
 * the loads of one call: past the bound it longjmps out of the core, which
 * turns an endless loop over scribbled links into a reported failure.
 */
#ifndef MH_TEST_ATTACK_H
#define MH_TEST_ATTACK_H

#include <setjmp.h>
#include <stdbool.h>

#include "mh_core.h"

/**
 * enum attack_mode - what the attacker writes at a load point.
 * @AT_ZERO: zero the bytes about to be loaded.
 * @AT_RANDOM: random bytes over them.
 * @AT_FLIP: flip one bit of them.
 * @AT_SELF_LOOP: the loaded link points at its own block (a header load:
 *	the block's next and prev links point at itself).
 * @AT_TWO_CYCLE: the block and the block its link names point at each
 *	other, both ways.
 * @AT_SWALLOW: the header of the block being read, re-encoded valid, with
 *	a size that swallows the block after it.
 * @AT_FORGE: a plausible header (valid check) with one field changed:
 *	state, PREV_FREE, or size.
 * @AT_TO_VICTIM: the loaded link names the victim block; a loaded header
 *	becomes a free block ending at the victim's end.
 * @AT_NR_MODES: number of modes.
 */
enum attack_mode {
	AT_ZERO,
	AT_RANDOM,
	AT_FLIP,
	AT_SELF_LOOP,
	AT_TWO_CYCLE,
	AT_SWALLOW,
	AT_FORGE,
	AT_TO_VICTIM,
	AT_NR_MODES,
};

/* Where an observer-event attack aims, relative to the event's block. */
enum attack_aim {
	AIM_SELF,	/* the block the event names */
	AIM_PREV,	/* the block physically before it */
	AIM_NEXT,	/* the block after it */
	AIM_NR,
};

/* At most this many scheduled strikes (the fuzzer's input picks them). */
#define ATTACK_MAX_SHOTS	8

/**
 * struct attack_shot - one scheduled strike.
 * @at: load point (1-based count of loads since attacker_reset()), or
 *	event number for an event shot.
 * @mode: what to write.
 * @seed: feeds the strike's random choices.
 * @event: an observer-event shot (@at counts events, not loads).
 * @aim: event shots: which block to hit.
 */
struct attack_shot {
	u64 at;
	enum attack_mode mode;
	u64 seed;
	bool event;
	enum attack_aim aim;
};

/**
 * struct attacker - the hostile thread's state.
 * @h: the heap under attack (its salt forges headers).
 * @region: the region.
 * @region_size: its size.
 * @guard_lo: first byte the attacker never writes (the victim block).
 * @guard_hi: one past the last.
 * @victim_blk: victim block offset (AT_TO_VICTIM's target).
 * @armed: count and strike only while set (verification runs disarmed).
 * @loads: loads counted since attacker_reset().
 * @events: observer events counted since attacker_reset().
 * @shots: the scheduled strikes.
 * @nshots: how many.
 * @one_in: random strikes: each armed load is hit with probability
 *	1/@one_in (0: none), with a random mode.
 * @rng: state of the random choices.
 * @call_loads: loads of the current call.
 * @call_bound: most loads one call may make.
 * @call_max: most loads any call made.
 * @escape: longjmp target when a call passes @call_bound.
 * @fired: strikes that wrote something.
 * @skipped: strikes (or parts) refused because they would write the guard.
 */
struct attacker {
	const struct mh_heap *h;
	u8 *region;
	u32 region_size;
	u32 guard_lo, guard_hi;
	u32 victim_blk;
	bool armed;
	u64 loads;
	u64 events;
	struct attack_shot shots[ATTACK_MAX_SHOTS];
	unsigned int nshots;
	u32 one_in;
	u64 rng;
	u64 call_loads;
	u64 call_bound;
	u64 call_max;
	jmp_buf *escape;
	u64 fired;
	u64 skipped;
};

const char *attack_mode_name(enum attack_mode mode);
const char *attack_aim_name(enum attack_aim aim);

/* Make @a the attacker behind mh_load_hook (NULL: none). */
void attacker_install(struct attacker *a);

/* Forget counts and shots; keep the heap, guard and bound. */
void attacker_reset(struct attacker *a);

/* Strike now: rewrite region words around [@off, @off + @len). */
void attack_strike(struct attacker *a, u32 off, u32 len,
		   enum attack_mode mode, u64 seed);

/* An mh_observer_fn (ctx: the attacker) firing the event shots. */
void attack_observer(void *ctx, enum mh_event ev, u32 off, u32 size);

/*
 * What the harness is doing, printed if the process dies (sanitizer report,
 * watchdog), so a crash names its policy, sequence, mode and load point.
 */
extern char attack_where[256];

/* Print every strike, every write and every call (a debugging aid). */
extern bool attack_trace;

/* Print attack_where on a sanitizer death or after @seconds of no return. */
void attack_watchdog_install(void);
void attack_watchdog(unsigned int seconds);

#endif /* MH_TEST_ATTACK_H */
