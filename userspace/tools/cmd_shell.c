// SPDX-License-Identifier: GPL-2.0
/*
 * myheap shell: a session. Blocks belong to the open file, so a heap state
 * can only be built step by step inside one process: this one reads
 * commands line by line (a terminal with line editing and history, stdin
 * or a script) and runs them on one open heap. Step mode shows after each
 * heap operation what it returned, how many free blocks it searched and
 * the views asked for, as OSTEP's malloc.py does; quiz mode asks first.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "map.h"
#include "shell.h"
#include "timeline.h"
#include "views.h"

#define MAX_WORDS 32
#define HISTORY_SIZE 1000

static const char shell_help[] =
	"usage: myheap shell [-e] [-x] [--after-each VIEW[,VIEW...]] [--step]\n"
	"                    [--map-prefix PREFIX] [--timeline FILE] [--quiz] [SCRIPT]\n"
	"\n"
	"Run myheap commands one per line from SCRIPT (or stdin) on one open\n"
	"heap, so blocks stay allocated between commands until the session ends.\n"
	"On a terminal, lines can be edited (arrow keys, Ctrl-A/E, Ctrl-R search)\n"
	"and earlier ones recalled with Up; the history is kept in\n"
	"~/.myheap_history. Every command of myheap works, without the 'myheap';\n"
	"besides:\n"
	"  NAME = alloc SIZE ...   keep the new offset as $NAME (realloc too);\n"
	"                          offsets may then be written $NAME, $NAME+16\n"
	"                          (never below 0: $NAME-N past 0 is refused)\n"
	"  realloc $NAME SIZE      $NAME follows its block if it moves\n"
	"  expect ERRNAME CMD ...  CMD must be refused with ERRNAME (EALREADY,\n"
	"                          EBADMSG, ENOMEM, ...); it is a failure if not\n"
	"  echo TEXT               print TEXT\n"
	"  vars                    list the variables and what their blocks are\n"
	"  ! COMMAND               run a /bin/sh command line\n"
	"  help, quit              # starts a comment\n"
	"A variable whose block was freed is stale and refused (ESTALE, which\n"
	"`expect ESTALE ...` can check), so `free $b` never frees another block\n"
	"that now sits at $b's offset; only `expect EALREADY free $b` may pass a\n"
	"freed (not yet reused) one on, to watch the kernel refuse a double free.\n"
	"\n"
	"-e  stop at the first command that fails\n"
	"-x  print each command before running it (prefixed 'myheap> '; not echo;\n"
	"    not on a terminal, where the typed line is already there)\n"
	"--after-each VIEW[,VIEW]  step mode: after every alloc, free and\n"
	"    realloc print \"returned N (searched K elements)\" (K: the module's\n"
	"    own count) and what the operation did: for an alloc \", split: S B\n"
	"    left free at M\" when it carved its block from a larger one; for a\n"
	"    free \", freed O, coalesced with left L and right R: free block B, S B\"\n"
	"    (or \"neither neighbour\"; under pools the slot and its run); for a\n"
	"    realloc how it resized (\"grew into right R\", \"shrank\", \"moved\",\n"
	"    \"in place\", with what giving back the old block or the tail\n"
	"    coalesced with); then each VIEW: freelist (one line per list),\n"
	"    dump, stats, map (a picture PREFIXNNN.png per step)\n"
	"--step  the same as --after-each freelist\n"
	"--map-prefix PREFIX  where --after-each map writes (default: step-)\n"
	"--timeline FILE  at the end, draw every alloc, free and realloc as one\n"
	"    row of a timeline (villoc-style; FILE.svg or FILE.png)\n"
	"--quiz  before each operation's result, ask what it returns (see\n"
	"    myheap quiz --help; needs SCRIPT: the answers come from stdin)\n"
	"--json  every command's output as JSON; step mode adds one object per\n"
	"    operation: {\"step\", \"command\", \"returned\", \"errno\", \"searched\",\n"
	"    \"splits\", \"split\": {\"offset\", \"size\"}, for a free \"freed\", for a\n"
	"    realloc \"how\", \"left\", \"right\", \"freed\" (as free and realloc --json\n"
	"    print them), \"freelist\", \"stats\"}\n"
	"Exit status: that of the first command that failed, else 0.\n";

/* Split @line in place into words; quotes group, no escapes. */
static int split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line, *out;

	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -1;
		words[n++] = out = p;
		while (*p && !isspace((unsigned char)*p)) {
			if (*p == '"' || *p == '\'') {
				char q = *p++;

				while (*p && *p != q)
					*out++ = *p++;
				if (*p)
					p++;
			} else {
				*out++ = *p++;
			}
		}
		if (*p)
			p++;
		*out = '\0';
	}
	return n;
}

