// SPDX-License-Identifier: GPL-2.0
/*
 * myheap gen: a seeded random stream of allocations and frees, written as
 * a myheap shell script (p0 = alloc 123 ... free $p0) or a malloclab trace
 * (tests/traces/malloclab/README.md), for step mode, quizzes and replays.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gen.h"

#define GEN_MAX_OPS 100000

struct gen_op {
	char kind;	/* 'a' or 'f' */
	uint32_t id;
	uint64_t size;
};

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) (n > 0), without modulo bias. */
static uint64_t below(uint64_t *state, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, r;

	do
		r = next_rand(state);
	while (r >= limit);
	return r % n;
}

void gen_defaults(struct gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ops = 10;
	o->sizes[0] = 16;
	o->sizes[1] = 512;
	o->nsizes = 2;
	o->range = true;
	o->free_ratio = 0.5;
}

static int parse_sizes(struct gen_opts *o, const char *cmd, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL, *dash;
	int ret = 1;

	if (!copy)
		return -1;
	o->nsizes = 0;
	o->range = false;
	dash = strchr(copy, '-');
	if (dash && !strchr(copy, ',')) {
		*dash = '\0';
		o->range = true;
		if (!cli_size(cmd, "--sizes MIN", copy, &o->sizes[0]) ||
		    !cli_size(cmd, "--sizes MAX", dash + 1, &o->sizes[1]))
			ret = -1;
		else if (!o->sizes[0] || o->sizes[0] > o->sizes[1])
			ret = (cli_usage(cmd, "--sizes %s: want 1 <= MIN <= MAX", arg), -1);
		o->nsizes = 2;
		free(copy);
		return ret;
	}
	for (tok = strtok_r(copy, ",", &save); tok && ret > 0; tok = strtok_r(NULL, ",", &save)) {
		if (o->nsizes == GEN_MAX_SIZES)
			ret = (cli_usage(cmd, "--sizes: at most %d sizes", GEN_MAX_SIZES), -1);
		else if (!cli_size(cmd, "--sizes", tok, &o->sizes[o->nsizes]))
			ret = -1;
		else if (!o->sizes[o->nsizes++])
			ret = (cli_usage(cmd, "--sizes: a size of 0 is no request"), -1);
	}
	if (ret > 0 && !o->nsizes)
		ret = (cli_usage(cmd, "--sizes needs MIN-MAX or a list A,B,C"), -1);
	free(copy);
	return ret;
}

int gen_option(struct gen_opts *o, const char *cmd, int c, const char *arg)
{
	char *end;
	double f;
	uint64_t n;

	switch (c) {
	case 0x100:
		errno = 0;
		o->seed = strtoull(arg, &end, 0);
		if (errno || *end || !*arg || *arg == '-')
			return cli_usage(cmd, "--seed: '%s' is not a number", arg), -1;
		return 1;
	case 0x101:
		if (!cli_size(cmd, "--ops", arg, &n))
			return -1;
		if (!n || n > GEN_MAX_OPS)
			return cli_usage(cmd, "--ops: 1 to %d", GEN_MAX_OPS), -1;
		o->ops = (unsigned int)n;
		return 1;
	case 0x102:
		return parse_sizes(o, cmd, arg);
	case 0x103:
		errno = 0;
		f = strtod(arg, &end);
		if (errno || *end || end == arg || !(f >= 0 && f <= 1))
			return cli_usage(cmd, "--free-ratio: '%s' is not a number from 0 to 1", arg), -1;
		o->free_ratio = f;
		return 1;
	case 0x104:
		o->balance = true;
		return 1;
	}
	return 0;
}

/* The stream, in memory: the trace header needs its counts first. */
static struct gen_op *generate(const struct gen_opts *o, unsigned int *nops,
			       uint32_t *nids, uint64_t *peak)
{
	struct gen_op *ops = calloc((size_t)o->ops * 2 + 1, sizeof(*ops));
	uint32_t *live = calloc(o->ops + 1, sizeof(*live));
	uint64_t *size = calloc(o->ops + 1, sizeof(*size));
	uint64_t state = o->seed, bytes = 0;
	unsigned int n = 0, nlive = 0;
	uint32_t id = 0;

	*peak = 0;
	*nops = 0;
	*nids = 0;
	if (!ops || !live || !size) {
		free(ops);
		ops = NULL;
		goto out;
	}
	for (unsigned int i = 0; i < o->ops; i++) {
		/* The free-or-alloc draw is made every time: one seed, one stream. */
		bool do_free = (double)(next_rand(&state) >> 11) / (double)(1ull << 53) < o->free_ratio;

		if (do_free && nlive) {
			uint32_t k = (uint32_t)below(&state, nlive);

			ops[n++] = (struct gen_op){ 'f', live[k], 0 };
			bytes -= size[live[k]];
			live[k] = live[--nlive];
			continue;
		}
		size[id] = o->range ? o->sizes[0] + below(&state, o->sizes[1] - o->sizes[0] + 1)
				    : o->sizes[below(&state, o->nsizes)];
		bytes += size[id];
		if (bytes > *peak)
			*peak = bytes;
		ops[n++] = (struct gen_op){ 'a', id, size[id] };
		live[nlive++] = id++;
	}
	while (o->balance && nlive)
		ops[n++] = (struct gen_op){ 'f', live[--nlive], 0 };
	*nops = n;
	*nids = id;
out:
	free(live);
	free(size);
	return ops;
}

