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
#include <unistd.h>

#include "cli_run.h"
#include "image_check.h"
#include "json_parse.h"
#include "replay_json.h"
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
	EXPECT_EQ(0, replay_json_check(doc, err, sizeof(err))) TH_LOG("mh-replay's shape: %s", err);
	EXPECT_EQ(4, jv_get(doc, "runs")->n);
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

/*
 * Run @cmd, which must succeed and say @said; the SVG it wrote to @path,
 * checked well-formed, with its facts in @f (NULL if there is none).
 */
static char *svg_of(struct __test_metadata *_metadata, const char *cmd,
		    const char *said, const char *path, struct svg_facts *f)
{
	struct cli_result r;
	char err[200], *svg;

	if (cli_run(&r, NULL, "%s", cmd))
		return NULL;
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, said)) TH_LOG("%s", r.out);
	cli_result_free(&r);
	svg = read_file(path, NULL);
	if (svg)
		EXPECT_EQ(0, svg_check(svg, f, err, sizeof(err))) TH_LOG("%s", err);
	return svg;
}

TEST(map_at_peak)
{
	struct svg_facts f;
	struct cli_result r;
	char *svg;

	svg = svg_of(_metadata, "replay short2-bal --map-at-peak /tmp/peak.svg",
		     "map at the high-water mark: /tmp/peak.svg", "/tmp/peak.svg", &f);
	ASSERT_NE(NULL, svg);
	EXPECT_TRUE(has(svg, "short2-bal under segregated before op "));
	EXPECT_TRUE(has(svg, "the heap grows to its final "));
	EXPECT_TRUE(has(svg, "class=\"ghost\"")) TH_LOG("the request no hole took");
	EXPECT_TRUE(has(svg, "went past every hole"));
	EXPECT_GE(f.blocks, 2);
	free(svg);
	/* Several runs: one file each, named after trace and policy. */
	ASSERT_EQ(0, cli_run(&r, NULL, "replay short1-bal short2-bal --map-at-peak /tmp/peak.png"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "/tmp/peak-short1-bal-segregated.png"));
	EXPECT_TRUE(has(r.out, "/tmp/peak-short2-bal-segregated.png"));
	cli_result_free(&r);
}