static int errno_by_name(const char *name)
{
	for (int e = 1; e < 256; e++) {
		const char *s = strerrorname_np(e);

		if (s && !strcmp(s, name))
			return e;
	}
	return 0;
}

static int run_words(struct cli *cli, int argc, char **argv);

/* What the command inside the last `expect` returned (for step mode). */
static int expected_ret;

/* expect ERRNAME CMD...: passes only if CMD fails with exactly ERRNAME. */
static int run_expect(struct cli *cli, int argc, char **argv)
{
	int want, ret;

	if (argc < 3)
		return cli_usage("shell", "expect needs ERRNAME and a command");
	want = errno_by_name(argv[1]);
	if (!want)
		return cli_usage("shell", "expect: '%s' is not an errno name (like EALREADY)",
				 argv[1]);
	cli->last_errno = 0;
	cli->in_expect = true;
	ret = run_words(cli, argc - 2, argv + 2);
	cli->in_expect = false;
	expected_ret = ret;
	if (ret == EXIT_OK) {
		cli_err("expected %s, but '%s' succeeded", argv[1], argv[2]);
		return EXIT_FAILED;
	}
	if (cli->last_errno != want) {
		cli_err("expected %s, but '%s' failed with %s", argv[1], argv[2],
			cli->last_errno ? strerrorname_np(cli->last_errno) : "no errno");
		return ret;
	}
	if (cli->json) {
		struct json j;

		json_begin(&j, stdout);
		json_str(&j, "expect", argv[1]);
		json_bool(&j, "refused", true);
		json_end(&j);
	} else if (want == ESTALE) {
		printf("refused as expected: ESTALE (the variable is stale)\n");
	} else {
		printf("refused as expected: %s (%s)\n", argv[1], myheap_strerror(want));
	}
	return EXIT_OK;
}

static const char *const state_names[] = {
	[VAR_LIVE] = "live", [VAR_FREED] = "stale: freed", [VAR_REUSED] = "stale: reused",
};

static void list_vars(const struct cli *cli)
{
	for (int i = 0; i < cli->nvars; i++) {
		const struct cli_var *v = &cli->vars[i];

		printf("$%s = %" PRIu64, v->name, v->value);
		if (v->state == VAR_FREED)
			printf("   (%s at line %u)", state_names[v->state], v->line);
		else if (v->state == VAR_REUSED)
			printf("   (%s: freed at line %u, allocated again at line %u%s%s)",
			       state_names[v->state], v->line, v->by_line,
			       v->by[0] ? " as $" : "", v->by);
		printf("\n");
	}
}

/* Commands that give an offset to assign: `NAME = CMD ...`. */
static bool gives_offset(const char *cmd)
{
	return !strcmp(cmd, "alloc") || !strcmp(cmd, "realloc");
}

static int run_words(struct cli *cli, int argc, char **argv)
{
	int ret;

	if (!strcmp(argv[0], "expect"))
		return run_expect(cli, argc, argv);
	if (!strcmp(argv[0], "vars")) {
		list_vars(cli);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "help")) {
		fputs(shell_help, stdout);
		return EXIT_OK;
	}
	if (argc >= 2 && !strcmp(argv[1], "=")) {
		/* Everything that can go wrong with the assignment, before CMD runs. */
		if (argc == 2)
			return cli_usage("shell", "'%s =' needs a command (NAME = alloc SIZE)",
					 argv[0]);
		if (!gives_offset(argv[2]))
			return cli_usage("shell", "'%s' gives no offset to assign to %s"
					 " (only alloc and realloc do); nothing was run",
					 argv[2], argv[0]);
		if (!cli_var_settable(cli, argv[0]))
			return EXIT_USAGE;
		cli->has_result = false;
		cli->assign = argv[0];
		ret = cli_dispatch(cli, argc - 2, argv + 2);
		cli->assign = NULL;
		if (ret != EXIT_OK)
			return ret;
		return cli_set_var(cli, argv[0], cli->result) ? EXIT_OK : EXIT_USAGE;
	}
	return cli_dispatch(cli, argc, argv);
}