int gen_write(const struct gen_opts *o, FILE *out)
{
	unsigned int nops;
	uint32_t nids;
	uint64_t peak;
	struct gen_op *ops = generate(o, &nops, &nids, &peak);

	if (!ops)
		return -ENOMEM;
	if (o->format == GEN_TRACE) {
		/* Suggested heap size, ids, ops, weight (the malloclab header). */
		fprintf(out, "%" PRIu64 "\n%u\n%u\n1\n", peak, nids ? nids : 1, nops);
		for (unsigned int i = 0; i < nops; i++) {
			if (ops[i].kind == 'a')
				fprintf(out, "a %u %" PRIu64 "\n", ops[i].id, ops[i].size);
			else
				fprintf(out, "f %u\n", ops[i].id);
		}
	} else {
		fprintf(out, "# myheap gen --seed %" PRIu64 " --ops %u: %u allocations, %u frees\n",
			o->seed, o->ops, nids, nops - nids);
		for (unsigned int i = 0; i < nops; i++) {
			if (ops[i].kind == 'a')
				fprintf(out, "p%u = alloc %" PRIu64 "\n", ops[i].id, ops[i].size);
			else
				fprintf(out, "free $p%u\n", ops[i].id);
		}
	}
	free(ops);
	return ferror(out) ? -EIO : 0;
}

static const char gen_help[] =
	"usage: myheap gen [--seed N] [--ops K] [--sizes SPEC] [--free-ratio F]\n"
	"                  [--balance] [--format shell|trace] [-o FILE]\n"
	"\n"
	"Write a random stream of allocations and frees, the same for the same\n"
	"seed on every machine (OSTEP malloc.py's -s, -n, -r, -P), as a myheap\n"
	"shell script (p0 = alloc 123 ... free $p0; run it with\n"
	"`myheap shell -x --step FILE`, or as a quiz: `myheap quiz FILE`) or as\n"
	"a malloclab trace for `myheap replay` and mh-replay. A free picks one of\n"
	"the live blocks at random. Needs no device.\n"
	"\n"
	GEN_OPTIONS_HELP
	"  --format FORMAT   shell (default) or trace\n"
	"  -o FILE           write to FILE instead of stdout\n";

int cmd_gen(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		GEN_OPTIONS,
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		CLI_STD_OPTIONS, { 0 }
	};
	const char *path = NULL;
	struct gen_opts o;
	bool json = false;
	FILE *out = stdout;
	int c, ret;

	(void)cli;
	gen_defaults(&o);
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		ret = gen_option(&o, argv[0], c, optarg);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret)
			continue;
		if (c == 'f') {
			if (!strcmp(optarg, "shell"))
				o.format = GEN_SHELL;
			else if (!strcmp(optarg, "trace"))
				o.format = GEN_TRACE;
			else
				return cli_usage(argv[0], "--format: '%s' is not shell or trace", optarg);
		} else if (c == 'o') {
			path = optarg;
		} else {
			ret = cli_std_opt(c, argv[0], gen_help, &json);
			if (ret >= 0)
				return ret;
			return cli_usage(argv[0], "has no --json form (it writes a script or a trace)");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (path) {
		out = fopen(path, "we");
		if (!out) {
			cli_err("gen: cannot write %s: %s", path, strerror(errno));
			return EXIT_USAGE;
		}
	}
	ret = gen_write(&o, out);
	if (out != stdout && fclose(out) && !ret)
		ret = -errno;
	if (ret) {
		cli_err("gen: writing %s: %s", path ? path : "stdout", strerror(-ret));
		return EXIT_DEVICE;
	}
	return EXIT_OK;
}
