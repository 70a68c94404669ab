// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of myheap_ioctl(), the function /dev/myheap's unlocked_ioctl
 * is: the command table's checks (type, number, direction, size), the
 * struct-size rules of the ABI, and results published to user memory only
 * when a command succeeds. The arguments live in user memory the test maps
 * (kunit_vm_mmap()), as a program's would.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "myheap_test_util.h"

/**
 * struct myheap_ioctl_fixture - a file of a test device and user memory.
 * @mf: the open file.
 * @file: a struct file carrying @mf, as the device's open() leaves it.
 * @u: two pages of user memory for the arguments.
 */
struct myheap_ioctl_fixture {
	struct myheap_file *mf;
	struct file file;
	u8 __user *u;
};

static int myheap_ioctl_test_init(struct kunit *test)
{
	struct myheap_ioctl_fixture *fx;
	unsigned long addr;

	fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);
	if (!fx)
		return -ENOMEM;
	fx->mf = myheap_test_open(test, myheap_test_dev(test), 100);
	fx->file.private_data = fx->mf;
	addr = kunit_vm_mmap(test, NULL, 0, 2 * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (!addr || IS_ERR_VALUE(addr))
		return -ENOMEM;
	fx->u = (u8 __user *)addr;
	test->priv = fx;
	return 0;
}

/* @cmd with its size field replaced by @size. */
static unsigned int myheap_cmd_size(unsigned int cmd, unsigned int size)
{
	return (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       (size << _IOC_SIZESHIFT);
}

static long myheap_call(struct myheap_ioctl_fixture *fx, unsigned int cmd,
			const void __user *arg)
{
	return myheap_ioctl(&fx->file, cmd, (unsigned long)arg);
}

/* Copy @len bytes of @k to the user memory, then call @cmd on it. */
static long myheap_call_with(struct kunit *test, unsigned int cmd,
			     const void *k, size_t len)
{
	struct myheap_ioctl_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, copy_to_user(fx->u, k, len), 0);
	return myheap_call(fx, cmd, fx->u);
}

/* Unknown type or number, or a known number with another direction. */
static void myheap_ioctl_test_unknown(struct kunit *test)
{
	struct myheap_ioctl_fixture *fx = test->priv;
	unsigned int wrong_dir = (MYHEAP_IOC_ALLOC & ~(_IOC_DIRMASK << _IOC_DIRSHIFT)) |
				 (_IOC_READ << _IOC_DIRSHIFT);

	KUNIT_EXPECT_EQ(test, myheap_call(fx, _IOWR('x', 1, struct myheap_alloc),
					  fx->u), -ENOTTY);
	KUNIT_EXPECT_EQ(test, myheap_call(fx, _IO(MYHEAP_IOC_MAGIC, 0xff), fx->u),
			-ENOTTY);
	KUNIT_EXPECT_EQ(test, myheap_call(fx, wrong_dir, fx->u), -ENOTTY);
	KUNIT_EXPECT_EQ(test, myheap_call(fx, _IO(MYHEAP_IOC_MAGIC,
						  _IOC_NR(MYHEAP_IOC_ALLOC)),
					  fx->u), -ENOTTY);
}

/* Sizes below VER0 and above a page, and a newer struct's tail. */
static void myheap_ioctl_test_sizes(struct kunit *test)
{
	struct myheap_ioctl_fixture *fx = test->priv;
	struct myheap_alloc a = { .size = 10 };
	u8 *k = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, k);
	KUNIT_EXPECT_EQ(test, myheap_call(fx, myheap_cmd_size(MYHEAP_IOC_STATS,
							      MYHEAP_STATS_SIZE_VER0 - 1),
					  fx->u), -EINVAL);
	KUNIT_EXPECT_EQ(test, myheap_call(fx, myheap_cmd_size(MYHEAP_IOC_STATS, 0),
					  fx->u), -EINVAL);
	KUNIT_EXPECT_EQ(test, myheap_call(fx, myheap_cmd_size(MYHEAP_IOC_STATS,
							      PAGE_SIZE + 8),
					  fx->u), -E2BIG);

	/* an input struct longer than the kernel's: its tail must be zero */
	memcpy(k, &a, sizeof(a));
	k[sizeof(a) + 7] = 1;
	KUNIT_EXPECT_EQ(test, myheap_call_with(test,
					       myheap_cmd_size(MYHEAP_IOC_ALLOC, sizeof(a) + 8),
					       k, sizeof(a) + 8), -E2BIG);

	/* STATS as first published: nothing written past it */
	memset(k, 0xaa, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, myheap_call_with(test,
					       myheap_cmd_size(MYHEAP_IOC_STATS,
							       MYHEAP_STATS_SIZE_VER0),
					       k, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(k, fx->u, PAGE_SIZE), 0);
	for (i = MYHEAP_STATS_SIZE_VER0; i < PAGE_SIZE; i++)
		if (k[i] != 0xaa)
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, PAGE_SIZE, "byte %u written", i);

	/* a newer, longer output struct: its unknown tail reads zero */
	memset(k, 0xaa, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, myheap_call_with(test,
					       myheap_cmd_size(MYHEAP_IOC_STATS,
							       sizeof(struct myheap_stats) + 64),
					       k, PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(k, fx->u, PAGE_SIZE), 0);
	for (i = sizeof(struct myheap_stats); i < sizeof(struct myheap_stats) + 64; i++)
		if (k[i])
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, sizeof(struct myheap_stats) + 64,
			    "tail byte %u not zeroed", i);
	KUNIT_EXPECT_EQ(test, k[sizeof(struct myheap_stats) + 64], 0xaa);
}

