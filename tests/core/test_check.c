// SPDX-License-Identifier: GPL-2.0
/*
 * test_check.c - mh_check() catches each kind of deliberate damage and
 * names it: the first violation's kind and offset are asserted.
 */
#include <string.h>

#include "damage.h"
#include "pattern.h"

#define REGION		(64u << 10)

/* Block offset (header) of the physical neighbour after block @blk. */
static u32 next_block(struct fixture *f, u32 blk)
{
	struct mh_block_info b;

	EXPECT_EQ(mh_block_at(&f->h, blk, &b), 0);
	return b.next;
}

#define ANYWHERE	UINT32_MAX

/*
 * mh_check() done a piece at a time, @max blocks or list nodes per step
 * (what the module does to bound its lock holds): the same count and the
 * same first violation as in one go, or the test fails here.
 */
static int check_in_steps(struct fixture *f, u32 max, struct mh_violation *v,
			  const char *file, int line)
{
	struct mh_check_state s;
	unsigned int steps = 0;
	int n;

	mh_check_begin(&f->h, &s);
	while (!mh_check_step(&f->h, &s, max))
		if (++steps > 2 * (REGION / MH_MIN_BLOCK) + 8) {
			test_failed(file, line, "mh_check_step(%u) never ends", max);
			return -1;
		}
	n = mh_check_end(&f->h, &s, v);
	return n;
}

static bool steps_agree(struct fixture *f, int n, const struct mh_violation *v,
			const char *file, int line)
{
	static const u32 maxes[] = { 1, 2, 5 };
	struct mh_violation sv;
	unsigned int i;
	int sn;

	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		sv = (struct mh_violation){ .kind = MH_V_NONE, .offset = 0 };
		sn = check_in_steps(f, maxes[i], &sv, file, line);
		if (sn != n || sv.kind != v->kind || sv.offset != v->offset) {
			test_failed(file, line,
				    "in steps of %u: %d, first \"%s\" at %u; in one go: %d, \"%s\" at %u",
				    maxes[i], sn, mh_violation_name(sv.kind),
				    sv.offset, n, mh_violation_name(v->kind),
				    v->offset);
			return false;
		}
	}
	return true;
}

static bool expect_violation(struct fixture *f, enum mh_violation_kind kind,
			     u32 offset, const char *file, int line)
{
	struct mh_violation v = { .kind = MH_V_NONE, .offset = 0 };
	int n = mh_check(&f->h, &v);

	if (n < 1 || v.kind != kind || (offset != ANYWHERE && v.offset != offset)) {
		test_failed(file, line,
			    "mh_check = %d, first \"%s\" at %u; want \"%s\" at %d",
			    n, mh_violation_name(v.kind), v.offset,
			    mh_violation_name(kind), (int)offset);
		return false;
	}
	return steps_agree(f, n, &v, file, line);
}
#define EXPECT_VIOLATION(f, kind, offset) \
	expect_violation(f, kind, offset, __FILE__, __LINE__)

static void sound_heap_has_no_violation(enum mh_policy policy)
{
	struct mh_violation v = { .kind = MH_V_HEADER, .offset = 99 };
	struct three t;

	ASSERT(three_setup(&t, policy, MH_INIT_POISON));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	EXPECT_EQ(mh_check(&t.f->h, &v), 0);
	EXPECT_EQ(v.kind, MH_V_NONE);
	EXPECT_EQ(mh_check(&t.f->h, NULL), 0);
	EXPECT(steps_agree(t.f, 0, &v, __FILE__, __LINE__));
}

static void header_check_bits_scribbled(enum mh_policy policy)
{
	struct three t;

	ASSERT(three_setup(&t, policy, 0));
	t.f->region[t.b - 1] ^= 0x10;	/* a bit of the 10-bit check */
	EXPECT_VIOLATION(t.f, MH_V_HEADER, t.b - MH_HDR_SIZE);
}

