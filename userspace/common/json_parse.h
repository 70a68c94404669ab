/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader: the whole text into a tree of values. Enough for
 * debugfs blocks.json (the CLI, tests/debugfs) and for the tests that check
 * the CLI's --json output is valid JSON; strict (RFC 8259 grammar: no
 * trailing commas, comments, leading zeros or garbage after the value).
 * Kept rather than a Debian library (jansson, json-c): either would be a
 * new -dev dependency of every static guest binary for ~300 lines, and
 * jansson reads integers only up to INT64_MAX; this one reads every u64.
 */
#ifndef MYHEAP_JSON_PARSE_H
#define MYHEAP_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

/*
 * struct jv - one JSON value.
 * @type: what it is.
 * @b: JV_BOOL's value.
 * @num: JV_NUM's value.
 * @u: JV_NUM's value when @is_uint (exact, unlike @num past 2^53).
 * @is_uint: the number is a non-negative integer that fits 64 bits.
 * @str: JV_STR's text (NUL-terminated; \u escapes above 0x7f become '?').
 * @items: JV_ARR's elements, JV_OBJ's member values.
 * @keys: JV_OBJ's member names, parallel to @items.
 * @n: entries of @items (and @keys).
 */
struct jv {
	enum jv_type type;
	bool b;
	double num;
	uint64_t u;
	bool is_uint;
	char *str;
	struct jv *items;
	char **keys;
	size_t n;
};

/* Parse all of @text; NULL with "offset N: problem" in @err on error. */
struct jv *jv_parse(const char *text, char *err, size_t errlen);
void jv_free(struct jv *v);
/* Member @key of object @obj, or NULL (also if @obj is not an object). */
const struct jv *jv_get(const struct jv *obj, const char *key);
/* Member @key's text if it is a string, else NULL. */
const char *jv_str(const struct jv *obj, const char *key);
/* Member @key into *@v if it is a non-negative 64-bit integer; else false. */
bool jv_u64(const struct jv *obj, const char *key, uint64_t *v);

#endif /* MYHEAP_JSON_PARSE_H */
