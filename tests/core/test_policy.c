// SPDX-License-Identifier: GPL-2.0
/*
 * test_policy.c - each placement policy picks the block it is defined to
 * pick, from the same set of holes.
 */
#include "mh_test.h"

#define REGION		(64u << 10)

/*
 * Holes, in address order: A (512-byte block), B (112), C (320), each
 * followed by a block in use, then the free rest of the heap (largest).
 */
struct holes {
	struct fixture *f;
	u32 a, b, c;
};

static bool holes_setup(struct holes *h, enum mh_policy policy)
{
	h->f = fixture_new(policy, REGION, 0);
	if (!h->f)
		return false;
	h->a = ALLOC(h->f, 504);
	ALLOC(h->f, 16);
	h->b = ALLOC(h->f, 104);
	ALLOC(h->f, 16);
	h->c = ALLOC(h->f, 312);
	ALLOC(h->f, 16);
	if (!h->a || !h->b || !h->c)
		return false;
	EXPECT_EQ(mh_free(&h->f->h, h->a), 0);
	EXPECT_EQ(mh_free(&h->f->h, h->b), 0);
	EXPECT_EQ(mh_free(&h->f->h, h->c), 0);
	return EXPECT_LAYOUT(h->f, "F512 U32 F112 U32 F320 U32 F*");
}

/* A 100-byte request (a 112-byte block) fits all four free blocks. */
static void policy_picks_its_block(enum mh_policy policy)
{
	struct holes h;
	u32 got, want;

	ASSERT(holes_setup(&h, policy));
	got = ALLOC(h.f, 100);
	switch (policy) {
	case MH_FIRST_FIT:
		want = h.a;	/* the lowest address */
		break;
	case MH_BEST_FIT:
	case MH_SEGREGATED:	/* exact class first */
		want = h.b;	/* the smallest that fits */
		break;
	case MH_WORST_FIT:
		want = h.c + 320 + 32;	/* the largest: the rest */
		break;
	default:
		want = 0;
	}
	EXPECT_EQ(got, want);
	EXPECT_CLEAN(h.f);
}

/* 300 bytes: A and C fit, B does not; best fit takes C, first fit A. */
static void policy_skips_what_does_not_fit(enum mh_policy policy)
{
	struct holes h;
	u32 got;

	ASSERT(holes_setup(&h, policy));
	got = ALLOC(h.f, 300);
	if (policy == MH_FIRST_FIT)
		EXPECT_EQ(got, h.a);
	else if (policy == MH_BEST_FIT)
		EXPECT_EQ(got, h.c);
	else
		EXPECT(got != h.b);
	EXPECT_CLEAN(h.f);
}

static int find_rover(void *arg, const struct mh_free_info *fi)
{
	u32 *rover = arg;

	if (fi->rover)
		*rover = fi->offset;
	return 0;
}

/*
 * Next fit resumes where the last search ended instead of restarting:
 * the setup's allocations left the rover in the rest of the heap, so the
 * holes below it are skipped (first fit would take A).
 */
static void next_fit_resumes_at_the_rover(enum mh_policy policy)
{
	struct holes h;
	u32 x, y, rest, rover = 0;

	ASSERT(holes_setup(&h, policy));
	rest = h.c + 320 + 32;
	EXPECT_EQ(mh_walk_free(&h.f->h, find_rover, &rover), 0);
	EXPECT_EQ(rover, rest - MH_HDR_SIZE);
	x = ALLOC(h.f, 40);
	EXPECT_EQ(x, rest);
	EXPECT_EQ(mh_walk_free(&h.f->h, find_rover, &rover), 0);
	EXPECT_EQ(rover, x - MH_HDR_SIZE + 48);
	y = ALLOC(h.f, 40);
	EXPECT_EQ(y, x + 48);
	EXPECT_CLEAN(h.f);
}

static const struct test_case cases[] = {
	TEST(policy_picks_its_block, ONLY(MH_FIRST_FIT) | ONLY(MH_BEST_FIT) |
	     ONLY(MH_WORST_FIT) | ONLY(MH_SEGREGATED)),
	TEST(policy_skips_what_does_not_fit, NOT_BUDDY),
	TEST(next_fit_resumes_at_the_rover, ONLY(MH_NEXT_FIT)),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
