// SPDX-License-Identifier: GPL-2.0
/*
 * test_coalesce.c - splitting and coalescing, case by case, checked with
 * mh_walk() (the layout), mh_check(), the counters and the observer.
 *
 * Every case starts from a row of five 112-byte blocks with the rest of
 * the heap taken by one big block, so the only free blocks are the ones
 * the case frees and every non-buddy policy must behave the same.
 */
#include <string.h>

#include "damage.h"
#include "mh_test.h"

#define REGION		(16u << 10)
#define ROW		5

struct row {
	struct fixture *f;
	u32 b[ROW];	/* payload offsets, 100 bytes asked: 112-byte blocks */
	u32 rest;
};

static bool row_setup(struct row *r, enum mh_policy policy)
{
	struct mh_stats st;

	r->f = fixture_new(policy, REGION, 0);
	if (!r->f)
		return false;
	for (int i = 0; i < ROW; i++)
		if (!(r->b[i] = ALLOC(r->f, 100)))
			return false;
	mh_stats(&r->f->h, &st);
	r->rest = ALLOC(r->f, st.largest_alloc);
	return r->rest && EXPECT_LAYOUT(r->f, "U112 U112 U112 U112 U112 U*");
}

struct events {
	int n;
	struct { enum mh_event ev; u32 off, size; } e[8];
};

static void record(void *ctx, enum mh_event ev, u32 off, u32 size)
{
	struct events *evs = ctx;

	if (evs->n < 8) {
		evs->e[evs->n].ev = ev;
		evs->e[evs->n].off = off;
		evs->e[evs->n].size = size;
	}
	evs->n++;
}

static u64 coalesces(struct fixture *f)
{
	struct mh_stats st;

	mh_stats(&f->h, &st);
	return st.count.coalesces;
}

static void free_without_free_neighbours(enum mh_policy policy)
{
	struct row r;

	ASSERT(row_setup(&r, policy));
	EXPECT_EQ(mh_free(&r.f->h, r.b[2]), 0);
	EXPECT_LAYOUT(r.f, "U112 U112 F112 U112 U112 U*");
	EXPECT_EQ(coalesces(r.f), 0);
	EXPECT_EQ(mh_probe(&r.f->h, r.b[2]), -EALREADY);
}

static void free_merges_with_left(enum mh_policy policy)
{
	struct events evs = { 0 };
	struct row r;

	ASSERT(row_setup(&r, policy));
	EXPECT_EQ(mh_free(&r.f->h, r.b[1]), 0);
	mh_set_observer(&r.f->h, record, &evs);
	EXPECT_EQ(mh_free(&r.f->h, r.b[2]), 0);
	EXPECT_LAYOUT(r.f, "U112 F224 U112 U112 U*");
	EXPECT_EQ(coalesces(r.f), 1);
	ASSERT_EQ(evs.n, 1);
	EXPECT_EQ(evs.e[0].ev, MH_EV_COALESCE);
	EXPECT_EQ(evs.e[0].off, r.b[1] - MH_HDR_SIZE);
	EXPECT_EQ(evs.e[0].size, 224);
	/* the absorbed header is gone for good */
	EXPECT_EQ(mh_probe(&r.f->h, r.b[2]), -EBADMSG);
}

static void free_merges_with_right(enum mh_policy policy)
{
	struct row r;

	ASSERT(row_setup(&r, policy));
	EXPECT_EQ(mh_free(&r.f->h, r.b[2]), 0);
	EXPECT_EQ(mh_free(&r.f->h, r.b[1]), 0);
	EXPECT_LAYOUT(r.f, "U112 F224 U112 U112 U*");
	EXPECT_EQ(coalesces(r.f), 1);
	EXPECT_EQ(mh_probe(&r.f->h, r.b[1]), -EALREADY);
	EXPECT_EQ(mh_probe(&r.f->h, r.b[2]), -EBADMSG);
}

