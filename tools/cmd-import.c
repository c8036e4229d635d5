/* cmd-import.c — `vmreplay import SOURCE FILE -o DB ...`: dispatches to the
 * reader of SOURCE; `import csv` lives here too. */
#include "builtin.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

struct import_source {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct import_source sources[] = {
    {"csv", cmd_import_csv},
    {"pcap", cmd_import_pcap},
    {"ftrace", cmd_import_ftrace},
    {"perf", cmd_import_perf},
    {"mtrace", cmd_import_mtrace},
    {"proc", cmd_import_proc},
    {NULL, NULL},
};

int cmd_import(int argc, char **argv)
{
	const char *usage = vr_command_find("import")->usage;
	if (argc < 2)
		return vr_usage_error(usage, "import: which source?");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return vr_help(usage);
	for (const struct import_source *s = sources; s->name; s++)
		if (!strcmp(argv[1], s->name))
			return s->run(argc - 1, argv + 1);
	return vr_usage_error(usage, "import: unknown source '%s'", argv[1]);
}

static const char csv_usage[] =
    "usage: vmreplay import csv FILE -o DB [--name NAME]\n"
    "           [--format native|msr] [--map FIELD=COLUMN,...]\n"
    "           [--no-header] [--time-unit ns|us|ms|s]\n"
    "\n"
    "  -o, --output DB      database to store the trace in (created)\n"
    "  -n, --name NAME      trace name (default: the file name)\n"
    "  -f, --format F       native (event columns) or msr (MSR Cambridge)\n"
    "  -m, --map F=C,...    read file field F as event column C\n"
    "      --no-header      the file has no header line\n"
    "  -t, --time-unit U    unit of ts_ns values in the file (native)\n";

static int parse_time_unit(const char *s)
{
	static const char *const units[] = {"ns", "us", "ms", "s"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, units[i]))
			return i;
	return -1;
}

int cmd_import_csv(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"format", required_argument, NULL, 'f'},
	    {"map", required_argument, NULL, 'm'},
	    {"no-header", no_argument, NULL, 'H'},
	    {"time-unit", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct rp_csv_options opt = {.format = RP_CSV_NATIVE,
				     .time_unit = RP_TIME_NS};
	struct rp_trace_meta meta = {0};
	const char *db = NULL;
	struct rp_error err = {{0}};
	int c, unit;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:f:m:t:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'o': db = optarg; break;
		case 'n': meta.name = optarg; break;
		case 'f':
			if (!strcmp(optarg, "native"))
				opt.format = RP_CSV_NATIVE;
			else if (!strcmp(optarg, "msr"))
				opt.format = RP_CSV_MSR;
			else
				return vr_usage_error(csv_usage,
						      "import csv: unknown "
						      "format '%s'",
						      optarg);
			break;
		case 'm': opt.map = optarg; break;
		case 'H': opt.no_header = 1; break;
		case 't':
			if ((unit = parse_time_unit(optarg)) < 0)
				return vr_usage_error(csv_usage,
						      "import csv: unknown "
						      "time unit '%s'",
						      optarg);
			opt.time_unit = (enum rp_time_unit)unit;
			break;
		case 'h': return vr_help(csv_usage);
		default:
			return vr_usage_error(csv_usage,
					      "import csv: bad option");
		}
	}
	if (optind + 1 != argc)
		return vr_usage_error(csv_usage, "import csv: give one FILE");
	if (!db)
		return vr_usage_error(csv_usage,
				      "import csv: -o DB is required");
	const char *file = argv[optind];
	if (!meta.name)
		meta.name = vr_base_name(file);

	struct rp_store *store;
	int64_t id;
	if (rp_store_open(db, RP_STORE_CREATE | RP_STORE_BULK, &store, &err))
		return vr_fail_err(&err);
	opt.progress = vr_progress;
	opt.progress_arg = (void *)"import";
	int rc = rp_import_csv(store, file, &meta, &opt, &id, &err);
	vr_progress_end();
	if (rc) {
		rp_store_close(store);
		return vr_fail_err(&err);
	}
	struct rp_trace_row row;
	if (rp_store_trace_find(store, meta.name, &row, &err) == 0)
		fprintf(stderr,
			"vmreplay: imported %lld events from %s as "
			"trace '%s'\n",
			(long long)row.events, file, row.name);
	rp_store_close(store);
	return EXIT_OK;
}
