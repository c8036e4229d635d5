/* cmd-replay.c — `vmreplay replay DB --trace NAME --kernel K,... --mem
 * S,...`: one pass over a stored trace drives every (kernel, size) model;
 * `--list-kernels [--verbose]` prints the kernels and their parameters. */
#include "builtin.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: vmreplay replay DB --trace NAME --kernel K1,K2,... --mem "
    "8M,32M,...\n"
    "           [--seed N] [--check] [--param NAME=VALUE]... [--sample "
    "T]\n"
    "           [--tasks PID,...] [--from T] [--to T] [--keep-objects "
    "N/D]\n"
    "           [--threads N]\n"
    "       vmreplay replay --list-kernels [--verbose] [--format "
    "text|csv|json]\n"
    "\n"
    "  -t, --trace NAME      the stored trace to replay\n"
    "  -k, --kernel LIST     kernels (spec §13 labels; --list-kernels)\n"
    "  -m, --mem LIST        memory sizes: 8M, 12M, 512M, ...\n"
    "  -s, --seed N          seed of the models' random generators (0)\n"
    "      --check           check the model's invariants after every "
    "event\n"
    "  -p, --param N=V       set a kernel parameter (repeatable)\n"
    "      --sample T        run_series interval (default: every tick, 10ms,\n"
    "                        or whole ticks giving at most 2000 samples)\n"
    "      --tasks LIST      replay only these tasks (interrupt events "
    "stay)\n"
    "      --from T, --to T  window, as time from the trace's first event\n"
    "      --keep-objects N/D  keep N of every D objects (by obj id hash),\n"
    "                        to fit a trace from a big machine into a "
    "small model\n"
    "      --threads N       worker threads (default: one per core)\n";

static int list_kernels(int verbose, int fmt)
{
	struct rp_table *t = rp_table_new((enum rp_format_kind)fmt, stdout);
	int rc = !t || rp_kernels_table(verbose, t) || rp_table_finish(t);
	rp_table_free(t);
	return rc ? vr_fail("cannot list kernels") : EXIT_OK;
}

static int add_param(const char ***params, int *n, const char *kv)
{
	const char **p = realloc(*params, (size_t)(*n + 1) * sizeof *p);
	if (!p)
		return -1;
	p[(*n)++] = kv;
	*params = p;
	return 0;
}

static int parse_keep(const char *s, uint32_t *num, uint32_t *den)
{
	unsigned a, b;
	char extra;
	if (sscanf(s, "%u/%u%c", &a, &b, &extra) != 2 || a == 0 || b == 0 ||
	    a > b)
		return -1;
	*num = a;
	*den = b;
	return 0;
}

static int time_opt(const char *name, const char *arg, int64_t *out)
{
	if ((*out = rp_parse_duration(arg)) < 0)
		return vr_usage_error(usage, "replay: %s: not a duration: '%s'",
				      name, arg);
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	enum {
		OPT_CHECK = 256,
		OPT_SAMPLE,
		OPT_TASKS,
		OPT_FROM,
		OPT_TO,
		OPT_KEEP,
		OPT_THREADS,
		OPT_LIST,
		OPT_VERBOSE,
		OPT_FORMAT
	};
	static const struct option longopts[] = {
	    {"trace", required_argument, NULL, 't'},
	    {"kernel", required_argument, NULL, 'k'},
	    {"mem", required_argument, NULL, 'm'},
	    {"seed", required_argument, NULL, 's'},
	    {"param", required_argument, NULL, 'p'},
	    {"check", no_argument, NULL, OPT_CHECK},
	    {"sample", required_argument, NULL, OPT_SAMPLE},
	    {"tasks", required_argument, NULL, OPT_TASKS},
	    {"from", required_argument, NULL, OPT_FROM},
	    {"to", required_argument, NULL, OPT_TO},
	    {"keep-objects", required_argument, NULL, OPT_KEEP},
	    {"threads", required_argument, NULL, OPT_THREADS},
	    {"list-kernels", no_argument, NULL, OPT_LIST},
	    {"verbose", no_argument, NULL, OPT_VERBOSE},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {NULL, 0, NULL, 0},
	};
	struct rp_replay_options opt = {0};
	const char **params = NULL;
	int c, list = 0, verbose = 0, fmt = RP_FORMAT_TABLE, rc;
	char *end;

	if (vr_wants_help(argc, argv))
		return vr_help(usage);
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:k:m:s:p:", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 't': opt.trace = optarg; break;
		case 'k': opt.kernels = optarg; break;
		case 'm': opt.mems = optarg; break;
		case 's':
			opt.seed = strtoull(optarg, &end, 0);
			if (*end)
				return vr_usage_error(usage, "replay: --seed: "
							     "not a number");
			break;
		case 'p':
			if (add_param(&params, &opt.nparams, optarg))
				return vr_fail("out of memory");
			break;
		case OPT_CHECK: opt.check = 1; break;
		case OPT_SAMPLE:
			if (time_opt("--sample", optarg, &opt.sample_ns))
				return EXIT_USAGE;
			break;
		case OPT_TASKS: opt.tasks = optarg; break;
		case OPT_FROM:
			if (time_opt("--from", optarg, &opt.from_ns))
				return EXIT_USAGE;
			break;
		case OPT_TO:
			if (time_opt("--to", optarg, &opt.to_ns))
				return EXIT_USAGE;
			break;
		case OPT_KEEP:
			if (parse_keep(optarg, &opt.keep_num, &opt.keep_den))
				return vr_usage_error(usage,
						      "replay: --keep-objects: "
						      "expected N/D with 0 < "
						      "N <= D");
			break;
		case OPT_THREADS: opt.threads = atoi(optarg); break;
		case OPT_LIST: list = 1; break;
		case OPT_VERBOSE: verbose = 1; break;
		case OPT_FORMAT:
			if ((fmt = rp_format_parse(optarg)) < 0)
				return vr_usage_error(usage, "replay: unknown "
							     "format");
			break;
		default:
			free(params);
			return vr_usage_error(usage, "replay: bad option");
		}
	}
	opt.params = params;
	if (list) {
		free(params);
		return list_kernels(verbose, fmt);
	}
	if (argc - optind != 1) {
		free(params);
		return vr_usage_error(usage, "replay: give one DB");
	}
	if (!opt.trace || !opt.kernels || !opt.mems) {
		free(params);
		return vr_usage_error(usage, "replay: --trace, --kernel and "
					     "--mem are required");
	}
	struct rp_store *store;
	struct rp_error err = {{0}};
	struct rp_replay_result res;
	if (rp_store_open(argv[optind], RP_STORE_BULK, &store, &err)) {
		free(params);
		return vr_fail_err(&err);
	}
	opt.progress = vr_progress;
	opt.progress_arg = (void *)"replay";
	rc = rp_replay(store, &opt, &res, &err);
	vr_progress_end();
	rp_store_close(store);
	free(params);
	if (rc)
		return vr_fail_err(&err);
	fprintf(stderr,
		"vmreplay: replayed %lld of %lld events through %d models in "
		"%.2f s; runs %lld..%lld\n",
		(long long)res.events_replayed, (long long)res.events_read,
		res.nruns, res.seconds, (long long)res.run_ids[0],
		(long long)res.run_ids[res.nruns - 1]);
	if (res.unknown_frees)
		fprintf(stderr,
			"vmreplay: warning: %lld frees of objects the models "
			"did not hold were skipped (metric unknown_free)\n",
			(long long)res.unknown_frees);
	return EXIT_OK;
}
