// SPDX-License-Identifier: GPL-2.0
/*
 * What the subcommands share: opening the heap once, error messages and
 * exit codes, numbers with suffixes, shell variables, debugfs reads.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);	/* keep stdout and stderr in order on a shared console */
	fputs("myheap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Errors a working device returns for a refused operation. */
static bool heap_refusal(int err)
{
	switch (err) {
	case ENOMEM: case E2BIG: case EDOM: case EINVAL: case EPERM:
	case EALREADY: case EBADMSG: case ENXIO: case EUCLEAN: case EBUSY:
	case EOVERFLOW:
		return true;
	default:
		return false;
	}
}

/*
 * Report a failed heap call: "myheap: <what>: <meaning> [ENAME]". Returns
 * the exit code: EXIT_FAILED for an operation the heap refused, else
 * EXIT_DEVICE (the device itself misbehaved or is unusable).
 */
int cli_fail(struct cli *cli, int ret, const char *fmt, ...)
{
	int err = ret < 0 ? -ret : ret;
	const char *name = strerrorname_np(err);
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	cli->last_errno = err;
	cli_err("%s: %s [%s]", what, myheap_strerror(err), name ? name : "?");
	return heap_refusal(err) ? EXIT_FAILED : EXIT_DEVICE;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "myheap %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see myheap %s --help)\n", cmd);
	return EXIT_USAGE;
}

int cli_std_args(int argc, char **argv, const char *help, bool *json)
{
	static const struct option opts[] = { CLI_STD_OPTIONS, { 0 } };
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		ret = cli_std_opt(c, argv[0], help, json);
		if (ret >= 0)
			return ret;
	}
	return -1;
}

int cli_no_args(int argc, char **argv, const char *help, bool *json)
{
	int ret = cli_std_args(argc, argv, help, json);

	if (ret >= 0)
		return ret;
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	return -1;
}

int cli_parse_policy(const char *cmd, const char *name)
{
	int policy = myheap_policy_parse(name);
	const char *why;

	if (policy >= 0)
		return policy;
	/* "myheap_policy_parse: unknown policy 'x' (first, ...)": the problem */
	why = strstr(myheap_last_error(), ": ");
	cli_usage(cmd, "%s", why ? why + 2 : myheap_last_error());
	return -1;
}

struct myheap *cli_heap(struct cli *cli)
{
	int ret;

	if (cli->heap)
		return cli->heap;
	/* Private mode (mmap=0): no mapping; fill/peek/replay use read/write. */
	ret = myheap_open(cli->device, MYHEAP_OPEN_MAP_IF_ALLOWED, &cli->heap);
	if (ret) {
		cli->last_errno = -ret;
		cli_err("%s", myheap_last_error());
		cli->heap = NULL;
	}
	return cli->heap;
}

bool cli_size(const char *cmd, const char *what, const char *s, uint64_t *v)
{
	unsigned int shift = 0;
	char *end;
	uint64_t n;

	errno = 0;
	if (*s == '-' || *s == '\0')
		goto bad;
	n = strtoull(s, &end, 0);
	if (errno)
		goto bad;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (shift && (*end == 'i' || *end == 'I'))	/* accept KiB spelling */
		end++;
	if (shift && (*end == 'b' || *end == 'B'))
		end++;
	if (*end || (shift && n > (UINT64_MAX >> shift)))
		goto bad;
	*v = n << shift;
	return true;
bad:
	cli_usage(cmd, "%s: '%s' is not a size (a number, K/M/G suffix allowed)",
		  what, s);
	return false;
}

static struct cli_var *find_var(const struct cli *cli, const char *name, size_t len)
{
	for (int i = 0; i < cli->nvars; i++)
		if (strlen(cli->vars[i].name) == len &&
		    !strncmp(cli->vars[i].name, name, len))
			return (struct cli_var *)&cli->vars[i];
	return NULL;
}

