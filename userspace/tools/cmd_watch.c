// SPDX-License-Identifier: GPL-2.0
/*
 * myheap watch: a live view of the heap in the terminal. Each frame reads
 * debugfs (blocks.json, owners, freelist) and the STATS ioctl, draws the
 * region as a bar of cells coloured by owner, with the statistics and the
 * free lists beside it (below it on a narrow terminal), and repeats.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "layout.h"
#include "watch_bar.h"

#define BAR_COLS	64
#define LABEL_W		11
#define LEFT_W		(LABEL_W + 2 + BAR_COLS)
#define MAX_LINES	64
#define LINE_LEN	2048
#define MAX_LISTS	10

struct column {
	char line[MAX_LINES][LINE_LEN];
	int n;
};

static void add_line(struct column *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_line(struct column *c, const char *fmt, ...)
{
	va_list ap;

	if (c->n == MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(c->line[c->n++], LINE_LEN, fmt, ap);
	va_end(ap);
}

/* Printed width of @s: ANSI colour sequences take no room. */
static int visible_len(const char *s)
{
	int n = 0;

	while (*s) {
		if (*s == '\033') {
			s += strcspn(s, "m");
			s += *s == 'm';
			continue;
		}
		n++;
		s++;
	}
	return n;
}

static void bar_lines(const struct bar *b, bool color, struct column *c)
{
	char cell_size[32];

	add_line(c, "%*s  1 cell = %s", LABEL_W, "offset", cli_bytes(b->cell_bytes, cell_size,
								   sizeof(cell_size)));
	for (int r = 0; r < b->rows; r++) {
		char *p = c->line[c->n], *end = p + LINE_LEN;

		if (c->n == MAX_LINES)
			return;
		p += snprintf(p, (size_t)(end - p), "%*" PRIu64 "  ", LABEL_W,
			      (uint64_t)r * b->cols * b->cell_bytes);
		for (int k = 0, shown_bg = -1; k < b->cols && end - p > 32; k++) {
			const struct bar_cell *cell = &b->cells[r * b->cols + k];
			char ch;
			int bg;

			if (cell->empty) {
				*p++ = ' ';
				continue;
			}
			if (cell->state == BLOCK_FREE) {
				ch = cell->header ? ':' : '.';
				bg = 252;
			} else if (cell->state == BLOCK_DAMAGED) {
				ch = '!';
				bg = 160;
			} else {
				ch = bar_letter(cell->owner_index);
				ch = cell->header ? ch : (char)(ch - 'A' + 'a');
				if (cell->owner_index < 0 || cell->owner_index >= BAR_MAX_OWNERS)
					ch = cell->header ? '#' : '=';
				bg = bar_color(cell->owner_index);
			}
			if (!color) {
				*p++ = ch;
				continue;
			}
			/* Only colour changes cost an escape sequence. */
			if (bg != shown_bg)
				p += snprintf(p, (size_t)(end - p), "\033[97;48;5;%dm", bg);
			shown_bg = bg;
			*p++ = cell->header ? '|' : ' ';
		}
		if (color)
			p += snprintf(p, (size_t)(end - p), "\033[0m");
		*p = '\0';
		c->n++;
	}
}

static void legend_lines(const struct heap_layout *l, const struct bar *b,
			 bool color, struct column *c)
{
	char line[LINE_LEN];
	size_t used = 0;

	for (int i = 0; i < b->nowners; i++) {
		const char *comm = layout_comm(l, b->owners[i]);
		int pid = 0;

		for (size_t k = 0; k < l->nblocks && !pid; k++)
			if (l->blocks[k].owner == b->owners[i])
				pid = l->blocks[k].pid;
		if (color)
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 "\033[48;5;%dm  \033[0m", bar_color(i));
		else
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%c",
						 bar_letter(i));
		used += (size_t)snprintf(line + used, sizeof(line) - used,
					 " owner %" PRIu64 " (pid %d %s)   ", b->owners[i], pid,
					 comm ? comm : "?");
		if (used > 200) {
			add_line(c, "%s", line);
			used = 0;
		}
	}
	if (used)
		add_line(c, "%s", line);
	if (color)
		add_line(c, "\033[48;5;252m  \033[0m free   \033[48;5;160m  \033[0m damaged   | a block (its header) starts in the cell");
	else
		add_line(c, ". free   ! damaged   letter: owner; uppercase (':' when free): a block starts in the cell");
}

/*
 * In a shell, the variables naming blocks: "$a 16 (112 B)", with the block
 * the layout has at that payload offset, and stale names marked.
 */
static void name_lines(const struct cli *cli, const struct heap_layout *l,
		       struct column *c)
{
	char line[LINE_LEN];
	size_t used = 0;

