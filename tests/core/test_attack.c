// SPDX-License-Identifier: GPL-2.0
/*
 * test_attack.c - the region's trust, tested as a hostile process would
 * break it: by writing the mapping while an operation runs.
 *
 * For every policy and every short sequence of calls below, a clean run
 * counts the region loads the core makes (and the observer events); then,
 * from an identical start, each load point k is replayed under each attack
 * mode (attack.h) striking at load k, and each event under each mode aimed
 * at the event's block or its neighbours. After the sequence, with the
 * attacker quiet, a battery of every call runs on whatever the attack left.
 * Every call is held to attack_arena.h's assertions: bounded loads, a
 * documented return, nothing handed out over the victim, the victim
 * intact, the control structure self-consistent. ASan/UBSan watch the
 * exact-size region. Then long seeded random sequences with random strikes.
 *
 * Each case runs in a child process, so a sanitizer report or the watchdog
 * fails that case (naming the policy, sequence, mode and load point it died
 * at) and the others still run.
 *
 * MYHEAP_ATTACK_ROUNDS=n scales the random part (default 150 rounds per
 * policy and poisoning), MYHEAP_ATTACK_OPS=n the calls per round (default
 * 300); MYHEAP_ATTACK_SEED=n changes its seed; a failure prints the
 * seed and round (MYHEAP_ATTACK_ROUND=n replays that round alone, with
 * TEST_FILTER=random_strikes picking the case; MYHEAP_ATTACK_TRACE=1 then
 * prints every call, strike and write). MYHEAP_ATTACK_REPEAT=n
 * strikes every load point and event n times with different seeds (the
 * random, flip and forge modes then write other values); `make stress`
 * is meant to raise both.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attack_arena.h"
#include "mh_test.h"
#include "splitmix.h"

#define REGION		4096u
#define RANDOM_OPS	300

struct sequence {
	const char *name;
	struct arena_op ops[8];
	u32 n;
};

/* Short sequences: every load of every one of them is attacked. */
static const struct sequence sequences[] = {
	{ "alloc", { { OP_ALLOC, 0, 32 }, { OP_ALLOC, 2, 200 },
		     { OP_ALLOC_ZERO, 5, 1000 } }, 3 },
	{ "free", { { OP_FREE, 1, 0 }, { OP_FREE, 3, 0 },
		    { OP_FREE, 4, 0 } }, 3 },
	{ "realloc", { { OP_REALLOC, 1, 400 }, { OP_REALLOC, 3, 48 },
		       { OP_REALLOC, 4, 90 }, { OP_REALLOC, 1, 16 } }, 4 },
	{ "readers", { { OP_USABLE, 1, 0 }, { OP_PROBE, 3, 0 },
		       { OP_CHECK, 0, 0 }, { OP_WALK, 0, 0 },
		       { OP_WALK_FREE, 0, 0 }, { OP_STATS, 0, 0 } }, 6 },
	{ "mixed", { { OP_ALLOC, 0, 100 }, { OP_REALLOC, 0, 300 },
		     { OP_FREE, 1, 0 }, { OP_REALLOC, 3, 600 },
		     { OP_FREE, 0, 0 } }, 5 },
	{ "aligned", { { OP_ALLOC_ALIGNED, 0, 40 }, { OP_FREE, 0, 0 },
		       { OP_ALLOC_ALIGNED, 2, 500 } }, 3 },
	{ "grow", { { OP_REALLOC, 4, 2000 }, { OP_REALLOC, 4, 24 },
		    { OP_FREE, 4, 0 } }, 3 },
	/* the second free merges with free blocks on both sides */
	{ "merge-both", { { OP_FREE, 3, 0 }, { OP_FREE, 4, 0 },
			  { OP_ALLOC, 3, 120 } }, 3 },
};
#define NR_SEQUENCES	(sizeof(sequences) / sizeof(sequences[0]))

/* The arena's region: pools needs room for a run. */
static u32 region_for(enum mh_policy policy)
{
	return policy == MH_POOLS ? ARENA_POOL_REGION : REGION;
}

/* Extra free blocks in the running case's heap (arena_init()). */
static u32 case_crowd;

static unsigned long env_or(const char *name, unsigned long fallback)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : fallback;
}

/* A class of failures: where (sequence, call, mode) and what broke. */
struct failure_class {
	char key[160];
	u64 count;
	char first[360];
};

#define MAX_CLASSES	48

/*
 * What a case's children share with its parent: where to resume after a
 * crash, the failures so far by class, and the figures for the summary.
 */
