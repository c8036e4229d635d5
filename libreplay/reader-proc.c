/*
 * reader-proc.c — the /proc memory files as `sample` rows: buddyinfo
 * (free blocks per node, zone, order), pagetypeinfo (per migrate type, and
 * the pageblock counts), vmstat and meminfo; the kernel's unusable-free-
 * space and extfrag indices computed from buddyinfo (source "fragindex");
 * and `vmreplay import proc FILE...` of saved snapshots.  Shared by the
 * live sampler (record-proc.c).  Row names: docs/kernel-recorders.md.
 */
#include "kernel-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ORDERS 16
#define MAX_TYPES  12
#define MAX_COUNT  ((int64_t)1 << 48)

/* ---------------------------------------------------- fragmentation */

struct contig {
	int64_t free_pages, free_blocks_total, free_blocks_suitable;
};

static void fill_contig(const int64_t *nr_free, int norders, int order,
			struct contig *c)
{
	memset(c, 0, sizeof *c);
	for (int o = 0; o < norders && o < MAX_ORDERS; o++) {
		int64_t blocks = nr_free[o] < 0 ? 0 : nr_free[o];
		c->free_blocks_total += blocks;
		c->free_pages += blocks << o;
		if (o >= order)
			c->free_blocks_suitable += blocks << (o - order);
	}
}

int rp_frag_unusable(const int64_t *nr_free, int norders, int order)
{
	struct contig c;
	if (order < 0 || order >= MAX_ORDERS)
		return 0;
	fill_contig(nr_free, norders, order, &c);
	if (c.free_pages == 0)
		return 0;
	return (int)((c.free_pages - (c.free_blocks_suitable << order)) * 1000 /
		     c.free_pages);
}

int rp_frag_extfrag(const int64_t *nr_free, int norders, int order)
{
	struct contig c;
	if (order < 0 || order >= MAX_ORDERS)
		return 0;
	fill_contig(nr_free, norders, order, &c);
	if (!c.free_blocks_total)
		return 0;
	if (c.free_blocks_suitable)
		return -1000;
	int64_t requested = (int64_t)1 << order;
	return (int)(1000 - (1000 + c.free_pages * 1000 / requested) /
				c.free_blocks_total);
}

/* ----------------------------------------------------------- parsing */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool starts(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && memcmp(s, p, n) == 0;
}

const char *rp_proc_kind_name(enum rp_proc_kind kind)
{
	switch (kind) {
	case RP_PROC_BUDDYINFO: return "buddyinfo";
	case RP_PROC_PAGETYPEINFO: return "pagetypeinfo";
	case RP_PROC_VMSTAT: return "vmstat";
	case RP_PROC_MEMINFO: return "meminfo";
	default: return "unknown";
	}
}

enum rp_proc_kind rp_proc_detect(const char *data, size_t len)
{
	size_t i = 0;
	while (i < len && (data[i] == '\n' || data[i] == ' '))
		i++;
	const char *s = data + i;
	size_t n = len - i;
	const char *nl = memchr(s, '\n', n);
	size_t ll = nl ? (size_t)(nl - s) : n;
	if (starts(s, ll, "Page block order"))
		return RP_PROC_PAGETYPEINFO;
	if (starts(s, ll, "Node ") && memmem(s, ll, "zone", 4))
		return RP_PROC_BUDDYINFO;
	size_t t = 0;
	while (t < ll && s[t] != ' ' && s[t] != ':')
		t++;
	if (t == 0 || t == ll)
		return RP_PROC_UNKNOWN;
	if (s[t] == ':')
		return RP_PROC_MEMINFO;
	size_t v = t;
	while (v < ll && s[v] == ' ')
		v++;
	if (v < ll && (is_digit(s[v]) || s[v] == '-'))
		return RP_PROC_VMSTAT;
	return RP_PROC_UNKNOWN;
}

struct tokens {
	const char *s[48];
	size_t n[48];
	int count;
};

