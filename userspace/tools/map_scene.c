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
#define ROW_H		26
#define ROW_GAP		8
#define ROWS_MAX	16
#define TOP		76
#define LINE_H		22
#define MIN_VIEW	4096

#define COLOR_FREE	0xc8c8c8
#define COLOR_DAMAGED	0xd62728
#define COLOR_HEADER	0x303030
#define COLOR_ORPHAN	0x7f7f7f	/* in use, no owner: lost to damage */
#define COLOR_TEXT	0x202020
#define COLOR_ROW	0xf2f2f2

/* Owners' colours (tab10 without its grey and red, which mean free and damaged). */
static const uint32_t palette[] = {
	0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd, 0x8c564b, 0xe377c2, 0xbcbd22, 0x17becf,
};
#define NR_PALETTE (sizeof(palette) / sizeof(palette[0]))

struct geometry {
	uint64_t view;		/* bytes shown: [0, view) */
	uint64_t bpp;		/* bytes per pixel */
	int rows;
};

static uint64_t round_pow2(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static void pick_geometry(const struct heap_layout *l, bool full,
			  struct geometry *g)
{
	uint64_t end = 0, row_bytes;

	for (size_t i = 0; i < l->nblocks; i++)
		if (l->blocks[i].state != BLOCK_FREE)
			end = l->blocks[i].offset + l->blocks[i].size;
	g->view = full ? l->region_size : round_pow2(end + end / 4);
	if (g->view < MIN_VIEW)
		g->view = MIN_VIEW;
	if (g->view > l->region_size)
		g->view = l->region_size;
	g->bpp = (g->view + (uint64_t)ROWS_MAX * ROW_W - 1) / ((uint64_t)ROWS_MAX * ROW_W);
	if (!g->bpp)
		g->bpp = 1;
	row_bytes = g->bpp * ROW_W;
	g->rows = (int)((g->view + row_bytes - 1) / row_bytes);
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
	if (!b->owner)
		return COLOR_ORPHAN;
	while (k < o->n && o->id[k] != b->owner)
		k++;
	return palette[k % NR_PALETTE];
}

static void block_tip(const struct heap_layout *l, const struct heap_block *b,
		      char *tip, size_t len)
{
	const char *comm = layout_comm(l, b->owner);

	if (b->state == BLOCK_USED)
		snprintf(tip, len, "offset %" PRIu64 ": %" PRIu64 " bytes, used, %" PRIu64
			 " requested, owner %" PRIu64 " (pid %d %s)", b->offset, b->size,
			 b->requested, b->owner, b->pid, comm ? comm : "?");
	else
		snprintf(tip, len, "offset %" PRIu64 ": %" PRIu64 " bytes, %s", b->offset,
			 b->size, b->state == BLOCK_FREE ? "free" : "damaged header");
}

static int row_y(int row)
{
	return TOP + row * (ROW_H + ROW_GAP);
}

/* One block: its rectangle, the continuation on later rows, its header. */
static int draw_block(struct scene *s, const struct heap_layout *l,
		      const struct owners *o, const struct heap_block *b,
		      const struct geometry *g)
{
	uint64_t start = b->offset / g->bpp, end = (b->offset + b->size) / g->bpp;
	uint64_t limit = g->view / g->bpp + (g->view % g->bpp != 0);
	uint32_t color = block_color(o, b);
	enum rect_kind kind = RECT_BLOCK;
	int row = (int)(start / ROW_W), x, w, ret = 0;
	char tip[96];

	block_tip(l, b, tip, sizeof(tip));
	if (end > limit)
		end = limit;
	if (end <= start)	/* smaller than a pixel: still one pixel */
		end = start + 1;
	for (uint64_t from = start; from < end && row < g->rows; row++) {
		uint64_t row_end = (uint64_t)(row + 1) * ROW_W;
		uint64_t to = end < row_end ? end : row_end;

		x = MARGIN_L + (int)(from % ROW_W);
		w = (int)(to - from);
		ret |= scene_rect(s, kind, x, row_y(row), w, ROW_H, color,
				  kind == RECT_BLOCK ? tip : NULL);
		/* The header: its real width, or a 1-pixel mark; only if it fits. */
		if (kind == RECT_BLOCK && b->state != BLOCK_DAMAGED && w >= 3) {
			int hw = (int)(l->header_size / g->bpp);

			hw = hw < 1 ? 1 : hw > w / 2 ? w / 2 : hw;
			ret |= scene_rect(s, RECT_HEADER, x, row_y(row), hw, ROW_H,
					  COLOR_HEADER, NULL);
		}
		kind = RECT_BLOCK_CONT;
		from = to;
	}
	return ret;
}

struct figures {
	uint64_t used, requested, granted, free, free_bytes, largest;
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
			f->granted += b->size - l->header_size;
		} else if (b->state == BLOCK_FREE) {
			f->free++;
			f->free_bytes += b->size;
			if (b->size > f->largest)
				f->largest = b->size;
		} else {
			f->damaged++;
			f->damaged_bytes += b->size;
		}
	}
}

