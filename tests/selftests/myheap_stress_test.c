// SPDX-License-Identifier: GPL-2.0
/*
 * myheap stress selftests: many threads and processes allocating, resizing
 * and freeing at once, each block filled with its own pattern through the
 * mapping and verified before it is freed, so overlapping blocks or lost
 * writes show up; the heap must check clean and be back where it started.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "dev_util.h"
#include "pattern.h"

#define THREADS		4
#define OPS		3000
#define LIVE		64
#define MAX_SIZE	3000

struct block {
	uint64_t off, size, seed;
};

struct worker {
	int fd;			/* the file to use */
	bool own_file;		/* open one of its own instead */
	bool use_batch;		/* allocate and free through MYHEAP_IOC_BATCH */
	unsigned char *map;
	size_t map_size;
	unsigned int id;
	int failures;		/* pattern or errno surprises */
	char why[128];
};

static uint32_t rnd(uint32_t *s)
{
	*s = *s * 1103515245 + 12345;
	return *s >> 8;
}

static void fail(struct worker *w, const char *what, long v)
{
	if (!w->failures++)
		snprintf(w->why, sizeof(w->why), "%s (%ld)", what, v);
}

static bool put(struct worker *w, struct block *b, uint64_t off,
		uint64_t size, uint64_t seed)
{
	b->off = off;
	b->size = size;
	b->seed = seed;
	pattern_fill(w->map + off, 0, size, seed);
	return true;
}

static void check_block(struct worker *w, const struct block *b)
{
	if (!pattern_intact(w->map + b->off, b->size, b->seed))
		fail(w, "pattern damaged at offset", (long)b->off);
}

static void run_single(struct worker *w, struct block *live, int *nlive,
		       uint32_t *seed, uint64_t *serial)
{
	uint32_t r = rnd(seed);
	uint64_t off, size;
	int ret, k;

	if (*nlive < LIVE && (r % 3 || !*nlive)) {
		size = 1 + rnd(seed) % MAX_SIZE;
		ret = dev_alloc(w->fd, size, 0, 0, &off);
		if (ret == -ENOMEM)
			return;
		if (ret)
			return fail(w, "alloc", ret);
		put(w, &live[(*nlive)++], off, size, ++*serial * 64 + w->id);
	} else if (r % 5 == 0) {
		k = rnd(seed) % *nlive;
		check_block(w, &live[k]);
		size = 1 + rnd(seed) % MAX_SIZE;
		ret = dev_realloc(w->fd, live[k].off, size, &off);
		if (ret == -ENOMEM)
			return;
		if (ret)
			return fail(w, "realloc", ret);
		if (!pattern_intact(w->map + off,
			       size < live[k].size ? size : live[k].size,
			       live[k].seed))
			fail(w, "realloc lost data at", (long)off);
		put(w, &live[k], off, size, ++*serial * 64 + w->id);
	} else {
		k = rnd(seed) % *nlive;
		check_block(w, &live[k]);
		ret = dev_free(w->fd, live[k].off);
		if (ret)
			return fail(w, "free", ret);
		live[k] = live[--*nlive];
	}
}

