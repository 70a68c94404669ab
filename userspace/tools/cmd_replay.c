// SPDX-License-Identifier: GPL-2.0
/*
 * myheap replay: run malloclab traces through the device under one or more
 * policies and report utilization and throughput per trace, with the
 * policies side by side.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "replay_json.h"
#include "map.h"
#include "replay.h"
#include "shell.h"
#include "timeline_trace.h"

/* Traces with this many ops get a progress bar on a terminal by default. */
#define LONG_TRACE_OPS 5000

#ifndef MYHEAP_TRACE_DIR
#define MYHEAP_TRACE_DIR "/usr/local/share/myheap/traces"
#endif

static const char replay_help[] =
	"usage: myheap replay [--policy NAME[,NAME...]] [--json] [--no-verify]\n"
	"                     [--progress|--no-progress] [--map-at-peak FILE]\n"
	"                     [--timeline FILE] [--step] [--dump-each N]\n"
	"                     [--after-each VIEW[,VIEW...]] TRACE...\n"
	"\n"
	"Run malloclab traces through the device: every alloc, free and realloc\n"
	"is an ioctl, every payload byte is written and checked through the\n"
	"mapping (with pwrite/pread when the module is in private mode, mmap=0),\n"
	"and the heap checker runs after each trace. Prints per trace\n"
	"the utilization (peak payload / highest offset the trace's blocks ever\n"
	"reached) and the throughput (ops per second, payload work included).\n"
	"\n"
	"  --policy LIST       switch to each policy in turn (needs root and an\n"
	"                      empty heap) and replay every trace under each\n"
	"  --no-verify         skip the payload writes and checks (ioctls only)\n"
	"  --progress          progress bar on stderr (default: for traces of 5000\n"
	"                      ops or more, if stderr is a terminal)\n"
	"  --map-at-peak FILE  draw the heap (.svg or .png) just before the op that\n"
	"                      raised the high-water mark to its final value: the\n"
	"                      request no hole took is drawn beside the largest\n"
	"                      hole (the trace runs twice: the first run finds the\n"
	"                      op); with several runs, -TRACE-POLICY is added\n"
	"  --timeline FILE     draw the heap over time, one row per op (.svg or\n"
	"                      .png; the first 5000 ops); -TRACE-POLICY as above\n"
	"  --step              step through the trace as myheap shell --step\n"
	"                      does: after each op, the op, what it returned\n"
	"                      (\"returned N (searched K elements)\") and the\n"
	"                      free list\n"
	"  --dump-each N       the same after every Nth op only\n"
	"  --after-each VIEWS  what a step shows (freelist, dump, stats, map;\n"
	"                      default freelist), as in myheap shell\n"
	"\n"
	"TRACE is a file, or a name looked up (with .rep added) in $MYHEAP_TRACES\n"
	"(colon-separated dirs), in traces/ beside the myheap binary, and in\n"
	MYHEAP_TRACE_DIR ".\n"
	"Exit status: 1 if an op was refused (a region too small for the\n"
	"trace: load the module with a larger region_size), 4 if a payload read\n"
	"back wrong or the heap check failed.\n";

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Try DIR/NAME and DIR/NAME.rep; true with the hit in @out. */
static bool try_dir(const char *dir, size_t dirlen, const char *name, char *out,
		    size_t len)
{
	snprintf(out, len, "%.*s/%s", (int)dirlen, dir, name);
	if (is_file(out))
		return true;
	snprintf(out, len, "%.*s/%s.rep", (int)dirlen, dir, name);
	return is_file(out);
}

static bool find_trace(const char *name, char *out, size_t len)
{
	const char *env = getenv("MYHEAP_TRACES");
	char exe[PATH_MAX];
	ssize_t n;

	snprintf(out, len, "%s", name);
	if (is_file(name) || strchr(name, '/'))
		return is_file(name);
	for (const char *d = env; d && *d; d += strcspn(d, ":"), d += *d == ':') {
		if (try_dir(d, strcspn(d, ":"), name, out, len))
			return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		strncat(exe, "/traces", sizeof(exe) - strlen(exe) - 1);
		if (try_dir(exe, strlen(exe), name, out, len))
			return true;
	}
	return try_dir(MYHEAP_TRACE_DIR, strlen(MYHEAP_TRACE_DIR), name, out, len);
}

