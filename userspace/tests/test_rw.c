// SPDX-License-Identifier: GPL-2.0
/*
 * libmyheap's myheap_read()/myheap_write() and the CLI's fill/peek --rw on
 * a module that allows the mapping (the VM's default): the bytes agree with
 * the mapping, and each documented error comes back. Private mode, where
 * they are the only way, is test_private.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "cli_run.h"
#include "kselftest_harness.h"
#include "myheap.h"

FIXTURE(rw) {
	struct myheap *h;	/* mapped */
	struct myheap *other;	/* another owner, unmapped */
};

FIXTURE_SETUP(rw)
{
	ASSERT_EQ(0, myheap_open(NULL, 0, &self->h)) TH_LOG("%s", myheap_last_error());
	ASSERT_EQ(0, myheap_open(NULL, MYHEAP_OPEN_NO_MAP, &self->other))
		TH_LOG("%s", myheap_last_error());
}

FIXTURE_TEARDOWN(rw)
{
	myheap_close(self->other);
	myheap_close(self->h);
}

TEST_F(rw, agrees_with_the_mapping)
{
	unsigned char in[500], out[500];
	unsigned char *p;
	uint64_t off;

	p = myheap_malloc(self->h, sizeof(in));
	ASSERT_NE(NULL, p);
	off = (uint64_t)myheap_offset(self->h, p);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 13 + 1);
	ASSERT_EQ(0, myheap_write(self->h, off, in, sizeof(in))) TH_LOG("%s", myheap_last_error());
	EXPECT_EQ(0, memcmp(p, in, sizeof(in)));
	memset(p + 100, 0x77, 50);
	ASSERT_EQ(0, myheap_read(self->h, off + 90, out, 70));
	EXPECT_EQ(0, memcmp(out, in + 90, 10));
	for (int i = 10; i < 60; i++) {
		ASSERT_EQ(0x77, out[i]) TH_LOG("byte %d", i);
	}
	EXPECT_EQ(0, memcmp(out + 60, in + 150, 10));
	EXPECT_EQ(0, myheap_read(self->h, off, out, 0));
	EXPECT_EQ(0, myheap_free(self->h, p));
}

/* An unmapped handle has its blocks' bytes all the same. */
TEST_F(rw, without_the_mapping)
{
	char buf[64] = "private bytes";
	uint64_t off, usable;

	EXPECT_NULL(myheap_base(self->other));
	ASSERT_EQ(0, myheap_off_alloc(self->other, 64, 0, MYHEAP_ALLOC_ZERO, &off, &usable));
	ASSERT_EQ(0, myheap_write(self->other, off, buf, sizeof(buf)));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, myheap_read(self->other, off, buf, sizeof(buf)));
	EXPECT_STREQ("private bytes", buf);
	/* Another handle, even a mapped one, cannot use read/write on it. */
	EXPECT_EQ(-EPERM, myheap_read(self->h, off, buf, 8));
	EXPECT_TRUE(strstr(myheap_last_error(), "myheap_read") != NULL)
		TH_LOG("%s", myheap_last_error());
	EXPECT_EQ(-EPERM, myheap_write(self->h, off + 8, buf, 8));
	EXPECT_EQ(0, myheap_off_free(self->other, off));
}

TEST_F(rw, errors)
{
	unsigned char buf[256] = { 0 };
	uint64_t a, b, c, usable;
	void *bad;

	ASSERT_EQ(0, myheap_off_alloc(self->h, 64, 0, 0, &a, &usable));
	ASSERT_EQ(0, myheap_off_alloc(self->h, 64, 0, 0, &b, NULL));
	ASSERT_EQ(0, myheap_off_alloc(self->h, 64, 0, 0, &c, NULL));
	EXPECT_EQ(-EINVAL, myheap_write(self->h, a, buf, usable + 1));
	EXPECT_EQ(-EINVAL, myheap_read(self->h, a + 10, buf, usable));
	EXPECT_EQ(-ENXIO, myheap_read(self->h, a - 8, buf, 8));
	EXPECT_EQ(-ENXIO, myheap_read(self->h, 0, buf, 1));
	EXPECT_EQ(-ENXIO, myheap_read(self->h, UINT64_C(1) << 40, buf, 1));
	ASSERT_EQ(0, myheap_off_free(self->h, b));
	EXPECT_EQ(-EALREADY, myheap_read(self->h, b, buf, 8));
	EXPECT_EQ(-EALREADY, myheap_write(self->h, b + 16, buf, 8));
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	EXPECT_EQ(-EFAULT, myheap_read(self->h, a, bad, 16));
	EXPECT_EQ(-EFAULT, myheap_write(self->h, a, bad, 16));
	munmap(bad, 4096);
	/* An offset + length that does not fit a file offset. */
	EXPECT_EQ(-EINVAL, myheap_read(self->h, UINT64_MAX - 4, buf, 16));
	EXPECT_EQ(0, myheap_off_free(self->h, a));
	EXPECT_EQ(0, myheap_off_free(self->h, c));
}

/* The library's own verdict on a module without read/write. */
TEST_F(rw, feature_is_reported)
{
	struct myheap_info info;

	ASSERT_EQ(0, myheap_get_info(self->h, &info));
	EXPECT_TRUE(info.features & MYHEAP_FEATURE_RW);
	EXPECT_TRUE(info.features & MYHEAP_FEATURE_MMAP);
	EXPECT_FALSE(info.features & MYHEAP_FEATURE_PRIVATE);
}

/* MYHEAP_OPEN_MAP_IF_ALLOWED maps when the module allows it. */
TEST(map_if_allowed_maps)
{
	struct myheap *h;

	ASSERT_EQ(0, myheap_open(NULL, MYHEAP_OPEN_MAP_IF_ALLOWED, &h));
	EXPECT_NE(NULL, myheap_base(h));
	myheap_close(h);
	EXPECT_EQ(-EINVAL, myheap_open(NULL, 0x100, &h));
}

TEST(cli_fill_and_peek_with_rw)
{
	struct cli_result r;

	ASSERT_EQ(0, cli_run(&r, "a = alloc 64\n"
			     "fill --rw $a 16 0xcd\n"
			     "peek --rw $a+8 8\n"
			     "peek $a 16\n"
			     "expect ENXIO fill --rw $a-8 8 0\n"
			     "expect EINVAL peek --rw $a 4096\n"
			     "check\n", "shell"));
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_TRUE(has(r.out, "wrote 16 bytes of 0xcd at offset")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "(pwrite)"));
	EXPECT_TRUE(has(r.out, " cd cd cd cd cd cd cd cd  |")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "refused as expected: ENXIO")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "refused as expected: EINVAL")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

TEST_HARNESS_MAIN
