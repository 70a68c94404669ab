// SPDX-License-Identifier: GPL-2.0
/*
 * test_pool.c - the pools policy's own contract (mh_pool.h): small
 * requests in headerless slots of runs, a slot's free checked as strictly
 * as a block's, damage to a run's word or map refused and reported, empty
 * runs back to the heap, and the figures stats give for runs.
 */
#include <stdint.h>
#include <string.h>

#include "mh_test.h"
#include "mh_pool.h"
#include "pattern.h"

#define REGION		(256u << 10)
#define N		600

/* mh_check() finds @kind first (at @offset unless UINT32_MAX). */
static bool violation_is(struct fixture *f, enum mh_violation_kind kind,
			 u32 offset)
{
	struct mh_violation v = { .kind = MH_V_NONE };

	return mh_check(&f->h, &v) > 0 && v.kind == kind &&
	       (offset == UINT32_MAX || v.offset == offset);
}

/* @n allocations of @size bytes; returns how many came from slots. */
static int fill(struct fixture *f, u32 *off, int n, size_t size)
{
	struct mh_block_info bi;
	int slots = 0;

	for (int i = 0; i < n; i++) {
		off[i] = ALLOC(f, size);
		if (!off[i])
			return -1;
		if (mh_block_at(&f->h, off[i] - MH_HDR_SIZE, &bi) ||
		    bi.status != MH_BLOCK_OK)
			slots++;	/* no block starts there */
	}
	return slots;
}

/* The run holding the slot at @slot, as the walk describes it. */
static bool run_of(struct fixture *f, u32 slot, struct mh_block_info *bi)
{
	return !mh_block_containing(&f->h, slot, bi) &&
	       bi->status == MH_BLOCK_OK && bi->slot_size;
}

/* The last of @off[] that is a slot. */
static u32 last_slot(struct fixture *f, const u32 *off, int n)
{
	struct mh_block_info bi;

	for (int i = n - 1; i >= 0; i--)
		if (run_of(f, off[i], &bi))
			return off[i];
	return 0;
}

static void small_requests_share_runs(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, MH_INIT_POISON);
	struct mh_block_info bi;
	struct mh_stats st;
	u32 off[N], s;
	size_t n = 0;
	int slots;

	ASSERT(f);
	slots = fill(f, off, N, 44);
	ASSERT(slots > N / 2);	/* blocks first, then runs */
	s = last_slot(f, off, N);
	ASSERT(s);
	ASSERT(run_of(f, s, &bi));
	EXPECT_EQ(bi.slot_size, 48);
	EXPECT_EQ(bi.used, true);
	EXPECT_EQ(mh_usable_size(&f->h, s, &n), 0);
	EXPECT_EQ(n, 48);
	EXPECT_EQ(mh_requested_size(&f->h, s, &n), 0);
	EXPECT_EQ(n, 44);
	EXPECT_EQ(mh_probe(&f->h, s), 0);
	/* slots of one run follow each other with no header between */
	EXPECT_EQ(off[N - 1] - off[N - 2], 48);
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.pool_slots, (u64)slots);
	EXPECT(st.pool_runs >= 1);
	EXPECT_EQ(st.used_blocks, N - slots + st.pool_runs);
	EXPECT_EQ(st.requested_bytes, 44u * N);
	/* slot slack: 4 bytes each, and the blocks' own */
	EXPECT_EQ(st.internal_frag, 4u * slots + (block_for(44) -
		  MH_HDR_SIZE - 44) * (N - slots));
	EXPECT(st.pool_meta_bytes > 0 && st.pool_free_bytes > 0);
	/* 40 bytes: its 48-byte block costs what a 48-byte slot would */
	s = ALLOC(f, 40);
	EXPECT(s && !run_of(f, s, &bi));
	/* 41: a 64-byte block, or a 48-byte slot of the run with room */
	s = ALLOC(f, 41);
	EXPECT(s && run_of(f, s, &bi));
	EXPECT_CLEAN(f);
}

