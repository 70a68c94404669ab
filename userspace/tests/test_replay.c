// SPDX-License-Identifier: GPL-2.0
/*
 * myheap replay: malloclab traces through the device. Utilization and
 * peak payload against what the trace itself implies, several policies
 * side by side, malformed and impossible traces refused with the right
 * exit code, the map at the peak.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "image_check.h"
#include "json_parse.h"
#include "kselftest_harness.h"

static void write_trace(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static const struct jv *run_at(const struct jv *doc, size_t i)
{
	const struct jv *runs = jv_get(doc, "runs");

	return runs && i < runs->n ? &runs->items[i] : NULL;
}

static double num(const struct jv *obj, const char *key)
{
	const struct jv *v = jv_get(obj, key);

	return v && v->type == JV_NUM ? v->num : -1;
}

TEST(short_traces_verify_and_score)
{
	/* Peak payloads from tests/traces/malloclab/tracestats.txt. */
	static const struct { const char *name; double peak; } traces[] = {
		{ "short1-bal", 8144 }, { "short2-bal", 18314 },
		{ "short1", 8144 }, { "short2", 18314 },
	};
	struct cli_result r;
	char err[200];
	struct jv *doc;

	ASSERT_EQ(0, cli_run(&r, NULL, "replay --json short1-bal short2-bal short1 short2"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	doc = jv_parse(r.out, err, sizeof(err));
	ASSERT_NE(NULL, doc) TH_LOG("%s: %s", err, r.out);
	for (size_t i = 0; i < 4; i++) {
		const struct jv *run = run_at(doc, i);
		double util = num(run, "utilization");

		ASSERT_NE(NULL, run);
		EXPECT_STREQ(traces[i].name, jv_get(run, "trace")->str);
		EXPECT_TRUE(jv_get(run, "ok")->b) TH_LOG("%s", traces[i].name);
		EXPECT_EQ(12, num(run, "ops"));
		EXPECT_EQ(traces[i].peak, num(run, "peak_payload"));
		EXPECT_TRUE(util > 0.5 && util <= 1.0) TH_LOG("%s: %f", traces[i].name, util);
		EXPECT_GE(num(run, "high_water"), traces[i].peak);
	}
	jv_free(doc);
	cli_result_free(&r);
}

/* A fixture only for TEST_F_TIMEOUT: a default trace takes a while under TCG. */
FIXTURE(slow) {
	int unused;
};

FIXTURE_SETUP(slow)
{
}

FIXTURE_TEARDOWN(slow)
{
}

TEST_F_TIMEOUT(slow, a_default_trace_under_two_policies, 300)
{
	struct cli_result r;

	ASSERT_EQ(0, cli_run(&r, NULL, "replay --policy first,segregated amptjp-bal short1-bal"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "utilization")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "first segregated")) TH_LOG("side by side: %s", r.out);
	EXPECT_TRUE(has(r.out, "average"));
	EXPECT_FALSE(has(r.out, "not live"));
	cli_result_free(&r);
	ASSERT_EQ(0, cli_run(&r, NULL, "policy"));
	EXPECT_TRUE(has(r.out, "policy segregated")) TH_LOG("the last policy stays");
	cli_result_free(&r);
}

TEST(no_verify_still_scores)
{
	struct cli_result r;

	ASSERT_EQ(0, cli_run(&r, NULL, "replay --no-verify --no-progress short2-bal"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "short2-bal"));
	EXPECT_TRUE(has(r.out, " ok"));
	cli_result_free(&r);
}

TEST(malformed_traces_are_usage_errors)
{
	static const char *const bad[] = {
		"20000\n2\n3\n1\na 0 10\nx 1\nf 0\n",	/* unknown op */
		"20000\n2\n3\n1\na 0 10\na 5 10\nf 0\n",	/* id out of range */
		"20000\n2\n3\n1\na 0 10\n",		/* fewer ops than announced */
		"20000\n2\n",				/* truncated header */
		"20000\n2\n1\n1\nf\n",			/* free without an id */
	};
	struct cli_result r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_trace("/tmp/bad.rep", bad[i]);
		ASSERT_EQ(0, cli_run(&r, NULL, "replay /tmp/bad.rep"));
		EXPECT_EQ(2, r.status) TH_LOG("case %zu: %s", i, r.err);
		EXPECT_TRUE(has(r.err, "/tmp/bad.rep:")) TH_LOG("case %zu: %s", i, r.err);
		cli_result_free(&r);
	}
}

TEST(impossible_traces_fail_with_the_reason)
{
	struct cli_result r;

	write_trace("/tmp/notlive.rep", "0\n2\n2\n1\na 0 10\nf 1\n");
	ASSERT_EQ(0, cli_run(&r, NULL, "replay /tmp/notlive.rep"));
	EXPECT_EQ(1, r.status);
	EXPECT_TRUE(has(r.out, "not live")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	write_trace("/tmp/huge.rep", "0\n1\n2\n1\na 0 1000000000\nf 0\n");
	ASSERT_EQ(0, cli_run(&r, NULL, "replay /tmp/huge.rep --json"));
	EXPECT_EQ(1, r.status);
	EXPECT_TRUE(has(r.out, "\"ok\":false"));
	EXPECT_TRUE(has(r.out, "larger than the heap could ever hold")) TH_LOG("%s", r.out);
	cli_result_free(&r);
	/* Nothing of a failed replay stays allocated. */
	ASSERT_EQ(0, cli_run(&r, NULL, "stats --json"));
	EXPECT_TRUE(has(r.out, "\"used_blocks\":0")) TH_LOG("%s", r.out);
	cli_result_free(&r);
}

TEST(map_at_peak)
{
	struct svg_facts f;
	struct cli_result r;
	char err[200], *svg;

	ASSERT_EQ(0, cli_run(&r, NULL, "replay short2-bal --map-at-peak /tmp/peak.svg"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "map at peak: /tmp/peak.svg"));
	cli_result_free(&r);
	svg = read_file("/tmp/peak.svg", NULL);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(0, svg_check(svg, &f, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_TRUE(has(svg, "short2-bal under segregated at its peak payload"));
	EXPECT_GE(f.blocks, 6) TH_LOG("short2-bal has 6 blocks live at its peak");
	free(svg);
	/* Several runs: one file each, named after trace and policy. */
	ASSERT_EQ(0, cli_run(&r, NULL, "replay short1-bal short2-bal --map-at-peak /tmp/peak.png"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "/tmp/peak-short1-bal-segregated.png"));
	EXPECT_TRUE(has(r.out, "/tmp/peak-short2-bal-segregated.png"));
	cli_result_free(&r);
}

TEST_HARNESS_MAIN
