// SPDX-License-Identifier: GPL-2.0
/*
 * json-shape: does the replay report on stdin have the one shape
 * (replay_json.h)? check-host feeds it `mh-replay --json`; test_replay.c
 * checks `myheap replay --json` with the same replay_json_check().
 * Exit 0 if so, 1 with the difference on stderr.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json_parse.h"
#include "replay_json.h"

int main(void)
{
	size_t len = 0, cap = 1 << 16, n;
	char *text = malloc(cap), err[200];
	struct jv *doc;
	int ret;

	while (text && (n = fread(text + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *p = realloc(text, cap *= 2);

			if (!p)
				break;
			text = p;
		}
	}
	if (!text)
		return 1;
	text[len] = '\0';
	doc = jv_parse(text, err, sizeof(err));
	free(text);
	if (!doc) {
		fprintf(stderr, "json-shape: not JSON: %s\n", err);
		return 1;
	}
	ret = replay_json_check(doc, err, sizeof(err));
	if (ret)
		fprintf(stderr, "json-shape: %s\n", err);
	jv_free(doc);
	return ret ? 1 : 0;
}
