// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the allocator core (module/core), run once per placement
 * policy: allocation, free, split and coalesce, errors, realloc, the
 * checker and the statistics, on a vmalloc'ed region of its own.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "mh_core.h"

#define MH_TEST_REGION	(64 * 1024)

/**
 * struct mh_test - one test's heap.
 * @h: the control structure (test-managed memory).
 * @region: the region (vfree'd by a test action).
 * @size: bytes of @region.
 * @policy: the policy under test.
 * @before: statistics of the fresh heap.
 * @starts: the block-start bitmap (test-managed memory).
 */
struct mh_test {
	struct mh_heap *h;
	u8 *region;
	size_t size;
	enum mh_policy policy;
	struct mh_stats before;
	unsigned long *starts;
};

static const enum mh_policy mh_test_policies[] = {
	MH_FIRST_FIT, MH_NEXT_FIT, MH_BEST_FIT, MH_WORST_FIT, MH_SEGREGATED,
	MH_BUDDY, MH_POOLS,
};

/* A new policy does not go untested: it must be listed above. */
static_assert(ARRAY_SIZE(mh_test_policies) == MH_NR_POLICIES);

static const enum mh_policy mh_test_pools_only[] = { MH_POOLS };

static void mh_test_policy_desc(const enum mh_policy *policy, char *desc)
{
	strscpy(desc, mh_policy_name(*policy), KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mh_test_policy, mh_test_policies, mh_test_policy_desc);
KUNIT_ARRAY_PARAM(mh_test_pools, mh_test_pools_only, mh_test_policy_desc);

KUNIT_DEFINE_ACTION_WRAPPER(mh_test_vfree, vfree, const void *);

/* A fresh heap over a new region, with @flags, for the current policy. */
static struct mh_test *mh_test_heap(struct kunit *test, unsigned int flags)
{
	struct mh_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->h = kunit_kzalloc(test, sizeof(*t->h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->h);
	t->size = MH_TEST_REGION;
	t->region = vzalloc(t->size);
	KUNIT_ASSERT_NOT_NULL(test, t->region);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mh_test_vfree,
							t->region), 0);
	t->policy = *(const enum mh_policy *)test->param_value;
	t->starts = kunit_kzalloc(test, mh_starts_bytes(t->size), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->starts);
	KUNIT_ASSERT_EQ(test, mh_init(t->h, t->region, t->size, t->policy,
				      flags, t->starts), 0);
	KUNIT_ASSERT_EQ(test, mh_check(t->h, NULL), 0);
	mh_stats(t->h, &t->before);
	return t;
}

static int mh_test_init(struct kunit *test)
{
	test->priv = mh_test_heap(test, 0);
	return 0;
}

/* Fill or verify a payload with a pattern derived from its offset. */
static void mh_test_fill(struct mh_test *t, u32 off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		t->region[off + i] = (u8)(off * 7 + i);
}

static bool mh_test_intact(struct mh_test *t, u32 off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (t->region[off + i] != (u8)(off * 7 + i))
			return false;
	return true;
}

static struct mh_stats *mh_test_stats(struct kunit *test, struct mh_test *t)
{
	struct mh_stats *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	mh_stats(t->h, st);
	return st;
}

/* Everything freed: the heap looks as it did when fresh. */
static void mh_test_expect_fresh(struct kunit *test, struct mh_test *t)
{
	struct mh_stats *st = mh_test_stats(test, t);

	KUNIT_EXPECT_TRUE(test, mh_empty(t->h));
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
	KUNIT_EXPECT_EQ(test, st->used_blocks, 0);
	KUNIT_EXPECT_EQ(test, st->requested_bytes, 0);
	KUNIT_EXPECT_EQ(test, st->free_blocks, t->before.free_blocks);
	KUNIT_EXPECT_EQ(test, st->free_bytes, t->before.free_bytes);
	KUNIT_EXPECT_EQ(test, st->largest_free, t->before.largest_free);
}

