// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of /sys/kernel/debug/myheap/ and of the myheap tracepoints, run as
 * root in the VM (tests/debugfs/run-in-vm) against a freshly loaded module
 * with the default parameters (4 MiB region).
 *
 * Every test runs in its own process with its own open file of /dev/myheap,
 * so the heap is empty again when the next one starts.
 *
 * Golden dumps: MYHEAP_GOLDEN_PRINT=1 makes the golden tests print what
 * they see (in golden form) instead of comparing, for tests/debugfs/
 * update-golden; the files in golden/ are reviewed by hand, not accepted
 * blindly.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "dfs_util.h"
#include "json_parse.h"
#include "golden.h"

FIXTURE(heap) {
	int fd;
	struct myheap_info info;
	uint8_t *map;
	pid_t pid;
};

FIXTURE_SETUP(heap)
{
	self->fd = open(MYHEAP_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", MYHEAP_DEVICE, strerror(errno));
	ASSERT_EQ(0, dev_info(self->fd, &self->info));
	self->map = mmap(NULL, self->info.mmap_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	self->pid = getpid();
}

FIXTURE_TEARDOWN(heap)
{
	if (self->map && self->map != MAP_FAILED)
		munmap(self->map, self->info.mmap_size);
	if (self->fd >= 0)
		close(self->fd);
}

/* The blocks dump, parsed; fails the test if it does not parse. */
#define GET_BLOCKS(d)							\
	do {								\
		char *_t = read_dfs("blocks", NULL);			\
		ASSERT_NE(NULL, _t);					\
		ASSERT_EQ(0, parse_blocks(_t, (d))) TH_LOG("%s", (d)->err); \
		ASSERT_TRUE((d)->have_totals);				\
		free(_t);						\
	} while (0)

/* Find the block line whose block starts at @off. */
static const struct blk *blk_at(const struct blocks_dump *d, long long off)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->b[i].offset == off)
			return &d->b[i];
	return NULL;
}

/* Check that the blocks tile the heap and agree with their totals. */
static bool blocks_consistent(const struct blocks_dump *d, char *why,
			      size_t len)
{
	unsigned long long used = 0, free_ = 0, dmg = 0;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct blk *b = &d->b[i];

		if (i && b->offset != d->b[i - 1].offset + d->b[i - 1].size) {
			snprintf(why, len, "block %zu at %lld is not where block %zu ends",
				 i, b->offset, i - 1);
			return false;
		}
		if (!strcmp(b->state, "run") &&
		    (!b->slots || b->slot_requested != b->requested)) {
			snprintf(why, len, "run %zu at %lld: %lld slots, their %lld bytes are not its %lld",
				 i, b->offset, b->slots, b->slot_requested,
				 b->requested);
			return false;
		}
		if (!strcmp(b->state, "used") || !strcmp(b->state, "run"))
			used++;
		else if (!strcmp(b->state, "free"))
			free_++;
		else if (!strcmp(b->state, "damaged"))
			dmg++;
	}
	if (d->t_blocks != d->n || d->t_used != used || d->t_free != free_ ||
	    d->t_damaged != dmg) {
		snprintf(why, len, "totals disagree with the %zu lines", d->n);
		return false;
	}
	return true;
}

/*
 * Member @key of @o as the blocks dump writes it: a non-negative integer,
 * -1 for null (the text's "-"), -2 for anything else.
 */
static long long json_num(const struct jv *o, const char *key)
{
	const struct jv *m = jv_get(o, key);
	uint64_t v;

	if (m && m->type == JV_NULL)
		return -1;
	return jv_u64(o, key, &v) && v <= INT64_MAX ? (long long)v : -2;
}

/* A record's "slots" sum up as the text's slot lines below its line. */
static bool slots_agree(const struct jv *o, const struct blk *b)
{
	const struct jv *slots = jv_get(o, "slots");
	long long used = 0, req = 0, n;
	size_t i;

	if (!slots)
		return !b->slots && !jv_get(o, "slot_size");
	if (slots->type != JV_ARR || json_num(o, "slot_size") != b->slot_size ||
	    (long long)slots->n != b->slots)
		return false;
	for (i = 0; i < slots->n; i++) {
		const struct jv *s = &slots->items[i];
		const char *state = jv_str(s, "state");

		n = json_num(s, "requested");
		if (!state || json_num(s, "offset") < b->offset ||
		    json_num(s, "offset") + b->slot_size > b->offset + b->size)
			return false;
		if (!strcmp(state, "used") && n > 0) {
			used++;
			req += n;
		} else if (strcmp(state, "free") || n != -1) {
			return false;
		}
	}
	return used == b->slots_used && req == b->slot_requested;
}

/* blocks.json parses and says exactly what blocks says, line by line. */
static bool json_agrees(const char *json_text, const struct blocks_dump *d,
			char *why, size_t len)
{
	char err[128];
	struct jv *root = jv_parse(json_text, err, sizeof(err));
	const struct jv *blocks, *tot;
	bool ok = false;
	size_t i;

	if (!root) {
		snprintf(why, len, "blocks.json does not parse: %s", err);
		return false;
	}
	blocks = jv_get(root, "blocks");
	tot = jv_get(root, "totals");
	if (!jv_str(root, "version") || !jv_str(root, "format") ||
	    !blocks || blocks->type != JV_ARR || !tot) {
		snprintf(why, len, "blocks.json lacks version, format, blocks or totals");
		goto out;
	}
	if (blocks->n != d->n) {
		snprintf(why, len, "%zu blocks in JSON, %zu in text", blocks->n, d->n);
		goto out;
	}
	for (i = 0; i < d->n; i++) {
		const struct jv *o = &blocks->items[i];
		const struct blk *b = &d->b[i];
		const char *state = jv_str(o, "state"), *hdr = jv_str(o, "header");

		if (json_num(o, "offset") != b->offset ||
		    json_num(o, "size") != b->size ||
		    json_num(o, "header_size") != b->hdr ||
		    json_num(o, "requested") != b->requested ||
		    json_num(o, "granted") != b->granted ||
		    json_num(o, "pid") != b->pid ||
		    json_num(o, "owner") != b->owner ||
		    !state || strcmp(state, b->state) ||
		    !hdr || strcmp(hdr, b->header)) {
			snprintf(why, len, "block %zu (offset %lld) differs", i, b->offset);
			goto out;
		}
		if (!slots_agree(o, b)) {
			snprintf(why, len, "the slots of run %zu (offset %lld) differ", i,
				 b->offset);
			goto out;
		}
	}
	if ((unsigned long long)json_num(tot, "blocks") != d->t_blocks ||
	    (unsigned long long)json_num(tot, "used_bytes") != d->t_used_bytes ||
	    (unsigned long long)json_num(tot, "free_bytes") != d->t_free_bytes ||
	    (unsigned long long)json_num(tot, "damaged") != d->t_damaged) {
		snprintf(why, len, "totals differ");
		goto out;
	}
	ok = true;
out:
	jv_free(root);
	return ok;
}

