// SPDX-License-Identifier: GPL-2.0
/*
 * Commands on single blocks: alloc, free, realloc, usable; and fill/peek,
 * which write and read the region through the mapping (fill can scribble
 * over a header on purpose, to watch the kernel catch it), or, without a
 * mapping (private mode) or with --rw, through pwrite/pread on this open
 * file's own blocks only.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

static void one_shot_note(const struct cli *cli, bool json)
{
	if (!cli->session && !json)
		printf("(the block is freed when this command exits: blocks belong to the open file; use `myheap shell` to keep them)\n");
}

/* An alloc's or a realloc's result and report (@what says which). */
static void block_json(const struct cli *cli, const char *what, uint64_t offset,
		       uint64_t size, uint64_t usable)
{
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "op", what);
	json_u64(&j, "offset", offset);
	json_u64(&j, "size", size);
	json_u64(&j, "usable", usable);
	if (cli->searched >= 0)
		json_i64(&j, "searched", cli->searched);
	else
		json_null(&j, "searched");
	cli_split_json(cli, &j);
	if (!strcmp(what, "realloc"))
		cli_realloc_json(cli, &j);
	json_end(&j);
}

/*
 * Why E2BIG under buddy surprises: the block a request needs is its
 * payload plus the header, rounded up to a power of two, and the largest
 * power of two that fits the heap is at most half the region (4 MiB ->
 * 2 MiB block: `alloc 2M` needs 2 MiB + 8 -> a 4 MiB block).
 */
static void buddy_e2big_note(struct cli *cli, uint64_t size)
{
	struct myheap_info info;
	uint64_t need, top = 1;
	char a[32], b[32], c[32];

	if (myheap_get_info(cli->heap, &info) || info.policy != (uint32_t)myheap_policy_parse("buddy"))
		return;
	if (size > (UINT64_MAX >> 2))
		return;
	for (need = 32; need < size + info.header_size; need <<= 1)
		;
	while (top * 2 <= info.region_size - 16)	/* the heap: region less pad and tail */
		top <<= 1;
	fprintf(stderr, "myheap: buddy: %" PRIu64 " bytes plus the %u-byte header need a block of %s"
		" (a power of two); the largest block a %s region holds is %s\n",
		size, info.header_size, cli_bytes(need, a, sizeof(a)),
		cli_bytes(info.region_size, b, sizeof(b)), cli_bytes(top, c, sizeof(c)));
}

static const char alloc_help[] =
	"usage: myheap alloc SIZE [--align N] [--zero] [--json]\n"
	"\n"
	"Allocate SIZE bytes (K, M suffixes) and print the payload offset and\n"
	"the usable size. --align N: payload alignment, a power of two;\n"
	"--zero: zero the payload. In `myheap shell`, `NAME = alloc SIZE` keeps\n"
	"the offset as $NAME. --json adds what the allocation did in OSTEP's\n"
	"terms: \"searched\" (the free blocks it examined), \"splits\" (the free\n"
	"blocks it split) and \"split\" ({\"offset\", \"size\"} of the free block\n"
	"the last split left, or null).\n";

int cmd_alloc(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "align", required_argument, NULL, 'a' },
		{ "zero", no_argument, NULL, 'z' },
		CLI_STD_OPTIONS, { 0 }
	};
	uint64_t size, align = 0, off, usable;
	struct myheap_alloc a;
	bool json = cli->json;
	uint32_t flags = 0;
	int64_t before;
	struct myheap *h;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!cli_size(argv[0], "--align", optarg, &align))
				return EXIT_USAGE;
			break;
		case 'z':
			flags |= MYHEAP_ALLOC_ZERO;
			break;
		default:
			ret = cli_std_opt(c, argv[0], alloc_help, &json);
			if (ret >= 0)
				return ret;
		}
	}
	if (argc - optind != 1)
		return cli_usage(argv[0], "needs exactly one SIZE");
	if (!cli_size(argv[0], "SIZE", argv[optind], &size))
		return EXIT_USAGE;
	h = cli_heap(cli);
	if (!h)
		return EXIT_DEVICE;
	a = (struct myheap_alloc){ .size = size, .align = align, .flags = flags };
	before = cli_searched_now(cli);
	cli->requested = size;
	cli->splits = -1;
	ret = myheap_off_alloc_report(h, &a);
	cli->searched = cli_searched_since(cli, before);
	off = a.offset;
	usable = a.usable;
	if (!ret && cli_alloc_reports(cli)) {
		cli->searched = a.searched;
		cli->splits = a.splits;
		cli->split_offset = a.split_offset;
		cli->split_size = a.split_size;
	}
	if (ret) {
		ret = cli_fail(cli, ret, "alloc %s", argv[optind]);
		if (cli->last_errno == E2BIG)
			buddy_e2big_note(cli, size);
		return ret;
	}
	cli->result = off;
	cli->has_result = true;
	cli->usable = usable;
	cli_vars_allocated(cli, off);
	if (json) {
		block_json(cli, "alloc", off, size, usable);
	} else {
		printf("offset %" PRIu64 ": %" PRIu64 " bytes (%" PRIu64 " usable)\n",
		       off, size, usable);
		one_shot_note(cli, json);
	}
	return EXIT_OK;
}

