// SPDX-License-Identifier: GPL-2.0
/* The heap over time (see timeline.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"
#include "timeline.h"

#define MARGIN_L	300	/* the op's text */
#define PLOT_W		900
#define MARGIN_R	24
#define TOP		90
#define ROW_H_MAX	16
#define PLOT_H_MAX	6000	/* rows get thinner, down to a pixel */
#define LABEL_ROW_H	10	/* op texts only on rows this tall */

#define COLOR_TEXT	0x202020
#define COLOR_ROW_A	0xffffff
#define COLOR_ROW_B	0xf4f4f4
#define COLOR_EVENT	0x202020
#define COLOR_FREED	0x505050
#define COLOR_FAIL	0xd62728

static const uint32_t palette[] = {
	0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd, 0x8c564b, 0xe377c2, 0xbcbd22, 0x17becf,
};
#define NR_PALETTE (sizeof(palette) / sizeof(palette[0]))

enum ev_kind { EV_ALLOC, EV_FREE, EV_REALLOC, EV_FAIL, EV_NOTE };

struct event {
	enum ev_kind kind;
	int err;
	uint64_t off, old_off, usable, requested;
	char op[48];
};

struct timeline {
	uint64_t header;
	char title[160];
	struct event *ev;
	unsigned int n, cap;
	unsigned long seen;
};

struct timeline *timeline_new(uint64_t header_size, const char *title)
{
	struct timeline *tl = calloc(1, sizeof(*tl));

	if (!tl)
		return NULL;
	tl->header = header_size;
	snprintf(tl->title, sizeof(tl->title), "%s", title ? title : "");
	return tl;
}

void timeline_destroy(struct timeline *tl)
{
	if (!tl)
		return;
	free(tl->ev);
	free(tl);
}

static int add(struct timeline *tl, const struct event *e)
{
	tl->seen++;
	if (tl->n == TIMELINE_MAX_OPS)
		return 0;
	if (tl->n == tl->cap) {
		unsigned int ncap = tl->cap ? tl->cap * 2 : 256;
		struct event *p = realloc(tl->ev, ncap * sizeof(*p));

		if (!p)
			return -1;
		tl->ev = p;
		tl->cap = ncap;
	}
	tl->ev[tl->n++] = *e;
	return 0;
}

#define EVENT(k, o) struct event e = { .kind = (k) }; \
	snprintf(e.op, sizeof(e.op), "%s", (o))

int timeline_alloc(struct timeline *tl, const char *op, uint64_t off,
		   uint64_t usable, uint64_t requested)
{
	EVENT(EV_ALLOC, op);
	e.off = off;
	e.usable = usable;
	e.requested = requested;
	return add(tl, &e);
}

int timeline_free(struct timeline *tl, const char *op, uint64_t off)
{
	EVENT(EV_FREE, op);
	e.off = off;
	return add(tl, &e);
}

int timeline_realloc(struct timeline *tl, const char *op, uint64_t old_off,
		     uint64_t off, uint64_t usable, uint64_t requested)
{
	EVENT(EV_REALLOC, op);
	e.old_off = old_off;
	e.off = off;
	e.usable = usable;
	e.requested = requested;
	return add(tl, &e);
}

int timeline_fail(struct timeline *tl, const char *op, uint64_t requested,
		  int err)
{
	EVENT(EV_FAIL, op);
	e.requested = requested;
	e.err = err;
	return add(tl, &e);
}

int timeline_note(struct timeline *tl, const char *op)
{
	EVENT(EV_NOTE, op);
	return add(tl, &e);
}

unsigned int timeline_rows(const struct timeline *tl)
{
	return tl->n;
}

unsigned long timeline_ops(const struct timeline *tl)
{
	return tl->seen;
}

/* A block live in the picture: where it is and since which row. */
struct live {
	uint64_t off, usable, requested;
	unsigned int since, color;
};

struct draw {
	const struct timeline *tl;
	struct scene *s;
	struct live *live;
	unsigned int nlive;
	unsigned int colors;
	uint64_t end;		/* the plot's right edge, in region bytes */
	uint64_t hw;		/* the highest block end so far */
	double px;		/* pixels per byte */
	int row_h;
	int ret;
};

static int xof(const struct draw *d, uint64_t byte)
{
	return MARGIN_L + (int)((double)byte * d->px);
}

static int wof(const struct draw *d, uint64_t from, uint64_t to)
{
	int w = xof(d, to) - xof(d, from);

	return w < 1 ? 1 : w;
}

static int yof(const struct draw *d, unsigned int row)
{
	return TOP + (int)row * d->row_h;
}

