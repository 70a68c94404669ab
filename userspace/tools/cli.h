/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The myheap CLI: what every subcommand shares. A subcommand is a function
 * taking argv (argv[0] is its name) that returns an exit code; the same
 * functions serve a one-shot `myheap CMD` and each line of `myheap shell`,
 * where the open heap (and so every block allocated) lives on.
 */
#ifndef MYHEAP_CLI_H
#define MYHEAP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "myheap.h"

/* Exit codes: scripts tell a refused operation from a broken setup. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* the heap refused the operation (ENOMEM, EALREADY, ...) */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_DEVICE = 3,	/* no device, wrong ABI, no debugfs, I/O error */
	EXIT_CHECK = 4,		/* integrity check or replay verification failed */
};

#define CLI_MAX_VARS	64

/*
 * What a shell variable's block is now. A variable names a block by its
 * payload offset; once that block is freed the name is stale, and once
 * the offset is handed out again (to another name, or to none) using the
 * name would free or write someone else's block.
 */
enum cli_var_state {
	VAR_LIVE,	/* the block it names is this session's and allocated */
	VAR_FREED,	/* freed (or moved away by realloc) at line @line */
	VAR_REUSED,	/* freed, and its offset allocated again since */
};

/* A shell variable: `a = alloc 100` names the offset 'a' for `free $a`. */
struct cli_var {
	char name[32];
	uint64_t value;
	enum cli_var_state state;
	unsigned int line;	/* the shell line that freed it */
	char by[32];		/* VAR_REUSED: the name the offset has now, or "" */
	unsigned int by_line;	/* VAR_REUSED: the line that allocated it again */
};

/*
 * struct cli - state of one CLI invocation or shell session.
 * @device: --device, or NULL for /dev/myheap.
 * @debugfs: directory of the module's debugfs files.
 * @heap: opened on first use and kept until the CLI exits.
 * @json: --json given before the subcommand (applies to every command).
 * @color: colour output allowed (a terminal and no --no-color).
 * @session: inside `myheap shell`.
 * @last_errno: errno of the last failed heap call (for `expect`).
 * @result: offset produced by the last alloc or realloc (for `a = alloc`).
 * @has_result: @result is valid (reset before each command).
 * @op_off: the offset argument of the last free or realloc.
 * @usable: usable bytes of the block the last alloc or realloc gave.
 * @requested: the size the last alloc or realloc asked for.
 * @searched: free blocks the last alloc or realloc examined: the
 *	module's own count for an alloc that succeeded
 *	(MYHEAP_FEATURE_ALLOC_REPORT), else the change of STATS' cumulative
 *	counter around it (other processes' operations in between count
 *	too); -1 if unknown.
 * @splits: free blocks the last alloc split (its report), or -1 if unknown.
 * @split_offset: with @splits > 0, the payload offset of the free block
 *	the last split left.
 * @split_size: its bytes, header included.
 * @freed: what the last free did (MYHEAP_IOC_FREE_REPORT), when
 *	@freed_known.
 * @freed_known: @freed is the module's report of the last free.
 * @realloc: the last realloc's report (MYHEAP_FEATURE_REALLOC_REPORT),
 *	when @realloc_known.
 * @realloc_known: @realloc is the module's report of the last realloc.
 * @vars: shell variables.
 * @nvars: entries of @vars.
 * @line: number of the shell line running (0 outside a shell).
 * @assign: the NAME of `NAME = CMD ...` while CMD runs, else NULL.
 * @in_expect: inside `expect ERRNAME CMD`: a freed (not reused) variable
 *	may reach the kernel, to show it refusing the double free.
 * @arg_var: the variable the last offset argument named alone ($NAME),
 *	else NULL (realloc moves it along with its block).
 */
struct cli {
	const char *device;
	const char *debugfs;
	struct myheap *heap;
	bool json;
	bool color;
	bool session;
	int last_errno;
	uint64_t result;
	bool has_result;
	uint64_t op_off;
	uint64_t usable;
	uint64_t requested;
	int64_t searched;
	int64_t splits;
	uint64_t split_offset;
	uint64_t split_size;
	struct myheap_freed freed;
	bool freed_known;
	struct myheap_realloc realloc;
	bool realloc_known;
	struct cli_var vars[CLI_MAX_VARS];
	int nvars;
	unsigned int line;
	const char *assign;
	bool in_expect;
	struct cli_var *arg_var;
};

/* A subcommand: name, synopsis, one-line summary, and what runs it. */
struct cli_cmd {
	const char *name;
	const char *synopsis;
	const char *summary;
	int (*run)(struct cli *cli, int argc, char **argv);
};

extern const struct cli_cmd cli_cmds[];
const struct cli_cmd *cli_find(const char *name);
int cli_dispatch(struct cli *cli, int argc, char **argv);

/* The open heap, opened on first use; NULL after printing why not. */
struct myheap *cli_heap(struct cli *cli);

/* Messages: "myheap: ..." on stderr; the errno's name and text appended. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail(struct cli *cli, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The standard options (CLI_STD_OPTIONS) of a command that has no others:
 * -1 to go on (its operands from argv[optind]), else the exit status
 * (after --help or a usage error).
 */
int cli_std_args(int argc, char **argv, const char *help, bool *json);
/* The same for a command without operands: a stray one is a usage error. */
int cli_no_args(int argc, char **argv, const char *help, bool *json);

/*
 * Policy @name as a MYHEAP_POLICY_* number (libmyheap's name table), or -1
 * after a usage error that names the policies there are.
 */
int cli_parse_policy(const char *cmd, const char *name);

