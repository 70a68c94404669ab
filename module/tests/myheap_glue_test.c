// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the module glue: parameter parsing, block ownership and
 * the errno each kind of bad request maps to, on a device of its own (no
 * misc device is registered).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "myheap.h"
#include "myheap_debugfs.h"
#include "myheap_test_util.h"

/**
 * struct myheap_size_case - one region_size parameter value.
 * @val: the string given.
 * @ret: what myheap_parse_size() returns.
 * @size: the size it yields when @ret is 0.
 */
struct myheap_size_case {
	const char *val;
	int ret;
	unsigned long size;
};

static const struct myheap_size_case myheap_size_cases[] = {
	{ "4K", 0, 4096 },
	{ "4k", 0, 4096 },
	{ "16M", 0, 16UL << 20 },
	{ "256M", 0, 256UL << 20 },
	{ "4096", 0, 4096 },
	{ "65536", 0, 65536 },
	{ "010000", -EINVAL, 0 },	/* ten thousand, not octal 4096 */
	{ "0016K", 0, 16384 },
	{ "0x10000", -EINVAL, 0 },	/* decimal only */
	{ "+4K", -EINVAL, 0 },
	{ "4M\n", 0, 4UL << 20 },
	{ "1G", -EINVAL, 0 },
	{ "257M", -EINVAL, 0 },
	{ "bogus", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "\n", -EINVAL, 0 },
	{ "K", -EINVAL, 0 },
	{ "4KB", -EINVAL, 0 },
	{ "4T", -EINVAL, 0 },
	{ "-4K", -EINVAL, 0 },
	{ " 4K", -EINVAL, 0 },
	{ "0", -EINVAL, 0 },
	{ "2048", -EINVAL, 0 },
	{ "12345", -EINVAL, 0 },
	{ "99999999999999999999", -EINVAL, 0 },
	{ "18446744073709551615K", -EINVAL, 0 },
	{ "0123456789abcdef0123456789abcdef0123456789", -EINVAL, 0 },
};

static void myheap_size_case_desc(const struct myheap_size_case *c,
				  char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%.*s\"",
		 (int)strcspn(c->val, "\n"), c->val);
}

KUNIT_ARRAY_PARAM(myheap_size, myheap_size_cases, myheap_size_case_desc);

static void myheap_test_parse_size(struct kunit *test)
{
	const struct myheap_size_case *c = test->param_value;
	unsigned long size = 12345;

	KUNIT_EXPECT_EQ(test, myheap_parse_size(c->val, &size), c->ret);
	KUNIT_EXPECT_EQ(test, size, c->ret ? 12345 : c->size);
}