TEST_F(heap, files_exist_root_only)
{
	char path[256], *text;
	struct stat st;
	size_t i;

	for (i = 0; i < DFS_NR_FILES; i++) {
		snprintf(path, sizeof(path), DFS_DIR "/%s", dfs_files[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
		EXPECT_EQ(0400, st.st_mode & 07777) TH_LOG("%s mode %o", path, st.st_mode);
		EXPECT_EQ(0, st.st_uid);
		text = read_dfs(dfs_files[i], NULL);
		ASSERT_NE(NULL, text) TH_LOG("cannot read %s", path);
		EXPECT_LT(0, strlen(text));
		free(text);
	}
}

TEST_F(heap, check_ok_and_versioned_headers)
{
	static const char *const first[] = {
		"blocks", "myheap blocks - version: 1.0\n",
		"freelist", "myheap freelist - version: 1.0\n",
		"frag", "myheap frag - version: 1.0\n",
		"owners", "myheap owners - version: 1.0\n",
		"events", "myheap events - version: 1.1\n",
	};
	uint64_t a;
	size_t i;
	char *t;

	ASSERT_EQ(0, dev_alloc(self->fd, 100, 0, 0, &a));
	t = read_dfs("check", NULL);
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("ok\n", t);
	free(t);
	for (i = 0; i < sizeof(first) / sizeof(first[0]); i += 2) {
		t = read_dfs(first[i], NULL);
		ASSERT_NE(NULL, t);
		EXPECT_EQ(0, strncmp(t, first[i + 1], strlen(first[i + 1])))
			TH_LOG("%s starts with: %.60s", first[i], t);
		free(t);
	}
}


/* The heap of every policy, with the same operations. */
FIXTURE(policy) {
	int fd;
	pid_t pid;
	long long owner;
};

FIXTURE_VARIANT(policy) {
	unsigned int policy;
};

DEV_POLICY_VARIANTS(policy);

FIXTURE_SETUP(policy)
{
	self->fd = open(MYHEAP_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, dev_set_policy(self->fd, variant->policy));
	self->pid = getpid();
	self->owner = owner_of_pid(self->pid);
	ASSERT_LT(0, self->owner);
}

FIXTURE_TEARDOWN(policy)
{
	close(self->fd);
}

/*
 * The fixed sequence of the golden dumps: five blocks split off the free
 * space, two holes, a free between them that coalesces all three, an
 * allocation placed by the policy, a shrink and a growth in place, and a
 * small allocation.
 */
static int golden_ops(int fd)
{
	uint64_t a, b, c, d, e, f, g, moved;
	int ret;

	ret = dev_alloc(fd, 100, 0, 0, &a) ?: dev_alloc(fd, 200, 0, 0, &b) ?:
	      dev_alloc(fd, 300, 0, 0, &c) ?: dev_alloc(fd, 50, 0, 0, &d) ?:
	      dev_alloc(fd, 1000, 0, 0, &e) ?:
	      dev_free(fd, b) ?: dev_free(fd, d) ?: dev_free(fd, c) ?:
	      dev_alloc(fd, 64, 0, 0, &f) ?:
	      dev_realloc(fd, a, 40, &moved) ?:
	      dev_realloc(fd, e, 1500, &moved) ?:
	      dev_alloc(fd, 24, 0, 0, &g);
	return ret;
}

/*
 * Pools: a run among the golden blocks. The 128-byte class gets its first
 * run once it has four runs' worth (4 x 15) of blocks live: 60 blocks of
 * 125 bytes, then three slots, the middle one freed again.
 */
static int golden_run_ops(int fd, unsigned int policy)
{
	uint64_t x, slot[3];
	int i, ret = 0;

	if (policy != MYHEAP_POLICY_POOLS)
		return 0;
	for (i = 0; i < 60 && !ret; i++)
		ret = dev_alloc(fd, 125, 0, 0, &x);
	for (i = 0; i < 3 && !ret; i++)
		ret = dev_alloc(fd, 125 - i, 0, 0, &slot[i]);
	return ret ?: dev_free(fd, slot[1]);
}

static const char *golden_text(const char *name)
{
	const struct golden *g;

	for (g = goldens; g->name; g++)
		if (!strcmp(g->name, name))
			return g->text;
	return NULL;
}

static void golden_compare(struct __test_metadata *_metadata,
			   const char *policy, const char *file, bool blocks,
			   long long pid, long long owner)
{
	bool stats = !strcmp(file, "stats");
	char name[64], *text, *got, *want = NULL;
	const char *golden;

	text = read_dfs(file, NULL);
	ASSERT_NE(NULL, text);
	snprintf(name, sizeof(name), "%s.%s", policy, file);
	/* printed as the kernel wrote it, compared without unsteady values */
	got = normalise(text, blocks, stats && !getenv("MYHEAP_GOLDEN_PRINT"),
			pid, owner);
	ASSERT_NE(NULL, got);
	if (getenv("MYHEAP_GOLDEN_PRINT")) {
		printf("=== golden %s\n%s=== end\n", name, got);
	} else {
		golden = golden_text(name);
		ASSERT_NE(NULL, golden) TH_LOG("no golden/%s", name);
		/* golden files are in golden form: this only masks */
		want = normalise(golden, false, stats, 0, 0);
		ASSERT_NE(NULL, want);
		EXPECT_STREQ(want, got);
	}
	free(want);
	free(got);
	free(text);
}

TEST_F(policy, golden)
{
	const char *name = myheap_policy_name(variant->policy);
	struct myheap_stats_reset reset = { 0 };
	char *check;

	/* the counters from zero, whatever ran before (root: CAP_SYS_ADMIN) */
	ASSERT_EQ(0, dev_ioctl(self->fd, MYHEAP_IOC_STATS_RESET, &reset));
	ASSERT_EQ(0, golden_ops(self->fd));
	ASSERT_EQ(0, golden_run_ops(self->fd, variant->policy));
	golden_compare(_metadata, name, "blocks", true, self->pid, self->owner);
	golden_compare(_metadata, name, "freelist", false, 0, 0);
	golden_compare(_metadata, name, "stats", false, 0, 0);
	check = read_dfs("check", NULL);
	ASSERT_NE(NULL, check);
	EXPECT_STREQ("ok\n", check);
	free(check);
}

TEST_F(policy, json_agrees_with_blocks)
{
	struct blocks_dump d;
	char why[160], *json;
	uint64_t x;
	size_t len;
	int i;

	ASSERT_EQ(0, golden_ops(self->fd));
	ASSERT_EQ(0, golden_run_ops(self->fd, variant->policy));
	for (i = 1; i <= 40; i++)
		ASSERT_EQ(0, dev_alloc(self->fd, i * 37, 0, 0, &x));
	GET_BLOCKS(&d);
	EXPECT_TRUE(blocks_consistent(&d, why, sizeof(why))) TH_LOG("%s", why);
	json = read_dfs("blocks.json", &len);
	ASSERT_NE(NULL, json);
	EXPECT_TRUE(json_agrees(json, &d, why, sizeof(why))) TH_LOG("%s", why);
	free(json);
	free(d.b);
}

/* A value "key: N" of the stats file. */
static long long stat_value(const char *key)
{
	char *text = read_dfs("stats", NULL), *p, pat[64];
	long long v = -1;

	if (!text)
		return -1;
	snprintf(pat, sizeof(pat), "\n%s: ", key);
	p = strstr(text, pat);
	if (p)
		v = atoll(p + strlen(pat));
	free(text);
	return v;
}

TEST_F_TIMEOUT(heap, blocks_100k, 900)
{
	const size_t n = 100000;
	uint64_t *offs = calloc(n, sizeof(*offs));
	struct blocks_dump d;
	char why[160], *json;
	size_t i, used = 0, bad = 0;
	double t0, t1, t2, t3, t4;
	long long heap_size;
	size_t len;

	ASSERT_NE(NULL, offs);
	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_SEGREGATED));
	t0 = now_s();
	ASSERT_EQ(0, dev_batch(self->fd, MYHEAP_BATCH_OP_ALLOC, 16, n, offs, 1));
	t1 = now_s();
	GET_BLOCKS(&d);
	t2 = now_s();
	for (i = 0; i < d.n; i++)
		if (!strcmp(d.b[i].state, "used")) {
			used++;
			if (d.b[i].pid != self->pid || d.b[i].size != 32 ||
			    d.b[i].requested != 16)
				bad++;
		}
	EXPECT_EQ(n, used);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(n, d.t_used);
	EXPECT_EQ(0, d.t_resyncs);
	EXPECT_TRUE(blocks_consistent(&d, why, sizeof(why))) TH_LOG("%s", why);
	heap_size = stat_value("heap_size");
	ASSERT_LT(0, heap_size);
	EXPECT_EQ(HDR + heap_size, d.b[d.n - 1].offset + d.b[d.n - 1].size);

	t3 = now_s();
	json = read_dfs("blocks.json", &len);
	ASSERT_NE(NULL, json);
	t4 = now_s();
	EXPECT_TRUE(json_agrees(json, &d, why, sizeof(why))) TH_LOG("%s", why);
	ksft_print_msg("%zu blocks: allocated in %.1f s, blocks read in %.1f s, blocks.json (%zu bytes) in %.1f s\n",
		       d.n, t1 - t0, t2 - t1, len, t4 - t3);
	free(json);
	free(d.b);
	free(offs);
}

/* Overwrite the header of a block through the mapping. */
TEST_F(heap, damaged_header_still_dumps)
{
	uint64_t a, b, c;
	uint8_t saved[HDR];
	struct blocks_dump d;
	const struct blk *bad;
	char why[160], want[160], *text, *json;
	size_t len, i;

	ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &a));
	ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &b));
	ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &c));
	memcpy(saved, self->map + b - HDR, HDR);
	memset(self->map + b - HDR, 0xa5, HDR);

	GET_BLOCKS(&d);
	bad = blk_at(&d, b - HDR);
	ASSERT_NE(NULL, bad);
	EXPECT_STREQ("damaged", bad->state);
	EXPECT_STREQ("bad", bad->header);
	EXPECT_EQ(c - b, bad->size);
	EXPECT_EQ(-1, bad->hdr);
	EXPECT_EQ(-1, bad->requested);
	EXPECT_EQ(self->pid, bad->pid);	/* ownership is kept outside */
	EXPECT_EQ(1, d.t_damaged);
	EXPECT_STREQ("used", blk_at(&d, a - HDR)->state);
	EXPECT_STREQ("used", blk_at(&d, c - HDR)->state);
	EXPECT_TRUE(blocks_consistent(&d, why, sizeof(why))) TH_LOG("%s", why);
	json = read_dfs("blocks.json", &len);
	ASSERT_NE(NULL, json);
	EXPECT_TRUE(json_agrees(json, &d, why, sizeof(why))) TH_LOG("%s", why);
	free(json);

	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strncmp(text, "violations: ", 12)) TH_LOG("%s", text);
	snprintf(want, sizeof(want),
		 "first: header fails its magic check at offset %llu\n",
		 (unsigned long long)(b - HDR));
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);
	snprintf(want, sizeof(want), "damaged: offset %llu, %llu bytes\n",
		 (unsigned long long)(b - HDR), (unsigned long long)(c - b));
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "\ndamaged_records: 1\n")) TH_LOG("%s", text);
	free(text);
	for (i = 0; i < DFS_NR_FILES; i++) {
		text = read_dfs(dfs_files[i], NULL);
		EXPECT_NE(NULL, text) TH_LOG("%s fails on a damaged heap", dfs_files[i]);
		free(text);
	}
	EXPECT_EQ(-EBADMSG, dev_free(self->fd, b));

	memcpy(self->map + b - HDR, saved, HDR);
	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_STREQ("ok\n", text);
	free(text);
	free(d.b);
}

