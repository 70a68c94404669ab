// SPDX-License-Identifier: GPL-2.0
/*
 * myheap_bench.ko - the allocator core against the kernel's own allocators,
 * timed in one boot: kmalloc/kfree (the floor) and gen_pool from
 * lib/genalloc.c (the in-tree allocator for carving a region).
 *
 * It calls the core that myheap.ko ships (the symbols myheap.ko exports in
 * the MYHEAP_CORE namespace), on a heap of its own: no device, no ioctl,
 * no ownership, so the figures are the core's own cost. For each live count
 * it fills that many blocks of random sizes (16..512 bytes, one seeded
 * stream for every allocator), then times steady-state pairs: free a random
 * live block, allocate a new random size in its place. Each figure is the
 * median of @reps runs of @pairs pairs. Results go to the kernel log, one
 * JSON object a line prefixed "myheap_bench: ", for tests/bench/run to
 * collect; loading does the work and then stays loaded doing nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/genalloc.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "mh_core.h"

#define BENCH_MIN_SIZE		16u
#define BENCH_MAX_SIZE		512u
#define BENCH_MAX_REPS		15
#define BENCH_MAX_LIVES		8
/* Room for the largest live count at the largest size, headers included. */
#define BENCH_REGION		(128u << 20)

static unsigned int live[BENCH_MAX_LIVES] = { 1024, 16384, 65536 };
static int nr_live = 3;
module_param_array(live, uint, &nr_live, 0444);
MODULE_PARM_DESC(live, "live block counts to measure at (default 1024,16384,65536)");

static unsigned int pairs = 20000;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "free+alloc pairs per timed run (default 20000)");

static unsigned int cap_ms = 1000;
module_param(cap_ms, uint, 0444);
MODULE_PARM_DESC(cap_ms, "a timed run stops after this long; its figure is then a lower bound (default 1000)");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "timed runs per figure; the median is reported (default 5)");

/**
 * enum bench_kind - the allocators compared.
 * @BENCH_CORE: the myheap core, segregated fit (the module's default).
 * @BENCH_KMALLOC: kmalloc()/kfree().
 * @BENCH_GENPOOL: gen_pool_alloc()/gen_pool_free() over one region.
 * @BENCH_NR_KINDS: number of kinds.
 */
enum bench_kind { BENCH_CORE, BENCH_KMALLOC, BENCH_GENPOOL, BENCH_NR_KINDS };

static const char *const bench_name[BENCH_NR_KINDS] = {
	[BENCH_CORE] = "core-segregated",
	[BENCH_KMALLOC] = "kmalloc",
	[BENCH_GENPOOL] = "gen_pool",
};

/**
 * struct bench - one allocator's state during a measurement.
 * @kind: which allocator.
 * @heap: the core's control structure (BENCH_CORE).
 * @region: the core's region, or the pool's memory (BENCH_GENPOOL).
 * @starts: the core's block-start bitmap (BENCH_CORE).
 * @pool: the gen_pool (BENCH_GENPOOL).
 * @addr: live blocks: payload offset (core) or address.
 * @size: live blocks: requested size (gen_pool_free needs it).
 * @rng: the random stream.
 */
struct bench {
	enum bench_kind kind;
	struct mh_heap heap;
	void *region;
	unsigned long *starts;
	struct gen_pool *pool;
	unsigned long *addr;
	u32 *size;
	u64 rng;
};

static u32 bench_random(struct bench *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return (u32)b->rng;
}

static bool bench_take(struct bench *b, u32 slot)
{
	u32 size = BENCH_MIN_SIZE +
		   bench_random(b) % (BENCH_MAX_SIZE - BENCH_MIN_SIZE + 1);
	u32 off;
	void *p;

	b->size[slot] = size;
	switch (b->kind) {
	case BENCH_CORE:
		if (mh_alloc(&b->heap, size, 0, 0, &off))
			return false;
		b->addr[slot] = off;
		return true;
	case BENCH_KMALLOC:
		p = kmalloc(size, GFP_KERNEL);
		b->addr[slot] = (unsigned long)p;
		return p;
	default:
		b->addr[slot] = gen_pool_alloc(b->pool, size);
		return b->addr[slot];
	}
}

static void bench_give(struct bench *b, u32 slot)
{
	switch (b->kind) {
	case BENCH_CORE:
		mh_free(&b->heap, b->addr[slot]);
		break;
	case BENCH_KMALLOC:
		kfree((void *)b->addr[slot]);
		break;
	default:
		gen_pool_free(b->pool, b->addr[slot], b->size[slot]);
		break;
	}
}