struct progress {
	u64 next;		/* the strike (or round) to run next */
	u64 total;		/* strikes (or rounds) in the case */
	u64 failures;
	u64 crashes;
	u64 points, events, ops, writes, most, bound;
	bool done;
	char where_key[112];	/* class of the strike running now */
	char where[256];	/* the strike running now, in full */
	struct failure_class classes[MAX_CLASSES];
	u32 nclasses;
	u64 unclassed;
};

static struct progress *progress;

static void classify(const char *key, const char *first)
{
	struct failure_class *c = progress->classes;
	u32 i;

	progress->failures++;
	for (i = 0; i < progress->nclasses; i++)
		if (!strcmp(c[i].key, key))
			break;
	if (i == progress->nclasses) {
		if (i == MAX_CLASSES) {
			progress->unclassed++;
			return;
		}
		progress->nclasses++;
		snprintf(c[i].key, sizeof(c[i].key), "%s", key);
		snprintf(c[i].first, sizeof(c[i].first), "%s", first);
	}
	c[i].count++;
}

/* A failed strike or round: its class is where it ran and what broke. */
static void report(const char *what, const struct arena *ar)
{
	char key[160], first[360];

	snprintf(key, sizeof(key), "%s: %s", progress->where_key,
		 ar->kind ? ar->kind : "?");
	snprintf(first, sizeof(first), "%s: %s", what, ar->why);
	classify(key, first);
}

/* Run @seq then the battery; false at the first failed assertion. */
static bool play(struct arena *ar, const struct sequence *seq,
		 bool battery, u32 *failed_op)
{
	for (u32 i = 0; i < seq->n; i++) {
		*failed_op = i;
		if (!arena_op(ar, &seq->ops[i]))
			return false;
	}
	*failed_op = seq->n;
	return !battery || arena_battery(ar);
}

