/*
 * reader-mtrace.c — `vmreplay import mtrace`: glibc mtrace(3) logs.
 *
 *     = Start
 *     @ ./prog:[0x4007d5] + 0x940880 0x1e     malloc/calloc: address size
 *     @ ./prog:[0x400846] - 0x940880          free
 *     @ ./prog:[0x11d8] < 0x563a0f8fc4a0       realloc: old block ...
 *     @ ./prog:[0x11d8] > 0x563a0f8fc660 0xfa0 ... and the new one
 *     ! 0x563a0f8fc4a0 0x100                   realloc that failed
 *     = End
 *
 * Mapping (docs/kernel-recorders.md): '+' and '>' are kmalloc events (obj =
 * the address, bytes = the size, gfp GFP_USER: a user-space allocation),
 * '-' and '<' are kfree events, '!' a mark (RP_KMARK_ALLOC_FAILED).  The log
 * has no times or threads: event i gets ts_ns = i × 1000 (1 µs apart) and
 * every event the one task (--task, else the number in m.PID.log, else 1).
 */
#include "kernel-internal.h"

#include <stdlib.h>
#include <string.h>

struct mtrace {
	int64_t task;
	int64_t seq;
};

static int64_t task_from_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* the last run of digits between dots: m.1234.log, trace.1234 */
	int64_t task = 0;
	for (const char *p = base; *p; p++) {
		if (*p != '.' || p[1] < '0' || p[1] > '9')
			continue;
		const char *e = p + 1;
		while (*e >= '0' && *e <= '9')
			e++;
		if ((*e == '.' || *e == '\0') && e - p - 1 < 10) {
			int64_t v;
			if (rp_parse_i64(p + 1, (size_t)(e - p - 1), &v))
				task = v;
		}
	}
	return task > 0 ? task : 1;
}

static void *mt_create(struct rp_ksink *k, const char *path,
		       const struct rp_text_options *opt)
{
	(void)k;
	struct mtrace *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->task = opt && opt->task > 0 ? opt->task : task_from_name(path);
	return m;
}

static void mt_destroy(void *state)
{
	free(state);
}

static bool parse_hex(const char *s, size_t n, uint64_t *v)
{
	if (n == 5 && memcmp(s, "(nil)", 5) == 0) {
		*v = 0;
		return true;
	}
	return n > 2 && s[0] == '0' && s[1] == 'x' && rp_kparse_u64(s, n, v);
}

static int mt_line(void *state, struct rp_ksink *k, const char *s, size_t len,
		   struct rp_text_stats *st, struct rp_error *err)
{
	struct mtrace *m = state;
	const char *tok[8];
	size_t tl[8];
	int nt = 0;
	size_t i = 0;
	(void)st;

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || s[0] == '=')
		return 0; /* "= Start", "= End" */
	while (i < len && nt < 8) {
		while (i < len && s[i] == ' ')
			i++;
		if (i == len)
			break;
		tok[nt] = s + i;
		while (i < len && s[i] != ' ')
			i++;
		tl[nt] = (size_t)(s + i - tok[nt]);
		nt++;
	}
	/* "@ CALLER" is optional; the caller has no spaces in practice, but
	 * find the operator rather than count on it. */
	int op = -1;
	for (int j = 0; j < nt; j++) {
		if (tl[j] == 1 && strchr("+-<>!", tok[j][0]) && j + 1 < nt &&
		    (j == 0 || tok[0][0] == '@')) {
			op = j;
			break;
		}
	}
	if (op < 0)
		return rp_ktext_malformed(err, "no mtrace operator (+ - < > !)",
					  s, len);
	char c = tok[op][0];
	int need = c == '-' || c == '<' ? 1 : 2;
	if (nt - op - 1 != need)
		return rp_ktext_malformed(err, "wrong number of values", s,
					  len);
	uint64_t addr, size = 0;
	if (!parse_hex(tok[op + 1], tl[op + 1], &addr))
		return rp_ktext_malformed(err, "bad address", tok[op + 1],
					  tl[op + 1]);
	if (need == 2 && !parse_hex(tok[op + 2], tl[op + 2], &size))
		return rp_ktext_malformed(err, "bad size", tok[op + 2],
					  tl[op + 2]);
	if (size > INT64_MAX)
		return rp_ktext_malformed(err, "size too large", tok[op + 2],
					  tl[op + 2]);

	struct rp_event ev;
	memset(&ev, 0, sizeof ev);
	ev.ts_ns = m->seq++ * 1000;
	ev.task = m->task;
	ev.present = RP_HAS(RP_COL_TASK);
	switch (c) {
	case '+':
	case '>':
		if (addr == 0)
			return 0;
		ev.kind = RP_KMALLOC;
		ev.obj = (int64_t)addr;
		ev.bytes = (int64_t)size;
		ev.gfp = RP_GFP_USER;
		ev.present |= RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_BYTES) |
			      RP_HAS(RP_COL_GFP);
		break;
	case '-':
	case '<':
		if (addr == 0)
			return 0;
		ev.kind = RP_KFREE;
		ev.obj = (int64_t)addr;
		ev.present |= RP_HAS(RP_COL_OBJ);
		break;
	default: /* '!' */
		ev.kind = RP_MARK;
		ev.bytes = (int64_t)size;
		ev.gfp = RP_GFP_USER;
		ev.flags = RP_KMARK_ALLOC_FAILED;
		ev.present |= RP_HAS(RP_COL_BYTES) | RP_HAS(RP_COL_GFP) |
			      RP_HAS(RP_COL_FLAGS);
		break;
	}
	return rp_ksink_raw(k, &ev, err) ? -1 : 0;
}

const struct rp_text_parser rp_mtrace_text_parser = {
    .source = "mtrace",
    .create = mt_create,
    .line = mt_line,
    .destroy = mt_destroy,
};

int rp_import_mtrace(struct rp_store *store, const char *path,
		     const struct rp_trace_meta *meta,
		     const struct rp_text_options *opt, int64_t *trace_id,
		     struct rp_text_stats *stats, struct rp_error *err)
{
	return rp_text_import(store, path, meta, opt, &rp_mtrace_text_parser,
			      trace_id, stats, err);
}
