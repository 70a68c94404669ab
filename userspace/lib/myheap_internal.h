/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to libmyheap: the handle, and the helpers the library's files
 * share. Nothing here is exported (libmyheap.map keeps the .so's symbol
 * list to the public header's).
 */
#ifndef LIBMYHEAP_INTERNAL_H
#define LIBMYHEAP_INTERNAL_H

#include <stdbool.h>

#include "myheap.h"

/* Features every handle needs: realloc, batch and calloc are one ioctl each. */
#define MYHEAP_LIB_NEEDS	(MYHEAP_FEATURE_REALLOC | MYHEAP_FEATURE_BATCH | \
				 MYHEAP_FEATURE_ZERO)

/*
 * struct myheap - an open heap. Written only by myheap_open(), so threads
 * share it without a lock.
 * @fd: the open device file; owner of every block this handle allocates.
 * @base: start of the MAP_SHARED mapping, or NULL (MYHEAP_OPEN_NO_MAP, or
 *	private mode with MYHEAP_OPEN_MAP_IF_ALLOWED).
 * @mapped: bytes mapped at @base (0 without the mapping).
 * @info: GET_INFO at open time (the policy in it may be stale).
 * @path: the device path it was opened as.
 */
struct myheap {
	int fd;
	void *base;
	size_t mapped;
	struct myheap_info info;
	char path[256];
};

/*
 * Record "<call>: <message>" as this thread's last error and return -err
 * (err is positive), so failures read: return mh_fail(ENOMEM, ...).
 */
int mh_fail(int err, const char *call, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record a failed ioctl of @call with the errno it returned (negative). */
int mh_fail_ioctl(int ret, const char *call);

/* Wrap ioctl(): 0 or -errno. */
int mh_ioctl(const struct myheap *heap, unsigned long cmd, void *arg);

/*
 * Check GET_INFO's answer; 0, or -EPROTO (-ENODEV: @need_map but private
 * mode) with the reason in @why.
 */
int mh_check_info(const struct myheap_info *info, bool need_map, char *why,
		  size_t len);

#endif /* LIBMYHEAP_INTERNAL_H */
