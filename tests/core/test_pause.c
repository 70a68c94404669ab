// SPDX-License-Identifier: GPL-2.0
/*
 * test_pause.c - the pauses of a long search (typedef mh_pause_fn): first,
 * next, best and worst fit offer one every MH_PAUSE_STEPS free blocks an
 * allocation reads, so that the kernel can let other openers in; nothing
 * else offers them. Others changing the heap during a pause run "before"
 * the rest of the search: it goes on from where it stood if that block is
 * still free, keeps its best candidate only if that is unchanged, and
 * otherwise begins again; it never takes a block someone took meanwhile.
 *
 * The "others" are the pause callback itself calling the core on the same
 * heap, as another opener would while the kernel's lock is let go.
 */
#include <stdint.h>
#include <string.h>

#include "mh_test.h"
#include "pattern.h"
#include "splitmix.h"

#define REGION		(1u << 20)
#define SMALL_HOLES	600u	/* more than two pauses' worth */
#define BIG		200u	/* bytes: a request no small hole fits */

/* Fit policies: their searches walk the one list, and pause. */
#define FITS		(ONLY(MH_FIRST_FIT) | ONLY(MH_NEXT_FIT) | \
			 ONLY(MH_BEST_FIT) | ONLY(MH_WORST_FIT))

/**
 * struct others - what the pause callback does, as other openers would.
 * @f: the heap.
 * @offered: pauses offered.
 * @let_go: return true (others may have run) even when doing nothing.
 * @inside: the callback is running (the core ops it calls must not pause).
 * @run: what the others do, on the first pause only (NULL: nothing).
 * @arg: its argument.
 * @done: @run has run (it may say it wants to run again).
 */
struct others {
	struct fixture *f;
	unsigned int offered;
	bool let_go;
	bool inside;
	void (*run)(struct others *o, void *arg);
	void *arg;
	bool done;
};

static bool others_pause(void *ctx)
{
	struct others *o = ctx;

	if (o->inside)
		return false;
	o->offered++;
	if (!o->run || o->done)
		return o->let_go;
	o->inside = true;
	o->done = true;
	o->run(o, o->arg);
	o->inside = false;
	return true;
}

/*
 * Next fit would begin after the last allocation, at the top: take the
 * whole top block (the rover leaves the list's end for its head) and give
 * it back, so that its searches walk the holes as first fit's do.
 */
static bool park_rover_at_head(struct fixture *f)
{
	struct mh_stats st;
	u32 top;

	if (f->h.policy != MH_NEXT_FIT)
		return true;
	mh_stats(&f->h, &st);
	top = ALLOC(f, st.largest_free - MH_HDR_SIZE);
	return top && EXPECT_EQ(mh_free(&f->h, top), 0);
}

/*
 * The heap the cases start from: SMALL_HOLES free 32-byte blocks between
 * live ones, then @extra free blocks of the sizes given (each followed by
 * a live separator), then the top free block. Offsets of the extras'
 * payloads go to @extra_at.
 */
static bool holes_setup(struct fixture *f, const size_t *extra, u32 n_extra,
			u32 *extra_at)
{
	u32 small[SMALL_HOLES], i;

	for (i = 0; i < SMALL_HOLES; i++) {
		small[i] = ALLOC(f, 16);
		if (!small[i] || !ALLOC(f, 16))
			return false;
	}
	for (i = 0; i < n_extra; i++) {
		extra_at[i] = ALLOC(f, extra[i]);
		if (!extra_at[i] || !ALLOC(f, 16))
			return false;
	}
	for (i = 0; i < SMALL_HOLES; i++)
		if (!EXPECT_EQ(mh_free(&f->h, small[i]), 0))
			return false;
	for (i = 0; i < n_extra; i++)
		if (!EXPECT_EQ(mh_free(&f->h, extra_at[i]), 0))
			return false;
	return park_rover_at_head(f) && EXPECT_CLEAN(f);
}