/* The core's name table, read both ways; one name spelt out as users type it. */
static void myheap_test_parse_policy(struct kunit *test)
{
	int i;

	for (i = 0; i < MH_NR_POLICIES; i++)
		KUNIT_EXPECT_EQ(test, myheap_parse_policy(mh_policy_name(i)), i);
	KUNIT_EXPECT_EQ(test, myheap_parse_policy("segregated"), MH_SEGREGATED);
	KUNIT_EXPECT_EQ(test, myheap_parse_policy("buddy\n"), MH_BUDDY);
	KUNIT_EXPECT_EQ(test, myheap_parse_policy("bogus"), -EINVAL);
	KUNIT_EXPECT_EQ(test, myheap_parse_policy(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, myheap_parse_policy("First"), -EINVAL);
	KUNIT_EXPECT_EQ(test, myheap_parse_policy(NULL), -EINVAL);
}

/* The kernel_param_ops as the module loader and sysfs use them. */
static void myheap_test_param_ops(struct kunit *test)
{
	unsigned long size = MYHEAP_DEFAULT_REGION;
	int policy = MYHEAP_DEFAULT_POLICY;
	struct kernel_param kp = { .name = "test" };
	char *buf;

	/* sysfs_emit() wants a page-aligned page. */
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	kp.arg = &size;
	KUNIT_EXPECT_EQ(test, myheap_size_param_ops.set("16M", &kp), 0);
	KUNIT_EXPECT_EQ(test, size, 16UL << 20);
	KUNIT_EXPECT_EQ(test, myheap_size_param_ops.set("bogus", &kp), -EINVAL);
	KUNIT_EXPECT_EQ(test, size, 16UL << 20);
	KUNIT_EXPECT_GT(test, myheap_size_param_ops.get(buf, &kp), 0);
	KUNIT_EXPECT_STREQ(test, buf, "16777216\n");

	kp.arg = &policy;
	KUNIT_EXPECT_EQ(test, myheap_policy_param_ops.set("best", &kp), 0);
	KUNIT_EXPECT_EQ(test, policy, MH_BEST_FIT);
	KUNIT_EXPECT_EQ(test, myheap_policy_param_ops.set("nope", &kp), -EINVAL);
	KUNIT_EXPECT_EQ(test, policy, MH_BEST_FIT);
	KUNIT_EXPECT_GT(test, myheap_policy_param_ops.get(buf, &kp), 0);
	KUNIT_EXPECT_STREQ(test, buf, "best\n");
}

static struct myheap_file *myheap_owner_at_locked(struct myheap_dev *dev,
						  u64 off)
{
	struct myheap_file *mf;

	mutex_lock(&dev->lock);
	mf = myheap_owner_at(dev, off);
	mutex_unlock(&dev->lock);
	return mf;
}

static bool myheap_test_table_empty(struct myheap_dev *dev)
{
	u32 i;

	for (i = 0; i < dev->owner_entries; i++)
		if (dev->owner_table[i])
			return false;
	return true;
}

static int t_alloc(struct myheap_file *mf, u64 size, u64 align, u32 flags,
		   u64 *off)
{
	u64 usable;
	int ret;

	mutex_lock(&mf->dev->lock);
	ret = myheap_block_alloc(mf, size, align, flags, off, &usable);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

static int t_free(struct myheap_file *mf, u64 off)
{
	int ret;

	mutex_lock(&mf->dev->lock);
	ret = myheap_block_free(mf, off);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

static int t_realloc(struct myheap_file *mf, u64 off, u64 size, u64 *moved)
{
	u64 usable;
	int ret;

	mutex_lock(&mf->dev->lock);
	ret = myheap_block_realloc(mf, off, size, moved, &usable);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

static int t_size(struct myheap_file *mf, u64 off, u64 *usable, u64 *req)
{
	int ret;

	mutex_lock(&mf->dev->lock);
	ret = myheap_block_size(mf, off, usable, req);
	mutex_unlock(&mf->dev->lock);
	return ret;
}

static void myheap_test_ownership(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	struct myheap_file *b = myheap_test_open(test, dev, 200);
	u64 off, moved, usable, req, other;

	KUNIT_EXPECT_NE(test, a->id, b->id);
	KUNIT_EXPECT_EQ(test, dev->nr_files, 2);
	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	KUNIT_EXPECT_PTR_EQ(test, myheap_owner_at_locked(dev, off), (void *)a);
	KUNIT_EXPECT_EQ(test, a->blocks, 1);
	KUNIT_EXPECT_EQ(test, a->bytes, 100);

	/* Another file may not touch it. */
	KUNIT_EXPECT_EQ(test, t_free(b, off), -EPERM);
	KUNIT_EXPECT_EQ(test, t_realloc(b, off, 10, &moved), -EPERM);
	KUNIT_EXPECT_EQ(test, t_size(b, off, &usable, &req), -EPERM);

	KUNIT_EXPECT_EQ(test, t_size(a, off, &usable, &req), 0);
	KUNIT_EXPECT_GE(test, usable, 100);
	KUNIT_EXPECT_EQ(test, req, 100);

	/* Ownership follows a block that moves. */
	KUNIT_ASSERT_EQ(test, t_alloc(b, 50, 0, 0, &other), 0);
	KUNIT_ASSERT_EQ(test, t_realloc(a, off, 3000, &moved), 0);
	KUNIT_EXPECT_NE(test, moved, off);
	KUNIT_EXPECT_NULL(test, myheap_owner_at_locked(dev, off));
	KUNIT_EXPECT_PTR_EQ(test, myheap_owner_at_locked(dev, moved), (void *)a);
	KUNIT_EXPECT_EQ(test, a->bytes, 3000);
	KUNIT_EXPECT_EQ(test, t_free(b, moved), -EPERM);
	KUNIT_EXPECT_NE(test, t_free(a, off), 0);

	KUNIT_EXPECT_EQ(test, t_realloc(a, moved, 40, &off), 0);
	KUNIT_EXPECT_EQ(test, a->bytes, 40);
	KUNIT_EXPECT_EQ(test, a->peak_bytes, 3000);
	KUNIT_EXPECT_EQ(test, t_free(a, off), 0);
	KUNIT_EXPECT_EQ(test, a->blocks, 0);
	KUNIT_EXPECT_EQ(test, a->bytes, 0);
	KUNIT_EXPECT_EQ(test, t_free(b, other), 0);
	KUNIT_EXPECT_TRUE(test, myheap_test_table_empty(dev));
	KUNIT_EXPECT_TRUE(test, mh_empty(&dev->heap));
}

static void myheap_test_errno(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	u8 *region = dev->region;
	u64 off, keep, moved;
	u8 saved[16];

	KUNIT_EXPECT_EQ(test, t_alloc(a, 0, 0, 0, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_alloc(a, 8, 0, 0x2, &off), -EINVAL);
	KUNIT_EXPECT_EQ(test, t_alloc(a, 1ULL << 40, 0, 0, &off), -E2BIG);
	KUNIT_EXPECT_EQ(test, t_alloc(a, MYHEAP_TEST_REGION, 0, 0, &off), -E2BIG);
	KUNIT_EXPECT_EQ(test, t_alloc(a, 8, 3, 0, &off), -EDOM);
	KUNIT_EXPECT_EQ(test, t_alloc(a, 8, 1ULL << 40, 0, &off), -EDOM);

	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &keep), 0);
	KUNIT_EXPECT_EQ(test, t_realloc(a, off, 1ULL << 40, &moved), -E2BIG);
	KUNIT_EXPECT_EQ(test, t_realloc(a, off, 0, &moved), -EINVAL);
	memset(region + off, 0xa5, 100);
	KUNIT_EXPECT_EQ(test, t_free(a, MYHEAP_TEST_REGION), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_free(a, 1ULL << 40), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_free(a, (1ULL << 32) + off), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_free(a, 0), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_free(a, off + 4), -ENXIO);
	KUNIT_EXPECT_EQ(test, t_free(a, off + 16), -EBADMSG);

	/* A scribbled header: -EBADMSG, and the record stays. */
	region[off - MH_HDR_SIZE] ^= 0x5a;
	KUNIT_EXPECT_EQ(test, t_free(a, off), -EBADMSG);
	KUNIT_EXPECT_PTR_EQ(test, myheap_owner_at_locked(dev, off), (void *)a);
	region[off - MH_HDR_SIZE] ^= 0x5a;

	KUNIT_EXPECT_EQ(test, t_free(a, off), 0);
	KUNIT_EXPECT_EQ(test, t_free(a, off), -EALREADY);

	/* Scribbled free-list links: -EUCLEAN, counted, nothing changed. */
	KUNIT_EXPECT_EQ(test, dev->damage_events, 0);
	memcpy(saved, region + off, sizeof(saved));
	memset(region + off, 0xee, sizeof(saved));
	KUNIT_EXPECT_EQ(test, t_alloc(a, 100, 0, 0, &moved), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, dev->damage_events, 1);
	KUNIT_EXPECT_EQ(test, a->blocks, 1);
	/* Freeing next to the damage is refused too. */
	KUNIT_EXPECT_EQ(test, t_free(a, keep), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, dev->damage_events, 2);
	KUNIT_EXPECT_PTR_EQ(test, myheap_owner_at_locked(dev, keep), (void *)a);
	memcpy(region + off, saved, sizeof(saved));
	KUNIT_EXPECT_EQ(test, t_free(a, keep), 0);
	KUNIT_EXPECT_EQ(test, mh_check(&dev->heap, NULL), 0);
}

static void myheap_test_release(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	struct myheap_file *b = myheap_test_open(test, dev, 200);
	u64 off[3], mine, blocks, bytes;
	int i;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, t_alloc(a, 10 * (i + 1), 0, 0, &off[i]), 0);
	KUNIT_ASSERT_EQ(test, t_alloc(b, 77, 0, 0, &mine), 0);

	/* Closing a frees its blocks and reports them; b keeps its own. */
	mutex_lock(&dev->lock);
	myheap_file_remove(dev, a, &blocks, &bytes);
	mutex_unlock(&dev->lock);
	kunit_remove_action(test, myheap_test_close, a);
	KUNIT_EXPECT_EQ(test, blocks, 3);
	KUNIT_EXPECT_EQ(test, bytes, 60);
	KUNIT_EXPECT_EQ(test, dev->nr_files, 1);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_NE(test, mh_probe(&dev->heap, off[i]), 0);
	KUNIT_EXPECT_PTR_EQ(test, myheap_owner_at_locked(dev, mine), (void *)b);
	KUNIT_EXPECT_FALSE(test, mh_empty(&dev->heap));
	KUNIT_EXPECT_EQ(test, dev->resets, 0);
	KUNIT_EXPECT_EQ(test, t_free(b, mine), 0);
	KUNIT_EXPECT_TRUE(test, mh_empty(&dev->heap));
}

static void myheap_test_reset_after_damage(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	u8 *region = dev->region;
	u64 off, blocks, bytes;

	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	region[off - MH_HDR_SIZE] ^= 0x5a;

	/* The damaged block cannot be freed; the last close resets. */
	mutex_lock(&dev->lock);
	myheap_file_remove(dev, a, &blocks, &bytes);
	mutex_unlock(&dev->lock);
	kunit_remove_action(test, myheap_test_close, a);
	KUNIT_EXPECT_EQ(test, blocks, 1);
	KUNIT_EXPECT_EQ(test, dev->resets, 1);
	KUNIT_EXPECT_TRUE(test, mh_empty(&dev->heap));
	KUNIT_EXPECT_EQ(test, mh_check(&dev->heap, NULL), 0);
	KUNIT_EXPECT_TRUE(test, myheap_test_table_empty(dev));
}

static void myheap_test_set_policy(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	u64 off;

	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	mutex_lock(&dev->lock);
	KUNIT_EXPECT_EQ(test, myheap_set_policy(dev, MH_BUDDY), -EBUSY);
	KUNIT_EXPECT_EQ(test, myheap_set_policy(dev, MH_NR_POLICIES), -EINVAL);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_EQ(test, dev->policy, MH_SEGREGATED);
	KUNIT_ASSERT_EQ(test, t_free(a, off), 0);

	mutex_lock(&dev->lock);
	KUNIT_EXPECT_EQ(test, myheap_set_policy(dev, MH_BUDDY), 0);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_EQ(test, dev->policy, MH_BUDDY);
	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	KUNIT_EXPECT_EQ(test, t_free(a, off), 0);
}

/*
 * The fit policies' knobs: set with the policy, mirrored for GET_INFO,
 * refused without a change for a policy that lacks them, an unknown order
 * or a heap in use; a plain policy change goes back to the defaults.
 */
static void myheap_test_set_config(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);

	mutex_lock(&dev->lock);
	KUNIT_EXPECT_EQ(test, myheap_set_config(dev, MH_FIRST_FIT,
						MH_ORDER_SIZE_UP, false), 0);
	KUNIT_EXPECT_EQ(test, myheap_set_config(dev, MH_SEGREGATED,
						MH_ORDER_FRONT, true),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, myheap_set_config(dev, MH_BUDDY, MH_ORDER_ADDR,
						false), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, myheap_set_config(dev, MH_FIRST_FIT,
						MH_NR_ORDERS, true), -EINVAL);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_EQ(test, dev->policy, MH_FIRST_FIT);
	KUNIT_EXPECT_EQ(test, dev->list_order, MH_ORDER_SIZE_UP);
	KUNIT_EXPECT_EQ(test, dev->policy_flags, MYHEAP_POLICY_NO_COALESCE);
	KUNIT_EXPECT_EQ(test, dev->heap.list_order, MH_ORDER_SIZE_UP);
	KUNIT_EXPECT_TRUE(test, dev->heap.no_coalesce);
}

/*
 * Busy (blocks in use, or a paused search): refused, knobs kept; a plain
 * policy change: the defaults again.
 */
static void myheap_test_set_config_busy(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	u64 off;

	mutex_lock(&dev->lock);
	KUNIT_EXPECT_EQ(test, myheap_set_config(dev, MH_FIRST_FIT,
						MH_ORDER_SIZE_UP, false), 0);
	mutex_unlock(&dev->lock);
	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	mutex_lock(&dev->lock);
	KUNIT_EXPECT_EQ(test, myheap_set_config(dev, MH_BEST_FIT,
						MH_ORDER_BACK, true), -EBUSY);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_EQ(test, dev->list_order, MH_ORDER_SIZE_UP);
	KUNIT_ASSERT_EQ(test, t_free(a, off), 0);

	/* empty, but an allocation's search let the lock go in a pause */
	mutex_lock(&dev->lock);
	dev->searches_paused++;
	KUNIT_EXPECT_EQ(test, myheap_set_policy(dev, MH_BEST_FIT), -EBUSY);
	dev->searches_paused--;
	KUNIT_EXPECT_EQ(test, myheap_set_policy(dev, MH_BEST_FIT), 0);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_EQ(test, dev->list_order, MH_ORDER_ADDR);
	KUNIT_EXPECT_EQ(test, dev->policy_flags, 0);
	KUNIT_EXPECT_FALSE(test, dev->heap.no_coalesce);
	KUNIT_EXPECT_EQ(test, mh_check(&dev->heap, NULL), 0);
}

/* Two files' neighbouring minimum blocks: each entry names exactly one
 * block of one file; 16 bytes into a block is nobody's; the table is a
 * fixed region/16 bytes.
 */
static void myheap_test_owner_table(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	struct myheap_file *b = myheap_test_open(test, dev, 200);
	u64 off[64];
	int i;

	KUNIT_EXPECT_EQ(test, myheap_owner_bytes(dev), MYHEAP_TEST_REGION / 16);
	for (i = 0; i < 64; i++)
		KUNIT_ASSERT_EQ(test, t_alloc(i & 1 ? b : a, 1 + i % 20, 0, 0,
					      &off[i]), 0);
	for (i = 0; i < 64; i++) {
		KUNIT_EXPECT_PTR_EQ(test, myheap_owner_at_locked(dev, off[i]),
				    i & 1 ? b : a);
		KUNIT_EXPECT_NULL(test, myheap_owner_at_locked(dev, off[i] + 16));
		KUNIT_EXPECT_NULL(test, myheap_owner_at_locked(dev, off[i] - 8));
		KUNIT_EXPECT_EQ(test, t_free(i & 1 ? a : b, off[i]), -EPERM);
	}
	KUNIT_EXPECT_EQ(test, a->blocks, 32);
	KUNIT_EXPECT_EQ(test, b->blocks, 32);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, t_free(i & 1 ? b : a, off[i]), 0);
	KUNIT_EXPECT_TRUE(test, myheap_test_table_empty(dev));
	KUNIT_EXPECT_NULL(test, myheap_owner_at_locked(dev, 0));
	KUNIT_EXPECT_NULL(test, myheap_owner_at_locked(dev, MYHEAP_TEST_REGION));
}

