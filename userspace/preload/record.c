// SPDX-License-Identifier: GPL-2.0
/*
 * libmyheap-record.so: log every allocation of a program, on the system
 * allocator, for `myheap record` to turn into a malloclab trace. Needs no
 * device: each call goes to the next malloc in the link order (dlsym
 * RTLD_NEXT, normally glibc's) and is logged on success.
 *
 * The log (MYHEAP_RECORD=PATH, opened O_APPEND) is text, one event a line,
 * each written with one write() so nothing is lost when the program ends
 * with _exit() or a signal, and processes sharing the file do not mix
 * lines:
 *   PID x                 a new process image started logging
 *   PID a ADDR SIZE       a block of SIZE bytes at ADDR (malloc, calloc,
 *                         the aligned calls: their alignment is not kept)
 *   PID r OLD NEW SIZE    OLD resized to SIZE bytes, now at NEW
 *   PID f ADDR            ADDR freed
 * ADDR in hex. Forked children log under their own PID; `myheap record`
 * keeps the lines of the process it started (across its execs).
 *
 * A call and its line are made under one lock, so the log's order is the
 * allocator's order even with threads. The lock is recursive per thread:
 * a signal handler allocating while its thread holds it goes through
 * (its line may then come before the interrupted one's; the converter
 * copes with an address allocated twice or freed unknown).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap.h"
#include "system_alloc.h"

#define EXPORT __attribute__((visibility("default")))

static struct pl_system sys;

static int log_fd = -1;
static int pid;
static int ready;		/* 0 no, 1 resolving, 2 yes */
static __thread char me;	/* its address names the thread */
static const char *lock_owner;
static unsigned int lock_depth;

static void lock(void)
{
	const char *expected = NULL;

	if (__atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) == &me) {
		lock_depth++;
		return;
	}
	while (!__atomic_compare_exchange_n(&lock_owner, &expected, &me, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		expected = NULL;
		sched_yield();
	}
	lock_depth = 1;
}

static void unlock(void)
{
	if (--lock_depth == 0)
		__atomic_store_n(&lock_owner, NULL, __ATOMIC_RELEASE);
}

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void put(const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	if (log_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%d ", pid);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (write(log_fd, line, (size_t)n) != n)
		return;	/* a full disk loses the trace, not the program */
}

/* A fork child is another process: its lines carry its own pid. */
static void record_fork_child(void)
{
	pid = getpid();
	/* Threads that held the lock at fork time do not exist here. */
	if (lock_owner != &me) {
		lock_owner = NULL;
		lock_depth = 0;
	}
}

static void init(void)
{
	int expected = 0;
	const char *path;

	if (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) == 2)
		return;
	if (!__atomic_compare_exchange_n(&ready, &expected, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* Another thread resolves; this one (if it is not that one) waits. */
		if (lock_owner != &me)
			while (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) != 2)
				sched_yield();
		return;
	}
	lock();
	sys.malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	sys.calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	sys.realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	sys.free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	sys.memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	sys.usable_size = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
	if (!sys.malloc || !sys.calloc || !sys.realloc || !sys.free || !sys.memalign)
		abort();
	path = getenv("MYHEAP_RECORD");
	if (path && *path)
		log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	pid = getpid();
	pthread_atfork(NULL, NULL, record_fork_child);
	put("x\n");
	__atomic_store_n(&ready, 2, __ATOMIC_RELEASE);
	unlock();
}

__attribute__((constructor)) static void record_constructor(void)
{
	init();
}

/* While dlsym runs (ready == 1, this thread) the arena serves. */
static bool resolving(void)
{
	init();
	return __atomic_load_n(&ready, __ATOMIC_ACQUIRE) != 2;
}

static void *logged_alloc(void *p, size_t size)
{
	if (p)
		put("a %lx %zu\n", (unsigned long)p, size);
	unlock();
	return p;
}

EXPORT void *malloc(size_t size)
{
	if (resolving())
		return boot_alloc(size, 16);
	lock();
	return logged_alloc(sys.malloc(size), size);
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if (resolving())
		return boot_alloc(total, 16);
	lock();
	return logged_alloc(sys.calloc(nmemb, size), total);
}

EXPORT void free(void *p)
{
	if (!p || boot_owns(p) || resolving())
		return;
	lock();
	sys.free(p);
	put("f %lx\n", (unsigned long)p);
	unlock();
}

EXPORT void *realloc(void *p, size_t size)
{
	void *q;

	if (!p)
		return malloc(size);
	if (boot_owns(p)) {
		size_t old = boot_size(p);

		q = malloc(size);
		if (q)
			memcpy(q, p, old < size ? old : size);
		return q;
	}
	if (resolving()) {
		errno = ENOMEM;
		return NULL;
	}
	lock();
	q = sys.realloc(p, size);
	if (q)
		put("r %lx %lx %zu\n", (unsigned long)p, (unsigned long)q, size);
	else if (!size)
		put("f %lx\n", (unsigned long)p);	/* glibc: realloc(p, 0) frees */
	unlock();
	return q;
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, total);
}

EXPORT void *memalign(size_t align, size_t size)
{
	if (resolving())
		return boot_alloc(size, align);
	lock();
	return logged_alloc(sys.memalign(align, size), size);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	p = memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

EXPORT void *valloc(size_t size)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

EXPORT void *pvalloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return memalign(page, size ? (size + page - 1) & ~(page - 1) : page);
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (boot_owns(p))
		return boot_size(p);
	return sys.usable_size ? sys.usable_size(p) : 0;
}
