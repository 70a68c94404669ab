// SPDX-License-Identifier: GPL-2.0
/*
 * The myheap CLI: every subcommand, its --help and --json, its errors and
 * the exit code each kind of error gets, and sessions (myheap shell).
 * Runs in the VM as root with myheap.ko loaded.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		"watch", "map", "replay", "shell", "gen", "quiz",
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
		"policy fastest", "owners extra", "gen --ops 0",
		"gen --sizes 9-3", "gen --free-ratio 1.5", "gen --format xml", "quiz --bogus",
		"shell --after-each pictures", "shell --quiz", "map -o x.txt",
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

/*
 * OSTEP's knobs: first fit over a size-sorted list takes the smallest hole
 * that fits ($c's, not $a's), and with coalescing off a freed neighbour
 * stays a block of its own; info and policy report the setting; misuse is
 * a usage error naming the problem.
 */
TEST(policy_knobs)
{
	struct cli_result r;
	struct jv *v;

	RUN(r, NULL, "policy first --order sizesort+ --no-coalesce");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "policy first sizesort+ no-coalesce (was ")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	RUN(r, NULL, "info");
	EXPECT_TRUE(has(r.out, "free list    sizesort+, coalescing off\n")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	RUN(r, NULL, "info --json");
	v = json_of(r.out);
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(has(r.out, "\"list_order\":\"sizesort+\",\"coalesce\":false")) TH_LOG("%s", r.out);
	jv_free(v);
	cli_result_free(&r);
	RUN(r, NULL, "policy");
	EXPECT_TRUE(has(r.out, "policy first sizesort+ no-coalesce\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "list orders (first, next, best, worst): addrsort sizesort+ sizesort- insert-front insert-back\n"))
		TH_LOG("%s", r.out);
	cli_result_free(&r);

	RUN(r, "a = alloc 200\nb = alloc 40\nc = alloc 100\nd = alloc 40\n"
	       "free $a\nfree $c\ne = alloc 90\nfree $b\n", "shell --after-each freelist");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "returned 272 (searched 1 element)\n")) TH_LOG("$c's hole: %s", r.out);
	EXPECT_TRUE(has(r.out, "list (sizesort+ order)")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "returned 0, freed 224, coalesced with neither neighbour: "
			"free block 224, 48 B\nfree list: 3 blocks"))
		TH_LOG("$b stays apart, free neighbours or not: %s", r.out);
	cli_result_free(&r);

	RUN(r, NULL, "policy segregated --order sizesort+");
	EXPECT_EQ(USAGE, r.status);
	EXPECT_TRUE(has(r.err, "only first, next, best and worst take --order")) TH_LOG("%s", r.err);
	cli_result_free(&r);
	RUN(r, NULL, "policy first --order nope");
	EXPECT_EQ(USAGE, r.status);
	EXPECT_TRUE(has(r.err, "unknown list order 'nope' (addrsort, sizesort+")) TH_LOG("%s", r.err);
	cli_result_free(&r);
	RUN(r, NULL, "policy --no-coalesce");
	EXPECT_EQ(USAGE, r.status);
	EXPECT_TRUE(has(r.err, "go with a policy NAME")) TH_LOG("%s", r.err);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated");
	EXPECT_EQ(OK, r.status);
	EXPECT_TRUE(has(r.out, "policy segregated (was first sizesort+ no-coalesce)\n")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

/* The line of @out that starts with @start (a JSON document), NUL-ended. */
static char *line_starting(char *out, const char *start)
{
	char *p = strstr(out, start), *nl;

	if (p && (nl = strchr(p, '\n')))
		*nl = '\0';
	return p;
}

/* frag's text value of "@key: N" (UINT64_MAX if absent). */
static uint64_t text_value(const char *text, const char *key)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "\n%s: ", key);
	p = strstr(text, want);
	return p ? strtoull(p + strlen(want), NULL, 10) : UINT64_MAX;
}

/*
 * owners, events and frag --json: valid JSON carrying what the text
 * shows, parsed back: the shell's own file among the owners with its
 * block, the refused allocation in the events with its errno and no
 * offset, frag's figures equal to the text's.
 */
