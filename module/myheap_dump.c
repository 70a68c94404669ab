// SPDX-License-Identifier: GPL-2.0
/*
 * The dumps of /sys/kernel/debug/myheap/ whose length grows with the heap:
 * blocks and blocks.json (every block in address order) and freelist (every
 * free block in search order). All three are seq_files that take
 * &myheap_dev.lock (killably) in ->start() and drop it in ->stop(), and
 * ->next() drops and retakes it once a hold has lasted MYHEAP_HOLD_NS, so
 * no hold covers more than a page of records or about a millisecond,
 * whatever the heap's size and whoever iterates: a read, or seq_file's
 * traverse() replaying the file from the start for an lseek() or a
 * pread(). Every record costs O(1), so a page costs O(records in it) and
 * a whole dump O(records).
 *
 * Between two holds the heap may change. A dump is then not a snapshot, but
 * it stays well formed: offsets only grow, every record was true when it
 * was read, and the last line is the totals of what was shown.
 *
 * blocks resumes each hold at the offset of the next block (cur.next; the
 * seq_file position is the offset of cur). If the heap changed meanwhile
 * (the device's change counter moved) and no header passes its check there
 * any more, the block there was merged away (the core wipes every header
 * it merges away): the dump goes on at the first block after that offset
 * and counts a resync. It looks for it in O(1) where it usually is: after
 * the block before, which swallowed it, or within 64 blocks after that
 * block if it shrank, or from the first block if that one went too (the
 * heap was reset or emptied). Else it takes the next header that passes,
 * which costs one header check per 16 bytes of the merged stretch.
 *
 * freelist resumes at the block it read last, with mh_walk_free_from(),
 * which first checks that the block is still on its list. If it is not,
 * the dump resumes after the block shown before it (at the head of the
 * list if there was none in that list), else at the head of the next
 * list; either way it counts a resync and says so before its totals.
 * Under pools the free lists are followed by the run lists: each slot
 * class's runs with a free slot, one record per run, taken and resumed
 * the same way through mh_walk_runs_from() (after the run shown before,
 * at the class's head, or at the next class).
 *
 * Under pools a run is one record too: its line ("run"), then a line per
 * slot (its payload offset, no header, "slot" or "free-slot", its owner),
 * read from one read of the run's word and map (mh_run_slots()); in
 * blocks.json the slots are an array in the run's record. A run has at
 * most MH_RUN_MAX_SLOTS slots, so such a record is a few pages at most.
 *
 * A damaged header is shown as one "damaged" record reaching to the next
 * header that passes its check (see mh_block_at()); a damaged link, or
 * more blocks than the heap can hold (a loop), ends the free lists, and a
 * damaged run or run link (or a loop) ends the run lists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "myheap.h"
#include "myheap_debugfs.h"

/*
 * Blocks a blocks dump that lost its place walks on from where it was
 * before it looks the place up by its offset instead.
 */
#define MYHEAP_RESYNC_WALK	64

enum myheap_rec {
	MYHEAP_REC_ITEM, MYHEAP_REC_RUN, MYHEAP_REC_END, MYHEAP_REC_PAST
};

/* seq_file positions of blocks: 0 the header, a block its offset, then: */
#define MYHEAP_POS_END		((loff_t)U32_MAX + 1)
#define MYHEAP_POS_PAST		(MYHEAP_POS_END + 1)

/**
 * struct myheap_dump_lock - the heap's lock as a dump holds it.
 * @dev: the device.
 * @held: &@dev->lock is held by this reader.
 * @deadline: when this hold is over (myheap_hold_deadline()).
 */
struct myheap_dump_lock {
	struct myheap_dev *dev;
	bool held;
	u64 deadline;
};

static int myheap_dump_lock(struct myheap_dump_lock *l)
{
	if (myheap_lock(l->dev))
		return -EINTR;
	l->held = true;
	l->deadline = myheap_hold_deadline();
	return 0;
}

static void myheap_dump_unlock(struct myheap_dump_lock *l)
{
	if (l->held)
		myheap_unlock(l->dev);
	l->held = false;
}

/*
 * Before making a record in ->next(): once the hold has lasted
 * MYHEAP_HOLD_NS, let the others have the heap (and the CPU) and take it
 * again through myheap_lock_yield() (a reader replaying the file for an
 * lseek() makes every record up to the position in one ->start(): without
 * this an opener waited 0.9 s at 128K blocks). The caller then finds its
 * place as at the start of a page.
 */