/* A forged header made the core hand out a block the table says is live:
 * the allocation is refused and undone in the same hold (the core used to
 * count it done while the module said -EUCLEAN and leaked it).
 */
static void myheap_test_alloc_over_live_entry(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	struct myheap_file *b = myheap_test_open(test, dev, 200);
	u64 off, again, used;
	u32 i;

	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	KUNIT_ASSERT_EQ(test, t_free(a, off), 0);
	used = dev->heap.used_blocks;
	/* Pretend b owns a block there, as a forged header would make it. */
	i = (off - 16) / MYHEAP_OWNER_GRANULE;
	dev->owner_table[i] = b->slot;
	b->blocks++;
	KUNIT_EXPECT_EQ(test, t_alloc(a, 100, 0, 0, &again), -EUCLEAN);
	KUNIT_EXPECT_EQ(test, dev->heap.used_blocks, used);
	KUNIT_EXPECT_EQ(test, a->blocks, 0);
	KUNIT_EXPECT_EQ(test, dev->damage_events, 1);
	dev->owner_table[i] = 0;
	b->blocks--;
}

/* Owner slots are 8 bits: the 256th open file is -ENFILE, and a
 * closed file's slot serves the next opener.
 */
static void myheap_test_enfile(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *mfs, extra = { .pid = 1 };
	u64 blocks, bytes;
	u32 i, n = MYHEAP_MAX_OWNERS;
	int ret = 0;

	mfs = kvcalloc(n, sizeof(*mfs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mfs);
	mutex_lock(&dev->lock);
	for (i = 0; i < n && !ret; i++)
		ret = myheap_file_add(dev, &mfs[i]);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, dev->nr_files, n);
	KUNIT_EXPECT_EQ(test, myheap_file_add(dev, &extra), -ENFILE);
	myheap_file_remove(dev, &mfs[7], &blocks, &bytes);
	KUNIT_EXPECT_EQ(test, myheap_file_add(dev, &extra), 0);
	KUNIT_EXPECT_EQ(test, extra.slot, mfs[7].slot);
	KUNIT_EXPECT_GT(test, extra.id, mfs[n - 1].id);
	myheap_file_remove(dev, &extra, &blocks, &bytes);
	for (i = 0; i < n; i++)
		if (i != 7 && mfs[i].dev)
			myheap_file_remove(dev, &mfs[i], &blocks, &bytes);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_EQ(test, dev->nr_files, 0);
	kvfree(mfs);
}

