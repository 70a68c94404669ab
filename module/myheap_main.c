// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, load and unload, and the one device.
 *
 * Parameters (read-only under /sys/module/myheap/parameters):
 *   region_size  bytes of the heap's region, K/M/G suffixes (default 4M)
 *   policy       initial placement policy by name (default segregated)
 *   poison       poison free payloads and check them on reuse (default off)
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
		 "Initial placement policy: first, next, best, worst, segregated (default) or buddy");

static bool myheap_poison;
module_param_named(poison, myheap_poison, bool, 0444);
MODULE_PARM_DESC(poison, "Poison free payloads and check them on reuse (default off)");

/* The device of the loaded module. */
struct myheap_dev myheap;

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
	myheap_debugfs_init(&myheap);

	myheap.misc.minor = MISC_DYNAMIC_MINOR;
	myheap.misc.name = MYHEAP_NAME;
	myheap.misc.fops = &myheap_fops;
	myheap.misc.mode = 0600;
	ret = misc_register(&myheap.misc);
	if (ret)
		goto remove_debugfs;

	pr_info("%lu-byte heap, policy %s%s, on /dev/%s\n", myheap_region_size,
		mh_policy_name(myheap_policy), myheap_poison ? ", poisoned" : "",
		MYHEAP_NAME);
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
MODULE_LICENSE("GPL");
