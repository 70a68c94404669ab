// SPDX-License-Identifier: GPL-2.0
/*
 * scaling.c - cost of one free+malloc pair as the number of live blocks
 * grows, for every policy of the allocator core and for the C library's
 * allocator (glibc, or jemalloc/mimalloc when run under LD_PRELOAD).
 *
 *   mh-scaling [--allocator core|libc] [--live N[,N...]] [--pairs N]
 *              [--reps N] [--cap SECONDS] [--json]
 *
 * For each live count L: allocate L blocks of random sizes (16..512 bytes,
 * the same seeded stream for every allocator), then time steady-state pairs:
 * free a random live block, allocate a new random size in its place. Each
 * repetition times --pairs pairs; the figure is the median over --reps.
 * A repetition that runs past --cap seconds stops early: its figure is what
 * the pairs done so far cost while the heap was still getting worse, so it
 * is printed as a lower bound ('>').
 *
 * Only ratios within one run mean anything on a shared machine.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mh_core.h"

#define MIN_SIZE	16u
#define MAX_SIZE	512u
#define MAX_REPS	15
#define REGION		(256u << 20)

struct bench {
	bool libc;
	int policy;
	struct mh_heap h;
	u8 *region;
	unsigned long *starts;	/* the core's block-start bitmap */
	void **ptr;		/* libc: live pointers */
	u32 *off;		/* core: live payload offsets */
	u64 rng;
};

static u64 next_random(struct bench *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

static size_t random_size(struct bench *b)
{
	return MIN_SIZE + next_random(b) % (MAX_SIZE - MIN_SIZE + 1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static bool take(struct bench *b, u32 slot)
{
	size_t size = random_size(b);

	if (b->libc) {
		b->ptr[slot] = malloc(size);
		if (!b->ptr[slot])
			return false;
		*(volatile char *)b->ptr[slot] = 1;	/* touch it, as a user would */
		return true;
	}
	if (mh_alloc(&b->h, size, 0, 0, &b->off[slot]))
		return false;
	*(volatile u8 *)(b->region + b->off[slot]) = 1;
	return true;
}

static void give(struct bench *b, u32 slot)
{
	if (b->libc)
		free(b->ptr[slot]);
	else
		mh_free(&b->h, b->off[slot]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One live count: fill, then @reps timed runs of @pairs pairs. Stores the
 * median ns per pair; returns false if the fill did not fit, sets @capped
 * when a run hit the time cap.
 */
static bool measure(struct bench *b, u32 live, u32 pairs, int reps,
		    double cap, double *ns, bool *capped)
{
	double per[MAX_REPS];
	u32 i;
	int r;

	*ns = 0;
	*capped = false;
	b->rng = 0x5eed0000u + live;
	if (!b->libc && mh_init(&b->h, b->region, REGION, b->policy, 0,
				  b->starts))
		return false;
	for (i = 0; i < live; i++)
		if (!take(b, i))
			return false;
	for (r = 0; r < reps; r++) {
		double start = now(), t = start;
		u32 done;

		for (done = 0; done < pairs; done++) {
			u32 slot = next_random(b) % live;

			give(b, slot);
			if (!take(b, slot))
				return false;
			if ((done & 63) == 63) {
				t = now();
				if (t - start > cap) {
					*capped = true;
					done++;
					break;
				}
			}
		}
		t = now();
		per[r] = (t - start) * 1e9 / done;
		if (*capped) {
			reps = r + 1;
			break;
		}
	}
	for (i = 0; i < live; i++)
		give(b, i);
	qsort(per, reps, sizeof(per[0]), cmp_double);
	*ns = per[reps / 2];
	return true;
}

static void usage(FILE *f)
{
	fputs("usage: mh-scaling [--allocator core|libc] [--live N[,N...]]\n"
	      "                  [--pairs N] [--reps N] [--cap SECONDS] [--json]\n"
	      "ns per steady-state free+malloc pair, random sizes 16..512 B,\n"
	      "median of --reps runs; '>' marks a run cut by --cap.\n", f);
}

static int parse_live(char *arg, u32 *live, int max)
{
	int n = 0;
	char *tok;

	for (tok = strtok(arg, ","); tok && n < max; tok = strtok(NULL, ",")) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);

		if (*end == 'K' || *end == 'k') {
			v <<= 10;
			end++;
		}
		if (*end || !v || v > (1u << 20))
			return -1;
		live[n++] = (u32)v;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "allocator", required_argument, NULL, 'a' },
		{ "live", required_argument, NULL, 'l' },
		{ "pairs", required_argument, NULL, 'p' },
		{ "reps", required_argument, NULL, 'r' },
		{ "cap", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	u32 live[16] = { 1024, 4096, 16384, 65536, 262144 }, pairs = 20000;
	int nlive = 5, reps = 5, c, p, k;
	double cap = 1.0;
	bool json = false;
	struct bench b = { 0 };

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!strcmp(optarg, "libc"))
				b.libc = true;
			else if (strcmp(optarg, "core"))
				return usage(stderr), 2;
			break;
		case 'l':
			nlive = parse_live(optarg, live, 16);
			if (nlive <= 0)
				return usage(stderr), 2;
			break;
		case 'p':
			pairs = (u32)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'c':
			cap = atof(optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!pairs || reps < 1 || reps > MAX_REPS || cap <= 0)
		return usage(stderr), 2;
	b.ptr = calloc(1u << 20, sizeof(*b.ptr));
	b.off = calloc(1u << 20, sizeof(*b.off));
	b.region = b.libc ? NULL : malloc(REGION);
	b.starts = b.libc ? NULL : malloc(mh_starts_bytes(REGION));
	if (!b.ptr || !b.off || (!b.libc && (!b.region || !b.starts)))
		return fprintf(stderr, "mh-scaling: out of memory\n"), 1;

	for (p = 0; p < (b.libc ? 1 : MH_NR_POLICIES); p++) {
		const char *name = b.libc ? "libc" : mh_policy_name(p);
		double first = 0;

		b.policy = p;
		if (!json)
			printf("%-11s", name);
		for (k = 0; k < nlive; k++) {
			double ns = 0;
			bool capped = false, ok;

			ok = measure(&b, live[k], pairs, reps, cap, &ns, &capped);
			if (!k)
				first = ns;
			if (json)
				printf("{\"allocator\":\"%s\",\"live\":%u,\"ok\":%s,"
				       "\"ns_per_pair\":%.1f,\"lower_bound\":%s}\n",
				       name, live[k], ok ? "true" : "false",
				       ok ? ns : 0, capped ? "true" : "false");
			else if (!ok)
				printf(" %6u:%-9s", live[k], "full");
			else
				printf(" %6u:%s%-8.1f", live[k], capped ? ">" : " ",
				       ns);
			if (!json && ok && k == nlive - 1 && first > 0)
				printf("  x%.2f", ns / first);
			fflush(stdout);
		}
		if (!json)
			printf("\n");
	}
	return 0;
}
