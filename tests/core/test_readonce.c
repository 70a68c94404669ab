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
	       SEG_LISTS(policy) ? MH_V_BITMAP : MH_V_LINK);
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
	/* the policy's ops, kept beside its number, must be its own */
	BROKEN(f->h.ops = NULL, MH_V_SIZE);
	if (SEG_LISTS(policy))
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

/* --- an attacker on the core's loads ------------------------------------ */

/*
 * Rewrite the region at the @nth load (1-based) of the @len bytes at @at:
 * store @val there (4 or 8 bytes), as a thread writing the mapping just
 * before that load would. Counting loads of one word is what tells "read
 * once" from "read twice": a correct core never makes the second load.
 */
static struct {
	u32 at, len, nth, seen;
	u64 val;
	u32 loads;	/* every load of the operation, for the loop bound */
} atk;

static void attack_hook(u8 *base, u32 off, u32 len)
{
	atk.loads++;
	if (off != atk.at || len != atk.len || ++atk.seen != atk.nth)
		return;
	memcpy(base + off, &atk.val, len);
}

static void attack(u32 at, u32 len, u32 nth, u64 val)
{
	memset(&atk, 0, sizeof(atk));
	atk.at = at;
	atk.len = len;
	atk.nth = nth;
	atk.val = val;
	mh_load_hook = attack_hook;
}

static void attack_off(void)
{
	mh_load_hook = NULL;
}

static bool control_clean(struct fixture *f)
{
	struct mh_violation v;

	if (mh_check_control(&f->h, &v) == 0)
		return true;
	test_failed(__FILE__, __LINE__, "control structure: %s at %u",
		    mh_violation_name(v.kind), v.offset);
	return false;
}

static u32 blk_of(u32 payload)
{
	return payload - MH_HDR_SIZE;
}

/*
 * Item 1: a moving realloc decoded the header it had just written to learn
 * the copy length; a header zeroed in that window made it ~4 GiB. The
 * observer zeroes the new block's header at the split.
 */
static struct {
	struct fixture *f;
	u32 new_blk;
	bool buddy;
	u32 need;
} zero_split;

static void zero_new_header(void *ctx, enum mh_event ev, u32 off, u32 size)
{
	u32 blk;

	(void)ctx;
	if (ev != MH_EV_SPLIT || zero_split.new_blk)
		return;
	blk = zero_split.buddy ? off - size : off - zero_split.need;
	zero_split.new_blk = blk;
	memset(zero_split.f->region + blk, 0, MH_HDR_SIZE);
}

static void moving_realloc_copy_length_is_planned(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a, b, moved = 0;
	int r;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 100);
	ASSERT(a && b);
	pattern_fill(f->region + a, 0, 100, 1);
	memset(&zero_split, 0, sizeof(zero_split));
	zero_split.f = f;
	zero_split.buddy = policy == MH_BUDDY;
	zero_split.need = block_for(2000);
	mh_set_observer(&f->h, zero_new_header, NULL);
	r = mh_realloc(&f->h, a, 2000, &moved);
	mh_set_observer(&f->h, NULL, NULL);
	EXPECT_EQ(r, 0);
	/* (buddy may find a block of the size wanted and split nothing) */
	EXPECT(zero_split.new_blk || policy == MH_BUDDY);
	EXPECT(control_clean(f));
	if (!r)
		EXPECT_EQ(pattern_check(f->region + moved, 100, 1), 100);
}

/*
 * Item 2: mh_list_push_ok() followed links re-read from the region while
 * they pointed at the blocks about to be unlinked: a user link loop made a
 * FREE never return. Segregated fit: freeing x merges l (4096, alone in
 * its class, which is also the merged block's class) and r (32); at their
 * second load, l's next link says r and r's says l.
 */
static struct {
	u32 l, r, seen_l, seen_r;
	u32 loads;
	bool looped;
} loop;

