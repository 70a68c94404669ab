/* SPDX-License-Identifier: GPL-2.0 */
/* A 5x7 bitmap font with descenders, for printable ASCII (font5x7.c). */
#ifndef MYHEAP_FONT5X7_H
#define MYHEAP_FONT5X7_H

#include <stdbool.h>

#define FONT_W		5
#define FONT_H		8	/* rows, the last below the baseline */
#define FONT_ASCENT	7	/* rows down to the baseline */
#define FONT_FIRST	' '
#define FONT_LAST	'~'

/* Is pixel (@x, @y) of glyph @c ink? Characters outside the font draw '?'. */
bool font_pixel(char c, int x, int y);

#endif /* MYHEAP_FONT5X7_H */
