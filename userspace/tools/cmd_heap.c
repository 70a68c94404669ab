// SPDX-License-Identifier: GPL-2.0
/*
 * Commands about the whole heap, straight from the ioctls: info, stats,
 * check, policy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "json.h"


static const char info_help[] =
	"usage: myheap info [--json]\n"
	"\n"
	"What the module reports through MYHEAP_IOC_GET_INFO: ABI version,\n"
	"feature bits, region and mapping size, header size, alignment, smallest\n"
	"block, largest alignment, batch limit and the current policy; in\n"
	"private mode (feature \"private\", no \"mmap\") a line saying so.\n";

/* "first", "first sizesort+ no-coalesce": the knobs that are not defaults. */
static const char *config_text(unsigned int policy, unsigned int order,
			       unsigned int flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", myheap_policy_name(policy),
		 order ? " " : "", order ? myheap_order_name(order) : "",
		 flags & MYHEAP_POLICY_NO_COALESCE ? " no-coalesce" : "");
	return buf;
}

static void config_json(struct json *j, unsigned int policy,
			unsigned int order, unsigned int flags)
{
	json_str(j, "policy", myheap_policy_name(policy));
	json_str(j, "list_order", myheap_order_name(order));
	json_bool(j, "coalesce", !(flags & MYHEAP_POLICY_NO_COALESCE));
}

int cmd_info(struct cli *cli, int argc, char **argv)
{
	struct myheap_info info;
	struct myheap *h;
	bool json = cli->json;
	struct json j;
	char b[32];
	int ret;

	ret = cli_no_args(argc, argv, info_help, &json);
	if (ret >= 0)
		return ret;
	h = cli_heap(cli);
	if (!h)
		return EXIT_DEVICE;
	ret = myheap_get_info(h, &info);
	if (ret)
		return cli_fail(cli, ret, "info");
	if (json) {
		json_begin(&j, stdout);
		json_str(&j, "device", myheap_path(h));
		json_u64(&j, "abi_version", info.abi_version);
		json_arr(&j, "features");
		for (unsigned int bit = 0; bit < 64; bit++)
			if ((info.features & (1ull << bit)) && myheap_feature_name(bit))
				json_str(&j, NULL, myheap_feature_name(bit));
		json_arr_end(&j);
		json_u64(&j, "features_mask", info.features);
		json_u64(&j, "region_size", info.region_size);
		json_u64(&j, "mmap_size", info.mmap_size);
		json_u64(&j, "header_size", info.header_size);
		json_u64(&j, "alignment", info.alignment);
		json_u64(&j, "min_block", info.min_block);
		json_u64(&j, "max_align", info.max_align);
		json_u64(&j, "batch_max", info.batch_max);
		config_json(&j, info.policy, info.list_order, info.policy_flags);
		json_end(&j);
		return EXIT_OK;
	}
	printf("device       %s\n", myheap_path(h));
	printf("ABI version  %u\n", info.abi_version);
	printf("features    ");
	for (unsigned int bit = 0; bit < 64; bit++)
		if ((info.features & (1ull << bit)) && myheap_feature_name(bit))
			printf(" %s", myheap_feature_name(bit));
	printf(" (0x%" PRIx64 ")\n", (uint64_t)info.features);
	printf("region       %" PRIu64 " bytes (%s), mapping %" PRIu64 " bytes\n",
	       (uint64_t)info.region_size, cli_bytes(info.region_size, b, sizeof(b)),
	       (uint64_t)info.mmap_size);
	printf("blocks       %u-byte header, payloads aligned to %u, smallest block %u bytes\n",
	       info.header_size, info.alignment, info.min_block);
	printf("limits       alignment up to %u, %u operations per batch\n",
	       info.max_align, info.batch_max);
	printf("policy       %s\n", myheap_policy_name(info.policy));
	if (info.policy <= MYHEAP_POLICY_WORST_FIT)
		printf("free list    %s, coalescing %s\n",
		       myheap_order_name(info.list_order),
		       info.policy_flags & MYHEAP_POLICY_NO_COALESCE ? "off" : "on");
	if (info.features & MYHEAP_FEATURE_PRIVATE)
		printf("mode         private (mmap=0): no mapping; each open file reads and writes only its own blocks\n");
	return EXIT_OK;
}

