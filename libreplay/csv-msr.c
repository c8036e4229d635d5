/* csv-msr.c — the MSR Cambridge block-trace format (SNIA IOTTA):
 * Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime, no header.
 * Timestamp is a Windows FILETIME (100 ns since 1601-01-01 UTC); each row
 * becomes a blk_read or blk_write of 512-byte sectors (docs/trace-format.md).
 */
#include "reader-csv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* FILETIME of 1970-01-01 00:00:00 UTC. */
#define FILETIME_UNIX_EPOCH 116444736000000000LL
#define SECTOR		    512

static const char *const msr_fields[] = {
    "Timestamp", "Hostname", "DiskNumber",   "Type",
    "Offset",	 "Size",     "ResponseTime",
};

struct msr {
	char host[128];
	int64_t response_sum_us, rows;
};

static void *msr_create(const struct rp_csv_options *opt)
{
	(void)opt;
	return calloc(1, sizeof(struct msr));
}

static void msr_destroy(void *state)
{
	free(state);
}

static int bad(int i, const struct rp_csv_field *f,
	       const struct rp_csv_pos *pos, const char *what,
	       struct rp_error *err)
{
	char q[128];
	return rp_error_set(err, "%s:%llu: field %d (%s): %s: '%s'", pos->path,
			    (unsigned long long)pos->line, i + 1, msr_fields[i],
			    what, rp_quote_field(f->s, f->len, q, sizeof q));
}

static int number(const struct rp_csv_field *f, int i,
		  const struct rp_csv_pos *pos, int64_t *v,
		  struct rp_error *err)
{
	if (!rp_parse_i64(f[i].s, f[i].len, v))
		return bad(i, &f[i], pos, "not a number", err);
	if (*v < 0)
		return bad(i, &f[i], pos, "negative", err);
	return 0;
}

static int msr_row(void *state, const struct rp_csv_field *f, int nf,
		   const struct rp_csv_pos *pos, struct rp_event *ev, int *emit,
		   struct rp_error *err)
{
	struct msr *m = state;
	int64_t ft, disk, off, size, resp;

	(void)emit;
	if (nf != 7)
		return rp_error_set(err,
				    "%s:%llu: %d fields, the MSR format has 7 "
				    "(Timestamp,Hostname,DiskNumber,Type,"
				    "Offset,Size,ResponseTime)",
				    pos->path, (unsigned long long)pos->line,
				    nf);
	if (number(f, 0, pos, &ft, err) || number(f, 2, pos, &disk, err) ||
	    number(f, 4, pos, &off, err) || number(f, 5, pos, &size, err) ||
	    number(f, 6, pos, &resp, err))
		return -1;
	if (ft < FILETIME_UNIX_EPOCH ||
	    ft > INT64_MAX / 100 + FILETIME_UNIX_EPOCH)
		return bad(0, &f[0], pos, "not a FILETIME after 1970", err);
	if (!strcasecmp(f[3].s, "Read"))
		ev->kind = RP_BLK_READ;
	else if (!strcasecmp(f[3].s, "Write"))
		ev->kind = RP_BLK_WRITE;
	else
		return bad(3, &f[3], pos, "not Read or Write", err);
	ev->ts_ns = (ft - FILETIME_UNIX_EPOCH) * 100;
	ev->present = RP_HAS(RP_COL_TS) | RP_HAS(RP_COL_KIND);
	rp_event_set(ev, RP_COL_DEV, disk);
	rp_event_set(ev, RP_COL_BLOCK, off / SECTOR);
	rp_event_set(ev, RP_COL_COUNT, (size + SECTOR - 1) / SECTOR);
	if (!m->host[0])
		snprintf(m->host, sizeof m->host, "%s", f[1].s);
	m->response_sum_us += resp / 10; /* ResponseTime is in 100 ns units */
	m->rows++;
	return 0;
}

static int msr_finish(void *state, struct rp_trace_writer *w,
		      struct rp_error *err)
{
	struct msr *m = state;
	char buf[32];
	if (m->host[0] && rp_trace_set_stat(w, "msr.hostname", m->host, err))
		return -1;
	if (m->rows) {
		snprintf(buf, sizeof buf, "%lld",
			 (long long)(m->response_sum_us / m->rows));
		if (rp_trace_set_stat(w, "msr.mean_response_us", buf, err))
			return -1;
	}
	return 0;
}

const struct rp_csv_mapping rp_csv_msr = {
    .source = "csv-msr",
    .create = msr_create,
    .row = msr_row,
    .finish = msr_finish,
    .destroy = msr_destroy,
};
