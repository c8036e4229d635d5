/*
 * reader-perf.c — `vmreplay import perf`: the text `perf script` prints for
 * tracepoint samples (perf record -e kmem:... -e vmscan:...):
 *
 *     COMM PID[/TID] [CPU] SECONDS.USECS: [PERIOD] SYS:EVENT: FIELDS
 *
 * COMM may hold spaces; [CPU] may be missing (perf record without -a).
 * Header comments (#) and call-chain lines (indented) are skipped.  The
 * FIELDS text is the tracepoint's own format, shared with ftrace text.
 */
#include "kernel-internal.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

struct tok {
	const char *s;
	size_t n;
};

#define MAX_HEAD 24

static int perf_line(void *state, struct rp_ksink *k, const char *s, size_t len,
		     struct rp_text_stats *st, struct rp_error *err)
{
	struct tok t[MAX_HEAD];
	struct rp_kfields f;
	int nt = 0, ts_tok = -1;
	size_t i = 0;
	(void)state;
	(void)st;

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 0;
	if (s[0] == '\t')
		return 0; /* call chain of the sample above */
	size_t lead = 0;
	while (lead < len && s[lead] == ' ')
		lead++;
	if (lead == len || s[lead] == '#')
		return 0;

	/* tokens up to and including the timestamp */
	memset(&f, 0, sizeof f);
	i = lead;
	while (i < len && nt < MAX_HEAD) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		t[nt].s = s + i;
		while (i < len && s[i] != ' ')
			i++;
		t[nt].n = (size_t)(s + i - t[nt].s);
		const struct tok *c = &t[nt];
		nt++;
		if (nt >= 2 && c->n >= 2 && c->s[c->n - 1] == ':' &&
		    is_digit(c->s[0]) && memchr(c->s, '.', c->n) &&
		    rp_kparse_ts(c->s, c->n - 1, &f.ts_ns)) {
			ts_tok = nt - 1;
			break;
		}
	}
	if (ts_tok < 0)
		return rp_ktext_malformed(err, "no timestamp", s, len);
	/* PID[/TID] is the last token before it that is not "[CPU]" */
	int p = ts_tok - 1;
	if (p >= 0 && t[p].n >= 3 && t[p].s[0] == '[' &&
	    t[p].s[t[p].n - 1] == ']')
		p--;
	if (p < 1) /* comm needed before the pid */
		return rp_ktext_malformed(err, "no COMM PID", s, len);
	const char *pid = t[p].s;
	size_t pidn = t[p].n;
	const char *slash = memchr(pid, '/', pidn);
	if (slash) { /* pid/tid: the thread is the task */
		pidn -= (size_t)(slash + 1 - pid);
		pid = slash + 1;
	}
	if (!all_digits(pid, pidn) || !rp_parse_i64(pid, pidn, &f.pid))
		return rp_ktext_malformed(err, "bad PID", t[p].s, t[p].n);

	/* [PERIOD] SYS:EVENT: */
	const char *ev = NULL;
	size_t evl = 0;
	for (int n = 0; n < 3; n++) {
		while (i < len && s[i] == ' ')
			i++;
		const char *e = s + i;
		while (i < len && s[i] != ' ')
			i++;
		size_t el = (size_t)(s + i - e);
		if (all_digits(e, el))
			continue; /* sample period */
		if (el >= 2 && e[el - 1] == ':') {
			ev = e;
			evl = el - 1;
		}
		break;
	}
	if (!ev)
		return rp_ktext_malformed(err, "no event name", s, len);
	return rp_ktext_event(k, ev, evl, s + i, len - i, &f, err);
}

const struct rp_text_parser rp_perf_text_parser = {
    .source = "perf-script",
    .line = perf_line,
};

int rp_import_perf(struct rp_store *store, const char *path,
		   const struct rp_trace_meta *meta,
		   const struct rp_text_options *opt, int64_t *trace_id,
		   struct rp_text_stats *stats, struct rp_error *err)
{
	return rp_text_import(store, path, meta, opt, &rp_perf_text_parser,
			      trace_id, stats, err);
}