static void stats_json(const struct myheap_stats *s)
{
	struct json j;

	json_begin(&j, stdout);
	json_str(&j, "policy", myheap_policy_name(s->policy));
#define F(name) json_u64(&j, #name, s->name)
	F(region_size); F(heap_size); F(header_size);
	F(requested_bytes); F(granted_bytes); F(used_bytes); F(free_bytes);
	F(overhead_bytes); F(used_blocks); F(free_blocks); F(largest_free);
	F(largest_alloc); F(internal_frag); F(external_frag_ppm);
	F(peak_requested); F(high_water);
	json_arr(&j, "free_hist");
	for (unsigned int i = 0; i < MYHEAP_HIST_BUCKETS; i++)
		json_u64(&j, NULL, s->free_hist[i]);
	json_arr_end(&j);
	F(allocs); F(frees); F(reallocs); F(failed_allocs); F(failed_frees);
	F(failed_reallocs); F(splits); F(coalesces); F(searched);
	F(searched_max); F(corruptions); F(poison_errors); F(damage_events);
	F(open_files);
#undef F
	json_end(&j);
}

static void stats_text(const struct myheap_stats *s)
{
	char a[32], b[32];
	bool any = false;

	printf("policy          %s\n", myheap_policy_name(s->policy));
	printf("region          %s (%" PRIu64 " bytes), blocks cover %" PRIu64 "\n",
	       cli_bytes(s->region_size, a, sizeof(a)), (uint64_t)s->region_size,
	       (uint64_t)s->heap_size);
	printf("in use          %" PRIu64 " blocks, %" PRIu64 " bytes: %" PRIu64
	       " requested, %" PRIu64 " granted\n",
	       (uint64_t)s->used_blocks, (uint64_t)s->used_bytes,
	       (uint64_t)s->requested_bytes, (uint64_t)s->granted_bytes);
	printf("free            %" PRIu64 " blocks, %" PRIu64 " bytes; largest %" PRIu64
	       "; largest request possible %" PRIu64 "\n",
	       (uint64_t)s->free_blocks, (uint64_t)s->free_bytes,
	       (uint64_t)s->largest_free, (uint64_t)s->largest_alloc);
	printf("overhead        %" PRIu64 " bytes (headers, start pad, tail)\n",
	       (uint64_t)s->overhead_bytes);
	printf("fragmentation   internal %" PRIu64 " bytes, external %.2f%%\n",
	       (uint64_t)s->internal_frag, s->external_frag_ppm / 1e4);
	printf("peak            %s requested; high water at offset %" PRIu64 " (%s)\n",
	       cli_bytes(s->peak_requested, a, sizeof(a)), (uint64_t)s->high_water,
	       cli_bytes(s->high_water, b, sizeof(b)));
	printf("free by size   ");
	for (unsigned int i = 0; i < MYHEAP_HIST_BUCKETS; i++) {
		if (!s->free_hist[i])
			continue;
		printf(" 2^%u:%" PRIu64, i, (uint64_t)s->free_hist[i]);
		any = true;
	}
	printf("%s\n", any ? "" : " (none)");
	printf("operations      %" PRIu64 " allocs, %" PRIu64 " frees, %" PRIu64
	       " reallocs; failed %" PRIu64 ", %" PRIu64 ", %" PRIu64 "\n",
	       (uint64_t)s->allocs, (uint64_t)s->frees, (uint64_t)s->reallocs,
	       (uint64_t)s->failed_allocs, (uint64_t)s->failed_frees,
	       (uint64_t)s->failed_reallocs);
	printf("structure       %" PRIu64 " splits, %" PRIu64 " coalesces; %" PRIu64
	       " free blocks searched (at most %" PRIu64 " at once)\n",
	       (uint64_t)s->splits, (uint64_t)s->coalesces, (uint64_t)s->searched,
	       (uint64_t)s->searched_max);
	printf("damage          %" PRIu64 " corruptions, %" PRIu64 " poison errors, %"
	       PRIu64 " damage events\n",
	       (uint64_t)s->corruptions, (uint64_t)s->poison_errors,
	       (uint64_t)s->damage_events);
	printf("open files      %" PRIu64 "\n", (uint64_t)s->open_files);
}

