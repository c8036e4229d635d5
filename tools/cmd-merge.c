/* cmd-merge.c — `vmreplay merge DB --trace A --trace B[@SHIFT] --name C`:
 * a new trace interleaving stored ones in time. */
#include "builtin.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUTS 16

static const char usage[] =
    "usage: vmreplay merge DB --trace A --trace B[@SHIFT] ... --name C\n"
    "\n"
    "  -t, --trace NAME[@SHIFT]  an input trace; SHIFT (10s, 500ms) starts\n"
    "                            it that long after the first input\n"
    "  -n, --name NAME           the new trace\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"trace", required_argument, NULL, 't'},
	    {"name", required_argument, NULL, 'n'},
	    {"absolute", no_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	struct rp_merge_input in[MAX_INPUTS];
	char *names[MAX_INPUTS];
	const char *name = NULL;
	struct rp_error err = {{0}};
	int c, n = 0, rc = EXIT_USAGE, absolute = 0;

	if (vr_wants_help(argc, argv))
		return vr_help(usage);
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:n:a", longopts, NULL)) != -1) {
		if (c == 'a') {
			absolute = 1;
			continue;
		}
		if (c == 'n') {
			name = optarg;
			continue;
		}
		if (c != 't' || n == MAX_INPUTS) {
			vr_usage_error(usage,
				       "merge: bad option or more than "
				       "%d inputs",
				       MAX_INPUTS);
			goto out;
		}
		names[n] = strdup(optarg);
		char *at = names[n] ? strrchr(names[n], '@') : NULL;
		in[n].trace = names[n];
		in[n].shift_ns = 0;
		n++;
		if (at) {
			*at = '\0';
			if ((in[n - 1].shift_ns = rp_parse_duration(at + 1)) <
			    0) {
				vr_usage_error(usage,
					       "merge: not a duration: "
					       "'%s'",
					       at + 1);
				goto out;
			}
		}
	}
	if (argc - optind != 1 || n < 1 || !name) {
		vr_usage_error(usage, "merge: give DB, --trace and --name");
		goto out;
	}
	struct rp_store *store, *reader;
	if (rp_store_open(argv[optind], RP_STORE_BULK, &store, &err)) {
		rc = vr_fail_err(&err);
		goto out;
	}
	if (rp_store_open(argv[optind], RP_STORE_READONLY, &reader, &err)) {
		rp_store_close(store);
		rc = vr_fail_err(&err);
		goto out;
	}
	rc = rp_merge(store, reader, in, n, name, absolute, &err)
		 ? vr_fail_err(&err)
		 : EXIT_OK;
	rp_store_close(reader);
	rp_store_close(store);
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
