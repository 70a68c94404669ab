/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dev_util.h - the device's ioctls as 0 / -errno for the tests that talk
 * to /dev/myheap directly (tests/selftests, tests/debugfs), re-encoding a
 * command with another argument size or direction, and the clock and
 * environment helpers those tests share. Names start with dev_: the
 * core's mh_alloc(), mh_free()... are another API.
 */
#ifndef MYHEAP_DEV_UTIL_H
#define MYHEAP_DEV_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/myheap.h>

#define DEV_PAGE	4096UL

/*
 * One kselftest-harness variant of fixture @f per placement policy, named
 * as libmyheap and the module parameter name them; FIXTURE_VARIANT(@f)
 * must have an integer member "policy". The VM tests' one list of the
 * policies: a new one is added here (the assert says when).
 */
#define DEV_POLICY_VARIANTS(f)						\
	_Static_assert(MYHEAP_NR_POLICIES == 7, "a variant for every policy"); \
	FIXTURE_VARIANT_ADD(f, first) { .policy = MYHEAP_POLICY_FIRST_FIT }; \
	FIXTURE_VARIANT_ADD(f, next) { .policy = MYHEAP_POLICY_NEXT_FIT }; \
	FIXTURE_VARIANT_ADD(f, best) { .policy = MYHEAP_POLICY_BEST_FIT }; \
	FIXTURE_VARIANT_ADD(f, worst) { .policy = MYHEAP_POLICY_WORST_FIT }; \
	FIXTURE_VARIANT_ADD(f, segregated) { .policy = MYHEAP_POLICY_SEGREGATED }; \
	FIXTURE_VARIANT_ADD(f, buddy) { .policy = MYHEAP_POLICY_BUDDY }; \
	FIXTURE_VARIANT_ADD(f, pools) { .policy = MYHEAP_POLICY_POOLS }

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* CLOCK_MONOTONIC in seconds. */
static inline double now_s(void)
{
	return now_ns() / 1e9;
}

/* A positive decimal from the environment, or @dflt. */
static inline unsigned long env_ul(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return dflt;
	v = strtoul(s, &end, 10);
	return *end || !v ? dflt : v;
}

