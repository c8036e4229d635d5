/*
 * libreplay-kernel.h — the kernel recorders of libreplay: live ftrace
 * capture (libtracefs/libtraceevent), the /proc sampler, and the text
 * readers for ftrace/trace-cmd text, `perf script` output, glibc mtrace
 * logs and /proc snapshots.  Also the modern-GFP → 1998-class table, the
 * kernel's fragmentation indices and the builder of 'captured' runs.
 *
 * How kernel tracepoints become events, and where the original modern GFP
 * flags are kept, is described in docs/kernel-recorders.md.  Conventions are
 * those of libreplay.h: 0 on success, -1 with a filled struct rp_error.
 */
#ifndef LIBREPLAY_KERNEL_H
#define LIBREPLAY_KERNEL_H

#include "libreplay.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------- event flags column */

/* Events written by the kernel recorders use the flags column as
 *   flags & 0xff : the subtype below (or RP_FLAG_META for blk_*, the
 *                  transport for net_rx, as in libreplay.h)
 *   flags >> 8   : N > 0 when the event had modern GFP flags: the original
 *                  flag string is the trace_stat value of key "gfp.N". */
#define RP_KFLAG_SUB_MASK  0xff
#define RP_KFLAG_GFP_SHIFT 8

/* reclaim_begin / reclaim_end subtype: which reclaim it was. */
enum rp_reclaim_type {
	RP_RECLAIM_DIRECT = 0,		/* mm_vmscan_direct_reclaim_* */
	RP_RECLAIM_MEMCG = 1,		/* mm_vmscan_memcg_reclaim_* */
	RP_RECLAIM_MEMCG_SOFTLIMIT = 2, /* mm_vmscan_memcg_softlimit_* */
	RP_RECLAIM_KSWAPD = 3,		/* mm_vmscan_kswapd_wake .. _sleep */
	RP_RECLAIM_MEMCG_SHRINK = 4,	/* mm_vmscan_memcg_shrink_* */
	RP_RECLAIM_NODE = 5,		/* mm_vmscan_node_reclaim_* */
};

/* mark subtype: kernel facts that are not replayed but analysed. */
enum rp_kmark {
	RP_KMARK_WAKEUP_KSWAPD = 1,  /* order, gfp of the waking allocation */
	RP_KMARK_LRU_SHRINK = 2,     /* bytes = nr_scanned, count = reclaimed */
	RP_KMARK_PAGECACHE_DEL = 3,  /* file, offset (page), count (pages) */
	RP_KMARK_BLK_COMPLETE = 4,   /* dev, block, count */
	RP_KMARK_SKB_DROP = 5,	     /* obj = skb address (kfree_skb) */
	RP_KMARK_SKB_CONSUME = 6,    /* obj = skb address (consume_skb) */
	RP_KMARK_ALLOC_FAILED = 7,   /* a page/kmalloc allocation that failed:
					order or bytes, gfp */
	RP_KMARK_PAGECACHE_PAGE = 8, /* a page_alloc whose page went into the
					page cache (obj, order, gfp kept): the
					file_read that follows stands for it */
};

/* ----------------------------------------------------------- GFP table */

/* Maps a modern kernel's symbolic gfp_flags ("GFP_KERNEL|__GFP_ZERO",
 * "GFP_NOWAIT|__GFP_NOWARN", "none") to a 1998 class (enum rp_gfp, maybe
 * or-ed with RP_GFP_DMA).  Returns 0 when nothing is known (empty, numeric
 * only).  The table is in gfp-modern.c and docs/kernel-recorders.md. */
int rp_gfp_modern_class(const char *s, size_t len);

/* ---------------------------------------------- fragmentation indices */

/* The kernel's indices (mm/vmstat.c), times 1000, for a request of
 * `order` given the number of free blocks per order nr_free[0..norders).
 * unusable: (free − (suitable << order)) × 1000 / free, 0 if nothing free.
 * extfrag: 1000 − (1000 + free × 1000 / 2^order) / free_blocks_total, −1000
 * when a suitable block exists, 0 when nothing is free. */
int rp_frag_unusable(const int64_t *nr_free, int norders, int order);
int rp_frag_extfrag(const int64_t *nr_free, int norders, int order);

/* -------------------------------------------------------- text readers */

typedef void (*rp_warn_cb)(const char *msg, void *arg);

struct rp_text_options {
	int strict;	 /* a malformed line fails the whole import */
	int64_t task;	 /* mtrace: task of every event (0: the number in the
			    file name, m.1234.log, else 1) */
	int no_run;	 /* do not build a 'captured' run from reclaim */
	rp_warn_cb warn; /* "FILE:LINE: ..." for each skipped line */
	void *warn_arg;
	rp_progress_cb progress;
	void *progress_arg;
};