/* Close frees exactly the file's blocks, however many, and no other's. */
static void myheap_test_close_many(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	struct myheap_file *b = myheap_test_open(test, dev, 200);
	u64 off, mine[3], blocks, bytes;
	int i, n = 0;

	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, t_alloc(b, 24, 0, 0, &mine[i]), 0);
	while (!t_alloc(a, 1 + n % 40, 0, 0, &off))
		n++;
	KUNIT_EXPECT_GT(test, n, 1000);
	KUNIT_EXPECT_EQ(test, a->blocks, n);
	mutex_lock(&dev->lock);
	myheap_file_remove(dev, a, &blocks, &bytes);
	lockdep_assert_held(&dev->lock);
	mutex_unlock(&dev->lock);
	kunit_remove_action(test, myheap_test_close, a);
	KUNIT_EXPECT_EQ(test, blocks, n);
	KUNIT_EXPECT_EQ(test, dev->heap.used_blocks, 3);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_PTR_EQ(test, myheap_owner_at_locked(dev, mine[i]), b);
	KUNIT_EXPECT_EQ(test, mh_check(&dev->heap, NULL), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, t_free(b, mine[i]), 0);
	KUNIT_EXPECT_TRUE(test, myheap_test_table_empty(dev));
}

/* The event ring records only while its file is open; the change counter
 * the dumps need moves either way.
 */
