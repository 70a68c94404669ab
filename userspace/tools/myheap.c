// SPDX-License-Identifier: GPL-2.0
/*
 * myheap: look at and drive the kernel heap of /dev/myheap (see myheap(1)).
 *
 *   myheap [--device PATH] [--debugfs DIR] [--json] [--no-color] COMMAND ...
 *
 * This file holds the command table and the global options; each command
 * lives in a cmd_*.c file.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_DEBUGFS "/sys/kernel/debug/myheap"

const struct cli_cmd cli_cmds[] = {
	{ "info", "", "ABI version, features, region geometry, policy", cmd_info },
	{ "alloc", "SIZE [--align N] [--zero]", "allocate a block, print its offset", cmd_alloc },
	{ "free", "OFFSET", "free a block", cmd_free },
	{ "realloc", "OFFSET SIZE", "resize a block, print its offset now", cmd_realloc },
	{ "usable", "OFFSET", "usable and requested bytes of a block", cmd_usable },
	{ "fill", "[--rw] OFFSET LEN BYTE", "write BYTE over LEN bytes (mapping, or pwrite)", cmd_fill },
	{ "peek", "[--rw] OFFSET LEN", "hex dump of LEN bytes (mapping, or pread)", cmd_peek },
	{ "stats", "", "statistics of the whole heap", cmd_stats },
	{ "check", "", "run the integrity checker (exit 4 on violations)", cmd_check },
	{ "dump", "", "the block layout (debugfs blocks)", cmd_dump },
	{ "freelist", "", "the free lists in search order (debugfs freelist)", cmd_freelist },
	{ "frag", "", "fragmentation figures (debugfs frag)", cmd_frag },
	{ "owners", "", "blocks and bytes per open file (debugfs owners)", cmd_owners },
	{ "events", "", "the last heap events (debugfs events)", cmd_events },
	{ "policy", "[NAME]", "show or change the placement policy", cmd_policy },
	{ "watch", "[--once | --iterations N]", "live view of the heap", cmd_watch },
	{ "map", "[-o FILE.svg|FILE.png]...", "draw the block layout as SVG or PNG", cmd_map },
	{ "replay", "TRACE... [--policy NAME]", "run malloclab traces through the device", cmd_replay },
	{ "run", "[--policy NAME] -- PROG [ARGS]", "run a program with its heap on the device", cmd_run },
	{ "record", "[-o TRACE] -- PROG [ARGS]", "record a program's allocations as a trace", cmd_record },
	{ "shell", "[--step] [SCRIPT]", "a session: commands from stdin or SCRIPT, blocks kept", cmd_shell },
	{ "quiz", "[SCRIPT | --seed N ...]", "what does each operation return? (malloc.py's quiz)", cmd_quiz },
	{ "gen", "[--seed N] [--ops K] ...", "a seeded random op stream: shell script or trace", cmd_gen },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_cmd *cli_find(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *to)
{
	fprintf(to,
		"usage: myheap [--device PATH] [--debugfs DIR] [--json] [--no-color] COMMAND [ARGS]\n"
		"\n"
		"Drive and inspect the kernel heap of /dev/myheap (myheap.ko).\n"
		"\n"
		"commands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(to, "  %-8s %-36s %s\n", c->name, c->synopsis, c->summary);
	fprintf(to,
		"\n"
		"Every command takes --help; most take --json. Sizes accept K, M, G.\n"
		"Blocks belong to the open file: a one-shot `myheap alloc` frees its\n"
		"block when it exits; use `myheap shell` to keep them.\n"
		"With the module in private mode (mmap=0) there is no mapping: fill,\n"
		"peek and replay use pwrite/pread on this file's own blocks only.\n"
		"\n"
		"exit status: 0 ok, 1 refused by the heap, 2 usage, 3 device or\n"
		"debugfs unusable, 4 integrity check or replay verification failed\n");
}

int cli_dispatch(struct cli *cli, int argc, char **argv)
{
	const struct cli_cmd *cmd = cli_find(argv[0]);

	if (!cmd) {
		cli_err("unknown command '%s' (see myheap --help)", argv[0]);
		return EXIT_USAGE;
	}
	if ((!strcmp(cmd->name, "shell") || !strcmp(cmd->name, "quiz")) && cli->session) {
		cli_err("already in a shell session");
		return EXIT_USAGE;
	}
	optind = 0;	/* glibc: full getopt reset, for each shell line */
	return cmd->run(cli, argc, argv);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "debugfs", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct cli cli = { .debugfs = DEFAULT_DEBUGFS, .splits = -1 };
	bool no_color = getenv("NO_COLOR") != NULL;
	int c, ret;

	/* "+": options after the command are the command's. */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': cli.device = optarg; break;
		case 'D': cli.debugfs = optarg; break;
		case 'j': cli.json = true; break;
		case 'C': no_color = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V':
			printf("myheap %d.%d (ABI version %d)\n", LIBMYHEAP_VERSION_MAJOR,
			       LIBMYHEAP_VERSION_MINOR, MYHEAP_ABI_VERSION);
			return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cli.color = !no_color && isatty(STDOUT_FILENO);
	ret = cli_dispatch(&cli, argc - optind, argv + optind);
	/*
	 * Closing the heap can make the kernel log a line (blocks freed at
	 * close); on a shared console it must not cut into our last output.
	 */
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
	myheap_close(cli.heap);
	return ret;
}
