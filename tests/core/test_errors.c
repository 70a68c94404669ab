// SPDX-License-Identifier: GPL-2.0
/*
 * test_errors.c - the errno contract of mh_core.h: each bad call returns
 * exactly its errno and changes nothing (control structure, statistics
 * apart from the failure counters, and every byte of the region).
 */
#include <stdint.h>
#include <string.h>

#include "mh_test.h"
#include "pattern.h"

#define REGION		(64u << 10)

/*
 * The policy's alignment limit is what mh_alloc() honours, exactly, and
 * mh_block_size() is the block an allocation takes.
 */
static void policy_limits_are_what_alloc_does(enum mh_policy policy)
{
	static const size_t sizes[] = { 1, 24, 100, 1000, 5000 };
	u32 align, fit, off = 0;
	struct three t;
	size_t usable, i;

	ASSERT(three_setup(&t, policy, 0));
	align = mh_max_align(&t.f->h);
	EXPECT_EQ(mh_policy_max_align(policy), align);
	EXPECT_EQ(mh_policy_max_align(MH_NR_POLICIES), 0);
	ASSERT(align >= MH_ALIGN && align <= MH_MAX_ALIGN);
	/* the largest alignment this small region can hold, up to the limit */
	fit = align < REGION / 4 ? align : REGION / 4;
	EXPECT_EQ(mh_alloc(&t.f->h, 10, fit, 0, &off), 0);
	EXPECT_EQ(off % fit, 0);
	EXPECT_EQ(mh_free(&t.f->h, off), 0);
	if (align < MH_MAX_ALIGN)
		EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, 10, align * 2, 0,
						   &off), -EDOM);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		EXPECT_EQ(mh_alloc(&t.f->h, sizes[i], 0, 0, &off), 0);
		EXPECT_EQ(mh_usable_size(&t.f->h, off, &usable), 0);
		EXPECT_EQ(usable + MH_HDR_SIZE, mh_block_size(&t.f->h, sizes[i]));
		EXPECT_EQ(mh_free(&t.f->h, off), 0);
	}
	EXPECT_EQ(mh_block_size(&t.f->h, 0), 0);
	EXPECT_EQ(mh_block_size(&t.f->h, (size_t)MH_MAX_REGION + 1), 0);
	EXPECT_CLEAN(t.f);
}

static void alloc_rejects_bad_arguments(enum mh_policy policy)
{
	struct three t;
	struct mh_stats st;
	u32 off = 0;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, 0, 0, 0, &off), -EINVAL);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, 10, 0, 2, &off), -EINVAL);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, 10, 0, 1u << 31, &off),
			     -EINVAL);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, 10, 3, 0, &off), -EDOM);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, 10, 24, 0, &off), -EDOM);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, 10, MH_MAX_ALIGN * 2, 0,
					   &off), -EDOM);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, 10, SIZE_MAX, 0, &off),
			     -EDOM);
	/* sizes no heap of this region could ever hold, overflows included */
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, SIZE_MAX, 0, 0, &off),
			     -E2BIG);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, SIZE_MAX - 7, 0, 0, &off),
			     -E2BIG);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, (size_t)1 << 32, 0, 0,
					   &off), -E2BIG);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, ((size_t)1 << 32) + 16, 0,
					   0, &off), -E2BIG);
	EXPECT_FAILS_CLEANLY(t.f, mh_alloc(&t.f->h, REGION, 0, 0, &off),
			     -E2BIG);
	mh_stats(&t.f->h, &st);
	EXPECT_EQ(st.count.failed_allocs, 12);
	EXPECT_EQ(st.count.allocs, 3);
	expect_three_intact(&t);
}

/* The largest request an empty heap can take is its limit: one more is E2BIG. */
static void too_big_starts_right_after_largest(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_stats st;
	u32 off = 0;

	ASSERT(f);
	mh_stats(&f->h, &st);
	EXPECT_FAILS_CLEANLY(f, mh_alloc(&f->h, st.largest_alloc + 1, 0, 0,
					 &off), -E2BIG);
	off = ALLOC(f, st.largest_alloc);
	ASSERT(off);
	EXPECT_EQ(mh_free(&f->h, off), 0);
	EXPECT_CLEAN(f);
}

static void alloc_out_of_memory(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 first = 0, off = 0;

	ASSERT(f);
	while (mh_alloc(&f->h, 4000, 0, 0, &off) == 0)
		if (!first)
			first = off;
	while (mh_alloc(&f->h, 1, 0, 0, &off) == 0)
		;
	ASSERT(first);
	EXPECT_FAILS_CLEANLY(f, mh_alloc(&f->h, 1, 0, 0, &off), -ENOMEM);
	EXPECT_FAILS_CLEANLY(f, mh_alloc(&f->h, 1, 0, MH_ALLOC_ZERO, &off),
			     -ENOMEM);
	/* room for 4000 bytes, not for 8192: the heap could, but not now */
	EXPECT_EQ(mh_free(&f->h, first), 0);
	EXPECT_FAILS_CLEANLY(f, mh_alloc(&f->h, 8192, 0, 0, &off), -ENOMEM);
	EXPECT_EQ(ALLOC(f, 4000), first);
	EXPECT_CLEAN(f);
}

