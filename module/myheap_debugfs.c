// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/myheap/: what is in the heap, for people and scripts.
 *
 *   blocks       every block in address order (slabinfo-style header)
 *   blocks.json  the same, machine-readable
 *   freelist     the free lists in search order with their blocks
 *   stats        every statistic of the core and the module, key: value
 *   frag         fragmentation: largest free block, histogram, and per
 *                request size whether it fits and the unusable free space
 *                index (as /sys/kernel/debug/extfrag/unusable_index)
 *   owners       the open files of /dev/myheap and what they hold
 *   check        reading runs the integrity checker: "ok" or what is wrong
 *   events       the last alloc/free/realloc operations
 *
 * All are 0400 (root only) and name blocks by region offset, never by
 * address. The short files here are single_open() files that take
 * &myheap_dev.lock killably for one snapshot: stats and check cost one
 * walk of the blocks under it (O(blocks); check with poisoning also reads
 * every free byte), frag that of stats and then walks the blocks 1024 at
 * a time, owners one line per open file. The
 * long ones (myheap_dump.c, myheap_events.c) take it a page at a time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "myheap.h"
#include "myheap_debugfs.h"

/* Request sizes of the frag table: 16 B .. 1 MiB by powers of two. */
#define MYHEAP_FRAG_MIN_SHIFT	4
#define MYHEAP_FRAG_MAX_SHIFT	20
#define MYHEAP_FRAG_SIZES	(MYHEAP_FRAG_MAX_SHIFT - MYHEAP_FRAG_MIN_SHIFT + 1)
/* Every request size has a block size (mh_block_size() is never 0). */
static_assert(BIT(MYHEAP_FRAG_MAX_SHIFT) <= MH_MAX_REGION);
/* Damaged records the check file lists before it only counts them. */
#define MYHEAP_CHECK_LIST_MAX	64

static void myheap_put_ppm(struct seq_file *m, const char *key, u64 ppm)
{
	u32 rem;
	u64 pct = div_u64_rem(ppm, 10000, &rem);

	seq_printf(m, "%s: %llu.%04u%%\n", key, pct, rem);
}

