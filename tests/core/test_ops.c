// SPDX-License-Identifier: GPL-2.0
/*
 * test_ops.c - every operation of the core under every policy: init, alloc
 * (sizes, ZERO, alignment), free, realloc (shrink, grow in place, move,
 * failure), the sizes the operations report, usable/requested size,
 * probe, reset, set_policy, names.
 */
#include <stdlib.h>
#include <string.h>

#include "mh_test.h"
#include "pattern.h"

#define REGION		(64u << 10)

/* After everything is freed the heap must look as it did after init. */
static void expect_like_new(struct fixture *f, const struct mh_stats *fresh)
{
	struct mh_stats st;

	mh_stats(&f->h, &st);
	EXPECT(mh_empty(&f->h));
	EXPECT_EQ(st.used_blocks, 0);
	EXPECT_EQ(st.requested_bytes, 0);
	EXPECT_EQ(st.free_blocks, fresh->free_blocks);
	EXPECT_EQ(st.free_bytes, fresh->free_bytes);
	EXPECT_EQ(st.largest_free, fresh->largest_free);
	EXPECT_CLEAN(f);
}

static void init_gives_one_empty_heap(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_stats st;

	ASSERT(f);
	mh_stats(&f->h, &st);
	EXPECT(mh_empty(&f->h));
	EXPECT_EQ(st.policy, policy);
	EXPECT_EQ(st.region_size, REGION);
	EXPECT_EQ(st.header_size, MH_HDR_SIZE);
	EXPECT(st.heap_size <= REGION - MH_HDR_SIZE);
	EXPECT(st.heap_size >= REGION - MH_HDR_SIZE - MH_MIN_BLOCK);
	EXPECT_EQ(st.free_bytes, st.heap_size);
	EXPECT_EQ(st.used_bytes, 0);
	EXPECT_EQ(mh_first_block(&f->h), MH_HDR_SIZE);
	if (policy != MH_BUDDY) {
		EXPECT_EQ(st.free_blocks, 1);
		EXPECT_EQ(st.largest_free, st.heap_size);
		EXPECT_EQ(st.largest_alloc, st.heap_size - MH_HDR_SIZE);
		EXPECT_LAYOUT(f, "F*");
	} else {
		/* 64 KiB minus the pad is tiled with powers of two */
		EXPECT_EQ(st.largest_free, 32u << 10);
	}
	EXPECT_CLEAN(f);
}

static void alloc_and_free_roundtrip(enum mh_policy policy)
{
	static const size_t sizes[] = { 1, 7, 16, 24, 25, 100, 1000, 4000 };
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 off[sizeof(sizes) / sizeof(sizes[0])];
	struct mh_stats fresh;

	ASSERT(f);
	mh_stats(&f->h, &fresh);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t usable = 0, requested = 0;

		off[i] = ALLOC(f, sizes[i]);
		ASSERT(off[i]);
		EXPECT_EQ(off[i] % MH_ALIGN, 0);
		EXPECT_EQ(mh_probe(&f->h, off[i]), 0);
		EXPECT_EQ(mh_usable_size(&f->h, off[i], &usable), 0);
		EXPECT(usable >= sizes[i]);
		EXPECT_EQ(mh_requested_size(&f->h, off[i], &requested), 0);
		EXPECT_EQ(requested, sizes[i]);
		/* the whole usable size is the caller's */
		pattern_fill(f->region + off[i], 0, usable, (u32)i + 1);
		EXPECT_CLEAN(f);
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t usable = 0;

		EXPECT_EQ(mh_usable_size(&f->h, off[i], &usable), 0);
		EXPECT_EQ(pattern_check(f->region + off[i], usable, (u32)i + 1),
			  usable);
	}
	/* free in an order that exercises both coalescing directions */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i += 2)
		EXPECT_EQ(mh_free(&f->h, off[i]), 0);
	for (size_t i = 1; i < sizeof(sizes) / sizeof(sizes[0]); i += 2)
		EXPECT_EQ(mh_free(&f->h, off[i]), 0);
	expect_like_new(f, &fresh);
}