/* "first,best" -> policy numbers; false after a usage error. */
static bool parse_policies(const char *list, int *pol, int *n)
{
	char buf[128], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == MYHEAP_NR_POLICIES)
			return cli_usage("replay", "too many policies in '%s'", list), false;
		pol[*n] = cli_parse_policy("replay", tok);
		if (pol[*n] < 0)
			return false;
		(*n)++;
	}
	return *n ? true : (cli_usage("replay", "--policy needs a name"), false);
}

struct peak_ctx {
	struct cli *cli;
	char path[512];
	char title[160];
	int status;
};

/*
 * The trace's peak payload comes early (everything allocated, nothing
 * freed yet), where every fit policy has placed the same blocks at the
 * same offsets: its maps could not tell the policies apart. What does is
 * the moment a policy's heap grew for the last time: its holes, and the
 * request none of them took.
 */
static void draw_at_high_water(void *arg, uint64_t op, uint32_t request)
{
	struct peak_ctx *p = arg;
	struct map_opts mo = { .title = p->title, .ghost = request,
				.grew = true };

	(void)op;
	p->status = map_snapshot(p->cli, p->path, &mo);
}

struct run_row {
	const struct trace *trace;
	int policy;
	struct replay_result res;
};

static void print_rows(const struct run_row *rows, int nrows)
{
	printf("%-16s %-10s %8s %12s %12s %7s %10s  %s\n", "trace", "policy", "ops",
	       "peak payload", "high water", "util", "ops/s", "verdict");
	for (int i = 0; i < nrows; i++) {
		const struct replay_result *r = &rows[i].res;

		if (!rows[i].trace)	/* not run: an earlier policy switch failed */
			continue;
		printf("%-16s %-10s %8llu %12llu %12llu %6.1f%% %10.0f  %s\n",
		       rows[i].trace->name, myheap_policy_name((unsigned int)rows[i].policy),
		       (unsigned long long)r->ops, (unsigned long long)r->peak_payload,
		       (unsigned long long)r->high_water, r->utilization * 100,
		       r->seconds > 0 ? (double)r->ops / r->seconds : 0.0,
		       r->ok ? "ok" : r->why);
	}
}

/* With several policies: utilization with one column per policy. */
static void print_side_by_side(const struct run_row *rows, int ntraces,
			       const int *pol, int npol)
{
	printf("\nutilization      ");
	for (int p = 0; p < npol; p++)
		printf(" %10s", myheap_policy_name((unsigned int)pol[p]));
	printf("\n");
	for (int t = 0; t < ntraces; t++) {
		printf("%-16s ", rows[t * npol].trace->name);
		for (int p = 0; p < npol; p++)
			printf(" %9.1f%%", rows[t * npol + p].res.utilization * 100);
		printf("\n");
	}
	if (ntraces < 2)
		return;
	printf("%-16s ", "average");
	for (int p = 0; p < npol; p++) {
		double sum = 0;

		for (int t = 0; t < ntraces; t++)
			sum += rows[t * npol + p].res.utilization;
		printf(" %9.1f%%", sum / ntraces * 100);
	}
	printf("\n");
}

/* One shape with mh-replay's (replay_json.h). */
static void print_json(const struct run_row *rows, int nrows, uint64_t region,
		       bool verified, int npol)
{
	struct json j;

	replay_json_begin(&j, stdout, region, verified);
	for (int i = 0; i < nrows; i++) {
		const struct replay_result *r = &rows[i].res;

		if (!rows[i].trace)
			continue;
		replay_json_run(&j, &(struct replay_json_run){
			.trace = rows[i].trace->name,
			.policy = myheap_policy_name((unsigned int)rows[i].policy),
			.ok = r->ok, .error = r->ok ? NULL : r->why, .ops = r->ops,
			.peak_payload = r->peak_payload, .high_water = r->high_water,
			.has_utilization = true, .utilization = r->utilization,
			.seconds = r->seconds,
			.ops_per_sec = r->seconds > 0 ? (double)r->ops / r->seconds : 0 });
	}
	replay_json_averages(&j);
	for (int p = 0; p < npol; p++) {
		double util = 0, ops = 0, secs = 0;
		int n = 0, policy = -1;

		for (int i = p; i < nrows; i += npol) {
			if (!rows[i].trace)
				continue;
			policy = rows[i].policy;
			util += rows[i].res.utilization;
			ops += (double)rows[i].res.ops;
			secs += rows[i].res.seconds;
			n++;
		}
		if (n)
			replay_json_average(&j, myheap_policy_name((unsigned int)policy), true,
					    util / n, secs > 0 ? ops / secs : 0);
	}
	replay_json_end(&j);
}