TEST(tables_json)
{
	const struct jv *arr, *e, *found = NULL;
	struct cli_result r;
	char *doc, *text;
	int events_fd;
	struct jv *v;

	/* the ring records only while someone has the events file open */
	events_fd = open("/sys/kernel/debug/myheap/events", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, events_fd);
	RUN(r, "a = alloc 100\nexpect E2BIG alloc 900000000\nowners --json\n", "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	doc = line_starting(r.out, "{\"owners\":");
	ASSERT_NE(NULL, doc) TH_LOG("%s", r.out);
	v = json_of(doc);
	ASSERT_NE(NULL, v);
	arr = jv_get(v, "owners");
	ASSERT_TRUE(arr && arr->type == JV_ARR);
	for (size_t i = 0; i < arr->n; i++)
		if (json_u64(&arr->items[i], "blocks") == 1 &&
		    !strcmp(jv_str(&arr->items[i], "comm"), "myheap"))
			found = &arr->items[i];
	EXPECT_NE(NULL, found) TH_LOG("the shell holding $a: %s", doc);
	EXPECT_LE(1, json_u64(v, "open_files"));
	EXPECT_GE(arr->n, json_u64(v, "open_files"));
	jv_free(v);
	cli_result_free(&r);

	RUN(r, NULL, "events --json");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	v = json_of(r.out);
	ASSERT_NE(NULL, v);
	arr = jv_get(v, "events");
	ASSERT_TRUE(arr && arr->type == JV_ARR && arr->n > 0) TH_LOG("%s", r.out);
	found = NULL;
	for (size_t i = 0; i < arr->n; i++) {
		e = &arr->items[i];
		if (jv_str(e, "errno") && !strcmp(jv_str(e, "errno"), "E2BIG") &&
		    json_u64(e, "size") == 900000000)
			found = e;
	}
	ASSERT_NE(NULL, found) TH_LOG("the refused alloc: %s", r.out);
	EXPECT_STREQ("alloc", jv_str(found, "op"));
	EXPECT_EQ(JV_NULL, jv_get(found, "offset")->type);
	EXPECT_FALSE(jv_get(found, "ok")->b);
	/* refused before any search: a number, 0 (a free's is null) */
	ASSERT_NE(NULL, jv_get(found, "searched"));
	EXPECT_NE(JV_NULL, jv_get(found, "searched")->type);
	EXPECT_EQ(0, json_u64(found, "searched"));
	EXPECT_LE(arr->n, json_u64(v, "recorded"));
	jv_free(v);
	cli_result_free(&r);
	close(events_fd);

	RUN(r, NULL, "frag");
	text = strdup(r.out);
	cli_result_free(&r);
	RUN(r, NULL, "frag --json");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	v = json_of(r.out);
	ASSERT_NE(NULL, v);
	EXPECT_STREQ("segregated", jv_str(v, "policy"));
	EXPECT_EQ(text_value(text, "free_bytes"), json_u64(v, "free_bytes"));
	EXPECT_EQ(text_value(text, "largest_free"), json_u64(v, "largest_free"));
	EXPECT_EQ(text_value(text, "internal_frag_bytes"), json_u64(v, "internal_frag_bytes"));
	EXPECT_EQ(JV_NUM, jv_get(v, "external_frag")->type);
	arr = jv_get(v, "histogram");
	ASSERT_TRUE(arr && arr->type == JV_ARR && arr->n > 10);
	EXPECT_EQ(32, json_u64(&arr->items[0], "size"));
	arr = jv_get(v, "requests");
	ASSERT_TRUE(arr && arr->type == JV_ARR && arr->n > 0);
	EXPECT_EQ(16, json_u64(&arr->items[0], "size"));
	EXPECT_EQ(32, json_u64(&arr->items[0], "block"));
	EXPECT_TRUE(jv_get(&arr->items[0], "fits")->b);
	jv_free(v);
	free(text);
	cli_result_free(&r);
}

/*
 * stats --reset in a shell: the counters read zero afterwards and count
 * from there, the blocks the shell holds are still there; a stray operand
 * is a usage error.
 */
TEST(stats_reset)
{
	struct cli_result r;
	struct jv *v;
	char *doc;

	RUN(r, "a = alloc 100\nb = alloc 200\nfree $a\nexpect EALREADY free $a\n"
	       "stats --reset --json\nc = alloc 50\nstats --json\n", "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	doc = line_starting(r.out, "{\"policy\":");
	ASSERT_NE(NULL, doc) TH_LOG("%s", r.out);
	v = json_of(doc);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, json_u64(v, "allocs"));
	EXPECT_EQ(0, json_u64(v, "frees"));
	EXPECT_EQ(0, json_u64(v, "failed_frees"));
	EXPECT_EQ(0, json_u64(v, "splits"));
	EXPECT_EQ(0, json_u64(v, "searched"));
	EXPECT_LE(1, json_u64(v, "used_blocks")) TH_LOG("$b is still there");
	EXPECT_LE(300, json_u64(v, "peak_requested")) TH_LOG("peaks stay");
	jv_free(v);
	doc = line_starting(doc + strlen(doc) + 1, "{\"policy\":");
	ASSERT_NE(NULL, doc) TH_LOG("%s", r.out);
	v = json_of(doc);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(1, json_u64(v, "allocs")) TH_LOG("counting from zero: %s", doc);
	EXPECT_EQ(0, json_u64(v, "frees"));
	jv_free(v);
	cli_result_free(&r);

	RUN(r, NULL, "stats --reset now");
	EXPECT_EQ(USAGE, r.status);
	EXPECT_TRUE(has(r.err, "unexpected argument 'now'")) TH_LOG("%s", r.err);
	cli_result_free(&r);
}

/* Write @text as @dir/@file. */
static int write_text(const char *dir, const char *file, const char *text)
{
	char path[256];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fputs(text, f) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/*
 * The events file's format version: 1.0 had no searched column (null in
 * JSON), 1.1 has it, a major version the CLI does not know is refused
 * with the line it read. A fake debugfs directory stands in for the
 * module's, so each version is tested whatever the module prints.
 */
TEST(events_format_versions)
{
	static const char v10[] =
		"myheap events - version: 1.0\n"
		"# last 1024 of 1 events recorded; sizes in bytes, offsets of payloads\n"
		"#      seq            time op         offset new_offset       size     pid  owner result\n"
		"         0        3.064807 alloc           16          -        100      93      1 ok\n"
		"# end: 1 events, 0 overwritten while reading\n";
	static const char v11[] =
		"myheap events - version: 1.1\n"
		"# last 1024 of 1 events recorded; sizes in bytes, offsets of payloads\n"
		"#      seq            time op         offset new_offset       size     pid  owner result     searched\n"
		"         0        3.064807 alloc           16          -        100      93      1 ok                3\n"
		"# end: 1 events, 0 overwritten while reading\n";
	char dir[] = "/tmp/myheap-dfs.XXXXXX";
	const struct jv *arr;
	struct cli_result r;
	struct jv *v;

	ASSERT_NE(NULL, mkdtemp(dir));

	ASSERT_EQ(0, write_text(dir, "events", v10));
	RUN(r, NULL, "--debugfs %s events --json", dir);
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	v = json_of(r.out);
	ASSERT_NE(NULL, v);
	arr = jv_get(v, "events");
	ASSERT_TRUE(arr && arr->type == JV_ARR && arr->n == 1) TH_LOG("%s", r.out);
	EXPECT_EQ(16, json_u64(&arr->items[0], "offset"));
	EXPECT_EQ(JV_NULL, jv_get(&arr->items[0], "searched")->type);
	jv_free(v);
	cli_result_free(&r);

	ASSERT_EQ(0, write_text(dir, "events", v11));
	RUN(r, NULL, "--debugfs %s events --json", dir);
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	v = json_of(r.out);
	ASSERT_NE(NULL, v);
	arr = jv_get(v, "events");
	ASSERT_TRUE(arr && arr->type == JV_ARR && arr->n == 1) TH_LOG("%s", r.out);
	EXPECT_EQ(3, json_u64(&arr->items[0], "searched"));
	jv_free(v);
	cli_result_free(&r);

	ASSERT_EQ(0, write_text(dir, "events", "myheap events - version: 2.0\n"));
	RUN(r, NULL, "--debugfs %s events --json", dir);
	EXPECT_EQ(DEVICE, r.status);
	EXPECT_TRUE(has(r.err, "version: 2.0")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	cli_result_free(&r);

	ASSERT_EQ(0, write_text(dir, "events", "myheap events - version: 1.1x\n"));
	RUN(r, NULL, "--debugfs %s events --json", dir);
	EXPECT_EQ(DEVICE, r.status) TH_LOG("a malformed version: %s", r.out);
	cli_result_free(&r);

	snprintf(dir + strlen(dir), 8, "/events");
	unlink(dir);
	dir[strlen(dir) - 7] = '\0';
	rmdir(dir);
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
	/* The shell's names, with the block each names. */
	EXPECT_TRUE(has(r.out, "names:  $a 16 (1008 B)  $b 1024 (3008 B)")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	RUN(r, NULL, "watch --iterations 2 --interval 0.1 --rows 2");
	EXPECT_EQ(OK, r.status);
	EXPECT_TRUE(strstr(strstr(r.out, "myheap watch") + 1, "myheap watch") != NULL)
		TH_LOG("two frames");
	cli_result_free(&r);
}

/* How often @needle occurs in @hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

TEST(step_mode_reports_each_operation)
{
	struct cli_result r;

	RUN(r, NULL, "policy first");
	cli_result_free(&r);
	RUN(r, "a = alloc 100\nb = alloc 200\nfree $a\nc = alloc 5000000\nc = alloc 40\n",
	    "shell --after-each freelist,stats");
	EXPECT_EQ(FAILED, r.status) TH_LOG("the 5 MB alloc fails: %s", r.err);
	/* each alloc splits its block: the rest stays free right after it */
	EXPECT_TRUE(has(r.out, "returned 16 (searched 1 element), split: ") &&
		    has(r.out, " B left free at 128\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "returned 128 (searched 1 element), split: ") &&
		    has(r.out, " B left free at 336\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "returned 0, freed 16, coalesced with neither neighbour: "
			"free block 16, 112 B\n")) TH_LOG("free: %s", r.out);
	/* First fit walks the address-ordered list: $a's hole, then the top. */
	EXPECT_TRUE(has(r.out, "returned -1 (E2BIG)") || has(r.out, "returned -1 (ENOMEM)"))
		TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "returned 16 (searched 1 element), split: 64 B left free at 64\nfree list: 2 blocks"))
		TH_LOG("c reuses a's hole, 48 of its 112 bytes: %s", r.out);
	EXPECT_TRUE(has(r.out, "list (address order): [ 16 (hdr 8) 112 B $a (stale) ]"))
		TH_LOG("the freed block carries its stale name: %s", r.out);
	EXPECT_EQ(5, count(r.out, "\nstats: ")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated");
	cli_result_free(&r);
}

/*
 * Step mode says what each free coalesced with and how each realloc
 * resized, under first fit: a hole alone, merged with its right and its
 * left neighbour; a move whose old block merges with the hole before it;
 * a shrink whose tail merges with the free top; a growth into it.
 */
TEST(step_mode_reports_frees_and_reallocs)
{
	struct cli_result r;

	RUN(r, NULL, "policy first");
	cli_result_free(&r);
	RUN(r, "a = alloc 100\nb = alloc 100\nc = alloc 100\nd = alloc 100\n"
	       "e = alloc 100\nfree $b\nfree $a\nfree $c\nrealloc $d 5000\n"
	       "realloc $d 150\nrealloc $d 300\n", "shell --step");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "returned 0, freed 128, coalesced with neither neighbour: "
			"free block 128, 112 B\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "returned 0, freed 16, coalesced with right 128: "
			"free block 16, 224 B\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "returned 0, freed 240, coalesced with left 16: "
			"free block 16, 336 B\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, " (searched 2 elements), moved; its old block coalesced with "
			"left 16: free block 16, 448 B, split: ")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, " (searched 0 elements), shrank: its tail (4848 B) "
			"coalesced with right ")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, " (searched 0 elements), grew into right ")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated");
	cli_result_free(&r);
}

