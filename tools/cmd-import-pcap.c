/* cmd-import-pcap.c — `vmreplay import pcap FILE -o DB [--name NAME]
 * [--host ADDR]`: stores a pcap/pcapng capture as a trace (the work is done
 * by rp_import_pcap in libreplay) and prints its summary. */
#include "builtin.h"
#include "libreplay-pcap.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char import_pcap_usage[] =
    "usage: vmreplay import pcap FILE -o DB [--name NAME] [--host ADDR]\n"
    "           [--packets all|fragments|none] [--quiet]\n"
    "\n"
    "  -o, --output DB      database to store the trace in (created)\n"
    "  -n, --name NAME      trace name (default: the file name)\n"
    "      --host ADDR      the observed host (default: inferred, the NFS\n"
    "                       client); net_rx events are the datagrams it\n"
    "                       received\n"
    "      --packets WHICH  frames stored as packet rows (default all)\n"
    "  -q, --quiet          no summary\n";

static void print_warning(const char *line, void *arg)
{
	(void)arg;
	vr_progress_end();
	fprintf(stderr, "vmreplay: warning: %s\n", line);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int cmd_import_pcap(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"host", required_argument, NULL, 'H'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"packets", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct rp_pcap_options opt;
	struct rp_pcap_summary sum;
	struct rp_trace_meta meta;
	struct rp_error err = {{0}};
	const char *db = NULL;
	int c, quiet = 0;

	memset(&opt, 0, sizeof opt);
	memset(&meta, 0, sizeof meta);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': db = optarg; break;
		case 'n': meta.name = optarg; break;
		case 'H': {
			unsigned char a[16];
			if (inet_pton(AF_INET, optarg, a) != 1 &&
			    inet_pton(AF_INET6, optarg, a) != 1)
				return vr_usage_error(
				    import_pcap_usage,
				    "import pcap: --host '%s' is "
				    "not an IP address",
				    optarg);
			opt.host = optarg;
			break;
		}
		case 'q': quiet = 1; break;
		case 'P':
			if (!strcmp(optarg, "all"))
				opt.packet_rows = RP_PCAP_ROWS_ALL;
			else if (!strcmp(optarg, "fragments"))
				opt.packet_rows = RP_PCAP_ROWS_FRAGMENTS;
			else if (!strcmp(optarg, "none"))
				opt.packet_rows = RP_PCAP_ROWS_NONE;
			else
				return vr_usage_error(import_pcap_usage,
						      "import pcap: --packets "
						      "all|fragments|none");
			break;
		case 'h': return vr_help(import_pcap_usage);
		default:
			return vr_usage_error(import_pcap_usage,
					      "import pcap: bad option");
		}
	}
	if (optind + 1 != argc)
		return vr_usage_error(import_pcap_usage,
				      "import pcap: give one FILE");
	if (!db)
		return vr_usage_error(import_pcap_usage,
				      "import pcap: -o DB is required");
	const char *file = argv[optind];
	if (!meta.name)
		meta.name = base_name(file);
	meta.source = "pcap";
	meta.origin = file;

	struct rp_store *store;
	int64_t id;
	if (rp_store_open(db, RP_STORE_CREATE | RP_STORE_BULK, &store, &err))
		return vr_fail_err(&err);
	opt.progress = vr_progress;
	opt.progress_arg = (void *)"import";
	opt.warn = print_warning;
	int rc = rp_import_pcap(store, file, &meta, &opt, &id, &sum, &err);
	vr_progress_end();
	rp_store_close(store);
	if (rc)
		return vr_fail_err(&err);
	if (!quiet)
		rp_pcap_summary_print(&sum, stderr);
	fprintf(stderr,
		"vmreplay: imported %llu events from %s as trace '%s'\n",
		(unsigned long long)sum.events, file, meta.name);
	return EXIT_OK;
}
