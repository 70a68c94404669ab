// SPDX-License-Identifier: GPL-2.0
/*
 * mh_replay.c - replay malloclab traces on the allocator core, natively,
 * and on glibc's malloc for comparison.
 *
 *   mh-replay [--policy NAME|all] [--allocator core|glibc] [--region SIZE]
 *             [--verify|--no-verify] [--no-timing] [--timeline FILE]
 *             [--json|--markdown|--tap] TRACE...
 *
 * Per trace and policy it prints the utilization as the malloc lab defines
 * it (peak aggregate payload / high-water mark, the high-water mark being
 * mh_stats().high_water: the highest offset ever covered by a block in use)
 * and the throughput. With --verify (the default) a first pass writes a
 * pattern into every payload and checks it before every free and realloc
 * and after every realloc (contents kept up to the smaller size), runs
 * mh_check() at the end and compares the core's peak with the trace's;
 * throughput always comes from separate passes without any of that, so
 * it times the allocator alone (--no-timing skips them: utilization and
 * verification only; with --no-verify too, one plain pass measures the
 * utilization). --allocator glibc replays the same traces through glibc's
 * malloc/realloc/free as one more column, in the same run and the same
 * replay loop (verified the same way), and prints segregated fit's
 * throughput as a ratio of glibc's. glibc's utilization is taken as the
 * malloc lab's memlib takes a heap's: the span of the heap its blocks
 * covered, from the lowest chunk to the highest end over the pass. That
 * pass runs in a child process, on a thread of its own, so glibc serves
 * it from a fresh arena (nothing an earlier pass or the trace loader left
 * free is reused unseen), with the mmap threshold at its maximum so every
 * block comes from the arena. Under LD_PRELOAD of another malloc
 * (jemalloc, mimalloc: glibc's arenas stay empty) the column has no
 * utilization, only throughput. --timeline FILE draws the first pass of
 * each core run as `myheap replay --timeline` does, with the same code
 * (userspace/tools timeline_trace.c): one row per op, FILE-trace-policy.svg (or .png) when
 * there are several runs. Exit status 1 on any verification failure
 * or unexpected allocation failure, 2 on bad usage or unreadable traces.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mh_core.h"
#include "pattern.h"
#include "replay_report.h"
#include "scene.h"
#include "timeline_trace.h"
#include "trace.h"

#define DEFAULT_REGION		(64u << 20)
/* Timed passes repeat until this much time has been measured. */
#define MIN_TIMED_SECONDS	0.05
#define MAX_TIMED_PASSES	200
/* glibc's largest mmap threshold on a 64-bit build (DEFAULT_MMAP_THRESHOLD_MAX). */
#define GLIBC_MMAP_THRESHOLD_MAX	(32 << 20)
/* glibc's chunk header in front of every payload (prev_size, size). */
#define GLIBC_CHUNK_HDR		(2 * sizeof(size_t))

/* Where the replay keeps the blocks of one trace, by block id. */
struct replay {
	struct mh_heap h;
	u8 *region;
	unsigned long *starts;
	size_t region_size;
	int column;	/* an enum mh_policy, or REPLAY_GLIBC */
	bool heap_made;	/* mh_init() done: the next pass mh_reset()s */
	u8 **payload;
	u32 *size;
	u32 *tag;
	bool *live;
	struct timeline *tl;	/* this pass's rows, or NULL */
	bool span;		/* glibc's footprint pass: track the heap's span */
	uintptr_t span_lo;	/* lowest chunk start placed in it */
	uintptr_t span_hi;	/* highest payload end */
};

/* Payload offset of a core block (the timeline names blocks by it). */
static u64 off_of(const struct replay *r, const u8 *p)
{
	return (u64)(p - r->region);
}

/* The row of an op that placed a block at @p (UINT64_MAX @old: new). */
static void row_placed(struct replay *r, const struct trace_op *op, u64 old,
		       const u8 *p)
{
	size_t usable = 0;

	if (!r->tl)
		return;
	mh_usable_size(&r->h, (u32)off_of(r, p), &usable);
	timeline_trace_placed(r->tl, op, old, off_of(r, p), usable);
}

/* glibc's footprint pass: widen the span by the chunk of @p. */
static void span_add(struct replay *r, const u8 *p)
{
	uintptr_t lo = (uintptr_t)p - GLIBC_CHUNK_HDR;
	uintptr_t hi = (uintptr_t)p + malloc_usable_size((void *)p);

	if (!r->span_lo || lo < r->span_lo)
		r->span_lo = lo;
	if (hi > r->span_hi)
		r->span_hi = hi;
}

