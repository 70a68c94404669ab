/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer: objects and arrays nest, commas and string escapes
 * are handled here so no command can emit invalid JSON. Keys are NULL
 * inside arrays.
 */
#ifndef MYHEAP_JSON_H
#define MYHEAP_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
};

void json_begin(struct json *j, FILE *f);
void json_end(struct json *j);	/* closes the top object, newline */
void json_obj(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_dbl(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_str(struct json *j, const char *key, const char *s);
void json_null(struct json *j, const char *key);

#endif /* MYHEAP_JSON_H */
