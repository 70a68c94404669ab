// SPDX-License-Identifier: GPL-2.0
/*
 * The bytes of one's own blocks by offset: pread()/pwrite() on the device,
 * which the kernel allows on the calling file's blocks only. The one way
 * to a block's bytes in private mode (no mapping); works in both modes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "myheap_internal.h"

static int check_rw(const struct myheap *heap, const char *call)
{
	if (heap->info.features & MYHEAP_FEATURE_RW)
		return 0;
	return mh_fail(ENOTSUP, call,
		       "the module on %s has no read/write (MYHEAP_FEATURE_RW): use the mapping",
		       heap->path);
}

/*
 * All of @len bytes or an error: EINTR is retried, and a short transfer
 * (the block changed under another thread of this handle) is continued,
 * so the kernel gives the reason for what is left.
 */
static int transfer(struct myheap *heap, const char *call, bool write,
		    uint64_t offset, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;
	int ret;

	ret = check_rw(heap, call);
	if (ret)
		return ret;
	if (offset > INT64_MAX || len > (uint64_t)INT64_MAX - offset)
		return mh_fail(EINVAL, call, "%zu bytes at offset %llu overflow a file offset",
			       len, (unsigned long long)offset);
	while (done < len) {
		if (write)
			n = pwrite(heap->fd, (char *)buf + done, len - done,
				   (off_t)(offset + done));
		else
			n = pread(heap->fd, (char *)buf + done, len - done,
				  (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			return mh_fail(-ret, call, "%zu bytes at offset %llu: %s",
				       len - done,
				       (unsigned long long)(offset + done),
				       myheap_strerror(ret));
		}
		if (n == 0)
			return mh_fail(EIO, call, "offset %llu: the kernel moved nothing",
				       (unsigned long long)(offset + done));
		done += (size_t)n;
	}
	return 0;
}

/**
 * myheap_read() - copy bytes out of one of this handle's blocks.
 * @heap: the heap (mapped or not).
 * @offset: a payload offset, or a byte inside that payload.
 * @buf: where the bytes go.
 * @len: bytes; [@offset, @offset + @len) must lie within the block's usable
 *	size. 0 reads nothing and succeeds.
 *
 * Return: 0 when all @len bytes were read; -EPERM another handle's block;
 * -EALREADY a free block; -ENXIO no payload byte at @offset (a header,
 * outside the heap); -EINVAL the range leaves the block; -EBADMSG a bad
 * header; -EFAULT bad @buf; -ENOTSUP the module has no read/write.
 */
int myheap_read(struct myheap *heap, uint64_t offset, void *buf, size_t len)
{
	return transfer(heap, "myheap_read", false, offset, buf, len);
}

/**
 * myheap_write() - copy bytes into one of this handle's blocks.
 * @heap: the heap (mapped or not).
 * @offset: a payload offset, or a byte inside that payload.
 * @buf: the bytes.
 * @len: bytes; the range must lie within the block's usable size.
 *
 * Return: 0 when all @len bytes were written, or the errors of
 * myheap_read(); on an error nothing more was written.
 */
int myheap_write(struct myheap *heap, uint64_t offset, const void *buf,
		 size_t len)
{
	return transfer(heap, "myheap_write", true, offset, (void *)buf, len);
}
