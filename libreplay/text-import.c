/*
 * text-import.c — what the line-oriented kernel text readers (ftrace,
 * perf script, mtrace) share: a buffered line reader with line numbers and
 * progress, and the import driver (one transaction, malformed lines warned
 * and skipped or fatal under --strict, a 'captured' run afterwards; the
 * store appends the events on a thread of its own while lines are parsed).
 */
#include "kernel-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINES_BUF (1u << 20) /* also the longest line */

int rp_lines_open(struct rp_lines *l, const char *path, struct rp_error *err)
{
	struct stat st;
	memset(l, 0, sizeof *l);
	l->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (l->fd < 0)
		return rp_error_set(err, "%s: %s", path, strerror(errno));
	if (fstat(l->fd, &st) == 0 && S_ISREG(st.st_mode))
		l->total = (uint64_t)st.st_size;
	l->path = path;
	l->cap = LINES_BUF;
	l->buf = malloc(l->cap);
	if (!l->buf) {
		close(l->fd);
		l->fd = -1;
		return rp_error_set(err, "out of memory");
	}
	return 0;
}

void rp_lines_mem(struct rp_lines *l, const char *name, const char *data,
		  size_t len)
{
	memset(l, 0, sizeof *l);
	l->fd = -1;
	l->path = name;
	l->buf = (char *)data; /* read-only use: never written in mem mode */
	l->cap = len;
	l->end = len;
	l->eof = 1;
	l->total = len;
}

static int fill(struct rp_lines *l, struct rp_error *err)
{
	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	while (l->end < l->cap) {
		ssize_t n = read(l->fd, l->buf + l->end, l->cap - l->end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return rp_error_set(err, "%s: %s", l->path,
					    strerror(errno));
		}
		if (n == 0) {
			l->eof = 1;
			break;
		}
		l->end += (size_t)n;
		l->done += (uint64_t)n;
		if (l->progress && l->done >= l->next_progress) {
			l->progress(l->done, l->total, l->progress_arg);
			l->next_progress = l->done + (4u << 20);
		}
		if (memchr(l->buf + l->end - (size_t)n, '\n', (size_t)n))
			break;
	}
	return 0;
}

int rp_lines_next(struct rp_lines *l, const char **s, size_t *len,
		  struct rp_error *err)
{
	for (;;) {
		char *b = l->buf + l->start;
		size_t avail = l->end - l->start;
		char *nl = avail ? memchr(b, '\n', avail) : NULL;
		if (nl || (l->eof && avail)) {
			size_t n = nl ? (size_t)(nl - b) : avail;
			l->start += nl ? n + 1 : n;
			if (n && b[n - 1] == '\r')
				n--;
			l->lineno++;
			*s = b;
			*len = n;
			return 1;
		}
		if (l->eof)
			return 0;
		if (avail == l->cap) {
			/* a line longer than the buffer: skip to its end */
			l->lineno++;
			for (;;) {
				l->start = l->end = 0;
				if (fill(l, err))
					return -1;
				nl = memchr(l->buf, '\n', l->end);
				if (nl) {
					l->start = (size_t)(nl - l->buf) + 1;
					return 2;
				}
				if (l->eof)
					return 2;
			}
		}
		if (fill(l, err))
			return -1;
	}
}

void rp_lines_close(struct rp_lines *l)
{
	if (l->fd >= 0) {
		close(l->fd);
		free(l->buf);
	}
	l->fd = -1;
	l->buf = NULL;
}