/* Overwrite the next link of a free block: the free lists stop there. */
/* The last line of @text starts with @prefix. */
static bool last_line_is(const char *text, const char *prefix)
{
	size_t len = strlen(text);
	const char *p;

	if (!len || text[len - 1] != '\n')
		return false;
	for (p = text + len - 1; p > text && p[-1] != '\n'; p--)
		;
	return !strncmp(p, prefix, strlen(prefix));
}

TEST_F(heap, damaged_link_freelist)
{
	uint64_t a, b, c;
	uint32_t saved, junk = 0x7ffffff8;
	char want[96], *text;

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_FIRST_FIT));
	ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &a));
	ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &b));
	ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &c));
	ASSERT_EQ(0, dev_free(self->fd, b));
	memcpy(&saved, self->map + b, sizeof(saved));
	memcpy(self->map + b, &junk, sizeof(junk));

	text = read_dfs("freelist", NULL);
	ASSERT_NE(NULL, text);
	snprintf(want, sizeof(want), "list (address order):\n  %10llu ",
		 (unsigned long long)(b - HDR));
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "\n# damaged link:")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "\n# total: ")) TH_LOG("%s", text);
	free(text);
	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strncmp(text, "violations: ", 12)) TH_LOG("%s", text);
	free(text);

	memcpy(self->map + b, &saved, sizeof(saved));
	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_STREQ("ok\n", text);
	free(text);
}

/*
 * Pools: @runs runs of the 128-byte class (15 slots each), each with one
 * free slot, the last one freed listed first. The class gets runs once 60
 * blocks of it are live: those come first, in @offs[0..59]; the slots
 * follow, 15 a run, run by run.
 */
static int listed_runs(int fd, uint64_t *offs, size_t runs)
{
	size_t i;
	int ret;

	ret = dev_set_policy(fd, MYHEAP_POLICY_POOLS) ?:
	      dev_batch(fd, MYHEAP_BATCH_OP_ALLOC, 125, 60 + 15 * runs, offs, 1);
	for (i = 0; i < runs && !ret; i++)
		ret = dev_free(fd, offs[60 + 15 * i]);
	return ret;
}

/*
 * Pools: a forged run word in the second run of a class's list: freelist
 * shows the free lists and the first run, then the damaged-run line and
 * the totals of what it showed, and stops there; check reports it. A
 * damaged free-list link, the other way round, ends the free lists only:
 * the run lists follow its line.
 */
TEST_F(heap, damaged_run_freelist)
{
	uint64_t offs[60 + 30];
	uint64_t a, b;	/* the runs: b was freed into last, so listed first */
	uint64_t hole, guard;
	uint32_t saved, junk = 0x7ffffff8;
	struct freelist_dump fl;
	char want[160], *text;

	ASSERT_EQ(0, listed_runs(self->fd, offs, 2));
	a = offs[60] - HDR - 16;
	b = offs[75] - HDR - 16;
	self->map[a + HDR + 1] ^= 1;	/* the run word's slot count */

	text = read_dfs("freelist", NULL);
	ASSERT_NE(NULL, text);
	snprintf(want, sizeof(want),
		 "\nslot class 7 (128 bytes), 15 slots a run:\n  run %10llu   1 free, next slot %llu\n# damaged run: ",
		 (unsigned long long)b, (unsigned long long)offs[75]);
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);
	EXPECT_TRUE(last_line_is(text, "# total: ")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "; 1 run with a free slot, 1 free slot\n"))
		TH_LOG("%s", text);
	EXPECT_EQ(0, parse_freelist(text, &fl)) TH_LOG("line %d: %s", fl.err_line, fl.err);
	EXPECT_TRUE(fl.run_damaged);
	EXPECT_FALSE(fl.damaged);
	EXPECT_EQ(1, fl.runs);
	free(text);
	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, strncmp(text, "violations: ", 12)) TH_LOG("%s", text);
	free(text);

	self->map[a + HDR + 1] ^= 1;
	text = read_dfs("freelist", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, parse_freelist(text, &fl)) TH_LOG("line %d: %s", fl.err_line, fl.err);
	EXPECT_FALSE(fl.run_damaged);
	EXPECT_EQ(2, fl.runs);
	EXPECT_EQ(2, fl.free_slots);
	free(text);

	/* A damaged free-list link ends the free lists, not the run lists. */
	ASSERT_EQ(0, dev_alloc(self->fd, 200, 0, 0, &hole));
	ASSERT_EQ(0, dev_alloc(self->fd, 200, 0, 0, &guard));
	ASSERT_EQ(0, dev_free(self->fd, hole));
	memcpy(&saved, self->map + hole, sizeof(saved));
	memcpy(self->map + hole, &junk, sizeof(junk));
	text = read_dfs("freelist", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_NE(NULL, strstr(text, "\n# damaged link: the lists could not be followed past the blocks above\nslot class 7 (128 bytes), 15 slots a run:\n"))
		TH_LOG("%s", text);
	EXPECT_EQ(0, parse_freelist(text, &fl)) TH_LOG("line %d: %s", fl.err_line, fl.err);
	EXPECT_TRUE(fl.damaged);
	EXPECT_FALSE(fl.run_damaged);
	EXPECT_EQ(2, fl.runs);
	free(text);
	memcpy(self->map + hole, &saved, sizeof(saved));
	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_STREQ("ok\n", text);
	free(text);
}

/*
 * Fill @offs with @n blocks of @min .. @min + @span - 1 bytes, then fork a
 * child that frees them and allocates them again (@min .. @min + @grow - 1
 * bytes) as fast as it can until it is killed. The child's pid, or -1.
 */
static pid_t churning_child(int fd, uint64_t *offs, size_t n, unsigned int min,
			    unsigned int span, unsigned int grow, unsigned int seed)
{
	pid_t child;
	size_t i;

	for (i = 0; i < n; i++)
		if (dev_alloc(fd, min + rand_r(&seed) % span, 0, 0, &offs[i]))
			return -1;
	child = fork();
	if (child)
		return child;
	for (;;) {
		i = rand_r(&seed) % n;
		if (dev_free(fd, offs[i]) ||
		    dev_alloc(fd, min + rand_r(&seed) % grow, 0, 0, &offs[i]))
			_exit(1);
	}
}

/* Stop churning_child() @child: true if it churned until it was killed. */
static bool churn_stopped(pid_t child)
{
	int status;

	kill(child, SIGKILL);
	return waitpid(child, &status, 0) == child && WIFSIGNALED(status);
}

/* Many short reads while another process allocates and frees. */
TEST_F_TIMEOUT(heap, dump_while_heap_changes, 600)
{
	enum { N = 3000 };
	static uint64_t offs[N];
	struct blocks_dump d;
	char *text, *json;
	char err[128];
	unsigned long long resyncs = 0;
	struct jv *root;
	pid_t child;
	size_t i, len;
	int round;

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_FIRST_FIT));
	child = churning_child(self->fd, offs, N, 16, 240, 480, 1);
	ASSERT_LE(0, child);
	for (round = 0; round < 4; round++) {
		text = read_file_chunked(DFS_DIR "/blocks", 512, NULL);
		ASSERT_NE(NULL, text);
		ASSERT_EQ(0, parse_blocks(text, &d)) TH_LOG("round %d: %s", round, d.err);
		EXPECT_TRUE(d.have_totals);
		for (i = 1; i < d.n; i++)
			if (d.b[i].offset < d.b[i - 1].offset + d.b[i - 1].size)
				break;
		EXPECT_EQ(d.n, i) TH_LOG("round %d: block %zu at %lld overlaps the one before",
					 round, i, d.b[i].offset);
		resyncs += d.t_resyncs;
		free(d.b);
		free(text);
		json = read_file_chunked(DFS_DIR "/blocks.json", 300, &len);
		ASSERT_NE(NULL, json);
		root = jv_parse(json, err, sizeof(err));
		EXPECT_NE(NULL, root) TH_LOG("round %d: %s", round, err);
		jv_free(root);
		free(json);
		text = read_file_chunked(DFS_DIR "/freelist", 200, NULL);
		ASSERT_NE(NULL, text);
		EXPECT_NE(NULL, strstr(text, "\n# total: "));
		free(text);
	}
	EXPECT_TRUE(churn_stopped(child)) TH_LOG("the churning child failed");
	ksft_print_msg("4 dumps while the heap changed: %llu resyncs\n", resyncs);
	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_STREQ("ok\n", text);
	free(text);
}

/* Anonymous memory shared with the children of a test. */
static void *shared_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * The churning and scribbling child of small_reads_while_scribbled: frees
 * and allocates blocks from @pin on, and overwrites the header of one of
 * the pinned blocks 1 .. @pin - 2 at a time (restored a few operations
 * later: nothing the kernel writes is next to them) and payload bytes of
 * pinned blocks, until *@stop.
 */