/* free --json and realloc --json carry the report, as objects. */
TEST(free_and_realloc_json_reports)
{
	const struct jv *fr, *how;
	struct cli_result r;
	struct jv *v;
	char *doc;

	RUN(r, NULL, "policy first");
	cli_result_free(&r);
	RUN(r, "a = alloc 100\nb = alloc 100\nc = alloc 100\nfree $a --json\n"
	       "realloc $b 5000 --json\n", "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	doc = line_starting(r.out, "{\"op\":\"free\"");
	ASSERT_NE(NULL, doc) TH_LOG("%s", r.out);
	v = json_of(doc);
	ASSERT_NE(NULL, v);
	fr = jv_get(v, "freed");
	ASSERT_NE(NULL, fr) TH_LOG("%s", doc);
	EXPECT_EQ(0, jv_get(fr, "outcome")->n) TH_LOG("%s", doc);
	EXPECT_EQ(16, json_u64(jv_get(fr, "block"), "offset"));
	EXPECT_EQ(112, json_u64(jv_get(fr, "block"), "size"));
	EXPECT_EQ(JV_NULL, jv_get(fr, "left")->type);
	jv_free(v);
	doc = line_starting(doc + strlen(doc) + 1, "{\"op\":\"realloc\"");
	ASSERT_NE(NULL, doc) TH_LOG("%s", r.out);
	v = json_of(doc);
	ASSERT_NE(NULL, v);
	how = jv_get(v, "how");
	ASSERT_NE(NULL, how);
	ASSERT_EQ(1, how->n) TH_LOG("%s", doc);
	EXPECT_STREQ("moved", how->items[0].str);
	fr = jv_get(v, "freed");
	ASSERT_NE(NULL, fr);
	EXPECT_EQ(16, json_u64(jv_get(fr, "block"), "offset")) TH_LOG("%s", doc);
	EXPECT_EQ(224, json_u64(jv_get(fr, "block"), "size"));
	EXPECT_EQ(16, json_u64(jv_get(fr, "left"), "offset"));
	jv_free(v);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated");
	cli_result_free(&r);
}

/*
 * Buddy's step line counts its merges. The empty heap is one tile of
 * each power of two, so with the 128- and 256-byte tiles taken, a third
 * small block splits the 512-byte one; freeing it merges with its free
 * buddy above (128 B), then with that pair's (256 B): two merges, both
 * on the right, back to the whole 512-byte block.
 */
TEST(step_mode_reports_buddy_merges)
{
	struct cli_result r;

	RUN(r, NULL, "policy buddy");
	cli_result_free(&r);
	RUN(r, "a = alloc 100\nb = alloc 200\nc = alloc 100\nfree $c\n", "shell --step");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "returned 0, freed ") &&
		    has(r.out, ", coalesced with right ") &&
		    has(r.out, " (2 buddy merges): free block ") &&
		    has(r.out, ", 512 B\n")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated");
	cli_result_free(&r);
}