static void mh_test_alloc_free(struct kunit *test)
{
	struct mh_test *t = test->priv;
	size_t usable, requested;
	u32 off;

	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 100, MH_ALIGN, 0, &off), 0);
	KUNIT_EXPECT_EQ(test, off % MH_ALIGN, 0);
	KUNIT_EXPECT_GE(test, off, MH_HDR_SIZE);
	KUNIT_EXPECT_LE(test, off + 100, t->size);
	KUNIT_EXPECT_EQ(test, mh_probe(t->h, off), 0);
	KUNIT_ASSERT_EQ(test, mh_usable_size(t->h, off, &usable), 0);
	KUNIT_EXPECT_GE(test, usable, 100);
	KUNIT_ASSERT_EQ(test, mh_requested_size(t->h, off, &requested), 0);
	KUNIT_EXPECT_EQ(test, requested, 100);
	mh_test_fill(t, off, usable);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
	KUNIT_EXPECT_FALSE(test, mh_empty(t->h));
	KUNIT_EXPECT_TRUE(test, mh_test_intact(t, off, usable));

	KUNIT_EXPECT_EQ(test, mh_free(t->h, off), 0);
	KUNIT_EXPECT_EQ(test, mh_probe(t->h, off), -EALREADY);
	mh_test_expect_fresh(test, t);
}

static void mh_test_errors(struct kunit *test)
{
	struct mh_test *t = test->priv;
	u32 off, other, n = 0;
	int ret;

	KUNIT_EXPECT_EQ(test, mh_alloc(t->h, 0, MH_ALIGN, 0, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, mh_alloc(t->h, 8, MH_ALIGN, 0x80, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, mh_alloc(t->h, t->size, MH_ALIGN, 0, &off), -E2BIG);
	KUNIT_EXPECT_EQ(test, mh_alloc(t->h, MH_MAX_REGION + 1ul, MH_ALIGN, 0,
				       &off), -E2BIG);
	KUNIT_EXPECT_EQ(test, mh_alloc(t->h, 8, 3, 0, &off), -EDOM);
	KUNIT_EXPECT_EQ(test, mh_alloc(t->h, 8, 48, 0, &off), -EDOM);
	KUNIT_EXPECT_EQ(test, mh_alloc(t->h, 8, MH_MAX_ALIGN * 2ul, 0, &off),
			-EDOM);

	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 100, MH_ALIGN, 0, &off), 0);
	memset(t->region + off, 0xa5, 100);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, t->size), -ENXIO);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, U32_MAX), -ENXIO);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off + 1), -ENXIO);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off + 16), -EBADMSG);
	KUNIT_EXPECT_EQ(test, mh_set_policy(t->h, MH_NR_POLICIES), -EINVAL);
	KUNIT_EXPECT_EQ(test, mh_set_policy(t->h, MH_FIRST_FIT), -EBUSY);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off), 0);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off), -EALREADY);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);

	/* Fill the heap: the first failure is -ENOMEM, and nothing changed. */
	while (!(ret = mh_alloc(t->h, 1000, MH_ALIGN, 0, &other)))
		n++;
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_GT(test, n, 30);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
}

static void mh_test_split_coalesce(struct kunit *test)
{
	struct mh_test *t = test->priv;
	struct mh_stats *st;
	u32 off[3];
	int i;

	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 200, MH_ALIGN, 0, &off[i]),
				0);
		mh_test_fill(t, off[i], 200);
	}
	st = mh_test_stats(test, t);
	KUNIT_EXPECT_EQ(test, st->used_blocks, 3);
	KUNIT_EXPECT_GT(test, st->count.splits, t->before.count.splits);
	KUNIT_EXPECT_EQ(test, st->used_bytes + st->free_bytes, st->heap_size);

	/* Free the middle one: it cannot merge with its used neighbours. */
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off[1]), 0);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
	KUNIT_EXPECT_TRUE(test, mh_test_intact(t, off[0], 200));
	KUNIT_EXPECT_TRUE(test, mh_test_intact(t, off[2], 200));
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off[0]), 0);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off[2]), 0);

	st = mh_test_stats(test, t);
	KUNIT_EXPECT_GT(test, st->count.coalesces, t->before.count.coalesces);
	mh_test_expect_fresh(test, t);
}

