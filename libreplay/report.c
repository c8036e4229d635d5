/*
 * report.c — `vmreplay report` and `vmreplay compare`: reads runs back from
 * the store and lays them out for a kernel person (kernels as columns,
 * memory sizes as rows, one block per metric), or as tidy rows for CSV and
 * JSON.  Every figure printed here is also one SQL query away
 * (docs/results.md gives the queries).
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ report */

struct copy_ctx {
	struct rp_table *t;
	const char *section;
};

static int section_cb(int n, const char *const *names, const char *const *v,
		      void *arg)
{
	struct copy_ctx *c = arg;
	(void)names;
	const char *row[3] = {c->section, v[0], n > 1 ? v[1] : NULL};
	return rp_table_row(c->t, row);
}

static int report_one(struct rp_store *s, int64_t id, struct rp_table *t,
		      struct rp_error *err)
{
	static const char *const cols[] = {"section", "name", "value"};
	char sql[512];
	struct copy_ctx c = {t, "run"};
	if (rp_table_columns(t, 3, cols))
		return rp_error_set(err, "out of memory");
	/* run row fields, one per line */
	snprintf(
	    sql, sizeof sql,
	    "SELECT key, value FROM (SELECT r.id AS rid, t.name AS trace, "
	    "r.kind, r.kernel, r.mem_bytes, r.seed, r.model_version, "
	    "r.created, r.wall_ns, r.events FROM run r JOIN trace t ON "
	    "t.id = r.trace_id WHERE r.id = %lld) x, json_each(json_object("
	    "'run', x.rid, 'trace', x.trace, 'kind', x.kind, 'kernel', "
	    "x.kernel, 'mem_bytes', x.mem_bytes, 'seed', x.seed, "
	    "'model_version', x.model_version, 'created', x.created, "
	    "'wall_ns', x.wall_ns, 'events', x.events))",
	    (long long)id);
	if (rp_store_query(s, sql, 0, section_cb, &c, err))
		return -1;
	snprintf(sql, sizeof sql,
		 "SELECT name, value FROM run_param WHERE run_id = %lld ORDER "
		 "BY name",
		 (long long)id);
	c.section = "param";
	if (rp_store_query(s, sql, 0, section_cb, &c, err))
		return -1;
	snprintf(sql, sizeof sql,
		 "SELECT name, value FROM run_metric WHERE run_id = %lld "
		 "ORDER BY name",
		 (long long)id);
	c.section = "metric";
	return rp_store_query(s, sql, 0, section_cb, &c, err);
}

static int exists_cb(int n, const char *const *names, const char *const *v,
		     void *arg)
{
	(void)n;
	(void)names;
	(void)v;
	*(int *)arg = 1;
	return 0;
}

int rp_report(struct rp_store *s, int64_t run_id, struct rp_table *t,
	      struct rp_error *err)
{
	if (run_id > 0) {
		char sql[96];
		int found = 0;
		snprintf(sql, sizeof sql, "SELECT 1 FROM run WHERE id = %lld",
			 (long long)run_id);
		if (rp_store_query(s, sql, 0, exists_cb, &found, err))
			return -1;
		if (!found)
			return rp_error_set(err, "no run %lld",
					    (long long)run_id);
		return report_one(s, run_id, t, err);
	}
	return rp_store_query(
	    s,
	    "SELECT run_id AS run, trace, kind, kernel, mem_mb, "
	    "(SELECT value FROM run_metric WHERE run_id = s.run_id AND name "
	    "= 'events.applied') AS events, atomic_fail, "
	    "(SELECT sum(value) FROM run_metric WHERE run_id = s.run_id AND "
	    "name LIKE 'alloc_fail.o%') AS alloc_fail, net_rx_drop, "
	    "free_pages_min, stalls, p99_stall_ms, kswapd_wakeups, swap_out "
	    "FROM run_summary s ORDER BY run_id",
	    0, rp_table_row_cb, t, err);
}

/* ----------------------------------------------------------- compare */

/* The figures compare shows, each computed from a run's metrics. */
struct figure {
	const char *name;
	const char *title;
	const char *prefix; /* sum of metrics starting with this, or */
	const char *metric; /* one metric */
	double scale;	    /* printed value = value / scale */
	int optional;	    /* shown only when some run has it */
};