struct replay_args {
	bool json, verify, progress_set;
	int progress;	/* 1 always, 0 never, -1 for long traces */
	const char *map_file, *timeline_file;
	int pol[MYHEAP_NR_POLICIES], npol;
	uint64_t every;		/* --step, --dump-each: report every Nth op */
	unsigned int views;	/* --after-each: VIEW_* of shell.h */
};

/*
 * --step: the shell's step report (shell_after_op(), one copy) after
 * every Nth op: what the module reports the op did (an alloc's searched
 * and split, a free's coalescing, a realloc's how), else, as in the
 * shell, STATS' counter's change across the op.
 */
struct step_ctx {
	struct shell sh;
	uint64_t every;
	int64_t base;
};

static void step_after(void *arg, uint64_t i, const struct trace_op *op,
		       int err, uint64_t offset, const struct replay_report *report)
{
	static const char *const names[] = { ['a'] = "alloc", ['f'] = "free",
					     ['r'] = "realloc" };
	struct step_ctx *s = arg;
	struct cli *cli = s->sh.cli;
	const char *name = names[(unsigned char)op->kind];
	char line[96];

	if (op->kind == 'r' && !op->size)
		name = "free";	/* realloc to 0 bytes frees */
	if ((i + 1) % s->every == 0) {
		if (!strcmp(name, "free"))
			snprintf(line, sizeof(line), "op %" PRIu64 ": free block %u", i + 1,
				 op->id);
		else
			snprintf(line, sizeof(line), "op %" PRIu64 ": %s block %u, %u bytes",
				 i + 1, name, op->id, op->size);
		cli->searched = s->base >= 0 ? cli_searched_since(cli, s->base) : -1;
		cli->splits = -1;
		cli->freed_known = false;
		cli->realloc_known = false;
		cli->op_off = offset;
		if (report && report->kind == 'a' && cli_alloc_reports(cli)) {
			cli->searched = report->alloc.searched;
			cli->splits = report->alloc.splits;
			cli->split_offset = report->alloc.split_offset;
			cli->split_size = report->alloc.split_size;
		} else if (report && report->kind == 'f') {
			cli->freed = report->freed;
			cli->freed_known = cli_has_feature(cli, MYHEAP_FEATURE_FREE_REPORT);
		} else if (report && report->kind == 'r' &&
			   cli_has_feature(cli, MYHEAP_FEATURE_REALLOC_REPORT)) {
			cli->realloc = report->realloc;
			cli->realloc_known = true;
			cli->searched = report->realloc.searched;
			cli->splits = report->realloc.splits;
			cli->split_offset = report->realloc.split_offset;
			cli->split_size = report->realloc.split_size;
		}
		cli->result = offset;
		cli->last_errno = -err;
		printf("%s\n", line);
		s->sh.step = (unsigned int)i;
		shell_after_op(&s->sh, line, name, err ? EXIT_FAILED : EXIT_OK);
	}
	/* the op after this one is reported: the counter before it */
	if ((i + 2) % s->every == 0)
		s->base = cli_searched_now(cli);
}