/*
 * Under pools a small block is a slot of a run: free --json names the
 * run and no free block while the run stays in use.
 */
TEST(free_json_reports_a_slot)
{
	const struct jv *fr, *outcome;
	struct cli_result r;
	char script[600 * 12 + 64], *doc;
	size_t n = 0;
	struct jv *v;

	for (int i = 0; i < 600; i++)
		n += snprintf(script + n, sizeof(script) - n, "alloc 110\n");
	snprintf(script + n, sizeof(script) - n, "x = alloc 110\nfree $x --json\n");
	RUN(r, NULL, "policy pools");
	cli_result_free(&r);
	RUN(r, script, "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	doc = line_starting(r.out, "{\"op\":\"free\"");
	ASSERT_NE(NULL, doc) TH_LOG("%s", r.err);
	v = json_of(doc);
	ASSERT_NE(NULL, v);
	fr = jv_get(v, "freed");
	ASSERT_NE(NULL, fr) TH_LOG("%s", doc);
	outcome = jv_get(fr, "outcome");
	ASSERT_NE(NULL, outcome);
	ASSERT_EQ(1, outcome->n) TH_LOG("a slot of a run that stays: %s", doc);
	EXPECT_STREQ("slot", outcome->items[0].str);
	EXPECT_NE(UINT64_MAX, json_u64(jv_get(fr, "run"), "offset")) TH_LOG("%s", doc);
	EXPECT_EQ(JV_NULL, jv_get(fr, "block")->type) TH_LOG("%s", doc);
	jv_free(v);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated");
	cli_result_free(&r);
}

TEST(step_mode_json)
{
	struct cli_result r;
	struct jv *v;
	const struct jv *fl;
	char *line;
	int steps = 0;

	RUN(r, "a = alloc 100\nfree $a\nexpect EALREADY free $a\n", "--json shell --step");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	for (char *save = NULL, *p = r.out; (line = strtok_r(p, "\n", &save)); p = NULL) {
		v = json_of(line);
		ASSERT_NE(NULL, v) TH_LOG("every line is a JSON document: %s", line);
		if (jv_get(v, "step")) {
			steps++;
			fl = jv_get(v, "freelist");
			EXPECT_NE(NULL, fl);
			EXPECT_NE(NULL, jv_get(fl, "lists"));
			if (steps == 1) {
				EXPECT_EQ(16, json_u64(v, "returned"));
				EXPECT_EQ(1, json_u64(v, "searched"));
				EXPECT_EQ(1, json_u64(v, "splits"));
				EXPECT_NE(NULL, jv_get(v, "split"));
				EXPECT_NE(UINT64_MAX, json_u64(jv_get(v, "split"), "offset"));
			}
			if (steps == 3) {
				const struct jv *e = jv_get(v, "errno");

				EXPECT_TRUE(e && e->type == JV_STR && !strcmp(e->str, "EALREADY"))
					TH_LOG("%s", line);
			}
		} else if (jv_get(v, "op") && !strcmp(jv_get(v, "op")->str, "alloc")) {
			EXPECT_EQ(1, json_u64(v, "searched")) TH_LOG("alloc --json has searched");
		}
		jv_free(v);
	}
	EXPECT_EQ(3, steps);
	cli_result_free(&r);
}

TEST(names_in_dump_and_freelist)
{
	struct cli_result r;
	struct jv *v;

	RUN(r, "a = alloc 100\nb = alloc 200\nfree $b\ndump\nfreelist\n", "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "#   payload")) TH_LOG("%s", r.out);
	/* $a: payload 16, header at 8; $b's block is free now: stale. */
	EXPECT_TRUE(has(r.out, "        16         8 ")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, " ok $a\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "$b (stale)")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	RUN(r, "a = alloc 100\nfree $a\nfreelist --json\n", "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	v = json_of(strstr(r.out, "{"));
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(has(r.out, "\"payload\":16,\"offset\":8,")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "\"name\":\"$a (stale)\"")) TH_LOG("%s", r.out);
	jv_free(v);
	cli_result_free(&r);
}

/*
 * Pools: freelist, freelist --json and the step view show the run lists
 * (a class's runs with a free slot, the slot it hands out next and the
 * variable that named it); dump names a slot by its offset (no header).
 * Sixty blocks of 125 bytes first: then the 128-byte class carves a run.
 */
TEST(pools_runs_in_freelist)
{
	char script[2048] = "policy pools\n";
	struct cli_result r;
	struct jv *v;
	int i;

	for (i = 0; i < 60; i++)
		strcat(script, "alloc 125\n");
	strcat(script, "a = alloc 125\nb = alloc 124\nfree $b\nfreelist\ndump\n"
		       "freelist --json\n");
	RUN(r, script, "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "\nslot class 7 (128 bytes), 15 slots a run:\n"
			"        run        8648  14 free, next slot 8800 $b (stale)\n"
			"# total: 1 free blocks, 4183600 bytes; 1 run with a free slot, 14 free slots\n"))
		TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "\n       8672      8672        128   0        125        128 slot "))
		TH_LOG("a slot's payload is its offset: %s", r.out);
	EXPECT_TRUE(has(r.out, " ok $a\n")) TH_LOG("%s", r.out);
	v = json_of(strstr(r.out, "{"));
	ASSERT_NE(NULL, v) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "\"runs\":[{\"class\":7,\"slot_size\":128,\"slots_per_run\":15,"
			"\"runs\":[{\"offset\":8648,\"free\":14,\"next_slot\":8800,"
			"\"name\":\"$b (stale)\"}]}]")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "\"runs\":1,\"free_slots\":14}")) TH_LOG("%s", r.out);
	jv_free(v);
	cli_result_free(&r);
	RUN(r, script, "shell --step");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "free list: 1 block, 4183600 bytes; 1 run with a free slot, 14 free slots\n"
			"  class 239 (4063232..4194303 bytes): [ 10704 (hdr 10696) 4183600 B ]\n"
			"  slot class 7 (128 bytes, 15 a run): [ run 8648: 14 free, next slot 8800 $b (stale) ]\n"))
		TH_LOG("%s", r.out);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated");
	cli_result_free(&r);
}

