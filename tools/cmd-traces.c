/* cmd-traces.c — `vmreplay traces DB`: the stored traces, one a row;
 * `--delete NAME` removes one with everything stored with it. */
#include "builtin.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void format_time(int64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03d",
		 (int)((ns % 1000000000) / 1000000));
}

static int print_trace(const struct rp_trace_row *r, void *arg)
{
	char id[24], events[24], start[48] = "", span[32] = "";
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	snprintf(events, sizeof events, "%lld", (long long)r->events);
	if (r->events) {
		format_time(r->first_ns, start, sizeof start);
		snprintf(span, sizeof span, "%.3f",
			 (double)(r->last_ns - r->first_ns) / 1e9);
	}
	const char *row[] = {id,    r->name, r->source, events,
			     start, span,    r->created};
	return rp_table_row(arg, row);
}

static int delete_trace(const char *db, const char *name)
{
	struct rp_error err = {{0}};
	struct rp_store *store;
	int64_t events;
	if (rp_store_open(db, 0, &store, &err))
		return vr_fail_err(&err);
	int rc = rp_store_trace_delete(store, name, &events, &err);
	rp_store_close(store);
	if (rc)
		return vr_fail_err(&err);
	fprintf(stderr,
		"vmreplay: deleted trace '%s' (%lld events) and its "
		"runs\n",
		name, (long long)events);
	return EXIT_OK;
}

int cmd_traces(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"delete", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	const char *del = NULL;
	static const char *const cols[] = {
	    "id", "name", "source", "events", "start_utc", "span_s", "created"};
	const char *usage = vr_command_find("traces")->usage;
	struct rp_error err = {{0}};
	int c, fmt = RP_FORMAT_TABLE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:", longopts, NULL)) != -1) {
		if (c == 'd')
			del = optarg;
		else if (c != 'f' || (fmt = rp_format_parse(optarg)) < 0)
			return vr_usage_error(usage, "traces: bad option");
	}
	if (argc - optind != 1)
		return vr_usage_error(usage, "traces: give one DB");
	if (del)
		return delete_trace(argv[optind], del);

	struct rp_store *store;
	if (rp_store_open(argv[optind], RP_STORE_READONLY, &store, &err))
		return vr_fail_err(&err);
	struct rp_table *t = rp_table_new((enum rp_format_kind)fmt, stdout);
	int rc = -1;
	if (t && rp_table_columns(t, 7, cols) == 0)
		rc = rp_store_trace_each(store, print_trace, t, &err);
	if (t && rp_table_finish(t))
		rc = rp_error_set(&err, "write error");
	rp_table_free(t);
	rp_store_close(store);
	return rc ? vr_fail_err(&err) : EXIT_OK;
}
