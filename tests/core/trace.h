/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - malloclab allocation traces (format in the README beside the
 * traces): four header numbers (suggested heap size, block ids, ops,
 * weight), then one op per line: "a ID BYTES", "r ID BYTES", "f ID".
 */
#ifndef MH_TEST_TRACE_H
#define MH_TEST_TRACE_H

#include <stddef.h>
#include <stdint.h>

struct trace_op {
	char kind;	/* 'a', 'r' or 'f' */
	uint32_t id;
	uint32_t size;	/* bytes ('a', 'r') */
};

struct trace {
	char name[64];	/* file name without directory and ".rep" */
	uint32_t nids;
	uint32_t nops;
	struct trace_op *ops;
};

/*
 * Read the trace at @path into @t. Return 0, or -1 with a message of at
 * most @errlen bytes in @err (unreadable file, malformed line, id out of
 * range, fewer ops than announced).
 */
int trace_load(const char *path, struct trace *t, char *err, size_t errlen);
void trace_free(struct trace *t);

#endif /* MH_TEST_TRACE_H */
