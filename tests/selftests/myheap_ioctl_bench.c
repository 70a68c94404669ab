// SPDX-License-Identifier: GPL-2.0
/*
 * myheap_ioctl_bench: what the ioctl path costs, as ratios inside one run
 * (not a test: it asserts nothing and is not counted).
 *
 *   ALLOC+FREE pair / two no-op ioctls (unknown command, -ENOTTY, same fd)
 *   BATCH of 32 allocs + 32 frees, per op / single ioctls, per op
 *   BATCH of 64 frees refused by the glue before the core: the floor
 *   ownership kernel memory per live block (STATS owner_bytes)
 *   CHECK and close at that many live blocks
 * at 1K and 64K live blocks. Each figure is the median of ROUNDS rounds.
 * --quick (make check's bench smoke) runs one short round at 1K: it only
 * proves the program runs; its figures mean nothing.
 *
 *   tests/vm/run --kernel stock -- myheap_ioctl_bench [--quick]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev_util.h"

#define ROUNDS	7
static int iters = 20000, rounds = ROUNDS;
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

/* ns per ALLOC+FREE pair. */
static double pair(int fd)
{
	uint64_t t = now_ns(), off;
	int i;

	for (i = 0; i < iters; i++)
		if (dev_alloc(fd, 24, 0, 0, &off) || dev_free(fd, off))
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

static void at(int live)
{
	double nop[ROUNDS], pr[ROUNDS], bt[ROUNDS], ck[ROUNDS], fl[ROUNDS];
	struct myheap_stats st;
	uint64_t t;
	int r, fd = open(MYHEAP_DEVICE, O_RDWR), holder = open(MYHEAP_DEVICE, O_RDWR);

	if (fd < 0 || holder < 0 || fill(holder, live)) {
		printf("# %d live: cannot set up\n", live);
		exit(1);
	}
	for (r = 0; r < rounds; r++) {
		nop[r] = two_nops(fd);
		pr[r] = pair(fd);
		bt[r] = batch64(fd);
		fl[r] = batch_floor(fd);
		t = now_ns();
		dev_check(fd, NULL);
		ck[r] = (now_ns() - t) / 1e6;
	}
	dev_stats(fd, &st);
	printf("live %6d: two no-op ioctls %7.0f ns, ALLOC+FREE %7.0f ns: ratio %.2fx\n",
	       live, median(nop, rounds), median(pr, rounds),
	       median(pr, rounds) / median(nop, rounds));
	printf("live %6d: per op: single ioctl %6.0f ns, BATCH(32+32) %6.0f ns: %.1fx faster\n",
	       live, median(pr, rounds) / 2, median(bt, rounds),
	       median(pr, rounds) / 2 / median(bt, rounds));
	printf("live %6d: per op: BATCH of 64 frees refused before the core (-ENXIO) %6.0f ns\n",
	       live, median(fl, rounds));
	printf("live %6d: ownership %llu bytes of kernel memory = %.1f bytes per live block\n",
	       live, (unsigned long long)st.owner_bytes,
	       (double)st.owner_bytes / st.used_blocks);
	printf("live %6d: CHECK %.1f ms\n", live, median(ck, rounds));
	t = now_ns();
	close(holder);
	printf("live %6d: close of the file holding them %.1f ms\n", live,
	       (now_ns() - t) / 1e6);
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
