// SPDX-License-Identifier: GPL-2.0
/*
 * test_knobs.c - the fit policies' OSTEP knobs (list order, coalescing).
 *
 * The heart is a differential test against a reference model written the
 * way OSTEP's malloc.py describes the simulator: a free list as an array
 * of (address, size), searched first/next/best/worst, a split block's rest
 * keeping its place (re-sorted under the size orders), a freed block
 * merged with its address neighbours when coalescing and put where the
 * list order says. After every op of a seeded stream, for every fit
 * policy x order x coalescing, the core must have returned the offset (or
 * the error) the model predicts, examined as many blocks as the model
 * searched, and hold exactly the model's free list, in the model's order,
 * with next fit's rover on the model's block; mh_check() must be clean.
 *
 * SEED=n and OPS=n override the stream.
 */
#include <stdlib.h>
#include <string.h>

#include "mh_test.h"
#include "splitmix.h"

#define FIT_POLICIES	(ONLY(MH_FIRST_FIT) | ONLY(MH_NEXT_FIT) | \
			 ONLY(MH_BEST_FIT) | ONLY(MH_WORST_FIT))
#define REGION		8192u
#define MAX_FREE	(REGION / MH_MIN_BLOCK)
#define MAX_LIVE	256

struct entry {
	u32 off;	/* block (header) offset */
	u32 size;
};

/* The reference: malloc.py's free list, with the core's block sizes. */
struct ostep {
	enum mh_policy policy;
	u32 order;
	bool coalesce;
	struct entry list[MAX_FREE];
	u32 n;
	u32 rover;	/* next fit: the block it points at, 0 for none */
};

static bool sorts_before(u32 order, const struct entry *a,
			 const struct entry *b)
{
	switch (order) {
	case MH_ORDER_ADDR:
		return a->off < b->off;
	case MH_ORDER_SIZE_UP:
		return a->size < b->size ||
		       (a->size == b->size && a->off < b->off);
	case MH_ORDER_SIZE_DOWN:
		return a->size > b->size ||
		       (a->size == b->size && a->off < b->off);
	case MH_ORDER_FRONT:
		return true;
	default:
		return false;	/* insert-back: after everything */
	}
}

static void model_insert(struct ostep *o, struct entry e)
{
	u32 i = 0;

	while (i < o->n && !sorts_before(o->order, &e, &o->list[i]))
		i++;
	memmove(&o->list[i + 1], &o->list[i], (o->n - i) * sizeof(e));
	o->list[i] = e;
	o->n++;
}

/* Take entry @i off the list; a rover on it moves to the one after. */
static void model_remove(struct ostep *o, u32 i)
{
	if (o->rover == o->list[i].off)
		o->rover = i + 1 < o->n ? o->list[i + 1].off : 0;
	memmove(&o->list[i], &o->list[i + 1], (o->n - i - 1) * sizeof(o->list[0]));
	o->n--;
}

/* Entry @i becomes @e in the same place; a rover on it follows. */
static void model_replace(struct ostep *o, u32 i, struct entry e)
{
	if (o->rover == o->list[i].off)
		o->rover = e.off;
	o->list[i] = e;
}

static int model_find(const struct ostep *o, u32 need, u32 *examined)
{
	u32 start = 0, k, i;
	int pick = -1;

	*examined = 0;
	if (o->policy == MH_NEXT_FIT)
		for (i = 0; i < o->n; i++)
			if (o->list[i].off == o->rover)
				start = i;
	for (k = 0; k < o->n; k++) {
		i = (start + k) % o->n;
		(*examined)++;
		if (o->list[i].size < need)
			continue;
		if (o->policy == MH_FIRST_FIT || o->policy == MH_NEXT_FIT)
			return i;
		if (pick < 0 ||
		    (o->policy == MH_BEST_FIT ? o->list[i].size < o->list[pick].size
					      : o->list[i].size > o->list[pick].size))
			pick = i;
		if (o->policy == MH_BEST_FIT && o->list[i].size == need)
			break;
	}
	return pick;
}

