/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replaying a malloclab trace through /dev/myheap: every op is an ioctl,
 * every payload byte is written and checked through the shared mapping.
 */
#ifndef MYHEAP_REPLAY_H
#define MYHEAP_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "myheap.h"
#include "trace.h"

/*
 * struct replay_result - what one replay of one trace found.
 * @ok: every op succeeded, every payload verified, the heap checked sound.
 * @bad_data: a payload read back wrong, or the heap check failed after
 *	the replay: an integrity failure, not just a refused op.
 * @why: the first problem, when !@ok.
 * @ops: ops executed.
 * @peak_payload: most payload bytes live at once.
 * @high_water: highest region offset ever covered by one of its blocks,
 *	header included: the malloc lab's heap size for a fixed region.
 * @high_water_op: index of the op that raised @high_water to its final
 *	value: the moment the heap reached the size utilization is
 *	measured against.
 * @utilization: @peak_payload / @high_water.
 * @seconds: wall time of the replay, payload writes and checks included.
 */
struct replay_result {
	bool ok;
	bool bad_data;
	char why[200];
	uint64_t ops;
	uint64_t peak_payload;
	uint64_t high_water;
	uint64_t high_water_op;
	double utilization;
	double seconds;
};

struct timeline;

/* Called once, right before op @op runs; @request is its size in bytes. */
typedef void (*replay_op_fn)(void *ctx, uint64_t op, uint32_t request);

/*
 * Called right after op @i (@op) ran: @err is its heap call's result (0 or
 * -errno; 0 too when the replay stopped for another reason, such as a
 * payload that read back wrong), @offset the block's payload offset after
 * it (a free's: the one freed; 0 for a 0-byte block), @report what an
 * op that succeeded did as the module tells (NULL for an op that failed
 * or had no heap call): the member of its kind (struct replay_report).
 */
struct replay_report;
typedef void (*replay_step_fn)(void *ctx, uint64_t i, const struct trace_op *op,
			       int err, uint64_t offset,
			       const struct replay_report *report);

/*
 * struct replay_report - what the module said one op did, for the steps.
 * @kind: which call made it: 'a' alloc, 'f' free, 'r' realloc (a trace's
 *	realloc of a 0-byte block is an alloc, one to 0 bytes a free).
 * @alloc: an alloc's (myheap_off_alloc_report()).
 * @freed: a free's (myheap_off_free_report()).
 * @realloc: a realloc's (myheap_off_realloc_report()).
 */
struct replay_report {
	char kind;
	struct myheap_alloc alloc;
	struct myheap_freed freed;
	struct myheap_realloc realloc;
};

/*
 * struct replay_opts - how to replay.
 * @verify: write and check payloads (false: the ioctls alone).
 * @progress: draw a progress bar on stderr.
 * @before_op: optional callback right before op @at_op.
 * @at_op: its op index.
 * @ctx: its argument.
 * @timeline: optional: every op gets a row there (timeline.h).
 * @after_op: optional callback after every op (myheap replay --step).
 * @step_ctx: its argument.
 */
struct replay_opts {
	bool verify;
	bool progress;
	replay_op_fn before_op;
	uint64_t at_op;
	void *ctx;
	struct timeline *timeline;
	replay_step_fn after_op;
	void *step_ctx;
};

/*
 * Replay @t on @heap (mapped). Every block it allocates is freed before
 * it returns, even on failure. Returns @res->ok.
 */
bool replay_run(struct myheap *heap, const struct trace *t,
		const struct replay_opts *opts, struct replay_result *res);

#endif /* MYHEAP_REPLAY_H */