/* Non-buddy blocks are exactly header + request, rounded to 16, min 32. */
static void blocks_are_minimal(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);

	ASSERT(f);
	for (size_t size = 1; size <= 300; size++) {
		size_t usable = 0;
		u32 off = ALLOC(f, size);

		ASSERT(off);
		EXPECT_EQ(mh_usable_size(&f->h, off, &usable), 0);
		EXPECT_EQ(usable, block_for(size) - MH_HDR_SIZE);
		EXPECT_EQ(mh_free(&f->h, off), 0);
	}
	EXPECT_CLEAN(f);
}

static void zero_flag_clears_payload(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	size_t usable = 0;
	u32 off, again;

	ASSERT(f);
	off = ALLOC(f, 500);
	ASSERT(off);
	memset(f->region + off, 0xab, 500);
	EXPECT_EQ(mh_free(&f->h, off), 0);
	again = alloc_ok(f, 500, 0, MH_ALLOC_ZERO, __FILE__, __LINE__);
	ASSERT(again);
	EXPECT_EQ(again, off);	/* the same memory, so zeroing is observed */
	EXPECT_EQ(mh_usable_size(&f->h, again, &usable), 0);
	for (size_t i = 0; i < usable; i++)
		if (!EXPECT_EQ(f->region[again + i], 0))
			break;
	EXPECT_CLEAN(f);
}

/* Every power-of-two alignment up to MH_MAX_ALIGN, mixed with fillers. */
static void alignment_up_to_max(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, 8u << 20, 0);
	u32 live[64];
	int n = 0;

	ASSERT(f);
	for (size_t align = 1; align <= MH_MAX_ALIGN; align <<= 1) {
		for (size_t size = 1; size <= 2 * align && size <= 4096;
		     size = size * 3 + 5) {
			u32 off = alloc_ok(f, size, align, 0, __FILE__, __LINE__);
			u32 filler = ALLOC(f, 40);

			ASSERT(off && filler);
			EXPECT_EQ(off % (align > MH_ALIGN ? align : MH_ALIGN), 0);
			memset(f->region + off, 0x5a, size);
			EXPECT_CLEAN(f);
			if (n < 64)
				live[n++] = off;
			else
				EXPECT_EQ(mh_free(&f->h, off), 0);
		}
	}
	for (int i = 0; i < n; i++)
		EXPECT_EQ(mh_free(&f->h, live[i]), 0);
	EXPECT_CLEAN(f);
}

/* Buddy payloads sit 16 past a power-of-two boundary: only align <= 16. */
static void buddy_refuses_large_alignment(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 off = 0;

	ASSERT(f);
	for (size_t align = 1; align <= MH_ALIGN; align <<= 1) {
		off = alloc_ok(f, 40, align, 0, __FILE__, __LINE__);
		EXPECT_EQ(off % MH_ALIGN, 0);
	}
	EXPECT_FAILS_CLEANLY(f, mh_alloc(&f->h, 40, 32, 0, &off), -EDOM);
}

static void realloc_shrinks_in_place(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a, b, moved = 0;

	ASSERT(f);
	a = ALLOC(f, 1000);
	b = ALLOC(f, 100);
	ASSERT(a && b);
	pattern_fill(f->region + a, 0, 1000, 7);
	ASSERT_EQ(mh_realloc(&f->h, a, 100, &moved), 0);
	EXPECT_EQ(moved, a);
	EXPECT_EQ(pattern_check(f->region + a, 100, 7), 100);
	EXPECT_LAYOUT(f, "U112 F896 U112 F*");
	/* shrinking by less than a minimum block keeps the slack */
	ASSERT_EQ(mh_realloc(&f->h, a, 90, &moved), 0);
	EXPECT_EQ(moved, a);
	EXPECT_LAYOUT(f, "U112 F896 U112 F*");
	{
		size_t req = 0;

		EXPECT_EQ(mh_requested_size(&f->h, a, &req), 0);
		EXPECT_EQ(req, 90);
	}
	/* the freed tail merges with a free right neighbour */
	ASSERT_EQ(mh_realloc(&f->h, b, 30, &moved), 0);
	EXPECT_EQ(moved, b);
	EXPECT_LAYOUT(f, "U112 F896 U48 F*");
}

