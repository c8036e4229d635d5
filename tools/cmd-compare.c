/* cmd-compare.c — `vmreplay compare DB --trace NAME`: kernels as columns,
 * memory sizes as rows, one block per metric. */
#include "builtin.h"

#include <getopt.h>
#include <stdio.h>

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"trace", required_argument, NULL, 't'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = vr_command_find("compare")->usage;
	struct rp_error err = {{0}};
	const char *trace = NULL;
	int c, fmt = RP_FORMAT_TABLE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:f:", longopts, NULL)) != -1) {
		switch (c) {
		case 't': trace = optarg; break;
		case 'f':
			if ((fmt = rp_format_parse(optarg)) < 0)
				return vr_usage_error(usage, "compare: unknown "
							     "format");
			break;
		default: return vr_usage_error(usage, "compare: bad option");
		}
	}
	if (argc - optind != 1 || !trace)
		return vr_usage_error(usage,
				      "compare: give DB and --trace NAME");
	struct rp_store *store;
	if (rp_store_open(argv[optind], RP_STORE_READONLY, &store, &err))
		return vr_fail_err(&err);
	int rc =
	    rp_compare(store, trace, (enum rp_format_kind)fmt, stdout, &err);
	rp_store_close(store);
	return rc ? vr_fail_err(&err) : EXIT_OK;
}
