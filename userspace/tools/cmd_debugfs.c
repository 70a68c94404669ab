// SPDX-License-Identifier: GPL-2.0
/*
 * Commands that show the module's debugfs files: dump (blocks,
 * blocks.json), freelist, frag, owners, events. The kernel formats them;
 * these commands only find and print them, so the CLI and `cat` agree.
 * frag --json is built from MYHEAP_IOC_STATS, which has the same figures.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"
#include "views.h"

static int show_file(struct cli *cli, const char *name)
{
	char *text = cli_debugfs_read(cli, name, NULL);

	if (!text)
		return EXIT_DEVICE;
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}

/* Options of a debugfs command; --json only where @json_ok. */
static int parse(int argc, char **argv, const char *help, bool json_ok,
		 bool *json)
{
	int ret = cli_no_args(argc, argv, help, json);

	if (ret >= 0)
		return ret;
	if (*json && !json_ok)
		return cli_usage(argv[0], "has no --json form (the debugfs file is text only)");
	return -1;
}

static const char dump_help[] =
	"usage: myheap dump [--json]\n"
	"\n"
	"The block layout: one line per block in address order (debugfs\n"
	"myheap/blocks): its payload offset (the block's name: what alloc\n"
	"returned), the header offset where the block starts, size, header,\n"
	"requested and granted payload, state, owner, header status and, in\n"
	"a shell, the variable naming it ($b (stale) once freed). --json prints\n"
	"blocks.json instead (header offsets; payload at offset + header_size).\n";

int cmd_dump(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, dump_help, true, &json);

	if (ret >= 0)
		return ret;
	return json ? show_file(cli, "blocks.json") : view_dump(cli);
}

static const char freelist_help[] =
	"usage: myheap freelist [--json]\n"
	"\n"
	"The free lists in search order with their blocks (debugfs\n"
	"myheap/freelist): one list for first/next/best/worst fit (next fit's\n"
	"rover marked), each class for segregated fit, each order for buddy.\n"
	"Each block by its payload offset, its header offset beside it, and in\n"
	"a shell the (stale) variable that named it. --json: the same, with\n"
	"\"payload\", \"offset\", \"size\", \"name\" and \"rover\" per block.\n";

int cmd_freelist(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, freelist_help, true, &json);

	if (ret >= 0)
		return ret;
	return json ? view_freelist_json(cli) : view_freelist(cli);
}

static const char owners_help[] =
	"usage: myheap owners\n"
	"\n"
	"Per open file of the device: pid, command, blocks, bytes and peak bytes\n"
	"(debugfs myheap/owners).\n";

int cmd_owners(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, owners_help, false, &json);

	return ret >= 0 ? ret : show_file(cli, "owners");
}

static const char events_help[] =
	"usage: myheap events\n"
	"\n"
	"The last allocations, frees and reallocations with their results\n"
	"(debugfs myheap/events, a bounded ring).\n";

int cmd_events(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, events_help, false, &json);

	return ret >= 0 ? ret : show_file(cli, "events");
}

/* frag --json: the fragmentation figures of MYHEAP_IOC_STATS. */
static int frag_json(struct cli *cli)
{
	struct myheap_stats s;
	struct myheap *h = cli_heap(cli);
	struct json j;
	int ret;

	if (!h)
		return EXIT_DEVICE;
	ret = myheap_stats(h, &s);
	if (ret)
		return cli_fail(cli, ret, "frag");
	json_begin(&j, stdout);
	json_u64(&j, "free_bytes", s.free_bytes);
	json_u64(&j, "free_blocks", s.free_blocks);
	json_u64(&j, "largest_free", s.largest_free);
	json_u64(&j, "largest_alloc", s.largest_alloc);
	json_u64(&j, "internal_frag", s.internal_frag);
	json_dbl(&j, "external_frag", s.external_frag_ppm / 1e6);
	json_arr(&j, "free_hist");
	for (unsigned int i = 0; i < MYHEAP_HIST_BUCKETS; i++)
		json_u64(&j, NULL, s.free_hist[i]);
	json_arr_end(&j);
	/* Which power-of-two requests would succeed now (default alignment). */
	json_arr(&j, "requests");
	for (uint64_t size = 16; size <= (1u << 20); size <<= 1) {
		json_obj(&j, NULL);
		json_u64(&j, "size", size);
		json_bool(&j, "fits", size <= s.largest_alloc);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_end(&j);
	return EXIT_OK;
}

/*
 * Under buddy an empty heap looks fragmented, and big requests fail with
 * E2BIG: say why, with this heap's numbers.
 */
static void buddy_note(struct cli *cli)
{
	struct myheap_stats s;
	struct myheap *h = cli_heap(cli);
	char a[32], b[32];
	uint64_t top = 32;

	if (!h || myheap_stats(h, &s) || s.policy != (uint32_t)myheap_policy_parse("buddy"))
		return;
	while (top * 2 <= s.heap_size)
		top *= 2;
	printf("# buddy: blocks are powers of two that tile the heap, so the %" PRIu64 "-byte heap\n"
	       "# (the region less its pad and tail) is, empty, one free block of %s, one\n"
	       "# of half that, and so on down to 32 B: the largest free block is only\n"
	       "# %.1f%% of the free bytes, which 1 - largest/free counts as %.1f%% external\n"
	       "# fragmentation with nothing allocated. No block exceeds %s, so a request\n"
	       "# above %" PRIu64 " bytes (%s less the %" PRIu64 "-byte header) is E2BIG, never ENOMEM.\n",
	       (uint64_t)s.heap_size, cli_bytes(top, a, sizeof(a)),
	       100.0 * (double)top / (double)s.heap_size,
	       100.0 - 100.0 * (double)top / (double)s.heap_size, a,
	       top - (uint64_t)s.header_size, cli_bytes(top, b, sizeof(b)),
	       (uint64_t)s.header_size);
}

static const char frag_help[] =
	"usage: myheap frag [--json]\n"
	"\n"
	"Fragmentation: largest free block, external and internal\n"
	"fragmentation, the free-block histogram by power of two, and which\n"
	"request sizes can be satisfied now (debugfs myheap/frag). --json gives\n"
	"the same figures from MYHEAP_IOC_STATS.\n";

int cmd_frag(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, frag_help, true, &json);

	if (ret >= 0)
		return ret;
	if (json)
		return frag_json(cli);
	ret = show_file(cli, "frag");
	if (ret == EXIT_OK)
		buddy_note(cli);
	return ret;
}
