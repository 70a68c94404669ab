// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of /dev/myheap itself (module/myheap_dev.c): the misc device
 * myheap.ko registered, opened with filp_open() as a program opens it, its
 * mmap checks and mapping through vm_mmap() into the test's own mm, its
 * ioctls through the file's f_op, and release freeing a file's blocks.
 * It uses the loaded module's heap: run it with nothing else on it.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "myheap.h"

static struct file *myheap_dev_test_open(struct kunit *test)
{
	struct file *file = filp_open(MYHEAP_DEVICE, O_RDWR, 0);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open %s: %pe",
			       MYHEAP_DEVICE, file);
	return file;
}

/* The file's ioctl on @len bytes of @k, copied through user memory @u. */
static long myheap_dev_test_ioctl(struct kunit *test, struct file *file,
				  unsigned int cmd, void __user *u, void *k,
				  size_t len)
{
	long ret;

	KUNIT_ASSERT_EQ(test, copy_to_user(u, k, len), 0);
	ret = file->f_op->unlocked_ioctl(file, cmd, (unsigned long)u);
	KUNIT_ASSERT_EQ(test, copy_from_user(k, u, len), 0);
	return ret;
}

static void __user *myheap_dev_test_umem(struct kunit *test)
{
	unsigned long addr = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE,
					   PROT_READ | PROT_WRITE,
					   MAP_ANONYMOUS | MAP_PRIVATE, 0);

	KUNIT_ASSERT_TRUE(test, addr && !IS_ERR_VALUE(addr));
	return (void __user *)addr;
}

/* Blocks in use in the whole heap. */
static u64 myheap_dev_test_used(struct kunit *test, struct file *file,
				void __user *u)
{
	struct myheap_stats st = { 0 };

	KUNIT_EXPECT_EQ(test, myheap_dev_test_ioctl(test, file, MYHEAP_IOC_STATS,
						    u, &st, sizeof(st)), 0);
	return st.used_blocks;
}

/* A file's blocks are its own, and closing it frees them. */
static void myheap_dev_test_release_frees(struct kunit *test)
{
	struct file *a = myheap_dev_test_open(test);
	struct file *b = myheap_dev_test_open(test);
	void __user *u = myheap_dev_test_umem(test);
	struct myheap_alloc al = { .size = 64 };
	struct myheap_free f = { 0 };
	u64 before = myheap_dev_test_used(test, b, u);
	int i;

	KUNIT_EXPECT_PTR_NE(test, a->private_data, b->private_data);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, myheap_dev_test_ioctl(test, a, MYHEAP_IOC_ALLOC,
							    u, &al, sizeof(al)), 0);
	KUNIT_EXPECT_EQ(test, myheap_dev_test_used(test, b, u), before + 3);
	/* b cannot free a's block */
	f.offset = al.offset;
	KUNIT_EXPECT_EQ(test, myheap_dev_test_ioctl(test, b, MYHEAP_IOC_FREE, u,
						    &f, sizeof(f)), -EPERM);
	__fput_sync(a);
	KUNIT_EXPECT_EQ(test, myheap_dev_test_used(test, b, u), before);
	__fput_sync(b);
}

/*
 * mmap: only MAP_SHARED of the region from offset 0, never executable
 * (VM_MAYEXEC cleared, so mprotect(PROT_EXEC) fails); the mapping shows
 * the region's bytes.
 */
static void myheap_dev_test_mmap(struct kunit *test)
{
	struct file *file = myheap_dev_test_open(test);
	struct myheap_file *mf = file->private_data;
	size_t len = mf->dev->mmap_size;
	void __user *u = myheap_dev_test_umem(test);
	struct myheap_alloc al = { .size = 32 };
	struct myheap_info info = { 0 };
	struct myheap_free f = { 0 };
	struct vm_area_struct *vma;
	unsigned long map;
	bool mayexec;
	u8 *region = mf->dev->region;
	static const u8 bytes[] = "through the mapping";

	KUNIT_ASSERT_EQ(test, myheap_dev_test_ioctl(test, file, MYHEAP_IOC_GET_INFO,
						    u, &info, sizeof(info)), 0);
	if (info.features & MYHEAP_FEATURE_PRIVATE) {
		fput(file);
		kunit_skip(test, "module loaded with mmap=0");
		return;
	}
	map = kunit_vm_mmap(test, file, 0, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE, 0);
	KUNIT_EXPECT_EQ(test, (long)map, -EINVAL);
	map = kunit_vm_mmap(test, file, 0, len, PROT_READ | PROT_EXEC,
			    MAP_SHARED, 0);
	KUNIT_EXPECT_EQ(test, (long)map, -EPERM);
	map = kunit_vm_mmap(test, file, 0, len, PROT_READ, MAP_SHARED, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, (long)map, -EINVAL);
	map = kunit_vm_mmap(test, file, 0, len + PAGE_SIZE, PROT_READ,
			    MAP_SHARED, 0);
	KUNIT_EXPECT_EQ(test, (long)map, -EINVAL);

	map = kunit_vm_mmap(test, file, 0, len, PROT_READ | PROT_WRITE,
			    MAP_SHARED, 0);
	KUNIT_ASSERT_TRUE_MSG(test, map && !IS_ERR_VALUE(map), "mmap: %ld",
			      (long)map);
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, map);
	mayexec = vma && (vma->vm_flags & VM_MAYEXEC);
	mmap_read_unlock(current->mm);
	KUNIT_EXPECT_NOT_NULL(test, vma);
	KUNIT_EXPECT_FALSE(test, mayexec);

	KUNIT_ASSERT_EQ(test, myheap_dev_test_ioctl(test, file, MYHEAP_IOC_ALLOC,
						    u, &al, sizeof(al)), 0);
	KUNIT_EXPECT_EQ(test, copy_to_user((void __user *)(map + al.offset),
					   bytes, sizeof(bytes)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(region + al.offset, bytes, sizeof(bytes)), 0);
	f.offset = al.offset;
	KUNIT_EXPECT_EQ(test, myheap_dev_test_ioctl(test, file, MYHEAP_IOC_FREE,
						    u, &f, sizeof(f)), 0);
	/* the mapping holds the file: it is released when the test's mm goes */
	fput(file);
}

static struct kunit_case myheap_dev_test_cases[] = {
	KUNIT_CASE(myheap_dev_test_release_frees),
	KUNIT_CASE(myheap_dev_test_mmap),
	{}
};

static struct kunit_suite myheap_dev_test_suite = {
	.name = "myheap_dev",
	.test_cases = myheap_dev_test_cases,
};

kunit_test_suites(&myheap_dev_test_suite);
