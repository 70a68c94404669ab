// SPDX-License-Identifier: GPL-2.0
/*
 * libmyheap against the real device: every public function, its success
 * and each of its documented errors. Runs in the VM as root with myheap.ko
 * loaded (userspace/tests/run-in-vm).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "myheap.h"
#include "myheap_internal.h"

FIXTURE(heap) {
	struct myheap *h;
	struct myheap_info info;
};

FIXTURE_SETUP(heap)
{
	ASSERT_EQ(0, myheap_open(NULL, 0, &self->h)) TH_LOG("%s", myheap_last_error());
	ASSERT_EQ(0, myheap_get_info(self->h, &self->info));
}

FIXTURE_TEARDOWN(heap)
{
	myheap_close(self->h);
}

/* --- opening -------------------------------------------------------------- */

TEST_F(heap, open_maps_the_region)
{
	ASSERT_NE(NULL, myheap_base(self->h));
	EXPECT_EQ(self->info.mmap_size, myheap_mapped_size(self->h));
	EXPECT_GE(myheap_fd(self->h), 0);
	EXPECT_STREQ(MYHEAP_DEVICE, myheap_path(self->h));
	EXPECT_EQ(MYHEAP_ABI_VERSION, self->info.abi_version);
}

TEST(open_missing_device_is_enoent)
{
	struct myheap *h = NULL;

	EXPECT_EQ(-ENOENT, myheap_open("/nonexistent/myheap", 0, &h));
	EXPECT_NULL(h);
	EXPECT_TRUE(strstr(myheap_last_error(), "/nonexistent/myheap") != NULL);
}

TEST(open_other_device_is_enotty)
{
	struct myheap *h = NULL;

	EXPECT_EQ(-ENOTTY, myheap_open("/dev/null", 0, &h));
	EXPECT_TRUE(strstr(myheap_last_error(), "not a myheap device") != NULL)
		TH_LOG("%s", myheap_last_error());
}

TEST(open_bad_arguments_are_einval)
{
	struct myheap *h;

	EXPECT_EQ(-EINVAL, myheap_open(NULL, 0x80, &h));
	EXPECT_EQ(-EINVAL, myheap_open(NULL, 0, NULL));
}

TEST(close_null_is_harmless)
{
	myheap_close(NULL);
}

/* The handshake's verdicts, on GET_INFO answers a module could give. */
TEST_F(heap, handshake_refuses_older_abi_version)
{
	struct myheap_info info = self->info;
	char why[200];

	info.abi_version = MYHEAP_ABI_VERSION - 1;
	EXPECT_EQ(-EPROTO, mh_check_info(&info, true, why, sizeof(why)));
	EXPECT_TRUE(strstr(why, "ABI version 0") != NULL) TH_LOG("%s", why);
}

/* A later module (the ABI only grows) with features unknown here serves. */
TEST_F(heap, handshake_accepts_newer_abi_and_features)
{
	struct myheap_info info = self->info;
	char why[200] = "";

	info.abi_version = MYHEAP_ABI_VERSION + 1;
	EXPECT_EQ(0, mh_check_info(&info, true, why, sizeof(why))) TH_LOG("%s", why);
	info.features |= 1ULL << 63;
	EXPECT_EQ(0, mh_check_info(&info, true, why, sizeof(why))) TH_LOG("%s", why);
	/* a later version still has to have what the library uses */
	info.features &= ~MYHEAP_FEATURE_REALLOC;
	EXPECT_EQ(-EPROTO, mh_check_info(&info, true, why, sizeof(why)));
	EXPECT_TRUE(strstr(why, "realloc") != NULL) TH_LOG("%s", why);
}

TEST_F(heap, handshake_refuses_missing_features)
{
	struct myheap_info info = self->info;
	char why[200];

	info.features &= ~MYHEAP_FEATURE_BATCH;
	EXPECT_EQ(-EPROTO, mh_check_info(&info, true, why, sizeof(why)));
	EXPECT_TRUE(strstr(why, "batch") != NULL) TH_LOG("%s", why);
	/* Without the mapping, a module without mmap is acceptable. */
	info = self->info;
	info.features &= ~MYHEAP_FEATURE_MMAP;
	EXPECT_EQ(-EPROTO, mh_check_info(&info, true, why, sizeof(why)));
	EXPECT_EQ(0, mh_check_info(&info, false, why, sizeof(why)));
}

