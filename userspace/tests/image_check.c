// SPDX-License-Identifier: GPL-2.0
/* Checks of SVG and PNG files (see image_check.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image_check.h"

#define MAX_DEPTH 32

static int bad(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Text and attribute values: '&' only as one of XML's five entities. */
static bool entities_ok(const char *s, const char *end)
{
	static const char *const ents[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;" };

	for (; s < end; s++) {
		bool ok = false;

		if (*s == '<')
			return false;
		if (*s != '&')
			continue;
		for (size_t i = 0; i < 5 && !ok; i++)
			ok = !strncmp(s, ents[i], strlen(ents[i]));
		if (!ok)
			return false;
	}
	return true;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == ':' || c == '.';
}

/* One start tag's attributes, from @p to '>' or "/>". */
static const char *attributes(const char *p, const char *tag, struct svg_facts *f,
			      char *err, size_t len)
{
	char cls[32] = "", fill[16] = "";

	for (;;) {
		const char *name, *val, *q;
		size_t nlen;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '>' || (*p == '/' && p[1] == '>'))
			break;
		name = p;
		while (name_char(*p))
			p++;
		nlen = (size_t)(p - name);
		if (!nlen || *p != '=' || (p[1] != '"' && p[1] != '\''))
			return bad(err, len, "bad attribute in <%s> near '%.20s'", tag, name), NULL;
		q = strchr(p + 2, p[1]);
		if (!q)
			return bad(err, len, "unterminated attribute in <%s>", tag), NULL;
		val = p + 2;
		if (!entities_ok(val, q))
			return bad(err, len, "bad character in attribute of <%s>", tag), NULL;
		if (nlen == 5 && !strncmp(name, "class", 5))
			snprintf(cls, sizeof(cls), "%.*s", (int)(q - val), val);
		if (nlen == 4 && !strncmp(name, "fill", 4))
			snprintf(fill, sizeof(fill), "%.*s", (int)(q - val), val);
		if (!strcmp(tag, "svg") && nlen == 5 && !strncmp(name, "width", 5))
			f->width = atoi(val);
		if (!strcmp(tag, "svg") && nlen == 6 && !strncmp(name, "height", 6))
			f->height = atoi(val);
		p = q + 1;
		if (!isspace((unsigned char)*p) && *p != '>' && *p != '/')
			return bad(err, len, "attributes of <%s> run together", tag), NULL;
	}
	if (!strcmp(tag, "rect") && !strcmp(cls, "block")) {
		f->blocks++;
		f->grey_blocks += !strcmp(fill, "#c8c8c8");
		f->red_blocks += !strcmp(fill, "#d62728");
	}
	if (!strcmp(tag, "rect") && !strcmp(cls, "hdr"))
		f->headers++;
	return p;
}

int svg_check(const char *text, struct svg_facts *f, char *err, size_t len)
{
	char stack[MAX_DEPTH][32];
	const char *p = text;
	int depth = 0, roots = 0;

	memset(f, 0, sizeof(*f));
	if (strncmp(p, "<?xml ", 6))
		return bad(err, len, "no XML declaration");
	p = strstr(p, "?>");
	if (!p)
		return bad(err, len, "unterminated XML declaration");
	p += 2;
	while (*p) {
		const char *lt = strchr(p, '<'), *name;
		char tag[32];
		size_t n;

		if (!lt)
			lt = p + strlen(p);
		if (!entities_ok(p, lt))
			return bad(err, len, "bad character data near '%.20s'", p);
		if (!depth && p + strspn(p, " \t\r\n") < lt)
			return bad(err, len, "text outside the root element");
		if (!*lt)
			break;
		p = lt + 1;
		if (*p == '/') {
			name = ++p;
			n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.");
			if (!depth || strncmp(stack[depth - 1], name, n) || stack[depth - 1][n] ||
			    name[n] != '>')
				return bad(err, len, "mismatched end tag </%.*s>", (int)n, name);
			depth--;
			p = name + n + 1;
			continue;
		}
		name = p;
		n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.");
		if (!n || n >= sizeof(tag))
			return bad(err, len, "bad tag name near '%.20s'", name);
		snprintf(tag, sizeof(tag), "%.*s", (int)n, name);
		if (!depth && (roots++ || strcmp(tag, "svg")))
			return bad(err, len, "root element must be one <svg>, found <%s>", tag);
		p = attributes(name + n, tag, f, err, len);
		if (!p)
			return -1;
		f->elements++;
		if (*p == '/') {	/* empty element */
			p += 2;
			continue;
		}
		if (depth == MAX_DEPTH)
			return bad(err, len, "nested too deeply");
		strcpy(stack[depth++], tag);
		p++;
	}
	if (depth)
		return bad(err, len, "<%s> never closed", stack[depth - 1]);
	if (!roots)
		return bad(err, len, "no root element");
	return 0;
}