static void myheap_test_events_gated(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	u64 off, changes;

	/* The ring as myheap_events_init() gives it, owned by the test. */
	dev->events = kunit_kzalloc(test, sizeof(*dev->events), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->events);
	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	KUNIT_ASSERT_EQ(test, t_free(a, off), 0);
	KUNIT_EXPECT_EQ(test, t_free(a, off), -EALREADY);
	KUNIT_EXPECT_EQ(test, dev->events->recorded, 0);
	mutex_lock(&dev->lock);
	changes = myheap_changes(dev);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_GE(test, changes, 2);

	mutex_lock(&dev->lock);
	dev->events->readers++;
	mutex_unlock(&dev->lock);
	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &off), 0);
	KUNIT_ASSERT_EQ(test, t_free(a, off), 0);
	KUNIT_EXPECT_EQ(test, t_free(a, off), -EALREADY);
	KUNIT_EXPECT_EQ(test, dev->events->recorded, 3);
	KUNIT_EXPECT_EQ(test, dev->events->ring[2].result, -EALREADY);
	KUNIT_EXPECT_EQ(test, dev->events->ring[0].owner, a->id);
	mutex_lock(&dev->lock);
	dev->events = NULL;
	mutex_unlock(&dev->lock);
}

/**
 * struct myheap_test_walk - a walk whose steps outlast a hold of the lock.
 * @w: the walk.
 * @test: the test it runs in.
 * @mf: a file to allocate through, when @change.
 * @change: each step allocates a block, as another opener could between
 *	two holds.
 * @begins: times the walk was (re)started.
 * @steps: steps since the last start.
 * @last_max: @max of the last step.
 */
struct myheap_test_walk {
	struct myheap_walk w;
	struct kunit *test;
	struct myheap_file *mf;
	bool change;
	unsigned int begins;
	unsigned int steps;
	u32 last_max;
};

static void t_walk_begin(struct myheap_walk *w, const struct mh_heap *h)
{
	struct myheap_test_walk *tw = container_of(w, struct myheap_test_walk, w);

	tw->begins++;
	tw->steps = 0;
}

static bool t_walk_step(struct myheap_walk *w, const struct mh_heap *h,
			u32 max)
{
	struct myheap_test_walk *tw = container_of(w, struct myheap_test_walk, w);
	u64 off, usable, end;

	tw->last_max = max;
	if (!max || ++tw->steps > 3)
		return true;
	/*
	 * Outlast the hold by the clock myheap_hold_over() reads (mdelay()'s
	 * calibrated loop can be shorter than that under TCG on a busy host):
	 * the walk yields after every step.
	 */
	end = local_clock() + 2 * MYHEAP_HOLD_NS;
	while (local_clock() < end)
		cpu_relax();
	if (tw->change)
		KUNIT_EXPECT_EQ(tw->test, myheap_block_alloc(tw->mf, 32, 0, 0,
							     &off, &usable), 0);
	return false;
}

/*
 * myheap_walk_bounded() yields between steps once a hold is over, starts
 * again when the heap changed meanwhile, and after MYHEAP_WALK_TRIES
 * starts does the whole walk in one hold.
 */
