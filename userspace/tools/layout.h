/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The block layout of the heap as debugfs shows it (blocks.json, with the
 * owners' command names from owners): what map and watch draw.
 */
#ifndef MYHEAP_LAYOUT_H
#define MYHEAP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* BLOCK_RUN: a pools run's own metadata (header, run word, links; map). */
enum block_state { BLOCK_USED, BLOCK_FREE, BLOCK_DAMAGED, BLOCK_RUN };

/*
 * struct heap_block - one record of blocks.json, or a piece of a run.
 *
 * A pools run (a record with "slots") becomes its pieces, in address
 * order: its metadata up to slot 0 (BLOCK_RUN), every slot (a used or
 * free block without header), and the slot map after them (BLOCK_RUN),
 * so pictures draw a run as its slots.
 *
 * @offset: region offset of the block (its header; payload at + @header).
 * @size: bytes, header included.
 * @header: bytes of header at @offset: the heap's header size for a
 *	block, 0 for a slot (@offset is its payload), @size for a run's
 *	metadata.
 * @slot: a slot of a run.
 * @requested: payload bytes asked for (used blocks).
 * @state: used, free, or damaged (a header that fails its check: the
 *	record reaches to the next plausible header), or run metadata.
 * @owner: owner id of the open file holding it; 0 for none.
 * @pid: that file's opener.
 * @name: what the block is called where it was allocated (a shell
 *	variable), or "": pictures show it beside the block's own name,
 *	its payload offset. Never filled from debugfs.
 */
struct heap_block {
	uint64_t offset;
	uint64_t size;
	uint64_t header;
	bool slot;
	uint64_t requested;
	enum block_state state;
	uint64_t owner;
	int pid;
	char name[16];
};

/* One open file of the device (debugfs owners). */
struct heap_owner {
	uint64_t id;
	int pid;
	char comm[24];
};

struct heap_layout {
	char policy[16];
	uint64_t region_size;
	uint64_t header_size;
	struct heap_block *blocks;
	size_t nblocks;
	size_t cap;
	struct heap_owner *owners;
	size_t nowners;
};

/* Parse blocks.json text; 0, or -1 with the reason in @err. */
int layout_parse_blocks(const char *json, struct heap_layout *l, char *err,
			size_t errlen);
/* Parse the owners file text (its comm names); 0 or -1. */
int layout_parse_owners(const char *text, struct heap_layout *l);
/* Read both from debugfs; an exit code (EXIT_OK or EXIT_DEVICE). */
int layout_read(struct cli *cli, struct heap_layout *l);
void layout_free(struct heap_layout *l);
/* The command name of owner @id, or NULL if unknown. */
const char *layout_comm(const struct heap_layout *l, uint64_t id);

#endif /* MYHEAP_LAYOUT_H */
