// SPDX-License-Identifier: GPL-2.0
/*
 * A scene as SVG: one <rect> per scene rectangle with its kind as class
 * (so "one block, one rect.block" can be checked), tooltips as <title>,
 * text in DejaVu Sans Mono (the PNG's font, scene_png.c), slack filled
 * with a hatch pattern, a failed request as a dashed outline.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "scene.h"

static const char *const kind_class[] = {
	[RECT_BLOCK] = "block",
	[RECT_BLOCK_CONT] = "block-cont",
	[RECT_HEADER] = "hdr",
	[RECT_SWATCH] = "swatch",
	[RECT_FRAME] = "row",
	[RECT_SLACK] = "slack",
	[RECT_GHOST] = "ghost",
	[RECT_OP] = "op",
	[RECT_EVENT] = "event",
};

static_assert(sizeof(kind_class) / sizeof(kind_class[0]) == RECT_KINDS,
	      "a class name for every rect kind");

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* One hatch pattern per colour slack is drawn in. */
static void put_hatches(FILE *f, const struct scene *s)
{
	bool any = false;

	for (size_t i = 0; i < s->nrects; i++) {
		const struct scene_rect *r = &s->rects[i];
		bool seen = false;

		if (r->kind != RECT_SLACK)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = s->rects[k].kind == RECT_SLACK && s->rects[k].rgb == r->rgb;
		if (seen)
			continue;
		if (!any)
			fputs("<defs>\n", f);
		any = true;
		fprintf(f, "<pattern id=\"hatch-%06x\" width=\"5\" height=\"5\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
			"<rect width=\"5\" height=\"5\" fill=\"#ffffff\"/>"
			"<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"5\" stroke=\"#%06x\" stroke-width=\"2\"/></pattern>\n",
			r->rgb, r->rgb);
	}
	if (any)
		fputs("</defs>\n", f);
}

int scene_write_svg(const struct scene *s, const char *title, const char *path)
{
	FILE *f = fopen(path, "we");
	int err;

	if (!f)
		return -errno;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		s->width, s->height, s->width, s->height);
	fputs("<title>", f);
	put_escaped(f, title);
	fputs("</title>\n", f);
	fputs("<style>.block,.block-cont,.event{stroke:#ffffff;stroke-width:0.5}"
	      ".ghost{fill-opacity:0;stroke-width:1.5;stroke-dasharray:4 3}"
	      "text{font-family:'DejaVu Sans Mono',monospace;white-space:pre}</style>\n", f);
	put_hatches(f, s);
	fprintf(f, "<rect class=\"background\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n",
		s->width, s->height, s->background);
	for (size_t i = 0; i < s->nrects; i++) {
		const struct scene_rect *r = &s->rects[i];

		fprintf(f, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" ",
			kind_class[r->kind], r->x, r->y, r->w, r->h);
		if (r->kind == RECT_SLACK)
			fprintf(f, "fill=\"url(#hatch-%06x)\"", r->rgb);
		else if (r->kind == RECT_GHOST)
			fprintf(f, "fill=\"none\" stroke=\"#%06x\"", r->rgb);
		else
			fprintf(f, "fill=\"#%06x\"", r->rgb);
		if (r->tip[0]) {
			fputs("><title>", f);
			put_escaped(f, r->tip);
			fputs("</title></rect>\n", f);
		} else {
			fputs("/>\n", f);
		}
	}
	for (size_t i = 0; i < s->ntexts; i++) {
		const struct scene_text *t = &s->texts[i];

		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" fill=\"#%06x\">",
			t->x, t->y, 10 * t->scale, t->rgb);
		put_escaped(f, t->text);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
	err = ferror(f) ? EIO : 0;
	if (fclose(f) && !err)
		err = errno;
	if (err)
		unlink(path);
	return -err;
}
