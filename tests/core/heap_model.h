/* SPDX-License-Identifier: GPL-2.0 */
/*
 * heap_model.h - the reference model of the differential test and of the
 * op-stream fuzzer: a shadow array of the live blocks (offset, size, tag),
 * a pattern in every payload byte, and the checks run after every op.
 *
 * Each model_*() operation performs the core call, then compares the
 * outcome with what the contract promises (alignment, zeroing, contents
 * preserved, a failure that changes nothing...). Each returns true when
 * the core agreed; false with model->why set when it did not.
 */
#ifndef MH_TEST_HEAP_MODEL_H
#define MH_TEST_HEAP_MODEL_H

#include <stdbool.h>

#include "mh_core.h"

struct model_block {
	u32 offset;	/* payload offset */
	u32 size;	/* bytes requested */
	u32 tag;	/* pattern of its bytes */
};

struct heap_model {
	struct mh_heap *h;
	u8 *region;
	size_t size;
	struct model_block *blocks;	/* live blocks, unordered */
	struct model_block *sorted;	/* scratch for the overlap check */
	size_t n;
	size_t cap;
	u64 requested;
	u64 capacity;	/* largest request the empty heap could take */
	bool buddy;	/* buddy refuses alignments above 16 (-EDOM) */
	u32 next_tag;
	u8 *before;	/* region + start bitmap copy, for "failure changes
			 * nothing", or NULL */
	char why[256];
};

/*
 * Start modelling the empty heap @h over @region. At most @cap blocks are
 * live at once (model_alloc() does nothing beyond). @compare_bytes makes
 * every failed op compare the whole region with a copy taken before it.
 */
bool model_init(struct heap_model *m, struct mh_heap *h, u8 *region,
		size_t size, size_t cap, bool compare_bytes);
void model_fini(struct heap_model *m);

/* The heap was reset (mh_reset() succeeded): nothing is live any more. */
void model_forget_all(struct heap_model *m);

bool model_alloc(struct heap_model *m, size_t size, size_t align,
		 unsigned int flags);
bool model_free(struct heap_model *m, size_t index);
bool model_realloc(struct heap_model *m, size_t index, size_t size);

/*
 * The after-every-op checks: mh_check() clean, no two live blocks overlap,
 * every payload intact, statistics and walk agree with the model.
 */
bool model_verify(struct heap_model *m);

#endif /* MH_TEST_HEAP_MODEL_H */
