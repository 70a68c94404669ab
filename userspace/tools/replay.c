// SPDX-License-Identifier: GPL-2.0
/*
 * Replay a malloclab trace through the device (see replay.h). The op
 * semantics are those of the native replay (tests/core/mh_replay.c), so
 * the two can be compared: "a ID 0" holds no block, "r ID 0" frees, a
 * realloc of an id that holds no block allocates.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pattern.h"
#include "replay.h"
#include "timeline_trace.h"

struct slot {
	uint64_t offset;
	uint32_t size;	/* bytes the trace asked for; 0: no block */
	uint32_t tag;	/* pattern tag: index of the op that placed it, + 1 */
	bool live;
};

struct run {
	struct myheap *heap;
	uint8_t *base;		/* the mapping, or NULL: payloads via read/write */
	uint8_t *scratch;	/* a block's bytes on their way (no mapping) */
	size_t scratch_len;
	const struct replay_opts *opts;
	struct replay_result *res;
	struct slot *slots;
	uint64_t payload;
	int op_err;		/* the last op's heap call: 0 or -errno */
	uint64_t op_off;	/* its payload offset (the block's now; a free's) */
	struct replay_report report;	/* the op's, when the steps want it */
	bool reported;
};

static bool failed(struct replay_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool failed(struct replay_result *res, const char *fmt, ...)
{
	va_list ap;

	if (res->ok) {	/* keep the first problem */
		va_start(ap, fmt);
		vsnprintf(res->why, sizeof(res->why), fmt, ap);
		va_end(ap);
	}
	res->ok = false;
	return false;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Room for @len bytes in the scratch buffer; NULL when out of memory. */
static uint8_t *scratch(struct run *r, size_t len)
{
	uint8_t *p;

	if (len <= r->scratch_len)
		return r->scratch;
	p = realloc(r->scratch, len);
	if (!p)
		return NULL;
	r->scratch = p;
	r->scratch_len = len;
	return p;
}

/*
 * Bytes [@from, @to) of the block at @off get the pattern of @tag: through
 * the mapping, or with one myheap_write() when there is none (private mode).
 */
static int payload_fill(struct run *r, uint64_t off, size_t from, size_t to,
			uint32_t tag)
{
	uint8_t *p;

	if (r->base) {
		pattern_fill(r->base + off, from, to, tag);
		return 0;
	}
	p = scratch(r, to);
	if (!p)
		return -ENOMEM;
	pattern_fill(p, from, to, tag);
	return myheap_write(r->heap, off + from, p + from, to - from);
}

/* The index of the first of @len bytes at @off off the pattern, or @len. */
static int payload_check(struct run *r, uint64_t off, size_t len, uint32_t tag,
			 size_t *bad)
{
	uint8_t *p;
	int ret;

	if (r->base) {
		*bad = pattern_check(r->base + off, len, tag);
		return 0;
	}
	p = scratch(r, len);
	if (!p)
		return -ENOMEM;
	ret = myheap_read(r->heap, off, p, len);
	if (!ret)
		*bad = pattern_check(p, len, tag);
	return ret;
}

/* The first @len bytes of block @id must still hold its pattern. */
static bool intact(struct run *r, uint32_t id, uint32_t len, uint64_t i)
{
	const struct slot *s = &r->slots[id];
	size_t bad;
	int ret;

	if (!r->opts->verify || !len)
		return true;
	ret = payload_check(r, s->offset, len, s->tag, &bad);
	if (ret)
		return failed(r->res, "op %" PRIu64 ": reading block %u at offset %" PRIu64
			      ": %s", i, id, s->offset, myheap_strerror(ret));
	if (bad == len)
		return true;
	r->res->bad_data = true;
	return failed(r->res, "op %" PRIu64 ": block %u at offset %" PRIu64
		      " reads wrong at byte %zu of %u", i, id, s->offset, bad, len);
}

static void note_block(struct run *r, uint64_t off, uint64_t usable, uint64_t i)
{
	/* The block spans [off - header, off + usable): its end is the mark. */
	if (off + usable > r->res->high_water) {
		r->res->high_water = off + usable;
		r->res->high_water_op = i;
	}
}

/* Timeline rows are a picture: running out of memory for one is no failure. */
static void row_alloc(struct run *r, const struct trace_op *op, uint64_t old,
		      uint64_t off, uint64_t usable)
{
	timeline_trace_placed(r->opts->timeline, op, old, off, usable);
}

static void row_other(struct run *r, const struct trace_op *op, int err,
		      const uint64_t *freed)
{
	timeline_trace_other(r->opts->timeline, op, err, freed);
}

static bool op_free(struct run *r, const struct trace_op *op, uint64_t i)
{
	uint32_t id = op->id;
	struct slot *s = &r->slots[id];
	int ret;

	if (!s->live)
		return failed(r->res, "op %" PRIu64 ": frees block %u, which is not live", i, id);
	if (!intact(r, id, s->size, i))
		return false;
	r->op_off = s->size ? s->offset : 0;
	if (s->size && r->opts->after_op) {
		/* the step report: what the module says the free did */
		ret = myheap_off_free_report(r->heap, s->offset, &r->report.freed);
		r->report.kind = 'f';
		r->reported = !ret;
	} else {
		ret = s->size ? myheap_off_free(r->heap, s->offset) : 0;
	}
	if (ret) {
		r->op_err = ret;
		return failed(r->res, "op %" PRIu64 ": free of block %u at %" PRIu64 ": %s",
			      i, id, s->offset, myheap_strerror(ret));
	}
	row_other(r, op, 0, s->size ? &s->offset : NULL);
	r->payload -= s->size;
	s->live = false;
	s->size = 0;
	return true;
}

static bool op_alloc(struct run *r, const struct trace_op *op, uint64_t i)
{
	struct slot *s = &r->slots[op->id];
	uint64_t usable;
	int ret;

	if (op->kind == 'a' && s->live)
		return failed(r->res, "op %" PRIu64 ": allocates block %u twice", i, op->id);
	if (op->size) {
		if (r->opts->after_op) {
			/* the step report: what the module says the alloc did */
			r->report.alloc = (struct myheap_alloc){ .size = op->size };
			ret = myheap_off_alloc_report(r->heap, &r->report.alloc);
			s->offset = r->report.alloc.offset;
			usable = r->report.alloc.usable;
			r->report.kind = 'a';
			r->reported = !ret;
		} else {
			ret = myheap_off_alloc(r->heap, op->size, 0, 0, &s->offset, &usable);
		}
		if (ret) {
			r->op_err = ret;
			row_other(r, op, -ret, NULL);
			return failed(r->res, "op %" PRIu64 ": alloc of %u bytes: %s", i,
				      op->size, myheap_strerror(ret));
		}
		note_block(r, s->offset, usable, i);
		r->op_off = s->offset;
		row_alloc(r, op, UINT64_MAX, s->offset, usable);
	} else {
		row_other(r, op, 0, NULL);
	}
	s->tag = (uint32_t)i + 1;
	if (r->opts->verify && op->size &&
	    (ret = payload_fill(r, s->offset, 0, op->size, s->tag)))
		return failed(r->res, "op %" PRIu64 ": writing block %u: %s", i,
			      op->id, myheap_strerror(ret));
	s->live = true;
	s->size = op->size;
	r->payload += op->size;
	return true;
}

static bool op_realloc(struct run *r, const struct trace_op *op, uint64_t i)
{
	struct slot *s = &r->slots[op->id];
	uint32_t old = s->size, keep = old < op->size ? old : op->size;
	uint64_t off, usable;
	int ret;

	if (!intact(r, op->id, old, i))
		return false;
	if (r->opts->after_op) {
		/* the step report: how the module says it resized */
		r->report.realloc = (struct myheap_realloc){ .offset = s->offset,
							     .size = op->size };
		ret = myheap_off_realloc_report(r->heap, &r->report.realloc);
		off = r->report.realloc.new_offset;
		usable = r->report.realloc.usable;
		r->report.kind = 'r';
		r->reported = !ret;
	} else {
		ret = myheap_off_realloc(r->heap, s->offset, op->size, &off, &usable);
	}
	if (ret) {
		r->op_err = ret;
		row_other(r, op, -ret, NULL);
		return failed(r->res, "op %" PRIu64 ": realloc of block %u to %u bytes: %s",
			      i, op->id, op->size, myheap_strerror(ret));
	}
	note_block(r, off, usable, i);
	r->op_off = off;
	row_alloc(r, op, s->offset, off, usable);
	s->offset = off;
	if (!intact(r, op->id, keep, i))
		return false;
	if (r->opts->verify && op->size > old &&
	    (ret = payload_fill(r, off, old, op->size, s->tag)))
		return failed(r->res, "op %" PRIu64 ": writing block %u: %s", i,
			      op->id, myheap_strerror(ret));
	s->size = op->size;
	r->payload = r->payload - old + op->size;
	return true;
}

static bool run_op(struct run *r, const struct trace_op *op, uint64_t i)
{
	const struct slot *s = &r->slots[op->id];

	if (op->kind == 'f' || (op->kind == 'r' && op->size == 0))
		return op_free(r, op, i);
	if (op->kind == 'r' && s->live && s->size)
		return op_realloc(r, op, i);
	if (op->kind == 'r' && s->live)	/* a live 0-byte block: replace it */
		r->slots[op->id].live = false;
	return op_alloc(r, op, i);
}

static void progress(const struct trace *t, uint64_t done, int *shown)
{
	int pct = (int)(done * 100 / t->nops), width = 40, fill = pct * width / 100;

	if (pct / 2 == *shown / 2)	/* redraw every 2%: a tty is slow */
		return;
	*shown = pct;
	fprintf(stderr, "\r  %-16s [%.*s%*s] %3d%%", t->name, fill,
		"########################################", width - fill, "", pct);
	fflush(stderr);
}

/* Check and free whatever the trace left live (non-"-bal" traces do). */
static void release_all(struct run *r, const struct trace *t)
{
	for (uint32_t id = 0; id < t->nids; id++) {
		struct slot *s = &r->slots[id];

		if (!s->live)
			continue;
		if (r->res->ok)
			intact(r, id, s->size, t->nops);
		if (s->size)
			myheap_off_free(r->heap, s->offset);
		s->live = false;
	}
}

bool replay_run(struct myheap *heap, const struct trace *t,
		const struct replay_opts *opts, struct replay_result *res)
{
	struct run r = { .heap = heap, .base = myheap_base(heap), .opts = opts,
			 .res = res };
	struct myheap_check check;
	int shown = -1, ret;
	double start;

	memset(res, 0, sizeof(*res));
	res->ok = true;
	r.slots = calloc(t->nids ? t->nids : 1, sizeof(*r.slots));
	if (!r.slots)
		return failed(res, "out of memory for %u blocks", t->nids);
	start = now();
	for (uint64_t i = 0; i < t->nops; i++) {
		if (opts->before_op && i == opts->at_op)
			opts->before_op(opts->ctx, i, t->ops[i].kind == 'f' ? 0 : t->ops[i].size);
		bool ran;

		r.op_err = 0;
		r.op_off = 0;
		r.reported = false;
		ran = run_op(&r, &t->ops[i], i);
		if (opts->after_op)
			opts->after_op(opts->step_ctx, i, &t->ops[i], r.op_err, r.op_off,
				       r.reported ? &r.report : NULL);
		if (!ran)
			break;
		res->ops++;
		if (r.payload > res->peak_payload)
			res->peak_payload = r.payload;
		if (opts->progress)
			progress(t, i + 1, &shown);
	}
	res->seconds = now() - start;
	if (opts->progress)
		fprintf(stderr, "\r\033[K");
	release_all(&r, t);
	free(r.slots);
	free(r.scratch);
	ret = myheap_check(heap, &check);
	if (ret < 0) {
		failed(res, "check after the replay: %s", myheap_strerror(ret));
	} else if (ret > 0) {
		res->bad_data = true;
		failed(res, "heap check after the replay: %u violations, first %s at %" PRIu64,
		       check.violations, myheap_violation_name(check.first_kind),
		       (uint64_t)check.first_offset);
	}
	if (res->high_water)
		res->utilization = (double)res->peak_payload / (double)res->high_water;
	return res->ok;
}
