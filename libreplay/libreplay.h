/*
 * libreplay.h — the public interface of libreplay, the library behind the
 * vmreplay command: the event model, the SQLite trace store, the readers that
 * turn files into events, and the output formatter.
 *
 * Conventions: functions return 0 on success and -1 on failure; a failing
 * function fills the caller's struct rp_error with one line that names the
 * file and the position (line, frame, offset) where that makes sense.  Nothing
 * here calls exit() or prints, except the formatter, which prints where told.
 */
#ifndef LIBREPLAY_H
#define LIBREPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- errors */

struct rp_error {
	char msg[1024];
};

/* printf-style: fill err (may be NULL) and return -1. */
int rp_error_set(struct rp_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const char *rp_version(void);

/* Progress callback: work done of total (bytes, events; total 0 if
 * unknown).  Called from the thread doing the work. */
typedef void (*rp_progress_cb)(uint64_t done, uint64_t total, void *arg);

/* ----------------------------------------------------------- event model */

/* Event kinds (design.md §3).  The numbers are stored in the database: they
 * never change; new kinds are appended. */
enum rp_kind {
	RP_KIND_NONE = 0,
	RP_PAGE_ALLOC = 1,
	RP_PAGE_FREE = 2,
	RP_KMALLOC = 3,
	RP_KFREE = 4,
	RP_NET_RX = 5,
	RP_FILE_READ = 6,
	RP_FILE_WRITE = 7,
	RP_BLK_READ = 8,
	RP_BLK_WRITE = 9,
	RP_ANON_TOUCH = 10,
	RP_TASK_EXIT = 11,
	RP_RECLAIM_BEGIN = 12,
	RP_RECLAIM_END = 13,
	RP_MARK = 14,
	RP_KIND_COUNT
};

/* GFP classes in 1998 terms (vm1998-model.md §4).  The model maps a class
 * to the bit values of the kernel version it runs.  RP_GFP_DMA is or-ed in
 * for __GFP_DMA.  0 means "not given". */
enum rp_gfp {
	RP_GFP_NONE = 0,
	RP_GFP_ATOMIC = 1,
	RP_GFP_KERNEL = 2,
	RP_GFP_USER = 3,
	RP_GFP_BUFFER = 4,
	RP_GFP_NFS = 5,
	RP_GFP_CLASS_MASK = 7,
	RP_GFP_DMA = 8
};

/* The event columns, in the order of the native CSV header. */
enum rp_column {
	RP_COL_TS = 0,
	RP_COL_KIND,
	RP_COL_TASK,
	RP_COL_OBJ,
	RP_COL_ORDER,
	RP_COL_BYTES,
	RP_COL_GFP,
	RP_COL_FILE,
	RP_COL_OFFSET,
	RP_COL_COUNT,
	RP_COL_DEV,
	RP_COL_BLOCK,
	RP_COL_FLAGS,
	RP_COL_COUNT_ /* number of columns */
};
#define RP_NCOLUMNS RP_COL_COUNT_
#define RP_HAS(col) (1u << (col))

/* One event.  `present` has bit RP_HAS(col) set for every column that is
 * not NULL; ts_ns and kind are always present.  Values of absent columns are
 * 0 and must not be relied on. */
struct rp_event {
	int64_t ts_ns;
	uint32_t present;
	uint8_t kind; /* enum rp_kind */
	uint8_t gfp;  /* enum rp_gfp, or-ed with RP_GFP_DMA */
	int8_t order; /* page order 0..14 */
	int64_t task;
	int64_t obj;
	int64_t bytes;
	int64_t file;
	int64_t offset;
	int64_t count;
	int64_t dev;
	int64_t block;
	int64_t flags;
};

/* Flag bits used by recorders (design.md §3). */
#define RP_FLAG_META		1u /* blk_*: metadata block */
#define RP_FLAG_WRITE		1u /* anon_touch: write access */
#define RP_FLAG_TCP		1u /* net_rx: 0 = UDP, 1 = TCP, 2 = other */
#define RP_FLAG_OTHER_TRANSPORT 2u

const char *rp_kind_name(int kind); /* "page_alloc", NULL if unknown */
int rp_kind_parse(const char *s, size_t len); /* -1 if unknown */
const char *rp_column_name(int col);	      /* "ts_ns", ... */
int rp_column_parse(const char *s, size_t len);
/* "GFP_ATOMIC", "GFP_KERNEL|__GFP_DMA"; writes into buf, returns buf. */
const char *rp_gfp_format(int gfp, char *buf, size_t size);
int rp_gfp_parse(const char *s, size_t len); /* -1 if unknown */
int64_t rp_event_get(const struct rp_event *ev, int col);
void rp_event_set(struct rp_event *ev, int col, int64_t value);

/* ----------------------------------------------------------------- store */

struct rp_store;

enum {
	RP_STORE_READONLY = 1, /* open read-only, never create */
	RP_STORE_CREATE = 2,   /* create the file if missing */
	/* Offline imports and replays: while a trace or a run's results are
	 * written and no other connection has the database open, use a
	 * rollback journal instead of the WAL
	 * (pages appended by the import are then written once, not to the
	 * WAL and again at the checkpoint; docs/store-design.md). */
	RP_STORE_BULK = 4,
};

/* Optional, for programs that use SQLite only through vmreplay: turns off
 * SQLite's process-wide memory statistics, which take a mutex on every
 * allocation (about one per stored row of a bulk import).  Call it before
 * any database is opened; later it does nothing.  The vmreplay command
 * calls it first thing. */
void rp_store_process_init(void);

/* Opens (and with RP_STORE_CREATE creates) a database and applies every
 * compiled-in schema migration newer than its PRAGMA user_version.  A
 * database written by a newer vmreplay is refused. */
int rp_store_open(const char *path, int flags, struct rp_store **out,
		  struct rp_error *err);
void rp_store_close(struct rp_store *store);
int rp_store_schema_version(void); /* the version this library writes */

/* What a recorder or reader knows about a trace it is about to store. */
struct rp_trace_meta {
	const char *name;    /* unique in the database; required */
	const char *source;  /* "csv-native", "csv-msr", "pcap", ... */
	const char *origin;  /* file name or interface the events came from */
	const char *host;    /* host name of the recording machine, or NULL */
	const char *kernel;  /* kernel release of the recording machine */
	const char *command; /* capture command line, or NULL */
};

struct rp_trace_writer;

/* Starts one transaction that ends with rp_trace_finish (commit) or
 * rp_trace_abort (rollback): a failed import leaves no trace behind. */
int rp_trace_begin(struct rp_store *store, const struct rp_trace_meta *meta,
		   struct rp_trace_writer **out, struct rp_error *err);
/* Events must come in non-decreasing ts_ns order. */
int rp_trace_append(struct rp_trace_writer *w, const struct rp_event *ev,
		    size_t n, struct rp_error *err);
/* Free-form key/value facts stored with the trace (capture counters...). */
int rp_trace_set_stat(struct rp_trace_writer *w, const char *key,
		      const char *value, struct rp_error *err);
int64_t rp_trace_id(const struct rp_trace_writer *w);
int64_t rp_trace_event_count(const struct rp_trace_writer *w);
int rp_trace_finish(struct rp_trace_writer *w, struct rp_error *err);
void rp_trace_abort(struct rp_trace_writer *w);

/* Side tables of a trace (design.md §3); written inside the same
 * transaction.  Column meanings: docs/schema.md. */
struct rp_packet {
	int64_t ts_ns;
	int64_t frame;	    /* 1-based frame number in the capture */
	int32_t frame_len;  /* bytes on the wire */
	int32_t linktype;   /* DLT_* */
	int32_t ip_version; /* 4, 6, 0 for non-IP */
	int32_t protocol;   /* IP protocol number */
	/* The addresses as bytes, network order: addr_len 4 (IPv4) or 16
	 * (IPv6) of src_ip/dst_ip; or, with addr_len 0, as text in src/dst
	 * ("" when there are none).  The packet decoders give bytes. */
	int32_t addr_len;
	uint8_t src_ip[16], dst_ip[16];
	char src[48], dst[48];
	int32_t sport, dport; /* -1 or 0 (both) when there are none */
	int64_t frag_id;      /* -1 when not a fragment */
	int32_t frag_offset;  /* bytes */
	int32_t more_frags;
	int32_t datagram_len; /* reassembled datagram length, 0 if unknown */
};
int rp_trace_add_packet(struct rp_trace_writer *w, const struct rp_packet *p,
			struct rp_error *err);

struct rp_nfs_op {
	int64_t xid;
	int32_t version; /* 2, 3, 4 */
	int32_t proc;	 /* procedure number */
	const char *proc_name;
	int64_t fh_hash;       /* 0 if none */
	int64_t offset;	       /* bytes, -1 if none */
	int64_t count;	       /* bytes, -1 if none */
	int64_t call_ns;       /* -1 if the call was not seen */
	int64_t reply_ns;      /* -1 if no reply */
	int32_t status;	       /* -1 if no reply */
	const char *transport; /* "udp" or "tcp" */
	const char *ops;       /* NFSv4 COMPOUND operation list, or NULL */
};
int rp_trace_add_nfs_op(struct rp_trace_writer *w, const struct rp_nfs_op *op,
			struct rp_error *err);

struct rp_sample {
	int64_t ts_ns;
	const char
	    *source;	  /* "buddyinfo", "vmstat", "meminfo", "pagetypeinfo" */
	const char *node; /* "0", or NULL */
	const char *zone; /* "DMA32", or NULL */
	const char *name; /* "order.3", "nr_free_pages", ... */
	int64_t value;
};
int rp_trace_add_sample(struct rp_trace_writer *w, const struct rp_sample *s,
			struct rp_error *err);

/* A stored trace as `vmreplay traces` lists it. */
struct rp_trace_row {
	int64_t id;
	char name[256];
	char source[64];
	char created[32];
	int64_t events;
	int64_t first_ns, last_ns; /* absolute times; 0 when no events */
};
int rp_store_trace_find(struct rp_store *store, const char *name,
			struct rp_trace_row *out, struct rp_error *err);
typedef int (*rp_trace_cb)(const struct rp_trace_row *row, void *arg);
/* Deletes a trace and everything stored with it (events, packets, NFS
 * operations, samples, runs and their results) in one transaction
 * (schema/0004's triggers); *events gets how many events went. */
int rp_store_trace_delete(struct rp_store *store, const char *name,
			  int64_t *events, struct rp_error *err);
int rp_store_trace_each(struct rp_store *store, rp_trace_cb cb, void *arg,
			struct rp_error *err);

/* Streams one trace's events in order, a batch at a time, in fixed memory. */
struct rp_event_cursor;
int rp_event_cursor_open(struct rp_store *store, int64_t trace_id,
			 struct rp_event_cursor **out, struct rp_error *err);
/* Fills up to max events; *n == 0 at the end. */
int rp_event_cursor_next(struct rp_event_cursor *c, struct rp_event *evs,
			 size_t max, size_t *n, struct rp_error *err);
void rp_event_cursor_close(struct rp_event_cursor *c);

/* Results (design.md §5): one run of a kernel over a trace, simulated or
 * captured from a live kernel.  One transaction from begin to finish. */
struct rp_run_writer;
struct rp_stall {
	int64_t t_ns; /* when the allocation was asked for */
	int64_t task;
	int order;
	int gfp; /* enum rp_gfp */
	int64_t latency_ns;
	int64_t pages_freed;
	const char *outcome; /* "ok", "failed" */
	const char *path;    /* "direct", "kswapd-wait", "failed", ... */
};
int rp_run_begin(struct rp_store *store, int64_t trace_id, const char *kind,
		 const char *kernel, int64_t mem_bytes, int64_t seed,
		 struct rp_run_writer **out, struct rp_error *err);
int64_t rp_run_id(const struct rp_run_writer *w);
int rp_run_param(struct rp_run_writer *w, const char *name, const char *value,
		 struct rp_error *err);
int rp_run_metric(struct rp_run_writer *w, const char *name, double value,
		  struct rp_error *err);
int rp_run_series(struct rp_run_writer *w, int64_t t_ns, const char *name,
		  double value, struct rp_error *err);
int rp_run_stall(struct rp_run_writer *w, const struct rp_stall *s,
		 struct rp_error *err);
/* Stores the wall time and the number of events replayed, and commits. */
int rp_run_finish(struct rp_run_writer *w, int64_t wall_ns, int64_t events,
		  struct rp_error *err);
void rp_run_abort(struct rp_run_writer *w);

/* Runs SQL and hands every result row to cb as text (NULL for SQL NULL).
 * Unless `writable`, statements that would change the database fail. */
typedef int (*rp_row_cb)(int ncols, const char *const *names,
			 const char *const *values, void *arg);
int rp_store_query(struct rp_store *store, const char *sql, int writable,
		   rp_row_cb cb, void *arg, struct rp_error *err);

/* ------------------------------------------------------------ formatter */

/* Tabular output: `vmreplay sql`, `traces`, `report`, `compare`. */
enum rp_format_kind { RP_FORMAT_TABLE, RP_FORMAT_CSV, RP_FORMAT_JSON };
int rp_format_parse(const char *s); /* -1 if unknown */
struct rp_table;
struct rp_table *rp_table_new(enum rp_format_kind kind, FILE *out);
/* Sets the column names; must come before the first row. */
int rp_table_columns(struct rp_table *t, int ncols, const char *const *names);
/* NULL values print as empty (table, csv) or null (json).  `numeric` marks
 * columns printed right-aligned and unquoted in JSON when they parse. */
int rp_table_row(struct rp_table *t, const char *const *values);
/* Prints what is buffered (the table view needs every row to align). */
int rp_table_finish(struct rp_table *t);
void rp_table_free(struct rp_table *t);
/* A rp_row_cb that feeds rows to a struct rp_table (arg). */
int rp_table_row_cb(int ncols, const char *const *names,
		    const char *const *values, void *arg);

/* ----------------------------------------------------------------- merge */

#define RP_MERGE_TASK_STRIDE 10000000

struct rp_merge_input {
	const char *trace; /* a stored trace */
	int64_t shift_ns;  /* start this long after the first input starts */
};

/* Stores a new trace `name` interleaving the inputs in time, each aligned
 * at its first event plus its shift, or with `absolute` at its own times
 * plus its shift (for traces recorded together).  Input i > 0 gets task + i *
 * RP_MERGE_TASK_STRIDE and obj, file ^ i << 56, so inputs never share a
 * task or an object.  `reader` is a second handle on the same database
 * (events are read from it while `store` writes). */
int rp_merge(struct rp_store *store, struct rp_store *reader,
	     const struct rp_merge_input *inputs, int n, const char *name,
	     int absolute, struct rp_error *err);

/* ---------------------------------------------------------------- replay */

/* The kernels of spec §12–§13 (vmreplay replay --list-kernels): fills t
 * with name and description, and with `verbose` one row per parameter
 * (kernel, parameter, default, unit, GUESS, description). */
int rp_kernels_table(int verbose, struct rp_table *t);

#define RP_REPLAY_MAX_INSTANCES 256

struct rp_replay_options {
	const char *trace;   /* trace name */
	const char *kernels; /* "2.1.90,rik,..." */
	const char *mems;    /* "8M,32M,..." (K, M, G suffixes) */
	const char *const
	    *params; /* "NAME=VALUE" for every kernel that has NAME */
	int nparams;
	uint64_t seed;
	int check;	   /* invariant checker after every event */
	int64_t sample_ns; /* run_series interval; 0 = every tick (10 ms) */
	const char *tasks; /* "pid,pid,..." keeps only these tasks' events
			      (events without a task, e.g. net_rx, are kept) */
	int64_t from_ns,
	    to_ns; /* window from the trace's first event; to 0 = end */
	uint32_t keep_num, keep_den; /* keep num of den objects (0 = all) */
	int threads;		     /* worker threads; 0 = one per core */
	rp_progress_cb progress;
	void *progress_arg;
};

struct rp_replay_result {
	int nruns;
	int64_t run_ids[RP_REPLAY_MAX_INSTANCES];
	int64_t events_read;	 /* read from the store */
	int64_t events_replayed; /* after the filters */
	int64_t unknown_frees;	 /* summed over instances */
	double seconds;		 /* wall time of the pass */
	double cpu_seconds;	 /* CPU time (user + system) of the pass,
				    all threads: the cost, whatever the load */
};

/* Replays a stored trace through every (kernel, size) instance in one pass
 * over its events, on several threads, and stores one run per instance.
 * Same inputs and seed give byte-identical results. */
int rp_replay(struct rp_store *store, const struct rp_replay_options *opt,
	      struct rp_replay_result *res, struct rp_error *err);

/* Parses "8M", "512K", "1G", "33554432" (bytes); -1 if malformed. */
int64_t rp_parse_size(const char *s);
/* Parses "10ms", "2s", "500us", "100ns", "1.5s" into ns; -1 if malformed. */
int64_t rp_parse_duration(const char *s);

/* ---------------------------------------------------------------- report */

/* One run in detail (parameters, then every metric), or with run_id 0 a
 * row per run. */
int rp_report(struct rp_store *store, int64_t run_id, struct rp_table *t,
	      struct rp_error *err);
/* The latest simulated run of every (kernel, size) of a trace, and its
 * captured runs: sizes as rows, kernels as columns, one block per metric
 * (table view); tidy rows (metric, mem_mb, kernel, value) for csv/json. */
int rp_compare(struct rp_store *store, const char *trace,
	       enum rp_format_kind kind, FILE *out, struct rp_error *err);

/* --------------------------------------------------------------- readers */

enum rp_csv_format { RP_CSV_NATIVE, RP_CSV_MSR };
enum rp_time_unit { RP_TIME_NS, RP_TIME_US, RP_TIME_MS, RP_TIME_S };

struct rp_csv_options {
	enum rp_csv_format format;
	int no_header;		     /* native: columns come from map/order */
	enum rp_time_unit time_unit; /* native: unit of ts_ns values */
	const char *map;	     /* "FIELD=COLUMN,..." or NULL */
	rp_progress_cb progress;
	void *progress_arg;
};

/* Imports one CSV file as a new trace in one transaction.  On failure the
 * database is unchanged and err names file, line and field. */
int rp_import_csv(struct rp_store *store, const char *path,
		  const struct rp_trace_meta *meta,
		  const struct rp_csv_options *opt, int64_t *trace_id,
		  struct rp_error *err);

/* Writes a trace's events as native CSV with the full header. */
int rp_export_csv(struct rp_store *store, int64_t trace_id, FILE *out,
		  struct rp_error *err);

#ifdef __cplusplus
}
#endif
#endif /* LIBREPLAY_H */