/* The block's bar, header included, from its first row to before @row. */
static void end_bar(struct draw *d, unsigned int i, unsigned int row)
{
	const struct live *b = &d->live[i];
	uint64_t from = b->off - d->tl->header;
	char tip[96];

	snprintf(tip, sizeof(tip), "block %" PRIu64 ": %" PRIu64 " B requested, %" PRIu64
		 " usable, ops %u..%u", b->off, b->requested, b->usable, b->since + 1, row);
	if (row > b->since)
		d->ret |= scene_rect(d->s, RECT_BLOCK, xof(d, from), yof(d, b->since),
				     wof(d, from, b->off + b->usable),
				     (int)(row - b->since) * d->row_h,
				     palette[b->color % NR_PALETTE], tip);
	d->live[i] = d->live[--d->nlive];
}

static int find(const struct draw *d, uint64_t off)
{
	for (unsigned int i = 0; i < d->nlive; i++)
		if (d->live[i].off == off)
			return (int)i;
	return -1;
}

/* The marks of row @row: the op's block dark, a freed block outlined. */
static void mark(struct draw *d, unsigned int row, enum rect_kind kind,
		 uint32_t rgb, uint64_t off, uint64_t usable)
{
	uint64_t from = off >= d->tl->header ? off - d->tl->header : 0;

	if (from >= d->end)
		from = d->end - 1;
	if (usable > d->end - off || off > d->end)
		usable = d->end > off ? d->end - off : 1;

	d->ret |= scene_rect(d->s, kind, xof(d, from), yof(d, row),
			     wof(d, from, off + usable), d->row_h, rgb, NULL);
}

static void start_bar(struct draw *d, unsigned int row, const struct event *e)
{
	struct live *b = &d->live[d->nlive++];

	*b = (struct live){ .off = e->off, .usable = e->usable,
			    .requested = e->requested, .since = row,
			    .color = d->colors++ };
}

/* Bars end where a block goes: the live set is replayed row by row. */
static void bars(struct draw *d)
{
	const struct timeline *tl = d->tl;

	for (unsigned int row = 0; row < tl->n; row++) {
		const struct event *e = &tl->ev[row];
		int i;

		switch (e->kind) {
		case EV_FREE:
			i = find(d, e->off);
			if (i >= 0) {
				mark(d, row, RECT_GHOST, COLOR_FREED, e->off, d->live[i].usable);
				end_bar(d, (unsigned int)i, row);
			}
			break;
		case EV_REALLOC:
			i = find(d, e->old_off);
			if (i >= 0)
				end_bar(d, (unsigned int)i, row);
			/* fall through */
		case EV_ALLOC:
			i = find(d, e->off);	/* a block the picture missed */
			if (i >= 0)
				end_bar(d, (unsigned int)i, row);
			start_bar(d, row, e);
			if (e->off + e->usable > d->hw)
				d->hw = e->off + e->usable;
			break;
		case EV_FAIL:
			mark(d, row, RECT_GHOST, COLOR_FAIL, d->hw + d->tl->header, e->requested);
			break;
		case EV_NOTE:
			break;
		}
	}
	while (d->nlive)
		end_bar(d, d->nlive - 1, tl->n);
}

/* Drawn over the bars: the op's own block on its row. */
static void events(struct draw *d)
{
	for (unsigned int row = 0; row < d->tl->n; row++) {
		const struct event *e = &d->tl->ev[row];

		if (e->kind != EV_ALLOC && e->kind != EV_REALLOC)
			continue;
		mark(d, row, RECT_EVENT, COLOR_EVENT, e->off, e->usable);
		/* Its name, the payload offset, where there is room. */
		if (d->row_h >= LABEL_ROW_H &&
		    wof(d, e->off, e->off + e->usable) > scene_text_width(12, 1))
			d->ret |= scene_text(d->s, xof(d, e->off) + 3, yof(d, row) + d->row_h - 3,
					     1, 0xffffff, "%" PRIu64, e->off);
	}
}