static void realloc_grows_into_free_neighbour(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a, b, c, moved = 0;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 400);
	c = ALLOC(f, 100);
	ASSERT(a && b && c);
	pattern_fill(f->region + a, 0, 100, 3);
	EXPECT_EQ(mh_free(&f->h, b), 0);
	EXPECT_LAYOUT(f, "U112 F416 U112 F*");
	ASSERT_EQ(mh_realloc(&f->h, a, 300, &moved), 0);
	EXPECT_EQ(moved, a);
	EXPECT_EQ(pattern_check(f->region + a, 100, 3), 100);
	EXPECT_LAYOUT(f, "U320 F208 U112 F*");
	/* taking all but 16 bytes of the neighbour absorbs all of it */
	ASSERT_EQ(mh_realloc(&f->h, a, 300 + 208 - 16, &moved), 0);
	EXPECT_EQ(moved, a);
	EXPECT_LAYOUT(f, "U528 U112 F*");
	EXPECT_EQ(pattern_check(f->region + a, 100, 3), 100);
	/* the last block grows into the free rest of the heap */
	ASSERT_EQ(mh_realloc(&f->h, c, 5000, &moved), 0);
	EXPECT_EQ(moved, c);
	EXPECT_LAYOUT(f, "U528 U5008 F*");
}

static void realloc_moves_and_preserves(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a, b, moved = 0;
	size_t req = 0;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 100);	/* keeps a from growing in place */
	ASSERT(a && b);
	pattern_fill(f->region + a, 0, 100, 11);
	pattern_fill(f->region + b, 0, 100, 12);
	ASSERT_EQ(mh_realloc(&f->h, a, 3000, &moved), 0);
	EXPECT(moved != a);
	EXPECT_EQ(pattern_check(f->region + moved, 100, 11), 100);
	EXPECT_EQ(pattern_check(f->region + b, 100, 12), 100);
	EXPECT_EQ(mh_requested_size(&f->h, moved, &req), 0);
	EXPECT_EQ(req, 3000);
	/* the old block is free again */
	{
		/* a free header, or wiped when it merged into its left side */
		long long r;

		CALL_UNCHANGED(f, r, mh_free(&f->h, a));
		EXPECT(r == -EALREADY || r == -EBADMSG);
	}
	memset(f->region + moved, 1, 3000);
	EXPECT_EQ(mh_free(&f->h, moved), 0);
	EXPECT_EQ(mh_free(&f->h, b), 0);
	EXPECT_CLEAN(f);
}

/* Fill the heap completely: big blocks first, then the holes. */
static int fill_heap(struct fixture *f, u32 *first)
{
	u32 off;
	int n = 0;

	*first = 0;
	for (size_t size = 4096; size >= 1; size /= 2) {
		while (mh_alloc(&f->h, size, 0, 0, &off) == 0) {
			if (!*first)
				*first = off;
			n++;
		}
	}
	return n;
}

static void realloc_failure_leaves_block(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a, moved = 0;
	size_t usable = 0;

	ASSERT(f);
	ASSERT(fill_heap(f, &a) > 0);
	ASSERT_EQ(mh_usable_size(&f->h, a, &usable), 0);
	pattern_fill(f->region + a, 0, usable, 5);
	EXPECT_FAILS_CLEANLY(f, mh_realloc(&f->h, a, usable + 1, &moved),
			     -ENOMEM);
	EXPECT_EQ(pattern_check(f->region + a, usable, 5), usable);
	EXPECT_EQ(mh_probe(&f->h, a), 0);
	EXPECT_CLEAN(f);
}

/*
 * The *_result() operations report what a query afterwards finds: the
 * usable and requested sizes of the block made, the request of the block
 * freed or resized. Small sizes too, so pools reports its slots; every way
 * a realloc can go (in place, grown, moved, slot to slot or block).
 */
