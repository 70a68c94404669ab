// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_attack.c - libFuzzer target: the attacker of tests/core/attack.h
 * strikes in the middle of operations, and the fuzzer's input chooses
 * where and how.
 *
 * The input picks a policy, poisoning, a region size and how many more
 * free blocks to scatter (longer free lists to walk), then a schedule
 * of strikes (load point or observer event, mode, aim, the seed of the
 * strike's own choices) and a rate of random strikes, then a stream of
 * calls on our slots. Every call is held to arena_op()'s assertions
 * (tests/core/attack_arena.h): bounded region loads, a documented errno,
 * nothing handed out over the victim, the victim intact, the control
 * structure self-consistent; ASan watches the exact-size region. After
 * the stream, with the attacker quiet, the battery of every call runs on
 * what is left. Any failure aborts with the reason, which libFuzzer
 * reports as a crash with its input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "attack_arena.h"
#include "fuzz_input.h"

#define MAX_OPS		200

static void fail(const struct arena *ar, const char *when)
{
	fprintf(stderr, "fuzz_attack: %s %s: %s: %s\n",
		mh_policy_name(ar->policy), when, ar->kind ? ar->kind : "?",
		ar->why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { .data = data, .size = size };
	enum mh_policy policy = fuzz_u8(&in) % MH_NR_POLICIES;
	u32 fb = fuzz_u8(&in);
	unsigned int flags = fb & MH_INIT_POISON;
	u32 region_size = MH_MIN_REGION << (fuzz_u8(&in) % 3);
	u32 crowd = fuzz_u8(&in) % 8;
	struct arena ar;
	u32 nshots, rate;

	/* the flag byte's other bits: a fit policy's knobs */
	arena_order = (fb >> 1) % MH_NR_ORDERS;
	arena_coalesce = !(fb & 0x80);
	if (!arena_init(&ar, policy, region_size, flags, crowd)) {
		arena_fini(&ar);
		abort();	/* setup on a fresh heap cannot fail */
	}
	nshots = fuzz_u8(&in) % (ATTACK_MAX_SHOTS + 1);
	for (u32 i = 0; i < nshots; i++) {
		u32 how = fuzz_u8(&in);

		ar.att.shots[i] = (struct attack_shot){
			.at = 1 + fuzz_u16(&in) % 2048,
			.mode = how % AT_NR_MODES,
			.event = how & 0x80,
			.aim = (how >> 4) % AIM_NR,
			.seed = fuzz_u32(&in),
		};
	}
	ar.att.nshots = nshots;
	rate = fuzz_u8(&in);
	ar.att.one_in = rate < 200 ? 0 : 4u << (rate % 8);
	ar.att.rng = fuzz_u32(&in);
	for (int ops = 0; fuzz_more(&in) && ops < MAX_OPS; ops++) {
		struct arena_op op = {
			.kind = fuzz_u8(&in) % OP_NR,
			.slot = fuzz_u8(&in) % ARENA_SLOTS,
			.size = (u32)fuzz_size(&in) % 5000 + 1,
		};

		if (!arena_op(&ar, &op))
			fail(&ar, arena_op_name(op.kind));
	}
	ar.att.nshots = 0;
	ar.att.one_in = 0;
	if (!arena_battery(&ar))
		fail(&ar, "battery");
	arena_fini(&ar);
	return 0;
}
