// SPDX-License-Identifier: GPL-2.0
/*
 * myheap_debugfs_demo: fill the heap with the golden tests' operations (and
 * a damaged header, with -d), then print every file of
 * /sys/kernel/debug/myheap/ and the myheap tracepoints they fired, as the
 * README shows them.
 *
 *   myheap_debugfs_demo [-d] [POLICY]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dfs_util.h"

static void show(const char *path)
{
	char *text = read_file_chunked(path, 4096, NULL);

	printf("# cat %s\n%s\n", path, text ? text : strerror(errno));
	free(text);
}

int main(int argc, char **argv)
{
	uint64_t a, b, c, d, e, f, g, moved;
	struct myheap_info info;
	bool damage = false;
	unsigned int p = MYHEAP_POLICY_SEGREGATED;
	uint8_t *map;
	size_t i;
	int fd;

	if (argc > 1 && !strcmp(argv[1], "-d")) {
		damage = true;
		argc--;
		argv++;
	}
	if (argc > 1)
		p = myheap_policy_parse(argv[1]) < 0 ? MYHEAP_NR_POLICIES :
			(unsigned int)myheap_policy_parse(argv[1]);
	fd = open(MYHEAP_DEVICE, O_RDWR);
	if (fd < 0 || p == MYHEAP_NR_POLICIES || dev_info(fd, &info) ||
	    dev_set_policy(fd, p)) {
		fprintf(stderr, "usage: myheap_debugfs_demo [-d] [POLICY] (as root, heap empty)\n");
		return 2;
	}
	write_str(TRACEFS "/trace", "");
	write_str(TRACEFS "/events/myheap/enable", "1");
	/* The events ring records while its file is open: keep it open. */
	open(DFS_DIR "/events", O_RDONLY);
	if (dev_alloc(fd, 100, 0, 0, &a) || dev_alloc(fd, 200, 0, 0, &b) ||
	    dev_alloc(fd, 300, 0, 0, &c) || dev_alloc(fd, 50, 0, 0, &d) ||
	    dev_alloc(fd, 1000, 0, 0, &e) || dev_free(fd, b) || dev_free(fd, d) ||
	    dev_free(fd, c) || dev_alloc(fd, 64, 0, 0, &f) ||
	    dev_realloc(fd, a, 40, &moved) || dev_realloc(fd, e, 1500, &moved) ||
	    dev_alloc(fd, 24, 0, 0, &g)) {
		perror("myheap operations");
		return 1;
	}
	dev_free(fd, 12345);	/* a failure, for the events file */
	write_str(TRACEFS "/events/myheap/enable", "0");
	map = mmap(NULL, info.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (damage && map != MAP_FAILED)
		memset(map + f - HDR, 0xa5, HDR);	/* scribble over f's header */
	for (i = 0; i < DFS_NR_FILES; i++) {
		char path[128];

		snprintf(path, sizeof(path), DFS_DIR "/%s", dfs_files[i]);
		show(path);
	}
	show(TRACEFS "/trace");
	return 0;	/* closing frees the blocks (the damaged one: reset) */
}
