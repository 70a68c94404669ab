/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the debugfs tests: reading a whole debugfs file in reads of a
 * chosen size, parsing the blocks dump, and the normalisation golden dumps
 * are compared in. The device's ioctls are tests/common/dev_util.h's.
 */
#ifndef MYHEAP_DFS_UTIL_H
#define MYHEAP_DFS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev_util.h"
#include "myheap.h"	/* libmyheap: the policy names */

#define DFS_DIR		"/sys/kernel/debug/myheap"
#define TRACEFS		"/sys/kernel/tracing"
#define HDR		8	/* bytes of header in front of a payload */

static const char *const dfs_files[] = {
	"blocks", "blocks.json", "freelist", "stats", "frag", "owners",
	"check", "events",
};
#define DFS_NR_FILES	(sizeof(dfs_files) / sizeof(dfs_files[0]))


/* The whole file at @path, read @chunk bytes at a time; NUL-terminated. */
static inline char *read_file_chunked(const char *path, size_t chunk,
				      size_t *lenp)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (len + chunk > cap) {
			char *bigger;

			while (len + chunk > cap)
				cap *= 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger)
				goto fail;
			buf = bigger;
		}
		n = read(fd, buf + len, chunk);
		if (n < 0)
			goto fail;
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

static inline char *read_dfs(const char *name, size_t *lenp)
{
	char path[256];

	snprintf(path, sizeof(path), DFS_DIR "/%s", name);
	return read_file_chunked(path, 4096, lenp);
}

static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static inline long long dash_num(const char *s)
{
	char *end;
	long long v;

	if (!strcmp(s, "-"))
		return -1;
	v = strtoll(s, &end, 10);
	return *end || end == s ? -2 : v;
}

/*
 * One line of the blocks dump; -1 stands for "-". A run's slot lines
 * ("slot", "free-slot") are no blocks: they are summed into the run's
 * record (@slots, @slots_used, @slot_requested, @slot_size).
 */
struct blk {
	long long offset, size, hdr, requested, granted, pid, owner;
	long long slots, slots_used, slot_requested, slot_size;
	char state[32];
	char header[32];
};

/* A slot line below the run @run: inside it, after the slot before. */
static inline bool slot_line_ok(struct blk *run, char f[9][32])
{
	long long off = dash_num(f[0]), size = dash_num(f[1]);
	long long req = dash_num(f[3]), granted = dash_num(f[4]);
	bool used = !strcmp(f[5], "slot");

	if (!run || strcmp(run->state, "run") || dash_num(f[2]) != 0 ||
	    size <= 0 || (run->slot_size && size != run->slot_size) ||
	    off < run->offset + 8 + 16 + run->slots * size ||
	    off + size > run->offset + run->size || strcmp(f[8], "ok") ||
	    (used ? req <= 0 || req > size || granted != size :
		    req != -1 || granted != -1 || strcmp(f[6], "-")))
		return false;
	run->slot_size = size;
	run->slots++;
	if (used) {
		run->slots_used++;
		run->slot_requested += req;
	}
	return true;
}

struct blocks_dump {
	struct blk *b;
	size_t n;
	bool have_totals;
	unsigned long long t_blocks, t_used, t_used_bytes, t_free, t_free_bytes,
			   t_damaged, t_damaged_bytes, t_requested, t_granted,
			   t_resyncs;
	const char *err;	/* first malformed line, if any */
};


/* Parse the text of the blocks file (modified in place). */
static inline int parse_blocks(char *text, struct blocks_dump *d)
{
	char *line, *save = NULL;
	size_t cap = 0;
	int lineno = 0;

	memset(d, 0, sizeof(*d));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lineno++) {
		char f[9][32];
		struct blk *b;

		if (lineno == 0) {
			if (strcmp(line, "myheap blocks - version: 1.0"))
				goto bad;
			continue;
		}
		if (!strncmp(line, "# total:", 8)) {
			if (sscanf(line, "# total: %llu blocks: %llu used %llu bytes, %llu free %llu bytes, %llu damaged %llu bytes; payload: %llu requested, %llu granted; resyncs: %llu",
				   &d->t_blocks, &d->t_used, &d->t_used_bytes,
				   &d->t_free, &d->t_free_bytes, &d->t_damaged,
				   &d->t_damaged_bytes, &d->t_requested,
				   &d->t_granted, &d->t_resyncs) != 10)
				goto bad;
			d->have_totals = true;
			continue;
		}
		if (line[0] == '#')
			continue;
		if (d->have_totals)
			goto bad;	/* nothing after the totals */
		if (sscanf(line, "%31s %31s %31s %31s %31s %31s %31s %31s %31s",
			   f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
			   f[8]) != 9)
			goto bad;
		if (!strcmp(f[5], "slot") || !strcmp(f[5], "free-slot")) {
			if (!slot_line_ok(d->n ? &d->b[d->n - 1] : NULL, f))
				goto bad;
			continue;
		}
		if (d->n == cap) {
			struct blk *bigger;

			cap = cap ? cap * 2 : 1024;
			bigger = realloc(d->b, cap * sizeof(*bigger));
			if (!bigger)
				return -ENOMEM;
			d->b = bigger;
		}
		b = &d->b[d->n++];
		memset(b, 0, sizeof(*b));
		b->offset = dash_num(f[0]);
		b->size = dash_num(f[1]);
		b->hdr = dash_num(f[2]);
		b->requested = dash_num(f[3]);
		b->granted = dash_num(f[4]);
		snprintf(b->state, sizeof(b->state), "%s", f[5]);
		b->pid = dash_num(f[6]);
		b->owner = dash_num(f[7]);
		snprintf(b->header, sizeof(b->header), "%s", f[8]);
		if (b->offset < 0 || b->size <= 0 || b->hdr < -1 ||
		    b->requested < -1 || b->granted < -1 || b->pid < -1 ||
		    b->owner < -1)
			goto bad;
	}
	return 0;
