/* csv-native.c — the native CSV interchange format (docs/trace-format.md):
 * a header naming event columns (any subset, any order), one event a row,
 * empty fields are NULL.  --map renames file fields to event columns;
 * --no-header takes the columns in order; --time-unit scales ts_ns. */
#include "reader-csv.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COLS 64

struct native {
	const struct rp_csv_options *opt;
	int have_header;
	int ncols;	      /* fields per row */
	int col[MAX_COLS];    /* event column of field i, -1 = ignored */
	char *name[MAX_COLS]; /* field names for messages */
	int64_t scale;	      /* ns per time unit */
};

static void *native_create(const struct rp_csv_options *opt)
{
	struct native *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->opt = opt;
	static const int64_t scales[] = {[RP_TIME_NS] = 1,
					 [RP_TIME_US] = 1000,
					 [RP_TIME_MS] = 1000000,
					 [RP_TIME_S] = 1000000000};
	n->scale = scales[opt->time_unit];
	return n;
}

static void native_destroy(void *state)
{
	struct native *n = state;
	for (int i = 0; i < MAX_COLS; i++)
		free(n->name[i]);
	free(n);
}

/* Looks FIELD up in "FIELD=COLUMN,...": the event column, -1 if the map
 * does not name it, -2 if it maps to an unknown column. */
static int map_lookup(const char *map, const char *field, size_t flen)
{
	const char *p = map;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq && (size_t)(eq - p) == flen && !memcmp(p, field, flen)) {
			int c =
			    rp_column_parse(eq + 1, len - (size_t)(eq - p) - 1);
			return c >= 0 ? c : -2;
		}
		p = end ? end + 1 : NULL;
	}
	return -1;
}

static int set_field(struct native *n, int i, const char *label, int col,
		     const struct rp_csv_pos *pos, struct rp_error *err)
{
	for (int j = 0; j < i; j++)
		if (col >= 0 && n->col[j] == col)
			return rp_error_set(err,
					    "%s:%llu: field %d (%s): column %s "
					    "given twice",
					    pos->path,
					    (unsigned long long)pos->line,
					    i + 1, label, rp_column_name(col));
	n->col[i] = col;
	n->name[i] = strdup(label);
	return n->name[i] ? 0 : rp_error_set(err, "out of memory");
}

static int check_required(struct native *n, const struct rp_csv_pos *pos,
			  struct rp_error *err)
{
	int have_ts = 0, have_kind = 0;
	for (int i = 0; i < n->ncols; i++) {
		have_ts |= n->col[i] == RP_COL_TS;
		have_kind |= n->col[i] == RP_COL_KIND;
	}
	if (!have_ts || !have_kind)
		return rp_error_set(err, "%s:%llu: no %s column", pos->path,
				    (unsigned long long)pos->line,
				    have_ts ? "kind" : "ts_ns");
	n->have_header = 1;
	return 0;
}

static int read_header(struct native *n, const struct rp_csv_field *f, int nf,
		       const struct rp_csv_pos *pos, struct rp_error *err)
{
	if (nf > MAX_COLS)
		return rp_error_set(err, "%s:%llu: more than %d columns",
				    pos->path, (unsigned long long)pos->line,
				    MAX_COLS);
	n->ncols = nf;
	for (int i = 0; i < nf; i++) {
		int col = map_lookup(n->opt->map, f[i].s, f[i].len);
		if (col == -1)
			col = rp_column_parse(f[i].s, f[i].len);
		if (col < 0) {
			char q[128];
			return rp_error_set(
			    err,
			    "%s:%llu: field %d: unknown column '%s' "
			    "(expected ts_ns,kind,task,obj,order,bytes,gfp,"
			    "file,offset,count,dev,block,flags or --map)",
			    pos->path, (unsigned long long)pos->line, i + 1,
			    rp_quote_field(f[i].s, f[i].len, q, sizeof q));
		}
		if (set_field(n, i, f[i].s, col, pos, err))
			return -1;
	}
	return check_required(n, pos, err);
}

