/* reader-csv.c — imports a CSV file as a trace: reads it with libcsv (the
 * only file that includes csv.h), hands each record to the format's mapping
 * (csv-native.c, csv-msr.c) and stores the events in one transaction. */
#include "reader-csv.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FIELDS  64
#define EVENT_BATCH 512

struct import {
	const struct rp_csv_mapping *map;
	void *state;
	struct rp_trace_writer *w;
	struct rp_error *err;
	struct rp_csv_pos pos;
	uint64_t record_line;
	/* the record being assembled */
	char *buf;
	size_t buf_len, buf_cap;
	size_t field_off[MAX_FIELDS];
	size_t field_len[MAX_FIELDS];
	int nfields;
	int too_many;
	int failed;
	int64_t last_ts;
	uint64_t rows;
	struct rp_event batch[EVENT_BATCH];
	size_t nbatch;
};

bool rp_csv_int(const struct rp_csv_field *f, int64_t *out)
{
	if (f->len > 2 && f->s[0] == '0' &&
	    (f->s[1] == 'x' || f->s[1] == 'X')) {
		uint64_t v = 0;
		if (f->len > 18)
			return false;
		for (size_t i = 2; i < f->len; i++) {
			char c = f->s[i];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				return false;
			v = v << 4 | (uint64_t)d;
		}
		*out = (int64_t)v;
		return true;
	}
	return rp_parse_i64(f->s, f->len, out);
}

static void on_field(void *s, size_t len, void *data)
{
	struct import *im = data;
	if (im->failed)
		return;
	if (im->nfields == 0)
		im->record_line = im->pos.line;
	if (im->nfields == MAX_FIELDS) {
		im->too_many = 1;
		return;
	}
	if (im->buf_len + len + 1 > im->buf_cap) {
		size_t cap = (im->buf_len + len + 1) * 2;
		char *nb = realloc(im->buf, cap);
		if (!nb) {
			im->failed = rp_error_set(im->err, "out of memory");
			return;
		}
		im->buf = nb;
		im->buf_cap = cap;
	}
	memcpy(im->buf + im->buf_len, s ? s : "", len);
	im->field_off[im->nfields] = im->buf_len;
	im->field_len[im->nfields] = len;
	im->buf_len += len;
	im->buf[im->buf_len++] = '\0';
	im->nfields++;
}

static int flush_batch(struct import *im)
{
	if (im->nbatch &&
	    rp_trace_append(im->w, im->batch, im->nbatch, im->err))
		return -1;
	im->nbatch = 0;
	return 0;
}

static int handle_record(struct import *im)
{
	struct rp_csv_field f[MAX_FIELDS];
	struct rp_csv_pos pos = {im->pos.path, im->record_line};
	struct rp_event *ev = &im->batch[im->nbatch];
	int emit = 1;

	if (im->too_many)
		return rp_error_set(im->err, "%s:%llu: more than %d fields",
				    pos.path, (unsigned long long)pos.line,
				    MAX_FIELDS);
	for (int i = 0; i < im->nfields; i++) {
		f[i].s = im->buf + im->field_off[i];
		f[i].len = im->field_len[i];
	}
	memset(ev, 0, sizeof *ev);
	if (im->map->row(im->state, f, im->nfields, &pos, ev, &emit, im->err))
		return -1;
	if (!emit)
		return 0;
	if (im->rows++ && ev->ts_ns < im->last_ts)
		return rp_error_set(im->err,
				    "%s:%llu: time %lld ns is before the "
				    "previous row's %lld ns: rows must be in "
				    "time order",
				    pos.path, (unsigned long long)pos.line,
				    (long long)ev->ts_ns,
				    (long long)im->last_ts);
	im->last_ts = ev->ts_ns;
	if (++im->nbatch == EVENT_BATCH)
		return flush_batch(im);
	return 0;
}

static void on_record(int c, void *data)
{
	struct import *im = data;
	(void)c;
	if (!im->failed && handle_record(im))
		im->failed = 1;
	im->nfields = 0;
	im->buf_len = 0;
	im->too_many = 0;
}

/* Feeds one line at a time so that errors can name the line. */
static int parse_chunk(struct csv_parser *p, struct import *im,
		       const char *data, size_t len)
{
	size_t i = 0;
	while (i < len && !im->failed) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) + 1 : len - i;
		if (csv_parse(p, data + i, n, on_field, on_record, im) != n) {
			return rp_error_set(im->err, "%s:%llu: %s",
					    im->pos.path,
					    (unsigned long long)im->pos.line,
					    csv_strerror(csv_error(p)));
		}
		if (nl)
			im->pos.line++;
		i += n;
	}
	return im->failed ? -1 : 0;
}

static int read_file(FILE *fp, struct import *im,
		     const struct rp_csv_options *opt)
{
	struct csv_parser p;
	char chunk[1 << 16];
	size_t n;
	uint64_t done = 0, total = 0;
	struct stat st;
	int ret = 0;

	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
		total = (uint64_t)st.st_size;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
			     CSV_EMPTY_IS_NULL))
		return rp_error_set(im->err, "out of memory");
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (parse_chunk(&p, im, chunk, n)) {
			ret = -1;
			break;
		}
		done += n;
		if (opt->progress)
			opt->progress(done, total, opt->progress_arg);
	}
	if (!ret && ferror(fp))
		ret = rp_error_set(im->err, "%s: read error: %s", im->pos.path,
				   strerror(errno));
	if (!ret && csv_fini(&p, on_field, on_record, im) != 0)
		ret = rp_error_set(im->err,
				   "%s:%llu: quoted field not terminated at "
				   "the end of the file",
				   im->pos.path,
				   (unsigned long long)(im->nfields
							    ? im->record_line
							    : im->pos.line));
	if (!ret && im->failed)
		ret = -1;
	csv_free(&p);
	return ret;
}

int rp_import_csv(struct rp_store *store, const char *path,
		  const struct rp_trace_meta *meta,
		  const struct rp_csv_options *opt, int64_t *trace_id,
		  struct rp_error *err)
{
	struct import *im = calloc(1, sizeof *im);
	struct rp_trace_meta m = *meta;
	FILE *fp = NULL;
	int ret = -1;

	if (!im)
		return rp_error_set(err, "out of memory");
	im->map = opt->format == RP_CSV_MSR ? &rp_csv_msr : &rp_csv_native;
	im->err = err;
	im->pos.path = path;
	im->pos.line = 1;
	if (!(fp = fopen(path, "rb"))) {
		rp_error_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!(im->state = im->map->create(opt))) {
		rp_error_set(err, "out of memory");
		goto out;
	}
	if (!m.source)
		m.source = im->map->source;
	if (!m.origin)
		m.origin = path;
	if (rp_trace_begin(store, &m, &im->w, err))
		goto out;
	if (read_file(fp, im, opt) || flush_batch(im) ||
	    im->map->finish(im->state, im->w, err)) {
		rp_trace_abort(im->w);
		goto out;
	}
	if (trace_id)
		*trace_id = rp_trace_id(im->w);
	ret = rp_trace_finish(im->w, err);
out:
	if (fp)
		fclose(fp);
	if (im->state)
		im->map->destroy(im->state);
	free(im->buf);
	free(im);
	return ret;
}
