// SPDX-License-Identifier: GPL-2.0
/*
 * The myheap CLI: every subcommand, its --help and --json, its errors and
 * the exit code each kind of error gets, and sessions (myheap shell).
 * Runs in the VM as root with myheap.ko loaded.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "json_parse.h"
#include "kselftest_harness.h"

enum { OK = 0, FAILED = 1, USAGE = 2, DEVICE = 3, CHECK = 4 };

/* Run, and keep the result in @r for the checks that follow. */
#define RUN(r, input, ...) ASSERT_EQ(0, cli_run(&(r), input, __VA_ARGS__))

/* stdout must be one valid JSON document; returns it (jv_free()). */
static struct jv *json_of(const char *out)
{
	char err[200];
	struct jv *v = jv_parse(out, err, sizeof(err));

	if (!v)
		fprintf(stderr, "# invalid JSON (%s): %s\n", err, out);
	return v;
}

/* Member @key as a u64; UINT64_MAX when it is missing or not one. */
static uint64_t json_u64(const struct jv *v, const char *key)
{
	uint64_t n;

	return jv_u64(v, key, &n) ? n : UINT64_MAX;
}

TEST(help_everywhere)
{
	static const char *const cmds[] = {
		"info", "alloc", "free", "realloc", "usable", "fill", "peek", "stats",
		"check", "dump", "freelist", "frag", "owners", "events", "policy",
		"watch", "map", "replay", "shell",
	};
	struct cli_result r;
	char want[64];

	RUN(r, NULL, "--help");
	EXPECT_EQ(OK, r.status);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_TRUE(has(r.out, cmds[i])) TH_LOG("%s not in --help", cmds[i]);
	}
	cli_result_free(&r);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		RUN(r, NULL, "%s --help", cmds[i]);
		snprintf(want, sizeof(want), "usage: myheap %s", cmds[i]);
		EXPECT_EQ(OK, r.status) TH_LOG("%s --help", cmds[i]);
		EXPECT_TRUE(has(r.out, want)) TH_LOG("%s --help: %s", cmds[i], r.out);
		cli_result_free(&r);
	}
}

TEST(usage_errors_exit_2)
{
	static const char *const bad[] = {
		"", "frobnicate", "alloc", "alloc 10X", "alloc 10 --align x",
		"alloc 10 --bogus", "free", "free abc", "free $nope", "realloc 16",
		"policy fastest", "freelist --json", "owners --json", "map -o x.txt",
		"replay", "replay /nonexistent.rep", "watch --rows 0", "fill 16 8 300",
		"peek 16", "info extra", "check extra",
	};
	struct cli_result r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		RUN(r, NULL, "%s", bad[i]);
		EXPECT_EQ(USAGE, r.status) TH_LOG("'myheap %s' exited %d: %s", bad[i],
						  r.status, r.err);
		EXPECT_NE(0, strlen(r.err)) TH_LOG("'myheap %s' said nothing", bad[i]);
		cli_result_free(&r);
	}
}

TEST(device_errors_exit_3)
{
	struct cli_result r;

	RUN(r, NULL, "--device /nonexistent/dev info");
	EXPECT_EQ(DEVICE, r.status);
	EXPECT_TRUE(has(r.err, "/nonexistent/dev"));
	EXPECT_TRUE(has(r.err, "No such file"));
	cli_result_free(&r);
	RUN(r, NULL, "--device /dev/null stats");
	EXPECT_EQ(DEVICE, r.status);
	EXPECT_TRUE(has(r.err, "not a myheap device")) TH_LOG("%s", r.err);
	cli_result_free(&r);
	RUN(r, NULL, "--debugfs /nonexistent dump");
	EXPECT_EQ(DEVICE, r.status);
	EXPECT_TRUE(has(r.err, "/nonexistent/blocks"));
	cli_result_free(&r);
}

TEST(info_text_and_json)
{
	struct cli_result r;
	struct jv *v;

	RUN(r, NULL, "info");
	EXPECT_EQ(OK, r.status);
	EXPECT_TRUE(has(r.out, "ABI version  1"));
	EXPECT_TRUE(has(r.out, "policy"));
	cli_result_free(&r);
	RUN(r, NULL, "info --json");
	EXPECT_EQ(OK, r.status);
	v = json_of(r.out);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(1, json_u64(v, "abi_version"));
	EXPECT_NE(UINT64_MAX, json_u64(v, "region_size"));
	EXPECT_NE(NULL, jv_get(v, "features"));
	jv_free(v);
	cli_result_free(&r);
}