/* A name a shell can split and expand back: letters, digits, '_'. */
static bool good_name(const char *name)
{
	if (!isalpha((unsigned char)*name) && *name != '_')
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

bool cli_var_settable(const struct cli *cli, const char *name)
{
	size_t max = sizeof(cli->vars[0].name) - 1;

	if (!good_name(name)) {
		cli_err("'%s' is not a variable name (letters, digits and _, not starting with a digit)",
			name);
		return false;
	}
	if (strlen(name) > max) {
		cli_err("variable name '%s' is longer than %zu characters", name, max);
		return false;
	}
	if (!find_var(cli, name, strlen(name)) && cli->nvars == CLI_MAX_VARS) {
		cli_err("cannot set variable '%s': all %d variables are in use",
			name, CLI_MAX_VARS);
		return false;
	}
	return true;
}

bool cli_set_var(struct cli *cli, const char *name, uint64_t value)
{
	struct cli_var *v;

	if (!cli_var_settable(cli, name))
		return false;
	v = find_var(cli, name, strlen(name));
	if (!v) {
		v = &cli->vars[cli->nvars++];
		strcpy(v->name, name);
	}
	v->value = value;
	v->state = VAR_LIVE;
	v->by[0] = '\0';
	return true;
}

void cli_vars_freed(struct cli *cli, uint64_t off)
{
	for (int i = 0; i < cli->nvars; i++) {
		struct cli_var *v = &cli->vars[i];

		if (v->value == off && v->state == VAR_LIVE) {
			v->state = VAR_FREED;
			v->line = cli->line;
		}
	}
}

void cli_vars_allocated(struct cli *cli, uint64_t off)
{
	for (int i = 0; i < cli->nvars; i++) {
		struct cli_var *v = &cli->vars[i];

		if (v->value != off || v->state == VAR_LIVE)
			continue;
		if (cli->assign && !strcmp(cli->assign, v->name))
			continue;	/* about to name it again */
		v->state = VAR_REUSED;
		v->by_line = cli->line;
		snprintf(v->by, sizeof(v->by), "%s", cli->assign ? cli->assign : "");
	}
}

void cli_vars_moved(struct cli *cli, uint64_t off, uint64_t noff)
{
	if (noff == off)
		return;
	for (int i = 0; i < cli->nvars; i++) {
		struct cli_var *v = &cli->vars[i];

		if (v->value != off || v->state != VAR_LIVE)
			continue;
		if (cli->assign) {	/* q = realloc $p: p names freed memory */
			v->state = VAR_FREED;
			v->line = cli->line;
		} else {		/* realloc $p: p follows its block */
			v->value = noff;
		}
	}
	cli_vars_allocated(cli, noff);
}

const struct cli_var *cli_var_at(const struct cli *cli, uint64_t off, bool stale)
{
	for (int i = 0; i < cli->nvars; i++)
		if (cli->vars[i].value == off &&
		    (cli->vars[i].state == VAR_LIVE) != stale)
			return &cli->vars[i];
	return NULL;
}

const char *cli_var_label(const struct cli *cli, uint64_t off, char *buf, size_t len)
{
	const struct cli_var *v = cli_var_at(cli, off, false);
	size_t used = 0;

	buf[0] = '\0';
	if (v)
		used = (size_t)snprintf(buf, len, "$%s", v->name);
	for (int i = 0; i < cli->nvars && used < len; i++) {
		v = &cli->vars[i];
		if (v->value == off && v->state != VAR_LIVE)
			used += (size_t)snprintf(buf + used, len - used, "%s$%s (stale)",
						 used ? " " : "", v->name);
	}
	return buf;
}

/* Refuse a stale variable, saying why; ESTALE for `expect`. */
static bool stale_ok(struct cli *cli, const char *cmd, const struct cli_var *v)
{
	char by[64] = "another allocation";

	if (v->state == VAR_LIVE || (v->state == VAR_FREED && cli->in_expect))
		return true;
	cli->last_errno = ESTALE;
	if (v->state == VAR_FREED) {
		cli_usage(cmd, "$%s is stale: its block (offset %" PRIu64 ") was freed at line %u"
			  " (to watch the kernel refuse a double free: expect EALREADY %s $%s)",
			  v->name, v->value, v->line, cmd, v->name);
		return false;
	}
	if (v->by[0])
		snprintf(by, sizeof(by), "$%s", v->by);
	cli_usage(cmd, "$%s is stale: its block was freed at line %u and offset %" PRIu64
		  " is now %s's (line %u); refused, it is not $%s's block any more",
		  v->name, v->line, v->value, by, v->by_line, v->name);
	return false;
}

/*
 * "$name", "$name+16", "$name-8", or a plain number. Offsets are
 * unsigned: $name-N below 0, or $name+N past 2^64, is refused, never
 * wrapped.
 */
bool cli_offset(struct cli *cli, const char *cmd, const char *s, uint64_t *v)
{
	uint64_t base, delta;
	const char *rest;
	struct cli_var *var;
	char *end;
	size_t len;

	cli->arg_var = NULL;
	if (*s == '$') {
		len = strcspn(s + 1, "+-");
		var = find_var(cli, s + 1, len);
		if (!var)
			return cli_usage(cmd, "no variable '%.*s' (set one with: NAME = alloc SIZE)",
					 (int)len, s + 1), false;
		if (!stale_ok(cli, cmd, var))
			return false;
		base = var->value;
		rest = s + 1 + len;
		if (!*rest) {
			cli->arg_var = var;
			*v = base;
			return true;
		}
		errno = 0;
		if (!isdigit((unsigned char)rest[1]))
			goto bad;
		delta = strtoull(rest + 1, &end, 0);
		if (errno || *end)
			goto bad;
		if (*rest == '-' && delta > base)
			return cli_usage(cmd, "'%s' is %" PRIu64 " - %" PRIu64
					 ", below offset 0: offsets are unsigned", s,
					 base, delta), false;
		if (*rest == '+' && delta > UINT64_MAX - base)
			return cli_usage(cmd, "'%s' is %" PRIu64 " + %" PRIu64
					 ", past the largest offset", s, base, delta), false;
		*v = *rest == '+' ? base + delta : base - delta;
		return true;
	}
	errno = 0;
	if (!isdigit((unsigned char)*s))
		goto bad;
	*v = strtoull(s, &end, 0);
	if (errno || *end)
		goto bad;
	return true;
bad:
	return cli_usage(cmd, "'%s' is not an offset (decimal, 0x hex, or $NAME[+-N])",
			 s), false;
}

int64_t cli_searched_now(struct cli *cli)
{
	struct myheap_stats st;

	if (!cli->heap || myheap_stats(cli->heap, &st))
		return -1;
	return (int64_t)st.searched;
}

int64_t cli_searched_since(struct cli *cli, int64_t before)
{
	int64_t now = cli_searched_now(cli);

	return before < 0 || now < before ? -1 : now - before;
}

bool cli_has_feature(struct cli *cli, uint64_t feature)
{
	struct myheap_info info;

	return cli->heap && !myheap_get_info(cli->heap, &info) &&
	       (info.features & feature);
}

bool cli_alloc_reports(struct cli *cli)
{
	return cli_has_feature(cli, MYHEAP_FEATURE_ALLOC_REPORT);
}

const char *cli_freed_text(const struct myheap_freed *fr, char *buf, size_t len)
{
	bool left = fr->outcome & MYHEAP_FREED_LEFT;
	bool right = fr->outcome & MYHEAP_FREED_RIGHT;
	char run[96] = "", sides[96], merges[32] = "";

	if ((fr->outcome & MYHEAP_FREED_SLOT) && !(fr->outcome & MYHEAP_FREED_RUN)) {
		snprintf(buf, len, "a slot (%" PRIu64 " B) of run %" PRIu64,
			 (uint64_t)fr->freed_size, (uint64_t)fr->run_offset);
		return buf;
	}
	if (fr->outcome & MYHEAP_FREED_RUN)
		snprintf(run, sizeof(run), "the last slot (%" PRIu64 " B) of run %" PRIu64
			 ", so the run went back: ", (uint64_t)fr->freed_size,
			 (uint64_t)fr->run_offset);
	if (left && right)
		snprintf(sides, sizeof(sides), "left %" PRIu64 " and right %" PRIu64,
			 (uint64_t)fr->left_offset, (uint64_t)fr->right_offset);
	else if (left)
		snprintf(sides, sizeof(sides), "left %" PRIu64, (uint64_t)fr->left_offset);
	else if (right)
		snprintf(sides, sizeof(sides), "right %" PRIu64, (uint64_t)fr->right_offset);
	else
		snprintf(sides, sizeof(sides), "neither neighbour");
	/* buddy: one merge per order climbed, maybe more than two sides */
	if (fr->merges > (unsigned int)left + right)
		snprintf(merges, sizeof(merges), " (%u buddy merges)", fr->merges);
	snprintf(buf, len, "%scoalesced with %s%s: free block %" PRIu64 ", %" PRIu64 " B",
		 run, sides, merges, (uint64_t)fr->block_offset, (uint64_t)fr->block_size);
	return buf;
}

/* Member @key: {offset, size}, or null when @offset is 0 (none). */
static void place_json(struct json *j, const char *key, uint64_t offset, uint64_t size)
{
	if (!offset) {
		json_null(j, key);
		return;
	}
	json_obj(j, key);
	json_u64(j, "offset", offset);
	json_u64(j, "size", size);
	json_obj_end(j);
}

void cli_freed_json(const struct myheap_freed *fr, struct json *j, const char *key)
{
	static const char *const names[] = { "left", "right", "slot", "run" };
	unsigned int i;

	json_obj(j, key);
	json_arr(j, "outcome");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (fr->outcome & (1u << i))
			json_str(j, NULL, names[i]);
	json_arr_end(j);
	json_u64(j, "merges", fr->merges);
	json_u64(j, "freed_size", fr->freed_size);
	place_json(j, "block", fr->block_offset, fr->block_size);
	place_json(j, "left", fr->left_offset, fr->left_size);
	place_json(j, "right", fr->right_offset, fr->right_size);
	place_json(j, "run", fr->run_offset, fr->run_size);
	json_obj_end(j);
}

const char *cli_realloc_text(const struct cli *cli, char *buf, size_t len)
{
	const struct myheap_realloc *r = &cli->realloc;
	char freed[256], split[96];
	int n = 0;

	buf[0] = '\0';
	if (!cli->realloc_known)
		return buf;
	if (r->how & MYHEAP_REALLOC_MOVED)
		n = snprintf(buf, len, ", moved%s %s",
			     r->freed.outcome & MYHEAP_FREED_SLOT ? " out of" : "; its old block",
			     cli_freed_text(&r->freed, freed, sizeof(freed)));
	else if (r->how & MYHEAP_REALLOC_SLID)
		n = snprintf(buf, len, ", slid into left %" PRIu64 " (%" PRIu64 " B)%s",
			     (uint64_t)r->left_offset, (uint64_t)r->left_size,
			     r->right_offset ? " and over right" : "");
	else if (r->how & MYHEAP_REALLOC_GREW)
		n = snprintf(buf, len, ", grew into right %" PRIu64 " (%" PRIu64 " B)",
			     (uint64_t)r->right_offset, (uint64_t)r->right_size);
	else if ((r->how & MYHEAP_REALLOC_SHRANK) && r->freed.block_offset)
		n = snprintf(buf, len, ", shrank: its tail (%" PRIu64 " B) %s",
			     (uint64_t)r->freed.freed_size,
			     cli_freed_text(&r->freed, freed, sizeof(freed)));
	else if (r->how & MYHEAP_REALLOC_SHRANK)
		n = snprintf(buf, len, ", shrank");
	else
		n = snprintf(buf, len, ", in place");
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "%s", cli_split_text(cli, split, sizeof(split)));
	return buf;
}

