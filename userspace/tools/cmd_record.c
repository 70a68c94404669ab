// SPDX-License-Identifier: GPL-2.0
/*
 * myheap record: run a program with libmyheap-record.so preloaded (its
 * allocations on the system allocator, each one logged; no device needed)
 * and turn the log into a malloclab trace that `myheap replay` and
 * mh-replay run on every policy.
 *
 * The conversion, from the log of the process started here (its forked
 * children log under their own pids and are left out):
 *   - every new address gets a fresh block id; a realloc keeps its id;
 *   - an address allocated again while still live (a free the log did not
 *     see) first frees its old id; a free or realloc of an address never
 *     seen (memory from before the log started) is dropped, a realloc of
 *     one becomes an allocation;
 *   - an exec ("x" line) frees every block of the image before it;
 *   - size 0 becomes 1 (the trace format and the device have no empty
 *     blocks), and at the end every block still live is freed, in id
 *     order: the trace is balanced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "../preload/find_lib.h"

static const char record_help[] =
	"usage: myheap record [-o TRACE.rep] [--keep-log FILE] -- PROG [ARGS...]\n"
	"\n"
	"Run PROG on the system allocator with every malloc, calloc, realloc,\n"
	"free and aligned allocation logged (LD_PRELOAD=libmyheap-record.so;\n"
	"no device needed), then write the log as a balanced malloclab trace\n"
	"(default: PROG.rep) for `myheap replay TRACE.rep` and mh-replay.\n"
	"Alignments are not kept; realloc(p, 0) is a free; the blocks PROG\n"
	"still holds at exit (or at an exec) are freed at that point. Only\n"
	"PROG's own process is recorded, across execs, not its children.\n"
	"\n"
	"  -o FILE          the trace to write\n"
	"  --keep-log FILE  keep the raw log (one event a line) in FILE\n"
	"\n"
	"Exit status: PROG's (128+N if signal N killed it); 127 if it could not\n"
	"be run; 1 if no trace could be written.\n";

/* Open addressing, address -> block id; addresses are never 0. */
struct addr_map {
	uint64_t *keys;
	uint32_t *ids;
	size_t cap, used;
};

static size_t slot_of(const struct addr_map *m, uint64_t key)
{
	size_t i = (size_t)((key >> 4) * 0x9E3779B97F4A7C15ull) & (m->cap - 1);

	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static bool map_grow(struct addr_map *m)
{
	struct addr_map n = { .cap = m->cap ? m->cap * 2 : 1024 };

	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.ids = calloc(n.cap, sizeof(*n.ids));
	if (!n.keys || !n.ids) {
		free(n.keys);
		free(n.ids);
		return false;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] && m->keys[i] != UINT64_MAX) {
			size_t s = slot_of(&n, m->keys[i]);

			n.keys[s] = m->keys[i];
			n.ids[s] = m->ids[i];
			n.used++;
		}
	}
	free(m->keys);
	free(m->ids);
	*m = n;
	return true;
}

/* Deleted slots hold UINT64_MAX (no address) so probe chains stay whole. */
static bool map_get(const struct addr_map *m, uint64_t key, uint32_t *id)
{
	size_t i;

	if (!m->cap)
		return false;
	i = slot_of(m, key);
	if (!m->keys[i])
		return false;
	*id = m->ids[i];
	return true;
}

static void map_del(struct addr_map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return;
	i = slot_of(m, key);
	if (m->keys[i])
		m->keys[i] = UINT64_MAX;
}

static bool map_put(struct addr_map *m, uint64_t key, uint32_t id)
{
	size_t i;

	if ((m->used + 1) * 2 > m->cap && !map_grow(m))
		return false;
	i = slot_of(m, key);
	if (!m->keys[i])
		m->used++;
	m->keys[i] = key;
	m->ids[i] = id;
	return true;
}

struct recording {
	struct addr_map map;
	struct trace_line { char kind; uint32_t id; uint64_t size; } *ops;
	size_t nops, cap;
	uint64_t *live_addr;	/* by id: its address, 0 when not live */
	uint32_t nids, ids_cap;
	unsigned long events, dropped;
	bool oom;
};

static void emit(struct recording *r, char kind, uint32_t id, uint64_t size)
{
	if (r->nops == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		struct trace_line *ops = realloc(r->ops, cap * sizeof(*ops));

		if (!ops) {
			r->oom = true;
			return;
		}
		r->ops = ops;
		r->cap = cap;
	}
	r->ops[r->nops++] = (struct trace_line){ kind, id, size ? size : 1 };
}

static void free_id(struct recording *r, uint32_t id)
{
	map_del(&r->map, r->live_addr[id]);
	r->live_addr[id] = 0;
	emit(r, 'f', id, 0);
}

static void new_block(struct recording *r, uint64_t addr, uint64_t size)
{
	uint32_t id;

	if (map_get(&r->map, addr, &id))
		free_id(r, id);
	if (r->nids == r->ids_cap) {
		uint32_t cap = r->ids_cap ? r->ids_cap * 2 : 4096;
		uint64_t *live = realloc(r->live_addr, cap * sizeof(*live));

		if (!live) {
			r->oom = true;
			return;
		}
		r->live_addr = live;
		r->ids_cap = cap;
	}
	id = r->nids++;
	r->live_addr[id] = addr;
	if (!map_put(&r->map, addr, id))
		r->oom = true;
	emit(r, 'a', id, size);
}

static void free_all(struct recording *r)
{
	for (uint32_t id = 0; id < r->nids; id++)
		if (r->live_addr[id])
			free_id(r, id);
}

