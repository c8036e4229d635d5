/*
 * reader-ftrace.c — `vmreplay import ftrace`: the text form of ftrace
 * (tracefs `trace` with its # header, `trace_pipe` without one) and the
 * output of `trace-cmd report`.  One line is
 *
 *     COMM-PID [(TGID)] [CPU] [FLAGS] SECONDS.USECS: EVENT: FIELDS
 *
 * COMM may hold spaces and dashes, FLAGS ("d..1.") may be missing.  Mapped
 * events go to the kernel event sink (kernel-events.c); other events are
 * counted; "CPU:N [LOST M EVENTS]" lines add to the lost count.
 */
#include "kernel-internal.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool starts(const char *s, size_t len, const char *p)
{
	size_t n = strlen(p);
	return len >= n && memcmp(s, p, n) == 0;
}

/* "CPU:1 [LOST 123 EVENTS]" (trace, trace-cmd report). */
static bool lost_line(const char *s, size_t len, struct rp_text_stats *st)
{
	for (size_t i = 0; i + 6 <= len; i++) {
		if (memcmp(s + i, "[LOST ", 6) != 0)
			continue;
		size_t a = i + 6, e = a;
		while (e < len && is_digit(s[e]))
			e++;
		int64_t n;
		if (e > a && rp_parse_i64(s + a, e - a, &n)) {
			st->lost += n;
			return true;
		}
	}
	return false;
}

/* Position of the "[CPU]" field: a '[' + digits + ']' preceded and
 * followed by a space.  0 if none. */
static size_t find_cpu(const char *s, size_t len, size_t *close)
{
	if (len < 2)
		return 0;
	for (size_t i = 1; (i = rp_kfind(s, i, len, '[')) < len; i++) {
		if (s[i - 1] != ' ')
			continue;
		size_t j = i + 1;
		while (j < len && is_digit(s[j]))
			j++;
		if (j > i + 1 && j < len && s[j] == ']' &&
		    (j + 1 == len || s[j + 1] == ' ')) {
			*close = j;
			return i;
		}
	}
	return 0;
}

/* Parses "SECONDS.FRACTION:" into ns. */
static bool parse_ts(const char *t, size_t tl, int64_t *ns)
{
	if (tl < 2 || t[tl - 1] != ':' || !is_digit(t[0]))
		return false;
	return rp_kparse_ts(t, tl - 1, ns);
}

/* A whole decimal number of up to 18 digits, else rp_parse_i64. */
static bool parse_pid(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	if (len == 0 || len > 18)
		return rp_parse_i64(s, len, out);
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return rp_parse_i64(s, len, out);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int ftrace_line(void *state, struct rp_ksink *k, const char *s,
		       size_t len, struct rp_text_stats *st,
		       struct rp_error *err)
{
	static const struct rp_kfields zero;
	struct rp_kfields f;
	size_t close, i;
	(void)state;

	i = rp_kskip(s, 0, len, ' ');
	s += i, len -= i;
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || s[0] == '#')
		return 0;
	if (len > 4 && s[0] == 'C' && s[1] == 'P' && s[2] == 'U' &&
	    lost_line(s, len, st))
		return 0;
	/* trace-cmd report preamble */
	if ((s[0] == 'c' || s[0] == 'v' || s[0] == 'C' || s[0] == 't') &&
	    (starts(s, len, "cpus=") || starts(s, len, "version =") ||
	     (starts(s, len, "CPU ") && !find_cpu(s, len, &close)) ||
	     starts(s, len, "trace-cmd:")))
		return 0;

	size_t b = find_cpu(s, len, &close);
	if (!b)
		return rp_ktext_malformed(err, "no [CPU] field", s, len);
	/* COMM-PID, maybe followed by "(TGID)" */
	size_t e = b;
	while (e > 0 && s[e - 1] == ' ')
		e--;
	if (e > 0 && s[e - 1] == ')') {
		while (e > 0 && s[e - 1] != '(')
			e--;
		if (e == 0)
			return rp_ktext_malformed(err, "bad (TGID)", s, len);
		e--;
		while (e > 0 && s[e - 1] == ' ')
			e--;
	}
	size_t dash = e;
	while (dash > 0 && s[dash - 1] != '-')
		dash--;
	if (dash == 0 || dash == e)
		return rp_ktext_malformed(err, "no COMM-PID", s, len);
	f = zero; /* a copy is cheaper than memset here */
	if (!parse_pid(s + dash, e - dash, &f.pid) || f.pid < 0)
		return rp_ktext_malformed(err, "bad PID", s + dash, e - dash);

	/* [FLAGS] TIMESTAMP: */
	i = close + 1;
	const char *t = NULL;
	size_t tl = 0;
	for (int tries = 0; tries < 2; tries++) {
		while (i < len && s[i] == ' ')
			i++;
		t = s + i;
		i = rp_kfind(s, i, len, ' ');
		tl = (size_t)(s + i - t);
		if (parse_ts(t, tl, &f.ts_ns))
			break;
		t = NULL;
	}
	if (!t)
		return rp_ktext_malformed(err, "no timestamp", s, len);

	/* EVENT: */
	while (i < len && s[i] == ' ')
		i++;
	const char *ev = s + i;
	i = rp_kfind(s, i, len, ' ');
	size_t evl = (size_t)(s + i - ev);
	if (evl < 2 || ev[evl - 1] != ':')
		return rp_ktext_malformed(err, "no event name", s, len);
	evl--;
	return rp_ktext_event(k, ev, evl, s + i, len - i, &f, err);
}

const struct rp_text_parser rp_ftrace_text_parser = {
    .source = "ftrace-text",
    .line = ftrace_line,
};

int rp_import_ftrace(struct rp_store *store, const char *path,
		     const struct rp_trace_meta *meta,
		     const struct rp_text_options *opt, int64_t *trace_id,
		     struct rp_text_stats *stats, struct rp_error *err)
{
	return rp_text_import(store, path, meta, opt, &rp_ftrace_text_parser,
			      trace_id, stats, err);
}