static const char stats_help[] =
	"usage: myheap stats [--reset] [--json]\n"
	"\n"
	"Statistics of the whole heap (every opener's blocks) from\n"
	"MYHEAP_IOC_STATS: bytes and blocks in use and free, largest free block,\n"
	"fragmentation, peak, free-block histogram, operation counters.\n"
	"\n"
	"  --reset   first zero the counters (operations, failures, splits,\n"
	"            coalesces, blocks searched, damage), so an experiment counts\n"
	"            from zero; the heap, its figures and peaks stay (needs root)\n";

/* Zero the counters; an exit code, or -1 when done. */
static int stats_reset(struct cli *cli, struct myheap *h)
{
	struct myheap_info info;
	int ret;

	ret = myheap_get_info(h, &info);
	if (ret)
		return cli_fail(cli, ret, "stats --reset");
	if (!(info.features & MYHEAP_FEATURE_STATS_RESET)) {
		cli_err("stats --reset: this module (ABI %u) cannot reset the counters: no stats-reset feature",
			info.abi_version);
		return EXIT_DEVICE;
	}
	ret = myheap_stats_reset(h);
	if (ret == -EPERM) {
		cli_err("stats --reset: the counters are every opener's: resetting them needs CAP_SYS_ADMIN [EPERM]");
		cli->last_errno = EPERM;
		return EXIT_FAILED;
	}
	return ret ? cli_fail(cli, ret, "stats --reset") : -1;
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_STD_OPTIONS,
		{ "reset", no_argument, NULL, 'r' },
		{ 0 }
	};
	struct myheap_stats s;
	struct myheap *h;
	bool json = cli->json, reset = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r') {
			reset = true;
			continue;
		}
		ret = cli_std_opt(c, argv[0], stats_help, &json);
		if (ret >= 0)
			return ret;
	}
	if (optind < argc)
		return cli_usage(argv[0], "unexpected argument '%s'", argv[optind]);
	h = cli_heap(cli);
	if (!h)
		return EXIT_DEVICE;
	if (reset) {
		ret = stats_reset(cli, h);
		if (ret >= 0)
			return ret;
	}
	ret = myheap_stats(h, &s);
	if (ret)
		return cli_fail(cli, ret, "stats");
	if (json)
		stats_json(&s);
	else
		stats_text(&s);
	return EXIT_OK;
}

static const char check_help[] =
	"usage: myheap check [--json]\n"
	"\n"
	"Run the kernel's integrity checker over every block and free list.\n"
	"Prints ok, or the number of violations and the first one.\n"
	"Exit status 4 when the heap has violations.\n";

int cmd_check(struct cli *cli, int argc, char **argv)
{
	struct myheap_check c;
	struct myheap *h;
	bool json = cli->json;
	struct json j;
	int ret;

	ret = cli_no_args(argc, argv, check_help, &json);
	if (ret >= 0)
		return ret;
	h = cli_heap(cli);
	if (!h)
		return EXIT_DEVICE;
	ret = myheap_check(h, &c);
	if (ret < 0)
		return cli_fail(cli, ret, "check");
	if (json) {
		json_begin(&j, stdout);
		json_bool(&j, "ok", c.violations == 0);
		json_u64(&j, "violations", c.violations);
		if (c.violations) {
			json_str(&j, "first_kind", myheap_violation_name(c.first_kind));
			json_u64(&j, "first_offset", c.first_offset);
		}
		json_end(&j);
	} else if (c.violations) {
		printf("%u violation%s; first: %s at offset %" PRIu64 "\n",
		       c.violations, c.violations == 1 ? "" : "s",
		       myheap_violation_name(c.first_kind), (uint64_t)c.first_offset);
	} else {
		printf("ok: no violations\n");
	}
	return c.violations ? EXIT_CHECK : EXIT_OK;
}

static const char policy_help[] =
	"usage: myheap policy [NAME [--order ORDER] [--no-coalesce]] [--json]\n"
	"\n"
	"Without NAME: the current placement policy (with its list order and\n"
	"coalescing when they are not the defaults) and the ones available.\n"
	"With NAME (one of those available): switch to it.\n"
	"  --order ORDER   first, next, best, worst: how the free list is kept\n"
	"                  (OSTEP's malloc.py orders): addrsort (by address, the\n"
	"                  default), sizesort+ (smallest first), sizesort-\n"
	"                  (largest first), insert-front or insert-back (where a\n"
	"                  freed block goes)\n"
	"  --no-coalesce   first, next, best, worst: freed blocks do not merge\n"
	"                  with their free neighbours\n"
	"What is not given is the default, whatever was set before.\n"
	"Switching needs root (CAP_SYS_ADMIN) and an empty heap: no block in\n"
	"use by anyone (EBUSY otherwise).\n";