TEST_F(heap, handshake_refuses_impossible_geometry)
{
	struct myheap_info info = self->info;
	char why[200];

	info.alignment = 24;
	EXPECT_EQ(-EPROTO, mh_check_info(&info, true, why, sizeof(why)));
	info = self->info;
	info.mmap_size = info.region_size - 1;
	EXPECT_EQ(-EPROTO, mh_check_info(&info, true, why, sizeof(why)));
}

TEST_F(heap, handshake_accepts_this_module)
{
	char why[200];

	EXPECT_EQ(0, mh_check_info(&self->info, true, why, sizeof(why)));
}

/* --- pointer calls ----------------------------------------------------------- */

TEST_F(heap, malloc_gives_writable_memory_in_the_mapping)
{
	char *p = myheap_malloc(self->h, 100);
	int64_t off;

	ASSERT_NE(NULL, p) TH_LOG("%s", myheap_last_error());
	memset(p, 0x5a, 100);
	off = myheap_offset(self->h, p);
	ASSERT_GE(off, 0);
	EXPECT_EQ(0, off % self->info.alignment);
	EXPECT_EQ(p, myheap_ptr(self->h, (uint64_t)off));
	EXPECT_GE(myheap_usable_size(self->h, p), 100);
	EXPECT_EQ(0x5a, p[99]);
	EXPECT_EQ(0, myheap_free(self->h, p));
}

TEST_F(heap, malloc_errors)
{
	errno = 0;
	EXPECT_NULL(myheap_malloc(self->h, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NULL(myheap_malloc(self->h, (size_t)1 << 40));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_TRUE(strstr(myheap_last_error(), "myheap_off_alloc") != NULL)
		TH_LOG("%s", myheap_last_error());
}

TEST_F(heap, malloc_until_the_region_is_full)
{
	size_t half = self->info.region_size / 2 + 4096;
	void *a = myheap_malloc(self->h, half);

	ASSERT_NE(NULL, a);
	EXPECT_NULL(myheap_malloc(self->h, half));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(0, myheap_free(self->h, a));
	a = myheap_malloc(self->h, half);
	EXPECT_NE(NULL, a) TH_LOG("freed space is not reusable");
	EXPECT_EQ(0, myheap_free(self->h, a));
}

TEST_F(heap, calloc_zeroes_reused_memory)
{
	unsigned char *p = myheap_malloc(self->h, 512);

	ASSERT_NE(NULL, p);
	memset(p, 0xff, 512);
	ASSERT_EQ(0, myheap_free(self->h, p));
	p = myheap_calloc(self->h, 64, 8);
	ASSERT_NE(NULL, p);
	for (int i = 0; i < 512; i++) {
		ASSERT_EQ(0, p[i]) TH_LOG("byte %d not zero", i);
	}
	EXPECT_EQ(0, myheap_free(self->h, p));
}

TEST_F(heap, calloc_overflow_is_eoverflow)
{
	errno = 0;
	EXPECT_NULL(myheap_calloc(self->h, SIZE_MAX / 2, 3));
	EXPECT_EQ(EOVERFLOW, errno);
}

TEST_F(heap, aligned_alloc_aligns_the_pointer)
{
	for (size_t align = 16; align <= 65536; align <<= 2) {
		void *p = myheap_aligned_alloc(self->h, align, 40);

		ASSERT_NE(NULL, p) TH_LOG("align %zu: %s", align, myheap_last_error());
		EXPECT_EQ(0, (uintptr_t)p % align) TH_LOG("align %zu", align);
		EXPECT_EQ(0, myheap_free(self->h, p));
	}
}

TEST_F(heap, aligned_alloc_bad_alignment_is_edom)
{
	EXPECT_NULL(myheap_aligned_alloc(self->h, 48, 16));
	EXPECT_EQ(EDOM, errno);
	EXPECT_NULL(myheap_aligned_alloc(self->h, 0, 16));
	EXPECT_EQ(EDOM, errno);
	EXPECT_NULL(myheap_aligned_alloc(self->h, (size_t)self->info.max_align * 2, 16));
	EXPECT_EQ(EDOM, errno);
}

TEST_F(heap, realloc_keeps_contents_both_ways)
{
	unsigned char *p = myheap_malloc(self->h, 100), *q;

	ASSERT_NE(NULL, p);
	for (int i = 0; i < 100; i++)
		p[i] = (unsigned char)i;
	/* Something after it, so growing has to move. */
	void *wall = myheap_malloc(self->h, 16);

	q = myheap_realloc(self->h, p, 20000);
	ASSERT_NE(NULL, q) TH_LOG("%s", myheap_last_error());
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(i, q[i]);
	}
	p = myheap_realloc(self->h, q, 50);
	ASSERT_NE(NULL, p);
	for (int i = 0; i < 50; i++) {
		ASSERT_EQ(i, p[i]);
	}
	EXPECT_GE(myheap_usable_size(self->h, p), 50);
	EXPECT_EQ(0, myheap_free(self->h, p));
	EXPECT_EQ(0, myheap_free(self->h, wall));
}

TEST_F(heap, realloc_null_allocates)
{
	void *p = myheap_realloc(self->h, NULL, 64);

	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, myheap_free(self->h, p));
}

