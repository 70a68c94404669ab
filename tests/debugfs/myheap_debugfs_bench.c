// SPDX-License-Identifier: GPL-2.0
/*
 * myheap_debugfs_bench: what reading the debugfs files costs, and how long
 * they keep the heap from everybody else. Run as root in the VM, with a
 * region large enough for the blocks asked for (tests/debugfs/bench-in-vm).
 *
 *   myheap_debugfs_bench LIVE [POLICY]
 *
 * Builds LIVE blocks in use with a free 32-byte hole after each one (so
 * `blocks` has 2 * LIVE records and `freelist` LIVE), then for each file:
 * the time of a whole read in 128 KiB read() calls (as cat does), of an
 * lseek() to the middle, and the longest MYHEAP_IOC_GET_INFO (an ioctl
 * that only takes the heap's lock) a second thread saw meanwhile, next to
 * the longest unknown ioctl (no lock: what the VM's own stalls are).
 * Prints figures; asserts nothing about time (the machines are shared).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dfs_util.h"

static atomic_int probing, probe_stop;
static double probe_max, probe_total, noise_max;
static unsigned long probe_calls;
static int probe_fd;

/* The cheap ioctl, as often as it gets the lock, while @probing is set. */
static void *probe(void *unused)
{
	struct myheap_info info;
	double t0, dt;

	while (!atomic_load(&probe_stop)) {
		if (!atomic_load(&probing)) {
			usleep(1000);
			continue;
		}
		t0 = now_s();
		if (dev_info(probe_fd, &info))
			break;
		dt = now_s() - t0;
		probe_total += dt;
		probe_calls++;
		if (dt > probe_max)
			probe_max = dt;
		/* The same without the lock: how much of it is the VM. */
		t0 = now_s();
		ioctl(probe_fd, _IO('x', 0xff), NULL);
		dt = now_s() - t0;
		if (dt > noise_max)
			noise_max = dt;
		usleep(200);
	}
	return NULL;
}

static void probe_begin(void)
{
	probe_max = probe_total = noise_max = 0;
	probe_calls = 0;
	atomic_store(&probing, 1);
}

static void probe_end(void)
{
	atomic_store(&probing, 0);
	usleep(20000);	/* let a call in flight finish */
}

static void one_file(const char *name)
{
	static char buf[128 << 10];
	char path[128];
	size_t len = 0;
	double t0, t_read, t_seek;
	off_t at;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DFS_DIR "/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("bench: %s: %s\n", name, strerror(errno));
		return;
	}
	probe_begin();
	t0 = now_s();
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		len += n;
	t_read = now_s() - t0;
	probe_end();
	printf("bench: %-11s read  %9zu bytes in %8.3f s; GET_INFO meanwhile: %lu calls, mean %.3f ms, max %8.3f ms (lockless ioctl max %8.3f ms)\n",
	       name, len, t_read, probe_calls,
	       probe_calls ? probe_total / probe_calls * 1e3 : 0, probe_max * 1e3,
	       noise_max * 1e3);
	close(fd);
	if (len < 8192)
		return;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	probe_begin();
	t0 = now_s();
	at = lseek(fd, len / 2, SEEK_SET);
	t_seek = now_s() - t0;
	n = read(fd, buf, 100);
	probe_end();
	printf("bench: %-11s lseek to %9zu in %8.3f s (%s, then read %zd); GET_INFO meanwhile: %lu calls, max %8.3f ms (lockless ioctl max %8.3f ms)\n",
	       name, len / 2, t_seek, at == (off_t)(len / 2) ? "ok" : strerror(errno),
	       n, probe_calls, probe_max * 1e3, noise_max * 1e3);
	close(fd);
}

int main(int argc, char **argv)
{
	static const char *const files[] = {
		"freelist", "blocks", "blocks.json", "stats", "frag", "owners",
		"check",
	};
	size_t live = argc > 1 ? strtoul(argv[1], NULL, 0) : 65536, i;
	unsigned int policy = MYHEAP_POLICY_SEGREGATED;
	pthread_t thr;
	uint64_t *offs;
	int fd, ret;

	if (argc > 2 && myheap_policy_parse(argv[2]) >= 0)
		policy = myheap_policy_parse(argv[2]);
	fd = open(MYHEAP_DEVICE, O_RDWR);
	probe_fd = open(MYHEAP_DEVICE, O_RDWR);
	offs = calloc(2 * live, sizeof(*offs));
	if (fd < 0 || probe_fd < 0 || !offs) {
		perror("bench: setup");
		return 1;
	}
	ret = dev_set_policy(fd, policy) ?:
	      dev_batch(fd, MYHEAP_BATCH_OP_ALLOC, 16, 2 * live, offs, 1) ?:
	      dev_batch(fd, MYHEAP_BATCH_OP_FREE, 0, live, offs, 2);
	if (ret) {
		printf("bench: cannot build %zu live blocks with holes: %s\n",
		       live, strerror(-ret));
		return 1;
	}
	printf("bench: policy %s, %zu blocks in use, %zu free holes\n",
	       myheap_policy_name(policy), live, live);
	if (pthread_create(&thr, NULL, probe, NULL))
		return 1;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		one_file(files[i]);
	atomic_store(&probe_stop, 1);
	pthread_join(thr, NULL);
	close(fd);
	close(probe_fd);
	return 0;
}
