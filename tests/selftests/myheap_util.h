/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the myheap selftests: ioctl wrappers that return
 * -errno, re-encoding a command with another argument size or direction,
 * and opening and mapping the device.
 */
#ifndef MYHEAP_UTIL_H
#define MYHEAP_UTIL_H

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

#define MH_DEV		MYHEAP_DEVICE
#define MH_PAGE		4096UL

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
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
static inline int mh_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* @cmd with its size field replaced by @size. */
static inline unsigned long mh_cmd_size(unsigned long cmd, unsigned long size)
{
	return (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       (size << _IOC_SIZESHIFT);
}

/* @cmd with its direction replaced by @dir. */
static inline unsigned long mh_cmd_dir(unsigned long cmd, unsigned long dir)
{
	return (cmd & ~((unsigned long)_IOC_DIRMASK << _IOC_DIRSHIFT)) |
	       (dir << _IOC_DIRSHIFT);
}

static inline int mh_info(int fd, struct myheap_info *info)
{
	memset(info, 0, sizeof(*info));
	return mh_ioctl(fd, MYHEAP_IOC_GET_INFO, info);
}

static inline int mh_stats(int fd, struct myheap_stats *st)
{
	memset(st, 0, sizeof(*st));
	return mh_ioctl(fd, MYHEAP_IOC_STATS, st);
}

static inline int mh_alloc(int fd, uint64_t size, uint64_t align,
			   uint32_t flags, uint64_t *offset)
{
	struct myheap_alloc a = { .size = size, .align = align, .flags = flags };
	int ret = mh_ioctl(fd, MYHEAP_IOC_ALLOC, &a);

	if (!ret && offset)
		*offset = a.offset;
	return ret;
}

static inline int mh_free(int fd, uint64_t offset)
{
	struct myheap_free f = { .offset = offset };

	return mh_ioctl(fd, MYHEAP_IOC_FREE, &f);
}

static inline int mh_realloc(int fd, uint64_t offset, uint64_t size,
			     uint64_t *new_offset)
{
	struct myheap_realloc r = { .offset = offset, .size = size };
	int ret = mh_ioctl(fd, MYHEAP_IOC_REALLOC, &r);

	if (!ret && new_offset)
		*new_offset = r.new_offset;
	return ret;
}

static inline int mh_usable(int fd, uint64_t offset, uint64_t *usable,
			    uint64_t *requested)
{
	struct myheap_usable_size u = { .offset = offset };
	int ret = mh_ioctl(fd, MYHEAP_IOC_USABLE_SIZE, &u);

	if (!ret) {
		if (usable)
			*usable = u.usable;
		if (requested)
			*requested = u.requested;
	}
	return ret;
}

/* Number of violations, or -errno. */
static inline int mh_check(int fd, struct myheap_check *c)
{
	struct myheap_check local;
	int ret;

	if (!c)
		c = &local;
	memset(c, 0, sizeof(*c));
	ret = mh_ioctl(fd, MYHEAP_IOC_CHECK, c);
	return ret ? ret : (int)c->violations;
}

static inline int mh_set_policy(int fd, uint32_t policy)
{
	struct myheap_policy p = { .policy = policy };

	return mh_ioctl(fd, MYHEAP_IOC_SET_POLICY, &p);
}

/* Set the policy on an empty heap; remember the old one for teardown. */
static inline int switch_policy(uint32_t policy, uint32_t *old)
{
	struct myheap_info info;
	int fd = open(MH_DEV, O_RDWR | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = mh_info(fd, &info);
	if (!ret && old)
		*old = info.policy;
	if (!ret)
		ret = mh_set_policy(fd, policy);
	close(fd);
	return ret;
}

/* Blocks in use in the whole heap, or -errno. */
static inline long mh_used_blocks(int fd)
{
	struct myheap_stats st;
	int ret = mh_stats(fd, &st);

	return ret ? ret : (long)st.used_blocks;
}

/* Fill or verify a payload with a pattern derived from @seed. */
static inline void mh_fill(void *p, size_t len, uint64_t seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = (unsigned char)(seed * 31 + i * 7 + (i >> 8));
}

static inline bool mh_intact(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i] != (unsigned char)(seed * 31 + i * 7 + (i >> 8)))
			return false;
	return true;
}

/* A page that faults on any access, for -EFAULT tests. */
static inline void *mh_bad_page(void)
{
	void *p = mmap(NULL, MH_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

#endif /* MYHEAP_UTIL_H */
