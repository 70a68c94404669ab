/* SPDX-License-Identifier: GPL-2.0 */
/*
 * damage.h - deliberate damage for the checker and damaged-heap tests.
 *
 * Forging a header that passes its check needs the core's own encoder, so
 * these helpers include the core's private mh_block.h: they are white-box
 * tools, used to build exactly the inconsistency a test wants (a valid
 * header with a bad size, a wrong PREV_FREE bit...) rather than random
 * noise that would only ever trip the magic check.
 */
#ifndef MH_TEST_DAMAGE_H
#define MH_TEST_DAMAGE_H

#include <string.h>

#include "mh_block.h"
#include "mh_test.h"

/* Decode the header of the block at @blk (a block offset, not a payload). */
static inline struct mh_hdr hdr_at(struct fixture *f, u32 blk)
{
	struct mh_hdr hd = { 0 };

	EXPECT(mh_hdr_decode(&f->h, blk, &hd));
	return hd;
}

/* Write @hd at @blk with a check that passes. */
static inline void forge_hdr(struct fixture *f, u32 blk, struct mh_hdr hd)
{
	mh_hdr_write(&f->h, blk, &hd);
}

/* Write a free block (header with a valid check, boundary tag). */
static inline void forge_free(struct fixture *f, u32 blk, u32 size,
			      bool prev_free)
{
	struct mh_hdr hd = { .size = size, .prev_free = prev_free };

	mh_hdr_write(&f->h, blk, &hd);
	memcpy(f->region + blk + size - MH_TAG_SIZE, &size, 4);
}

static inline void poke32(struct fixture *f, u32 off, u32 val)
{
	memcpy(f->region + off, &val, 4);
}

static inline u32 peek32(struct fixture *f, u32 off)
{
	u32 val;

	memcpy(&val, f->region + off, 4);
	return val;
}

#endif /* MH_TEST_DAMAGE_H */