static void free_merges_with_both(enum mh_policy policy)
{
	struct events evs = { 0 };
	struct mh_stats st;
	struct row r;

	ASSERT(row_setup(&r, policy));
	EXPECT_EQ(mh_free(&r.f->h, r.b[1]), 0);
	EXPECT_EQ(mh_free(&r.f->h, r.b[3]), 0);
	EXPECT_LAYOUT(r.f, "U112 F112 U112 F112 U112 U*");
	mh_set_observer(&r.f->h, record, &evs);
	EXPECT_EQ(mh_free(&r.f->h, r.b[2]), 0);
	EXPECT_LAYOUT(r.f, "U112 F336 U112 U*");
	EXPECT_EQ(coalesces(r.f), 2);	/* two merges of two blocks */
	ASSERT_EQ(evs.n, 2);		/* one event per pair, left first */
	EXPECT_EQ(evs.e[0].ev, MH_EV_COALESCE);
	EXPECT_EQ(evs.e[0].off, r.b[1] - MH_HDR_SIZE);
	EXPECT_EQ(evs.e[0].size, 224);
	EXPECT_EQ(evs.e[1].ev, MH_EV_COALESCE);
	EXPECT_EQ(evs.e[1].off, r.b[1] - MH_HDR_SIZE);
	EXPECT_EQ(evs.e[1].size, 336);
	mh_stats(&r.f->h, &st);
	EXPECT_EQ(st.free_blocks, 1);
	EXPECT_EQ(st.free_bytes, 336);
}

static void free_at_the_heap_edges(enum mh_policy policy)
{
	struct row r;

	ASSERT(row_setup(&r, policy));
	EXPECT_EQ(mh_free(&r.f->h, r.b[0]), 0);		/* nothing on its left */
	EXPECT_EQ(mh_free(&r.f->h, r.rest), 0);		/* nothing on its right */
	EXPECT_LAYOUT(r.f, "F112 U112 U112 U112 U112 F*");
	EXPECT_EQ(mh_free(&r.f->h, r.b[4]), 0);
	EXPECT_LAYOUT(r.f, "F112 U112 U112 U112 F*");
	EXPECT_EQ(mh_free(&r.f->h, r.b[1]), 0);
	EXPECT_LAYOUT(r.f, "F224 U112 U112 F*");
	EXPECT_EQ(mh_free(&r.f->h, r.b[2]), 0);
	EXPECT_EQ(mh_free(&r.f->h, r.b[3]), 0);
	EXPECT_LAYOUT(r.f, "F*");
	EXPECT(mh_empty(&r.f->h));
}

static void split_when_the_rest_can_be_a_block(enum mh_policy policy)
{
	struct events evs = { 0 };
	struct mh_stats st;
	struct row r;
	u32 off;

	ASSERT(row_setup(&r, policy));
	EXPECT_EQ(mh_free(&r.f->h, r.b[2]), 0);
	mh_stats(&r.f->h, &st);
	mh_set_observer(&r.f->h, record, &evs);
	off = ALLOC(r.f, 40);
	EXPECT_EQ(off, r.b[2]);
	EXPECT_LAYOUT(r.f, "U112 U112 U48 F64 U112 U112 U*");
	ASSERT_EQ(evs.n, 1);
	EXPECT_EQ(evs.e[0].ev, MH_EV_SPLIT);
	EXPECT_EQ(evs.e[0].off, r.b[2] - MH_HDR_SIZE + 48);
	EXPECT_EQ(evs.e[0].size, 64);
	{
		struct mh_stats now;

		mh_stats(&r.f->h, &now);
		EXPECT_EQ(now.count.splits, st.count.splits + 1);
	}
	/* the smallest block that splits: the rest is exactly 32 bytes */
	off = ALLOC(r.f, 24);
	EXPECT_LAYOUT(r.f, "U112 U112 U48 U32 F32 U112 U112 U*");
}