static int count(const char *haystack, const char *needle)
{
	int n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Six ops, four block lifetimes (a realloc ends one and starts one). */
static const char small_trace[] =
	"4096\n3\n6\n1\n"
	"a 0 100\na 1 200\nf 0\na 2 50\nr 1 400\nf 1\n";

TEST(timeline_has_one_row_per_op)
{
	struct svg_facts f;
	struct png_facts pf;
	struct cli_result r;
	char err[200], *svg;
	unsigned char *png;
	size_t len;

	write_trace("/tmp/tl.rep", small_trace);
	unlink("/tmp/tl.svg");
	unlink("/tmp/tl.png");
	svg = svg_of(_metadata, "replay /tmp/tl.rep --timeline /tmp/tl.svg",
		     "timeline: /tmp/tl.svg (6 rows)", "/tmp/tl.svg", &f);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(6, count(svg, "<rect class=\"op\"")) TH_LOG("one row per op");
	EXPECT_EQ(4, f.blocks) TH_LOG("one bar per block lifetime");
	EXPECT_EQ(4, count(svg, "<rect class=\"event\"")) TH_LOG("3 allocs, 1 realloc");
	EXPECT_EQ(2, count(svg, "<rect class=\"ghost\"")) TH_LOG("2 frees with a block");
	EXPECT_TRUE(has(svg, "    1 a 0 100 -&gt; "));
	EXPECT_TRUE(has(svg, "    3 f 0<"));
	EXPECT_TRUE(has(svg, "    5 r 1 400 -&gt; "));
	EXPECT_TRUE(has(svg, "tl under "));
	free(svg);
	ASSERT_EQ(0, cli_run(&r, NULL, "replay /tmp/tl.rep --timeline /tmp/tl.png"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	cli_result_free(&r);
	png = (unsigned char *)read_file("/tmp/tl.png", &len);
	ASSERT_NE(NULL, png);
	EXPECT_EQ(0, png_check(png, len, &pf, err, sizeof(err))) TH_LOG("PNG: %s", err);
	EXPECT_EQ((unsigned int)f.width, pf.width) TH_LOG("the SVG's geometry");
	EXPECT_EQ((unsigned int)f.height, pf.height);
	free(png);
}

TEST(timeline_shows_the_refused_request)
{
	struct cli_result r;
	char *svg;

	write_trace("/tmp/tl-fail.rep", "4096\n2\n3\n1\na 0 100\na 1 2000000000\nf 0\n");
	ASSERT_EQ(0, cli_run(&r, NULL, "replay /tmp/tl-fail.rep --timeline /tmp/tl-fail.svg"));
	EXPECT_EQ(1, r.status) TH_LOG("the refused op fails the replay");
	cli_result_free(&r);
	svg = read_file("/tmp/tl-fail.svg", NULL);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(2, count(svg, "<rect class=\"op\"")) TH_LOG("the replay stops at the refused op");
	EXPECT_EQ(1, count(svg, "<rect class=\"ghost\"")) TH_LOG("the refused request, dashed");
	EXPECT_TRUE(has(svg, "    2 a 1 2000000000: E")) TH_LOG("its errno by name");
	free(svg);
}

/*
 * --step: after each op, the op, what it returned in OSTEP's terms and
 * the free list (the shell's step report); --dump-each N every Nth op; a
 * refused op is reported before the replay stops.
 */
TEST(step_through_a_trace)
{
	struct cli_result r;

	write_trace("/tmp/step.rep", small_trace);
	ASSERT_EQ(0, cli_run(&r, NULL, "replay --policy first --step /tmp/step.rep"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "step under first: 6 ops, a report after every 1 op\n"))
		TH_LOG("%s", r.out);
	EXPECT_EQ(6, count(r.out, "\nreturned ")) TH_LOG("%s", r.out);
	EXPECT_EQ(6, count(r.out, "\nfree list: ")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "op 1: alloc block 0, 100 bytes\nreturned 16 (searched 1 element), split: "))
		TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, " B left free at 128\nfree list: ")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "op 3: free block 0\nreturned 0, freed 16, coalesced with "
			"neither neighbour: free block 16, 112 B\n")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "op 5: realloc block 1, 400 bytes\nreturned 128 (searched 0 "
			"elements), grew into right ")) TH_LOG("%s", r.out);
	EXPECT_TRUE(has(r.out, "\nstep             first")) TH_LOG("the usual table after");
	cli_result_free(&r);

	ASSERT_EQ(0, cli_run(&r, NULL, "replay --policy first --dump-each 2 --after-each stats /tmp/step.rep"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(3, count(r.out, "\nreturned ")) TH_LOG("%s", r.out);
	EXPECT_EQ(3, count(r.out, "\nstats: ")) TH_LOG("%s", r.out);
	EXPECT_EQ(0, count(r.out, "free list: ")) TH_LOG("the views asked for only");
	EXPECT_TRUE(has(r.out, "op 2: alloc block 1, 200 bytes\nreturned "));
	EXPECT_FALSE(has(r.out, "op 1:"));
	cli_result_free(&r);

	write_trace("/tmp/step-fail.rep", "4096\n2\n3\n1\na 0 100\na 1 2000000000\nf 0\n");
	ASSERT_EQ(0, cli_run(&r, NULL, "replay --step /tmp/step-fail.rep"));
	EXPECT_EQ(1, r.status);
	EXPECT_TRUE(has(r.out, "op 2: alloc block 1, 2000000000 bytes\nreturned -1 (E2BIG)"))
		TH_LOG("%s", r.out);
	EXPECT_FALSE(has(r.out, "op 3:")) TH_LOG("the replay stops there");
	cli_result_free(&r);

	ASSERT_EQ(0, cli_run(&r, NULL, "replay --dump-each 0 /tmp/step.rep"));
	EXPECT_EQ(2, r.status);
	EXPECT_TRUE(has(r.err, "--dump-each '0': want a number of ops")) TH_LOG("%s", r.err);
	cli_result_free(&r);
	ASSERT_EQ(0, cli_run(&r, NULL, "replay --step --json /tmp/step.rep"));
	EXPECT_EQ(2, r.status);
	cli_result_free(&r);
	ASSERT_EQ(0, cli_run(&r, NULL, "replay --after-each pictures /tmp/step.rep"));
	EXPECT_EQ(2, r.status);
	EXPECT_TRUE(has(r.err, "'pictures' is not a view")) TH_LOG("%s", r.err);
	cli_result_free(&r);
}

TEST(timeline_refuses_other_file_types)
{
	struct cli_result r;

	ASSERT_EQ(0, cli_run(&r, NULL, "replay short1-bal --timeline /tmp/tl.jpg"));
	EXPECT_EQ(2, r.status);
	EXPECT_TRUE(has(r.err, "must end in .svg or .png")) TH_LOG("%s", r.err);
	cli_result_free(&r);
}

TEST_HARNESS_MAIN