/* The heap operation a line runs (alloc, free, realloc), or NULL. */
static const char *heap_op(int n, char **w)
{
	int i = 0;

	if (n >= 3 && !strcmp(w[0], "expect"))
		i = 2;
	if (n - i >= 3 && !strcmp(w[i + 1], "="))
		i += 2;
	if (i < n && (!strcmp(w[i], "alloc") || !strcmp(w[i], "free") ||
		      !strcmp(w[i], "realloc")))
		return w[i];
	return NULL;
}

int shell_parse_views(const char *list, unsigned int *views)
{
	static const struct { const char *name; unsigned int bit; } names[] = {
		{ "freelist", VIEW_FREELIST }, { "dump", VIEW_DUMP },
		{ "stats", VIEW_STATS }, { "map", VIEW_MAP },
	};
	char *copy = strdup(list), *tok, *save = NULL;
	int ret = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			cli_usage("shell", "--after-each: '%s' is not a view (freelist, dump, stats, map)",
				  tok);
			ret = -1;
			break;
		}
		*views |= names[i].bit;
	}
	free(copy);
	return ret;
}

static void stats_line(struct cli *cli, struct json *j)
{
	struct myheap_stats s;

	if (!cli->heap || myheap_stats(cli->heap, &s))
		return;
	if (j) {
		json_obj(j, "stats");
		json_u64(j, "used_blocks", s.used_blocks);
		json_u64(j, "used_bytes", s.used_bytes);
		json_u64(j, "free_blocks", s.free_blocks);
		json_u64(j, "free_bytes", s.free_bytes);
		json_u64(j, "largest_free", s.largest_free);
		json_dbl(j, "external_frag", s.external_frag_ppm / 1e6);
		json_u64(j, "internal_frag", s.internal_frag);
		json_u64(j, "splits", s.splits);
		json_u64(j, "coalesces", s.coalesces);
		json_obj_end(j);
		return;
	}
	printf("stats: %" PRIu64 " used blocks (%" PRIu64 " B), %" PRIu64 " free (%" PRIu64
	       " B, largest %" PRIu64 "), external frag %.2f%%, internal %" PRIu64
	       " B, %" PRIu64 " splits, %" PRIu64 " coalesces\n",
	       (uint64_t)s.used_blocks, (uint64_t)s.used_bytes, (uint64_t)s.free_blocks,
	       (uint64_t)s.free_bytes, (uint64_t)s.largest_free, s.external_frag_ppm / 1e4,
	       (uint64_t)s.internal_frag, (uint64_t)s.splits, (uint64_t)s.coalesces);
}

/* What an operation returned, malloc.py's way: offset, 0 for free, -1. */
static void returned_text(const struct cli *cli, const char *op, int ret)
{
	const char *ename = cli->last_errno ? strerrorname_np(cli->last_errno) : NULL;
	char rep[512], fr[256];

	if (ret == EXIT_OK && strcmp(op, "free"))
		printf("returned %" PRIu64, cli->result);
	else if (ret == EXIT_OK)
		printf("returned 0");
	else
		printf("returned -1 (%s)", ename ? ename : "refused");
	if (strcmp(op, "free") && cli->searched >= 0)
		printf(" (searched %" PRId64 " element%s)", cli->searched,
		       cli->searched == 1 ? "" : "s");
	rep[0] = '\0';
	if (ret == EXIT_OK && !strcmp(op, "alloc"))
		cli_split_text(cli, rep, sizeof(rep));
	else if (ret == EXIT_OK && !strcmp(op, "realloc"))
		cli_realloc_text(cli, rep, sizeof(rep));
	else if (ret == EXIT_OK && cli->freed_known)
		snprintf(rep, sizeof(rep), ", freed %" PRIu64 ", %s", cli->op_off,
			 cli_freed_text(&cli->freed, fr, sizeof(fr)));
	printf("%s\n", rep);
}

