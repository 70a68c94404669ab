// SPDX-License-Identifier: GPL-2.0
/*
 * heap_model.c - the reference model: what the heap must contain after
 * every operation, checked against the core's own view of itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap_model.h"
#include "heap_snapshot.h"
#include "pattern.h"

static bool disagree(struct heap_model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
	return false;
}

bool model_init(struct heap_model *m, struct mh_heap *h, u8 *region,
		size_t size, size_t cap, bool compare_bytes)
{
	struct mh_stats st;

	mh_stats(h, &st);
	*m = (struct heap_model){ .h = h, .region = region, .size = size,
				  .cap = cap, .next_tag = 1,
				  .capacity = st.largest_alloc,
				  .buddy = st.policy == MH_BUDDY };
	m->blocks = calloc(cap, sizeof(*m->blocks));
	m->sorted = calloc(cap, sizeof(*m->sorted));
	m->before = compare_bytes ? malloc(size + mh_starts_bytes(size)) : NULL;
	if (!m->blocks || !m->sorted || (compare_bytes && !m->before)) {
		model_fini(m);
		return false;
	}
	return true;
}

void model_forget_all(struct heap_model *m)
{
	struct mh_stats st;

	mh_stats(m->h, &st);
	m->n = 0;
	m->requested = 0;
	m->capacity = st.largest_alloc;
	m->buddy = st.policy == MH_BUDDY;
}

void model_fini(struct heap_model *m)
{
	free(m->blocks);
	free(m->sorted);
	free(m->before);
	m->blocks = m->sorted = NULL;
	m->before = NULL;
}

/* The block at @off passes for a live block of @size bytes of the heap. */
static bool payload_sane(struct heap_model *m, u32 off, size_t size)
{
	size_t usable = 0, requested = 0;
	int r;

	if (off % MH_ALIGN || off < MH_ALIGN || off > m->size ||
	    size > m->size - off)
		return disagree(m, "payload %u+%zu outside the region or misaligned",
				off, size);
	r = mh_usable_size(m->h, off, &usable);
	if (r || usable < size || usable > m->size - off)
		return disagree(m, "usable_size(%u) = %d, %zu for %zu bytes",
				off, r, usable, size);
	r = mh_requested_size(m->h, off, &requested);
	if (r || requested != size)
		return disagree(m, "requested_size(%u) = %d, %zu, want %zu",
				off, r, requested, size);
	return true;
}

/* A failed op must fail with @want (or @alt) and leave the heap alone. */
static bool failure_harmless(struct heap_model *m,
			     const struct heap_snapshot *snap, int r, int want,
			     int alt, const char *op)
{
	const char *changed;

	if (r != want && r != alt)
		return disagree(m, "%s failed with %d, want %d", op, r, want);
	changed = snapshot_diff(snap, m->h);
	if (changed)
		return disagree(m, "failed %s changed the heap: %s", op, changed);
	return true;
}

bool model_alloc(struct heap_model *m, size_t size, size_t align,
		 unsigned int flags)
{
	struct heap_snapshot snap;
	struct model_block *b;
	size_t want_align = align > MH_ALIGN ? align : MH_ALIGN;
	u32 off = 0;
	int r;

	if (m->n == m->cap)
		return true;
	snapshot_take(&snap, m->h, m->region, m->size, m->before);
	r = mh_alloc(m->h, size, align, flags, &off);
	if (m->buddy && align > MH_ALIGN)
		return r ? failure_harmless(m, &snap, r, -EDOM, -EDOM, "alloc")
			 : disagree(m, "buddy alloc aligned to %zu succeeded",
				    align);
	if (size > m->capacity)
		return r ? failure_harmless(m, &snap, r, -E2BIG, -E2BIG, "alloc")
			 : disagree(m, "alloc(%zu) beyond capacity %llu succeeded",
				    size, (unsigned long long)m->capacity);
	if (r) {
		/* largest_alloc promises what a default-aligned alloc can get */
		if (r == -ENOMEM && align <= MH_ALIGN &&
		    size <= snap.st.largest_alloc)
			return disagree(m, "alloc(%zu) -ENOMEM but largest_alloc %llu",
					size,
					(unsigned long long)snap.st.largest_alloc);
		return failure_harmless(m, &snap, r, -ENOMEM, -ENOMEM, "alloc");
	}
	if (!payload_sane(m, off, size))
		return false;
	if (off % want_align)
		return disagree(m, "alloc(%zu, align %zu) returned %u", size,
				align, off);
	if (flags & MH_ALLOC_ZERO) {
		for (size_t i = 0; i < size; i++)
			if (m->region[off + i])
				return disagree(m, "ZERO alloc %u: byte %zu is %#x",
						off, i, m->region[off + i]);
	}
	b = &m->blocks[m->n++];
	*b = (struct model_block){ .offset = off, .size = (u32)size,
				   .tag = m->next_tag++ };
	m->requested += size;
	pattern_fill(m->region + off, 0, size, b->tag);
	return true;
}

