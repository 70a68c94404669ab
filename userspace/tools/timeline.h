/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The heap over time, villoc-style: one row per operation, top to bottom,
 * addresses left to right; every block a bar from the row of the op that
 * placed it down to the row of the op that freed it, the op's own block
 * marked on its row, a freed block outlined on the row that freed it, a
 * refused request drawn dashed at the heap's end. Written as SVG or PNG
 * (through scene.h).
 *
 * Usage (replay.c, and any caller that sees its ops, e.g. the shell):
 *
 *	struct timeline *tl = timeline_new(header_size, "title");
 *	timeline_alloc(tl, "b = alloc 100", off, usable, 100);
 *	timeline_free(tl, "free $b", off);
 *	timeline_write(tl, "out.svg");
 *	timeline_destroy(tl);
 *
 * Offsets are payload offsets (a block's name); @usable is what the
 * allocator granted, @requested what was asked for. Each call is one row
 * and copies @op. Past TIMELINE_MAX_OPS rows calls are counted, not drawn.
 */
#ifndef MYHEAP_TIMELINE_H
#define MYHEAP_TIMELINE_H

#include <stdint.h>

#define TIMELINE_MAX_OPS	5000

struct timeline;

/* NULL when out of memory. */
struct timeline *timeline_new(uint64_t header_size, const char *title);
void timeline_destroy(struct timeline *tl);

/* One row each; 0, or -1 when out of memory (the timeline stays valid). */
int timeline_alloc(struct timeline *tl, const char *op, uint64_t off,
		   uint64_t usable, uint64_t requested);
int timeline_free(struct timeline *tl, const char *op, uint64_t off);
int timeline_realloc(struct timeline *tl, const char *op, uint64_t old_off,
		     uint64_t off, uint64_t usable, uint64_t requested);
/* A request that was refused; @err is the errno it got (positive). */
int timeline_fail(struct timeline *tl, const char *op, uint64_t requested,
		  int err);
/* A row where nothing changed (an op without a block, e.g. "a 3 0"). */
int timeline_note(struct timeline *tl, const char *op);

/* Rows recorded (drawn ones), and ops seen in all. */
unsigned int timeline_rows(const struct timeline *tl);
unsigned long timeline_ops(const struct timeline *tl);

/* Write SVG or PNG by @path's extension; 0 or -errno (-EINVAL: neither). */
int timeline_write(const struct timeline *tl, const char *path);

#endif /* MYHEAP_TIMELINE_H */
