/*
 * vm98.h — the engine-facing interface of the 1998 Linux memory model
 * (docs/vm1998-model.md; internals in docs/vm98-internals.md).
 *
 * A struct vm98 is one whole simulated machine: buddy allocator, slab general
 * caches (or the 2.0.33 kmalloc), network-receive sizing and, later, reclaim.
 * It has no globals and no shared mutable state: any number of instances may
 * run side by side, one thread per instance.  Time is integer nanoseconds.
 * Nothing here does file I/O, prints or exits; randomness comes only from the
 * seeded generator of the instance.
 *
 * Typical use (the replay engine):
 *
 *	const struct vm98_kernel *k = vm98_kernel_find("2.1.90");
 *	struct vm98_params p;
 *	vm98_params_init(k, &p);
 *	if (vm98_param_set(&p, "net_hold_ns", "200000", err, sizeof(err)))
 *		...usage error...
 *	struct vm98 *m = vm98_new(k, 32 << 20, &p, seed, err, sizeof(err));
 *	for each event ev: vm98_apply(m, &ev);  (calls vm98_advance itself)
 *	    while (vm98_next_stall(m, &s)) ...store s...
 *	at the end: vm98_flush(m); drain the stalls;
 *	every sample interval: vm98_advance(m, t); vm98_sample(m, cb, arg);
 *	at the end: vm98_metrics(m, cb, arg); vm98_free(m);
 */
#ifndef VM98_H
#define VM98_H

#include <stddef.h>
#include <stdint.h>

#include "libreplay.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ kernels */

/* One tunable of a kernel, as `--list-kernels --verbose` shows it. */
struct vm98_param {
	const char *name; /* "net_hold_ns" */
	int64_t def;	  /* default value for this kernel */
	int64_t min, max; /* accepted range */
	const char *unit; /* "ns", "KB", "pages", "bool", "ticks", "" */
	const char *desc; /* one line */
	int guess;	  /* 1: the spec marks the value GUESS */
	int id;		  /* internal (enum vm98_param_id) */
};

struct vm98_kernel; /* const, defined in libreplay/vm98/kernel-*.c */

/* The registry: every kernel of spec §12–§13, in a fixed order. */
int vm98_kernel_count(void);
const struct vm98_kernel *vm98_kernel_at(int i);
const struct vm98_kernel *vm98_kernel_find(const char *name); /* NULL */
const char *vm98_kernel_name(const struct vm98_kernel *k);    /* "2.1.90" */
const char *vm98_kernel_desc(const struct vm98_kernel *k);    /* one line */
int vm98_kernel_nparams(const struct vm98_kernel *k);
const struct vm98_param *vm98_kernel_param(const struct vm98_kernel *k, int i);

/* ------------------------------------------------------------- params */

#define VM98_MAX_PARAMS 48

/* Parameter values of one run: the kernel's defaults, changed by
 * vm98_param_set.  A plain value type: copy it freely. */
struct vm98_params {
	const struct vm98_kernel *kernel;
	int64_t v[VM98_MAX_PARAMS]; /* indexed by enum vm98_param_id */
};

void vm98_params_init(const struct vm98_kernel *k, struct vm98_params *p);
/* Sets a parameter of p's kernel from text ("200000", "1"; an integer).
 * Returns 0, or -1 with a one-line message in err (unknown name for this
 * kernel, not an integer, out of range). */
int vm98_param_set(struct vm98_params *p, const char *name, const char *value,
		   char *err, size_t errlen);
/* Value of a named parameter; -1 and *ok = 0 if the kernel has none. */
int64_t vm98_param_get(const struct vm98_params *p, const char *name, int *ok);

/* ------------------------------------------------------------ machine */

struct vm98;

/* Creates a machine of mem_bytes of RAM (at least 2 MB, a multiple of 4 KB
 * is taken; the rest is ignored) booted as §3.3 says.  params may be NULL
 * (kernel defaults).  Returns NULL with a message in err on bad input or
 * out of memory. */
struct vm98 *vm98_new(const struct vm98_kernel *k, uint64_t mem_bytes,
		      const struct vm98_params *params, uint64_t seed,
		      char *err, size_t errlen);
void vm98_free(struct vm98 *m);

/* Runs the timed work due up to now_ns (inclusive): net_rx frees after their
 * hold time, and the HZ=100 clock ticks (swap_tick hook).  The first call
 * (or the first vm98_apply) sets the machine's time origin.  Time never goes
 * back: a smaller now_ns is treated as the current time. */
void vm98_advance(struct vm98 *m, int64_t now_ns);

/* Outcome of vm98_apply. */
enum vm98_result {
	VM98_OK = 0,	   /* applied */
	VM98_FAILED = 1,   /* an allocation failed (counted; not an error) */
	VM98_DROPPED = 2,  /* net_rx: datagram dropped (an allocation failed) */
	VM98_UNKNOWN = 3,  /* free of an object the model does not hold */
	VM98_IGNORED = 4,  /* event kind not modelled (counted) */
	VM98_DEFERRED = 5, /* queued: its task is behind (see "Time") */
};

