// SPDX-License-Identifier: GPL-2.0
/*
 * --json for the debugfs tables the kernel prints as text only: owners,
 * events and frag. Each is read from the same file the text view prints
 * and turned into JSON field by field under the text's own column names,
 * so the two forms come from one snapshot and carry the same figures.
 * A line this parser does not recognise is skipped, never guessed at.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "tables_json.h"
#include "views.h"

/* Undo seq_escape()'s \ooo octal escapes (the kernel's, for comm). */
static void unescape(const char *s, char *out, size_t len)
{
	size_t n = 0;

	while (*s && n + 1 < len) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			out[n++] = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					  (s[3] - '0'));
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	out[n] = '\0';
}

/* "# total: N open files" and the like: N after @prefix, or -1. */
static long long after(const char *line, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(line, prefix, n) ? -1 : strtoll(line + n, NULL, 10);
}

int view_owners_json(struct cli *cli)
{
	char *text = cli_debugfs_read(cli, "owners", NULL);
	char line[512], comm[128];
	long long total = -1;
	const char *p;
	struct json j;

	if (!text)
		return EXIT_DEVICE;
	json_begin(&j, stdout);
	json_arr(&j, "owners");
	for (p = text; (p = next_line(p, line, sizeof(line)));) {
		unsigned long long id, blocks, bytes, peak;
		char raw[128];
		int pid, used = 0;

		if (line[0] == '#') {
			if (after(line, "# total: ") >= 0)
				total = after(line, "# total: ");
			continue;
		}
		if (sscanf(line, "%llu %d %llu %llu %llu %n", &id, &pid,
			   &blocks, &bytes, &peak, &used) != 5 || !used)
			continue;
		snprintf(raw, sizeof(raw), "%s", line + used);
		unescape(raw, comm, sizeof(comm));
		json_obj(&j, NULL);
		json_u64(&j, "owner", id);
		json_i64(&j, "pid", pid);
		json_u64(&j, "blocks", blocks);
		json_u64(&j, "bytes", bytes);
		json_u64(&j, "peak_bytes", peak);
		json_str(&j, "comm", comm);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (total >= 0)
		json_u64(&j, "open_files", (uint64_t)total);
	json_end(&j);
	free(text);
	return EXIT_OK;
}

/* A column that is a number, or "-" (none): JSON null. */
static void number_or_null(struct json *j, const char *key, const char *col)
{
	if (!strcmp(col, "-"))
		json_null(j, key);
	else
		json_u64(j, key, strtoull(col, NULL, 10));
}

/* The text's "seconds.microseconds" as microseconds, exactly. */
static uint64_t time_us(const char *t)
{
	char *end;
	uint64_t sec = strtoull(t, &end, 10), us = 0;

	if (*end == '.')
		us = strtoull(end + 1, NULL, 10);
	return sec * 1000000 + us;
}

int view_events_json(struct cli *cli)
{
	char *text = cli_debugfs_read(cli, "events", NULL);
	unsigned long long shown, recorded, n, lost;
	bool have_head = false, have_end = false;
	char line[512];
	const char *p;
	struct json j;

	if (!text)
		return EXIT_DEVICE;
	/* 1.0 had no searched column; 1.1 added it (null when absent) */
	if (debugfs_minor(text, "events") < 0) {
		next_line(text, line, sizeof(line));
		cli_err("events: the first line reads \"%.60s\", not \"myheap events - version: 1.N\"",
			line);
		free(text);
		return EXIT_DEVICE;
	}
	json_begin(&j, stdout);
	json_arr(&j, "events");
	for (p = text; (p = next_line(p, line, sizeof(line)));) {
		char time[32], op[16], off[24], newoff[24], size[24], result[40];
		char searched[24] = "-";
		unsigned long long seq, owner;
		int pid;

		if (sscanf(line, "# last %llu of %llu events", &shown,
			   &recorded) == 2)
			have_head = true;
		if (sscanf(line, "# end: %llu events, %llu overwritten", &n,
			   &lost) == 2)
			have_end = true;
		/* searched: the column version 1.1 added */
		if (line[0] == '#' ||
		    sscanf(line, "%llu %31s %15s %23s %23s %23s %d %llu %39s %23s",
			   &seq, time, op, off, newoff, size, &pid, &owner,
			   result, searched) < 9)
			continue;
		json_obj(&j, NULL);
		json_u64(&j, "seq", seq);
		json_u64(&j, "time_us", time_us(time));
		json_str(&j, "op", op);
		number_or_null(&j, "offset", off);
		number_or_null(&j, "new_offset", newoff);
		number_or_null(&j, "size", size);
		json_i64(&j, "pid", pid);
		json_u64(&j, "owner", owner);
		number_or_null(&j, "searched", searched);
		/* "ok", or the errno by name as %pe prints it ("-ENXIO") */
		json_bool(&j, "ok", !strcmp(result, "ok"));
		if (strcmp(result, "ok"))
			json_str(&j, "errno", result[0] == '-' ? result + 1 : result);
		else
			json_null(&j, "errno");
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (have_head) {
		json_u64(&j, "ring", shown);
		json_u64(&j, "recorded", recorded);
	}
	if (have_end)
		json_u64(&j, "overwritten", lost);
	json_end(&j);
	free(text);
	return EXIT_OK;
}

/* "name: value" of the frag file: a number, a percentage or a word. */
static void frag_field(struct json *j, const char *line)
{
	const char *colon = strstr(line, ": ");
	char key[64], *end;
	double v;

	if (!colon || colon - line >= (long)sizeof(key) || strchr(line, ' ') < colon)
		return;
	snprintf(key, sizeof(key), "%.*s", (int)(colon - line), line);
	v = strtod(colon + 2, &end);
	if (end == colon + 2)
		json_str(j, key, colon + 2);		/* the policy */
	else if (*end == '%')
		json_dbl(j, key, v / 100);		/* a ratio, 0..1 */
	else
		json_u64(j, key, strtoull(colon + 2, NULL, 10));
}

/* The numbers of a "size:" or "blocks:" row, at most @max. */
static size_t row(const char *line, unsigned long long *v, size_t max)
{
	const char *p = strchr(line, ':');
	size_t n = 0;
	char *end;

	for (p = p ? p + 1 : line; n < max; p = end) {
		v[n] = strtoull(p, &end, 10);
		if (end == p)
			break;
		n++;
	}
	return n;
}

int view_frag_json(struct cli *cli)
{
	char *text = cli_debugfs_read(cli, "frag", NULL);
	unsigned long long sizes[64], counts[64];
	size_t nsizes = 0, ncounts = 0, i;
	bool table = false;
	char line[512];
	const char *p;
	struct json j;

	if (!text)
		return EXIT_DEVICE;
	json_begin(&j, stdout);
	for (p = text; (p = next_line(p, line, sizeof(line)));) {
		if (!strncmp(line, "size:", 5))
			nsizes = row(line, sizes, 64);
		else if (!strncmp(line, "blocks:", 7))
			ncounts = row(line, counts, 64);
		else if (line[0] != '#' && line[0] != ' ' && !table)
			frag_field(&j, line);
		if (!strncmp(line, "#     request", 13))
			table = true;
	}
	/* free blocks by size, as the text's two rows: size 2^k .. 2^(k+1)-1 */
	json_arr(&j, "histogram");
	for (i = 0; i < nsizes && i < ncounts; i++) {
		json_obj(&j, NULL);
		json_u64(&j, "size", sizes[i]);
		json_u64(&j, "blocks", counts[i]);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr(&j, "requests");
	for (p = strstr(text, "#     request"); p && (p = next_line(p, line, sizeof(line)));) {
		unsigned long long req, block;
		char fits[8];
		double unusable;

		if (sscanf(line, "%llu %llu %7s %lf", &req, &block, fits,
			   &unusable) != 4)
			continue;
		json_obj(&j, NULL);
		json_u64(&j, "size", req);
		json_u64(&j, "block", block);
		json_bool(&j, "fits", !strcmp(fits, "yes"));
		json_dbl(&j, "unusable", unusable);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_end(&j);
	free(text);
	return EXIT_OK;
}