static int parse_args(struct cli *cli, int argc, char **argv,
		      struct replay_args *a)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'Q' },
		{ "map-at-peak", required_argument, NULL, 'm' },
		{ "timeline", required_argument, NULL, 'T' },
		{ "step", no_argument, NULL, 's' },
		{ "dump-each", required_argument, NULL, 'd' },
		{ "after-each", required_argument, NULL, 'A' },
		CLI_STD_OPTIONS, { 0 }
	};
	int c, ret;
	char *end;

	*a = (struct replay_args){ .json = cli->json, .verify = true };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_policies(optarg, a->pol, &a->npol))
				return EXIT_USAGE;
			break;
		case 'n': a->verify = false; break;
		case 's': a->every = 1; break;
		case 'd':
			a->every = strtoull(optarg, &end, 10);
			if (!*optarg || *end || !a->every || optarg[0] == '-')
				return cli_usage(argv[0], "--dump-each '%s': want a number of ops, 1 or more",
						 optarg);
			break;
		case 'A':
			if (shell_parse_views(optarg, &a->views))
				return EXIT_USAGE;
			break;
		case 'P': a->progress = 1; a->progress_set = true; break;
		case 'Q': a->progress = 0; a->progress_set = true; break;
		case 'm':
		case 'T':
			if (!scene_path_ok(optarg))
				return cli_usage(argv[0], "'%s': the file name must end in .svg or .png",
						 optarg);
			*(c == 'm' ? &a->map_file : &a->timeline_file) = optarg;
			break;
		default:
			ret = cli_std_opt(c, argv[0], replay_help, &a->json);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind >= argc)
		return cli_usage(argv[0], "needs at least one TRACE");
	if (a->views && !a->every)
		a->every = 1;	/* --after-each alone steps through every op */
	if (a->every && !a->views)
		a->views = VIEW_FREELIST;
	if (a->every && a->json)
		return cli_usage(argv[0], "--step and --dump-each print text: for one JSON object per op use myheap shell --json --step");
	if (!a->progress_set)
		a->progress = isatty(STDERR_FILENO) ? -1 : 0;
	return -1;
}