static void no_split_when_the_rest_is_too_small(enum mh_policy policy)
{
	struct mh_stats before, after;
	size_t usable = 0, requested = 0;
	struct row r;
	u32 off;

	ASSERT(row_setup(&r, policy));
	EXPECT_EQ(mh_free(&r.f->h, r.b[2]), 0);
	mh_stats(&r.f->h, &before);
	off = ALLOC(r.f, 88);	/* a 96-byte block would leave 16 */
	EXPECT_EQ(off, r.b[2]);
	EXPECT_LAYOUT(r.f, "U112 U112 U112 U112 U112 U*");
	EXPECT_EQ(mh_usable_size(&r.f->h, off, &usable), 0);
	EXPECT_EQ(usable, 104);
	EXPECT_EQ(mh_requested_size(&r.f->h, off, &requested), 0);
	EXPECT_EQ(requested, 88);
	mh_stats(&r.f->h, &after);
	EXPECT_EQ(after.count.splits, before.count.splits);
	/* the slack is internal fragmentation */
	EXPECT_EQ(after.internal_frag, before.internal_frag + 104 - 88);
}

static void exact_fit_takes_the_block(enum mh_policy policy)
{
	struct row r;

	ASSERT(row_setup(&r, policy));
	EXPECT_EQ(mh_free(&r.f->h, r.b[3]), 0);
	EXPECT_EQ(ALLOC(r.f, 104), r.b[3]);
	EXPECT_LAYOUT(r.f, "U112 U112 U112 U112 U112 U*");
	{
		u32 none;	/* the heap is full again */

		EXPECT_FAILS_CLEANLY(r.f, mh_alloc(&r.f->h, 1, 0, 0, &none),
				     -ENOMEM);
	}
}

/* Free @payload, expecting success; what the free reported. */
static struct mh_freed freed(struct fixture *f, u32 payload)
{
	struct mh_result r = { 0 };

	EXPECT_EQ(mh_free_result(&f->h, payload, &r), 0);
	return r.freed;
}

/* Record a failure at @line unless the report @got is @want, field by field. */
static void freed_is(const struct mh_freed *got, struct mh_freed want, int line)
{
	if (memcmp(got, &want, sizeof(want)))
		test_failed(__FILE__, line,
			    "report: flags %u merges %u freed %u block %u+%u left %u+%u right %u+%u, want flags %u merges %u freed %u block %u+%u left %u+%u right %u+%u",
			    got->flags, got->merges, got->freed_size, got->block,
			    got->size, got->left, got->left_size, got->right,
			    got->right_size, want.flags, want.merges,
			    want.freed_size, want.block, want.size, want.left,
			    want.left_size, want.right, want.right_size);
}
#define EXPECT_FREED(got, ...) \
	freed_is(&(got), (struct mh_freed){ __VA_ARGS__ }, __LINE__)

/*
 * Each free says which neighbours it merged with and the free block that
 * resulted, as the layout after it shows: none, both, right only, left
 * only; a run of the heap's free bytes in the end.
 */
static void free_reports_its_merges(enum mh_policy policy)
{
	struct mh_freed fr;
	struct row r;
	u32 blk[ROW];

	ASSERT(row_setup(&r, policy));
	for (int i = 0; i < ROW; i++)
		blk[i] = r.b[i] - MH_HDR_SIZE;
	fr = freed(r.f, r.b[1]);
	EXPECT_FREED(fr, .freed_size = 112, .block = blk[1], .size = 112);
	fr = freed(r.f, r.b[3]);
	EXPECT_FREED(fr, .freed_size = 112, .block = blk[3], .size = 112);

	fr = freed(r.f, r.b[2]);
	EXPECT_LAYOUT(r.f, "U112 F336 U112 U*");
	EXPECT_FREED(fr, .flags = MH_FREED_LEFT | MH_FREED_RIGHT, .merges = 2,
		     .freed_size = 112, .block = blk[1], .size = 336,
		     .left = blk[1], .left_size = 112,
		     .right = blk[3], .right_size = 112);

	fr = freed(r.f, r.b[0]);
	EXPECT_LAYOUT(r.f, "F448 U112 U*");
	EXPECT_FREED(fr, .flags = MH_FREED_RIGHT, .merges = 1,
		     .freed_size = 112, .block = blk[0], .size = 448,
		     .right = blk[1], .right_size = 336);

	fr = freed(r.f, r.b[4]);
	EXPECT_LAYOUT(r.f, "F560 U*");
	EXPECT_FREED(fr, .flags = MH_FREED_LEFT, .merges = 1,
		     .freed_size = 112, .block = blk[0], .size = 560,
		     .left = blk[0], .left_size = 448);
}

