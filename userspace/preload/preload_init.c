// SPDX-License-Identifier: GPL-2.0
/*
 * Initialising the shim: find the system allocator, open the device, read
 * the environment. Runs once per process image, at the first allocation
 * or from the constructor, whichever comes first; an exec'd image starts
 * over (the device file is O_CLOEXEC: the old image's blocks are freed by
 * the kernel when exec closes it).
 *
 * Environment:
 *   MYHEAP_DEVICE=PATH      the device (default /dev/myheap)
 *   MYHEAP_POLICY=NAME      set the placement policy first; the kernel
 *                           allows it only on an empty heap and for
 *                           CAP_SYS_ADMIN: otherwise a warning, and the
 *                           current policy stays
 *   MYHEAP_FALLBACK=1       when the region is full (or an alignment is
 *                           beyond the device), serve from the system
 *                           allocator instead of failing with ENOMEM
 *   MYHEAP_STATS_AT_EXIT=1  a report on stderr at exit (preload_report.c)
 * If the device cannot be opened the shim says so once on stderr and the
 * program runs on the system allocator.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preload.h"

int pl_state = PL_UNINIT;
struct myheap *pl_heap;
uintptr_t pl_lo, pl_hi, pl_frozen_lo, pl_frozen_hi;
bool pl_fallback;
struct pl_system pl_sys;
struct pl_counts pl_counts;
size_t pl_page = 4096;
size_t pl_max_align;
static bool report_at_exit;
int pl_report_fd = STDERR_FILENO;
static __thread bool initialising;

static void say_to(int fd, const char *fmt, va_list ap)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf), "myheap-preload[%d]: ", (int)getpid());
	if (n > 0 && (size_t)n < sizeof(buf))
		n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(fd, buf, (size_t)n) < 0)
		return;	/* nowhere left to complain */
}

void pl_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_to(STDERR_FILENO, fmt, ap);
	va_end(ap);
}

void pl_report_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_to(pl_report_fd, fmt, ap);
	va_end(ap);
}

static bool env_flag(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

/* dlsym() may call calloc: this thread is "initialising", so it gets the arena. */
static void find_system(void)
{
	pl_sys.malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	pl_sys.calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	pl_sys.realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	pl_sys.free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	pl_sys.memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	pl_sys.usable_size = (size_t (*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
}

static void set_policy(const char *name)
{
	int policy = myheap_policy_parse(name), ret;

	if (policy < 0) {
		pl_say("MYHEAP_POLICY=%s: %s; keeping the current policy", name,
		       myheap_last_error());
		return;
	}
	ret = myheap_set_policy(pl_heap, (unsigned int)policy);
	if (ret == -EBUSY)
		pl_say("MYHEAP_POLICY=%s: the heap is not empty (other files hold blocks): keeping the current policy",
		       name);
	else if (ret)
		pl_say("MYHEAP_POLICY=%s: %s; keeping the current policy", name,
		       myheap_last_error());
}

static int open_device(void)
{
	const char *path = getenv("MYHEAP_DEVICE");
	const char *policy = getenv("MYHEAP_POLICY");
	struct myheap_info info;
	int ret;

	ret = myheap_open(path && *path ? path : NULL, 0, &pl_heap);
	if (ret) {
		pl_say("%s; running on the system allocator", myheap_last_error());
		return PL_SYSTEM;
	}
	if (policy && *policy)
		set_policy(policy);
	if (!myheap_get_info(pl_heap, &info))
		pl_max_align = info.max_align;
	pl_lo = (uintptr_t)myheap_base(pl_heap);
	pl_hi = pl_lo + myheap_mapped_size(pl_heap);
	return PL_DEVICE;
}

/*
 * The report must reach stderr even if the program closed it first:
 * coreutils close stdout and stderr in an atexit handler (close_stdout),
 * before any destructor runs. So it goes to a copy taken now.
 */
static void keep_stderr(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);

	if (fd >= 0)
		pl_report_fd = fd;
}

static void do_init(void)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page > 0)
		pl_page = (size_t)page;
	find_system();
	pl_fallback = env_flag("MYHEAP_FALLBACK");
	report_at_exit = env_flag("MYHEAP_STATS_AT_EXIT");
	if (report_at_exit)
		keep_stderr();
	if (!pl_sys.malloc || !pl_sys.free || !pl_sys.realloc || !pl_sys.calloc ||
	    !pl_sys.memalign) {
		pl_say("cannot find the system allocator (dlsym RTLD_NEXT)");
		abort();
	}
	pthread_atfork(NULL, NULL, pl_fork_child);
	__atomic_store_n(&pl_state, open_device(), __ATOMIC_RELEASE);
}

/**
 * pl_init() - initialise the shim once; wait if another thread is at it.
 *
 * Return: the state after (PL_INITIALISING only for the initialising
 * thread itself, which then serves from the bootstrap arena).
 */
int pl_init(void)
{
	int state = __atomic_load_n(&pl_state, __ATOMIC_ACQUIRE);
	int expected = PL_UNINIT;

	if (state >= PL_DEVICE || initialising)
		return state;
	if (__atomic_compare_exchange_n(&pl_state, &expected, PL_INITIALISING, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		initialising = true;
		do_init();
		initialising = false;
	} else {
		while (__atomic_load_n(&pl_state, __ATOMIC_ACQUIRE) == PL_INITIALISING)
			sched_yield();
	}
	return __atomic_load_n(&pl_state, __ATOMIC_ACQUIRE);
}

/* Open the device before the program's own constructors run. */
__attribute__((constructor)) static void pl_constructor(void)
{
	pl_init();
}

/*
 * The report runs as late as a destructor can: after the program's own
 * destructors (the preloaded library is finalised after the executable).
 * The device file stays open: later destructors may still free, and the
 * kernel frees whatever is left when the process closes it.
 */
__attribute__((destructor)) static void pl_destructor(void)
{
	if (report_at_exit)
		pl_report();
}
