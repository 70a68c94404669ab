// SPDX-License-Identifier: GPL-2.0
/*
 * replay_report.c - mh-replay's output. Utilization is the malloc lab's:
 * peak payload / high-water mark; the average is the plain mean over the
 * traces replayed (the 11 default traces give the published figure);
 * throughput is total ops / total seconds of the unverified passes. A run
 * without a high-water mark (the glibc column under an LD_PRELOADed malloc
 * that does not use the break) has no utilization ("-"), nor has an
 * average with such a run; with glibc and segregated fit in the same run,
 * the ratio of their throughputs is printed too.
 */
#include <stdio.h>

#include "replay_json.h"
#include "replay_report.h"

static const struct replay_result *result(const struct report *rep, int t,
					  int p)
{
	return &rep->results[t * REPLAY_COLUMNS + p];
}

static double utilization(const struct replay_result *res)
{
	return res->high_water ? (double)res->peak_payload / res->high_water
			       : 0.0;
}

static double mops(const struct replay_result *res)
{
	return res->seconds > 0 ? res->timed_ops / res->seconds / 1e6 : 0.0;
}

static bool has_utilization(const struct replay_result *res)
{
	return res->high_water;
}

/* Does every trace's run of column @p have a utilization? */
static bool all_have_utilization(const struct report *rep, int p)
{
	for (int t = 0; t < rep->ntraces; t++)
		if (!has_utilization(result(rep, t, p)))
			return false;
	return rep->ntraces;
}

static double average_utilization(const struct report *rep, int p)
{
	double sum = 0;

	for (int t = 0; t < rep->ntraces; t++)
		sum += utilization(result(rep, t, p));
	return rep->ntraces ? sum / rep->ntraces : 0;
}

static double aggregate_mops(const struct report *rep, int p)
{
	double ops = 0, seconds = 0;

	for (int t = 0; t < rep->ntraces; t++) {
		ops += result(rep, t, p)->timed_ops;
		seconds += result(rep, t, p)->seconds;
	}
	return seconds > 0 ? ops / seconds / 1e6 : 0;
}

static const char *policy(const struct report *rep, int p)
{
	return rep->policies[p] == REPLAY_GLIBC ? "glibc" :
	       mh_policy_name(rep->policies[p]);
}

static bool is_glibc(const struct report *rep, int p)
{
	return rep->policies[p] == REPLAY_GLIBC;
}

/* Segregated fit's throughput over glibc's; 0 unless both ran timed. */
static double seg_per_glibc(const struct report *rep)
{
	double seg = 0, glibc = 0;

	for (int p = 0; p < rep->npolicies; p++) {
		if (rep->policies[p] == MH_SEGREGATED)
			seg = aggregate_mops(rep, p);
		else if (is_glibc(rep, p))
			glibc = aggregate_mops(rep, p);
	}
	return rep->timing && glibc > 0 ? seg / glibc : 0;
}

/* JSON in the shape `myheap replay --json` writes too (replay_json.h). */
static struct json json;

void report_begin(struct report *rep)
{
	if (rep->out == OUT_TAP)
		printf("TAP version 13\n");
	if (rep->out == OUT_JSON)
		replay_json_begin(&json, stdout, rep->region_size, rep->verify);
}

