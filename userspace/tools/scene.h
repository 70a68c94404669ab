/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A picture as a list of rectangles and text lines, in pixels. The heap
 * map (map_scene.c) and the timeline (timeline.c) are built once as a
 * scene and then written as SVG (scene_svg.c) or PNG (scene_png.c, cairo),
 * so both files show the same geometry.
 */
#ifndef MYHEAP_SCENE_H
#define MYHEAP_SCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a rectangle stands for; the SVG class names say the same. */
enum rect_kind {
	RECT_BLOCK,		/* a block: exactly one per block ("block") */
	RECT_BLOCK_CONT,	/* the rest of a block on the next rows ("block-cont") */
	RECT_HEADER,		/* a block's header ("hdr") */
	RECT_SWATCH,		/* a legend colour ("swatch") */
	RECT_FRAME,		/* the background of a row ("row") */
	RECT_SLACK,		/* usable minus requested bytes, hatched ("slack") */
	RECT_GHOST,		/* a request that failed, dashed outline ("ghost") */
	RECT_OP,		/* a timeline row: one per operation ("op") */
	RECT_EVENT,		/* what one operation did, on its row ("event") */
	RECT_KINDS
};

struct scene_rect {
	int x, y, w, h;
	uint32_t rgb;		/* 0xRRGGBB */
	enum rect_kind kind;
	char tip[96];		/* SVG tooltip; "" for none */
};

struct scene_text {
	int x, y;		/* left end of the baseline */
	int scale;		/* font size 10 * scale px; a character is
				 * 6 * scale px wide (monospace) */
	uint32_t rgb;
	char text[160];
};

struct scene {
	int width, height;
	uint32_t background;
	struct scene_rect *rects;
	size_t nrects, caprects;
	struct scene_text *texts;
	size_t ntexts, captexts;
};

/* Append; 0 or -1 when out of memory (the scene stays valid). */
int scene_rect(struct scene *s, enum rect_kind kind, int x, int y, int w, int h,
	       uint32_t rgb, const char *tip);
int scene_text(struct scene *s, int x, int y, int scale, uint32_t rgb,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void scene_free(struct scene *s);

/* Width in pixels of @n characters at @scale (the font is monospace). */
static inline int scene_text_width(size_t n, int scale)
{
	return (int)n * 6 * scale;
}

/* Write the scene; 0, or -errno. */
int scene_write_svg(const struct scene *s, const char *title, const char *path);
int scene_write_png(const struct scene *s, const char *path);
/* Either, by @path's extension (.svg or .png); -EINVAL for another. */
int scene_write(const struct scene *s, const char *title, const char *path);
/* Does @path end in .svg or .png (any case)? */
bool scene_path_ok(const char *path);

/*
 * The font file the PNG writer draws text with, or NULL when none is
 * found (then text is drawn with the built-in 5x7 bitmap font): see
 * scene_png.c for where it looks.
 */
const char *scene_font_path(void);

#endif /* MYHEAP_SCENE_H */