static void slot_free_is_checked(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_block_info bi;
	u32 off[N], s, run;

	ASSERT(f);
	ASSERT(fill(f, off, N, 44) > 0);
	s = last_slot(f, off, N);
	ASSERT(s && run_of(f, s, &bi));
	run = bi.offset;
	/* inside a slot, the run's own payload, its links: no slot */
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, s + 16), -EBADMSG);
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, run + MH_HDR_SIZE), -EBADMSG);
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, run + 16), -ENXIO);
	EXPECT_FAILS_CLEANLY(f, mh_probe(&f->h, s + 32), -EBADMSG);
	EXPECT_EQ(mh_free(&f->h, s), 0);
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, s), -EALREADY);
	EXPECT_FAILS_CLEANLY(f, mh_probe(&f->h, s), -EALREADY);
	EXPECT_CLEAN(f);
}

static void damaged_runs_are_refused(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_block_info bi;
	u32 off[N], s, run, map;
	u8 *word, *mb, save;

	ASSERT(f);
	ASSERT(fill(f, off, N, 44) > 0);
	s = last_slot(f, off, N);
	ASSERT(s && run_of(f, s, &bi));
	run = bi.offset;
	/* a forged run word: the check fails */
	word = f->region + run + MH_HDR_SIZE;
	word[1] ^= 1;
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, s), -EUCLEAN);
	EXPECT_FAILS_CLEANLY(f, mh_alloc(&f->h, 44, 0, 0, &s), -EUCLEAN);
	EXPECT(violation_is(f, MH_V_RUN, run));
	word[1] ^= 1;
	ASSERT(EXPECT_CLEAN(f));
	/* a map byte no slot can have */
	map = run + MH_POOL_SLOT0 + bi.slots * bi.slot_size;
	mb = f->region + map + (s - run - MH_POOL_SLOT0) / bi.slot_size;
	save = *mb;
	*mb = bi.slot_size;
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, s), -EUCLEAN);
	EXPECT(violation_is(f, MH_V_RUN, run));
	*mb = save;
	ASSERT(EXPECT_CLEAN(f));
	/* a list head that is no run */
	f->h.pool_heads[1] = off[0] - MH_HDR_SIZE;
	EXPECT(violation_is(f, MH_V_RUN, UINT32_MAX));
}

static void empty_runs_go_back(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, MH_INIT_POISON);
	struct mh_stats st;
	u32 off[N];

	ASSERT(f);
	ASSERT(fill(f, off, N, 110) > 0);
	for (int i = 0; i < N; i += 2)
		EXPECT_EQ(mh_free(&f->h, off[i]), 0);
	EXPECT_CLEAN(f);
	for (int i = 1; i < N; i += 2)
		EXPECT_EQ(mh_free(&f->h, off[i]), 0);
	mh_stats(&f->h, &st);
	EXPECT_EQ(st.used_blocks, 0);
	EXPECT_EQ(st.pool_runs, 0);
	EXPECT_EQ(st.free_blocks, 1);	/* all coalesced */
	EXPECT_CLEAN(f);
}

static void slot_realloc(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 off[N], s, t;
	size_t n = 0;

	ASSERT(f);
	ASSERT(fill(f, off, N, 44) > 0);
	s = last_slot(f, off, N);
	ASSERT(s);
	pattern_fill(f->region + s, 0, 44, 7);
	/* within the class: in place */
	EXPECT_EQ(mh_realloc(&f->h, s, 33, &t), 0);
	EXPECT_EQ(t, s);
	EXPECT_EQ(mh_requested_size(&f->h, s, &n), 0);
	EXPECT_EQ(n, 33);
	/* out of it: moves, the payload with it */
	EXPECT_EQ(mh_realloc(&f->h, s, 1000, &t), 0);
	EXPECT(t != s);
	EXPECT_EQ(pattern_check(f->region + t, 33, 7), 33);
	EXPECT_EQ(mh_probe(&f->h, s), -EALREADY);
	EXPECT_CLEAN(f);
}

/*
 * The malloclab realloc shape: one block grows by @step bytes @rounds
 * times while small blocks of @small bytes come and go one at a time
 * beside it (allocate the next, free the last). Returns the high-water
 * mark the heap reached, beyond the block's final size.
 */
static u64 grow_beside_smalls(struct fixture *f, u32 start, u32 small,
			      u32 step, u32 rounds)
{
	u32 big = ALLOC(f, start), last = ALLOC(f, small), next;
	struct mh_stats st;

	for (u32 i = 1; i <= rounds && big && last; i++) {
		if (mh_realloc(&f->h, big, start + i * step, &big))
			return UINT64_MAX;
		next = ALLOC(f, small);
		if (mh_free(&f->h, last))
			return UINT64_MAX;
		last = next;
	}
	if (!big || !last || !EXPECT_CLEAN(f))
		return UINT64_MAX;
	mh_stats(&f->h, &st);
	return st.high_water - MH_FIRST_BLOCK - (start + rounds * step);
}

