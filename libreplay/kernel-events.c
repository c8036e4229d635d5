/*
 * kernel-events.c — how kernel tracepoint records become events of the
 * event model (design.md §3, docs/kernel-recorders.md): the tracepoint
 * table, the text field parser shared by the ftrace, trace-cmd and perf
 * readers, and the event sink shared by them and the live recorder (pfns
 * and pointers become obj ids, reclaim begin/end pairs get order and gfp,
 * original GFP strings are interned as trace_stat "gfp.N"; for a text
 * import the store appends each full batch on a thread of its own while
 * the next is parsed).  The text fields are read in one pass that looks
 * only at the keys the event's mapping needs.
 */
#include "kernel-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- tracepoints */

const struct rp_tp_info rp_tp_table[RP_TP_COUNT] = {
    [RP_TP_PAGE_ALLOC] = {"kmem", "mm_page_alloc", "kmem"},
    [RP_TP_PAGE_FREE] = {"kmem", "mm_page_free", "kmem"},
    [RP_TP_PAGE_FREE_BATCHED] = {"kmem", "mm_page_free_batched", "kmem"},
    [RP_TP_KMALLOC] = {"kmem", "kmalloc", "kmem"},
    [RP_TP_KMALLOC_NODE] = {"kmem", "kmalloc_node", "kmem"},
    [RP_TP_KFREE] = {"kmem", "kfree", "kmem"},
    [RP_TP_CACHE_ALLOC] = {"kmem", "kmem_cache_alloc", "kmem"},
    [RP_TP_CACHE_ALLOC_NODE] = {"kmem", "kmem_cache_alloc_node", "kmem"},
    [RP_TP_CACHE_FREE] = {"kmem", "kmem_cache_free", "kmem"},
    [RP_TP_DIRECT_BEGIN] = {"vmscan", "mm_vmscan_direct_reclaim_begin",
			    "vmscan"},
    [RP_TP_DIRECT_END] = {"vmscan", "mm_vmscan_direct_reclaim_end", "vmscan"},
    [RP_TP_MEMCG_BEGIN] = {"vmscan", "mm_vmscan_memcg_reclaim_begin", "vmscan"},
    [RP_TP_MEMCG_END] = {"vmscan", "mm_vmscan_memcg_reclaim_end", "vmscan"},
    [RP_TP_MEMCG_SOFT_BEGIN] = {"vmscan",
				"mm_vmscan_memcg_softlimit_reclaim_begin",
				"vmscan"},
    [RP_TP_MEMCG_SOFT_END] = {"vmscan", "mm_vmscan_memcg_softlimit_reclaim_end",
			      "vmscan"},
    [RP_TP_MEMCG_SHRINK_BEGIN] = {"vmscan", "mm_vmscan_memcg_shrink_begin",
				  "vmscan"},
    [RP_TP_MEMCG_SHRINK_END] = {"vmscan", "mm_vmscan_memcg_shrink_end",
				"vmscan"},
    [RP_TP_NODE_BEGIN] = {"vmscan", "mm_vmscan_node_reclaim_begin", "vmscan"},
    [RP_TP_NODE_END] = {"vmscan", "mm_vmscan_node_reclaim_end", "vmscan"},
    [RP_TP_KSWAPD_WAKE] = {"vmscan", "mm_vmscan_kswapd_wake", "vmscan"},
    [RP_TP_KSWAPD_SLEEP] = {"vmscan", "mm_vmscan_kswapd_sleep", "vmscan"},
    [RP_TP_WAKEUP_KSWAPD] = {"vmscan", "mm_vmscan_wakeup_kswapd", "vmscan"},
    [RP_TP_LRU_SHRINK_INACTIVE] = {"vmscan", "mm_vmscan_lru_shrink_inactive",
				   "vmscan"},
    [RP_TP_FILEMAP_ADD] = {"filemap", "mm_filemap_add_to_page_cache",
			   "filemap"},
    [RP_TP_FILEMAP_DELETE] = {"filemap", "mm_filemap_delete_from_page_cache",
			      "filemap"},
    [RP_TP_RQ_ISSUE] = {"block", "block_rq_issue", "block"},
    [RP_TP_RQ_COMPLETE] = {"block", "block_rq_complete", "block"},
    [RP_TP_NET_RX] = {"net", "netif_receive_skb", "net"},
    [RP_TP_KFREE_SKB] = {"skb", "kfree_skb", "net"},
    [RP_TP_CONSUME_SKB] = {"skb", "consume_skb", "net"},
};

