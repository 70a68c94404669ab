// SPDX-License-Identifier: GPL-2.0
/* The cells of the watch bar (see watch_bar.h). */
#include <stdlib.h>
#include <string.h>

#include "watch_bar.h"

#define MIN_VIEW 4096

/* Bytes of one candidate filling of a cell. */
struct tally {
	enum block_state state;
	int owner;
	uint64_t bytes;
};

static int owner_index(struct bar *b, uint64_t id)
{
	for (int i = 0; i < b->nowners; i++)
		if (b->owners[i] == id)
			return i;
	if (b->nowners == BAR_MAX_OWNERS)
		return BAR_MAX_OWNERS;	/* shown as '?' */
	b->owners[b->nowners] = id;
	return b->nowners++;
}

static void add(struct tally *t, int *n, enum block_state state, int owner,
		uint64_t bytes)
{
	for (int i = 0; i < *n; i++) {
		if (t[i].state == state && t[i].owner == owner) {
			t[i].bytes += bytes;
			return;
		}
	}
	if (*n < 8)
		t[(*n)++] = (struct tally){ state, owner, bytes };
}

static uint64_t pick_view(const struct heap_layout *l, bool full)
{
	uint64_t end = 0, view = 1;

	if (full)
		return l->region_size;
	for (size_t i = 0; i < l->nblocks; i++)
		if (l->blocks[i].state != BLOCK_FREE)
			end = l->blocks[i].offset + l->blocks[i].size;
	while (view < end + end / 4)
		view <<= 1;
	if (view < MIN_VIEW)
		view = MIN_VIEW;
	return view < l->region_size ? view : l->region_size;
}

int bar_build(const struct heap_layout *l, int cols, int rows, bool full,
	      struct bar *b)
{
	size_t ncells = (size_t)cols * rows, k = 0;

	memset(b, 0, sizeof(*b));
	b->cols = cols;
	b->rows = rows;
	b->view = pick_view(l, full);
	b->cell_bytes = (b->view + ncells - 1) / ncells;
	b->cells = calloc(ncells, sizeof(*b->cells));
	if (!b->cells)
		return -1;
	/* Blocks are in address order: walk cells and blocks together. */
	for (size_t c = 0; c < ncells; c++) {
		uint64_t lo = c * b->cell_bytes, hi = lo + b->cell_bytes;
		struct bar_cell *cell = &b->cells[c];
		struct tally t[8];
		int n = 0, best = -1;

		while (k < l->nblocks && l->blocks[k].offset + l->blocks[k].size <= lo)
			k++;
		for (size_t i = k; i < l->nblocks && l->blocks[i].offset < hi; i++) {
			const struct heap_block *blk = &l->blocks[i];
			uint64_t from = blk->offset > lo ? blk->offset : lo;
			uint64_t end = blk->offset + blk->size;
			uint64_t to = end < hi ? end : hi;
			int owner = blk->state == BLOCK_USED && blk->owner ?
				    owner_index(b, blk->owner) : -1;

			if (blk->offset >= lo)
				cell->header = true;
			add(t, &n, blk->state, owner, to - from);
		}
		cell->empty = n == 0;
		for (int i = 0; i < n; i++) {
			/* Damage shows whatever its share: it must not hide. */
			if (t[i].state == BLOCK_DAMAGED) {
				best = i;
				break;
			}
			if (best < 0 || t[i].bytes > t[best].bytes)
				best = i;
		}
		if (best >= 0) {
			cell->state = t[best].state;
			cell->owner_index = t[best].owner;
		}
	}
	return 0;
}

void bar_free(struct bar *b)
{
	free(b->cells);
	b->cells = NULL;
}

char bar_letter(int i)
{
	return i >= 0 && i < BAR_MAX_OWNERS ? (char)('A' + i) : '?';
}

int bar_color(int i)
{
	/* Distinct, readable 256-colour backgrounds (not grey, not red). */
	static const int colors[] = { 33, 208, 34, 135, 130, 170, 142, 37 };

	return i < 0 ? 244 : colors[i % (int)(sizeof(colors) / sizeof(colors[0]))];
}