/* Allocate a block of @need bytes: its offset, or 0 when nothing fits. */
static u32 model_alloc(struct ostep *o, u32 need, u32 *examined)
{
	int i = model_find(o, need, examined);
	struct entry f, rest;

	if (i < 0)
		return 0;
	f = o->list[i];
	rest = (struct entry){ f.off + need, f.size - need };
	if (rest.size < MH_MIN_BLOCK)
		rest.size = 0;	/* too small to stand alone: slack */
	if (o->policy == MH_NEXT_FIT)
		o->rover = f.off;
	if (o->order != MH_ORDER_SIZE_UP && o->order != MH_ORDER_SIZE_DOWN) {
		if (rest.size)
			model_replace(o, i, rest);
		else
			model_remove(o, i);
	} else {
		model_remove(o, i);
		if (rest.size)
			model_insert(o, rest);
	}
	return f.off;
}

static int model_index(const struct ostep *o, u32 off)
{
	u32 i;

	for (i = 0; i < o->n; i++)
		if (o->list[i].off == off)
			return i;
	return -1;
}

static void model_free(struct ostep *o, u32 blk, u32 size)
{
	struct entry e = { blk, size };
	int l = -1, r = -1;
	u32 i;

	if (o->coalesce) {
		for (i = 0; i < o->n; i++) {
			if (o->list[i].off + o->list[i].size == blk)
				l = i;
			if (o->list[i].off == blk + size)
				r = i;
		}
	}
	if (o->order == MH_ORDER_ADDR && (l >= 0 || r >= 0)) {
		/* the merged block takes its neighbours' place */
		if (l >= 0) {
			e = (struct entry){ o->list[l].off,
					    o->list[l].size + size };
			if (r >= 0) {
				e.size += o->list[r].size;
				model_replace(o, l, e);
				model_remove(o, r);
			} else {
				model_replace(o, l, e);
			}
		} else {
			e.size += o->list[r].size;
			model_replace(o, r, e);
		}
		return;
	}
	if (l >= 0) {
		e = (struct entry){ o->list[l].off, o->list[l].size + size };
		model_remove(o, l);
	}
	if (r >= 0) {
		r = model_index(o, blk + size);
		e.size += o->list[r].size;
		model_remove(o, r);
	}
	model_insert(o, e);
}

struct got_list {
	struct entry list[MAX_FREE];
	u32 n;
	u32 rover;
	bool overflow;
};

static int collect(void *arg, const struct mh_free_info *fi)
{
	struct got_list *g = arg;

	if (g->n == MAX_FREE) {
		g->overflow = true;
		return 1;
	}
	g->list[g->n++] = (struct entry){ fi->offset, fi->size };
	if (fi->rover)
		g->rover = fi->offset;
	return 0;
}

static const char *list_text(const struct entry *l, u32 n, char *buf,
			     size_t len)
{
	size_t at = 0;
	u32 i;

	buf[0] = 0;
	for (i = 0; i < n && at + 24 < len; i++)
		at += snprintf(buf + at, len - at, " %u:%u", l[i].off,
			       l[i].size);
	return buf;
}

/* Does the core's free list equal the model's? */
static bool same_list(struct fixture *f, const struct ostep *o,
		      const char *what)
{
	struct got_list g = { .n = 0 };
	char a[1024], b[1024];

	mh_walk_free(&f->h, collect, &g);
	if (g.overflow || g.n != o->n ||
	    memcmp(g.list, o->list, o->n * sizeof(o->list[0])) ||
	    (o->policy == MH_NEXT_FIT && g.rover != o->rover)) {
		test_failed(__FILE__, __LINE__,
			    "%s %s %s, %s: core [%s ] rover %u, model [%s ] rover %u",
			    mh_policy_name(o->policy), mh_order_name(o->order),
			    o->coalesce ? "coalesce" : "no-coalesce", what,
			    list_text(g.list, g.n, a, sizeof(a)), g.rover,
			    list_text(o->list, o->n, b, sizeof(b)), o->rover);
		return false;
	}
	return true;
}

