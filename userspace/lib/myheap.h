/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmyheap: a malloc-like API over the kernel heap of /dev/myheap.
 *
 * The module hands out blocks as offsets into one region of kernel memory;
 * the library maps that region (MAP_SHARED) and turns offsets into real
 * pointers, so a caller allocates, writes and frees as with malloc().
 * Without the mapping (MYHEAP_OPEN_NO_MAP, or a module in private mode,
 * mmap=0, where the region cannot be mapped at all) the offset calls and
 * myheap_read()/myheap_write() do the same work on the caller's own blocks.
 *
 * Conventions:
 *   - Functions returning int return 0 (or a count) on success and a
 *     negative errno on failure; myheap_strerror() names it.
 *   - Functions returning a pointer return NULL on failure and set errno
 *     (positive), as malloc() does.
 *   - Every failure also leaves a one-line description naming the call and
 *     the problem in a per-thread buffer: myheap_last_error().
 *   - Thread safety: a handle is immutable after myheap_open() and every
 *     operation is a single ioctl that the kernel serialises, so any number
 *     of threads may use one handle at once. Only myheap_close() must not
 *     race with other calls on the same handle.
 *   - Blocks belong to the handle that allocated them: another handle (or
 *     process) cannot free them, and myheap_close() frees what is left.
 *
 * See libmyheap(3).
 */
#ifndef LIBMYHEAP_H
#define LIBMYHEAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/myheap.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Major version of the library's ABI (the soname is libmyheap.so.1). */
#define LIBMYHEAP_VERSION_MAJOR	1
/**
 * Minor version: additions since the major version (1: read/write;
 * 2: myheap_feature_name; 3: the fit policies' knobs; 4:
 * myheap_stats_reset, myheap_off_alloc_report; 5: myheap_off_free_report,
 * myheap_off_realloc_report).
 */
#define LIBMYHEAP_VERSION_MINOR	5

/** myheap_open() flag: do not map the region; only offset calls work. */
#define MYHEAP_OPEN_NO_MAP	(1u << 0)
/**
 * myheap_open() flag: map the region if the module allows it, else (private
 * mode) open without the mapping instead of failing.
 */
#define MYHEAP_OPEN_MAP_IF_ALLOWED	(1u << 1)
/** Every defined MYHEAP_OPEN_* flag. */
#define MYHEAP_OPEN_VALID	(MYHEAP_OPEN_NO_MAP | MYHEAP_OPEN_MAP_IF_ALLOWED)

/** An open heap: the device file and, normally, its mapping. */
struct myheap;

/* --- Opening ------------------------------------------------------------ */

int myheap_open(const char *path, unsigned int flags, struct myheap **heap);
void myheap_close(struct myheap *heap);

int myheap_fd(const struct myheap *heap);
void *myheap_base(const struct myheap *heap);
size_t myheap_mapped_size(const struct myheap *heap);
const char *myheap_path(const struct myheap *heap);

/* --- malloc-like calls on real pointers (need the mapping) ---------------- */

void *myheap_malloc(struct myheap *heap, size_t size);
void *myheap_calloc(struct myheap *heap, size_t nmemb, size_t size);
void *myheap_realloc(struct myheap *heap, void *ptr, size_t size);
void *myheap_aligned_alloc(struct myheap *heap, size_t alignment, size_t size);
int myheap_free(struct myheap *heap, void *ptr);
ssize_t myheap_usable_size(struct myheap *heap, const void *ptr);

/* --- The same on offsets (work without the mapping too) ------------------- */

int myheap_off_alloc(struct myheap *heap, uint64_t size, uint64_t align,
		     uint32_t flags, uint64_t *offset, uint64_t *usable);
int myheap_off_alloc_report(struct myheap *heap, struct myheap_alloc *alloc);
int myheap_off_realloc(struct myheap *heap, uint64_t offset, uint64_t size,
		       uint64_t *new_offset, uint64_t *usable);
int myheap_off_realloc_report(struct myheap *heap,
			      struct myheap_realloc *realloc);
int myheap_off_free(struct myheap *heap, uint64_t offset);
int myheap_off_free_report(struct myheap *heap, uint64_t offset,
			   struct myheap_freed *freed);
int myheap_off_usable_size(struct myheap *heap, uint64_t offset,
			   uint64_t *usable, uint64_t *requested);

/* --- The bytes of one's own blocks, by offset (pread/pwrite; any mode) ---- */

int myheap_read(struct myheap *heap, uint64_t offset, void *buf, size_t len);
int myheap_write(struct myheap *heap, uint64_t offset, const void *buf,
		 size_t len);

/* --- Offsets and pointers ------------------------------------------------- */

void *myheap_ptr(const struct myheap *heap, uint64_t offset);
int64_t myheap_offset(const struct myheap *heap, const void *ptr);

/* --- The whole heap ------------------------------------------------------- */

int myheap_get_info(struct myheap *heap, struct myheap_info *info);
int myheap_stats(struct myheap *heap, struct myheap_stats *stats);
int myheap_stats_reset(struct myheap *heap);
int myheap_check(struct myheap *heap, struct myheap_check *check);
int myheap_set_policy(struct myheap *heap, unsigned int policy);
int myheap_set_config(struct myheap *heap, unsigned int policy,
		      unsigned int list_order, unsigned int flags);
int myheap_batch(struct myheap *heap, struct myheap_batch_op *ops,
		 uint32_t count, uint32_t flags, uint32_t *done);

/* --- Names and errors ----------------------------------------------------- */

const char *myheap_policy_name(unsigned int policy);
int myheap_policy_parse(const char *name);
const char *myheap_order_name(unsigned int order);
int myheap_order_parse(const char *name);
const char *myheap_violation_name(unsigned int kind);
const char *myheap_feature_name(unsigned int bit);
const char *myheap_strerror(int err);
const char *myheap_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBMYHEAP_H */
