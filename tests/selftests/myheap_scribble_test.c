// SPDX-License-Identifier: GPL-2.0
/*
 * myheap scribble selftests: the region is hostile, and the kernel must
 * survive it.
 *
 * scribble.<policy>.attack: for each placement policy, rounds in which
 * threads of an attacker write the mapping while they call every heap ioctl
 * and read every debugfs file: random words, free-list links turned into
 * loops, sizes forged to swallow the next block (some with a valid check,
 * learned by trial through USABLE_SIZE), zeroed, flipped and poisoned
 * headers, and headers toggled between broken and intact while operations
 * run on them. A second open file, the victim, holds blocks filled with a
 * pattern that the attacker never writes (its headers and usable payloads
 * are off limits). Each round asserts:
 *   - every ioctl returns 0 or an errno its uapi documentation lists;
 *   - every ioctl and every debugfs read or lseek returns (a call still
 *     out after HANG_NS is hung: a failure). Calls slower than a second,
 *     the trust issue's target, are counted and printed ("calls over
 *     1 s"), never asserted: how slow a call is on a loaded host says
 *     nothing about the kernel, and `make stress` prints the verdict;
 *   - no block the kernel hands the attacker overlaps a victim block, and
 *     no other file's block can be freed, resized or queried;
 *   - the victim's blocks read back intact at the end of the round, with
 *     the usable size they had (the kernel corrupted nobody's data).
 * The totals are printed: calls, scribbles, errors by errno, slowest call.
 * MYHEAP_SCRIBBLE_SECONDS sets the total duration, split evenly across the
 * policies (default 30: `make check`; `make stress` gives 600).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <time.h>

#include "kselftest_harness.h"
#include "dev_util.h"
#include "pattern.h"

/*
 * The header layout an attacker reads in module/core/mh_block.h: the size
 * in 16-byte units in bits 0-23, in use at bit 24, the previous block free
 * at bit 25, a 10-bit check at bits 54-63; a free block's next and previous
 * links (region offsets of headers) at +8 and +12.
 */
#define HDR_SIZE_MASK	((1ull << 24) - 1)
#define HDR_UNIT	16u
#define HDR_USED	(1ull << 24)
#define HDR_PREV_FREE	(1ull << 25)
#define HDR_CHECK_SHIFT	54
#define HDR_FIELDS	((1ull << HDR_CHECK_SHIFT) - 1)
#define HDR_CHECKS	1024u
#define LINK_NEXT	8u
#define LINK_PREV	12u
#define POISON_WORD	0x6b6b6b6b6b6b6b6bull

#define DEBUGFS_DIR	"/sys/kernel/debug/myheap"
#define NS		1000000000ull
#define HANG_NS		(30 * NS)	/* a call out this long is hung */
#define SLOW_NS		NS		/* the target: counted, not asserted */

#define OP_THREADS	2
#define SCRIBBLERS	2
#define WORKERS		(OP_THREADS + SCRIBBLERS + 2)	/* + forger, reader */
#define LIVE		48	/* blocks per op thread */
#define VICTIMS		32
#define TARGETS		256
#define ROUND_MAX_S	2
#define MAX_FAILS	12
#define ERRNO_MAX	160

enum op {
	OP_ALLOC, OP_FREE, OP_REALLOC, OP_USABLE, OP_BATCH, OP_CHECK,
	OP_STATS, OP_DFS_READ, OP_DFS_SEEK, OP_NR
};

static const char *const op_name[OP_NR] = {
	"ALLOC", "FREE", "REALLOC", "USABLE_SIZE", "BATCH", "CHECK",
	"STATS", "debugfs read", "debugfs lseek",
};

/*
 * The errnos each command documents in linux/myheap.h, besides those
 * common to every command (-EFAULT, -EINVAL, -E2BIG, -ENOTTY). Debugfs
 * reads have no documented errors: theirs are counted, not judged.
 */
static const int common_errs[] = { EFAULT, EINVAL, E2BIG, ENOTTY, 0 };
static const int *const op_errs[OP_NR] = {
	[OP_ALLOC] = (const int[]){ EDOM, ENOMEM, EUCLEAN, 0 },
	[OP_FREE] = (const int[]){ EPERM, EALREADY, EBADMSG, ENXIO, EUCLEAN, 0 },
	[OP_REALLOC] = (const int[]){ EPERM, EALREADY, EBADMSG, ENXIO,
				      EUCLEAN, ENOMEM, 0 },
	[OP_USABLE] = (const int[]){ EPERM, EALREADY, EBADMSG, ENXIO,
				     EUCLEAN, 0 },
	[OP_BATCH] = (const int[]){ ENOMEM, 0 },
	[OP_CHECK] = (const int[]){ 0 },
	[OP_STATS] = (const int[]){ 0 },
};

enum scribble {
	SC_RANDOM, SC_LOOP, SC_LINK, SC_SIZE, SC_ZERO, SC_FLIP, SC_POISON,
	SC_TOGGLE, SC_FORGED, SC_NR
};

static const char *const sc_name[SC_NR] = {
	"random word", "link loop", "wild link", "size swallowing neighbour",
	"zeroed header", "flipped bit", "poisoned header",
	"header or link toggled", "forged header with valid check",
};

struct tally {
	uint64_t calls[OP_NR];
	uint64_t max_ns[OP_NR];
	uint64_t slow[OP_NR];		/* calls over SLOW_NS */
	uint64_t errs[OP_NR][ERRNO_MAX];
	uint64_t scribbles[SC_NR];
	uint64_t forge_trials, forge_tries, forged;
};

