// SPDX-License-Identifier: GPL-2.0
/*
 * Block calls: the offset calls are one ioctl each; the pointer calls
 * translate through the mapping and follow malloc()'s conventions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "myheap_internal.h"

/**
 * myheap_off_alloc() - allocate a block by offset.
 * @heap: the heap.
 * @size: bytes wanted, at least 1.
 * @align: payload alignment (a power of two) or 0 for the default.
 * @flags: MYHEAP_ALLOC_* (MYHEAP_ALLOC_ZERO zeroes the payload).
 * @offset: where the payload offset is stored.
 * @usable: where the usable size is stored; may be NULL.
 *
 * Return: 0; -EINVAL size 0 or unknown flag; -E2BIG never fits; -EDOM bad
 * alignment; -ENOMEM no room now; -EUCLEAN heap damaged.
 */
int myheap_off_alloc(struct myheap *heap, uint64_t size, uint64_t align,
		     uint32_t flags, uint64_t *offset, uint64_t *usable)
{
	struct myheap_alloc a = { .size = size, .align = align, .flags = flags };
	int ret;

	/* the first struct: the module skips the report (and its cost) */
	ret = mh_ioctl(heap, _IOC(_IOC_READ | _IOC_WRITE, MYHEAP_IOC_MAGIC,
				  _IOC_NR(MYHEAP_IOC_ALLOC), MYHEAP_ALLOC_SIZE_VER0), &a);
	if (ret)
		return mh_fail(-ret, "myheap_off_alloc", "%llu bytes (align %llu): %s",
			       (unsigned long long)size, (unsigned long long)align,
			       myheap_strerror(ret));
	*offset = a.offset;
	if (usable)
		*usable = a.usable;
	return 0;
}

/**
 * myheap_off_alloc_report() - allocate a block by offset, and learn what
 * the allocation did in OSTEP's terms.
 * @heap: the heap.
 * @alloc: in: size, align and flags as for myheap_off_alloc(); out: the
 *	payload offset and usable size, the free blocks searched, the
 *	splits and the free block the last one left (struct myheap_alloc).
 *
 * A module without MYHEAP_FEATURE_ALLOC_REPORT allocates and leaves the
 * report zero.
 * Return: as myheap_off_alloc().
 */
int myheap_off_alloc_report(struct myheap *heap, struct myheap_alloc *alloc)
{
	struct myheap_alloc a = { .size = alloc->size, .align = alloc->align,
				  .flags = alloc->flags };
	int ret;

	ret = mh_ioctl(heap, MYHEAP_IOC_ALLOC, &a);
	if (ret)
		return mh_fail(-ret, "myheap_off_alloc_report", "%llu bytes (align %llu): %s",
			       (unsigned long long)a.size, (unsigned long long)a.align,
			       myheap_strerror(ret));
	*alloc = a;
	return 0;
}

/**
 * myheap_off_realloc() - resize a block by offset.
 * @heap: the heap.
 * @offset: payload offset of a block of this handle.
 * @size: new size, at least 1.
 * @new_offset: where the (possibly moved) payload offset is stored.
 * @usable: where the usable size is stored; may be NULL.
 *
 * The first min(old, new) bytes are kept; on failure the block is untouched.
 * Return: 0, or the errors of myheap_off_alloc() and myheap_off_free().
 */
int myheap_off_realloc(struct myheap *heap, uint64_t offset, uint64_t size,
		       uint64_t *new_offset, uint64_t *usable)
{
	struct myheap_realloc r = { .offset = offset, .size = size };
	int ret;

	/* the first struct: the module skips the report (and its cost) */
	ret = mh_ioctl(heap, _IOC(_IOC_READ | _IOC_WRITE, MYHEAP_IOC_MAGIC,
				  _IOC_NR(MYHEAP_IOC_REALLOC), MYHEAP_REALLOC_SIZE_VER0),
		       &r);
	if (ret)
		return mh_fail(-ret, "myheap_off_realloc", "offset %llu to %llu bytes: %s",
			       (unsigned long long)offset, (unsigned long long)size,
			       myheap_strerror(ret));
	*new_offset = r.new_offset;
	if (usable)
		*usable = r.usable;
	return 0;
}

/**
 * myheap_off_realloc_report() - resize a block by offset, and learn how.
 * @heap: the heap.
 * @realloc: in: offset and size as for myheap_off_realloc(); out: the new
 *	offset and usable size, and how it resized: in place or moved, the
 *	free neighbours grown into, the splits, the free of the old block or
 *	of the tail given back (struct myheap_realloc).
 *
 * A module without MYHEAP_FEATURE_REALLOC_REPORT resizes and leaves the
 * report zero.
 * Return: as myheap_off_realloc().
 */
int myheap_off_realloc_report(struct myheap *heap, struct myheap_realloc *realloc)
{
	struct myheap_realloc r = { .offset = realloc->offset, .size = realloc->size };
	int ret;

	ret = mh_ioctl(heap, MYHEAP_IOC_REALLOC, &r);
	if (ret)
		return mh_fail(-ret, "myheap_off_realloc_report",
			       "offset %llu to %llu bytes: %s",
			       (unsigned long long)r.offset, (unsigned long long)r.size,
			       myheap_strerror(ret));
	*realloc = r;
	return 0;
}