static void loop_hook(u8 *base, u32 off, u32 len)
{
	u32 val;

	if (++loop.loads > 100000) {	/* unbounded: stop feeding the loop */
		loop.looped = true;
		val = MH_NIL;
		memcpy(base + loop.l + MH_NEXT_AT, &val, 4);
		memcpy(base + loop.r + MH_NEXT_AT, &val, 4);
		mh_load_hook = NULL;
		return;
	}
	if (len != 4)
		return;
	if (off == loop.l + MH_NEXT_AT && ++loop.seen_l >= 2)
		memcpy(base + off, &loop.r, 4);
	if (off == loop.r + MH_NEXT_AT && ++loop.seen_r >= 2)
		memcpy(base + off, &loop.l, 4);
}

static void push_check_is_bounded(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 l, x, r, y;
	int ret;

	ASSERT(f);
	l = ALLOC(f, 4096 - MH_HDR_SIZE);
	x = ALLOC(f, 24);
	r = ALLOC(f, 24);
	y = ALLOC(f, 24);
	ASSERT(l && x && r && y);
	ASSERT_EQ(mh_free(&f->h, l), 0);
	ASSERT_EQ(mh_free(&f->h, r), 0);
	memset(&loop, 0, sizeof(loop));
	loop.l = blk_of(l);
	loop.r = blk_of(r);
	mh_load_hook = loop_hook;
	ret = mh_free(&f->h, x);
	attack_off();
	EXPECT(!loop.looped);
	EXPECT(ret == 0 || ret == -EUCLEAN);
	EXPECT(control_clean(f));
}

/*
 * Item 3: an in-place resize booked the block's size from the header it
 * had just written, read again: zeroed at that second load, granted_bytes
 * became 4294967288.
 */
static void in_place_resize_accounts_from_the_plan(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a, b, moved = 0;
	int r;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 100);
	ASSERT(a && b);
	attack(blk_of(a), 8, 2, 0);
	r = mh_realloc(&f->h, a, 90, &moved);
	attack_off();
	EXPECT_EQ(r, 0);
	EXPECT_EQ(moved, a);
	EXPECT(control_clean(f));
}

/*
 * Items 4 and 6a: unlinking a free block re-read its links after
 * mh_list_unlink_ok(). Block b (1008 bytes) is taken whole; its prev is
 * a, a free block of b's list (address order, or the same size class).
 * (next) At the second load of b's next link the attacker writes 4: that
 * reached h->heads[] when b was the head, and the rover.
 * (prev) At the second load of b's prev link the attacker writes the
 * offset of v, a live block: the core stored through it into v.
 */
static bool taken_whole_setup(struct fixture **fp, enum mh_policy policy,
			      u32 *a, u32 *b, u32 *v)
{
	struct fixture *f = fixture_new(policy, REGION, 0);

	*fp = f;
	if (!f)
		return false;
	*a = ALLOC(f, 984);		/* 992: too small for the request */
	ALLOC(f, 24);
	*b = ALLOC(f, 1000);		/* 1008: fits exactly */
	ALLOC(f, 24);
	*v = ALLOC(f, 100);
	if (!*a || !*b || !*v)
		return false;
	pattern_fill(f->region + *v, 0, 100, 7);
	return !mh_free(&f->h, *b) && !mh_free(&f->h, *a);
}

/*
 * The attacker's value lands at the second or the third load of the link:
 * whichever load the core makes after validating, it must either see the
 * value in its validation (-EUCLEAN) or never load the link again.
 */
static void unlink_uses_validated_links(enum mh_policy policy)
{
	struct fixture *f;
	u32 a, b, v, got, nth;
	int r;

	for (nth = 2; nth <= 3; nth++) {
		ASSERT(taken_whole_setup(&f, policy, &a, &b, &v));
		attack(blk_of(b) + MH_PREV_AT, 4, nth, blk_of(v));
		r = mh_alloc(&f->h, 1000, 0, 0, &got);
		attack_off();
		EXPECT(r == 0 || r == -EUCLEAN);
		EXPECT(r || got == b);
		EXPECT_EQ(pattern_check(f->region + v, 100, 7), 100);
		EXPECT(control_clean(f));

		ASSERT(taken_whole_setup(&f, policy, &a, &b, &v));
		attack(blk_of(b) + MH_NEXT_AT, 4, nth, 4);
		r = mh_alloc(&f->h, 1000, 0, 0, &got);
		attack_off();
		EXPECT(r == 0 || r == -EUCLEAN);
		EXPECT(control_clean(f));
		EXPECT(r || mh_check(&f->h, NULL) == 0);
	}
}