static void myheap_test_walk_bounded(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_test_walk tw = {
		.w = { .begin = t_walk_begin, .step = t_walk_step },
		.test = test,
		.mf = myheap_test_open(test, dev, 100),
	};

	mutex_lock(&dev->lock);
	KUNIT_EXPECT_EQ(test, myheap_walk_bounded(dev, &tw.w), 0);
	lockdep_assert_held(&dev->lock);
	KUNIT_EXPECT_EQ(test, tw.begins, 1);
	KUNIT_EXPECT_EQ(test, tw.steps, 4);
	KUNIT_EXPECT_NE(test, tw.last_max, 0);

	tw.begins = 0;
	tw.change = true;
	KUNIT_EXPECT_EQ(test, myheap_walk_bounded(dev, &tw.w), 0);
	KUNIT_EXPECT_EQ(test, tw.begins, MYHEAP_WALK_TRIES + 1);
	KUNIT_EXPECT_EQ(test, tw.last_max, 0);
	KUNIT_EXPECT_EQ(test, tw.mf->blocks, MYHEAP_WALK_TRIES);
	mutex_unlock(&dev->lock);
}

/* The walks in bounded holds give what the core's one-hold walks give. */
static void myheap_test_check_stats_heap(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	struct mh_violation first, want;
	struct mh_stats st, core;
	u8 *region = dev->region;
	u64 off[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(off); i++)
		KUNIT_ASSERT_EQ(test, t_alloc(a, 16 + 24 * i, 0, 0, &off[i]), 0);
	for (i = 0; i < ARRAY_SIZE(off); i += 3)
		KUNIT_ASSERT_EQ(test, t_free(a, off[i]), 0);

	mutex_lock(&dev->lock);
	KUNIT_EXPECT_EQ(test, myheap_check_heap(dev, &first), 0);
	KUNIT_EXPECT_EQ(test, myheap_stats_heap(dev, &st), 0);
	mh_stats(&dev->heap, &core);
	KUNIT_EXPECT_EQ(test, memcmp(&st, &core, sizeof(st)), 0);
	KUNIT_EXPECT_EQ(test, st.used_blocks, a->blocks);

	region[off[10] - MH_HDR_SIZE] ^= 0x5a;
	KUNIT_EXPECT_EQ(test, myheap_check_heap(dev, &first),
			mh_check(&dev->heap, &want));
	KUNIT_EXPECT_GT(test, mh_check(&dev->heap, NULL), 0);
	KUNIT_EXPECT_EQ(test, first.kind, want.kind);
	KUNIT_EXPECT_EQ(test, first.offset, want.offset);
	KUNIT_EXPECT_EQ(test, first.offset, off[10] - MH_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, myheap_stats_heap(dev, &st), 0);
	mh_stats(&dev->heap, &core);
	KUNIT_EXPECT_EQ(test, memcmp(&st, &core, sizeof(st)), 0);
	region[off[10] - MH_HDR_SIZE] ^= 0x5a;
	KUNIT_EXPECT_EQ(test, myheap_check_heap(dev, &first), 0);
	mutex_unlock(&dev->lock);
}

/**
 * struct myheap_kill_ctx - an ioctl made by a kernel thread.
 * @mf: the file it uses.
 * @done: completed when the ioctl returned.
 * @ret: what it returned.
 */
struct myheap_kill_ctx {
	struct myheap_file *mf;
	struct completion done;
	long ret;
};

static int myheap_kill_thread(void *arg)
{
	struct myheap_kill_ctx *ctx = arg;
	struct file file = { .private_data = ctx->mf };

	allow_signal(SIGKILL);
	ctx->ret = myheap_ioctl(&file, MYHEAP_IOC_STATS, 0);
	complete(&ctx->done);
	return 0;
}

/* A fatal signal ends an ioctl's wait for the heap (it used to wait in
 * mutex_lock() for as long as the holder held on).
 */
static void myheap_test_ioctl_killable(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_kill_ctx ctx = { .mf = myheap_test_open(test, dev, 100) };
	struct task_struct *t;
	unsigned long left;

	init_completion(&ctx.done);
	mutex_lock(&dev->lock);
	t = kthread_run(myheap_kill_thread, &ctx, "myheap-kill");
	if (IS_ERR(t)) {
		mutex_unlock(&dev->lock);
		KUNIT_FAIL(test, "no thread: %pe", t);
		return;
	}
	msleep(100);
	send_sig(SIGKILL, t, 1);
	left = wait_for_completion_timeout(&ctx.done, 2 * HZ);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_NE(test, left, 0);
	if (!left)	/* it gets the lock now: let it finish */
		wait_for_completion(&ctx.done);
	KUNIT_EXPECT_EQ(test, ctx.ret, -EINTR);
}

/**
 * struct myheap_waiter_ctx - a task that asks for the heap once.
 * @dev: the device.
 * @done: completed when it has had the lock and let it go.
 * @had_lock: set while it held the lock.
 * @ret: what myheap_lock() returned.
 */
struct myheap_waiter_ctx {
	struct myheap_dev *dev;
	struct completion done;
	bool had_lock;
	int ret;
};