TEST_F(heap, realloc_failure_leaves_the_block)
{
	char *p = myheap_malloc(self->h, 32);

	ASSERT_NE(NULL, p);
	strcpy(p, "still here");
	EXPECT_NULL(myheap_realloc(self->h, p, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NULL(myheap_realloc(self->h, p, (size_t)1 << 40));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_STREQ("still here", p);
	EXPECT_EQ(0, myheap_free(self->h, p));
	EXPECT_NULL(myheap_realloc(self->h, p, 64));
	EXPECT_EQ(EALREADY, errno);
}

TEST_F(heap, free_errors)
{
	char *p = myheap_malloc(self->h, 256);
	int local;

	ASSERT_NE(NULL, p);
	EXPECT_EQ(0, myheap_free(self->h, NULL));
	EXPECT_EQ(-EBADMSG, myheap_free(self->h, p + 64)) TH_LOG("inside a block");
	EXPECT_EQ(-ENXIO, myheap_free(self->h, &local)) TH_LOG("outside the mapping");
	EXPECT_EQ(-ENXIO, myheap_free(self->h, p + 4)) TH_LOG("misaligned");
	EXPECT_EQ(0, myheap_free(self->h, p));
	EXPECT_EQ(-EALREADY, myheap_free(self->h, p));
	EXPECT_EQ(-EALREADY, myheap_usable_size(self->h, p));
}

TEST_F(heap, another_handles_block_is_eperm)
{
	struct myheap *other;
	uint64_t off;

	ASSERT_EQ(0, myheap_open(NULL, 0, &other));
	ASSERT_EQ(0, myheap_off_alloc(other, 64, 0, 0, &off, NULL));
	EXPECT_EQ(-EPERM, myheap_off_free(self->h, off));
	EXPECT_EQ(-EPERM, myheap_off_usable_size(self->h, off, NULL, NULL));
	EXPECT_EQ(0, myheap_off_free(other, off));
	myheap_close(other);
}

TEST_F(heap, close_frees_the_handles_blocks)
{
	struct myheap_stats before, after;
	struct myheap *other;
	uint64_t off;

	ASSERT_EQ(0, myheap_stats(self->h, &before));
	ASSERT_EQ(0, myheap_open(NULL, 0, &other));
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(0, myheap_off_alloc(other, 1000, 0, 0, &off, NULL));
	}
	myheap_close(other);
	ASSERT_EQ(0, myheap_stats(self->h, &after));
	EXPECT_EQ(before.used_blocks, after.used_blocks);
	EXPECT_EQ(before.requested_bytes, after.requested_bytes);
}

/* myheap_stats_reset(): counters from zero, the heap's figures kept. */
TEST_F(heap, stats_reset_zeroes_the_counters)
{
	struct myheap_stats before, after;
	uint64_t off;

	ASSERT_EQ(0, myheap_off_alloc(self->h, 1000, 0, 0, &off, NULL));
	ASSERT_EQ(0, myheap_stats(self->h, &before));
	ASSERT_LE(1, before.allocs);
	ASSERT_EQ(0, myheap_stats_reset(self->h));
	ASSERT_EQ(0, myheap_stats(self->h, &after));
	EXPECT_EQ(0, after.allocs);
	EXPECT_EQ(0, after.splits);
	EXPECT_EQ(0, after.searched);
	EXPECT_EQ(before.used_blocks, after.used_blocks);
	EXPECT_EQ(before.requested_bytes, after.requested_bytes);
	EXPECT_EQ(before.free_bytes, after.free_bytes);
	EXPECT_EQ(0, myheap_off_free(self->h, off));
	ASSERT_EQ(0, myheap_stats(self->h, &after));
	EXPECT_EQ(1, after.frees);
}

/* myheap_off_alloc_report(): the offset calls' alloc, with its report. */
TEST_F(heap, alloc_report_says_what_the_alloc_did)
{
	struct myheap_alloc a = { .size = 1000 };
	struct myheap_stats before, after;
	uint64_t usable;

	ASSERT_EQ(0, myheap_stats(self->h, &before));
	ASSERT_EQ(0, myheap_off_alloc_report(self->h, &a));
	ASSERT_EQ(0, myheap_stats(self->h, &after));
	EXPECT_EQ(after.searched - before.searched, a.searched);
	EXPECT_LE(1000, a.usable);
	EXPECT_EQ(0, myheap_off_usable_size(self->h, a.offset, &usable, NULL));
	EXPECT_EQ(usable, a.usable);
	if (a.splits)
		EXPECT_NE(0, a.split_size);
	EXPECT_EQ(0, myheap_off_free(self->h, a.offset));
	a = (struct myheap_alloc){ .size = 0 };
	EXPECT_EQ(-EINVAL, myheap_off_alloc_report(self->h, &a));
	EXPECT_NE(NULL, strstr(myheap_last_error(), "myheap_off_alloc_report"));
}

/*
 * myheap_off_free_report() says what the free did: a block alone frees
 * into a block of its own size; its neighbour's free merges with it on
 * the side the report names. myheap_off_realloc_report() says a move
 * moved, with the old block's free. Both fail as their plain calls do.
 */
TEST_F(heap, free_and_realloc_reports_say_what_they_did)
{
	struct myheap_freed fr = { .merges = 99 };
	struct myheap_realloc r = { 0 };
	uint64_t a, b, c, ua;

	ASSERT_EQ(0, myheap_off_alloc(self->h, 300, 0, 0, &a, &ua));
	ASSERT_EQ(0, myheap_off_alloc(self->h, 300, 0, 0, &b, NULL));
	ASSERT_EQ(0, myheap_off_alloc(self->h, 300, 0, 0, &c, NULL));
	ASSERT_EQ(a + ua + self->info.header_size, b) TH_LOG("a, b, c in a row");
	ASSERT_EQ(0, myheap_off_free_report(self->h, b, &fr));
	EXPECT_EQ(0, fr.outcome & (MYHEAP_FREED_LEFT | MYHEAP_FREED_RIGHT))
		TH_LOG("a and c are in use");
	EXPECT_EQ(b, fr.block_offset);
	EXPECT_EQ(fr.freed_size, fr.block_size);
	EXPECT_EQ(0, fr.merges);

	r.offset = a;
	r.size = 5000;
	ASSERT_EQ(0, myheap_off_realloc_report(self->h, &r));
	EXPECT_EQ(MYHEAP_REALLOC_MOVED, r.how & MYHEAP_REALLOC_MOVED);
	EXPECT_NE(a, r.new_offset);
	EXPECT_EQ(MYHEAP_FREED_RIGHT, r.freed.outcome & MYHEAP_FREED_RIGHT)
		TH_LOG("the old block merged with b's hole");
	EXPECT_EQ(b, r.freed.right_offset);
	EXPECT_EQ(a, r.freed.block_offset);

	EXPECT_EQ(-EBADMSG, myheap_off_free_report(self->h, b, &fr))
		TH_LOG("b's header is inside the merged free block now");
	EXPECT_NE(NULL, strstr(myheap_last_error(), "myheap_off_free_report"));
	r = (struct myheap_realloc){ .offset = c, .size = 0 };
	EXPECT_EQ(-EINVAL, myheap_off_realloc_report(self->h, &r));
	EXPECT_EQ(0, myheap_off_free(self->h, r.new_offset ? r.new_offset : c));
}

/*
 * Make this process's @cmd ioctls fail with ENOTTY, as on a module that
 * predates the command (a seccomp filter: the harness runs each test in a
 * child of its own, so the filter dies with the test).
 */
static int refuse_ioctl_cmd(unsigned int cmd)
{
#if defined(__x86_64__)
	const unsigned int arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
	const unsigned int arch = AUDIT_ARCH_AARCH64;
#else
#error "refuse_ioctl_cmd: add this machine's AUDIT_ARCH_*"
#endif
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 3),
		/* the low half of the command: the only half an ioctl number has */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, cmd, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -errno : 0;
}

