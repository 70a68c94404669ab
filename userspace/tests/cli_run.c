// SPDX-License-Identifier: GPL-2.0
/* Run the myheap CLI from a test (see cli_run.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"

#define MAX_ARGS 64

const char *cli_binary(char *buf, size_t len)
{
	const char *env = getenv("MYHEAP_CLI");
	ssize_t n;

	if (env)
		return env;
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0)
		return "myheap";
	buf[n] = '\0';
	strcpy(strrchr(buf, '/') + 1, "myheap");
	return buf;
}

char *read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 4096, n;
	char *buf, *nb;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

/* A temporary file's whole contents, from the start. */
static char *slurp(FILE *f)
{
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap), *nb;

	rewind(f);
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			nb = realloc(buf, cap *= 2);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

int cli_run(struct cli_result *r, const char *input, const char *fmt, ...)
{
	char line[4096], exe[PATH_MAX], *argv[MAX_ARGS + 2], *save;
	FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
	int argc = 0, status;
	va_list ap;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!in || !out || !err)
		return -1;
	argv[argc++] = (char *)cli_binary(exe, sizeof(exe));
	for (char *w = strtok_r(line, " ", &save); w && argc <= MAX_ARGS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	if (input)
		fputs(input, in);
	fflush(in);
	rewind(in);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		dup2(fileno(in), 0);
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r->out = slurp(out);
	r->err = slurp(err);
	fclose(in);
	fclose(out);
	fclose(err);
	return r->out && r->err ? 0 : -1;
}

void cli_result_free(struct cli_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

bool has(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle);
}
