// SPDX-License-Identifier: GPL-2.0
/*
 * test_stats.c - mh_stats(): byte and block totals, internal and external
 * fragmentation, the free histogram, peak and high water, the counters
 * and "searched", checked against hand-computed layouts and against sums
 * taken independently over mh_walk() and mh_walk_free(); and
 * mh_walk_free_from() resuming the free walk anywhere.
 */
#include <string.h>

#include "mh_test.h"

#define REGION		(64u << 10)

/* Totals recomputed from the walks, to compare with mh_stats(). */
struct walk_sums {
	u64 used_blocks, free_blocks, used_bytes, free_bytes, requested;
	u64 granted, largest_free, listed, listed_bytes;
	u64 hist[MH_HIST_BUCKETS];
};

static int sum_block(void *arg, const struct mh_block_info *b)
{
	struct walk_sums *s = arg;
	int k = 0;

	if (b->used) {
		s->used_blocks++;
		s->used_bytes += b->size;
		s->requested += b->requested;
		s->granted += b->granted;
		return 0;
	}
	s->free_blocks++;
	s->free_bytes += b->size;
	if (b->size > s->largest_free)
		s->largest_free = b->size;
	while ((2ull << k) <= b->size)
		k++;
	s->hist[k]++;
	return 0;
}

static int sum_free(void *arg, const struct mh_free_info *fi)
{
	struct walk_sums *s = arg;

	s->listed++;
	s->listed_bytes += fi->size;
	return fi->size < fi->class_min || fi->size > fi->class_max;
}

static void expect_stats_match_walks(struct fixture *f)
{
	struct walk_sums s = { 0 };
	struct mh_stats st;

	EXPECT_EQ(mh_walk(&f->h, sum_block, &s), 0);
	EXPECT_EQ(mh_walk_free(&f->h, sum_free, &s), 0);	/* in class */
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.used_blocks, s.used_blocks);
	EXPECT_EQ(st.free_blocks, s.free_blocks);
	EXPECT_EQ(s.listed, s.free_blocks);
	EXPECT_EQ(s.listed_bytes, s.free_bytes);
	EXPECT_EQ(st.used_bytes, s.used_bytes);
	EXPECT_EQ(st.free_bytes, s.free_bytes);
	EXPECT_EQ(st.requested_bytes, s.requested);
	EXPECT_EQ(st.granted_bytes, s.granted);
	EXPECT_EQ(st.internal_frag, s.granted - s.requested);
	EXPECT_EQ(st.largest_free, s.largest_free);
	EXPECT_EQ(st.largest_alloc, s.largest_free ? s.largest_free - 8 : 0);
	EXPECT_EQ(st.heap_size, s.used_bytes + s.free_bytes);
	EXPECT_EQ(st.overhead_bytes, st.region_size - st.heap_size +
		  (s.used_blocks + s.free_blocks) * MH_HDR_SIZE);
	EXPECT_EQ(st.external_frag_ppm, s.free_bytes ?
		  1000000 - s.largest_free * 1000000 / s.free_bytes : 0);
	EXPECT(!memcmp(st.free_hist, s.hist, sizeof(s.hist)));
}

/* a(100) b(200) c(300), b freed: every figure by hand. */
static void figures_of_a_known_layout(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_stats st;
	u32 a, b, c;
	u64 tail;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 200);
	c = ALLOC(f, 300);
	ASSERT(a && b && c);
	EXPECT_EQ(mh_free(&f->h, b), 0);
	ASSERT(EXPECT_LAYOUT(f, "U112 F208 U320 F*"));
	mh_stats(&f->h, &st);
	tail = st.heap_size - 112 - 208 - 320;
	EXPECT_EQ(st.requested_bytes, 400);
	EXPECT_EQ(st.granted_bytes, 104 + 312);
	EXPECT_EQ(st.internal_frag, 16);
	EXPECT_EQ(st.used_bytes, 112 + 320);
	EXPECT_EQ(st.used_blocks, 2);
	EXPECT_EQ(st.free_blocks, 2);
	EXPECT_EQ(st.free_bytes, 208 + tail);
	EXPECT_EQ(st.largest_free, tail);
	EXPECT_EQ(st.largest_alloc, tail - 8);
	EXPECT_EQ(st.external_frag_ppm, 1000000 - tail * 1000000 / (208 + tail));
	EXPECT_EQ(st.free_hist[7], 1);		/* 208 in [128, 256) */
	EXPECT_EQ(st.free_hist[15], 1);		/* ~64 KiB tail */
	EXPECT_EQ(st.overhead_bytes, 4 * 8 + 8 + st.region_size - 8 -
		  st.heap_size);
	EXPECT_EQ(st.peak_requested, 600);
	EXPECT_EQ(st.high_water, 8 + 112 + 208 + 320);
	EXPECT_EQ(st.count.allocs, 3);
	EXPECT_EQ(st.count.frees, 1);
	EXPECT_EQ(st.count.splits, 3);
	EXPECT_EQ(st.count.coalesces, 0);
	EXPECT(st.count.searched >= 3);
	EXPECT(st.count.searched_max >= 1);
	expect_stats_match_walks(f);
}

