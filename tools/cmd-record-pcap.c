/* cmd-record-pcap.c — `vmreplay record pcap -i IFACE -o DB ...`: live packet
 * capture into a trace (rp_record_pcap in libreplay).  Stops on SIGINT or
 * SIGTERM, after --duration or --count, or when COMMAND (started once the
 * capture runs) exits; what was captured up to then is stored. */
#include "builtin.h"
#include "libreplay-pcap.h"

#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char record_pcap_usage[] =
    "usage: vmreplay record pcap -i IFACE -o DB [--name NAME]\n"
    "           [--filter BPF] [--snaplen N] [--buffer MB] [--duration T]\n"
    "           [--count N] [--host ADDR] [-Z USER] [--quiet]\n"
    "           [-- COMMAND ...]\n"
    "\n"
    "  -i, --interface IFACE  interface to capture on\n"
    "  -o, --output DB        database to store the trace in (created)\n"
    "  -n, --name NAME        trace name (default: IFACE-DATE-TIME)\n"
    "  -f, --filter BPF       capture filter (pcap-filter(7))\n"
    "  -s, --snaplen N        bytes kept per frame (default 262144)\n"
    "  -B, --buffer MB        kernel capture buffer (default 64)\n"
    "  -d, --duration T       stop after T (10, 10s, 500ms, 2m)\n"
    "  -c, --count N          stop after N frames\n"
    "      --host ADDR        the observed host (default: inferred)\n"
    "  -Z, --user USER        drop root privileges once capturing\n"
    "  -q, --quiet            no summary\n"
    "  -- COMMAND ...         run COMMAND while capturing; stop when it\n"
    "                         exits (exit status 1 if it failed)\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct rec {
	char **cmd;
	pid_t pid;
	int status, exited;
};

static int start_command(void *arg)
{
	struct rec *r = arg;
	if (!r->cmd)
		return 0;
	fflush(NULL);
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(r->cmd[0], r->cmd);
		fprintf(stderr, "vmreplay: %s: %s\n", r->cmd[0],
			strerror(errno));
		_exit(127);
	}
	return 0;
}

static int should_stop(void *arg)
{
	struct rec *r = arg;
	if (stop_signal)
		return 1;
	if (r->pid > 0 && !r->exited &&
	    waitpid(r->pid, &r->status, WNOHANG) == r->pid)
		r->exited = 1;
	return r->exited;
}

/* "10", "10s", "500ms", "2m", "1h" -> seconds; -1 if bad. */
static double parse_duration(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "ms"))
		return v / 1000;
	if (!strcmp(end, "m"))
		return v * 60;
	if (!strcmp(end, "h"))
		return v * 3600;
	return -1;
}