/*
 * The three calls a trace makes, on the core or on glibc: the same loop
 * drives both, so neither pays for anything the other does not.
 */
static int replay_alloc(struct replay *r, u32 size, u8 **p)
{
	u32 off;
	int err;

	if (r->column == REPLAY_GLIBC) {
		*p = malloc(size);
		if (*p && r->span)
			span_add(r, *p);
		return *p ? 0 : -ENOMEM;
	}
	err = mh_alloc(&r->h, size, 0, 0, &off);
	if (!err)
		*p = r->region + off;
	return err;
}

static int replay_realloc(struct replay *r, u8 *old, u32 size, u8 **p)
{
	u32 off;
	int err;

	if (r->column == REPLAY_GLIBC) {
		u8 *q = realloc(old, size);

		if (!q)
			return -ENOMEM;
		if (r->span)
			span_add(r, q);
		*p = q;
		return 0;
	}
	err = mh_realloc(&r->h, (u32)(old - r->region), size, &off);
	if (!err)
		*p = r->region + off;
	return err;
}

static int replay_free(struct replay *r, u8 *p)
{
	if (r->column == REPLAY_GLIBC) {
		free(p);
		return 0;
	}
	return mh_free(&r->h, (u32)(p - r->region));
}

/* After a pass: glibc's blocks still live go back (the core's heap is
 * simply initialised again). */
static void release_all(struct replay *r, const struct trace *t)
{
	if (r->column != REPLAY_GLIBC)
		return;
	for (u32 id = 0; id < t->nids; id++) {
		if (r->live[id] && r->size[id])
			free(r->payload[id]);
		r->live[id] = false;
	}
}

static bool failed(struct replay_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool failed(struct replay_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->why, sizeof(res->why), fmt, ap);
	va_end(ap);
	res->ok = false;
	return false;
}

static bool intact(struct replay *r, u32 id, u32 len, struct replay_result *res,
		   u64 op)
{
	size_t bad = pattern_check(r->payload[id], len, r->tag[id]);

	if (bad != len)
		return failed(res, "op %llu: block %u damaged at byte %zu of %u",
			      (unsigned long long)op, id, bad, len);
	return true;
}

/* One op of the trace; @verify adds the payload writes and checks. */
static bool replay_op(struct replay *r, const struct trace_op *op, u64 i,
		      bool verify, u64 *payload, struct replay_result *res)
{
	u32 id = op->id, old = r->size[id];
	u8 *p;
	int err;

	if (op->kind == 'f' || (op->kind == 'r' && op->size == 0)) {
		if (!r->live[id])
			return failed(res, "op %llu: free of block %u, not live",
				      (unsigned long long)i, id);
		if (verify && old && !intact(r, id, old, res, i))
			return false;
		if (old && (err = replay_free(r, r->payload[id]))) {
			timeline_trace_other(r->tl, op, -err, NULL);
			return failed(res, "op %llu: free(block %u) = %d",
				      (unsigned long long)i, id, err);
		}
		if (r->tl) {
			uint64_t freed = off_of(r, r->payload[id]);

			timeline_trace_other(r->tl, op, 0, old ? &freed : NULL);
		}
		r->live[id] = false;
		*payload -= old;
		return true;
	}
	if (op->kind == 'a' || !r->live[id] || !old) {
		/* alloc, or realloc of nothing: place a new block */
		if (op->kind == 'a' && r->live[id])
			return failed(res, "op %llu: block %u allocated twice",
				      (unsigned long long)i, id);
		if (op->kind == 'r' && r->live[id])
			*payload -= old;	/* a live 0-byte block */
		p = NULL;
		err = op->size ? replay_alloc(r, op->size, &p) : 0;
		if (err) {
			timeline_trace_other(r->tl, op, -err, NULL);
			return failed(res, "op %llu: alloc(%u) = %d",
				      (unsigned long long)i, op->size, err);
		}
		if (p)
			row_placed(r, op, UINT64_MAX, p);
		else
			timeline_trace_other(r->tl, op, 0, NULL);
		r->payload[id] = p;
		r->tag[id] = (u32)i + 1;
		if (verify)
			pattern_fill(p, 0, op->size, r->tag[id]);
	} else {
		if (verify && !intact(r, id, old, res, i))
			return false;
		err = replay_realloc(r, r->payload[id], op->size, &p);
		if (err) {
			timeline_trace_other(r->tl, op, -err, NULL);
			return failed(res, "op %llu: realloc(block %u, %u) = %d",
				      (unsigned long long)i, id, op->size, err);
		}
		row_placed(r, op, off_of(r, r->payload[id]), p);
		r->payload[id] = p;
		if (verify &&
		    !intact(r, id, old < op->size ? old : op->size, res, i))
			return false;
		if (verify && op->size > old)
			pattern_fill(p, old, op->size, r->tag[id]);
		*payload -= old;
	}
	r->live[id] = true;
	r->size[id] = op->size;
	*payload += op->size;
	return true;
}