/* Many shapes, every policy: the stats agree with the walks. */
static void stats_agree_with_walks(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 live[200];
	int n = 0;

	ASSERT(f);
	expect_stats_match_walks(f);
	for (int i = 0; i < 200; i++) {
		size_t size = 1 + (size_t)(i * 37 % 600);
		u32 off;

		if (mh_alloc(&f->h, size, 0, 0, &off) == 0)
			live[n++] = off;
		if (i % 3 == 2 && n > 1) {
			EXPECT_EQ(mh_free(&f->h, live[n / 2]), 0);
			n--;
			live[n / 2] = live[n];
		}
		if (i % 20 == 0)
			expect_stats_match_walks(f);
	}
	expect_stats_match_walks(f);
	while (n)
		EXPECT_EQ(mh_free(&f->h, live[--n]), 0);
	expect_stats_match_walks(f);
}

/* End of the block whose payload is at @off (its usable size past it). */
static u64 block_end(struct fixture *f, u32 off)
{
	size_t usable = 0;

	EXPECT_EQ(mh_usable_size(&f->h, off, &usable), 0);
	return off + usable;
}

static void peak_and_high_water_remember(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_stats st;
	u64 water, end;
	u32 a, b, c, moved = 0;

	ASSERT(f);
	a = ALLOC(f, 1000);
	b = ALLOC(f, 3000);
	ASSERT(a && b);
	water = block_end(f, a) > block_end(f, b) ? block_end(f, a)
						    : block_end(f, b);
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.high_water, water);
	EXPECT_EQ(mh_free(&f->h, b), 0);
	EXPECT_EQ(mh_free(&f->h, a), 0);
	c = ALLOC(f, 10);
	ASSERT(c);
	end = block_end(f, c);
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.requested_bytes, 10);
	EXPECT_EQ(st.peak_requested, 4000);
	EXPECT_EQ(st.high_water, end > water ? end : water);
	/* realloc counts the new size, not old + new, towards the peak */
	ASSERT_EQ(mh_reset(&f->h, policy), 0);
	a = ALLOC(f, 500);
	ASSERT(a);
	ASSERT(ALLOC(f, 16));		/* a must move */
	ASSERT_EQ(mh_realloc(&f->h, a, 2000, &moved), 0);
	EXPECT(moved != a);
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.peak_requested, 2016);
}

static void failures_are_counted(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_stats st;
	u32 off = 0;

	ASSERT(f);
	off = ALLOC(f, 10);
	EXPECT(mh_alloc(&f->h, 0, 0, 0, &off) < 0);
	EXPECT(mh_alloc(&f->h, REGION, 0, 0, &off) < 0);
	EXPECT(mh_free(&f->h, 3) < 0);
	EXPECT(mh_realloc(&f->h, 3, 10, &off) < 0);
	EXPECT(mh_realloc(&f->h, 3, 0, &off) < 0);
	EXPECT(mh_realloc(&f->h, off, 20, &off) == 0);
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.count.allocs, 1);
	EXPECT_EQ(st.count.failed_allocs, 2);
	EXPECT_EQ(st.count.frees, 0);
	EXPECT_EQ(st.count.failed_frees, 1);
	EXPECT_EQ(st.count.reallocs, 1);
	EXPECT_EQ(st.count.failed_reallocs, 2);
	EXPECT_EQ(st.count.corruptions, 0);
	EXPECT_EQ(st.count.poison_errors, 0);
}

/*
 * "searched": with 100 small free blocks in front of a large request, the
 * address-ordered policies examine them all, the class-indexed ones don't.
 */