static void mh_test_realloc(struct kunit *test)
{
	struct mh_test *t = test->priv;
	size_t requested, i;
	u32 off, moved, blocker;
	bool same = true;

	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 64, MH_ALIGN, 0, &off), 0);
	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 64, MH_ALIGN, 0, &blocker), 0);
	mh_test_fill(t, off, 64);

	/* Grow past the neighbour: the contents move with the block. */
	KUNIT_ASSERT_EQ(test, mh_realloc(t->h, off, 5000, &moved), 0);
	KUNIT_ASSERT_EQ(test, mh_requested_size(t->h, moved, &requested), 0);
	KUNIT_EXPECT_EQ(test, requested, 5000);
	for (i = 0; i < 64; i++)
		same &= t->region[moved + i] == (u8)(off * 7 + i);
	KUNIT_EXPECT_TRUE(test, same);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
	KUNIT_EXPECT_EQ(test, mh_probe(t->h, blocker), 0);

	/* Shrink: the first bytes stay. */
	mh_test_fill(t, moved, 5000);
	off = moved;
	KUNIT_ASSERT_EQ(test, mh_realloc(t->h, off, 10, &moved), 0);
	for (i = 0, same = true; i < 10; i++)
		same &= t->region[moved + i] == (u8)(off * 7 + i);
	KUNIT_EXPECT_TRUE(test, same);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);

	KUNIT_EXPECT_EQ(test, mh_realloc(t->h, moved, 0, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, mh_realloc(t->h, moved, t->size * 2, &off), -E2BIG);
	KUNIT_EXPECT_EQ(test, mh_realloc(t->h, moved + 1, 10, &off), -ENXIO);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, moved), 0);
	KUNIT_EXPECT_EQ(test, mh_realloc(t->h, moved, 10, &off), -EALREADY);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, blocker), 0);
	mh_test_expect_fresh(test, t);
}

static void mh_test_realloc_keeps_data(struct kunit *test)
{
	struct mh_test *t = test->priv;
	static const size_t sizes[] = { 24, 300, 7, 4000, 100, 17000, 1 };
	u32 off, moved, blocker;
	size_t i, keep = 24;

	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, keep, MH_ALIGN, 0, &off), 0);
	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 32, MH_ALIGN, 0, &blocker), 0);
	memset(t->region + off, 0x3c, keep);
	for (i = 1; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_EQ(test, mh_realloc(t->h, off, sizes[i], &moved), 0);
		keep = min(keep, sizes[i]);
		KUNIT_EXPECT_NULL(test, memchr_inv(t->region + moved, 0x3c, keep));
		memset(t->region + moved, 0x3c, sizes[i]);
		keep = sizes[i];
		off = moved;
		KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off), 0);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, blocker), 0);
	mh_test_expect_fresh(test, t);
}

static void mh_test_zero_and_align(struct kunit *test)
{
	struct mh_test *t = test->priv;
	size_t align;
	u32 off;

	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 256, MH_ALIGN, 0, &off), 0);
	memset(t->region + off, 0xff, 256);
	KUNIT_ASSERT_EQ(test, mh_free(t->h, off), 0);
	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 256, MH_ALIGN, MH_ALLOC_ZERO, &off),
			0);
	KUNIT_EXPECT_NULL(test, memchr_inv(t->region + off, 0, 256));
	KUNIT_ASSERT_EQ(test, mh_free(t->h, off), 0);

	for (align = MH_ALIGN; align <= 4096; align <<= 1) {
		/* The buddy system aligns payloads to MH_ALIGN only. */
		if (t->policy == MH_BUDDY && align > MH_ALIGN) {
			KUNIT_EXPECT_EQ(test, mh_alloc(t->h, 24, align, 0, &off),
					-EDOM);
			continue;
		}
		KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 24, align, 0, &off), 0);
		KUNIT_EXPECT_EQ(test, off % align, 0);
		KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
		KUNIT_EXPECT_EQ(test, mh_free(t->h, off), 0);
	}
	mh_test_expect_fresh(test, t);
}

