// SPDX-License-Identifier: GPL-2.0
/*
 * myheap_ioctl_bench: what the ioctl path costs, as ratios inside one run
 * (not a test: it asserts nothing and is not counted).
 *
 *   ALLOC+FREE pair / two no-op ioctls (unknown command, -ENOTTY, same fd)
 *   the reports' cost: ALLOC with the VER1 struct (the module installs its
 *   observer for the call and reports searched and split) + FREE, and
 *   ALLOC + FREE_REPORT, each / the plain pair (the VER0 ALLOC malloc uses)
 *   two FREEs the glue refuses before the core (-ENXIO): the same ioctl
 *   path, copies, lock and tracepoints, without the core
 *   BATCH of 32 allocs + 32 frees, per op / single ioctls, per op
 *   BATCH of 64 frees refused by the glue before the core: the floor
 *   ownership kernel memory per live block (STATS owner_bytes)
 *   CHECK and close at that many live blocks
 * at 1K and 64K live blocks. Each figure is the median over MAX_ROUNDS
 * short rounds, a ratio the median of the ratios inside each round.
 * From the refused calls it prints what bounds each ratio: the pair less
 * the refused FREEs is what the core and the owner table cost, so even
 * with a glue that cost nothing the pair could not cost less than two
 * no-op ioctls plus that; the same for a BATCH op less the floor.
 * After the lines for each live count comes one line of JSON with the
 * same medians ("ioctl-bench: {...}"), which `make bench` gathers and
 * plots. --quick (make check's bench smoke) runs one short round at 1K:
 * it only proves the program runs; its figures mean nothing.
 *
 *   tests/vm/run --kernel stock -- myheap_ioctl_bench [--quick]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev_util.h"

/* Many short rounds: load from other work moves each round's figures alike. */
#define MAX_ROUNDS	21
static int iters = 4000, rounds = MAX_ROUNDS;
#define NOP	_IO(MYHEAP_IOC_MAGIC, 0x7f)

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[n / 2];
}

/* ns per iteration of two no-op ioctls. */
static double two_nops(int fd)
{
	uint64_t t = now_ns();
	int i;

	for (i = 0; i < iters; i++) {
		ioctl(fd, NOP, NULL);
		ioctl(fd, NOP, NULL);
	}
	return (double)(now_ns() - t) / iters;
}

/* ns per two FREEs the glue refuses before the core (offset 0: -ENXIO). */
static double two_refused(int fd)
{
	uint64_t t = now_ns();
	int i;

	for (i = 0; i < iters; i++)
		if (dev_free(fd, 0) != -ENXIO || dev_free(fd, 0) != -ENXIO)
			exit(1);
	return (double)(now_ns() - t) / iters;
}

/* ALLOC of 24 bytes with the struct of @size bytes (VER0: no report). */
static int alloc_sized(int fd, unsigned int size, uint64_t *off)
{
	struct myheap_alloc a = { .size = 24 };
	int ret = dev_ioctl(fd, dev_cmd_size(MYHEAP_IOC_ALLOC, size), &a);

	*off = a.offset;
	return ret;
}

/* ns per ALLOC+FREE pair, the ALLOC's struct @size bytes. */
static double pair_sized(int fd, unsigned int size)
{
	uint64_t t = now_ns(), off;
	int i;

	for (i = 0; i < iters; i++)
		if (alloc_sized(fd, size, &off) || dev_free(fd, off))
			exit(1);
	return (double)(now_ns() - t) / iters;
}

/* ns per ALLOC+FREE pair, as malloc makes it (VER0 ALLOC, no report). */
static double pair(int fd)
{
	return pair_sized(fd, MYHEAP_ALLOC_SIZE_VER0);
}

/* ns per VER0 ALLOC + FREE_REPORT pair. */
static double pair_free_report(int fd)
{
	uint64_t t = now_ns(), off;
	int i;

	for (i = 0; i < iters; i++)
		if (alloc_sized(fd, MYHEAP_ALLOC_SIZE_VER0, &off) ||
		    dev_free_report(fd, off, NULL))
			exit(1);
	return (double)(now_ns() - t) / iters;
}

