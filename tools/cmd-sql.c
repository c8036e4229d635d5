/* cmd-sql.c — `vmreplay sql DB 'SELECT ...'`: runs SQL and prints the rows
 * as a table, CSV or JSON; read-only unless --write. */
#include "builtin.h"

#include <getopt.h>
#include <stdio.h>

int cmd_sql(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"csv", no_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"write", no_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	const char *usage = vr_command_find("sql")->usage;
	struct rp_error err = {{0}};
	int c, fmt = RP_FORMAT_TABLE, writable = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': fmt = RP_FORMAT_CSV; break;
		case 'j': fmt = RP_FORMAT_JSON; break;
		case 'w': writable = 1; break;
		default: return vr_usage_error(usage, "sql: bad option");
		}
	}
	if (argc - optind != 2)
		return vr_usage_error(usage, "sql: give DB and one SQL text");

	struct rp_store *store;
	if (rp_store_open(argv[optind],
			  writable ? RP_STORE_CREATE : RP_STORE_READONLY,
			  &store, &err))
		return vr_fail_err(&err);
	struct rp_table *t = rp_table_new((enum rp_format_kind)fmt, stdout);
	int rc = t ? rp_store_query(store, argv[optind + 1], writable,
				    rp_table_row_cb, t, &err)
		   : rp_error_set(&err, "out of memory");
	if (t && rp_table_finish(t) && !rc)
		rc = rp_error_set(&err, "write error");
	rp_table_free(t);
	rp_store_close(store);
	return rc ? vr_fail_err(&err) : EXIT_OK;
}
