// SPDX-License-Identifier: GPL-2.0
/* Trace ops as timeline rows, and the runs' file names (timeline_trace.h). */
#include <stdio.h>
#include <string.h>

#include "timeline_trace.h"

/* The op as the trace file writes it: the row's label. */
static const char *op_text(const struct trace_op *op, char *buf, size_t len)
{
	if (op->kind == 'f')
		snprintf(buf, len, "f %u", op->id);
	else
		snprintf(buf, len, "%c %u %u", op->kind, op->id, op->size);
	return buf;
}

void timeline_trace_placed(struct timeline *tl, const struct trace_op *op,
			   uint64_t old, uint64_t off, uint64_t usable)
{
	char text[48];

	if (!tl)
		return;
	op_text(op, text, sizeof(text));
	if (op->kind == 'r' && old != UINT64_MAX)
		timeline_realloc(tl, text, old, off, usable, op->size);
	else
		timeline_alloc(tl, text, off, usable, op->size);
}

void timeline_trace_other(struct timeline *tl, const struct trace_op *op,
			  int err, const uint64_t *freed)
{
	char text[48];

	if (!tl)
		return;
	op_text(op, text, sizeof(text));
	if (err)
		timeline_fail(tl, text, op->size, err);
	else if (freed)
		timeline_free(tl, text, *freed);
	else
		timeline_note(tl, text);
}

void replay_run_path(char *out, size_t len, const char *file, bool several,
		     const char *trace, const char *policy)
{
	const char *dot = strrchr(file, '.');
	size_t stem = dot ? (size_t)(dot - file) : strlen(file);

	if (!several)
		snprintf(out, len, "%s", file);
	else
		snprintf(out, len, "%.*s-%s-%s%s", (int)stem, file, trace, policy,
			 dot ? dot : "");
}