static const struct figure figures[] = {
    {"atomic_fail", "GFP_ATOMIC allocations that failed (all orders)",
     "atomic_fail.o", NULL, 1, 0},
    {"atomic_fail.o2", "GFP_ATOMIC order-2 failures (8 KB NFS datagrams)", NULL,
     "atomic_fail.o2", 1, 0},
    {"net_rx_drop", "datagrams dropped on receive", NULL, "net_rx_drop", 1, 0},
    {"alloc_fail", "allocations that failed (all orders, all GFP)",
     "alloc_fail.o", NULL, 1, 0},
    {"nr_free_pages_min", "lowest nr_free_pages", NULL, "nr_free_pages_min", 1,
     0},
    {"nr_free_pages_mean", "mean nr_free_pages (time-weighted)", NULL,
     "nr_free_pages_mean", 1, 0},
    {"stall.p99_ms", "allocation stall p99 (ms)", NULL, "stall.p99_ns", 1e6, 1},
    {"stall.max_ms", "allocation stall max (ms)", NULL, "stall.max_ns", 1e6, 1},
    {"kswapd.wakeups", "kswapd wake-ups", NULL, "kswapd.wakeups", 1, 1},
    {"swap.out", "pages swapped out", NULL, "swap.out", 1, 1},
    {"pagecache.hit_rate", "page-cache hit rate", NULL, "pagecache.hit_rate", 1,
     1},
};
#define NFIG RP_ARRAY_SIZE(figures)

struct column {
	char kernel[64];
	int captured;
};

struct cell {
	int col, row;
	double v[NFIG];
	unsigned have; /* bit per figure */
};

struct grid {
	struct column cols[64];
	int ncols;
	int64_t rows[64]; /* mem_bytes; 0 = captured (live) */
	int nrows;
	struct cell cells[64 * 64];
	int ncells;
	int64_t run[64 * 64]; /* run id per cell */
};

static int find_col(struct grid *g, const char *kernel, int captured)
{
	for (int i = 0; i < g->ncols; i++)
		if (!strcmp(g->cols[i].kernel, kernel) &&
		    g->cols[i].captured == captured)
			return i;
	if (g->ncols == 64)
		return -1;
	snprintf(g->cols[g->ncols].kernel, sizeof g->cols[0].kernel, "%s",
		 kernel);
	g->cols[g->ncols].captured = captured;
	return g->ncols++;
}

static int find_row(struct grid *g, int64_t mem)
{
	for (int i = 0; i < g->nrows; i++)
		if (g->rows[i] == mem)
			return i;
	if (g->nrows == 64)
		return -1;
	g->rows[g->nrows] = mem;
	return g->nrows++;
}

static struct cell *find_cell(struct grid *g, int col, int row)
{
	for (int i = 0; i < g->ncells; i++)
		if (g->cells[i].col == col && g->cells[i].row == row)
			return &g->cells[i];
	struct cell *c = &g->cells[g->ncells++];
	memset(c, 0, sizeof *c);
	c->col = col;
	c->row = row;
	return c;
}

/* rows: kind, kernel, mem_bytes, metric name, value */
static int grid_cb(int n, const char *const *names, const char *const *v,
		   void *arg)
{
	struct grid *g = arg;
	(void)n;
	(void)names;
	int captured = v[0] && !strcmp(v[0], "captured");
	int col = find_col(g, v[1] ? v[1] : "?", captured);
	int row = find_row(g, v[2] ? atoll(v[2]) : 0);
	if (col < 0 || row < 0 || !v[3] || !v[4])
		return 0;
	struct cell *c = find_cell(g, col, row);
	double value = atof(v[4]);
	for (size_t f = 0; f < NFIG; f++) {
		const struct figure *fg = &figures[f];
		int match = fg->prefix
				? !strncmp(v[3], fg->prefix, strlen(fg->prefix))
				: !strcmp(v[3], fg->metric);
		if (!match)
			continue;
		if (fg->prefix && (c->have & (1u << f)))
			c->v[f] += value / fg->scale;
		else
			c->v[f] = value / fg->scale;
		c->have |= 1u << f;
	}
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void mem_label(int64_t mem, char *buf, size_t size)
{
	if (mem == 0)
		snprintf(buf, size, "live");
	else if (mem % (1024 * 1024) == 0)
		snprintf(buf, size, "%lldM", (long long)(mem >> 20));
	else
		snprintf(buf, size, "%lldK", (long long)(mem >> 10));
}

static void value_text(double v, char *buf, size_t size)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.3f", v);
}

static const struct cell *cell_at(const struct grid *g, int col, int row)
{
	for (int i = 0; i < g->ncells; i++)
		if (g->cells[i].col == col && g->cells[i].row == row)
			return &g->cells[i];
	return NULL;
}

static int figure_present(const struct grid *g, size_t f)
{
	for (int i = 0; i < g->ncells; i++)
		if (g->cells[i].have & (1u << f))
			return 1;
	return 0;
}

