// SPDX-License-Identifier: GPL-2.0
/* Parse malloclab traces (see trace.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static int bad(char *err, size_t len, const char *path, unsigned long line,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int bad(char *err, size_t len, const char *path, unsigned long line,
	       const char *fmt, ...)
{
	int n = snprintf(err, len, "%s:%lu: ", path, line);
	va_list ap;

	if (n >= 0 && (size_t)n < len) {
		va_start(ap, fmt);
		vsnprintf(err + n, len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void set_name(struct trace *t, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".rep"))
		len -= 4;
	if (len >= sizeof(t->name))
		len = sizeof(t->name) - 1;
	memcpy(t->name, base, len);
	t->name[len] = '\0';
}

/*
 * Payload over the trace, as the malloc lab scores it: +BYTES on a, the
 * difference on r, -BYTES on f. A trace's peak does not depend on the
 * allocator, so it is known before the replay (replay --map-at-peak).
 */
static int find_peak(struct trace *t, const char *path, char *err, size_t len)
{
	uint32_t *size = calloc(t->nids ? t->nids : 1, sizeof(*size));
	uint64_t payload = 0;

	if (!size)
		return bad(err, len, path, 0, "out of memory");
	t->peak_payload = 0;
	t->peak_op = 0;
	for (uint32_t i = 0; i < t->nops; i++) {
		const struct trace_op *op = &t->ops[i];

		payload -= size[op->id];
		size[op->id] = op->kind == 'f' ? 0 : op->size;
		payload += size[op->id];
		if (payload > t->peak_payload) {
			t->peak_payload = payload;
			t->peak_op = i;
		}
	}
	free(size);
	return 0;
}

int trace_load(const char *path, struct trace *t, char *err, size_t errlen)
{
	unsigned long hdr[4], lineno = 0, id, size;
	char *line = NULL, kind, extra;
	size_t cap = 0;
	int nhdr = 0, ret = 0, n;
	FILE *fp;

	memset(t, 0, sizeof(*t));
	fp = fopen(path, "re");
	if (!fp)
		return bad(err, errlen, path, 0, "%s", strerror(errno));
	set_name(t, path);
	while (getline(&line, &cap, fp) >= 0) {
		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (nhdr < 4) {
			if (sscanf(line, "%lu %c", &hdr[nhdr], &extra) != 1) {
				ret = bad(err, errlen, path, lineno, "header line %d is not a number",
					  nhdr + 1);
				break;
			}
			if (++nhdr == 4) {
				if (hdr[1] > UINT32_MAX || hdr[2] > 100000000) {
					ret = bad(err, errlen, path, lineno,
						  "implausible header: %lu ids, %lu ops", hdr[1], hdr[2]);
					break;
				}
				t->nids = (uint32_t)hdr[1];
				t->ops = calloc(hdr[2] ? hdr[2] : 1, sizeof(*t->ops));
				if (!t->ops) {
					ret = bad(err, errlen, path, lineno, "out of memory");
					break;
				}
			}
			continue;
		}
		if (t->nops == hdr[2]) {
			ret = bad(err, errlen, path, lineno, "more ops than the header's %lu",
				  hdr[2]);
			break;
		}
		size = 0;
		n = sscanf(line, " %c %lu %lu %c", &kind, &id, &size, &extra);
		if (!((kind == 'f' && n == 2) || ((kind == 'a' || kind == 'r') && n == 3))) {
			ret = bad(err, errlen, path, lineno, "malformed op (want a ID BYTES, r ID BYTES or f ID)");
			break;
		}
		if (id >= t->nids || size > UINT32_MAX) {
			ret = bad(err, errlen, path, lineno, "id %lu or size %lu out of range",
				  id, size);
			break;
		}
		t->ops[t->nops++] = (struct trace_op){ kind, (uint32_t)id, (uint32_t)size };
	}
	free(line);
	fclose(fp);
	if (!ret && nhdr < 4)
		ret = bad(err, errlen, path, lineno, "truncated header (%d of 4 numbers)", nhdr);
	if (!ret && t->nops != hdr[2])
		ret = bad(err, errlen, path, lineno, "%u ops, the header says %lu",
			  t->nops, hdr[2]);
	if (!ret)
		ret = find_peak(t, path, err, errlen);
	if (ret)
		trace_free(t);
	return ret;
}

void trace_free(struct trace *t)
{
	free(t->ops);
	t->ops = NULL;
}