int rp_tp_lookup(const char *name, size_t len)
{
	static size_t lens[RP_TP_COUNT];
	/* perf prints "kmem:mm_page_alloc": drop the system. */
	const char *colon = memchr(name, ':', len);
	if (colon) {
		len -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	if (!lens[0])
		for (int i = RP_TP_COUNT - 1; i >= 0; i--)
			lens[i] = strlen(rp_tp_table[i].name);
	for (int i = 0; i < RP_TP_COUNT; i++)
		if (lens[i] == len &&
		    rp_tp_table[i].name[len - 1] == name[len - 1] &&
		    memcmp(rp_tp_table[i].name, name, len) == 0)
			return i;
	return -1;
}

/* --------------------------------------------------------------- sink */

#define KS_BATCH       4096
#define KS_FOLD_WINDOW 512 /* events looked back by fold_pagecache_alloc */
#define KS_RECLAIMS    64
#define KS_UNKNOWN     64
#define KS_RECENT      8 /* GFP strings looked up last, checked first */

struct gfp_slot {
	uint64_t hash;
	char *s; /* NULL: empty slot */
	uint32_t len;
	int cls, idx;
};

/* A string of the table, seen lately. */
struct gfp_recent {
	const char *s;
	uint32_t len;
	int cls, idx;
};

struct reclaim_slot {
	int64_t pid;
	int used, type, order, cls, idx;
};

struct unk_name {
	char name[64];
	int64_t n;
};

/* A batch of events for the store: the first n of ev. */
struct ks_batch {
	struct rp_event ev[KS_BATCH];
	size_t n;
};

struct rp_ksink {
	struct rp_trace_writer *w;
	struct rp_event *buf; /* bufs[cur].ev, being filled */
	struct ks_batch bufs[2];
	int cur;
	/* rp_ksink_async: the batches are appended by a thread of their own
	 * while the caller maps the next (NULL: in ksink_flush) */
	struct rp_pipe *pipe;
	size_t n;
	int64_t last_ts, events, reordered;
	struct gfp_slot *gfp;
	size_t gfp_cap, gfp_n;
	struct gfp_recent recent[KS_RECENT];
	unsigned nrecent;
	struct reclaim_slot rec[KS_RECLAIMS];
	int64_t tp_count[RP_TP_COUNT];
	struct unk_name unk[KS_UNKNOWN];
	int nunk;
	int64_t unknown, failed_allocs, null_frees, lost, blk_other, reclaims,
	    unpaired, pagecache_folded;
};

int rp_ksink_new(struct rp_trace_writer *w, struct rp_ksink **out,
		 struct rp_error *err)
{
	struct rp_ksink *k = calloc(1, sizeof *k);
	*out = NULL;
	if (!k)
		return rp_error_set(err, "out of memory");
	k->w = w;
	k->buf = k->bufs[0].ev;
	k->gfp_cap = 64;
	k->gfp = calloc(k->gfp_cap, sizeof *k->gfp);
	if (!k->gfp) {
		free(k);
		return rp_error_set(err, "out of memory");
	}
	*out = k;
	return 0;
}

/* The pipe's consumer (batch-pipe.c). */
static int ks_consume(void *arg, void *batch, struct rp_error *err)
{
	const struct ks_batch *b = batch;
	return rp_trace_append(arg, b->ev, b->n, err);
}

void rp_ksink_async(struct rp_ksink *k)
{
	if (k && k->w && !k->pipe)
		k->pipe = rp_pipe_start(2, ks_consume, k->w);
}

/* Waits for the last batch handed over and ends the writer thread. */
static int ksink_stop(struct rp_ksink *k, struct rp_error *err)
{
	int rc = rp_pipe_stop(k->pipe, false, err);
	k->pipe = NULL;
	return rc;
}

void rp_ksink_stop(struct rp_ksink *k)
{
	if (k)
		ksink_stop(k, NULL);
}

void rp_ksink_free(struct rp_ksink *k)
{
	if (!k)
		return;
	ksink_stop(k, NULL);
	for (size_t i = 0; i < k->gfp_cap; i++)
		free(k->gfp[i].s);
	free(k->gfp);
	free(k);
}

static uint64_t fnv(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int gfp_grow(struct rp_ksink *k)
{
	size_t ncap = k->gfp_cap * 2;
	struct gfp_slot *n = calloc(ncap, sizeof *n);
	if (!n)
		return -1;
	for (size_t i = 0; i < k->gfp_cap; i++) {
		if (!k->gfp[i].s)
			continue;
		size_t j = k->gfp[i].hash & (ncap - 1);
		while (n[j].s)
			j = (j + 1) & (ncap - 1);
		n[j] = k->gfp[i];
	}
	free(k->gfp);
	k->gfp = n;
	k->gfp_cap = ncap;
	return 0;
}

static void gfp_remember(struct rp_ksink *k, const struct gfp_slot *g)
{
	k->recent[k->nrecent++ % KS_RECENT] =
	    (struct gfp_recent){g->s, g->len, g->cls, g->idx};
}

int rp_ksink_gfp(struct rp_ksink *k, const char *s, size_t len, int *cls)
{
	if (len > 4000)
		len = 4000;
	/* a trace has a few distinct strings: compare before hashing */
	unsigned nr = k->nrecent < KS_RECENT ? k->nrecent : KS_RECENT;
	for (unsigned i = 0; i < nr; i++) {
		const struct gfp_recent *r = &k->recent[i];
		if (r->len == len && memcmp(r->s, s, len) == 0) {
			*cls = r->cls;
			return r->idx;
		}
	}
	uint64_t h = fnv(s, len);
	size_t j = h & (k->gfp_cap - 1);
	while (k->gfp[j].s) {
		struct gfp_slot *g = &k->gfp[j];
		if (g->hash == h && g->len == len &&
		    memcmp(g->s, s, len) == 0) {
			*cls = g->cls;
			gfp_remember(k, g);
			return g->idx;
		}
		j = (j + 1) & (k->gfp_cap - 1);
	}
	*cls = rp_gfp_modern_class(s, len);
	if ((k->gfp_n + 1) * 2 > k->gfp_cap) {
		if (gfp_grow(k))
			return 0;
		return rp_ksink_gfp(k, s, len, cls);
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return 0;
	memcpy(copy, s, len);
	copy[len] = '\0';
	k->gfp[j] =
	    (struct gfp_slot){h, copy, (uint32_t)len, *cls, (int)++k->gfp_n};
	gfp_remember(k, &k->gfp[j]);
	return k->gfp[j].idx;
}

/* Stores the buffered events but, unless final, the last KS_FOLD_WINDOW:
 * they start the next buffer, so that fold_pagecache_alloc always finds a
 * page_alloc up to that many events back, across batch boundaries. */
static int ksink_flush(struct rp_ksink *k, bool final, struct rp_error *err)
{
	int rc = 0;
	size_t keep = final ? 0 : k->n < KS_FOLD_WINDOW ? k->n : KS_FOLD_WINDOW;
	size_t out = k->n - keep;
	const struct rp_event *tail = k->buf + out;
	if (k->w && out && k->pipe) {
		/* hand the batch over; fill the other buffer meanwhile */
		k->bufs[k->cur].n = out;
		rc = rp_pipe_put(k->pipe, &k->bufs[k->cur], err);
		k->cur ^= 1;
		k->buf = k->bufs[k->cur].ev;
	} else if (k->w && out) {
		rc = rp_trace_append(k->w, k->buf, out, err);
	}
	/* the writer reads only the first `out` events of the old buffer */
	memmove(k->buf, tail, keep * sizeof *tail);
	k->n = keep;
	return rc;
}

static struct rp_event *new_event(struct rp_ksink *k, int64_t ts, int kind,
				  struct rp_error *err)
{
	if (k->n == KS_BATCH && ksink_flush(k, false, err))
		return NULL;
	static const struct rp_event zero; /* copied: cheaper than memset */
	struct rp_event *ev = &k->buf[k->n++];
	*ev = zero;
	if (k->events > 0 && ts < k->last_ts) {
		ts = k->last_ts; /* another CPU's clock, a little behind */
		k->reordered++;
	}
	k->last_ts = ts;
	k->events++;
	ev->ts_ns = ts;
	ev->kind = (uint8_t)kind;
	ev->present = RP_HAS(RP_COL_TS) | RP_HAS(RP_COL_KIND);
	return ev;
}

/* A modern kernel reports a page-cache page twice: mm_page_alloc, then
 * mm_filemap_add_to_page_cache with the same pfn.  The model allocates
 * the page itself for the file_read, so the page_alloc (at most
 * KS_FOLD_WINDOW events back, still buffered: the two come microseconds
 * apart) becomes a mark, or a
 * replay would hold the page twice and never reclaim one copy.  Its later
 * page_free then names an object the model does not hold (counted). */
static void fold_pagecache_alloc(struct rp_ksink *k, int64_t pfn)
{
	size_t stop = k->n > KS_FOLD_WINDOW ? k->n - KS_FOLD_WINDOW : 0;
	for (size_t i = k->n; i-- > stop;) {
		struct rp_event *ev = &k->buf[i];
		if (ev->kind != RP_PAGE_ALLOC || ev->obj != pfn)
			continue;
		ev->kind = RP_MARK;
		ev->flags =
		    (ev->flags & ~(int64_t)0xff) | RP_KMARK_PAGECACHE_PAGE;
		ev->present |= RP_HAS(RP_COL_FLAGS);
		k->pagecache_folded++;
		return;
	}
}

#define SET(ev, col, field, v)                                                 \
	do {                                                                   \
		(ev)->field = (v);                                             \
		(ev)->present |= RP_HAS(col);                                  \
	} while (0)

static void set_order(struct rp_event *ev, int order)
{
	if (order >= 0 && order <= 14)
		SET(ev, RP_COL_ORDER, order, (int8_t)order);
}

static void set_gfp(struct rp_event *ev, int cls)
{
	if (cls)
		SET(ev, RP_COL_GFP, gfp, (uint8_t)cls);
}

static int64_t kflags(int sub, int gfp_idx)
{
	return (int64_t)sub | ((int64_t)gfp_idx << RP_KFLAG_GFP_SHIFT);
}

static struct reclaim_slot *reclaim_find(struct rp_ksink *k, int64_t pid,
					 int type)
{
	for (int i = 0; i < KS_RECLAIMS; i++)
		if (k->rec[i].used && k->rec[i].pid == pid &&
		    k->rec[i].type == type)
			return &k->rec[i];
	return NULL;
}

static void reclaim_begin(struct rp_ksink *k, int64_t pid, int type,
			  const struct rp_kfields *f)
{
	struct reclaim_slot *r = reclaim_find(k, pid, type);
	for (int i = 0; !r && i < KS_RECLAIMS; i++)
		if (!k->rec[i].used)
			r = &k->rec[i];
	if (!r)
		r = &k->rec[pid & (KS_RECLAIMS - 1)]; /* overwrite */
	*r = (struct reclaim_slot){
	    pid,	  1,	     type, f->has & RP_KF_ORDER ? f->order : -1,
	    f->gfp_class, f->gfp_idx};
}

static int reclaim_type(int tp)
{
	switch (tp) {
	case RP_TP_DIRECT_BEGIN:
	case RP_TP_DIRECT_END: return RP_RECLAIM_DIRECT;
	case RP_TP_MEMCG_BEGIN:
	case RP_TP_MEMCG_END: return RP_RECLAIM_MEMCG;
	case RP_TP_MEMCG_SOFT_BEGIN:
	case RP_TP_MEMCG_SOFT_END: return RP_RECLAIM_MEMCG_SOFTLIMIT;
	case RP_TP_MEMCG_SHRINK_BEGIN:
	case RP_TP_MEMCG_SHRINK_END: return RP_RECLAIM_MEMCG_SHRINK;
	case RP_TP_NODE_BEGIN:
	case RP_TP_NODE_END: return RP_RECLAIM_NODE;
	case RP_TP_KSWAPD_WAKE:
	case RP_TP_KSWAPD_SLEEP: return RP_RECLAIM_KSWAPD;
	default: return -1;
	}
}

/* (s_dev << 32) | low 32 bits of the inode number: a stable file id. */
static int64_t file_id(const struct rp_kfields *f)
{
	return (int64_t)(((f->dev & 0x7fffffffu) << 32) |
			 (f->ino & 0xffffffffu));
}

int rp_ksink_add(struct rp_ksink *k, int tp, const struct rp_kfields *f,
		 struct rp_error *err)
{
	struct rp_event *ev;
	int type;

	if (tp < 0 || tp >= RP_TP_COUNT)
		return 0;
	k->tp_count[tp]++;
	switch (tp) {
	case RP_TP_PAGE_ALLOC:
		if (!(f->has & RP_KF_PFN) || f->pfn == 0) {
			k->failed_allocs++;
			if (!(ev = new_event(k, f->ts_ns, RP_MARK, err)))
				return -1;
			SET(ev, RP_COL_TASK, task, f->pid);
			set_order(ev, f->has & RP_KF_ORDER ? f->order : -1);
			set_gfp(ev, f->gfp_class);
			SET(ev, RP_COL_FLAGS, flags,
			    kflags(RP_KMARK_ALLOC_FAILED, f->gfp_idx));
			return 0;
		}
		if (!(ev = new_event(k, f->ts_ns, RP_PAGE_ALLOC, err)))
			return -1;
		SET(ev, RP_COL_TASK, task, f->pid);
		SET(ev, RP_COL_OBJ, obj, (int64_t)f->pfn);
		set_order(ev, f->has & RP_KF_ORDER ? f->order : 0);
		set_gfp(ev, f->gfp_class);
		if (f->gfp_idx)
			SET(ev, RP_COL_FLAGS, flags, kflags(0, f->gfp_idx));
		return 0;
	case RP_TP_PAGE_FREE:
	case RP_TP_PAGE_FREE_BATCHED:
		if (!(f->has & RP_KF_PFN))
			return 0;
		if (!(ev = new_event(k, f->ts_ns, RP_PAGE_FREE, err)))
			return -1;
		SET(ev, RP_COL_TASK, task, f->pid);
		SET(ev, RP_COL_OBJ, obj, (int64_t)f->pfn);
		set_order(ev, f->has & RP_KF_ORDER ? f->order : 0);
		return 0;
	case RP_TP_KMALLOC:
	case RP_TP_KMALLOC_NODE:
	case RP_TP_CACHE_ALLOC:
	case RP_TP_CACHE_ALLOC_NODE:
		if (!(f->has & RP_KF_PTR) || f->ptr == 0) {
			k->failed_allocs++;
			if (!(ev = new_event(k, f->ts_ns, RP_MARK, err)))
				return -1;
			SET(ev, RP_COL_TASK, task, f->pid);
			if (f->has & RP_KF_BYTES)
				SET(ev, RP_COL_BYTES, bytes, f->bytes);
			set_gfp(ev, f->gfp_class);
			SET(ev, RP_COL_FLAGS, flags,
			    kflags(RP_KMARK_ALLOC_FAILED, f->gfp_idx));
			return 0;
		}
		if (!(ev = new_event(k, f->ts_ns, RP_KMALLOC, err)))
			return -1;
		SET(ev, RP_COL_TASK, task, f->pid);
		SET(ev, RP_COL_OBJ, obj, (int64_t)f->ptr);
		if (f->has & RP_KF_BYTES)
			SET(ev, RP_COL_BYTES, bytes, f->bytes);
		set_gfp(ev, f->gfp_class);
		if (f->gfp_idx)
			SET(ev, RP_COL_FLAGS, flags, kflags(0, f->gfp_idx));
		return 0;
	case RP_TP_KFREE:
	case RP_TP_CACHE_FREE:
		if (!(f->has & RP_KF_PTR) || f->ptr <= 16) {
			k->null_frees++; /* kfree(NULL), ZERO_SIZE_PTR */
			return 0;
		}
		if (!(ev = new_event(k, f->ts_ns, RP_KFREE, err)))
			return -1;
		SET(ev, RP_COL_TASK, task, f->pid);
		SET(ev, RP_COL_OBJ, obj, (int64_t)f->ptr);
		return 0;
	case RP_TP_DIRECT_BEGIN:
	case RP_TP_MEMCG_BEGIN:
	case RP_TP_MEMCG_SOFT_BEGIN:
	case RP_TP_MEMCG_SHRINK_BEGIN:
	case RP_TP_NODE_BEGIN:
	case RP_TP_KSWAPD_WAKE:
		type = reclaim_type(tp);
		if (!(ev = new_event(k, f->ts_ns, RP_RECLAIM_BEGIN, err)))
			return -1;
		k->reclaims++;
		SET(ev, RP_COL_TASK, task, f->pid);
		set_order(ev, f->has & RP_KF_ORDER ? f->order : -1);
		set_gfp(ev, f->gfp_class);
		SET(ev, RP_COL_FLAGS, flags, kflags(type, f->gfp_idx));
		reclaim_begin(k, f->pid, type, f);
		return 0;
	case RP_TP_DIRECT_END:
	case RP_TP_MEMCG_END:
	case RP_TP_MEMCG_SOFT_END:
	case RP_TP_MEMCG_SHRINK_END:
	case RP_TP_NODE_END:
	case RP_TP_KSWAPD_SLEEP: {
		type = reclaim_type(tp);
		struct reclaim_slot *r = reclaim_find(k, f->pid, type);
		if (!(ev = new_event(k, f->ts_ns, RP_RECLAIM_END, err)))
			return -1;
		k->reclaims++;
		SET(ev, RP_COL_TASK, task, f->pid);
		if (f->has & RP_KF_RECLAIMED)
			SET(ev, RP_COL_COUNT, count, f->reclaimed);
		if (r) {
			set_order(ev, r->order);
			set_gfp(ev, r->cls);
			SET(ev, RP_COL_FLAGS, flags, kflags(type, r->idx));
			r->used = 0;
		} else {
			k->unpaired++;
			SET(ev, RP_COL_FLAGS, flags, kflags(type, 0));
		}
		return 0;
	}
	case RP_TP_WAKEUP_KSWAPD:
		if (!(ev = new_event(k, f->ts_ns, RP_MARK, err)))
			return -1;
		SET(ev, RP_COL_TASK, task, f->pid);
		set_order(ev, f->has & RP_KF_ORDER ? f->order : -1);
		set_gfp(ev, f->gfp_class);
		SET(ev, RP_COL_FLAGS, flags,
		    kflags(RP_KMARK_WAKEUP_KSWAPD, f->gfp_idx));
		return 0;
	case RP_TP_LRU_SHRINK_INACTIVE:
		if (!(ev = new_event(k, f->ts_ns, RP_MARK, err)))
			return -1;
		SET(ev, RP_COL_TASK, task, f->pid);
		if (f->has & RP_KF_SCANNED)
			SET(ev, RP_COL_BYTES, bytes, f->scanned);
		if (f->has & RP_KF_RECLAIMED)
			SET(ev, RP_COL_COUNT, count, f->reclaimed);
		SET(ev, RP_COL_FLAGS, flags, kflags(RP_KMARK_LRU_SHRINK, 0));
		return 0;
	case RP_TP_FILEMAP_ADD:
	case RP_TP_FILEMAP_DELETE: {
		if ((f->has & (RP_KF_FILE | RP_KF_INDEX)) !=
		    (RP_KF_FILE | RP_KF_INDEX))
			return 0;
		int add = tp == RP_TP_FILEMAP_ADD;
		if (add && (f->has & RP_KF_PFN))
			fold_pagecache_alloc(k, (int64_t)f->pfn);
		int order = f->has & RP_KF_ORDER ? f->order : 0;
		if (!(ev = new_event(k, f->ts_ns, add ? RP_FILE_READ : RP_MARK,
				     err)))
			return -1;
		SET(ev, RP_COL_TASK, task, f->pid);
		SET(ev, RP_COL_FILE, file, file_id(f));
		SET(ev, RP_COL_OFFSET, offset, f->index);
		SET(ev, RP_COL_COUNT, count,
		    (int64_t)1 << (order >= 0 && order < 20 ? order : 0));
		if (!add)
			SET(ev, RP_COL_FLAGS, flags,
			    kflags(RP_KMARK_PAGECACHE_DEL, 0));
		return 0;
	}
	case RP_TP_RQ_ISSUE:
	case RP_TP_RQ_COMPLETE: {
		int kind;
		if (!(f->has & RP_KF_SECTOR))
			return 0;
		if (tp == RP_TP_RQ_COMPLETE)
			kind = RP_MARK;
		else if (strchr(f->rwbs, 'W'))
			kind = RP_BLK_WRITE;
		else if (strchr(f->rwbs, 'R'))
			kind = RP_BLK_READ;
		else {
			k->blk_other++; /* flush, discard: no data */
			return 0;
		}
		if (!(ev = new_event(k, f->ts_ns, kind, err)))
			return -1;
		if (kind != RP_MARK)
			SET(ev, RP_COL_TASK, task, f->pid);
		SET(ev, RP_COL_DEV, dev, (int64_t)f->dev);
		SET(ev, RP_COL_BLOCK, block, f->sector);
		SET(ev, RP_COL_COUNT, count, f->nr_sector);
		if (kind == RP_MARK)
			SET(ev, RP_COL_FLAGS, flags,
			    kflags(RP_KMARK_BLK_COMPLETE, 0));
		else
			SET(ev, RP_COL_FLAGS, flags,
			    strchr(f->rwbs, 'M') ? RP_FLAG_META : 0);
		return 0;
	}
	case RP_TP_NET_RX:
		if (!(ev = new_event(k, f->ts_ns, RP_NET_RX, err)))
			return -1;
		if (f->has & RP_KF_PTR)
			SET(ev, RP_COL_OBJ, obj, (int64_t)f->ptr);
		if (f->has & RP_KF_LEN)
			SET(ev, RP_COL_BYTES, bytes, f->len);
		SET(ev, RP_COL_COUNT, count, 1);
		SET(ev, RP_COL_FLAGS, flags, RP_FLAG_OTHER_TRANSPORT);
		return 0;
	case RP_TP_KFREE_SKB:
	case RP_TP_CONSUME_SKB:
		if (!(ev = new_event(k, f->ts_ns, RP_MARK, err)))
			return -1;
		if (f->has & RP_KF_PTR)
			SET(ev, RP_COL_OBJ, obj, (int64_t)f->ptr);
		SET(ev, RP_COL_FLAGS, flags,
		    kflags(tp == RP_TP_KFREE_SKB ? RP_KMARK_SKB_DROP
						 : RP_KMARK_SKB_CONSUME,
			   0));
		return 0;
	default: return 0;
	}
}

int rp_ksink_raw(struct rp_ksink *k, const struct rp_event *src,
		 struct rp_error *err)
{
	struct rp_event *ev = new_event(k, src->ts_ns, src->kind, err);
	if (!ev)
		return -1;
	int64_t ts = ev->ts_ns;
	*ev = *src;
	ev->ts_ns = ts;
	ev->present |= RP_HAS(RP_COL_TS) | RP_HAS(RP_COL_KIND);
	return 0;
}

void rp_ksink_unknown(struct rp_ksink *k, const char *name, size_t len)
{
	k->unknown++;
	if (len >= sizeof k->unk[0].name)
		len = sizeof k->unk[0].name - 1;
	for (int i = 0; i < k->nunk; i++)
		if (strlen(k->unk[i].name) == len &&
		    memcmp(k->unk[i].name, name, len) == 0) {
			k->unk[i].n++;
			return;
		}
	if (k->nunk == KS_UNKNOWN)
		return;
	struct unk_name *u = &k->unk[k->nunk++];
	for (size_t i = 0; i < len; i++) /* printable only */
		u->name[i] = name[i] > ' ' && name[i] < 127 ? name[i] : '_';
	u->name[len] = '\0';
	u->n = 1;
}

void rp_ksink_lost(struct rp_ksink *k, int64_t n)
{
	k->lost += n;
}

int64_t rp_ksink_events(const struct rp_ksink *k)
{
	return k->events;
}

int64_t rp_ksink_unknown_count(const struct rp_ksink *k)
{
	return k->unknown;
}

int64_t rp_ksink_reclaims(const struct rp_ksink *k)
{
	return k->reclaims;
}

static int stat_i64(struct rp_ksink *k, const char *key, int64_t v,
		    struct rp_error *err)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", (long long)v);
	return rp_trace_set_stat(k->w, key, buf, err);
}

int rp_ksink_finish(struct rp_ksink *k, struct rp_error *err)
{
	char key[128];

	if (ksink_flush(k, true, err) || ksink_stop(k, err))
		return -1;
	if (!k->w)
		return 0;
	for (size_t i = 0; i < k->gfp_cap; i++) {
		if (!k->gfp[i].s)
			continue;
		snprintf(key, sizeof key, "gfp.%d", k->gfp[i].idx);
		if (rp_trace_set_stat(k->w, key, k->gfp[i].s, err))
			return -1;
	}
	for (int i = 0; i < RP_TP_COUNT; i++) {
		if (!k->tp_count[i])
			continue;
		snprintf(key, sizeof key, "tracepoint.%s:%s",
			 rp_tp_table[i].system, rp_tp_table[i].name);
		if (stat_i64(k, key, k->tp_count[i], err))
			return -1;
	}
	for (int i = 0; i < k->nunk; i++) {
		snprintf(key, sizeof key, "unknown_event.%s", k->unk[i].name);
		if (stat_i64(k, key, k->unk[i].n, err))
			return -1;
	}
	if (stat_i64(k, "unknown_events", k->unknown, err) ||
	    stat_i64(k, "failed_allocs", k->failed_allocs, err) ||
	    stat_i64(k, "null_frees", k->null_frees, err) ||
	    stat_i64(k, "pagecache_pages_folded", k->pagecache_folded, err) ||
	    stat_i64(k, "reordered", k->reordered, err) ||
	    stat_i64(k, "unpaired_reclaim_end", k->unpaired, err) ||
	    stat_i64(k, "lost_events", k->lost, err))
		return -1;
	return 0;
}

/* ------------------------------------------------------- text fields */

/* Hex digit value + 1; 0 for anything else. */
static const uint8_t hex1[256] = {
    ['0'] = 1,	['1'] = 2,  ['2'] = 3,	['3'] = 4,  ['4'] = 5,	['5'] = 6,
    ['6'] = 7,	['7'] = 8,  ['8'] = 9,	['9'] = 10, ['a'] = 11, ['b'] = 12,
    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
    ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* 1 to 16 hex digits, without a prefix. */
static inline bool parse_hex(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	unsigned bad = 0;
	if (len == 0 || len > 16)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d = hex1[(unsigned char)s[i]];
		bad |= d == 0;
		v = v << 4 | ((d - 1) & 15);
	}
	if (bad)
		return false;
	*out = v;
	return true;
}

static inline bool kparse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_hex(s + 2, len - 2, out);
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		/* 19 digits cannot overflow */
		if (i >= 19 && v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool rp_kparse_u64(const char *s, size_t len, uint64_t *out)
{
	return kparse_u64(s, len, out);
}

bool rp_kparse_ts(const char *s, size_t len, int64_t *ns)
{
	/* ns per unit of the last of d fraction digits, d <= 9 */
	static const int64_t unit[10] = {
	    1000000000, 100000000, 10000000, 1000000, 100000,
	    10000,	1000,	   100,	     10,      1};
	size_t i = 0, d = 0;
	int64_t whole = 0, frac = 0;
	bool big = false; /* more than INT64_MAX ns */

	if (len == 0 || s[0] < '0' || s[0] > '9') {
		int64_t v;
		if (!rp_parse_scaled(s, len, 1000000000, &v) || v < 0)
			return false;
		*ns = v;
		return true;
	}
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (whole > INT64_MAX / 1000000000)
			big = true;
		else
			whole = whole * 10 + (s[i] - '0');
	}
	if (i < len) {
		if (s[i] != '.')
			return false;
		for (i++; i < len; i++, d++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			if (d < 9)
				frac = frac * 10 + (s[i] - '0');
		}
	}
	if (big || whole > INT64_MAX / 1000000000)
		return false;
	/* rp_parse_scaled's (frac * 1e9 + 10^d / 2) / 10^d, exactly */
	return !__builtin_add_overflow(whole * 1000000000,
				       frac * unit[d < 9 ? d : 9], ns) &&
	       *ns >= 0;
}

/* A pointer printed by %p: hex with or without 0x; "(null)" is 0. */
static bool parse_ptr(const char *s, size_t len, uint64_t *out)
{
	if (len == 6 && memcmp(s, "(null)", 6) == 0) {
		*out = 0;
		return true;
	}
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return kparse_u64(s, len, out);
	return parse_hex(s, len, out);
}

static bool parse_i64(const char *s, size_t len, int64_t *out)
{
	uint64_t u;
	if (len > 0 && s[0] == '-')
		return rp_parse_i64(s, len, out);
	if (!kparse_u64(s, len, &u) || u > INT64_MAX)
		return false;
	*out = (int64_t)u;
	return true;
}

static bool parse_int(const char *s, size_t len, int *out)
{
	int64_t v;
	if (!parse_i64(s, len, &v) || v < -1000000 || v > 1000000)
		return false;
	*out = (int)v;
	return true;
}

/*
 * The "key=value" fields: only the keys an event's mapping reads are
 * looked at, in one pass over the text without copying it.  What the pass
 * finds is what the former generic split found: tokens are separated by
 * spaces, a token's key is the text before its first '=', only the first
 * MAX_KV tokens holding a '=' count, and the first token of a key wins.
 */
#define MAX_KV 40

enum {
	KK_PFN,
	KK_PAGE,
	KK_ORDER,
	KK_GFP,
	KK_PTR,
	KK_BYTES_REQ,
	KK_RECLAIMED,
	KK_SCANNED,
	KK_OFS,
	KK_LEN,
	KK_SKBADDR,
	KK_COUNT
};

#define KB(id) (1u << (id))

static const char *const kk_name[KK_COUNT] = {
    [KK_PFN] = "pfn",
    [KK_PAGE] = "page",
    [KK_ORDER] = "order",
    [KK_GFP] = "gfp_flags",
    [KK_PTR] = "ptr",
    [KK_BYTES_REQ] = "bytes_req",
    [KK_RECLAIMED] = "nr_reclaimed",
    [KK_SCANNED] = "nr_scanned",
    [KK_OFS] = "ofs",
    [KK_LEN] = "len",
    [KK_SKBADDR] = "skbaddr",
};

/* The keys each tracepoint's mapping reads (block_rq_* has its own). */
static const uint32_t tp_keys[RP_TP_COUNT] = {
    [RP_TP_PAGE_ALLOC] = KB(KK_PFN) | KB(KK_PAGE) | KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_PAGE_FREE] = KB(KK_PFN) | KB(KK_PAGE) | KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_PAGE_FREE_BATCHED] =
	KB(KK_PFN) | KB(KK_PAGE) | KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_KMALLOC] = KB(KK_PTR) | KB(KK_BYTES_REQ) | KB(KK_GFP),
    [RP_TP_KMALLOC_NODE] = KB(KK_PTR) | KB(KK_BYTES_REQ) | KB(KK_GFP),
    [RP_TP_KFREE] = KB(KK_PTR) | KB(KK_BYTES_REQ) | KB(KK_GFP),
    [RP_TP_CACHE_ALLOC] = KB(KK_PTR) | KB(KK_BYTES_REQ) | KB(KK_GFP),
    [RP_TP_CACHE_ALLOC_NODE] = KB(KK_PTR) | KB(KK_BYTES_REQ) | KB(KK_GFP),
    [RP_TP_CACHE_FREE] = KB(KK_PTR) | KB(KK_BYTES_REQ) | KB(KK_GFP),
    [RP_TP_DIRECT_BEGIN] = KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_MEMCG_BEGIN] = KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_MEMCG_SOFT_BEGIN] = KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_MEMCG_SHRINK_BEGIN] = KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_NODE_BEGIN] = KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_KSWAPD_WAKE] = KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_WAKEUP_KSWAPD] = KB(KK_ORDER) | KB(KK_GFP),
    [RP_TP_DIRECT_END] = KB(KK_RECLAIMED) | KB(KK_SCANNED),
    [RP_TP_MEMCG_END] = KB(KK_RECLAIMED) | KB(KK_SCANNED),
    [RP_TP_MEMCG_SOFT_END] = KB(KK_RECLAIMED) | KB(KK_SCANNED),
    [RP_TP_MEMCG_SHRINK_END] = KB(KK_RECLAIMED) | KB(KK_SCANNED),
    [RP_TP_NODE_END] = KB(KK_RECLAIMED) | KB(KK_SCANNED),
    [RP_TP_LRU_SHRINK_INACTIVE] = KB(KK_RECLAIMED) | KB(KK_SCANNED),
    [RP_TP_FILEMAP_ADD] = KB(KK_PFN) | KB(KK_ORDER) | KB(KK_OFS),
    [RP_TP_FILEMAP_DELETE] = KB(KK_PFN) | KB(KK_ORDER) | KB(KK_OFS),
    [RP_TP_NET_RX] = KB(KK_LEN) | KB(KK_SKBADDR),
    [RP_TP_KFREE_SKB] = KB(KK_SKBADDR),
    [RP_TP_CONSUME_SKB] = KB(KK_SKBADDR),
};