static void myheap_ioctl_test_efault(struct kunit *test)
{
	struct myheap_ioctl_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ(test, myheap_call(fx, MYHEAP_IOC_ALLOC, NULL), -EFAULT);
	KUNIT_EXPECT_EQ(test, myheap_call(fx, MYHEAP_IOC_STATS, NULL), -EFAULT);
	KUNIT_EXPECT_EQ(test, myheap_call(fx, MYHEAP_IOC_GET_INFO, NULL), -EFAULT);
	KUNIT_EXPECT_EQ(test, fx->mf->blocks, 0);
}

/* ALLOC, USABLE_SIZE and FREE through user memory, as a program does. */
static void myheap_ioctl_test_alloc_free(struct kunit *test)
{
	struct myheap_ioctl_fixture *fx = test->priv;
	struct myheap_alloc a = { .size = 100 };
	struct myheap_usable_size us = { 0 };
	struct myheap_free f = { 0 };

	KUNIT_ASSERT_EQ(test, myheap_call_with(test, MYHEAP_IOC_ALLOC, &a,
					       sizeof(a)), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&a, fx->u, sizeof(a)), 0);
	KUNIT_EXPECT_GE(test, a.usable, 100);
	KUNIT_EXPECT_LT(test, a.offset, MYHEAP_TEST_REGION);
	KUNIT_EXPECT_EQ(test, fx->mf->blocks, 1);

	us.offset = a.offset;
	KUNIT_ASSERT_EQ(test, myheap_call_with(test, MYHEAP_IOC_USABLE_SIZE, &us,
					       sizeof(us)), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&us, fx->u, sizeof(us)), 0);
	KUNIT_EXPECT_EQ(test, us.usable, a.usable);
	KUNIT_EXPECT_EQ(test, us.requested, 100);

	f.offset = a.offset;
	KUNIT_EXPECT_EQ(test, myheap_call_with(test, MYHEAP_IOC_FREE, &f,
					       sizeof(f)), 0);
	KUNIT_EXPECT_EQ(test, fx->mf->blocks, 0);
	KUNIT_EXPECT_EQ(test, myheap_call_with(test, MYHEAP_IOC_FREE, &f,
					       sizeof(f)), -EALREADY);

	/* a command that fails publishes nothing */
	us.usable = 0x5a5a;
	us.requested = 0x5a5a;
	KUNIT_EXPECT_EQ(test, myheap_call_with(test, MYHEAP_IOC_USABLE_SIZE, &us,
					       sizeof(us)), -EALREADY);
	KUNIT_ASSERT_EQ(test, copy_from_user(&us, fx->u, sizeof(us)), 0);
	KUNIT_EXPECT_EQ(test, us.usable, 0x5a5a);
	KUNIT_EXPECT_EQ(test, us.requested, 0x5a5a);
}

/* Nonzero padding or an unknown flag: -EINVAL, and nothing allocated. */
static void myheap_ioctl_test_reserved(struct kunit *test)
{
	struct myheap_ioctl_fixture *fx = test->priv;
	struct myheap_alloc a = { .size = 10, .__pad = 1 };

	KUNIT_EXPECT_EQ(test, myheap_call_with(test, MYHEAP_IOC_ALLOC, &a,
					       sizeof(a)), -EINVAL);
	a.__pad = 0;
	a.flags = (u32)~MYHEAP_ALLOC_VALID;
	KUNIT_EXPECT_EQ(test, myheap_call_with(test, MYHEAP_IOC_ALLOC, &a,
					       sizeof(a)), -EINVAL);
	KUNIT_EXPECT_EQ(test, fx->mf->blocks, 0);
}

/* GET_INFO says what the module is; the library's handshake reads it. */
static void myheap_ioctl_test_info(struct kunit *test)
{
	struct myheap_ioctl_fixture *fx = test->priv;
	struct myheap_info info;

	memset(&info, 0xff, sizeof(info));
	KUNIT_ASSERT_EQ(test, myheap_call_with(test, MYHEAP_IOC_GET_INFO, &info,
					       sizeof(info)), 0);
	KUNIT_ASSERT_EQ(test, copy_from_user(&info, fx->u, sizeof(info)), 0);
	KUNIT_EXPECT_EQ(test, info.abi_version, MYHEAP_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, info.region_size, MYHEAP_TEST_REGION);
	KUNIT_EXPECT_EQ(test, info.policy, MYHEAP_POLICY_SEGREGATED);
	KUNIT_EXPECT_EQ(test, info.nr_policies, MYHEAP_NR_POLICIES);
	KUNIT_EXPECT_EQ(test, info.batch_max, MYHEAP_BATCH_MAX);
	KUNIT_EXPECT_EQ(test, info.__pad, 0);
}

static struct kunit_case myheap_ioctl_test_cases[] = {
	KUNIT_CASE(myheap_ioctl_test_unknown),
	KUNIT_CASE(myheap_ioctl_test_sizes),
	KUNIT_CASE(myheap_ioctl_test_efault),
	KUNIT_CASE(myheap_ioctl_test_alloc_free),
	KUNIT_CASE(myheap_ioctl_test_reserved),
	KUNIT_CASE(myheap_ioctl_test_info),
	{}
};

static struct kunit_suite myheap_ioctl_test_suite = {
	.name = "myheap_ioctl",
	.init = myheap_ioctl_test_init,
	.test_cases = myheap_ioctl_test_cases,
};

kunit_test_suites(&myheap_ioctl_test_suite);
