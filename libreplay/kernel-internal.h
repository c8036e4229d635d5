/*
 * kernel-internal.h — shared inside libreplay by the kernel recorders and
 * text readers: the tracepoint table, the decoded form of one tracepoint
 * record, the event sink that maps records to events (kernel-events.c),
 * the line reader and the text import driver (text-import.c), and the
 * /proc parsers (reader-proc.c).  Not installed.
 */
#ifndef RP_KERNEL_INTERNAL_H
#define RP_KERNEL_INTERNAL_H

#include "internal.h"
#include "libreplay-kernel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------- tracepoints */

enum rp_tp {
	RP_TP_PAGE_ALLOC,
	RP_TP_PAGE_FREE,
	RP_TP_PAGE_FREE_BATCHED,
	RP_TP_KMALLOC,
	RP_TP_KMALLOC_NODE,
	RP_TP_KFREE,
	RP_TP_CACHE_ALLOC,
	RP_TP_CACHE_ALLOC_NODE,
	RP_TP_CACHE_FREE,
	RP_TP_DIRECT_BEGIN,
	RP_TP_DIRECT_END,
	RP_TP_MEMCG_BEGIN,
	RP_TP_MEMCG_END,
	RP_TP_MEMCG_SOFT_BEGIN,
	RP_TP_MEMCG_SOFT_END,
	RP_TP_MEMCG_SHRINK_BEGIN,
	RP_TP_MEMCG_SHRINK_END,
	RP_TP_NODE_BEGIN,
	RP_TP_NODE_END,
	RP_TP_KSWAPD_WAKE,
	RP_TP_KSWAPD_SLEEP,
	RP_TP_WAKEUP_KSWAPD,
	RP_TP_LRU_SHRINK_INACTIVE,
	RP_TP_FILEMAP_ADD,
	RP_TP_FILEMAP_DELETE,
	RP_TP_RQ_ISSUE,
	RP_TP_RQ_COMPLETE,
	RP_TP_NET_RX,
	RP_TP_KFREE_SKB,
	RP_TP_CONSUME_SKB,
	RP_TP_COUNT
};

struct rp_tp_info {
	const char *system; /* tracefs system directory */
	const char *name;   /* event name */
	const char *set;    /* --events set it belongs to */
};
extern const struct rp_tp_info rp_tp_table[RP_TP_COUNT];

/* By event name ("mm_page_alloc"); -1 if not mapped. */
int rp_tp_lookup(const char *name, size_t len);

/* Field presence bits of struct rp_kfields. */
enum {
	RP_KF_PFN = 1u << 0,
	RP_KF_PTR = 1u << 1,
	RP_KF_ORDER = 1u << 2,
	RP_KF_GFP = 1u << 3,
	RP_KF_BYTES = 1u << 4,
	RP_KF_RECLAIMED = 1u << 5,
	RP_KF_SCANNED = 1u << 6,
	RP_KF_FILE = 1u << 7,
	RP_KF_INDEX = 1u << 8,
	RP_KF_DEV = 1u << 9,
	RP_KF_SECTOR = 1u << 10,
	RP_KF_LEN = 1u << 11,
};

/* One tracepoint record, decoded (from text or from the ring buffer). */
struct rp_kfields {
	int64_t ts_ns;
	int64_t pid;
	uint32_t has; /* RP_KF_* */
	uint64_t pfn; /* page frame number; or (skb/object) address */
	uint64_t ptr;
	int order;
	int gfp_class; /* enum rp_gfp (1998 class), 0 unknown */
	int gfp_idx;   /* index of the original string, 0 none */
	int64_t bytes; /* bytes_req; net len */
	int64_t reclaimed, scanned;
	uint64_t dev; /* kernel dev_t: major << 20 | minor */
	uint64_t ino;
	int64_t index; /* page index in the file */
	int64_t sector, nr_sector;
	char rwbs[12];
	int64_t len;
};

/* ------------------------------------------------------------ the sink */

/* Maps decoded records to events, batches them into the trace writer,
 * interns original GFP strings and counts what it saw. */
struct rp_ksink;

int rp_ksink_new(struct rp_trace_writer *w, struct rp_ksink **out,
		 struct rp_error *err);