/*
 * On a module without MYHEAP_IOC_FREE_REPORT (-ENOTTY, made here with a
 * seccomp filter) myheap_off_free_report() frees with MYHEAP_IOC_FREE and
 * leaves the report zero, as its comment promises.
 */
TEST_F(heap, free_report_falls_back_to_free_on_an_older_module)
{
	struct myheap_free_report f = { 0 };
	struct myheap_freed fr, zero = { 0 };
	uint64_t a, b, c;

	ASSERT_EQ(0, myheap_off_alloc(self->h, 300, 0, 0, &a, NULL));
	ASSERT_EQ(0, myheap_off_alloc(self->h, 300, 0, 0, &b, NULL));
	ASSERT_EQ(0, myheap_off_alloc(self->h, 300, 0, 0, &c, NULL));
	ASSERT_EQ(0, refuse_ioctl_cmd(MYHEAP_IOC_FREE_REPORT));
	f.offset = b;
	ASSERT_EQ(-1, ioctl(myheap_fd(self->h), MYHEAP_IOC_FREE_REPORT, &f));
	ASSERT_EQ(ENOTTY, errno) TH_LOG("the filter refuses FREE_REPORT");

	memset(&fr, 0xa5, sizeof(fr));
	ASSERT_EQ(0, myheap_off_free_report(self->h, b, &fr)) TH_LOG("%s", myheap_last_error());
	EXPECT_EQ(0, memcmp(&fr, &zero, sizeof(fr))) TH_LOG("the report is zero");
	EXPECT_EQ(-EALREADY, myheap_off_free(self->h, b)) TH_LOG("FREE freed b");
	EXPECT_EQ(0, myheap_off_free(self->h, a));
	EXPECT_EQ(0, myheap_off_free(self->h, c));
}

