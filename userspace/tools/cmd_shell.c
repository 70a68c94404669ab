// SPDX-License-Identifier: GPL-2.0
/*
 * myheap shell: a session. Blocks belong to the open file, so a heap state
 * can only be built step by step inside one process: this one reads
 * commands line by line (stdin or a script) and runs them on one open heap.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_WORDS 32

static const char shell_help[] =
	"usage: myheap shell [-e] [-x] [SCRIPT]\n"
	"\n"
	"Run myheap commands one per line from SCRIPT (or stdin) on one open\n"
	"heap, so blocks stay allocated between commands until the session ends.\n"
	"Every command of myheap works, without the 'myheap'; besides:\n"
	"  NAME = alloc SIZE ...   keep the new offset as $NAME (realloc too);\n"
	"                          offsets may then be written $NAME, $NAME+16\n"
	"  expect ERRNAME CMD ...  CMD must be refused with ERRNAME (EALREADY,\n"
	"                          EBADMSG, ENOMEM, ...); it is a failure if not\n"
	"  echo TEXT               print TEXT\n"
	"  vars                    list the variables\n"
	"  ! COMMAND               run a /bin/sh command line\n"
	"  help, quit              # starts a comment\n"
	"-e  stop at the first command that fails\n"
	"-x  print each command before running it (prefixed 'myheap> '; not echo)\n"
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
	ret = run_words(cli, argc - 2, argv + 2);
	if (ret == EXIT_OK) {
		cli_err("expected %s, but '%s' succeeded", argv[1], argv[2]);
		return EXIT_FAILED;
	}
	if (cli->last_errno != want) {
		cli_err("expected %s, but '%s' failed with %s", argv[1], argv[2],
			cli->last_errno ? strerrorname_np(cli->last_errno) : "no errno");
		return ret;
	}
	printf("refused as expected: %s (%s)\n", argv[1], myheap_strerror(want));
	return EXIT_OK;
}

static int run_words(struct cli *cli, int argc, char **argv)
{
	int ret;

	if (!strcmp(argv[0], "expect"))
		return run_expect(cli, argc, argv);
	if (!strcmp(argv[0], "vars")) {
		for (int i = 0; i < cli->nvars; i++)
			printf("$%s = %" PRIu64 "\n", cli->vars[i].name,
			       cli->vars[i].value);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "help")) {
		fputs(shell_help, stdout);
		return EXIT_OK;
	}
	if (argc >= 3 && !strcmp(argv[1], "=")) {
		cli->has_result = false;
		ret = cli_dispatch(cli, argc - 2, argv + 2);
		if (ret != EXIT_OK)
			return ret;
		if (!cli->has_result) {
			cli_err("'%s' gives no offset to assign to %s", argv[2], argv[0]);
			return EXIT_USAGE;
		}
		return cli_set_var(cli, argv[0], cli->result) ? EXIT_OK : EXIT_USAGE;
	}
	return cli_dispatch(cli, argc, argv);
}

/* One line; returns its exit code, or -1 for quit. */
static int run_line(struct cli *cli, char *line, bool trace)
{
	char *words[MAX_WORDS], *p = line;
	int n;

	line[strcspn(line, "\r\n")] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return EXIT_OK;
	if (!strncmp(p, "echo", 4) && (!p[4] || isspace((unsigned char)p[4]))) {
		printf("%s\n", p[4] ? p + 5 : "");	/* narration: not traced */
		return EXIT_OK;
	}
	if (trace) {
		printf("myheap> %s\n", p);
		fflush(stdout);
	}
	if (*p == '!') {
		fflush(stdout);
		n = system(p + 1);
		return n == 0 ? EXIT_OK : EXIT_FAILED;
	}
	n = split(p, words, MAX_WORDS);
	if (n < 0)
		return cli_usage("shell", "more than %d words on a line", MAX_WORDS);
	if (!strcmp(words[0], "quit") || !strcmp(words[0], "exit"))
		return -1;
	return run_words(cli, n, words);
}

int cmd_shell(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { CLI_STD_OPTIONS, { 0 } };
	bool stop = false, trace = false, json = cli->json, prompt;
	int c, ret, status = EXIT_OK;
	size_t cap = 0;
	char *line = NULL;
	FILE *in = stdin;

	while ((c = getopt_long(argc, argv, "ex", opts, NULL)) != -1) {
		if (c == 'e') {
			stop = true;
		} else if (c == 'x') {
			trace = true;
		} else {
			ret = cli_std_opt(c, argv[0], shell_help, &json);
			if (ret >= 0)
				return ret;
		}
	}
	if (argc - optind > 1)
		return cli_usage(argv[0], "at most one SCRIPT");
	if (optind < argc && strcmp(argv[optind], "-")) {
		in = fopen(argv[optind], "re");
		if (!in) {
			cli_err("cannot open script %s: %s", argv[optind], strerror(errno));
			return EXIT_USAGE;
		}
	}
	prompt = in == stdin && isatty(STDIN_FILENO);
	cli->session = true;
	cli->json = json;
	for (;;) {
		if (prompt) {
			printf("myheap> ");
			fflush(stdout);
		}
		if (getline(&line, &cap, in) < 0)
			break;
		ret = run_line(cli, line, trace);
		fflush(stdout);
		if (ret < 0)
			break;
		if (ret != EXIT_OK && status == EXIT_OK)
			status = ret;
		if (ret != EXIT_OK && stop)
			break;
	}
	if (prompt)
		printf("\n");
	free(line);
	if (in != stdin)
		fclose(in);
	return status;
}
