// SPDX-License-Identifier: GPL-2.0
/*
 * Calls on the whole heap: info, stats, the checker, the policy, batches;
 * and the names of policies and violations.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "myheap_internal.h"

/**
 * myheap_get_info() - describe the heap now (policy included).
 * @heap: the heap.
 * @info: filled on success.
 *
 * Return: 0 or -errno.
 */
int myheap_get_info(struct myheap *heap, struct myheap_info *info)
{
	int ret = mh_ioctl(heap, MYHEAP_IOC_GET_INFO, info);

	return ret ? mh_fail_ioctl(ret, "myheap_get_info") : 0;
}

/**
 * myheap_stats() - a snapshot of the whole heap (all openers' blocks).
 * @heap: the heap.
 * @stats: filled on success.
 *
 * Return: 0 or -errno.
 */
int myheap_stats(struct myheap *heap, struct myheap_stats *stats)
{
	int ret = mh_ioctl(heap, MYHEAP_IOC_STATS, stats);

	return ret ? mh_fail_ioctl(ret, "myheap_stats") : 0;
}

/**
 * myheap_stats_reset() - zero the counters of the statistics (operations,
 * failures, splits, coalesces, blocks searched, damage seen); the heap and
 * the figures of its state are unchanged.
 * @heap: the heap.
 *
 * Return: 0; -EPERM no CAP_SYS_ADMIN; -ENOTTY a module without
 * MYHEAP_FEATURE_STATS_RESET.
 */
int myheap_stats_reset(struct myheap *heap)
{
	struct myheap_stats_reset r = { 0 };
	int ret = mh_ioctl(heap, MYHEAP_IOC_STATS_RESET, &r);

	return ret ? mh_fail_ioctl(ret, "myheap_stats_reset") : 0;
}

/**
 * myheap_check() - run the kernel's integrity checker.
 * @heap: the heap.
 * @check: filled on success: violations (0 when sound), the first's kind
 *	and offset.
 *
 * Return: the number of violations (>= 0), or -errno if the check could
 * not run.
 */
int myheap_check(struct myheap *heap, struct myheap_check *check)
{
	int ret;

	memset(check, 0, sizeof(*check));
	ret = mh_ioctl(heap, MYHEAP_IOC_CHECK, check);
	if (ret)
		return mh_fail_ioctl(ret, "myheap_check");
	return (int)check->violations;
}

/**
 * myheap_set_policy() - change the placement policy.
 * @heap: the heap.
 * @policy: MYHEAP_POLICY_*.
 *
 * Return: 0; -EPERM no CAP_SYS_ADMIN; -EINVAL unknown policy; -EBUSY
 * blocks are in use (by anyone).
 */
int myheap_set_policy(struct myheap *heap, unsigned int policy)
{
	struct myheap_policy p = { .policy = policy };
	int ret = mh_ioctl(heap, MYHEAP_IOC_SET_POLICY, &p);

	if (ret)
		return mh_fail(-ret, "myheap_set_policy", "%s: %s",
			       myheap_policy_name(policy), myheap_strerror(ret));
	return 0;
}

/**
 * myheap_set_config() - change the placement policy and its knobs.
 * @heap: the heap.
 * @policy: MYHEAP_POLICY_*.
 * @list_order: MYHEAP_ORDER_* (fit policies; MYHEAP_ORDER_ADDRSORT for the
 *	others).
 * @flags: MYHEAP_POLICY_* flags (MYHEAP_POLICY_NO_COALESCE, fit policies).
 *
 * What is not given is the default, whatever was set before.
 *
 * Return: 0; -EPERM no CAP_SYS_ADMIN; -EINVAL unknown policy, order or
 * flag; -EOPNOTSUPP a knob the policy does not have; -EBUSY blocks are in
 * use (by anyone); -E2BIG a module without MYHEAP_FEATURE_KNOBS.
 */
