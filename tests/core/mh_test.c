// SPDX-License-Identifier: GPL-2.0
/*
 * mh_test.c - the TAP runner and fixtures behind mh_test.h.
 *
 * Output is TAP 13: "ok N - case policy" per (case, policy), diagnostics
 * as "# " lines, the plan "1..N" last. tests/core/tap-count turns a missing
 * plan (a crash) into a failure, so a dead binary never looks like a pass.
 * TEST_FILTER=substring runs only the matching cases (a debugging aid).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mh_test.h"
#include "pattern.h"

static int case_failures;
static const char *case_name;
static const char *case_policy;

/* Managed allocations of the running case, freed when it ends. */
struct managed {
	struct managed *next;
	max_align_t data[];
};
static struct managed *managed;

void *test_malloc(size_t size)
{
	struct managed *m = calloc(1, sizeof(*m) + size);

	if (!m) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	m->next = managed;
	managed = m;
	return m->data;
}

static void release_managed(void)
{
	while (managed) {
		struct managed *m = managed;

		managed = m->next;
		free(m);
	}
}

void test_failed(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	case_failures++;
	printf("# %s [%s] %s:%d: ", case_name, case_policy, file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int run_tests(const struct test_case *cases, size_t n)
{
	const char *filter = getenv("TEST_FILTER");
	int number = 0, failed = 0;

	printf("TAP version 13\n");
	for (size_t i = 0; i < n; i++) {
		if (filter && !strstr(cases[i].name, filter))
			continue;
		for (int p = 0; p < MH_NR_POLICIES; p++) {
			if (!(cases[i].policies & POLICY_BIT(p)))
				continue;
			case_name = cases[i].name;
			case_policy = mh_policy_name(p);
			case_failures = 0;
			cases[i].run(p);
			release_managed();
			failed += case_failures > 0;
			printf("%sok %d - %s %s\n", case_failures ? "not " : "",
			       ++number, case_name, case_policy);
			fflush(stdout);
		}
	}
	printf("1..%d\n", number);
	return failed ? 1 : 0;
}

struct fixture *fixture_new(enum mh_policy policy, size_t size,
			    unsigned int flags)
{
	struct fixture *f = test_malloc(sizeof(*f));
	int r;

	/* exact size and no slack, so ASan flags any access past the end */
	f->region = test_malloc(size);
	f->size = size;
	f->starts = test_malloc(mh_starts_bytes(size));
	r = mh_init(&f->h, f->region, size, policy, flags, f->starts);
	if (r) {
		test_failed(__FILE__, __LINE__, "mh_init(%zu, %s, %#x) = %d",
			    size, mh_policy_name(policy), flags, r);
		return NULL;
	}
	return f;
}

u32 alloc_ok(struct fixture *f, size_t size, size_t align, unsigned int flags,
	     const char *file, int line)
{
	u32 off = 0;
	int r = mh_alloc(&f->h, size, align, flags, &off);

	if (r) {
		test_failed(file, line, "mh_alloc(%zu, %zu, %#x) = %d", size,
			    align, flags, r);
		return 0;
	}
	return off;
}

struct layout_buf {
	char *s;
	size_t len;
	size_t cap;
};

static int describe_block(void *arg, const struct mh_block_info *b)
{
	struct layout_buf *l = arg;

	l->len += snprintf(l->s + l->len, l->cap - l->len, "%s%s%u",
			   l->len ? " " : "",
			   b->status != MH_BLOCK_OK ? "X" : b->used ? "U" : "F",
			   b->size);
	return l->len >= l->cap - 1;
}

const char *layout(struct fixture *f)
{
	struct layout_buf l = { .cap = 8192 };

	l.s = test_malloc(l.cap);
	mh_walk(&f->h, describe_block, &l);
	return l.s;
}

/* Does block token @got ("U48") match the wanted token @want ("U48", "U*")? */
static bool token_matches(const char *got, size_t got_len, const char *want,
			  size_t want_len)
{
	if (want_len == 2 && want[1] == '*')
		return got[0] == want[0];
	return got_len == want_len && !memcmp(got, want, got_len);
}

bool layout_is(struct fixture *f, const char *want, const char *file,
	       int line)
{
	const char *got = layout(f), *g = got, *w = want;
	bool same = true;

	while (same && (*g || *w)) {
		size_t gl = strcspn(g, " "), wl = strcspn(w, " ");

		same = gl && wl && token_matches(g, gl, w, wl);
		g += gl + (g[gl] == ' ');
		w += wl + (w[wl] == ' ');
	}
	if (!same)
		test_failed(file, line, "layout \"%s\", want \"%s\"", got, want);
	return check_clean(f, file, line) && same;
}

bool check_clean(struct fixture *f, const char *file, int line)
{
	struct mh_violation v = { 0 };
	int r = mh_check(&f->h, &v);

	if (r)
		test_failed(file, line, "mh_check = %d: %s at %u", r,
			    mh_violation_name(v.kind), v.offset);
	return r == 0;
}

bool three_setup(struct three *t, enum mh_policy policy, unsigned int flags)
{
	t->f = fixture_new(policy, 64u << 10, flags);
	if (!t->f)
		return false;
	t->a = ALLOC(t->f, 100);
	t->b = ALLOC(t->f, 200);
	t->c = ALLOC(t->f, 300);
	if (!t->a || !t->b || !t->c)
		return false;
	pattern_fill(t->f->region + t->a, 0, 100, 1);
	pattern_fill(t->f->region + t->b, 0, 200, 2);
	pattern_fill(t->f->region + t->c, 0, 300, 3);
	return EXPECT_CLEAN(t->f);
}

void expect_three_intact(struct three *t)
{
	EXPECT_EQ(pattern_check(t->f->region + t->a, 100, 1), 100);
	EXPECT_EQ(pattern_check(t->f->region + t->b, 200, 2), 200);
	EXPECT_EQ(pattern_check(t->f->region + t->c, 300, 3), 300);
	EXPECT_CLEAN(t->f);
}

struct heap_snapshot *snapshot(struct fixture *f)
{
	struct heap_snapshot *s = test_malloc(sizeof(*s));
	u8 *copy = test_malloc(f->size + mh_starts_bytes(f->size));

	snapshot_take(s, &f->h, f->region, f->size, copy);
	return s;
}