static unsigned long env_or(const char *name, unsigned long fallback)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : fallback;
}

static struct fixture *knob_fixture(enum mh_policy policy, u32 order,
				    bool coalesce, unsigned int flags)
{
	struct fixture *f = fixture_new(policy, REGION, flags);

	if (f && !EXPECT_EQ(mh_set_knobs(&f->h, order, coalesce), 0))
		return NULL;
	return f;
}

/* One seeded alloc/free stream, checked against the model at every op. */
static bool stream(enum mh_policy policy, u32 order, bool coalesce, u64 seed,
		   unsigned long ops)
{
	struct fixture *f = knob_fixture(policy, order, coalesce,
					 MH_INIT_POISON);
	struct ostep o = { .policy = policy, .order = order,
			   .coalesce = coalesce };
	u32 live[MAX_LIVE], n = 0, payload, examined;
	struct got_list g = { .n = 0 };
	unsigned long i;
	u64 s = seed;
	char what[64];

	if (!f)
		return false;
	mh_walk_free(&f->h, collect, &g);
	memcpy(o.list, g.list, g.n * sizeof(g.list[0]));
	o.n = g.n;
	for (i = 0; i < ops; i++) {
		u64 r = splitmix64(&s);

		if (n < MAX_LIVE && (n == 0 || r % 100 < 55)) {
			size_t req = 1 + (r >> 8) % 400;
			u32 need = mh_block_size(&f->h, req), blk;
			u64 before = f->h.count.searched;
			int err = mh_alloc(&f->h, req, 0, 0, &payload);

			blk = model_alloc(&o, need, &examined);
			snprintf(what, sizeof(what), "op %lu alloc %zu", i,
				 req);
			if (!EXPECT_EQ(err, blk ? 0 : -ENOMEM) ||
			    (blk && !EXPECT_EQ(payload, blk + MH_HDR_SIZE)) ||
			    !EXPECT_EQ(f->h.count.searched - before, examined))
				goto fail;
			if (blk)
				live[n++] = payload;
		} else {
			u32 k = (r >> 8) % n, blk = live[k] - MH_HDR_SIZE;
			struct mh_block_info bi;

			snprintf(what, sizeof(what), "op %lu free %u", i,
				 live[k]);
			if (!EXPECT_EQ(mh_block_at(&f->h, blk, &bi), 0))
				goto fail;
			if (!EXPECT_EQ(mh_free(&f->h, live[k]), 0))
				goto fail;
			model_free(&o, blk, bi.size);
			live[k] = live[--n];
		}
		if (!same_list(f, &o, what) || !EXPECT_CLEAN(f))
			goto fail;
	}
	return true;
fail:
	test_failed(__FILE__, __LINE__, "SEED=%llu %s %s %s: %s",
		    (unsigned long long)seed, mh_policy_name(policy),
		    mh_order_name(order), coalesce ? "coalesce" : "no-coalesce",
		    what);
	return false;
}

/* Every order, with and without coalescing, against the model. */
static void matches_the_ostep_model(enum mh_policy policy)
{
	unsigned long ops = env_or("OPS", 3000);
	u32 order;
	int c;

	for (order = 0; order < MH_NR_ORDERS; order++)
		for (c = 0; c < 2; c++)
			if (!stream(policy, order, c, env_or("SEED", 17 + order * 31 +
							    c + policy * 1000),
				    ops))
				return;
}

/* Free every block of a heap cut into @n blocks of @size bytes. */
static void cut_and_free(struct fixture *f, u32 *off, int n, size_t size)
{
	int i;

	for (i = 0; i < n; i++)
		off[i] = ALLOC(f, size);
	for (i = 0; i < n; i++)
		EXPECT_EQ(mh_free(&f->h, off[i]), 0);
}

