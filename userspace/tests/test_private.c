// SPDX-License-Identifier: GPL-2.0
/*
 * libmyheap and the CLI on a module in private mode (mmap=0): opening
 * with the mapping fails clearly, the pointer calls say they need it, the
 * offset calls and myheap_read()/myheap_write() work, and the CLI's fill,
 * peek, info and replay go through read/write.
 *
 * The VM loads the module with mapping allowed: main() reloads it with
 * mmap=0 (keeping its other parameters) before the tests and puts it back
 * at exit, with the helpers the kernel selftests use. A failed reload
 * fails every test (the fixture insists on the mode); nothing is skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cli_run.h"
#include "kselftest_harness.h"
#include "myheap.h"
#include "myheap_module.h"

FIXTURE(priv) {
	struct myheap *h;
	struct myheap_info info;
};

FIXTURE_SETUP(priv)
{
	ASSERT_EQ(0, myheap_open(NULL, MYHEAP_OPEN_MAP_IF_ALLOWED, &self->h))
		TH_LOG("%s", myheap_last_error());
	ASSERT_EQ(0, myheap_get_info(self->h, &self->info));
	ASSERT_TRUE(self->info.features & MYHEAP_FEATURE_PRIVATE)
		TH_LOG("the module is not in private mode");
}

FIXTURE_TEARDOWN(priv)
{
	myheap_close(self->h);
}

TEST_F(priv, open_with_the_mapping_fails_clearly)
{
	struct myheap *h = NULL;

	EXPECT_EQ(-ENODEV, myheap_open(NULL, 0, &h));
	EXPECT_NULL(h);
	EXPECT_TRUE(strstr(myheap_last_error(), "private mode") != NULL)
		TH_LOG("%s", myheap_last_error());
	EXPECT_TRUE(strstr(myheap_last_error(), "MYHEAP_OPEN_NO_MAP") != NULL);
	EXPECT_STREQ("the region cannot be mapped (module in private mode, mmap=0)",
		     myheap_strerror(-ENODEV));
	ASSERT_EQ(0, myheap_open(NULL, MYHEAP_OPEN_NO_MAP, &h));
	EXPECT_NULL(myheap_base(h));
	myheap_close(h);
}

TEST_F(priv, map_if_allowed_opens_without_it)
{
	EXPECT_NULL(myheap_base(self->h));
	EXPECT_EQ(0, myheap_mapped_size(self->h));
	EXPECT_FALSE(self->info.features & MYHEAP_FEATURE_MMAP);
	EXPECT_TRUE(self->info.features & MYHEAP_FEATURE_RW);
}

TEST_F(priv, pointer_calls_need_the_mapping)
{
	errno = 0;
	EXPECT_NULL(myheap_malloc(self->h, 16));
	EXPECT_EQ(ENOTSUP, errno);
	EXPECT_TRUE(strstr(myheap_last_error(), "private mode (mmap=0)") != NULL)
		TH_LOG("%s", myheap_last_error());
	EXPECT_NULL(myheap_ptr(self->h, 16));
	EXPECT_EQ(ENOTSUP, errno);
	EXPECT_EQ(-ENOTSUP, myheap_offset(self->h, &errno));
}

TEST_F(priv, offset_calls_and_read_write)
{
	unsigned char in[3000], out[3000];
	uint64_t off, moved, usable, requested;
	struct myheap *other;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i ^ (i >> 8));
	ASSERT_EQ(0, myheap_off_alloc(self->h, 1000, 0, 0, &off, &usable));
	ASSERT_EQ(0, myheap_write(self->h, off, in, 1000)) TH_LOG("%s", myheap_last_error());
	ASSERT_EQ(0, myheap_off_realloc(self->h, off, 3000, &moved, &usable));
	ASSERT_EQ(0, myheap_write(self->h, moved + 1000, in + 1000, 2000));
	ASSERT_EQ(0, myheap_read(self->h, moved, out, sizeof(out)));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	ASSERT_EQ(0, myheap_off_usable_size(self->h, moved, NULL, &requested));
	EXPECT_EQ(3000, requested);
	/* No other handle sees it, the same process or not. */
	ASSERT_EQ(0, myheap_open(NULL, MYHEAP_OPEN_NO_MAP, &other));
	EXPECT_EQ(-EPERM, myheap_read(other, moved, out, 16));
	EXPECT_EQ(-EPERM, myheap_write(other, moved + 100, in, 16));
	myheap_close(other);
	EXPECT_EQ(-EINVAL, myheap_read(self->h, moved, out, usable + 1));
	EXPECT_EQ(-ENXIO, myheap_write(self->h, moved - 8, in, 8));
	EXPECT_EQ(0, myheap_off_free(self->h, moved));
	EXPECT_EQ(-EALREADY, myheap_read(self->h, moved, out, 1));
	EXPECT_EQ(0, myheap_check(self->h, &(struct myheap_check){ 0 }));
}

TEST(cli_info_says_private)
{
	struct cli_result r;

	ASSERT_EQ(0, cli_run(&r, NULL, "info"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, " private")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "mode         private (mmap=0)")) TH_LOG("%s", r.out);
	EXPECT_FALSE(has(r.out, " mmap ")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

/* fill and peek go through pwrite/pread: own blocks only, headers refused. */
TEST(cli_fill_and_peek)
{
	struct cli_result r;

	ASSERT_EQ(0, cli_run(&r, "a = alloc 64\n"
			     "fill $a 16 0xab\n"
			     "peek $a 16\n"
			     "expect ENXIO fill $a-8 8 0\n"
			     "expect ENXIO peek 0 16\n"
			     "expect EINVAL fill $a 4096 1\n"
			     "check\n", "shell"));
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_TRUE(has(r.out, "(pwrite)")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, " ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "refused as expected: ENXIO")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "refused as expected: EINVAL")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	/* A one-shot fill of a block it does not own says whose it must be. */
	ASSERT_EQ(0, cli_run(&r, NULL, "fill 16 16 0"));
	EXPECT_EQ(1, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_TRUE(has(r.err, "own blocks only")) TH_LOG("%s", r.err);
	cli_result_free(&r);
}

/* Payloads are written and checked with pwrite/pread when not mapped. */
TEST(cli_replay_verifies_through_read_write)
{
	struct cli_result r;

	ASSERT_EQ(0, cli_run(&r, NULL, "replay --no-progress short1-bal short2-bal"));
	EXPECT_EQ(0, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_TRUE(has(r.out, "short1-bal")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

int main(int argc, char **argv)
{
	mod_private_mode();
	return test_harness_run(argc, argv);
}
