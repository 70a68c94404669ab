/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A seeded random stream of allocations and frees, as OSTEP's malloc.py
 * makes one (-s seed, -n ops, -r size range, -P alloc percentage): the
 * same seed gives the same stream on every machine (its own generator,
 * not libc's rand).
 */
#ifndef MYHEAP_GEN_H
#define MYHEAP_GEN_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define GEN_MAX_SIZES 64

enum gen_format { GEN_SHELL, GEN_TRACE };

/*
 * struct gen_opts - what to generate.
 * @seed: the stream's seed.
 * @ops: operations (allocations plus frees, before --balance's frees).
 * @sizes: sizes to choose from, or with @range the bounds [sizes[0], sizes[1]].
 * @nsizes: entries of @sizes.
 * @range: @sizes is a range MIN-MAX, not a list.
 * @free_ratio: chance that an operation frees a live block (when one is).
 * @format: a myheap shell script, or a malloclab trace.
 * @balance: free what is still live at the end.
 */
struct gen_opts {
	uint64_t seed;
	unsigned int ops;
	uint64_t sizes[GEN_MAX_SIZES];
	unsigned int nsizes;
	bool range;
	double free_ratio;
	enum gen_format format;
	bool balance;
};

/* The options gen and quiz share, for a struct option array (values 0x100+). */
#define GEN_OPTIONS \
	{ "seed", required_argument, NULL, 0x100 }, \
	{ "ops", required_argument, NULL, 0x101 }, \
	{ "sizes", required_argument, NULL, 0x102 }, \
	{ "free-ratio", required_argument, NULL, 0x103 }, \
	{ "balance", no_argument, NULL, 0x104 }

#define GEN_OPTIONS_HELP \
	"  --seed N          the stream's seed (default 0): same seed, same ops\n" \
	"  --ops K           operations (default 10; at most 100000)\n" \
	"  --sizes SPEC      MIN-MAX (uniform) or a list A,B,C (K, M suffixes);\n" \
	"                    default 16-512\n" \
	"  --free-ratio F    chance 0..1 that an op frees a live block (default 0.5)\n" \
	"  --balance         free every block still live at the end\n"

void gen_defaults(struct gen_opts *o);
/* Handle getopt's @c if it is one of GEN_OPTIONS: 1 handled, 0 not, -1 bad. */
int gen_option(struct gen_opts *o, const char *cmd, int c, const char *arg);
/* Write the stream to @out; 0 or -errno. */
int gen_write(const struct gen_opts *o, FILE *out);

#endif /* MYHEAP_GEN_H */