/* --- offset calls and helpers ---------------------------------------------- */

TEST_F(heap, offset_calls_round_trip)
{
	uint64_t off, usable, requested, moved;

	ASSERT_EQ(0, myheap_off_alloc(self->h, 300, 0, MYHEAP_ALLOC_ZERO, &off, &usable));
	EXPECT_GE(usable, 300);
	ASSERT_EQ(0, myheap_off_usable_size(self->h, off, &usable, &requested));
	EXPECT_EQ(300, requested);
	ASSERT_EQ(0, myheap_off_realloc(self->h, off, 3000, &moved, &usable));
	EXPECT_GE(usable, 3000);
	ASSERT_EQ(0, myheap_off_usable_size(self->h, moved, NULL, &requested));
	EXPECT_EQ(3000, requested);
	EXPECT_EQ(0, myheap_off_free(self->h, moved));
	EXPECT_EQ(-EALREADY, myheap_off_free(self->h, moved));
	EXPECT_EQ(-ENXIO, myheap_off_free(self->h, self->info.region_size + 16));
	EXPECT_EQ(-EINVAL, myheap_off_alloc(self->h, 16, 0, 0x80, &off, NULL));
	EXPECT_EQ(-EDOM, myheap_off_alloc(self->h, 16, 24, 0, &off, NULL));
	EXPECT_EQ(-ENXIO, myheap_off_realloc(self->h, 3, 16, &moved, NULL));
}