static unsigned int be32(const unsigned char *p)
{
	return (unsigned int)p[0] << 24 | (unsigned int)p[1] << 16 | (unsigned int)p[2] << 8 | p[3];
}

int png_check(const unsigned char *d, size_t len, struct png_facts *f,
	      char *err, size_t errlen)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char *idat = NULL, *raw = NULL;
	size_t pos = 8, nidat = 0, expect;
	uLongf rawlen;
	bool iend = false;
	int ret = -1;

	memset(f, 0, sizeof(*f));
	if (len < 8 || memcmp(d, sig, 8))
		return bad(err, errlen, "no PNG signature");
	while (pos + 12 <= len && !iend) {
		unsigned int n = be32(d + pos);
		const unsigned char *type = d + pos + 4, *data = d + pos + 8;
		unsigned char *grown;

		if (n > len - pos - 12) {
			bad(err, errlen, "chunk past the end of the file");
			goto out;
		}
		if (crc32(crc32(0, NULL, 0), type, n + 4) != be32(data + n)) {
			bad(err, errlen, "bad CRC in chunk %.4s", type);
			goto out;
		}
		if (pos == 8 && (memcmp(type, "IHDR", 4) || n != 13)) {
			bad(err, errlen, "first chunk is not a 13-byte IHDR");
			goto out;
		}
		if (!memcmp(type, "IHDR", 4)) {
			f->width = be32(data);
			f->height = be32(data + 4);
			f->bit_depth = data[8];
			f->color_type = data[9];
		} else if (!memcmp(type, "IDAT", 4)) {
			grown = realloc(idat, nidat + n + 1);
			if (!grown)
				goto out;
			idat = grown;
			memcpy(idat + nidat, data, n);
			nidat += n;
		} else if (!memcmp(type, "IEND", 4)) {
			iend = true;
		}
		pos += 12 + n;
	}
	if (!iend || pos != len) {
		bad(err, errlen, iend ? "bytes after IEND" : "no IEND chunk");
		goto out;
	}
	if (!f->width || !f->height || f->width > 20000 || f->height > 20000 ||
	    f->bit_depth != 8 || f->color_type != 2) {
		bad(err, errlen, "unexpected IHDR: %ux%u, depth %d, colour type %d",
		    f->width, f->height, f->bit_depth, f->color_type);
		goto out;
	}
	/* Every row: a filter byte, then 3 bytes per pixel. */
	expect = (size_t)f->height * (1 + (size_t)f->width * 3);
	rawlen = expect + 1;
	raw = malloc(rawlen);
	if (!raw || uncompress(raw, &rawlen, idat, nidat) != Z_OK) {
		bad(err, errlen, "image data does not inflate");
		goto out;
	}
	f->raw_bytes = rawlen;
	if (rawlen != expect) {
		bad(err, errlen, "image data is %lu bytes, %zu expected", (unsigned long)rawlen, expect);
		goto out;
	}
	for (unsigned int y = 0; y < f->height; y++) {
		if (raw[(size_t)y * (1 + (size_t)f->width * 3)] > 4) {
			bad(err, errlen, "row %u has an unknown filter", y);
			goto out;
		}
	}
	ret = 0;
out:
	free(idat);
	free(raw);
	return ret;
}
