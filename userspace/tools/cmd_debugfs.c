// SPDX-License-Identifier: GPL-2.0
/*
 * Commands that show the module's debugfs files: dump (blocks,
 * blocks.json), freelist, frag, owners, events. The kernel formats them;
 * these commands only find and print them, so the CLI and `cat` agree.
 * Their --json forms are the kernel's blocks.json, or built from the same
 * text (views.c, tables_json.c).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"
#include "tables_json.h"
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

/* Options of a debugfs command: --json and --help. */
static int parse(int argc, char **argv, const char *help, bool *json)
{
	return cli_no_args(argc, argv, help, json);
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
	int ret = parse(argc, argv, dump_help, &json);

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
	"a shell the (stale) variable that named it. Under pools, then each\n"
	"slot class's runs with a free slot: the run's offset, its free slots\n"
	"and the slot it hands out next (named as a block is). --json: the\n"
	"same, with \"payload\", \"offset\", \"size\", \"name\" and \"rover\" per\n"
	"block, and \"runs\": per slot class \"class\", \"slot_size\",\n"
	"\"slots_per_run\" and its \"runs\" (\"offset\", \"free\", \"next_slot\",\n"
	"\"name\").\n";

int cmd_freelist(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, freelist_help, &json);

	if (ret >= 0)
		return ret;
	return json ? view_freelist_json(cli) : view_freelist(cli);
}

static const char owners_help[] =
	"usage: myheap owners [--json]\n"
	"\n"
	"Per open file of the device: pid, command, blocks, bytes and peak bytes\n"
	"(debugfs myheap/owners). --json: {\"owners\": [{\"owner\", \"pid\",\n"
	"\"blocks\", \"bytes\", \"peak_bytes\", \"comm\"}], \"open_files\"}.\n";

int cmd_owners(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, owners_help, &json);

	if (ret >= 0)
		return ret;
	return json ? view_owners_json(cli) : show_file(cli, "owners");
}

static const char events_help[] =
	"usage: myheap events [--json]\n"
	"\n"
	"The last allocations, frees and reallocations with their results\n"
	"(debugfs myheap/events, a bounded ring). --json: {\"events\": [{\"seq\",\n"
	"\"time_us\", \"op\", \"offset\", \"new_offset\", \"size\", \"pid\", \"owner\",\n"
	"\"ok\", \"errno\"}], \"ring\", \"recorded\", \"overwritten\"}; a column\n"
	"the text shows as - is null.\n";

int cmd_events(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, events_help, &json);

	if (ret >= 0)
		return ret;
	return json ? view_events_json(cli) : show_file(cli, "events");
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
	"the same figures under the same names (percentages as ratios 0..1),\n"
	"\"histogram\": [{\"size\", \"blocks\"}] and \"requests\": [{\"size\",\n"
	"\"block\", \"fits\", \"unusable\"}].\n";

int cmd_frag(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	int ret = parse(argc, argv, frag_help, &json);

	if (ret >= 0)
		return ret;
	if (json)
		return view_frag_json(cli);
	ret = show_file(cli, "frag");
	if (ret == EXIT_OK)
		buddy_note(cli);
	return ret;
}