/* From now on full batches are appended on a thread of their own while
 * the caller goes on (an append error is returned by a later add or by
 * finish); without a thread, appends stay synchronous.  The writer must
 * not be used otherwise until rp_ksink_finish or rp_ksink_stop. */
void rp_ksink_async(struct rp_ksink *k);
/* Waits for the batch being appended and ends the thread (before
 * rp_trace_abort on an error path). */
void rp_ksink_stop(struct rp_ksink *k);
void rp_ksink_free(struct rp_ksink *k);
/* Interns an original modern GFP string; returns its index N (> 0) and
 * the 1998 class in *cls.  Strings are kept as trace_stat "gfp.N". */
int rp_ksink_gfp(struct rp_ksink *k, const char *s, size_t len, int *cls);
int rp_ksink_add(struct rp_ksink *k, int tp, const struct rp_kfields *f,
		 struct rp_error *err);
/* Adds one ready event (mtrace); the time is clamped like the others. */
int rp_ksink_raw(struct rp_ksink *k, const struct rp_event *ev,
		 struct rp_error *err);
/* Counts a record of an event that is not mapped. */
void rp_ksink_unknown(struct rp_ksink *k, const char *name, size_t len);
void rp_ksink_lost(struct rp_ksink *k, int64_t n);
/* Flushes events and writes the counters as trace_stat rows. */
int rp_ksink_finish(struct rp_ksink *k, struct rp_error *err);
int64_t rp_ksink_events(const struct rp_ksink *k);
int64_t rp_ksink_unknown_count(const struct rp_ksink *k);
int64_t rp_ksink_reclaims(const struct rp_ksink *k);

/* Parses the "key=value ..." text of a tracepoint (as printed by ftrace,
 * trace-cmd report or perf script) into f.  0 ok, -1 malformed (err set,
 * without position). */
int rp_ktext_fields(struct rp_ksink *k, int tp, const char *s, size_t len,
		    struct rp_kfields *f, struct rp_error *err);

/* The tail every text line shares: looks event name ev up (unknown ones
 * are counted), parses the fields after it (rest, leading spaces allowed)
 * into *f and adds the event.  0 ok or unknown, 1 malformed fields (err
 * set, without position), -1 a store error. */
int rp_ktext_event(struct rp_ksink *k, const char *ev, size_t evl,
		   const char *rest, size_t restlen, struct rp_kfields *f,
		   struct rp_error *err);

/* Sets err to "WHAT: 'the text'" for a malformed part of a line; 1. */
int rp_ktext_malformed(struct rp_error *err, const char *what, const char *s,
		       size_t len);

/* Number in decimal or 0x-hex; false if not a whole number. */
bool rp_kparse_u64(const char *s, size_t len, uint64_t *out);
/* A time "SECONDS[.FRACTION]" in ns, >= 0: what rp_parse_scaled(s, len,
 * 1000000000) gives (fraction digits after the ninth ignored), but false
 * where that would overflow. */
bool rp_kparse_ts(const char *s, size_t len, int64_t *ns);

/* Byte scanning for the text parsers, eight bytes at a time where the
 * byte order allows; never reads outside s[i, len). */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) &&                            \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RP_KSWAR  1
#define RP_KONES  0x0101010101010101ull
#define RP_KHIGHS 0x8080808080808080ull

/* High bit of each byte of x that equals c (exact up to the first). */
static inline uint64_t rp_kswar_eq(uint64_t x, unsigned char c)
{
	uint64_t a = x ^ (RP_KONES * c);
	return (a - RP_KONES) & ~a & RP_KHIGHS;
}

/* High bit of each byte of x that differs from c. */
static inline uint64_t rp_kswar_ne(uint64_t x, unsigned char c)
{
	uint64_t a = x ^ (RP_KONES * c);
	return (((a & ~RP_KHIGHS) + ~RP_KHIGHS) | a) & RP_KHIGHS;
}

static inline uint64_t rp_kload8(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}
#endif

/* Index of the first c (or also c2, if not 0) in s[i, len); len if none. */
static inline size_t rp_kfind2(const char *s, size_t i, size_t len, char c,
			       char c2)
{
#ifdef RP_KSWAR
	while (len - i >= 8) {
		uint64_t x = rp_kload8(s + i);
		uint64_t m = rp_kswar_eq(x, (unsigned char)c);
		if (c2)
			m |= rp_kswar_eq(x, (unsigned char)c2);
		if (m)
			return i + (size_t)(__builtin_ctzll(m) >> 3);
		i += 8;
	}
#endif
	while (i < len && s[i] != c && !(c2 && s[i] == c2))
		i++;
	return i;
}

