// SPDX-License-Identifier: GPL-2.0
/*
 * myheap mmap and lifetime selftests: mapping bounds and protections, data
 * shared between files and processes through the mapping, pread/pwrite
 * agreeing with it, cleanup when an owner goes away (exit, kill, last
 * munmap), damage included, and the module outliving every mapping.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "dev_util.h"
#include "pattern.h"
#include "myheap_module.h"

/* Does /dev/kmsg hold a record containing all of @a and @b? */
static bool kmsg_has(const char *a, const char *b)
{
	char rec[2048];
	bool found = false;
	ssize_t n;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten record: skip it */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, a) && strstr(rec, b))
			found = true;
	}
	close(fd);
	return found;
}

static void *map_heap(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

FIXTURE(map) {
	int fd;
	struct myheap_info info;
};

FIXTURE_SETUP(map)
{
	self->fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, dev_info(self->fd, &self->info));
}

FIXTURE_TEARDOWN(map)
{
	close(self->fd);
}

TEST_F(map, whole_and_partial)
{
	size_t size = self->info.mmap_size;
	unsigned char *p;
	uint64_t off;

	p = map_heap(self->fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dev_alloc(self->fd, 4000, 0, 0, &off));
	pattern_fill(p + off, 0, 4000, 5);
	EXPECT_EQ(0, dev_check(self->fd, NULL));
	EXPECT_EQ(0, munmap(p, size));

	/* A shorter mapping shows the start of the same region. */
	p = map_heap(self->fd, DEV_PAGE * 2, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	if (off + 4000 <= DEV_PAGE * 2)
		EXPECT_TRUE(pattern_intact(p + off, 4000, 5));
	EXPECT_EQ(0, munmap(p, DEV_PAGE * 2));
	EXPECT_EQ(0, dev_free(self->fd, off));
}

TEST_F(map, bad_offset_and_length)
{
	size_t size = self->info.mmap_size;

	EXPECT_EQ(MAP_FAILED, map_heap(self->fd, DEV_PAGE, PROT_READ,
				       MAP_SHARED, DEV_PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_heap(self->fd, DEV_PAGE, PROT_READ,
				       MAP_SHARED, size));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_heap(self->fd, size + DEV_PAGE, PROT_READ,
				       MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_heap(self->fd, size * 2, PROT_READ,
				       MAP_SHARED, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, private_refused)
{
	EXPECT_EQ(MAP_FAILED, map_heap(self->fd, self->info.mmap_size,
				       PROT_READ | PROT_WRITE, MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, map_heap(self->fd, DEV_PAGE, PROT_READ,
				       MAP_PRIVATE, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(map, never_executable)
{
	size_t size = self->info.mmap_size;
	void *p;

	EXPECT_EQ(MAP_FAILED, map_heap(self->fd, size, PROT_READ | PROT_EXEC,
				       MAP_SHARED, 0));
	EXPECT_EQ(EPERM, errno);

	p = map_heap(self->fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, size, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	/* Other changes of protection are fine. */
	EXPECT_EQ(0, mprotect(p, size, PROT_READ));
	EXPECT_EQ(0, mprotect(p, size, PROT_READ | PROT_WRITE));
	/* It cannot grow past the region. */
	EXPECT_EQ(MAP_FAILED, mremap(p, size, size + DEV_PAGE, MREMAP_MAYMOVE));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, munmap(p, size));
}

TEST_F(map, read_only_file)
{
	size_t size = self->info.mmap_size;
	int ro = open(MYHEAP_DEVICE, O_RDONLY | O_CLOEXEC);
	void *p;

	ASSERT_LE(0, ro);
	EXPECT_EQ(MAP_FAILED, map_heap(ro, size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, 0));
	EXPECT_EQ(EACCES, errno);
	p = map_heap(ro, size, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, size);
	close(ro);
}

/* What one file writes, a mapping through another file reads. */
TEST_F(map, shared_between_files)
{
	size_t size = self->info.mmap_size;
	int fd2 = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	unsigned char *p1, *p2;
	uint64_t off;

	ASSERT_LE(0, fd2);
	p1 = map_heap(self->fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	p2 = map_heap(fd2, size, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p1);
	ASSERT_NE(MAP_FAILED, p2);
	ASSERT_EQ(0, dev_alloc(self->fd, 10000, 0, 0, &off));
	pattern_fill(p1 + off, 0, 10000, off);
	EXPECT_TRUE(pattern_intact(p2 + off, 10000, off));
	EXPECT_EQ(0, dev_free(self->fd, off));
	munmap(p1, size);
	munmap(p2, size);
	close(fd2);
}

/* pread()/pwrite() and the mapping show the same bytes of one's own block. */
TEST_F(map, rw_matches_mapping)
{
	size_t size = self->info.mmap_size;
	unsigned char *p, buf[300];
	int fd2 = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	uint64_t off, theirs;

	ASSERT_LE(0, fd2);
	EXPECT_TRUE(self->info.features & MYHEAP_FEATURE_RW);
	EXPECT_FALSE(self->info.features & MYHEAP_FEATURE_PRIVATE);
	p = map_heap(self->fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dev_alloc(self->fd, 300, 0, 0, &off));
	ASSERT_EQ(0, dev_alloc(fd2, 300, 0, 0, &theirs));
	pattern_fill(buf, 0, 300, 55);
	EXPECT_EQ(300, pwrite(self->fd, buf, 300, off));
	EXPECT_TRUE(pattern_intact(p + off, 300, 55));
	pattern_fill(p + off, 0, 300, 56);
	EXPECT_EQ(200, pread(self->fd, buf, 200, off + 100));
	EXPECT_EQ(0, memcmp(buf, p + off + 100, 200));
	/* Mapped or not, another file's block is not ours to read or write. */
	EXPECT_EQ(-1, pread(self->fd, buf, 16, theirs));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 16, theirs + 16));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, dev_free(self->fd, off));
	EXPECT_EQ(0, dev_free(fd2, theirs));
	munmap(p, size);
	close(fd2);
}

/* Two processes with their own files exchange data through the region. */
TEST_F(map, two_processes)
{
	size_t size = self->info.mmap_size;
	int to_child[2], to_parent[2], status;
	uint64_t mine, theirs;
	unsigned char *p;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	p = map_heap(self->fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dev_alloc(self->fd, 3000, 0, 0, &mine));
	pattern_fill(p + mine, 0, 3000, 11);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
		unsigned char *q;
		uint64_t off, got;
		char c;

		if (fd < 0)
			_exit(10);
		q = map_heap(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		if (q == MAP_FAILED)
			_exit(11);
		if (read(to_child[0], &got, sizeof(got)) != sizeof(got))
			_exit(12);
		if (!pattern_intact(q + got, 3000, 11))
			_exit(13);
		/* Not ours to free. */
		if (dev_free(fd, got) != -EPERM)
			_exit(14);
		if (dev_alloc(fd, 5000, 0, 0, &off))
			_exit(15);
		pattern_fill(q + off, 0, 5000, 22);
		if (write(to_parent[1], &off, sizeof(off)) != sizeof(off))
			_exit(16);
		/* Stay alive (owning the block) until the parent looked. */
		if (read(to_child[0], &c, 1) != 1)
			_exit(17);
		_exit(0);
	}
	ASSERT_EQ(sizeof(mine), write(to_child[1], &mine, sizeof(mine)));
	ASSERT_EQ(sizeof(theirs), read(to_parent[0], &theirs, sizeof(theirs)));
	EXPECT_TRUE(pattern_intact(p + theirs, 5000, 22));
	EXPECT_EQ(-EPERM, dev_free(self->fd, theirs));
	EXPECT_EQ(-EPERM, dev_usable(self->fd, theirs, NULL, NULL));
	ASSERT_EQ(1, write(to_child[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The child's block went with it. */
	EXPECT_NE(0, dev_usable(self->fd, theirs, NULL, NULL));
	EXPECT_NE(-EPERM, dev_free(self->fd, theirs));
	EXPECT_TRUE(pattern_intact(p + mine, 3000, 11));
	EXPECT_EQ(0, dev_free(self->fd, mine));
	munmap(p, size);
}

/* A forked child shares the parent's mapping (and file): same blocks. */
TEST_F(map, fork_shares_mapping)
{
	size_t size = self->info.mmap_size;
	unsigned char *p;
	uint64_t off;
	int status;
	pid_t pid;

	p = map_heap(self->fd, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dev_alloc(self->fd, 256, 0, MYHEAP_ALLOC_ZERO, &off));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pattern_fill(p + off, 0, 256, 33);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(pattern_intact(p + off, 256, 33));
	EXPECT_EQ(0, dev_free(self->fd, off));
	munmap(p, size);
}

/* A child that allocates and dies (exit or SIGKILL) leaks nothing. */
static void child_leaks(struct __test_metadata *_metadata, int fd, int sig)
{
	long before = dev_used_blocks(fd);
	char pidstr[32];
	int status, i;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
		uint64_t off;

		if (cfd < 0)
			_exit(10);
		for (i = 0; i < 10; i++)
			if (dev_alloc(cfd, 1000, 0, 0, &off))
				_exit(11);
		if (sig)
			raise(sig);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (sig) {
		ASSERT_TRUE(WIFSIGNALED(status));
		EXPECT_EQ(sig, WTERMSIG(status));
	} else {
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	EXPECT_EQ(before, dev_used_blocks(fd));
	EXPECT_EQ(0, dev_check(fd, NULL));
	snprintf(pidstr, sizeof(pidstr), "(pid %d,", pid);
	EXPECT_TRUE(kmsg_has(pidstr, "closed with 10 blocks, 10000 bytes"))
		TH_LOG("no leak summary for pid %d in /dev/kmsg", pid);
}

TEST_F(map, cleanup_on_exit)
{
	child_leaks(_metadata, self->fd, 0);
}

TEST_F(map, cleanup_on_kill)
{
	child_leaks(_metadata, self->fd, SIGKILL);
}

/* The mapping keeps the file alive: blocks live until the last munmap. */
TEST_F(map, mapping_outlives_close)
{
	size_t size = self->info.mmap_size;
	long before = dev_used_blocks(self->fd);
	unsigned char *p;
	uint64_t off;
	int fd2;

	fd2 = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dev_alloc(fd2, 2000, 0, 0, &off));
	p = map_heap(fd2, size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd2);
	pattern_fill(p + off, 0, 2000, 44);
	EXPECT_EQ(before + 1, dev_used_blocks(self->fd));
	EXPECT_TRUE(pattern_intact(p + off, 2000, 44));
	EXPECT_EQ(0, munmap(p, size));
	EXPECT_EQ(before, dev_used_blocks(self->fd));
}

/*
 * A process that damages its own block's header cannot free it; when the
 * last file closes, the module resets the heap. (No fixture: this process
 * must hold no file of the device when the child exits.)
 */
TEST(damage_reset_after_last_close)
{
	struct myheap_stats st;
	int status, fd;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct myheap_info info;
		unsigned char *p;
		uint64_t off;

		fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0 || dev_info(fd, &info))
			_exit(10);
		p = map_heap(fd, info.mmap_size, PROT_READ | PROT_WRITE,
			     MAP_SHARED, 0);
		if (p == MAP_FAILED || dev_alloc(fd, 64, 0, 0, &off))
			_exit(11);
		p[off - 8] ^= 0x5a;
		if (dev_free(fd, off) != -EBADMSG)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dev_stats(fd, &st));
	EXPECT_EQ(0, st.used_blocks);
	EXPECT_EQ(0, dev_check(fd, NULL));
	EXPECT_TRUE(kmsg_has("heap was damaged", "reset"));
	close(fd);
}

/*
 * The region outlives every mapping: with the file closed and only the
 * mapping left, the module cannot be unloaded, the mapping stays usable
 * (no fault), the block stays allocated; after munmap the block is freed
 * and rmmod works. The module is loaded again as it was found. (No
 * fixture: this process must hold no file of the device at the end.)
 */
TEST(mapping_holds_the_module)
{
	char params[256];
	struct myheap_info info;
	unsigned char *p;
	uint64_t off;
	long before;
	int fd, ret;

	ASSERT_EQ(0, mod_params(params, sizeof(params)));
	fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dev_info(fd, &info));
	before = dev_used_blocks(fd);
	ASSERT_EQ(0, dev_alloc(fd, 5000, 0, 0, &off));
	p = map_heap(fd, info.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, p);
	pattern_fill(p + off, 0, 5000, 66);
	ASSERT_EQ(0, close(fd));

	ret = mod_unload();
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("delete_module with only a mapping left: %d", ret);
	ASSERT_TRUE(mod_loaded());
	/* Touch the mapping: it is still the region, and still ours. */
	EXPECT_TRUE(pattern_intact(p + off, 5000, 66));
	pattern_fill(p + off, 0, 5000, 67);
	EXPECT_TRUE(pattern_intact(p + off, 5000, 67));
	fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(before + 1, dev_used_blocks(fd));
	/* The block is still the closed file's, not the new one's. */
	EXPECT_EQ(-EPERM, dev_free(fd, off));
	EXPECT_EQ(0, close(fd));

	EXPECT_EQ(0, munmap(p, info.mmap_size));
	fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(before, dev_used_blocks(fd));
	EXPECT_EQ(0, close(fd));

	EXPECT_EQ(0, mod_unload());
	EXPECT_FALSE(mod_loaded());
	ret = mod_load(params);
	ASSERT_EQ(0, ret) TH_LOG("insmod %s %s: %s", mod_ko_path(), params,
				 strerror(-ret));
}

TEST_HARNESS_MAIN
