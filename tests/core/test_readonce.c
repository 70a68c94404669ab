// SPDX-License-Identifier: GPL-2.0
/*
 * test_readonce.c - targeted regressions for issue 8 at the core level:
 * the control structure checks itself without the region, every region
 * word an operation depends on is read once (a word rewritten between two
 * loads, through mh_load_hook or the observer, changes nothing the core
 * decides), loops over region data are bounded, a failed operation changes
 * nothing, and a forged size is not believed.
 *
 * Each case names the issue item it covers. The generic attack harness
 * (every load point of every operation) lives elsewhere; these cases aim
 * one write at one moment that broke the core before the fix.
 */
#include <stdint.h>
#include <string.h>

#include "damage.h"
#include "pattern.h"

#define REGION		(64u << 10)

/* A control structure broken in one field is reported, region unread. */
static void control_check_sees_each_field(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_violation v;
	struct mh_heap saved;
	u32 a;

	ASSERT(f);
	a = ALLOC(f, 100);
	ASSERT(a);
	EXPECT_EQ(mh_check_control(&f->h, &v), 0);
	EXPECT_EQ(v.kind, MH_V_NONE);
	saved = f->h;

#define BROKEN(stmt, want) do { \
	f->h = saved; \
	stmt; \
	EXPECT(mh_check_control(&f->h, &v) > 0); \
	EXPECT_EQ(v.kind, want); \
	} while (0)
	/* a list past the policy's own (segregated uses them all) */
	BROKEN(f->h.heads[MH_NR_LISTS - 1] = a - MH_HDR_SIZE,
	       policy == MH_SEGREGATED ? MH_V_BITMAP : MH_V_LINK);
	BROKEN(f->h.heads[0] = 4, MH_V_LINK);
	BROKEN(f->h.heads[0] = f->h.heap_end, MH_V_LINK);
	BROKEN(f->h.rover = 17, MH_V_LINK);
	BROKEN(f->h.fl_bitmap ^= 1u << 3, MH_V_BITMAP);
	BROKEN(f->h.granted += 16, MH_V_ACCOUNTING);
	BROKEN(f->h.requested = f->h.granted + 1, MH_V_ACCOUNTING);
	BROKEN(f->h.free_blocks = 0, MH_V_ACCOUNTING);
	BROKEN(f->h.peak_requested = 0, MH_V_ACCOUNTING);
	BROKEN(f->h.high_water = f->h.heap_end + 16, MH_V_ACCOUNTING);
	BROKEN(f->h.heap_end = f->h.region_size + 16, MH_V_SIZE);
	if (policy == MH_SEGREGATED)
		BROKEN(f->h.sl_bitmap[2] ^= 1u << 5, MH_V_BITMAP);
#undef BROKEN
	f->h = saved;
	/* the region is not read: wipe it and the control check still passes */
	memset(f->region, 0x5a, f->size);
	EXPECT_EQ(mh_check_control(&f->h, NULL), 0);
	memset(f->region, 0, f->size);
	EXPECT_EQ(mh_check_control(&f->h, NULL), 0);
	mh_reset(&f->h, policy);
}

/*
 * Item 7: the salt was a constant mixed with the generation, so two heaps
 * of the same size had the same headers and a process could recover it.
 * Now two heaps differ, and a reset does not give the next salt away.
 */
static void salt_is_random(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct fixture *g = fixture_new(policy, REGION, 0);
	u32 a, b, salt;

	ASSERT(f && g);
	a = ALLOC(f, 100);
	b = ALLOC(g, 100);
	ASSERT(a && a == b);
	EXPECT(f->h.salt != g->h.salt);
	EXPECT(memcmp(f->region + a - MH_HDR_SIZE, g->region + b - MH_HDR_SIZE,
		      MH_HDR_SIZE));
	salt = f->h.salt;
	ASSERT_EQ(mh_reset(&f->h, policy), 0);
	EXPECT(f->h.salt != salt);
	EXPECT(f->h.salt != (0x6d796870u ^ (f->h.generation * 0x9e3779b9u)));
	/* the old header is no block in use after the reset */
	EXPECT(mh_probe(&f->h, a) != 0);
}

static const struct test_case cases[] = {
	TEST(salt_is_random, ALL_POLICIES),
	TEST(control_check_sees_each_field, ALL_POLICIES),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
