/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's views of the block layout and the free lists: debugfs's
 * blocks and freelist with each block named by its payload offset (and
 * the shell variable naming it), the header offset beside it.
 */
#ifndef MYHEAP_VIEWS_H
#define MYHEAP_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "json.h"

/* The next line of @p (a NUL-terminated copy in @buf); NULL at the end. */
const char *next_line(const char *p, char *buf, size_t len);

/*
 * The minor version of debugfs @text, whose first line must read
 * "myheap FILE - version: 1.MINOR"; -1 if it does not (no version line, or
 * a major version this CLI does not know). Minor versions only add
 * columns at the end of a line.
 */
int debugfs_minor(const char *text, const char *file);

/* A free block: header offset, payload offset (its name), size. */
struct fl_block {
	uint64_t offset;
	uint64_t payload;
	uint64_t size;
	bool rover;	/* next fit's roving pointer is here */
};

/* One free list as debugfs freelist prints it ("class 2 (32..47 bytes)"). */
struct fl_list {
	char name[64];
	struct fl_block *blocks;
	size_t nblocks;
};

/* Pools: a run with a free slot ("run 10360  13 free, next slot 10512"). */
struct fl_run {
	uint64_t offset;	/* of its header, as dump names it */
	uint32_t free;		/* free slots */
	uint64_t next_slot;	/* payload offset of the slot handed out next */
};

/* Pools: a slot class's runs with a free slot, in list order. */
struct fl_class {
	uint32_t cls;
	uint32_t slot_size;
	uint32_t slots;		/* slots a run */
	struct fl_run *runs;
	size_t nruns;
};

struct freelist {
	char policy[16];
	uint32_t header_size;
	struct fl_list *lists;	/* in search order */
	size_t nlists;
	size_t blocks;
	uint64_t bytes;
	bool slots;		/* the policy keeps slots in runs (pools) */
	struct fl_class *classes;	/* pools: the run lists, by class */
	size_t nclasses;
	size_t runs;
	uint64_t free_slots;
};

/* Parse debugfs freelist text; 0, or -1 when out of memory. */
int freelist_parse(const char *text, uint32_t header_size, struct freelist *f);
void freelist_free(struct freelist *f);
/* @f's members into the open JSON object @j. */
void freelist_json(struct cli *cli, const struct freelist *f, struct json *j);

/* Each returns an exit code. */
int view_dump(struct cli *cli);
int view_freelist(struct cli *cli);
int view_freelist_json(struct cli *cli);
/*
 * One line per non-empty list, malloc.py style: [ payload (hdr) size name ];
 * under pools one more per slot class: [ run offset: n free, next slot s ].
 */
int view_freelist_compact(struct cli *cli);

#endif /* MYHEAP_VIEWS_H */