int myheap_set_config(struct myheap *heap, unsigned int policy,
		      unsigned int list_order, unsigned int flags)
{
	struct myheap_policy p = {
		.policy = policy,
		.flags = flags,
		.list_order = list_order,
	};
	int ret = mh_ioctl(heap, MYHEAP_IOC_SET_POLICY, &p);

	if (ret == -EOPNOTSUPP)
		return mh_fail(-ret, "myheap_set_config",
			       "%s: only first, next, best and worst take a list order and coalescing",
			       myheap_policy_name(policy));
	if (ret)
		return mh_fail(-ret, "myheap_set_config", "%s %s%s: %s",
			       myheap_policy_name(policy),
			       myheap_order_name(list_order),
			       flags & MYHEAP_POLICY_NO_COALESCE ?
			       " no-coalesce" : "", myheap_strerror(ret));
	return 0;
}

/**
 * myheap_batch() - run allocations and frees under one lock acquisition.
 * @heap: the heap.
 * @ops: @count operations; each gets its offset (allocations) and result.
 * @count: 0 to myheap_info.batch_max.
 * @flags: MYHEAP_BATCH_* (MYHEAP_BATCH_STOP: stop at the first failure).
 * @done: where the number of operations executed is stored; may be NULL.
 *
 * Return: the number of executed operations that failed (>= 0), or -errno
 * if the batch did not run (-EINVAL bad op or flag, -E2BIG too many).
 */
int myheap_batch(struct myheap *heap, struct myheap_batch_op *ops,
		 uint32_t count, uint32_t flags, uint32_t *done)
{
	struct myheap_batch b = {
		.ops = (uint64_t)(uintptr_t)ops,
		.count = count,
		.flags = flags,
		.op_size = sizeof(*ops),
	};
	int ret = mh_ioctl(heap, MYHEAP_IOC_BATCH, &b);

	if (ret)
		return mh_fail(-ret, "myheap_batch", "%u operations: %s", count,
			       myheap_strerror(ret));
	if (done)
		*done = b.done;
	return (int)b.failed;
}

/* The module parameter's names, indexed by MYHEAP_POLICY_*. */
static const char *const policy_names[MYHEAP_NR_POLICIES] = {
	[MYHEAP_POLICY_FIRST_FIT] = "first",
	[MYHEAP_POLICY_NEXT_FIT] = "next",
	[MYHEAP_POLICY_BEST_FIT] = "best",
	[MYHEAP_POLICY_WORST_FIT] = "worst",
	[MYHEAP_POLICY_SEGREGATED] = "segregated",
	[MYHEAP_POLICY_BUDDY] = "buddy",
	[MYHEAP_POLICY_POOLS] = "pools",
};

/** myheap_policy_name() - name of MYHEAP_POLICY_* @policy, or "unknown". */
const char *myheap_policy_name(unsigned int policy)
{
	return policy < MYHEAP_NR_POLICIES ? policy_names[policy] : "unknown";
}

/**
 * myheap_policy_parse() - a policy by name.
 * @name: a name of policy_names[] above (the module parameter's).
 *
 * Return: MYHEAP_POLICY_*, or -EINVAL.
 */
int myheap_policy_parse(const char *name)
{
	char known[96];
	size_t n = 0;

	for (unsigned int p = 0; p < MYHEAP_NR_POLICIES; p++)
		if (!strcmp(name, policy_names[p]))
			return (int)p;
	known[0] = '\0';
	for (unsigned int p = 0; p < MYHEAP_NR_POLICIES && n < sizeof(known); p++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s",
				      p ? ", " : "", policy_names[p]);
	return mh_fail(EINVAL, "myheap_policy_parse", "unknown policy '%s' (%s)",
		       name, known);
}

/* The free-list orders' names (OSTEP's malloc.py's), by MYHEAP_ORDER_*. */
static const char *const order_names[MYHEAP_NR_ORDERS] = {
	[MYHEAP_ORDER_ADDRSORT] = "addrsort",
	[MYHEAP_ORDER_SIZESORT_UP] = "sizesort+",
	[MYHEAP_ORDER_SIZESORT_DOWN] = "sizesort-",
	[MYHEAP_ORDER_INSERT_FRONT] = "insert-front",
	[MYHEAP_ORDER_INSERT_BACK] = "insert-back",
};

