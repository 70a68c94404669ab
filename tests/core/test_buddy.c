// SPDX-License-Identifier: GPL-2.0
/*
 * test_buddy.c - the buddy system's own rules: power-of-two blocks aligned
 * to their size, splitting on demand, buddies merging on free (and only
 * buddies), in-place shrinking by halves.
 */
#include <string.h>

#include "mh_test.h"

#define REGION		(64u << 10)

static u32 pow2_at_least(u32 n)
{
	u32 p = MH_MIN_BLOCK;

	while (p < n)
		p <<= 1;
	return p;
}

struct shape {
	struct fixture *f;
	int bad;
};

static int expect_buddy_shape(void *arg, const struct mh_block_info *b)
{
	struct shape *sh = arg;

	if (b->size < MH_MIN_BLOCK || (b->size & (b->size - 1)) ||
	    buddy_rel(sh->f, b->offset, b->size) % b->size)
		sh->bad++;
	return 0;
}

static void blocks_are_aligned_powers_of_two(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct shape sh = { .f = f };

	ASSERT(f);
	for (size_t size = 1; size < 3000; size += 37) {
		size_t usable = 0;
		u32 off;

		if (mh_alloc(&f->h, size, 0, 0, &off))
			break;
		EXPECT_EQ(mh_usable_size(&f->h, off, &usable), 0);
		EXPECT_EQ(usable, pow2_at_least(size + MH_HDR_SIZE) - MH_HDR_SIZE);
	}
	EXPECT_EQ(mh_walk(&f->h, expect_buddy_shape, &sh), 0);
	EXPECT_EQ(sh.bad, 0);
	EXPECT_CLEAN(f);
}

static void freed_buddies_merge_back(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	const char *fresh;
	u32 off[40];
	int n = 0;

	ASSERT(f);
	fresh = layout(f);
	while (n < 40 && (off[n] = ALLOC(f, 8 + 50 * n)))
		n++;
	ASSERT_EQ(n, 40);
	/* odd ones first: nothing merges with a buddy in use */
	for (int i = 1; i < n; i += 2)
		EXPECT_EQ(mh_free(&f->h, off[i]), 0);
	EXPECT_CLEAN(f);
	for (int i = 0; i < n; i += 2)
		EXPECT_EQ(mh_free(&f->h, off[i]), 0);
	EXPECT_LAYOUT(f, fresh);
}

/* Find two blocks of 128 bytes in use that are each other's buddy. */
static bool buddy_pair(struct fixture *f, u32 *x, u32 *y)
{
	u32 seen[32];

	for (int n = 0; n < 32; n++) {
		if (!(seen[n] = ALLOC(f, 100)))
			return false;
		for (int i = 0; i < n; i++) {
			if (buddy_of(f, seen[i] - MH_HDR_SIZE, 128) ==
			    seen[n] - MH_HDR_SIZE) {
				*x = seen[i] < seen[n] ? seen[i] : seen[n];
				*y = seen[i] < seen[n] ? seen[n] : seen[i];
				return true;
			}
		}
	}
	return false;
}

static void only_free_whole_buddies_merge(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_block_info b;
	struct mh_stats before, after;
	u32 x, y;

	ASSERT(f);
	ASSERT(buddy_pair(f, &x, &y));
	EXPECT_EQ(mh_free(&f->h, x), 0);
	ASSERT_EQ(mh_block_at(&f->h, x - MH_HDR_SIZE, &b), 0);
	EXPECT(!b.used && b.size == 128);	/* its buddy y is in use */
	EXPECT_EQ(mh_probe(&f->h, y), 0);
	mh_stats(&f->h, &before);
	EXPECT_EQ(mh_free(&f->h, y), 0);
	mh_stats(&f->h, &after);
	EXPECT(after.count.coalesces > before.count.coalesces);
	/* the merged block starts at the lower buddy, the upper is absorbed */
	ASSERT_EQ(mh_block_at(&f->h, x - MH_HDR_SIZE, &b), 0);
	EXPECT(!b.used && b.size >= 256);
	EXPECT_EQ(mh_probe(&f->h, y), -EBADMSG);
	EXPECT_CLEAN(f);
}

