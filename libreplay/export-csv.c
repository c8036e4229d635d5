/* export-csv.c — writes a stored trace in the native CSV format with the
 * full header; importing the output gives the same rows back. */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>

#define BATCH 1024

static void write_event(FILE *out, const struct rp_event *ev)
{
	char gfp[40];
	for (int col = 0; col < RP_NCOLUMNS; col++) {
		if (col)
			fputc(',', out);
		if (!(ev->present & RP_HAS(col)))
			continue;
		switch (col) {
		case RP_COL_KIND: fputs(rp_kind_name(ev->kind), out); break;
		case RP_COL_GFP:
			fputs(rp_gfp_format(ev->gfp, gfp, sizeof gfp), out);
			break;
		default: fprintf(out, "%" PRId64, rp_event_get(ev, col));
		}
	}
	fputc('\n', out);
}

int rp_export_csv(struct rp_store *store, int64_t trace_id, FILE *out,
		  struct rp_error *err)
{
	struct rp_event_cursor *c;
	struct rp_event *evs = malloc(BATCH * sizeof *evs);
	size_t n;
	int ret = 0;

	if (!evs)
		return rp_error_set(err, "out of memory");
	if (rp_event_cursor_open(store, trace_id, &c, err)) {
		free(evs);
		return -1;
	}
	for (int col = 0; col < RP_NCOLUMNS; col++)
		fprintf(out, "%s%s", col ? "," : "", rp_column_name(col));
	fputc('\n', out);
	do {
		if (rp_event_cursor_next(c, evs, BATCH, &n, err)) {
			ret = -1;
			break;
		}
		for (size_t i = 0; i < n; i++)
			write_event(out, &evs[i]);
	} while (n > 0);
	rp_event_cursor_close(c);
	free(evs);
	if (!ret && (fflush(out) || ferror(out)))
		ret = rp_error_set(err, "write error");
	return ret;
}