/* The fit policies offer a pause per MH_PAUSE_STEPS blocks; none other. */
static void pauses_offered_by_fit_searches_only(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct others o = { .f = f };
	size_t big = BIG;
	u32 at, off, moved;

	ASSERT(f);
	ASSERT(holes_setup(f, &big, 1, &at));
	mh_set_pause(&f->h, others_pause, &o);
	off = ALLOC(f, 2 * BIG);	/* fits no hole: past them all */
	ASSERT(off && ALLOC(f, 16));	/* and it cannot grow in place */
	if (FITS & POLICY_BIT(policy))
		EXPECT(o.offered >= SMALL_HOLES / MH_PAUSE_STEPS);
	else
		EXPECT_EQ(o.offered, 0);
	/* a realloc's move has decided things before it searches: no pause */
	o.offered = 0;
	EXPECT_EQ(mh_realloc(&f->h, off, 8 * BIG, &moved), 0);
	EXPECT_EQ(o.offered, 0);
	EXPECT_CLEAN(f);
}

/* A pause that lets go but in which nothing ran changes no result. */
static void idle_pause_changes_nothing(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct fixture *g = fixture_new(policy, REGION, 0);
	struct others o = { .f = f, .let_go = true };
	const size_t extra[] = { BIG, 2 * BIG, BIG + 48 };
	u32 fat[3], gat[3], i;

	ASSERT(f && g);
	ASSERT(holes_setup(f, extra, 3, fat));
	ASSERT(holes_setup(g, extra, 3, gat));
	mh_set_pause(&f->h, others_pause, &o);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(ALLOC(f, BIG - 16 * i), ALLOC(g, BIG - 16 * i));
	EXPECT(o.offered > 0);
	EXPECT_CLEAN(f);
}

/* Others take the block the search would have found, ahead of it. */
static void take_first_fit(struct others *o, void *arg)
{
	*(u32 *)arg = ALLOC(o->f, BIG);
}

static void block_taken_ahead_is_not_taken_again(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	const size_t extra[] = { BIG, BIG };
	struct others o = { .f = f, .run = take_first_fit };
	u32 at[2], theirs = 0, ours;

	ASSERT(f);
	ASSERT(holes_setup(f, extra, 2, at));
	o.arg = &theirs;
	mh_set_pause(&f->h, others_pause, &o);
	ours = ALLOC(f, BIG);
	ASSERT(o.done);
	EXPECT_EQ(theirs, at[0]);
	EXPECT_EQ(ours, at[1]);
	EXPECT_CLEAN(f);
}

/* Others fill every small hole: the block the search stood at is gone. */
static void fill_small_holes(struct others *o, void *arg)
{
	u32 i;

	(void)arg;
	for (i = 0; i < SMALL_HOLES; i++)
		ALLOC(o->f, 16);
}

static void search_begins_again_when_its_place_is_gone(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	const size_t extra[] = { BIG, BIG };
	struct others o = { .f = f, .run = fill_small_holes };
	u32 at[2];

	ASSERT(f);
	ASSERT(holes_setup(f, extra, 2, at));
	mh_set_pause(&f->h, others_pause, &o);
	EXPECT_EQ(ALLOC(f, BIG), at[0]);
	EXPECT(o.done);
	EXPECT_CLEAN(f);
}

/*
 * Best fit keeps a candidate across a pause only if it is still there:
 * others take it (an exact fit for them), so the search must begin again
 * and find the next best.
 */
static void take_exact(struct others *o, void *arg)
{
	u32 *want = arg;

	want[1] = ALLOC(o->f, want[0]);
}

static void best_candidate_taken_is_dropped(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct others o = { .f = f, .run = take_exact };
	u32 cand, big, sep, i, small[SMALL_HOLES], want[2];

	ASSERT(f);
	/* the candidate first (address order), then the small holes, then a
	 * worse fit, then the top
	 */
	cand = ALLOC(f, BIG + 32);
	ASSERT(cand && ALLOC(f, 16));
	for (i = 0; i < SMALL_HOLES; i++) {
		small[i] = ALLOC(f, 16);
		ASSERT(small[i] && ALLOC(f, 16));
	}
	big = ALLOC(f, BIG + 64);
	sep = ALLOC(f, 16);
	ASSERT(big && sep);
	EXPECT_EQ(mh_free(&f->h, cand), 0);
	for (i = 0; i < SMALL_HOLES; i++)
		EXPECT_EQ(mh_free(&f->h, small[i]), 0);
	EXPECT_EQ(mh_free(&f->h, big), 0);
	want[0] = BIG + 32;
	o.arg = want;
	mh_set_pause(&f->h, others_pause, &o);
	EXPECT_EQ(ALLOC(f, BIG), big);
	EXPECT(o.done);
	EXPECT_EQ(want[1], cand);
	EXPECT_CLEAN(f);
}