static int key_id(const char *k, size_t kl)
{
	switch (kl) {
	case 3:
		if (memcmp(k, "pfn", 3) == 0)
			return KK_PFN;
		if (memcmp(k, "ptr", 3) == 0)
			return KK_PTR;
		if (memcmp(k, "ofs", 3) == 0)
			return KK_OFS;
		if (memcmp(k, "len", 3) == 0)
			return KK_LEN;
		return -1;
	case 4: return memcmp(k, "page", 4) == 0 ? KK_PAGE : -1;
	case 5: return memcmp(k, "order", 5) == 0 ? KK_ORDER : -1;
	case 7: return memcmp(k, "skbaddr", 7) == 0 ? KK_SKBADDR : -1;
	case 9:
		if (memcmp(k, "gfp_flags", 9) == 0)
			return KK_GFP;
		if (memcmp(k, "bytes_req", 9) == 0)
			return KK_BYTES_REQ;
		return -1;
	case 10: return memcmp(k, "nr_scanned", 10) == 0 ? KK_SCANNED : -1;
	case 12: return memcmp(k, "nr_reclaimed", 12) == 0 ? KK_RECLAIMED : -1;
	default: return -1;
	}
}

struct kvals {
	uint32_t found; /* KB(KK_*) */
	const char *v[KK_COUNT];
	size_t vl[KK_COUNT];
};