TEST(stale_variables_are_refused)
{
	struct cli_result r;

	/* $b freed, f allocated at its place: free $b must not free f's block. */
	RUN(r, "a = alloc 100\nb = alloc 200\nfree $b\nf = alloc 150\nusable $f\n"
	       "free $b\nusable $f\nexpect ESTALE free $b\nvars\n", "shell");
	EXPECT_EQ(USAGE, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.err, "$b is stale")) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.err, "is now $f's")) TH_LOG("%s", r.err);
	EXPECT_EQ(2, count(r.out, "150 requested")) TH_LOG("f's block survived: %s", r.out);
	EXPECT_TRUE(has(r.out, "refused as expected: ESTALE"));
	EXPECT_TRUE(has(r.out, "$b = 128   (stale: reused")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	/* Freed, not reused: refused, but expect may show the kernel's EALREADY. */
	RUN(r, "a = alloc 100\nfree $a\nfree $a\nexpect EALREADY free $a\n", "shell");
	EXPECT_EQ(USAGE, r.status);
	EXPECT_TRUE(has(r.err, "expect EALREADY free $a")) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "refused as expected: EALREADY")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

TEST(realloc_moves_its_variable)
{
	struct cli_result r;

	RUN(r, "a = alloc 100\nb = alloc 100\nrealloc $a 5000\nusable $a\nvars\n"
	       "x = realloc $b 9000\nusable $x\nvars\n", "shell");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "moved")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "5000 requested")) TH_LOG("$a followed its block: %s", r.out);
	EXPECT_TRUE(has(r.out, "9000 requested")) TH_LOG("%s", r.out);
	EXPECT_FALSE(has(r.out, "$a = 16\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "$b = 128   (stale: freed at line 6)")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

TEST(errors_before_side_effects)
{
	struct cli_result r;

	RUN(r, "a = alloc 100\nb = free $a\n9x = alloc 10\nusable $a\nfree $a\n", "shell");
	EXPECT_EQ(USAGE, r.status);
	EXPECT_TRUE(has(r.err, "'free' gives no offset to assign to b")) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.err, "'9x' is not a variable name")) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "100 requested")) TH_LOG("$a was not freed: %s", r.out);
	EXPECT_TRUE(has(r.out, "freed offset 16")) TH_LOG("%s", r.out);
	EXPECT_EQ(0, count(r.out, "offset 16: 10 bytes")) TH_LOG("9x's alloc never ran");
	cli_result_free(&r);
}