/*
 * Item 5: a failed next-fit allocation moved the rover. The search wraps
 * from the rover (the small tail) to b, whose payload was written after
 * free: the poison check refuses it, and the rover must stay.
 */
static void failed_next_fit_keeps_the_rover(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, MH_INIT_POISON);
	struct mh_stats st;
	u32 a, b, c, rover, got = 0;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 1000);
	c = ALLOC(f, REGION - 1700);	/* leaves a tail too small */
	ASSERT(a && b && c);
	ASSERT_EQ(mh_free(&f->h, b), 0);
	mh_stats(&f->h, &st);
	ASSERT(st.largest_free < REGION / 2);
	rover = f->h.rover;
	ASSERT(rover != blk_of(b));
	f->region[b + 100] ^= 0xff;
	EXPECT_FAILS_CLEANLY(f, mh_alloc(&f->h, 1000, 0, 0, &got), -EUCLEAN);
	EXPECT_EQ(f->h.rover, rover);
	EXPECT(control_clean(f));
}

/*
 * Item 6b: after a moving realloc took its new block, the old block's
 * header was looked up again; scribbled at that second load, the realloc
 * failed with -EBADMSG, and its rollback freed through a stale header,
 * leaking or overlapping. The old header is read once now.
 */
static void moving_realloc_reads_the_old_header_once(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_stats before, after;
	u32 a, b, moved = 0;
	int r;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 100);
	ASSERT(a && b);
	pattern_fill(f->region + a, 0, 100, 3);
	pattern_fill(f->region + b, 0, 100, 4);
	mh_stats(&f->h, &before);
	attack(blk_of(a), 8, 2, MH_POISON_WORD);
	r = mh_realloc(&f->h, a, 2000, &moved);
	attack_off();
	mh_stats(&f->h, &after);
	EXPECT_EQ(r, 0);
	EXPECT_EQ(after.used_blocks, before.used_blocks);
	EXPECT(control_clean(f));
	EXPECT_EQ(mh_check(&f->h, NULL), 0);
	if (!r)
		EXPECT_EQ(pattern_check(f->region + moved, 100, 3), 100);
	EXPECT_EQ(pattern_check(f->region + b, 100, 4), 100);
}

/*
 * Item 5/6b: when the old block's release fails after the new block was
 * taken (its right neighbour's header is scribbled at the load that plans
 * the release again), the take is undone from its plan: the realloc fails
 * with -EUCLEAN, nothing leaks, and once the neighbour's header is put
 * back the heap is exactly sound again.
 */
static void failed_move_is_undone(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, MH_INIT_POISON);
	struct mh_stats before, after;
	u8 saved[MH_HDR_SIZE];
	u32 a, b, moved = 0;
	int r;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 100);
	ASSERT(a && b);
	pattern_fill(f->region + a, 0, 100, 8);
	pattern_fill(f->region + b, 0, 100, 9);
	mh_stats(&f->h, &before);
	memcpy(saved, f->region + blk_of(b), sizeof(saved));
	/* lookup reads b's header, (buddy: the free check), then the move */
	attack(blk_of(b), 8, policy == MH_BUDDY ? 3 : 2, 0);
	r = mh_realloc(&f->h, a, 2000, &moved);
	attack_off();
	EXPECT_EQ(r, -EUCLEAN);
	EXPECT(control_clean(f));
	mh_stats(&f->h, &after);
	EXPECT_EQ(after.used_blocks, before.used_blocks);
	EXPECT_EQ(after.free_blocks, before.free_blocks);
	EXPECT_EQ(after.free_bytes, before.free_bytes);
	EXPECT_EQ(after.peak_requested, before.peak_requested);
	EXPECT_EQ(after.high_water, before.high_water);
	EXPECT_EQ(pattern_check(f->region + a, 100, 8), 100);
	memcpy(f->region + blk_of(b), saved, sizeof(saved));
	EXPECT_EQ(pattern_check(f->region + b, 100, 9), 100);
	EXPECT_CLEAN(f);
	EXPECT_EQ(mh_realloc(&f->h, a, 2000, &moved), 0);
	EXPECT_EQ(pattern_check(f->region + moved, 100, 8), 100);
	EXPECT_CLEAN(f);
}

