// SPDX-License-Identifier: GPL-2.0
/*
 * attack.c - the attacker behind mh_load_hook and the observer (attack.h).
 *
 * Strikes read the region directly (memcpy), never through the core, so
 * they do not count as loads and cannot recurse into the hook. Headers are
 * decoded and forged with the core's own encoder (mh_block.h) and the
 * heap's salt: the attacker knows everything a process with the mapping
 * can learn.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sanitizer/common_interface_defs.h>

#include "attack.h"
#include "mh_block.h"
#include "splitmix.h"

char attack_where[256];
bool attack_trace;

static struct attacker *current;

static const char *const mode_names[AT_NR_MODES] = {
	[AT_ZERO] = "zero",
	[AT_RANDOM] = "random",
	[AT_FLIP] = "flip",
	[AT_SELF_LOOP] = "self-loop",
	[AT_TWO_CYCLE] = "two-cycle",
	[AT_SWALLOW] = "swallow",
	[AT_FORGE] = "forge",
	[AT_TO_VICTIM] = "to-victim",
};

static const char *const aim_names[AIM_NR] = {
	[AIM_SELF] = "self", [AIM_PREV] = "prev", [AIM_NEXT] = "next",
};

const char *attack_mode_name(enum attack_mode mode)
{
	return (unsigned int)mode < AT_NR_MODES ? mode_names[mode] : "?";
}

const char *attack_aim_name(enum attack_aim aim)
{
	return (unsigned int)aim < AIM_NR ? aim_names[aim] : "?";
}

/* Write @n bytes at @off unless that leaves the region or hits the guard. */
static bool att_write(struct attacker *a, u32 off, const void *src, u32 n)
{
	if ((u64)off + n > a->region_size) {
		a->skipped++;
		return false;
	}
	if (off < a->guard_hi && off + n > a->guard_lo) {
		a->skipped++;
		return false;
	}
	if (attack_trace) {
		printf("#   write [%u, %u):", off, off + n);
		for (u32 i = 0; i < n; i++)
			printf(" %02x", ((const u8 *)src)[i]);
		printf("\n");
	}
	memcpy(a->region + off, src, n);
	a->fired++;
	return true;
}

static void att_write32(struct attacker *a, u32 off, u32 v)
{
	att_write(a, off, &v, 4);
}

static u32 raw32(const struct attacker *a, u32 off)
{
	u32 v = 0;

	if ((u64)off + 4 <= a->region_size)
		memcpy(&v, a->region + off, 4);
	return v;
}

/* The header offset of the block a byte at @off would belong to. */
static u32 block_of(u32 off)
{
	return off < MH_FIRST_BLOCK ? MH_FIRST_BLOCK :
	       ((off - MH_HDR_SIZE) & ~(MH_ALIGN - 1)) + MH_HDR_SIZE;
}

/* Decode the header at @off as the core would, without a counted load. */
static bool raw_hdr(const struct attacker *a, u32 off, struct mh_hdr *hd)
{
	u64 w, fields;

	if (off < MH_FIRST_BLOCK || (u64)off + 8 > a->region_size ||
	    off % MH_ALIGN != MH_HDR_SIZE)
		return false;
	memcpy(&w, a->region + off, 8);
	fields = w & MH_FIELDS_MASK;
	hd->size = (u32)(fields & MH_SIZE_MASK) * MH_ALIGN;
	hd->used = fields & MH_USED_BIT;
	hd->prev_free = fields & MH_PREV_FREE_BIT;
	hd->slack = (u32)((fields >> MH_SLACK_SHIFT) & MH_SLACK_MASK);
	return w != MH_POISON_WORD &&
	       (w >> MH_CHECK_SHIFT) == mh_check_of(a->h, off, fields) &&
	       hd->size >= MH_MIN_BLOCK && hd->size <= a->h->heap_end - off;
}

/* Write a header that passes its check (and a tag if it claims free). */
static void forge(struct attacker *a, u32 off, struct mh_hdr hd)
{
	u64 w;

	if (!hd.used)
		hd.slack = 0;
	if (hd.slack > hd.size - MH_HDR_SIZE)
		hd.slack = 0;
	w = mh_hdr_encode(a->h, off, &hd);
	att_write(a, off, &w, 8);
	if (!hd.used && (u64)off + hd.size <= a->h->heap_end)
		att_write32(a, off + hd.size - MH_TAG_SIZE, hd.size);
}

