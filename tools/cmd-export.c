/* cmd-export.c — `vmreplay export csv DB --trace NAME [-o FILE]`. */
#include "builtin.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"trace", required_argument, NULL, 't'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = vr_command_find("export")->usage;
	const char *trace = NULL, *outpath = NULL;
	struct rp_error err = {{0}};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:o:", longopts, NULL)) != -1) {
		switch (c) {
		case 't': trace = optarg; break;
		case 'o': outpath = optarg; break;
		default: return vr_usage_error(usage, "export: bad option");
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "csv"))
		return vr_usage_error(usage, "export: expected 'csv DB'");
	if (!trace)
		return vr_usage_error(usage,
				      "export: --trace NAME is required");

	struct rp_store *store;
	struct rp_trace_row row;
	if (rp_store_open(argv[optind + 1], RP_STORE_READONLY, &store, &err))
		return vr_fail_err(&err);
	if (rp_store_trace_find(store, trace, &row, &err)) {
		rp_store_close(store);
		return vr_fail_err(&err);
	}
	FILE *out = stdout;
	if (outpath && !(out = fopen(outpath, "w"))) {
		rp_store_close(store);
		return vr_fail("%s: %s", outpath, strerror(errno));
	}
	int rc = rp_export_csv(store, row.id, out, &err);
	if (out != stdout && fclose(out) && !rc)
		rc = rp_error_set(&err, "%s: %s", outpath, strerror(errno));
	rp_store_close(store);
	if (rc && outpath)
		remove(outpath);
	return rc ? vr_fail_err(&err) : EXIT_OK;
}
