// SPDX-License-Identifier: GPL-2.0
/*
 * Checking a replay report's JSON shape (replay_json.h), apart from the
 * writer so that mh-replay links no JSON reader.
 */
#include <stdio.h>
#include <string.h>

#include "json_parse.h"
#include "replay_json.h"

struct field {
	const char *key;
	enum jv_type type;
	bool nullable;
};

static const struct field top[] = {
	{ "format", JV_STR, false }, { "version", JV_NUM, false }, { "region_size", JV_NUM, false },
	{ "verified", JV_BOOL, false }, { "runs", JV_ARR, false }, { "average", JV_OBJ, false },
};

static const struct field run[] = {
	{ "trace", JV_STR, false }, { "policy", JV_STR, false }, { "ok", JV_BOOL, false },
	{ "error", JV_STR, true }, { "ops", JV_NUM, false }, { "peak_payload", JV_NUM, false },
	{ "high_water", JV_NUM, false }, { "utilization", JV_NUM, true },
	{ "seconds", JV_NUM, false }, { "ops_per_sec", JV_NUM, false },
};

static const struct field average[] = {
	{ "utilization", JV_NUM, true }, { "ops_per_sec", JV_NUM, false },
};

/* Exactly these members, of these types. */
static int fields(const struct jv *obj, const struct field *f, size_t n,
		  const char *where, char *err, size_t len)
{
	if (!obj || obj->type != JV_OBJ) {
		snprintf(err, len, "%s: not an object", where);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct jv *v = jv_get(obj, f[i].key);

		if (!v || (v->type != f[i].type && !(f[i].nullable && v->type == JV_NULL))) {
			snprintf(err, len, "%s: \"%s\" %s", where, f[i].key,
				 v ? "has the wrong type" : "is missing");
			return -1;
		}
	}
	for (size_t k = 0; k < obj->n; k++) {
		size_t i = 0;

		while (i < n && strcmp(obj->keys[k], f[i].key))
			i++;
		if (i == n && strcmp(where, "document")) {
			snprintf(err, len, "%s: unexpected \"%s\"", where, obj->keys[k]);
			return -1;
		}
	}
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int replay_json_check(const struct jv *doc, char *err, size_t len)
{
	const struct jv *runs, *avg, *format;
	char where[64];

	if (fields(doc, top, N(top), "document", err, len))
		return -1;
	format = jv_get(doc, "format");
	if (strcmp(format->str, REPLAY_JSON_FORMAT) || jv_get(doc, "version")->u != REPLAY_JSON_VERSION) {
		snprintf(err, len, "document: not %s version %d", REPLAY_JSON_FORMAT, REPLAY_JSON_VERSION);
		return -1;
	}
	runs = jv_get(doc, "runs");
	for (size_t i = 0; i < runs->n; i++) {
		snprintf(where, sizeof(where), "runs[%zu]", i);
		if (fields(&runs->items[i], run, N(run), where, err, len))
			return -1;
	}
	avg = jv_get(doc, "average");
	for (size_t i = 0; i < avg->n; i++) {
		snprintf(where, sizeof(where), "average.%s", avg->keys[i]);
		if (fields(&avg->items[i], average, N(average), where, err, len))
			return -1;
	}
	return 0;
}