TEST(offset_arithmetic_never_wraps)
{
	struct cli_result r;

	RUN(r, "a = alloc 100\nfree $a-100\nfree $a+18446744073709551615\nfree $a-x\n", "shell");
	EXPECT_EQ(USAGE, r.status);
	EXPECT_TRUE(has(r.err, "'$a-100' is 16 - 100, below offset 0")) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.err, "past the largest offset")) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.err, "'$a-x' is not an offset")) TH_LOG("%s", r.err);
	EXPECT_FALSE(has(r.err, "18446744073709551532"));
	cli_result_free(&r);
}

TEST(shell_timeline_one_row_per_op)
{
	struct cli_result r;
	char *svg;

	unlink("/tmp/shell-tl.svg");
	RUN(r, "a = alloc 100\nb = alloc 200\nfree $a\nrealloc $b 900\nexpect E2BIG alloc 5M\n"
	       "vars\n", "shell --timeline /tmp/shell-tl.svg");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "timeline: /tmp/shell-tl.svg (5 rows)")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	svg = read_file("/tmp/shell-tl.svg", NULL);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(5, count(svg, "<rect class=\"op\"")) TH_LOG("one row per heap op");
	EXPECT_TRUE(has(svg, "b = alloc 200")) TH_LOG("rows named by the shell line");
	free(svg);
	RUN(r, "a = alloc 100\n", "shell --timeline /tmp/x.txt");
	EXPECT_EQ(USAGE, r.status);
	EXPECT_FALSE(has(r.out, "offset 16")) TH_LOG("refused before anything ran");
	cli_result_free(&r);
}