/* The one OFFSET argument of free and usable. */
static int one_offset(struct cli *cli, int argc, char **argv, const char *help,
		      bool *json, uint64_t *off)
{
	int ret = cli_std_args(argc, argv, help, json);

	if (ret >= 0)
		return ret;
	if (argc - optind != 1)
		return cli_usage(argv[0], "needs exactly one OFFSET");
	if (!cli_offset(cli, argv[0], argv[optind], off))
		return EXIT_USAGE;
	return -1;
}

static const char free_help[] =
	"usage: myheap free OFFSET [--json]\n"
	"\n"
	"Free the block whose payload starts at OFFSET (decimal, 0x hex, or\n"
	"$NAME[+-N] in a shell). The block must belong to this open file, so\n"
	"this is useful inside `myheap shell`. Refusals: EALREADY double free,\n"
	"EBADMSG no valid header there (bad magic), ENXIO not a block, EPERM\n"
	"another file's block. --json adds what the free did in OSTEP's terms\n"
	"(a module with the free-report feature): \"freed\": {\"outcome\" (of\n"
	"\"left\", \"right\": the free neighbours it coalesced with; \"slot\",\n"
	"\"run\" under pools), \"merges\", \"freed_size\", and \"block\" (the free\n"
	"block that resulted), \"left\", \"right\", \"run\" as {\"offset\", \"size\"}\n"
	"or null}.\n";

int cmd_free(struct cli *cli, int argc, char **argv)
{
	bool json = cli->json;
	struct myheap *h;
	struct json j;
	uint64_t off;
	int ret;

	ret = one_offset(cli, argc, argv, free_help, &json, &off);
	if (ret >= 0)
		return ret;
	h = cli_heap(cli);
	if (!h)
		return EXIT_DEVICE;
	cli->op_off = off;
	ret = myheap_off_free_report(h, off, &cli->freed);
	if (ret)
		return cli_fail(cli, ret, "free %" PRIu64, off);
	cli->freed_known = cli_has_feature(cli, MYHEAP_FEATURE_FREE_REPORT);
	cli_vars_freed(cli, off);
	if (json) {
		json_begin(&j, stdout);
		json_str(&j, "op", "free");
		json_u64(&j, "offset", off);
		if (cli->freed_known)
			cli_freed_json(&cli->freed, &j, "freed");
		else
			json_null(&j, "freed");
		json_end(&j);
	} else {
		printf("freed offset %" PRIu64 "\n", off);
	}
	return EXIT_OK;
}

static const char realloc_help[] =
	"usage: myheap realloc OFFSET SIZE [--json]\n"
	"\n"
	"Resize the block at OFFSET to SIZE bytes, in place when possible; print\n"
	"its offset now. The first min(old, new) bytes are kept. In a shell,\n"
	"`realloc $NAME SIZE` moves $NAME along with its block; after\n"
	"`NEW = realloc $OLD SIZE` a moved block's old name is stale.\n"
	"--json adds how it resized (a module with the realloc-report feature):\n"
	"\"how\" (of \"moved\", \"grew\", \"shrank\", \"slid\"; empty: in place),\n"
	"\"searched\", \"splits\", \"split\" as for alloc, \"left\" and \"right\"\n"
	"(the free neighbours it grew into, {\"offset\", \"size\"} or null) and\n"
	"\"freed\" (a move's old block, a shrink's tail: what its free did, as\n"
	"free --json says, or null).\n";