static int print_blocks(const struct grid *g, FILE *out)
{
	for (size_t f = 0; f < NFIG; f++) {
		if (figures[f].optional && !figure_present(g, f))
			continue;
		struct rp_table *t = rp_table_new(RP_FORMAT_TABLE, out);
		const char *names[65];
		char colname[64][80];
		if (!t)
			return -1;
		fprintf(out, "%s — %s\n", figures[f].name, figures[f].title);
		names[0] = "mem";
		for (int c = 0; c < g->ncols; c++) {
			snprintf(colname[c], sizeof colname[c], "%s%s",
				 g->cols[c].captured ? "live:" : "",
				 g->cols[c].kernel);
			names[c + 1] = colname[c];
		}
		rp_table_columns(t, g->ncols + 1, names);
		for (int r = 0; r < g->nrows; r++) {
			char label[32], vals[64][40];
			const char *row[65];
			mem_label(g->rows[r], label, sizeof label);
			row[0] = label;
			for (int c = 0; c < g->ncols; c++) {
				const struct cell *cl = cell_at(g, c, r);
				row[c + 1] = NULL;
				if (cl && (cl->have & (1u << f))) {
					value_text(cl->v[f], vals[c],
						   sizeof vals[c]);
					row[c + 1] = vals[c];
				}
			}
			rp_table_row(t, row);
		}
		rp_table_finish(t);
		rp_table_free(t);
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

static int print_tidy(const struct grid *g, enum rp_format_kind kind, FILE *out)
{
	static const char *const cols[] = {"metric", "mem_mb", "kernel",
					   "value"};
	struct rp_table *t = rp_table_new(kind, out);
	if (!t)
		return -1;
	rp_table_columns(t, 4, cols);
	for (size_t f = 0; f < NFIG; f++)
		for (int r = 0; r < g->nrows; r++)
			for (int c = 0; c < g->ncols; c++) {
				const struct cell *cl = cell_at(g, c, r);
				char mem[32], val[40], kern[80];
				if (!cl || !(cl->have & (1u << f)))
					continue;
				snprintf(mem, sizeof mem, "%lld",
					 (long long)(g->rows[r] >> 20));
				snprintf(kern, sizeof kern, "%s%s",
					 g->cols[c].captured ? "live:" : "",
					 g->cols[c].kernel);
				value_text(cl->v[f], val, sizeof val);
				const char *row[] = {figures[f].name,
						     g->rows[r] ? mem : NULL,
						     kern, val};
				rp_table_row(t, row);
			}
	int rc = rp_table_finish(t);
	rp_table_free(t);
	return rc;
}

int rp_compare(struct rp_store *s, const char *trace, enum rp_format_kind kind,
	       FILE *out, struct rp_error *err)
{
	struct rp_trace_row tr;
	struct grid *g = calloc(1, sizeof *g);
	char sql[768];
	int ret = -1;

	if (!g)
		return rp_error_set(err, "out of memory");
	if (rp_store_trace_find(s, trace, &tr, err))
		goto out;
	/* the latest run of each (kind, kernel, size), in run order */
	snprintf(
	    sql, sizeof sql,
	    "SELECT r.kind, r.kernel, r.mem_bytes, m.name, m.value FROM "
	    "run r JOIN run_metric m ON m.run_id = r.id WHERE r.id IN "
	    "(SELECT max(id) FROM run WHERE trace_id = %lld GROUP BY kind, "
	    "kernel, mem_bytes) ORDER BY r.id, m.name",
	    (long long)tr.id);
	if (rp_store_query(s, sql, 0, grid_cb, g, err))
		goto out;
	if (g->ncells == 0) {
		rp_error_set(err,
			     "trace '%s' has no runs: run vmreplay replay "
			     "first",
			     trace);
		goto out;
	}
	qsort(g->rows, (size_t)g->nrows, sizeof g->rows[0], cmp_i64);
	/* cells refer to rows by index: rebuild them after sorting */
	{
		struct grid *h = calloc(1, sizeof *h);
		if (!h) {
			rp_error_set(err, "out of memory");
			goto out;
		}
		memcpy(h, g, sizeof *g);
		h->ncells = 0;
		if (rp_store_query(s, sql, 0, grid_cb, h, err)) {
			free(h);
			goto out;
		}
		free(g);
		g = h;
	}
	ret = kind == RP_FORMAT_TABLE ? print_blocks(g, out)
				      : print_tidy(g, kind, out);
	if (ret)
		rp_error_set(err, "write error");
out:
	free(g);
	return ret;
}