/** myheap_order_name() - name of MYHEAP_ORDER_* @order, or "unknown". */
const char *myheap_order_name(unsigned int order)
{
	return order < MYHEAP_NR_ORDERS ? order_names[order] : "unknown";
}

/**
 * myheap_order_parse() - a free-list order by name.
 * @name: a name of order_names[] above.
 *
 * Return: MYHEAP_ORDER_*, or -EINVAL.
 */
int myheap_order_parse(const char *name)
{
	char known[96];
	size_t n = 0;

	for (unsigned int o = 0; o < MYHEAP_NR_ORDERS; o++)
		if (!strcmp(name, order_names[o]))
			return (int)o;
	known[0] = '\0';
	for (unsigned int o = 0; o < MYHEAP_NR_ORDERS && n < sizeof(known); o++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s",
				      o ? ", " : "", order_names[o]);
	return mh_fail(EINVAL, "myheap_order_parse",
		       "unknown list order '%s' (%s)", name, known);
}

/* MYHEAP_FEATURE_* bits, by bit number, to the names the tools print. */
#define FEATURE(bit) [__builtin_ctzll(MYHEAP_FEATURE_##bit)]
static const char *const feature_names[] = {
	FEATURE(MMAP) = "mmap",
	FEATURE(REALLOC) = "realloc",
	FEATURE(BATCH) = "batch",
	FEATURE(ZERO) = "zero",
	FEATURE(POISON) = "poison",
	FEATURE(OWNERSHIP) = "ownership",
	FEATURE(RW) = "rw",
	FEATURE(PRIVATE) = "private",
	FEATURE(KNOBS) = "knobs",
	FEATURE(STATS_RESET) = "stats-reset",
	FEATURE(ALLOC_REPORT) = "alloc-report",
	FEATURE(FREE_REPORT) = "free-report",
	FEATURE(REALLOC_REPORT) = "realloc-report",
};
#undef FEATURE

/**
 * myheap_feature_name() - name of MYHEAP_FEATURE_* bit number @bit
 * (0 for MYHEAP_FEATURE_MMAP ...); NULL for a bit this library does not know.
 */
const char *myheap_feature_name(unsigned int bit)
{
	return bit < sizeof(feature_names) / sizeof(feature_names[0]) ?
	       feature_names[bit] : NULL;
}

static const char *const violation_names[MYHEAP_NR_VIOLATION_KINDS] = {
	[MYHEAP_VIOLATION_NONE] = "none",
	[MYHEAP_VIOLATION_HEADER] = "header fails its magic check",
	[MYHEAP_VIOLATION_SIZE] = "bad block size",
	[MYHEAP_VIOLATION_PREV_FREE] = "PREV_FREE bit disagrees with neighbour",
	[MYHEAP_VIOLATION_FOOTER] = "boundary tag disagrees with header",
	[MYHEAP_VIOLATION_ADJACENT_FREE] = "two neighbouring free blocks",
	[MYHEAP_VIOLATION_LINK] = "broken free-list link",
	[MYHEAP_VIOLATION_CLASS] = "free block on the wrong list",
	[MYHEAP_VIOLATION_LIST_COUNT] = "free lists and blocks disagree",
	[MYHEAP_VIOLATION_BITMAP] = "class bitmap disagrees with its list",
	[MYHEAP_VIOLATION_BUDDY] = "buddy invariant broken",
	[MYHEAP_VIOLATION_POISON] = "free payload written after free",
	[MYHEAP_VIOLATION_ACCOUNTING] = "totals disagree with the blocks",
	[MYHEAP_VIOLATION_SLACK] = "slack larger than the payload",
	[MYHEAP_VIOLATION_RUN] = "run metadata or run list damaged",
};

/** myheap_violation_name() - text of a MYHEAP_VIOLATION_* kind. */
const char *myheap_violation_name(unsigned int kind)
{
	return kind < MYHEAP_NR_VIOLATION_KINDS ? violation_names[kind] :
						  "unknown violation";
}
