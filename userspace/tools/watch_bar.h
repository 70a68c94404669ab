/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bar of `myheap watch`: the region as a grid of character cells, each
 * standing for an equal byte range and showing what fills most of it.
 */
#ifndef MYHEAP_WATCH_BAR_H
#define MYHEAP_WATCH_BAR_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

/* What a cell shows. */
struct bar_cell {
	enum block_state state;	/* of the bytes that fill most of the cell */
	int owner_index;	/* used: index into bar.owners, -1 without owner */
	bool header;		/* a block starts (has its header) in the cell */
	bool empty;		/* past the end of the heap's blocks */
};

#define BAR_MAX_OWNERS 26	/* one letter each: A..Z */

struct bar {
	int cols, rows;
	uint64_t view;		/* bytes shown: [0, view) */
	uint64_t cell_bytes;
	struct bar_cell *cells;	/* rows * cols */
	uint64_t owners[BAR_MAX_OWNERS];	/* owner ids in order of first block */
	int nowners;
};

/* Fill @b for @l with @cols x @rows cells; 0 or -1 (out of memory). */
int bar_build(const struct heap_layout *l, int cols, int rows, bool full,
	      struct bar *b);
void bar_free(struct bar *b);
/* Letter of owner index @i ('A'..), '?' past BAR_MAX_OWNERS. */
char bar_letter(int i);
/* ANSI 256-colour background of owner index @i. */
int bar_color(int i);

#endif /* MYHEAP_WATCH_BAR_H */