static void mh_test_check_damage(struct kunit *test)
{
	struct mh_test *t = test->priv;
	struct mh_violation first;
	u32 a, b, c;

	/* A scribbled header: reported, and the block can no longer be freed. */
	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 100, MH_ALIGN, 0, &a), 0);
	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 100, MH_ALIGN, 0, &b), 0);
	t->region[a - MH_HDR_SIZE] ^= 0xff;
	KUNIT_EXPECT_GT(test, mh_check(t->h, &first), 0);
	KUNIT_EXPECT_EQ(test, first.kind, MH_V_HEADER);
	KUNIT_EXPECT_EQ(test, first.offset, a - MH_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, a), -EBADMSG);
	KUNIT_EXPECT_EQ(test, mh_probe(t->h, a), -EBADMSG);
	t->region[a - MH_HDR_SIZE] ^= 0xff;
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);

	/* Scribbled free-list links: refused with -EUCLEAN, nothing changed. */
	KUNIT_ASSERT_EQ(test, mh_free(t->h, a), 0);
	memset(t->region + a, 0xee, 16);
	KUNIT_EXPECT_GT(test, mh_check(t->h, NULL), 0);
	KUNIT_EXPECT_EQ(test, mh_alloc(t->h, 100, MH_ALIGN, 0, &c), -EUCLEAN);
	KUNIT_EXPECT_GT(test, mh_test_stats(test, t)->count.corruptions, 0);

	/* A reset forgets everything, damage included. */
	KUNIT_EXPECT_EQ(test, mh_reset(t->h, t->policy), 0);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
	KUNIT_EXPECT_TRUE(test, mh_empty(t->h));
	KUNIT_EXPECT_NE(test, mh_probe(t->h, b), 0);
}

static void mh_test_poison(struct kunit *test)
{
	struct mh_test *t = mh_test_heap(test, MH_INIT_POISON);
	struct mh_violation first;
	u32 a, b, c;

	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 200, MH_ALIGN, 0, &a), 0);
	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 200, MH_ALIGN, 0, &b), 0);
	KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 200, MH_ALIGN, 0, &c), 0);
	KUNIT_ASSERT_EQ(test, mh_free(t->h, b), 0);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
	KUNIT_EXPECT_EQ(test, t->region[b + 64], MH_POISON);

	/* A write after free is caught. */
	t->region[b + 64] = 1;
	KUNIT_EXPECT_GT(test, mh_check(t->h, &first), 0);
	KUNIT_EXPECT_EQ(test, first.kind, MH_V_POISON);
	t->region[b + 64] = MH_POISON;
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
}

static void mh_test_stats_accounting(struct kunit *test)
{
	struct mh_test *t = test->priv;
	static const size_t sizes[] = { 1, 15, 16, 17, 100, 1000 };
	struct mh_stats *st;
	size_t i, sum = 0;
	u64 hist = 0;
	u32 off;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_EQ(test, mh_alloc(t->h, sizes[i], MH_ALIGN, 0, &off),
				0);
		sum += sizes[i];
	}
	st = mh_test_stats(test, t);
	KUNIT_EXPECT_EQ(test, st->policy, t->policy);
	KUNIT_EXPECT_EQ(test, st->region_size, t->size);
	KUNIT_EXPECT_EQ(test, st->header_size, MH_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, st->used_blocks, ARRAY_SIZE(sizes));
	KUNIT_EXPECT_EQ(test, st->requested_bytes, sum);
	KUNIT_EXPECT_GE(test, st->granted_bytes, sum);
	KUNIT_EXPECT_EQ(test, st->internal_frag,
			st->granted_bytes - st->requested_bytes);
	KUNIT_EXPECT_EQ(test, st->used_bytes + st->free_bytes, st->heap_size);
	KUNIT_EXPECT_EQ(test, st->peak_requested, sum);
	KUNIT_EXPECT_EQ(test, st->count.allocs,
			t->before.count.allocs + ARRAY_SIZE(sizes));
	KUNIT_EXPECT_LE(test, st->largest_alloc, st->largest_free);
	KUNIT_EXPECT_LE(test, st->external_frag_ppm, 1000000);
	for (i = 0; i < MH_HIST_BUCKETS; i++)
		hist += st->free_hist[i];
	KUNIT_EXPECT_EQ(test, hist, st->free_blocks);
}

