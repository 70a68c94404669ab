// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - parse a malloclab trace into memory, validating every line,
 * so the replay loop itself never has to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static int bad(char *err, size_t errlen, const char *path, const char *what,
	       unsigned long line)
{
	snprintf(err, errlen, "%s:%lu: %s", path, line, what);
	return -1;
}

static void trace_name(struct trace *t, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strcspn(base, ".");
	if (len >= sizeof(t->name))
		len = sizeof(t->name) - 1;
	memcpy(t->name, base, len);
	t->name[len] = '\0';
}

int trace_load(const char *path, struct trace *t, char *err, size_t errlen)
{
	unsigned long heap, nids, nops, weight, line = 4;
	FILE *fp = fopen(path, "r");
	char kind;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	if (!fp)
		return bad(err, errlen, path, "cannot open", 0);
	trace_name(t, path);
	if (fscanf(fp, "%lu %lu %lu %lu", &heap, &nids, &nops, &weight) != 4 ||
	    nids > UINT32_MAX || nops > UINT32_MAX) {
		fclose(fp);
		return bad(err, errlen, path, "bad header", 1);
	}
	t->nids = (uint32_t)nids;
	t->ops = calloc(nops ? nops : 1, sizeof(*t->ops));
	if (!t->ops) {
		fclose(fp);
		return bad(err, errlen, path, "out of memory", 0);
	}
	while (t->nops < nops && fscanf(fp, " %c", &kind) == 1) {
		struct trace_op *op = &t->ops[t->nops];
		unsigned long id, size = 0;

		line++;
		if ((kind != 'a' && kind != 'r' && kind != 'f') ||
		    fscanf(fp, "%lu", &id) != 1 ||
		    (kind != 'f' && fscanf(fp, "%lu", &size) != 1)) {
			ret = bad(err, errlen, path, "malformed op", line);
			break;
		}
		if (id >= nids || size > UINT32_MAX) {
			ret = bad(err, errlen, path, "id or size out of range",
				  line);
			break;
		}
		op->kind = kind;
		op->id = (uint32_t)id;
		op->size = (uint32_t)size;
		t->nops++;
	}
	if (!ret && t->nops != nops)
		ret = bad(err, errlen, path, "fewer ops than the header says",
			  line);
	fclose(fp);
	if (ret)
		trace_free(t);
	return ret;
}

void trace_free(struct trace *t)
{
	free(t->ops);
	t->ops = NULL;
}