/**
 * myheap_off_free() - free a block by offset.
 * @heap: the heap.
 * @offset: payload offset of a block of this handle.
 *
 * Return: 0; -EPERM another file's block; -EALREADY already free;
 * -EBADMSG no valid header there; -ENXIO not a block; -EUCLEAN damaged.
 */
int myheap_off_free(struct myheap *heap, uint64_t offset)
{
	struct myheap_free f = { .offset = offset };
	int ret;

	ret = mh_ioctl(heap, MYHEAP_IOC_FREE, &f);
	if (ret)
		return mh_fail(-ret, "myheap_off_free", "offset %llu: %s",
			       (unsigned long long)offset, myheap_strerror(ret));
	return 0;
}

/**
 * myheap_off_free_report() - free a block by offset, and learn what the
 * free did in OSTEP's terms.
 * @heap: the heap.
 * @offset: payload offset of a block of this handle.
 * @freed: where the report is stored: the neighbours the free coalesced
 *	with and the free block that resulted (struct myheap_freed).
 *
 * A module without MYHEAP_FEATURE_FREE_REPORT (MYHEAP_IOC_FREE_REPORT is
 * -ENOTTY there) frees with MYHEAP_IOC_FREE and leaves the report zero.
 * Return: as myheap_off_free().
 */
int myheap_off_free_report(struct myheap *heap, uint64_t offset,
			   struct myheap_freed *freed)
{
	struct myheap_free_report f = { .offset = offset };
	int ret;

	ret = mh_ioctl(heap, MYHEAP_IOC_FREE_REPORT, &f);
	if (ret == -ENOTTY) {
		memset(freed, 0, sizeof(*freed));
		return myheap_off_free(heap, offset);
	}
	if (ret)
		return mh_fail(-ret, "myheap_off_free_report", "offset %llu: %s",
			       (unsigned long long)offset, myheap_strerror(ret));
	*freed = f.freed;
	return 0;
}

/**
 * myheap_off_usable_size() - usable and requested bytes of a block.
 * @heap: the heap.
 * @offset: payload offset of a block of this handle.
 * @usable: where the usable size is stored; may be NULL.
 * @requested: where the requested size is stored; may be NULL.
 *
 * Return: 0, or the errors of myheap_off_free().
 */
int myheap_off_usable_size(struct myheap *heap, uint64_t offset,
			   uint64_t *usable, uint64_t *requested)
{
	struct myheap_usable_size u = { .offset = offset };
	int ret;

	ret = mh_ioctl(heap, MYHEAP_IOC_USABLE_SIZE, &u);
	if (ret)
		return mh_fail(-ret, "myheap_off_usable_size", "offset %llu: %s",
			       (unsigned long long)offset, myheap_strerror(ret));
	if (usable)
		*usable = u.usable;
	if (requested)
		*requested = u.requested;
	return 0;
}

/* Why a handle has no mapping, for the messages of the pointer calls. */
static const char *mh_no_map_why(const struct myheap *heap)
{
	if (heap->info.features & MYHEAP_FEATURE_PRIVATE)
		return "the pointer calls need the mapping, and the module is in private mode (mmap=0)";
	return "the pointer calls need the mapping, and it was opened without it (MYHEAP_OPEN_NO_MAP)";
}

/**
 * myheap_ptr() - the address of @offset in the mapping.
 * @heap: the heap.
 * @offset: an offset into the region.
 *
 * Return: the pointer, or NULL (errno ENOTSUP without the mapping, ENXIO
 * for an offset past it).
 */
void *myheap_ptr(const struct myheap *heap, uint64_t offset)
{
	if (!heap->base) {
		errno = -mh_fail(ENOTSUP, "myheap_ptr", "%s: %s", heap->path,
				 mh_no_map_why(heap));
		return NULL;
	}
	if (offset >= heap->mapped) {
		errno = -mh_fail(ENXIO, "myheap_ptr", "offset %llu is past the %zu-byte mapping",
				 (unsigned long long)offset, heap->mapped);
		return NULL;
	}
	return (char *)heap->base + offset;
}

/**
 * myheap_offset() - the region offset of a pointer into the mapping.
 * @heap: the heap.
 * @ptr: a pointer into the mapping.
 *
 * Return: the offset (>= 0); -ENOTSUP without the mapping; -ENXIO if @ptr
 * is not inside it.
 */
int64_t myheap_offset(const struct myheap *heap, const void *ptr)
{
	uintptr_t p = (uintptr_t)ptr, b = (uintptr_t)heap->base;

	if (!heap->base)
		return mh_fail(ENOTSUP, "myheap_offset", "%s: %s", heap->path,
			       mh_no_map_why(heap));
	if (p < b || p - b >= heap->mapped)
		return mh_fail(ENXIO, "myheap_offset", "pointer %p is outside the mapping",
			       ptr);
	return (int64_t)(p - b);
}