static int myheap_dump_breathe(struct myheap_dump_lock *l)
{
	if (!myheap_hold_over(l->dev, l->deadline))
		return 0;
	if (myheap_lock_yield(l->dev, true)) {
		l->held = false;
		return -EINTR;
	}
	l->deadline = myheap_hold_deadline();
	return 0;
}

/**
 * struct myheap_totals - what a blocks dump has counted so far.
 * @blocks: blocks shown.
 * @used: blocks in use.
 * @free: free blocks.
 * @damaged: damaged records.
 * @used_bytes: bytes of blocks in use, headers included.
 * @free_bytes: bytes of free blocks, headers included.
 * @damaged_bytes: bytes of damaged records.
 * @requested: payload bytes requested by the blocks in use.
 * @granted: payload bytes granted to the blocks in use.
 * @resyncs: times the walk had to find its place again.
 */
struct myheap_totals {
	u64 blocks;
	u64 used;
	u64 free;
	u64 damaged;
	u64 used_bytes;
	u64 free_bytes;
	u64 damaged_bytes;
	u64 requested;
	u64 granted;
	u64 resyncs;
};

/**
 * struct myheap_blocks_iter - where a reader of blocks or blocks.json is.
 * @dev: the device.
 * @lk: the heap's lock.
 * @json: blocks.json rather than blocks.
 * @rec: what the record at the seq_file position is (enum myheap_rec).
 * @changes: the device's change counter when @cur was read.
 * @cur: the block at the position (its offset is the position).
 * @tot: the blocks up to and including @cur.
 */
struct myheap_blocks_iter {
	struct myheap_dev *dev;
	struct myheap_dump_lock lk;
	bool json;
	int rec;
	u64 changes;
	struct mh_block_info cur;
	struct myheap_totals tot;
};

/* Count @it->cur, or mark the end if @ret says there was no block. */
static void *myheap_blocks_take(struct myheap_blocks_iter *it, int ret)
{
	const struct mh_block_info *b = &it->cur;
	struct myheap_totals *t = &it->tot;

	it->changes = myheap_changes(it->dev);
	if (ret) {
		it->rec = MYHEAP_REC_END;
		return it;
	}
	it->rec = MYHEAP_REC_ITEM;
	t->blocks++;
	if (b->status != MH_BLOCK_OK) {
		t->damaged++;
		t->damaged_bytes += b->size;
	} else if (b->used) {
		t->used++;
		t->used_bytes += b->size;
		t->requested += b->requested;
		t->granted += b->granted;
	} else {
		t->free++;
		t->free_bytes += b->size;
	}
	return it;
}

static void *myheap_blocks_first(struct myheap_blocks_iter *it)
{
	const struct mh_heap *h = &it->dev->heap;

	memset(&it->tot, 0, sizeof(it->tot));
	return myheap_blocks_take(it, mh_block_at(h, mh_first_block(h),
						  &it->cur));
}

/*
 * The heap changed since @it->cur was read and no header passes at the
 * offset after it, @want, any more: usually a merge swallowed that block.
 * Go on at the first block after @want, found in O(1) where it usually is.
 */
static void *myheap_blocks_resync(struct myheap_blocks_iter *it, u32 want)
{
	const struct mh_heap *h = &it->dev->heap;
	u32 off = mh_first_block(h);
	struct mh_block_info b;
	unsigned int n;

	/* Swallowed by the block before it, which still starts there? */
	if (!mh_block_at(h, it->cur.offset, &b) && b.status == MH_BLOCK_OK) {
		if (b.next == want)	/* no: damaged where it was */
			return myheap_blocks_take(it, mh_block_at(h, want,
								   &it->cur));
		if (b.next > want) {
			it->tot.resyncs++;
			return myheap_blocks_take(it, mh_block_at(h, b.next,
								   &it->cur));
		}
		off = b.next;	/* it shrank: what follows it now */
	}
	it->tot.resyncs++;
	/* A few blocks on from there, or from the first (a reset)? */
	for (n = 0; n < MYHEAP_RESYNC_WALK; n++, off = b.next) {
		if (mh_block_at(h, off, &b))
			return myheap_blocks_take(it, -ENXIO);
		if (b.offset > want) {
			it->cur = b;
			return myheap_blocks_take(it, 0);
		}
	}
	/* Else the next header that passes: one check per 16 bytes. */
	if (mh_block_at(h, want, &b))
		return myheap_blocks_take(it, -ENXIO);
	return myheap_blocks_take(it, mh_block_at(h, b.next, &it->cur));
}

