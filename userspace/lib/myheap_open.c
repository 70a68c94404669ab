// SPDX-License-Identifier: GPL-2.0
/*
 * Opening and closing a heap: the device file, the ABI handshake through
 * MYHEAP_IOC_GET_INFO, and the mapping of the region.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "myheap_internal.h"

int mh_ioctl(const struct myheap *heap, unsigned long cmd, void *arg)
{
	/*
	 * The module waits for the heap with mutex_lock_killable(): only a
	 * fatal signal interrupts it (-EINTR), and a process with one never
	 * returns to user space, so there is nothing to retry.
	 */
	return ioctl(heap->fd, cmd, arg) < 0 ? -errno : 0;
}

static void names_of_features(uint64_t bits, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int bit = 0; bit < 64 && used < len; bit++) {
		if (!(bits & (1ull << bit)) || !myheap_feature_name(bit))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", myheap_feature_name(bit));
	}
}

/*
 * The ABI only grows (structs at their end, commands and feature bits
 * added), so a module of the version this library was built against or
 * any later one serves it; an older module may lack what it uses. What it
 * relies on is also asked for by feature bit; bits it does not know are
 * someone else's business.
 */
int mh_check_info(const struct myheap_info *info, bool need_map, char *why,
		  size_t len)
{
	uint64_t need = MYHEAP_LIB_NEEDS | (need_map ? MYHEAP_FEATURE_MMAP : 0);
	char missing[64];

	if (info->abi_version < MYHEAP_ABI_VERSION) {
		snprintf(why, len,
			 "the module speaks ABI version %u, older than the version %u this libmyheap needs: update the module",
			 info->abi_version, MYHEAP_ABI_VERSION);
		return -EPROTO;
	}
	if (need_map && (info->features & MYHEAP_FEATURE_PRIVATE)) {
		snprintf(why, len,
			 "the module is in private mode (mmap=0): the region cannot be mapped; open with MYHEAP_OPEN_NO_MAP or MYHEAP_OPEN_MAP_IF_ALLOWED and use the offset and read/write calls");
		return -ENODEV;
	}
	if ((info->features & need) != need) {
		names_of_features(need & ~info->features, missing,
				  sizeof(missing));
		snprintf(why, len,
			 "the module lacks feature(s) libmyheap needs: %s (features 0x%llx)",
			 missing, (unsigned long long)info->features);
		return -EPROTO;
	}
	if (!info->alignment || (info->alignment & (info->alignment - 1)) ||
	    info->mmap_size < info->region_size || !info->region_size) {
		snprintf(why, len,
			 "the module reports an impossible geometry (region %llu, mmap %llu, alignment %u)",
			 (unsigned long long)info->region_size,
			 (unsigned long long)info->mmap_size, info->alignment);
		return -EPROTO;
	}
	return 0;
}

static int handshake(struct myheap *h, unsigned int flags, bool *map)
{
	bool need_map = !(flags & (MYHEAP_OPEN_NO_MAP | MYHEAP_OPEN_MAP_IF_ALLOWED));
	char why[200];
	int ret;

	ret = mh_ioctl(h, MYHEAP_IOC_GET_INFO, &h->info);
	if (ret == -ENOTTY || ret == -EINVAL)
		return mh_fail(-ret, "myheap_open",
			       "%s is not a myheap device (GET_INFO: %s)",
			       h->path, strerror(-ret));
	if (ret)
		return mh_fail(-ret, "myheap_open", "GET_INFO on %s: %s",
			       h->path, strerror(-ret));
	ret = mh_check_info(&h->info, need_map, why, sizeof(why));
	if (ret)
		return mh_fail(-ret, "myheap_open", "%s: %s", h->path, why);
	*map = !(flags & MYHEAP_OPEN_NO_MAP) &&
	       (h->info.features & MYHEAP_FEATURE_MMAP);
	return 0;
}

/*
 * Map the region at an address aligned to the largest alignment any policy
 * grants (MYHEAP_MAX_ALIGN: the policy may change while the region stays
 * mapped), so that an offset aligned to N gives a pointer aligned to N
 * too: myheap_aligned_alloc() promises pointers, not offsets.
 * A PROT_NONE reservation of size + alignment finds such an address; the
 * device is mapped over it with MAP_FIXED and the slack given back.
 */