static void header_size_scribbled(enum mh_policy policy)
{
	struct three t;

	ASSERT(three_setup(&t, policy, 0));
	t.f->region[t.b - MH_HDR_SIZE] ^= 0x01;	/* size, check not updated */
	EXPECT_VIOLATION(t.f, MH_V_HEADER, t.b - MH_HDR_SIZE);
}

static void size_past_the_end(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr hd;
	u32 blk;

	ASSERT(three_setup(&t, policy, 0));
	blk = t.b - MH_HDR_SIZE;
	hd = hdr_at(t.f, blk);
	hd.size = t.f->h.heap_end - blk + MH_ALIGN;
	forge_hdr(t.f, blk, hd);
	EXPECT_VIOLATION(t.f, MH_V_SIZE, blk);
}

static void size_below_minimum(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr hd;
	u32 blk;

	ASSERT(three_setup(&t, policy, 0));
	blk = t.b - MH_HDR_SIZE;
	hd = hdr_at(t.f, blk);
	hd.size = MH_ALIGN;
	hd.slack = 0;
	forge_hdr(t.f, blk, hd);
	EXPECT_VIOLATION(t.f, MH_V_SIZE, blk);
}

static void slack_larger_than_payload(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr hd;
	u32 blk;

	ASSERT(three_setup(&t, policy, 0));
	blk = t.b - MH_HDR_SIZE;
	hd = hdr_at(t.f, blk);
	hd.slack = hd.size - MH_HDR_SIZE + MH_ALIGN;
	forge_hdr(t.f, blk, hd);
	EXPECT_VIOLATION(t.f, MH_V_SLACK, blk);
}

static void slack_on_a_free_block(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr hd;
	u32 blk;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	blk = t.b - MH_HDR_SIZE;
	hd = hdr_at(t.f, blk);
	ASSERT(!hd.used);
	hd.slack = MH_ALIGN;
	forge_hdr(t.f, blk, hd);
	EXPECT_VIOLATION(t.f, MH_V_SLACK, blk);
}

static void prev_free_clear_after_a_free_block(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr hd;
	u32 next;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	next = next_block(t.f, t.b - MH_HDR_SIZE);
	hd = hdr_at(t.f, next);
	ASSERT(hd.prev_free && hd.used);
	hd.prev_free = false;
	forge_hdr(t.f, next, hd);
	EXPECT_VIOLATION(t.f, MH_V_PREV_FREE, next);
}

static void prev_free_set_after_a_used_block(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr hd;
	u32 next;

	ASSERT(three_setup(&t, policy, 0));
	next = next_block(t.f, t.b - MH_HDR_SIZE);
	hd = hdr_at(t.f, next);
	ASSERT(!hd.prev_free);
	hd.prev_free = true;
	forge_hdr(t.f, next, hd);
	EXPECT_VIOLATION(t.f, MH_V_PREV_FREE, next);
}

static void footer_disagrees(enum mh_policy policy)
{
	struct three t;
	u32 blk;
	struct mh_hdr hd;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	blk = t.b - MH_HDR_SIZE;
	hd = hdr_at(t.f, blk);
	ASSERT_EQ(peek32(t.f, blk + hd.size - MH_TAG_SIZE), hd.size);
	poke32(t.f, blk + hd.size - MH_TAG_SIZE, hd.size + MH_ALIGN);
	EXPECT_VIOLATION(t.f, MH_V_FOOTER, blk);
}

/* A used block forged into a free one right after a free block. */
static void adjacent_free_blocks(enum mh_policy policy)
{
	struct three t;
	struct mh_hdr hd;
	u32 next;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	next = next_block(t.f, t.b - MH_HDR_SIZE);
	hd = hdr_at(t.f, next);
	ASSERT(hd.used);
	forge_free(t.f, next, hd.size, true);
	EXPECT_VIOLATION(t.f, MH_V_ADJACENT_FREE, next);
}