static void case_where(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void case_where(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(attack_where, sizeof(attack_where), fmt, ap);
	va_end(ap);
	/* the parent names a strike that crashed from this copy */
	memcpy(progress->where, attack_where, sizeof(progress->where));
}

/* One strike at load (or event) @shot.at of @seq, then the battery. */
static void strike_once(struct arena *ar, const struct sequence *seq,
			struct attack_shot shot, u64 index)
{
	char what[320];
	u32 op;

	arena_restore(ar);
	ar->att.shots[0] = shot;
	ar->att.nshots = 1;
	case_where("strike %llu: %s%s %s %s=%llu mode=%s%s%s",
		   (unsigned long long)index, mh_policy_name(ar->policy),
		   ar->h.flags ? " poisoned" : "", seq->name,
		   shot.event ? "event" : "load",
		   (unsigned long long)shot.at, attack_mode_name(shot.mode),
		   shot.event ? " aim=" : "",
		   shot.event ? attack_aim_name(shot.aim) : "");
	snprintf(progress->where_key, sizeof(progress->where_key),
		 "%s %s%s%s", seq->name, attack_mode_name(shot.mode),
		 shot.event ? " at event, aim " : "",
		 shot.event ? attack_aim_name(shot.aim) : "");
	attack_watchdog(20);
	if (play(ar, seq, true, &op))
		return;
	snprintf(what, sizeof(what), "%s, at op %u (%s)", attack_where, op,
		 op < seq->n ? arena_op_name(seq->ops[op].kind) : "battery");
	snprintf(progress->where_key + strlen(progress->where_key),
		 sizeof(progress->where_key) - strlen(progress->where_key),
		 ", %s", op < seq->n ? arena_op_name(seq->ops[op].kind) :
		 "battery");
	report(what, ar);
}

/* Strikes per load point and per observer event of a sequence. */
#define LOAD_STRIKES	AT_NR_MODES
#define EVENT_STRIKES	(AT_NR_MODES * AIM_NR)

static u64 strikes_of(u64 loads, u64 events)
{
	return loads * LOAD_STRIKES + events * EVENT_STRIKES;
}

/* Child: the clean runs fix the strike space; run it from progress->next. */
static void exhaustive(enum mh_policy policy, unsigned int flags)
{
	u64 loads[NR_SEQUENCES], events[NR_SEQUENCES], total = 0;
	u64 repeat = env_or("MYHEAP_ATTACK_REPEAT", 1) ?: 1;
	struct arena ar;

	if (!arena_init(&ar, policy, region_for(policy), flags, case_crowd)) {
		report("arena_init", &ar);
		arena_fini(&ar);
		return;
	}
	progress->points = progress->events = progress->most = 0;
	for (size_t q = 0; q < NR_SEQUENCES; q++) {
		u32 op;

		arena_restore(&ar);
		case_where("%s %s clean run", mh_policy_name(policy),
			   sequences[q].name);
		loads[q] = events[q] = 0;
		if (!play(&ar, &sequences[q], false, &op)) {
			if (!progress->next)
				report(attack_where, &ar);
			continue;
		}
		loads[q] = ar.att.loads;
		events[q] = ar.att.events;
		/* the battery must pass on an undamaged heap too */
		if (!arena_battery(&ar) && !progress->next)
			report(attack_where, &ar);
		if (ar.att.call_max > progress->most)
			progress->most = ar.att.call_max;
		progress->points += loads[q];
		progress->events += events[q];
		total += strikes_of(loads[q], events[q]);
	}
	total *= repeat;
	progress->total = total;
	progress->bound = ar.att.call_bound;
	for (u64 i = progress->next; i < total; i = ++progress->next) {
		u64 rest = i / repeat;
		size_t q = 0;

		for (; rest >= strikes_of(loads[q], events[q]); q++)
			rest -= strikes_of(loads[q], events[q]);
		if (rest < loads[q] * LOAD_STRIKES)
			strike_once(&ar, &sequences[q], (struct attack_shot){
				.at = 1 + rest / LOAD_STRIKES,
				.mode = rest % LOAD_STRIKES, .seed = i }, i);
		else {
			rest -= loads[q] * LOAD_STRIKES;
			strike_once(&ar, &sequences[q], (struct attack_shot){
				.at = 1 + rest / EVENT_STRIKES,
				.mode = rest % AT_NR_MODES,
				.aim = rest / AT_NR_MODES % AIM_NR,
				.event = true, .seed = i }, i);
		}
	}
	attack_watchdog(0);
	arena_fini(&ar);
}

static size_t random_size(u64 *s)
{
	u64 r = splitmix64(s);

	switch (r % 8) {
	case 0: return 1 + (r >> 8) % 16;
	case 7: return 500 + (r >> 8) % 2500;
	default: return 1 + (r >> 8) % 300;
	}
}

static struct arena_op random_op(u64 *s)
{
	static const enum arena_op_kind kinds[] = {
		OP_ALLOC, OP_ALLOC, OP_ALLOC_ALIGNED, OP_ALLOC_ZERO, OP_FREE,
		OP_FREE,
		OP_FREE, OP_REALLOC, OP_REALLOC, OP_USABLE, OP_PROBE, OP_CHECK,
		OP_WALK, OP_WALK_FREE, OP_STATS,
	};
	u64 r = splitmix64(s);

	return (struct arena_op){
		.kind = kinds[r % (sizeof(kinds) / sizeof(kinds[0]))],
		.slot = (r >> 8) % ARENA_SLOTS,
		.size = (u32)random_size(s),
	};
}

/* The seed of the random part: MYHEAP_ATTACK_SEED, per policy. */
static unsigned long random_seed(void)
{
	return env_or("MYHEAP_ATTACK_SEED", 20261201);
}

/* One round: a random sequence under random strikes, then the battery. */
static void random_round(struct arena *ar, unsigned long round)
{
	u64 s = (random_seed() * 1000003ull + ar->policy * 17 +
		 ar->h.flags) ^ (round * 0x9e3779b97f4a7c15ull);
	u32 i, nops = env_or("MYHEAP_ATTACK_OPS", RANDOM_OPS);
	bool ok = true;

	arena_restore(ar);
	ar->att.rng = splitmix64(&s);
	ar->att.one_in = 30 + splitmix64(&s) % 600;
	/* and a few strikes from the observer */
	ar->att.nshots = 1 + splitmix64(&s) % 4;
	for (u32 k = 0; k < ar->att.nshots; k++)
		ar->att.shots[k] = (struct attack_shot){
			.at = 1 + splitmix64(&s) % 40,
			.mode = splitmix64(&s) % AT_NR_MODES,
			.seed = splitmix64(&s), .event = true,
			.aim = splitmix64(&s) % AIM_NR };
	for (i = 0; ok && i < nops; i++) {
		struct arena_op op = random_op(&s);

		case_where("%s%s random: MYHEAP_ATTACK_SEED=%lu "
			   "MYHEAP_ATTACK_ROUND=%lu op %u (%s)", mh_policy_name(ar->policy),
			   ar->h.flags ? " poisoned" : "", random_seed(),
			   round, i, arena_op_name(op.kind));
		snprintf(progress->where_key, sizeof(progress->where_key),
			 "random, %s", arena_op_name(op.kind));
		attack_watchdog(20);
		ok = arena_op(ar, &op);
		progress->ops++;
	}
	progress->writes += ar->att.fired;
	ar->att.one_in = 0;
	ar->att.nshots = 0;
	if (ok) {
		snprintf(progress->where_key, sizeof(progress->where_key),
			 "random, battery");
		case_where("%s%s random: MYHEAP_ATTACK_SEED=%lu "
			   "MYHEAP_ATTACK_ROUND=%lu battery", mh_policy_name(ar->policy),
			   ar->h.flags ? " poisoned" : "", random_seed(),
			   round);
		ok = arena_battery(ar);
	}
	if (!ok)
		report(attack_where, ar);
}

static void random_rounds(enum mh_policy policy, unsigned int flags)
{
	unsigned long only = env_or("MYHEAP_ATTACK_ROUND", ~0ul);
	struct arena ar;

	/* MYHEAP_ATTACK_ROUND=n replays round n alone */
	progress->total = only != ~0ul ? only + 1 :
			  env_or("MYHEAP_ATTACK_ROUNDS", 150);
	if (only != ~0ul && progress->next < only)
		progress->next = only;
	if (!arena_init(&ar, policy, region_for(policy), flags, case_crowd)) {
		report("arena_init", &ar);
		arena_fini(&ar);
		return;
	}
	for (u64 r = progress->next; r < progress->total; r = ++progress->next)
		random_round(&ar, r);
	attack_watchdog(0);
	arena_fini(&ar);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Crashes after which a case gives up resuming. */
#define MAX_CRASHES	20

/*
 * Run @fn in children: a sanitizer abort or the watchdog fails the strike
 * (the child prints where it died), and a new child resumes after it.
 */
static void isolated(void (*fn)(enum mh_policy, unsigned int),
		     enum mh_policy policy, unsigned int flags,
		     const char *what)
{
	double t0 = now();
	int status;
	pid_t pid;

	progress = mmap(NULL, sizeof(*progress), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (progress == MAP_FAILED) {
		test_failed(__FILE__, __LINE__, "mmap failed");
		return;
	}
	memset(progress, 0, sizeof(*progress));
	while (!progress->done && progress->crashes < MAX_CRASHES) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			attack_watchdog_install();
			fn(policy, flags);
			progress->done = true;
			fflush(stdout);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid) {
			test_failed(__FILE__, __LINE__, "fork/wait failed");
			break;
		}
		if (!progress->done) {
			/* it died in strike progress->next: resume after */
			char key[160];

			snprintf(key, sizeof(key), "%s: crash",
				 progress->where_key);
			progress->crashes++;
			classify(key, progress->where);
			progress->next++;
		}
	}
	if (!strcmp(what, "exhaustive"))
		printf("# %s%s%s: %llu load points + %llu events = %llu strikes "
		       "(%d modes, %d aims), %llu failed (%llu crashed), most "
		       "loads in a clean call %llu (bound %llu), %.1fs\n",
		       mh_policy_name(policy), flags ? " poisoned" : "",
		       case_crowd ? " crowded" : "",
		       (unsigned long long)progress->points,
		       (unsigned long long)progress->events,
		       (unsigned long long)progress->total, AT_NR_MODES,
		       AIM_NR, (unsigned long long)progress->failures,
		       (unsigned long long)progress->crashes,
		       (unsigned long long)progress->most,
		       (unsigned long long)progress->bound, now() - t0);
	else
		printf("# %s%s random: MYHEAP_ATTACK_SEED=%lu, %llu rounds, "
		       "%llu ops, %llu attacker writes, %llu failed (%llu "
		       "crashed), %.1fs\n", mh_policy_name(policy),
		       flags ? " poisoned" : "", random_seed(),
		       (unsigned long long)progress->total,
		       (unsigned long long)progress->ops,
		       (unsigned long long)progress->writes,
		       (unsigned long long)progress->failures,
		       (unsigned long long)progress->crashes, now() - t0);
	if (!progress->done)
		test_failed(__FILE__, __LINE__, "gave up after %d crashes",
			    MAX_CRASHES);
	for (u32 i = 0; i < progress->nclasses; i++)
		printf("#   %llu x %s\n#     first: %s\n",
		       (unsigned long long)progress->classes[i].count,
		       progress->classes[i].key, progress->classes[i].first);
	if (progress->failures)
		test_failed(__FILE__, __LINE__, "%llu of %llu %s failed "
			    "(%llu crashed, %llu in classes not listed)",
			    (unsigned long long)progress->failures,
			    (unsigned long long)progress->total,
			    strcmp(what, "exhaustive") ? "rounds" : "strikes",
			    (unsigned long long)progress->crashes,
			    (unsigned long long)progress->unclassed);
	munmap(progress, sizeof(*progress));
	progress = NULL;
}

/* Does @ar fail @op with a failure of class @kind? */
static void expect_caught(struct arena *ar, const struct arena_op *op,
			  const char *kind)
{
	if (arena_op(ar, op))
		test_failed(__FILE__, __LINE__, "%s: not caught",
			    arena_op_name(op->kind));
	else if (!ar->kind || strcmp(ar->kind, kind))
		test_failed(__FILE__, __LINE__, "caught as %s (%s), not %s",
			    ar->kind ? ar->kind : "?", ar->why, kind);
}

/*
 * The harness can fail: a call past the load bound, a victim changed
 * behind the attacker's back, a control structure holding a value from
 * the region are each reported, as what they are.
 */
static void harness_catches_what_it_claims(enum mh_policy policy)
{
	struct arena_op check = { OP_CHECK, 0, 0 };
	struct arena ar;
	u64 bound;

	if (!arena_init(&ar, policy, region_for(policy), 0, 0)) {
		test_failed(__FILE__, __LINE__, "arena_init: %s", ar.why);
		arena_fini(&ar);
		return;
	}
	if (!arena_op(&ar, &check))
		test_failed(__FILE__, __LINE__, "clean check: %s", ar.why);
	bound = ar.att.call_bound;
	ar.att.call_bound = 3;
	expect_caught(&ar, &check, "load bound");
	arena_restore(&ar);
	ar.att.call_bound = bound;
	ar.region[ar.victim + 5] ^= 1;
	expect_caught(&ar, &check, "victim payload");
	arena_restore(&ar);
	ar.h.heads[0] = 3;
	expect_caught(&ar, &check, "control");
	arena_fini(&ar);
}

static void every_load_point(enum mh_policy policy)
{
	isolated(exhaustive, policy, 0, "exhaustive");
}

static void every_load_point_poisoned(enum mh_policy policy)
{
	isolated(exhaustive, policy, MH_INIT_POISON, "exhaustive");
}

/* Six more free blocks: longer list walks, more load points to strike. */
static void every_load_point_crowded(enum mh_policy policy)
{
	case_crowd = 6;
	isolated(exhaustive, policy, 0, "exhaustive");
	case_crowd = 0;
}

static void random_strikes(enum mh_policy policy)
{
	isolated(random_rounds, policy, 0, "random");
}

static void random_strikes_poisoned(enum mh_policy policy)
{
	isolated(random_rounds, policy, MH_INIT_POISON, "random");
}

#define FIT_POLICIES	(ONLY(MH_FIRST_FIT) | ONLY(MH_NEXT_FIT) | \
			 ONLY(MH_BEST_FIT) | ONLY(MH_WORST_FIT))