static void event(struct recording *r, const char *line)
{
	unsigned long long a, b, size;
	uint32_t id;
	char kind;

	if (sscanf(line, " %c", &kind) != 1)
		return;
	r->events++;
	if (kind == 'x') {
		free_all(r);
	} else if (kind == 'a' && sscanf(line, " a %llx %llu", &a, &size) == 2) {
		new_block(r, a, size);
	} else if (kind == 'f' && sscanf(line, " f %llx", &a) == 1) {
		if (map_get(&r->map, a, &id))
			free_id(r, id);
		else
			r->dropped++;
	} else if (kind == 'r' && sscanf(line, " r %llx %llx %llu", &a, &b, &size) == 3) {
		if (!map_get(&r->map, a, &id)) {
			r->dropped++;
			new_block(r, b, size);
			return;
		}
		map_del(&r->map, a);
		r->live_addr[id] = 0;
		if (a != b) {
			uint32_t other;

			if (map_get(&r->map, b, &other))
				free_id(r, other);
		}
		r->live_addr[id] = b;
		if (!map_put(&r->map, b, id))
			r->oom = true;
		emit(r, 'r', id, size);
	} else {
		r->events--;
		r->dropped++;
	}
}

/* The log's lines of process @pid, converted. */
static int convert(const char *log, pid_t pid, struct recording *r)
{
	FILE *fp = fopen(log, "re");
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	if (!fp) {
		cli_err("record: %s: %s", log, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, fp) >= 0 && !r->oom) {
		char *rest;
		long who = strtol(line, &rest, 10);

		if (who == pid && rest != line)
			event(r, rest);
	}
	free(line);
	fclose(fp);
	free_all(r);
	if (r->oom) {
		cli_err("record: out of memory converting %s", log);
		ret = -1;
	}
	return ret;
}

static int write_trace(const char *path, const struct recording *r)
{
	uint64_t live = 0, peak = 0;
	uint64_t *size = calloc(r->nids ? r->nids : 1, sizeof(*size));
	FILE *fp;

	if (!size)
		return -1;
	for (size_t i = 0; i < r->nops; i++) {
		const struct trace_line *op = &r->ops[i];

		live -= size[op->id];
		size[op->id] = op->kind == 'f' ? 0 : op->size;
		live += size[op->id];
		if (live > peak)
			peak = live;
	}
	free(size);
	fp = fopen(path, "we");
	if (!fp) {
		cli_err("record: %s: %s", path, strerror(errno));
		return -1;
	}
	/* Suggested heap size: the peak payload; weight 1. */
	fprintf(fp, "%llu\n%u\n%zu\n1\n", (unsigned long long)peak, r->nids, r->nops);
	for (size_t i = 0; i < r->nops; i++) {
		const struct trace_line *op = &r->ops[i];

		if (op->kind == 'f')
			fprintf(fp, "f %u\n", op->id);
		else
			fprintf(fp, "%c %u %llu\n", op->kind, op->id,
				(unsigned long long)op->size);
	}
	if (fclose(fp)) {
		cli_err("record: writing %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int spawn(char **argv, const char *lib, const char *log, pid_t *pid)
{
	int status;

	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		cli_err("record: fork: %s", strerror(errno));
		return 127;
	}
	if (*pid == 0) {
		if (!preload_set_env(lib) || setenv("MYHEAP_RECORD", log, 1))
			_exit(127);
		execvp(argv[0], argv);
		cli_err("record: %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(*pid, &status, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cmd_record(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STD_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		{ "keep-log", required_argument, NULL, 'k' },
		{ 0 }
	};
	const char *out = NULL, *keep = NULL, *tmpdir = getenv("TMPDIR");
	char lib[PATH_MAX], log[PATH_MAX], def[PATH_MAX];
	struct recording r = { 0 };
	bool json = false;
	int c, ret, fd, status;
	pid_t pid;

	(void)cli;
	while ((c = getopt_long(argc, argv, "+ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'k': keep = optarg; break;
		default:
			ret = cli_std_opt(c, "record", record_help, &json);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind >= argc)
		return cli_usage("record", "no program given (myheap record -o TRACE -- PROG ARGS...)");
	if (!out) {
		const char *base = strrchr(argv[optind], '/');

		snprintf(def, sizeof(def), "%s.rep", base ? base + 1 : argv[optind]);
		out = def;
	}
	if (!preload_find_lib("record", "libmyheap-record.so", lib, sizeof(lib)))
		return 127;
	if (keep) {
		snprintf(log, sizeof(log), "%s", keep);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	} else {
		snprintf(log, sizeof(log), "%s/myheap-record.XXXXXX",
			 tmpdir && *tmpdir ? tmpdir : "/tmp");
		fd = mkostemp(log, O_CLOEXEC);
	}
	if (fd < 0) {
		cli_err("record: %s: %s", log, strerror(errno));
		return EXIT_FAILED;
	}
	close(fd);
	status = spawn(argv + optind, lib, log, &pid);
	ret = pid > 0 ? convert(log, pid, &r) : -1;
	if (!keep)
		unlink(log);
	if (!ret)
		ret = write_trace(out, &r);
	if (!ret)
		fprintf(stderr, "myheap: record: %s: %u blocks, %zu ops from %lu events (%lu dropped)\n",
			out, r.nids, r.nops, r.events, r.dropped);
	free(r.ops);
	free(r.live_addr);
	free(r.map.keys);
	free(r.map.ids);
	if (ret)
		return EXIT_FAILED;
	return status;
}
