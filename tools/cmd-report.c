/* cmd-report.c — `vmreplay report DB [--run N]`: one run in detail, or a
 * row per run. */
#include "builtin.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"run", required_argument, NULL, 'r'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = vr_command_find("report")->usage;
	struct rp_error err = {{0}};
	int c, fmt = RP_FORMAT_TABLE;
	long long run = 0;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:f:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			run = strtoll(optarg, &end, 10);
			if (*end || run <= 0)
				return vr_usage_error(usage, "report: --run: "
							     "not a run id");
			break;
		case 'f':
			if ((fmt = rp_format_parse(optarg)) < 0)
				return vr_usage_error(usage, "report: unknown "
							     "format");
			break;
		default: return vr_usage_error(usage, "report: bad option");
		}
	}
	if (argc - optind != 1)
		return vr_usage_error(usage, "report: give one DB");
	struct rp_store *store;
	if (rp_store_open(argv[optind], RP_STORE_READONLY, &store, &err))
		return vr_fail_err(&err);
	struct rp_table *t = rp_table_new((enum rp_format_kind)fmt, stdout);
	int rc = t ? rp_report(store, run, t, &err)
		   : rp_error_set(&err, "out of memory");
	if (t && rp_table_finish(t) && !rc)
		rc = rp_error_set(&err, "write error");
	rp_table_free(t);
	rp_store_close(store);
	return rc ? vr_fail_err(&err) : EXIT_OK;
}