static int myheap_waiter_thread(void *arg)
{
	struct myheap_waiter_ctx *ctx = arg;

	ctx->ret = myheap_lock(ctx->dev);
	if (!ctx->ret) {
		ctx->had_lock = true;
		mutex_unlock(&ctx->dev->lock);
	}
	complete(&ctx->done);
	return 0;
}

/*
 * myheap_lock_yield() keeps the lock when nobody waits for it, and when a
 * task does, returns only after that task has had the lock: a long
 * operation's next hold comes after the waiter's, not before it.
 */
static void myheap_test_yield_fair(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_waiter_ctx ctx = { .dev = dev };
	char behind[KSYM_SYMBOL_LEN];
	struct task_struct *t;
	unsigned long holds;
	int i;

	init_completion(&ctx.done);
	myheap_lock_always(dev);
	holds = dev->lock_holds;
	KUNIT_EXPECT_EQ(test, myheap_lock_yield(dev, true), 0);
	lockdep_assert_held(&dev->lock);
	KUNIT_EXPECT_EQ(test, dev->lock_holds, holds);

	t = kthread_run(myheap_waiter_thread, &ctx, "myheap-waiter");
	if (IS_ERR(t)) {
		mutex_unlock(&dev->lock);
		KUNIT_FAIL(test, "no thread: %pe", t);
		return;
	}
	for (i = 0; i < 2000 && !atomic_read(&dev->lock_waiters); i++)
		usleep_range(1000, 2000);
	KUNIT_EXPECT_EQ(test, atomic_read(&dev->lock_waiters), 1);
	KUNIT_EXPECT_EQ(test, myheap_lock_yield(dev, true), 0);
	lockdep_assert_held(&dev->lock);
	KUNIT_EXPECT_TRUE(test, ctx.had_lock);
	KUNIT_EXPECT_EQ(test, dev->lock_holds, holds + 2);
	/* the waiter's wait was measured, behind the yield in this test */
	KUNIT_EXPECT_GT(test, dev->wait_max_ns, 0);
	sprint_symbol_no_offset(behind, dev->wait_max_behind);
	KUNIT_EXPECT_TRUE_MSG(test, strstarts(behind, __func__), "behind %s",
			      behind);
	mutex_unlock(&dev->lock);
	wait_for_completion(&ctx.done);
	KUNIT_EXPECT_EQ(test, ctx.ret, 0);
}

/**
 * struct myheap_turns_ctx - a task that keeps taking the heap for a while.
 * @dev: the device.
 * @stop: set to make it stop.
 * @done: completed when it has stopped.
 * @turns: holds of the lock it has had.
 */
struct myheap_turns_ctx {
	struct myheap_dev *dev;
	bool stop;
	struct completion done;
	unsigned int turns;
};

#define MYHEAP_TEST_TURN_MS	40
/* pauses of a turn each that a search can wait, at most */
#define MYHEAP_TEST_PAUSES_MAX	\
	DIV_ROUND_UP(MYHEAP_SEARCH_WAIT_MAX_NS, MYHEAP_TEST_TURN_MS * NSEC_PER_MSEC)

/* Hold the lock MYHEAP_TEST_TURN_MS at each turn, asking again at once. */
static int myheap_turns_thread(void *arg)
{
	struct myheap_turns_ctx *ctx = arg;

	while (!READ_ONCE(ctx->stop)) {
		if (myheap_lock(ctx->dev))
			break;
		ctx->turns++;
		msleep(MYHEAP_TEST_TURN_MS);
		myheap_unlock(ctx->dev);
		usleep_range(200, 400);	/* the lock's waiters go first */
	}
	complete(&ctx->done);
	return 0;
}

/*
 * A first-fit ALLOC walking 32K holes while another task takes the lock
 * for 40 ms at every turn: each pause of the search waits a turn at least,
 * so after three (MYHEAP_SEARCH_WAIT_MAX_NS, 100 ms, in all) the search
 * finishes without pausing. It used to pause every millisecond of its walk
 * for as long as it lasted (a best-fit ALLOC waited 2.6 s in `make stress`).
 */
static void myheap_test_search_wait_bounded(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev_of(test, SZ_2M, MH_FIRST_FIT);
	struct myheap_file *holes = myheap_test_open(test, dev, 100);
	struct myheap_file *keeper = myheap_test_open(test, dev, 200);
	struct myheap_turns_ctx ctx = { .dev = dev };
	u64 off, big, pauses, spent, searched;
	struct task_struct *t;
	u32 n = 0;

	while (!t_alloc(holes, 1, 0, 0, &off) && !t_alloc(keeper, 1, 0, 0, &off))
		n++;
	kunit_remove_action(test, myheap_test_close, holes);
	myheap_test_close(holes);
	KUNIT_ASSERT_GT(test, n, SZ_2M / 64 - 64);
	pauses = dev->search_pauses;
	spent = dev->search_waits_spent;
	searched = mh_searched(&dev->heap);

	init_completion(&ctx.done);
	t = kthread_run(myheap_turns_thread, &ctx, "myheap-turns");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(t), "no thread: %pe", t);
	while (!READ_ONCE(ctx.turns))
		usleep_range(1000, 2000);
	/* 40 bytes: no 32-byte hole fits, it walks all of them */
	KUNIT_EXPECT_EQ(test, t_alloc(keeper, 40, 0, 0, &big), 0);
	WRITE_ONCE(ctx.stop, true);
	wait_for_completion(&ctx.done);

	KUNIT_EXPECT_GE(test, mh_searched(&dev->heap) - searched, n);
	pauses = dev->search_pauses - pauses;
	spent = dev->search_waits_spent - spent;
	KUNIT_EXPECT_LE(test, pauses, MYHEAP_TEST_PAUSES_MAX);
	KUNIT_EXPECT_LE(test, spent, 1);
	if (pauses == MYHEAP_TEST_PAUSES_MAX)
		KUNIT_EXPECT_EQ(test, spent, 1);
	kunit_info(test, "%u holes: the search paused %llu times (at most %llu), stopped pausing %llu times; the other task had %u turns\n",
		   n, pauses, (u64)MYHEAP_TEST_PAUSES_MAX, spent, ctx.turns);
	KUNIT_EXPECT_EQ(test, mh_check(&dev->heap, NULL), 0);
}