static bool payload_intact(struct heap_model *m, const struct model_block *b,
			   size_t len)
{
	size_t bad = pattern_check(m->region + b->offset, len, b->tag);

	if (bad != len)
		return disagree(m, "payload %u (size %u, tag %u) damaged at byte %zu: %#x, want %#x",
				b->offset, b->size, b->tag, bad,
				m->region[b->offset + bad],
				pattern_byte(b->tag, bad));
	return true;
}

/*
 * What a free reported (@what: "free", or a realloc giving back the old
 * block or its tail) against the heap right after it: the free block it
 * names is there, free, of its size; its size is the bytes merged on each
 * side plus those freed (a run's, when a run went back); a side is named
 * exactly when its flag is set, and a left merge starts the block. A slot
 * freed inside a run that stays names the run and no block.
 */
static bool report_agrees(struct heap_model *m, const struct mh_freed *fr,
			  const char *what)
{
	u32 freed = fr->flags & MH_FREED_RUN ? fr->run_size : fr->freed_size;
	bool left = fr->flags & MH_FREED_LEFT, right = fr->flags & MH_FREED_RIGHT;
	struct mh_block_info bi;

	if ((fr->flags & MH_FREED_SLOT) && !(fr->flags & MH_FREED_RUN))
		return fr->block || fr->size || !fr->run || !fr->run_size ?
		       disagree(m, "%s of a slot reports block %u+%u, run %u+%u",
				what, fr->block, fr->size, fr->run,
				fr->run_size) : true;
	if (mh_block_at(m->h, fr->block, &bi) || bi.status != MH_BLOCK_OK ||
	    bi.used || bi.size != fr->size)
		return disagree(m, "%s reports free block %u+%u, the heap has %u+%u%s",
				what, fr->block, fr->size, bi.offset, bi.size,
				bi.used ? " in use" : "");
	if (fr->size != fr->left_size + freed + fr->right_size ||
	    left != !!fr->left || left != !!fr->left_size ||
	    right != !!fr->right || right != !!fr->right_size ||
	    (left && fr->left != fr->block) ||
	    fr->merges < (u32)left + right)
		return disagree(m, "%s reports flags %u merges %u: left %u+%u, %u freed, right %u+%u, block %u+%u",
				what, fr->flags, fr->merges, fr->left,
				fr->left_size, freed, fr->right, fr->right_size,
				fr->block, fr->size);
	return true;
}

bool model_free(struct heap_model *m, size_t index)
{
	struct model_block *b = &m->blocks[index];
	struct mh_result res;
	int r;

	if (!payload_intact(m, b, b->size))
		return false;
	r = mh_free_result(m->h, b->offset, &res);
	if (r)
		return disagree(m, "free(%u) = %d", b->offset, r);
	if (!report_agrees(m, &res.freed, "free"))
		return false;
	m->requested -= b->size;
	*b = m->blocks[--m->n];
	return true;
}

bool model_realloc(struct heap_model *m, size_t index, size_t size)
{
	struct model_block *b = &m->blocks[index];
	struct heap_snapshot snap;
	struct mh_result res = { 0 };
	u32 off = 0;
	int r;

	if (!payload_intact(m, b, b->size))
		return false;
	snapshot_take(&snap, m->h, m->region, m->size, m->before);
	r = mh_realloc_result(m->h, b->offset, size, &res);
	off = res.offset;
	if (r) {
		int want = size > m->capacity ? -E2BIG : -ENOMEM;

		if (!failure_harmless(m, &snap, r, want, want, "realloc"))
			return false;
		return payload_intact(m, b, b->size);
	}
	if (size > m->capacity)
		return disagree(m, "realloc(%zu) beyond capacity %llu succeeded",
				size, (unsigned long long)m->capacity);
	if (!payload_sane(m, off, size))
		return false;
	if ((res.how & MH_RESIZE_MOVED) != (off != b->offset && !(res.how & MH_RESIZE_SLID)))
		return disagree(m, "realloc(%u -> %zu) to %u says how %u", b->offset,
				size, off, res.how);
	if ((res.freed.block || (res.freed.flags & MH_FREED_SLOT)) &&
	    !report_agrees(m, &res.freed, "realloc"))
		return false;
	b->offset = off;
	if (!payload_intact(m, b, size < b->size ? size : b->size))
		return disagree(m, "realloc(%u -> %zu) lost contents: %s",
				b->offset, size, m->why);
	if (size > b->size)
		pattern_fill(m->region + off, b->size, size, b->tag);
	m->requested += size;
	m->requested -= b->size;
	b->size = (u32)size;
	return true;
}

