// SPDX-License-Identifier: GPL-2.0
/*
 * myheap run: run an unmodified dynamic program with its heap on the
 * device, by preloading libmyheap-preload.so (see userspace/preload/).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "../preload/find_lib.h"

#ifndef MYHEAP_PRELOAD_DIR
#define MYHEAP_PRELOAD_DIR "/usr/local/lib/myheap"
#endif

static const char run_help[] =
	"usage: myheap run [--policy NAME] [--fallback] [--stats] -- PROG [ARGS...]\n"
	"\n"
	"Run PROG with malloc, calloc, realloc, free, posix_memalign,\n"
	"aligned_alloc, memalign, valloc, pvalloc and malloc_usable_size served\n"
	"by the device (LD_PRELOAD=libmyheap-preload.so): its blocks show in\n"
	"`myheap watch` and debugfs while it runs, and the kernel frees what is\n"
	"left when it exits. Static programs are not affected.\n"
	"\n"
	"  --policy NAME  set the placement policy first (root, empty heap;\n"
	"                 otherwise a warning and the policy stays)\n"
	"  --fallback     when the region is full, use the system allocator\n"
	"                 instead of failing with ENOMEM (MYHEAP_FALLBACK=1)\n"
	"  --stats        a report on stderr when PROG exits: its device\n"
	"                 operations and the region (MYHEAP_STATS_AT_EXIT=1)\n"
	"\n"
	"A fork child of PROG keeps a private copy of its parent's blocks and\n"
	"allocates from the system allocator; an exec'd program is back on the\n"
	"device. The libraries are looked up in $MYHEAP_PRELOAD_DIR, beside\n"
	"myheap, in ../lib and ../lib/myheap beside it and in " MYHEAP_PRELOAD_DIR ".\n"
	"Exit status: PROG's (128+N if a signal N killed it in a shell session);\n"
	"127 if it cannot be run.\n";

static bool try_lib(const char *dir, size_t dirlen, const char *name, char *out,
		    size_t len)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)dirlen, dir, name) >=
	    sizeof(path) || access(path, R_OK))
		return false;
	return realpath(path, out) && strlen(out) < len;
}

bool preload_find_lib(const char *cmd, const char *name, char *out, size_t len)
{
	const char *env = getenv("MYHEAP_PRELOAD_DIR");
	char self[PATH_MAX], dir[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (env && *env && try_lib(env, strlen(env), name, out, len))
		return true;
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && try_lib(self, (size_t)(slash - self), name, out, len))
			return true;
		/* The build tree (bin/, lib/) and an install moved as a whole. */
		for (int i = 0; slash && i < 2; i++) {
			snprintf(dir, sizeof(dir), "%.*s/../lib%s", (int)(slash - self), self,
				 i ? "/myheap" : "");
			if (try_lib(dir, strlen(dir), name, out, len))
				return true;
		}
	}
	if (try_lib(MYHEAP_PRELOAD_DIR, strlen(MYHEAP_PRELOAD_DIR), name, out, len))
		return true;
	cli_err("%s: cannot find %s ($MYHEAP_PRELOAD_DIR, beside myheap, ../lib, ../lib/myheap, "
		MYHEAP_PRELOAD_DIR ")", cmd, name);
	return false;
}

bool preload_set_env(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;
	bool ok;

	if (!old || !*old)
		return setenv("LD_PRELOAD", lib, 1) == 0;
	if (asprintf(&val, "%s:%s", lib, old) < 0)
		return false;
	ok = setenv("LD_PRELOAD", val, 1) == 0;
	free(val);
	return ok;
}

/* In a shell session the CLI lives on: fork, and wait for PROG. */
static int run_and_wait(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		cli_err("run: fork: %s", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		cli_err("run: %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STD_OPTIONS,
		{ "policy", required_argument, NULL, 'p' },
		{ "fallback", no_argument, NULL, 'F' },
		{ "stats", no_argument, NULL, 's' },
		{ 0 }
	};
	const char *policy = NULL;
	bool fallback = false, stats = false, json = false;
	char lib[PATH_MAX];
	int c, ret;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': policy = optarg; break;
		case 'F': fallback = true; break;
		case 's': stats = true; break;
		default:
			ret = cli_std_opt(c, "run", run_help, &json);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind >= argc)
		return cli_usage("run", "no program given (myheap run -- PROG ARGS...)");
	if (policy && cli_parse_policy("run", policy) < 0)
		return EXIT_USAGE;
	if (access(cli->device ? cli->device : MYHEAP_DEVICE, R_OK | W_OK)) {
		cli_err("run: cannot use %s: %s%s", cli->device ? cli->device : MYHEAP_DEVICE,
			strerror(errno), errno == ENOENT ? " (is myheap.ko loaded?)" : "");
		return EXIT_DEVICE;
	}
	if (!preload_find_lib("run", "libmyheap-preload.so", lib, sizeof(lib)))
		return 127;
	if (!preload_set_env(lib) ||
	    (cli->device && setenv("MYHEAP_DEVICE", cli->device, 1)) ||
	    (policy && setenv("MYHEAP_POLICY", policy, 1)) ||
	    (fallback && setenv("MYHEAP_FALLBACK", "1", 1)) ||
	    (stats && setenv("MYHEAP_STATS_AT_EXIT", "1", 1))) {
		cli_err("run: out of memory for the environment");
		return 127;
	}
	fflush(NULL);
	if (cli->session)
		return run_and_wait(argv + optind);
	execvp(argv[optind], argv + optind);
	cli_err("run: %s: %s", argv[optind], strerror(errno));
	return 127;
}
