// SPDX-License-Identifier: GPL-2.0
/*
 * The heap map as a scene: the region drawn left to right, top to bottom
 * in rows of equal byte ranges; each block one rectangle (continued on the
 * next rows if it wraps), coloured by owner, free blocks grey, damaged
 * ones red, headers as dark marks; then a legend and the fragmentation
 * figures as a caption.
 *
 * Unless the whole region is asked for, the view ends a little after the
 * last block in use, because a heap's interesting part is usually a few
 * KiB at the start of a region of MiBs; the blocks past the view (free
 * ones only, by construction) are summed up in the caption.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

#define MARGIN_L	120	/* room for the row's start offset */
#define ROW_W		1024
#define MARGIN_R	24
#define ROW_H		30
#define ROW_GAP		8
#define GHOST_H		18	/* the strip under a row for a failed request */
#define ROWS_MAX	16
#define TOP		76
#define LINE_H		22
#define MIN_VIEW	4096

#define COLOR_FREE	0xc8c8c8
#define COLOR_DAMAGED	0xd62728
#define COLOR_HEADER	0x303030
#define COLOR_ORPHAN	0x7f7f7f	/* in use, no owner: lost to damage */
#define COLOR_TEXT	0x202020
#define COLOR_LABEL	0xffffff	/* names on coloured blocks */
#define COLOR_ROW	0xf2f2f2

/* Owners' colours (tab10 without its grey and red, which mean free and damaged). */
static const uint32_t palette[] = {
	0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd, 0x8c564b, 0xe377c2, 0xbcbd22, 0x17becf,
};
#define NR_PALETTE (sizeof(palette) / sizeof(palette[0]))

/*
 * Rows are filled like lines of text: a block that does not fit in what
 * is left of a row starts the next one, so every row starts at a block
 * and equal blocks line up (with rows of fixed byte ranges, 60 KiB blocks
 * on 64 KiB rows drew a staircase). A block longer than a row starts a
 * row and runs on over the next. A row is as long as what it holds.
 */
struct seg {
	int row, x, w;
};

struct geometry {
	uint64_t view;		/* bytes shown: [0, view) */
	uint64_t bpp;		/* bytes per pixel, a power of two */
	int rows;
	uint64_t *row_start;	/* region offset at each row's left end */
	int *row_len;		/* pixels in use on each row */
	size_t cap;
	int ghost_row;		/* the row the failed request is drawn under; -1 */
};

