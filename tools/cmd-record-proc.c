/* cmd-record-proc.c — `vmreplay record proc`: live /proc memory samples
 * into a trace (libreplay record-proc.c). */
#include "cmd-kernel.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: vmreplay record proc -o DB [--name NAME] [--interval T]\n"
    "           [--duration T] [-- COMMAND [ARG...]]\n"
    "\n"
    "  Samples /proc/buddyinfo, vmstat, meminfo (and pagetypeinfo at most\n"
    "  once a second) until Ctrl-C, --duration or the end of COMMAND, and\n"
    "  stores them with the fragmentation indices as sample rows.\n"
    "  -o, --output DB      database to store the trace in (created)\n"
    "  -n, --name NAME      trace name (default: proc-YYYYmmdd-HHMMSS)\n"
    "  -i, --interval T     sampling period (default 100ms)\n"
    "  -d, --duration T     stop after T (10s, 500ms, 2m)\n";

int cmd_record_proc(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"interval", required_argument, NULL, 'i'},
	    {"duration", required_argument, NULL, 'd'},
	    {"procdir", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static volatile sig_atomic_t stop;
	struct rp_proc_options opt = {0};
	struct rp_proc_result res;
	struct rp_trace_meta meta = {0};
	struct rp_error err = {{0}};
	const char *db = NULL;
	char name[64];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:n:i:d:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'o': db = optarg; break;
		case 'n': meta.name = optarg; break;
		case 'i':
		case 'd': {
			int64_t ns = rp_parse_duration(optarg);
			if (ns <= 0)
				return vr_usage_error(usage,
						      "record proc: bad time "
						      "'%s'",
						      optarg);
			if (c == 'i')
				opt.interval_ns = ns;
			else
				opt.duration_ns = ns;
			break;
		}
		case 'P': opt.procdir = optarg; break;
		case 'h': return vr_help(usage);
		default:
			return vr_usage_error(usage, "record proc: bad option");
		}
	}
	if (optind < argc)
		opt.command = argv + optind;
	if (!db)
		return vr_usage_error(usage, "record proc: -o DB is required");
	if (!meta.name) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(name, sizeof name, "proc-%Y%m%d-%H%M%S", &tm);
		meta.name = name;
	}
	struct rp_store *store;
	if (rp_store_open(db, RP_STORE_CREATE, &store, &err))
		return vr_fail_err(&err);
	stop = 0;
	opt.stop = &stop;
	vr_kcatch_signals(&stop);
	if (!opt.command && !opt.duration_ns)
		fprintf(stderr, "vmreplay: sampling; Ctrl-C to stop\n");
	int rc = rp_record_proc(store, &meta, &opt, &res, &err);
	rp_store_close(store);
	if (rc)
		return vr_fail_err(&err);
	fprintf(stderr,
		"vmreplay: stored %lld samples in %lld rounds as trace '%s'\n",
		(long long)res.samples, (long long)res.rounds, meta.name);
	if (opt.command) {
		char st[64];
		fprintf(stderr, "vmreplay: command %s: %s\n", opt.command[0],
			rp_wait_status_text(res.command_status, st, sizeof st));
	}
	return EXIT_OK;
}