	if (!cli->nvars)
		return;
	used = (size_t)snprintf(line, sizeof(line), "names:");
	for (int i = 0; i < cli->nvars; i++) {
		const struct cli_var *v = &cli->vars[i];
		uint64_t size = 0;

		for (size_t k = 0; k < l->nblocks && !size; k++)
			if (l->blocks[k].offset + l->blocks[k].header == v->value &&
			    l->blocks[k].state == BLOCK_USED)
				size = l->blocks[k].size;
		if (v->state != VAR_LIVE)
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 "  $%s %" PRIu64 " (stale)", v->name, v->value);
		else
			used += (size_t)snprintf(line + used, sizeof(line) - used,
						 "  $%s %" PRIu64 " (%" PRIu64 " B)", v->name,
						 v->value, size);
		if (used > 100 || i + 1 == cli->nvars) {
			add_line(c, "%s", line);
			used = (size_t)snprintf(line, sizeof(line), "      ");
		}
	}
}

static void stats_lines(const struct myheap_stats *s, struct column *c)
{
	char a[32], b[32];

	add_line(c, "in use   %" PRIu64 " blocks, %s (%" PRIu64 " B requested)",
		 (uint64_t)s->used_blocks, cli_bytes(s->used_bytes, a, sizeof(a)),
		 (uint64_t)s->requested_bytes);
	add_line(c, "free     %" PRIu64 " blocks, %s; largest %s",
		 (uint64_t)s->free_blocks, cli_bytes(s->free_bytes, a, sizeof(a)),
		 cli_bytes(s->largest_free, b, sizeof(b)));
	add_line(c, "frag     external %.2f%%, internal %" PRIu64 " B",
		 s->external_frag_ppm / 1e4, (uint64_t)s->internal_frag);
	add_line(c, "peak     %s requested; high water %s",
		 cli_bytes(s->peak_requested, a, sizeof(a)),
		 cli_bytes(s->high_water, b, sizeof(b)));
	add_line(c, "ops      %" PRIu64 " allocs, %" PRIu64 " frees, %" PRIu64 " reallocs, %"
		 PRIu64 " failed", (uint64_t)s->allocs, (uint64_t)s->frees,
		 (uint64_t)s->reallocs,
		 (uint64_t)(s->failed_allocs + s->failed_frees + s->failed_reallocs));
	add_line(c, "shape    %" PRIu64 " splits, %" PRIu64 " coalesces, %" PRIu64 " damage events",
		 (uint64_t)s->splits, (uint64_t)s->coalesces, (uint64_t)s->damage_events);
}

/* debugfs freelist: one line per list with its block count and bytes. */
static void freelist_lines(const char *text, struct column *c)
{
	char name[80] = "", size[32];
	uint64_t blocks = 0, bytes = 0, lists = 0;
	const char *line = text;

	add_line(c, "free lists (search order):");
	for (;; line += strcspn(line, "\n"), line += *line == '\n') {
		unsigned long long off, sz;
		bool header = *line && *line != ' ' && *line != '#' &&
			      strchr(line, ':') && strncmp(line, "myheap", 6);

		if ((header || !*line) && name[0] && blocks) {
			if (lists++ < MAX_LISTS)
				add_line(c, "  %-36s %6" PRIu64 " blocks %10s", name, blocks,
					 cli_bytes(bytes, size, sizeof(size)));
		}
		if (!*line)
			break;
		if (header) {
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(line, ":\n"), line);
			blocks = bytes = 0;
		} else if (sscanf(line, " %llu %llu", &off, &sz) == 2) {
			blocks++;
			bytes += sz;
		}
	}
	if (lists > MAX_LISTS)
		add_line(c, "  ... %" PRIu64 " more lists", lists - MAX_LISTS);
	if (!lists)
		add_line(c, "  (all empty)");
}

static int term_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	return env ? atoi(env) : 80;
}

struct watch_opts {
	double interval;
	long iterations;	/* 0: until interrupted */
	int rows;
	bool full;
	bool color;
	bool tty;
};