/**
 * struct crowd - others allocating and freeing at random, their payloads
 * patterned, for the random case.
 * @rng: splitmix64 state.
 * @live: payload offsets of the blocks held (0: none).
 * @size: their sizes.
 */
struct crowd {
	u64 rng;
	u32 live[256];
	u32 size[256];
};

/* One block of the crowd allocated or freed; its pattern is its offset. */
static void crowd_step(struct fixture *f, struct crowd *c)
{
	u64 r = splitmix64(&c->rng);
	u32 i = r % 256, size = 1 + (r >> 8) % 600;

	if (c->live[i]) {
		EXPECT(pattern_intact(f->region + c->live[i], c->size[i],
				      c->live[i]));
		EXPECT_EQ(mh_free(&f->h, c->live[i]), 0);
		c->live[i] = 0;
		return;
	}
	if (mh_alloc(&f->h, size, 0, 0, &c->live[i]))
		return;
	c->size[i] = size;
	pattern_fill(f->region + c->live[i], 0, size, c->live[i]);
}

static void crowd_run(struct others *o, void *arg)
{
	u32 n;

	for (n = 0; n < 64; n++)
		crowd_step(o->f, arg);
	o->done = false;	/* again at the next pause */
}

/*
 * Others allocate and free at random during every pause of every search:
 * the heap stays clean, every result is a block nobody else holds, and no
 * one's payload changes.
 */
static void crowd_during_pauses(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct crowd *c = test_malloc(sizeof(*c));
	struct others o = { .f = f, .run = crowd_run };
	u32 mine[64] = { 0 }, i, round;

	ASSERT(f && c);
	memset(c, 0, sizeof(*c));
	c->rng = 0x5eed0000u + policy;
	o.arg = c;
	/* holes no request fits, so that searches are long enough to pause */
	ASSERT(holes_setup(f, NULL, 0, NULL));
	for (i = 0; i < 1000; i++)
		crowd_step(f, c);
	ASSERT(park_rover_at_head(f));
	mh_set_pause(&f->h, others_pause, &o);
	for (round = 0; round < 400; round++) {
		i = round % 64;
		if (mine[i]) {
			EXPECT(pattern_intact(f->region + mine[i], 700,
					      mine[i] ^ 1));
			EXPECT_EQ(mh_free(&f->h, mine[i]), 0);
			mine[i] = 0;
		}
		if (mh_alloc(&f->h, 700, 0, 0, &mine[i]))
			mine[i] = 0;
		else
			pattern_fill(f->region + mine[i], 0, 700, mine[i] ^ 1);
		if (!EXPECT_CLEAN(f))
			return;
	}
	EXPECT(o.offered > 0);
	for (i = 0; i < 256; i++)
		if (c->live[i])
			EXPECT(pattern_intact(f->region + c->live[i],
					      c->size[i], c->live[i]));
}

static const struct test_case cases[] = {
	TEST(pauses_offered_by_fit_searches_only, ALL_POLICIES),
	TEST(idle_pause_changes_nothing, FITS),
	TEST(block_taken_ahead_is_not_taken_again,
	     ONLY(MH_FIRST_FIT) | ONLY(MH_BEST_FIT)),
	TEST(search_begins_again_when_its_place_is_gone,
	     ONLY(MH_FIRST_FIT) | ONLY(MH_BEST_FIT)),
	TEST(best_candidate_taken_is_dropped, ONLY(MH_BEST_FIT)),
	TEST(crowd_during_pauses, FITS),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