bad:
	d->err = "malformed line";
	return -EINVAL;
}

/* What parse_freelist() found. */
struct freelist_dump {
	unsigned long long blocks, bytes;	/* block lines and their sizes */
	unsigned long long t_blocks, t_bytes;	/* the totals line */
	/* pools: run lines and their free slots, the totals line's */
	unsigned long long runs, free_slots, t_runs, t_free_slots;
	unsigned long long resyncs;
	bool damaged, run_damaged, have_totals;
	bool slots;	/* the totals line counts runs (pools) */
	const char *err;
	int err_line;
};

/*
 * The pools suffix of the freelist totals line at @p: "; N run(s) with a
 * free slot, N free slot(s)", the plural where N is not 1. True if @p is
 * that and nothing more.
 */
static inline bool freelist_runs_total(const char *p, unsigned long long *runs,
				       unsigned long long *slots)
{
	int n = 0, k = 0;

	if (sscanf(p, "; %llu run%n", runs, &n) != 1 || !n)
		return false;
	p += n;
	if ((*p == 's') != (*runs != 1))
		return false;
	p += *p == 's';
	if (sscanf(p, " with a free slot, %llu free slot%n", slots, &k) != 1 ||
	    !k)
		return false;
	p += k;
	if ((*p == 's') != (*slots != 1))
		return false;
	p += *p == 's';
	return !*p;
}

/*
 * Parse the text of the freelist file (modified in place): every line is
 * the version line, a comment, a list header or a block line, then under
 * pools a slot class header or a run line (its free slots at most the
 * class's slots a run, its next slot a free slot boundary inside it), and
 * the totals line comes last.
 */
static inline int parse_freelist(char *text, struct freelist_dump *d)
{
	unsigned int a, b, c, cls = 0, cls_size = 0, cls_slots = 0;
	char *line, *save = NULL, tail[32];
	bool in_runs = false;
	int lineno = 0;

	memset(d, 0, sizeof(*d));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lineno++) {
		d->err_line = lineno;
		if (d->have_totals) {
			d->err = "a line after the totals";
			return -EINVAL;
		}
		if (lineno == 0) {
			if (strcmp(line, "myheap freelist - version: 1.0"))
				goto bad;
			continue;
		}
		if (!strncmp(line, "# total:", 8)) {
			int n = 0;

			if (sscanf(line, "# total: %llu free blocks, %llu bytes%n",
				   &d->t_blocks, &d->t_bytes, &n) != 2 || !n)
				goto bad;
			d->slots = line[n] != 0;
			if (d->slots && !freelist_runs_total(line + n, &d->t_runs,
							     &d->t_free_slots))
				goto bad;
			d->have_totals = true;
			continue;
		}
		if (!strncmp(line, "# damaged link:", 15))
			d->damaged = true;
		if (!strncmp(line, "# damaged run:", 14))
			d->run_damaged = true;
		if (sscanf(line, "# the lists changed while they were read: %llu resyncs",
			   &d->resyncs) == 1)
			continue;
		if (line[0] == '#')
			continue;
		if (!strncmp(line, "  run ", 6)) {
			unsigned int off, nfree, next;
			int n = 0;

			if (!cls_size ||
			    sscanf(line, "  run %u %u free, next slot %u%n",
				   &off, &nfree, &next, &n) != 3 || line[n] ||
			    !nfree || nfree > cls_slots ||
			    next < off + HDR + 16 ||
			    (next - off - HDR - 16) % cls_size ||
			    (next - off - HDR - 16) / cls_size >= cls_slots)
				goto bad;
			d->runs++;
			d->free_slots += nfree;
			continue;
		}
		if (!strncmp(line, "slot class ", 11)) {
			int n = 0;

			if (sscanf(line, "slot class %u (%u bytes), %u slots a run:%n",
				   &a, &b, &c, &n) != 3 || line[n] ||
			    (in_runs && a <= cls) || b % 16 || !b || !c)
				goto bad;
			in_runs = true;	/* classes in order, after the lists */
			cls = a;
			cls_size = b;
			cls_slots = c;
			continue;
		}
		if (in_runs)
			goto bad;	/* no block after the runs */
		if (line[0] == ' ') {
			int n = 0;

			tail[0] = 0;
			if (sscanf(line, " %u %u%n", &a, &b, &n) != 2 ||
			    (line[n] && strcmp(line + n, " <- rover")))
				goto bad;
			d->blocks++;
			d->bytes += b;
			continue;
		}
		if (!strcmp(line, "list (address order):") ||
		    (sscanf(line, "class %u (%u..%u bytes%31[):]", &a, &b, &c, tail) == 4 &&
		     !strcmp(tail, "):")) ||
		    (sscanf(line, "order %u (%u bytes%31[): empty]", &a, &b, tail) == 3 &&
		     (!strcmp(tail, "):") || !strcmp(tail, "): empty"))))
			continue;
		goto bad;
	}
	if (!d->have_totals) {
		d->err = "no totals line";
		return -EINVAL;
	}
	if (d->t_blocks != d->blocks || d->t_bytes != d->bytes) {
		d->err = "totals disagree with the block lines";
		return -EINVAL;
	}
	if (d->t_runs != d->runs || d->t_free_slots != d->free_slots ||
	    (d->runs && !d->slots)) {
		d->err = "totals disagree with the run lines";
		return -EINVAL;
	}
	return 0;