/*
 * Item 6c: a header whose size is forged (with a valid check) to swallow
 * part of its neighbour was believed: freed, the free block reached over
 * the live block behind it. Its end must land on a header that agrees.
 */
static void forged_size_is_not_believed(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_hdr hd;
	u32 a, b, c, got = 0;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 100);
	/* leaves a free tail too small for the request below */
	c = ALLOC(f, policy == MH_BUDDY ? 100 : REGION - 380);
	ASSERT(a && b && c);
	pattern_fill(f->region + b, 0, 100, 5);
	hd = hdr_at(f, blk_of(a));
	hd.size += 32;
	forge_hdr(f, blk_of(a), hd);
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, a), -EUCLEAN);
	EXPECT_EQ(mh_probe(&f->h, a), -EUCLEAN);
	hd.size -= 32;
	forge_hdr(f, blk_of(a), hd);
	if (policy == MH_BUDDY)	/* its free blocks: forged_buddy_size_... */
		return;

	/*
	 * A free block forged larger (within its size class, so segregated
	 * fit finds it too) is not handed out over b either.
	 */
	f = fixture_new(policy, REGION, 0);
	ASSERT(f);
	a = ALLOC(f, 984);		/* 992 */
	b = ALLOC(f, 100);
	c = ALLOC(f, REGION - 1500);	/* leaves a tail too small */
	ASSERT(a && b && c);
	pattern_fill(f->region + b, 0, 100, 5);
	ASSERT_EQ(mh_free(&f->h, a), 0);
	hd = hdr_at(f, blk_of(a));
	ASSERT(!hd.used);
	hd.size += 16;
	forge_hdr(f, blk_of(a), hd);
	EXPECT_FAILS_CLEANLY(f, mh_alloc(&f->h, 1000, 0, 0, &got), -EUCLEAN);
	EXPECT_EQ(pattern_check(f->region + b, 100, 5), 100);
}

/*
 * Item 7: under buddy, a shrinking realloc of a block whose header was
 * forged to a size that is no power of two split it into halves of list
 * index -1, a store outside h->heads[]. Such a header is damage.
 */
static void forged_buddy_size_never_indexes_outside(enum mh_policy policy)
{
	static const u32 sizes[] = { 48, 96, 160, 224 };
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_hdr hd, orig, land;
	u8 saved[MH_HDR_SIZE];
	u32 a, b, moved, at;

	ASSERT(f);
	a = ALLOC(f, 200);	/* 256 */
	b = ALLOC(f, 200);
	ASSERT(a && b);
	orig = hdr_at(f, blk_of(a));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		hd = orig;
		hd.size = sizes[i];
		hd.slack = 0;
		forge_hdr(f, blk_of(a), hd);
		/* and a header where the forged size ends, that agrees */
		at = blk_of(a) + sizes[i];
		memcpy(saved, f->region + at, sizeof(saved));
		land = (struct mh_hdr){ .size = 256 - sizes[i], .used = true };
		forge_hdr(f, at, land);
		EXPECT_FAILS_CLEANLY(f, mh_realloc(&f->h, a, 10, &moved),
				     -EUCLEAN);
		EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, a), -EUCLEAN);
		memcpy(f->region + at, saved, sizeof(saved));
	}
	forge_hdr(f, blk_of(a), orig);
	EXPECT_EQ(mh_realloc(&f->h, a, 10, &moved), 0);
	EXPECT_CLEAN(f);
}

/*
 * Item 6c, the case no header can give away: a block in use whose header
 * is forged WITH A VALID CHECK to swallow the block in use after it, so
 * its end lands exactly on that block's successor, whose PREV_FREE bit
 * (clear: a block in use precedes it) agrees. Only the core's own
 * block-start bitmap knows a block starts inside: free, shrink, usable
 * size and probe must refuse it with -EUCLEAN, the victim untouched.
 */
