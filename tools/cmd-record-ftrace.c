/* cmd-record-ftrace.c — `vmreplay record ftrace`: live kernel tracepoints
 * into a trace (libreplay record-ftrace.c). */
#include "cmd-kernel.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: vmreplay record ftrace -o DB [--name NAME] [--events SET,...]\n"
    "           [--duration T] [--buffer-kb N]\n"
    "           [--pid P | [--follow] -- COMMAND [ARG...]]\n"
    "\n"
    "  Records kernel tracepoints in a private ftrace instance until\n"
    "  Ctrl-C, --duration or the end of COMMAND; stores them as one trace\n"
    "  and the reclaim the kernel did as a run of kind 'captured'.\n"
    "  -o, --output DB      database to store the trace in (created)\n"
    "  -n, --name NAME      trace name (default: ftrace-YYYYmmdd-HHMMSS)\n"
    "  -e, --events SETS    kmem, vmscan, filemap, block, net, all\n"
    "                       (default: kmem,vmscan)\n"
    "  -d, --duration T     stop after T (10s, 500ms, 2m)\n"
    "  -b, --buffer-kb N    ring buffer per CPU in KiB (default 8192)\n"
    "  -p, --pid P          trace only process P and its new children\n"
    "  -f, --follow         trace only COMMAND and its children (default:\n"
    "                       the whole system while COMMAND runs)\n"
    "      --drain-ms N     drain period (default 200)\n"
    "      --no-run         do not store the 'captured' run\n";

int cmd_record_ftrace(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"events", required_argument, NULL, 'e'},
	    {"duration", required_argument, NULL, 'd'},
	    {"buffer-kb", required_argument, NULL, 'b'},
	    {"pid", required_argument, NULL, 'p'},
	    {"follow", no_argument, NULL, 'f'},
	    {"drain-ms", required_argument, NULL, 'D'},
	    {"no-run", no_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static volatile sig_atomic_t stop;
	struct rp_ftrace_options opt = {.warn = vr_kwarn};
	struct rp_ftrace_result res;
	struct rp_trace_meta meta = {0};
	struct rp_error err = {{0}};
	const char *db = NULL;
	char name[64], *end;
	long v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:n:e:d:b:p:fh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'o': db = optarg; break;
		case 'n': meta.name = optarg; break;
		case 'e': opt.events = optarg; break;
		case 'd':
			if ((opt.duration_ns = rp_parse_duration(optarg)) <= 0)
				return vr_usage_error(usage,
						      "record ftrace: bad "
						      "duration '%s'",
						      optarg);
			break;
		case 'b':
		case 'p':
		case 'D':
			v = strtol(optarg, &end, 10);
			if (*end || v <= 0 ||
			    v > (c == 'b' ? 4 << 20 : 1 << 30))
				return vr_usage_error(usage,
						      "record ftrace: bad "
						      "number '%s'",
						      optarg);
			if (c == 'b')
				opt.buffer_kb = (int)v;
			else if (c == 'p')
				opt.pid = (int)v;
			else
				opt.drain_ms = (int)v;
			break;
		case 'f': opt.follow = 1; break;
		case 'R': opt.no_run = 1; break;
		case 'h': return vr_help(usage);
		default:
			return vr_usage_error(usage,
					      "record ftrace: bad option");
		}
	}
	if (optind < argc)
		opt.command = argv + optind;
	if (!db)
		return vr_usage_error(usage,
				      "record ftrace: -o DB is required");
	if (opt.pid && opt.command)
		return vr_usage_error(usage, "record ftrace: --pid and a "
					     "COMMAND exclude each other");
	if (opt.follow && !opt.command)
		return vr_usage_error(
		    usage, "record ftrace: --follow needs a COMMAND");
	if (!meta.name) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(name, sizeof name, "ftrace-%Y%m%d-%H%M%S", &tm);
		meta.name = name;
	}

	struct rp_store *store;
	if (rp_store_open(db, RP_STORE_CREATE, &store, &err))
		return vr_fail_err(&err);
	struct rp_trace_row row;
	if (rp_store_trace_find(store, meta.name, &row, &err) == 0) {
		rp_store_close(store);
		return vr_fail("%s: a trace named '%s' exists already", db,
			       meta.name);
	}
	stop = 0;
	opt.stop = &stop;
	vr_kcatch_signals(&stop);
	if (!opt.command && !opt.duration_ns)
		fprintf(stderr, "vmreplay: recording; Ctrl-C to stop\n");
	int rc = rp_record_ftrace(store, &meta, &opt, &res, &err);
	rp_store_close(store);
	if (rc)
		return vr_fail_err(&err);
	char st[64];
	fprintf(stderr,
		"vmreplay: stored %lld events (%lld records) as trace '%s' in "
		"%.2f s of capture, recorder CPU %.3f s, decode %.2f s\n",
		(long long)res.events, (long long)res.records, meta.name,
		res.capture_s, res.capture_cpu_s, res.decode_s);
	if (res.run_id)
		fprintf(stderr,
			"vmreplay: captured reclaim stored as run %lld\n",
			(long long)res.run_id);
	if (opt.command)
		fprintf(stderr, "vmreplay: command %s: %s\n", opt.command[0],
			rp_wait_status_text(res.command_status, st, sizeof st));
	if (res.lost) {
		fprintf(stderr,
			"vmreplay: WARNING: %lld EVENTS WERE LOST (ring-buffer "
			"overrun); the trace is incomplete: use a larger "
			"--buffer-kb or fewer --events\n",
			(long long)res.lost);
		fprintf(stderr,
			"vmreplay: per-CPU counts: vmreplay sql %s "
			"\"select * from trace_stat where key like "
			"'ftrace.cpu%%'\"\n",
			db);
	}
	return EXIT_OK;
}