static void warn(const struct rp_text_options *opt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warn(const struct rp_text_options *opt, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	if (!opt || !opt->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	opt->warn(msg, opt->warn_arg);
}

#define MAX_WARNINGS 20

static int run_lines(const struct rp_text_parser *p, void *state,
		     struct rp_ksink *k, struct rp_lines *l,
		     const struct rp_text_options *opt,
		     struct rp_text_stats *st, struct rp_error *err)
{
	const char *s;
	size_t len;
	int rc;
	struct rp_error lerr;

	while ((rc = rp_lines_next(l, &s, &len, err)) != 0) {
		if (rc < 0)
			return -1;
		st->lines++;
		if (rc == 2) {
			snprintf(lerr.msg, sizeof lerr.msg,
				 "line longer than %u bytes", LINES_BUF);
			rc = 1;
		} else {
			lerr.msg[0] = '\0';
			rc = p->line(state, k, s, len, st, &lerr);
		}
		if (rc < 0)
			return rp_error_set(err, "%s:%lld: %s", l->path,
					    (long long)l->lineno, lerr.msg);
		if (rc == 1) {
			st->malformed++;
			if (opt && opt->strict)
				return rp_error_set(err, "%s:%lld: %s", l->path,
						    (long long)l->lineno,
						    lerr.msg);
			if (st->malformed <= MAX_WARNINGS)
				warn(opt, "%s:%lld: %s (line skipped)", l->path,
				     (long long)l->lineno, lerr.msg);
			else if (st->malformed == MAX_WARNINGS + 1)
				warn(opt,
				     "%s: more malformed lines; not "
				     "shown",
				     l->path);
		}
	}
	return 0;
}

int rp_text_import(struct rp_store *store, const char *path,
		   const struct rp_trace_meta *meta,
		   const struct rp_text_options *opt,
		   const struct rp_text_parser *p, int64_t *trace_id,
		   struct rp_text_stats *stats, struct rp_error *err)
{
	struct rp_text_stats st = {0};
	struct rp_trace_meta m = *meta;
	struct rp_trace_writer *w = NULL;
	struct rp_ksink *k = NULL;
	struct rp_lines l;
	void *state = NULL;
	char num[32];

	if (trace_id)
		*trace_id = 0;
	if (!m.source)
		m.source = p->source;
	if (!m.origin)
		m.origin = path;
	if (rp_lines_open(&l, path, err))
		return -1;
	if (opt) {
		l.progress = opt->progress;
		l.progress_arg = opt->progress_arg;
	}
	if (rp_trace_begin(store, &m, &w, err))
		goto fail;
	if (rp_ksink_new(w, &k, err))
		goto fail;
	rp_ksink_async(k); /* the store appends while we parse */
	state = p->create ? p->create(k, path, opt) : NULL;
	if (p->create && !state) {
		rp_error_set(err, "out of memory");
		goto fail;
	}
	if (run_lines(p, state, k, &l, opt, &st, err))
		goto fail;
	if (p->finish && p->finish(state, k, err))
		goto fail;
	rp_ksink_lost(k, st.lost);
	if (rp_ksink_finish(k, err))
		goto fail;
	snprintf(num, sizeof num, "%lld", (long long)st.malformed);
	if (rp_trace_set_stat(w, "malformed_lines", num, err))
		goto fail;
	snprintf(num, sizeof num, "%lld", (long long)st.lines);
	if (rp_trace_set_stat(w, "lines", num, err))
		goto fail;
	st.events = rp_ksink_events(k);
	st.unknown = rp_ksink_unknown_count(k);
	int64_t id = rp_trace_id(w);
	int reclaims = rp_ksink_reclaims(k) > 0;
	if (rp_trace_finish(w, err)) {
		w = NULL;
		goto fail;
	}
	w = NULL;
	if (trace_id)
		*trace_id = id;
	if (reclaims && !(opt && opt->no_run) &&
	    rp_captured_run_build(store, id, m.kernel ? m.kernel : "unknown",
				  &st.run_id, err))
		goto fail_after;
	if (p->destroy)
		p->destroy(state);
	rp_ksink_free(k);
	rp_lines_close(&l);
	if (stats)
		*stats = st;
	return 0;
fail:
	rp_ksink_stop(k);
	rp_trace_abort(w);
fail_after:
	if (p->destroy && state)
		p->destroy(state);
	rp_ksink_free(k);
	rp_lines_close(&l);
	if (stats)
		*stats = st;
	return -1;
}

int rp_text_parse_mem(const struct rp_text_parser *p, const char *data,
		      size_t len, struct rp_text_stats *stats)
{
	struct rp_text_stats st = {0};
	struct rp_ksink *k;
	struct rp_lines l;
	struct rp_error err;
	void *state = NULL;
	int rc = -1;

	if (rp_ksink_new(NULL, &k, &err))
		return -1;
	rp_lines_mem(&l, "mem", data, len);
	state = p->create ? p->create(k, "m.42.log", NULL) : NULL;
	if (p->create && !state)
		goto out;
	if (run_lines(p, state, k, &l, NULL, &st, &err))
		goto out;
	if (p->finish && p->finish(state, k, &err))
		goto out;
	rc = rp_ksink_finish(k, &err);
	st.events = rp_ksink_events(k);
	st.unknown = rp_ksink_unknown_count(k);
out:
	if (p->destroy && state)
		p->destroy(state);
	rp_ksink_free(k);
	if (stats)
		*stats = st;
	return rc;
}