/* Move @it from its block to the next one (or to the end). */
static void *myheap_blocks_step(struct myheap_blocks_iter *it)
{
	const struct mh_heap *h = &it->dev->heap;
	u32 want = it->cur.next;

	if (it->changes != myheap_changes(it->dev) &&
	    mh_probe(h, want + MH_HDR_SIZE) == -EBADMSG)
		return myheap_blocks_resync(it, want);
	return myheap_blocks_take(it, mh_block_at(h, want, &it->cur));
}

/* The seq_file position of the record @it is at. */
static loff_t myheap_blocks_pos(const struct myheap_blocks_iter *it)
{
	if (it->rec == MYHEAP_REC_ITEM)
		return it->cur.offset;
	return it->rec == MYHEAP_REC_END ? MYHEAP_POS_END : MYHEAP_POS_PAST;
}

static void *myheap_blocks_start(struct seq_file *m, loff_t *pos)
{
	struct myheap_blocks_iter *it = m->private;

	if (myheap_dump_lock(&it->lk))
		return ERR_PTR(-EINTR);
	if (!*pos)
		return SEQ_START_TOKEN;
	/*
	 * seq_file starts at 0 or where the last hold stopped: the record
	 * read then (already counted) is shown now.
	 */
	if (*pos != myheap_blocks_pos(it) || it->rec == MYHEAP_REC_PAST)
		return NULL;
	return it;
}

static void *myheap_blocks_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct myheap_blocks_iter *it = m->private;
	void *r = NULL;

	if (myheap_dump_breathe(&it->lk)) {
		it->rec = MYHEAP_REC_PAST;
		r = ERR_PTR(-EINTR);
	} else if (v == SEQ_START_TOKEN) {
		r = myheap_blocks_first(it);
	} else if (it->rec == MYHEAP_REC_ITEM) {
		r = myheap_blocks_step(it);
	} else {
		it->rec = MYHEAP_REC_PAST;
	}
	*pos = myheap_blocks_pos(it);
	return r;
}

static void myheap_blocks_stop(struct seq_file *m, void *v)
{
	struct myheap_blocks_iter *it = m->private;

	myheap_dump_unlock(&it->lk);
}

/* The file that owns the block at @b, NULL for none. */
static struct myheap_file *myheap_owner_of(struct myheap_dev *dev,
					   const struct mh_block_info *b)
{
	lockdep_assert_held(&dev->lock);
	return myheap_owner_at(dev, b->offset + MH_HDR_SIZE);
}

static void myheap_put_num(struct seq_file *m, int width, bool valid, u64 v)
{
	if (valid)
		seq_printf(m, " %*llu", width, v);
	else
		seq_printf(m, " %*s", width, "-");
}

static const char *myheap_state(const struct mh_block_info *b)
{
	if (b->status != MH_BLOCK_OK)
		return "damaged";
	if (b->used && b->slot_size)
		return "run";
	return b->used ? "used" : "free";
}

/*
 * Pools: the slots of the run @b, read once, or none (-errno) when @b is
 * no run or its word or map no longer pass their checks.
 */
static int myheap_run_slots(struct myheap_dev *dev,
			    const struct mh_block_info *b,
			    struct mh_run_slots *v)
{
	lockdep_assert_held(&dev->lock);
	if (b->status != MH_BLOCK_OK || !b->slot_size)
		return -EINVAL;
	return mh_run_slots(&dev->heap, b, v);
}

/*
 * A run's slots, one line each below the run's: the payload offset, the
 * slot size, no header, requested and granted bytes, "slot" (in use) or
 * "free-slot", and the owner.
 */
static void myheap_slots_show_text(struct seq_file *m, struct myheap_dev *dev,
				   const struct mh_block_info *b)
{
	struct mh_run_slots v;
	struct myheap_file *mf;
	u32 i, off;
	bool used;

	if (myheap_run_slots(dev, b, &v))
		return;
	for (i = 0; i < v.n; i++) {
		off = v.first + i * v.slot_size;
		used = v.slack[i] != MH_SLOT_FREE;
		mf = used ? myheap_owner_at(dev, off) : NULL;
		seq_printf(m, "%10u %10u", off, v.slot_size);
		myheap_put_num(m, 3, true, 0);
		myheap_put_num(m, 10, used, v.slot_size - v.slack[i]);
		myheap_put_num(m, 10, used, v.slot_size);
		seq_printf(m, " %-7s", used ? "slot" : "free-slot");
		myheap_put_num(m, 7, mf, mf ? mf->pid : 0);
		myheap_put_num(m, 6, mf, mf ? mf->id : 0);
		seq_puts(m, " ok\n");
	}
}

