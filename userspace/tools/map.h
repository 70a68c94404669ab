/* SPDX-License-Identifier: GPL-2.0 */
/* The heap map: a picture of the block layout (map_scene.c, cmd_map.c). */
#ifndef MYHEAP_MAP_H
#define MYHEAP_MAP_H

#include <stdbool.h>

#include "cli.h"
#include "layout.h"
#include "scene.h"

#include <stdint.h>

/*
 * struct map_opts - what a map shows besides the blocks.
 * @full: the whole region; else up to a little past the last block in use.
 * @title: a second title line, or NULL.
 * @ghost: a request (payload bytes) that failed, drawn as a dashed outline
 *	beside the largest hole; 0 for none.
 * @grew: @ghost did not fail but took no hole: it grew the heap.
 */
struct map_opts {
	bool full;
	const char *title;
	uint64_t ghost;
	bool grew;
};

/* Build the map of @l into @s; 0, or -1 when out of memory. */
int map_build(const struct heap_layout *l, const struct map_opts *o,
	      struct scene *s);

/* Write the map of @l to @path, SVG or PNG by its extension; 0 or -errno. */
int map_write(const struct heap_layout *l, const struct map_opts *o,
	      const char *path);

/* Draw the heap as debugfs shows it now into @path; an exit code. */
int map_snapshot(struct cli *cli, const char *path, const struct map_opts *o);

#endif /* MYHEAP_MAP_H */
