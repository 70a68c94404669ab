// SPDX-License-Identifier: GPL-2.0
/* Read the block layout from debugfs (see layout.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_parse.h"
#include "layout.h"

static bool get_u64(const struct jv *obj, const char *key, uint64_t *v)
{
	const struct jv *m = jv_get(obj, key);

	if (m && m->type == JV_NULL) {
		*v = 0;
		return true;
	}
	return jv_u64(obj, key, v);
}

/* Room for one more piece; NULL when out of memory. */
static struct heap_block *next_piece(struct heap_layout *l)
{
	if (l->nblocks == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct heap_block *n = realloc(l->blocks, cap * sizeof(*n));

		if (!n)
			return NULL;
		l->blocks = n;
		l->cap = cap;
	}
	memset(&l->blocks[l->nblocks], 0, sizeof(*l->blocks));
	return &l->blocks[l->nblocks++];
}

/* A run's metadata [@from, @to), if it has any bytes. */
static int run_meta(struct heap_layout *l, uint64_t from, uint64_t to)
{
	struct heap_block *b;

	if (to <= from)
		return 0;
	b = next_piece(l);
	if (!b)
		return -1;
	*b = (struct heap_block){ .offset = from, .size = to - from,
				  .header = to - from, .state = BLOCK_RUN };
	return 0;
}

/* The pieces of the run @run (already its record's fields) from @slots. */
static int parse_run(const struct jv *rec, struct heap_block run,
		     struct heap_layout *l)
{
	const struct jv *slots = jv_get(rec, "slots");
	uint64_t size, at = run.offset, end = run.offset + run.size;

	if (!slots || slots->type != JV_ARR || !slots->n ||
	    !get_u64(rec, "slot_size", &size) || !size)
		return -1;
	for (size_t i = 0; i < slots->n; i++) {
		const struct jv *state = jv_get(&slots->items[i], "state");
		struct heap_block s = { .size = size, .slot = true };
		uint64_t pid;

		if (!get_u64(&slots->items[i], "offset", &s.offset) ||
		    !get_u64(&slots->items[i], "requested", &s.requested) ||
		    !get_u64(&slots->items[i], "owner", &s.owner) ||
		    !get_u64(&slots->items[i], "pid", &pid) ||
		    !state || state->type != JV_STR ||
		    s.offset < at || s.offset + size > end)
			return -1;
		if (!strcmp(state->str, "used"))
			s.state = BLOCK_USED;
		else if (!strcmp(state->str, "free"))
			s.state = BLOCK_FREE;
		else
			return -1;
		s.pid = (int)pid;
		if (run_meta(l, at, s.offset))
			return -1;
		if (!next_piece(l))
			return -1;
		l->blocks[l->nblocks - 1] = s;
		at = s.offset + size;
	}
	return run_meta(l, at, end);
}

/* Record @rec as its block, or as a run's pieces; 0 or -1. */
static int parse_block(const struct jv *rec, struct heap_layout *l)
{
	const struct jv *state = jv_get(rec, "state");
	struct heap_block b = { .header = l->header_size }, *to;
	uint64_t pid;

	if (!get_u64(rec, "offset", &b.offset) || !get_u64(rec, "size", &b.size) ||
	    !get_u64(rec, "requested", &b.requested) ||
	    !get_u64(rec, "owner", &b.owner) || !get_u64(rec, "pid", &pid) ||
	    !state || state->type != JV_STR)
		return -1;
	b.pid = (int)pid;
	if (!strcmp(state->str, "run"))
		return parse_run(rec, b, l);
	if (!strcmp(state->str, "used"))
		b.state = BLOCK_USED;
	else if (!strcmp(state->str, "free"))
		b.state = BLOCK_FREE;
	else if (!strcmp(state->str, "damaged"))
		b.state = BLOCK_DAMAGED;
	else
		return -1;
	to = next_piece(l);
	if (!to)
		return -1;
	*to = b;
	return 0;
}

int layout_parse_blocks(const char *json, struct heap_layout *l, char *err,
			size_t errlen)
{
	const struct jv *blocks, *format, *policy;
	struct jv *root = jv_parse(json, err, errlen);
	int ret = -1;

	memset(l, 0, sizeof(*l));
	if (!root)
		return -1;
	format = jv_get(root, "format");
	blocks = jv_get(root, "blocks");
	policy = jv_get(root, "policy");
	if (!format || format->type != JV_STR || strcmp(format->str, "myheap-blocks") ||
	    !blocks || blocks->type != JV_ARR || !policy || policy->type != JV_STR ||
	    !get_u64(root, "region_size", &l->region_size) ||
	    !get_u64(root, "header_size", &l->header_size)) {
		snprintf(err, errlen, "not a myheap-blocks document");
		goto out;
	}
	snprintf(l->policy, sizeof(l->policy), "%s", policy->str);
	for (size_t i = 0; i < blocks->n; i++) {
		if (parse_block(&blocks->items[i], l)) {
			snprintf(err, errlen, "block record %zu is malformed", i);
			goto out;
		}
	}
	ret = 0;
out:
	jv_free(root);
	if (ret)
		layout_free(l);
	return ret;
}

/* Lines "  owner pid blocks bytes peak_bytes comm"; '#' lines are legend. */
int layout_parse_owners(const char *text, struct heap_layout *l)
{
	const char *line = text;

	for (; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		struct heap_owner o = { 0 }, *n;
		unsigned long long id, blocks, bytes, peak;

		if (sscanf(line, "%llu %d %llu %llu %llu %23s", &id, &o.pid, &blocks,
			   &bytes, &peak, o.comm) != 6)
			continue;	/* the version line, the legend, the total */
		o.id = id;
		n = realloc(l->owners, (l->nowners + 1) * sizeof(*n));
		if (!n)
			return -1;
		l->owners = n;
		l->owners[l->nowners++] = o;
	}
	return 0;
}

int layout_read(struct cli *cli, struct heap_layout *l)
{
	char err[200], *json, *owners;
	int ret;

	json = cli_debugfs_read(cli, "blocks.json", NULL);
	if (!json)
		return EXIT_DEVICE;
	ret = layout_parse_blocks(json, l, err, sizeof(err));
	free(json);
	if (ret) {
		cli_err("%s/blocks.json: %s", cli->debugfs, err);
		return EXIT_DEVICE;
	}
	/* Names are a nicety: a layout without them still draws. */
	owners = cli_debugfs_read(cli, "owners", NULL);
	if (owners)
		layout_parse_owners(owners, l);
	free(owners);
	return EXIT_OK;
}

void layout_free(struct heap_layout *l)
{
	free(l->blocks);
	free(l->owners);
	memset(l, 0, sizeof(*l));
}

const char *layout_comm(const struct heap_layout *l, uint64_t id)
{
	for (size_t i = 0; i < l->nowners; i++)
		if (l->owners[i].id == id)
			return l->owners[i].comm;
	return NULL;
}