TEST_F(heap, pointer_helpers_check_bounds)
{
	int local;

	EXPECT_NULL(myheap_ptr(self->h, myheap_mapped_size(self->h)));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-ENXIO, myheap_offset(self->h, &local));
	EXPECT_EQ(0, myheap_offset(self->h, myheap_base(self->h)));
}

TEST(offset_only_handle)
{
	struct myheap *h;
	uint64_t off, usable;

	ASSERT_EQ(0, myheap_open(NULL, MYHEAP_OPEN_NO_MAP, &h));
	EXPECT_NULL(myheap_base(h));
	EXPECT_EQ(0, myheap_mapped_size(h));
	errno = 0;
	EXPECT_NULL(myheap_malloc(h, 16));
	EXPECT_EQ(ENOTSUP, errno);
	EXPECT_TRUE(strstr(myheap_last_error(), "MYHEAP_OPEN_NO_MAP") != NULL);
	EXPECT_NULL(myheap_calloc(h, 1, 16));
	EXPECT_NULL(myheap_aligned_alloc(h, 64, 16));
	EXPECT_NULL(myheap_realloc(h, NULL, 16));
	EXPECT_NULL(myheap_ptr(h, 16));
	EXPECT_EQ(ENOTSUP, errno);
	EXPECT_EQ(-ENOTSUP, myheap_offset(h, &off));
	ASSERT_EQ(0, myheap_off_alloc(h, 64, 0, 0, &off, &usable));
	EXPECT_EQ(-ENOTSUP, myheap_free(h, (void *)(uintptr_t)0x1000));
	EXPECT_EQ(-ENOTSUP, myheap_usable_size(h, (void *)(uintptr_t)0x1000));
	EXPECT_EQ(0, myheap_off_free(h, off));
	myheap_close(h);
}

/* --- the whole heap ------------------------------------------------------- */

TEST_F(heap, stats_follow_allocations)
{
	struct myheap_stats a, b;
	void *p;

	ASSERT_EQ(0, myheap_stats(self->h, &a));
	p = myheap_malloc(self->h, 1234);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, myheap_stats(self->h, &b));
	EXPECT_EQ(a.used_blocks + 1, b.used_blocks);
	EXPECT_EQ(a.requested_bytes + 1234, b.requested_bytes);
	EXPECT_EQ(a.allocs + 1, b.allocs);
	EXPECT_EQ(self->info.region_size, b.region_size);
	EXPECT_EQ(0, myheap_free(self->h, p));
	ASSERT_EQ(0, myheap_stats(self->h, &b));
	EXPECT_EQ(a.frees + 1, b.frees);
}

TEST_F(heap, check_reports_a_damaged_header)
{
	struct myheap_check c;
	uint64_t *hdr;
	char *p;

	ASSERT_EQ(0, myheap_check(self->h, &c));
	EXPECT_EQ(0, c.violations);
	p = myheap_malloc(self->h, 64);
	ASSERT_NE(NULL, p);
	hdr = (uint64_t *)(p - self->info.header_size);
	*hdr ^= 0x5555;	/* scribble over the header through the mapping */
	EXPECT_GT(myheap_check(self->h, &c), 0);
	EXPECT_EQ(MYHEAP_VIOLATION_HEADER, c.first_kind);
	EXPECT_EQ(-EBADMSG, myheap_free(self->h, p));
	*hdr ^= 0x5555;	/* repair it: the heap is sound again */
	EXPECT_EQ(0, myheap_check(self->h, &c));
	EXPECT_EQ(0, myheap_free(self->h, p));
}