void shell_after_op(struct shell *sh, const char *line, const char *op, int ret)
{
	struct cli *cli = sh->cli;
	struct freelist f;
	struct json j;
	char path[512], *text;

	sh->step++;
	if (cli->json) {
		json_begin(&j, stdout);
		json_u64(&j, "step", sh->step);
		json_str(&j, "command", line);
		if (ret == EXIT_OK && strcmp(op, "free"))
			json_u64(&j, "returned", cli->result);
		else
			json_i64(&j, "returned", ret == EXIT_OK ? 0 : -1);
		if (ret != EXIT_OK && cli->last_errno && strerrorname_np(cli->last_errno))
			json_str(&j, "errno", strerrorname_np(cli->last_errno));
		else
			json_null(&j, "errno");
		if (strcmp(op, "free") && cli->searched >= 0)
			json_i64(&j, "searched", cli->searched);
		else
			json_null(&j, "searched");
		cli_split_json(cli, &j);
		if (!strcmp(op, "realloc"))
			cli_realloc_json(cli, &j);
		if (!strcmp(op, "free") && ret == EXIT_OK && cli->freed_known)
			cli_freed_json(&cli->freed, &j, "freed");
		else if (!strcmp(op, "free"))
			json_null(&j, "freed");
		if (sh->views & (VIEW_FREELIST | VIEW_DUMP)) {
			text = cli_debugfs_read(cli, "freelist", NULL);
			if (text && !freelist_parse(text, sh->header_size, &f)) {
				json_obj(&j, "freelist");
				freelist_json(cli, &f, &j);
				json_obj_end(&j);
				freelist_free(&f);
			}
			free(text);
		}
		if (sh->views & VIEW_STATS)
			stats_line(cli, &j);
		json_end(&j);
	} else {
		returned_text(cli, op, ret);
		if (sh->views & VIEW_FREELIST)
			view_freelist_compact(cli);
		if (sh->views & VIEW_DUMP)
			view_dump(cli);
		if (sh->views & VIEW_STATS)
			stats_line(cli, NULL);
	}
	if (sh->views & VIEW_MAP) {
		snprintf(path, sizeof(path), "%s%03u.png", sh->map_prefix, sh->step);
		struct map_opts mo = { .title = line };

		if (map_snapshot(cli, path, &mo) == EXIT_OK && !cli->json)
			printf("map: %s\n", path);
	}
}

/* The operation as one row of --timeline. */
static void timeline_row(struct shell *sh, const char *line, const char *op, int ret)
{
	struct cli *cli = sh->cli;
	bool ok = ret == EXIT_OK;

	if (!strcmp(op, "alloc") && ok)
		timeline_alloc(sh->timeline, line, cli->result, cli->usable, cli->requested);
	else if (!strcmp(op, "realloc") && ok)
		timeline_realloc(sh->timeline, line, cli->op_off, cli->result, cli->usable,
				 cli->requested);
	else if (!strcmp(op, "free") && ok)
		timeline_free(sh->timeline, line, cli->op_off);
	else if (strcmp(op, "free") && cli->last_errno)
		timeline_fail(sh->timeline, line, cli->requested, cli->last_errno);
	else
		timeline_note(sh->timeline, line);
}