static int churn_and_scribble(int fd, uint8_t *map, uint64_t *offs, size_t n,
			      size_t pin, volatile int *stop)
{
	unsigned int seed = 7;
	uint64_t saved = 0, junk, ops = 0;
	size_t i, hurt = 0;

	while (!*stop) {
		i = pin + rand_r(&seed) % (n - pin);
		if (dev_free(fd, offs[i]) ||
		    dev_alloc(fd, 16 + rand_r(&seed) % 400, 0, 0, &offs[i]))
			return 1;
		if (++ops % 8 == 0) {
			if (hurt)	/* put the last one back first */
				memcpy(map + offs[hurt] - HDR, &saved, HDR);
			hurt = 1 + rand_r(&seed) % (pin - 2);
			memcpy(&saved, map + offs[hurt] - HDR, HDR);
			junk = (uint64_t)rand_r(&seed) << 33 ^ rand_r(&seed);
			memcpy(map + offs[hurt] - HDR, &junk, HDR);
			map[offs[rand_r(&seed) % pin] + rand_r(&seed) % 16] ^= 0x5a;
		}
	}
	if (hurt)
		memcpy(map + offs[hurt] - HDR, &saved, HDR);
	return 0;
}

/*
 * Reads of 100 bytes while another process allocates, frees and scribbles
 * through the mapping: the kernel drops the heap's lock between (and
 * within) pages, so each dump sees many versions of the heap; every one is
 * still well formed: every line parses, the totals agree with the lines
 * and come last, offsets only grow, blocks.json parses.
 */
TEST_F_TIMEOUT(heap, small_reads_while_scribbled, 900)
{
	enum { N = 4000, PIN = 600 };
	static uint64_t offs[N];
	volatile int *stop = shared_page();
	unsigned long long resyncs = 0, fresyncs = 0, damaged = 0;
	struct freelist_dump fd_;
	struct blocks_dump d;
	unsigned int seed = 3;
	char *text;
	const struct jv *arr, *tot;
	struct jv *root;
	char err[128];
	pid_t child;
	size_t i, len;
	int round, status;

	ASSERT_NE(NULL, stop);
	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_SEGREGATED));
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, dev_alloc(self->fd, 16 + rand_r(&seed) % 200, 0, 0, &offs[i]));
	for (i = PIN + 1; i < N; i += 3)
		ASSERT_EQ(0, dev_free(self->fd, offs[i]));
	for (i = PIN + 1; i < N; i += 3)
		ASSERT_EQ(0, dev_alloc(self->fd, 16 + rand_r(&seed) % 200, 0, 0, &offs[i]));
	child = fork();
	ASSERT_LE(0, child);
	if (!child)
		_exit(churn_and_scribble(self->fd, self->map, offs, N, PIN, stop));
	for (round = 0; round < 3; round++) {
		text = read_file_chunked(DFS_DIR "/blocks", 100, NULL);
		ASSERT_NE(NULL, text);
		EXPECT_TRUE(last_line_is(text, "# total: ")) TH_LOG("round %d", round);
		ASSERT_EQ(0, parse_blocks(text, &d)) TH_LOG("round %d: %s", round, d.err);
		EXPECT_TRUE(d.have_totals);
		for (i = 1; i < d.n; i++)
			if (d.b[i].offset < d.b[i - 1].offset + d.b[i - 1].size)
				break;
		EXPECT_EQ(d.n, i) TH_LOG("round %d: block %zu at %lld overlaps the one before",
					 round, i, d.b[i].offset);
		{
			unsigned long long u = 0, f = 0, x = 0;

			for (i = 0; i < d.n; i++) {
				u += !strcmp(d.b[i].state, "used");
				f += !strcmp(d.b[i].state, "free");
				x += !strcmp(d.b[i].state, "damaged");
			}
			EXPECT_EQ(d.t_blocks, d.n);
			EXPECT_EQ(d.t_used, u);
			EXPECT_EQ(d.t_free, f);
			EXPECT_EQ(d.t_damaged, x);
			damaged += x;
		}
		resyncs += d.t_resyncs;
		free(d.b);
		free(text);

		text = read_file_chunked(DFS_DIR "/blocks.json", 100, &len);
		ASSERT_NE(NULL, text);
		root = jv_parse(text, err, sizeof(err));
		ASSERT_NE(NULL, root) TH_LOG("round %d: %s", round, err);
		arr = jv_get(root, "blocks");
		tot = jv_get(root, "totals");
		ASSERT_NE(NULL, arr);
		ASSERT_NE(NULL, tot);
		EXPECT_EQ(arr->n, (size_t)json_num(tot, "blocks"));
		for (i = 1; i < arr->n; i++)
			if (json_num(&arr->items[i], "offset") <
			    json_num(&arr->items[i - 1], "offset") +
			    json_num(&arr->items[i - 1], "size"))
				break;
		EXPECT_EQ(arr->n, i) TH_LOG("round %d: JSON block %zu overlaps", round, i);
		jv_free(root);
		free(text);

		text = read_file_chunked(DFS_DIR "/freelist", 100, NULL);
		ASSERT_NE(NULL, text);
		EXPECT_TRUE(last_line_is(text, "# total: ")) TH_LOG("round %d", round);
		EXPECT_EQ(0, parse_freelist(text, &fd_))
			TH_LOG("round %d: line %d: %s", round, fd_.err_line, fd_.err);
		fresyncs += fd_.resyncs;
		free(text);
	}
	*stop = 1;
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the churning child failed");
	ksft_print_msg("3 rounds of 100-byte reads while the heap changed: blocks %llu resyncs, %llu damaged records; freelist %llu resyncs\n",
		       resyncs, damaged, fresyncs);
	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_STREQ("ok\n", text);
	free(text);
	munmap((void *)stop, 4096);
}

/*
 * lseek() into the middle of each long file lands where a sequential read
 * would be (seq_file replays the records up to there); the time it took is
 * printed, not asserted.
 */
TEST_F_TIMEOUT(heap, lseek_into_the_middle, 900)
{
	static const char *const files[] = { "blocks", "blocks.json", "freelist", "events" };
	enum { N = 20000 };
	static uint64_t offs[N];
	char path[128], buf[100];
	double t0, dt;
	size_t f, i, len;
	char *all;
	ssize_t n;
	/* The events ring records while its file is open. */
	int fd, rec = open(DFS_DIR "/events", O_RDONLY);

	ASSERT_LE(0, rec);
	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_SEGREGATED));
	ASSERT_EQ(0, dev_batch(self->fd, MYHEAP_BATCH_OP_ALLOC, 16, N, offs, 1));
	for (i = 0; i < N; i += 2)
		ASSERT_EQ(0, dev_free(self->fd, offs[i]));
	close(rec);
	for (f = 0; f < 4; f++) {
		snprintf(path, sizeof(path), DFS_DIR "/%s", files[f]);
		all = read_dfs(files[f], &len);
		ASSERT_NE(NULL, all);
		ASSERT_LT(8192, len);
		fd = open(path, O_RDONLY);
		ASSERT_LE(0, fd);
		t0 = now_s();
		ASSERT_EQ((off_t)(len / 2), lseek(fd, len / 2, SEEK_SET));
		dt = now_s() - t0;
		n = read(fd, buf, sizeof(buf));
		ASSERT_EQ((ssize_t)sizeof(buf), n);
		EXPECT_EQ(0, memcmp(buf, all + len / 2, sizeof(buf))) TH_LOG("%s", files[f]);
		ASSERT_EQ((off_t)(len - 10),
			  lseek(fd, (off_t)(len - 10) - (off_t)(len / 2 + 100), SEEK_CUR));
		n = read(fd, buf, sizeof(buf));
		ASSERT_EQ(10, n);
		EXPECT_EQ(0, memcmp(buf, all + len - 10, 10)) TH_LOG("%s", files[f]);
		ksft_print_msg("lseek to %zu of %zu bytes of %s: %.3f s\n",
			       len / 2, len, files[f], dt);
		close(fd);
		free(all);
	}
}

/*
 * A reader of each kind of file waiting for the heap's lock dies at once
 * when killed, while the lock is still held (by a BATCH of frees that
 * each walk an address-ordered free list of 16,384 holes). If the lock was not held
 * long enough to tell, the test is skipped, not passed.
 */