/* One pass over the trace; release_all() must follow it. */
static bool replay_pass(struct replay *r, const struct trace *t,
			bool verify, struct replay_result *res)
{
	u64 payload = 0, peak = 0;
	struct mh_violation v;
	struct mh_stats st;
	int err;

	memset(r->live, 0, t->nids * sizeof(*r->live));
	memset(r->size, 0, t->nids * sizeof(*r->size));
	if (r->column != REPLAY_GLIBC) {
		/*
		 * The first pass makes the heap, the others empty it as the
		 * module's RESET does: mh_init() clears the whole start
		 * bitmap (1/128 of the region), mh_reset() only what the
		 * last pass marked, so a pass costs what it replays.
		 */
		err = r->heap_made ? mh_reset(&r->h, r->column) :
			mh_init(&r->h, r->region, r->region_size, r->column, 0,
				r->starts);
		if (err)
			return failed(res, "mh_init = %d", err);
		r->heap_made = true;
	}
	for (u64 i = 0; i < t->nops; i++) {
		if (!replay_op(r, &t->ops[i], i, verify, &payload, res))
			return false;
		if (payload > peak)
			peak = payload;
	}
	res->ops = t->nops;
	res->peak_payload = peak;
	if (r->column == REPLAY_GLIBC)
		return true;
	mh_stats(&r->h, &st);
	res->high_water = st.high_water;
	if (!verify)
		return true;
	if ((err = mh_check(&r->h, &v)))
		return failed(res, "mh_check = %d: %s at %u", err,
			      mh_violation_name(v.kind), v.offset);
	if (st.peak_requested != peak || st.requested_bytes != payload)
		return failed(res, "core counts peak %llu, now %llu; trace %llu, %llu",
			      (unsigned long long)st.peak_requested,
			      (unsigned long long)st.requested_bytes,
			      (unsigned long long)peak,
			      (unsigned long long)payload);
	return true;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One untimed pass, then release_all(). */
static bool plain_pass(struct replay *r, const struct trace *t, bool verify,
		       struct replay_result *res)
{
	bool ok = replay_pass(r, t, verify, res);

	release_all(r, t);
	return ok;
}

/* Unverified passes, timed without release_all(), repeated until the
 * time measured means something. */
static bool timed_passes(struct replay *r, const struct trace *t,
			 struct replay_result *res)
{
	for (int pass = 0; pass < MAX_TIMED_PASSES &&
	     (pass == 0 || res->seconds < MIN_TIMED_SECONDS); pass++) {
		double start = now();
		bool ok = replay_pass(r, t, false, res);

		res->seconds += now() - start;
		release_all(r, t);
		if (!ok)
			return false;
		res->timed_ops += t->nops;
	}
	return true;
}

/* What footprint_pass()'s thread runs. */
struct footprint {
	struct replay *r;
	const struct trace *t;
	bool verify;
	struct replay_result *res;
};

static void *footprint_thread(void *arg)
{
	struct footprint *f = arg;

	f->r->span = true;
	plain_pass(f->r, f->t, f->verify, f->res);
	return NULL;
}

/*
 * glibc's pass for the utilization (see the top of the file). The result
 * comes back through a pipe, with the span as its high-water mark (0 when
 * glibc's arenas stayed empty: another malloc is in use).
 */
static bool footprint_pass(struct replay *r, const struct trace *t,
			   bool verify, struct replay_result *res)
{
	struct footprint f = { r, t, verify, res };
	int fd[2], status;
	pthread_t thread;
	ssize_t n;
	pid_t pid;

	fflush(NULL);
	if (pipe(fd))
		return failed(res, "footprint pass: pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return failed(res, "footprint pass: fork: %s", strerror(errno));
	if (pid == 0) {
		close(fd[0]);
		mallopt(M_MMAP_THRESHOLD, GLIBC_MMAP_THRESHOLD_MAX);
		if (pthread_create(&thread, NULL, footprint_thread, &f) ||
		    pthread_join(thread, NULL))
			_exit(1);
		res->high_water = mallinfo2().arena ? r->span_hi - r->span_lo : 0;
		n = write(fd[1], res, sizeof(*res));
		_exit(n == sizeof(*res) ? 0 : 1);
	}
	close(fd[1]);
	n = read(fd[0], res, sizeof(*res));
	close(fd[0]);
	if (waitpid(pid, &status, 0) != pid || n != sizeof(*res) ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		return failed(res, "footprint pass: the child did not report");
	return res->ok;
}

/*
 * The first pass with its timeline, when one is asked for (core columns
 * only: glibc's addresses are no offsets in a region), written out even
 * when the pass failed: the picture shows where.
 */
static bool first_pass(struct replay *r, const struct trace *t, bool verify,
		       const struct report *rep, struct replay_result *res)
{
	char path[512], title[200];
	bool ok;
	int err;

	if (r->column == REPLAY_GLIBC)
		return footprint_pass(r, t, verify, res);
	if (!rep->timeline)
		return plain_pass(r, t, verify, res);
	snprintf(title, sizeof(title), "%s under %s, %zu-byte region (mh-replay)",
		 t->name, mh_policy_name(r->column), r->region_size);
	r->tl = timeline_new(MH_HDR_SIZE, title);
	if (!r->tl)
		return failed(res, "timeline: out of memory");
	ok = plain_pass(r, t, verify, res);
	replay_run_path(path, sizeof(path), rep->timeline, rep->several_runs,
			t->name, mh_policy_name(r->column));
	err = timeline_write(r->tl, path);
	if (err)
		fprintf(stderr, "mh-replay: timeline %s: %s\n", path, strerror(-err));
	else
		fprintf(stderr, "mh-replay: timeline: %s (%u rows)\n", path,
			timeline_rows(r->tl));
	timeline_destroy(r->tl);
	r->tl = NULL;
	return ok && (err ? failed(res, "timeline %s: %s", path, strerror(-err))
			  : true);
}

static bool replay_trace(struct replay *r, const struct trace *t,
			 int column, const struct report *rep,
			 struct replay_result *res)
{
	memset(res, 0, sizeof(*res));
	res->ok = true;
	r->column = column;
	if (rep->verify && !first_pass(r, t, true, rep, res))
		return false;
	/*
	 * --no-verify: one plain pass, for the utilization (and timeline);
	 * glibc's timed passes cannot measure its footprint, so it always
	 * has one.
	 */
	if (!rep->verify &&
	    (!rep->timing || rep->timeline || column == REPLAY_GLIBC) &&
	    !first_pass(r, t, false, rep, res))
		return false;
	if (rep->timing && !timed_passes(r, t, res))
		return false;
	/* a run that replays nothing must not pass for one that did */
	if (res->ops != t->nops)
		return failed(res, "replayed %llu of %u ops",
			      (unsigned long long)res->ops, t->nops);
	return true;
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end || v < MH_MIN_REGION || v > MH_MAX_REGION)
		return 0;
	return (size_t)v;
}

static void usage(FILE *to)
{
	fprintf(to,
		"usage: mh-replay [--policy NAME|all] [--allocator core|glibc]\n"
		"                 [--region SIZE[K|M]] [--verify|--no-verify]\n"
		"                 [--no-timing] [--timeline FILE]\n"
		"                 [--json|--markdown|--tap] TRACE...\n"
		"  --policy       one of the core's policies, or all (the default):\n"
		"                ");
	for (int p = 0; p < MH_NR_POLICIES; p++)
		fprintf(to, " %s", mh_policy_name(p));
	fprintf(to, "\n"
		"  --allocator    glibc: replay through glibc's malloc/realloc/free\n"
		"                 too, in the same run, and print segregated/glibc\n"
		"                 throughput; glibc's utilization is the span its\n"
		"                 blocks covered in a fresh arena; core (the\n"
		"                 default): the core only\n"
		"  --region       the core's region, %u..%u bytes (default %u)\n"
		"  --verify       check every payload and the heap (the default)\n"
		"  --timeline FILE  draw each core run's first pass, one row per\n"
		"                 op (.svg or .png), as myheap replay --timeline;\n"
		"                 FILE-trace-policy.svg when there are several runs\n"
		"  --no-verify    skip the verified pass\n"
		"  --no-timing    skip the timed passes (with --no-verify: one\n"
		"                 plain pass for the utilization)\n"
		"  --json, --markdown, --tap   output format (default a table)\n",
		MH_MIN_REGION, MH_MAX_REGION, DEFAULT_REGION);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "allocator", required_argument, NULL, 'a' },
		{ "region", required_argument, NULL, 'r' },
		{ "verify", no_argument, NULL, 'v' },
		{ "no-verify", no_argument, NULL, 'n' },
		{ "no-timing", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "markdown", no_argument, NULL, 'm' },
		{ "tap", no_argument, NULL, 't' },
		{ "timeline", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct report rep = { .region_size = DEFAULT_REGION, .verify = true,
			      .timing = true, .npolicies = MH_NR_POLICIES };
	struct replay r = { 0 };
	bool glibc = false;
	int c, failures = 0;

	for (int p = 0; p < MH_NR_POLICIES; p++)
		rep.policies[p] = p;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!strcmp(optarg, "all"))
				break;
			rep.npolicies = 1;
			rep.policies[0] = mh_policy_parse(optarg);
			if (rep.policies[0] < 0) {
				fprintf(stderr, "mh-replay: unknown policy %s\n",
					optarg);
				return 2;
			}
			break;
		case 'a':
			if (!strcmp(optarg, "glibc")) {
				glibc = true;
			} else if (strcmp(optarg, "core")) {
				fprintf(stderr, "mh-replay: unknown allocator %s\n",
					optarg);
				return 2;
			}
			break;
		case 'r':
			rep.region_size = parse_size(optarg);
			if (!rep.region_size) {
				usage(stderr);
				return 2;
			}
			break;
		case 'v': rep.verify = true; break;
		case 'n': rep.verify = false; break;
		case 'T': rep.timing = false; break;
		case 'j': rep.out = OUT_JSON; break;
		case 'm': rep.out = OUT_MARKDOWN; break;
		case 't': rep.out = OUT_TAP; break;
		case 'L':
			if (!scene_path_ok(optarg)) {
				fprintf(stderr, "mh-replay: --timeline %s: want a .svg or .png file\n",
					optarg);
				return 2;
			}
			rep.timeline = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (glibc)
		rep.policies[rep.npolicies++] = REPLAY_GLIBC;
	rep.ntraces = argc - optind;
	if (rep.ntraces < 1) {
		usage(stderr);
		return 2;
	}
	rep.several_runs = rep.ntraces * (rep.npolicies - glibc) > 1;
	rep.traces = calloc(rep.ntraces, sizeof(*rep.traces));
	rep.results = calloc((size_t)rep.ntraces * REPLAY_COLUMNS,
			     sizeof(*rep.results));
	r.region_size = rep.region_size;
	r.region = malloc(r.region_size);
	r.starts = malloc(mh_starts_bytes(r.region_size));
	if (!rep.traces || !rep.results || !r.region || !r.starts)
		return 2;
	for (int i = 0; i < rep.ntraces; i++) {
		char err[256];

		if (trace_load(argv[optind + i], &rep.traces[i], err,
			       sizeof(err))) {
			fprintf(stderr, "mh-replay: %s\n", err);
			return 2;
		}
	}
	report_begin(&rep);
	for (int i = 0; i < rep.ntraces; i++) {
		const struct trace *t = &rep.traces[i];

		r.payload = calloc(t->nids, sizeof(*r.payload));
		r.size = calloc(t->nids, sizeof(*r.size));
		r.tag = calloc(t->nids, sizeof(*r.tag));
		r.live = calloc(t->nids, sizeof(*r.live));
		if (!r.payload || !r.size || !r.tag || !r.live)
			return 2;
		for (int p = 0; p < rep.npolicies; p++) {
			struct replay_result *res =
				&rep.results[i * REPLAY_COLUMNS + p];

			failures += !replay_trace(&r, t, rep.policies[p], &rep,
						  res);
			report_one(&rep, i, p);
		}
		free(r.payload);
		free(r.size);
		free(r.tag);
		free(r.live);
	}
	report_end(&rep);
	for (int i = 0; i < rep.ntraces; i++)
		trace_free(&rep.traces[i]);
	free(rep.traces);
	free(rep.results);
	free(r.region);
	free(r.starts);
	return failures ? 1 : 0;
}