/* One line; returns its exit code, or -1 for quit. */
int shell_line(struct shell *sh, char *line)
{
	struct cli *cli = sh->cli;
	char *words[MAX_WORDS], *p = line, copy[512];
	const char *op;
	int n, ret, op_ret;

	line[strcspn(line, "\r\n")] = '\0';
	cli->line++;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return EXIT_OK;
	if (!strncmp(p, "echo", 4) && (!p[4] || isspace((unsigned char)p[4]))) {
		printf("%s\n", p[4] ? p + 5 : "");	/* narration: not traced */
		return EXIT_OK;
	}
	if (sh->trace) {
		printf("myheap> %s\n", p);
		fflush(stdout);
	}
	if (*p == '!') {
		fflush(stdout);
		n = system(p + 1);
		return n == 0 ? EXIT_OK : EXIT_FAILED;
	}
	snprintf(copy, sizeof(copy), "%s", p);
	n = split(p, words, MAX_WORDS);
	if (n < 0)
		return cli_usage("shell", "more than %d words on a line", MAX_WORDS);
	if (!strcmp(words[0], "quit") || !strcmp(words[0], "exit"))
		return -1;
	op = heap_op(n, words);
	if (op && sh->quiz)
		quiz_ask(sh, copy);
	cli->searched = -1;
	cli->splits = -1;
	cli->freed_known = false;
	cli->realloc_known = false;
	cli->last_errno = 0;
	expected_ret = -1;
	ret = run_words(cli, n, words);
	fflush(stdout);
	/* Under expect, what the operation itself returned. */
	op_ret = expected_ret >= 0 ? expected_ret : ret;
	if (op && sh->quiz)
		quiz_check(sh, op, op_ret);
	if (op && (sh->views || sh->quiz))
		shell_after_op(sh, copy, op, op_ret);
	if (op && sh->timeline)
		timeline_row(sh, copy, op, op_ret);
	return ret;
}

/* --- the terminal: libedit ------------------------------------------------ */

static const char *el_prompt(EditLine *el)
{
	(void)el;
	return "myheap> ";
}

struct editor {
	EditLine *el;
	History *hist;
	char path[512];
};

static void editor_open(struct editor *ed)
{
	const char *home = getenv("HOME");
	HistEvent ev;

	ed->hist = history_init();
	ed->el = el_init("myheap", stdin, stdout, stderr);
	if (!ed->hist || !ed->el)
		return;
	history(ed->hist, &ev, H_SETSIZE, HISTORY_SIZE);
	history(ed->hist, &ev, H_SETUNIQUE, 1);
	el_set(ed->el, EL_EDITOR, "emacs");
	el_set(ed->el, EL_SIGNAL, 1);
	el_set(ed->el, EL_PROMPT, el_prompt);
	el_set(ed->el, EL_HIST, history, ed->hist);
	el_set(ed->el, EL_BIND, "^R", "em-inc-search-prev", NULL);
	el_source(ed->el, NULL);	/* ~/.editrc, if any */
	ed->path[0] = '\0';
	if (home && *home) {
		snprintf(ed->path, sizeof(ed->path), "%s/.myheap_history", home);
		history(ed->hist, &ev, H_LOAD, ed->path);
	}
}

static void editor_close(struct editor *ed)
{
	HistEvent ev;

	if (ed->hist && ed->path[0])
		history(ed->hist, &ev, H_SAVE, ed->path);
	if (ed->el)
		el_end(ed->el);
	if (ed->hist)
		history_end(ed->hist);
}

/* The next line typed, in @buf; false at end of input (Ctrl-D). */
static bool editor_line(struct editor *ed, char *buf, size_t len)
{
	HistEvent ev;
	const char *s;
	int count;

	s = el_gets(ed->el, &count);
	if (!s || count <= 0)
		return false;
	snprintf(buf, len, "%s", s);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[strspn(buf, " \t")])
		history(ed->hist, &ev, H_ENTER, buf);
	return true;
}

static int shell_run(struct shell *sh, FILE *in, bool stop)
{
	struct editor ed = { 0 };
	bool tty = in == stdin && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	int ret, status = EXIT_OK;
	char *line = NULL, buf[4096];
	size_t cap = 0;

	if (tty) {
		editor_open(&ed);
		tty = ed.el && ed.hist;
		sh->trace = false;	/* the typed line is on the screen already */
	}
	for (;;) {
		if (tty) {
			if (!editor_line(&ed, buf, sizeof(buf)))
				break;
			ret = shell_line(sh, buf);
		} else {
			if (getline(&line, &cap, in) < 0)
				break;
			ret = shell_line(sh, line);
		}
		fflush(stdout);
		if (ret < 0)
			break;
		if (ret != EXIT_OK && status == EXIT_OK)
			status = ret;
		if (ret != EXIT_OK && stop)
			break;
	}
	if (tty) {
		printf("\n");
		editor_close(&ed);
	}
	free(line);
	return status;
}

