// SPDX-License-Identifier: GPL-2.0
/* A small strict JSON reader (see json_parse.h): recursive descent. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_parse.h"

/* Deeper nesting than any file we read; bounds the recursion. */
#define MAX_DEPTH 64

struct parser {
	const char *s;
	size_t pos;
	char *err;
	size_t errlen;
	bool failed;
};

static bool fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return false;
	p->failed = true;
	n = snprintf(p->err, p->errlen, "offset %zu: ", p->pos);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return false;
}

static void skip_ws(struct parser *p)
{
	while (strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static bool literal(struct parser *p, const char *word)
{
	size_t len = strlen(word);

	if (strncmp(p->s + p->pos, word, len))
		return fail(p, "unexpected character '%c'", p->s[p->pos]);
	p->pos += len;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_string(struct parser *p, char **out)
{
	size_t cap = 16, len = 0;
	char *buf = malloc(cap), *nb;
	unsigned char c;

	if (!buf)
		return fail(p, "out of memory");
	p->pos++;	/* the opening quote */
	for (;;) {
		c = (unsigned char)p->s[p->pos];
		if (c == '"')
			break;
		if (c < 0x20) {
			free(buf);
			return fail(p, c ? "control character in string" : "unterminated string");
		}
		p->pos++;
		if (c == '\\') {
			c = (unsigned char)p->s[p->pos++];
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				int v = 0;

				for (int i = 0; i < 4; i++) {
					int h = hexval(p->s[p->pos]);

					if (h < 0) {
						free(buf);
						return fail(p, "bad \\u escape");
					}
					v = v * 16 + h;
					p->pos++;
				}
				c = v < 0x80 ? (unsigned char)v : '?';
				break;
			}
			default:
				free(buf);
				return fail(p, "bad escape \\%c", c);
			}
		}
		if (len + 2 > cap) {
			nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				return fail(p, "out of memory");
			}
			buf = nb;
		}
		buf[len++] = (char)c;
	}
	p->pos++;	/* the closing quote */
	buf[len] = '\0';
	*out = buf;
	return true;
}

/* The RFC's number grammar, checked by hand: strtod accepts more. */
static bool parse_number(struct parser *p, struct jv *v)
{
	const char *s = p->s + p->pos, *q = s;
	bool integer = true;
	char *end;

	if (*q == '-')
		q++;
	if (*q == '0')
		q++;
	else if (*q >= '1' && *q <= '9')
		while (*q >= '0' && *q <= '9')
			q++;
	else
		return fail(p, "bad number");
	if (*q == '.') {
		integer = false;
		if (*++q < '0' || *q > '9')
			return fail(p, "bad fraction");
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (*q == 'e' || *q == 'E') {
		integer = false;
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (*q < '0' || *q > '9')
			return fail(p, "bad exponent");
		while (*q >= '0' && *q <= '9')
			q++;
	}
	v->type = JV_NUM;
	v->num = strtod(s, NULL);
	if (integer && *s != '-') {
		errno = 0;
		v->u = strtoull(s, &end, 10);
		v->is_uint = errno == 0 && end == q;
	}
	p->pos += (size_t)(q - s);
	return true;
}

static bool parse_value(struct parser *p, struct jv *v, int depth);

/* Append a zeroed value to @v's items (and a key slot for objects). */
static struct jv *grow(struct parser *p, struct jv *v)
{
	struct jv *items = realloc(v->items, (v->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return fail(p, "out of memory"), NULL;
	v->items = items;
	if (v->type == JV_OBJ) {
		keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
		if (!keys)
			return fail(p, "out of memory"), NULL;
		v->keys = keys;
		v->keys[v->n] = NULL;
	}
	memset(&v->items[v->n], 0, sizeof(*items));
	return &v->items[v->n++];
}

static bool parse_container(struct parser *p, struct jv *v, int depth)
{
	char close = v->type == JV_OBJ ? '}' : ']';
	struct jv *item;

	p->pos++;
	skip_ws(p);
	if (p->s[p->pos] == close) {
		p->pos++;
		return true;
	}
	for (;;) {
		skip_ws(p);
		item = grow(p, v);
		if (!item)
			return false;
		if (v->type == JV_OBJ) {
			if (p->s[p->pos] != '"')
				return fail(p, "object key must be a string");
			if (!parse_string(p, &v->keys[v->n - 1]))
				return false;
			skip_ws(p);
			if (p->s[p->pos] != ':')
				return fail(p, "':' expected after key");
			p->pos++;
		}
		if (!parse_value(p, item, depth + 1))
			return false;
		skip_ws(p);
		if (p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->s[p->pos] == close) {
			p->pos++;
			return true;
		}
		return fail(p, "',' or '%c' expected", close);
	}
}

static bool parse_value(struct parser *p, struct jv *v, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(p, "nested too deeply");
	skip_ws(p);
	switch (p->s[p->pos]) {
	case '{':
		v->type = JV_OBJ;
		return parse_container(p, v, depth);
	case '[':
		v->type = JV_ARR;
		return parse_container(p, v, depth);
	case '"':
		v->type = JV_STR;
		return parse_string(p, &v->str);
	case 't':
		v->type = JV_BOOL;
		v->b = true;
		return literal(p, "true");
	case 'f':
		v->type = JV_BOOL;
		return literal(p, "false");
	case 'n':
		v->type = JV_NULL;
		return literal(p, "null");
	case '\0':
		return fail(p, "unexpected end of text");
	default:
		return parse_number(p, v);
	}
}

static void free_members(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free_members(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

void jv_free(struct jv *v)
{
	if (!v)
		return;
	free_members(v);
	free(v);
}

struct jv *jv_parse(const char *text, char *err, size_t errlen)
{
	struct parser p = { .s = text, .err = err, .errlen = errlen };
	struct jv *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (parse_value(&p, v, 0)) {
		skip_ws(&p);
		if (p.s[p.pos])
			fail(&p, "text after the value");
	}
	if (p.failed) {
		jv_free(v);
		return NULL;
	}
	return v;
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	if (!obj || obj->type != JV_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (obj->keys[i] && !strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

const char *jv_str(const struct jv *obj, const char *key)
{
	const struct jv *m = jv_get(obj, key);

	return m && m->type == JV_STR ? m->str : NULL;
}

bool jv_u64(const struct jv *obj, const char *key, uint64_t *v)
{
	const struct jv *m = jv_get(obj, key);

	if (!m || m->type != JV_NUM || !m->is_uint)
		return false;
	*v = m->u;
	return true;
}