static void tokenize(const char *s, size_t len, struct tokens *t)
{
	size_t i = 0;
	t->count = 0;
	while (i < len && t->count < 48) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		t->s[t->count] = s + i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		t->n[t->count] = (size_t)(s + i - t->s[t->count]);
		t->count++;
	}
}

/* A count: digits, or ">100000" as newer pagetypeinfo caps them. */
static bool count(const char *s, size_t n, int64_t *v)
{
	if (n > 1 && s[0] == '>')
		s++, n--;
	return rp_parse_i64(s, n, v) && *v >= 0 && *v < MAX_COUNT;
}

/* Copies a token without a trailing ',' into buf. */
static bool word(const char *s, size_t n, char *buf, size_t size)
{
	if (n && s[n - 1] == ',')
		n--;
	if (n == 0 || n >= size)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c >= 127)
			return false;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

struct pctx {
	int64_t ts;
	const char *where;
	const struct rp_text_options *opt;
	int64_t *bad;
	rp_sample_cb cb;
	void *arg;
	struct rp_error *err;
	int64_t lineno;
	/* pagetypeinfo */
	char types[MAX_TYPES][32];
	int ntypes;
};

static int emit(struct pctx *c, const char *source, const char *node,
		const char *zone, const char *name, int64_t value)
{
	struct rp_sample s = {c->ts, source, node, zone, name, value};
	return c->cb(&s, c->arg, c->err);
}

/* 1 = skipped (warned), -1 = fatal. */
static int bad_line(struct pctx *c, const char *what, const char *s, size_t n)
{
	char q[96];
	rp_quote_field(s, n, q, sizeof q);
	if (c->bad)
		(*c->bad)++;
	if (c->opt && c->opt->strict)
		return rp_error_set(c->err, "%s:%lld: %s: '%s'", c->where,
				    (long long)c->lineno, what, q);
	if (c->opt && c->opt->warn) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s:%lld: %s: '%s' (line skipped)",
			 c->where, (long long)c->lineno, what, q);
		c->opt->warn(msg, c->opt->warn_arg);
	}
	return 1;
}

/* "Node 0, zone   Normal   4381 1093 ..." */
static int buddy_line(struct pctx *c, const char *s, size_t n)
{
	struct tokens t;
	char node[16], zone[32], name[32];
	int64_t nr[MAX_ORDERS];

	tokenize(s, n, &t);
	if (t.count < 5 || t.n[0] != 4 || memcmp(t.s[0], "Node", 4) ||
	    t.n[2] != 4 || memcmp(t.s[2], "zone", 4) ||
	    !word(t.s[1], t.n[1], node, sizeof node) ||
	    !word(t.s[3], t.n[3], zone, sizeof zone))
		return bad_line(c, "not a buddyinfo line", s, n);
	int norders = t.count - 4;
	if (norders > MAX_ORDERS)
		return bad_line(c, "too many orders", s, n);
	for (int o = 0; o < norders; o++)
		if (!count(t.s[4 + o], t.n[4 + o], &nr[o]))
			return bad_line(c, "bad free count", t.s[4 + o],
					t.n[4 + o]);
	for (int o = 0; o < norders; o++) {
		snprintf(name, sizeof name, "order.%d", o);
		if (emit(c, "buddyinfo", node, zone, name, nr[o]))
			return -1;
	}
	for (int o = 0; o < norders; o++) {
		snprintf(name, sizeof name, "unusable.o%d", o);
		if (emit(c, "fragindex", node, zone, name,
			 rp_frag_unusable(nr, norders, o)))
			return -1;
		snprintf(name, sizeof name, "extfrag.o%d", o);
		if (emit(c, "fragindex", node, zone, name,
			 rp_frag_extfrag(nr, norders, o)))
			return -1;
	}
	return 0;
}