int shell_main(struct cli *cli, struct shell *sh, FILE *in, bool stop)
{
	struct myheap_info info;
	int status;

	cli->session = true;
	sh->cli = cli;
	sh->header_size = 8;
	if ((sh->views || sh->quiz) && cli_heap(cli) &&
	    !myheap_get_info(cli->heap, &info))
		sh->header_size = info.header_size;
	status = shell_run(sh, in, stop);
	if (sh->quiz)
		quiz_score(sh);
	return status;
}

int cmd_shell(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "after-each", required_argument, NULL, 'A' },
		{ "step", no_argument, NULL, 'S' },
		{ "map-prefix", required_argument, NULL, 'M' },
		{ "quiz", no_argument, NULL, 'Q' },
		{ "timeline", required_argument, NULL, 'T' },
		CLI_STD_OPTIONS, { 0 }
	};
	struct shell sh = { .map_prefix = "step-" };
	const char *timeline = NULL;
	bool stop = false, json = cli->json;
	FILE *in = stdin;
	int c, ret;

	while ((c = getopt_long(argc, argv, "ex", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			stop = true;
			break;
		case 'x':
			sh.trace = true;
			break;
		case 'A':
			if (shell_parse_views(optarg, &sh.views))
				return EXIT_USAGE;
			break;
		case 'S':
			sh.views |= VIEW_FREELIST;
			break;
		case 'M':
			sh.map_prefix = optarg;
			break;
		case 'Q':
			sh.quiz = true;
			break;
		case 'T':
			timeline = optarg;
			break;
		default:
			ret = cli_std_opt(c, argv[0], shell_help, &json);
			if (ret >= 0)
				return ret;
		}
	}
	if (argc - optind > 1)
		return cli_usage(argv[0], "at most one SCRIPT");
	if (sh.quiz && (optind == argc || !strcmp(argv[optind], "-")))
		return cli_usage(argv[0], "--quiz needs a SCRIPT file (the answers come from stdin;"
				 " or: myheap quiz --seed N)");
	cli->json = json;
	if (sh.quiz && !sh.views)
		sh.views = VIEW_FREELIST;
	sh.answers = stdin;
	if (optind < argc && strcmp(argv[optind], "-")) {
		in = fopen(argv[optind], "re");
		if (!in) {
			cli_err("cannot open script %s: %s", argv[optind], strerror(errno));
			return EXIT_USAGE;
		}
	}
	if (timeline) {
		struct myheap_info info = { .header_size = 8 };
		size_t n = strlen(timeline);

		/* Refused before the session runs, not after. */
		if (n < 4 || (strcasecmp(timeline + n - 4, ".svg") &&
			      strcasecmp(timeline + n - 4, ".png"))) {
			if (in != stdin)
				fclose(in);
			return cli_usage(argv[0], "--timeline %s: the name must end in .svg or .png",
					 timeline);
		}
		if (cli_heap(cli))
			myheap_get_info(cli->heap, &info);
		sh.timeline = timeline_new(info.header_size, "myheap shell");
		if (!sh.timeline) {
			if (in != stdin)
				fclose(in);
			return cli_fail(cli, -ENOMEM, "shell --timeline");
		}
	}
	ret = shell_main(cli, &sh, in, stop);
	if (in != stdin)
		fclose(in);
	if (sh.timeline) {
		c = timeline_write(sh.timeline, timeline);
		if (c) {
			cli_err("shell: writing %s: %s", timeline,
				c == -EINVAL ? "not a .svg or .png name" : strerror(-c));
			if (ret == EXIT_OK)
				ret = EXIT_DEVICE;
		} else if (!cli->json) {
			printf("timeline: %s (%u rows)\n", timeline, timeline_rows(sh.timeline));
		}
		timeline_destroy(sh.timeline);
	}
	return ret;
}