TEST(alloc_one_shot)
{
	struct cli_result r;
	struct jv *v;

	RUN(r, NULL, "alloc 4K --align 4096 --zero --json");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	v = json_of(r.out);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, json_u64(v, "offset") % 4096);
	EXPECT_EQ(4096, json_u64(v, "size"));
	EXPECT_GE(json_u64(v, "usable"), 4096);
	jv_free(v);
	cli_result_free(&r);
	RUN(r, NULL, "alloc 100");
	EXPECT_EQ(OK, r.status);
	EXPECT_TRUE(has(r.out, "100 bytes"));
	EXPECT_TRUE(has(r.out, "myheap shell")) TH_LOG("the one-shot note is missing");
	cli_result_free(&r);
}

TEST(refused_operations_exit_1_and_name_the_errno)
{
	static const struct { const char *cmd, *err; } cases[] = {
		{ "alloc 1G", "[E2BIG]" },
		{ "alloc 16 --align 48", "[EDOM]" },
		{ "free 12345", "[ENXIO]" },
		{ "realloc 12345 16", "[ENXIO]" },
		{ "usable 4", "[ENXIO]" },
	};
	struct cli_result r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		RUN(r, NULL, "%s", cases[i].cmd);
		EXPECT_EQ(FAILED, r.status) TH_LOG("%s: %s", cases[i].cmd, r.err);
		EXPECT_TRUE(has(r.err, cases[i].err)) TH_LOG("%s: %s", cases[i].cmd, r.err);
		cli_result_free(&r);
	}
}

TEST(stats_check_frag_json)
{
	static const char *const cmds[] = { "stats", "check", "frag", "policy", "dump" };
	struct cli_result r;
	struct jv *v;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		RUN(r, NULL, "%s --json", cmds[i]);
		EXPECT_EQ(OK, r.status) TH_LOG("%s: %s", cmds[i], r.err);
		v = json_of(r.out);
		EXPECT_NE(NULL, v) TH_LOG("%s --json", cmds[i]);
		jv_free(v);
		cli_result_free(&r);
	}
	RUN(r, NULL, "--json stats");	/* the global form */
	v = json_of(r.out);
	ASSERT_NE(NULL, v);
	EXPECT_NE(UINT64_MAX, json_u64(v, "free_bytes"));
	EXPECT_NE(NULL, jv_get(v, "free_hist"));
	jv_free(v);
	cli_result_free(&r);
}

TEST(text_views)
{
	static const struct { const char *cmd, *want; } cases[] = {
		{ "stats", "fragmentation" },
		{ "check", "ok: no violations" },
		{ "dump", "myheap blocks - version" },
		{ "freelist", "myheap freelist - version" },
		{ "frag", "myheap frag - version" },
		{ "owners", "myheap owners - version" },
		{ "events", "myheap events - version" },
		{ "policy", "available: first next best worst segregated buddy" },
	};
	struct cli_result r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		RUN(r, NULL, "%s", cases[i].cmd);
		EXPECT_EQ(OK, r.status) TH_LOG("%s: %s", cases[i].cmd, r.err);
		EXPECT_TRUE(has(r.out, cases[i].want)) TH_LOG("%s: %s", cases[i].cmd, r.out);
		cli_result_free(&r);
	}
}

TEST(policy_switch_and_busy)
{
	struct cli_result r;

	RUN(r, NULL, "policy first");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "policy first (was "));
	cli_result_free(&r);
	/* A block held in the same session makes the heap busy. */
	RUN(r, "a = alloc 10\npolicy best\n", "shell");
	EXPECT_EQ(FAILED, r.status);
	EXPECT_TRUE(has(r.err, "[EBUSY]")) TH_LOG("%s", r.err);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated --json");
	EXPECT_EQ(OK, r.status);
	EXPECT_TRUE(has(r.out, "\"previous\":\"first\"")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

TEST(shell_keeps_blocks_and_variables)
{
	struct cli_result r;

	RUN(r, "# a comment\n"
	       "a = alloc 100\n"
	       "b = alloc 200\n"
	       "usable $a\n"
	       "free $b\n"
	       "expect EALREADY free $b\n"
	       "expect EBADMSG free $a+32\n"
	       "x = realloc $a 1000\n"
	       "usable $x\n"
	       "vars\n"
	       "echo done: 'quoted' text\n"
	       "owners\n", "shell -x");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "100 usable") || has(r.out, "104 usable")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "100 requested"));
	EXPECT_TRUE(has(r.out, "1000 requested"));
	EXPECT_TRUE(has(r.out, "refused as expected: EALREADY"));
	EXPECT_TRUE(has(r.out, "refused as expected: EBADMSG"));
	EXPECT_TRUE(has(r.out, "$x = "));
	EXPECT_TRUE(has(r.out, "done: 'quoted' text"));
	EXPECT_TRUE(has(r.out, "myheap> usable $a")) TH_LOG("-x echoes commands");
	EXPECT_TRUE(has(r.out, " 1000 ")) TH_LOG("owners: one file holding $x, 1000 bytes");
	cli_result_free(&r);
}