static void results_agree_with_queries(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, 1u << 20, 0);
	struct mh_result r, before, q;
	struct mh_stats st;
	u32 live[400];
	size_t n = 0;

	ASSERT(f);
	for (size_t i = 0; i < 400; i++) {
		size_t size = i % 5 ? 17 + i % 16 : 100 + 37 * i;

		ASSERT_EQ(mh_alloc_result(&f->h, size, 0, 0, &r), 0);
		ASSERT_EQ(mh_query(&f->h, r.offset, &q), 0);
		EXPECT_EQ(r.usable, q.usable);
		EXPECT_EQ(r.requested, size);
		EXPECT_EQ(q.requested, size);
		live[n++] = r.offset;
	}
	mh_stats(&f->h, &st);
	EXPECT(policy != MH_POOLS || st.pool_slots > 0);	/* slots too */
	for (size_t i = 0; i < n; i++) {
		size_t size = i % 3 ? 8 + (i * 7) % 200 : 2000 + i;

		ASSERT_EQ(mh_query(&f->h, live[i], &before), 0);
		ASSERT_EQ(mh_realloc_result(&f->h, live[i], size, &r), 0);
		ASSERT_EQ(mh_query(&f->h, r.offset, &q), 0);
		EXPECT_EQ(r.requested, before.requested);
		EXPECT_EQ(r.usable, q.usable);
		EXPECT(r.usable >= size);
		EXPECT_EQ(q.requested, size);
		live[i] = r.offset;
	}
	EXPECT_CLEAN(f);
	/* a failed operation leaves the result alone */
	r = (struct mh_result){ .offset = 1, .usable = 2, .requested = 3 };
	EXPECT_EQ(mh_realloc_result(&f->h, live[0], MH_MAX_REGION + 1ull, &r),
		  -E2BIG);
	EXPECT_EQ(mh_free_result(&f->h, 8, &r), -ENXIO);
	EXPECT(r.offset == 1 && r.usable == 2 && r.requested == 3);
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ(mh_query(&f->h, live[i], &before), 0);
		ASSERT_EQ(mh_free_result(&f->h, live[i], &r), 0);
		EXPECT_EQ(r.offset, live[i]);
		EXPECT_EQ(r.usable, 0);
		EXPECT_EQ(r.requested, before.requested);
	}
	EXPECT(mh_empty(&f->h));
	EXPECT_CLEAN(f);
}

static void probe_tells_what_is_there(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a, b;

	ASSERT(f);
	a = ALLOC(f, 64);
	b = ALLOC(f, 64);
	ASSERT(a && b);
	EXPECT_EQ(mh_probe(&f->h, a), 0);
	EXPECT_EQ(mh_free(&f->h, a), 0);
	EXPECT_EQ(mh_probe(&f->h, a), -EALREADY);	/* a free block header */
	EXPECT_EQ(mh_probe(&f->h, b + 1), -ENXIO);
	EXPECT_EQ(mh_probe(&f->h, REGION + 16), -ENXIO);
	memset(f->region + b, 0, 64);
	EXPECT_EQ(mh_probe(&f->h, b + 32), -EBADMSG);	/* inside a payload */
}

static void reset_empties_and_invalidates(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	enum mh_policy other = (policy + 1) % MH_NR_POLICIES;
	struct mh_stats fresh, st;
	u32 a, b;

	ASSERT(f);
	mh_stats(&f->h, &fresh);
	a = ALLOC(f, 100);
	b = ALLOC(f, 200);
	ASSERT(a && b);
	ASSERT_EQ(mh_reset(&f->h, policy), 0);
	expect_like_new(f, &fresh);
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.peak_requested, 0);
	EXPECT_EQ(st.high_water, 0);
	EXPECT_EQ(st.count.allocs, 2);	/* counters tell the heap's life */
	/*
	 * An old offset is no block in use any more: its header has the old
	 * salt, or (buddy) a fresh free block starts there again.
	 */
	{
		long long r;

		CALL_UNCHANGED(f, r, mh_free(&f->h, b));
		EXPECT(r == (policy == MH_BUDDY ? -EALREADY : -EBADMSG));
	}
	/* reset may switch policy even while blocks are in use */
	ASSERT(ALLOC(f, 100));
	ASSERT_EQ(mh_reset(&f->h, other), 0);
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.policy, other);
	EXPECT(mh_empty(&f->h));
	EXPECT(ALLOC(f, 100));
	EXPECT_CLEAN(f);
	EXPECT_FAILS_CLEANLY(f, mh_reset(&f->h, MH_NR_POLICIES), -EINVAL);
}