/*
 * Argument parsing. Sizes take K, M, G suffixes (powers of 1024); offsets
 * are decimal or 0x hex, or $NAME[+-N] in a shell session. Each returns
 * false after printing a usage error naming @what.
 */
bool cli_size(const char *cmd, const char *what, const char *s, uint64_t *v);
bool cli_offset(struct cli *cli, const char *cmd, const char *s, uint64_t *v);
bool cli_set_var(struct cli *cli, const char *name, uint64_t value);
/* Could cli_set_var(@name) succeed? (checked before a command runs) */
bool cli_var_settable(const struct cli *cli, const char *name);

/*
 * Shell variables follow their blocks: call these after the heap did
 * the operation. A free makes every name of @off stale; an allocation at
 * @off turns stale names of it into reused ones; a realloc from @off to
 * @noff moves the names along (or, with `NAME = realloc`, leaves the old
 * names stale when the block moved).
 */
void cli_vars_freed(struct cli *cli, uint64_t off);
void cli_vars_allocated(struct cli *cli, uint64_t off);
void cli_vars_moved(struct cli *cli, uint64_t off, uint64_t noff);
/* The live variable naming payload offset @off, else NULL; @stale: else a stale one. */
const struct cli_var *cli_var_at(const struct cli *cli, uint64_t off, bool stale);
/* "$a" / "$b (stale)" for @off in @buf, or "" when no variable names it. */
const char *cli_var_label(const struct cli *cli, uint64_t off, char *buf, size_t len);

/*
 * STATS' cumulative `searched` counter, for the blocks one operation
 * examined: cli_searched_now() before, cli_searched_since() after (the
 * difference, or -1 if STATS failed either time).
 */
int64_t cli_searched_now(struct cli *cli);
int64_t cli_searched_since(struct cli *cli, int64_t before);
/* Does the module have MYHEAP_FEATURE_* @feature (its heap open)? */
bool cli_has_feature(struct cli *cli, uint64_t feature);
/* Does the module report what an alloc did (MYHEAP_FEATURE_ALLOC_REPORT)? */
bool cli_alloc_reports(struct cli *cli);
/*
 * The last alloc's split in OSTEP's terms: " split: 4193952 B left free at
 * 128" (empty when it took a whole block or is unknown); into @buf.
 */
const char *cli_split_text(const struct cli *cli, char *buf, size_t len);
/* The same as members "splits" and "split" ({offset, size} or null). */
struct json;
void cli_split_json(const struct cli *cli, struct json *j);
/*
 * What a free did, in OSTEP's terms: "coalesced with left 16 and right
 * 336: free block 16, 528 B", "coalesced with neither neighbour: ...",
 * a slot's "a slot (32 B) of run 48", into @buf.
 */
const char *cli_freed_text(const struct myheap_freed *fr, char *buf, size_t len);
/* The same as member @key: {"outcome", "merges", "freed_size", "block",
 * "left", "right", "run"} (the last four {offset, size} or null).
 */
void cli_freed_json(const struct myheap_freed *fr, struct json *j, const char *key);
/*
 * The last realloc's report after its offset: ", grew into right 128
 * (208 B)", ", shrank: its tail (64 B) coalesced with ...", ", moved; its
 * old block coalesced with ...", ", in place", then its split; empty when
 * unknown. Into @buf.
 */
const char *cli_realloc_text(const struct cli *cli, char *buf, size_t len);
/* The same as members "how", "left", "right" and "freed" (null unknown). */
void cli_realloc_json(const struct cli *cli, struct json *j);

/* Options every subcommand accepts, for its struct option array. */
#define CLI_STD_OPTIONS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "json", no_argument, NULL, 'j' }

/*
 * Handle getopt_long's answer @c for the standard options: --help prints
 * @help and returns EXIT_OK; --json sets *json and returns -1 (go on);
 * anything else is a usage error (getopt already said which).
 */
int cli_std_opt(int c, const char *cmd, const char *help, bool *json);

/* Human-readable byte counts: "4.0 MiB", "512 B". */
const char *cli_bytes(uint64_t n, char *buf, size_t len);

/* The debugfs file @name read whole (NUL-terminated, free()); NULL on error. */
char *cli_debugfs_read(struct cli *cli, const char *name, size_t *len);

/* The subcommands (cmd_*.c). */
int cmd_info(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_policy(struct cli *cli, int argc, char **argv);
int cmd_alloc(struct cli *cli, int argc, char **argv);
int cmd_free(struct cli *cli, int argc, char **argv);
int cmd_realloc(struct cli *cli, int argc, char **argv);
int cmd_usable(struct cli *cli, int argc, char **argv);
int cmd_fill(struct cli *cli, int argc, char **argv);
int cmd_peek(struct cli *cli, int argc, char **argv);
int cmd_dump(struct cli *cli, int argc, char **argv);
int cmd_freelist(struct cli *cli, int argc, char **argv);
int cmd_frag(struct cli *cli, int argc, char **argv);
int cmd_owners(struct cli *cli, int argc, char **argv);
int cmd_events(struct cli *cli, int argc, char **argv);
int cmd_watch(struct cli *cli, int argc, char **argv);
int cmd_map(struct cli *cli, int argc, char **argv);
int cmd_replay(struct cli *cli, int argc, char **argv);
int cmd_shell(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_record(struct cli *cli, int argc, char **argv);
int cmd_gen(struct cli *cli, int argc, char **argv);
int cmd_quiz(struct cli *cli, int argc, char **argv);

#endif /* MYHEAP_CLI_H */
