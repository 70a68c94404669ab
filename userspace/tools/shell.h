/* SPDX-License-Identifier: GPL-2.0 */
/*
 * myheap shell's session: step mode (what each heap operation did, and
 * the views asked for after it) and quiz mode (ask first, then show).
 * cmd_shell.c runs the lines; quiz.c asks and scores.
 */
#ifndef MYHEAP_SHELL_H
#define MYHEAP_SHELL_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"

/* What --after-each shows after every alloc, free and realloc. */
enum {
	VIEW_FREELIST = 1 << 0,
	VIEW_DUMP = 1 << 1,
	VIEW_STATS = 1 << 2,
	VIEW_MAP = 1 << 3,
};

/*
 * struct shell - one session.
 * @cli: the CLI state (the open heap, the variables).
 * @trace: -x: print each command before running it.
 * @views: VIEW_* bits; nonzero is step mode.
 * @map_prefix: VIEW_MAP writes @map_prefix NNN .png.
 * @step: heap operations run so far.
 * @header_size: the heap's header bytes (payload = header offset + this).
 * @quiz: ask what each operation returns before showing it.
 * @answers: where the quiz reads answers.
 * @asked, @right: questions asked and answered right.
 * @guess, @guessed: the answer given to the current question.
 * @timeline: --timeline: one row per heap operation, or NULL.
 */
struct shell {
	struct cli *cli;
	bool trace;
	unsigned int views;
	const char *map_prefix;
	unsigned int step;
	unsigned int header_size;
	bool quiz;
	FILE *answers;
	unsigned int asked, right;
	long long guess;
	bool guessed;
	struct timeline *timeline;
};

/* "freelist,dump" -> VIEW_* bits in *@views; 0, or -1 after a usage error. */
int shell_parse_views(const char *list, unsigned int *views);
/* Run one line; its exit code, or -1 for quit. */
int shell_line(struct shell *sh, char *line);
/* The step-mode report after heap operation @op of @line returned @ret. */
void shell_after_op(struct shell *sh, const char *line, const char *op, int ret);
/* Run the session from @in (a terminal gets line editing); the exit status. */
int shell_main(struct cli *cli, struct shell *sh, FILE *in, bool stop);

/* quiz.c */
void quiz_ask(struct shell *sh, const char *line);
void quiz_check(struct shell *sh, const char *op, int ret);
void quiz_score(const struct shell *sh);

#endif /* MYHEAP_SHELL_H */
