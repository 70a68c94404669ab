/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the glue and ioctl suites share: a device of their own (no misc
 * device registered) and open files of it, both undone when a test ends.
 */
#ifndef MYHEAP_TEST_UTIL_H
#define MYHEAP_TEST_UTIL_H

#include <kunit/test.h>

#include "myheap.h"

#define MYHEAP_TEST_REGION	(64 * 1024)

struct myheap_dev *myheap_test_dev(struct kunit *test);
struct myheap_dev *myheap_test_dev_of(struct kunit *test, size_t region_size,
				      enum mh_policy policy);
struct myheap_file *myheap_test_open(struct kunit *test,
				     struct myheap_dev *dev, pid_t pid);
void myheap_test_close(void *arg);

#endif /* MYHEAP_TEST_UTIL_H */
