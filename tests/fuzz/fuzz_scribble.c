// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_scribble.c - libFuzzer target: build a heap with some blocks, then
 * overwrite bytes of the region with the fuzzer's data (as a process that
 * maps the region could), then run every operation and every reader on
 * the damaged heap, with offsets that are also the fuzzer's.
 *
 * The core must never crash, hang (libFuzzer's -timeout), or touch memory
 * outside the region: the region is its own malloc'd buffer of the exact
 * size, so ASan reports any access beyond it. Every call must return 0 or
 * a documented errno, and whatever it hands out must lie in the region.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "mh_core.h"

#define MAX_OPS		256

static size_t region_size;

static void fail(const char *what, long long value)
{
	fprintf(stderr, "fuzz_scribble: %s (%lld)\n", what, value);
	abort();
}

static void expect_documented(int r, const char *call)
{
	switch (r) {
	case 0: case -EINVAL: case -E2BIG: case -EDOM: case -ENOMEM:
	case -ENXIO: case -EBADMSG: case -EALREADY: case -EUCLEAN:
		return;
	default:
		fail(call, r);
	}
}

/* A payload handed out must lie in the region; writing it proves it. */
static void use_payload(u8 *region, u32 off, size_t size)
{
	if (off < MH_ALIGN || off > region_size || size > region_size - off)
		fail("payload outside the region", off);
	memset(region + off, 0xa5, size);
}

static int on_block(void *arg, const struct mh_block_info *b)
{
	u32 *count = arg;

	if ((u64)b->offset + b->size > region_size || b->next <= b->offset)
		fail("walk reported a block outside the region", b->offset);
	if (++*count > region_size / MH_ALIGN)
		fail("walk does not end", *count);
	return 0;
}

static int on_free(void *arg, const struct mh_free_info *f)
{
	u32 *count = arg;

	if ((u64)f->offset + f->size > region_size)
		fail("free walk reported a block outside the region", f->offset);
	if (++*count > region_size / MH_MIN_BLOCK)
		fail("free walk does not end", *count);
	return 0;
}

static void read_everything(struct mh_heap *h)
{
	struct mh_violation v;
	struct mh_stats st;
	u32 blocks = 0, frees = 0;
	int n = mh_check(h, &v);

	if (n < 0 || v.kind >= MH_NR_VIOLATION_KINDS)
		fail("mh_check", n);
	if (mh_walk(h, on_block, &blocks) < 0)
		fail("mh_walk", 0);
	expect_documented(mh_walk_free(h, on_free, &frees), "mh_walk_free");
	mh_stats(h, &st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { .data = data, .size = size };
	enum mh_policy policy = fuzz_u8(&in) % MH_NR_POLICIES;
	u32 fb = fuzz_u8(&in);
	unsigned int flags = fb & MH_INIT_POISON;
	u32 live[32] = { 0 }, nlive = 0, scribbles;
	unsigned long starts[(MH_MIN_REGION << 3) / MH_ALIGN / 64 + 2];
	struct mh_heap h;
	u8 *region;

	region_size = (size_t)MH_MIN_REGION << (fuzz_u8(&in) % 4);
	region = malloc(region_size);
	if (!region)
		return 0;
	if (mh_starts_bytes(region_size) > sizeof(starts) ||
	    mh_init(&h, region, region_size, policy, flags, starts) ||
	    /* the flag byte's other bits: a fit policy's knobs */
	    (mh_policy_has_knobs(policy) &&
	     mh_set_knobs(&h, (fb >> 1) % MH_NR_ORDERS, !(fb & 0x80))))
		abort();
	/* a heap with some blocks in use and some free */
	for (u32 n = fuzz_u8(&in) % 32; n; n--) {
		u32 off;

		if (!mh_alloc(&h, fuzz_size(&in) % 2048 + 1, 0, 0, &off))
			live[nlive++] = off;
	}
	for (u32 i = 0; i < nlive; i += 1 + fuzz_u8(&in) % 3)
		mh_free(&h, live[i]);
	/* the scribbles: runs of fuzzer bytes at fuzzer offsets */
	for (scribbles = fuzz_u8(&in) % 16; scribbles; scribbles--) {
		u32 at = fuzz_u16(&in) % region_size;
		u32 len = fuzz_u8(&in) % 24 + 1;

		for (; len && at < region_size; len--, at++)
			region[at] = (u8)fuzz_u8(&in);
	}
	read_everything(&h);
	for (int ops = 0; fuzz_more(&in) && ops < MAX_OPS; ops++) {
		u32 op = fuzz_u8(&in), off = 0;
		/* an offset: a live block's, or any value at all */
		u32 target = op & 0x80 ? fuzz_u32(&in) :
			     live[fuzz_u8(&in) % (nlive ? nlive : 1)];
		size_t sz = fuzz_size(&in);
		struct mh_block_info b;
		int r;

		switch (op % 8) {
		case 0:
			r = mh_alloc(&h, sz, op & 0x40 ? 64 : 0,
				     op & 0x20 ? MH_ALLOC_ZERO : 0, &off);
			expect_documented(r, "mh_alloc");
			if (!r) {
				use_payload(region, off, sz);
				if (nlive < 32)
					live[nlive++] = off;
			}
			break;
		case 1:
			expect_documented(mh_free(&h, target), "mh_free");
			break;
		case 2:
			r = mh_realloc(&h, target, sz, &off);
			expect_documented(r, "mh_realloc");
			if (!r)
				use_payload(region, off, sz);
			break;
		case 3: {
			size_t usable = 0;

			r = mh_usable_size(&h, target, &usable);
			expect_documented(r, "mh_usable_size");
			if (!r)
				use_payload(region, target, usable);
			r = mh_requested_size(&h, target, &usable);
			expect_documented(r, "mh_requested_size");
			expect_documented(mh_probe(&h, target), "mh_probe");
			break;
		}
		case 4:
			r = mh_block_at(&h, target, &b);
			expect_documented(r, "mh_block_at");
			if (!r && (u64)b.offset + b.size > region_size)
				fail("mh_block_at beyond the region", b.offset);
			break;
		case 5:
			/* scribble again while blocks come and go */
			region[fuzz_u16(&in) % region_size] = (u8)fuzz_u8(&in);
			break;
		default:
			read_everything(&h);
		}
	}
	read_everything(&h);
	free(region);
	return 0;
}