/*
 * A slide reports itself: the block went down to its free left
 * neighbour's start (the payload with it), named with its size, and a
 * free right neighbour it took too; a slide is no move (no new block).
 */
static void slide_reports_the_neighbours(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, MH_INIT_POISON);
	u32 big, last, next, slides = 0;
	struct mh_result r;

	ASSERT(f);
	big = ALLOC(f, 4092);
	last = ALLOC(f, 16);
	ASSERT(big && last);
	for (u32 i = 1; i <= 800; i++) {
		ASSERT_EQ(mh_realloc_result(&f->h, big, 4092 + i * 5, &r), 0);
		if (r.how & MH_RESIZE_SLID) {
			slides++;
			EXPECT_EQ(r.how, MH_RESIZE_SLID);
			EXPECT(r.left != 0 && r.left_size >= MH_MIN_BLOCK);
			EXPECT_EQ(r.offset, r.left + MH_HDR_SIZE);
			EXPECT(r.left < big);
			EXPECT_EQ(!!r.right, !!r.right_size);
			EXPECT_EQ(r.freed.size, 0);
		} else {
			EXPECT_EQ(r.left, 0);
		}
		big = r.offset;
		next = ALLOC(f, 16);
		ASSERT(next);
		ASSERT_EQ(mh_free(&f->h, last), 0);
		last = next;
	}
	EXPECT(slides > 0);
	EXPECT_CLEAN(f);
}

/*
 * The hole a growing block's first move leaves below it is reclaimed by a
 * slide once the block would otherwise raise the high-water mark; when
 * every growth needs a move (the step is the small blocks' size), the
 * slid block's account stops the ping-pong that would double the heap.
 */
static void slide_reclaims_without_ping_pong(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, MH_INIT_POISON);
	u64 over;

	ASSERT(f);
	over = grow_beside_smalls(f, 4092, 16, 5, 800);
	EXPECT(over < 512);	/* not the first 4 KiB block's hole */
	f = fixture_new(policy, REGION, MH_INIT_POISON);
	ASSERT(f);
	over = grow_beside_smalls(f, 512, 128, 128, 400);
	EXPECT(over < 4096);	/* not another copy of the 51 KiB block */
}

/* mh_run_slots() says what the walk's record of the run sums up. */
static void run_slots_view(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_block_info bi, blk;
	struct mh_run_slots v;
	u32 off[N], s, used = 0, req = 0;

	ASSERT(f);
	ASSERT(fill(f, off, N, 44) > 0);
	s = last_slot(f, off, N);
	ASSERT(s && run_of(f, s, &bi));
	EXPECT_EQ(mh_free(&f->h, s), 0);
	ASSERT(!mh_block_at(&f->h, bi.offset, &bi));
	ASSERT_EQ(mh_run_slots(&f->h, &bi, &v), 0);
	EXPECT_EQ(v.slot_size, 48);
	EXPECT_EQ(v.n, bi.slots);
	EXPECT_EQ(v.first, bi.offset + MH_POOL_SLOT0);
	EXPECT(s >= v.first && (s - v.first) % 48 == 0);
	EXPECT_EQ(v.slack[(s - v.first) / 48], MH_SLOT_FREE);
	for (u32 i = 0; i < v.n; i++) {
		if (v.slack[i] == MH_SLOT_FREE)
			continue;
		used++;
		req += 48 - v.slack[i];
	}
	EXPECT_EQ(used, bi.slots_used);
	EXPECT_EQ(req, bi.requested);
	/* an ordinary block is no run; a map byte gone bad is damage */
	ASSERT(!mh_block_at(&f->h, off[0] - MH_HDR_SIZE, &blk));
	EXPECT_EQ(mh_run_slots(&f->h, &blk, &v), -EINVAL);
	f->region[bi.offset + MH_POOL_SLOT0 + bi.slots * 48] = 48;
	EXPECT_EQ(mh_run_slots(&f->h, &bi, &v), -EUCLEAN);
}

