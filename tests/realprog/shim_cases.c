// SPDX-License-Identifier: GPL-2.0
/*
 * shim_cases: the cases a real program hits, run under libmyheap-preload.so
 * (`myheap run -- shim_cases`), TAP on stdout. Each case checks where its
 * pointers are by reading /proc/self/maps for the /dev/myheap mapping, so a
 * shim that silently served from the system allocator fails.
 *
 *   shim_cases               every case below
 *   shim_cases exec-child    (internal) the image exec'd by the exec case
 *   shim_cases fallback      run with MYHEAP_FALLBACK=1: the full-region
 *                            cases (too big, filled up, big alignment)
 *                            must succeed off the device instead of
 *                            failing with ENOMEM
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int test_no;
static int failures;

static void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failures += !cond;
}

static uintptr_t map_lo, map_hi;

/* The /dev/myheap mapping of this process, from /proc/self/maps. */
static int find_mapping(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo, hi;

	map_lo = map_hi = 0;
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, "/dev/myheap") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			map_lo = lo;
			map_hi = hi;
		}
	fclose(fp);
	return map_lo ? 0 : -1;
}

static int on_device(const void *p)
{
	return (uintptr_t)p >= map_lo && (uintptr_t)p < map_hi;
}

static void fill(void *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = (unsigned char)(seed + i * 31);
}

static int intact(const void *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)p)[i] != (unsigned char)(seed + i * 31))
			return 0;
	return 1;
}

static void case_basic(void)
{
	char *a = malloc(100), *b, *z, *m0a = malloc(0), *m0b = malloc(0);
	int *c = calloc(1000, sizeof(int)), zero = 1;
	volatile size_t huge = SIZE_MAX / 2;	/* not a compile-time overflow */

	ok(a && on_device(a), "malloc(100) is in the /dev/myheap mapping");
	ok(((uintptr_t)a & 15) == 0, "malloc pointers are 16-byte aligned");
	ok(m0a && m0b && m0a != m0b && on_device(m0a), "malloc(0) gives distinct device pointers");
	for (int i = 0; c && i < 1000; i++)
		zero &= c[i] == 0;
	ok(c && on_device(c) && zero, "calloc(1000, 4) is zeroed, on the device");
	ok(malloc_usable_size(a) >= 100, "malloc_usable_size(malloc(100)) = %zu >= 100",
	   malloc_usable_size(a));
	fill(a, 100, 7);
	b = realloc(a, 100000);
	ok(b && on_device(b) && intact(b, 100, 7), "realloc to 100000 keeps the bytes");
	fill(b, 100000, 9);
	b = realloc(b, 50);
	ok(b && intact(b, 50, 9), "realloc shrinking keeps the bytes");
	z = realloc(NULL, 33);
	ok(z && on_device(z), "realloc(NULL, 33) allocates");
	errno = 0;
	ok(realloc(z, 0) == NULL, "realloc(p, 0) frees and returns NULL");
	errno = 0;
	ok(calloc(huge, 4) == NULL && errno == ENOMEM, "calloc overflow: NULL, ENOMEM");
	errno = 0;
	z = reallocarray(b, huge, 4);
	ok(z == NULL && errno == ENOMEM, "reallocarray overflow: NULL, ENOMEM, block kept");
	b = reallocarray(z ? z : b, 10, 10);
	ok(b && intact(b, 50, 9), "reallocarray(p, 10, 10) keeps the bytes");
	free(b);
	free(c);
	free(m0a);
	free(m0b);
	free(NULL);
	ok(1, "free(NULL) and frees of every block returned");
}