static uint64_t round_pow2(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static uint64_t view_end(const struct heap_layout *l, bool full)
{
	uint64_t end = 0, view;

	for (size_t i = 0; i < l->nblocks; i++)
		if (l->blocks[i].state != BLOCK_FREE)
			end = l->blocks[i].offset + l->blocks[i].size;
	view = full ? l->region_size : round_pow2(end + end / 4);
	if (view < MIN_VIEW)
		view = MIN_VIEW;
	return view > l->region_size ? l->region_size : view;
}

static int new_row(struct geometry *g, uint64_t start)
{
	if ((size_t)g->rows == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 32;
		uint64_t *rs = realloc(g->row_start, ncap * sizeof(*rs));
		int *rl;

		if (!rs)
			return -1;
		g->row_start = rs;
		rl = realloc(g->row_len, ncap * sizeof(*rl));
		if (!rl)
			return -1;
		g->row_len = rl;
		g->cap = ncap;
	}
	g->row_start[g->rows] = start;
	g->row_len[g->rows] = 0;
	g->rows++;
	return 0;
}

/*
 * Lay out [@from, @to) from the current row on; its pieces go to @segs
 * (up to @max of them, their number returned), or -1 when out of memory.
 */
static int place(struct geometry *g, uint64_t from, uint64_t to,
		 struct seg *segs, int max)
{
	uint64_t row_bytes = g->bpp * ROW_W;
	int n = 0;

	if (!g->rows && new_row(g, 0))
		return -1;
	if (to - g->row_start[g->rows - 1] > row_bytes &&
	    from > g->row_start[g->rows - 1] && new_row(g, from))
		return -1;
	for (;;) {
		int r = g->rows - 1;
		uint64_t rs = g->row_start[r];
		int x = (int)((from - rs) / g->bpp);
		uint64_t end = to - rs > row_bytes ? row_bytes : to - rs;
		int xe = (int)((end + g->bpp - 1) / g->bpp);

		if (xe <= x)	/* smaller than a pixel: still one pixel */
			xe = x + 1;
		if (n < max)
			segs[n++] = (struct seg){ .row = r, .x = x, .w = xe - x };
		if (xe > g->row_len[r])
			g->row_len[r] = xe > ROW_W ? ROW_W : xe;
		if (to - rs <= row_bytes)
			return n;
		from = rs + row_bytes;
		if (new_row(g, from))
			return -1;
	}
}

static void geometry_free(struct geometry *g)
{
	free(g->row_start);
	free(g->row_len);
}

/*
 * Owners in order of their first block, for stable colours and the legend.
 * Past MAX_OWNERS the colours repeat anyway, so later owners share one.
 */
#define MAX_OWNERS 64
struct owners {
	uint64_t id[MAX_OWNERS];
	size_t n;
};

static void list_owners(const struct heap_layout *l, struct owners *o)
{
	o->n = 0;
	for (size_t i = 0; i < l->nblocks; i++) {
		uint64_t id = l->blocks[i].owner;
		size_t k = 0;

		if (l->blocks[i].state != BLOCK_USED || !id)
			continue;
		while (k < o->n && o->id[k] != id)
			k++;
		if (k == o->n && o->n < MAX_OWNERS)
			o->id[o->n++] = id;
	}
}

static uint32_t block_color(const struct owners *o, const struct heap_block *b)
{
	size_t k = 0;

	if (b->state == BLOCK_FREE)
		return COLOR_FREE;
	if (b->state == BLOCK_DAMAGED)
		return COLOR_DAMAGED;
	if (b->state == BLOCK_RUN)
		return COLOR_HEADER;
	if (!b->owner)
		return COLOR_ORPHAN;
	while (k < o->n && o->id[k] != b->owner)
		k++;
	return palette[k % NR_PALETTE];
}

/* A block is named by its payload offset, the number the CLI prints. */
static void block_tip(const struct heap_layout *l, const struct heap_block *b,
		      char *tip, size_t len)
{
	const char *comm = layout_comm(l, b->owner);
	uint64_t name = b->offset + b->header;

	if (b->state == BLOCK_USED && b->slot)
		snprintf(tip, len, "%s%sslot %" PRIu64 " (no header): %" PRIu64
			 " bytes, %" PRIu64 " requested, owner %" PRIu64 " (pid %d %s)",
			 b->name, b->name[0] ? " = " : "", name, b->size,
			 b->requested, b->owner, b->pid, comm ? comm : "?");
	else if (b->state == BLOCK_USED)
		snprintf(tip, len, "%s%sblock %" PRIu64 " (header at %" PRIu64 "): %" PRIu64
			 " bytes, %" PRIu64 " requested, owner %" PRIu64 " (pid %d %s)",
			 b->name, b->name[0] ? " = " : "", name, b->offset, b->size,
			 b->requested, b->owner, b->pid, comm ? comm : "?");
	else if (b->state == BLOCK_RUN)
		snprintf(tip, len, "run metadata at %" PRIu64 ": %" PRIu64 " bytes",
			 b->offset, b->size);
	else if (b->slot)
		snprintf(tip, len, "free slot %" PRIu64 ": %" PRIu64 " bytes", b->offset,
			 b->size);
	else
		snprintf(tip, len, "%s at %" PRIu64 ": %" PRIu64 " bytes",
			 b->state == BLOCK_FREE ? "free" : "damaged header", b->offset, b->size);
}

static int row_y(const struct geometry *g, int row)
{
	int y = TOP + row * (ROW_H + ROW_GAP);

	return g->ghost_row >= 0 && row > g->ghost_row ? y + GHOST_H + ROW_GAP : y;
}

/* The longest of @labels that fits in @w pixels at scale 1, or NULL. */
static const char *fitting(char labels[][48], int n, int w)
{
	for (int i = 0; i < n; i++)
		if (labels[i][0] && scene_text_width(strlen(labels[i]), 1) + 6 <= w)
			return labels[i];
	return NULL;
}

/* "a=16: 100 B", "16: 100 B", "16"; "free 272 B", "free". */
static void block_label(const struct heap_block *b,
			int w, int x, int y, struct scene *s, int *ret)
{
	char labels[4][48], size[24];
	uint64_t name = b->offset + b->header;
	const char *fit;

	memset(labels, 0, sizeof(labels));
	if (b->state == BLOCK_USED) {
		cli_bytes(b->requested, size, sizeof(size));
		if (b->name[0])
			snprintf(labels[0], sizeof(labels[0]), "%s=%" PRIu64 ": %s", b->name, name, size);
		snprintf(labels[1], sizeof(labels[1]), "%" PRIu64 ": %s", name, size);
		snprintf(labels[2], sizeof(labels[2]), "%" PRIu64, name);
	} else if (b->state == BLOCK_FREE) {
		snprintf(labels[1], sizeof(labels[1]), "free %s",
			 cli_bytes(b->size, size, sizeof(size)));
		snprintf(labels[2], sizeof(labels[2]), "free");
	}
	fit = fitting(labels, 4, w);
	if (fit)
		*ret |= scene_text(s, x + 4, y + 19, 1,
				   b->state == BLOCK_FREE ? COLOR_TEXT : COLOR_LABEL, "%s", fit);
}

#define MAX_SEGS 64

/*
 * One block: its rectangle (continued on later rows if it runs on), its
 * header, its slack (usable bytes past the request) hatched, its name.
 */
static int draw_block(struct scene *s, const struct heap_layout *l,
		      const struct owners *o, const struct heap_block *b,
		      struct geometry *g)
{
	uint64_t end = b->offset + b->size;
	uint32_t color = block_color(o, b);
	struct seg segs[MAX_SEGS];
	int n, ret = 0;
	char tip[96];

	block_tip(l, b, tip, sizeof(tip));
	n = place(g, b->offset, end > g->view ? g->view : end, segs, MAX_SEGS);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		ret |= scene_rect(s, i ? RECT_BLOCK_CONT : RECT_BLOCK, MARGIN_L + segs[i].x,
				  row_y(g, segs[i].row), segs[i].w, ROW_H, color,
				  i ? NULL : tip);
	if (b->state == BLOCK_USED && b->size > b->header + b->requested) {
		uint64_t from = b->offset + b->header + b->requested;

		/* The slack's pixels, on the rows the block's pieces are on. */
		for (int i = 0; i < n; i++) {
			uint64_t rs = g->row_start[segs[i].row];
			int x0 = from > rs ? (int)((from - rs) / g->bpp) : 0;
			int x1 = segs[i].x + segs[i].w;

			if (x0 < segs[i].x)
				x0 = segs[i].x;
			if (x0 < x1 && from < end)
				ret |= scene_rect(s, RECT_SLACK, MARGIN_L + x0, row_y(g, segs[i].row),
						  x1 - x0, ROW_H, color, NULL);
		}
	}
	/* a header's dark mark; slots have none, run metadata is all dark */
	if (n && (b->state == BLOCK_USED || b->state == BLOCK_FREE) && b->header &&
	    segs[0].w >= 3) {
		int hw = (int)(b->header / g->bpp);

		hw = hw < 1 ? 1 : hw > segs[0].w / 2 ? segs[0].w / 2 : hw;
		ret |= scene_rect(s, RECT_HEADER, MARGIN_L + segs[0].x, row_y(g, segs[0].row),
				  hw, ROW_H, COLOR_HEADER, NULL);
	}
	if (n)
		block_label(b, segs[0].w, MARGIN_L + segs[0].x, row_y(g, segs[0].row),
			    s, &ret);
	return ret;
}

/* Slots count as blocks in use; free slots and run metadata on their own. */
struct figures {
	uint64_t used, requested, granted, free, free_bytes, largest;
	uint64_t free_slots, run_meta;
	uint64_t damaged, damaged_bytes, beyond, beyond_bytes;
};

static void count(const struct heap_layout *l, const struct geometry *g,
		  struct figures *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < l->nblocks; i++) {
		const struct heap_block *b = &l->blocks[i];

		if (b->offset >= g->view) {
			f->beyond++;
			f->beyond_bytes += b->size;
		}
		if (b->state == BLOCK_USED) {
			f->used++;
			f->requested += b->requested;
			f->granted += b->size - b->header;
		} else if (b->state == BLOCK_FREE && b->slot) {
			f->free_slots++;
		} else if (b->state == BLOCK_FREE) {
			f->free++;
			f->free_bytes += b->size;
			if (b->size > f->largest)
				f->largest = b->size;
		} else if (b->state == BLOCK_RUN) {
			f->run_meta += b->size;
		} else {
			f->damaged++;
			f->damaged_bytes += b->size;
		}
	}
}