TEST_F_TIMEOUT(heap, reader_waiting_for_the_lock_is_killable, 900)
{
	static const char files[][16] = { "blocks", "freelist", "stats", "check" };
	enum { LOW = 8 * MYHEAP_BATCH_MAX, N = LOW + 2 * MYHEAP_BATCH_MAX, NR = 4 };
	static struct myheap_batch_op ops[MYHEAP_BATCH_MAX];
	static uint64_t offs[N];
	volatile double *t = shared_page();	/* batch start, end */
	struct myheap_batch b = { .ops = (uintptr_t)ops,
				  .op_size = sizeof(ops[0]),
				  .count = MYHEAP_BATCH_MAX };
	pid_t holder, readers[NR];
	double t_kill, t_dead[NR];
	int status, r, k;
	size_t i;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_FIRST_FIT));
	ASSERT_EQ(0, dev_batch(self->fd, MYHEAP_BATCH_OP_ALLOC, 16, N, offs, 1));
	/* A free list of LOW / 2 holes, freed from the top: each O(1). */
	for (k = 0; k < LOW / 2 / MYHEAP_BATCH_MAX; k++) {
		memset(ops, 0, sizeof(ops));
		for (i = 0; i < MYHEAP_BATCH_MAX; i++) {
			ops[i].op = MYHEAP_BATCH_OP_FREE;
			ops[i].offset = offs[LOW - 2 - 2 * (k * MYHEAP_BATCH_MAX + i)];
		}
		ASSERT_EQ(0, dev_ioctl(self->fd, MYHEAP_IOC_BATCH, &b));
	}
	holder = fork();
	ASSERT_LE(0, holder);
	if (!holder) {
		/* Holes above them, lowest first: each walks the whole list. */
		memset(ops, 0, sizeof(ops));
		for (i = 0; i < MYHEAP_BATCH_MAX; i++) {
			ops[i].op = MYHEAP_BATCH_OP_FREE;
			ops[i].offset = offs[LOW + 2 * i];
		}
		t[0] = now_s();
		r = dev_ioctl(self->fd, MYHEAP_IOC_BATCH, &b);
		t[1] = now_s();
		_exit(r ? 1 : 0);
	}
	while (!t[0])
		usleep(1000);
	usleep(200000);		/* the batch holds the lock now */
	for (r = 0; r < NR; r++) {
		readers[r] = fork();
		ASSERT_LE(0, readers[r]);
		if (!readers[r]) {
			char *text = read_dfs(files[r], NULL);

			_exit(text ? 0 : 1);
		}
	}
	usleep(300000);		/* they wait for the lock */
	t_kill = now_s();
	for (r = 0; r < NR; r++)
		kill(readers[r], SIGKILL);
	for (r = 0; r < NR; r++) {
		ASSERT_EQ(readers[r], waitpid(readers[r], &status, 0));
		t_dead[r] = now_s();
	}
	ASSERT_EQ(holder, waitpid(holder, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ksft_print_msg("batch held the lock %.2f s; readers killed %.2f s before it ended, dead after %.3f %.3f %.3f %.3f s\n",
		       t[1] - t[0], t[1] - t_kill, t_dead[0] - t_kill,
		       t_dead[1] - t_kill, t_dead[2] - t_kill, t_dead[3] - t_kill);
	if (t[1] - t_kill < 1.0)
		SKIP(return, "the lock was not held long enough after the kill (%.2f s)",
		     t[1] - t_kill);
	for (r = 0; r < NR; r++) {
		long dead_ms = (t_dead[r] - t_kill) * 1000;
		long free_ms = (t[1] - t_kill) * 1000;

		EXPECT_LT(dead_ms, free_ms - 500)
			TH_LOG("a reader of %s lived until the lock was free", files[r]);
	}
	munmap((void *)t, 4096);
}

/*
 * The heap changes between two pages of the blocks dump so that the offset
 * the dump saved (where the next block started) is swallowed by a coalesce:
 * the dump must find its place again, never go back, and say so.
 */
TEST_F(heap, resync_after_coalesce)
{
	enum { N = 200 };
	static uint64_t offs[N];
	static char text[1 << 20];
	struct blocks_dump first, d;
	long long k;
	ssize_t n, len = 0;
	size_t i;
	int fd;

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_FIRST_FIT));
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &offs[i]));	/* 80-byte blocks */
	fd = open(DFS_DIR "/blocks", O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, text, 4096);
	ASSERT_LT(0, n);
	len = n;
	text[len] = 0;
	{
		char *copy = strdup(text);

		ASSERT_EQ(0, parse_blocks(copy, &first));
		free(copy);
	}
	ASSERT_LT(2, first.n);
	/* K: the block after the last one shown, already read by the dump. */
	k = first.b[first.n - 1].offset + first.b[first.n - 1].size;
	free(first.b);
	ASSERT_LT(k + 3 * 80, (long long)offs[N - 1]);
	/* Free K, then K + 1, which merges into K: K + 1 is no block now. */
	ASSERT_EQ(0, dev_free(self->fd, k + HDR));
	ASSERT_EQ(0, dev_free(self->fd, k + 80 + HDR));
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += n;
	ASSERT_EQ(0, n);
	close(fd);
	text[len] = 0;
	ASSERT_EQ(0, parse_blocks(text, &d)) TH_LOG("%s", d.err);
	ASSERT_TRUE(d.have_totals);
	EXPECT_EQ(1, d.t_resyncs);
	for (i = 1; i < d.n; i++)
		ASSERT_LE(d.b[i - 1].offset + d.b[i - 1].size, d.b[i].offset);
	/* K as it was read, then straight on with K + 2. */
	ASSERT_NE(NULL, blk_at(&d, k));
	EXPECT_EQ(NULL, blk_at(&d, k + 80));
	EXPECT_NE(NULL, blk_at(&d, k + 160));
	EXPECT_EQ(N, d.n);	/* N + the free rest - K + 1 */
	free(d.b);
}

/*
 * Everything is freed between two pages of the blocks dump: the block the
 * dump would resume after is merged into the one free block left; the dump
 * finds that out from the first block, counts one resync and ends with its
 * totals, without a damaged record.
 */
TEST_F(heap, resync_after_everything_freed)
{
	enum { N = 300 };
	static uint64_t offs[N];
	static char text[1 << 20];
	struct blocks_dump d;
	ssize_t n, len;
	size_t i;
	int fd;

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_FIRST_FIT));
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &offs[i]));
	fd = open(DFS_DIR "/blocks", O_RDONLY);
	ASSERT_LE(0, fd);
	len = read(fd, text, 4096);
	ASSERT_LT(0, len);
	for (i = N; i-- > 0;)
		ASSERT_EQ(0, dev_free(self->fd, offs[i]));
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += n;
	ASSERT_EQ(0, n);
	close(fd);
	text[len] = 0;
	EXPECT_TRUE(last_line_is(text, "# total: "));
	ASSERT_EQ(0, parse_blocks(text, &d)) TH_LOG("%s", d.err);
	EXPECT_EQ(1, d.t_resyncs);
	EXPECT_EQ(0, d.t_damaged);
	EXPECT_EQ(d.n, d.t_blocks);
	for (i = 1; i < d.n; i++)
		ASSERT_LE(d.b[i - 1].offset + d.b[i - 1].size, d.b[i].offset);
	ASSERT_LT(1, d.n);
	EXPECT_LT(d.b[d.n - 1].offset, (long long)offs[N / 2]);	/* it stopped */
	free(d.b);
}

/*
 * Between two pages of freelist, the hole the dump would resume at (read
 * already, shown next) is merged into the hole before it, the last one
 * shown, by freeing the block between them: the dump shows that hole as it
 * was read, then goes on after the merged hole, says it resynced, shows no
 * block twice and its totals agree with its lines.
 */
/*
 * Read the rest of @fd into @text, after the @len bytes already there (of
 * @cap), and close it: the whole length, or -1 if a read failed.
 */
static ssize_t read_rest(int fd, char *text, ssize_t len, size_t cap)
{
	ssize_t n;

	while ((n = read(fd, text + len, cap - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -1;
	text[len] = 0;
	return len;
}

/* parse_freelist() of a copy of @text, which stays as it is. */
static int parse_freelist_copy(const char *text, struct freelist_dump *fl)
{
	char *copy = strdup(text);
	int ret = copy ? parse_freelist(copy, fl) : -ENOMEM;

	free(copy);
	return ret;
}

TEST_F(heap, freelist_resync_after_merge)
{
	enum { N = 600 };
	static uint64_t offs[N];
	static char text[1 << 20];
	unsigned long long last = 0, off, size, prev = 0;
	struct freelist_dump fl;
	char *line;
	ssize_t len;
	size_t i, lines = 0;
	int fd;

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_FIRST_FIT));
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, dev_alloc(self->fd, 64, 0, 0, &offs[i]));	/* 80-byte blocks */
	for (i = 0; i < N - 1; i += 2)
		ASSERT_EQ(0, dev_free(self->fd, offs[i]));
	fd = open(DFS_DIR "/freelist", O_RDONLY);
	ASSERT_LE(0, fd);
	len = read(fd, text, 4096);
	ASSERT_LT(0, len);
	text[len] = 0;
	/* The last hole shown; the next one (already read) is 160 on. */
	for (line = text; (line = strstr(line, "\n  ")); line++)
		if (sscanf(line, " %llu %llu", &off, &size) == 2 && size == 80)
			last = off;
	ASSERT_LT(0, last);
	ASSERT_LT(last + 4 * 160, (unsigned long long)offs[N - 1]);
	ASSERT_EQ(0, dev_free(self->fd, last + 80 + HDR));	/* merges three */
	ASSERT_LT(0, read_rest(fd, text, len, sizeof(text)));
	EXPECT_TRUE(last_line_is(text, "# total: "));
	ASSERT_EQ(0, parse_freelist_copy(text, &fl)) TH_LOG("line %d: %s", fl.err_line, fl.err);
	EXPECT_EQ(1, fl.resyncs);
	/* Address order, each block once: the N / 2 holes and the rest. */
	for (line = text; (line = strstr(line, "\n  ")); line++) {
		if (sscanf(line, " %llu %llu", &off, &size) != 2)
			continue;
		EXPECT_LT(prev, off) TH_LOG("%llu after %llu", off, prev);
		if (off == last)
			EXPECT_EQ(80, size);	/* as it was read */
		prev = off;
		lines++;
	}
	EXPECT_EQ(fl.blocks, lines);
	EXPECT_EQ(N / 2 + 1, lines);
}