/* --no-header: fields are the native columns in order, or numbered fields
 * renamed by --map ("1=ts_ns,3=kind"). */
static int implicit_header(struct native *n, int nf,
			   const struct rp_csv_pos *pos, struct rp_error *err)
{
	if (nf > MAX_COLS)
		nf = MAX_COLS;
	n->ncols = nf;
	for (int i = 0; i < nf; i++) {
		char label[16];
		snprintf(label, sizeof label, "%d", i + 1);
		int col = n->opt->map
			      ? map_lookup(n->opt->map, label, strlen(label))
			      : (i < RP_NCOLUMNS ? i : -1);
		if (col == -2)
			return rp_error_set(err,
					    "--map: field %d maps to an "
					    "unknown column",
					    i + 1);
		if (set_field(n, i, col >= 0 ? rp_column_name(col) : label, col,
			      pos, err))
			return -1;
	}
	return check_required(n, pos, err);
}

static int bad_field(const struct native *n, int i,
		     const struct rp_csv_field *f, const struct rp_csv_pos *pos,
		     const char *what, struct rp_error *err)
{
	char q[128];
	return rp_error_set(err, "%s:%llu: field %d (%s): %s: '%s'", pos->path,
			    (unsigned long long)pos->line, i + 1, n->name[i],
			    what, rp_quote_field(f->s, f->len, q, sizeof q));
}

static int parse_value(const struct native *n, int i,
		       const struct rp_csv_field *f,
		       const struct rp_csv_pos *pos, struct rp_event *ev,
		       struct rp_error *err)
{
	int col = n->col[i];
	int64_t v;

	switch (col) {
	case RP_COL_TS:
		if (!rp_parse_scaled(f->s, f->len, n->scale, &v))
			return bad_field(n, i, f, pos, "not a time", err);
		break;
	case RP_COL_KIND:
		if ((v = rp_kind_parse(f->s, f->len)) < 0)
			return bad_field(n, i, f, pos, "unknown event kind",
					 err);
		break;
	case RP_COL_GFP:
		if ((v = rp_gfp_parse(f->s, f->len)) < 0)
			return bad_field(n, i, f, pos, "unknown GFP class",
					 err);
		break;
	case RP_COL_ORDER:
		if (!rp_csv_int(f, &v))
			return bad_field(n, i, f, pos, "not a number", err);
		if (v < 0 || v > 14)
			return bad_field(n, i, f, pos, "order not in 0..14",
					 err);
		break;
	default:
		if (!rp_csv_int(f, &v))
			return bad_field(n, i, f, pos, "not a number", err);
	}
	rp_event_set(ev, col, v);
	return 0;
}

static int native_row(void *state, const struct rp_csv_field *f, int nf,
		      const struct rp_csv_pos *pos, struct rp_event *ev,
		      int *emit, struct rp_error *err)
{
	struct native *n = state;

	if (!n->have_header) {
		if (!n->opt->no_header) {
			*emit = 0;
			return read_header(n, f, nf, pos, err);
		}
		if (implicit_header(n, nf, pos, err))
			return -1;
	}
	if (nf != n->ncols)
		return rp_error_set(
		    err, "%s:%llu: %d fields, the header has %d", pos->path,
		    (unsigned long long)pos->line, nf, n->ncols);
	for (int i = 0; i < nf; i++) {
		if (n->col[i] < 0 || f[i].len == 0)
			continue;
		if (parse_value(n, i, &f[i], pos, ev, err))
			return -1;
	}
	for (int i = 0; i < nf; i++)
		if ((n->col[i] == RP_COL_TS || n->col[i] == RP_COL_KIND) &&
		    f[i].len == 0)
			return bad_field(n, i, &f[i], pos, "must not be empty",
					 err);
	return 0;
}

static int native_finish(void *state, struct rp_trace_writer *w,
			 struct rp_error *err)
{
	(void)state;
	(void)w;
	(void)err;
	return 0;
}

const struct rp_csv_mapping rp_csv_native = {
    .source = "csv-native",
    .create = native_create,
    .row = native_row,
    .finish = native_finish,
    .destroy = native_destroy,
};
