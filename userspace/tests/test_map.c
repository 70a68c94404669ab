// SPDX-License-Identifier: GPL-2.0
/*
 * myheap map: the SVG is well-formed XML with one <rect class="block"> per
 * block of the heap (as debugfs blocks.json lists them), free blocks grey,
 * damaged ones red; the PNG is a valid image of the same size.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_run.h"
#include "image_check.h"
#include "json_parse.h"
#include "kselftest_harness.h"
#include "myheap.h"

#define SVG "/tmp/test-map.svg"
#define PNG "/tmp/test-map.png"

static int count_state(const struct jv *doc, const char *state)
{
	const struct jv *blocks = jv_get(doc, "blocks");
	int n = 0;

	for (size_t i = 0; blocks && i < blocks->n; i++) {
		const struct jv *s = jv_get(&blocks->items[i], "state");

		n += s && s->type == JV_STR && !strcmp(s->str, state);
	}
	return n;
}

/* Check both files; the SVG's facts in @f. */
static int check_files(struct __test_metadata *_metadata, struct svg_facts *f)
{
	struct png_facts pf;
	char err[200], *svg;
	unsigned char *png;
	size_t len;

	svg = read_file(SVG, NULL);
	png = (unsigned char *)read_file(PNG, &len);
	EXPECT_NE(NULL, svg);
	EXPECT_NE(NULL, png);
	if (!svg || !png)
		return -1;
	EXPECT_EQ(0, svg_check(svg, f, err, sizeof(err))) TH_LOG("SVG: %s", err);
	EXPECT_EQ(0, png_check(png, len, &pf, err, sizeof(err))) TH_LOG("PNG: %s", err);
	EXPECT_EQ((unsigned int)f->width, pf.width);
	EXPECT_EQ((unsigned int)f->height, pf.height);
	EXPECT_GT(f->height, 100);
	free(svg);
	free(png);
	return 0;
}

