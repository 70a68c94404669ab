/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A picture as a list of rectangles and text lines, in pixels. The heap
 * map is built once as a scene (map_scene.c) and then written as SVG
 * (scene_svg.c) or PNG (scene_png.c), so both show the same geometry.
 */
#ifndef MYHEAP_SCENE_H
#define MYHEAP_SCENE_H

#include <stddef.h>
#include <stdint.h>

/* What a rectangle stands for; the SVG class names say the same. */
enum rect_kind {
	RECT_BLOCK,		/* a block: exactly one per block ("block") */
	RECT_BLOCK_CONT,	/* the rest of a block on the next rows ("block-cont") */
	RECT_HEADER,		/* a block's header ("hdr") */
	RECT_SWATCH,		/* a legend colour ("swatch") */
	RECT_FRAME,		/* the background of a row ("row") */
};

struct scene_rect {
	int x, y, w, h;
	uint32_t rgb;		/* 0xRRGGBB */
	enum rect_kind kind;
	char tip[96];		/* SVG tooltip; "" for none */
};

struct scene_text {
	int x, y;		/* left end of the baseline */
	int scale;		/* 1: 7-pixel capitals (PNG); SVG scales alike */
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

/* Write the scene; 0, or -errno. */
int scene_write_svg(const struct scene *s, const char *title, const char *path);
int scene_write_png(const struct scene *s, const char *path);

#endif /* MYHEAP_SCENE_H */
