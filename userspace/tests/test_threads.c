// SPDX-License-Identifier: GPL-2.0
/*
 * libmyheap from several threads at once: one shared handle, or a handle
 * per thread. Every thread keeps a window of live blocks filled with its
 * own pattern, reallocates and frees them at random and checks each block
 * before letting it go, so a block handed out twice, moved wrongly or
 * overwritten by a neighbour shows up as a pattern mismatch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "myheap.h"

#define THREADS		4
#define ROUNDS		1500
#define WINDOW		24
#define MAX_SIZE	3000

struct worker {
	struct myheap *h;
	unsigned int id;
	unsigned int seed;
	int failures;
	char why[160];
};

static unsigned char pattern(unsigned int id, unsigned int serial, size_t i)
{
	return (unsigned char)(id * 131 + serial * 31 + i * 7);
}

static bool intact(const unsigned char *p, size_t len, unsigned int id,
		   unsigned int serial)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != pattern(id, serial, i))
			return false;
	return true;
}

static void fail(struct worker *w, const char *what)
{
	if (!w->failures++)
		snprintf(w->why, sizeof(w->why), "thread %u: %s (%s)", w->id, what,
			 myheap_last_error());
}

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned char *ptr[WINDOW] = { 0 };
	size_t len[WINDOW] = { 0 };
	unsigned int serial[WINDOW] = { 0 };

	for (unsigned int round = 0; round < ROUNDS; round++) {
		unsigned int k = rand_r(&w->seed) % WINDOW;
		size_t size = 1 + rand_r(&w->seed) % MAX_SIZE;

		if (ptr[k] && !intact(ptr[k], len[k], w->id, serial[k]))
			fail(w, "a live block changed under its owner");
		if (ptr[k] && rand_r(&w->seed) % 3 == 0) {
			/* realloc keeps the first min(old, new) bytes */
			unsigned char *q = myheap_realloc(w->h, ptr[k], size);
			size_t keep = size < len[k] ? size : len[k];

			if (!q) {
				fail(w, "realloc failed");
				continue;
			}
			if (!intact(q, keep, w->id, serial[k]))
				fail(w, "realloc lost contents");
			ptr[k] = q;
		} else {
			if (ptr[k] && myheap_free(w->h, ptr[k]))
				fail(w, "free failed");
			ptr[k] = myheap_malloc(w->h, size);
			if (!ptr[k]) {
				fail(w, "malloc failed");
				continue;
			}
			serial[k] = round;
		}
		len[k] = size;
		for (size_t i = 0; i < size; i++)
			ptr[k][i] = pattern(w->id, serial[k], i);
	}
	for (int k = 0; k < WINDOW; k++) {
		if (!ptr[k])
			continue;
		if (!intact(ptr[k], len[k], w->id, serial[k]))
			fail(w, "a live block changed at the end");
		if (myheap_free(w->h, ptr[k]))
			fail(w, "final free failed");
	}
	return NULL;
}

FIXTURE(threads) {
	struct myheap *shared;
	struct myheap_stats before;
};

FIXTURE_VARIANT(threads) {
	bool handle_per_thread;
};

FIXTURE_VARIANT_ADD(threads, shared_handle) {
	.handle_per_thread = false,
};

FIXTURE_VARIANT_ADD(threads, handle_per_thread) {
	.handle_per_thread = true,
};

FIXTURE_SETUP(threads)
{
	ASSERT_EQ(0, myheap_open(NULL, 0, &self->shared));
	ASSERT_EQ(0, myheap_stats(self->shared, &self->before));
}

FIXTURE_TEARDOWN(threads)
{
	myheap_close(self->shared);
}

TEST_F_TIMEOUT(threads, patterns_survive_concurrent_use, 300)
{
	struct worker w[THREADS];
	pthread_t tid[THREADS];
	struct myheap_stats after;
	struct myheap_check c;

	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .h = self->shared, .id = i, .seed = 42 + i };
		if (variant->handle_per_thread) {
			ASSERT_EQ(0, myheap_open(NULL, 0, &w[i].h));
		}
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, work, &w[i]));
	}
	for (unsigned int i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
		EXPECT_EQ(0, w[i].failures) TH_LOG("%s", w[i].why);
		if (variant->handle_per_thread)
			myheap_close(w[i].h);
	}
	ASSERT_EQ(0, myheap_check(self->shared, &c));
	ASSERT_EQ(0, myheap_stats(self->shared, &after));
	EXPECT_EQ(self->before.used_blocks, after.used_blocks);
	EXPECT_EQ(self->before.allocs + after.frees - self->before.frees,
		  after.allocs) TH_LOG("every allocation was freed again");
}

/* Each thread's failures describe its own call, not another thread's. */
static void *own_error(void *arg)
{
	struct worker *w = arg;
	char want[64];

	for (int i = 0; i < 500; i++) {
		uint64_t bogus = 16 + 16 * (uint64_t)(w->id * 1000 + i);

		if (myheap_off_usable_size(w->h, bogus, NULL, NULL) == 0)
			continue;	/* a live block of another test: fine */
		snprintf(want, sizeof(want), "offset %llu:", (unsigned long long)bogus);
		if (!strstr(myheap_last_error(), want))
			fail(w, "last_error shows another thread's call");
	}
	return NULL;
}

TEST(last_error_is_per_thread)
{
	struct worker w[THREADS];
	pthread_t tid[THREADS];
	struct myheap *h;

	ASSERT_EQ(0, myheap_open(NULL, 0, &h));
	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .h = h, .id = i };
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, own_error, &w[i]));
	}
	for (unsigned int i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
		EXPECT_EQ(0, w[i].failures) TH_LOG("%s", w[i].why);
	}
	myheap_close(h);
}

TEST_HARNESS_MAIN