static int myheap_stats_show(struct seq_file *m, void *unused)
{
	struct myheap_dev *dev = m->private;
	const struct mh_counters *c;
	struct mh_stats st;
	unsigned int i;

	if (myheap_lock(dev))
		return -EINTR;
	if (myheap_stats_heap(dev, &st))
		return -EINTR;
	c = &st.count;
	seq_printf(m, "policy: %s\n", mh_policy_name(st.policy));
	/* the knobs now: a change restarts the walk (myheap_changed()) */
	seq_printf(m, "list_order: %s\n", mh_order_name(dev->list_order));
	seq_printf(m, "coalesce: %u\n",
		   !(dev->policy_flags & MYHEAP_POLICY_NO_COALESCE));
	seq_printf(m, "region_size: %u\n", st.region_size);
	seq_printf(m, "heap_size: %llu\n", st.heap_size);
	seq_printf(m, "header_size: %llu\n", st.header_size);
	seq_printf(m, "requested_bytes: %llu\n", st.requested_bytes);
	seq_printf(m, "granted_bytes: %llu\n", st.granted_bytes);
	seq_printf(m, "used_bytes: %llu\n", st.used_bytes);
	seq_printf(m, "free_bytes: %llu\n", st.free_bytes);
	seq_printf(m, "overhead_bytes: %llu\n", st.overhead_bytes);
	seq_printf(m, "used_blocks: %llu\n", st.used_blocks);
	seq_printf(m, "free_blocks: %llu\n", st.free_blocks);
	seq_printf(m, "largest_free: %llu\n", st.largest_free);
	seq_printf(m, "largest_alloc: %llu\n", st.largest_alloc);
	seq_printf(m, "internal_frag: %llu\n", st.internal_frag);
	seq_printf(m, "external_frag_ppm: %llu\n", st.external_frag_ppm);
	seq_printf(m, "peak_requested: %llu\n", st.peak_requested);
	seq_printf(m, "high_water: %llu\n", st.high_water);
	seq_puts(m, "free_hist:");
	for (i = 0; i < MH_HIST_BUCKETS; i++)
		seq_printf(m, " %llu", st.free_hist[i]);
	seq_putc(m, '\n');
	seq_printf(m, "allocs: %llu\n", c->allocs);
	seq_printf(m, "frees: %llu\n", c->frees);
	seq_printf(m, "reallocs: %llu\n", c->reallocs);
	seq_printf(m, "failed_allocs: %llu\n", c->failed_allocs);
	seq_printf(m, "failed_frees: %llu\n", c->failed_frees);
	seq_printf(m, "failed_reallocs: %llu\n", c->failed_reallocs);
	seq_printf(m, "splits: %llu\n", c->splits);
	seq_printf(m, "coalesces: %llu\n", c->coalesces);
	seq_printf(m, "searched: %llu\n", c->searched);
	seq_printf(m, "searched_max: %llu\n", c->searched_max);
	seq_printf(m, "corruptions: %llu\n", c->corruptions);
	seq_printf(m, "poison_errors: %llu\n", c->poison_errors);
	seq_printf(m, "damage_events: %llu\n", dev->damage_events);
	seq_printf(m, "resets: %llu\n", dev->resets);
	seq_printf(m, "search_pauses: %llu\n", dev->search_pauses);
	seq_printf(m, "search_waits_spent: %llu\n", dev->search_waits_spent);
	seq_printf(m, "lock_wait_max_us: %llu\n",
		   div_u64(dev->wait_max_ns, NSEC_PER_USEC));
	seq_printf(m, "lock_wait_max_behind: %ps\n",
		   (void *)dev->wait_max_behind);
	seq_printf(m, "lock_hold_max_us: %llu\n",
		   div_u64(dev->hold_max.ns, NSEC_PER_USEC));
	seq_printf(m, "lock_hold_max_cpu_us: %llu\n",
		   div_u64(dev->hold_max.cpu_ns, NSEC_PER_USEC));
	seq_printf(m, "lock_hold_max_switches: %lu\n", dev->hold_max.switches);
	seq_printf(m, "lock_hold_max_gap_us: %llu\n",
		   div_u64(dev->hold_max.gap_ns, NSEC_PER_USEC));
	seq_printf(m, "lock_hold_max_at: %ps\n", (void *)dev->hold_max.at);
	seq_printf(m, "open_files: %u\n", dev->nr_files);
	seq_printf(m, "owner_bytes: %zu\n", myheap_owner_bytes(dev));
	seq_printf(m, "poison: %s\n", dev->poison ? "on" : "off");
	seq_printf(m, "events_recorded: %llu\n",
		   dev->events ? dev->events->recorded : 0);
	myheap_unlock(dev);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(myheap_stats);

/**
 * struct myheap_frag - what the frag file counts in one walk of the blocks.
 * @need: block size a request of each size of the table needs.
 * @chunks: how many such blocks the free blocks could be carved into.
 * @fits: whether one free block is large enough for it.
 */
struct myheap_frag {
	u64 need[MYHEAP_FRAG_SIZES];
	u64 chunks[MYHEAP_FRAG_SIZES];
	bool fits[MYHEAP_FRAG_SIZES];
};

/*
 * Count the free blocks from @off on into @fr, at most @max blocks (all
 * if 0). Return where to go on, or 0 when the walk reached the end.
 */
static u32 myheap_frag_count(const struct mh_heap *h, struct myheap_frag *fr,
			     u32 off, u32 max)
{
	struct mh_block_info b;
	unsigned int i;
	u32 left = max;

	for (; !mh_block_at(h, off, &b); off = b.next) {
		if (max && !left--)
			return off;
		if (b.status != MH_BLOCK_OK || b.used)
			continue;
		for (i = 0; i < MYHEAP_FRAG_SIZES && b.size >= fr->need[i]; i++) {
			fr->fits[i] = true;
			fr->chunks[i] += div64_u64(b.size, fr->need[i]);
		}
	}
	return 0;
}

/*
 * The statistics and the frag counts of one version of the heap, as one
 * walk in bounded holds (myheap_walk_bounded()): the statistics' walk,
 * then the frag counts'.
 */
struct myheap_frag_walk {
	struct myheap_walk w;
	struct myheap_stats_walk sw;
	bool stats_done;
	u32 off;
	struct myheap_frag fr;
};

static void myheap_frag_begin(struct myheap_walk *w, const struct mh_heap *h)
{
	struct myheap_frag_walk *fw = container_of(w, struct myheap_frag_walk, w);
	unsigned int i;

	fw->sw.w.begin(&fw->sw.w, h);
	fw->stats_done = false;
	fw->off = mh_first_block(h);
	memset(&fw->fr, 0, sizeof(fw->fr));
	for (i = 0; i < MYHEAP_FRAG_SIZES; i++)
		fw->fr.need[i] = mh_block_size(h, BIT(i + MYHEAP_FRAG_MIN_SHIFT));
}

static bool myheap_frag_step(struct myheap_walk *w, const struct mh_heap *h,
			     u32 max)
{
	struct myheap_frag_walk *fw = container_of(w, struct myheap_frag_walk, w);

	if (!fw->stats_done) {
		fw->stats_done = fw->sw.w.step(&fw->sw.w, h, max);
		return false;
	}
	fw->off = myheap_frag_count(h, &fw->fr, fw->off, max);
	return !fw->off;
}

static void myheap_frag_table(struct seq_file *m, const struct mh_stats *st,
			      const struct myheap_frag *fr)
{
	u64 usable, unusable;
	unsigned int i;

	seq_puts(m, "# requests of each size: block needed, whether one fits now, unusable free space index\n");
	seq_puts(m, "# (0.000 .. 1.000, as /sys/kernel/debug/extfrag/unusable_index: the share of free bytes\n");
	seq_puts(m, "# that cannot be carved into blocks of that size)\n");
	seq_puts(m, "#     request      block fits unusable\n");
	for (i = 0; i < MYHEAP_FRAG_SIZES; i++) {
		/* No free memory is all unusable, as in mm/vmstat.c. */
		usable = min(fr->chunks[i] * fr->need[i], st->free_bytes);
		unusable = 1000;
		if (st->free_bytes)
			unusable = div64_u64((st->free_bytes - usable) * 1000,
					     st->free_bytes);
		seq_printf(m, "%13llu %10llu %-4s %u.%03u\n",
			   1ull << (i + MYHEAP_FRAG_MIN_SHIFT), fr->need[i],
			   fr->fits[i] ? "yes" : "no", (u32)unusable / 1000,
			   (u32)unusable % 1000);
	}
}

static int myheap_frag_show(struct seq_file *m, void *unused)
{
	struct myheap_dev *dev = m->private;
	struct myheap_frag_walk *fw;
	const struct myheap_frag *fr;
	const struct mh_stats *st;
	unsigned int k, top;
	u64 internal_ppm;

	fw = kzalloc(sizeof(*fw), GFP_KERNEL);
	if (!fw)
		return -ENOMEM;
	fw->w.begin = myheap_frag_begin;
	fw->w.step = myheap_frag_step;
	myheap_stats_walk_init(&fw->sw);
	if (myheap_lock(dev) || myheap_walk_bounded(dev, &fw->w)) {
		kfree(fw);
		return -EINTR;
	}
	myheap_unlock(dev);
	st = &fw->sw.st;
	fr = &fw->fr;

	internal_ppm = st->granted_bytes ?
		       div64_u64(st->internal_frag * 1000000, st->granted_bytes) : 0;
	seq_printf(m, "myheap frag - version: %s\n", MYHEAP_DEBUGFS_VERSION);
	seq_printf(m, "policy: %s\n", mh_policy_name(st->policy));
	seq_printf(m, "free_bytes: %llu\n", st->free_bytes);
	seq_printf(m, "free_blocks: %llu\n", st->free_blocks);
	seq_printf(m, "largest_free: %llu\n", st->largest_free);
	seq_printf(m, "largest_alloc: %llu\n", st->largest_alloc);
	myheap_put_ppm(m, "external_frag", st->external_frag_ppm);
	seq_printf(m, "internal_frag_bytes: %llu\n", st->internal_frag);
	myheap_put_ppm(m, "internal_frag", internal_ppm);

	/* Histogram from the smallest block to the largest possible one. */
	top = min_t(unsigned int, ilog2(st->region_size), MH_HIST_BUCKETS - 1);
	seq_puts(m, "# free blocks by size, buddyinfo style: column 2^k counts sizes 2^k .. 2^(k+1)-1\n");
	seq_puts(m, "size:  ");
	for (k = ilog2(MH_MIN_BLOCK); k <= top; k++)
		seq_printf(m, " %7llu", 1ull << k);
	seq_puts(m, "\nblocks:");
	for (k = ilog2(MH_MIN_BLOCK); k <= top; k++)
		seq_printf(m, " %7llu", st->free_hist[k]);
	seq_putc(m, '\n');
	myheap_frag_table(m, st, fr);
	kfree(fw);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(myheap_frag);

static int myheap_owners_show(struct seq_file *m, void *unused)
{
	struct myheap_dev *dev = m->private;
	struct myheap_file *mf;

	seq_printf(m, "myheap owners - version: %s\n", MYHEAP_DEBUGFS_VERSION);
	seq_puts(m, "#  owner     pid     blocks      bytes peak_bytes comm\n");
	if (myheap_lock(dev))
		return -EINTR;
	list_for_each_entry(mf, &dev->files, node) {
		seq_printf(m, "%8llu %7d %10llu %10llu %10llu ", mf->id,
			   mf->pid, mf->blocks, mf->bytes, mf->peak_bytes);
		seq_escape(m, mf->comm, " \t\n\\");
		seq_putc(m, '\n');
	}
	seq_printf(m, "# total: %u open files\n", dev->nr_files);
	myheap_unlock(dev);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(myheap_owners);

/**
 * struct myheap_damage_walk - the damaged records of the heap, as a walk.
 * @w: the walk (for myheap_walk_bounded()).
 * @off: where the walk goes on.
 * @damaged: damaged records seen.
 * @list: the first MYHEAP_CHECK_LIST_MAX of them.
 */
struct myheap_damage_walk {
	struct myheap_walk w;
	u32 off;
	u64 damaged;
	struct {
		u32 offset;
		u32 size;
	} list[MYHEAP_CHECK_LIST_MAX];
};

static void myheap_damage_begin(struct myheap_walk *w, const struct mh_heap *h)
{
	struct myheap_damage_walk *dw;

	dw = container_of(w, struct myheap_damage_walk, w);
	dw->off = mh_first_block(h);
	dw->damaged = 0;
}

static bool myheap_damage_step(struct myheap_walk *w, const struct mh_heap *h,
			       u32 max)
{
	struct myheap_damage_walk *dw;
	struct mh_block_info b;
	u32 n;

	dw = container_of(w, struct myheap_damage_walk, w);
	for (n = 0; !max || n < max; n++) {
		if (mh_block_at(h, dw->off, &b))
			return true;
		dw->off = b.next;
		if (b.status == MH_BLOCK_OK)
			continue;
		if (dw->damaged < MYHEAP_CHECK_LIST_MAX) {
			dw->list[dw->damaged].offset = b.offset;
			dw->list[dw->damaged].size = b.size;
		}
		dw->damaged++;
	}
	return false;
}

static int myheap_check_show(struct seq_file *m, void *unused)
{
	struct myheap_dev *dev = m->private;
	struct myheap_damage_walk *dw;
	struct mh_violation first;
	int count, ret = -EINTR;
	u64 i;

	dw = kzalloc(sizeof(*dw), GFP_KERNEL);
	if (!dw)
		return -ENOMEM;
	dw->w.begin = myheap_damage_begin;
	dw->w.step = myheap_damage_step;
	if (myheap_lock(dev))
		goto out;
	count = myheap_check_heap(dev, &first);
	if (count < 0)
		goto out;
	/*
	 * The damaged records after the violations: a second walk, which
	 * like the check's own holds the lock a millisecond at a time.
	 */
	if (count && myheap_walk_bounded(dev, &dw->w))
		goto out;
	myheap_unlock(dev);
	ret = 0;
	if (!count) {
		seq_puts(m, "ok\n");
		goto out;
	}
	seq_printf(m, "violations: %d\n", count);
	seq_printf(m, "first: %s at offset %u\n", mh_violation_name(first.kind),
		   first.offset);
	for (i = 0; i < min_t(u64, dw->damaged, MYHEAP_CHECK_LIST_MAX); i++)
		seq_printf(m, "damaged: offset %u, %u bytes\n",
			   dw->list[i].offset, dw->list[i].size);
	seq_printf(m, "damaged_records: %llu\n", dw->damaged);
out:
	kfree(dw);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(myheap_check);

static const struct {
	const char *name;
	const struct file_operations *fops;
} myheap_debugfs_files[] = {
	{ "blocks", &myheap_blocks_fops },
	{ "blocks.json", &myheap_blocks_json_fops },
	{ "freelist", &myheap_freelist_fops },
	{ "stats", &myheap_stats_fops },
	{ "frag", &myheap_frag_fops },
	{ "owners", &myheap_owners_fops },
	{ "check", &myheap_check_fops },
	{ "events", &myheap_events_fops },
};

/**
 * myheap_debugfs_init() - create /sys/kernel/debug/myheap/ for a device,
 * with its event ring, and install the core observer behind the split,
 * coalesce and corruption tracepoints.
 * @dev: the device, set up by myheap_dev_init().
 *
 * Like every debugfs user, the module works without these files: failures
 * are logged, not returned.
 *
 * Context: process context, may sleep; before the device is registered.
 */
void myheap_debugfs_init(struct myheap_dev *dev)
{
	unsigned int i;

	if (myheap_events_init(dev)) {
		pr_warn("no memory for the event ring: no debugfs files\n");
		return;
	}
	dev->debugfs = debugfs_create_dir(MYHEAP_NAME, NULL);
	for (i = 0; i < ARRAY_SIZE(myheap_debugfs_files); i++)
		debugfs_create_file(myheap_debugfs_files[i].name, 0400,
				    dev->debugfs, dev,
				    myheap_debugfs_files[i].fops);
}

/**
 * myheap_debugfs_exit() - remove what myheap_debugfs_init() created.
 * @dev: the device.
 *
 * Waits for readers of the files to leave them.
 *
 * Context: process context, may sleep; after the device is deregistered.
 */
void myheap_debugfs_exit(struct myheap_dev *dev)
{
	debugfs_remove(dev->debugfs);
	dev->debugfs = NULL;
	myheap_events_exit(dev);
}