/* ns per op of BATCHes of 32 allocs then 32 frees. */
static double batch64(int fd)
{
	struct myheap_batch_op ops[64];
	struct myheap_batch b = {
		.ops = (uintptr_t)ops, .count = 64, .op_size = sizeof(ops[0]),
	};
	uint64_t t;
	int i, k, n = iters / 32;

	t = now_ns();
	for (k = 0; k < n; k++) {
		for (i = 0; i < 32; i++) {
			ops[i] = (struct myheap_batch_op){
				.op = MYHEAP_BATCH_OP_ALLOC, .size = 24 };
		}
		/* The frees name the blocks of the previous batch. */
		b.count = k ? 64 : 32;
		if (dev_ioctl(fd, MYHEAP_IOC_BATCH, &b) || b.failed)
			exit(2);
		for (i = 0; i < 32; i++)
			ops[32 + i] = (struct myheap_batch_op){
				.op = MYHEAP_BATCH_OP_FREE,
				.offset = ops[i].offset };
	}
	t = now_ns() - t;
	/* Free the last batch's blocks. */
	b.ops = (uintptr_t)&ops[32];
	b.count = 32;
	dev_ioctl(fd, MYHEAP_IOC_BATCH, &b);
	return (double)t / ((n - 1) * 64 + 32);
}

/* ns per op of BATCHes of 64 frees the glue refuses before the core. */
static double batch_floor(int fd)
{
	struct myheap_batch_op ops[64] = { { 0 } };
	struct myheap_batch b = {
		.ops = (uintptr_t)ops, .count = 64, .op_size = sizeof(ops[0]),
	};
	uint64_t t;
	int i, k, n = iters / 32;

	t = now_ns();
	for (k = 0; k < n; k++) {
		for (i = 0; i < 64; i++)
			ops[i].op = MYHEAP_BATCH_OP_FREE;
		dev_ioctl(fd, MYHEAP_IOC_BATCH, &b);
	}
	return (double)(now_ns() - t) / (n * 64);
}

/* Allocate @n blocks of 24 bytes in @fd. */
static int fill(int fd, int n)
{
	static struct myheap_batch_op ops[4096];
	struct myheap_batch b = { .ops = (uintptr_t)ops, .op_size = sizeof(ops[0]) };
	int i, done = 0;

	while (done < n) {
		b.count = n - done < 4096 ? n - done : 4096;
		for (i = 0; i < (int)b.count; i++)
			ops[i] = (struct myheap_batch_op){
				.op = MYHEAP_BATCH_OP_ALLOC, .size = 24 };
		if (dev_ioctl(fd, MYHEAP_IOC_BATCH, &b) || b.failed)
			return -1;
		done += b.count;
	}
	return 0;
}

/* One round's figures, ns: the ratios are taken inside the round. */
struct round {
	double nop, refused, pair, batch, floor, pair_alloc_rep, pair_free_rep;
};

/*
 * The median over the rounds of @f, a figure or a ratio of one round's
 * figures: the machine is shared, so a round's figures are taken close
 * together and compared with each other, never with another round's.
 */
static double med(const struct round *rs, double (*f)(const struct round *))
{
	double v[MAX_ROUNDS];
	int r;

	for (r = 0; r < rounds; r++)
		v[r] = f(&rs[r]);
	return median(v, rounds);
}

static double f_nop(const struct round *x) { return x->nop; }
static double f_pair(const struct round *x) { return x->pair; }
static double f_refused(const struct round *x) { return x->refused; }
static double f_batch(const struct round *x) { return x->batch; }
static double f_floor(const struct round *x) { return x->floor; }
static double f_pair_ratio(const struct round *x) { return x->pair / x->nop; }
static double f_alloc_rep(const struct round *x) { return x->pair_alloc_rep; }
static double f_free_rep(const struct round *x) { return x->pair_free_rep; }
static double f_alloc_rep_ratio(const struct round *x)
{
	return x->pair_alloc_rep / x->pair;
}
static double f_free_rep_ratio(const struct round *x)
{
	return x->pair_free_rep / x->pair;
}
/* The pair if the glue cost nothing: two no-ops plus the core's share. */
static double f_bound_ratio(const struct round *x)
{
	return (x->nop + x->pair - x->refused) / x->nop;
}
static double f_batch_ratio(const struct round *x)
{
	return x->pair / 2 / x->batch;
}
/* A BATCH op cannot cost less than the core's share of it. */
static double f_batch_bound(const struct round *x)
{
	return x->pair / 2 / (x->batch - x->floor);
}