/* Slot @empty lost its block: move the last live one, @last, into it. */
static void bench_swap_out(struct bench *b, u32 empty, u32 last)
{
	b->addr[empty] = b->addr[last];
	b->size[empty] = b->size[last];
}

static int bench_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return (x > y) - (x < y);
}

static int bench_setup(struct bench *b)
{
	switch (b->kind) {
	case BENCH_CORE:
		return mh_init(&b->heap, b->region, BENCH_REGION, MH_SEGREGATED,
			       0, b->starts);
	case BENCH_GENPOOL:
		/* 16-byte granules, as the core's; first fit, its default. */
		b->pool = gen_pool_create(ilog2(BENCH_MIN_SIZE), NUMA_NO_NODE);
		if (!b->pool)
			return -ENOMEM;
		return gen_pool_add(b->pool, (unsigned long)b->region,
				    BENCH_REGION, NUMA_NO_NODE);
	default:
		return 0;
	}
}

static void bench_teardown(struct bench *b)
{
	if (b->pool)
		gen_pool_destroy(b->pool);
	b->pool = NULL;
}

/*
 * Fill @n blocks, time @reps runs of @pairs pairs; median ns per pair. A run
 * cut short by cap_ms ends the measurement and sets @capped: the pairs done
 * so far ran while the heap was still getting worse, so the figure is a
 * lower bound.
 */
static int bench_measure(struct bench *b, u32 n, u64 *ns_per_pair,
			 bool *capped)
{
	u64 per[BENCH_MAX_REPS], cap_ns = (u64)cap_ms * NSEC_PER_MSEC;
	unsigned int r, i, filled = 0, runs = reps;
	int ret;

	b->rng = 0x5eed0000u + n;
	ret = bench_setup(b);
	if (ret)
		goto out;
	for (; filled < n; filled++) {
		if (!bench_take(b, filled)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	*capped = false;
	for (r = 0; r < runs; r++) {
		u64 start = ktime_get_ns(), elapsed = 0;

		for (i = 0; i < pairs && elapsed <= cap_ns; i++) {
			u32 slot = bench_random(b) % n;

			bench_give(b, slot);
			if (!bench_take(b, slot)) {
				ret = -ENOMEM;
				bench_swap_out(b, slot, --filled);
				goto out;
			}
			if ((i & 63) == 63)
				elapsed = ktime_get_ns() - start;
		}
		per[r] = div_u64(ktime_get_ns() - start, i);
		cond_resched();
		if (i < pairs) {
			*capped = true;
			runs = r + 1;
		}
	}
	sort(per, runs, sizeof(per[0]), bench_cmp_u64, NULL);
	*ns_per_pair = per[runs / 2];
out:
	while (filled)
		bench_give(b, --filled);
	bench_teardown(b);
	return ret;
}

static int __init myheap_bench_init(void)
{
	struct bench *b;
	int k, i, ret = 0;

	if (!reps || reps > BENCH_MAX_REPS || !pairs || nr_live < 1)
		return -EINVAL;
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->region = vmalloc(BENCH_REGION);
	b->starts = kvzalloc(mh_starts_bytes(BENCH_REGION), GFP_KERNEL);
	b->addr = kvcalloc(1u << 20, sizeof(*b->addr), GFP_KERNEL);
	b->size = kvcalloc(1u << 20, sizeof(*b->size), GFP_KERNEL);
	if (!b->region || !b->starts || !b->addr || !b->size) {
		ret = -ENOMEM;
		goto free;
	}
	for (i = 0; i < nr_live; i++) {
		if (!live[i] || live[i] > (1u << 20)) {
			ret = -EINVAL;
			goto free;
		}
		for (k = 0; k < BENCH_NR_KINDS; k++) {
			bool capped = false;
			u64 ns = 0;
			int err;

			b->kind = k;
			err = bench_measure(b, live[i], &ns, &capped);
			pr_info("{\"allocator\":\"%s\",\"live\":%u,\"ok\":%s,\"ns_per_pair\":%llu,\"lower_bound\":%s,\"error\":%d}\n",
				bench_name[k], live[i], err ? "false" : "true",
				ns, capped ? "true" : "false", err);
		}
	}
free:
	kvfree(b->size);
	kvfree(b->addr);
	kvfree(b->starts);
	vfree(b->region);
	kfree(b);
	return ret;
}

static void __exit myheap_bench_exit(void)
{
}

module_init(myheap_bench_init);
module_exit(myheap_bench_exit);

MODULE_IMPORT_NS(MYHEAP_CORE);
MODULE_DESCRIPTION("myheap core against kmalloc and gen_pool, timed in the kernel");
MODULE_LICENSE("GPL");