TEST(gen_is_reproducible)
{
	struct cli_result r1, r2, r3;

	RUN(r1, NULL, "gen --seed 42 --ops 50 --sizes 8-4K --free-ratio 0.4");
	RUN(r2, NULL, "gen --seed 42 --ops 50 --sizes 8-4K --free-ratio 0.4");
	RUN(r3, NULL, "gen --seed 43 --ops 50 --sizes 8-4K --free-ratio 0.4");
	EXPECT_EQ(OK, r1.status) TH_LOG("%s", r1.err);
	EXPECT_STREQ(r1.out, r2.out);
	EXPECT_STRNE(r1.out, r3.out);
	EXPECT_EQ(50, count(r1.out, " = alloc ") + count(r1.out, "free $"));
	cli_result_free(&r3);
	/* The script runs as it is: every free names a live block. */
	RUN(r3, r1.out, "shell -e");
	EXPECT_EQ(OK, r3.status) TH_LOG("%s", r3.err);
	cli_result_free(&r1);
	cli_result_free(&r2);
	cli_result_free(&r3);
	/* A trace: the malloclab header, and it replays. */
	RUN(r1, NULL, "gen --seed 5 --ops 30 --sizes 16,100,1K --balance --format trace -o /tmp/gen.rep");
	EXPECT_EQ(OK, r1.status) TH_LOG("%s", r1.err);
	cli_result_free(&r1);
	RUN(r1, NULL, "replay /tmp/gen.rep");
	EXPECT_EQ(OK, r1.status) TH_LOG("%s%s", r1.out, r1.err);
	cli_result_free(&r1);
}

