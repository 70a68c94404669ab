/* SPDX-License-Identifier: GPL-2.0 */
/*
 * malloclab traces (tests/traces/malloclab/README.md): four header numbers
 * (suggested heap size, block ids, ops, weight), then one op per line:
 * "a ID BYTES", "r ID BYTES", "f ID". Parsed and checked whole before a
 * replay starts, so the replay loop never meets a malformed line.
 */
#ifndef MYHEAP_TRACE_H
#define MYHEAP_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct trace_op {
	char kind;	/* 'a', 'r' or 'f' */
	uint32_t id;
	uint32_t size;	/* bytes of 'a' and 'r' */
};

struct trace {
	char name[64];		/* file name without directory and ".rep" */
	uint32_t nids;
	uint32_t nops;
	struct trace_op *ops;
	uint64_t peak_payload;	/* most payload bytes live at once */
	uint32_t peak_op;	/* index of the op that first reaches it */
};

/* 0, or -1 with "path:line: problem" in @err. */
int trace_load(const char *path, struct trace *t, char *err, size_t errlen);
void trace_free(struct trace *t);

#endif /* MYHEAP_TRACE_H */
