// SPDX-License-Identifier: GPL-2.0
/*
 * The heap's layout as the CLI names it: a block's name is its payload
 * offset (what alloc returned, what free takes), with the header offset
 * beside it where the layout is the point. The kernel's debugfs files
 * (blocks, freelist) name blocks by their header offset; these views add
 * the payload column and, in a shell, the variable naming each block, and
 * leave every other column as the kernel wrote it.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "views.h"

#define NAME_W 24

/* The next line of @p (NUL-terminated copy in @buf); NULL at the end. */
const char *next_line(const char *p, char *buf, size_t len)
{
	size_t n;

	if (!*p)
		return NULL;
	n = strcspn(p, "\n");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
	return p + n + (p[n] == '\n');
}

int debugfs_minor(const char *text, const char *file)
{
	char want[64];
	int minor, end = 0;

	snprintf(want, sizeof(want), "myheap %s - version: 1.%%d%%n", file);
	if (sscanf(text, want, &minor, &end) != 1 || minor < 0 ||
	    (text[end] && text[end] != '\n'))
		return -1;
	return minor;
}

static uint32_t header_size(struct cli *cli)
{
	struct myheap_info info;
	struct myheap *h = cli_heap(cli);

	return h && !myheap_get_info(h, &info) ? info.header_size : 8;
}

/*
 * Print debugfs @file with a payload column in front of each block line
 * (offset + the hdr column, or + the heap's header size where the file
 * has no such column; a slot's hdr is 0: its offset is its payload) and
 * the variable naming the block after it.
 */
static int view_named(struct cli *cli, const char *file, bool hdr_column,
		      const char *legend)
{
	char *text = cli_debugfs_read(cli, file, NULL);
	uint32_t heap_hdr = header_size(cli);
	const char *p;
	char line[512], label[128];

	if (!text)
		return EXIT_DEVICE;
	for (p = text; (p = next_line(p, line, sizeof(line)));) {
		unsigned long long off, size, next;
		char hdr[8] = "";
		int fields = sscanf(line, " %llu %llu %7s", &off, &size, hdr), rest = 0;
		long hsz = hdr_column ? atol(hdr) : (long)heap_hdr;

		if (!strncmp(line, "#     offset", 12)) {
			printf("#   payload%s name\n", line + 2);
		} else if (sscanf(line, "  run %llu%n %*u free, next slot %llu", &off, &rest,
				  &next) == 2) {
			/*
			 * pools: a run, "run" in the payload column (no payload
			 * of its own), and the name of the slot it hands out next
			 */
			cli_var_label(cli, next, label, sizeof(label));
			printf("%11s  %10llu%s%s%s\n", "run", off, line + rest,
			       *label ? " " : "", label);
		} else if (line[0] == '#' && strstr(line, "policy:")) {
			printf("%s\n# payload: a block's name (the offset alloc returns, free takes)%s;"
			       " name: the shell variable naming it\n", line, legend);
		} else if (line[0] != ' ' || fields < (hdr_column ? 3 : 2)) {
			printf("%s\n", line);
		} else if (hsz < 0 || (hdr_column && !strcmp(hdr, "-"))) {
			/* a damaged record: no header there */
			printf("%11s%s\n", "-", line);
		} else {
			cli_var_label(cli, off + (unsigned long)hsz, label, sizeof(label));
			printf("%11llu%s%s%s\n", off + (unsigned long)hsz, line,
			       *label ? " " : "", label);
		}
	}
	free(text);
	return EXIT_OK;
}

int view_dump(struct cli *cli)
{
	return view_named(cli, "blocks", true, "");
}

void freelist_free(struct freelist *f)
{
	for (size_t i = 0; i < f->nlists; i++)
		free(f->lists[i].blocks);
	free(f->lists);
	for (size_t i = 0; i < f->nclasses; i++)
		free(f->classes[i].runs);
	free(f->classes);
	memset(f, 0, sizeof(*f));
}

/* Pools: a slot class header ("slot class 7 (128 bytes), 15 slots a run:"). */
static int add_class(struct freelist *f, uint32_t cls, uint32_t size, uint32_t slots)
{
	struct fl_class *nc = realloc(f->classes, (f->nclasses + 1) * sizeof(*nc));

	if (!nc)
		return -1;
	f->classes = nc;
	nc[f->nclasses++] = (struct fl_class){ .cls = cls, .slot_size = size,
					       .slots = slots };
	return 0;
}

