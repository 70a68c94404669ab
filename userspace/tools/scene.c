// SPDX-License-Identifier: GPL-2.0
/* Building a scene (see scene.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scene.h"

static int reserve(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

int scene_rect(struct scene *s, enum rect_kind kind, int x, int y, int w, int h,
	       uint32_t rgb, const char *tip)
{
	struct scene_rect *r;

	if (reserve((void **)&s->rects, &s->caprects, s->nrects, sizeof(*r)))
		return -1;
	r = &s->rects[s->nrects++];
	*r = (struct scene_rect){ .x = x, .y = y, .w = w, .h = h, .rgb = rgb,
				  .kind = kind };
	snprintf(r->tip, sizeof(r->tip), "%s", tip ? tip : "");
	return 0;
}

int scene_text(struct scene *s, int x, int y, int scale, uint32_t rgb,
	       const char *fmt, ...)
{
	struct scene_text *t;
	va_list ap;

	if (reserve((void **)&s->texts, &s->captexts, s->ntexts, sizeof(*t)))
		return -1;
	t = &s->texts[s->ntexts++];
	t->x = x;
	t->y = y;
	t->scale = scale;
	t->rgb = rgb;
	va_start(ap, fmt);
	vsnprintf(t->text, sizeof(t->text), fmt, ap);
	va_end(ap);
	return 0;
}

void scene_free(struct scene *s)
{
	free(s->rects);
	free(s->texts);
	memset(s, 0, sizeof(*s));
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

bool scene_path_ok(const char *path)
{
	return has_suffix(path, ".svg") || has_suffix(path, ".png");
}

int scene_write(const struct scene *s, const char *title, const char *path)
{
	if (has_suffix(path, ".svg"))
		return scene_write_svg(s, title, path);
	if (has_suffix(path, ".png"))
		return scene_write_png(s, path);
	return -EINVAL;
}