static void searched_shows_the_search_cost(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_stats before, after;
	/* pools would put 44 bytes in slots: blocks there start at 129 */
	size_t sz = policy == MH_POOLS ? 160 : 44;
	u32 small[100];
	u64 searched;

	ASSERT(f);
	for (int i = 0; i < 100; i++) {
		small[i] = ALLOC(f, sz);
		ASSERT(ALLOC(f, sz));		/* keeps the holes apart */
	}
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(mh_free(&f->h, small[i]), 0);
	mh_stats(&f->h, &before);
	if (policy != MH_BUDDY)
		EXPECT_EQ(before.free_blocks, 101);
	ASSERT(ALLOC(f, 2000));
	mh_stats(&f->h, &after);
	searched = after.count.searched - before.count.searched;
	EXPECT_EQ(after.count.searched_max >= searched, 1);
	if (policy == MH_FIRST_FIT || policy == MH_BEST_FIT ||
	    policy == MH_WORST_FIT)
		EXPECT_EQ(searched, 101);
	else if (SEG_LISTS(policy) || policy == MH_BUDDY)
		EXPECT(searched <= 2);
	else
		EXPECT(searched >= 1 && searched <= 101);
}

/* The free blocks of a walk, in order. */
struct free_seen {
	u32 n, max;
	struct mh_free_info f[256];
};

static int note_free(void *arg, const struct mh_free_info *fi)
{
	struct free_seen *s = arg;

	if (s->n == s->max)
		return 1;
	s->f[s->n++] = *fi;
	return 0;
}

/*
 * mh_walk_free_from() at each block of a walk reports exactly the rest of
 * that walk; at a block taken off its list since, nothing (-ESTALE).
 */
static void walk_free_resumes_anywhere(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct free_seen all = { .max = 256 }, rest;
	struct mh_block_info b;
	u32 live[120], i, k, x;

	ASSERT(f);
	for (i = 0; i < 120; i++)
		ASSERT((live[i] = ALLOC(f, 16 + i * 29 % 200)));
	for (i = 0; i < 120; i += 2)
		EXPECT_EQ(mh_free(&f->h, live[i]), 0);
	EXPECT_EQ(mh_walk_free(&f->h, note_free, &all), 0);
	ASSERT(all.n > 10);
	for (k = 0; k < all.n; k++) {
		rest = (struct free_seen){ .max = 256 };
		EXPECT_EQ(mh_walk_free_from(&f->h, all.f[k].list,
					    all.f[k].offset, note_free, &rest), 0);
		ASSERT_EQ(rest.n, all.n - k);
		EXPECT(!memcmp(rest.f, all.f + k, rest.n * sizeof(rest.f[0])));
	}
	/* From the head of each list: that list and the ones after it. */
	rest = (struct free_seen){ .max = 256 };
	EXPECT_EQ(mh_walk_free_from(&f->h, all.f[all.n - 1].list, 0, note_free,
				    &rest), 0);
	EXPECT(rest.n >= 1 && rest.f[rest.n - 1].offset == all.f[all.n - 1].offset);
	EXPECT_EQ(mh_walk_free_from(&f->h, 1000, 0, note_free, &rest), 0);
	/* The wrong list, a block in use. */
	EXPECT_EQ(mh_walk_free_from(&f->h, all.f[0].list + 1, all.f[0].offset,
				    note_free, &rest), -ESTALE);
	EXPECT_EQ(mh_walk_free_from(&f->h, 0, live[1] - MH_HDR_SIZE,
				    note_free, &rest), -ESTALE);
	if (policy == MH_BUDDY)	/* merges with its buddy only */
		goto out;
	/* A block merged into the one before it is no block any more. */
	x = all.f[all.n / 2].offset;
	for (b.next = mh_first_block(&f->h); !mh_block_at(&f->h, b.next, &b);)
		if (b.next == x)
			break;
	ASSERT(b.next == x && b.used);
	EXPECT_EQ(mh_free(&f->h, b.offset + MH_HDR_SIZE), 0);
	rest.n = 0;
	EXPECT_EQ(mh_walk_free_from(&f->h, all.f[all.n / 2].list, x, note_free,
				    &rest), -ESTALE);
	EXPECT_EQ(rest.n, 0);
out:
	EXPECT_CLEAN(f);
}

static const struct test_case cases[] = {
	TEST(figures_of_a_known_layout, NOT_BUDDY),
	TEST(walk_free_resumes_anywhere, ALL_POLICIES),
	TEST(stats_agree_with_walks, ALL_POLICIES),
	TEST(peak_and_high_water_remember, ALL_POLICIES),
	TEST(failures_are_counted, ALL_POLICIES),
	TEST(searched_shows_the_search_cost, ALL_POLICIES),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