static void myheap_blocks_show_text(struct seq_file *m,
				    struct myheap_blocks_iter *it)
{
	const struct mh_block_info *b = &it->cur;
	const struct myheap_totals *t = &it->tot;
	bool ok = b->status == MH_BLOCK_OK;
	struct myheap_file *mf;

	if (it->rec == MYHEAP_REC_END) {
		seq_printf(m, "# total: %llu blocks: %llu used %llu bytes, %llu free %llu bytes, %llu damaged %llu bytes; payload: %llu requested, %llu granted; resyncs: %llu\n",
			   t->blocks, t->used, t->used_bytes, t->free,
			   t->free_bytes, t->damaged, t->damaged_bytes,
			   t->requested, t->granted, t->resyncs);
		return;
	}
	mf = myheap_owner_of(it->dev, b);
	seq_printf(m, "%10u %10u", b->offset, b->size);
	myheap_put_num(m, 3, ok, MH_HDR_SIZE);
	myheap_put_num(m, 10, ok && b->used, b->requested);
	myheap_put_num(m, 10, ok && b->used, b->granted);
	seq_printf(m, " %-7s", myheap_state(b));
	myheap_put_num(m, 7, mf, mf ? mf->pid : 0);
	myheap_put_num(m, 6, mf, mf ? mf->id : 0);
	seq_printf(m, " %s\n", ok ? "ok" : "bad");
	myheap_slots_show_text(m, it->dev, b);
}

static void myheap_put_json_num(struct seq_file *m, const char *key,
				bool valid, u64 v)
{
	if (valid)
		seq_printf(m, ", \"%s\": %llu", key, v);
	else
		seq_printf(m, ", \"%s\": null", key);
}

/* A run's slots as its record's "slot_size" and "slots" members. */
static void myheap_slots_show_json(struct seq_file *m, struct myheap_dev *dev,
				   const struct mh_block_info *b)
{
	struct mh_run_slots v;
	struct myheap_file *mf;
	u32 i, off;
	bool used;

	if (myheap_run_slots(dev, b, &v))
		return;
	seq_printf(m, ", \"slot_size\": %u, \"slots\": [", v.slot_size);
	for (i = 0; i < v.n; i++) {
		off = v.first + i * v.slot_size;
		used = v.slack[i] != MH_SLOT_FREE;
		mf = used ? myheap_owner_at(dev, off) : NULL;
		seq_printf(m, "%s{\"offset\": %u", i ? ", " : "", off);
		myheap_put_json_num(m, "requested", used,
				    v.slot_size - v.slack[i]);
		seq_printf(m, ", \"state\": \"%s\"", used ? "used" : "free");
		myheap_put_json_num(m, "pid", mf, mf ? mf->pid : 0);
		myheap_put_json_num(m, "owner", mf, mf ? mf->id : 0);
		seq_putc(m, '}');
	}
	seq_putc(m, ']');
}

static void myheap_blocks_show_json(struct seq_file *m,
				    struct myheap_blocks_iter *it)
{
	const struct mh_block_info *b = &it->cur;
	const struct myheap_totals *t = &it->tot;
	bool ok = b->status == MH_BLOCK_OK;
	struct myheap_file *mf;

	if (it->rec == MYHEAP_REC_END) {
		seq_printf(m, "\n  ],\n  \"totals\": {\"blocks\": %llu, \"used\": %llu, \"free\": %llu, \"damaged\": %llu, \"used_bytes\": %llu, \"free_bytes\": %llu, \"damaged_bytes\": %llu, \"requested\": %llu, \"granted\": %llu, \"resyncs\": %llu}\n}\n",
			   t->blocks, t->used, t->free, t->damaged,
			   t->used_bytes, t->free_bytes, t->damaged_bytes,
			   t->requested, t->granted, t->resyncs);
		return;
	}
	mf = myheap_owner_of(it->dev, b);
	/* Records are joined by the comma in front of all but the first. */
	seq_printf(m, "%s    {\"offset\": %u, \"size\": %u",
		   it->tot.blocks > 1 ? ",\n" : "", b->offset, b->size);
	myheap_put_json_num(m, "header_size", ok, MH_HDR_SIZE);
	myheap_put_json_num(m, "requested", ok && b->used, b->requested);
	myheap_put_json_num(m, "granted", ok && b->used, b->granted);
	seq_printf(m, ", \"state\": \"%s\"", myheap_state(b));
	myheap_put_json_num(m, "pid", mf, mf ? mf->pid : 0);
	myheap_put_json_num(m, "owner", mf, mf ? mf->id : 0);
	seq_printf(m, ", \"header\": \"%s\"", ok ? "ok" : "bad");
	myheap_slots_show_json(m, it->dev, b);
	seq_putc(m, '}');
}