static int parse_count(const char *s, unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

static void print_warning(const char *line, void *arg)
{
	(void)arg;
	fprintf(stderr, "vmreplay: warning: %s\n", line);
}

/* The command line, quoted loosely, for the trace's `command` column. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 3;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = 0;
	for (int i = 0; i < argc; i++) {
		int q = strpbrk(argv[i], " \t'\"") != NULL;
		strcat(s, i ? " " : "");
		strcat(s, q ? "'" : "");
		strcat(s, argv[i]);
		strcat(s, q ? "'" : "");
	}
	return s;
}

int cmd_record_pcap(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"interface", required_argument, NULL, 'i'},
	    {"output", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"filter", required_argument, NULL, 'f'},
	    {"snaplen", required_argument, NULL, 's'},
	    {"buffer", required_argument, NULL, 'B'},
	    {"duration", required_argument, NULL, 'd'},
	    {"count", required_argument, NULL, 'c'},
	    {"host", required_argument, NULL, 'H'},
	    {"user", required_argument, NULL, 'Z'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct rp_pcap_options opt;
	struct rp_pcap_summary sum;
	struct rp_trace_meta meta;
	struct rp_error err = {{0}};
	struct rec r = {NULL, 0, 0, 0};
	const char *db = NULL, *iface = NULL;
	unsigned long long n;
	char name[128], host[256];
	struct utsname uts;
	int c, quiet = 0;

	memset(&opt, 0, sizeof opt);
	memset(&meta, 0, sizeof meta);
	optind = 1;
	/* "+": stop at the first non-option, so COMMAND keeps its options */
	while ((c = getopt_long(argc, argv, "+i:o:n:f:s:B:d:c:Z:qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i': iface = optarg; break;
		case 'o': db = optarg; break;
		case 'n': meta.name = optarg; break;
		case 'f': opt.filter = optarg; break;
		case 's':
			if (parse_count(optarg, &n) < 0 || n < 64 || n > 262144)
				return vr_usage_error(record_pcap_usage,
						      "record pcap: --snaplen "
						      "must be 64..262144");
			opt.snaplen = (int)n;
			break;
		case 'B':
			if (parse_count(optarg, &n) < 0 || n < 1 || n > 4096)
				return vr_usage_error(record_pcap_usage,
						      "record pcap: --buffer "
						      "must be 1..4096 MB");
			opt.buffer_kb = (int)n * 1024;
			break;
		case 'd':
			opt.duration_s = parse_duration(optarg);
			if (opt.duration_s <= 0)
				return vr_usage_error(record_pcap_usage,
						      "record pcap: bad "
						      "--duration '%s'",
						      optarg);
			break;
		case 'c':
			if (parse_count(optarg, &n) < 0 || n == 0)
				return vr_usage_error(
				    record_pcap_usage,
				    "record pcap: bad --count "
				    "'%s'",
				    optarg);
			opt.count = n;
			break;
		case 'H': {
			unsigned char a[16];
			if (inet_pton(AF_INET, optarg, a) != 1 &&
			    inet_pton(AF_INET6, optarg, a) != 1)
				return vr_usage_error(
				    record_pcap_usage,
				    "record pcap: --host '%s' is "
				    "not an IP address",
				    optarg);
			opt.host = optarg;
			break;
		}
		case 'Z': opt.user = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': return vr_help(record_pcap_usage);
		default:
			return vr_usage_error(record_pcap_usage,
					      "record pcap: bad option");
		}
	}
	if (optind < argc)
		r.cmd = argv + optind;
	if (!iface)
		return vr_usage_error(record_pcap_usage,
				      "record pcap: -i IFACE is required");
	if (!db)
		return vr_usage_error(record_pcap_usage,
				      "record pcap: -o DB is required");
	if (!meta.name) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];
		localtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		snprintf(name, sizeof name, "%s-%s", iface, stamp);
		meta.name = name;
	}
	meta.source = "pcap-live";
	meta.origin = iface;
	if (gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = 0;
		meta.host = host;
	}
	if (uname(&uts) == 0)
		meta.kernel = uts.release;
	char *cmdline = join_args(argc, argv);
	meta.command = cmdline;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct rp_store *store;
	if (rp_store_open(db, RP_STORE_CREATE, &store, &err)) {
		free(cmdline);
		return vr_fail_err(&err);
	}
	opt.warn = print_warning;
	opt.started = start_command;
	opt.should_stop = should_stop;
	opt.arg = &r;
	int64_t id;
	if (!quiet)
		fprintf(stderr, "vmreplay: capturing on %s%s\n", iface,
			r.cmd ? " while the command runs" : "; stop with ^C");
	int rc = rp_record_pcap(store, iface, &meta, &opt, &id, &sum, &err);
	rp_store_close(store);
	free(cmdline);
	/* the command may still run (we were stopped by a signal or a limit) */
	if (r.pid > 0 && !r.exited) {
		kill(r.pid, SIGTERM);
		if (waitpid(r.pid, &r.status, 0) == r.pid)
			r.exited = 1;
	}
	if (rc)
		return vr_fail_err(&err);
	if (!quiet)
		rp_pcap_summary_print(&sum, stderr);
	fprintf(stderr, "vmreplay: recorded %llu events as trace '%s'\n",
		(unsigned long long)sum.events, meta.name);
	if (r.pid > 0 && r.exited &&
	    (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)) {
		fprintf(stderr, "vmreplay: the command failed (%s %d)\n",
			WIFEXITED(r.status) ? "exit status" : "signal",
			WIFEXITED(r.status) ? WEXITSTATUS(r.status)
					    : WTERMSIG(r.status));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