static void swallow_case(enum mh_policy policy, size_t region, u32 bsize)
{
	struct fixture *f = fixture_new(policy, region, 0);
	struct mh_hdr hd, orig;
	u32 a = 0, b = 0, x, moved, end;
	size_t usable;

	ASSERT(f);
	/* buddy: a must be the lower buddy of b, so a + b is a buddy block */
	for (int i = 0; i < 64 && !b; i++) {
		x = ALLOC(f, bsize - MH_HDR_SIZE);
		ASSERT(x);
		if (a && x == a + bsize && (policy != MH_BUDDY ||
		    !((f->h.heap_end - blk_of(a) - 2 * bsize) & (2 * bsize - 1))))
			b = x;
		else
			a = x;
	}
	ASSERT(b);
	end = blk_of(b) + bsize;
	pattern_fill(f->region + b, 0, 100, 9);
	orig = hdr_at(f, blk_of(a));
	ASSERT(orig.used && orig.size == bsize);
	ASSERT(end == f->h.heap_end || !hdr_at(f, end).prev_free);
	hd = orig;
	hd.size = 2 * bsize;	/* a and b, ending on a header that agrees */
	forge_hdr(f, blk_of(a), hd);
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, a), -EUCLEAN);
	EXPECT_FAILS_CLEANLY(f, mh_realloc(&f->h, a, 10, &moved), -EUCLEAN);
	EXPECT_FAILS_CLEANLY(f, mh_realloc(&f->h, a, 3 * bsize, &moved),
			     -EUCLEAN);
	EXPECT_EQ(mh_usable_size(&f->h, a, &usable), -EUCLEAN);
	EXPECT_EQ(mh_probe(&f->h, a), -EUCLEAN);
	EXPECT_EQ(pattern_check(f->region + b, 100, 9), 100);
	/* no header is read where no block starts: inside a payload */
	forge_hdr(f, blk_of(a) + 64, orig);
	EXPECT_FAILS_CLEANLY(f, mh_free(&f->h, a + 64), -EBADMSG);
	forge_hdr(f, blk_of(a), orig);
	EXPECT_EQ(mh_free(&f->h, a), 0);
	EXPECT_EQ(pattern_check(f->region + b, 100, 9), 100);
	EXPECT_EQ(mh_free(&f->h, b), 0);
	EXPECT_CLEAN(f);
}

/*
 * Item 6c, the case no header can give away: a block in use whose header
 * is forged WITH A VALID CHECK to swallow the block in use after it, so
 * its end lands exactly on that block's successor, whose PREV_FREE bit
 * (clear: a block in use precedes it) agrees. Only the core's own
 * block-start bitmap knows a block starts inside: free, shrink, grow,
 * usable size and probe must refuse it with -EUCLEAN, the victim
 * untouched. Small blocks (the start found in the same bitmap word) and
 * 256 KiB ones (found through both summary levels).
 */
static void forged_swallow_of_a_used_neighbour(enum mh_policy policy)
{
	swallow_case(policy, REGION, 128);
	swallow_case(policy, 4u << 20, 256u << 10);
}

/*
 * mh_block_containing() finds the block holding any offset from the start
 * bitmap, and a walk over a scribbled header resynchronises at the next
 * block the bitmap knows, not at whatever the region makes look valid.
 */