static int legend_entry(struct scene *s, int *x, int *y, enum rect_kind kind,
			uint32_t color, const char *label)
{
	int w = 24 + scene_text_width(strlen(label), 2) + 24, ret;

	if (*x + w > s->width - MARGIN_R) {
		*x = MARGIN_L;
		*y += LINE_H + 4;
	}
	ret = scene_rect(s, kind, *x, *y - 14, 16, 16, color, label);
	ret |= scene_text(s, *x + 24, *y, 2, COLOR_TEXT, "%s", label);
	*x += w;
	return ret;
}

static int draw_legend(struct scene *s, const struct heap_layout *l,
		       const struct owners *o, const struct figures *f,
		       const struct map_opts *mo, int *y)
{
	struct heap_block b = { .state = BLOCK_USED };
	char label[64];
	int x = MARGIN_L, ret = 0;

	for (size_t k = 0; k < o->n; k++) {
		const char *comm = layout_comm(l, o->id[k]);
		int pid = 0;

		for (size_t i = 0; i < l->nblocks && !pid; i++)
			if (l->blocks[i].owner == o->id[k])
				pid = l->blocks[i].pid;
		b.owner = o->id[k];
		snprintf(label, sizeof(label), "owner %" PRIu64 " (pid %d%s%s)", o->id[k],
			 pid, comm ? " " : "", comm ? comm : "");
		ret |= legend_entry(s, &x, y, RECT_SWATCH, block_color(o, &b), label);
	}
	ret |= legend_entry(s, &x, y, RECT_SWATCH, COLOR_FREE, "free");
	ret |= legend_entry(s, &x, y, RECT_SWATCH, COLOR_HEADER,
			    f->run_meta ? "header, run metadata" : "header");
	if (f->granted > f->requested)
		ret |= legend_entry(s, &x, y, RECT_SLACK, COLOR_HEADER,
				    "slack (usable, not requested)");
	if (mo->ghost)
		ret |= legend_entry(s, &x, y, RECT_GHOST, COLOR_DAMAGED,
				    mo->grew ? "request no hole took" : "failed request");
	if (f->damaged)
		ret |= legend_entry(s, &x, y, RECT_SWATCH, COLOR_DAMAGED, "damaged header");
	return ret;
}