bad:
	d->err = "malformed line";
	return -EINVAL;
}

/* Owner id of the first open file of process @pid, from the owners file. */
static inline long long owner_of_pid(pid_t pid)
{
	char *text = read_dfs("owners", NULL), *line, *save = NULL;
	long long id = -1, o, p;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == 'm')
			continue;
		if (sscanf(line, "%lld %lld", &o, &p) == 2 && p == pid) {
			id = o;		/* the first file it opened */
			break;
		}
	}
	free(text);
	return id;
}

/*
 * The stats whose values depend on the clock or on what ran since the
 * module was loaded (the lock's longest hold and wait, pauses, resets,
 * events): a golden stats file keeps the values of the run that captured
 * it, so that the README can show it whole, and the comparison reads
 * them as "*" on both sides (normalise()'s @unsteady).
 */
static const char *const stats_unsteady[] = {
	"resets", "search_pauses", "search_waits_spent",
	"lock_wait_max_us", "lock_wait_max_behind",
	"lock_hold_max_us", "lock_hold_max_cpu_us", "lock_hold_max_switches",
	"lock_hold_max_gap_us", "lock_hold_max_at", "events_recorded",
};

/* Is the stats key @key (@len bytes, not terminated) one of them? */
static inline bool stat_unsteady(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(stats_unsteady) / sizeof(*stats_unsteady); i++)
		if (strlen(stats_unsteady[i]) == len &&
		    !strncmp(key, stats_unsteady[i], len))
			return true;
	return false;
}

/*
 * Golden form of a dump: runs of blanks collapsed to one space, no blank
 * at the end of a line, in block lines (blocks file) the pid and owner
 * columns replaced by PID and OWNER when they are @pid and @owner, and if
 * @unsteady (stats file) the values of stats_unsteady[] replaced by "*".
 */
static inline char *normalise(const char *text, bool blocks, bool unsteady,
			      long long pid, long long owner)
{
	char *out = malloc(2 * strlen(text) + 64), *o = out;
	const char *line = text;

	if (!out)
		return NULL;
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = strndup(line, len), *tok, *save = NULL;
		int col = 0;
		bool block_line = blocks && copy[0] != '#' && copy[0] != 'm';
		const char *colon = memchr(line, ':', len);
		bool masked = unsteady && colon &&
			      stat_unsteady(line, colon - line);

		for (tok = strtok_r(copy, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save), col++) {
			if (masked && col > 1)
				continue;	/* a value of more words: one "*" */
			if (col)
				*o++ = ' ';
			if (block_line && col == 6 && atoll(tok) == pid)
				tok = "PID";
			else if (block_line && col == 7 && atoll(tok) == owner)
				tok = "OWNER";
			else if (masked && col == 1)
				tok = "*";
			o += sprintf(o, "%s", tok);
		}
		*o++ = '\n';
		free(copy);
		line += len + (nl ? 1 : 0);
	}
	*o = 0;
	return out;
}

/* Does @text contain something that looks like a kernel address? */
static inline const char *find_kernel_address(const char *text)
{
	const char *p;
	int run;

	for (p = text; *p; p++) {
		if (!strncasecmp(p, "0xffff", 6))
			return p;
		/* 16 hex digits in a row, as %px and %p print pointers */
		for (run = 0; p[run] && strchr("0123456789abcdefABCDEF", p[run]);
		     run++)
			;
		if (run >= 16)
			return p;
		if (run)
			p += run - 1;
	}
	return NULL;
}

#endif /* MYHEAP_DFS_UTIL_H */