/* Finds the wanted keys; stops early once all of `enough` are found. */
static void scan_kv(const char *s, size_t len, uint32_t want, uint32_t enough,
		    struct kvals *kv)
{
	size_t i = 0;
	int n = 0;

	kv->found = 0;
	while (i < len && n < MAX_KV) {
		while (i < len && s[i] == ' ')
			i++;
		size_t b = i;
		i = rp_kfind2(s, i, len, ' ', '=');
		if (i == len || s[i] == ' ')
			continue; /* a token without '=' */
		size_t eq = i;
		i = rp_kfind(s, eq + 1, len, ' ');
		n++;
		int id = key_id(s + b, eq - b);
		if (id < 0 || !(want & KB(id)) || (kv->found & KB(id)))
			continue;
		kv->found |= KB(id);
		kv->v[id] = s + eq + 1;
		kv->vl[id] = i - eq - 1;
		if ((kv->found & enough) == enough)
			break;
	}
}

static int bad_field(const struct kvals *kv, int id, struct rp_error *err)
{
	char q[96];
	return rp_error_set(err, "bad %s value '%s'", kk_name[id],
			    rp_quote_field(kv->v[id], kv->vl[id], q, sizeof q));
}

/* Reads key id as a number into *dst; missing is fine, bad is not. */
#define NUM(id, parse, dst, bit)                                               \
	do {                                                                   \
		if (kv.found & KB(id)) {                                       \
			if (!parse(kv.v[id], kv.vl[id], dst))                  \
				return bad_field(&kv, id, err);                \
			f->has |= (bit);                                       \
		}                                                              \
	} while (0)