struct slot_events {
	int n;
	enum mh_event ev[4];
	u32 off[4], size[4];
};

static void record_slot_event(void *ctx, enum mh_event ev, u32 off, u32 size)
{
	struct slot_events *e = ctx;

	if ((ev != MH_EV_SLOT_ALLOC && ev != MH_EV_SLOT_FREE) || e->n == 4)
		return;
	e->ev[e->n] = ev;
	e->off[e->n] = off;
	e->size[e->n++] = size;
}

/* The observer (the module's tracepoints) hears of every slot. */
static void slot_events(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct slot_events e = { 0 };
	struct mh_block_info bi;
	u32 off[N], s;

	ASSERT(f);
	ASSERT(fill(f, off, N, 44) > 0);
	mh_set_observer(&f->h, record_slot_event, &e);
	s = ALLOC(f, 44);
	ASSERT(s && run_of(f, s, &bi));
	EXPECT_EQ(mh_free(&f->h, s), 0);
	EXPECT_EQ(mh_free(&f->h, s), -EALREADY);	/* nothing freed */
	EXPECT_EQ(mh_free(&f->h, off[0]), 0);		/* a block: no slot */
	ASSERT_EQ(e.n, 2);
	EXPECT_EQ(e.ev[0], MH_EV_SLOT_ALLOC);
	EXPECT_EQ(e.off[0], s);
	EXPECT_EQ(e.size[0], 48);
	EXPECT_EQ(e.ev[1], MH_EV_SLOT_FREE);
	EXPECT_EQ(e.off[1], s);
	EXPECT_EQ(e.size[1], 48);
}

/* mh_walk_runs_from() callback: keep up to 8 runs. */
struct runs_seen {
	int n;
	struct mh_run_info r[8];
};

static int keep_run(void *arg, const struct mh_run_info *r)
{
	struct runs_seen *rs = arg;

	if (rs->n == 8)
		return 1;
	rs->r[rs->n++] = *r;
	return 0;
}

/*
 * The run-list walk (debugfs freelist) reports each run with a free slot
 * as the blocks walk describes it, resumes only at a run still listed,
 * and stops at a forged run word.
 */
static void run_lists_walk(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct runs_seen rs = { 0 }, again = { 0 };
	struct mh_block_info bi;
	u32 off[N], s, i;

	ASSERT(f);
	if (policy != MH_POOLS) {	/* no slots: nothing to report */
		ASSERT(fill(f, off, N, 44) == 0);
		EXPECT_EQ(mh_walk_runs_from(&f->h, 0, MH_NIL, keep_run, &rs), 0);
		EXPECT_EQ(rs.n, 0);
		EXPECT_EQ(mh_walk_runs_from(&f->h, 0, 8, keep_run, &rs), -ESTALE);
		return;
	}
	ASSERT(fill(f, off, N, 44) > 0);
	s = last_slot(f, off, N);
	ASSERT(s && run_of(f, s, &bi));
	EXPECT_EQ(mh_walk_runs_from(&f->h, 0, MH_NIL, keep_run, &rs), 0);
	ASSERT_EQ(rs.n, 1);	/* the last run has free slots, the rest are full */
	EXPECT_EQ(rs.r[0].offset, bi.offset);
	EXPECT_EQ(rs.r[0].slot_size, 48);
	EXPECT_EQ(rs.r[0].cls, 2);
	EXPECT_EQ(rs.r[0].slots, bi.slots);
	EXPECT_EQ(rs.r[0].free, bi.slots - bi.slots_used);
	EXPECT_EQ(rs.r[0].first_free, s + 48);
	/* a slot freed in a full run puts it on the list, at its head */
	for (i = 0; i < N; i++)
		if (run_of(f, off[i], &bi) && bi.offset != rs.r[0].offset)
			break;
	ASSERT(i < N);
	EXPECT_EQ(mh_free(&f->h, off[i]), 0);
	rs.n = 0;
	EXPECT_EQ(mh_walk_runs_from(&f->h, 0, MH_NIL, keep_run, &rs), 0);
	ASSERT_EQ(rs.n, 2);
	EXPECT_EQ(rs.r[0].offset, bi.offset);
	EXPECT_EQ(rs.r[0].free, 1);
	EXPECT_EQ(rs.r[0].first_free, off[i]);
	/* resumed at the second run: that one first */
	EXPECT_EQ(mh_walk_runs_from(&f->h, 2, rs.r[1].offset, keep_run, &again), 0);
	ASSERT_EQ(again.n, 1);
	EXPECT_EQ(again.r[0].offset, rs.r[1].offset);
	/* the first run full again: it left the list, no resume there */
	ASSERT(ALLOC(f, 44) == off[i]);
	EXPECT_EQ(mh_walk_runs_from(&f->h, 2, bi.offset, keep_run, &again),
		  -ESTALE);
	/* a forged run word stops the walk, nothing reported past it */
	f->region[rs.r[1].offset + MH_HDR_SIZE + 1] ^= 1;
	again.n = 0;
	EXPECT_EQ(mh_walk_runs_from(&f->h, 0, MH_NIL, keep_run, &again),
		  -EUCLEAN);
	EXPECT_EQ(again.n, 0);
	f->region[rs.r[1].offset + MH_HDR_SIZE + 1] ^= 1;
	ASSERT(EXPECT_CLEAN(f));
}