/* ioctl() as 0 or -errno. */
static inline int dev_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* @cmd with its size field replaced by @size. */
static inline unsigned long dev_cmd_size(unsigned long cmd, unsigned long size)
{
	return (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       (size << _IOC_SIZESHIFT);
}

/* @cmd with its direction replaced by @dir. */
static inline unsigned long dev_cmd_dir(unsigned long cmd, unsigned long dir)
{
	return (cmd & ~((unsigned long)_IOC_DIRMASK << _IOC_DIRSHIFT)) |
	       (dir << _IOC_DIRSHIFT);
}

static inline int dev_info(int fd, struct myheap_info *info)
{
	memset(info, 0, sizeof(*info));
	return dev_ioctl(fd, MYHEAP_IOC_GET_INFO, info);
}

static inline int dev_stats(int fd, struct myheap_stats *st)
{
	memset(st, 0, sizeof(*st));
	return dev_ioctl(fd, MYHEAP_IOC_STATS, st);
}

static inline int dev_alloc(int fd, uint64_t size, uint64_t align,
			    uint32_t flags, uint64_t *offset)
{
	struct myheap_alloc a = { .size = size, .align = align, .flags = flags };
	int ret = dev_ioctl(fd, MYHEAP_IOC_ALLOC, &a);

	if (!ret && offset)
		*offset = a.offset;
	return ret;
}

static inline int dev_free(int fd, uint64_t offset)
{
	struct myheap_free f = { .offset = offset };

	return dev_ioctl(fd, MYHEAP_IOC_FREE, &f);
}

/* FREE_REPORT: free @offset, what the free did in @out (may be NULL). */
static inline int dev_free_report(int fd, uint64_t offset,
				  struct myheap_freed *out)
{
	struct myheap_free_report f = { .offset = offset };
	int ret = dev_ioctl(fd, MYHEAP_IOC_FREE_REPORT, &f);

	if (!ret && out)
		*out = f.freed;
	return ret;
}

static inline int dev_realloc(int fd, uint64_t offset, uint64_t size,
			      uint64_t *new_offset)
{
	struct myheap_realloc r = { .offset = offset, .size = size };
	int ret = dev_ioctl(fd, MYHEAP_IOC_REALLOC, &r);

	if (!ret && new_offset)
		*new_offset = r.new_offset;
	return ret;
}

static inline int dev_usable(int fd, uint64_t offset, uint64_t *usable,
			     uint64_t *requested)
{
	struct myheap_usable_size u = { .offset = offset };
	int ret = dev_ioctl(fd, MYHEAP_IOC_USABLE_SIZE, &u);

	if (!ret) {
		if (usable)
			*usable = u.usable;
		if (requested)
			*requested = u.requested;
	}
	return ret;
}

/* Number of violations, or -errno. */
static inline int dev_check(int fd, struct myheap_check *c)
{
	struct myheap_check local;
	int ret;

	if (!c)
		c = &local;
	memset(c, 0, sizeof(*c));
	ret = dev_ioctl(fd, MYHEAP_IOC_CHECK, c);
	return ret ? ret : (int)c->violations;
}

static inline int dev_set_policy(int fd, uint32_t policy)
{
	struct myheap_policy p = { .policy = policy };

	return dev_ioctl(fd, MYHEAP_IOC_SET_POLICY, &p);
}

/* Set the policy on an empty heap; remember the old one for teardown. */
static inline int dev_switch_policy(uint32_t policy, uint32_t *old)
{
	struct myheap_info info;
	int fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = dev_info(fd, &info);
	if (!ret && old)
		*old = info.policy;
	if (!ret)
		ret = dev_set_policy(fd, policy);
	close(fd);
	return ret;
}

/* Blocks in use in the whole heap, or -errno. */
static inline long dev_used_blocks(int fd)
{
	struct myheap_stats st;
	int ret = dev_stats(fd, &st);

	return ret ? ret : (long)st.used_blocks;
}

/*
 * @n operations @op (MYHEAP_BATCH_OP_ALLOC of @size bytes, or
 * MYHEAP_BATCH_OP_FREE) in batches of MYHEAP_BATCH_MAX: an allocation's
 * offset goes to @offs[i], a free frees @offs[i * @stride]. 0, the first
 * operation's result that failed, or -errno of the ioctl.
 */
static inline int dev_batch(int fd, uint32_t op, uint64_t size, size_t n,
			    uint64_t *offs, size_t stride)
{
	static __thread struct myheap_batch_op ops[MYHEAP_BATCH_MAX];
	size_t done = 0, i, k;
	int ret;

	while (done < n) {
		struct myheap_batch b = { .ops = (uintptr_t)ops,
					  .op_size = sizeof(ops[0]) };

		k = n - done < MYHEAP_BATCH_MAX ? n - done : MYHEAP_BATCH_MAX;
		memset(ops, 0, k * sizeof(ops[0]));
		for (i = 0; i < k; i++) {
			ops[i].op = op;
			if (op == MYHEAP_BATCH_OP_ALLOC)
				ops[i].size = size;
			else
				ops[i].offset = offs[(done + i) * stride];
		}
		b.count = k;
		ret = dev_ioctl(fd, MYHEAP_IOC_BATCH, &b);
		if (ret)
			return ret;
		for (i = 0; i < k; i++) {
			if (ops[i].result)
				return ops[i].result;
			if (op == MYHEAP_BATCH_OP_ALLOC)
				offs[done + i] = ops[i].offset;
		}
		done += k;
	}
	return 0;
}

/*
 * The value of a key of /sys/kernel/debug/myheap/stats, into @buf (without
 * its newline); false if it cannot be read.
 */
static inline bool dev_debugfs_field(const char *key, char *buf, size_t size)
{
	char line[128];
	size_t n = strlen(key);
	bool found = false;
	FILE *f = fopen("/sys/kernel/debug/myheap/stats", "re");

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, n) || line[n] != ':')
			continue;
		snprintf(buf, size, "%s", line + n + 1 + (line[n + 1] == ' '));
		buf[strcspn(buf, "\n")] = '\0';
		found = true;
	}
	if (f)
		fclose(f);
	return found;
}

/* A number of /sys/kernel/debug/myheap/stats, or -1 if it cannot be read. */
static inline long long dev_debugfs_stat(const char *key)
{
	char value[128];

	return dev_debugfs_field(key, value, sizeof(value)) ?
	       strtoll(value, NULL, 10) : -1;
}

/* A page that faults on any access, for -EFAULT tests. */
static inline void *dev_bad_page(void)
{
	void *p = mmap(NULL, DEV_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

#endif /* MYHEAP_DEV_UTIL_H */