static int draw_caption(struct scene *s, const struct heap_layout *l,
			const struct figures *f, const struct geometry *g,
			const struct map_opts *mo, int y)
{
	char a[32], b[32], c[32];
	double ext = f->free_bytes ? 100.0 * (1.0 - (double)f->largest / f->free_bytes) : 0;
	int ret;

	ret = scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "in use: %" PRIu64 " blocks, %s requested, %s granted (internal fragmentation %s)",
			 f->used, cli_bytes(f->requested, a, sizeof(a)), cli_bytes(f->granted, b, sizeof(b)),
			 cli_bytes(f->granted - f->requested, c, sizeof(c)));
	y += LINE_H;
	ret |= scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "free: %" PRIu64 " blocks, %s; largest %s; external fragmentation %.1f%%",
			  f->free, cli_bytes(f->free_bytes, a, sizeof(a)), cli_bytes(f->largest, b, sizeof(b)), ext);
	y += LINE_H;
	if (mo->ghost) {
		ret |= scene_text(s, MARGIN_L, y, 2, COLOR_DAMAGED, "request of %s %s: the largest hole holds %s (dashed, beside it)",
				  cli_bytes(mo->ghost, a, sizeof(a)),
				  mo->grew ? "went past every hole" : "failed",
				  cli_bytes(f->largest > l->header_size ? f->largest - l->header_size : 0,
					    b, sizeof(b)));
		y += LINE_H;
	}
	if (f->run_meta) {
		ret |= scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "runs (pools): slots counted as blocks in use, %" PRIu64 " slots free, %s of run metadata",
				  f->free_slots, cli_bytes(f->run_meta, a, sizeof(a)));
		y += LINE_H;
	}
	if (f->damaged) {
		ret |= scene_text(s, MARGIN_L, y, 2, COLOR_DAMAGED, "damaged: %" PRIu64 " records, %s (headers failing their check)",
				  f->damaged, cli_bytes(f->damaged_bytes, a, sizeof(a)));
		y += LINE_H;
	}
	ret |= scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "shown: offsets 0..0x%" PRIx64 " (%s) of %s; 1 px = %" PRIu64 " B, a row at most %s",
			  g->view, cli_bytes(g->view, a, sizeof(a)), cli_bytes(l->region_size, b, sizeof(b)),
			  g->bpp, cli_bytes(g->bpp * ROW_W, c, sizeof(c)));
	y += LINE_H;
	ret |= scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "blocks are named by their payload offset (the CLI's number); rows break between blocks");
	if (f->beyond) {
		y += LINE_H;
		ret |= scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "not shown: %" PRIu64 " free blocks (%s) past the view (map --full draws all)",
				  f->beyond, cli_bytes(f->beyond_bytes, a, sizeof(a)));
	}
	return ret;
}