/*
 * The reports the ioctls publish: a free of another file's block is
 * refused and reports nothing; a free reports the merge the core planned
 * (header offsets); a realloc that reports installs the core's observer
 * for the call (dev->report set only during it) and counts the split it
 * saw, with the growth into the free right neighbour.
 */
static void myheap_test_reports(struct kunit *test)
{
	struct myheap_dev *dev = myheap_test_dev(test);
	struct myheap_file *a = myheap_test_open(test, dev, 100);
	struct myheap_file *b = myheap_test_open(test, dev, 200);
	struct myheap_realloc_report rep = { 0 };
	struct mh_freed fr = { .merges = 7 };
	u64 x, y, z, moved = 0, usable = 0;

	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &x), 0);
	KUNIT_ASSERT_EQ(test, t_alloc(a, 100, 0, 0, &y), 0);
	KUNIT_ASSERT_EQ(test, t_alloc(b, 100, 0, 0, &z), 0);
	mutex_lock(&dev->lock);
	KUNIT_EXPECT_EQ(test, myheap_block_free_report(b, x, &fr), -EPERM);
	KUNIT_EXPECT_EQ(test, fr.merges, 7);
	KUNIT_EXPECT_EQ(test, myheap_block_free_report(a, x, &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.flags, 0);
	KUNIT_EXPECT_EQ(test, fr.block, x - MH_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, myheap_block_free_report(a, y, &fr), 0);
	KUNIT_EXPECT_EQ(test, fr.flags, MH_FREED_LEFT);
	KUNIT_EXPECT_EQ(test, fr.merges, 1);
	KUNIT_EXPECT_EQ(test, fr.left, x - MH_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, fr.block, x - MH_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, fr.size, fr.left_size + fr.freed_size);
	KUNIT_EXPECT_EQ(test, a->blocks, 0);

	KUNIT_EXPECT_EQ(test, myheap_block_realloc_report(b, z, 4000, &moved,
							  &usable, &rep), 0);
	KUNIT_EXPECT_NULL(test, dev->report);
	KUNIT_EXPECT_FALSE(test, dev->observer_off);
	KUNIT_EXPECT_EQ(test, moved, z);
	KUNIT_EXPECT_EQ(test, rep.res.how, MH_RESIZE_GREW);
	KUNIT_EXPECT_EQ(test, rep.res.right, z - MH_HDR_SIZE + 112);
	KUNIT_EXPECT_EQ(test, rep.seen.splits, 1);
	KUNIT_EXPECT_EQ(test, rep.seen.split_offset, z + usable + MH_HDR_SIZE);
	KUNIT_EXPECT_EQ(test, rep.seen.searched, 0);
	mutex_unlock(&dev->lock);
	KUNIT_EXPECT_EQ(test, t_free(b, z), 0);
	KUNIT_EXPECT_TRUE(test, mh_empty(&dev->heap));
}

static struct kunit_case myheap_glue_test_cases[] = {
	KUNIT_CASE_PARAM(myheap_test_parse_size, myheap_size_gen_params),
	KUNIT_CASE(myheap_test_parse_policy),
	KUNIT_CASE(myheap_test_param_ops),
	KUNIT_CASE(myheap_test_ownership),
	KUNIT_CASE(myheap_test_reports),
	KUNIT_CASE(myheap_test_errno),
	KUNIT_CASE(myheap_test_release),
	KUNIT_CASE(myheap_test_reset_after_damage),
	KUNIT_CASE(myheap_test_set_policy),
	KUNIT_CASE(myheap_test_set_config),
	KUNIT_CASE(myheap_test_set_config_busy),
	KUNIT_CASE(myheap_test_owner_table),
	KUNIT_CASE(myheap_test_alloc_over_live_entry),
	KUNIT_CASE_SLOW(myheap_test_enfile),
	KUNIT_CASE(myheap_test_close_many),
	KUNIT_CASE(myheap_test_events_gated),
	KUNIT_CASE(myheap_test_walk_bounded),
	KUNIT_CASE(myheap_test_check_stats_heap),
	KUNIT_CASE(myheap_test_ioctl_killable),
	KUNIT_CASE(myheap_test_yield_fair),
	KUNIT_CASE_SLOW(myheap_test_search_wait_bounded),
	{}
};

static struct kunit_suite myheap_glue_test_suite = {
	.name = "myheap_glue",
	.test_cases = myheap_glue_test_cases,
};

kunit_test_suites(&myheap_glue_test_suite);
