/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one JSON shape of a replay report, written by `myheap replay --json`
 * (cmd_replay.c) and by the native `mh-replay --json` (tests/core), and
 * checked by replay_json_check() in the tests of both:
 *
 *   {"format": "myheap-replay", "version": 1, "region_size": N,
 *    "verified": BOOL,
 *    "runs": [{"trace": S, "policy": S, "ok": BOOL, "error": S|null,
 *              "ops": N, "peak_payload": N, "high_water": N,
 *              "utilization": X|null, "seconds": X, "ops_per_sec": X}...],
 *    "average": {POLICY: {"utilization": X|null, "ops_per_sec": X}...}}
 *
 * utilization is null where there is none (glibc's column in mh-replay);
 * seconds is what the throughput was measured over (0 when not timed).
 */
#ifndef MYHEAP_REPLAY_JSON_H
#define MYHEAP_REPLAY_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

#define REPLAY_JSON_FORMAT	"myheap-replay"
#define REPLAY_JSON_VERSION	1

struct jv;

struct replay_json_run {
	const char *trace, *policy;
	bool ok;
	const char *error;	/* NULL when ok */
	uint64_t ops, peak_payload, high_water;
	bool has_utilization;
	double utilization, seconds, ops_per_sec;
};

/* Opens the document and its "runs" array. */
void replay_json_begin(struct json *j, FILE *f, uint64_t region_size,
		       bool verified);
void replay_json_run(struct json *j, const struct replay_json_run *r);
/* Closes "runs", opens "average". */
void replay_json_averages(struct json *j);
void replay_json_average(struct json *j, const char *policy,
			 bool has_utilization, double utilization,
			 double ops_per_sec);
/* Closes "average" and the document. */
void replay_json_end(struct json *j);

/* 0 if @doc has the shape above; -1 with the first difference in @err. */
int replay_json_check(const struct jv *doc, char *err, size_t errlen);

#endif /* MYHEAP_REPLAY_JSON_H */