static u32 free_blocks(struct fixture *f)
{
	struct got_list g = { .n = 0 };

	mh_walk_free(&f->h, collect, &g);
	return g.n;
}

/*
 * Coalescing off: freed neighbours stay apart (and mh_check() accepts
 * them), so a request the whole heap could hold fails: OSTEP's point.
 */
static void no_coalesce_fragments(enum mh_policy policy)
{
	struct fixture *f = knob_fixture(policy, MH_ORDER_ADDR, false, 0);
	u32 off[15], got;
	struct mh_stats st;

	ASSERT(f);
	mh_stats(&f->h, &st);
	cut_and_free(f, off, 15, 500);
	EXPECT_CLEAN(f);
	EXPECT(free_blocks(f) >= 15);
	EXPECT_EQ(mh_alloc(&f->h, 4000, 0, 0, &got), -ENOMEM);
	EXPECT_EQ(f->h.count.coalesces, 0);

	/* the same with coalescing: one block again, and the request fits */
	ASSERT_EQ(mh_set_knobs(&f->h, MH_ORDER_ADDR, true), 0);
	cut_and_free(f, off, 15, 500);
	EXPECT_EQ(free_blocks(f), 1);
	EXPECT_EQ(mh_alloc(&f->h, 4000, 0, 0, &got), 0);
}

/* The knobs are set on an empty heap only, and only where they exist. */
static void knob_rules(enum mh_policy policy)
{
	struct fixture *f = fixture_new(policy, REGION, 0);
	u32 a;

	ASSERT(f);
	EXPECT_EQ(f->h.list_order, MH_ORDER_ADDR);
	EXPECT(!f->h.no_coalesce);
	EXPECT_FAILS_CLEANLY(f, mh_set_knobs(&f->h, MH_NR_ORDERS, true),
			     -EINVAL);
	if (!mh_policy_has_knobs(policy)) {
		EXPECT_FAILS_CLEANLY(f, mh_set_knobs(&f->h, MH_ORDER_FRONT,
						     true), -EINVAL);
		EXPECT_FAILS_CLEANLY(f, mh_set_knobs(&f->h, MH_ORDER_ADDR,
						     false), -EINVAL);
		EXPECT_EQ(mh_set_knobs(&f->h, MH_ORDER_ADDR, true), 0);
		return;
	}
	ASSERT_EQ(mh_set_knobs(&f->h, MH_ORDER_SIZE_DOWN, false), 0);
	EXPECT_EQ(f->h.list_order, MH_ORDER_SIZE_DOWN);
	EXPECT(f->h.no_coalesce);
	a = ALLOC(f, 100);
	EXPECT_FAILS_CLEANLY(f, mh_set_knobs(&f->h, MH_ORDER_FRONT, true),
			     -EBUSY);
	EXPECT_EQ(mh_free(&f->h, a), 0);
	/* a reset keeps them; a policy change goes back to the defaults */
	EXPECT_EQ(mh_reset(&f->h, policy), 0);
	EXPECT_EQ(f->h.list_order, MH_ORDER_SIZE_DOWN);
	EXPECT(f->h.no_coalesce);
	EXPECT_EQ(mh_set_policy(&f->h, policy), 0);
	EXPECT_EQ(f->h.list_order, MH_ORDER_ADDR);
	EXPECT(!f->h.no_coalesce);
	/* a reset to a policy without knobs drops them */
	ASSERT_EQ(mh_set_knobs(&f->h, MH_ORDER_BACK, false), 0);
	EXPECT_EQ(mh_reset(&f->h, MH_SEGREGATED), 0);
	EXPECT_EQ(f->h.list_order, MH_ORDER_ADDR);
	EXPECT(!f->h.no_coalesce);
	EXPECT_EQ(mh_check_control(&f->h, NULL), 0);
}

