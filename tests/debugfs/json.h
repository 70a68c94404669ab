/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small strict JSON parser (RFC 8259) for the debugfs tests: it accepts
 * exactly the grammar (no trailing commas, no comments, no leading zeros,
 * only the standard escapes, no control characters in strings, nothing
 * after the value but whitespace) and builds a tree. Numbers keep their
 * text; json_u64() reads non-negative integers.
 */
#ifndef MYHEAP_TEST_JSON_H
#define MYHEAP_TEST_JSON_H

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct json {
	enum json_type type;
	bool b;
	char *s;		/* J_STR: the decoded string; J_NUM: the text */
	size_t n;		/* J_ARR, J_OBJ: number of items */
	struct json **items;	/* J_ARR, J_OBJ: the values */
	char **keys;		/* J_OBJ: the keys */
};

struct json_parser {
	const char *p, *end;
	const char *err;
	int depth;
};

static void json_free(struct json *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		json_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

static void json_ws(struct json_parser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
				   *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static struct json *json_fail(struct json_parser *jp, const char *why,
			      struct json *v)
{
	if (!jp->err)
		jp->err = why;
	json_free(v);
	return NULL;
}

static bool json_lit(struct json_parser *jp, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, lit, n))
		return false;
	jp->p += n;
	return true;
}

static char *json_string(struct json_parser *jp)
{
	size_t cap = 16, len = 0;
	char *out = malloc(cap);
	unsigned int cp;
	int i;

	jp->p++;	/* the opening quote */
	while (out) {
		unsigned char c;

		if (jp->p >= jp->end) {
			jp->err = jp->err ? jp->err : "unterminated string";
			break;
		}
		c = *jp->p++;
		if (c == '"') {
			out[len] = 0;
			return out;
		}
		if (c < 0x20) {
			jp->err = jp->err ? jp->err : "control character in string";
			break;
		}
		if (c == '\\') {
			if (jp->p >= jp->end)
				break;
			c = *jp->p++;
			switch (c) {
			case '"': case '\\': case '/': break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				for (cp = 0, i = 0; i < 4; i++, jp->p++) {
					if (jp->p >= jp->end || !isxdigit((unsigned char)*jp->p)) {
						jp->err = jp->err ? jp->err : "bad \\u escape";
						free(out);
						return NULL;
					}
					cp = cp * 16 + (isdigit((unsigned char)*jp->p) ?
							*jp->p - '0' :
							(tolower((unsigned char)*jp->p) - 'a' + 10));
				}
				c = cp < 0x80 ? cp : '?';
				break;
			default:
				jp->err = jp->err ? jp->err : "bad escape";
				free(out);
				return NULL;
			}
		}
		if (len + 2 > cap) {
			char *bigger = realloc(out, cap *= 2);

			if (!bigger)
				break;
			out = bigger;
		}
		out[len++] = c;
	}
	free(out);
	return NULL;
}

static struct json *json_value(struct json_parser *jp);

static struct json *json_number(struct json_parser *jp, struct json *v)
{
	const char *s = jp->p;

	if (jp->p < jp->end && *jp->p == '-')
		jp->p++;
	if (jp->p < jp->end && *jp->p == '0')
		jp->p++;
	else if (jp->p < jp->end && *jp->p >= '1' && *jp->p <= '9')
		while (jp->p < jp->end && isdigit((unsigned char)*jp->p))
			jp->p++;
	else
		return json_fail(jp, "bad number", v);
	if (jp->p < jp->end && *jp->p == '.') {
		jp->p++;
		if (jp->p >= jp->end || !isdigit((unsigned char)*jp->p))
			return json_fail(jp, "bad fraction", v);
		while (jp->p < jp->end && isdigit((unsigned char)*jp->p))
			jp->p++;
	}
	if (jp->p < jp->end && (*jp->p == 'e' || *jp->p == 'E')) {
		jp->p++;
		if (jp->p < jp->end && (*jp->p == '+' || *jp->p == '-'))
			jp->p++;
		if (jp->p >= jp->end || !isdigit((unsigned char)*jp->p))
			return json_fail(jp, "bad exponent", v);
		while (jp->p < jp->end && isdigit((unsigned char)*jp->p))
			jp->p++;
	}
	v->type = J_NUM;
	v->s = strndup(s, jp->p - s);
	return v;
}