static void set_policy_only_when_empty(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_stats st;
	u32 a;

	ASSERT(f);
	for (int p = 0; p < MH_NR_POLICIES; p++) {
		u32 off;

		ASSERT_EQ(mh_set_policy(&f->h, p), 0);
		mh_stats(&f->h, &st);
		EXPECT_EQ(st.policy, p);
		off = ALLOC(f, 300);
		EXPECT_CLEAN(f);
		EXPECT_EQ(mh_free(&f->h, off), 0);
	}
	ASSERT_EQ(mh_set_policy(&f->h, policy), 0);
	a = ALLOC(f, 10);
	ASSERT(a);
	EXPECT_FAILS_CLEANLY(f, mh_set_policy(&f->h, (policy + 1) %
					      MH_NR_POLICIES), -EBUSY);
	EXPECT_FAILS_CLEANLY(f, mh_set_policy(&f->h, MH_NR_POLICIES), -EINVAL);
	EXPECT_EQ(mh_free(&f->h, a), 0);
	EXPECT_FAILS_CLEANLY(f, mh_set_policy(&f->h, -1), -EINVAL);
}

static void names_round_trip(enum mh_policy policy)
{
	char with_newline[32];

	EXPECT_EQ(mh_policy_parse(mh_policy_name(policy)), policy);
	snprintf(with_newline, sizeof(with_newline), "%s\n",
		 mh_policy_name(policy));
	EXPECT_EQ(mh_policy_parse(with_newline), policy);
	EXPECT_EQ(mh_policy_parse("bogus"), -EINVAL);
	EXPECT_EQ(mh_policy_parse(""), -EINVAL);
	for (int k = 0; k < MH_NR_VIOLATION_KINDS; k++) {
		EXPECT(mh_violation_name(k) != NULL);
		for (int j = 0; j < k; j++)
			EXPECT(strcmp(mh_violation_name(j),
				      mh_violation_name(k)));
	}
}

/* The largest region: its one free block is the largest size a header holds. */
static void largest_region_works(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, MH_MAX_REGION, 0);
	struct mh_stats st;
	u32 big, small;

	ASSERT(f);
	mh_stats(&f->h, &st);
	EXPECT(st.largest_alloc >= MH_MAX_REGION / 2 - MH_HDR_SIZE);
	big = ALLOC(f, st.largest_alloc);
	ASSERT(big);
	EXPECT_CLEAN(f);
	EXPECT_EQ(mh_free(&f->h, big), 0);
	small = ALLOC(f, 10);
	big = ALLOC(f, st.largest_alloc / 2);
	ASSERT(small && big);
	EXPECT(big + st.largest_alloc / 2 <= MH_MAX_REGION);
	EXPECT_CLEAN(f);
}

static const struct test_case cases[] = {
	TEST(init_gives_one_empty_heap, ALL_POLICIES),
	TEST(alloc_and_free_roundtrip, ALL_POLICIES),
	TEST(blocks_are_minimal, NOT_BUDDY),
	TEST(zero_flag_clears_payload, ALL_POLICIES),
	TEST(alignment_up_to_max, NOT_BUDDY),
	TEST(buddy_refuses_large_alignment, ONLY(MH_BUDDY)),
	TEST(realloc_shrinks_in_place, NOT_BUDDY),
	TEST(realloc_grows_into_free_neighbour, NOT_BUDDY),
	TEST(realloc_moves_and_preserves, ALL_POLICIES),
	TEST(realloc_failure_leaves_block, ALL_POLICIES),
	TEST(results_agree_with_queries, ALL_POLICIES),
	TEST(probe_tells_what_is_there, ALL_POLICIES),
	TEST(reset_empties_and_invalidates, ALL_POLICIES),
	TEST(set_policy_only_when_empty, ALL_POLICIES),
	TEST(names_round_trip, ALL_POLICIES),
	TEST(largest_region_works, ALL_POLICIES),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