static void link_out_of_bounds(enum mh_policy policy)
{
	struct three t;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	poke32(t.f, t.b - MH_HDR_SIZE + MH_NEXT_AT, 0x7ffffff8u);
	EXPECT_VIOLATION(t.f, MH_V_LINK, ANYWHERE);
}

static void back_link_disagrees(enum mh_policy policy)
{
	struct three t;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	poke32(t.f, t.b - MH_HDR_SIZE + MH_PREV_AT, t.a - MH_HDR_SIZE);
	EXPECT_VIOLATION(t.f, MH_V_LINK, t.b - MH_HDR_SIZE);
}

static void list_loops_on_itself(enum mh_policy policy)
{
	struct three t;

	ASSERT(three_setup(&t, policy, 0));
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	poke32(t.f, t.b - MH_HDR_SIZE + MH_NEXT_AT, t.b - MH_HDR_SIZE);
	EXPECT_VIOLATION(t.f, MH_V_LINK, t.b - MH_HDR_SIZE);
}

struct free_node {
	u32 list, offset;
};

struct free_nodes {
	int n;
	struct free_node node[256];
};

static int collect_free(void *arg, const struct mh_free_info *fi)
{
	struct free_nodes *fn = arg;

	if (fn->n < 256) {
		fn->node[fn->n].list = fi->list;
		fn->node[fn->n].offset = fi->offset;
		fn->n++;
	}
	return 0;
}

/* Holes of one size, kept apart by blocks in use (and by used buddies). */
static struct fixture *holes_setup(enum mh_policy policy,
				   struct free_nodes *fn)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 off[30];

	if (!f)
		return NULL;
	for (int i = 0; i < 30; i++)
		if (!(off[i] = ALLOC(f, 40)))
			return NULL;
	for (int i = 0; i < 30; i += 3)
		EXPECT_EQ(mh_free(&f->h, off[i]), 0);
	fn->n = 0;
	EXPECT_EQ(mh_walk_free(&f->h, collect_free, fn), 0);
	return EXPECT_CLEAN(f) ? f : NULL;
}

/* Unlink the middle of three listed blocks by relinking its neighbours. */
static void block_missing_from_lists(enum mh_policy policy)
{
	struct free_nodes fn;
	struct fixture *f = holes_setup(policy, &fn);
	int i;

	ASSERT(f);
	for (i = 0; i + 2 < fn.n; i++)
		if (fn.node[i].list == fn.node[i + 2].list)
			break;
	ASSERT(i + 2 < fn.n);
	poke32(f, fn.node[i].offset + MH_NEXT_AT, fn.node[i + 2].offset);
	poke32(f, fn.node[i + 2].offset + MH_PREV_AT, fn.node[i].offset);
	EXPECT_VIOLATION(f, MH_V_LIST_COUNT, ANYWHERE);
}

/* Two lists holding one block each trade their blocks. */
static void block_on_the_wrong_list(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct free_nodes fn = { 0 };
	u32 x, y, l1 = 0, l2 = 0, first;
	int count[MH_NR_LISTS] = { 0 };

	ASSERT(f);
	x = ALLOC(f, 100);
	ASSERT(ALLOC(f, 100));
	y = ALLOC(f, 1000);
	ASSERT(ALLOC(f, 100));
	ASSERT(x && y);
	EXPECT_EQ(mh_free(&f->h, x), 0);
	EXPECT_EQ(mh_free(&f->h, y), 0);
	EXPECT_EQ(mh_walk_free(&f->h, collect_free, &fn), 0);
	for (int i = 0; i < fn.n; i++)
		count[fn.node[i].list]++;
	for (l1 = 0; l1 < MH_NR_LISTS && count[l1] != 1; l1++)
		;
	for (l2 = l1 + 1; l2 < MH_NR_LISTS && count[l2] != 1; l2++)
		;
	ASSERT(l2 < MH_NR_LISTS);
	first = f->h.heads[l2];	/* the lower list gets l2's block */
	f->h.heads[l2] = f->h.heads[l1];
	f->h.heads[l1] = first;
	EXPECT_VIOLATION(f, MH_V_CLASS, first);
}