static void rows(struct draw *d)
{
	for (unsigned int row = 0; row < d->tl->n; row++) {
		const struct event *e = &d->tl->ev[row];
		char tip[96];

		snprintf(tip, sizeof(tip), "op %u: %s", row + 1, e->op);
		d->ret |= scene_rect(d->s, RECT_OP, 0, yof(d, row), MARGIN_L + PLOT_W,
				     d->row_h, row % 2 ? COLOR_ROW_B : COLOR_ROW_A, tip);
		if (d->row_h < LABEL_ROW_H)
			continue;
		if (e->kind == EV_FAIL)
			d->ret |= scene_text(d->s, 8, yof(d, row) + d->row_h - 3, 1, COLOR_FAIL,
					     "%5u %s: %s", row + 1, e->op, strerrorname_np(e->err) ?
					     strerrorname_np(e->err) : "refused");
		else if (e->kind == EV_ALLOC || e->kind == EV_REALLOC)
			d->ret |= scene_text(d->s, 8, yof(d, row) + d->row_h - 3, 1, COLOR_TEXT,
					     "%5u %s -> %" PRIu64, row + 1, e->op, e->off);
		else
			d->ret |= scene_text(d->s, 8, yof(d, row) + d->row_h - 3, 1, COLOR_TEXT,
					     "%5u %s", row + 1, e->op);
	}
}

/* Ticks along the top: hex offsets, KiB under them. */
static void axis(struct draw *d)
{
	uint64_t step = 1;

	while (step * 8 < d->end)
		step <<= 1;
	for (uint64_t b = 0; b <= d->end; b += step) {
		int x = xof(d, b);

		d->ret |= scene_rect(d->s, RECT_FRAME, x, TOP - 8, 1, 8, COLOR_TEXT, NULL);
		if (x + scene_text_width(10, 1) > d->s->width)
			break;
		d->ret |= scene_text(d->s, x + 2, TOP - 22, 1, COLOR_TEXT, "0x%" PRIx64, b);
		d->ret |= scene_text(d->s, x + 2, TOP - 11, 1, COLOR_TEXT, "%" PRIu64 " KiB",
				     b >> 10);
	}
}

static uint64_t plot_end(const struct timeline *tl)
{
	uint64_t end = 4096, hw = 0;

	for (unsigned int i = 0; i < tl->n; i++) {
		const struct event *e = &tl->ev[i];
		uint64_t to = e->off + e->usable;

		/* A refused request may be far larger than the heap: it is
		 * drawn clipped, its size in its label. */
		if (e->kind != EV_ALLOC && e->kind != EV_REALLOC)
			continue;
		if (to > hw)
			hw = to;
		if (to > end)
			end = to;
	}
	return end + end / 8;
}

static int build(const struct timeline *tl, struct scene *s)
{
	struct draw d = { .tl = tl, .s = s };
	unsigned int n = tl->n ? tl->n : 1;
	int y;

	memset(s, 0, sizeof(*s));
	d.live = calloc(n, sizeof(*d.live));
	if (!d.live)
		return -1;
	d.end = plot_end(tl);
	d.px = (double)PLOT_W / (double)d.end;
	d.row_h = PLOT_H_MAX / (int)n;
	d.row_h = d.row_h > ROW_H_MAX ? ROW_H_MAX : d.row_h < 1 ? 1 : d.row_h;
	s->width = MARGIN_L + PLOT_W + MARGIN_R;
	s->background = 0xffffff;
	d.ret |= scene_text(s, 16, 28, 2, COLOR_TEXT, "myheap timeline: one row per operation, time downwards");
	d.ret |= scene_text(s, 16, 50, 2, COLOR_TEXT, "%s", tl->title);
	rows(&d);
	axis(&d);
	bars(&d);
	events(&d);
	y = yof(&d, tl->n) + 24;
	d.ret |= scene_text(s, 16, y, 2, COLOR_TEXT, "%u ops drawn%s; a bar is a block (header included) while it lives,",
			    tl->n, tl->seen > tl->n ? " (the first of more)" : "");
	y += 22;
	d.ret |= scene_text(s, 16, y, 2, COLOR_TEXT, "dark on the row that placed it, outlined on the row that freed it;");
	y += 22;
	d.ret |= scene_text(s, 16, y, 2, COLOR_TEXT, "a refused request is dashed red; blocks are named by payload offset");
	if (tl->seen > tl->n) {
		y += 22;
		d.ret |= scene_text(s, 16, y, 2, COLOR_FAIL, "not drawn: %lu later ops (at most %d rows)",
				    tl->seen - tl->n, TIMELINE_MAX_OPS);
	}
	s->height = y + 16;
	free(d.live);
	if (d.ret) {
		scene_free(s);
		return -1;
	}
	return 0;
}

int timeline_write(const struct timeline *tl, const char *path)
{
	struct scene s;
	int ret;

	if (!scene_path_ok(path))
		return -EINVAL;
	if (build(tl, &s))
		return -ENOMEM;
	ret = scene_write(&s, tl->title[0] ? tl->title : "myheap timeline", path);
	scene_free(&s);
	return ret;
}
