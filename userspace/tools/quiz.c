// SPDX-License-Identifier: GPL-2.0
/*
 * Quiz mode (myheap quiz, myheap shell --quiz): each heap operation is
 * shown, its result asked for, and only then run and its result and free
 * list shown, as OSTEP's malloc.py does without -c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gen.h"
#include "shell.h"

void quiz_ask(struct shell *sh, const char *line)
{
	char *answer = NULL, *end;
	size_t cap = 0;

	sh->asked++;
	sh->guessed = false;
	printf("\nop %u: %s\n", sh->asked, line);
	printf("what does it return (an offset, 0 for a free, -1 if refused)? Enter shows it: ");
	fflush(stdout);
	if (getline(&answer, &cap, sh->answers) < 0) {
		printf("\n");
		free(answer);
		return;
	}
	answer[strcspn(answer, "\r\n")] = '\0';
	if (!isatty(fileno(sh->answers)))
		printf("%s\n", answer);	/* so a transcript shows the answer */
	errno = 0;
	sh->guess = strtoll(answer, &end, 0);
	sh->guessed = *answer && !*end && !errno;
	if (*answer && !sh->guessed)
		printf("('%s' is not a number: just showing the answer)\n", answer);
	free(answer);
}

void quiz_check(struct shell *sh, const char *op, int ret)
{
	long long got;

	if (!sh->guessed)
		return;
	got = ret != EXIT_OK ? -1 : strcmp(op, "free") ? (long long)sh->cli->result : 0;
	if (sh->guess == got) {
		sh->right++;
		printf("right: %lld\n", got);
	} else {
		printf("not quite: you said %lld, it returned %lld\n", sh->guess, got);
	}
}

void quiz_score(const struct shell *sh)
{
	printf("\nquiz: %u of %u right\n", sh->right, sh->asked);
}

static const char quiz_help[] =
	"usage: myheap quiz [SCRIPT] [--seed N] [--ops K] [--sizes SPEC]\n"
	"                   [--free-ratio F] [--balance] [--after-each VIEW,...]\n"
	"\n"
	"OSTEP's malloc.py exercise on the real heap: for each alloc, free and\n"
	"realloc of SCRIPT (a myheap shell script), or of a stream `myheap gen`\n"
	"would make with the same options when there is no SCRIPT, the quiz shows\n"
	"the operation and asks what it returns; type your answer (an offset, 0\n"
	"for a successful free, -1 for a refusal) or just Enter, and it runs the\n"
	"operation and shows what it returned, how many free blocks it searched\n"
	"and the free list after it. It ends with the score. Answers are read\n"
	"from stdin. Other lines of SCRIPT run as in myheap shell.\n"
	"\n"
	GEN_OPTIONS_HELP
	"  --after-each VIEW[,VIEW]  what to show after each answer (default\n"
	"                    freelist; also dump, stats, map; see myheap shell)\n";

int cmd_quiz(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		GEN_OPTIONS,
		{ "after-each", required_argument, NULL, 'A' },
		CLI_STD_OPTIONS, { 0 }
	};
	char *text = NULL;
	size_t len = 0;
	struct gen_opts o;
	const char *views = "freelist";
	struct shell sh = { .map_prefix = "step-", .quiz = true, .views = VIEW_FREELIST };
	bool json = false, generated = false;
	FILE *in, *mem;
	int c, ret = EXIT_OK;

	gen_defaults(&o);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		ret = gen_option(&o, argv[0], c, optarg);
		if (ret < 0)
			return EXIT_USAGE;
		if (ret) {
			generated = true;
			continue;
		}
		if (c == 'A') {
			views = optarg;
			continue;
		}
		ret = cli_std_opt(c, argv[0], quiz_help, &json);
		if (ret >= 0)
			return ret;
		return cli_usage(argv[0], "has no --json form (it asks questions)");
	}
	if (argc - optind > 1)
		return cli_usage(argv[0], "at most one SCRIPT");
	if (optind < argc && generated)
		return cli_usage(argv[0], "a SCRIPT or the generator's options, not both");
	sh.answers = stdin;
	ret = EXIT_OK;
	if (optind < argc) {
		in = fopen(argv[optind], "re");
		if (!in) {
			cli_err("cannot open script %s: %s", argv[optind], strerror(errno));
			return EXIT_USAGE;
		}
	} else {
		mem = open_memstream(&text, &len);
		if (!mem || gen_write(&o, mem) || fclose(mem)) {
			cli_err("quiz: out of memory");
			free(text);
			return EXIT_DEVICE;
		}
		in = fmemopen(text, len, "r");
		if (!in) {
			free(text);
			return cli_fail(cli, -errno, "quiz");
		}
	}
	if (strcmp(views, "freelist")) {
		sh.views = 0;
		if (shell_parse_views(views, &sh.views))
			ret = EXIT_USAGE;
	}
	if (ret == EXIT_OK)
		ret = shell_main(cli, &sh, in, false);
	fclose(in);
	free(text);
	return ret;
}
