/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of the heap map's files, strict enough that a broken writer
 * fails: an XML well-formedness checker for the SVG, and a PNG reader
 * that verifies every chunk's CRC and inflates the image data.
 */
#ifndef MYHEAP_TEST_IMAGE_CHECK_H
#define MYHEAP_TEST_IMAGE_CHECK_H

#include <stddef.h>

struct svg_facts {
	int elements;		/* elements in the document */
	int blocks;		/* <rect class="block"> */
	int headers;		/* <rect class="hdr"> */
	int grey_blocks;	/* blocks filled #c8c8c8 (free) */
	int red_blocks;		/* blocks filled #d62728 (damaged) */
	int width, height;	/* of the <svg> root */
};

/* 0 if @text is well-formed XML with an <svg> root; -1 with @err set. */
int svg_check(const char *text, struct svg_facts *f, char *err, size_t errlen);

struct png_facts {
	unsigned int width, height;
	int bit_depth, color_type;
	size_t raw_bytes;	/* inflated image data */
};

/* 0 if @data is a valid 8-bit RGB PNG; -1 with @err set. */
int png_check(const unsigned char *data, size_t len, struct png_facts *f,
	      char *err, size_t errlen);

#endif /* MYHEAP_TEST_IMAGE_CHECK_H */
