// SPDX-License-Identifier: GPL-2.0
/*
 * The region_size, policy and list_order module parameters: strict
 * parsers (also used by the KUnit suite) and their kernel_param_ops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "myheap.h"

/* Longest parameter value worth parsing ("268435456" and then some). */
#define MYHEAP_PARAM_MAX	32

/**
 * myheap_parse_size() - parse and validate a region size.
 * @val: a decimal number of bytes with an optional K, M or G suffix (powers
 *	of 1024, either case); one trailing newline is allowed. Decimal only:
 *	a leading 0 is a decimal digit ("010000" is ten thousand, not octal),
 *	and "0x" is not a number.
 * @size: where the size in bytes is stored on success.
 *
 * The size must be a multiple of PAGE_SIZE, at least MH_MIN_REGION and at
 * most MH_MAX_REGION. Nothing is stored on failure.
 *
 * Context: any.
 * Return: 0 on success; -EINVAL for an empty, malformed or overflowing
 * number, an unknown suffix, or a size out of range or not page-aligned.
 */
int myheap_parse_size(const char *val, unsigned long *size)
{
	char buf[MYHEAP_PARAM_MAX];
	unsigned long long n;
	unsigned int shift = 0;
	size_t len;

	if (!val || strscpy(buf, val, sizeof(buf)) < 0)
		return -EINVAL;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (!len)
		return -EINVAL;

	switch (buf[len - 1]) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	if (shift)
		buf[--len] = '\0';
	/* Base 10, digits only (kstrtoull() alone would take a '+'). */
	if (!len || !isdigit(buf[0]) || kstrtoull(buf, 10, &n))
		return -EINVAL;
	if (n > (ULLONG_MAX >> shift))
		return -EINVAL;
	n <<= shift;

	if (n < MH_MIN_REGION || n > MH_MAX_REGION || !PAGE_ALIGNED(n))
		return -EINVAL;
	*size = n;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_parse_size);

/**
 * myheap_parse_policy() - parse a placement policy name.
 * @val: a name of the core's table (mh_policy_name()); one trailing
 *	newline is allowed.
 *
 * Context: any.
 * Return: the enum mh_policy value, or -EINVAL for anything else.
 */
int myheap_parse_policy(const char *val)
{
	int policy;

	if (!val)
		return -EINVAL;
	policy = mh_policy_parse(val);
	if (policy < 0 || policy >= MH_NR_POLICIES)
		return -EINVAL;
	return policy;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_parse_policy);

static int myheap_size_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned long size;
	int ret;

	ret = myheap_parse_size(val, &size);
	if (ret) {
		pr_err("region_size=%s: want a multiple of %lu bytes from %u to %u, with an optional K, M or G suffix\n",
		       val, PAGE_SIZE, MH_MIN_REGION, MH_MAX_REGION);
		return ret;
	}
	*(unsigned long *)kp->arg = size;
	return 0;
}

static int myheap_size_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", *(unsigned long *)kp->arg);
}

/* region_size: bytes of the region, with a K/M/G suffix; validated. */
const struct kernel_param_ops myheap_size_param_ops = {
	.set = myheap_size_param_set,
	.get = myheap_size_param_get,
};
EXPORT_SYMBOL_IF_KUNIT(myheap_size_param_ops);

/* "first, next, ... or buddy", from the core's table of names. */
static void myheap_policy_names(char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < MH_NR_POLICIES; i++)
		len += scnprintf(buf + len, size - len, "%s%s",
				 !i ? "" : i + 1 < MH_NR_POLICIES ? ", " : " or ",
				 mh_policy_name(i));
}

static int myheap_policy_param_set(const char *val,
				   const struct kernel_param *kp)
{
	char names[96];
	int policy;

	policy = myheap_parse_policy(val);
	if (policy < 0) {
		myheap_policy_names(names, sizeof(names));
		pr_err("policy=%s: want %s\n", val, names);
		return policy;
	}
	*(int *)kp->arg = policy;
	return 0;
}

static int myheap_policy_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", mh_policy_name(*(int *)kp->arg));
}

/* policy: placement policy by name. */
const struct kernel_param_ops myheap_policy_param_ops = {
	.set = myheap_policy_param_set,
	.get = myheap_policy_param_get,
};
EXPORT_SYMBOL_IF_KUNIT(myheap_policy_param_ops);

/**
 * myheap_parse_order() - parse a free-list order name.
 * @val: a name of the core's table (mh_order_name(): "addrsort",
 *	"sizesort+", ...); one trailing newline is allowed.
 *
 * Context: any.
 * Return: the enum mh_list_order value, or -EINVAL for anything else.
 */
int myheap_parse_order(const char *val)
{
	int order;

	if (!val)
		return -EINVAL;
	order = mh_order_parse(val);
	if (order < 0 || order >= MH_NR_ORDERS)
		return -EINVAL;
	return order;
}
EXPORT_SYMBOL_IF_KUNIT(myheap_parse_order);

static int myheap_order_param_set(const char *val,
				  const struct kernel_param *kp)
{
	char names[96];
	size_t len = 0;
	int order, i;

	order = myheap_parse_order(val);
	if (order < 0) {
		names[0] = '\0';
		for (i = 0; i < MH_NR_ORDERS; i++)
			len += scnprintf(names + len, sizeof(names) - len,
					 "%s%s", i ? ", " : "",
					 mh_order_name(i));
		pr_err("list_order=%s: want one of %s\n", val, names);
		return order;
	}
	*(int *)kp->arg = order;
	return 0;
}

static int myheap_order_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", mh_order_name(*(int *)kp->arg));
}

/* list_order: the fit policies' free-list order by name. */
const struct kernel_param_ops myheap_order_param_ops = {
	.set = myheap_order_param_set,
	.get = myheap_order_param_get,
};
EXPORT_SYMBOL_IF_KUNIT(myheap_order_param_ops);
