// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ops.c - libFuzzer target: the input picks a policy, a region size,
 * poisoning and (fit policies) the list order and coalescing, then decodes into a stream of alloc / free / realloc /
 * reset ops run against the reference model of tests/core/heap_model.c.
 * After every op the model's checks run (mh_check() == 0, no overlap,
 * every payload pattern intact, stats consistent); a disagreement aborts
 * with the reason, which libFuzzer reports as a crash with its input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "heap_model.h"

#define MAX_OPS		400
#define MAX_LIVE	1024

static void fail(const struct heap_model *m, const char *op)
{
	fprintf(stderr, "fuzz_ops: %s: %s\n", op, m->why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { .data = data, .size = size };
	enum mh_policy policy = fuzz_u8(&in) % MH_NR_POLICIES;
	size_t region_size = (size_t)MH_MIN_REGION << (fuzz_u8(&in) % 4);
	u32 fb = fuzz_u8(&in);
	unsigned int flags = fb & MH_INIT_POISON;
	/* the byte's other bits: a fit policy's knobs (list order, coalescing) */
	u32 order = (fb >> 1) % MH_NR_ORDERS;
	bool coalesce = !(fb & 0x80);
	struct mh_heap h;
	struct heap_model m;
	u8 *region = malloc(region_size);	/* exact: ASan sees overruns */
	unsigned long starts[(MH_MIN_REGION << 3) / MH_ALIGN / 64 + 2];

	if (!region)
		return 0;
	if (mh_starts_bytes(region_size) > sizeof(starts) ||
	    mh_init(&h, region, region_size, policy, flags, starts) ||
	    (mh_policy_has_knobs(policy) &&
	     mh_set_knobs(&h, order, coalesce)) ||
	    !model_init(&m, &h, region, region_size, MAX_LIVE, true))
		abort();
	for (int ops = 0; fuzz_more(&in) && ops < MAX_OPS; ops++) {
		u32 op = fuzz_u8(&in), pick = fuzz_u16(&in);

		switch (op % 8) {
		case 0: case 1: case 2: {
			u32 a = fuzz_u8(&in);
			size_t align = a & 0x80 ? (size_t)1 << (a % 15) : 0;

			if (!model_alloc(&m, fuzz_size(&in), align,
					 a & 0x40 ? MH_ALLOC_ZERO : 0))
				fail(&m, "alloc");
			break;
		}
		case 3: case 4:
			if (m.n && !model_free(&m, pick % m.n))
				fail(&m, "free");
			break;
		case 5: case 6:
			if (m.n && !model_realloc(&m, pick % m.n, fuzz_size(&in)))
				fail(&m, "realloc");
			break;
		default:
			/* rarely: start over, maybe with another policy */
			if (pick % 16)
				break;
			if (mh_reset(&h, pick % MH_NR_POLICIES))
				abort();
			model_forget_all(&m);
		}
		if (!model_verify(&m))
			fail(&m, "verify");
	}
	model_fini(&m);
	free(region);
	return 0;
}