TEST(shell_exit_status_and_stop)
{
	struct cli_result r;

	/* Without -e every line runs; the status is the first failure's. */
	RUN(r, "free 12345\nalloc x\necho still here\n", "shell");
	EXPECT_EQ(FAILED, r.status);
	EXPECT_TRUE(has(r.out, "still here"));
	cli_result_free(&r);
	RUN(r, "free 12345\necho not reached\n", "shell -e");
	EXPECT_EQ(FAILED, r.status);
	EXPECT_FALSE(has(r.out, "not reached"));
	cli_result_free(&r);
	/* An expectation that does not hold is a failure. */
	RUN(r, "a = alloc 16\nexpect EALREADY free $a\n", "shell");
	EXPECT_EQ(FAILED, r.status);
	EXPECT_TRUE(has(r.err, "expected EALREADY, but"));
	cli_result_free(&r);
	RUN(r, "expect ENOTANERRNO free 16\nfree $undefined\n", "shell");
	EXPECT_EQ(USAGE, r.status);
	cli_result_free(&r);
	RUN(r, "quit\necho after quit\n", "shell");
	EXPECT_EQ(OK, r.status);
	EXPECT_FALSE(has(r.out, "after quit"));
	cli_result_free(&r);
	RUN(r, "shell\n", "shell");
	EXPECT_EQ(USAGE, r.status) TH_LOG("no shell inside a shell");
	cli_result_free(&r);
	RUN(r, NULL, "shell /nonexistent/script");
	EXPECT_EQ(USAGE, r.status);
	cli_result_free(&r);
}

TEST(fill_peek_and_damage_detection)
{
	struct cli_result r;

	RUN(r, "a = alloc 64\n"
	       "fill $a 16 0xab\n"
	       "peek $a 16\n"
	       "check\n", "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, " ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab"));
	cli_result_free(&r);
	/* Zero a header through the mapping: check fails, free is refused. */
	RUN(r, "a = alloc 64\n"
	       "b = alloc 64\n"
	       "fill $b-8 8 0\n"
	       "expect EBADMSG free $b\n"
	       "dump\n"
	       "fill 0 16 0\n"
	       "check\n", "shell");
	EXPECT_EQ(CHECK, r.status) TH_LOG("%s%s", r.out, r.err);
	EXPECT_TRUE(has(r.out, "refused as expected: EBADMSG"));
	EXPECT_TRUE(has(r.out, "damaged")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "violation"));
	cli_result_free(&r);
	RUN(r, "fill 0 99999999 1\n", "shell");
	EXPECT_EQ(USAGE, r.status) TH_LOG("past the mapping");
	cli_result_free(&r);
}

TEST(watch_frames)
{
	struct cli_result r;

	RUN(r, "a = alloc 1000\nb = alloc 3000\nwatch --once\n", "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "myheap watch: policy"));
	EXPECT_TRUE(has(r.out, "free lists (search order):"));
	EXPECT_TRUE(has(r.out, "A owner ")) TH_LOG("legend: %s", r.out);
	EXPECT_TRUE(has(r.out, "Aaaa")) TH_LOG("a block start then its body");
	EXPECT_FALSE(has(r.out, "\033[")) TH_LOG("no escapes without a terminal");
	cli_result_free(&r);
	RUN(r, NULL, "watch --iterations 2 --interval 0.1 --rows 2");
	EXPECT_EQ(OK, r.status);
	EXPECT_TRUE(strstr(strstr(r.out, "myheap watch") + 1, "myheap watch") != NULL)
		TH_LOG("two frames");
	cli_result_free(&r);
}

TEST_HARNESS_MAIN
