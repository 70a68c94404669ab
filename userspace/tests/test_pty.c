// SPDX-License-Identifier: GPL-2.0
/*
 * myheap shell on a terminal, as a student types at it: a pseudo-terminal
 * (forkpty) with TERM=xterm, keys sent as the terminal sends them (arrow
 * keys are escape sequences), the screen read back. Line editing and
 * history (libedit) must work, and -x must not echo a typed line twice.
 * Runs in the VM as root with myheap.ko loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli_run.h"
#include "kselftest_harness.h"

#define SCREEN_MAX (1 << 16)

struct term {
	int fd;
	pid_t pid;
	char screen[SCREEN_MAX];	/* everything the program wrote */
	size_t len;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Read until @want has appeared @times times in all output (NULL: read
 * for @secs); false on timeout.
 */
static bool wait_secs(struct term *t, const char *want, int times, double secs)
{
	double end = now() + secs;

	for (;;) {
		struct pollfd pfd = { .fd = t->fd, .events = POLLIN };
		int n = 0;

		for (const char *p = t->screen; want && (p = strstr(p, want)); p++)
			n++;
		if (want && n >= times)
			return true;
		if (now() > end)
			return false;

		if (poll(&pfd, 1, 200) > 0) {
			ssize_t k = read(t->fd, t->screen + t->len, SCREEN_MAX - 1 - t->len);

			if (k <= 0)
				return false;
			t->len += (size_t)k;
			t->screen[t->len] = '\0';
		}
	}
}

/* The @n-th prompt: the shell reads a line now (typed ahead, Ctrl-D is lost). */
static bool prompt(struct term *t, int n)
{
	return wait_secs(t, "myheap> ", n, 20);
}

/* Generous: a loaded emulated machine. */
static bool wait_for(struct term *t, const char *want, int times)
{
	return wait_secs(t, want, times, 20);
}

/*
 * Wait (up to 20 s) until the line editor has the terminal in raw mode.
 * The prompt is on the screen a moment before libedit switches modes, and
 * a key typed in between is echoed by the tty itself ("^[[A"). On Linux,
 * TCGETS on the master reports the slave's modes.
 */
static void wait_raw(struct term *t)
{
	struct termios tio;
	double end = now() + 20;

	while (!tcgetattr(t->fd, &tio) && (tio.c_lflag & ICANON) &&
	       now() < end)
		usleep(10000);
}

static void type(struct term *t, const char *keys)
{
	size_t n = strlen(keys);

	while (n) {
		ssize_t k = write(t->fd, keys, n);

		if (k <= 0 && errno != EINTR)
			return;
		if (k > 0) {
			keys += k;
			n -= (size_t)k;
		}
	}
}

static int start(struct term *t, const char *home, char *const argv[])
{
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	char exe[PATH_MAX];
	const char *cli = cli_binary(exe, sizeof(exe));

	memset(t, 0, sizeof(*t));
	t->pid = forkpty(&t->fd, NULL, NULL, &ws);
	if (t->pid < 0)
		return -1;
	if (t->pid == 0) {
		setenv("TERM", "xterm", 1);
		setenv("HOME", home, 1);
		execv(cli, argv);
		_exit(127);
	}
	return 0;
}

static int finish(struct term *t)
{
	int status = 0;

	type(t, "\004");	/* Ctrl-D: end of input */
	for (int i = 0; i < 100; i++) {
		if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
			close(t->fd);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		}
		/* Keep reading (it may be writing); once it closed, just wait. */
		if (!wait_secs(t, NULL, 0, 0.1))
			usleep(100000);
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &status, 0);
	close(t->fd);
	return -1;
}

/*
 * A fixture only for TEST_F_TIMEOUT: each step may wait 20 s on a loaded
 * emulated machine, and the harness's default of 30 s for a whole test
 * killed this one there (the failure seen as a "timeout").
 */
FIXTURE(pty) {
	int unused;
};

FIXTURE_SETUP(pty)
{
}

FIXTURE_TEARDOWN(pty)
{
}

