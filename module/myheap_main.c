// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, load and unload, and the one device.
 *
 * Parameters (read-only under /sys/module/myheap/parameters):
 *   region_size  bytes of the heap's region, K/M/G suffixes (default 4M)
 *   policy       initial placement policy by name (default segregated)
 *   list_order   first, next, best, worst: the free list's order, OSTEP's
 *                names (addrsort, sizesort+, sizesort-, insert-front,
 *                insert-back; default addrsort)
 *   coalesce     first, next, best, worst: freed blocks merge with free
 *                neighbours (default on)
 *   poison       poison free payloads and check them on reuse (default off)
 *   mmap         the region may be mapped (default on); off is private
 *                mode: mmap() fails with -ENODEV and a process reaches only
 *                its own blocks, through pread()/pwrite() (myheap_rw.c)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

#include "myheap.h"

static unsigned long myheap_region_size = MYHEAP_DEFAULT_REGION;
module_param_cb(region_size, &myheap_size_param_ops, &myheap_region_size, 0444);
MODULE_PARM_DESC(region_size,
		 "Bytes of the heap's region, a multiple of the page size up to 256M; K, M or G suffix (default 4M)");

static int myheap_policy = MYHEAP_DEFAULT_POLICY;
module_param_cb(policy, &myheap_policy_param_ops, &myheap_policy, 0444);
MODULE_PARM_DESC(policy,
		 "Initial placement policy: first, next, best, worst, segregated (default), buddy or pools");

static int myheap_list_order = MH_ORDER_ADDR;
module_param_cb(list_order, &myheap_order_param_ops, &myheap_list_order, 0444);
MODULE_PARM_DESC(list_order,
		 "First, next, best and worst fit: free-list order addrsort (default), sizesort+, sizesort-, insert-front or insert-back");

static bool myheap_coalesce = true;
module_param_named(coalesce, myheap_coalesce, bool, 0444);
MODULE_PARM_DESC(coalesce,
		 "First, next, best and worst fit: freed blocks merge with free neighbours (default on)");

static bool myheap_poison;
module_param_named(poison, myheap_poison, bool, 0444);
MODULE_PARM_DESC(poison, "Poison free payloads and check them on reuse (default off)");

static bool myheap_mmap_param = true;
module_param_named(mmap, myheap_mmap_param, bool, 0444);
MODULE_PARM_DESC(mmap,
		 "Let processes map the region (default on); off: private mode, each process reads and writes only its own blocks with pread/pwrite");

/* The device of the loaded module. */
struct myheap_dev myheap;

/**
 * myheap_private_mode() - is the module in private mode (mmap=0)?
 *
 * In private mode the region is never mapped: mmap() fails with -ENODEV,
 * MYHEAP_IOC_GET_INFO reports MYHEAP_FEATURE_PRIVATE instead of
 * MYHEAP_FEATURE_MMAP, and pread()/pwrite() are the only way to the bytes
 * of a block, the caller's own only. The parameter is read-only (0444), so
 * the answer never changes while the module is loaded.
 *
 * Context: any.
 * Return: true in private mode.
 */
bool myheap_private_mode(void)
{
	return !myheap_mmap_param;
}

/* The knobs as SET_POLICY sets them: the same rule, the same path. */
static int __init myheap_init_knobs(void)
{
	int ret;

	if (myheap_list_order == MH_ORDER_ADDR && myheap_coalesce)
		return 0;
	if (!mh_policy_has_knobs(myheap_policy)) {
		pr_err("list_order=%s coalesce=%d: only policies first, next, best and worst take them, not %s\n",
		       mh_order_name(myheap_list_order), myheap_coalesce,
		       mh_policy_name(myheap_policy));
		return -EINVAL;
	}
	myheap_lock_always(&myheap);
	ret = myheap_set_config(&myheap, myheap_policy, myheap_list_order,
				myheap_coalesce);
	myheap_unlock(&myheap);
	return ret;
}

static int __init myheap_init(void)
{
	int ret;

	ret = myheap_dev_init(&myheap, myheap_region_size, myheap_policy,
			      myheap_poison);
	if (ret) {
		pr_err("cannot set up a %lu-byte heap: %d\n",
		       myheap_region_size, ret);
		return ret;
	}
	ret = myheap_init_knobs();
	if (ret) {
		myheap_dev_destroy(&myheap);
		return ret;
	}
	myheap_debugfs_init(&myheap);

	myheap.misc.minor = MISC_DYNAMIC_MINOR;
	myheap.misc.name = MYHEAP_NAME;
	myheap.misc.fops = &myheap_fops;
	myheap.misc.mode = 0600;
	ret = misc_register(&myheap.misc);
	if (ret)
		goto remove_debugfs;

	pr_info("%lu-byte heap, policy %s%s%s%s%s%s, on /dev/%s\n",
		myheap_region_size, mh_policy_name(myheap_policy),
		myheap_list_order != MH_ORDER_ADDR ? " " : "",
		myheap_list_order != MH_ORDER_ADDR ?
		mh_order_name(myheap_list_order) : "",
		myheap_coalesce ? "" : " no-coalesce",
		myheap_poison ? ", poisoned" : "",
		myheap_private_mode() ? ", private (no mmap)" : "", MYHEAP_NAME);
	return 0;

remove_debugfs:
	myheap_debugfs_exit(&myheap);
	myheap_dev_destroy(&myheap);
	return ret;
}

static void __exit myheap_exit(void)
{
	misc_deregister(&myheap.misc);
	myheap_debugfs_exit(&myheap);
	myheap_dev_destroy(&myheap);
}

module_init(myheap_init);
module_exit(myheap_exit);

MODULE_DESCRIPTION("A header/free-list heap in a vmalloc'ed region, served on /dev/myheap");
MODULE_AUTHOR("The myheap authors");
MODULE_VERSION("1.0.0");
MODULE_LICENSE("GPL");
