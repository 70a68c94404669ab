// SPDX-License-Identifier: GPL-2.0
/*
 * myheap search pauses: an ALLOC whose first, next, best or worst fit
 * search walks thousands of free blocks lets other openers in halfway
 * (after its millisecond of the lock), and they may change the very list
 * it walks. The search must still hand out only free memory.
 *
 * pause.<policy>.crowd: one file holds every other block of the heap (the
 * others are 32-byte holes); thread A runs a BATCH of ALLOCs that no hole
 * fits, so each walks every hole, while thread B allocates holes (ALLOC
 * with its report, as the crowd of a classroom would), patterns them
 * through the mapping and frees some, until A is done. Then A's and B's
 * blocks must not overlap, B's payloads read back intact, CHECK find
 * nothing, and debugfs `search_pauses` must have grown under the fit
 * policies when A's allocations took long enough to pause (2 ms each on
 * average: on a fast machine a walk may end within its millisecond), and
 * never under the others, whose searches do not pause.
 * MYHEAP_PAUSE_HOLES sets the holes (default 16384).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "dev_util.h"
#include "pattern.h"

#define A_ALLOCS	256
#define A_SIZE		40	/* no 32-byte hole fits it */
#define B_SIZE		16	/* a hole fits it exactly */
#define B_LIVE		2048

struct crowd {
	int fd;
	uint8_t *map;
	atomic_int stop;
	uint64_t live[B_LIVE];
	unsigned int nlive;
	unsigned long allocs, frees, broken, errors;
};

/* Allocate holes and pattern them; free the oldest every third step. */
static void *crowd_main(void *arg)
{
	struct crowd *c = arg;
	unsigned long step = 0;
	uint64_t off;

	while (!atomic_load(&c->stop)) {
		if (c->nlive && (c->nlive == B_LIVE || ++step % 3 == 0)) {
			off = c->live[0];
			if (!pattern_intact(c->map + off, B_SIZE, off))
				c->broken++;
			if (dev_free(c->fd, off))
				c->errors++;
			memmove(c->live, c->live + 1,
				--c->nlive * sizeof(c->live[0]));
			c->frees++;
			continue;
		}
		if (dev_alloc(c->fd, B_SIZE, 0, 0, &off)) {
			c->errors++;
			continue;
		}
		pattern_fill(c->map + off, 0, B_SIZE, off);
		c->live[c->nlive++] = off;
		c->allocs++;
	}
	return NULL;
}

struct span {
	uint64_t start, end;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

FIXTURE(pause) {
	uint32_t old_policy;
};

FIXTURE_VARIANT(pause) {
	uint32_t policy;
};

DEV_POLICY_VARIANTS(pause);

FIXTURE_SETUP(pause)
{
	ASSERT_EQ(0, dev_switch_policy(variant->policy, &self->old_policy));
}

FIXTURE_TEARDOWN(pause)
{
	EXPECT_EQ(0, dev_switch_policy(self->old_policy, NULL));
}

static bool fit_policy(uint32_t policy)
{
	return policy == MYHEAP_POLICY_FIRST_FIT ||
	       policy == MYHEAP_POLICY_NEXT_FIT ||
	       policy == MYHEAP_POLICY_BEST_FIT ||
	       policy == MYHEAP_POLICY_WORST_FIT;
}

TEST_F_TIMEOUT(pause, crowd, 600)
{
	struct myheap_batch_op *ops = calloc(A_ALLOCS, sizeof(*ops));
	struct crowd *c = calloc(1, sizeof(*c));
	struct span *spans = calloc(A_ALLOCS + B_LIVE, sizeof(*spans));
	unsigned long want = env_ul("MYHEAP_PAUSE_HOLES", 16384), got;
	struct myheap_batch b = { .count = A_ALLOCS, .op_size = sizeof(*ops) };
	long long pauses0, pauses;
	struct myheap_check chk;
	struct myheap_info info;
	struct myheap_stats st;
	unsigned int i, n = 0;
	uint64_t off, usable, t0, t1;
	int keeper, holes, fd_a;
	pthread_t crowd;
	double per_alloc_ms;

	ASSERT_NE(NULL, ops);
	ASSERT_NE(NULL, c);
	ASSERT_NE(NULL, spans);
	keeper = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	holes = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	fd_a = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	c->fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, keeper);
	ASSERT_LE(0, holes);
	ASSERT_LE(0, fd_a);
	ASSERT_LE(0, c->fd);
	ASSERT_EQ(0, dev_info(c->fd, &info));
	c->map = mmap(NULL, info.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      c->fd, 0);
	ASSERT_NE(MAP_FAILED, c->map);

