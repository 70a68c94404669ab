/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mh_test.h - the few macros and helpers the native unit tests share: a TAP
 * runner that runs each case once per policy, EXPECT/ASSERT, a heap fixture
 * in an exact-size malloc'd region (so ASan sees any access outside it), and
 * layout assertions over mh_walk().
 *
 * EXPECT_* records a failure and goes on; ASSERT_* records it and returns
 * from the test function (use it when the rest of the case depends on it).
 */
#ifndef MH_TEST_H
#define MH_TEST_H

#include <stdio.h>

#include "heap_snapshot.h"
#include "mh_core.h"

#define POLICY_BIT(p)	(1u << (p))
#define ALL_POLICIES	((1u << MH_NR_POLICIES) - 1)
#define NOT_BUDDY	(ALL_POLICIES & ~POLICY_BIT(MH_BUDDY))
#define ONLY(p)		POLICY_BIT(p)
/* Policies with the TLSF lists and bitmaps (pools: for all but slots). */
#define SEG_LISTS(p)	((p) == MH_SEGREGATED || (p) == MH_POOLS)

/**
 * struct test_case - one test function and the policies it runs under;
 * every (function, policy) pair is one TAP test.
 */
struct test_case {
	const char *name;
	void (*run)(enum mh_policy policy);
	unsigned int policies;
};

#define TEST(fn, policies) { #fn, fn, policies }

/* Run every case under each of its policies; exit status for main(). */
int run_tests(const struct test_case *cases, size_t n);

void test_failed(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define EXPECT(cond) \
	((cond) ? true : (test_failed(__FILE__, __LINE__, "%s", #cond), false))

#define EXPECT_EQ(a, b) ({ \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) \
		test_failed(__FILE__, __LINE__, "%s == %s: %lld != %lld", \
			    #a, #b, a_, b_); \
	a_ == b_; })

#define ASSERT(cond)		do { if (!EXPECT(cond)) return; } while (0)
#define ASSERT_EQ(a, b)		do { if (!EXPECT_EQ(a, b)) return; } while (0)

/**
 * struct fixture - a heap over its own exact-size region; released by the
 * runner after each case, so an ASSERT that returns early leaks nothing.
 */
struct fixture {
	struct mh_heap h;
	u8 *region;
	size_t size;
	unsigned long *starts;
};

/* A fresh heap (NULL, with the failure recorded, if mh_init() fails). */
struct fixture *fixture_new(enum mh_policy policy, size_t size,
			    unsigned int flags);

/* Memory freed by the runner after the case. */
void *test_malloc(size_t size);

/* Payload offset of a successful mh_alloc(), 0 after a recorded failure. */
u32 alloc_ok(struct fixture *f, size_t size, size_t align, unsigned int flags,
	     const char *file, int line);
#define ALLOC(f, size)	alloc_ok(f, size, 0, 0, __FILE__, __LINE__)

/* The layout as "U48 F32 U64 F12345": state and size of every block. */
const char *layout(struct fixture *f);

/*
 * Layouts compare token by token; "F*" or "U*" in @want matches any size.
 * Also runs mh_check(), which must be clean.
 */
bool layout_is(struct fixture *f, const char *want, const char *file,
	       int line);
#define EXPECT_LAYOUT(f, want)	layout_is(f, want, __FILE__, __LINE__)

/* mh_check() == 0 on @f, recording the violation otherwise. */
bool check_clean(struct fixture *f, const char *file, int line);
#define EXPECT_CLEAN(f)		check_clean(f, __FILE__, __LINE__)

/*
 * struct three - a 64 KiB heap with three live blocks a, b, c (100, 200
 * and 300 bytes, in that address order), payloads patterned with tags 1,
 * 2 and 3: the starting point of the error and damage tests.
 */
struct three {
	struct fixture *f;
	u32 a, b, c;
};

/*
 * Set @t up under @policy with mh_init() @flags, checked clean; false (with
 * the failure recorded) if any of it fails.
 */
bool three_setup(struct three *t, enum mh_policy policy, unsigned int flags);

/* Record a failure unless a, b and c still hold their patterns and @t's
 * heap checks clean.
 */
void expect_three_intact(struct three *t);

/* Snapshot of @f into managed memory (region bytes included). */
struct heap_snapshot *snapshot(struct fixture *f);

/* Run @call, store its result in @r, and record any change it made to @f. */
#define CALL_UNCHANGED(f, r, call) do { \
	struct heap_snapshot *s_ = snapshot(f); \
	const char *changed_; \
	(r) = (call); \
	changed_ = snapshot_diff(s_, &(f)->h); \
	if (changed_) \
		test_failed(__FILE__, __LINE__, "%s changed the heap: %s", \
			    #call, changed_); \
	} while (0)

/* @call must return exactly @err and leave @f as it was. */
#define EXPECT_FAILS_CLEANLY(f, call, err) do { \
	long long r__; \
	CALL_UNCHANGED(f, r__, call); \
	EXPECT_EQ(r__, err); \
	} while (0)

/* Block size the non-buddy policies give a request of @size bytes. */
static inline u32 block_for(size_t size)
{
	u32 need = (u32)((size + MH_HDR_SIZE + MH_ALIGN - 1) & ~(MH_ALIGN - 1));

	return need < MH_MIN_BLOCK ? MH_MIN_BLOCK : need;
}

/*
 * Buddy blocks are aligned to their own size counted back from the heap's
 * end (mh_buddy.c: small blocks then sit low). Distance of the end of block
 * [@blk, @blk + @size) from the heap's end, and the buddy's block offset.
 */
static inline u32 buddy_rel(struct fixture *f, u32 blk, u32 size)
{
	struct mh_stats st;

	mh_stats(&f->h, &st);
	return (u32)(st.heap_size + MH_HDR_SIZE) - blk - size;
}

static inline u32 buddy_of(struct fixture *f, u32 blk, u32 size)
{
	return blk + buddy_rel(f, blk, size) - (buddy_rel(f, blk, size) ^ size);
}

#endif /* MH_TEST_H */