/*
 * Pools: between two pages of freelist, the run it would resume at (read
 * already, shown next) empties and goes back to the heap: the dump shows
 * it as it was read, goes on after the run shown before it, says
 * "1 resyncs", and shows every other run once, in list order.
 */
TEST_F(heap, freelist_run_resync)
{
	enum { R = 300 };
	static uint64_t offs[60 + 15 * R];
	static unsigned long long ref[R];
	static char text[1 << 20];
	unsigned long long last = 0, gone = 0, off, nfree, next;
	struct freelist_dump fl;
	size_t i, k, nref = 0, lines = 0;
	char *line, *all, want[64];
	ssize_t len;
	int fd;

	ASSERT_EQ(0, listed_runs(self->fd, offs, R));
	all = read_dfs("freelist", NULL);	/* the list order */
	ASSERT_NE(NULL, all);
	for (line = all; (line = strstr(line, "\n  run ")) && nref < R; line++)
		if (sscanf(line, " run %llu", &off) == 1)
			ref[nref++] = off;
	free(all);
	ASSERT_EQ(R, nref);

	fd = open(DFS_DIR "/freelist", O_RDONLY);
	ASSERT_LE(0, fd);
	len = read(fd, text, 4096);
	ASSERT_LT(0, len);
	text[len] = 0;
	for (line = text; (line = strstr(line, "\n  run ")); line++)
		if (sscanf(line, " run %llu %llu free, next slot %llu",
			   &off, &nfree, &next) == 3)
			last = off;
	for (i = 0; i + 1 < R && ref[i] != last; i++)
		;
	ASSERT_GT(R - 2, i) TH_LOG("the first page ends at run %llu", last);
	gone = ref[i + 1];
	for (k = 60; k < 60 + 15 * R; k++)	/* its 14 slots in use */
		if (offs[k] > gone && offs[k] < gone + 2048 && k % 15)
			ASSERT_EQ(0, dev_free(self->fd, offs[k]));
	ASSERT_LT(0, read_rest(fd, text, len, sizeof(text)));
	EXPECT_TRUE(last_line_is(text, "# total: "));
	ASSERT_EQ(0, parse_freelist_copy(text, &fl)) TH_LOG("line %d: %s", fl.err_line, fl.err);
	EXPECT_EQ(1, fl.resyncs);
	EXPECT_FALSE(fl.run_damaged);
	for (line = text; (line = strstr(line, "\n  run ")); line++) {
		if (sscanf(line, " run %llu", &off) != 1)
			continue;
		if (lines < R)
			EXPECT_EQ(ref[lines], off) TH_LOG("run line %zu", lines);
		lines++;
	}
	EXPECT_EQ(R, lines);	/* the one gone too: shown as it was read */
	EXPECT_EQ(R, fl.runs);
	all = read_dfs("freelist", NULL);	/* now without it */
	ASSERT_NE(NULL, all);
	EXPECT_EQ(NULL, strstr(all, "resyncs"));
	snprintf(want, sizeof(want), "  run %10llu ", gone);
	EXPECT_EQ(NULL, strstr(all, want)) TH_LOG("%s", all);
	free(all);
}

/*
 * Pools: freelist in reads of 100 bytes while another process allocates
 * and frees small blocks, so runs fill, empty and come and go between
 * (and within) pages: every dump parses (class headers in order, run
 * lines that agree with their class, totals that agree with the lines);
 * the heap checks ok afterwards.
 */
TEST_F_TIMEOUT(heap, freelist_runs_while_heap_changes, 600)
{
	enum { N = 3000 };
	static uint64_t offs[N];
	unsigned long long resyncs = 0, runs = 0;
	struct freelist_dump fl;
	int round;
	pid_t child;
	char *text;

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_POOLS));
	child = churning_child(self->fd, offs, N, 1, 128, 160, 3);
	ASSERT_LE(0, child);
	for (round = 0; round < 6; round++) {
		text = read_file_chunked(DFS_DIR "/freelist", 100, NULL);
		ASSERT_NE(NULL, text);
		EXPECT_EQ(0, parse_freelist(text, &fl))
			TH_LOG("round %d, line %d: %s", round, fl.err_line, fl.err);
		EXPECT_TRUE(fl.slots);
		EXPECT_FALSE(fl.run_damaged);
		resyncs += fl.resyncs;
		runs += fl.runs;
		free(text);
	}
	EXPECT_TRUE(churn_stopped(child)) TH_LOG("the churning child failed");
	ksft_print_msg("6 dumps while the heap changed: %llu runs shown, %llu resyncs\n",
		       runs, resyncs);
	EXPECT_LT(0, runs);
	text = read_dfs("check", NULL);
	ASSERT_NE(NULL, text);
	EXPECT_STREQ("ok\n", text);
	free(text);
}

/* pread() at any position gives what a sequential read gives there. */
TEST_F(heap, pread_matches_sequential)
{
	static const char *const files[] = { "blocks", "blocks.json", "freelist", "events" };
	static uint64_t x[1500];
	char path[128], buf[512];
	size_t f, k, len;
	char *all;
	int i, fd;

	/* The events ring records while its file is open. */
	int rec = open(DFS_DIR "/events", O_RDONLY);

	ASSERT_LE(0, rec);
	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_BEST_FIT));
	for (i = 0; i < 1500; i++)
		ASSERT_EQ(0, dev_alloc(self->fd, 16 + (i * 7919) % 300, 0, 0, &x[i]));
	for (i = 0; i < 1500; i += 3)
		ASSERT_EQ(0, dev_free(self->fd, x[i]));
	close(rec);
	for (f = 0; f < 4; f++) {
		snprintf(path, sizeof(path), DFS_DIR "/%s", files[f]);
		all = read_dfs(files[f], &len);
		ASSERT_NE(NULL, all);
		ASSERT_LT(8192, len) TH_LOG("%s is only %zu bytes", files[f], len);
		fd = open(path, O_RDONLY);
		ASSERT_LE(0, fd);
		for (k = 0; k < 12; k++) {
			size_t at = (size_t[]){ 0, 1, 100, 4095, 4096, 4097, 5000,
						len / 3, len / 2, len - 600,
						len - 10, len }[k];
			ssize_t n = pread(fd, buf, sizeof(buf), at);
			size_t want = len - at < sizeof(buf) ? len - at : sizeof(buf);

			ASSERT_EQ((ssize_t)want, n) TH_LOG("%s at %zu", files[f], at);
			EXPECT_EQ(0, memcmp(buf, all + at, want)) TH_LOG("%s at %zu", files[f], at);
		}
		close(fd);
		free(all);
	}
}

TEST_F(heap, owners_file)
{
	char comm[32] = "", want[128], *text;
	uint64_t a, b;
	long long me;
	int fd2, cfd;
	ssize_t n;

	cfd = open("/proc/self/comm", O_RDONLY);
	ASSERT_LE(0, cfd);
	n = read(cfd, comm, sizeof(comm) - 1);
	close(cfd);
	ASSERT_LT(0, n);
	comm[strcspn(comm, "\n")] = 0;
	fd2 = open(MYHEAP_DEVICE, O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, dev_alloc(self->fd, 100, 0, 0, &a));
	ASSERT_EQ(0, dev_alloc(self->fd, 200, 0, 0, &b));
	ASSERT_EQ(0, dev_free(self->fd, a));
	ASSERT_EQ(0, dev_alloc(fd2, 10, 0, 0, &a));
	me = owner_of_pid(self->pid);
	ASSERT_LT(0, me);

	text = read_dfs("owners", NULL);
	ASSERT_NE(NULL, text);
	snprintf(want, sizeof(want), "\n%8lld %7d %10d %10d %10d %s\n", me,
		 self->pid, 1, 200, 300, comm);
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("want%s in:\n%s", want, text);
	snprintf(want, sizeof(want), "\n%8lld %7d %10d %10d %10d %s\n", me + 1,
		 self->pid, 1, 10, 10, comm);
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("want%s in:\n%s", want, text);
	EXPECT_NE(NULL, strstr(text, "\n# total: 2 open files\n")) TH_LOG("%s", text);
	free(text);
	close(fd2);
}

TEST_F(heap, stats_agree_with_ioctl)
{
	struct myheap_stats st = { 0 };
	uint64_t x[10];
	int i;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, dev_alloc(self->fd, 50 * (i + 1), 0, 0, &x[i]));
	for (i = 0; i < 10; i += 2)
		ASSERT_EQ(0, dev_free(self->fd, x[i]));
	ASSERT_EQ(0, dev_ioctl(self->fd, MYHEAP_IOC_STATS, &st));
	EXPECT_EQ(st.used_blocks, stat_value("used_blocks"));
	EXPECT_EQ(st.free_blocks, stat_value("free_blocks"));
	EXPECT_EQ(st.requested_bytes, stat_value("requested_bytes"));
	EXPECT_EQ(st.granted_bytes, stat_value("granted_bytes"));
	EXPECT_EQ(st.free_bytes, stat_value("free_bytes"));
	EXPECT_EQ(st.largest_free, stat_value("largest_free"));
	EXPECT_EQ(st.external_frag_ppm, stat_value("external_frag_ppm"));
	EXPECT_EQ(st.allocs, stat_value("allocs"));
	EXPECT_EQ(st.frees, stat_value("frees"));
	EXPECT_EQ(st.splits, stat_value("splits"));
	EXPECT_EQ(st.coalesces, stat_value("coalesces"));
	EXPECT_EQ(st.high_water, stat_value("high_water"));
	EXPECT_EQ(st.open_files, stat_value("open_files"));
	EXPECT_EQ(5, stat_value("used_blocks"));
}