static int myheap_blocks_show(struct seq_file *m, void *v)
{
	struct myheap_blocks_iter *it = m->private;
	struct myheap_dev *dev = it->dev;
	const char *policy = mh_policy_name(dev->policy);

	if (v != SEQ_START_TOKEN) {
		if (it->json)
			myheap_blocks_show_json(m, it);
		else
			myheap_blocks_show_text(m, it);
		return 0;
	}
	if (it->json) {
		seq_printf(m, "{\n  \"format\": \"myheap-blocks\", \"version\": \"%s\",\n  \"policy\": \"%s\", \"region_size\": %zu, \"header_size\": %u,\n  \"blocks\": [\n",
			   MYHEAP_DEBUGFS_VERSION, policy, dev->region_size,
			   MH_HDR_SIZE);
		return 0;
	}
	seq_printf(m, "myheap blocks - version: %s\n", MYHEAP_DEBUGFS_VERSION);
	seq_printf(m, "# policy: %s, region_size: %zu; offsets of blocks (headers): payload at offset + hdr; sizes in bytes\n",
		   policy, dev->region_size);
	seq_puts(m, "#     offset       size hdr  requested    granted state       pid  owner header\n");
	return 0;
}

static const struct seq_operations myheap_blocks_sops = {
	.start = myheap_blocks_start,
	.next = myheap_blocks_next,
	.stop = myheap_blocks_stop,
	.show = myheap_blocks_show,
};