static int gfp_field(struct rp_ksink *k, const struct kvals *kv,
		     struct rp_kfields *f)
{
	if (kv->found & KB(KK_GFP)) {
		f->gfp_idx = rp_ksink_gfp(k, kv->v[KK_GFP], kv->vl[KK_GFP],
					  &f->gfp_class);
		f->has |= RP_KF_GFP;
	}
	return 0;
}

/* "maj,min" or "maj:min" -> kernel dev_t. */
static bool parse_dev(const char *s, size_t len, uint64_t *dev)
{
	const char *sep = memchr(s, ',', len);
	if (!sep)
		sep = memchr(s, ':', len);
	if (!sep)
		return false;
	uint64_t ma, mi;
	if (!kparse_u64(s, (size_t)(sep - s), &ma) ||
	    !kparse_u64(sep + 1, len - (size_t)(sep - s) - 1, &mi) ||
	    ma > 4095 || mi > 0xfffff)
		return false;
	*dev = ma << 20 | mi;
	return true;
}

/* The next space-separated token from *i. */
static bool next_token(const char *s, size_t len, size_t *i, const char **t,
		       size_t *tl)
{
	while (*i < len && s[*i] == ' ')
		(*i)++;
	if (*i >= len)
		return false;
	*t = s + *i;
	while (*i < len && s[*i] != ' ')
		(*i)++;
	*tl = (size_t)(s + *i - *t);
	return true;
}