/* Deterministic random alloc/free/realloc mix, checked after every step. */
static void mh_test_random_ops(struct kunit *test)
{
	struct mh_test *t = test->priv;
	u32 *live, *len, nlive = 0, seed = 12345 + t->policy, off, i, k;
	const u32 max_live = 128;
	int ret;

	live = kunit_kcalloc(test, max_live, sizeof(*live), GFP_KERNEL);
	len = kunit_kcalloc(test, max_live, sizeof(*len), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, live);
	KUNIT_ASSERT_NOT_NULL(test, len);

	for (i = 0; i < 1500; i++) {
		seed = seed * 1103515245 + 12345;
		k = (seed >> 8) % 3;
		if (nlive < max_live && (k || !nlive)) {
			u32 size = 1 + (seed >> 12) % 1500;

			ret = mh_alloc(t->h, size, MH_ALIGN, 0, &off);
			if (ret) {
				KUNIT_ASSERT_EQ(test, ret, -ENOMEM);
			} else {
				mh_test_fill(t, off, size);
				live[nlive] = off;
				len[nlive++] = size;
			}
		} else {
			k = (seed >> 16) % nlive;
			KUNIT_ASSERT_TRUE(test, mh_test_intact(t, live[k], len[k]));
			KUNIT_ASSERT_EQ(test, mh_free(t->h, live[k]), 0);
			live[k] = live[--nlive];
			len[k] = len[nlive];
		}
		KUNIT_ASSERT_EQ_MSG(test, mh_check(t->h, NULL), 0, "step %u", i);
	}
	for (k = 0; k < nlive; k++) {
		KUNIT_EXPECT_TRUE(test, mh_test_intact(t, live[k], len[k]));
		KUNIT_EXPECT_EQ(test, mh_free(t->h, live[k]), 0);
	}
	mh_test_expect_fresh(test, t);
}

/*
 * Pools: enough small requests that their class gets runs; a slot has
 * its class's size and no header, and its free is checked as a block's.
 */
static void mh_test_pool_slots(struct kunit *test)
{
	struct mh_test *t = test->priv;
	u32 off[300], i;
	size_t usable;

	for (i = 0; i < ARRAY_SIZE(off); i++)
		KUNIT_ASSERT_EQ(test, mh_alloc(t->h, 44, MH_ALIGN, 0, &off[i]),
				0);
	i = ARRAY_SIZE(off) - 1;
	KUNIT_ASSERT_EQ(test, mh_usable_size(t->h, off[i], &usable), 0);
	KUNIT_EXPECT_EQ(test, usable, 48);
	KUNIT_EXPECT_EQ(test, off[i] - off[i - 1], 48);	/* no header between */
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off[i] + 16), -EBADMSG);
	KUNIT_EXPECT_EQ(test, mh_check(t->h, NULL), 0);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off[i]), 0);
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off[i]), -EALREADY);
	while (i--)
		KUNIT_EXPECT_EQ(test, mh_free(t->h, off[i]), 0);
	/* the runs went back to the heap: no slot is there any more */
	KUNIT_EXPECT_EQ(test, mh_free(t->h, off[ARRAY_SIZE(off) - 1]),
			-EBADMSG);
	mh_test_expect_fresh(test, t);
}

static struct kunit_case mh_core_test_cases[] = {
	KUNIT_CASE_PARAM(mh_test_alloc_free, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_errors, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_split_coalesce, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_realloc, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_realloc_keeps_data, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_zero_and_align, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_check_damage, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_poison, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_stats_accounting, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_random_ops, mh_test_policy_gen_params),
	KUNIT_CASE_PARAM(mh_test_pool_slots, mh_test_pools_gen_params),
	{}
};

static struct kunit_suite mh_core_test_suite = {
	.name = "myheap_core",
	.init = mh_test_init,
	.test_cases = mh_core_test_cases,
};

kunit_test_suites(&mh_core_test_suite);

/* The objects under test are myheap.ko's own (see Kbuild). */
MODULE_IMPORT_NS(MYHEAP_CORE);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of the myheap allocator core and glue");
MODULE_LICENSE("GPL");
