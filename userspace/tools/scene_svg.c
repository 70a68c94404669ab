// SPDX-License-Identifier: GPL-2.0
/*
 * A scene as SVG: one <rect> per scene rectangle with its kind as class
 * (so "one block, one rect.block" can be checked), tooltips as <title>,
 * text in a monospace font sized like the PNG's bitmap font.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "scene.h"

static const char *const kind_class[] = {
	[RECT_BLOCK] = "block",
	[RECT_BLOCK_CONT] = "block-cont",
	[RECT_HEADER] = "hdr",
	[RECT_SWATCH] = "swatch",
	[RECT_FRAME] = "row",
};

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
	fputs("<style>.block,.block-cont{stroke:#ffffff;stroke-width:0.5}"
	      "text{font-family:monospace;white-space:pre}</style>\n", f);
	fprintf(f, "<rect class=\"background\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n",
		s->width, s->height, s->background);
	for (size_t i = 0; i < s->nrects; i++) {
		const struct scene_rect *r = &s->rects[i];

		fprintf(f, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"",
			kind_class[r->kind], r->x, r->y, r->w, r->h, r->rgb);
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