TEST(map_of_the_live_heap_has_one_rect_per_block)
{
	struct myheap *h;
	struct svg_facts f;
	struct cli_result r;
	char err[200], *json;
	struct jv *doc;
	void *p[6];

	ASSERT_EQ(0, myheap_open(NULL, 0, &h));
	for (int i = 0; i < 6; i++) {
		ASSERT_NE(NULL, p[i] = myheap_malloc(h, 100 + 700 * i));
	}
	ASSERT_EQ(0, myheap_free(h, p[1]));	/* holes between used blocks */
	ASSERT_EQ(0, myheap_free(h, p[3]));
	ASSERT_EQ(0, cli_run(&r, NULL, "map --full -o " SVG " -o " PNG " --title test"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	cli_result_free(&r);
	json = read_file("/sys/kernel/debug/myheap/blocks.json", NULL);
	ASSERT_NE(NULL, json);
	doc = jv_parse(json, err, sizeof(err));
	ASSERT_NE(NULL, doc) TH_LOG("blocks.json: %s", err);
	ASSERT_EQ(0, check_files(_metadata, &f));
	EXPECT_EQ((int)jv_get(doc, "blocks")->n, f.blocks);
	EXPECT_EQ(count_state(doc, "free"), f.grey_blocks);
	EXPECT_EQ(0, f.red_blocks);
	EXPECT_GE(f.headers, 4) TH_LOG("headers of the blocks wide enough to show one");
	jv_free(doc);
	free(json);
	myheap_close(h);
}

TEST(map_view_ends_after_the_last_block_in_use)
{
	struct myheap *h;
	struct svg_facts f;
	struct cli_result r;
	char *svg;

	ASSERT_EQ(0, myheap_open(NULL, 0, &h));
	ASSERT_EQ(0, myheap_set_policy(h, MYHEAP_POLICY_BUDDY));
	/* Buddy leaves a run of free blocks after the first one. */
	ASSERT_NE(NULL, myheap_malloc(h, 40));
	ASSERT_EQ(0, cli_run(&r, NULL, "map -o " SVG " -o " PNG));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	cli_result_free(&r);
	ASSERT_EQ(0, check_files(_metadata, &f));
	svg = read_file(SVG, NULL);
	ASSERT_NE(NULL, svg);
	EXPECT_TRUE(has(svg, "not shown: ")) TH_LOG("the free tail is summed up");
	EXPECT_GE(f.blocks, 2);
	free(svg);
	myheap_close(h);
	ASSERT_EQ(0, myheap_open(NULL, 0, &h));
	EXPECT_EQ(0, myheap_set_policy(h, MYHEAP_POLICY_SEGREGATED));
	myheap_close(h);
}

static const char saved[] =
	"{\"format\": \"myheap-blocks\", \"version\": \"1.0\", \"policy\": \"first\",\n"
	" \"region_size\": 65536, \"header_size\": 8, \"blocks\": [\n"
	"  {\"offset\": 8, \"size\": 112, \"requested\": 100, \"state\": \"used\", \"pid\": 7, \"owner\": 1},\n"
	"  {\"offset\": 120, \"size\": 272, \"requested\": null, \"state\": \"free\", \"pid\": null, \"owner\": null},\n"
	"  {\"offset\": 392, \"size\": 528, \"requested\": 500, \"state\": \"used\", \"pid\": 8, \"owner\": 2},\n"
	"  {\"offset\": 920, \"size\": 64, \"requested\": null, \"state\": \"damaged\", \"pid\": null, \"owner\": null},\n"
	"  {\"offset\": 984, \"size\": 2048, \"requested\": 2000, \"state\": \"used\", \"pid\": 7, \"owner\": 1},\n"
	"  {\"offset\": 3032, \"size\": 62496, \"requested\": null, \"state\": \"free\", \"pid\": null, \"owner\": null}\n"
	" ], \"totals\": {}}\n";

TEST(map_of_a_saved_layout)
{
	struct svg_facts f;
	struct cli_result r;
	char *svg;
	FILE *out = fopen("/tmp/test-map.json", "w");

	ASSERT_NE(NULL, out);
	fputs(saved, out);
	fclose(out);
	ASSERT_EQ(0, cli_run(&r, NULL, "map --full --from /tmp/test-map.json -o " SVG " -o " PNG " --json"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_TRUE(has(r.out, "\"blocks\":6"));
	cli_result_free(&r);
	ASSERT_EQ(0, check_files(_metadata, &f));
	EXPECT_EQ(6, f.blocks);
	EXPECT_EQ(2, f.grey_blocks);
	EXPECT_EQ(1, f.red_blocks);
	EXPECT_EQ(5, f.headers) TH_LOG("every block but the damaged one");
	svg = read_file(SVG, NULL);
	ASSERT_NE(NULL, svg);
	EXPECT_TRUE(has(svg, "owner 1 (pid 7)"));
	EXPECT_TRUE(has(svg, "owner 2 (pid 8)"));
	EXPECT_TRUE(has(svg, "damaged header"));
	EXPECT_TRUE(has(svg, "external fragmentation"));
	EXPECT_TRUE(has(svg, "internal fragmentation 64 B")) TH_LOG("104+520+2040 granted, 2600 asked");
	EXPECT_TRUE(has(svg, ">992: 2.0 KiB<")) TH_LOG("named by payload offset, with its request");
	EXPECT_TRUE(has(svg, "block 16 (header at 8): 112 bytes, 100 requested"));
	EXPECT_TRUE(has(svg, ">free 272 B<"));
	EXPECT_TRUE(has(svg, "<rect class=\"slack\"")) TH_LOG("4 bytes of slack in block 16");
	EXPECT_TRUE(has(svg, ">0x00000<")) TH_LOG("rows labelled in hex");
	EXPECT_FALSE(has(svg, "class=\"ghost\"")) TH_LOG("no failed request asked for");
	free(svg);
	ASSERT_EQ(0, cli_run(&r, NULL, "map --from /tmp/test-map.json -o " SVG " --ghost 4K"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	cli_result_free(&r);
	svg = read_file(SVG, NULL);
	ASSERT_NE(NULL, svg);
	EXPECT_TRUE(has(svg, "<rect class=\"ghost\"")) TH_LOG("the failed request");
	EXPECT_TRUE(has(svg, "request of 4.0 KiB failed: the largest hole holds "));
	free(svg);
}

/* pools: a run (24 bytes of metadata, slots of 48 bytes, its map after). */
static const char saved_run[] =
	"{\"format\": \"myheap-blocks\", \"version\": \"1.0\", \"policy\": \"pools\",\n"
	" \"region_size\": 65536, \"header_size\": 8, \"blocks\": [\n"
	"  {\"offset\": 8, \"size\": 112, \"requested\": 100, \"state\": \"used\", \"pid\": 7, \"owner\": 1},\n"
	"  {\"offset\": 120, \"size\": 2048, \"requested\": 80, \"state\": \"run\", \"pid\": null, \"owner\": null,\n"
	"   \"slot_size\": 48, \"slots\": [{\"offset\": 144, \"requested\": 40, \"state\": \"used\", \"pid\": 7, \"owner\": 1},\n"
	"    {\"offset\": 192, \"requested\": null, \"state\": \"free\", \"pid\": null, \"owner\": null},\n"
	"    {\"offset\": 240, \"requested\": 40, \"state\": \"used\", \"pid\": 8, \"owner\": 2}]},\n"
	"  {\"offset\": 2168, \"size\": 63360, \"requested\": null, \"state\": \"free\", \"pid\": null, \"owner\": null}\n"
	" ], \"totals\": {}}\n";

/* A run is drawn as its slots, each in its owner's colour, headerless. */
TEST(map_draws_a_run_as_its_slots)
{
	struct svg_facts f;
	struct cli_result r;
	char *svg;
	FILE *out = fopen("/tmp/test-map-run.json", "w");

	ASSERT_NE(NULL, out);
	fputs(saved_run, out);
	fclose(out);
	ASSERT_EQ(0, cli_run(&r, NULL, "map --full --from /tmp/test-map-run.json -o " SVG " -o " PNG));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	cli_result_free(&r);
	ASSERT_EQ(0, check_files(_metadata, &f));
	/* block, metadata, 3 slots, the map's metadata, the free tail */
	EXPECT_EQ(7, f.blocks);
	EXPECT_EQ(2, f.grey_blocks) TH_LOG("the free slot and the free tail");
	EXPECT_EQ(2, f.headers) TH_LOG("slots have no header");
	svg = read_file(SVG, NULL);
	ASSERT_NE(NULL, svg);
	EXPECT_TRUE(has(svg, "slot 144 (no header): 48 bytes, 40 requested, owner 1 (pid 7"));
	EXPECT_TRUE(has(svg, "slot 240 (no header): 48 bytes, 40 requested, owner 2 (pid 8"));
	EXPECT_TRUE(has(svg, "free slot 192: 48 bytes"));
	EXPECT_TRUE(has(svg, "run metadata at 120: 24 bytes"));
	EXPECT_TRUE(has(svg, "header, run metadata"));
	EXPECT_TRUE(has(svg, "1 slots free"));
	free(svg);
	out = fopen("/tmp/test-map-run.json", "w");
	ASSERT_NE(NULL, out);
	/* a slot outside its run is refused */
	fputs("{\"format\": \"myheap-blocks\", \"policy\": \"pools\", \"region_size\": 65536,"
	      " \"header_size\": 8, \"blocks\": [{\"offset\": 8, \"size\": 2048, \"requested\": 1,"
	      " \"state\": \"run\", \"pid\": null, \"owner\": null, \"slot_size\": 48, \"slots\":"
	      " [{\"offset\": 4000, \"requested\": 1, \"state\": \"used\", \"pid\": 1, \"owner\": 1}]}]}",
	      out);
	fclose(out);
	ASSERT_EQ(0, cli_run(&r, NULL, "map --from /tmp/test-map-run.json -o " SVG));
	EXPECT_EQ(2, r.status);
	EXPECT_TRUE(has(r.err, "block record 0 is malformed"));
	cli_result_free(&r);
}

TEST(map_refuses_what_it_cannot_draw)
{
	struct cli_result r;
	FILE *out = fopen("/tmp/test-map-bad.json", "w");

	ASSERT_NE(NULL, out);
	fputs("{\"format\": \"something else\"}", out);
	fclose(out);
	ASSERT_EQ(0, cli_run(&r, NULL, "map --from /tmp/test-map-bad.json -o " SVG));
	EXPECT_EQ(2, r.status);
	EXPECT_TRUE(has(r.err, "not a myheap-blocks document"));
	cli_result_free(&r);
	ASSERT_EQ(0, cli_run(&r, NULL, "map --from /nonexistent.json -o " SVG));
	EXPECT_EQ(2, r.status);
	cli_result_free(&r);
	ASSERT_EQ(0, cli_run(&r, NULL, "map -o /nonexistent-dir/x.svg"));
	EXPECT_EQ(3, r.status) TH_LOG("an unwritable output is an I/O failure");
	cli_result_free(&r);
}

TEST(map_default_outputs)
{
	struct cli_result r;

	ASSERT_EQ(0, chdir("/tmp"));
	ASSERT_EQ(0, cli_run(&r, NULL, "map"));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_EQ(0, access("/tmp/myheap-map.svg", R_OK));
	EXPECT_EQ(0, access("/tmp/myheap-map.png", R_OK));
	cli_result_free(&r);
}

TEST_HARNESS_MAIN