/* With coalescing off (the fit policies' knob) a free merges with none. */
static void free_reports_no_merge_with_coalescing_off(enum mh_policy policy)
{
	struct mh_freed fr;
	struct row r;

	r.f = fixture_new(policy, REGION, 0);
	ASSERT(r.f);
	ASSERT_EQ(mh_set_knobs(&r.f->h, MH_ORDER_ADDR, false), 0);
	for (int i = 0; i < ROW; i++)
		ASSERT(r.b[i] = ALLOC(r.f, 100));
	EXPECT_EQ(mh_free(&r.f->h, r.b[1]), 0);
	EXPECT_EQ(mh_free(&r.f->h, r.b[3]), 0);
	fr = freed(r.f, r.b[2]);
	EXPECT_LAYOUT(r.f, "U112 F112 F112 F112 U112 F*");
	EXPECT_FREED(fr, .freed_size = 112, .block = r.b[2] - MH_HDR_SIZE,
		     .size = 112);
}

/*
 * Damage: a free refused leaves the result as it was, whichever side is
 * damaged (the left neighbour's boundary tag lies; the right one's header
 * was rewritten to say "in use" while it is still listed free); repaired,
 * the same free merges both.
 */
static void free_report_with_damaged_neighbours(enum mh_policy policy)
{
	struct mh_result res = { .offset = 1, .freed.flags = 99 };
	struct mh_hdr hd;
	struct mh_freed fr;
	struct row r;
	u32 blk1, blk3;

	ASSERT(row_setup(&r, policy));
	blk1 = r.b[1] - MH_HDR_SIZE;
	blk3 = r.b[3] - MH_HDR_SIZE;
	EXPECT_EQ(mh_free(&r.f->h, r.b[1]), 0);
	EXPECT_EQ(mh_free(&r.f->h, r.b[3]), 0);
	poke32(r.f, blk1 + 112 - MH_TAG_SIZE, 96);
	EXPECT_FAILS_CLEANLY(r.f, mh_free_result(&r.f->h, r.b[2], &res),
			     -EUCLEAN);
	poke32(r.f, blk1 + 112 - MH_TAG_SIZE, 112);

	hd = hdr_at(r.f, blk3);
	hd.used = true;
	forge_hdr(r.f, blk3, hd);
	EXPECT_FAILS_CLEANLY(r.f, mh_free_result(&r.f->h, r.b[2], &res),
			     -EUCLEAN);
	EXPECT_EQ(res.offset, 1);
	EXPECT_EQ(res.freed.flags, 99);
	hd.used = false;
	forge_hdr(r.f, blk3, hd);

	fr = freed(r.f, r.b[2]);
	EXPECT_EQ(fr.flags, MH_FREED_LEFT | MH_FREED_RIGHT);
	EXPECT_EQ(fr.block, blk1);
	EXPECT_EQ(fr.size, 336);
	EXPECT_CLEAN(r.f);
}

/*
 * Damage that makes a free merge less: the freed block's PREV_FREE bit
 * cleared through the mapping hides its free left neighbour, so the free
 * succeeds without that merge, and the report says so (the right merge
 * only); the checker then finds the PREV_FREE bit that lies.
 */
static void free_report_merges_less_when_prev_free_is_hidden(enum mh_policy policy)
{
	struct mh_violation v = { .kind = MH_V_NONE };
	struct mh_hdr hd;
	struct mh_freed fr;
	struct row r;
	u32 blk2;

	ASSERT(row_setup(&r, policy));
	blk2 = r.b[2] - MH_HDR_SIZE;
	EXPECT_EQ(mh_free(&r.f->h, r.b[1]), 0);
	EXPECT_EQ(mh_free(&r.f->h, r.b[3]), 0);
	hd = hdr_at(r.f, blk2);
	EXPECT(hd.prev_free);
	hd.prev_free = false;
	forge_hdr(r.f, blk2, hd);
	fr = freed(r.f, r.b[2]);
	EXPECT_FREED(fr, .flags = MH_FREED_RIGHT, .merges = 1,
		     .freed_size = 112, .block = blk2, .size = 224,
		     .right = r.b[3] - MH_HDR_SIZE, .right_size = 112);
	EXPECT(mh_check(&r.f->h, &v) > 0);
	EXPECT_EQ(v.kind, MH_V_PREV_FREE);
}

