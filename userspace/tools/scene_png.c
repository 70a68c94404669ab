// SPDX-License-Identifier: GPL-2.0
/*
 * A scene as PNG, drawn by cairo: rectangles filled (slack hatched, a
 * failed request as a dashed outline), text in DejaVu Sans Mono through
 * FreeType, written by cairo's PNG writer.
 *
 * The guest runs static binaries on a root of busybox alone, so cairo is
 * linked statically (Debian's libcairo2-dev ships libcairo.a) and the font
 * is opened by its path with FreeType: cairo_ft_font_face_create_for_ft_face
 * needs no fontconfig configuration, font cache or font directory, nothing
 * but the one file. The file comes from Debian's fonts-dejavu-core; `make vm`
 * puts a copy in fonts/ beside the guest's binaries. Looked up in order:
 * $MYHEAP_FONT, fonts/DejaVuSansMono.ttf beside the myheap binary, and
 * Debian's own path. Without any of them the text is drawn with the
 * built-in 5x7 bitmap font (font5x7.c), so a PNG is always written.
 */
#define _GNU_SOURCE
#include <cairo.h>
#include <cairo-ft.h>
#include <errno.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "font5x7.h"
#include "scene.h"

#define FONT_FILE	"DejaVuSansMono.ttf"
#define DEBIAN_FONT	"/usr/share/fonts/truetype/dejavu/" FONT_FILE

static bool readable(const char *path)
{
	return path && *path && access(path, R_OK) == 0;
}

const char *scene_font_path(void)
{
	static char beside[PATH_MAX];
	const char *env = getenv("MYHEAP_FONT");
	ssize_t n;
	char *slash;

	if (readable(env))
		return env;
	n = readlink("/proc/self/exe", beside, sizeof(beside) - 1);
	if (n > 0) {
		beside[n] = '\0';
		slash = strrchr(beside, '/');
		if (slash && (size_t)(slash - beside) + sizeof("/fonts/" FONT_FILE) <=
			     sizeof(beside)) {
			strcpy(slash, "/fonts/" FONT_FILE);
			if (readable(beside))
				return beside;
		}
	}
	return readable(DEBIAN_FONT) ? DEBIAN_FONT : NULL;
}

static void set_rgb(cairo_t *cr, uint32_t rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0,
			     ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

/* Diagonal strokes in the rectangle's colour over white: slack. */
static void hatch(cairo_t *cr, const struct scene_rect *r)
{
	cairo_save(cr);
	cairo_rectangle(cr, r->x, r->y, r->w, r->h);
	cairo_clip(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	set_rgb(cr, r->rgb);
	cairo_set_line_width(cr, 1.5);
	for (int x = r->x - r->h; x < r->x + r->w; x += 5) {
		cairo_move_to(cr, x, r->y + r->h);
		cairo_line_to(cr, x + r->h, r->y);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

static void ghost(cairo_t *cr, const struct scene_rect *r)
{
	static const double dash[] = { 4, 3 };

	cairo_save(cr);
	set_rgb(cr, r->rgb);
	cairo_rectangle(cr, r->x + 0.5, r->y + 0.5, r->w - 1, r->h - 1);
	cairo_set_dash(cr, dash, 2, 0);
	cairo_set_line_width(cr, 1.5);
	cairo_stroke(cr);
	cairo_restore(cr);
}

static void rect(cairo_t *cr, const struct scene_rect *r)
{
	if (r->kind == RECT_SLACK)
		return hatch(cr, r);
	if (r->kind == RECT_GHOST)
		return ghost(cr, r);
	set_rgb(cr, r->rgb);
	cairo_rectangle(cr, r->x, r->y, r->w, r->h);
	cairo_fill(cr);
	/* Blocks get a white left edge, so neighbours of one colour stay apart. */
	if ((r->kind == RECT_BLOCK || r->kind == RECT_EVENT) && r->w >= 3) {
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_rectangle(cr, r->x, r->y, 1, r->h);
		cairo_fill(cr);
	}
}

/* The fallback: 5x7 glyphs in cells 6 font pixels wide, scaled. */
static void bitmap_text(cairo_t *cr, const struct scene_text *t)
{
	int s = t->scale, x = t->x, top = t->y - FONT_ASCENT * s;

	set_rgb(cr, t->rgb);
	for (const char *p = t->text; *p; p++, x += 6 * s)
		for (int gy = 0; gy < FONT_H; gy++)
			for (int gx = 0; gx < FONT_W; gx++)
				if (font_pixel(*p, gx, gy))
					cairo_rectangle(cr, x + gx * s, top + gy * s, s, s);
	cairo_fill(cr);
}

static void text(cairo_t *cr, cairo_font_face_t *face, const struct scene_text *t)
{
	if (!face)
		return bitmap_text(cr, t);
	set_rgb(cr, t->rgb);
	cairo_set_font_face(cr, face);
	cairo_set_font_size(cr, 10.0 * t->scale);
	cairo_move_to(cr, t->x, t->y);
	cairo_show_text(cr, t->text);
}

struct font {
	FT_Library lib;
	FT_Face face;
	cairo_font_face_t *cairo;
};

static void font_open(struct font *f)
{
	const char *path = scene_font_path();

	memset(f, 0, sizeof(*f));
	if (!path || FT_Init_FreeType(&f->lib))
		return;
	if (FT_New_Face(f->lib, path, 0, &f->face)) {
		FT_Done_FreeType(f->lib);
		f->lib = NULL;
		return;
	}
	f->cairo = cairo_ft_font_face_create_for_ft_face(f->face, 0);
	if (cairo_font_face_status(f->cairo) != CAIRO_STATUS_SUCCESS) {
		cairo_font_face_destroy(f->cairo);
		f->cairo = NULL;
	}
}

/* The face goes first: it holds the FT_Face until it is destroyed. */
static void font_close(struct font *f)
{
	if (f->cairo)
		cairo_font_face_destroy(f->cairo);
	if (f->face)
		FT_Done_Face(f->face);
	if (f->lib)
		FT_Done_FreeType(f->lib);
}

int scene_write_png(const struct scene *s, const char *path)
{
	cairo_surface_t *surface;
	cairo_status_t status;
	struct font font;
	cairo_t *cr;
	int ret = 0;

	if (s->width <= 0 || s->height <= 0)
		return -EINVAL;
	surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, s->width, s->height);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(surface);
		return -ENOMEM;
	}
	font_open(&font);
	cr = cairo_create(surface);
	set_rgb(cr, s->background);
	cairo_paint(cr);
	for (size_t i = 0; i < s->nrects; i++)
		rect(cr, &s->rects[i]);
	for (size_t i = 0; i < s->ntexts; i++)
		text(cr, font.cairo, &s->texts[i]);
	status = cairo_status(cr);
	cairo_destroy(cr);
	if (status == CAIRO_STATUS_SUCCESS)
		status = cairo_surface_write_to_png(surface, path);
	cairo_surface_destroy(surface);
	font_close(&font);
	if (status == CAIRO_STATUS_WRITE_ERROR) {
		/* cairo keeps no errno: ask the file system what went wrong. */
		FILE *f = fopen(path, "we");

		ret = f ? -EIO : -errno;
		if (f)
			fclose(f);
	} else if (status == CAIRO_STATUS_NO_MEMORY) {
		ret = -ENOMEM;
	} else if (status != CAIRO_STATUS_SUCCESS) {
		ret = -EIO;
	}
	if (ret)
		unlink(path);
	return ret;
}