static int pagetype_line(struct pctx *c, const char *s, size_t n)
{
	struct tokens t;
	char node[16], zone[32], type[32], name[64];
	int64_t v;

	tokenize(s, n, &t);
	if (t.count == 0)
		return 0;
	if (starts(s, n, "Page block order:") ||
	    starts(s, n, "Pages per block:")) {
		if (!count(t.s[t.count - 1], t.n[t.count - 1], &v))
			return bad_line(c, "bad number", s, n);
		return emit(c, "pagetypeinfo", NULL, NULL,
			    s[5] == 'b' ? "page_block_order"
					: "pages_per_block",
			    v)
			   ? -1
			   : 0;
	}
	if (starts(s, n, "Free pages count per migrate type"))
		return 0;
	if (starts(s, n, "Number of blocks type")) {
		c->ntypes = 0;
		for (int i = 4; i < t.count && c->ntypes < MAX_TYPES; i++)
			if (!word(t.s[i], t.n[i], c->types[c->ntypes++],
				  sizeof c->types[0]))
				return bad_line(c, "bad type name", s, n);
		return 0;
	}
	if (t.count < 4 || t.n[0] != 4 || memcmp(t.s[0], "Node", 4) ||
	    t.n[2] != 4 || memcmp(t.s[2], "zone", 4) ||
	    !word(t.s[1], t.n[1], node, sizeof node) ||
	    !word(t.s[3], t.n[3], zone, sizeof zone))
		return bad_line(c, "not a pagetypeinfo line", s, n);
	if (t.count > 5 && t.n[4] == 4 && memcmp(t.s[4], "type", 4) == 0) {
		if (!word(t.s[5], t.n[5], type, sizeof type))
			return bad_line(c, "bad type", s, n);
		for (int i = 6; i < t.count; i++) {
			if (!count(t.s[i], t.n[i], &v))
				return bad_line(c, "bad count", t.s[i], t.n[i]);
			snprintf(name, sizeof name, "%s.order.%d", type, i - 6);
			if (emit(c, "pagetypeinfo", node, zone, name, v))
				return -1;
		}
		return 0;
	}
	/* "Node 0, zone DMA   1  0  6 ..." under "Number of blocks type" */
	if (t.count - 4 > c->ntypes)
		return bad_line(c, "more block counts than types", s, n);
	for (int i = 4; i < t.count; i++) {
		if (!count(t.s[i], t.n[i], &v))
			return bad_line(c, "bad count", t.s[i], t.n[i]);
		snprintf(name, sizeof name, "blocks.%s", c->types[i - 4]);
		if (emit(c, "pagetypeinfo", node, zone, name, v))
			return -1;
	}
	return 0;
}

/* "nr_free_pages 903759" */
static int vmstat_line(struct pctx *c, const char *s, size_t n)
{
	struct tokens t;
	char name[96];
	int64_t v;
	tokenize(s, n, &t);
	if (t.count == 0)
		return 0;
	if (t.count != 2 || !word(t.s[0], t.n[0], name, sizeof name) ||
	    !rp_parse_i64(t.s[1], t.n[1], &v))
		return bad_line(c, "not a 'name value' line", s, n);
	return emit(c, "vmstat", NULL, NULL, name, v) ? -1 : 0;
}

/* "MemFree:        17852016 kB" (kB kept as printed) */
static int meminfo_line(struct pctx *c, const char *s, size_t n)
{
	struct tokens t;
	char name[96];
	int64_t v;
	tokenize(s, n, &t);
	if (t.count == 0)
		return 0;
	if (t.count < 2 || t.count > 3 || t.n[0] < 2 ||
	    t.s[0][t.n[0] - 1] != ':' ||
	    !word(t.s[0], t.n[0] - 1, name, sizeof name) ||
	    !rp_parse_i64(t.s[1], t.n[1], &v))
		return bad_line(c, "not a 'Name: value [kB]' line", s, n);
	return emit(c, "meminfo", NULL, NULL, name, v) ? -1 : 0;
}

