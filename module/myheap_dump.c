// SPDX-License-Identifier: GPL-2.0
/*
 * The dumps of /sys/kernel/debug/myheap/ whose length grows with the heap:
 * blocks and blocks.json (every block in address order) and freelist (every
 * free block in search order). All three are seq_files that take
 * &myheap_dev.lock in ->start() and drop it in ->stop(), so the heap is held
 * for one page of output at a time, whatever its size.
 *
 * blocks resumes each page from the offset of the next block, saved at the
 * end of the previous page. If the heap changed in between (the device's
 * change counter moved), that offset may have stopped being a block start:
 * a coalesce can swallow it, leaving a stale header behind that still
 * passes its check. Then the walk starts again from the first block and
 * resumes at the first block starting at or after the saved offset, so
 * offsets only ever grow; the totals line says how often that happened.
 * A damaged header is shown as one "damaged" record reaching to the next
 * header that passes its check (see mh_block_at()).
 *
 * freelist cannot resume a list walk in the middle: it walks the lists
 * again from the start, skipping what it showed already, and buffers the
 * next MYHEAP_FREE_CHUNK blocks, each time its buffer runs out.
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

/* Free blocks buffered per page of the freelist file. */
#define MYHEAP_FREE_CHUNK	128

enum myheap_rec { MYHEAP_REC_ITEM, MYHEAP_REC_END, MYHEAP_REC_PAST };

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
 * @json: blocks.json rather than blocks.
 * @pos: record index of @cur (0 is the header, 1 the first block).
 * @rec: what the record at @pos is (enum myheap_rec).
 * @changes: the device's change counter when @cur was read.
 * @cur: the block at @pos.
 * @tot: the blocks up to and including @cur.
 */
struct myheap_blocks_iter {
	struct myheap_dev *dev;
	bool json;
	loff_t pos;
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

/* Move @it from its block to the next one (or to the end). */
static void *myheap_blocks_step(struct myheap_blocks_iter *it)
{
	const struct mh_heap *h = &it->dev->heap;
	u32 want = it->cur.next, off;
	int ret;

	if (it->changes == myheap_changes(it->dev))
		return myheap_blocks_take(it, mh_block_at(h, want, &it->cur));

	/* The heap changed: find the first block at or after @want again. */
	for (off = mh_first_block(h);; off = it->cur.next) {
		ret = mh_block_at(h, off, &it->cur);
		if (ret || it->cur.offset >= want)
			break;
	}
	if (!ret && it->cur.offset != want)
		it->tot.resyncs++;
	return myheap_blocks_take(it, ret);
}

static void *myheap_blocks_start(struct seq_file *m, loff_t *pos)
{
	struct myheap_blocks_iter *it = m->private;
	loff_t i;

	mutex_lock(&it->dev->lock);
	if (!*pos) {
		it->pos = 0;
		return SEQ_START_TOKEN;
	}
	if (*pos == it->pos)	/* where the last read stopped */
		return it->rec == MYHEAP_REC_PAST ? NULL : it;

	/* Anywhere else (a seek): walk there from the first block. */
	myheap_blocks_first(it);
	for (i = 1; i < *pos && it->rec == MYHEAP_REC_ITEM; i++)
		myheap_blocks_step(it);
	if (i < *pos)
		it->rec = MYHEAP_REC_PAST;
	it->pos = *pos;
	return it->rec == MYHEAP_REC_PAST ? NULL : it;
}

static void *myheap_blocks_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct myheap_blocks_iter *it = m->private;

	it->pos = ++*pos;
	if (v == SEQ_START_TOKEN)
		return myheap_blocks_first(it);
	if (it->rec == MYHEAP_REC_ITEM)
		return myheap_blocks_step(it);
	it->rec = MYHEAP_REC_PAST;
	return NULL;
}

static void myheap_blocks_stop(struct seq_file *m, void *v)
{
	struct myheap_blocks_iter *it = m->private;

	mutex_unlock(&it->dev->lock);
}