TEST_F(heap, set_policy_switches_an_empty_heap)
{
	struct myheap_info info;
	uint64_t off;

	for (unsigned int p = 0; p < MYHEAP_NR_POLICIES; p++) {
		ASSERT_EQ(0, myheap_set_policy(self->h, p)) TH_LOG("%s", myheap_last_error());
		ASSERT_EQ(0, myheap_get_info(self->h, &info));
		EXPECT_EQ(p, info.policy);
	}
	EXPECT_EQ(-EINVAL, myheap_set_policy(self->h, MYHEAP_NR_POLICIES));
	ASSERT_EQ(0, myheap_off_alloc(self->h, 16, 0, 0, &off, NULL));
	EXPECT_EQ(-EBUSY, myheap_set_policy(self->h, MYHEAP_POLICY_FIRST_FIT));
	EXPECT_EQ(0, myheap_off_free(self->h, off));
	EXPECT_EQ(0, myheap_set_policy(self->h, self->info.policy));
}

TEST_F(heap, batch_runs_allocs_and_frees)
{
	struct myheap_batch_op ops[16] = { 0 }, frees[8] = { 0 };
	uint32_t done = 0;

	for (int i = 0; i < 16; i++)
		ops[i] = (struct myheap_batch_op){ .op = MYHEAP_BATCH_OP_ALLOC, .size = 100 + i };
	ASSERT_EQ(0, myheap_batch(self->h, ops, 16, 0, &done));
	EXPECT_EQ(16, done);
	for (int i = 1; i < 16; i++) {
		EXPECT_NE(ops[i - 1].offset, ops[i].offset);
	}
	/*
	 * Free blocks 2, 4, ..., 14, so none coalesces, then block 2 again: a
	 * double free the kernel can still recognise (a block merged into a
	 * free neighbour has no header of its own left: that is EBADMSG).
	 */
	for (int i = 0; i < 7; i++)
		frees[i] = (struct myheap_batch_op){ .op = MYHEAP_BATCH_OP_FREE,
						     .offset = ops[2 + 2 * i].offset };
	frees[7] = frees[0];
	EXPECT_EQ(1, myheap_batch(self->h, frees, 8, 0, &done));
	EXPECT_EQ(8, done);
	EXPECT_EQ(0, frees[0].result);
	EXPECT_EQ(-EALREADY, frees[7].result);
	EXPECT_EQ(0, myheap_off_free(self->h, ops[0].offset));
	for (int i = 1; i < 16; i += 2) {
		EXPECT_EQ(0, myheap_off_free(self->h, ops[i].offset));
	}
}

TEST_F(heap, batch_stop_and_errors)
{
	struct myheap_batch_op ops[3] = {
		{ .op = MYHEAP_BATCH_OP_ALLOC, .size = 0 },	/* fails: size 0 */
		{ .op = MYHEAP_BATCH_OP_ALLOC, .size = 10 },
		{ .op = MYHEAP_BATCH_OP_ALLOC, .size = 10 },
	};
	uint32_t done = 0;

	EXPECT_EQ(1, myheap_batch(self->h, ops, 3, MYHEAP_BATCH_STOP, &done));
	EXPECT_EQ(1, done);
	EXPECT_EQ(-EINVAL, ops[0].result);
	ops[1].op = 99;
	EXPECT_EQ(-EINVAL, myheap_batch(self->h, ops, 3, 0, NULL));
	EXPECT_EQ(-EINVAL, myheap_batch(self->h, ops, 0, 0x80, NULL));
	EXPECT_EQ(-E2BIG, myheap_batch(self->h, ops, MYHEAP_BATCH_MAX + 1, 0, NULL));
	EXPECT_EQ(0, myheap_batch(self->h, ops, 0, 0, &done));
	EXPECT_EQ(0, done);
}

/* --- names and errors ----------------------------------------------------- */

