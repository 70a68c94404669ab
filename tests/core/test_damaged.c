// SPDX-License-Identifier: GPL-2.0
/*
 * test_damaged.c - operations on a damaged heap: each refuses with the
 * documented errno (-EUCLEAN for damaged metadata, -EBADMSG for a header
 * that fails its check) and changes nothing, and no amount of garbage
 * makes the core crash, hang or reach outside its region (ASan watches
 * the exact-size region).
 */
#include <stdint.h>
#include <string.h>

#include "damage.h"
#include "pattern.h"

#define REGION		(64u << 10)

static u64 corruptions(struct fixture *f)
{
	struct mh_stats st;

	mh_stats(&f->h, &st);
	return st.count.corruptions;
}

/* Non-buddy: a's right neighbour b has a scribbled header. */
static void neighbour_with_bad_header(enum mh_policy policy)
{
	struct three t;
	u32 moved;

	ASSERT(three_setup(&t, policy, 0));
	t.f->region[t.b - 1] ^= 0x40;
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.b), -EBADMSG);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.b, 10, &moved),
			     -EBADMSG);
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.a), -EUCLEAN);
	EXPECT_FAILS_CLEANLY(t.f, mh_realloc(&t.f->h, t.a, 1000, &moved),
			     -EUCLEAN);
	EXPECT_EQ(corruptions(t.f), 2);
	/* c's PREV_FREE bit says b is in use: c can go without reading b */
	EXPECT_EQ(mh_free(&t.f->h, t.c), 0);
}

/* Non-buddy: b is free with a bad boundary tag; freeing c must read it. */
static void neighbour_with_bad_footer(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr hd;
	u32 blk;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	blk = t.b - MH_HDR_SIZE;
	hd = hdr_at(t.f, blk);
	poke32(t.f, blk + hd.size - MH_TAG_SIZE, hd.size - MH_ALIGN);
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.c), -EUCLEAN);
	/* a tag pointing outside the heap */
	poke32(t.f, blk + hd.size - MH_TAG_SIZE, 0xfffffff0u);
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.c), -EUCLEAN);
}

/*
 * Non-buddy: c's PREV_FREE bit forged on while b is in use, and b's last
 * payload bytes made to look like a boundary tag: freeing c must not merge
 * the block in use.
 */
static void forged_prev_free_cannot_swallow_a_used_block(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr b_hd, c_hd;

	ASSERT(three_setup(&t, policy, 0));
	b_hd = hdr_at(t.f, t.b - MH_HDR_SIZE);
	c_hd = hdr_at(t.f, t.c - MH_HDR_SIZE);
	c_hd.prev_free = true;
	forge_hdr(t.f, t.c - MH_HDR_SIZE, c_hd);
	poke32(t.f, t.c - MH_HDR_SIZE - MH_TAG_SIZE, b_hd.size);
	EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h, t.c), -EUCLEAN);
	/* b is still in use; its end now disagrees with c, so it is damage */
	EXPECT(hdr_at(t.f, t.b - MH_HDR_SIZE).used);
	EXPECT_EQ(mh_probe(&t.f->h, t.b), -EUCLEAN);
}

/*
 * Non-buddy: a header forged to swallow the block after it is refused
 * however far from its start that block's start is: within one word of
 * the start bitmap, across its first, second and third summary levels
 * (64 KiB, 4 MiB and more per word in the largest region). Unforged, the
 * same large blocks free and are taken again (the scan finds nothing
 * inside).
 */
static void forged_size_refused_at_any_distance(enum mh_policy policy)
{
	static const u32 sizes[] = { 512, 100u << 10, 5u << 20, 70u << 20 };
	struct fixture *f = fixture_new(policy, MH_MAX_REGION, 0);
	u32 big[4], small[4];

	ASSERT(f);
	for (size_t i = 0; i < 4; i++) {
		big[i] = ALLOC(f, sizes[i]);
		small[i] = ALLOC(f, 40);
		ASSERT(big[i] && small[i]);
	}
	for (size_t i = 0; i < 4; i++) {
		u32 blk = big[i] - MH_HDR_SIZE;
		struct mh_hdr hd = hdr_at(f, blk), forged = hd;

		/* ends exactly where the next block starts: only the bitmap
		 * can tell that small[i] starts inside */
		forged.size += hdr_at(f, small[i] - MH_HDR_SIZE).size;
		forge_hdr(f, blk, forged);
		EXPECT_EQ(mh_free(&f->h, big[i]), -EUCLEAN);
		EXPECT_EQ(mh_probe(&f->h, big[i]), -EUCLEAN);
		forge_hdr(f, blk, hd);
		EXPECT_EQ(mh_free(&f->h, big[i]), 0);
		EXPECT(ALLOC(f, sizes[i]));	/* a take over a large block */
		EXPECT_CLEAN(f);
	}
	EXPECT_CLEAN(f);
}

/* Any policy: a free block's list links scribbled. */
static void free_list_link_scribbled(enum mh_policy policy)
{
	static const u32 garbage[] = { 0x7ffffff8u, 8, 24, REGION - 8, 1 };
	struct three t;

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		struct mh_block_info next;
		long long r;
		u32 off = 0;

		ASSERT(three_setup(&t, policy, 0));
		EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
		poke32(t.f, t.b - MH_HDR_SIZE + MH_NEXT_AT, garbage[i]);
		/* freeing the block after b merges b: it must unlink b first */
		ASSERT_EQ(mh_block_at(&t.f->h, t.b - MH_HDR_SIZE, &next), 0);
		if (policy != MH_BUDDY)
			EXPECT_FAILS_CLEANLY(t.f, mh_free(&t.f->h,
				next.next + MH_HDR_SIZE), -EUCLEAN);
		/* an allocation may find another block, or must refuse */
		{
			struct heap_snapshot *before = snapshot(t.f);

			r = mh_alloc(&t.f->h, 150, 0, 0, &off);
			if (r) {
				EXPECT_EQ(r, -EUCLEAN);
				EXPECT(!snapshot_diff(before, &t.f->h));
			} else {
				EXPECT(off + 150 <= REGION);
			}
		}
	}
}

