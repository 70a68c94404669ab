/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A malloclab trace op as a timeline row (timeline.h), and the file each
 * run's picture goes to: what `myheap replay` (through the device) and
 * tests/core's mh-replay (on the core, natively) share, so both draw a
 * trace the same way.
 */
#ifndef MYHEAP_TIMELINE_TRACE_H
#define MYHEAP_TIMELINE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timeline.h"
#include "trace.h"

/*
 * @op placed a block at payload offset @off with @usable bytes; @old is
 * the block a realloc moved from (UINT64_MAX: none). @tl NULL: nothing.
 * Running out of memory for a row is no failure: the picture is an aid.
 */
void timeline_trace_placed(struct timeline *tl, const struct trace_op *op,
			   uint64_t old, uint64_t off, uint64_t usable);
/*
 * @op was refused with errno @err (positive), freed the block at payload
 * offset *@freed, or (both 0 / NULL) changed nothing.
 */
void timeline_trace_other(struct timeline *tl, const struct trace_op *op,
			  int err, const uint64_t *freed);

/* FILE.svg -> FILE-trace-policy.svg when a run is one of several. */
void replay_run_path(char *out, size_t len, const char *file, bool several,
		     const char *trace, const char *policy);

#endif /* MYHEAP_TIMELINE_TRACE_H */
