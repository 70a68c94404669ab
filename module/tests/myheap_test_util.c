// SPDX-License-Identifier: GPL-2.0
/*
 * Test devices and files for the KUnit suites (see myheap_test_util.h).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "myheap_test_util.h"

KUNIT_DEFINE_ACTION_WRAPPER(myheap_test_dev_destroy, myheap_dev_destroy,
			    struct myheap_dev *);

/**
 * myheap_test_dev_of() - a device of the given region size and policy,
 * destroyed when @test ends.
 * @test: the test it belongs to; a failure to set it up fails the test.
 * @region_size: bytes of region.
 * @policy: its placement policy.
 *
 * Context: process context, may sleep.
 * Return: the device.
 */
struct myheap_dev *myheap_test_dev_of(struct kunit *test, size_t region_size,
				      enum mh_policy policy)
{
	struct myheap_dev *dev;
	int ret;

	dev = kunit_kzalloc(test, sizeof(*dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, myheap_dev_init(dev, region_size, policy, false),
			0);
	ret = kunit_add_action_or_reset(test, myheap_test_dev_destroy, dev);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return dev;
}

/**
 * myheap_test_dev() - a device with a MYHEAP_TEST_REGION region (segregated
 * fit), destroyed when @test ends.
 * @test: the test it belongs to; a failure to set it up fails the test.
 *
 * Context: process context, may sleep.
 * Return: the device.
 */
struct myheap_dev *myheap_test_dev(struct kunit *test)
{
	return myheap_test_dev_of(test, MYHEAP_TEST_REGION, MH_SEGREGATED);
}

/**
 * myheap_test_close() - close a file of myheap_test_open() now; the
 * deferred action that would do it at the end of the test: pass to
 * kunit_remove_action() after a test closed the file itself.
 * @arg: the struct myheap_file.
 *
 * Context: process context, may sleep; takes &myheap_dev.lock.
 */
void myheap_test_close(void *arg)
{
	struct myheap_file *mf = arg;
	u64 blocks, bytes;

	mutex_lock(&mf->dev->lock);
	myheap_file_remove(mf->dev, mf, &blocks, &bytes);
	mutex_unlock(&mf->dev->lock);
}

/**
 * myheap_test_open() - an open file of @dev, closed when @test ends (before
 * @dev goes).
 * @test: the test it belongs to.
 * @dev: from myheap_test_dev().
 * @pid: the pid it records.
 *
 * Context: process context, may sleep; takes &myheap_dev.lock.
 * Return: the file.
 */
struct myheap_file *myheap_test_open(struct kunit *test,
				     struct myheap_dev *dev, pid_t pid)
{
	struct myheap_file *mf;
	int ret;

	mf = kunit_kzalloc(test, sizeof(*mf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mf);
	mf->pid = pid;
	strscpy(mf->comm, "kunit", sizeof(mf->comm));
	mutex_lock(&dev->lock);
	ret = myheap_file_add(dev, mf);
	mutex_unlock(&dev->lock);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, myheap_test_close,
							mf), 0);
	return mf;
}