/*
 * Buddy: a block's buddy has a scribbled header. Freeing it must refuse;
 * so must a realloc that would move it, and the refused realloc must
 * leave everything (peak, high water, lists) as it was.
 */
static void buddy_with_bad_buddy(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 x = 0, y = 0, moved;
	struct mh_block_info bi;

	ASSERT(f);
	/* two used buddies of 128 bytes: x's buddy is y */
	for (int i = 0; i < 16 && !y; i++) {
		u32 off = ALLOC(f, 100);

		ASSERT(off);
		if (x && buddy_of(f, x - MH_HDR_SIZE, 128) == off - MH_HDR_SIZE)
			y = off;
		else
			x = off;
	}
	ASSERT(y);
	ASSERT_EQ(mh_block_at(&f->h, y - MH_HDR_SIZE, &bi), 0);
	ASSERT_EQ(bi.size, 128);
	f->region[y - 1] ^= 0x40;
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, x), -EUCLEAN);
	EXPECT_FAILS_CLEANLY(f, mh_realloc(&f->h, x, 5000, &moved), -EUCLEAN);
}

/*
 * Every policy: after random bytes land anywhere in the region, no
 * operation crashes, hangs or reaches outside the region, each returns 0
 * or a documented errno, and a refused one changes nothing.
 */
static u64 rng_state;

static u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)rng_state;
}

static int count_blocks(void *arg, const struct mh_block_info *b)
{
	u32 *n = arg;

	EXPECT(b->offset >= MH_HDR_SIZE && b->size > 0 &&
	       b->offset + (u64)b->size <= REGION && b->next > b->offset);
	return ++*n > REGION / MH_ALIGN;	/* more would mean a loop */
}

static int count_free(void *arg, const struct mh_free_info *fi)
{
	u32 *n = arg;

	EXPECT(fi->offset + (u64)fi->size <= REGION);
	return ++*n > REGION / MH_MIN_BLOCK;
}

static bool documented(long long r, bool alloc)
{
	if (alloc)
		return r == 0 || r == -ENOMEM || r == -EUCLEAN;
	return r == 0 || r == -ENXIO || r == -EBADMSG || r == -EALREADY ||
	       r == -EUCLEAN || r == -ENOMEM;
}

static void garbage_round(enum mh_policy policy, u32 round)
{
	struct fixture *f = fixture_new(policy, REGION, round % 2 ?
					MH_INIT_POISON : 0);
	u32 live[24], n = 0, walked = 0, listed = 0;
	struct mh_stats st;

	if (!f)
		return;
	for (int i = 0; i < 24; i++)
		if (mh_alloc(&f->h, 1 + rng() % 2000, 0, 0, &live[n]) == 0)
			n++;
	for (u32 i = 0; i < n; i += 3)
		mh_free(&f->h, live[i]);
	/* damage: single bytes, or a run over a header and its neighbours */
	for (u32 k = 1 + rng() % 8; k; k--) {
		u32 at = rng() % REGION, len = rng() % 2 ? 1 : rng() % 64;

		for (u32 j = 0; j < len && at + j < REGION; j++)
			f->region[at + j] = (u8)rng();
	}
	for (int op = 0; op < 40; op++) {
		u32 pick = live[rng() % n], off = 0;
		long long r;

		switch (rng() % 4) {
		case 0: {
			struct heap_snapshot *before = snapshot(f);

			r = mh_alloc(&f->h, 1 + rng() % 3000, 0, 0, &off);
			if (!EXPECT(documented(r, true)))
				return;
			if (!r)
				EXPECT(off + 1 <= REGION);
			else	/* a refusal changes nothing */
				EXPECT(!snapshot_diff(before, &f->h));
			break;
		}
		case 1:
			r = mh_free(&f->h, pick);
			if (!EXPECT(documented(r, false)))
				return;
			break;
		case 2:
			r = mh_realloc(&f->h, pick, 1 + rng() % 3000, &off);
			if (!EXPECT(documented(r, false)))
				return;
			break;
		default:
			r = mh_free(&f->h, rng() % (REGION + 64));
			if (!EXPECT(documented(r, false)))
				return;
		}
	}
	mh_check(&f->h, NULL);
	mh_walk(&f->h, count_blocks, &walked);
	mh_walk_free(&f->h, count_free, &listed);
	mh_stats(&f->h, &st);
	EXPECT(walked <= REGION / MH_ALIGN && listed <= REGION / MH_MIN_BLOCK);
}

static void garbage_never_crashes(enum mh_policy policy)
{
	rng_state = 0x9e3779b97f4a7c15ull ^ policy;
	for (u32 round = 0; round < 300; round++)
		garbage_round(policy, round);
}

static const struct test_case cases[] = {
	TEST(neighbour_with_bad_header, NOT_BUDDY),
	TEST(neighbour_with_bad_footer, NOT_BUDDY),
	TEST(forged_prev_free_cannot_swallow_a_used_block, NOT_BUDDY),
	TEST(forged_size_refused_at_any_distance, NOT_BUDDY),
	TEST(free_list_link_scribbled, ALL_POLICIES),
	TEST(buddy_with_bad_buddy, ONLY(MH_BUDDY)),
	TEST(garbage_never_crashes, ALL_POLICIES),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