int cmd_realloc(struct cli *cli, int argc, char **argv)
{
	uint64_t off, size, noff, usable;
	struct myheap_realloc *r = &cli->realloc;
	bool json = cli->json;
	struct myheap *h;
	int64_t before;
	int ret;

	ret = cli_std_args(argc, argv, realloc_help, &json);
	if (ret >= 0)
		return ret;
	if (argc - optind != 2)
		return cli_usage(argv[0], "needs OFFSET and SIZE");
	if (!cli_offset(cli, argv[0], argv[optind], &off) ||
	    !cli_size(argv[0], "SIZE", argv[optind + 1], &size))
		return EXIT_USAGE;
	h = cli_heap(cli);
	if (!h)
		return EXIT_DEVICE;
	cli->splits = -1;
	before = cli_searched_now(cli);
	cli->op_off = off;
	cli->requested = size;
	*r = (struct myheap_realloc){ .offset = off, .size = size };
	ret = myheap_off_realloc_report(h, r);
	cli->searched = cli_searched_since(cli, before);
	noff = r->new_offset;
	usable = r->usable;
	if (ret)
		return cli_fail(cli, ret, "realloc %" PRIu64 " to %" PRIu64, off, size);
	cli->realloc_known = cli_has_feature(cli, MYHEAP_FEATURE_REALLOC_REPORT);
	if (cli->realloc_known) {
		cli->searched = r->searched;
		cli->splits = r->splits;
		cli->split_offset = r->split_offset;
		cli->split_size = r->split_size;
	}
	cli->result = noff;
	cli->has_result = true;
	cli->usable = usable;
	cli_vars_moved(cli, off, noff);
	if (json)
		block_json(cli, "realloc", noff, size, usable);
	else
		printf("offset %" PRIu64 ": %" PRIu64 " bytes (%" PRIu64 " usable)%s\n",
		       noff, size, usable, noff == off ? ", in place" : ", moved");
	return EXIT_OK;
}

static const char usable_help[] =
	"usage: myheap usable OFFSET [--json]\n"
	"\n"
	"Usable and requested bytes of a block of this open file.\n";

int cmd_usable(struct cli *cli, int argc, char **argv)
{
	uint64_t off, usable, requested;
	bool json = cli->json;
	struct myheap *h;
	struct json j;
	int ret;

	ret = one_offset(cli, argc, argv, usable_help, &json, &off);
	if (ret >= 0)
		return ret;
	h = cli_heap(cli);
	if (!h)
		return EXIT_DEVICE;
	ret = myheap_off_usable_size(h, off, &usable, &requested);
	if (ret)
		return cli_fail(cli, ret, "usable %" PRIu64, off);
	if (json) {
		json_begin(&j, stdout);
		json_u64(&j, "offset", off);
		json_u64(&j, "usable", usable);
		json_u64(&j, "requested", requested);
		json_end(&j);
	} else {
		printf("offset %" PRIu64 ": %" PRIu64 " usable, %" PRIu64 " requested\n",
		       off, usable, requested);
	}
	return EXIT_OK;
}

/* The standard options plus --rw, for fill and peek. */
#define RW_OPTIONS CLI_STD_OPTIONS, { "rw", no_argument, NULL, 'r' }

/*
 * OFFSET and LEN for fill and peek; *rw tells whether they go through
 * pwrite/pread (asked for, or no mapping) or through the mapping, where
 * they must lie inside it.
 */
static int region_range(struct cli *cli, char **argv, struct myheap **h,
			uint64_t *off, uint64_t *len, bool *rw)
{
	if (!cli_offset(cli, argv[0], argv[optind], off) ||
	    !cli_size(argv[0], "LEN", argv[optind + 1], len))
		return EXIT_USAGE;
	*h = cli_heap(cli);
	if (!*h)
		return EXIT_DEVICE;
	if (!myheap_base(*h))
		*rw = true;
	if (*rw) {
		/* The kernel bounds it by the block; keep the buffer sane. */
		if (*len > (64u << 20))
			return cli_usage(argv[0], "LEN above 64 MiB through read/write");
		return -1;
	}
	if (*off > myheap_mapped_size(*h) || *len > myheap_mapped_size(*h) - *off)
		return cli_usage(argv[0], "%" PRIu64 " bytes at %" PRIu64
				 " run past the %zu-byte mapping", *len, *off,
				 myheap_mapped_size(*h));
	return -1;
}

