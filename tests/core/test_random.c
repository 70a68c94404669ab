// SPDX-License-Identifier: GPL-2.0
/*
 * test_random.c - the randomized differential test: long seeded streams
 * of alloc (skewed sizes, some aligned, some ZERO), free and realloc run
 * against the reference model of heap_model.c, which after EVERY op checks
 * that no two live blocks overlap, every payload is intact, mh_check() is
 * clean and the statistics agree with the model. Every policy, with and
 * without poisoning.
 *
 * SEED=n and OPS=n override the defaults; a failure prints the seed, the
 * policy and the op number, so SEED=<seed> TEST_FILTER=... replays it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "heap_model.h"
#include "mh_test.h"
#include "splitmix.h"

#define REGION		(128u << 10)
#define MAX_LIVE	4096

/* Mostly small, sometimes large: the shape of real allocation traces. */
static size_t random_size(u64 *s)
{
	u64 r = splitmix64(s), kind = r % 100;

	r >>= 8;
	if (kind < 60)
		return 1 + r % 64;
	if (kind < 85)
		return 65 + r % 448;
	if (kind < 97)
		return 513 + r % 3584;
	return 4097 + r % 12288;
}

static size_t random_align(u64 *s, enum mh_policy policy)
{
	u64 r = splitmix64(s);

	if (r % 10)
		return 0;
	/* buddy takes alignments up to 16 only (see test_ops.c) */
	return (size_t)1 << ((r >> 8) % (policy == MH_BUDDY ? 5 : 13));
}

static unsigned long env_or(const char *name, unsigned long fallback)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : fallback;
}

/* One seeded stream; false (with the reason printed) at the first mismatch. */
static bool run_stream(enum mh_policy policy, unsigned int flags, u32 order,
		       bool coalesce, u64 seed, unsigned long ops)
{
	struct fixture *f = fixture_new(policy, REGION, flags);
	struct heap_model m;
	u64 s = seed;
	bool ok = true;
	unsigned long i;

	if (!f || (mh_policy_has_knobs(policy) &&
		   mh_set_knobs(&f->h, order, coalesce)) ||
	    !model_init(&m, &f->h, f->region, REGION, MAX_LIVE, true))
		return false;
	for (i = 0; ok && i < ops; i++) {
		/* alternate filling and draining phases of 1000 ops */
		bool filling = (i / 1000) % 2 == 0;
		u64 r = splitmix64(&s) % 100;
		u64 pick = splitmix64(&s);

		if (m.n == 0 || r < (filling ? 55u : 30u)) {
			unsigned int zero = splitmix64(&s) % 10 ? 0 :
					    MH_ALLOC_ZERO;

			ok = model_alloc(&m, random_size(&s),
					 random_align(&s, policy), zero);
		} else if (r < 85) {
			ok = model_free(&m, pick % m.n);
		} else {
			ok = model_realloc(&m, pick % m.n, random_size(&s));
		}
		ok = ok && model_verify(&m);
	}
	while (ok && m.n)
		ok = model_free(&m, m.n - 1) && model_verify(&m);
	if (ok && !mh_empty(&f->h)) {
		snprintf(m.why, sizeof(m.why), "not empty after freeing all");
		ok = false;
	}
	if (!ok)
		test_failed(__FILE__, __LINE__,
			    "SEED=%llu policy %s %s %s flags %#x, op %lu: %s",
			    (unsigned long long)seed, mh_policy_name(policy),
			    mh_order_name(order),
			    coalesce ? "coalesce" : "no-coalesce", flags, i,
			    m.why);
	model_fini(&m);
	return ok;
}

static void differential(enum mh_policy policy, unsigned int flags)
{
	u64 seed = env_or("SEED", 20240601u + policy * 7919u + flags);

	run_stream(policy, flags, MH_ORDER_ADDR, true, seed,
		   env_or("OPS", 6000));
}

static void differential_poisoned(enum mh_policy policy)
{
	differential(policy, MH_INIT_POISON);
}

static void differential_plain(enum mh_policy policy)
{
	differential(policy, 0);
}

/*
 * The fit policies under every list order, with and without coalescing
 * (mh_set_knobs()): the same streams and the same model checks (the
 * placement itself is test_knobs.c's, against OSTEP's model).
 */
static void differential_knobs(enum mh_policy policy)
{
	u64 seed = env_or("SEED", 20261202u + policy * 7919u);
	unsigned long ops = env_or("OPS", 6000) / 3;
	u32 order;
	int c;

	for (order = 0; order < MH_NR_ORDERS; order++)
		for (c = 0; c < 2; c++)
			if (!run_stream(policy, MH_INIT_POISON, order, c,
					seed + order * 2 + c, ops))
				return;
}

static const struct test_case cases[] = {
	TEST(differential_poisoned, ALL_POLICIES),
	TEST(differential_plain, ALL_POLICIES),
	TEST(differential_knobs, ONLY(MH_FIRST_FIT) | ONLY(MH_NEXT_FIT) |
				 ONLY(MH_BEST_FIT) | ONLY(MH_WORST_FIT)),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