/*
 * The OSTEP knobs of the fit policies: every list order with and without
 * coalescing (the default pair aside, covered above), crowded so the
 * size-sorted and insert-back walks pass several nodes, and random rounds
 * with poisoning.
 */
static void every_knob(enum mh_policy policy)
{
	for (u32 order = 0; order < MH_NR_ORDERS; order++) {
		for (int c = 0; c < 2; c++) {
			if (order == MH_ORDER_ADDR && c)
				continue;
			arena_order = order;
			arena_coalesce = c;
			printf("# knobs %s %s\n", mh_order_name(order),
			       c ? "coalesce" : "no-coalesce");
			case_crowd = 6;
			isolated(exhaustive, policy, 0, "exhaustive");
			case_crowd = 0;
			isolated(random_rounds, policy, MH_INIT_POISON,
				 "random");
		}
	}
	arena_order = MH_ORDER_ADDR;
	arena_coalesce = true;
}

static const struct test_case cases[] = {
	TEST(harness_catches_what_it_claims, ALL_POLICIES),
	TEST(every_load_point, ALL_POLICIES),
	TEST(every_load_point_poisoned, ALL_POLICIES),
	TEST(every_load_point_crowded, ALL_POLICIES),
	TEST(random_strikes, ALL_POLICIES),
	TEST(random_strikes_poisoned, ALL_POLICIES),
	TEST(every_knob, FIT_POLICIES),
};

int main(void)
{
	attack_trace = env_or("MYHEAP_ATTACK_TRACE", 0);
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