TEST_F_TIMEOUT(pty, arrow_keys_recall_and_edit_history, 300)
{
	static char *const argv[] = { "myheap", "shell", "-x", NULL };
	const char *home = "/tmp/myheap-pty-home";
	struct term *t = calloc(1, sizeof(*t));
	char path[256], *hist;
	int n;

	ASSERT_NE(NULL, t);
	mkdir(home, 0700);
	snprintf(path, sizeof(path), "%s/.myheap_history", home);
	unlink(path);
	ASSERT_EQ(0, start(t, home, argv));
	ASSERT_TRUE(wait_for(t, "myheap> ", 1)) TH_LOG("no prompt: %s", t->screen);

	wait_raw(t);
	type(t, "a = alloc 100\r");
	ASSERT_TRUE(wait_for(t, "100 bytes", 1)) TH_LOG("%s", t->screen);
	/* -x on a terminal: the typed line is on the screen once, not twice. */
	ASSERT_TRUE(prompt(t, 2));
	n = 0;
	for (const char *p = t->screen; (p = strstr(p, "a = alloc 100")); p++)
		n++;
	EXPECT_EQ(1, n) TH_LOG("double echo: %s", t->screen);

	/* Up recalls the line; three backspaces and "300" edit it. */
	wait_raw(t);
	type(t, "\033[A");
	ASSERT_TRUE(wait_for(t, "a = alloc 100", 2)) TH_LOG("Up did not recall: %s", t->screen);
	type(t, "\177\177\177300\r");
	ASSERT_TRUE(wait_for(t, "300 bytes", 1)) TH_LOG("%s", t->screen);
	ASSERT_TRUE(prompt(t, 3));

	/* Ctrl-A goes to the start of the line: "lloc 64" becomes "b = alloc 64". */
	wait_raw(t);
	type(t, "lloc 64\001b = a\r");
	ASSERT_TRUE(wait_for(t, "64 bytes", 1)) TH_LOG("%s", t->screen);
	ASSERT_TRUE(prompt(t, 4));
	type(t, "vars\r");
	ASSERT_TRUE(wait_for(t, "$b = ", 1)) TH_LOG("%s", t->screen);
	ASSERT_TRUE(prompt(t, 5));
	EXPECT_TRUE(strstr(t->screen, "$a = ") != NULL);
	/* An escape sequence is a key, never text. */
	EXPECT_EQ(NULL, strstr(t->screen, "^[[A")) TH_LOG("%s", t->screen);
	EXPECT_EQ(NULL, strstr(t->screen, "unknown command")) TH_LOG("%s", t->screen);

	EXPECT_EQ(0, finish(t)) TH_LOG("%s", t->screen);
	/* libedit's history file: strvis(3)-encoded, a blank is \040. */
	hist = read_file(path, NULL);
	ASSERT_NE(NULL, hist) TH_LOG("no history file %s", path);
	EXPECT_TRUE(has(hist, "a\\040=\\040alloc\\040300")) TH_LOG("%s", hist);
	EXPECT_TRUE(has(hist, "b\\040=\\040alloc\\04064")) TH_LOG("%s", hist);
	free(hist);

	/* The next session finds the history: Up brings back the last line. */
	ASSERT_EQ(0, start(t, home, argv));
	ASSERT_TRUE(wait_for(t, "myheap> ", 1));
	wait_raw(t);
	type(t, "\033[A\033[A\r");
	ASSERT_TRUE(wait_for(t, "64 bytes", 1)) TH_LOG("two Ups: the line before vars: %s",
						      t->screen);
	ASSERT_TRUE(prompt(t, 2));
	EXPECT_EQ(0, finish(t));
	free(t);
}

TEST_F_TIMEOUT(pty, the_quiz_waits_for_the_student, 120)
{
	static char *const argv[] = { "myheap", "quiz", "--seed", "1", "--ops", "2",
				      "--free-ratio", "0", NULL };
	struct term *t = calloc(1, sizeof(*t));

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, start(t, "/tmp", argv));
	ASSERT_TRUE(wait_for(t, "Enter shows it: ", 1)) TH_LOG("%s", t->screen);
	wait_secs(t, NULL, 0, 1);	/* whatever else it would print unasked */
	EXPECT_EQ(NULL, strstr(t->screen, "returned ")) TH_LOG("answer shown early: %s", t->screen);
	type(t, "16\r");
	ASSERT_TRUE(wait_for(t, "returned 16", 1)) TH_LOG("%s", t->screen);
	type(t, "\r");
	ASSERT_TRUE(wait_for(t, "quiz: 1 of 2 right", 1)) TH_LOG("%s", t->screen);
	EXPECT_EQ(0, finish(t));
	free(t);
}

TEST_HARNESS_MAIN
