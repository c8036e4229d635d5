/* cmd-import-text.c — `vmreplay import ftrace|perf|mtrace|proc`: the kernel
 * text readers (libreplay reader-*.c), and the helpers the kernel recorder
 * subcommands share (cmd-kernel.h). */
#include "cmd-kernel.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- helpers */

static volatile sig_atomic_t *signal_flag;

static void on_signal(int sig)
{
	(void)sig;
	if (signal_flag)
		*signal_flag = 1;
}

void vr_kcatch_signals(volatile sig_atomic_t *flag)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	signal_flag = flag;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void vr_kwarn(const char *msg, void *arg)
{
	(void)arg;
	fprintf(stderr, "vmreplay: %s\n", msg);
}

/* ------------------------------------------------------------ import */

enum text_kind { TEXT_FTRACE, TEXT_PERF, TEXT_MTRACE, TEXT_PROC };

static const char ftrace_usage[] =
    "usage: vmreplay import ftrace FILE -o DB [--name NAME] [--strict]\n"
    "           [--kernel RELEASE] [--no-run]\n"
    "\n"
    "  FILE is tracefs `trace` or `trace_pipe` text (with or without the\n"
    "  # header) or `trace-cmd report` output.\n"
    "  -o, --output DB      database to store the trace in (created)\n"
    "  -n, --name NAME      trace name (default: the file name)\n"
    "  -s, --strict         a malformed line fails the import\n"
    "  -k, --kernel REL     kernel release the trace was taken on\n"
    "      --no-run         do not store a 'captured' run of the reclaim\n";

static const char perf_usage[] =
    "usage: vmreplay import perf FILE -o DB [--name NAME] [--strict]\n"
    "           [--kernel RELEASE] [--no-run]\n"
    "\n"
    "  FILE is `perf script` output of kmem:, vmscan:, filemap:, block:,\n"
    "  net: and skb: tracepoints.\n"
    "  -o, --output DB      database to store the trace in (created)\n"
    "  -n, --name NAME      trace name (default: the file name)\n"
    "  -s, --strict         a malformed line fails the import\n"
    "  -k, --kernel REL     kernel release the trace was taken on\n"
    "      --no-run         do not store a 'captured' run of the reclaim\n";

static const char mtrace_usage[] =
    "usage: vmreplay import mtrace FILE -o DB [--name NAME] [--strict]\n"
    "           [--task N]\n"
    "\n"
    "  FILE is a glibc mtrace(3) log (MALLOC_TRACE).  Allocations become\n"
    "  kmalloc events, frees kfree events (address = obj), 1 us apart.\n"
    "  -o, --output DB      database to store the trace in (created)\n"
    "  -n, --name NAME      trace name (default: the file name)\n"
    "  -s, --strict         a malformed line fails the import\n"
    "  -t, --task N         task of the events (default: the number in\n"
    "                       m.N.log, else 1)\n";

static const char proc_usage[] =
    "usage: vmreplay import proc FILE... -o DB [--name NAME] [--strict]\n"
    "\n"
    "  FILEs are saved /proc/buddyinfo, pagetypeinfo, vmstat or meminfo\n"
    "  snapshots (recognised by content), stored as sample rows at the\n"
    "  file's modification time, with the fragmentation indices.\n"
    "  -o, --output DB      database to store the trace in (created)\n"
    "  -n, --name NAME      trace name (default: the first file name)\n"
    "  -s, --strict         a malformed line fails the import\n";

static int import_text(enum text_kind kind, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"strict", no_argument, NULL, 's'},
	    {"kernel", required_argument, NULL, 'k'},
	    {"task", required_argument, NULL, 't'},
	    {"no-run", no_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const char *const usages[] = {ftrace_usage, perf_usage,
					     mtrace_usage, proc_usage};
	static const char *const names[] = {"ftrace", "perf", "mtrace", "proc"};
	const char *usage = usages[kind], *what = names[kind];
	struct rp_text_options opt = {.warn = vr_kwarn};
	struct rp_trace_meta meta = {0};
	struct rp_text_stats st = {0};
	struct rp_error err = {{0}};
	const char *db = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:sk:t:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'o': db = optarg; break;
		case 'n': meta.name = optarg; break;
		case 's': opt.strict = 1; break;
		case 'k': meta.kernel = optarg; break;
		case 'R': opt.no_run = 1; break;
		case 't': {
			char *end;
			long long t = strtoll(optarg, &end, 10);
			if (*end || t <= 0 || kind != TEXT_MTRACE)
				return vr_usage_error(usage,
						      "import %s: bad --task "
						      "'%s'",
						      what, optarg);
			opt.task = t;
			break;
		}
		case 'h': return vr_help(usage);
		default:
			return vr_usage_error(usage, "import %s: bad option",
					      what);
		}
	}
	int nfiles = argc - optind;
	if (nfiles < 1 || (kind != TEXT_PROC && nfiles != 1))
		return vr_usage_error(usage, "import %s: give %s", what,
				      kind == TEXT_PROC ? "FILE..."
							: "one FILE");
	if (!db)
		return vr_usage_error(usage, "import %s: -o DB is required",
				      what);
	const char *file = argv[optind];
	if (!meta.name)
		meta.name = vr_base_name(file);

	struct rp_store *store;
	int64_t id = 0;
	if (rp_store_open(db, RP_STORE_CREATE | RP_STORE_BULK, &store, &err))
		return vr_fail_err(&err);
	opt.progress = vr_progress;
	opt.progress_arg = (void *)"import";
	int rc;
	switch (kind) {
	case TEXT_FTRACE:
		rc = rp_import_ftrace(store, file, &meta, &opt, &id, &st, &err);
		break;
	case TEXT_PERF:
		rc = rp_import_perf(store, file, &meta, &opt, &id, &st, &err);
		break;
	case TEXT_MTRACE:
		rc = rp_import_mtrace(store, file, &meta, &opt, &id, &st, &err);
		break;
	default:
		rc =
		    rp_import_proc(store, (const char *const *)argv + optind,
				   (size_t)nfiles, &meta, &opt, &id, &st, &err);
		break;
	}
	vr_progress_end();
	rp_store_close(store);
	if (rc)
		return vr_fail_err(&err);
	if (kind == TEXT_PROC)
		fprintf(stderr,
			"vmreplay: imported %lld samples from %d file%s as "
			"trace '%s'",
			(long long)st.samples, nfiles, nfiles == 1 ? "" : "s",
			meta.name);
	else
		fprintf(stderr,
			"vmreplay: imported %lld events from %s as trace '%s'",
			(long long)st.events, file, meta.name);
	fprintf(stderr, " (%lld unknown events, %lld malformed lines skipped",
		(long long)st.unknown, (long long)st.malformed);
	if (st.lost)
		fprintf(stderr, ", %lld events LOST in the capture",
			(long long)st.lost);
	if (st.run_id)
		fprintf(stderr, "; captured run %lld", (long long)st.run_id);
	fprintf(stderr, ")\n");
	return EXIT_OK;
}

int cmd_import_ftrace(int argc, char **argv)
{
	return import_text(TEXT_FTRACE, argc, argv);
}

int cmd_import_perf(int argc, char **argv)
{
	return import_text(TEXT_PERF, argc, argv);
}

int cmd_import_mtrace(int argc, char **argv)
{
	return import_text(TEXT_MTRACE, argc, argv);
}

int cmd_import_proc(int argc, char **argv)
{
	return import_text(TEXT_PROC, argc, argv);
}