/*
 * A slot's free reports its run, the slot's bytes and no free block while
 * the run stays; the free of a run's last slot reports that the run went
 * back to the heap, with the run's own free (its merges, the free block
 * that resulted, as the heap shows it right after). Every run goes once.
 * A move out of a slot reports the slot's free.
 */
static void free_reports_slots_and_runs(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_block_info run, b;
	struct mh_result r = { 0 };
	struct mh_stats st;
	u64 runs, gone = 0;
	u32 off[N], s;

	ASSERT(f);
	ASSERT(fill(f, off, N, 110) > 0);
	s = last_slot(f, off, N);
	ASSERT(s);
	ASSERT(run_of(f, s, &run));
	ASSERT_EQ(mh_realloc_result(&f->h, s, 1000, &r), 0);
	EXPECT_EQ(r.how, MH_RESIZE_MOVED);
	EXPECT(r.freed.flags & MH_FREED_SLOT);
	EXPECT_EQ(r.freed.run, run.offset);
	for (int i = 0; i < N; i++)
		if (off[i] == s)
			off[i] = r.offset;
	mh_stats(&f->h, &st);
	runs = st.pool_runs;
	for (int i = 0; i < N; i++) {
		bool slot = run_of(f, off[i], &run);

		ASSERT_EQ(mh_free_result(&f->h, off[i], &r), 0);
		EXPECT_EQ(!!(r.freed.flags & MH_FREED_SLOT), slot);
		if (!slot) {
			EXPECT_EQ(r.freed.run, 0);
			continue;
		}
		EXPECT_EQ(r.freed.run, run.offset);
		EXPECT_EQ(r.freed.run_size, run.size);
		EXPECT_EQ(r.freed.freed_size, run.slot_size);
		if (!(r.freed.flags & MH_FREED_RUN)) {
			EXPECT_EQ(r.freed.block, 0);
			EXPECT_EQ(r.freed.size, 0);
			continue;
		}
		gone++;
		ASSERT_EQ(mh_block_at(&f->h, r.freed.block, &b), 0);
		EXPECT(!b.used);
		EXPECT_EQ(b.size, r.freed.size);
		EXPECT_EQ(r.freed.left_size + run.size + r.freed.right_size,
			  r.freed.size);
		EXPECT_EQ(r.freed.block,
			  r.freed.left ? r.freed.left : run.offset);
	}
	EXPECT_EQ(gone, runs);
	EXPECT_CLEAN(f);
}

static const struct test_case cases[] = {
	TEST(small_requests_share_runs, ONLY(MH_POOLS)),
	TEST(slot_free_is_checked, ONLY(MH_POOLS)),
	TEST(damaged_runs_are_refused, ONLY(MH_POOLS)),
	TEST(empty_runs_go_back, ONLY(MH_POOLS)),
	TEST(slot_realloc, ONLY(MH_POOLS)),
	TEST(free_reports_slots_and_runs, ONLY(MH_POOLS)),
	TEST(slide_reclaims_without_ping_pong, ONLY(MH_POOLS)),
	TEST(slide_reports_the_neighbours, ONLY(MH_POOLS)),
	TEST(run_slots_view, ONLY(MH_POOLS)),
	TEST(slot_events, ONLY(MH_POOLS)),
	TEST(run_lists_walk, ALL_POLICIES),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
