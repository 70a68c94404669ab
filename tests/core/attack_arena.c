// SPDX-License-Identifier: GPL-2.0
/*
 * attack_arena.c - the heap under attack and arena_op()'s assertions
 * (attack_arena.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "attack_arena.h"
#include "pattern.h"

#define VICTIM_TAG	0x76696374u	/* "vict" */
#define SLOT_TAG	0x1000u

static const char *const op_names[OP_NR] = {
	[OP_ALLOC] = "alloc", [OP_ALLOC_ZERO] = "alloc-zero",
	[OP_ALLOC_ALIGNED] = "alloc-aligned",
	[OP_FREE] = "free", [OP_REALLOC] = "realloc",
	[OP_USABLE] = "usable_size", [OP_PROBE] = "probe",
	[OP_CHECK] = "check", [OP_WALK] = "walk",
	[OP_WALK_FREE] = "walk_free", [OP_STATS] = "stats",
};

const char *arena_op_name(enum arena_op_kind kind)
{
	return (unsigned int)kind < OP_NR ? op_names[kind] : "?";
}

static bool fail(struct arena *ar, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first failure: @kind names its class, @fmt the details. */
static bool fail(struct arena *ar, const char *kind, const char *fmt, ...)
{
	va_list ap;

	ar->kind = kind;
	va_start(ap, fmt);
	vsnprintf(ar->why, sizeof(ar->why), fmt, ap);
	va_end(ap);
	return false;
}

/* Allocate during setup (no attacker), filling the payload. */
static u32 setup_alloc(struct arena *ar, size_t size, u32 tag)
{
	u32 off = 0;

	if (mh_alloc(&ar->h, size, 0, 0, &off))
		return 0;
	pattern_fill(ar->region + off, 0, size, tag);
	return off;
}

u32 arena_order = MH_ORDER_ADDR;
bool arena_coalesce = true;

bool arena_init(struct arena *ar, enum mh_policy policy, u32 region_size,
		unsigned int flags, u32 crowd)
{
	static const u32 sizes[] = { 40, 150, 60, 250, 24 };
	size_t usable = 0;

	memset(ar, 0, sizeof(*ar));
	ar->region = malloc(region_size);	/* exact: ASan sees overruns */
	ar->start_region = malloc(region_size);
	ar->starts = malloc(mh_starts_bytes(region_size));
	ar->start_starts = malloc(mh_starts_bytes(region_size));
	ar->size = region_size;
	ar->policy = policy;
	if (!ar->region || !ar->start_region || !ar->starts ||
	    !ar->start_starts)
		return fail(ar, "setup", "out of memory");
	mh_port_seed(0x61747461636b21ull);	/* the same salt every time */
	if (mh_init(&ar->h, ar->region, region_size, policy, flags,
		    ar->starts))
		return fail(ar, "setup", "mh_init failed");
	if (mh_policy_has_knobs(policy) &&
	    mh_set_knobs(&ar->h, arena_order, arena_coalesce))
		return fail(ar, "setup", "mh_set_knobs failed");
	/* slot 0, the victim, slots 1-4; then free 0 and 2 around them */
	ar->slot[0] = setup_alloc(ar, sizes[0], SLOT_TAG);
	ar->victim = setup_alloc(ar, 80, VICTIM_TAG);
	for (int i = 1; i < 5; i++) {
		ar->slot[i] = setup_alloc(ar, sizes[i], SLOT_TAG + i);
		ar->slot_len[i] = sizes[i];
	}
	if (!ar->victim || !ar->slot[0] || !ar->slot[4] ||
	    mh_free(&ar->h, ar->slot[0]) || mh_free(&ar->h, ar->slot[2]) ||
	    mh_usable_size(&ar->h, ar->victim, &usable))
		return fail(ar, "setup", "setup failed");
	ar->slot[0] = ar->slot[2] = 0;
	ar->slot_len[0] = ar->slot_len[2] = 0;
	/* the crowd: free blocks of growing sizes, kept apart by used ones */
	for (u32 i = 0; i < crowd; i++) {
		u32 f = setup_alloc(ar, 16 + 24 * i, SLOT_TAG + 100 + i);

		if (!f || !setup_alloc(ar, 24, SLOT_TAG + 200 + i) ||
		    mh_free(&ar->h, f))
			return fail(ar, "setup", "crowd block %u", i);
	}
	/*
	 * pools: enough live small blocks of the 32-byte class (61 slots a
	 * run) that it gets a run, then slots in it, two of them freed again (the run on its
	 * list, with free slots): the sequences' small requests and the
	 * attacks then meet runs, their maps and their links.
	 */
	if (policy == MH_POOLS && region_size >= ARENA_POOL_REGION) {
		u32 s[ARENA_POOL_SMALL];

		for (u32 i = 0; i < ARENA_POOL_SMALL; i++) {
			s[i] = setup_alloc(ar, 32, SLOT_TAG + 300 + i);
			if (!s[i])
				return fail(ar, "setup", "small block %u", i);
		}
		if (mh_free(&ar->h, s[ARENA_POOL_SMALL - 2]) ||
		    mh_free(&ar->h, s[ARENA_POOL_SMALL - 4]) ||
		    !ar->h.pool_runs)
			return fail(ar, "setup", "no run");
	}
	/* the whole granted payload is the victim's */
	pattern_fill(ar->region + ar->victim, 0, usable, VICTIM_TAG);
	ar->victim_blk = ar->victim - MH_HDR_SIZE;
	ar->victim_bsize = (u32)usable + MH_HDR_SIZE;
	if (!mh_hdr_decode(&ar->h, ar->victim_blk, &ar->victim_hd))
		return fail(ar, "setup", "victim header");

	ar->att.h = &ar->h;
	ar->att.region = ar->region;
	ar->att.region_size = region_size;
	ar->att.guard_lo = ar->victim_blk;
	ar->att.guard_hi = ar->victim_blk + ar->victim_bsize;
	ar->att.victim_blk = ar->victim_blk;
	ar->att.call_bound = (u64)ARENA_LOADS_PER_BLOCK *
			     (ar->h.heap_end / MH_MIN_BLOCK + 1);
	ar->start_h = ar->h;
	memcpy(ar->start_region, ar->region, region_size);
	memcpy(ar->start_starts, ar->starts, mh_starts_bytes(region_size));
	memcpy(ar->start_slot, ar->slot, sizeof(ar->slot));
	memcpy(ar->start_len, ar->slot_len, sizeof(ar->slot_len));
	arena_restore(ar);
	return true;
}

void arena_fini(struct arena *ar)
{
	attacker_install(NULL);
	free(ar->region);
	free(ar->start_region);
	free(ar->starts);
	free(ar->start_starts);
	ar->region = ar->start_region = NULL;
	ar->starts = ar->start_starts = NULL;
}

void arena_restore(struct arena *ar)
{
	ar->h = ar->start_h;
	memcpy(ar->region, ar->start_region, ar->size);
	memcpy(ar->starts, ar->start_starts, mh_starts_bytes(ar->size));
	memcpy(ar->slot, ar->start_slot, sizeof(ar->slot));
	memcpy(ar->slot_len, ar->start_len, sizeof(ar->slot_len));
	attacker_reset(&ar->att);
	ar->att.call_max = 0;
	ar->why[0] = 0;
	mh_set_observer(&ar->h, attack_observer, &ar->att);
	attacker_install(&ar->att);
}

static bool documented(enum arena_op_kind kind, int r)
{
	bool alloc = r == -EINVAL || r == -E2BIG || r == -EDOM ||
		     r == -ENOMEM || r == -EUCLEAN;
	bool lookup = r == -ENXIO || r == -EBADMSG || r == -EALREADY;

	if (r == 0)
		return true;
	switch (kind) {
	case OP_ALLOC:
	case OP_ALLOC_ZERO:
	case OP_ALLOC_ALIGNED:
		return alloc;
	case OP_FREE:
		return lookup || r == -EUCLEAN;
	case OP_REALLOC:
		return alloc || lookup;
	case OP_USABLE:
	case OP_PROBE:
		/* -EUCLEAN: a valid header the heap around it disagrees with */
		return lookup || r == -EUCLEAN;
	case OP_CHECK:
		return r > 0;	/* a count of violations */
	case OP_WALK_FREE:
		return r == -EUCLEAN;
	default:
		return false;
	}
}

/* Is [@from, @to) inside the heap and clear of the victim block? */
static bool handed_out_ok(struct arena *ar, const char *what, u32 from,
			  u64 to)
{
	if (from < MH_FIRST_BLOCK || to > ar->h.heap_end || to <= from)
		return fail(ar, "outside",
			    "%s: [%u, %llu) is outside the heap", what,
			    from, (unsigned long long)to);
	if (from < ar->victim_blk + ar->victim_bsize && to > ar->victim_blk)
		return fail(ar, "over the victim",
			    "%s: [%u, %llu) overlaps the live victim "
			    "block [%u, %u)", what, from,
			    (unsigned long long)to, ar->victim_blk,
			    ar->victim_blk + ar->victim_bsize);
	return true;
}

static bool victim_intact(struct arena *ar)
{
	struct mh_hdr hd;
	size_t len = ar->victim_bsize - MH_HDR_SIZE, bad;

	if (!mh_hdr_decode(&ar->h, ar->victim_blk, &hd) ||
	    hd.size != ar->victim_hd.size || !hd.used ||
	    hd.slack != ar->victim_hd.slack)
		return fail(ar, "victim header",
			    "victim header at %u changed: size %u used %d "
			    "slack %u", ar->victim_blk, hd.size, hd.used,
			    hd.slack);
	bad = pattern_check(ar->region + ar->victim, len, VICTIM_TAG);
	if (bad != len)
		return fail(ar, "victim payload",
			    "victim payload at %u changed at byte %zu",
			    ar->victim, bad);
	return true;
}

static bool placed_or_nil(const struct mh_heap *h, u32 off)
{
	return off == MH_NIL ||
	       (off >= MH_FIRST_BLOCK && off % MH_ALIGN == MH_HDR_SIZE &&
		off <= h->heap_end - MH_MIN_BLOCK);
}

/*
 * The control structure judged by itself, without reading the region: by
 * the core's mh_check_control(), then by the test's own reading of the
 * same rules, which also refuses totals that wrapped around (a sum that
 * still adds up modulo 2^64).
 */
static bool control_sane(struct arena *ar)
{
	const struct mh_heap *h = &ar->h;
	u64 heap = h->heap_end - MH_FIRST_BLOCK;
	struct mh_violation v = { 0 };
	int n = mh_check_control(h, &v);
	struct mh_list_info li;
	u32 lists = 0;

	/* how many lists the policy keeps, as it tells the dumps */
	while (lists < MH_NR_LISTS && !mh_list_info(h, lists, &li))
		lists++;

	if (n)
		return fail(ar, "control", "mh_check_control = %d: %s at %u",
			    n, mh_violation_name(v.kind), v.offset);

	for (u32 i = 0; i < MH_NR_LISTS; i++) {
		if (!placed_or_nil(h, h->heads[i]) ||
		    (i >= lists && h->heads[i]))
			return fail(ar, "control",
				    "heads[%u] = %u", i,
				    h->heads[i]);
		if ((h->policy == MH_SEGREGATED || h->policy == MH_POOLS) &&
		    !(h->sl_bitmap[i / MH_SL_COUNT] &
		      (1u << (i % MH_SL_COUNT))) != !h->heads[i])
			return fail(ar, "control",
				    "sl_bitmap disagrees with "
				    "heads[%u] = %u", i, h->heads[i]);
		if (h->policy == MH_BUDDY && i < MH_BUDDY_ORDERS &&
		    !(h->fl_bitmap & (1u << i)) != !h->heads[i])
			return fail(ar, "control",
				    "order bitmap disagrees with "
				    "heads[%u] = %u", i, h->heads[i]);
	}
	if (h->policy == MH_SEGREGATED || h->policy == MH_POOLS)
		for (u32 fl = 0; fl < MH_FL_COUNT; fl++)
			if (!(h->fl_bitmap & (1u << fl)) != !h->sl_bitmap[fl])
				return fail(ar, "control",
					    "fl_bitmap bit %u", fl);
	if (!placed_or_nil(h, h->rover))
		return fail(ar, "control", "rover = %u", h->rover);
	if (h->used_blocks + h->free_blocks > heap / MH_MIN_BLOCK ||
	    h->granted > heap || h->requested > h->granted ||
	    h->free_bytes > heap || h->high_water > h->heap_end ||
	    h->used_blocks * MH_HDR_SIZE + h->granted + h->free_bytes != heap)
		return fail(ar, "control",
			    "totals used %llu free %llu granted %llu "
			    "requested %llu free_bytes %llu of a %llu-byte heap",
			    (unsigned long long)h->used_blocks,
			    (unsigned long long)h->free_blocks,
			    (unsigned long long)h->granted,
			    (unsigned long long)h->requested,
			    (unsigned long long)h->free_bytes,
			    (unsigned long long)heap);
	return true;
}

bool arena_sound(struct arena *ar)
{
	return victim_intact(ar) && control_sane(ar);
}

struct walk_count {
	struct arena *ar;
	u32 n, cap;
	bool bad;
};

static int on_block(void *arg, const struct mh_block_info *b)
{
	struct walk_count *w = arg;

	if ((u64)b->offset + b->size > w->ar->h.heap_end ||
	    b->next <= b->offset || ++w->n > w->cap) {
		w->bad = true;
		return 1;
	}
	return 0;
}

static int on_free(void *arg, const struct mh_free_info *f)
{
	struct walk_count *w = arg;

	if ((u64)f->offset + f->size > w->ar->h.heap_end || ++w->n > w->cap) {
		w->bad = true;
		return 1;
	}
	return 0;
}

/* The call itself, with the attacker armed; the return value. */
static int run_call(struct arena *ar, const struct arena_op *op,
		    u32 *out, struct walk_count *w)
{
	u32 *slot = &ar->slot[op->slot % ARENA_SLOTS];
	struct mh_violation v;
	struct mh_stats st;
	size_t usable;

	switch (op->kind) {
	case OP_ALLOC:
		return mh_alloc(&ar->h, op->size, 0, 0, out);
	case OP_ALLOC_ZERO:
		return mh_alloc(&ar->h, op->size, 0, MH_ALLOC_ZERO, out);
	case OP_ALLOC_ALIGNED:
		return mh_alloc(&ar->h, op->size, 64, 0, out);
	case OP_FREE:
		return mh_free(&ar->h, *slot);
	case OP_REALLOC:
		return mh_realloc(&ar->h, *slot, op->size, out);
	case OP_USABLE:
		usable = 0;
		{
			int r = mh_usable_size(&ar->h, *slot, &usable);

			*out = (u32)usable;
			return r;
		}
	case OP_PROBE:
		return mh_probe(&ar->h, *slot);
	case OP_CHECK:
		return mh_check(&ar->h, &v);
	case OP_WALK:
		return mh_walk(&ar->h, on_block, w);
	case OP_WALK_FREE:
		return mh_walk_free(&ar->h, on_free, w);
	case OP_STATS:
		mh_stats(&ar->h, &st);
		return 0;
	default:
		return 0;
	}
}

bool arena_op(struct arena *ar, const struct arena_op *op)
{
	u8 s = op->slot % ARENA_SLOTS;
	struct walk_count w = { .ar = ar, .cap = ar->size / MH_ALIGN };
	const char *name = arena_op_name(op->kind);
	u32 before = ar->slot[s], out = 0;
	jmp_buf escape;
	int r;

	ar->att.call_loads = 0;
	ar->att.escape = &escape;
	if (setjmp(escape)) {
		ar->att.escape = NULL;
		return fail(ar, "load bound",
			    "%s(slot %u, %u): more than %llu region loads",
			    name, s, op->size,
			    (unsigned long long)ar->att.call_bound);
	}
	ar->att.armed = true;
	r = run_call(ar, op, &out, &w);
	ar->att.armed = false;
	ar->att.escape = NULL;
	if (attack_trace)
		printf("# %s(slot %u = %u, %u) = %d, out %u\n", name, s, before,
		       op->size, r, out);

	if (!documented(op->kind, r))
		return fail(ar, "errno",
			    "%s(slot %u, %u) = %d: not a documented return",
			    name, s, op->size, r);
	if (w.bad)
		return fail(ar, "walk",
			    "%s: reported a block outside the heap or did "
			    "not end", name);
	if (r == 0) {
		switch (op->kind) {
		case OP_ALLOC:
		case OP_ALLOC_ZERO:
		case OP_ALLOC_ALIGNED:
		case OP_REALLOC:
			if (!handed_out_ok(ar, name, out - MH_HDR_SIZE,
					   (u64)out + op->size))
				return false;
			/* the caller uses what it was given */
			pattern_fill(ar->region + out, 0, op->size,
				     SLOT_TAG + s);
			ar->slot[s] = out;
			ar->slot_len[s] = op->size;
			break;
		case OP_FREE:
			ar->slot[s] = 0;
			ar->slot_len[s] = 0;
			break;
		case OP_USABLE:
			/* a claim of the caller's own header: in the heap */
			if ((u64)before + out > ar->h.heap_end)
				return fail(ar, "usable size",
					    "usable_size: %u bytes at %u "
					    "run past the heap", out, before);
			break;
		default:
			break;
		}
	}
	return arena_sound(ar);
}

bool arena_battery(struct arena *ar)
{
	static const u32 sizes[] = { 1, 24, 100, 700, 3000 };
	struct arena_op op;

	for (u32 i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		op = (struct arena_op){ i % 2 ? OP_ALLOC_ZERO :
					i ? OP_ALLOC : OP_ALLOC_ALIGNED,
					5 + i % 3, sizes[i] };
		if (!arena_op(ar, &op))
			return false;
	}
	for (u8 s = 0; s < ARENA_SLOTS; s++) {
		static const enum arena_op_kind kinds[] = {
			OP_USABLE, OP_PROBE, OP_REALLOC, OP_REALLOC, OP_FREE,
		};

		for (u32 k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			op = (struct arena_op){ kinds[k], s,
						k == 2 ? 500 : 20 };
			if (!arena_op(ar, &op))
				return false;
		}
	}
	for (enum arena_op_kind k = OP_CHECK; k <= OP_STATS; k++) {
		op = (struct arena_op){ k, 0, 0 };
		if (!arena_op(ar, &op))
			return false;
	}
	return true;
}