/* The file that owns the block at @b, NULL for none. */
static struct myheap_file *myheap_owner_of(struct myheap_dev *dev,
					   const struct mh_block_info *b)
{
	lockdep_assert_held(&dev->lock);
	return myheap_owner_at(dev, b->offset + MH_HDR_SIZE);
}

static const char *myheap_state(const struct mh_block_info *b)
{
	if (b->status != MH_BLOCK_OK)
		return "damaged";
	return b->used ? "used" : "free";
}

static void myheap_put_num(struct seq_file *m, int width, bool valid, u64 v)
{
	if (valid)
		seq_printf(m, " %*llu", width, v);
	else
		seq_printf(m, " %*s", width, "-");
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
}

static void myheap_put_json_num(struct seq_file *m, const char *key,
				bool valid, u64 v)
{
	if (valid)
		seq_printf(m, ", \"%s\": %llu", key, v);
	else
		seq_printf(m, ", \"%s\": null", key);
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
		   it->pos > 1 ? ",\n" : "", b->offset, b->size);
	myheap_put_json_num(m, "header_size", ok, MH_HDR_SIZE);
	myheap_put_json_num(m, "requested", ok && b->used, b->requested);
	myheap_put_json_num(m, "granted", ok && b->used, b->granted);
	seq_printf(m, ", \"state\": \"%s\"", myheap_state(b));
	myheap_put_json_num(m, "pid", mf, mf ? mf->pid : 0);
	myheap_put_json_num(m, "owner", mf, mf ? mf->id : 0);
	seq_printf(m, ", \"header\": \"%s\"}", ok ? "ok" : "bad");
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
 * struct myheap_free_rec - one free block as the freelist file shows it.
 * @f: the block, as mh_walk_free() reported it.
 * @prev_list: list of the block shown before it (MYHEAP_NO_LIST if none).
 */
struct myheap_free_rec {
	struct mh_free_info f;
	u32 prev_list;
};

/**
 * struct myheap_freelist_iter - where a reader of freelist is.
 * @dev: the device.
 * @skip: blocks to pass over before buffering (the walk's argument).
 * @seen: blocks the walk has met so far.
 * @count: free blocks in all lists (valid when @complete).
 * @bytes: their bytes (valid when @complete).
 * @prev_list: list of the last block met.
 * @complete: the walk reached the end of the last list.
 * @damaged: it stopped at a damaged link.
 * @n: blocks in @buf.
 * @idx: the current record: @buf[@idx], or the end record if @idx == @n.
 * @end_list: list of the last block of all (for the end record).
 * @ended: the end record was shown; reads past it see end of file.
 * @buf: the blocks of this page.
 */
struct myheap_freelist_iter {
	struct myheap_dev *dev;
	loff_t skip;
	loff_t seen;
	u64 count;
	u64 bytes;
	u32 prev_list;
	bool complete;
	bool damaged;
	unsigned int n;
	unsigned int idx;
	u32 end_list;
	bool ended;
	struct myheap_free_rec buf[MYHEAP_FREE_CHUNK];
};

static int myheap_freelist_collect_one(void *arg, const struct mh_free_info *f)
{
	struct myheap_freelist_iter *it = arg;
	struct myheap_free_rec *r;

	if (it->seen++ >= it->skip) {
		if (it->n == MYHEAP_FREE_CHUNK)
			return 1;	/* the page is full */
		r = &it->buf[it->n++];
		r->f = *f;
		r->prev_list = it->prev_list;
	}
	it->count++;
	it->bytes += f->size;
	it->prev_list = f->list;
	return 0;
}

/* Buffer the blocks from record index @pos on; the end record if no more. */
static void *myheap_freelist_collect(struct myheap_freelist_iter *it,
				     loff_t pos)
{
	int ret;

	it->skip = pos - 1;
	it->seen = 0;
	it->count = 0;
	it->bytes = 0;
	it->prev_list = MYHEAP_NO_LIST;
	it->n = 0;
	it->idx = 0;
	ret = mh_walk_free(&it->dev->heap, myheap_freelist_collect_one, it);
	it->complete = ret <= 0;
	it->damaged = ret < 0;
	it->end_list = it->prev_list;
	if (it->n)
		return it;
	/*
	 * Nothing buffered: the end record. @pos may lie past the blocks when
	 * lists shrank since the last page; the end record still ends the
	 * dump (@ended keeps reads after it at end of file).
	 */
	return it->complete && it->seen <= it->skip ? it : NULL;
}