int rp_proc_parse(enum rp_proc_kind kind, const char *data, size_t len,
		  int64_t ts_ns, const char *where,
		  const struct rp_text_options *opt, int64_t *bad,
		  rp_sample_cb cb, void *arg, struct rp_error *err)
{
	struct pctx c = {.ts = ts_ns,
			 .where = where,
			 .opt = opt,
			 .bad = bad,
			 .cb = cb,
			 .arg = arg,
			 .err = err};
	size_t i = 0;

	if (kind == RP_PROC_UNKNOWN)
		return rp_error_set(err,
				    "%s: not a buddyinfo, pagetypeinfo, "
				    "vmstat or meminfo file",
				    where);
	while (i < len) {
		const char *s = data + i;
		const char *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) : len - i;
		i += n + (nl ? 1 : 0);
		c.lineno++;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		int rc;
		switch (kind) {
		case RP_PROC_BUDDYINFO: rc = buddy_line(&c, s, n); break;
		case RP_PROC_PAGETYPEINFO: rc = pagetype_line(&c, s, n); break;
		case RP_PROC_VMSTAT: rc = vmstat_line(&c, s, n); break;
		default: rc = meminfo_line(&c, s, n); break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ import */

struct import_ctx {
	struct rp_trace_writer *w;
	int64_t samples;
};

static int add_sample(const struct rp_sample *s, void *arg,
		      struct rp_error *err)
{
	struct import_ctx *ic = arg;
	ic->samples++;
	return rp_trace_add_sample(ic->w, s, err);
}

#define MAX_PROC_FILE (16u << 20)

static int read_file(const char *path, char **out, size_t *len,
		     int64_t *mtime_ns, struct rp_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t cap = 65536, n = 0;
	char *buf;

	if (fd < 0)
		return rp_error_set(err, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == 0 && mtime_ns)
		*mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
			    st.st_mtim.tv_nsec;
	buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			if (cap >= MAX_PROC_FILE) {
				free(buf);
				close(fd);
				return rp_error_set(err,
						    "%s: larger than %u "
						    "bytes",
						    path, MAX_PROC_FILE);
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return rp_error_set(err, "%s: %s", path, strerror(e));
		}
		if (r == 0) {
			close(fd);
			*out = buf;
			*len = n;
			return 0;
		}
		n += (size_t)r;
	}
	free(buf);
	close(fd);
	return rp_error_set(err, "out of memory");
}

int rp_import_proc(struct rp_store *store, const char *const *paths,
		   size_t npaths, const struct rp_trace_meta *meta,
		   const struct rp_text_options *opt, int64_t *trace_id,
		   struct rp_text_stats *stats, struct rp_error *err)
{
	struct rp_text_stats st = {0};
	struct rp_trace_meta m = *meta;
	struct import_ctx ic = {0};
	char key[64], val[64];

	if (trace_id)
		*trace_id = 0;
	if (!m.source)
		m.source = "proc";
	if (!m.origin && npaths)
		m.origin = paths[0];
	if (rp_trace_begin(store, &m, &ic.w, err))
		return -1;
	for (size_t i = 0; i < npaths; i++) {
		char *data = NULL;
		size_t len = 0;
		int64_t mtime = 0;
		if (read_file(paths[i], &data, &len, &mtime, err))
			goto fail;
		enum rp_proc_kind kind = rp_proc_detect(data, len);
		int rc = rp_proc_parse(kind, data, len, mtime, paths[i], opt,
				       &st.malformed, add_sample, &ic, err);
		for (size_t j = 0; j < len; j++)
			st.lines += data[j] == '\n';
		free(data);
		if (rc)
			goto fail;
		snprintf(key, sizeof key, "file.%zu", i + 1);
		snprintf(val, sizeof val, "%s", rp_proc_kind_name(kind));
		if (rp_trace_set_stat(ic.w, key, val, err))
			goto fail;
	}
	snprintf(val, sizeof val, "%lld", (long long)st.malformed);
	if (rp_trace_set_stat(ic.w, "malformed_lines", val, err))
		goto fail;
	st.samples = ic.samples;
	int64_t id = rp_trace_id(ic.w);
	if (rp_trace_finish(ic.w, err)) {
		if (stats)
			*stats = st;
		return -1;
	}
	if (trace_id)
		*trace_id = id;
	if (stats)
		*stats = st;
	return 0;
fail:
	rp_trace_abort(ic.w);
	if (stats)
		*stats = st;
	return -1;
}
