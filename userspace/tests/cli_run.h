/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run the myheap CLI from a test: its exit status, stdout and stderr.
 * The binary is $MYHEAP_CLI, else "myheap" beside the test program (the
 * guest's /myheap/bin holds both).
 */
#ifndef MYHEAP_TEST_CLI_RUN_H
#define MYHEAP_TEST_CLI_RUN_H

#include <stdbool.h>

struct cli_result {
	int status;	/* exit status; 128 + signal if it died */
	char *out;	/* stdout, NUL-terminated */
	char *err;	/* stderr, NUL-terminated */
};

/*
 * Run "myheap" with the words of the formatted command line (split on
 * spaces, no quoting), feeding @input (may be NULL) on stdin. Returns 0,
 * or -1 if the program could not be run at all.
 */
int cli_run(struct cli_result *r, const char *input, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void cli_result_free(struct cli_result *r);
/* The path of the myheap binary cli_run() runs (in @buf, or static). */
const char *cli_binary(char *buf, size_t len);
/* Contents of a whole file, NUL-terminated (free()), NULL on error. */
char *read_file(const char *path, size_t *len);
/* Does @haystack contain @needle? (for ASSERT_TRUE with a clear name) */
bool has(const char *haystack, const char *needle);

#endif /* MYHEAP_TEST_CLI_RUN_H */