/* Block size a request of @size bytes takes (not buddy). */
static unsigned long long need_for(unsigned long long size)
{
	unsigned long long need = (size + HDR + 15) & ~15ull;

	return need < 32 ? 32 : need;
}

TEST_F_TIMEOUT(heap, frag_table, 300)
{
	static uint64_t offs[1100];
	unsigned long long free_bytes = 0, largest = 0, size, need, chunks;
	unsigned long long req, blk, idx_i, idx_f;
	struct blocks_dump d;
	char fits[8], *text, *p, line[128];
	bool fit;
	size_t i, n = 0;
	int rows = 0;

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_FIRST_FIT));
	while (n < 1100 && !dev_alloc(self->fd, 4096, 0, 0, &offs[n]))
		n++;
	ASSERT_LT(900, n);
	for (i = 0; i < n; i += 2)
		ASSERT_EQ(0, dev_free(self->fd, offs[i]));
	GET_BLOCKS(&d);
	for (i = 0; i < d.n; i++)
		if (!strcmp(d.b[i].state, "free")) {
			free_bytes += d.b[i].size;
			if ((unsigned long long)d.b[i].size > largest)
				largest = d.b[i].size;
		}
	text = read_dfs("frag", NULL);
	ASSERT_NE(NULL, text);
	snprintf(line, sizeof(line), "\nlargest_free: %llu\n", largest);
	EXPECT_NE(NULL, strstr(text, line)) TH_LOG("%s", text);
	snprintf(line, sizeof(line), "\nfree_bytes: %llu\n", free_bytes);
	EXPECT_NE(NULL, strstr(text, line)) TH_LOG("%s", text);
	p = strstr(text, "#     request      block fits unusable\n");
	ASSERT_NE(NULL, p);
	p = strchr(p, '\n') + 1;
	for (size = 16; size <= (1 << 20); size *= 2, rows++) {
		ASSERT_EQ(5, sscanf(p, "%llu %llu %7s %llu.%llu", &req, &blk, fits,
				    &idx_i, &idx_f)) TH_LOG("%.80s", p);
		need = need_for(size);
		chunks = 0;
		fit = false;
		for (i = 0; i < d.n; i++)
			if (!strcmp(d.b[i].state, "free") &&
			    (unsigned long long)d.b[i].size >= need) {
				fit = true;
				chunks += d.b[i].size / need;
			}
		EXPECT_EQ(size, req);
		EXPECT_EQ(need, blk);
		EXPECT_STREQ(fit ? "yes" : "no", fits) TH_LOG("request %llu", size);
		EXPECT_EQ((free_bytes - chunks * need) * 1000 / free_bytes,
			  idx_i * 1000 + idx_f) TH_LOG("request %llu", size);
		p = strchr(p, '\n') + 1;
	}
	EXPECT_EQ(17, rows);
	/* Holes of 4112 bytes: 4096 fits, 8192 does not. */
	EXPECT_NE(NULL, strstr(text, "\n         4096       4112 yes ")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "\n         8192       8208 no ")) TH_LOG("%s", text);
	free(text);
	free(d.b);
}

/* One line of the events file. */
struct ev {
	unsigned long long seq;
	char op[16], offset[24], new_offset[24], size_s[24], result[24];
	char searched_s[24];
	long long size, pid, owner, searched;	/* -1 for "-" */
};

static int parse_events(char *text, struct ev *evs, int max,
			unsigned long long *recorded)
{
	char *line, *save = NULL;
	int n = 0;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned int kept;

		if (sscanf(line, "# last %u of %llu events", &kept, recorded) == 2)
			continue;
		if (line[0] == '#' || line[0] == 'm')
			continue;
		if (n == max)
			return -1;
		if (sscanf(line, "%llu %*s %15s %23s %23s %23s %lld %lld %23s %23s",
			   &evs[n].seq, evs[n].op, evs[n].offset,
			   evs[n].new_offset, evs[n].size_s, &evs[n].pid,
			   &evs[n].owner, evs[n].result, evs[n].searched_s) != 9)
			return -1;
		evs[n].size = dash_num(evs[n].size_s);
		evs[n].searched = dash_num(evs[n].searched_s);
		n++;
	}
	return n;
}

TEST_F(heap, events_ring)
{
	static struct ev evs[1100];
	unsigned long long recorded = 0;
	char *text, num[24];
	uint64_t x = 0, moved;
	long long me = owner_of_pid(self->pid);
	/* The ring records while the events file is open. */
	int i, n, rec = open(DFS_DIR "/events", O_RDONLY);

	ASSERT_LE(0, rec);
	for (i = 0; i < 800; i++) {
		ASSERT_EQ(0, dev_alloc(self->fd, 16, 0, 0, &x));
		ASSERT_EQ(0, dev_free(self->fd, x));
	}
	ASSERT_EQ(0, dev_alloc(self->fd, 48, 0, 0, &x));
	ASSERT_EQ(0, dev_realloc(self->fd, x, 4000, &moved));
	ASSERT_EQ(-ENXIO, dev_free(self->fd, 12345));
	text = read_dfs("events", NULL);
	close(rec);
	ASSERT_NE(NULL, text);
	n = parse_events(text, evs, 1100, &recorded);
	free(text);
	ASSERT_EQ(1024, n);
	EXPECT_LE(1603, recorded);
	for (i = 1; i < n; i++)
		ASSERT_EQ(evs[i - 1].seq + 1, evs[i].seq);
	EXPECT_EQ(recorded - 1, evs[n - 1].seq);

	EXPECT_STREQ("free", evs[n - 1].op);
	EXPECT_STREQ("12345", evs[n - 1].offset);
	EXPECT_STREQ("-ENXIO", evs[n - 1].result);
	EXPECT_EQ(-1, evs[n - 1].size);
	EXPECT_EQ(-1, evs[n - 1].searched);	/* a free searches nothing */
	EXPECT_EQ(self->pid, evs[n - 1].pid);
	EXPECT_EQ(me, evs[n - 1].owner);

	EXPECT_STREQ("alloc", evs[n - 3].op);
	EXPECT_LE(0, evs[n - 3].searched);	/* a number for an alloc */
	EXPECT_STREQ("realloc", evs[n - 2].op);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)x);
	EXPECT_STREQ(num, evs[n - 2].offset);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)moved);
	EXPECT_STREQ(num, evs[n - 2].new_offset);
	EXPECT_EQ(4000, evs[n - 2].size);
	EXPECT_STREQ("ok", evs[n - 2].result);

	EXPECT_STREQ("alloc", evs[n - 3].op);
	EXPECT_EQ(48, evs[n - 3].size);
	EXPECT_STREQ("free", evs[n - 4].op);
	EXPECT_EQ(16, evs[n - 4].size);
}

/* Find the next trace line of @event from *@pos on; its fields, or NULL. */
static const char *next_trace(const char *trace, const char **pos,
			      const char *event)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s: ", event);
	p = strstr(*pos, pat);
	if (!p)
		return NULL;
	*pos = strchr(p, '\n') ?: p + strlen(p);
	return p + strlen(pat);
}

