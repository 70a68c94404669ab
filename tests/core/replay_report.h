/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay_report.h - what mh-replay measured, and its four ways of saying
 * it: a plain table, markdown (the README's table), JSON, TAP (as a test).
 */
#ifndef MH_TEST_REPLAY_REPORT_H
#define MH_TEST_REPLAY_REPORT_H

#include <stdbool.h>

#include "mh_core.h"
#include "trace.h"

enum output { OUT_TABLE, OUT_MARKDOWN, OUT_JSON, OUT_TAP };

/* A column is a policy of the core, or glibc's malloc (--allocator glibc). */
#define REPLAY_GLIBC		MH_NR_POLICIES
#define REPLAY_COLUMNS		(MH_NR_POLICIES + 1)

/* One trace under one policy. */
struct replay_result {
	u64 ops;		/* ops per pass */
	u64 peak_payload;	/* highest sum of live payload bytes */
	u64 high_water;		/* mh_stats().high_water after the pass;
				 * glibc: the span its blocks covered (0:
				 * glibc's arenas stayed empty) */
	u64 timed_ops;		/* ops over all timed passes */
	double seconds;		/* time of the timed passes */
	bool ok;
	char why[200];		/* what failed, when !ok */
};

struct report {
	enum output out;
	bool verify;
	bool timing;		/* run the timed passes */
	const char *timeline;	/* --timeline FILE, or NULL */
	bool several_runs;	/* more than one core run: name files per run */
	size_t region_size;
	int policies[REPLAY_COLUMNS];	/* columns: policies, REPLAY_GLIBC */
	int npolicies;
	struct trace *traces;
	int ntraces;
	/* [trace * REPLAY_COLUMNS + column index] */
	struct replay_result *results;
	int tap_number;
};

void report_begin(struct report *rep);
void report_one(struct report *rep, int trace, int policy_index);
void report_end(const struct report *rep);

#endif /* MH_TEST_REPLAY_REPORT_H */
