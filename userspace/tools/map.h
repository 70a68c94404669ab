/* SPDX-License-Identifier: GPL-2.0 */
/* The heap map: a picture of the block layout (map_scene.c, cmd_map.c). */
#ifndef MYHEAP_MAP_H
#define MYHEAP_MAP_H

#include <stdbool.h>

#include "cli.h"
#include "layout.h"
#include "scene.h"

/*
 * Build the map of @l into @s: the whole region if @full, else up to a
 * little past the last block in use. 0, or -1 when out of memory.
 */
int map_build(const struct heap_layout *l, bool full, const char *title,
	      struct scene *s);

/* Write the map of @l to @path, SVG or PNG by its extension; 0 or -errno. */
int map_write(const struct heap_layout *l, bool full, const char *title,
	      const char *path);

/* Draw the heap as debugfs shows it now into @path; an exit code. */
int map_snapshot(struct cli *cli, const char *path, const char *title);

#endif /* MYHEAP_MAP_H */