static void case_aligned(void)
{
	void *p = NULL, *q, *r, *v, *pv;
	int ret = posix_memalign(&p, 4096, 1000);

	ok(!ret && on_device(p) && ((uintptr_t)p & 4095) == 0, "posix_memalign(4096) on the device, aligned");
	ok(posix_memalign(&q, 3, 10) == EINVAL, "posix_memalign(3): EINVAL");
	q = aligned_alloc(256, 512);
	ok(q && on_device(q) && ((uintptr_t)q & 255) == 0, "aligned_alloc(256) aligned, on the device");
	r = memalign(64, 10);
	ok(r && on_device(r) && ((uintptr_t)r & 63) == 0, "memalign(64) aligned, on the device");
	v = valloc(10);
	ok(v && on_device(v) && ((uintptr_t)v & 4095) == 0, "valloc page-aligned, on the device");
	pv = pvalloc(5000);
	ok(pv && on_device(pv) && ((uintptr_t)pv & 4095) == 0 && malloc_usable_size(pv) >= 8192,
	   "pvalloc(5000) page-aligned, rounded to 8192 (usable %zu)", malloc_usable_size(pv));
	free(p);
	free(q);
	free(r);
	free(v);
	free(pv);
}

/* glibc's own malloc, reached past the shim: another allocator's pointers. */
static void case_foreign(void)
{
	void *(*libc_malloc)(size_t) = (void *(*)(size_t))dlsym(RTLD_DEFAULT, "__libc_malloc");
	char *p = libc_malloc ? libc_malloc(64) : NULL;

	ok(p && !on_device(p), "__libc_malloc gives a pointer outside the mapping");
	if (!p)
		return;
	fill(p, 64, 3);
	ok(malloc_usable_size(p) >= 64, "malloc_usable_size of a glibc pointer");
	p = realloc(p, 5000);
	ok(p && !on_device(p) && intact(p, 64, 3), "realloc of a glibc pointer stays with glibc");
	free(p);
	ok(1, "free of a glibc pointer goes to glibc");
}

#define THREADS 4
#define ROUNDS 3000

static void *thread_body(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg, bad = 0;
	void *slot[16] = { 0 };
	size_t size[16] = { 0 };
	unsigned int pattern[16] = { 0 };

	for (int i = 0; i < ROUNDS; i++) {
		int k = rand_r(&seed) % 16;

		if (slot[k]) {
			bad += !on_device(slot[k]) || !intact(slot[k], size[k], pattern[k]);
			free(slot[k]);
		}
		size[k] = 1 + rand_r(&seed) % 2000;
		pattern[k] = seed;
		slot[k] = malloc(size[k]);
		if (!slot[k])
			return (void *)1;
		fill(slot[k], size[k], pattern[k]);
	}
	for (int k = 0; k < 16; k++) {
		if (slot[k])
			bad += !intact(slot[k], size[k], pattern[k]);
		free(slot[k]);
	}
	return (void *)(uintptr_t)bad;
}

static void case_threads(void)
{
	pthread_t t[THREADS];
	uintptr_t bad = 0;
	void *ret;

	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, thread_body, (void *)(uintptr_t)(i * 1000 + 1));
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], &ret);
		bad += (uintptr_t)ret;
	}
	ok(bad == 0, "%d threads x %d malloc/free with payload checks: %lu bad",
	   THREADS, ROUNDS, (unsigned long)bad);
}

static volatile sig_atomic_t handler_runs, handler_bad;

static void on_alarm(int sig)
{
	char *p = malloc(200);

	(void)sig;
	if (!p || !on_device(p)) {
		handler_bad = 1;
		return;
	}
	memset(p, 0x5a, 200);
	p = realloc(p, 3000);
	if (!p || p[199] != 0x5a)
		handler_bad = 1;
	free(p);
	handler_runs++;
}