/* Time.  Events must be given in trace-time order (ts_ns non-decreasing).
 * Interrupts (net_rx) and events without a task are open-loop: they
 * happen at their trace time.  Tasks are closed-loop: an event of task T
 * at trace time t happens at model time t + delay[T], where delay[T]
 * (≥ 0, never decreasing) is the sum of T's stalls so far — time spent in
 * direct reclaim, waiting for kswapd or the disk (swap-in, reads), or
 * waiting while kswapd (SCHED_FIFO) held the CPU.  So a stalled task
 * replays its later events later and keeps its think time.  When
 * delay[T] > 0, vm98_apply queues T's event (VM98_DEFERRED) and applies
 * it when model time reaches it, inside a later vm98_apply/vm98_advance;
 * its outcome is then visible only through the metrics and the stall
 * queue.  vm98_now is model time; vm98_flush applies what is left.
 *
 * Applies one event at ev->ts_ns (vm98_advance(m, ev->ts_ns) first):
 *   page_alloc  __get_free_pages(order, gfp); obj → block remembered
 *   page_free   free_pages of the remembered block (unknown obj: counted)
 *   kmalloc     kmalloc(bytes, gfp) in the version's size classes
 *   kfree       kfree of the remembered object
 *   net_rx      the version's receive allocations (GFP_ATOMIC) for a
 *               datagram of `bytes` in `count` fragments, freed after the
 *               hold time (param net_hold_ns)
 *   file_read   page cache (file, offset = page index, count = pages)
 *   file_write  data buffers of the pages (ext2 writes through buffers)
 *   blk_read    buffer cache (dev, block = 512-byte sector, count =
 *   blk_write   sectors, flags bit 0 = metadata)
 *   anon_touch  task's pages (offset = virtual page, count, flags bit 0 =
 *               write): zero page, new page, swap_in
 *   task_exit   frees the task's pages and swap
 *   others      counted and ignored
 * Absent gfp means GFP_KERNEL.  Returns an enum vm98_result. */
int vm98_apply(struct vm98 *m, const struct rp_event *ev);

/* vm98_apply for an engine that numbers the live obj ids itself, so the
 * machine indexes an array instead of hashing ev->obj.  slot is the dense
 * number (0, 1, ...) the caller gave ev->obj: for page_alloc/kmalloc the
 * obj's slot (the same one while the obj is live, a new or recycled one
 * otherwise); for page_free/kfree the slot of the live obj, or
 * VM98_NO_SLOT if the caller holds no such obj; ignored for other kinds.
 * A slot may be given to another obj once the free of its obj has been
 * applied.  The results are the same as vm98_apply's.  A machine is
 * driven either by vm98_apply or by vm98_apply_slot, not both. */
#define VM98_NO_SLOT UINT32_MAX
int vm98_apply_slot(struct vm98 *m, const struct rp_event *ev, uint32_t slot);

/* Applies every deferred event (advancing model time as far as needed);
 * call at the end of a replay, before vm98_metrics. */
void vm98_flush(struct vm98 *m);

/* An allocation that waited (reclaimed directly, or slept until kswapd
 * freed memory) or failed.  Queued in the instance in the order they
 * happen; drain with vm98_next_stall after each vm98_apply/vm98_advance/
 * vm98_flush (the queue keeps at most 1 M entries; older ones are then
 * dropped and counted in metric stall.dropped). */
struct vm98_stall {
	int64_t t_ns;	     /* model time the allocation was asked for */
	int64_t task;	     /* trace task id; -1: interrupt or no task */
	int order;	     /* buddy order */
	int gfp;	     /* enum rp_gfp, or-ed with RP_GFP_DMA */
	int64_t latency_ns;  /* time it waited (0: failed at once) */
	int64_t pages_freed; /* pages reclaim gave back meanwhile */
	int failed;	     /* 1: the allocation failed */
	const char *path;    /* "direct", "kswapd-wait", "failed",
				"net_rx-drop" */
};
/* Takes the oldest queued stall: 1 and *out filled, or 0 if none. */
int vm98_next_stall(struct vm98 *m, struct vm98_stall *out);

/* Name/value callback for metrics and samples; return nonzero to stop. */
typedef int (*vm98_value_cb)(const char *name, double value, void *arg);

/* Summary metrics of the run so far (names in docs/vm98-internals.md):
 * alloc.oN, alloc_fail.oN, atomic_fail.oN, free_blocks_end.oN,
 * nr_free_pages_end/min/mean, net_rx_drop, unknown_free, ... */
int vm98_metrics(const struct vm98 *m, vm98_value_cb cb, void *arg);
/* One sample of the time series at the current time: free.oN,
 * nr_free_pages, fma (kernels that have one), unusable.oN, extfrag.oN
 * (kernel formulas, ×1000), largest_order. */
int vm98_sample(const struct vm98 *m, vm98_value_cb cb, void *arg);

/* The buddy order and GFP class (enum rp_gfp, with RP_GFP_DMA) of the
 * last __get_free_pages call that failed — for a kmalloc or net_rx that
 * returned VM98_FAILED/VM98_DROPPED, the block the slab layer needed.
 * Order -1 for a kmalloc larger than the biggest size class; -1/-1 if
 * nothing failed yet. */
void vm98_last_failure(const struct vm98 *m, int *order, int *rp_gfp);

/* Current model time (ns; 0 before the first event) and free pages. */
int64_t vm98_now(const struct vm98 *m);
int64_t vm98_nr_free_pages(const struct vm98 *m);

/* Consistency check: free lists vs bitmaps vs counters, every page free,
 * reserved or held exactly once.  Returns 0, or nonzero with a one-line
 * description in buf.  Cost O(pages); for tests and --check runs. */
int vm98_check(const struct vm98 *m, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* VM98_H */