static inline size_t rp_kfind(const char *s, size_t i, size_t len, char c)
{
	return rp_kfind2(s, i, len, c, 0);
}

/* Index of the first byte other than c in s[i, len); len if none. */
static inline size_t rp_kskip(const char *s, size_t i, size_t len, char c)
{
#ifdef RP_KSWAR
	while (len - i >= 8) {
		uint64_t m = rp_kswar_ne(rp_kload8(s + i), (unsigned char)c);
		if (m)
			return i + (size_t)(__builtin_ctzll(m) >> 3);
		i += 8;
	}
#endif
	while (i < len && s[i] == c)
		i++;
	return i;
}

/* ------------------------------------------------------- line reading */

struct rp_lines {
	int fd;
	const char *path;
	char *buf;
	size_t cap, start, end;
	int eof;
	int64_t lineno;
	uint64_t done, total;
	rp_progress_cb progress;
	void *progress_arg;
	uint64_t next_progress;
};

int rp_lines_open(struct rp_lines *l, const char *path, struct rp_error *err);
/* A view of an in-memory buffer (fuzzing, tests). */
void rp_lines_mem(struct rp_lines *l, const char *name, const char *data,
		  size_t len);
/* 1 and the line (without '\n', '\r') in *s and *len; 0 at the end; -1 on a
 * read error; 2 for a line longer than the buffer (skipped). */
int rp_lines_next(struct rp_lines *l, const char **s, size_t *len,
		  struct rp_error *err);
void rp_lines_close(struct rp_lines *l);

/* A text parser for the import driver: called for each line.  Returns 0
 * (done; maybe nothing to store), 1 malformed (err holds why, without
 * position), -1 fatal. */
struct rp_text_parser {
	const char *source; /* default trace source */
	void *(*create)(struct rp_ksink *k, const char *path,
			const struct rp_text_options *opt);
	int (*line)(void *state, struct rp_ksink *k, const char *s, size_t len,
		    struct rp_text_stats *st, struct rp_error *err);
	int (*finish)(void *state, struct rp_ksink *k, struct rp_error *err);
	void (*destroy)(void *state);
};

int rp_text_import(struct rp_store *store, const char *path,
		   const struct rp_trace_meta *meta,
		   const struct rp_text_options *opt,
		   const struct rp_text_parser *p, int64_t *trace_id,
		   struct rp_text_stats *stats, struct rp_error *err);

/* Runs one parser over a memory buffer without a store (fuzzing): events
 * go nowhere, every code path of the parser runs. */
int rp_text_parse_mem(const struct rp_text_parser *p, const char *data,
		      size_t len, struct rp_text_stats *stats);

extern const struct rp_text_parser rp_ftrace_text_parser;
extern const struct rp_text_parser rp_perf_text_parser;
extern const struct rp_text_parser rp_mtrace_text_parser;

/* --------------------------------------------------------------- /proc */

enum rp_proc_kind {
	RP_PROC_UNKNOWN,
	RP_PROC_BUDDYINFO,
	RP_PROC_PAGETYPEINFO,
	RP_PROC_VMSTAT,
	RP_PROC_MEMINFO
};

/* Recognises a /proc file by its content. */
enum rp_proc_kind rp_proc_detect(const char *data, size_t len);
const char *rp_proc_kind_name(enum rp_proc_kind kind);

/* Receives the sample rows of one parse. */
typedef int (*rp_sample_cb)(const struct rp_sample *s, void *arg,
			    struct rp_error *err);

/* Parses one whole /proc file of the given kind taken at ts_ns and hands
 * every value to cb; buddyinfo also yields the "fragindex" samples.
 * A malformed line is warned about through opt->warn (as "WHERE:LINE: ...")
 * and skipped, counted in *bad, or fails the parse under opt->strict. */
int rp_proc_parse(enum rp_proc_kind kind, const char *data, size_t len,
		  int64_t ts_ns, const char *where,
		  const struct rp_text_options *opt, int64_t *bad,
		  rp_sample_cb cb, void *arg, struct rp_error *err);

#endif