/* block_rq_*: "8,0 WS 4096 () 1234 + 8 none,0,0 [dd]" (issue; complete has
 * no byte count); the command in () may hold spaces. */
static int block_fields(const char *s, size_t len, struct rp_kfields *f,
			struct rp_error *err)
{
	size_t i = 0, tl;
	const char *t;
	char q[96];

	if (!next_token(s, len, &i, &t, &tl) || !parse_dev(t, tl, &f->dev))
		return rp_error_set(
		    err, "bad block device '%s'",
		    rp_quote_field(s, len < 40 ? len : 40, q, sizeof q));
	f->has |= RP_KF_DEV;
	if (!next_token(s, len, &i, &t, &tl) || tl >= sizeof f->rwbs)
		return rp_error_set(err, "bad block rwbs");
	memcpy(f->rwbs, t, tl);
	f->rwbs[tl] = '\0';
	/* sector + nr_sector: the " + " after the command */
	for (size_t p = i; p + 2 < len; p++) {
		if (s[p] != ' ' || s[p + 1] != '+' || s[p + 2] != ' ')
			continue;
		size_t b = p;
		while (b > i && s[b - 1] != ' ')
			b--;
		size_t a = p + 3, e = a;
		while (e < len && s[e] != ' ')
			e++;
		uint64_t sec, nr;
		if (!kparse_u64(s + b, p - b, &sec) ||
		    !kparse_u64(s + a, e - a, &nr) || sec > INT64_MAX ||
		    nr > INT64_MAX)
			return rp_error_set(err, "bad block sector + count");
		f->sector = (int64_t)sec;
		f->nr_sector = (int64_t)nr;
		f->has |= RP_KF_SECTOR;
		return 0;
	}
	/* "8,0 N () 0 + 0" always has it; without it, a flush with nothing */
	return 0;
}

