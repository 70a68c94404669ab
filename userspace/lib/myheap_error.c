// SPDX-License-Identifier: GPL-2.0
/*
 * Errors: what each -errno means for a heap, and the per-thread description
 * of the last failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "myheap_internal.h"

/* Per thread, so concurrent failures never garble each other's message. */
static __thread char last_error[320];

int mh_fail(int err, const char *call, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = (size_t)snprintf(last_error, sizeof(last_error), "%s: ", call);
	if (n < sizeof(last_error)) {
		va_start(ap, fmt);
		vsnprintf(last_error + n, sizeof(last_error) - n, fmt, ap);
		va_end(ap);
	}
	return -err;
}

int mh_fail_ioctl(int ret, const char *call)
{
	return mh_fail(-ret, call, "%s", myheap_strerror(ret));
}

/*
 * The ABI gives several errnos one meaning for every block command
 * (include/uapi/linux/myheap.h); say that instead of libc's generic text.
 * EPERM has two (another file's block; SET_POLICY without CAP_SYS_ADMIN).
 */
static const char *const heap_meanings[] = {
	[EALREADY] = "block already free (double free)",
	[EBADMSG] = "no valid block header there (bad magic)",
	[ENXIO] = "not a block of this heap",
	[EUCLEAN] = "heap metadata damaged",
	[EDOM] = "alignment not a power of two or too large",
	[E2BIG] = "larger than the heap could ever hold",
	[ENOMEM] = "no free block large enough",
	[EBUSY] = "blocks are in use",
	[EPERM] = "not permitted (another file's block, or no CAP_SYS_ADMIN)",
	[EPROTO] = "module too old for this library (ABI version or feature)",
	[ENOTSUP] = "needs the mapping (opened without it, or private mode)",
	[ENODEV] = "the region cannot be mapped (module in private mode, mmap=0)",
	[EOVERFLOW] = "size computation overflows",
};

/**
 * myheap_strerror() - describe a negative errno returned by libmyheap.
 * @err: a negative errno (a positive one is accepted too).
 *
 * Return: a static string; never NULL.
 */
const char *myheap_strerror(int err)
{
	const char *s;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	if ((size_t)err < sizeof(heap_meanings) / sizeof(heap_meanings[0]) &&
	    heap_meanings[err])
		return heap_meanings[err];
	s = strerrordesc_np(err);
	return s ? s : "unknown error";
}

/**
 * myheap_last_error() - what the calling thread's last failed call said.
 *
 * Return: "<function>: <problem>", or "" if no call failed on this thread.
 */
const char *myheap_last_error(void)
{
	return last_error;
}