	/* every other block is a hole once the second file is closed */
	for (got = 0; got < want; got++)
		if (dev_alloc(holes, 1, 0, 0, &off) ||
		    dev_alloc(keeper, 1, 0, 0, &off))
			break;
	EXPECT_EQ(0, close(holes));
	ASSERT_LT(0, got);
	/*
	 * Next fit begins after the last allocation, at the top: take the
	 * whole top block and give it back, and the rover leaves the list's
	 * end for its head (its first ALLOC walks every hole; the rest begin
	 * at the top again).
	 */
	ASSERT_EQ(0, dev_stats(keeper, &st));
	ASSERT_EQ(0, dev_alloc(keeper, st.largest_free - 8, 0, 0, &off));
	ASSERT_EQ(0, dev_free(keeper, off));
	pauses0 = dev_debugfs_stat("search_pauses");
	ASSERT_LE(0, pauses0);

	for (i = 0; i < A_ALLOCS; i++) {
		ops[i].op = MYHEAP_BATCH_OP_ALLOC;
		ops[i].size = A_SIZE;
	}
	b.ops = (uintptr_t)ops;
	ASSERT_EQ(0, pthread_create(&crowd, NULL, crowd_main, c));
	usleep(10000);	/* the crowd is at work when the walks begin */
	t0 = now_ns();
	EXPECT_EQ(0, dev_ioctl(fd_a, MYHEAP_IOC_BATCH, &b));
	t1 = now_ns();
	atomic_store(&c->stop, 1);
	pthread_join(crowd, NULL);
	pauses = dev_debugfs_stat("search_pauses") - pauses0;
	per_alloc_ms = (t1 - t0) / 1e6 / A_ALLOCS;
	ksft_print_msg("policy %u: %lu holes; %d ALLOCs walking them took %.3f ms each; the crowd meanwhile: %lu allocs, %lu frees; %lld search pauses\n",
		       variant->policy, got, A_ALLOCS, per_alloc_ms, c->allocs,
		       c->frees, pauses);

	EXPECT_EQ(0, c->errors);
	EXPECT_EQ(0, c->broken);
	EXPECT_EQ(A_ALLOCS, b.done);
	EXPECT_EQ(0, b.failed);
	for (i = 0; i < A_ALLOCS; i++) {
		if (ops[i].result)
			continue;
		ASSERT_EQ(0, dev_usable(fd_a, ops[i].offset, &usable, NULL));
		spans[n++] = (struct span){ ops[i].offset,
					    ops[i].offset + usable };
	}
	for (i = 0; i < c->nlive; i++) {
		off = c->live[i];
		EXPECT_TRUE(pattern_intact(c->map + off, B_SIZE, off));
		ASSERT_EQ(0, dev_usable(c->fd, off, &usable, NULL));
		spans[n++] = (struct span){ off, off + usable };
	}
	qsort(spans, n, sizeof(*spans), span_cmp);
	for (i = 1; i < n; i++)
		EXPECT_LE(spans[i - 1].end, spans[i].start) {
			TH_LOG("blocks at %llu and %llu overlap",
			       (unsigned long long)spans[i - 1].start,
			       (unsigned long long)spans[i].start);
		}
	EXPECT_EQ(0, dev_check(keeper, &chk));
	if (!fit_policy(variant->policy)) {
		EXPECT_EQ(0, pauses);
	} else if (per_alloc_ms >= 2.0) {
		EXPECT_LT(0, pauses);
	}

	munmap(c->map, info.mmap_size);
	close(c->fd);
	close(fd_a);
	close(keeper);
	free(spans);
	free(c);
	free(ops);
}

TEST_HARNESS_MAIN