/* mm_filemap_*: "dev 254:1 ino 1a2b pfn=0x10 ofs=4096 order=0" (older:
 * "... page=... pfn=123 ofs=4096"). */
static int filemap_fields(const char *s, size_t len, const struct kvals *kv,
			  struct rp_kfields *f, struct rp_error *err)
{
	size_t i = 0, tl;
	const char *t;
	while (next_token(s, len, &i, &t, &tl)) {
		const char *v;
		size_t vl;
		if (tl == 3 && memcmp(t, "dev", 3) == 0) {
			if (!next_token(s, len, &i, &v, &vl) ||
			    !parse_dev(v, vl, &f->dev))
				return rp_error_set(err, "bad filemap dev");
			f->has |= RP_KF_DEV;
		} else if (tl == 3 && memcmp(t, "ino", 3) == 0) {
			if (!next_token(s, len, &i, &v, &vl) ||
			    !parse_ptr(v, vl, &f->ino))
				return rp_error_set(err, "bad filemap ino");
			f->has |= RP_KF_FILE;
		}
	}
	uint64_t ofs;
	if (kv->found & KB(KK_OFS)) {
		if (!kparse_u64(kv->v[KK_OFS], kv->vl[KK_OFS], &ofs) ||
		    ofs / 4096 > INT64_MAX)
			return bad_field(kv, KK_OFS, err);
		f->index = (int64_t)(ofs / 4096);
		f->has |= RP_KF_INDEX;
	}
	if (kv->found & KB(KK_PFN)) { /* for fold_pagecache_alloc */
		if (!kparse_u64(kv->v[KK_PFN], kv->vl[KK_PFN], &f->pfn))
			return bad_field(kv, KK_PFN, err);
		f->has |= RP_KF_PFN;
	}
	if (!(f->has & RP_KF_DEV))
		f->has &= ~RP_KF_FILE;
	return 0;
}

