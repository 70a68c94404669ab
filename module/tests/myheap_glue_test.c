// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the module glue: parameter parsing, block ownership and
 * the errno each kind of bad request maps to, on a device of its own (no
 * misc device is registered).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "myheap.h"

#define MYHEAP_TEST_REGION	(64 * 1024)

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
	{ "0x10000", 0, 65536 },
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

static void myheap_test_parse_policy(struct kunit *test)
{
	static const char *const names[] = {
		"first", "next", "best", "worst", "segregated", "buddy",
	};
	int i;

	for (i = 0; i < MH_NR_POLICIES; i++) {
		KUNIT_EXPECT_EQ(test, myheap_parse_policy(names[i]), i);
		KUNIT_EXPECT_STREQ(test, mh_policy_name(i), names[i]);
	}
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

KUNIT_DEFINE_ACTION_WRAPPER(myheap_test_dev_destroy, myheap_dev_destroy,
			    struct myheap_dev *);

static struct myheap_dev *myheap_test_dev(struct kunit *test)
{
	struct myheap_dev *dev;
	int ret;

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, myheap_dev_init(dev, MYHEAP_TEST_REGION,
					      MH_SEGREGATED, false), 0);
	ret = kunit_add_action_or_reset(test, myheap_test_dev_destroy, dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return dev;
}

static void myheap_test_close(void *arg)
{
	struct myheap_file *mf = arg;
	u64 blocks, bytes;

	mutex_lock(&mf->dev->lock);
	myheap_file_remove(mf->dev, mf, &blocks, &bytes);
	mutex_unlock(&mf->dev->lock);
}

/* An open file of @dev, closed when the test ends (before @dev goes). */
static struct myheap_file *myheap_test_open(struct kunit *test,
					    struct myheap_dev *dev, pid_t pid)
{
	struct myheap_file *mf;

	mf = kunit_kzalloc(test, sizeof(*mf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mf);
	mf->pid = pid;
	strscpy(mf->comm, "kunit", sizeof(mf->comm));
	mutex_lock(&dev->lock);
	myheap_file_add(dev, mf);
	mutex_unlock(&dev->lock);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, myheap_test_close,
							mf), 0);
	return mf;
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
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&dev->owners, off), (void *)a);
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
	KUNIT_EXPECT_NULL(test, xa_load(&dev->owners, off));
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&dev->owners, moved), (void *)a);
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
	KUNIT_EXPECT_TRUE(test, xa_empty(&dev->owners));
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
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&dev->owners, off), (void *)a);
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
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&dev->owners, keep), (void *)a);
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
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&dev->owners, mine), (void *)b);
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
	KUNIT_EXPECT_TRUE(test, xa_empty(&dev->owners));
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

static struct kunit_case myheap_glue_test_cases[] = {
	KUNIT_CASE_PARAM(myheap_test_parse_size, myheap_size_gen_params),
	KUNIT_CASE(myheap_test_parse_policy),
	KUNIT_CASE(myheap_test_param_ops),
	KUNIT_CASE(myheap_test_ownership),
	KUNIT_CASE(myheap_test_errno),
	KUNIT_CASE(myheap_test_release),
	KUNIT_CASE(myheap_test_reset_after_damage),
	KUNIT_CASE(myheap_test_set_policy),
	{}
};

static struct kunit_suite myheap_glue_test_suite = {
	.name = "myheap_glue",
	.test_cases = myheap_glue_test_cases,
};

kunit_test_suites(&myheap_glue_test_suite);