static int load_traces(char **names, int n, struct trace *traces)
{
	char path[PATH_MAX], err[PATH_MAX + 100];

	for (int i = 0; i < n; i++) {
		if (!find_trace(names[i], path, sizeof(path))) {
			cli_err("replay: no trace '%s' (a file, or a name in $MYHEAP_TRACES, traces/ beside myheap, "
				MYHEAP_TRACE_DIR ")", names[i]);
			return EXIT_USAGE;
		}
		if (trace_load(path, &traces[i], err, sizeof(err))) {
			cli_err("replay: %s", err);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/*
 * --map-at-peak: a first run finds the op that set the high-water mark
 * (it depends on the policy), the second draws the heap right before it.
 */
static int map_run(struct cli *cli, struct myheap *h, const struct trace *t,
		   const char *policy, bool several, const struct replay_args *a,
		   struct replay_opts *ro, struct run_row *row)
{
	struct peak_ctx peak = { .cli = cli };
	struct replay_opts first = *ro;
	const struct trace_op *op;

	first.timeline = NULL;
	first.progress = false;
	first.after_op = NULL;	/* the steps are the real run's */
	if (!replay_run(h, t, &first, &row->res))
		return EXIT_OK;	/* the real run reports it */
	op = &t->ops[row->res.high_water_op];
	replay_run_path(peak.path, sizeof(peak.path), a->map_file, several, t->name, policy);
	snprintf(peak.title, sizeof(peak.title), "%s under %s before op %" PRIu64 " (%c %u %u): the heap grows to its final %" PRIu64 " bytes",
		 t->name, policy, row->res.high_water_op + 1, op->kind, op->id, op->size,
		 row->res.high_water);
	ro->before_op = draw_at_high_water;
	ro->at_op = row->res.high_water_op;
	ro->ctx = &peak;
	replay_run(h, t, ro, &row->res);
	ro->before_op = NULL;
	if (peak.status == EXIT_OK && !a->json)
		printf("map at the high-water mark: %s\n", peak.path);
	return peak.status;
}

static int timeline_out(const struct trace *t, const char *policy, bool several,
			const struct replay_args *a, struct timeline *tl)
{
	char path[512];
	int ret;

	replay_run_path(path, sizeof(path), a->timeline_file, several, t->name, policy);
	ret = timeline_write(tl, path);
	if (ret) {
		cli_err("replay: writing %s: %s", path, strerror(-ret));
		return EXIT_DEVICE;
	}
	if (!a->json)
		printf("timeline: %s (%u rows)\n", path, timeline_rows(tl));
	return EXIT_OK;
}

/* One trace under the current policy; the worst exit code. */
static int run_one(struct cli *cli, struct myheap *h, const struct replay_args *a,
		   const struct trace *t, bool several, struct run_row *row)
{
	struct replay_opts ro = { .verify = a->verify };
	struct myheap_info info;
	struct timeline *tl = NULL;
	struct step_ctx step;
	const char *policy;
	int status = EXIT_OK, ret;
	char title[160];

	ret = myheap_get_info(h, &info);
	if (ret)
		return cli_fail(cli, ret, "replay");
	row->trace = t;
	row->policy = (int)info.policy;
	policy = myheap_policy_name(info.policy);
	/* A bar for a trace that ends at once is only noise. */
	ro.progress = a->progress > 0 || (a->progress < 0 && t->nops >= LONG_TRACE_OPS);
	if (a->timeline_file) {
		snprintf(title, sizeof(title), "%s under %s, %s region", t->name, policy,
			 cli_bytes(info.region_size, (char[24]){ 0 }, 24));
		tl = timeline_new(info.header_size, title);
		if (!tl) {
			cli_err("replay: out of memory");
			return EXIT_DEVICE;
		}
		ro.timeline = tl;
	}
	if (a->every) {
		/* the progress bar would cut through the steps */
		ro.progress = false;
		step = (struct step_ctx){
			.sh = { .cli = cli, .views = a->views, .map_prefix = "step-",
				.header_size = info.header_size },
			.every = a->every,
			.base = cli_searched_now(cli),
		};
		ro.after_op = step_after;
		ro.step_ctx = &step;
		printf("%s under %s: %u ops, a report after every %" PRIu64 " op%s\n",
		       t->name, policy, t->nops, a->every, a->every == 1 ? "" : "s");
	}
	if (a->map_file)
		status = map_run(cli, h, t, policy, several, a, &ro, row);
	else
		replay_run(h, t, &ro, &row->res);
	if (!row->res.ok) {
		ret = row->res.bad_data ? EXIT_CHECK : EXIT_FAILED;
		status = ret > status ? ret : status;
	}
	if (tl) {
		ret = timeline_out(t, policy, several, a, tl);
		status = ret > status ? ret : status;
		timeline_destroy(tl);
	}
	return status;
}

/* Run every trace under every policy; the worst exit code. */
static int run_all(struct cli *cli, struct myheap *h, const struct replay_args *a,
		   const struct trace *traces, int ntraces, struct run_row *rows)
{
	bool several = ntraces * a->npol > 1;
	int status = EXIT_OK, ret;

	for (int p = 0; p < a->npol; p++) {
		if (a->pol[p] >= 0) {
			ret = myheap_set_policy(h, (unsigned int)a->pol[p]);
			if (ret)
				return cli_fail(cli, ret, "replay: switching to policy %s",
						myheap_policy_name((unsigned int)a->pol[p]));
		}
		for (int t = 0; t < ntraces; t++) {
			ret = run_one(cli, h, a, &traces[t], several, &rows[t * a->npol + p]);
			status = ret > status ? ret : status;
		}
	}
	return status;
}

int cmd_replay(struct cli *cli, int argc, char **argv)
{
	struct myheap_info info;
	struct replay_args a;
	struct trace *traces;
	struct run_row *rows;
	struct myheap *h;
	int ntraces, ret, status;

	ret = parse_args(cli, argc, argv, &a);
	if (ret >= 0)
		return ret;
	if (!a.npol) {
		a.pol[0] = -1;	/* keep the current policy */
		a.npol = 1;
	}
	ntraces = argc - optind;
	traces = calloc((size_t)ntraces, sizeof(*traces));
	rows = calloc((size_t)ntraces * (size_t)a.npol, sizeof(*rows));
	if (!traces || !rows) {
		cli_err("replay: out of memory");
		status = EXIT_DEVICE;
		goto out;
	}
	status = load_traces(argv + optind, ntraces, traces);
	if (status >= 0)
		goto out;
	h = cli_heap(cli);
	if (!h) {
		status = EXIT_DEVICE;
		goto out;
	}
	ret = myheap_get_info(h, &info);
	if (ret) {
		status = cli_fail(cli, ret, "replay");
		goto out;
	}
	status = run_all(cli, h, &a, traces, ntraces, rows);
	if (a.json) {
		print_json(rows, ntraces * a.npol, info.region_size, a.verify, a.npol);
	} else {
		print_rows(rows, ntraces * a.npol);
		if (a.npol > 1 && rows[ntraces * a.npol - 1].trace)
			print_side_by_side(rows, ntraces, a.pol, a.npol);
	}
out:
	for (int i = 0; traces && i < ntraces; i++)
		trace_free(&traces[i]);
	free(traces);
	free(rows);
	return status;
}