TEST(policy_names_round_trip)
{
	for (unsigned int p = 0; p < MYHEAP_NR_POLICIES; p++) {
		EXPECT_EQ((int)p, myheap_policy_parse(myheap_policy_name(p)));
	}
	EXPECT_STREQ("segregated", myheap_policy_name(MYHEAP_POLICY_SEGREGATED));
	EXPECT_STREQ("unknown", myheap_policy_name(MYHEAP_NR_POLICIES));
	EXPECT_EQ(-EINVAL, myheap_policy_parse("fastest"));
	EXPECT_TRUE(strstr(myheap_last_error(), "fastest") != NULL);
	/* the message lists the table's names, every one */
	for (unsigned int i = 0; i < MYHEAP_NR_POLICIES; i++) {
		const char *name = myheap_policy_name(i);

		EXPECT_TRUE(strstr(myheap_last_error(), name) != NULL)
			TH_LOG("%s lacks %s", myheap_last_error(), name);
	}
}

TEST(feature_names_follow_the_bits)
{
	EXPECT_STREQ("mmap", myheap_feature_name(0));
	EXPECT_STREQ("private", myheap_feature_name(7));
	EXPECT_EQ(NULL, myheap_feature_name(63));
	/* every bit the uapi header defines has a distinct name */
	const uint64_t defined = MYHEAP_FEATURE_MMAP | MYHEAP_FEATURE_REALLOC |
		MYHEAP_FEATURE_BATCH | MYHEAP_FEATURE_ZERO | MYHEAP_FEATURE_POISON |
		MYHEAP_FEATURE_OWNERSHIP | MYHEAP_FEATURE_RW | MYHEAP_FEATURE_PRIVATE |
		MYHEAP_FEATURE_KNOBS | MYHEAP_FEATURE_STATS_RESET |
		MYHEAP_FEATURE_ALLOC_REPORT | MYHEAP_FEATURE_FREE_REPORT |
		MYHEAP_FEATURE_REALLOC_REPORT;

	EXPECT_STREQ("stats-reset", myheap_feature_name(9));
	EXPECT_STREQ("free-report", myheap_feature_name(11));
	EXPECT_STREQ("realloc-report", myheap_feature_name(12));
	for (unsigned int a = 0; a < 64; a++) {
		if (!((defined >> a) & 1))
			continue;
		ASSERT_NE(NULL, myheap_feature_name(a)) TH_LOG("bit %u", a);
		for (unsigned int b = 0; b < a; b++)
			if (myheap_feature_name(b))
				EXPECT_STRNE(myheap_feature_name(a), myheap_feature_name(b));
	}
}

/* One table of list-order names: each parses back; others are refused. */
TEST(order_names_round_trip)
{
	for (unsigned int o = 0; o < MYHEAP_NR_ORDERS; o++)
		EXPECT_EQ((int)o, myheap_order_parse(myheap_order_name(o)));
	EXPECT_STREQ("sizesort+", myheap_order_name(MYHEAP_ORDER_SIZESORT_UP));
	EXPECT_STREQ("unknown", myheap_order_name(MYHEAP_NR_ORDERS));
	EXPECT_EQ(-EINVAL, myheap_order_parse("SIZESORT+"));
	EXPECT_NE(NULL, strstr(myheap_last_error(), "unknown list order 'SIZESORT+'"));
}

TEST(violation_names_are_distinct)
{
	for (unsigned int k = 1; k < MYHEAP_NR_VIOLATION_KINDS; k++) {
		EXPECT_STRNE("unknown violation", myheap_violation_name(k));
		EXPECT_STRNE(myheap_violation_name(k - 1), myheap_violation_name(k));
	}
	EXPECT_STREQ("unknown violation", myheap_violation_name(MYHEAP_NR_VIOLATION_KINDS));
}

TEST(strerror_speaks_heap)
{
	EXPECT_TRUE(strstr(myheap_strerror(-EALREADY), "double free") != NULL);
	EXPECT_TRUE(strstr(myheap_strerror(EBADMSG), "magic") != NULL);
	EXPECT_TRUE(strstr(myheap_strerror(-EPROTO), "ABI") != NULL);
	EXPECT_STREQ("success", myheap_strerror(0));
	EXPECT_STREQ("No such file or directory", myheap_strerror(-ENOENT));
	EXPECT_STREQ("unknown error", myheap_strerror(-9999));
}

TEST_HARNESS_MAIN