static int myheap_blocks_open_as(struct inode *inode, struct file *file,
				 bool json)
{
	struct myheap_blocks_iter *it;

	it = __seq_open_private(file, &myheap_blocks_sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->dev = inode->i_private;
	it->lk.dev = it->dev;
	it->json = json;
	return 0;
}

static int myheap_blocks_open(struct inode *inode, struct file *file)
{
	return myheap_blocks_open_as(inode, file, false);
}

static int myheap_blocks_json_open(struct inode *inode, struct file *file)
{
	return myheap_blocks_open_as(inode, file, true);
}

/* /sys/kernel/debug/myheap/blocks */
const struct file_operations myheap_blocks_fops = {
	.owner = THIS_MODULE,
	.open = myheap_blocks_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/* /sys/kernel/debug/myheap/blocks.json */
const struct file_operations myheap_blocks_json_fops = {
	.owner = THIS_MODULE,
	.open = myheap_blocks_json_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

/* The freelist file. */

#define MYHEAP_NO_LIST	U32_MAX

/**
 * struct myheap_freelist_iter - where a reader of freelist is.
 * @dev: the device.
 * @lk: the heap's lock.
 * @rec: what the record at the seq_file position is (enum myheap_rec).
 * @cur: the block at the position, as mh_walk_free() reported it.
 * @cur_prev_list: list of the block shown before @cur (MYHEAP_NO_LIST if
 *	none): where the list headers go.
 * @before: the block shown before @cur, where to resume if @cur went away
 *	(valid when @have_before).
 * @have_before: @before is set.
 * @count: free blocks shown, @cur included.
 * @bytes: their bytes.
 * @max_blocks: most free blocks the heap can hold: past that, a loop.
 * @resyncs: times a block to resume at had left its list.
 * @damaged: the lists ended at a damaged link (or a loop).
 * @run: pools: the run at the position, when @rec is MYHEAP_REC_RUN.
 * @run_prev_cls: class of the run shown before @run (MYHEAP_NO_LIST if
 *	none): where the class headers go.
 * @run_before: the run shown before @run, where to resume if @run left
 *	its list (valid when @have_run_before).
 * @have_run_before: @run_before is set.
 * @runs: runs shown, @run included.
 * @free_slots: their free slots.
 * @run_damaged: the run lists ended at a damaged run or link (or a loop).
 * @skip: blocks (runs) the walk callback passes over before it takes one.
 * @found: the callback took a block into @cur (a run into @run).
 */
struct myheap_freelist_iter {
	struct myheap_dev *dev;
	struct myheap_dump_lock lk;
	int rec;
	struct mh_free_info cur;
	u32 cur_prev_list;
	struct mh_free_info before;
	bool have_before;
	u64 count;
	u64 bytes;
	u64 max_blocks;
	u64 resyncs;
	bool damaged;
	struct mh_run_info run;
	u32 run_prev_cls;
	struct mh_run_info run_before;
	bool have_run_before;
	u64 runs;
	u64 free_slots;
	bool run_damaged;
	unsigned int skip;
	bool found;
};

/* mh_walk_free_from() callback: pass over @it->skip blocks, take one. */
static int myheap_freelist_take_one(void *arg, const struct mh_free_info *f)
{
	struct myheap_freelist_iter *it = arg;

	if (it->skip) {
		it->skip--;
		return 0;
	}
	it->cur = *f;
	it->found = true;
	return 1;
}

/*
 * The block after @from (or the first one of @list, if @from is NULL) into
 * @it->cur: 1 if there is one, 0 at the end, -ESTALE if @from left its
 * list, -EUCLEAN at a damaged link.
 */
static int myheap_freelist_fetch(struct myheap_freelist_iter *it, u32 list,
				 const struct mh_free_info *from)
{
	int ret;

	it->found = false;
	it->skip = from ? 1 : 0;
	ret = mh_walk_free_from(&it->dev->heap, from ? from->list : list,
				from ? from->offset : 0,
				myheap_freelist_take_one, it);
	if (ret < 0)
		return ret;
	return it->found;
}

/* mh_walk_runs_from() callback: pass over @it->skip runs, take one. */
static int myheap_freelist_take_run(void *arg, const struct mh_run_info *r)
{
	struct myheap_freelist_iter *it = arg;

	if (it->skip) {
		it->skip--;
		return 0;
	}
	it->run = *r;
	it->found = true;
	return 1;
}

/*
 * The run after @from (or the first one of class @cls, if @from is NULL)
 * into @it->run: 1 if there is one, 0 at the end, -ESTALE if @from left
 * its list, -EUCLEAN at a damaged run or link.
 */
static int myheap_freelist_fetch_run(struct myheap_freelist_iter *it,
				     u32 cls, const struct mh_run_info *from)
{
	int ret;

	it->found = false;
	it->skip = from ? 1 : 0;
	ret = mh_walk_runs_from(&it->dev->heap, from ? from->cls : cls,
				from ? from->offset : 0,
				myheap_freelist_take_run, it);
	if (ret < 0)
		return ret;
	return it->found;
}

/*
 * Make the run record after the current one (the first run, after the
 * last free block, if @first); the end record when there is none.
 */
static void *myheap_freelist_run_step(struct myheap_freelist_iter *it,
				      bool first)
{
	struct mh_run_info last = it->run;
	int ret;

	if (first) {
		ret = myheap_freelist_fetch_run(it, 0, NULL);
	} else {
		ret = myheap_freelist_fetch_run(it, 0, &last);
		if (ret == -ESTALE) {
			/* as for a block: after the one before, or the head */
			it->resyncs++;
			if (it->have_run_before &&
			    it->run_before.cls == last.cls)
				ret = myheap_freelist_fetch_run(it, 0,
								&it->run_before);
			else
				ret = myheap_freelist_fetch_run(it, last.cls,
								NULL);
			if (ret == -ESTALE)
				ret = myheap_freelist_fetch_run(it, last.cls + 1,
								NULL);
		}
	}
	if (ret > 0 && it->runs >= it->max_blocks)
		ret = -EUCLEAN;		/* more than can be: a loop */
	if (ret <= 0) {
		it->run_damaged = ret < 0;
		it->rec = MYHEAP_REC_END;
		return it;
	}
	if (!first) {
		it->run_before = last;
		it->have_run_before = true;
	}
	it->run_prev_cls = first ? MYHEAP_NO_LIST : last.cls;
	it->runs++;
	it->free_slots += it->run.free;
	it->rec = MYHEAP_REC_RUN;
	return it;
}

/* Make the record after the current one (the first if @first). */
static void *myheap_freelist_step(struct myheap_freelist_iter *it, bool first)
{
	struct mh_free_info last = it->cur;
	u32 list = first ? MYHEAP_NO_LIST : last.list;
	int ret;

	if (first) {
		ret = myheap_freelist_fetch(it, 0, NULL);
	} else {
		ret = myheap_freelist_fetch(it, 0, &last);
		if (ret == -ESTALE) {
			/*
			 * @last left its list: go on after the block shown
			 * before it, or at the head of the list if @last was
			 * the first block shown of it, else at the next list.
			 */
			it->resyncs++;
			if (it->have_before && it->before.list == last.list)
				ret = myheap_freelist_fetch(it, 0, &it->before);
			else
				ret = myheap_freelist_fetch(it, last.list, NULL);
			if (ret == -ESTALE)
				ret = myheap_freelist_fetch(it, last.list + 1,
							    NULL);
		}
	}
	if (ret > 0 && it->count >= it->max_blocks)
		ret = -EUCLEAN;		/* more than can be: a loop */
	if (ret <= 0) {		/* the free lists are over: the runs */
		it->damaged = ret < 0;
		it->cur_prev_list = list;
		return myheap_freelist_run_step(it, true);
	}
	if (!first) {
		it->before = last;
		it->have_before = true;
	}
	it->cur_prev_list = list;
	it->count++;
	it->bytes += it->cur.size;
	it->rec = MYHEAP_REC_ITEM;
	return it;
}

static void *myheap_freelist_start(struct seq_file *m, loff_t *pos)
{
	struct myheap_freelist_iter *it = m->private;

	if (myheap_dump_lock(&it->lk))
		return ERR_PTR(-EINTR);
	if (!*pos) {
		it->rec = MYHEAP_REC_PAST;	/* nothing read yet */
		return SEQ_START_TOKEN;
	}
	/* Where the last hold stopped: the record read then is shown now. */
	return it->rec == MYHEAP_REC_PAST ? NULL : it;
}

static void *myheap_freelist_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct myheap_freelist_iter *it = m->private;

	++*pos;
	if (myheap_dump_breathe(&it->lk)) {
		it->rec = MYHEAP_REC_PAST;
		return ERR_PTR(-EINTR);
	}
	if (v == SEQ_START_TOKEN) {
		it->count = 0;
		it->bytes = 0;
		it->resyncs = 0;
		it->damaged = false;
		it->have_before = false;
		it->runs = 0;
		it->free_slots = 0;
		it->run_damaged = false;
		it->have_run_before = false;
		it->max_blocks = it->dev->region_size / MH_MIN_BLOCK + 1;
		return myheap_freelist_step(it, true);
	}
	if (it->rec == MYHEAP_REC_ITEM)
		return myheap_freelist_step(it, false);
	if (it->rec == MYHEAP_REC_RUN)
		return myheap_freelist_run_step(it, false);
	it->rec = MYHEAP_REC_PAST;	/* that was the end record */
	return NULL;
}

static void myheap_freelist_stop(struct seq_file *m, void *v)
{
	struct myheap_freelist_iter *it = m->private;

	myheap_dump_unlock(&it->lk);
}

/* Name list @list as the policy does: "class 3 (48..63 bytes)". */
static void myheap_freelist_name(struct seq_file *m,
				 const struct mh_list_info *li, u32 list)
{
	if (!li->kind && li->order == MH_ORDER_ADDR)
		seq_puts(m, "list (address order)");
	else if (!li->kind)	/* a fit policy's knob: OSTEP's order name */
		seq_printf(m, "list (%s order)", mh_order_name(li->order));
	else if (li->class_min == li->class_max)
		seq_printf(m, "%s %u (%u bytes)", li->kind, list, li->class_min);
	else
		seq_printf(m, "%s %u (%u..%u bytes)", li->kind, list,
			   li->class_min, li->class_max);
}

/*
 * Headers of the empty lists from @from up to @to (excluded), for a policy
 * whose dumps name them (buddy's orders), as far as the heap could use.
 */
static void myheap_freelist_empty_lists(struct seq_file *m,
					struct myheap_dev *dev, u32 from,
					u32 to)
{
	u64 span = dev->region_size - mh_first_block(&dev->heap);
	struct mh_list_info li;

	for (; from < to && !mh_list_info(&dev->heap, from, &li); from++) {
		if (!li.show_empty || li.class_min > span)
			break;
		myheap_freelist_name(m, &li, from);
		seq_puts(m, ": empty\n");
	}
}

static void myheap_freelist_list_header(struct seq_file *m,
					struct myheap_dev *dev,
					const struct mh_free_info *f)
{
	struct mh_list_info li = { 0 };

	mh_list_info(&dev->heap, f->list, &li);
	myheap_freelist_name(m, &li, f->list);
	seq_puts(m, ":\n");
}

/*
 * Where the free lists end (before the first run record, or the end
 * record if there is none): the empty lists after the last block shown,
 * and whether a damaged link ended them.
 */
static void myheap_freelist_lists_end(struct seq_file *m,
				      struct myheap_freelist_iter *it)
{
	u32 prev = it->cur_prev_list;

	myheap_freelist_empty_lists(m, it->dev,
				    prev == MYHEAP_NO_LIST ? 0 : prev + 1,
				    U32_MAX);
	if (it->damaged)
		seq_puts(m, "# damaged link: the lists could not be followed past the blocks above\n");
}

/*
 * Pools: a run with a free slot, below its class's header ("slot class 7
 * (128 bytes), 15 slots a run:"): its offset (header), its free slots and
 * the payload offset of the slot its class hands out next.
 */
static void myheap_freelist_show_run(struct seq_file *m,
				     struct myheap_freelist_iter *it)
{
	const struct mh_run_info *r = &it->run;

	if (it->run_prev_cls == MYHEAP_NO_LIST)
		myheap_freelist_lists_end(m, it);
	if (it->run_prev_cls != r->cls)
		seq_printf(m, "slot class %u (%u bytes), %u slots a run:\n",
			   r->cls, r->slot_size, r->slots);
	seq_printf(m, "  run %10u %3u free, next slot %u\n", r->offset,
		   r->free, r->first_free);
}

static int myheap_freelist_show(struct seq_file *m, void *v)
{
	struct myheap_freelist_iter *it = m->private;
	struct myheap_dev *dev = it->dev;
	u32 prev = it->cur_prev_list;
	u32 from = prev == MYHEAP_NO_LIST ? 0 : prev + 1;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "myheap freelist - version: %s\n",
			   MYHEAP_DEBUGFS_VERSION);
		seq_printf(m, "# policy: %s; lists in search order, blocks in list order; offsets of blocks (headers), sizes in bytes\n",
			   mh_policy_name(dev->policy));
		seq_puts(m, "#     offset       size\n");
		return 0;
	}
	if (it->rec == MYHEAP_REC_RUN) {
		myheap_freelist_show_run(m, it);
		return 0;
	}
	if (it->rec == MYHEAP_REC_END) {
		if (!it->runs)
			myheap_freelist_lists_end(m, it);
		if (it->run_damaged)
			seq_puts(m, "# damaged run: the run lists could not be followed past the runs above\n");
		if (it->resyncs)
			seq_printf(m, "# the lists changed while they were read: %llu resyncs\n",
				   it->resyncs);
		seq_printf(m, "# total: %llu free blocks, %llu bytes", it->count,
			   it->bytes);
		if (mh_has_slots(&dev->heap))
			seq_printf(m, "; %llu run%s with a free slot, %llu free slot%s",
				   it->runs, it->runs == 1 ? "" : "s",
				   it->free_slots,
				   it->free_slots == 1 ? "" : "s");
		seq_putc(m, '\n');
		return 0;
	}
	if (prev != it->cur.list) {
		myheap_freelist_empty_lists(m, dev, from, it->cur.list);
		myheap_freelist_list_header(m, dev, &it->cur);
	}
	seq_printf(m, "  %10u %10u%s\n", it->cur.offset, it->cur.size,
		   it->cur.rover ? " <- rover" : "");
	return 0;
}

static const struct seq_operations myheap_freelist_sops = {
	.start = myheap_freelist_start,
	.next = myheap_freelist_next,
	.stop = myheap_freelist_stop,
	.show = myheap_freelist_show,
};

static int myheap_freelist_open(struct inode *inode, struct file *file)
{
	struct myheap_freelist_iter *it;

	it = __seq_open_private(file, &myheap_freelist_sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->dev = inode->i_private;
	it->lk.dev = it->dev;
	it->rec = MYHEAP_REC_PAST;
	return 0;
}

/* /sys/kernel/debug/myheap/freelist */
const struct file_operations myheap_freelist_fops = {
	.owner = THIS_MODULE,
	.open = myheap_freelist_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};