static int add_run(struct freelist *f, uint64_t off, uint32_t nfree, uint64_t next)
{
	struct fl_class *c = &f->classes[f->nclasses - 1];
	struct fl_run *nr = realloc(c->runs, (c->nruns + 1) * sizeof(*nr));

	if (!nr)
		return -1;
	c->runs = nr;
	nr[c->nruns++] = (struct fl_run){ off, nfree, next };
	f->runs++;
	f->free_slots += nfree;
	return 0;
}

/* One list header ("class 2 (32..47 bytes):", "order 0 (...): empty"). */
static int add_list(struct freelist *f, const char *line)
{
	struct fl_list *l, *nl = realloc(f->lists, (f->nlists + 1) * sizeof(*nl));

	if (!nl)
		return -1;
	f->lists = nl;
	l = &f->lists[f->nlists++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%.*s", (int)strcspn(line, ":"), line);
	return 0;
}

static int add_block(struct freelist *f, uint64_t off, uint64_t size, bool rover)
{
	struct fl_list *l = &f->lists[f->nlists - 1];
	struct fl_block *nb = realloc(l->blocks, (l->nblocks + 1) * sizeof(*nb));

	if (!nb)
		return -1;
	l->blocks = nb;
	nb[l->nblocks++] = (struct fl_block){ off, off + f->header_size, size, rover };
	f->blocks++;
	f->bytes += size;
	return 0;
}

int freelist_parse(const char *text, uint32_t hdr, struct freelist *f)
{
	char line[512];
	const char *p, *pol;

	memset(f, 0, sizeof(*f));
	f->header_size = hdr;
	for (p = text; (p = next_line(p, line, sizeof(line)));) {
		unsigned long long off, size, next;
		unsigned int cls, slot, slots, nfree;

		if (!strncmp(line, "myheap", 6))
			continue;
		if (line[0] == '#') {
			pol = strstr(line, "policy: ");
			if (pol)
				snprintf(f->policy, sizeof(f->policy), "%.*s",
					 (int)strcspn(pol + 8, ";, "), pol + 8);
			/* pools: "# total: ...; N runs with a free slot, ..." */
			if (!strncmp(line, "# total:", 8) && strstr(line, " with a free slot"))
				f->slots = true;
			continue;
		}
		if (sscanf(line, "slot class %u (%u bytes), %u slots a run:", &cls, &slot,
			   &slots) == 3) {
			if (add_class(f, cls, slot, slots))
				goto nomem;
		} else if (sscanf(line, "  run %llu %u free, next slot %llu", &off, &nfree,
				  &next) == 3) {
			if (f->nclasses && add_run(f, off, nfree, next))
				goto nomem;
		} else if (line[0] != ' ' && strchr(line, ':')) {
			if (add_list(f, line))
				goto nomem;
		} else if (sscanf(line, " %llu %llu", &off, &size) == 2 && f->nlists) {
			if (add_block(f, off, size, strstr(line, "rover") != NULL))
				goto nomem;
		}
	}
	return 0;
nomem:
	freelist_free(f);
	return -1;
}

static int read_freelist(struct cli *cli, struct freelist *f)
{
	char *text = cli_debugfs_read(cli, "freelist", NULL);
	int ret;

	if (!text)
		return EXIT_DEVICE;
	ret = freelist_parse(text, header_size(cli), f);
	free(text);
	if (ret) {
		cli_err("freelist: out of memory");
		return EXIT_DEVICE;
	}
	return EXIT_OK;
}

int view_freelist(struct cli *cli)
{
	return view_named(cli, "freelist", false, ", offset + header size");
}

/* "[ 128 (hdr 120) 224 B $b ]" items, as malloc.py prints its free list. */
int view_freelist_compact(struct cli *cli)
{
	struct freelist f;
	char label[128];
	int ret = read_freelist(cli, &f);

	if (ret)
		return ret;
	printf("free list: %zu block%s, %" PRIu64 " bytes", f.blocks,
	       f.blocks == 1 ? "" : "s", f.bytes);
	if (f.slots)
		printf("; %zu run%s with a free slot, %" PRIu64 " free slot%s", f.runs,
		       f.runs == 1 ? "" : "s", f.free_slots, f.free_slots == 1 ? "" : "s");
	printf("\n");
	for (size_t i = 0; i < f.nlists; i++) {
		const struct fl_list *l = &f.lists[i];

		if (!l->nblocks)
			continue;
		printf("  %s:", l->name);
		for (size_t k = 0; k < l->nblocks; k++) {
			const struct fl_block *b = &l->blocks[k];

			cli_var_label(cli, b->payload, label, sizeof(label));
			printf(" [ %" PRIu64 " (hdr %" PRIu64 ") %" PRIu64 " B%s%s%s ]",
			       b->payload, b->offset, b->size, *label ? " " : "", label,
			       b->rover ? " <- rover" : "");
		}
		printf("\n");
	}
	for (size_t i = 0; i < f.nclasses; i++) {
		const struct fl_class *c = &f.classes[i];

		printf("  slot class %" PRIu32 " (%" PRIu32 " bytes, %" PRIu32 " a run):",
		       c->cls, c->slot_size, c->slots);
		for (size_t k = 0; k < c->nruns; k++) {
			const struct fl_run *r = &c->runs[k];

			cli_var_label(cli, r->next_slot, label, sizeof(label));
			printf(" [ run %" PRIu64 ": %" PRIu32 " free, next slot %" PRIu64 "%s%s ]",
			       r->offset, r->free, r->next_slot, *label ? " " : "", label);
		}
		printf("\n");
	}
	freelist_free(&f);
	return EXIT_OK;
}

void freelist_json(struct cli *cli, const struct freelist *f, struct json *j)
{
	char label[128];

	json_str(j, "policy", f->policy);
	json_u64(j, "header_size", f->header_size);
	json_arr(j, "lists");
	for (size_t i = 0; i < f->nlists; i++) {
		const struct fl_list *l = &f->lists[i];

		json_obj(j, NULL);
		json_str(j, "list", l->name);
		json_arr(j, "blocks");
		for (size_t k = 0; k < l->nblocks; k++) {
			const struct fl_block *b = &l->blocks[k];
			const struct cli_var *v = cli_var_at(cli, b->payload, false);

			if (!v)
				v = cli_var_at(cli, b->payload, true);
			json_obj(j, NULL);
			json_u64(j, "payload", b->payload);
			json_u64(j, "offset", b->offset);
			json_u64(j, "size", b->size);
			if (v)
				json_str(j, "name", cli_var_label(cli, b->payload, label,
								 sizeof(label)));
			else
				json_null(j, "name");
			json_bool(j, "rover", b->rover);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_arr(j, "runs");
	for (size_t i = 0; i < f->nclasses; i++) {
		const struct fl_class *c = &f->classes[i];

		json_obj(j, NULL);
		json_u64(j, "class", c->cls);
		json_u64(j, "slot_size", c->slot_size);
		json_u64(j, "slots_per_run", c->slots);
		json_arr(j, "runs");
		for (size_t k = 0; k < c->nruns; k++) {
			const struct fl_run *r = &c->runs[k];

			json_obj(j, NULL);
			json_u64(j, "offset", r->offset);
			json_u64(j, "free", r->free);
			json_u64(j, "next_slot", r->next_slot);
			if (cli_var_at(cli, r->next_slot, false) ||
			    cli_var_at(cli, r->next_slot, true))
				json_str(j, "name", cli_var_label(cli, r->next_slot, label,
								 sizeof(label)));
			else
				json_null(j, "name");
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj(j, "totals");
	json_u64(j, "blocks", f->blocks);
	json_u64(j, "bytes", f->bytes);
	json_u64(j, "runs", f->runs);
	json_u64(j, "free_slots", f->free_slots);
	json_obj_end(j);
}

int view_freelist_json(struct cli *cli)
{
	struct freelist f;
	struct json j;
	int ret = read_freelist(cli, &f);

	if (ret)
		return ret;
	json_begin(&j, stdout);
	json_str(&j, "format", "myheap-freelist");
	json_str(&j, "version", "1.0");
	freelist_json(cli, &f, &j);
	json_end(&j);
	freelist_free(&f);
	return EXIT_OK;
}
