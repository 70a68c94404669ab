// SPDX-License-Identifier: GPL-2.0
/* The JSON shape of a replay report (see replay_json.h). */
#include <stdio.h>

#include "replay_json.h"

void replay_json_begin(struct json *j, FILE *f, uint64_t region_size,
		       bool verified)
{
	json_begin(j, f);
	json_str(j, "format", REPLAY_JSON_FORMAT);
	json_u64(j, "version", REPLAY_JSON_VERSION);
	json_u64(j, "region_size", region_size);
	json_bool(j, "verified", verified);
	json_arr(j, "runs");
}

static void util(struct json *j, bool has, double v)
{
	if (has)
		json_dbl(j, "utilization", v);
	else
		json_null(j, "utilization");
}

void replay_json_run(struct json *j, const struct replay_json_run *r)
{
	json_obj(j, NULL);
	json_str(j, "trace", r->trace);
	json_str(j, "policy", r->policy);
	json_bool(j, "ok", r->ok);
	if (r->error)
		json_str(j, "error", r->error);
	else
		json_null(j, "error");
	json_u64(j, "ops", r->ops);
	json_u64(j, "peak_payload", r->peak_payload);
	json_u64(j, "high_water", r->high_water);
	util(j, r->has_utilization, r->utilization);
	json_dbl(j, "seconds", r->seconds);
	json_dbl(j, "ops_per_sec", r->ops_per_sec);
	json_obj_end(j);
}

void replay_json_averages(struct json *j)
{
	json_arr_end(j);
	json_obj(j, "average");
}

void replay_json_average(struct json *j, const char *policy,
			 bool has_utilization, double utilization,
			 double ops_per_sec)
{
	json_obj(j, policy);
	util(j, has_utilization, utilization);
	json_dbl(j, "ops_per_sec", ops_per_sec);
	json_obj_end(j);
}

void replay_json_end(struct json *j)
{
	json_obj_end(j);
	json_end(j);
}
