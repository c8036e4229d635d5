/* reader-csv.h — the CSV import driver (reader-csv.c, built on libcsv) and
 * the per-format row mappings it calls (csv-native.c, csv-msr.c). */
#ifndef RP_READER_CSV_H
#define RP_READER_CSV_H

#include "internal.h"

struct rp_csv_field {
	const char *s; /* NUL-terminated */
	size_t len;
};

/* Where a row came from, for error messages. */
struct rp_csv_pos {
	const char *path;
	uint64_t line;
};

struct rp_csv_mapping {
	const char *source; /* trace.source: "csv-native", "csv-msr" */
	void *(*create)(const struct rp_csv_options *opt);
	/* Maps one record to *ev; sets *emit = 0 for rows that carry no event
	 * (the header).  Returns -1 with err = "file:line: field N (NAME):
	 * ...". */
	int (*row)(void *state, const struct rp_csv_field *f, int n,
		   const struct rp_csv_pos *pos, struct rp_event *ev, int *emit,
		   struct rp_error *err);
	/* Facts to store with the trace after the last row. */
	int (*finish)(void *state, struct rp_trace_writer *w,
		      struct rp_error *err);
	void (*destroy)(void *state);
};

extern const struct rp_csv_mapping rp_csv_native;
extern const struct rp_csv_mapping rp_csv_msr;

/* Parses an integer column value: decimal or 0x hex. */
bool rp_csv_int(const struct rp_csv_field *f, int64_t *out);

#endif