/*
 * A realloc says how it resized: grown into its free right neighbour,
 * shrunk giving back a tail that merged with the free block after it,
 * moved with the old block's free merging with its free right neighbour.
 */
static void realloc_reports_how(enum mh_policy policy)
{
	struct mh_result res = { 0 };
	struct row r;
	u32 blk[ROW];

	ASSERT(row_setup(&r, policy));
	for (int i = 0; i < ROW; i++)
		blk[i] = r.b[i] - MH_HDR_SIZE;
	EXPECT_EQ(mh_free(&r.f->h, r.b[3]), 0);
	ASSERT_EQ(mh_realloc_result(&r.f->h, r.b[2], 150, &res), 0);
	EXPECT_LAYOUT(r.f, "U112 U112 U160 F64 U112 U*");
	EXPECT_EQ(res.offset, r.b[2]);
	EXPECT_EQ(res.how, MH_RESIZE_GREW);
	EXPECT_EQ(res.right, blk[3]);
	EXPECT_EQ(res.right_size, 112);
	EXPECT_EQ(res.left, 0);
	EXPECT_EQ(res.freed.size, 0);

	ASSERT_EQ(mh_realloc_result(&r.f->h, r.b[2], 40, &res), 0);
	EXPECT_LAYOUT(r.f, "U112 U112 U48 F176 U112 U*");
	EXPECT_EQ(res.offset, r.b[2]);
	EXPECT_EQ(res.how, MH_RESIZE_SHRANK);
	EXPECT_EQ(res.right, 0);
	EXPECT_FREED(res.freed, .flags = MH_FREED_RIGHT, .merges = 1,
		     .freed_size = 112, .block = blk[2] + 48, .size = 176,
		     .right = blk[2] + 160, .right_size = 64);

	EXPECT_EQ(mh_free(&r.f->h, r.rest), 0);
	ASSERT_EQ(mh_realloc_result(&r.f->h, r.b[2], 1000, &res), 0);
	EXPECT(res.offset != r.b[2]);
	EXPECT_EQ(res.how, MH_RESIZE_MOVED);
	EXPECT_FREED(res.freed, .flags = MH_FREED_RIGHT, .merges = 1,
		     .freed_size = 48, .block = blk[2], .size = 224,
		     .right = blk[2] + 48, .right_size = 176);
	EXPECT_LAYOUT(r.f, "U112 U112 F224 U112 U1008 F*");
	EXPECT_CLEAN(r.f);
}

static const struct test_case cases[] = {
	TEST(free_without_free_neighbours, NOT_BUDDY),
	TEST(free_merges_with_left, NOT_BUDDY),
	TEST(free_merges_with_right, NOT_BUDDY),
	TEST(free_merges_with_both, NOT_BUDDY),
	TEST(free_at_the_heap_edges, NOT_BUDDY),
	TEST(split_when_the_rest_can_be_a_block, NOT_BUDDY),
	TEST(no_split_when_the_rest_is_too_small, NOT_BUDDY),
	TEST(exact_fit_takes_the_block, NOT_BUDDY),
	TEST(free_reports_its_merges, NOT_BUDDY),
	TEST(free_reports_no_merge_with_coalescing_off,
	     ONLY(MH_FIRST_FIT) | ONLY(MH_NEXT_FIT) | ONLY(MH_BEST_FIT) |
	     ONLY(MH_WORST_FIT)),
	TEST(free_report_with_damaged_neighbours, NOT_BUDDY),
	TEST(free_report_merges_less_when_prev_free_is_hidden, NOT_BUDDY),
	TEST(realloc_reports_how, NOT_BUDDY & ~ONLY(MH_POOLS)),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