TEST_F(heap, tracepoints)
{
	struct myheap_alloc al = { .size = 100 };
	unsigned long long owner, size, align, off, usable, old_size, new_off;
	unsigned long long searched;
	unsigned int flags, coff, csize, old_pol;
	uint64_t b, c, moved;
	uint32_t saved, junk = 0x7ffffff8;
	const char *pos, *f, *name;
	char old_name[16], new_name[16], *trace;
	int pid, result;
	long long me = owner_of_pid(self->pid);

	ASSERT_EQ(0, access(TRACEFS "/events/myheap/enable", W_OK));
	old_pol = self->info.policy;
	ASSERT_EQ(0, write_str(TRACEFS "/trace", ""));
	ASSERT_EQ(0, write_str(TRACEFS "/events/myheap/enable", "1"));

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_FIRST_FIT));
	ASSERT_EQ(0, dev_ioctl(self->fd, MYHEAP_IOC_ALLOC, &al));
	ASSERT_EQ(0, dev_alloc(self->fd, 200, 0, 0, &b));
	ASSERT_EQ(0, dev_alloc(self->fd, 50, 0, 0, &c));
	ASSERT_EQ(0, dev_free(self->fd, b));
	ASSERT_EQ(0, dev_free(self->fd, al.offset));
	ASSERT_EQ(0, dev_realloc(self->fd, c, 500, &moved));
	ASSERT_EQ(-E2BIG, dev_alloc(self->fd, self->info.region_size, 0, 0, NULL));
	ASSERT_EQ(-ENXIO, dev_free(self->fd, 12345));
	/* Damage the first free block's next link: the next alloc is refused. */
	memcpy(&saved, self->map + al.offset, sizeof(saved));
	memcpy(self->map + al.offset, &junk, sizeof(junk));
	EXPECT_EQ(-EUCLEAN, dev_alloc(self->fd, 16, 0, 0, NULL));
	memcpy(self->map + al.offset, &saved, sizeof(saved));
	ASSERT_EQ(0, write_str(TRACEFS "/events/myheap/enable", "0"));

	trace = read_file_chunked(TRACEFS "/trace", 4096, NULL);
	ASSERT_NE(NULL, trace);
	pos = trace;
	name = myheap_policy_name(old_pol);
	f = next_trace(trace, &pos, "myheap_policy_change");
	ASSERT_NE(NULL, f) TH_LOG("%s", trace);
	ASSERT_EQ(3, sscanf(f, "old=%15s new=%15s result=%d", old_name, new_name, &result));
	EXPECT_STREQ(name, old_name);
	EXPECT_STREQ("first", new_name);
	EXPECT_EQ(0, result);

	f = next_trace(trace, &pos, "myheap_alloc");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(9, sscanf(f, "owner=%llu pid=%d size=%llu align=%llu flags=%u offset=%llu usable=%llu result=%d searched=%llu",
			    &owner, &pid, &size, &align, &flags, &off, &usable, &result,
			    &searched));
	EXPECT_EQ(me, owner);
	EXPECT_EQ(self->pid, pid);
	EXPECT_EQ(100, size);
	EXPECT_EQ(1, searched);	/* first fit, an empty heap: its one free block */
	EXPECT_EQ(0, align);
	EXPECT_EQ(0, flags);
	EXPECT_EQ(al.offset, off);
	EXPECT_EQ(al.usable, usable);
	EXPECT_EQ(0, result);
	/* The alloc of b split the rest of the heap after it. */
	f = next_trace(trace, &pos, "myheap_split");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, sscanf(f, "offset=%u size=%u", &coff, &csize));

	f = next_trace(trace, &pos, "myheap_free");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(5, sscanf(f, "owner=%llu pid=%d offset=%llu size=%llu result=%d",
			    &owner, &pid, &off, &size, &result));
	EXPECT_EQ(b, off);
	EXPECT_EQ(200, size);
	EXPECT_EQ(0, result);
	/* Freeing the first block merges it with b's block after it. */
	f = next_trace(trace, &pos, "myheap_coalesce");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, sscanf(f, "offset=%u size=%u", &coff, &csize));
	EXPECT_EQ(al.offset - HDR, coff);
	EXPECT_EQ(c - al.offset, csize);
	f = next_trace(trace, &pos, "myheap_free");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(5, sscanf(f, "owner=%llu pid=%d offset=%llu size=%llu result=%d",
			    &owner, &pid, &off, &size, &result));
	EXPECT_EQ(al.offset, off);
	EXPECT_EQ(100, size);

	f = next_trace(trace, &pos, "myheap_realloc");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(8, sscanf(f, "owner=%llu pid=%d offset=%llu old_size=%llu size=%llu new_offset=%llu usable=%llu result=%d",
			    &owner, &pid, &off, &old_size, &size, &new_off, &usable, &result));
	EXPECT_EQ(c, off);
	EXPECT_EQ(50, old_size);
	EXPECT_EQ(500, size);
	EXPECT_EQ(moved, new_off);
	EXPECT_EQ(0, result);

	f = next_trace(trace, &pos, "myheap_alloc");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(8, sscanf(f, "owner=%llu pid=%d size=%llu align=%llu flags=%u offset=%llu usable=%llu result=%d",
			    &owner, &pid, &size, &align, &flags, &off, &usable, &result));
	EXPECT_EQ(self->info.region_size, size);
	EXPECT_EQ(-E2BIG, result);
	f = next_trace(trace, &pos, "myheap_free");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(5, sscanf(f, "owner=%llu pid=%d offset=%llu size=%llu result=%d",
			    &owner, &pid, &off, &size, &result));
	EXPECT_EQ(12345, off);
	EXPECT_EQ(-ENXIO, result);

	f = next_trace(trace, &pos, "myheap_corruption");
	ASSERT_NE(NULL, f) TH_LOG("%s", trace);
	f = next_trace(trace, &pos, "myheap_alloc");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(8, sscanf(f, "owner=%llu pid=%d size=%llu align=%llu flags=%u offset=%llu usable=%llu result=%d",
			    &owner, &pid, &size, &align, &flags, &off, &usable, &result));
	EXPECT_EQ(-EUCLEAN, result);
	for (pos = strstr(trace, " myheap_"); pos; pos = strstr(pos + 1, " myheap_")) {
		const char *eol = strchr(pos, '\n');
		char line[256];

		snprintf(line, sizeof(line), "%.*s",
			 (int)(eol ? eol - pos : (long)strlen(pos)), pos);
		EXPECT_EQ(NULL, find_kernel_address(line)) TH_LOG("%s", line);
	}
	free(trace);
	ASSERT_EQ(0, dev_free(self->fd, moved));
}

/* Pools: a slot's alloc and free are tracepoints too (payload offsets). */
TEST_F(heap, slot_tracepoints)
{
	unsigned int old_pol = self->info.policy, off, size;
	uint64_t blocks[60], slot;
	const char *pos, *f;
	char *trace;
	int i;

	ASSERT_EQ(0, dev_set_policy(self->fd, MYHEAP_POLICY_POOLS));
	for (i = 0; i < 60; i++)	/* four runs' worth of the 128 class */
		ASSERT_EQ(0, dev_alloc(self->fd, 125, 0, 0, &blocks[i]));
	ASSERT_EQ(0, write_str(TRACEFS "/trace", ""));
	/*
	 * Only the slot events: they alone must install the core's
	 * observer (myheap_observe_reg()).
	 */
	ASSERT_EQ(0, write_str(TRACEFS "/events/myheap/myheap_slot_alloc/enable", "1"));
	ASSERT_EQ(0, write_str(TRACEFS "/events/myheap/myheap_slot_free/enable", "1"));
	ASSERT_EQ(0, dev_alloc(self->fd, 125, 0, 0, &slot));
	ASSERT_EQ(0, dev_free(self->fd, slot));
	ASSERT_EQ(0, write_str(TRACEFS "/events/myheap/enable", "0"));
	trace = read_file_chunked(TRACEFS "/trace", 4096, NULL);
	ASSERT_NE(NULL, trace);
	pos = trace;
	f = next_trace(trace, &pos, "myheap_slot_alloc");
	ASSERT_NE(NULL, f) TH_LOG("%s", trace);
	ASSERT_EQ(2, sscanf(f, "offset=%u size=%u", &off, &size));
	EXPECT_EQ(slot, off);
	EXPECT_EQ(128, size);
	f = next_trace(trace, &pos, "myheap_slot_free");
	ASSERT_NE(NULL, f) TH_LOG("%s", trace);
	ASSERT_EQ(2, sscanf(f, "offset=%u size=%u", &off, &size));
	EXPECT_EQ(slot, off);
	EXPECT_EQ(128, size);
	free(trace);
	for (i = 0; i < 60; i++)
		ASSERT_EQ(0, dev_free(self->fd, blocks[i]));
	EXPECT_EQ(0, dev_set_policy(self->fd, old_pol));
}

TEST_F(heap, nonroot_cannot_read)
{
	pid_t child;
	int status;

	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		char path[256];
		size_t i;
		int fd;

		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			_exit(2);
		for (i = 0; i < DFS_NR_FILES; i++) {
			snprintf(path, sizeof(path), DFS_DIR "/%s", dfs_files[i]);
			fd = open(path, O_RDONLY);
			if (fd >= 0 || errno != EACCES)
				_exit(10 + i);
		}
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("uid 1000 could open %s (or setuid failed)",
		       WEXITSTATUS(status) >= 10 ? dfs_files[WEXITSTATUS(status) - 10] : "?");
}

TEST_F(heap, no_kernel_addresses)
{
	uint64_t x[20], moved;
	uint8_t saved[HDR];
	const char *where;
	char *text;
	size_t i;

	for (i = 0; i < 20; i++)
		ASSERT_EQ(0, dev_alloc(self->fd, 24 * (i + 1), 0, 0, &x[i]));
	for (i = 0; i < 20; i += 3)
		ASSERT_EQ(0, dev_free(self->fd, x[i]));
	ASSERT_EQ(0, dev_realloc(self->fd, x[1], 3000, &moved));
	/* Damaged records too. */
	memcpy(saved, self->map + x[5] - HDR, HDR);
	memset(self->map + x[5] - HDR, 0xff, HDR);
	for (i = 0; i < DFS_NR_FILES; i++) {
		text = read_dfs(dfs_files[i], NULL);
		ASSERT_NE(NULL, text);
		where = find_kernel_address(text);
		EXPECT_EQ(NULL, where) TH_LOG("%s: %.40s", dfs_files[i], where);
		free(text);
	}
	memcpy(self->map + x[5] - HDR, saved, HDR);
}

TEST_HARNESS_MAIN
