// SPDX-License-Identifier: GPL-2.0
/*
 * myheap private-mode selftests (module parameter mmap=0): the region
 * cannot be mapped, and pread()/pwrite() reach the caller's own blocks
 * only, each bad input with its exact errno (the matrix of "read and
 * write of /dev/myheap" in the uapi header).
 *
 * The test VM loads the module with mmap allowed. Before the harness runs,
 * main() reloads it with mmap=0 (and the parameters it had), and puts it
 * back as it was at exit; run as root, with the module at $MYHEAP_KO or
 * /myheap/modules/myheap.ko. If that fails every test fails: the fixture
 * insists on MYHEAP_FEATURE_PRIVATE, nothing is skipped.
 */
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "kselftest_harness.h"
#include "dev_util.h"
#include "pattern.h"
#include "myheap_module.h"

/* The parameters the module had before main() switched it to private. */

FIXTURE(priv) {
	int fd;		/* the owner of the blocks under test */
	int fd2;	/* another owner */
	struct myheap_info info;
};

FIXTURE_SETUP(priv)
{
	self->fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->fd2 = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, dev_info(self->fd, &self->info));
	ASSERT_TRUE(self->info.features & MYHEAP_FEATURE_PRIVATE) {
		TH_LOG("the module is not in private mode (mmap=0)");
	}
}

FIXTURE_TEARDOWN(priv)
{
	close(self->fd2);
	close(self->fd);
}

/* pread()/pwrite() as bytes moved or -errno. */
static ssize_t rd(int fd, void *buf, size_t len, uint64_t pos)
{
	ssize_t n = pread(fd, buf, len, (off_t)pos);

	return n < 0 ? -errno : n;
}

static ssize_t wr(int fd, const void *buf, size_t len, uint64_t pos)
{
	ssize_t n = pwrite(fd, buf, len, (off_t)pos);

	return n < 0 ? -errno : n;
}

/* A block of @size bytes of @fd filled with pattern @seed; its usable size. */
static uint64_t filled(struct __test_metadata *_metadata, int fd,
		       uint64_t size, uint64_t seed, uint64_t *usable)
{
	unsigned char buf[8192];
	uint64_t off = 0;

	if (size > sizeof(buf))
		size = sizeof(buf);
	EXPECT_EQ(0, dev_alloc(fd, size, 0, 0, &off));
	EXPECT_EQ(0, dev_usable(fd, off, usable, NULL));
	pattern_fill(buf, 0, size, seed);
	EXPECT_EQ((ssize_t)size, wr(fd, buf, size, off));
	return off;
}

TEST_F(priv, get_info_and_sysfs)
{
	char val[8];

	EXPECT_EQ(MYHEAP_FEATURE_PRIVATE | MYHEAP_FEATURE_RW,
		  self->info.features &
		  (MYHEAP_FEATURE_PRIVATE | MYHEAP_FEATURE_RW |
		   MYHEAP_FEATURE_MMAP));
	ASSERT_EQ(0, mod_param("mmap", val, sizeof(val)));
	EXPECT_STREQ("N", val);
}