static int legend_entry(struct scene *s, int *x, int *y, uint32_t color,
			const char *label)
{
	int w = 24 + 12 * (int)strlen(label) + 24, ret;

	if (*x + w > s->width - MARGIN_R) {
		*x = MARGIN_L;
		*y += LINE_H + 4;
	}
	ret = scene_rect(s, RECT_SWATCH, *x, *y - 14, 16, 16, color, label);
	ret |= scene_text(s, *x + 24, *y, 2, COLOR_TEXT, "%s", label);
	*x += w;
	return ret;
}

static int draw_legend(struct scene *s, const struct heap_layout *l,
		       const struct owners *o, const struct figures *f, int *y)
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
		ret |= legend_entry(s, &x, y, block_color(o, &b), label);
	}
	ret |= legend_entry(s, &x, y, COLOR_FREE, "free");
	ret |= legend_entry(s, &x, y, COLOR_HEADER, "header");
	if (f->damaged)
		ret |= legend_entry(s, &x, y, COLOR_DAMAGED, "damaged header");
	return ret;
}

static const char *kib(uint64_t n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%" PRIu64 " B", n);
	else if (n < (1u << 20))
		snprintf(buf, len, "%.1f KiB", n / 1024.0);
	else
		snprintf(buf, len, "%.1f MiB", n / 1048576.0);
	return buf;
}

static int draw_caption(struct scene *s, const struct heap_layout *l,
			const struct figures *f, const struct geometry *g, int y)
{
	char a[32], b[32], c[32];
	double ext = f->free_bytes ? 100.0 * (1.0 - (double)f->largest / f->free_bytes) : 0;
	int ret;

	ret = scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "in use: %" PRIu64 " blocks, %s requested, %s granted (internal fragmentation %s)",
			 f->used, kib(f->requested, a, sizeof(a)), kib(f->granted, b, sizeof(b)),
			 kib(f->granted - f->requested, c, sizeof(c)));
	y += LINE_H;
	ret |= scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "free: %" PRIu64 " blocks, %s; largest %s; external fragmentation %.1f%%",
			  f->free, kib(f->free_bytes, a, sizeof(a)), kib(f->largest, b, sizeof(b)), ext);
	y += LINE_H;
	if (f->damaged) {
		ret |= scene_text(s, MARGIN_L, y, 2, COLOR_DAMAGED, "damaged: %" PRIu64 " records, %s (headers failing their check)",
				  f->damaged, kib(f->damaged_bytes, a, sizeof(a)));
		y += LINE_H;
	}
	ret |= scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "shown: offsets 0..%s of %s; 1 px = %" PRIu64 " B, a row = %s",
			  kib(g->view, a, sizeof(a)), kib(l->region_size, b, sizeof(b)), g->bpp,
			  kib(g->bpp * ROW_W, c, sizeof(c)));
	if (f->beyond) {
		y += LINE_H;
		ret |= scene_text(s, MARGIN_L, y, 2, COLOR_TEXT, "not shown: %" PRIu64 " free blocks (%s) past the view (map --full draws all)",
				  f->beyond, kib(f->beyond_bytes, a, sizeof(a)));
	}
	return ret;
}

int map_build(const struct heap_layout *l, bool full, const char *title,
	      struct scene *s)
{
	struct geometry g;
	struct figures f;
	struct owners o;
	char a[32];
	int y, ret;

	memset(s, 0, sizeof(*s));
	pick_geometry(l, full, &g);
	count(l, &g, &f);
	list_owners(l, &o);
	s->width = MARGIN_L + ROW_W + MARGIN_R;
	s->background = 0xffffff;
	ret = scene_text(s, 16, 28, 2, COLOR_TEXT, "myheap: %s region, policy %s, %zu blocks",
			 kib(l->region_size, a, sizeof(a)), l->policy, l->nblocks);
	ret |= scene_text(s, 16, 52, 2, COLOR_TEXT, "%s", title ? title : "");
	for (int row = 0; row < g.rows; row++) {
		uint64_t from = (uint64_t)row * ROW_W * g.bpp;

		ret |= scene_rect(s, RECT_FRAME, MARGIN_L, row_y(row), ROW_W, ROW_H, COLOR_ROW, NULL);
		ret |= scene_text(s, 8, row_y(row) + ROW_H - 6, 2, COLOR_TEXT, "%9" PRIu64, from);
	}
	for (size_t i = 0; i < l->nblocks; i++)
		if (l->blocks[i].offset < g.view)
			ret |= draw_block(s, l, &o, &l->blocks[i], &g);
	y = row_y(g.rows) + 20;
	ret |= draw_legend(s, l, &o, &f, &y);
	y += LINE_H + 12;
	ret |= draw_caption(s, l, &f, &g, y);
	s->height = s->ntexts ? s->texts[s->ntexts - 1].y + 16 : y;
	if (ret) {
		scene_free(s);
		return -1;
	}
	return 0;
}