struct rp_text_stats {
	int64_t lines;	   /* lines read */
	int64_t events;	   /* events stored */
	int64_t samples;   /* sample rows stored (proc) */
	int64_t unknown;   /* well-formed lines of events not mapped */
	int64_t malformed; /* lines skipped as malformed */
	int64_t lost;	   /* "[LOST N EVENTS]" reported in the text */
	int64_t run_id;	   /* the 'captured' run built, 0 if none */
};

/* Each imports one file as a new trace in one transaction (rp_trace_abort
 * on any failure: no half-written trace).  meta->source may be NULL (a
 * default is used).  stats may be NULL. */
int rp_import_ftrace(struct rp_store *store, const char *path,
		     const struct rp_trace_meta *meta,
		     const struct rp_text_options *opt, int64_t *trace_id,
		     struct rp_text_stats *stats, struct rp_error *err);
int rp_import_perf(struct rp_store *store, const char *path,
		   const struct rp_trace_meta *meta,
		   const struct rp_text_options *opt, int64_t *trace_id,
		   struct rp_text_stats *stats, struct rp_error *err);
int rp_import_mtrace(struct rp_store *store, const char *path,
		     const struct rp_trace_meta *meta,
		     const struct rp_text_options *opt, int64_t *trace_id,
		     struct rp_text_stats *stats, struct rp_error *err);
/* Saved /proc files (buddyinfo, pagetypeinfo, vmstat, meminfo; the kind is
 * recognised from the content), all into one trace of sample rows, with
 * time = the file's mtime.  Fragmentation indices are added as samples of
 * source "fragindex". */
int rp_import_proc(struct rp_store *store, const char *const *paths,
		   size_t npaths, const struct rp_trace_meta *meta,
		   const struct rp_text_options *opt, int64_t *trace_id,
		   struct rp_text_stats *stats, struct rp_error *err);

/* ------------------------------------------------------ captured runs */

/* Reads a stored trace's reclaim_* and mark events and stores a run of kind
 * 'captured': one run_stall per direct (or memcg) reclaim with its latency,
 * metrics (stall.*, kswapd.*, reclaim.*), series per second.  *run_id is 0
 * when the trace has no reclaim events (nothing stored). */
int rp_captured_run_build(struct rp_store *store, int64_t trace_id,
			  const char *kernel, int64_t *run_id,
			  struct rp_error *err);

/* ------------------------------------------------------- live ftrace */

/* Event sets for --events: "kmem", "vmscan", "filemap", "block", "net",
 * or "all".  Default "kmem,vmscan". */
#define RP_FTRACE_DEFAULT_EVENTS "kmem,vmscan"

struct rp_ftrace_options {
	const char *events;   /* comma-separated sets; NULL = default */
	int64_t duration_ns;  /* 0 = until *stop or the command exits */
	int pid;	      /* > 0: trace only this pid (and children) */
	char *const *command; /* argv of a command to run, or NULL */
	int follow;	      /* trace only the command and its children */
	int buffer_kb;	      /* per-CPU ring buffer; 0 = 8192 */
	int drain_ms;	      /* drain period; 0 = 200 */
	const char *tmpdir;   /* spool for raw pages; NULL = $TMPDIR|/tmp */
	int no_run;	      /* do not build the 'captured' run */
	volatile sig_atomic_t *stop; /* set by the caller's signal handler */
	rp_warn_cb warn; /* notes while recording (command status) */
	void *warn_arg;
};

struct rp_ftrace_result {
	int64_t trace_id, run_id;
	int64_t events;	 /* events stored */
	int64_t records; /* tracepoint records read */
	int64_t unknown; /* records of events not mapped */
	int64_t lost;	 /* overrun + dropped + missed, all CPUs */
	int64_t pages;	 /* ring-buffer pages read */
	int ncpus;
	int command_status;   /* wait status of the command, -1 if none */
	double capture_s;     /* wall time tracing was on */
	double capture_cpu_s; /* recorder CPU (user+sys) while tracing */
	double decode_s;      /* wall time to decode and store */
};

int rp_record_ftrace(struct rp_store *store, const struct rp_trace_meta *meta,
		     const struct rp_ftrace_options *opt,
		     struct rp_ftrace_result *res, struct rp_error *err);

/* --------------------------------------------------------- live /proc */

struct rp_proc_options {
	int64_t interval_ns;  /* 0 = 100 ms */
	int64_t duration_ns;  /* 0 = until *stop or the command exits */
	char *const *command; /* argv of a command to run, or NULL */
	const char *procdir;  /* NULL = "/proc" */
	volatile sig_atomic_t *stop;
};

struct rp_proc_result {
	int64_t trace_id;
	int64_t rounds;	    /* sampling rounds */
	int64_t samples;    /* sample rows stored */
	int command_status; /* wait status of the command, -1 if none */
};

int rp_record_proc(struct rp_store *store, const struct rp_trace_meta *meta,
		   const struct rp_proc_options *opt,
		   struct rp_proc_result *res, struct rp_error *err);

/* A command's wait status as text: "exit 0", "signal 9", "not run". */
const char *rp_wait_status_text(int status, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* LIBREPLAY_KERNEL_H */