static int map_region(struct myheap *h)
{
	size_t size = h->info.mmap_size, page = (size_t)sysconf(_SC_PAGESIZE);
	size_t align = MYHEAP_MAX_ALIGN > page ? MYHEAP_MAX_ALIGN : page;
	uintptr_t start, aligned;
	void *res, *p;

	res = mmap(NULL, size + align, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return mh_fail(errno, "myheap_open", "reserving %zu bytes of address space: %s",
			       size + align, strerror(errno));
	start = (uintptr_t)res;
	aligned = (start + align - 1) & ~(uintptr_t)(align - 1);
	p = mmap((void *)aligned, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 h->fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		munmap(res, size + align);
		return mh_fail(err, "myheap_open", "mmap of %zu bytes of %s: %s", size,
			       h->path, strerror(err));
	}
	if (aligned > start)
		munmap(res, aligned - start);
	if (start + align > aligned)
		munmap((void *)(aligned + size), start + align - aligned);
	h->base = p;
	h->mapped = size;
	return 0;
}

/**
 * myheap_open() - open a heap device and (normally) map its region.
 * @path: the device, or NULL for MYHEAP_DEVICE (/dev/myheap).
 * @flags: MYHEAP_OPEN_* flags.
 * @heap: where the new handle is stored on success.
 *
 * Without flags the region is mapped, and a module in private mode
 * (mmap=0) is an error; MYHEAP_OPEN_MAP_IF_ALLOWED maps it when the module
 * allows it and opens without the mapping otherwise (myheap_base() says
 * which); MYHEAP_OPEN_NO_MAP never maps it.
 *
 * Return: 0; -EINVAL unknown flag or NULL @heap; -ENODEV the module is in
 * private mode and the mapping was required; -EPROTO the module's ABI
 * version is older than this library's or it lacks a feature the library
 * uses; -ENOTTY @path is not a
 * myheap device; the errno of open() or mmap() otherwise.
 */
int myheap_open(const char *path, unsigned int flags, struct myheap **heap)
{
	struct myheap *h;
	bool map = false;
	int ret;

	if (!heap || (flags & ~MYHEAP_OPEN_VALID))
		return mh_fail(EINVAL, "myheap_open", "bad flags 0x%x or NULL handle pointer",
			       flags);
	if (!path)
		path = MYHEAP_DEVICE;
	h = calloc(1, sizeof(*h));
	if (!h)
		return mh_fail(ENOMEM, "myheap_open", "out of memory");
	snprintf(h->path, sizeof(h->path), "%s", path);

	h->fd = open(path, O_RDWR | O_CLOEXEC);
	if (h->fd < 0) {
		ret = mh_fail(errno, "myheap_open", "cannot open %s: %s%s", path,
			      strerror(errno),
			      errno == ENOENT ? " (is myheap.ko loaded?)" : "");
		goto free_handle;
	}
	ret = handshake(h, flags, &map);
	if (ret)
		goto close_fd;
	if (map) {
		ret = map_region(h);
		if (ret)
			goto close_fd;
	}
	*heap = h;
	return 0;

close_fd:
	close(h->fd);
free_handle:
	free(h);
	return ret;
}

/**
 * myheap_close() - unmap and close a heap; the kernel frees its blocks.
 * @heap: a handle from myheap_open(), or NULL.
 */
void myheap_close(struct myheap *heap)
{
	if (!heap)
		return;
	if (heap->base)
		munmap(heap->base, heap->mapped);
	close(heap->fd);
	free(heap);
}

/** myheap_fd() - the device file descriptor of @heap (for poll, fstat). */
int myheap_fd(const struct myheap *heap)
{
	return heap->fd;
}

/** myheap_base() - start of the mapping, NULL when opened without it. */
void *myheap_base(const struct myheap *heap)
{
	return heap->base;
}

/** myheap_mapped_size() - bytes mapped at myheap_base(), 0 without it. */
size_t myheap_mapped_size(const struct myheap *heap)
{
	return heap->mapped;
}

/** myheap_path() - the path @heap was opened as. */
const char *myheap_path(const struct myheap *heap)
{
	return heap->path;
}