static void bitmap_disagrees_with_lists(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct free_nodes fn = { 0 };
	u32 list;

	ASSERT(f);
	EXPECT_EQ(mh_walk_free(&f->h, collect_free, &fn), 0);
	ASSERT(fn.n > 0);
	list = fn.node[0].list;
	if (SEG_LISTS(policy))
		f->h.sl_bitmap[list / MH_SL_COUNT] ^= 1u << (list % MH_SL_COUNT);
	else
		f->h.fl_bitmap ^= 1u << list;
	EXPECT_VIOLATION(f, MH_V_BITMAP, ANYWHERE);
	/* and a bit set for an empty list */
	if (SEG_LISTS(policy))
		f->h.sl_bitmap[list / MH_SL_COUNT] ^= 1u << (list % MH_SL_COUNT);
	else
		f->h.fl_bitmap ^= 1u << list;
	ASSERT(EXPECT_CLEAN(f));
	for (list = 0; f->h.heads[list]; list++)
		;
	if (SEG_LISTS(policy))
		f->h.sl_bitmap[list / MH_SL_COUNT] |= 1u << (list % MH_SL_COUNT);
	else
		f->h.fl_bitmap |= 1u << list;
	EXPECT_VIOLATION(f, MH_V_BITMAP, ANYWHERE);
}

static void totals_disagree(enum mh_policy policy)
{
	struct three t;

	ASSERT(three_setup(&t, policy, 0));
	t.f->h.requested++;
	EXPECT_VIOLATION(t.f, MH_V_ACCOUNTING, ANYWHERE);
	t.f->h.requested--;
	t.f->h.free_bytes += MH_ALIGN;
	EXPECT_VIOLATION(t.f, MH_V_ACCOUNTING, ANYWHERE);
	t.f->h.free_bytes -= MH_ALIGN;
	t.f->h.used_blocks++;
	EXPECT_VIOLATION(t.f, MH_V_ACCOUNTING, ANYWHERE);
}

/* A used 256-byte buddy block re-forged as 96 + 160 bytes. */
static void buddy_block_not_a_power_of_two(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_hdr hd, second = { .size = 160, .used = true };
	u32 x, blk;

	ASSERT(f);
	x = ALLOC(f, 200);
	ASSERT(x);
	blk = x - MH_HDR_SIZE;
	hd = hdr_at(f, blk);
	ASSERT_EQ(hd.size, 256);
	hd.size = 96;
	hd.slack = 0;
	forge_hdr(f, blk, hd);
	forge_hdr(f, blk + 96, second);
	EXPECT_VIOLATION(f, MH_V_BUDDY, blk);
}

/* A free 256-byte buddy block re-forged as two free 128-byte buddies. */
static void buddies_not_merged(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	struct mh_hdr hd;
	u32 x, blk;

	ASSERT(f);
	x = ALLOC(f, 200);
	ASSERT(x);
	EXPECT_EQ(mh_free(&f->h, x), 0);
	blk = x - MH_HDR_SIZE;
	hd = hdr_at(f, blk);
	ASSERT(hd.size == 256 && !hd.used);
	forge_free(f, blk, 128, hd.prev_free);
	forge_free(f, blk + 128, 128, true);
	EXPECT_VIOLATION(f, MH_V_BUDDY, blk);
}

/*
 * Poisoning: a write into a freed payload is reported by mh_check(), and
 * the allocation that would hand that memory out again refuses it.
 */