int cmd_policy(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "order", required_argument, NULL, 'o' },
		{ "no-coalesce", no_argument, NULL, 'n' },
		CLI_STD_OPTIONS, { 0 }
	};
	unsigned int was, was_order, was_flags, order = 0, flags = 0;
	bool json = cli->json, knobs = false;
	struct myheap_info info;
	char now_s[64], was_s[64];
	struct myheap *h;
	int c, ret, want = -1;
	struct json j;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'o') {
			ret = myheap_order_parse(optarg);
			if (ret < 0) {
				const char *why = strstr(myheap_last_error(), ": ");

				return cli_usage(argv[0], "%s", why ? why + 2 :
						 myheap_last_error());
			}
			order = (unsigned int)ret;
			knobs = true;
		} else if (c == 'n') {
			flags |= MYHEAP_POLICY_NO_COALESCE;
			knobs = true;
		} else {
			ret = cli_std_opt(c, argv[0], policy_help, &json);
			if (ret >= 0)
				return ret;
		}
	}
	if (argc - optind > 1)
		return cli_usage(argv[0], "at most one policy name");
	if (optind < argc) {
		want = cli_parse_policy(argv[0], argv[optind]);
		if (want < 0)
			return EXIT_USAGE;
	} else if (knobs) {
		return cli_usage(argv[0], "--order and --no-coalesce go with a policy NAME");
	}
	if (want > MYHEAP_POLICY_WORST_FIT && knobs)
		return cli_usage(argv[0], "%s keeps lists of its own: only first, next, best and worst take --order and --no-coalesce",
				 argv[optind]);
	h = cli_heap(cli);
	if (!h)
		return EXIT_DEVICE;
	ret = myheap_get_info(h, &info);
	if (ret)
		return cli_fail(cli, ret, "policy");
	was = info.policy;
	was_order = info.list_order;
	was_flags = info.policy_flags;
	if (want >= 0) {
		ret = myheap_set_config(h, (unsigned int)want, order, flags);
		if (ret)
			return cli_fail(cli, ret, "policy %s",
					config_text((unsigned int)want, order,
						    flags, now_s, sizeof(now_s)));
	} else {
		want = (int)was;
		order = was_order;
		flags = was_flags;
	}
	config_text((unsigned int)want, order, flags, now_s, sizeof(now_s));
	config_text(was, was_order, was_flags, was_s, sizeof(was_s));
	if (json) {
		json_begin(&j, stdout);
		config_json(&j, (unsigned int)want, order, flags);
		if (optind < argc) {
			json_str(&j, "previous", myheap_policy_name(was));
			json_str(&j, "previous_list_order",
				 myheap_order_name(was_order));
			json_bool(&j, "previous_coalesce",
				  !(was_flags & MYHEAP_POLICY_NO_COALESCE));
		}
		json_arr(&j, "available");
		for (unsigned int p = 0; p < MYHEAP_NR_POLICIES; p++)
			json_str(&j, NULL, myheap_policy_name(p));
		json_arr_end(&j);
		json_arr(&j, "list_orders");
		for (unsigned int o = 0; o < MYHEAP_NR_ORDERS; o++)
			json_str(&j, NULL, myheap_order_name(o));
		json_arr_end(&j);
		json_end(&j);
	} else if (optind < argc) {
		printf("policy %s (was %s)\n", now_s, was_s);
	} else {
		printf("policy %s\navailable:", now_s);
		for (unsigned int p = 0; p < MYHEAP_NR_POLICIES; p++)
			printf(" %s", myheap_policy_name(p));
		printf("\nlist orders (first, next, best, worst):");
		for (unsigned int o = 0; o < MYHEAP_NR_ORDERS; o++)
			printf(" %s", myheap_order_name(o));
		printf("\n");
	}
	return EXIT_OK;
}