static const char fill_help[] =
	"usage: myheap fill [--rw] OFFSET LEN BYTE\n"
	"\n"
	"Write BYTE (0-255, decimal or 0x hex) over LEN bytes at OFFSET.\n"
	"\n"
	"Through the shared mapping, any offset of the region is allowed,\n"
	"headers included: this is how to damage a header on purpose and watch\n"
	"the kernel refuse it (EBADMSG, EUCLEAN) and `myheap check` report it.\n"
	"\n"
	"Without the mapping (the module in private mode, mmap=0) or with --rw,\n"
	"the bytes go through pwrite(2), which the kernel allows only inside a\n"
	"block of this open file (so within one `myheap shell` session): EPERM\n"
	"for another file's block, EALREADY a free one, ENXIO a header or no\n"
	"block, EINVAL a range past the block's usable size.\n"
	"\n"
	"  --rw   use pwrite even when the region is mapped\n";

int cmd_fill(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { RW_OPTIONS, { 0 } };
	uint64_t off, len, byte;
	bool json = cli->json, rw = false;
	struct myheap *h;
	unsigned char *buf;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r') {
			rw = true;
			continue;
		}
		ret = cli_std_opt(c, argv[0], fill_help, &json);
		if (ret >= 0)
			return ret;
	}
	if (argc - optind != 3)
		return cli_usage(argv[0], "needs OFFSET, LEN and BYTE");
	if (!cli_size(argv[0], "BYTE", argv[optind + 2], &byte))
		return EXIT_USAGE;
	if (byte > 255)
		return cli_usage(argv[0], "BYTE must be 0..255");
	ret = region_range(cli, argv, &h, &off, &len, &rw);
	if (ret >= 0)
		return ret;
	if (rw) {
		buf = malloc(len ? len : 1);
		if (!buf)
			return cli_fail(cli, -ENOMEM, "fill");
		memset(buf, (int)byte, len);
		ret = myheap_write(h, off, buf, len);
		free(buf);
		if (ret)
			return cli_fail(cli, ret, "fill %" PRIu64 " bytes at %" PRIu64
					" (pwrite: this file's own blocks only)", len, off);
	} else {
		memset((char *)myheap_base(h) + off, (int)byte, len);
	}
	if (!json)
		printf("wrote %" PRIu64 " bytes of 0x%02" PRIx64 " at offset %" PRIu64 "%s\n",
		       len, byte, off, rw ? " (pwrite)" : "");
	return EXIT_OK;
}

static const char peek_help[] =
	"usage: myheap peek [--rw] OFFSET LEN\n"
	"\n"
	"Hex dump of LEN bytes at OFFSET, read through the shared mapping (any\n"
	"offset of the region). Without the mapping (private mode, mmap=0) or\n"
	"with --rw, read with pread(2): only inside a block of this open file,\n"
	"with the errors of `myheap fill`.\n"
	"\n"
	"  --rw   use pread even when the region is mapped\n";

int cmd_peek(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { RW_OPTIONS, { 0 } };
	bool json = cli->json, rw = false;
	unsigned char *copy = NULL;
	const unsigned char *p;
	uint64_t off, len;
	struct myheap *h;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r') {
			rw = true;
			continue;
		}
		ret = cli_std_opt(c, argv[0], peek_help, &json);
		if (ret >= 0)
			return ret;
	}
	if (argc - optind != 2)
		return cli_usage(argv[0], "needs OFFSET and LEN");
	ret = region_range(cli, argv, &h, &off, &len, &rw);
	if (ret >= 0)
		return ret;
	if (rw) {
		copy = malloc(len ? len : 1);
		if (!copy)
			return cli_fail(cli, -ENOMEM, "peek");
		ret = myheap_read(h, off, copy, len);
		if (ret) {
			free(copy);
			return cli_fail(cli, ret, "peek %" PRIu64 " bytes at %" PRIu64
					" (pread: this file's own blocks only)", len, off);
		}
		p = copy;
	} else {
		p = (const unsigned char *)myheap_base(h) + off;
	}
	for (uint64_t i = 0; i < len; i += 16) {
		printf("%08" PRIx64 " ", off + i);
		for (uint64_t k = i; k < i + 16; k++) {
			if (k < len)
				printf(" %02x", p[k]);
			else
				fputs("   ", stdout);
		}
		printf("  |");
		for (uint64_t k = i; k < i + 16 && k < len; k++)
			putchar(isprint(p[k]) ? p[k] : '.');
		printf("|\n");
	}
	free(copy);
	return EXIT_OK;
}