static void block_containing_and_resync(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_block_info bi;
	struct mh_hdr orig;
	u32 a, b;

	ASSERT(f);
	a = ALLOC(f, 300);
	b = ALLOC(f, 40);
	ASSERT(a && b);
	/* every byte of a, its header and its last 8 bytes included */
	ASSERT_EQ(mh_block_at(&f->h, blk_of(a), &bi), 0);
	for (u32 off = blk_of(a), end = bi.next; off < end; off++) {
		ASSERT_EQ(mh_block_containing(&f->h, off, &bi), 0);
		EXPECT_EQ(bi.offset, blk_of(a));
		EXPECT(bi.status == MH_BLOCK_OK && bi.used);
	}
	ASSERT_EQ(mh_block_containing(&f->h, blk_of(b), &bi), 0);
	EXPECT_EQ(bi.offset, blk_of(b));
	ASSERT_EQ(mh_block_containing(&f->h, b + 20, &bi), 0);
	EXPECT_EQ(bi.offset, blk_of(b));
	EXPECT_EQ(mh_block_containing(&f->h, 4, &bi), -ENXIO);
	EXPECT_EQ(mh_block_containing(&f->h, f->h.heap_end, &bi), -ENXIO);
	/* a's header scribbled, a valid-looking copy planted inside it */
	orig = hdr_at(f, blk_of(a));
	forge_hdr(f, blk_of(a) + 32, (struct mh_hdr){ .size = 64,
						      .used = true });
	poke32(f, blk_of(a), 0);
	ASSERT_EQ(mh_block_at(&f->h, blk_of(a), &bi), 0);
	EXPECT_EQ(bi.status, MH_BLOCK_DAMAGED);
	EXPECT_EQ(bi.next, blk_of(a) + orig.size);
	forge_hdr(f, blk_of(a), orig);
	forge_hdr(f, blk_of(a) + 32, (struct mh_hdr){ .size = 32 });
	EXPECT_EQ(mh_free(&f->h, a), 0);
	EXPECT_EQ(mh_free(&f->h, b), 0);
	EXPECT_CLEAN(f);
}

/*
 * Issue 11: a free's report comes from its plan. Every merge event it
 * fires, the observer scribbles over the header just written there (and
 * the word after it), as a thread writing the mapping would: the report
 * must be what the same free reports on an identical heap left alone.
 */
static struct fixture *scribbled;

static void scribble_merged(void *ctx, enum mh_event ev, u32 off, u32 size)
{
	(void)ctx;
	(void)size;
	if (ev == MH_EV_COALESCE)
		memset(scribbled->region + off, 0xa5, 2 * MH_HDR_SIZE);
}

/* a b c d in a row, a and c freed: what freeing b reports. */
static bool free_between_holes(enum mh_policy policy, bool scribble,
			       struct mh_result *r)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a, b, c, d;
	int err;

	if (!f)
		return false;
	a = ALLOC(f, 100);
	b = ALLOC(f, 100);
	c = ALLOC(f, 100);
	d = ALLOC(f, 100);
	if (!a || !b || !c || !d || mh_free(&f->h, a) || mh_free(&f->h, c))
		return false;
	scribbled = f;
	if (scribble)
		mh_set_observer(&f->h, scribble_merged, NULL);
	err = mh_free_result(&f->h, b, r);
	mh_set_observer(&f->h, NULL, NULL);
	return EXPECT_EQ(err, 0);
}

static void free_report_is_the_plans(enum mh_policy policy)
{
	struct mh_result clean = { 0 }, hit = { 0 };

	ASSERT(free_between_holes(policy, false, &clean));
	ASSERT(free_between_holes(policy, true, &hit));
	EXPECT(clean.freed.merges > 0);
	EXPECT(!memcmp(&clean, &hit, sizeof(clean)));
	EXPECT_EQ(hit.freed.block, clean.freed.block);
	EXPECT_EQ(hit.freed.size, clean.freed.size);
}

static const struct test_case cases[] = {
	TEST(salt_is_random, ALL_POLICIES),
	TEST(moving_realloc_copy_length_is_planned, ALL_POLICIES),
	TEST(push_check_is_bounded, ONLY(MH_SEGREGATED)),
	TEST(in_place_resize_accounts_from_the_plan, ALL_POLICIES),
	TEST(unlink_uses_validated_links, ONLY(MH_FIRST_FIT) |
	     ONLY(MH_BEST_FIT) | ONLY(MH_SEGREGATED)),
	TEST(failed_next_fit_keeps_the_rover, ONLY(MH_NEXT_FIT)),
	TEST(moving_realloc_reads_the_old_header_once, ALL_POLICIES),
	TEST(failed_move_is_undone, ALL_POLICIES),
	TEST(forged_size_is_not_believed, ALL_POLICIES),
	TEST(forged_buddy_size_never_indexes_outside, ONLY(MH_BUDDY)),
	TEST(forged_swallow_of_a_used_neighbour, ALL_POLICIES),
	TEST(block_containing_and_resync, ALL_POLICIES),
	TEST(control_check_sees_each_field, ALL_POLICIES),
	TEST(free_report_is_the_plans, ALL_POLICIES),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
