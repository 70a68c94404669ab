// SPDX-License-Identifier: GPL-2.0
/*
 * myheap map: the block layout as SVG and PNG files, from debugfs
 * blocks.json now or from a saved copy (--from).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "map.h"

#define MAX_OUTPUTS 8

int map_write(const struct heap_layout *l, const struct map_opts *o,
	      const char *path)
{
	struct scene s;
	int ret;

	if (!scene_path_ok(path))
		return -EINVAL;
	if (map_build(l, o, &s))
		return -ENOMEM;
	ret = scene_write(&s, o->title ? o->title : "myheap map", path);
	scene_free(&s);
	return ret;
}

int map_snapshot(struct cli *cli, const char *path, const struct map_opts *o)
{
	struct heap_layout l;
	int ret = layout_read(cli, &l);

	if (ret != EXIT_OK)
		return ret;
	ret = map_write(&l, o, path);
	layout_free(&l);
	if (ret) {
		cli_err("map: writing %s: %s", path, strerror(-ret));
		return EXIT_DEVICE;
	}
	return EXIT_OK;
}

static const char map_help[] =
	"usage: myheap map [-o FILE]... [--full] [--title TEXT] [--ghost BYTES]\n"
	"                  [--from BLOCKS.json] [--json]\n"
	"\n"
	"Draw the block layout: the region in rows (a row breaks between blocks,\n"
	"at hex and KiB offsets), each block a rectangle coloured by its owner\n"
	"(the open file that allocated it) and named by its payload offset with\n"
	"its requested size, free blocks grey, damaged headers red, headers as\n"
	"dark marks at each block's start, slack (usable bytes past the request)\n"
	"hatched; a legend, and the fragmentation figures as a caption.\n"
	"\n"
	"  -o, --output FILE   write FILE, SVG or PNG by its extension (repeatable;\n"
	"                      default: myheap-map.svg and myheap-map.png)\n"
	"  --full              the whole region; by default the view ends a little\n"
	"                      after the last block in use\n"
	"  --title TEXT        a second title line\n"
	"  --ghost BYTES       draw a request of BYTES that failed (K, M suffixes)\n"
	"                      as a dashed outline beside the largest hole\n"
	"  --from FILE         draw a saved blocks.json (myheap dump --json > FILE)\n"
	"                      instead of the heap now\n";

static int load(struct cli *cli, const char *from, struct heap_layout *l)
{
	char err[200], *text;
	FILE *f;
	long len;
	int ret;

	if (!from)
		return layout_read(cli, l);
	f = fopen(from, "re");
	if (!f) {
		cli_err("map: cannot open %s: %s", from, strerror(errno));
		return EXIT_USAGE;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		cli_err("map: cannot read %s", from);
		free(text);
		fclose(f);
		return EXIT_USAGE;
	}
	fclose(f);
	text[len] = '\0';
	ret = layout_parse_blocks(text, l, err, sizeof(err));
	free(text);
	if (ret) {
		cli_err("map: %s: %s", from, err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_map(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "full", no_argument, NULL, 'f' },
		{ "title", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'F' },
		{ "ghost", required_argument, NULL, 'g' },
		CLI_STD_OPTIONS, { 0 }
	};
	const char *out[MAX_OUTPUTS], *from = NULL;
	struct map_opts mo = { 0 };
	bool json = cli->json;
	struct heap_layout l;
	int c, ret, nout = 0;
	struct json j;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (nout == MAX_OUTPUTS)
				return cli_usage(argv[0], "at most %d outputs", MAX_OUTPUTS);
			if (!scene_path_ok(optarg))
				return cli_usage(argv[0], "'%s': the file name must end in .svg or .png",
						 optarg);
			out[nout++] = optarg;
			break;
		case 'f': mo.full = true; break;
		case 't': mo.title = optarg; break;
		case 'g':
			if (!cli_size(argv[0], "--ghost", optarg, &mo.ghost))
				return EXIT_USAGE;
			break;
		case 'F': from = optarg; break;
		default:
			ret = cli_std_opt(c, argv[0], map_help, &json);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!nout) {
		out[nout++] = "myheap-map.svg";
		out[nout++] = "myheap-map.png";
	}
	ret = load(cli, from, &l);
	if (ret != EXIT_OK)
		return ret;
	for (int i = 0; i < nout; i++) {
		int err = map_write(&l, &mo, out[i]);

		if (err) {
			cli_err("map: writing %s: %s", out[i], strerror(-err));
			layout_free(&l);
			return EXIT_DEVICE;
		}
	}
	if (json) {
		json_begin(&j, stdout);
		json_u64(&j, "blocks", l.nblocks);
		json_arr(&j, "files");
		for (int i = 0; i < nout; i++)
			json_str(&j, NULL, out[i]);
		json_arr_end(&j);
		json_end(&j);
	} else {
		for (int i = 0; i < nout; i++)
			printf("wrote %s (%zu blocks)\n", out[i], l.nblocks);
	}
	layout_free(&l);
	return EXIT_OK;
}