static void free_rejects_what_is_no_block(enum mh_policy policy)
{
	static const u32 nowhere[] = {
		0, 8, 15, 17, 24, REGION, REGION + 16, REGION - 8,
		0xfffffff0u, UINT32_MAX,
	};
	struct three t;

	ASSERT(three_setup(&t, policy, 0));
	for (size_t i = 0; i < sizeof(nowhere) / sizeof(nowhere[0]); i++)
		EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, nowhere[i]), -ENXIO);
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.a + 1), -ENXIO);
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.a + 8), -ENXIO);
	/* aligned, inside a payload: whatever is there fails the check */
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.b + 32), -EBADMSG);
	memset(t.f->region + t.b + 64, 0, 32);
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.b + 80), -EBADMSG);
	pattern_fill(t.f->region + t.b, 0, 200, 2);
	expect_three_intact(&t);
}

static void double_free_is_refused(enum mh_policy policy)
{
	struct mh_stats st;
	struct three t;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.b), -EALREADY);
	EXPECT_FAILS_CLEANLY(t.f, mh_usable_size(&t.f->h, t.b, &(size_t){0}),
			     -EALREADY);
	EXPECT_FAILS_CLEANLY(t.f, mh_requested_size(&t.f->h, t.b,
						    &(size_t){0}), -EALREADY);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.b, 10, &(u32){0}),
			     -EALREADY);
	mh_stats(&t.f->h, &st);
	EXPECT_EQ(st.count.failed_frees, 1);
	EXPECT_EQ(st.count.failed_reallocs, 1);
	EXPECT_EQ(st.count.frees, 1);
}

static void realloc_rejects_bad_arguments(enum mh_policy policy)
{
	struct three t;
	u32 off = 0;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.a, 0, &off), -EINVAL);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.a, SIZE_MAX, &off),
			     -E2BIG);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.a, (size_t)1 << 32,
					     &off), -E2BIG);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.a, REGION, &off),
			     -E2BIG);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, 0, 10, &off), -ENXIO);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.a + 4, 10, &off),
			     -ENXIO);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, REGION + 32, 10, &off),
			     -ENXIO);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.c + 48, 10, &off),
			     -EBADMSG);
	expect_three_intact(&t);
}

static void queries_reject_what_is_no_block(enum mh_policy policy)
{
	struct three t;
	size_t size = 12345;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_usable_size(&t.f->h, t.a + 1, &size), -ENXIO);
	EXPECT_EQ(mh_requested_size(&t.f->h, REGION, &size), -ENXIO);
	EXPECT_EQ(mh_usable_size(&t.f->h, t.c + 32, &size), -EBADMSG);
	EXPECT_EQ(mh_requested_size(&t.f->h, t.c + 32, &size), -EBADMSG);
	EXPECT_EQ(mh_probe(&t.f->h, 0), -ENXIO);
	EXPECT_EQ(mh_probe(&t.f->h, UINT32_MAX - 15), -ENXIO);
	expect_three_intact(&t);
}

static void init_rejects_bad_arguments(enum mh_policy policy)
{
	static u8 small[MH_MIN_REGION];
	static unsigned long st[MH_MIN_REGION / MH_ALIGN / 64 + 2];
	struct mh_heap h;

	EXPECT(mh_starts_bytes(MH_MIN_REGION) <= sizeof(st));
	EXPECT_EQ(mh_init(&h, small, sizeof(small), MH_NR_POLICIES, 0, st),
		  -EINVAL);
	EXPECT_EQ(mh_init(&h, small, sizeof(small), policy, 2, st), -EINVAL);
	EXPECT_EQ(mh_init(&h, small, MH_MIN_REGION - 1, policy, 0, st),
		  -EINVAL);
	EXPECT_EQ(mh_init(&h, NULL, sizeof(small), policy, 0, st), -EINVAL);
	EXPECT_EQ(mh_init(&h, small, sizeof(small), policy, 0, NULL), -EINVAL);
	/* refused before the (much smaller) buffers are touched */
	EXPECT_EQ(mh_init(&h, small, MH_MAX_REGION + (size_t)16, policy, 0,
			  st), -E2BIG);
	EXPECT_EQ(mh_init(&h, small, SIZE_MAX, policy, 0, st), -E2BIG);
	/* the smallest region works */
	ASSERT_EQ(mh_init(&h, small, sizeof(small), policy, MH_INIT_POISON,
			  st), 0);
	EXPECT_EQ(mh_check(&h, NULL), 0);
}

static const struct test_case cases[] = {
	TEST(policy_limits_are_what_alloc_does, ALL_POLICIES),
	TEST(alloc_rejects_bad_arguments, ALL_POLICIES),
	TEST(too_big_starts_right_after_largest, ALL_POLICIES),
	TEST(alloc_out_of_memory, ALL_POLICIES),
	TEST(free_rejects_what_is_no_block, ALL_POLICIES),
	TEST(double_free_is_refused, ALL_POLICIES),
	TEST(realloc_rejects_bad_arguments, ALL_POLICIES),
	TEST(queries_reject_what_is_no_block, ALL_POLICIES),
	TEST(init_rejects_bad_arguments, ALL_POLICIES),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