/* Allocate up to 16 blocks in one batch, verify them, free them in one. */
static void run_batch(struct worker *w, uint32_t *seed, uint64_t *serial)
{
	struct myheap_batch_op ops[16];
	struct block blocks[16];
	struct myheap_batch b = {
		.ops = (uintptr_t)ops, .op_size = sizeof(ops[0]),
	};
	unsigned int i, m, n = 1 + rnd(seed) % 16;
	int ret;

	memset(ops, 0, sizeof(ops));
	for (i = 0; i < n; i++) {
		ops[i].op = MYHEAP_BATCH_OP_ALLOC;
		ops[i].size = 1 + rnd(seed) % MAX_SIZE;
	}
	b.count = n;
	ret = dev_ioctl(w->fd, MYHEAP_IOC_BATCH, &b);
	if (ret || b.done != n)
		return fail(w, "batch alloc", ret ? ret : (long)b.done);
	for (i = 0; i < n; i++) {
		if (ops[i].result && ops[i].result != -ENOMEM)
			fail(w, "batch alloc op", ops[i].result);
		if (!ops[i].result)
			put(w, &blocks[i], ops[i].offset, ops[i].size,
			    ++*serial * 64 + w->id);
	}
	/* Free the ones that were allocated, in one batch. */
	for (i = 0, m = 0; i < n; i++) {
		if (ops[i].result)
			continue;
		check_block(w, &blocks[i]);
		memset(&ops[m], 0, sizeof(ops[m]));
		ops[m].op = MYHEAP_BATCH_OP_FREE;
		ops[m++].offset = blocks[i].off;
	}
	b.count = m;
	ret = dev_ioctl(w->fd, MYHEAP_IOC_BATCH, &b);
	if (ret || b.done != m || b.failed)
		return fail(w, "batch free", ret ? ret : (long)b.failed);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct block live[LIVE];
	uint32_t seed = 0x9e3779b9u * (w->id + 1);
	uint64_t serial = 0;
	int nlive = 0, i;

	if (w->own_file) {
		w->fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
		if (w->fd < 0) {
			fail(w, "open", -errno);
			return NULL;
		}
	}
	for (i = 0; i < OPS && !w->failures; i++) {
		if (w->use_batch && i % 8 == 0)
			run_batch(w, &seed, &serial);
		else
			run_single(w, live, &nlive, &seed, &serial);
	}
	while (nlive > 0) {
		check_block(w, &live[--nlive]);
		if (dev_free(w->fd, live[nlive].off))
			fail(w, "final free", (long)live[nlive].off);
	}
	if (w->own_file)
		close(w->fd);
	return NULL;
}

FIXTURE(stress) {
	int fd;
	struct myheap_info info;
	unsigned char *map;
	long used_before;
};

FIXTURE_VARIANT(stress) {
	bool own_files;
	bool use_batch;
};

FIXTURE_VARIANT_ADD(stress, shared_file) {
	.own_files = false,
};

FIXTURE_VARIANT_ADD(stress, own_files) {
	.own_files = true,
};

FIXTURE_VARIANT_ADD(stress, batch) {
	.own_files = true,
	.use_batch = true,
};

FIXTURE_SETUP(stress)
{
	self->fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, dev_info(self->fd, &self->info));
	self->map = mmap(NULL, self->info.mmap_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	self->used_before = dev_used_blocks(self->fd);
}

FIXTURE_TEARDOWN(stress)
{
	munmap(self->map, self->info.mmap_size);
	close(self->fd);
}

TEST_F_TIMEOUT(stress, threads, 300)
{
	struct worker w[THREADS];
	pthread_t tid[THREADS];
	int i;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker) {
			.fd = self->fd, .own_file = variant->own_files,
			.use_batch = variant->use_batch, .map = self->map,
			.map_size = self->info.mmap_size, .id = i,
		};
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, worker_main, &w[i]));
	}
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
		EXPECT_EQ(0, w[i].failures) TH_LOG("thread %d: %s", i, w[i].why);
	}
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(self->used_before, dev_used_blocks(self->fd));
}

/* Processes (own files, own mappings) at once, threads inside each. */
TEST_F_TIMEOUT(stress, processes, 300)
{
	pid_t pid[3];
	int i, status;

	for (i = 0; i < 3; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			struct worker w[2];
			pthread_t tid[2];
			int fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC), t, bad = 0;
			unsigned char *map;

			if (fd < 0)
				_exit(10);
			map = mmap(NULL, self->info.mmap_size,
				   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (map == MAP_FAILED)
				_exit(11);
			for (t = 0; t < 2; t++) {
				w[t] = (struct worker) {
					.fd = fd, .own_file = variant->own_files,
					.use_batch = variant->use_batch,
					.map = map, .id = 10 + i * 2 + t,
				};
				if (pthread_create(&tid[t], NULL, worker_main,
						   &w[t]))
					_exit(12);
			}
			for (t = 0; t < 2; t++) {
				pthread_join(tid[t], NULL);
				if (w[t].failures) {
					fprintf(stderr, "# pid %d thread %d: %s\n",
						getpid(), t, w[t].why);
					bad = 1;
				}
			}
			_exit(bad ? 13 : 0);
		}
	}
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child %d", i);
	}
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(self->used_before, dev_used_blocks(self->fd));
}

TEST_HARNESS_MAIN