static void realloc_shrinks_by_halves(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_block_info b;
	u32 x, moved = 0, blk;

	ASSERT(f);
	x = ALLOC(f, 1000);
	ASSERT(x);
	memset(f->region + x, 0x3c, 1000);
	ASSERT_EQ(mh_realloc(&f->h, x, 100, &moved), 0);
	EXPECT_EQ(moved, x);
	for (int i = 0; i < 100; i++)
		if (!EXPECT_EQ(f->region[x + i], 0x3c))
			break;
	blk = x - MH_HDR_SIZE;
	for (u32 size = 128, used = 1; size <= 512; used = 0) {
		ASSERT_EQ(mh_block_at(&f->h, blk, &b), 0);
		EXPECT_EQ(b.size, size);
		EXPECT_EQ(b.used, used);
		blk += size;
		if (!used)
			size *= 2;
	}
	EXPECT_CLEAN(f);
	/* growing back within a free buddy is not in place: it moves */
	ASSERT_EQ(mh_realloc(&f->h, x, 1000, &moved), 0);
	for (int i = 0; i < 100; i++)
		if (!EXPECT_EQ(f->region[moved + i], 0x3c))
			break;
	EXPECT_CLEAN(f);
}

/*
 * A buddy free reports its merges: none beside a buddy in use; freeing
 * that buddy merges with the lower one (and up the orders while the
 * buddies are free and whole), the result the block the layout shows.
 * A shrink in place gives back halves: no free to report.
 */
static void free_reports_buddy_merges(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_result r = { 0 };
	struct mh_block_info b;
	u32 x, y;

	ASSERT(f);
	ASSERT(buddy_pair(f, &x, &y));
	ASSERT_EQ(mh_free_result(&f->h, x, &r), 0);
	EXPECT_EQ(r.freed.flags, 0);
	EXPECT_EQ(r.freed.merges, 0);
	EXPECT_EQ(r.freed.freed_size, 128);
	EXPECT_EQ(r.freed.block, x - MH_HDR_SIZE);
	EXPECT_EQ(r.freed.size, 128);

	ASSERT_EQ(mh_free_result(&f->h, y, &r), 0);
	ASSERT_EQ(mh_block_at(&f->h, r.freed.block, &b), 0);
	EXPECT(!b.used);
	EXPECT_EQ(b.size, r.freed.size);
	EXPECT(r.freed.merges >= 1);
	EXPECT_EQ(r.freed.size, 128u << r.freed.merges);
	EXPECT(r.freed.flags & MH_FREED_LEFT);
	EXPECT(r.freed.left <= x - MH_HDR_SIZE);
	EXPECT_EQ(r.freed.left, r.freed.block);
	EXPECT_EQ(r.freed.left_size, y - r.freed.block - MH_HDR_SIZE);
	EXPECT_EQ(r.freed.freed_size, 128);
	EXPECT_EQ(r.freed.left_size + 128 + r.freed.right_size, r.freed.size);
	EXPECT_EQ(!!(r.freed.flags & MH_FREED_RIGHT), r.freed.right_size > 0);
	if (r.freed.right)
		EXPECT_EQ(r.freed.right, y - MH_HDR_SIZE + 128);

	x = ALLOC(f, 1000);
	ASSERT(x);
	ASSERT_EQ(mh_realloc_result(&f->h, x, 100, &r), 0);
	EXPECT_EQ(r.offset, x);
	EXPECT_EQ(r.how, MH_RESIZE_SHRANK);
	EXPECT_EQ(r.freed.size, 0);
	EXPECT_CLEAN(f);
}

static const struct test_case cases[] = {
	TEST(blocks_are_aligned_powers_of_two, ONLY(MH_BUDDY)),
	TEST(freed_buddies_merge_back, ONLY(MH_BUDDY)),
	TEST(only_free_whole_buddies_merge, ONLY(MH_BUDDY)),
	TEST(realloc_shrinks_by_halves, ONLY(MH_BUDDY)),
	TEST(free_reports_buddy_merges, ONLY(MH_BUDDY)),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