/* Some other block than @blk: the one after it, else the first. */
static u32 other_block(const struct attacker *a, u32 blk)
{
	struct mh_hdr hd;

	if (raw_hdr(a, blk, &hd) && blk + hd.size < a->h->heap_end)
		return blk + hd.size;
	return blk == MH_FIRST_BLOCK ? MH_FIRST_BLOCK + MH_MIN_BLOCK :
				       MH_FIRST_BLOCK;
}

/* The block physically before @blk, by a walk of valid headers (0: none). */
static u32 block_before(const struct attacker *a, u32 blk)
{
	u32 off = MH_FIRST_BLOCK, prev = 0;
	struct mh_hdr hd;

	while (off < blk && raw_hdr(a, off, &hd)) {
		prev = off;
		off += hd.size;
	}
	return off == blk ? prev : 0;
}

static bool placed(const struct attacker *a, u32 off)
{
	return off >= MH_FIRST_BLOCK && off % MH_ALIGN == MH_HDR_SIZE &&
	       off + MH_MIN_BLOCK <= a->h->heap_end;
}

void attack_strike(struct attacker *a, u32 off, u32 len,
		   enum attack_mode mode, u64 seed)
{
	u64 s = seed, r = splitmix64(&s);
	u32 blk = block_of(off), x;
	struct mh_hdr hd;
	u8 bytes[8];

	if (len > 8)
		len = 8;
	if (attack_trace)
		printf("#  strike %s at load %llu of [%u, %u)\n",
		       attack_mode_name(mode), (unsigned long long)a->loads,
		       off, off + len);
	/* header forgeries need a place a block can start */
	if ((mode == AT_SWALLOW || mode == AT_FORGE) && !placed(a, blk))
		mode = AT_RANDOM;
	switch (mode) {
	case AT_ZERO:
		memset(bytes, 0, sizeof(bytes));
		att_write(a, off, bytes, len);
		break;
	case AT_RANDOM:
		memcpy(bytes, &r, sizeof(bytes));
		att_write(a, off, bytes, len);
		break;
	case AT_FLIP:
		if ((u64)off + len <= a->region_size) {
			memcpy(bytes, a->region + off, len);
			bytes[(r >> 8) % len] ^= (u8)(1u << (r % 8));
			att_write(a, off, bytes, len);
		}
		break;
	case AT_SELF_LOOP:
		if (len == 4) {
			att_write32(a, off, blk);
		} else {
			att_write32(a, blk + MH_NEXT_AT, blk);
			att_write32(a, blk + MH_PREV_AT, blk);
		}
		break;
	case AT_TWO_CYCLE:
		x = len == 4 ? raw32(a, off) : raw32(a, blk + MH_NEXT_AT);
		if (!placed(a, x) || x == blk)
			x = other_block(a, blk);
		att_write32(a, x + MH_NEXT_AT, blk);
		att_write32(a, x + MH_PREV_AT, blk);
		att_write32(a, blk + MH_NEXT_AT, x);
		att_write32(a, blk + MH_PREV_AT, x);
		break;
	case AT_SWALLOW: {
		struct mh_hdr next;

		if (!raw_hdr(a, blk, &hd))
			hd = (struct mh_hdr){ .size = MH_MIN_BLOCK,
					      .used = r & 1 };
		if (blk + hd.size < a->h->heap_end &&
		    raw_hdr(a, blk + hd.size, &next))
			hd.size += next.size;
		else
			hd.size = a->h->heap_end - blk;
		forge(a, blk, hd);
		break;
	}
	case AT_FORGE:
		if (!raw_hdr(a, blk, &hd))
			hd = (struct mh_hdr){ .size = MH_MIN_BLOCK };
		switch ((r >> 8) % 4) {
		case 0:
			hd.used = !hd.used;
			break;
		case 1:
			hd.prev_free = !hd.prev_free;
			break;
		case 2:	/* any size from the minimum to the heap's end */
			hd.size = MH_MIN_BLOCK + (u32)((r >> 16) %
				((a->h->heap_end - blk - MH_MIN_BLOCK) /
				 MH_ALIGN + 1)) * MH_ALIGN;
			break;
		default:
			hd.size = hd.size / 2 < MH_MIN_BLOCK ? hd.size * 2 :
				  (hd.size / 2) & ~(MH_ALIGN - 1);
			if (hd.size > a->h->heap_end - blk)
				hd.size = a->h->heap_end - blk;
		}
		if (hd.size < MH_MIN_BLOCK)
			hd.size = MH_MIN_BLOCK;
		forge(a, blk, hd);
		break;
	case AT_TO_VICTIM:
		if (len == 4) {
			att_write32(a, off, a->victim_blk);
		} else if (blk < a->victim_blk && placed(a, blk)) {
			bool prev_free = raw_hdr(a, blk, &hd) && hd.prev_free;

			hd = (struct mh_hdr){ .size = a->guard_hi - blk,
					      .prev_free = prev_free };
			forge(a, blk, hd);
		} else {
			att_write32(a, blk + MH_NEXT_AT, a->victim_blk);
			att_write32(a, blk + MH_PREV_AT, a->victim_blk);
		}
		break;
	default:
		break;
	}
}