static int frame(struct cli *cli, const struct watch_opts *o)
{
	struct column left = { 0 }, right = { 0 };
	struct myheap_stats s;
	struct heap_layout l;
	struct bar b;
	char *freelist, stamp[32], region[32];
	time_t now = time(NULL);
	int ret, width = o->tty ? term_width() : 80;

	ret = layout_read(cli, &l);
	if (ret != EXIT_OK)
		return ret;
	ret = myheap_stats(cli->heap, &s);
	freelist = cli_debugfs_read(cli, "freelist", NULL);
	if (ret || !freelist || bar_build(&l, BAR_COLS, o->rows, o->full, &b)) {
		layout_free(&l);
		free(freelist);
		return ret ? cli_fail(cli, ret, "watch") : EXIT_DEVICE;
	}
	bar_lines(&b, o->color, &left);
	stats_lines(&s, &right);
	add_line(&right, "%s", "");
	freelist_lines(freelist, &right);

	strftime(stamp, sizeof(stamp), "%H:%M:%S", localtime(&now));
	if (o->tty && o->iterations != 1)	/* live: redraw in place */
		fputs("\033[H\033[2J", stdout);
	printf("myheap watch: policy %s, region %s, %" PRIu64 " open files   %s\n\n",
	       myheap_policy_name(s.policy), cli_bytes(s.region_size, region, sizeof(region)),
	       (uint64_t)s.open_files, stamp);
	if (width >= LEFT_W + 3 + 50) {	/* side by side */
		for (int i = 0; i < left.n || i < right.n; i++) {
			const char *a = i < left.n ? left.line[i] : "";

			printf("%s%*s   %s\n", a, LEFT_W - visible_len(a), "",
			       i < right.n ? right.line[i] : "");
		}
	} else {
		for (int i = 0; i < left.n; i++)
			printf("%s\n", left.line[i]);
		printf("\n");
		for (int i = 0; i < right.n; i++)
			printf("%s\n", right.line[i]);
	}
	left.n = 0;
	legend_lines(&l, &b, o->color, &left);
	name_lines(cli, &l, &left);
	printf("\n");
	for (int i = 0; i < left.n; i++)
		printf("%s\n", left.line[i]);
	fflush(stdout);
	bar_free(&b);
	layout_free(&l);
	free(freelist);
	return EXIT_OK;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char watch_help[] =
	"usage: myheap watch [--interval SECONDS] [--once | --iterations N]\n"
	"                    [--rows N] [--full] [--no-color]\n"
	"\n"
	"A live view of the heap: a bar of the region, one cell per equal byte\n"
	"range, coloured by the owner (open file) of the block filling most of\n"
	"it, grey for free, red for damaged headers, '|' where a block starts;\n"
	"beside it the statistics and the free lists. Refreshes every --interval\n"
	"seconds (default 1) until Ctrl-C; --once prints one frame, --iterations N\n"
	"prints N. Without a terminal (or with --no-color) cells are letters:\n"
	"A, B, ... by owner (uppercase where a block starts), '.' free, '!' damaged.\n"
	"--rows N sets the bar's height (default 12); --full shows the whole\n"
	"region instead of stopping a little after the last block in use.\n"
	"In `myheap shell`, the variables follow the legend, each with the payload\n"
	"offset it names and that block's size, or (stale) once it was freed.\n";

int cmd_watch(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "rows", required_argument, NULL, 'r' },
		{ "full", no_argument, NULL, 'f' },
		{ "no-color", no_argument, NULL, 'C' },
		CLI_STD_OPTIONS, { 0 }
	};
	struct watch_opts o = { .interval = 1.0, .rows = 12, .color = cli->color,
				.tty = isatty(STDOUT_FILENO) };
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec pause;
	bool json = false;
	char *end;
	int c, ret = EXIT_OK;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.interval = strtod(optarg, &end);
			if (*end || o.interval < 0.05 || o.interval > 3600)
				return cli_usage(argv[0], "--interval: 0.05 to 3600 seconds");
			break;
		case '1': o.iterations = 1; break;
		case 'n':
			o.iterations = strtol(optarg, &end, 10);
			if (*end || o.iterations < 1)
				return cli_usage(argv[0], "--iterations needs a positive number");
			break;
		case 'r':
			o.rows = (int)strtol(optarg, &end, 10);
			if (*end || o.rows < 1 || o.rows > 48)
				return cli_usage(argv[0], "--rows: 1 to 48");
			break;
		case 'f': o.full = true; break;
		case 'C': o.color = false; break;
		default:
			ret = cli_std_opt(c, argv[0], watch_help, &json);
			if (ret >= 0)
				return ret;
			if (json)
				return cli_usage(argv[0], "has no --json form (use stats --json, dump --json)");
		}
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	if (!cli_heap(cli))
		return EXIT_DEVICE;
	pause.tv_sec = (time_t)o.interval;
	pause.tv_nsec = (long)((o.interval - (double)pause.tv_sec) * 1e9);
	stop = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (long i = 0; !stop && (!o.iterations || i < o.iterations); i++) {
		if (i && !(o.tty && o.iterations != 1))
			printf("\n");
		ret = frame(cli, &o);
		if (ret != EXIT_OK || (o.iterations && i + 1 == o.iterations))
			break;
		nanosleep(&pause, NULL);	/* a signal cuts it short */
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return ret;
}