TEST_F(priv, mmap_refused)
{
	size_t size = self->info.mmap_size;
	int ro = open(MYHEAP_DEVICE, O_RDONLY | O_CLOEXEC);

	EXPECT_EQ(MAP_FAILED, mmap(NULL, size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, DEV_PAGE, PROT_READ, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(ENODEV, errno);
	/* Whatever else is wrong with the request, the answer is the mode. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, DEV_PAGE, PROT_READ, MAP_PRIVATE,
				   self->fd, DEV_PAGE));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_LE(0, ro);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, DEV_PAGE, PROT_READ, MAP_SHARED, ro, 0));
	EXPECT_EQ(ENODEV, errno);
	close(ro);
}

TEST_F(priv, own_block_round_trip)
{
	unsigned char buf[1000];
	uint64_t off, usable;

	off = filled(_metadata, self->fd, sizeof(buf), 7, &usable);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ((ssize_t)sizeof(buf), rd(self->fd, buf, sizeof(buf), off));
	EXPECT_TRUE(pattern_intact(buf, sizeof(buf), 7));
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(0, dev_free(self->fd, off));
}

/* The whole usable size, not just the requested bytes; not one byte more. */
TEST_F(priv, whole_usable_size)
{
	unsigned char buf[2048];
	uint64_t off, usable;

	off = filled(_metadata, self->fd, 1000, 1, &usable);
	ASSERT_LE(1000, usable);
	ASSERT_GE(sizeof(buf) - 1, usable);
	pattern_fill(buf, 0, usable, 2);
	EXPECT_EQ((ssize_t)usable, wr(self->fd, buf, usable, off));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ((ssize_t)usable, rd(self->fd, buf, usable, off));
	EXPECT_TRUE(pattern_intact(buf, usable, 2));
	EXPECT_EQ(-EINVAL, rd(self->fd, buf, usable + 1, off));
	EXPECT_EQ(-EINVAL, wr(self->fd, buf, usable + 1, off));
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(0, dev_free(self->fd, off));
}

TEST_F(priv, inner_offsets)
{
	unsigned char buf[1000], want[1000];
	uint64_t off, usable;

	off = filled(_metadata, self->fd, sizeof(want), 3, &usable);
	pattern_fill(want, 0, sizeof(want), 3);
	/* Odd, 8- and 16-aligned starts inside the payload. */
	EXPECT_EQ(10, rd(self->fd, buf, 10, off + 1));
	EXPECT_EQ(0, memcmp(buf, want + 1, 10));
	EXPECT_EQ(100, rd(self->fd, buf, 100, off + 8));
	EXPECT_EQ(0, memcmp(buf, want + 8, 100));
	EXPECT_EQ(500, rd(self->fd, buf, 500, off + 496));
	EXPECT_EQ(0, memcmp(buf, want + 496, 500));
	/* The last usable byte, alone. */
	EXPECT_EQ(1, rd(self->fd, buf, 1, off + usable - 1));
	/* Writes inside land where they should. */
	EXPECT_EQ(4, wr(self->fd, "abcd", 4, off + 33));
	memcpy(want + 33, "abcd", 4);
	EXPECT_EQ((ssize_t)sizeof(buf), rd(self->fd, buf, sizeof(buf), off));
	EXPECT_EQ(0, memcmp(buf, want, sizeof(buf)));
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(0, dev_free(self->fd, off));
}

TEST_F(priv, range_past_the_block)
{
	unsigned char buf[4096] = { 0 };
	uint64_t off, usable;

	off = filled(_metadata, self->fd, 100, 4, &usable);
	EXPECT_EQ(-EINVAL, rd(self->fd, buf, 2, off + usable - 1));
	EXPECT_EQ(-EINVAL, wr(self->fd, buf, 2, off + usable - 1));
	EXPECT_EQ(-EINVAL, rd(self->fd, buf, sizeof(buf), off));
	EXPECT_EQ(-EINVAL, wr(self->fd, buf, sizeof(buf), off + 50));
	/* Nothing of the refused writes landed. */
	EXPECT_EQ(100, rd(self->fd, buf, 100, off));
	EXPECT_TRUE(pattern_intact(buf, 100, 4));
	/* One past the usable size is the next block's header. */
	EXPECT_EQ(-ENXIO, rd(self->fd, buf, 1, off + usable));
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(0, dev_free(self->fd, off));
}

/* Another file's block: refused at its start and inside, left intact. */
TEST_F(priv, another_files_block)
{
	unsigned char buf[512];
	uint64_t mine, theirs, usable;

	mine = filled(_metadata, self->fd, 256, 5, &usable);
	theirs = filled(_metadata, self->fd2, 512, 6, &usable);
	memset(buf, 0xee, sizeof(buf));
	EXPECT_EQ(-EPERM, rd(self->fd, buf, 16, theirs));
	EXPECT_EQ(-EPERM, wr(self->fd, buf, 16, theirs));
	EXPECT_EQ(-EPERM, rd(self->fd, buf, 16, theirs + 5));
	EXPECT_EQ(-EPERM, wr(self->fd, buf, 16, theirs + 64));
	EXPECT_EQ(-EPERM, rd(self->fd2, buf, 16, mine));
	EXPECT_EQ(512, rd(self->fd2, buf, 512, theirs));
	EXPECT_TRUE(pattern_intact(buf, 512, 6));
	EXPECT_EQ(256, rd(self->fd, buf, 256, mine));
	EXPECT_TRUE(pattern_intact(buf, 256, 5));
	EXPECT_EQ(0, dev_free(self->fd, mine));
	EXPECT_EQ(0, dev_free(self->fd2, theirs));
}

/* Another process cannot reach the blocks of a file it did not open. */
TEST_F(priv, another_process)
{
	unsigned char buf[64];
	uint64_t off, usable;
	int status;
	pid_t pid;

	off = filled(_metadata, self->fd, 64, 8, &usable);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);

		_exit(fd < 0 ? 10 :
		      rd(fd, buf, 64, off) != -EPERM ? 11 :
		      wr(fd, buf, 64, off) != -EPERM ? 12 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(64, rd(self->fd, buf, 64, off));
	EXPECT_TRUE(pattern_intact(buf, 64, 8));
	EXPECT_EQ(0, dev_free(self->fd, off));
}

TEST_F(priv, freed_block)
{
	unsigned char buf[64];
	uint64_t a, b, c, usable;

	/* b between two blocks in use: it stays a free block of its own. */
	a = filled(_metadata, self->fd, 64, 1, &usable);
	b = filled(_metadata, self->fd, 64, 2, &usable);
	c = filled(_metadata, self->fd, 64, 3, &usable);
	ASSERT_EQ(0, dev_free(self->fd, b));
	EXPECT_EQ(-EALREADY, rd(self->fd, buf, 16, b));
	EXPECT_EQ(-EALREADY, wr(self->fd, buf, 16, b));
	EXPECT_EQ(-EALREADY, rd(self->fd, buf, 8, b + 24));
	EXPECT_EQ(-EALREADY, wr(self->fd, buf, 8, b + 24));
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(0, dev_free(self->fd, a));
	EXPECT_EQ(0, dev_free(self->fd, c));
}

TEST_F(priv, not_a_block)
{
	uint64_t size = self->info.region_size, off, usable;
	unsigned char buf[16] = { 0 };

	off = filled(_metadata, self->fd, 64, 9, &usable);
	/* The pad before the first block, and the region's end and beyond. */
	EXPECT_EQ(-ENXIO, rd(self->fd, buf, 1, 0));
	EXPECT_EQ(-ENXIO, wr(self->fd, buf, 1, 0));
	EXPECT_EQ(-ENXIO, rd(self->fd, buf, 1, size));
	EXPECT_EQ(-ENXIO, wr(self->fd, buf, 1, size + 4096));
	EXPECT_EQ(-ENXIO, rd(self->fd, buf, 1, 1ULL << 40));
	/* The block's own header, every byte of it. */
	EXPECT_EQ(-ENXIO, rd(self->fd, buf, 8, off - 8));
	EXPECT_EQ(-ENXIO, wr(self->fd, buf, 8, off - 8));
	EXPECT_EQ(-ENXIO, rd(self->fd, buf, 1, off - 1));
	EXPECT_EQ(-ENXIO, wr(self->fd, buf, 1, off - 4));
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(0, dev_free(self->fd, off));
}

TEST_F(priv, bad_buffer)
{
	unsigned char *bad = dev_bad_page(), buf[128];
	void *volatile null = NULL;	/* hidden from the compiler's checks */
	uint64_t off, usable;
	void *ro;

	ASSERT_NE(NULL, bad);
	ro = mmap(NULL, DEV_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	off = filled(_metadata, self->fd, 128, 10, &usable);
	EXPECT_EQ(-EFAULT, rd(self->fd, bad, 128, off));
	EXPECT_EQ(-EFAULT, rd(self->fd, ro, 128, off));
	EXPECT_EQ(-EFAULT, wr(self->fd, bad, 128, off));
	EXPECT_EQ(-EFAULT, rd(self->fd, null, 16, off));
	EXPECT_EQ(-EFAULT, wr(self->fd, null, 16, off));
	/* The failed writes changed nothing. */
	EXPECT_EQ(128, rd(self->fd, buf, 128, off));
	EXPECT_TRUE(pattern_intact(buf, 128, 10));
	EXPECT_EQ(0, dev_free(self->fd, off));
	munmap(ro, DEV_PAGE);
	munmap(bad, DEV_PAGE);
}

TEST_F(priv, zero_length)
{
	void *volatile null = NULL;
	uint64_t off, usable;
	char c;

	off = filled(_metadata, self->fd, 32, 11, &usable);
	EXPECT_EQ(0, rd(self->fd, &c, 0, off));
	EXPECT_EQ(0, wr(self->fd, &c, 0, off));
	/* Nothing is looked at: not the buffer, not the position. */
	EXPECT_EQ(0, rd(self->fd, null, 0, 0));
	EXPECT_EQ(0, wr(self->fd, null, 0, self->info.region_size + 1));
	EXPECT_EQ(0, dev_free(self->fd, off));
}

TEST_F(priv, negative_position)
{
	char c = 0;

	EXPECT_EQ(-1, pread(self->fd, &c, 1, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->fd, &c, 1, -16));
	EXPECT_EQ(EINVAL, errno);
}

/* Larger than the kernel's one-page chunk: several lock holds, one answer. */
TEST_F(priv, many_pages)
{
	size_t len = 5 * DEV_PAGE + 123;
	unsigned char *buf = malloc(len), *back = malloc(len);
	uint64_t off, usable;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, back);
	ASSERT_EQ(0, dev_alloc(self->fd, len, 0, 0, &off));
	pattern_fill(buf, 0, len, 12);
	EXPECT_EQ((ssize_t)len, wr(self->fd, buf, len, off));
	EXPECT_EQ((ssize_t)(len - 1000), rd(self->fd, back, len - 1000, off + 1000));
	EXPECT_EQ(0, memcmp(back, buf + 1000, len - 1000));
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(0, dev_usable(self->fd, off, &usable, NULL));
	EXPECT_EQ(0, dev_free(self->fd, off));
	free(back);
	free(buf);
}

/* read()/write() use and move the file position; lseek() stays in the region. */
TEST_F(priv, file_position)
{
	unsigned char buf[64], back[64];
	uint64_t off, usable;

	off = filled(_metadata, self->fd, 64, 13, &usable);
	pattern_fill(buf, 0, sizeof(buf), 14);
	ASSERT_EQ((off_t)off, lseek(self->fd, (off_t)off, SEEK_SET));
	EXPECT_EQ(32, write(self->fd, buf, 32));
	EXPECT_EQ(32, write(self->fd, buf + 32, 32));
	EXPECT_EQ((off_t)off + 64, lseek(self->fd, 0, SEEK_CUR));
	EXPECT_EQ((off_t)off, lseek(self->fd, -64, SEEK_CUR));
	EXPECT_EQ(64, read(self->fd, back, 64));
	EXPECT_EQ(0, memcmp(buf, back, 64));
	EXPECT_EQ((off_t)self->info.region_size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(-1, lseek(self->fd, 1, SEEK_END));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, dev_free(self->fd, off));
}

/* A read-only file reads its blocks and cannot write them. */
TEST_F(priv, read_only_file)
{
	int ro = open(MYHEAP_DEVICE, O_RDONLY | O_CLOEXEC);
	unsigned char buf[32];
	uint64_t off, usable;

	ASSERT_LE(0, ro);
	ASSERT_EQ(0, dev_alloc(ro, 32, 0, MYHEAP_ALLOC_ZERO, &off));
	EXPECT_EQ(0, dev_usable(ro, off, &usable, NULL));
	EXPECT_EQ(32, rd(ro, buf, 32, off));
	EXPECT_EQ(-EBADF, wr(ro, buf, 32, off));
	close(ro);
}

/* A block that moves: the old offset is gone, the data came along. */
TEST_F(priv, after_realloc)
{
	unsigned char buf[4096];
	uint64_t off, moved, usable, blocker;

	off = filled(_metadata, self->fd, 100, 15, &usable);
	blocker = filled(_metadata, self->fd, 16, 16, &usable);
	ASSERT_EQ(0, dev_realloc(self->fd, off, 4000, &moved));
	ASSERT_NE(off, moved);
	EXPECT_EQ(100, rd(self->fd, buf, 100, moved));
	EXPECT_TRUE(pattern_intact(buf, 100, 15));
	EXPECT_EQ(4000, wr(self->fd, buf, 4000, moved));
	EXPECT_NE(4000, rd(self->fd, buf, 4000, off));
	EXPECT_EQ(0, dev_free(self->fd, moved));
	EXPECT_EQ(0, dev_free(self->fd, blocker));
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct walker {
	int fd;
	uint64_t pos;
	volatile int stop;
	int reads;
	int errors;
};

/* Read at an inner position (one block lookup each) until told to stop. */
static void *walk_loop(void *arg)
{
	struct walker *w = arg;
	unsigned char buf[8], want[16];

	/* The block holds pattern 17; @pos is one byte into it. */
	pattern_fill(want, 0, sizeof(want), 17);
	while (!w->stop) {
		if (rd(w->fd, buf, 8, w->pos) != 8 || memcmp(buf, want + 1, 8))
			w->errors++;
		w->reads++;
	}
	return NULL;
}

enum { LAT_N = 200 };

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * @n latencies (us, sorted) of an ALLOC+FREE pair on @fd; with @reads, go
 * on until the walker has done 20 more reads. Returns how many were taken.
 */
static int alloc_free_latencies(int fd, double *lat, int n,
				volatile int *reads)
{
	int i, start = reads ? *reads : 0;
	double t, extra = 0;
	uint64_t off;

	for (i = 0; i < n || (reads && *reads < start + 20); i++) {
		t = now_us();
		if (dev_alloc(fd, 16, 0, 0, &off) || dev_free(fd, off))
			return -1;
		t = now_us() - t;
		if (i < n)
			lat[i] = t;
		else if (t > extra)
			extra = t;	/* past @n: only the worst is kept */
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	if (extra > lat[n - 1])
		lat[n - 1] = extra;
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Up to @want 16-byte blocks for @fd, through BATCH; their offsets sorted
 * into @offs. Returns how many, or -errno.
 */
static int many_blocks(int fd, uint64_t *offs, int want)
{
	struct myheap_batch_op ops[256];
	struct myheap_batch b;
	int got = 0, i, ret;

	while (got < want) {
		int count = want - got < 256 ? want - got : 256;

		for (i = 0; i < count; i++)
			ops[i] = (struct myheap_batch_op){
				.op = MYHEAP_BATCH_OP_ALLOC, .size = 16 };
		b = (struct myheap_batch){ .ops = (uintptr_t)ops,
			.count = count, .op_size = sizeof(ops[0]),
			.flags = MYHEAP_BATCH_STOP };
		ret = dev_ioctl(fd, MYHEAP_IOC_BATCH, &b);
		if (ret)
			return ret;
		for (i = 0; i < (int)b.done && !ops[i].result; i++)
			offs[got++] = ops[i].offset;
		if (b.failed)
			break;
	}
	qsort(offs, got, sizeof(*offs), cmp_u64);
	return got;
}

/*
 * An inner position costs one lookup of the block below it: measured with
 * 64K blocks in use against a position at the payload offset (printed,
 * not asserted: timings on these VMs are noise).
 */
TEST_F_TIMEOUT(priv, inner_offset_with_many_blocks, 180)
{
	enum { WANT = 65536, ROUNDS = 5 };
	uint64_t *offs = calloc(WANT, sizeof(*offs)), last;
	double t0, direct, inner;
	unsigned char buf[16];
	int i, got;

	ASSERT_NE(NULL, offs);
	got = many_blocks(self->fd, offs, WANT);
	ASSERT_LE(16384, got) TH_LOG("only %d blocks", got);
	last = offs[got - 1];
	pattern_fill(buf, 0, 16, 17);
	ASSERT_EQ(16, wr(self->fd, buf, 16, last));

	t0 = now_us();
	for (i = 0; i < ROUNDS; i++)
		ASSERT_EQ(15, rd(self->fd, buf, 15, last));
	direct = (now_us() - t0) / ROUNDS;
	t0 = now_us();
	for (i = 0; i < ROUNDS; i++)
		ASSERT_EQ(15, rd(self->fd, buf + 1, 15, last + 1));
	inner = (now_us() - t0) / ROUNDS;
	EXPECT_TRUE(pattern_intact(buf, 16, 17));
	TH_LOG("%d blocks: pread at the payload offset %.0f us, inside it %.0f us (one walk)",
	       got, direct, inner);

	/* How long another file waits for the lock while walks run. */
	struct walker w = { .fd = self->fd, .pos = last + 1 };
	double quiet[LAT_N], busy[LAT_N];
	pthread_t th;
	int n;

	ASSERT_EQ(LAT_N, alloc_free_latencies(self->fd2, quiet, LAT_N, NULL));
	ASSERT_EQ(0, pthread_create(&th, NULL, walk_loop, &w));
	while (!w.reads)
		sched_yield();
	n = alloc_free_latencies(self->fd2, busy, LAT_N, &w.reads);
	w.stop = 1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(LAT_N, n);
	EXPECT_EQ(0, w.errors);
	TH_LOG("ALLOC+FREE of another file, median/max: %.0f/%.0f us alone, %.0f/%.0f us while %d inner preads ran",
	       quiet[LAT_N / 2], quiet[LAT_N - 1], busy[LAT_N / 2],
	       busy[LAT_N - 1], w.reads);
	free(offs);
	/* The fixture's close frees them all. */
}

/*
 * Blocks merged and re-split around an inner position (ZERO wiping their
 * headers) while it is read: reads inside the last block, with the heap
 * churning around it, stay right.
 */
TEST_F_TIMEOUT(priv, inner_walk_under_churn, 180)
{
	/*
	 * Under the default segregated fit the 40-byte request's best class
	 * is the 64-byte hole churn makes, and a 16-byte one splits it again.
	 */
	enum { WANT = 65536, CHUNK = 4096, CYCLES = 400 };
	uint64_t *offs = calloc(WANT, sizeof(*offs)), big, a, b2;
	struct walker w = { .fd = self->fd };
	unsigned char buf[16];
	pthread_t th;
	int got, c, k;

	ASSERT_NE(NULL, offs);
	got = many_blocks(self->fd, offs, WANT);
	ASSERT_LE(3 * CHUNK, got) TH_LOG("only %d blocks", got);
	w.pos = offs[got - 1] + 1;
	pattern_fill(buf, 0, 16, 17);
	ASSERT_EQ(16, wr(self->fd, buf, 16, offs[got - 1]));
	ASSERT_EQ(0, pthread_create(&th, NULL, walk_loop, &w));
	while (!w.reads)
		sched_yield();
	for (c = 0; c < CYCLES; c++) {
		k = CHUNK * (1 + c % (got / CHUNK - 1));
		/* Merge the block the walk resumes at into its neighbour... */
		ASSERT_EQ(0, dev_free(self->fd, offs[k - 1]));
		ASSERT_EQ(0, dev_free(self->fd, offs[k]));
		/* ...zero over its old header, then split it back. */
		ASSERT_EQ(0, dev_alloc(self->fd, 40, 0, MYHEAP_ALLOC_ZERO, &big));
		ASSERT_EQ(0, dev_free(self->fd, big));
		ASSERT_EQ(0, dev_alloc(self->fd, 16, 0, 0, &a));
		ASSERT_EQ(0, dev_alloc(self->fd, 16, 0, 0, &b2));
		offs[k - 1] = a < b2 ? a : b2;
		offs[k] = a < b2 ? b2 : a;
	}
	w.stop = 1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, w.errors);
	EXPECT_LT(0, w.reads);
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	TH_LOG("%d inner reads across %d blocks during %d merge/split cycles",
	       w.reads, got, CYCLES);
	free(offs);
}

int main(int argc, char **argv)
{
	mod_private_mode();
	return test_harness_run(argc, argv);
}