void report_one(struct report *rep, int t, int p)
{
	const struct replay_result *res = result(rep, t, p);
	const char *name = rep->traces[t].name;

	switch (rep->out) {
	case OUT_TAP:
		printf("%sok %d - %s %s", res->ok ? "" : "not ",
		       ++rep->tap_number, name, policy(rep, p));
		if (res->ok && !has_utilization(res))
			printf(": %llu ops %s\n", (unsigned long long)res->ops,
			       rep->verify ? "verified" : "replayed");
		else if (res->ok)
			printf(": %llu ops %s, utilization %.1f%%\n",
			       (unsigned long long)res->ops,
			       rep->verify ? "verified" : "replayed",
			       100 * utilization(res));
		else
			printf(": %s\n", res->why);
		break;
	case OUT_TABLE:
		if (res->ok) {
			printf("%-16s %-10s %7llu ops", name, policy(rep, p),
			       (unsigned long long)res->ops);
			if (!has_utilization(res))
				printf("  util     -");
			else
				printf("  util %5.1f%%", 100 * utilization(res));
			if (rep->timing)
				printf("  %8.2f Mops/s", mops(res));
			printf("%s\n", rep->verify ? "  verified" : "");
		} else
			printf("%-16s %-10s FAILED: %s\n", name, policy(rep, p),
			       res->why);
		break;
	case OUT_JSON:
		replay_json_run(&json, &(struct replay_json_run){
			.trace = name, .policy = policy(rep, p), .ok = res->ok,
			.error = res->ok ? NULL : res->why, .ops = res->ops,
			.peak_payload = res->peak_payload,
			.high_water = res->high_water,
			.has_utilization = has_utilization(res),
			.utilization = utilization(res), .seconds = res->seconds,
			.ops_per_sec = mops(res) * 1e6 });
		break;
	case OUT_MARKDOWN:
		if (!res->ok)
			fprintf(stderr, "mh-replay: %s %s: %s\n", name,
				policy(rep, p), res->why);
		break;
	}
}

/* The policy x trace table; @prefix starts every line ("# " for TAP). */
static void table(const struct report *rep, const char *prefix, bool md)
{
	const char *sep = md ? " | " : " ";

	printf("%s%s%-16s", prefix, md ? "| " : "", "utilization %");
	for (int p = 0; p < rep->npolicies; p++)
		printf("%s%10s", sep, policy(rep, p));
	printf("%s\n", md ? " |" : "");
	if (md) {
		printf("%s|---", prefix);
		for (int p = 0; p < rep->npolicies; p++)
			printf("|---:");
		printf("|\n");
	}
	for (int t = 0; t < rep->ntraces; t++) {
		printf("%s%s%-16s", prefix, md ? "| " : "", rep->traces[t].name);
		for (int p = 0; p < rep->npolicies; p++)
			if (!has_utilization(result(rep, t, p)))
				printf("%s%10s", sep, "-");
			else
				printf("%s%10.1f", sep,
				       100 * utilization(result(rep, t, p)));
		printf("%s\n", md ? " |" : "");
	}
	printf("%s%s%-16s", prefix, md ? "| " : "", "average");
	for (int p = 0; p < rep->npolicies; p++)
		if (!all_have_utilization(rep, p))
			printf("%s%10s", sep, "-");
		else
			printf("%s%10.1f", sep, 100 * average_utilization(rep, p));
	printf("%s\n", md ? " |" : "");
	if (!rep->timing)
		return;
	printf("%s%s%-16s", prefix, md ? "| " : "", "throughput Mops/s");
	for (int p = 0; p < rep->npolicies; p++)
		printf("%s%10.2f", sep, aggregate_mops(rep, p));
	printf("%s\n", md ? " |" : "");
	if (seg_per_glibc(rep) > 0)
		printf("%s%ssegregated / glibc throughput: %.2fx%s\n", prefix,
		       md ? "\n" : "", seg_per_glibc(rep), md ? "" : "");
}

void report_end(const struct report *rep)
{
	switch (rep->out) {
	case OUT_TAP:
		table(rep, "# ", false);
		printf("1..%d\n", rep->tap_number);
		break;
	case OUT_TABLE:
		printf("\nregion %zu bytes%s\n", rep->region_size,
		       rep->verify ? ", every payload verified" : "");
		table(rep, "", false);
		break;
	case OUT_MARKDOWN:
		table(rep, "", true);
		break;
	case OUT_JSON:
		replay_json_averages(&json);
		for (int p = 0; p < rep->npolicies; p++)
			replay_json_average(&json, policy(rep, p),
					    all_have_utilization(rep, p),
					    average_utilization(rep, p),
					    aggregate_mops(rep, p) * 1e6);
		json_obj_end(&json);
		if (seg_per_glibc(rep) > 0)
			json_dbl(&json, "segregated_per_glibc", seg_per_glibc(rep));
		json_end(&json);
		break;
	}
}