void cli_realloc_json(const struct cli *cli, struct json *j)
{
	static const char *const names[] = { "moved", "grew", "shrank", "slid" };
	const struct myheap_realloc *r = &cli->realloc;
	unsigned int i;

	if (!cli->realloc_known) {
		json_null(j, "how");
		json_null(j, "left");
		json_null(j, "right");
		json_null(j, "freed");
		return;
	}
	json_arr(j, "how");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (r->how & (1u << i))
			json_str(j, NULL, names[i]);
	json_arr_end(j);
	place_json(j, "left", r->left_offset, r->left_size);
	place_json(j, "right", r->right_offset, r->right_size);
	if (r->freed.block_offset || r->freed.outcome)
		cli_freed_json(&r->freed, j, "freed");
	else
		json_null(j, "freed");
}

const char *cli_split_text(const struct cli *cli, char *buf, size_t len)
{
	if (cli->splits > 0)
		snprintf(buf, len, ", split: %" PRIu64 " B left free at %" PRIu64,
			 cli->split_size, cli->split_offset);
	else
		buf[0] = '\0';
	return buf;
}

void cli_split_json(const struct cli *cli, struct json *j)
{
	if (cli->splits < 0) {
		json_null(j, "splits");
		json_null(j, "split");
		return;
	}
	json_i64(j, "splits", cli->splits);
	if (!cli->splits) {
		json_null(j, "split");
		return;
	}
	json_obj(j, "split");
	json_u64(j, "offset", cli->split_offset);
	json_u64(j, "size", cli->split_size);
	json_obj_end(j);
}

const char *cli_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", n);
		return buf;
	}
	while (v >= 1024 && u < 2) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

char *cli_debugfs_read(struct cli *cli, const char *name, size_t *lenp)
{
	size_t cap = 65536, len = 0;
	char path[512], *buf, *nbuf;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cli->debugfs, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli->last_errno = errno;
		cli_err("cannot read %s: %s%s", path, strerror(errno),
			errno == ENOENT ? " (module loaded? debugfs mounted? --debugfs DIR)" : "");
		return NULL;
	}
	buf = malloc(cap);
	while (buf) {
		if (len + 1 >= cap) {
			nbuf = realloc(buf, cap *= 2);
			if (!nbuf) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_err("reading %s: %s", path, strerror(errno));
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

int cli_std_opt(int c, const char *cmd, const char *help, bool *json)
{
	switch (c) {
	case 'h':
		fputs(help, stdout);
		return EXIT_OK;
	case 'j':
		*json = true;
		return -1;
	default:
		fprintf(stderr, "(see myheap %s --help)\n", cmd);
		return EXIT_USAGE;
	}
}