struct round;

struct worker {
	struct round *r;
	unsigned int id;
	uint32_t seed;
	pthread_t tid;
	_Atomic uint64_t busy_since;	/* start of the current call, 0: none */
	_Atomic int busy_op;
	_Atomic uint64_t last_t0, last_t1;	/* the last call that returned */
	_Atomic int last_op;
	const char *file;	/* the reader: the debugfs file it reads */
	bool stuck_told;
	struct tally t;
};

struct vblock {
	uint64_t off, usable, seed;
};

struct round {
	int afd, vfd;
	unsigned char *map;
	uint64_t region;
	uint32_t hdr, align;
	struct vblock victim[VICTIMS];
	unsigned int nvictim;
	atomic_int stop;
	_Atomic uint64_t pub[OP_THREADS][LIVE];	/* attacker payload offsets */
	char dfs[16][64];
	unsigned int ndfs;
	struct worker w[WORKERS];
};

/* Failures found by any thread; the test reports them at its end. */
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static char fail_msg[MAX_FAILS][256];
static unsigned int nfails;

static void failure(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&fail_lock);
	if (nfails < MAX_FAILS) {
		va_start(ap, fmt);
		vsnprintf(fail_msg[nfails], sizeof(fail_msg[0]), fmt, ap);
		va_end(ap);
		ksft_print_msg("failure: %s\n", fail_msg[nfails]);
	}
	nfails++;
	pthread_mutex_unlock(&fail_lock);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static uint64_t rnd64(uint32_t *s)
{
	return (uint64_t)rnd(s) << 32 | rnd(s);
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

static bool listed(const int *list, int e)
{
	for (; list && *list; list++)
		if (*list == e)
			return true;
	return false;
}

static bool documented(enum op op, int e)
{
	return listed(common_errs, e) || listed(op_errs[op], e);
}

/* --- Timed calls --------------------------------------------------------- */

static uint64_t call_begin(struct worker *w, enum op op)
{
	uint64_t t0 = now_ns();

	atomic_store(&w->busy_op, op);
	atomic_store(&w->busy_since, t0);
	return t0;
}

/*
 * What the other threads did during [@t0, @t1]: their calls of more than
 * half that long which overlapped it (the likely lock holder), into @buf.
 */
static void overlapping(const struct worker *w, uint64_t t0, uint64_t t1,
			char *buf, size_t len)
{
	const struct worker *o;
	size_t at = 0;
	uint64_t a, b;

	buf[0] = '\0';
	if (!w->r)
		return;
	for (o = w->r->w; o < w->r->w + WORKERS && at < len - 64; o++) {
		if (o == w)
			continue;
		int op = atomic_load(&o->busy_op);

		a = atomic_load(&o->busy_since);
		b = t1;
		if (!a) {
			op = atomic_load(&o->last_op);
			a = atomic_load(&o->last_t0);
			b = atomic_load(&o->last_t1);
		}
		if (a && a < t1 && t0 < b && b - a > (t1 - t0) / 2)
			at += snprintf(buf + at, len - at,
				       "; thread %u in %s%s%s for %.3f s",
				       o->id, op_name[op],
				       op >= OP_DFS_READ ? " " : "",
				       op >= OP_DFS_READ ? o->file : "",
				       (b - a) / 1e9);
	}
}

/* Account a call that returned @ret (0 or -errno), started at @t0. */
static void call_end(struct worker *w, enum op op, uint64_t t0, int ret)
{
	uint64_t t1 = now_ns(), d = t1 - t0;
	char others[160];

	atomic_store(&w->last_op, op);
	atomic_store(&w->last_t0, t0);
	atomic_store(&w->last_t1, t1);
	atomic_store(&w->busy_since, 0);
	w->t.calls[op]++;
	if (d > w->t.max_ns[op])
		w->t.max_ns[op] = d;
	if (d > SLOW_NS)
		w->t.slow[op]++;
	if (d > HANG_NS) {
		overlapping(w, t0, t1, others, sizeof(others));
		failure("thread %u: %s%s%s took %.3f s (hung: over %llu s)%s",
			w->id,
			op_name[op], op >= OP_DFS_READ ? " " : "",
			op >= OP_DFS_READ ? w->file : "", d / 1e9,
			HANG_NS / NS, others);
	}
	if (!ret)
		return;
	if (-ret > 0 && -ret < ERRNO_MAX)
		w->t.errs[op][-ret]++;
	if (op < OP_DFS_READ && !documented(op, -ret))
		failure("thread %u: %s returned %s (%d), not documented",
			w->id, op_name[op], errname(-ret), ret);
}

static int t_ioctl(struct worker *w, enum op op, int fd, unsigned long cmd,
		   void *arg)
{
	uint64_t t0 = call_begin(w, op);
	int ret = ioctl(fd, cmd, arg) ? -errno : 0;

	call_end(w, op, t0, ret);
	return ret;
}

static int t_alloc(struct worker *w, int fd, uint64_t size, uint64_t align,
		   uint32_t flags, uint64_t *off, uint64_t *usable)
{
	struct myheap_alloc a = { .size = size, .align = align, .flags = flags };
	int ret = t_ioctl(w, OP_ALLOC, fd, MYHEAP_IOC_ALLOC, &a);

	if (!ret) {
		*off = a.offset;
		*usable = a.usable;
	}
	return ret;
}

static int t_free(struct worker *w, int fd, uint64_t off)
{
	struct myheap_free f = { .offset = off };

	return t_ioctl(w, OP_FREE, fd, MYHEAP_IOC_FREE, &f);
}

static int t_realloc(struct worker *w, int fd, uint64_t off, uint64_t size,
		     uint64_t *new_off, uint64_t *usable)
{
	struct myheap_realloc r = { .offset = off, .size = size };
	int ret = t_ioctl(w, OP_REALLOC, fd, MYHEAP_IOC_REALLOC, &r);

	if (!ret) {
		*new_off = r.new_offset;
		*usable = r.usable;
	}
	return ret;
}

static int t_usable(struct worker *w, int fd, uint64_t off, uint64_t *usable)
{
	struct myheap_usable_size u = { .offset = off };
	int ret = t_ioctl(w, OP_USABLE, fd, MYHEAP_IOC_USABLE_SIZE, &u);

	if (!ret && usable)
		*usable = u.usable;
	return ret;
}

/* --- The region, as the attacker sees it --------------------------------- */

static bool hits_victim(const struct round *r, uint64_t lo, uint64_t hi)
{
	unsigned int i;

	for (i = 0; i < r->nvictim; i++)
		if (lo < r->victim[i].off + r->victim[i].usable &&
		    r->victim[i].off - r->hdr < hi)
			return true;
	return false;
}

static bool may_write(const struct round *r, uint64_t off, uint64_t len)
{
	return off + len <= r->region && !hits_victim(r, off, off + len);
}

static uint64_t ld64(const struct round *r, uint64_t off)
{
	if (off % 8 || off + 8 > r->region)
		return 0;
	return __atomic_load_n((uint64_t *)(r->map + off), __ATOMIC_RELAXED);
}

static bool st64(const struct round *r, uint64_t off, uint64_t v)
{
	if (off % 8 || !may_write(r, off, 8))
		return false;
	__atomic_store_n((uint64_t *)(r->map + off), v, __ATOMIC_RELAXED);
	return true;
}

static bool st32(const struct round *r, uint64_t off, uint32_t v)
{
	if (off % 4 || !may_write(r, off, 4))
		return false;
	__atomic_store_n((uint32_t *)(r->map + off), v, __ATOMIC_RELAXED);
	return true;
}

static uint64_t hdr_size(uint64_t w)
{
	return (w & HDR_SIZE_MASK) * HDR_UNIT;
}

static uint64_t with_size(uint64_t w, uint64_t size)
{
	return (w & HDR_FIELDS & ~HDR_SIZE_MASK) |
	       ((size / HDR_UNIT) & HDR_SIZE_MASK);
}

/* Header offset of the block after the one at @h, or 0. */
static uint64_t next_header(const struct round *r, uint64_t h)
{
	uint64_t size = hdr_size(ld64(r, h));

	if (size < 32 || h + size + 8 > r->region)
		return 0;
	return h + size;
}

/*
 * Headers worth attacking: the attacker's own blocks, the block after each
 * victim block (a free hole or an attacker block whose neighbour is often a
 * victim), and the neighbours of both. Whatever the policy's layout.
 */
static unsigned int targets(struct round *r, uint32_t *seed, uint64_t *t)
{
	unsigned int n = 0, i, j;
	uint64_t off, h;

	for (i = 0; i < OP_THREADS; i++)
		for (j = 0; j < LIVE && n < TARGETS / 2; j++) {
			off = atomic_load(&r->pub[i][j]);
			if (off)
				t[n++] = off - r->hdr;
		}
	for (i = 0; i < r->nvictim && n < TARGETS - 2; i++) {
		h = r->victim[i].off - r->hdr;
		h = next_header(r, h);
		if (h)
			t[n++] = h;
	}
	for (i = 0, j = n; i < j && n < TARGETS; i++) {
		h = next_header(r, t[i]);
		if (h && rnd(seed) % 2)
			t[n++] = h;
	}
	return n;
}

/* --- Attacker threads ---------------------------------------------------- */

static void pause_a_little(uint32_t *seed)
{
	struct timespec ts = { 0, (rnd(seed) % 500) * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * What a scribble wrote, so it can be put back: most damage is transient
 * (written, left for up to half a millisecond, restored unless the kernel
 * has rewritten the word meanwhile), so operations keep running on a heap
 * that is sound most of the time and the writes land inside them.
 */
struct undo {
	uint64_t off[4], old[4], new[4];
	unsigned int n;
	bool wide[4];
};

static void scrib64(const struct round *r, struct undo *u, uint64_t off,
		    uint64_t v)
{
	uint64_t old = ld64(r, off);

	if (st64(r, off, v) && u->n < 4) {
		u->off[u->n] = off;
		u->old[u->n] = old;
		u->new[u->n] = v;
		u->wide[u->n++] = true;
	}
}

static void scrib32(const struct round *r, struct undo *u, uint64_t off,
		    uint32_t v)
{
	uint32_t old;

	if (off % 4 || off + 4 > r->region)
		return;
	old = __atomic_load_n((uint32_t *)(r->map + off), __ATOMIC_RELAXED);
	if (st32(r, off, v) && u->n < 4) {
		u->off[u->n] = off;
		u->old[u->n] = old;
		u->new[u->n] = v;
		u->wide[u->n++] = false;
	}
}

static void undo(const struct round *r, struct undo *u)
{
	while (u->n--) {
		unsigned int i = u->n;

		if (u->wide[i]) {
			uint64_t want = u->new[i];

			__atomic_compare_exchange_n((uint64_t *)(r->map + u->off[i]),
						    &want, u->old[i], false,
						    __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
		} else {
			uint32_t want = u->new[i];

			__atomic_compare_exchange_n((uint32_t *)(r->map + u->off[i]),
						    &want, (uint32_t)u->old[i],
						    false, __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
		}
	}
	u->n = 0;
}

static uint64_t some_header(const struct round *r, uint32_t *seed)
{
	return 8 + 16 * (rnd(seed) % (r->region / 16));
}

/* A link value that makes the kernel write into a victim block if it
 * follows it: the victim's header, or its payload.
 */
static uint32_t victim_link(const struct round *r, uint32_t *seed)
{
	const struct vblock *v;

	if (!r->nvictim)
		return some_header(r, seed);
	v = &r->victim[rnd(seed) % r->nvictim];
	return v->off - r->hdr + (rnd(seed) % 2 ? 0 : 16 * (rnd(seed) % 4));
}

static void *scribbler_main(void *arg)
{
	struct worker *w = arg;
	struct round *r = w->r;
	uint64_t t[TARGETS], h, v, sz, other;
	unsigned int n = 0, iter = 0, k, i;
	struct undo u = { .n = 0 };
	enum scribble kind;

	while (!atomic_load(&r->stop)) {
		if (iter++ % 32 == 0 || !n)
			n = targets(r, &w->seed, t);
		h = n ? t[rnd(&w->seed) % n] : some_header(r, &w->seed);
		other = n ? t[rnd(&w->seed) % n] : h;
		v = ld64(r, h);
		sz = hdr_size(ld64(r, next_header(r, h)));
		k = rnd(&w->seed) % 100;
		if (k < 8) {
			kind = SC_RANDOM;
			scrib64(r, &u, (rnd64(&w->seed) % r->region) & ~7ull,
				k % 2 ? rnd64(&w->seed) : rnd(&w->seed) % r->region);
		} else if (k < 22) {
			/* A loop: a block's links pointing at itself, or two
			 * blocks pointing at each other.
			 */
			kind = SC_LOOP;
			scrib32(r, &u, h + LINK_NEXT, other);
			scrib32(r, &u, h + LINK_PREV, other);
			scrib32(r, &u, other + LINK_NEXT, h);
			scrib32(r, &u, other + LINK_PREV, h);
		} else if (k < 30) {
			kind = SC_LINK;
			scrib32(r, &u, h + (k % 2 ? LINK_NEXT : LINK_PREV),
				k % 3 == 0 ? rnd(&w->seed) :
				k % 3 == 1 ? some_header(r, &w->seed) :
					     victim_link(r, &w->seed));
		} else if (k < 44) {
			kind = SC_SIZE;
			scrib64(r, &u, h, with_size(v, hdr_size(v) +
						    (k % 3 ? sz : r->region)));
		} else if (k < 52) {
			kind = SC_ZERO;
			scrib64(r, &u, h, 0);
		} else if (k < 62) {
			kind = SC_FLIP;
			scrib64(r, &u, h, v ^ (k % 3 == 0 ? HDR_USED :
					       k % 3 == 1 ? HDR_PREV_FREE :
					       1ull << (rnd(&w->seed) % 64)));
		} else if (k < 66) {
			kind = SC_POISON;
			scrib64(r, &u, h, POISON_WORD);
		} else {
			/* Broken and intact in turn, to land inside the
			 * window of whatever operation runs on it now.
			 */
			uint64_t at = h, bad;

			kind = SC_TOGGLE;
			switch (k % 4) {
			case 0:
				bad = 0;
				break;
			case 1:
				bad = with_size(v, hdr_size(v) + sz);
				break;
			default:
				/* A link: the victim, or itself. */
				at = h + (k % 4 == 2 ? LINK_NEXT : LINK_PREV);
				v = ld64(r, at & ~7ull);
				bad = v;
				memcpy((char *)&bad + at % 8,
				       &(uint32_t){ rnd(&w->seed) % 2 ?
						    victim_link(r, &w->seed) :
						    (uint32_t)h }, 4);
				at &= ~7ull;
				break;
			}
			for (i = 0; i < 2000 && !atomic_load(&r->stop); i++) {
				st64(r, at, bad);
				st64(r, at, v);
			}
		}
		w->t.scribbles[kind]++;
		if (rnd(&w->seed) % 4)
			pause_a_little(&w->seed);
		if (rnd(&w->seed) % 5)
			undo(r, &u);
		u.n = 0;
	}
	return NULL;
}

/*
 * Learn a valid check for @forged at header @h by trial: USABLE_SIZE of the
 * payload answers 0 (own block in use) or -EALREADY (a free block) once the
 * check passes. Restores the old word if none did.
 */
static bool forge(struct worker *w, uint64_t h, uint64_t old, uint64_t forged,
		  int want)
{
	struct round *r = w->r;
	uint64_t c, usable;
	int ret;

	w->t.forge_tries++;
	for (c = 0; c < HDR_CHECKS && !atomic_load(&r->stop); c++) {
		if (!st64(r, h, forged | c << HDR_CHECK_SHIFT))
			return false;
		w->t.forge_trials++;
		ret = t_usable(w, r->afd, h + r->hdr, &usable);
		if (ret == want) {
			w->t.forged++;
			w->t.scribbles[SC_FORGED]++;
			return true;
		}
	}
	st64(r, h, old);
	return false;
}

/* Does the block [off - hdr, off + usable) the kernel gave us stay clear? */
static bool block_ok(struct worker *w, const char *what, uint64_t off,
		     uint64_t usable, uint64_t size)
{
	struct round *r = w->r;

	if (off < r->hdr || off % r->align || off + usable > r->region ||
	    usable < size) {
		failure("thread %u: %s returned offset %llu usable %llu for %llu bytes: not a block of a %llu-byte region",
			w->id, what, (unsigned long long)off,
			(unsigned long long)usable, (unsigned long long)size,
			(unsigned long long)r->region);
		return false;
	}
	if (hits_victim(r, off - r->hdr, off + usable)) {
		failure("thread %u: %s handed out [%llu, %llu), which overlaps a block of another file",
			w->id, what, (unsigned long long)(off - r->hdr),
			(unsigned long long)(off + usable));
		return false;
	}
	return true;
}

static void *forger_main(void *arg)
{
	struct worker *w = arg;
	struct round *r = w->r;
	uint64_t off, usable, h, nh, old, t[TARGETS], noff, nus;
	unsigned int n, i;
	int ret;

	while (!atomic_load(&r->stop)) {
		/* An own block swallowing its neighbour, then used. */
		if (t_alloc(w, r->afd, 16 + rnd(&w->seed) % 500, 0, 0, &off,
			    &usable) == 0 &&
		    block_ok(w, "ALLOC", off, usable, 16)) {
			h = off - r->hdr;
			old = ld64(r, h);
			nh = next_header(r, h);
			if (nh && forge(w, h, old,
					with_size(old, hdr_size(old) +
						  hdr_size(ld64(r, nh))), 0)) {
				switch (rnd(&w->seed) % 3) {
				case 0:
					ret = t_realloc(w, r->afd, off, 16,
							&noff, &nus);
					if (!ret && block_ok(w, "REALLOC", noff, nus, 16))
						off = noff;
					break;
				case 1:
					ret = t_realloc(w, r->afd, off,
							hdr_size(ld64(r, h)) - r->hdr,
							&noff, &nus);
					if (!ret && block_ok(w, "REALLOC", noff, nus, 1))
						off = noff;
					break;
				}
			}
			t_free(w, r->afd, off);
		}
		/* A free block (often the hole after a victim block) forged
		 * to swallow its neighbour; the op threads' ALLOCs do the rest.
		 */
		n = targets(r, &w->seed, t);
		for (i = 0; n && i < 4; i++) {
			h = t[rnd(&w->seed) % n];
			old = ld64(r, h);
			nh = next_header(r, h);
			if (!(old & HDR_USED) && nh && hdr_size(old) &&
			    forge(w, h, old, with_size(old, hdr_size(old) +
						       hdr_size(ld64(r, nh))),
				  -EALREADY))
				break;
		}
		/* Another file's blocks are not ours to touch. */
		if (r->nvictim) {
			struct vblock *v = &r->victim[rnd(&w->seed) % r->nvictim];

			if (!t_free(w, r->afd, v->off))
				failure("FREE of another file's block at %llu succeeded",
					(unsigned long long)v->off);
			if (!t_realloc(w, r->afd, v->off, 64, &noff, &nus))
				failure("REALLOC of another file's block at %llu succeeded",
					(unsigned long long)v->off);
			if (!t_usable(w, r->afd, v->off, &nus))
				failure("USABLE_SIZE of another file's block at %llu succeeded",
					(unsigned long long)v->off);
		}
	}
	return NULL;
}

struct live {
	uint64_t off, usable;
};

static void fill(struct round *r, uint64_t off, uint64_t len, uint32_t seed)
{
	if (may_write(r, off, len))
		memset(r->map + off, seed & 0xff, len);
}

static void publish(struct worker *w, struct live *l, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < LIVE; i++)
		atomic_store(&w->r->pub[w->id][i], i < n ? l[i].off : 0);
}

/* A batch of allocations, then one that frees what they got. */
static void op_batch(struct worker *w)
{
	struct round *r = w->r;
	struct myheap_batch_op ops[64];
	struct myheap_batch b = {
		.ops = (uintptr_t)ops, .op_size = sizeof(ops[0]),
	};
	unsigned int i, m, n = 1 + rnd(&w->seed) % 64;

	memset(ops, 0, sizeof(ops));
	for (i = 0; i < n; i++) {
		ops[i].op = MYHEAP_BATCH_OP_ALLOC;
		ops[i].size = 1 + rnd(&w->seed) % 1024;
	}
	b.count = n;
	if (t_ioctl(w, OP_BATCH, r->afd, MYHEAP_IOC_BATCH, &b))
		return;
	if (b.done != n)
		failure("BATCH of %u allocations did %u", n, b.done);
	for (i = 0, m = 0; i < n && i < b.done; i++) {
		if (ops[i].result) {
			if (!documented(OP_ALLOC, -ops[i].result))
				failure("BATCH alloc op returned %s (%d), not documented",
					errname(-ops[i].result), ops[i].result);
			continue;
		}
		if (!block_ok(w, "BATCH alloc", ops[i].offset,
			      ops[i].size, ops[i].size))
			continue;
		fill(r, ops[i].offset, ops[i].size, w->seed);
		memset(&ops[m], 0, sizeof(ops[m]));
		ops[m].op = MYHEAP_BATCH_OP_FREE;
		ops[m++].offset = ops[i].offset;
	}
	b.count = m;
	b.done = b.failed = 0;
	if (t_ioctl(w, OP_BATCH, r->afd, MYHEAP_IOC_BATCH, &b))
		return;
	for (i = 0; i < m && i < b.done; i++)
		if (ops[i].result && !documented(OP_FREE, -ops[i].result))
			failure("BATCH free op returned %s (%d), not documented",
				errname(-ops[i].result), ops[i].result);
}

static void *op_main(void *arg)
{
	struct worker *w = arg;
	struct round *r = w->r;
	struct live l[LIVE];
	struct myheap_stats st;
	struct myheap_check c;
	uint64_t off, usable, size;
	unsigned int n = 0, k, i;
	int ret;

	while (!atomic_load(&r->stop)) {
		k = rnd(&w->seed) % 100;
		i = n ? rnd(&w->seed) % n : 0;
		size = 1 + rnd(&w->seed) % 2048;
		if (k < 30 && n == LIVE)
			k = 30;		/* full: free one instead */
		if (k < 30 || !n) {
			ret = t_alloc(w, r->afd, size,
				      k % 10 == 0 ? 64u << (k % 7) : 0,
				      k % 10 == 1 ? MYHEAP_ALLOC_ZERO : 0,
				      &off, &usable);
			if (ret || !block_ok(w, "ALLOC", off, usable, size))
				continue;
			fill(r, off, usable, w->seed);
			l[n++] = (struct live){ off, usable };
		} else if (k < 48) {
			t_free(w, r->afd, l[i].off);
			/* Freed, or refused for good (damaged header): the
			 * close releases what the kernel still records.
			 */
			l[i] = l[--n];
		} else if (k < 63) {
			ret = t_realloc(w, r->afd, l[i].off, size, &off, &usable);
			if (ret)
				continue;
			if (!block_ok(w, "REALLOC", off, usable, size)) {
				l[i] = l[--n];
				continue;
			}
			fill(r, off, usable, w->seed);
			l[i] = (struct live){ off, usable };
		} else if (k < 75) {
			t_usable(w, r->afd, l[i].off, NULL);
		} else if (k < 82) {
			op_batch(w);
		} else if (k < 87) {
			memset(&c, 0, sizeof(c));
			t_ioctl(w, OP_CHECK, r->afd, MYHEAP_IOC_CHECK, &c);
		} else if (k < 93) {
			memset(&st, 0, sizeof(st));
			t_ioctl(w, OP_STATS, r->afd, MYHEAP_IOC_STATS, &st);
		} else {
			/* Offsets that are no block of ours. */
			off = k % 2 ? rnd64(&w->seed) % (2 * r->region) :
				      r->align * (rnd(&w->seed) %
						  (r->region / r->align));
			if (k % 3)
				t_free(w, r->afd, off);
			else
				t_usable(w, r->afd, off, NULL);
		}
		publish(w, l, n);
	}
	publish(w, l, 0);
	return NULL;
}

/* Every debugfs file: read through in chunks of every size, and seek. */
static void *reader_main(void *arg)
{
	static char buf[65536];
	struct worker *w = arg;
	struct round *r = w->r;
	uint64_t t0, total, last = 4096;
	unsigned int f = 0;
	ssize_t got;
	off_t at;
	int fd;

	while (!atomic_load(&r->stop) && r->ndfs) {
		char path[128];

		w->file = r->dfs[f++ % r->ndfs];
		snprintf(path, sizeof(path), DEBUGFS_DIR "/%s", w->file);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			failure("open %s: %s", path, strerror(errno));
			break;
		}
		if (rnd(&w->seed) % 3 == 0) {
			t0 = call_begin(w, OP_DFS_SEEK);
			at = lseek(fd, rnd64(&w->seed) % (2 * last + 1), SEEK_SET);
			call_end(w, OP_DFS_SEEK, t0, at < 0 ? -errno : 0);
		}
		for (total = 0; total < (64u << 20) && !atomic_load(&r->stop);
		     total += got) {
			size_t len = rnd(&w->seed) % 2 ? 4096 :
				     1 + rnd(&w->seed) % sizeof(buf);

			t0 = call_begin(w, OP_DFS_READ);
			got = read(fd, buf, len);
			call_end(w, OP_DFS_READ, t0, got < 0 ? -errno : 0);
			if (got <= 0)
				break;
		}
		if (total)
			last = total;
		close(fd);
	}
	return NULL;
}

/* --- A round ------------------------------------------------------------- */

static void tally_add(struct tally *sum, const struct tally *t)
{
	unsigned int i, e;

	for (i = 0; i < OP_NR; i++) {
		sum->calls[i] += t->calls[i];
		if (t->max_ns[i] > sum->max_ns[i])
			sum->max_ns[i] = t->max_ns[i];
		sum->slow[i] += t->slow[i];
		for (e = 0; e < ERRNO_MAX; e++)
			sum->errs[i][e] += t->errs[i][e];
	}
	for (i = 0; i < SC_NR; i++)
		sum->scribbles[i] += t->scribbles[i];
	sum->forge_trials += t->forge_trials;
	sum->forge_tries += t->forge_tries;
	sum->forged += t->forged;
}

static void list_debugfs(struct round *r)
{
	struct dirent *de;
	DIR *d = opendir(DEBUGFS_DIR);

	if (!d) {
		failure("cannot list " DEBUGFS_DIR ": %s", strerror(errno));
		return;
	}
	while ((de = readdir(d)) && r->ndfs < 16)
		if (de->d_name[0] != '.')
			snprintf(r->dfs[r->ndfs++], sizeof(r->dfs[0]), "%.63s",
				 de->d_name);
	closedir(d);
}

/* The victim: blocks around holes the attacker's blocks will fill. */
static bool victim_setup(struct round *r, struct worker *w)
{
	uint64_t off[2 * VICTIMS], usable[2 * VICTIMS];
	unsigned int i;

	for (i = 0; i < 2 * VICTIMS; i++) {
		uint64_t size = i == 0 ? 16384 : 16 + rnd(&w->seed) % 1024;

		if (t_alloc(w, r->vfd, size, 0, 0, &off[i], &usable[i])) {
			failure("the victim's ALLOC %u of %llu bytes failed on a fresh heap",
				i, (unsigned long long)size);
			return false;
		}
	}
	for (i = 0; i < 2 * VICTIMS; i++) {
		if (i % 2) {
			if (t_free(w, r->vfd, off[i]))
				failure("the victim's FREE failed on a sound heap");
			continue;
		}
		r->victim[r->nvictim] = (struct vblock){
			.off = off[i], .usable = usable[i], .seed = rnd(&w->seed),
		};
		pattern_fill(r->map + off[i], 0, usable[i], r->victim[r->nvictim].seed);
		r->nvictim++;
	}
	return true;
}

static void victim_verify(struct round *r, struct worker *w,
			  unsigned int policy)
{
	unsigned int i;
	uint64_t usable, j;
	int ret;

	for (i = 0; i < r->nvictim; i++) {
		struct vblock *v = &r->victim[i];
		unsigned char *p = r->map + v->off;

		if (!pattern_intact(p, v->usable, v->seed)) {
			for (j = 0; j < v->usable; j++) {
				unsigned char want = v->seed * 31 + j * 7 + (j >> 8);

				if (p[j] != want)
					break;
			}
			failure("policy %u: the victim's block at %llu (%llu bytes) changed at +%llu: 0x%02x, not 0x%02x",
				policy, (unsigned long long)v->off,
				(unsigned long long)v->usable,
				(unsigned long long)j, p[j],
				(unsigned char)(v->seed * 31 + j * 7 + (j >> 8)));
		}
		/*
		 * Its header is intact, so it must decode: -EUCLEAN (damage
		 * around it, e.g. a neighbour that disagrees) is a refusal,
		 * not a corruption; anything else says the header changed.
		 */
		ret = t_usable(w, r->vfd, v->off, &usable);
		if (ret && ret != -EUCLEAN)
			failure("policy %u: USABLE_SIZE of the victim's own block at %llu: %s",
				policy, (unsigned long long)v->off, errname(-ret));
		else if (!ret && usable != v->usable)
			failure("policy %u: the victim's block at %llu has %llu usable bytes, not %llu",
				policy, (unsigned long long)v->off,
				(unsigned long long)usable,
				(unsigned long long)v->usable);
	}
}

/* Join the first @n workers; false if some are still in a call after 30 s. */
static bool join_all(struct round *r, unsigned int n)
{
	struct timespec ts;
	unsigned int i;
	bool all = true;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	for (i = 0; i < n; i++) {
		struct worker *w = &r->w[i];
		uint64_t since;

		if (!pthread_timedjoin_np(w->tid, NULL, &ts))
			continue;
		since = atomic_load(&w->busy_since);
		failure("thread %u never came back from %s (%.1f s in it): the kernel is stuck",
			i, op_name[atomic_load(&w->busy_op)],
			since ? (now_ns() - since) / 1e9 : 0.0);
		all = false;
	}
	return all;
}

/* One round: fresh files and heap, attack for @ns, check the victim. */
static bool run_round(const struct myheap_info *info, unsigned int policy,
		      uint64_t ns, uint32_t seed, struct tally *sum)
{
	struct round *r = calloc(1, sizeof(*r));
	void *(*fn)(void *);
	struct worker vw = { .id = 99, .seed = seed };
	uint64_t end, since;
	unsigned int i;
	bool ok = true;

	if (!r)
		return false;
	r->region = info->region_size;
	r->hdr = info->header_size;
	r->align = info->alignment;
	r->afd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	r->vfd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);
	r->map = mmap(NULL, info->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->afd, 0);
	if (r->afd < 0 || r->vfd < 0 || r->map == MAP_FAILED) {
		failure("open or mmap of %s: %s", MYHEAP_DEVICE, strerror(errno));
		return false;
	}
	vw.r = r;
	list_debugfs(r);
	if (!victim_setup(r, &vw))
		goto out;

	for (i = 0; i < WORKERS; i++) {
		struct worker *w = &r->w[i];

		w->r = r;
		w->id = i;
		w->seed = seed * 2654435761u + i + 1;
		fn = i < OP_THREADS ? op_main :
		     i < OP_THREADS + SCRIBBLERS ? scribbler_main :
		     i == WORKERS - 2 ? forger_main : reader_main;
		if (pthread_create(&w->tid, NULL, fn, w)) {
			failure("pthread_create: %s", strerror(errno));
			atomic_store(&r->stop, 1);
			if (!join_all(r, i))
				return false;
			goto out;
		}
	}
	/* Watch for calls that do not come back while the round runs. */
	for (end = now_ns() + ns; now_ns() < end;) {
		usleep(20000);
		for (i = 0; i < WORKERS; i++) {
			struct worker *w = &r->w[i];
			int op = atomic_load(&w->busy_op);

			since = atomic_load(&w->busy_since);
			if (since && now_ns() - since > HANG_NS &&
			    !w->stuck_told) {
				w->stuck_told = true;
				failure("thread %u: %s%s%s has not returned after %llu s",
					i, op_name[op], op >= OP_DFS_READ ? " " : "",
					op >= OP_DFS_READ ? w->file : "",
					HANG_NS / NS);
			}
		}
	}
	atomic_store(&r->stop, 1);
	ok = join_all(r, WORKERS);
	for (i = 0; i < WORKERS; i++)
		tally_add(sum, &r->w[i].t);	/* a stuck one's, as they stand */
	if (!ok)
		return false;	/* threads still use r: leave it be */
	victim_verify(r, &vw, policy);
out:
	tally_add(sum, &vw.t);
	munmap(r->map, info->mmap_size);
	close(r->afd);
	close(r->vfd);
	free(r);
	return ok;
}

static void print_tally(const struct tally *t, unsigned int rounds, double s)
{
	uint64_t ops = 0, sc = 0, errs[ERRNO_MAX] = { 0 }, slow = 0, over = 0;
	unsigned int i, e, slow_op = 0;
	char line[1024];
	int len;

	for (i = 0; i < OP_NR; i++) {
		ops += t->calls[i];
		over += t->slow[i];
		if (t->max_ns[i] > slow) {
			slow = t->max_ns[i];
			slow_op = i;
		}
		for (e = 0; e < ERRNO_MAX; e++)
			errs[e] += t->errs[i][e];
	}
	for (i = 0; i < SC_NR; i++)
		sc += t->scribbles[i];
	ksft_print_msg("%u rounds in %.1f s: %llu calls, %llu scribbles, slowest call %.3f ms (%s)\n",
		       rounds, s, (unsigned long long)ops,
		       (unsigned long long)sc, slow / 1e6, op_name[slow_op]);
	ksft_print_msg("calls over 1 s: %llu (target 0)\n",
		       (unsigned long long)over);
	for (i = 0; i < OP_NR; i++)
		ksft_print_msg("  %-14s %9llu calls, slowest %9.3f ms, %llu over 1 s\n",
			       op_name[i], (unsigned long long)t->calls[i],
			       t->max_ns[i] / 1e6,
			       (unsigned long long)t->slow[i]);
	for (i = 0; i < SC_NR; i++)
		ksft_print_msg("  %-30s %9llu\n", sc_name[i],
			       (unsigned long long)t->scribbles[i]);
	ksft_print_msg("  forged headers: %llu of %llu attempts passed their check (%llu trials)\n",
		       (unsigned long long)t->forged,
		       (unsigned long long)t->forge_tries,
		       (unsigned long long)t->forge_trials);
	len = snprintf(line, sizeof(line), "errors by errno:");
	for (e = 1; e < ERRNO_MAX; e++)
		if (errs[e] && len < (int)sizeof(line) - 40)
			len += snprintf(line + len, sizeof(line) - len,
					" %s %llu", errname(e),
					(unsigned long long)errs[e]);
	ksft_print_msg("%s%s\n", line, len == 16 ? " none" : "");
}

static unsigned long scribble_seconds(void)
{
	unsigned long s = env_ul("MYHEAP_SCRIBBLE_SECONDS", 30) /
			  MYHEAP_NR_POLICIES;

	return s ? s : 1;
}

FIXTURE(scribble) {
	struct myheap_info info;
	uint32_t old_policy;
};

FIXTURE_VARIANT(scribble) {
	uint32_t policy;
};

DEV_POLICY_VARIANTS(scribble);

FIXTURE_SETUP(scribble)
{
	int fd = open(MYHEAP_DEVICE, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dev_info(fd, &self->info));
	close(fd);
	ASSERT_EQ(0, dev_switch_policy(variant->policy, &self->old_policy))
		TH_LOG("SET_POLICY needs an empty heap and CAP_SYS_ADMIN");
}

FIXTURE_TEARDOWN(scribble)
{
	/* Every file is closed: a damaged heap was reset. */
	EXPECT_EQ(0, dev_switch_policy(self->old_policy, NULL));
}

TEST_F_TIMEOUT(scribble, attack, 30)
{
	uint64_t ns = scribble_seconds() * NS, start = now_ns(), left, round;
	struct tally *sum = calloc(1, sizeof(*sum));
	unsigned int rounds = 0;
	uint32_t seed = 0x5eed0000u + variant->policy * 7919u;

	ASSERT_NE(NULL, sum);
	ksft_print_msg("policy %u, %lu s\n", variant->policy, scribble_seconds());
	round = (ns / NS > 2 * ROUND_MAX_S ? ROUND_MAX_S * NS : ns / 2);
	while ((left = start + ns - now_ns()) < ns && left > NS / 4) {
		rounds++;
		if (!run_round(&self->info, variant->policy,
			       left < round + NS / 2 ? left : round,
			       seed + rounds, sum))
			break;
	}
	print_tally(sum, rounds, (now_ns() - start) / 1e9);
	EXPECT_EQ(0, nfails) TH_LOG("%u failures; first: %s", nfails, fail_msg[0]);
	free(sum);
}

/*
 * The harness takes timeouts as constants; this test's duration comes
 * from the environment, so it is set once every test is registered.
 */
static void __attribute__((constructor(KSELFTEST_PRIO_TEST + 10)))
set_timeout(void)
{
	_scribble_attack_object->timeout = scribble_seconds() + 120;
}

TEST_HARNESS_MAIN