static void write_after_free_is_caught(enum mh_policy policy)
{
	struct three t;
	struct mh_stats st;
	u32 blk, off, rest;

	ASSERT(three_setup(&t, policy, MH_INIT_POISON));
	/* take the rest of the heap, so only b can be handed out again */
	while (mh_alloc(&t.f->h, 1, 0, 0, &rest) == 0)
		;
	EXPECT_EQ(mh_free(&t.f->h, t.b), 0);
	blk = t.b - MH_HDR_SIZE;
	ASSERT(EXPECT_CLEAN(t.f));
	EXPECT_EQ(t.f->region[t.b + 100], MH_POISON);
	t.f->region[t.b + 100] = 0;		/* the write after free */
	EXPECT_VIOLATION(t.f, MH_V_POISON, blk);
	EXPECT_EQ(mh_alloc(&t.f->h, 200, 0, 0, &off), -EUCLEAN);
	mh_stats(&t.f->h, &st);
	EXPECT_EQ(st.count.poison_errors, 1);
	EXPECT_EQ(st.count.corruptions, 1);
	/*
	 * The refusal writes nothing (its range would come from the region):
	 * the block stays refused and reported until it is repaired.
	 */
	EXPECT_VIOLATION(t.f, MH_V_POISON, blk);
	EXPECT_EQ(mh_alloc(&t.f->h, 200, 0, 0, &off), -EUCLEAN);
	t.f->region[t.b + 100] = MH_POISON;
	EXPECT_CLEAN(t.f);
	EXPECT_EQ(ALLOC(t.f, 200), t.b);
}

/* Poison also covers what realloc shrinks off and the space it grows into. */
static void write_after_realloc_shrink_is_caught(enum mh_policy policy)
{
	struct three t;
	u32 moved = 0;

	ASSERT(three_setup(&t, policy, MH_INIT_POISON));
	ASSERT_EQ(mh_realloc(&t.f->h, t.c, 20, &moved), 0);
	ASSERT_EQ(moved, t.c);
	ASSERT(EXPECT_CLEAN(t.f));
	t.f->region[t.c + 200] = 1;	/* inside the freed tail */
	EXPECT_VIOLATION(t.f, MH_V_POISON, ANYWHERE);
	EXPECT_EQ(mh_realloc(&t.f->h, t.c, 300, &moved), -EUCLEAN);
}

static const struct test_case cases[] = {
	TEST(sound_heap_has_no_violation, ALL_POLICIES),
	TEST(header_check_bits_scribbled, ALL_POLICIES),
	TEST(header_size_scribbled, ALL_POLICIES),
	TEST(size_past_the_end, ALL_POLICIES),
	TEST(size_below_minimum, ALL_POLICIES),
	TEST(slack_larger_than_payload, ALL_POLICIES),
	TEST(slack_on_a_free_block, ALL_POLICIES),
	TEST(prev_free_clear_after_a_free_block, ALL_POLICIES),
	TEST(prev_free_set_after_a_used_block, ALL_POLICIES),
	TEST(footer_disagrees, ALL_POLICIES),
	TEST(adjacent_free_blocks, NOT_BUDDY),
	TEST(link_out_of_bounds, ALL_POLICIES),
	TEST(back_link_disagrees, ALL_POLICIES),
	TEST(list_loops_on_itself, ALL_POLICIES),
	TEST(block_missing_from_lists, ALL_POLICIES),
	TEST(block_on_the_wrong_list, ONLY(MH_SEGREGATED) | ONLY(MH_BUDDY)),
	TEST(bitmap_disagrees_with_lists, ONLY(MH_SEGREGATED) | ONLY(MH_BUDDY)),
	TEST(totals_disagree, ALL_POLICIES),
	TEST(buddy_block_not_a_power_of_two, ONLY(MH_BUDDY)),
	TEST(buddies_not_merged, ONLY(MH_BUDDY)),
	TEST(write_after_free_is_caught, ALL_POLICIES),
	TEST(write_after_realloc_shrink_is_caught, NOT_BUDDY),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