static void at(int live)
{
	struct round rs[MAX_ROUNDS];
	double ck[MAX_ROUNDS];
	struct myheap_stats st;
	double close_ms;
	uint64_t t;
	int r, fd = open(MYHEAP_DEVICE, O_RDWR), holder = open(MYHEAP_DEVICE, O_RDWR);

	if (fd < 0 || holder < 0 || fill(holder, live)) {
		printf("# %d live: cannot set up\n", live);
		exit(1);
	}
	for (r = 0; r < rounds; r++) {
		rs[r].nop = two_nops(fd);
		rs[r].refused = two_refused(fd);
		rs[r].pair = pair(fd);
		rs[r].pair_alloc_rep = pair_sized(fd, MYHEAP_ALLOC_SIZE_VER1);
		rs[r].pair_free_rep = pair_free_report(fd);
		rs[r].batch = batch64(fd);
		rs[r].floor = batch_floor(fd);
		t = now_ns();
		dev_check(fd, NULL);
		ck[r] = (now_ns() - t) / 1e6;
	}
	dev_stats(fd, &st);
	printf("live %6d: two no-op ioctls %7.0f ns, ALLOC+FREE %7.0f ns: ratio %.2fx\n",
	       live, med(rs, f_nop), med(rs, f_pair), med(rs, f_pair_ratio));
	printf("live %6d: reports: VER1 ALLOC (observer per call)+FREE %7.0f ns: %.3fx the plain pair; ALLOC+FREE_REPORT %7.0f ns: %.3fx\n",
	       live, med(rs, f_alloc_rep), med(rs, f_alloc_rep_ratio),
	       med(rs, f_free_rep), med(rs, f_free_rep_ratio));
	printf("live %6d: two FREEs refused before the core (-ENXIO) %7.0f ns: with a glue that cost nothing the pair would still be %.2fx\n",
	       live, med(rs, f_refused), med(rs, f_bound_ratio));
	printf("live %6d: per op: single ioctl %6.0f ns, BATCH(32+32) %6.0f ns: %.1fx faster\n",
	       live, med(rs, f_pair) / 2, med(rs, f_batch), med(rs, f_batch_ratio));
	printf("live %6d: per op: BATCH of 64 frees refused before the core (-ENXIO) %6.0f ns: a BATCH whose glue cost nothing at most %.1fx faster\n",
	       live, med(rs, f_floor), med(rs, f_batch_bound));
	printf("live %6d: ownership %llu bytes of kernel memory = %.1f bytes per live block\n",
	       live, (unsigned long long)st.owner_bytes,
	       (double)st.owner_bytes / st.used_blocks);
	printf("live %6d: CHECK %.1f ms\n", live, median(ck, rounds));
	t = now_ns();
	close(holder);
	close_ms = (now_ns() - t) / 1e6;
	printf("live %6d: close of the file holding them %.1f ms\n", live,
	       close_ms);
	printf("ioctl-bench: {\"live\":%d,\"nop2_ns\":%.0f,\"pair_ns\":%.0f,"
	       "\"refused2_ns\":%.0f,\"batch_op_ns\":%.0f,"
	       "\"batch_refused_op_ns\":%.0f,\"pair_per_nop2\":%.3f,"
	       "\"pair_per_nop2_free_glue\":%.3f,\"batch_speedup\":%.3f,"
	       "\"batch_speedup_free_glue\":%.3f,"
	       "\"owner_bytes_per_block\":%.1f,\"check_ms\":%.2f,"
	       "\"close_ms\":%.2f}\n",
	       live, med(rs, f_nop), med(rs, f_pair), med(rs, f_refused),
	       med(rs, f_batch), med(rs, f_floor), med(rs, f_pair_ratio),
	       med(rs, f_bound_ratio), med(rs, f_batch_ratio),
	       med(rs, f_batch_bound),
	       (double)st.owner_bytes / st.used_blocks, median(ck, rounds),
	       close_ms);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--quick")) {
		iters = 640;
		rounds = 1;
		at(1024);
		return 0;
	}
	at(1024);
	at(65536);
	return 0;
}