static void attack_hook(u8 *base, u32 off, u32 len)
{
	struct attacker *a = current;

	(void)base;
	if (!a || !a->armed)
		return;
	a->loads++;
	if (++a->call_loads > a->call_max)
		a->call_max = a->call_loads;
	if (a->call_bound && a->call_loads > a->call_bound && a->escape) {
		a->armed = false;
		longjmp(*a->escape, 1);
	}
	for (unsigned int i = 0; i < a->nshots; i++)
		if (!a->shots[i].event && a->shots[i].at == a->loads)
			attack_strike(a, off, len, a->shots[i].mode,
				      a->shots[i].seed);
	if (a->one_in && splitmix64(&a->rng) % a->one_in == 0)
		attack_strike(a, off, len,
			      splitmix64(&a->rng) % AT_NR_MODES,
			      splitmix64(&a->rng));
}

void attack_observer(void *ctx, enum mh_event ev, u32 off, u32 size)
{
	struct attacker *a = ctx;

	(void)size;
	if (!a->armed || ev == MH_EV_CORRUPTION)
		return;
	a->events++;
	for (unsigned int i = 0; i < a->nshots; i++) {
		const struct attack_shot *s = &a->shots[i];
		u32 target = off;
		struct mh_hdr hd;

		if (!s->event || s->at != a->events)
			continue;
		if (s->aim == AIM_PREV)
			target = block_before(a, off);
		else if (s->aim == AIM_NEXT)
			target = raw_hdr(a, off, &hd) ? off + hd.size : 0;
		if (placed(a, target))
			attack_strike(a, target, 8, s->mode, s->seed);
	}
}

void attacker_install(struct attacker *a)
{
	current = a;
	mh_load_hook = a ? attack_hook : NULL;
}

void attacker_reset(struct attacker *a)
{
	a->armed = false;
	a->loads = 0;
	a->events = 0;
	a->nshots = 0;
	a->one_in = 0;
	a->call_loads = 0;
	a->fired = 0;
	a->skipped = 0;
}

static void print_where(void)
{
	/* async-signal-safe: write(2) only */
	size_t n = strnlen(attack_where, sizeof(attack_where));

	if (write(STDOUT_FILENO, "# died during: ", 15) < 0 ||
	    write(STDOUT_FILENO, attack_where, n) < 0 ||
	    write(STDOUT_FILENO, "\n", 1) < 0)
		return;
}

static void on_alarm(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, "# watchdog: no return\n", 22) < 0)
		_exit(3);
	print_where();
	_exit(3);
}

void attack_watchdog_install(void)
{
	__sanitizer_set_death_callback(print_where);
	signal(SIGALRM, on_alarm);
}

void attack_watchdog(unsigned int seconds)
{
	alarm(seconds);
}