static bool json_push(struct json *v, char *key, struct json *item)
{
	struct json **items = realloc(v->items, (v->n + 1) * sizeof(*items));

	if (!items)
		return false;
	v->items = items;
	if (v->type == J_OBJ) {
		char **keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));

		if (!keys)
			return false;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return true;
}

static struct json *json_container(struct json_parser *jp, struct json *v)
{
	char close = *jp->p == '[' ? ']' : '}';
	struct json *item;
	char *key = NULL;

	v->type = close == ']' ? J_ARR : J_OBJ;
	if (++jp->depth > 64)
		return json_fail(jp, "nested too deep", v);
	jp->p++;
	json_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		jp->depth--;
		return v;
	}
	for (;;) {
		json_ws(jp);
		if (v->type == J_OBJ) {
			if (jp->p >= jp->end || *jp->p != '"')
				return json_fail(jp, "object key expected", v);
			key = json_string(jp);
			if (!key)
				return json_fail(jp, "bad key", v);
			json_ws(jp);
			if (jp->p >= jp->end || *jp->p++ != ':') {
				free(key);
				return json_fail(jp, "':' expected", v);
			}
		}
		item = json_value(jp);
		if (!item || !json_push(v, key, item)) {
			free(key);
			json_free(item);
			return json_fail(jp, "bad value", v);
		}
		key = NULL;
		json_ws(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			jp->depth--;
			return v;
		}
		return json_fail(jp, "',' or end of container expected", v);
	}
}

static struct json *json_value(struct json_parser *jp)
{
	struct json *v = calloc(1, sizeof(*v));

	if (!v)
		return json_fail(jp, "out of memory", NULL);
	json_ws(jp);
	if (jp->p >= jp->end)
		return json_fail(jp, "value expected", v);
	switch (*jp->p) {
	case '{':
	case '[':
		return json_container(jp, v);
	case '"':
		v->type = J_STR;
		v->s = json_string(jp);
		return v->s ? v : json_fail(jp, "bad string", v);
	case 't':
	case 'f':
		v->type = J_BOOL;
		v->b = *jp->p == 't';
		return json_lit(jp, v->b ? "true" : "false") ? v :
		       json_fail(jp, "bad literal", v);
	case 'n':
		v->type = J_NULL;
		return json_lit(jp, "null") ? v : json_fail(jp, "bad literal", v);
	default:
		return json_number(jp, v);
	}
}

/* Parse @len bytes of @text; NULL (and *@err set) if it is not JSON. */
static struct json *json_parse(const char *text, size_t len, const char **err)
{
	struct json_parser jp = { .p = text, .end = text + len };
	struct json *v = json_value(&jp);

	if (v) {
		json_ws(&jp);
		if (jp.p != jp.end)
			v = json_fail(&jp, "text after the value", v);
	}
	if (err)
		*err = jp.err;
	return v;
}

/* The member @key of object @v, or NULL. */
static struct json *json_get(const struct json *v, const char *key)
{
	size_t i;

	if (!v || v->type != J_OBJ)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return v->items[i];
	return NULL;
}

/* A non-negative integer member as a number; -1 for null; -2 otherwise. */
static long long json_u64(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);
	char *end;
	long long n;

	if (!m)
		return -2;
	if (m->type == J_NULL)
		return -1;
	if (m->type != J_NUM || !isdigit((unsigned char)m->s[0]))
		return -2;
	n = strtoll(m->s, &end, 10);
	return *end ? -2 : n;
}

/* A string member, or NULL. */
static const char *json_str(const struct json *v, const char *key)
{
	const struct json *m = json_get(v, key);

	return m && m->type == J_STR ? m->s : NULL;
}

#endif /* MYHEAP_TEST_JSON_H */