static void *myheap_freelist_start(struct seq_file *m, loff_t *pos)
{
	struct myheap_freelist_iter *it = m->private;

	mutex_lock(&it->dev->lock);
	if (!*pos) {
		it->ended = false;
		return SEQ_START_TOKEN;
	}
	if (it->ended)
		return NULL;
	return myheap_freelist_collect(it, *pos);
}

static void *myheap_freelist_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct myheap_freelist_iter *it = m->private;

	++*pos;
	if (v == SEQ_START_TOKEN)
		return myheap_freelist_collect(it, *pos);
	if (it->idx == it->n) {
		it->ended = true;	/* that was the end record */
		return NULL;
	}
	if (++it->idx < it->n || it->complete)
		return it;
	/*
	 * The buffer is used up: walk again for the next blocks. Never stop
	 * the sequence early: seq_file's traverse() (pread, lseek) would
	 * take that for the end of the file.
	 */
	return myheap_freelist_collect(it, *pos);
}

static void myheap_freelist_stop(struct seq_file *m, void *v)
{
	struct myheap_freelist_iter *it = m->private;

	mutex_unlock(&it->dev->lock);
}

/* Headers of the empty buddy orders from @from up to @to (excluded). */
static void myheap_freelist_empty_orders(struct seq_file *m,
					 struct myheap_dev *dev, u32 from,
					 u32 to)
{
	u64 span = dev->region_size - mh_first_block(&dev->heap);

	for (; from < to && from < MH_BUDDY_ORDERS; from++) {
		if ((u64)MH_MIN_BLOCK << from > span)
			break;
		seq_printf(m, "order %u (%u bytes): empty\n", from,
			   MH_MIN_BLOCK << from);
	}
}

static void myheap_freelist_list_header(struct seq_file *m,
					struct myheap_dev *dev,
					const struct mh_free_info *f)
{
	switch (dev->policy) {
	case MH_SEGREGATED:
		seq_printf(m, "class %u (%u..%u bytes):\n", f->list,
			   f->class_min, f->class_max);
		break;
	case MH_BUDDY:
		seq_printf(m, "order %u (%u bytes):\n", f->list, f->class_min);
		break;
	default:
		seq_puts(m, "list (address order):\n");
		break;
	}
}

static int myheap_freelist_show(struct seq_file *m, void *v)
{
	struct myheap_freelist_iter *it = m->private;
	struct myheap_dev *dev = it->dev;
	bool buddy = dev->policy == MH_BUDDY;
	const struct myheap_free_rec *r;
	u32 from;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "myheap freelist - version: %s\n",
			   MYHEAP_DEBUGFS_VERSION);
		seq_printf(m, "# policy: %s; lists in search order, blocks in list order; offsets of blocks (headers), sizes in bytes\n",
			   mh_policy_name(dev->policy));
		seq_puts(m, "#     offset       size\n");
		return 0;
	}
	if (it->idx == it->n) {
		from = it->end_list == MYHEAP_NO_LIST ? 0 : it->end_list + 1;
		if (buddy)
			myheap_freelist_empty_orders(m, dev, from, U32_MAX);
		if (it->damaged)
			seq_puts(m, "# damaged link: the lists could not be followed past the blocks above\n");
		seq_printf(m, "# total: %llu free blocks, %llu bytes\n",
			   it->count, it->bytes);
		return 0;
	}
	r = &it->buf[it->idx];
	if (r->prev_list != r->f.list) {
		from = r->prev_list == MYHEAP_NO_LIST ? 0 : r->prev_list + 1;
		if (buddy)
			myheap_freelist_empty_orders(m, dev, from, r->f.list);
		myheap_freelist_list_header(m, dev, &r->f);
	}
	seq_printf(m, "  %10u %10u%s\n", r->f.offset, r->f.size,
		   r->f.rover ? " <- rover" : "");
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
