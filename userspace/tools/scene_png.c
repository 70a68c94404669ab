// SPDX-License-Identifier: GPL-2.0
/*
 * A scene as PNG: rectangles filled into an RGB canvas, text drawn with
 * the built-in 5x7 font, written by libpng. libpng (with zlib) links
 * statically into the guest's binary and needs no files at run time;
 * cairo would bring fontconfig, freetype and font files along.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "font5x7.h"
#include "scene.h"

struct canvas {
	int w, h;
	unsigned char *px;	/* w * h * 3 bytes, RGB */
};

static void fill(struct canvas *c, int x, int y, int w, int h, uint32_t rgb)
{
	int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
	int x1 = x + w > c->w ? c->w : x + w, y1 = y + h > c->h ? c->h : y + h;

	for (int yy = y0; yy < y1; yy++) {
		unsigned char *p = c->px + ((size_t)yy * c->w + x0) * 3;

		for (int xx = x0; xx < x1; xx++) {
			*p++ = (unsigned char)(rgb >> 16);
			*p++ = (unsigned char)(rgb >> 8);
			*p++ = (unsigned char)rgb;
		}
	}
}

/* Glyph cells are 6 font pixels wide (one column of spacing). */
static void text(struct canvas *c, const struct scene_text *t)
{
	int s = t->scale, x = t->x, top = t->y - FONT_ASCENT * s;

	for (const char *p = t->text; *p; p++, x += 6 * s)
		for (int gy = 0; gy < FONT_H; gy++)
			for (int gx = 0; gx < FONT_W; gx++)
				if (font_pixel(*p, gx, gy))
					fill(c, x + gx * s, top + gy * s, s, s, t->rgb);
}

/* Blocks get a white left edge, so neighbours of one colour stay apart. */
static void draw(struct canvas *c, const struct scene *s)
{
	fill(c, 0, 0, c->w, c->h, s->background);
	for (size_t i = 0; i < s->nrects; i++) {
		const struct scene_rect *r = &s->rects[i];

		fill(c, r->x, r->y, r->w, r->h, r->rgb);
		if (r->kind == RECT_BLOCK && r->w >= 3)
			fill(c, r->x, r->y, 1, r->h, 0xffffff);
	}
	for (size_t i = 0; i < s->ntexts; i++)
		text(c, &s->texts[i]);
}

static int write_png(FILE *f, const struct canvas *c)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
						  NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	png_text meta = { .compression = PNG_TEXT_COMPRESSION_NONE,
			  .key = "Software", .text = "myheap map" };

	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return -ENOMEM;
	}
	if (setjmp(png_jmpbuf(png))) {	/* libpng reports errors by longjmp */
		png_destroy_write_struct(&png, &info);
		return -EIO;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)c->w, (png_uint_32)c->h, 8,
		     PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_text(png, info, &meta, 1);
	png_write_info(png, info);
	for (int y = 0; y < c->h; y++)
		png_write_row(png, c->px + (size_t)y * c->w * 3);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int scene_write_png(const struct scene *s, const char *path)
{
	struct canvas c = { .w = s->width, .h = s->height };
	FILE *f;
	int ret;

	if (c.w <= 0 || c.h <= 0)
		return -EINVAL;
	c.px = malloc((size_t)c.w * c.h * 3);
	if (!c.px)
		return -ENOMEM;
	draw(&c, s);
	f = fopen(path, "wbe");
	if (!f) {
		ret = -errno;
		free(c.px);
		return ret;
	}
	ret = write_png(f, &c);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		unlink(path);
	free(c.px);
	return ret;
}