/* Pointer calls report through errno; negative returns become positive. */
static void *fail_ptr(int ret)
{
	errno = -ret;
	return NULL;
}

static int check_mapped(const struct myheap *heap, const char *call)
{
	if (heap->base)
		return 0;
	return mh_fail(ENOTSUP, call,
		       "%s: %s: use the myheap_off_* calls and myheap_read()/myheap_write()",
		       heap->path, mh_no_map_why(heap));
}

static void *alloc_ptr(struct myheap *heap, const char *call, size_t size,
		       size_t align, uint32_t flags)
{
	uint64_t off = 0;
	int ret;

	ret = check_mapped(heap, call);
	if (!ret)
		ret = myheap_off_alloc(heap, size, align, flags, &off, NULL);
	if (ret)
		return fail_ptr(ret);
	return (char *)heap->base + off;
}

/**
 * myheap_malloc() - allocate @size bytes in the heap.
 * @heap: the heap (mapped).
 * @size: bytes, at least 1 (0 fails with EINVAL: the kernel has no empty
 *	blocks).
 *
 * Return: a pointer into the mapping, or NULL with errno set.
 */
void *myheap_malloc(struct myheap *heap, size_t size)
{
	return alloc_ptr(heap, "myheap_malloc", size, 0, 0);
}

/**
 * myheap_calloc() - allocate a zeroed array.
 * @heap: the heap (mapped).
 * @nmemb: elements.
 * @size: bytes per element.
 *
 * Return: a pointer, or NULL with errno set (EOVERFLOW if @nmemb * @size
 * does not fit a size_t).
 */
void *myheap_calloc(struct myheap *heap, size_t nmemb, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(nmemb, size, &bytes))
		return fail_ptr(mh_fail(EOVERFLOW, "myheap_calloc",
					"%zu * %zu bytes overflows", nmemb, size));
	return alloc_ptr(heap, "myheap_calloc", bytes, 0, MYHEAP_ALLOC_ZERO);
}

/**
 * myheap_aligned_alloc() - allocate with a payload alignment.
 * @heap: the heap (mapped).
 * @alignment: a power of two up to myheap_info.max_align.
 * @size: bytes.
 *
 * Return: a pointer, or NULL with errno set (EDOM for a bad alignment).
 */
void *myheap_aligned_alloc(struct myheap *heap, size_t alignment, size_t size)
{
	if (alignment == 0)
		return fail_ptr(mh_fail(EDOM, "myheap_aligned_alloc",
					"alignment 0 is not a power of two"));
	return alloc_ptr(heap, "myheap_aligned_alloc", size, alignment, 0);
}

/**
 * myheap_realloc() - resize a block, moving it if needed.
 * @heap: the heap (mapped).
 * @ptr: a block of this handle, or NULL (then: myheap_malloc()).
 * @size: new size, at least 1 (0 fails with EINVAL, the block untouched).
 *
 * Return: the block's pointer now, or NULL with errno set and the old
 * block untouched.
 */
void *myheap_realloc(struct myheap *heap, void *ptr, size_t size)
{
	uint64_t off = 0;
	int64_t old;
	int ret;

	if (!ptr)
		return alloc_ptr(heap, "myheap_realloc", size, 0, 0);
	ret = check_mapped(heap, "myheap_realloc");
	if (ret)
		return fail_ptr(ret);
	old = myheap_offset(heap, ptr);
	if (old < 0)
		return fail_ptr((int)old);
	ret = myheap_off_realloc(heap, (uint64_t)old, size, &off, NULL);
	if (ret)
		return fail_ptr(ret);
	return (char *)heap->base + off;
}

/**
 * myheap_free() - free a block.
 * @heap: the heap (mapped).
 * @ptr: a block of this handle, or NULL (nothing happens).
 *
 * Return: 0, or the errors of myheap_off_free() (-ENXIO also for a
 * pointer outside the mapping, -ENOTSUP without the mapping).
 */
int myheap_free(struct myheap *heap, void *ptr)
{
	int64_t off;
	int ret;

	if (!ptr)
		return 0;
	ret = check_mapped(heap, "myheap_free");
	if (ret)
		return ret;
	off = myheap_offset(heap, ptr);
	if (off < 0)
		return (int)off;
	return myheap_off_free(heap, (uint64_t)off);
}

/**
 * myheap_usable_size() - bytes usable at @ptr (malloc_usable_size()).
 * @heap: the heap (mapped).
 * @ptr: a block of this handle.
 *
 * Return: the usable size, or a negative errno as myheap_free().
 */
ssize_t myheap_usable_size(struct myheap *heap, const void *ptr)
{
	uint64_t usable;
	int64_t off;
	int ret;

	ret = check_mapped(heap, "myheap_usable_size");
	if (ret)
		return ret;
	off = myheap_offset(heap, ptr);
	if (off < 0)
		return off;
	ret = myheap_off_usable_size(heap, (uint64_t)off, &usable, NULL);
	if (ret)
		return ret;
	return (ssize_t)usable;
}