/*
 * A dry run of the placement, leaving the rows in @g: where they break,
 * and the row and x of the largest hole's start.
 */
static int find_hole(const struct heap_layout *l, struct geometry *g, int *row,
		     int *x)
{
	uint64_t largest = 0;
	struct seg seg;

	*row = -1;
	*x = 0;
	for (size_t i = 0; i < l->nblocks && l->blocks[i].offset < g->view; i++) {
		const struct heap_block *b = &l->blocks[i];
		uint64_t end = b->offset + b->size;

		if (place(g, b->offset, end > g->view ? g->view : end, &seg, 1) < 0)
			return -1;
		if (b->state == BLOCK_FREE && !b->slot && b->size > largest) {
			largest = b->size;
			*row = seg.row;
			*x = seg.x;
		}
	}
	if (*row < 0)	/* no hole in view: under the last row */
		*row = g->rows - 1;
	return 0;
}

static int draw_ghost(struct scene *s, const struct geometry *g, uint64_t bytes,
		      bool grew, int x)
{
	int w = (int)((bytes + g->bpp - 1) / g->bpp), y = row_y(g, g->ghost_row) + ROW_H + 4;
	char size[24];
	int ret;

	if (w > ROW_W)
		w = ROW_W;
	if (x + w > ROW_W)
		x = 0;
	ret = scene_rect(s, RECT_GHOST, MARGIN_L + x, y, w < 2 ? 2 : w, GHOST_H,
			 COLOR_DAMAGED, "the request that failed");
	ret |= scene_text(s, MARGIN_L + x + 4, y + GHOST_H - 5, 1, COLOR_DAMAGED,
			  "request %s: %s", cli_bytes(bytes, size, sizeof(size)),
			  grew ? "took no hole, grew the heap" : "fits no hole");
	return ret;
}

int map_build(const struct heap_layout *l, const struct map_opts *mo,
	      struct scene *s)
{
	struct geometry g = { .ghost_row = -1 };
	int y, ret = 0, hole_x = 0, ghost_row;
	struct figures f;
	struct owners o;
	char a[32];

	memset(s, 0, sizeof(*s));
	g.view = view_end(l, mo->full);
	g.bpp = round_pow2((g.view + (uint64_t)ROWS_MAX * ROW_W - 1) / ((uint64_t)ROWS_MAX * ROW_W));
	count(l, &g, &f);
	list_owners(l, &o);
	if (find_hole(l, &g, &ghost_row, &hole_x))
		goto oom;
	if (mo->ghost)
		g.ghost_row = ghost_row;
	s->width = MARGIN_L + ROW_W + MARGIN_R;
	s->background = 0xffffff;
	ret = scene_text(s, 16, 28, 2, COLOR_TEXT, "myheap: %s region, policy %s, %zu blocks",
			 cli_bytes(l->region_size, a, sizeof(a)), l->policy, l->nblocks);
	ret |= scene_text(s, 16, 52, 2, COLOR_TEXT, "%s", mo->title ? mo->title : "");
	for (int row = 0; row < g.rows; row++) {
		ret |= scene_rect(s, RECT_FRAME, MARGIN_L, row_y(&g, row), g.row_len[row], ROW_H,
				  COLOR_ROW, NULL);
		ret |= scene_text(s, 8, row_y(&g, row) + 16, 2, COLOR_TEXT, "0x%05" PRIx64,
				  g.row_start[row]);
		ret |= scene_text(s, 8, row_y(&g, row) + 28, 1, COLOR_TEXT, "%s",
				  cli_bytes(g.row_start[row], a, sizeof(a)));
	}
	/* The same placement again, drawing this time. */
	g.rows = 0;
	for (size_t i = 0; i < l->nblocks; i++)
		if (l->blocks[i].offset < g.view)
			ret |= draw_block(s, l, &o, &l->blocks[i], &g);
	if (mo->ghost && g.rows)
		ret |= draw_ghost(s, &g, mo->ghost, mo->grew, hole_x);
	y = row_y(&g, g.rows) + (g.ghost_row == g.rows - 1 ? GHOST_H + ROW_GAP : 0) + 20;
	ret |= draw_legend(s, l, &o, &f, mo, &y);
	y += LINE_H + 12;
	ret |= draw_caption(s, l, &f, &g, mo, y);
	s->height = s->ntexts ? s->texts[s->ntexts - 1].y + 16 : y;
	geometry_free(&g);
	if (ret) {
		scene_free(s);
		return -1;
	}
	return 0;
oom:
	geometry_free(&g);
	return -1;
}