TEST(quiz_asks_before_it_shows)
{
	struct cli_result r;
	const char *q, *a;

	RUN(r, NULL, "gen --seed 1 --ops 3 --free-ratio 0 -o /tmp/quiz.sh");
	cli_result_free(&r);
	RUN(r, "16\n\n-1\n", "quiz /tmp/quiz.sh");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	q = strstr(r.out, "op 1: p0 = alloc");
	a = strstr(r.out, "returned 16");
	ASSERT_NE(NULL, q) TH_LOG("%s", r.out);
	ASSERT_NE(NULL, a) TH_LOG("%s", r.out);
	EXPECT_LT(q, a) TH_LOG("the question comes before the answer");
	EXPECT_LT(strstr(r.out, "Enter shows it: 16"), a);
	EXPECT_TRUE(has(r.out, "right: 16")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "not quite: you said -1")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "quiz: 1 of 3 right")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	/* Without a script: the generator's stream, same seed same questions. */
	RUN(r, "\n\n", "quiz --seed 1 --ops 2 --free-ratio 0");
	EXPECT_TRUE(has(r.out, "op 2: p1 = alloc")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

TEST(buddy_explains_e2big)
{
	struct cli_result r;

	RUN(r, NULL, "policy buddy");
	EXPECT_EQ(OK, r.status) TH_LOG("%s", r.err);
	cli_result_free(&r);
	RUN(r, NULL, "alloc 2M");
	EXPECT_EQ(FAILED, r.status);
	EXPECT_TRUE(has(r.err, "[E2BIG]"));
	EXPECT_TRUE(has(r.err, "need a block of 4.0 MiB")) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.err, "holds is 2.0 MiB")) TH_LOG("%s", r.err);
	cli_result_free(&r);
	RUN(r, NULL, "frag");
	EXPECT_TRUE(has(r.out, "buddy:")) TH_LOG("the 50%% is explained: %s", r.out);
	cli_result_free(&r);
	RUN(r, NULL, "policy segregated");
	cli_result_free(&r);
}

TEST_HARNESS_MAIN