static void case_signals(void)
{
	struct itimerval it = { { 0, 500 }, { 0, 500 } };
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	long loops = 0;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	while (handler_runs < 50 && loops < 20000000) {
		void *p = malloc(100 + loops % 900);

		free(p);
		loops++;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	ok(handler_runs >= 50 && !handler_bad,
	   "malloc/realloc/free in a SIGALRM handler while main mallocs: %d runs, bad %d",
	   (int)handler_runs, (int)handler_bad);
}

static void case_fork(void)
{
	char *mine = malloc(4096);
	int status = -1;
	pid_t pid;

	fill(mine, 4096, 1);
	pid = fork();
	if (pid == 0) {
		char *q = malloc(100), *grown;
		int good;

		/* The child's copy: writes stay in the child. */
		fill(mine, 4096, 2);
		good = q && !on_device(q);
		grown = realloc(mine, 10000);
		good &= grown && intact(grown, 4096, 2);
		free(grown);
		free(q);
		_exit(good ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "fork child: new blocks off the device, its copy of the parent's block reallocs");
	ok(intact(mine, 4096, 1), "the child's writes did not reach the parent's block");
	ok(malloc_usable_size(mine) >= 4096, "the parent's block is still the parent's (usable %zu)",
	   malloc_usable_size(mine));
	free(mine);
	ok(1, "the parent frees its block after the child freed its copy");
}

static void case_exec(const char *self)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		execl(self, self, "exec-child", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "an exec'd image is back on the device (exit %d)", WEXITSTATUS(status));
}

static int exec_child(void)
{
	void *p;

	if (find_mapping())
		return 2;
	p = malloc(1000);
	if (!p || !on_device(p))
		return 3;
	free(p);
	return 0;
}

static void case_full(int fallback)
{
	size_t region = map_hi - map_lo;
	void *p, *q = NULL;
	int ret;

	errno = 0;
	p = malloc(region * 2);
	if (fallback)
		ok(p && !on_device(p), "MYHEAP_FALLBACK=1: a block larger than the region comes from the system allocator");
	else
		ok(!p && errno == ENOMEM, "a block larger than the region: NULL, ENOMEM");
	free(p);
	ret = posix_memalign(&q, 2u << 20, 100);
	if (fallback)
		ok(!ret && q && !on_device(q) && ((uintptr_t)q & ((2u << 20) - 1)) == 0,
		   "MYHEAP_FALLBACK=1: 2 MiB alignment from the system allocator");
	else
		ok(ret == ENOMEM, "posix_memalign beyond the device's alignment: ENOMEM (%d)", ret);
	free(q);
}

/* Fill the region with 1 MiB blocks until the device says no. */
static void case_fill(int fallback)
{
	size_t region = map_hi - map_lo, count = 0, off_device = 0;
	void **blocks = calloc(region / (1 << 20) + 8, sizeof(*blocks));
	int err = 0;

	while (blocks && count < region / (1 << 20) + 8) {
		void *p;

		errno = 0;
		p = malloc(1 << 20);
		if (!p) {
			err = errno;
			break;
		}
		blocks[count++] = p;
		if (!on_device(p) && ++off_device >= 2)
			break;
	}
	if (fallback)
		ok(off_device >= 2 && count > region / (2 << 20),
		   "MYHEAP_FALLBACK=1: once %zu MiB blocks filled the region, the next come from the system allocator",
		   count - off_device);
	else
		ok(err == ENOMEM && count > region / (2 << 20) && count < region / (1 << 20),
		   "a region filled with %zu blocks of 1 MiB: the next malloc is NULL, ENOMEM", count);
	while (count)
		free(blocks[--count]);
	free(blocks);
}

static void at_exit_allocates(void)
{
	char *p = malloc(300), *q = calloc(10, 10);

	printf("%s %d - malloc and calloc in an atexit handler\n",
	       p && q && on_device(p) && on_device(q) ? "ok" : "not ok", ++test_no);
	free(p);
	free(q);
}

int main(int argc, char **argv)
{
	int fallback = argc > 1 && !strcmp(argv[1], "fallback");
	int mapped;

	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return exec_child();
	mapped = find_mapping() == 0;
	ok(mapped, "the process has a /dev/myheap mapping (%#lx-%#lx)",
	   (unsigned long)map_lo, (unsigned long)map_hi);
	if (!mapped)
		return 1;
	if (fallback) {
		case_full(1);
		case_fill(1);
		return failures != 0;
	}
	case_basic();
	case_aligned();
	case_foreign();
	case_threads();
	case_signals();
	case_fork();
	case_exec(argv[0]);
	case_full(0);
	case_fill(0);
	atexit(at_exit_allocates);
	return failures != 0;
}