static int by_offset(const void *a, const void *b)
{
	const struct model_block *x = a, *y = b;

	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Bytes of header in front of @payload: none for a slot (pools). */
static u32 header_before(struct heap_model *m, u32 payload)
{
	struct mh_block_info bi;

	return !mh_block_at(m->h, payload - MH_HDR_SIZE, &bi) &&
	       bi.status == MH_BLOCK_OK ? MH_HDR_SIZE : 0;
}

/* Sort the live blocks by address; no block may reach into the next. */
static bool no_overlap(struct heap_model *m, u64 *highest_end)
{
	*highest_end = 0;
	memcpy(m->sorted, m->blocks, m->n * sizeof(*m->blocks));
	qsort(m->sorted, m->n, sizeof(*m->sorted), by_offset);
	for (size_t i = 0; i < m->n; i++) {
		const struct model_block *b = &m->sorted[i];
		size_t usable = 0;
		u64 end;

		if (mh_usable_size(m->h, b->offset, &usable))
			return disagree(m, "live block %u lost", b->offset);
		end = (u64)b->offset + usable;
		if (end > *highest_end)
			*highest_end = end;
		if (i + 1 < m->n && end > m->sorted[i + 1].offset -
					  header_before(m, m->sorted[i + 1].offset))
			return disagree(m, "block %u (usable %zu) overlaps block %u",
					b->offset, usable,
					m->sorted[i + 1].offset);
	}
	return true;
}

struct walk_tally {
	struct heap_model *m;
	u64 used;
	u64 free;
	u64 slots;	/* pools: slots in use, in runs */
	const char *why;
	u32 at;
};

static int tally_block(void *arg, const struct mh_block_info *b)
{
	struct walk_tally *t = arg;
	struct model_block key = { .offset = b->offset + MH_HDR_SIZE };
	const struct model_block *found;

	if (b->status != MH_BLOCK_OK) {
		t->why = "walk met a damaged block";
		t->at = b->offset;
		return 1;
	}
	if (!b->used) {
		t->free++;
		return 0;
	}
	if (b->slot_size) {	/* a run: its slots are the model's blocks */
		t->slots += b->slots_used;
		return 0;
	}
	t->used++;
	found = bsearch(&key, t->m->sorted, t->m->n, sizeof(key), by_offset);
	if (!found || found->size != b->requested ||
	    b->granted != b->size - MH_HDR_SIZE) {
		t->why = "walk reports a used block the model does not have";
		t->at = b->offset;
		return 1;
	}
	return 0;
}

static bool stats_agree(struct heap_model *m, u64 highest_end)
{
	struct mh_stats st;
	u64 frag_ppm;

	mh_stats(m->h, &st);
	if (st.requested_bytes != m->requested ||
	    st.used_blocks - st.pool_runs + st.pool_slots != m->n)
		return disagree(m, "stats: %llu bytes in %llu blocks, model %llu in %zu",
				(unsigned long long)st.requested_bytes,
				(unsigned long long)st.used_blocks,
				(unsigned long long)m->requested, m->n);
	if (st.used_bytes + st.free_bytes != st.heap_size ||
	    st.granted_bytes < st.requested_bytes ||
	    st.internal_frag != st.granted_bytes - st.requested_bytes -
				st.pool_meta_bytes - st.pool_free_bytes ||
	    st.used_bytes != st.granted_bytes + st.used_blocks * MH_HDR_SIZE)
		return disagree(m, "stats: byte totals do not add up");
	if (st.overhead_bytes != st.region_size - st.heap_size +
	    (st.used_blocks + st.free_blocks) * MH_HDR_SIZE +
	    st.pool_meta_bytes)
		return disagree(m, "stats: overhead %llu",
				(unsigned long long)st.overhead_bytes);
	if (st.peak_requested < st.requested_bytes || st.high_water < highest_end)
		return disagree(m, "stats: peak %llu / high water %llu below the live blocks (end %llu)",
				(unsigned long long)st.peak_requested,
				(unsigned long long)st.high_water,
				(unsigned long long)highest_end);
	frag_ppm = st.free_bytes ?
		   1000000 - st.largest_free * 1000000 / st.free_bytes : 0;
	if (st.largest_free > st.free_bytes ||
	    st.external_frag_ppm + 1 < frag_ppm ||
	    st.external_frag_ppm > frag_ppm + 1)
		return disagree(m, "stats: external frag %llu ppm, want %llu",
				(unsigned long long)st.external_frag_ppm,
				(unsigned long long)frag_ppm);
	return true;
}

bool model_verify(struct heap_model *m)
{
	struct mh_violation v = { 0 };
	struct walk_tally t = { .m = m };
	u64 highest_end;
	int r;

	r = mh_check(m->h, &v);
	if (r)
		return disagree(m, "mh_check = %d: %s at %u", r,
				mh_violation_name(v.kind), v.offset);
	if (!no_overlap(m, &highest_end))
		return false;
	for (size_t i = 0; i < m->n; i++)
		if (!payload_intact(m, &m->blocks[i], m->blocks[i].size))
			return false;
	r = mh_walk(m->h, tally_block, &t);
	if (t.why)
		return disagree(m, "%s at %u", t.why, t.at);
	if (r < 0 || t.used + t.slots != m->n)
		return disagree(m, "walk = %d found %llu used blocks and %llu slots, model %zu",
				r, (unsigned long long)t.used,
				(unsigned long long)t.slots, m->n);
	return stats_agree(m, highest_end);
}