int rp_ktext_event(struct rp_ksink *k, const char *ev, size_t evl,
		   const char *rest, size_t restlen, struct rp_kfields *f,
		   struct rp_error *err)
{
	int tp = rp_tp_lookup(ev, evl);
	if (tp < 0) {
		rp_ksink_unknown(k, ev, evl);
		return 0;
	}
	while (restlen && *rest == ' ')
		rest++, restlen--;
	if (rp_ktext_fields(k, tp, rest, restlen, f, err))
		return 1;
	return rp_ksink_add(k, tp, f, err) ? -1 : 0;
}

int rp_ktext_malformed(struct rp_error *err, const char *what, const char *s,
		       size_t len)
{
	char q[96];
	rp_error_set(err, "%s: '%s'", what,
		     rp_quote_field(s, len, q, sizeof q));
	return 1;
}

int rp_ktext_fields(struct rp_ksink *k, int tp, const char *s, size_t len,
		    struct rp_kfields *f, struct rp_error *err)
{
	struct kvals kv;

	if (tp == RP_TP_RQ_ISSUE || tp == RP_TP_RQ_COMPLETE)
		return block_fields(s, len, f, err);
	if (tp < 0 || tp >= RP_TP_COUNT || !tp_keys[tp])
		return 0;
	/* pages: "page" is read only when there is no "pfn" */
	scan_kv(s, len, tp_keys[tp], tp_keys[tp] & ~KB(KK_PAGE), &kv);
	switch (tp) {
	case RP_TP_PAGE_ALLOC:
	case RP_TP_PAGE_FREE:
	case RP_TP_PAGE_FREE_BATCHED:
		if (kv.found & KB(KK_PFN)) {
			if (!kparse_u64(kv.v[KK_PFN], kv.vl[KK_PFN], &f->pfn))
				return bad_field(&kv, KK_PFN, err);
			f->has |= RP_KF_PFN;
		} else if (kv.found & KB(KK_PAGE)) {
			/* very old kernels: only the struct page pointer */
			if (!parse_ptr(kv.v[KK_PAGE], kv.vl[KK_PAGE],
				       &f->pfn)) {
				if (kv.vl[KK_PAGE] != 0) /* "page= (null)" */
					return bad_field(&kv, KK_PAGE, err);
				f->pfn = 0;
			}
			f->has |= RP_KF_PFN;
		}
		NUM(KK_ORDER, parse_int, &f->order, RP_KF_ORDER);
		if (tp == RP_TP_PAGE_FREE_BATCHED) {
			f->order = 0;
			f->has |= RP_KF_ORDER;
		}
		return gfp_field(k, &kv, f);
	case RP_TP_KMALLOC:
	case RP_TP_KMALLOC_NODE:
	case RP_TP_KFREE:
	case RP_TP_CACHE_ALLOC:
	case RP_TP_CACHE_ALLOC_NODE:
	case RP_TP_CACHE_FREE:
		NUM(KK_PTR, parse_ptr, &f->ptr, RP_KF_PTR);
		NUM(KK_BYTES_REQ, parse_i64, &f->bytes, RP_KF_BYTES);
		return gfp_field(k, &kv, f);
	case RP_TP_KSWAPD_WAKE:
	case RP_TP_WAKEUP_KSWAPD:
	case RP_TP_DIRECT_BEGIN:
	case RP_TP_MEMCG_BEGIN:
	case RP_TP_MEMCG_SOFT_BEGIN:
	case RP_TP_MEMCG_SHRINK_BEGIN:
	case RP_TP_NODE_BEGIN:
		NUM(KK_ORDER, parse_int, &f->order, RP_KF_ORDER);
		return gfp_field(k, &kv, f);
	case RP_TP_DIRECT_END:
	case RP_TP_MEMCG_END:
	case RP_TP_MEMCG_SOFT_END:
	case RP_TP_MEMCG_SHRINK_END:
	case RP_TP_NODE_END:
	case RP_TP_LRU_SHRINK_INACTIVE:
		NUM(KK_RECLAIMED, parse_i64, &f->reclaimed, RP_KF_RECLAIMED);
		NUM(KK_SCANNED, parse_i64, &f->scanned, RP_KF_SCANNED);
		return 0;
	case RP_TP_FILEMAP_ADD:
	case RP_TP_FILEMAP_DELETE:
		NUM(KK_ORDER, parse_int, &f->order, RP_KF_ORDER);
		return filemap_fields(s, len, &kv, f, err);
	case RP_TP_NET_RX:
		NUM(KK_LEN, parse_i64, &f->len, RP_KF_LEN);
		/* fall through */
	case RP_TP_KFREE_SKB:
	case RP_TP_CONSUME_SKB:
		NUM(KK_SKBADDR, parse_ptr, &f->ptr, RP_KF_PTR);
		return 0;
	default: return 0;
	}
}