/* One name table: every order's name parses back to it. */
static void order_names(enum mh_policy policy)
{
	u32 order;

	(void)policy;
	for (order = 0; order < MH_NR_ORDERS; order++)
		EXPECT_EQ(mh_order_parse(mh_order_name(order)), order);
	EXPECT_EQ(mh_order_parse("sizesort+\n"), MH_ORDER_SIZE_UP);
	EXPECT_EQ(mh_order_parse("sizesort"), -EINVAL);
	EXPECT(!strcmp(mh_order_name(MH_NR_ORDERS), "unknown"));
}

/*
 * The checker knows the order: a list sorted smallest-first is damage
 * when the heap says largest-first; with coalescing on, touching free
 * blocks are damage again.
 */
static void checker_knows_the_knobs(enum mh_policy policy)
{
	struct fixture *f = knob_fixture(policy, MH_ORDER_SIZE_UP, false, 0);
	struct mh_violation v;
	u32 a, b, c, d;

	ASSERT(f);
	a = ALLOC(f, 100);
	b = ALLOC(f, 300);
	c = ALLOC(f, 200);
	d = ALLOC(f, 40);
	EXPECT_EQ(mh_free(&f->h, a), 0);
	EXPECT_EQ(mh_free(&f->h, b), 0);
	EXPECT_EQ(mh_free(&f->h, c), 0);
	EXPECT_CLEAN(f);
	f->h.list_order = MH_ORDER_SIZE_DOWN;
	EXPECT(mh_check(&f->h, &v) > 0);
	EXPECT_EQ(v.kind, MH_V_LINK);
	f->h.list_order = MH_ORDER_SIZE_UP;
	f->h.no_coalesce = false;
	EXPECT(mh_check(&f->h, &v) > 0);
	EXPECT_EQ(v.kind, MH_V_ADJACENT_FREE);
	f->h.no_coalesce = true;
	EXPECT_CLEAN(f);
	EXPECT_EQ(mh_free(&f->h, d), 0);
	EXPECT_CLEAN(f);
}

/*
 * Realloc under every knob: growing into a free neighbour and shrinking
 * put the rest where the order says (the checker verifies the order).
 */
static void realloc_keeps_the_order(enum mh_policy policy)
{
	u32 order, a, b, c, n;
	int co;

	for (order = 0; order < MH_NR_ORDERS; order++) {
		for (co = 0; co < 2; co++) {
			struct fixture *f = knob_fixture(policy, order, co, 0);

			ASSERT(f);
			a = ALLOC(f, 200);
			b = ALLOC(f, 600);
			c = ALLOC(f, 64);
			ALLOC(f, 32);
			EXPECT_EQ(mh_free(&f->h, b), 0);
			EXPECT_EQ(mh_free(&f->h, c), 0);
			EXPECT_EQ(mh_realloc(&f->h, a, 400, &n), 0);
			EXPECT_EQ(n, a);	/* grew into b's space */
			EXPECT_CLEAN(f);
			EXPECT_EQ(mh_realloc(&f->h, a, 50, &n), 0);
			EXPECT_EQ(n, a);
			EXPECT_CLEAN(f);
			EXPECT_EQ(mh_alloc(&f->h, 100, 256, 0, &n), 0);
			EXPECT_EQ(n % 256, 0);
			EXPECT_CLEAN(f);
		}
	}
}

static const struct test_case cases[] = {
	TEST(matches_the_ostep_model, FIT_POLICIES),
	TEST(no_coalesce_fragments, FIT_POLICIES),
	TEST(knob_rules, ALL_POLICIES),
	TEST(order_names, ONLY(MH_FIRST_FIT)),
	TEST(checker_knows_the_knobs, FIT_POLICIES),
	TEST(realloc_keeps_the_order, FIT_POLICIES),
};

int main(void)
{
	return run_tests(cases, sizeof(cases) / sizeof(cases[0]));
}
