/*
 * kernel-events.c — how kernel tracepoint records become events of the
 * event model (design.md §3, docs/kernel-recorders.md): the tracepoint
 * table, the text field parser shared by the ftrace, trace-cmd and perf
 * readers, and the event sink shared by them and the live recorder (pfns
 * and pointers become obj ids, reclaim begin/end pairs get order and gfp,
 * original GFP strings are interned as trace_stat "gfp.N").
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

#define KS_BATCH    4096
#define KS_RECLAIMS 64
#define KS_UNKNOWN  64

struct gfp_slot {
	uint64_t hash;
	char *s; /* NULL: empty slot */
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

struct rp_ksink {
	struct rp_trace_writer *w;
	struct rp_event buf[KS_BATCH];
	size_t n;
	int64_t last_ts, events, reordered;
	struct gfp_slot *gfp;
	size_t gfp_cap, gfp_n;
	struct reclaim_slot rec[KS_RECLAIMS];
	int64_t tp_count[RP_TP_COUNT];
	struct unk_name unk[KS_UNKNOWN];
	int nunk;
	int64_t unknown, failed_allocs, null_frees, lost, blk_other, reclaims,
	    unpaired;
};

int rp_ksink_new(struct rp_trace_writer *w, struct rp_ksink **out,
		 struct rp_error *err)
{
	struct rp_ksink *k = calloc(1, sizeof *k);
	*out = NULL;
	if (!k)
		return rp_error_set(err, "out of memory");
	k->w = w;
	k->gfp_cap = 64;
	k->gfp = calloc(k->gfp_cap, sizeof *k->gfp);
	if (!k->gfp) {
		free(k);
		return rp_error_set(err, "out of memory");
	}
	*out = k;
	return 0;
}

void rp_ksink_free(struct rp_ksink *k)
{
	if (!k)
		return;
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

int rp_ksink_gfp(struct rp_ksink *k, const char *s, size_t len, int *cls)
{
	if (len > 4000)
		len = 4000;
	uint64_t h = fnv(s, len);
	size_t j = h & (k->gfp_cap - 1);
	while (k->gfp[j].s) {
		struct gfp_slot *g = &k->gfp[j];
		if (g->hash == h && g->len == len &&
		    memcmp(g->s, s, len) == 0) {
			*cls = g->cls;
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
	return k->gfp[j].idx;
}

static int ksink_flush(struct rp_ksink *k, struct rp_error *err)
{
	int rc = 0;
	if (k->w && k->n)
		rc = rp_trace_append(k->w, k->buf, k->n, err);
	k->n = 0;
	return rc;
}

static struct rp_event *new_event(struct rp_ksink *k, int64_t ts, int kind,
				  struct rp_error *err)
{
	if (k->n == KS_BATCH && ksink_flush(k, err))
		return NULL;
	struct rp_event *ev = &k->buf[k->n++];
	memset(ev, 0, sizeof *ev);
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

	if (ksink_flush(k, err))
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
	    stat_i64(k, "reordered", k->reordered, err) ||
	    stat_i64(k, "unpaired_reclaim_end", k->unpaired, err) ||
	    stat_i64(k, "lost_events", k->lost, err))
		return -1;
	return 0;
}

/* ------------------------------------------------------- text fields */

bool rp_kparse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (len > 18)
			return false;
		for (i = 2; i < len; i++) {
			char c = s[i];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return false;
			v = v << 4 | d;
		}
		*out = v;
		return true;
	}
	if (len == 0)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* A pointer printed by %p: hex with or without 0x; "(null)" is 0. */
static bool parse_ptr(const char *s, size_t len, uint64_t *out)
{
	if (len == 6 && memcmp(s, "(null)", 6) == 0) {
		*out = 0;
		return true;
	}
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return rp_kparse_u64(s, len, out);
	if (len == 0 || len > 16)
		return false;
	char tmp[20] = "0x";
	memcpy(tmp + 2, s, len);
	return rp_kparse_u64(tmp, len + 2, out);
}

static bool parse_i64(const char *s, size_t len, int64_t *out)
{
	uint64_t u;
	if (len > 0 && s[0] == '-')
		return rp_parse_i64(s, len, out);
	if (!rp_kparse_u64(s, len, &u) || u > INT64_MAX)
		return false;
	*out = (int64_t)u;
	return true;
}

#define MAX_KV 40

struct kv {
	const char *k, *v;
	size_t kl, vl;
};

static int split_kv(const char *s, size_t len, struct kv *kv, int max)
{
	int n = 0;
	size_t i = 0;
	while (i < len && n < max) {
		while (i < len && s[i] == ' ')
			i++;
		size_t b = i;
		while (i < len && s[i] != ' ')
			i++;
		const char *eq = memchr(s + b, '=', i - b);
		if (!eq)
			continue;
		kv[n].k = s + b;
		kv[n].kl = (size_t)(eq - (s + b));
		kv[n].v = eq + 1;
		kv[n].vl = (size_t)(s + i - (eq + 1));
		n++;
	}
	return n;
}

static const struct kv *get(const struct kv *kv, int n, const char *key)
{
	size_t kl = strlen(key);
	for (int i = 0; i < n; i++)
		if (kv[i].kl == kl && memcmp(kv[i].k, key, kl) == 0)
			return &kv[i];
	return NULL;
}

static int bad_field(const char *key, const struct kv *f, struct rp_error *err)
{
	char q[96];
	return rp_error_set(err, "bad %s value '%s'", key,
			    rp_quote_field(f->v, f->vl, q, sizeof q));
}

/* Reads key as a number into *dst; missing is fine, bad is not. */
#define NUM(key, parse, dst, bit)                                              \
	do {                                                                   \
		const struct kv *f_ = get(kv, n, key);                         \
		if (f_) {                                                      \
			if (!parse(f_->v, f_->vl, dst))                        \
				return bad_field(key, f_, err);                \
			f->has |= (bit);                                       \
		}                                                              \
	} while (0)

static bool parse_int(const char *s, size_t len, int *out)
{
	int64_t v;
	if (!parse_i64(s, len, &v) || v < -1000000 || v > 1000000)
		return false;
	*out = (int)v;
	return true;
}

static int gfp_field(struct rp_ksink *k, const struct kv *kv, int n,
		     struct rp_kfields *f)
{
	const struct kv *g = get(kv, n, "gfp_flags");
	if (g) {
		f->gfp_idx = rp_ksink_gfp(k, g->v, g->vl, &f->gfp_class);
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
	if (!rp_kparse_u64(s, (size_t)(sep - s), &ma) ||
	    !rp_kparse_u64(sep + 1, len - (size_t)(sep - s) - 1, &mi) ||
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
		if (!rp_kparse_u64(s + b, p - b, &sec) ||
		    !rp_kparse_u64(s + a, e - a, &nr) || sec > INT64_MAX ||
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
static int filemap_fields(const char *s, size_t len, const struct kv *kv, int n,
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
	const struct kv *o = get(kv, n, "ofs");
	if (o) {
		if (!rp_kparse_u64(o->v, o->vl, &ofs) || ofs / 4096 > INT64_MAX)
			return bad_field("ofs", o, err);
		f->index = (int64_t)(ofs / 4096);
		f->has |= RP_KF_INDEX;
	}
	if (!(f->has & RP_KF_DEV))
		f->has &= ~RP_KF_FILE;
	return 0;
}

int rp_ktext_fields(struct rp_ksink *k, int tp, const char *s, size_t len,
		    struct rp_kfields *f, struct rp_error *err)
{
	struct kv kv[MAX_KV];
	int n;

	if (tp == RP_TP_RQ_ISSUE || tp == RP_TP_RQ_COMPLETE)
		return block_fields(s, len, f, err);
	n = split_kv(s, len, kv, MAX_KV);
	switch (tp) {
	case RP_TP_PAGE_ALLOC:
	case RP_TP_PAGE_FREE:
	case RP_TP_PAGE_FREE_BATCHED: {
		const struct kv *p = get(kv, n, "pfn");
		if (p) {
			if (!rp_kparse_u64(p->v, p->vl, &f->pfn))
				return bad_field("pfn", p, err);
			f->has |= RP_KF_PFN;
		} else if ((p = get(kv, n, "page"))) {
			/* very old kernels: only the struct page pointer */
			if (!parse_ptr(p->v, p->vl, &f->pfn)) {
				if (p->vl != 0) /* "page= (null)" */
					return bad_field("page", p, err);
				f->pfn = 0;
			}
			f->has |= RP_KF_PFN;
		}
		NUM("order", parse_int, &f->order, RP_KF_ORDER);
		if (tp == RP_TP_PAGE_FREE_BATCHED) {
			f->order = 0;
			f->has |= RP_KF_ORDER;
		}
		return gfp_field(k, kv, n, f);
	}
	case RP_TP_KMALLOC:
	case RP_TP_KMALLOC_NODE:
	case RP_TP_KFREE:
	case RP_TP_CACHE_ALLOC:
	case RP_TP_CACHE_ALLOC_NODE:
	case RP_TP_CACHE_FREE:
		NUM("ptr", parse_ptr, &f->ptr, RP_KF_PTR);
		NUM("bytes_req", parse_i64, &f->bytes, RP_KF_BYTES);
		return gfp_field(k, kv, n, f);
	case RP_TP_KSWAPD_WAKE:
	case RP_TP_WAKEUP_KSWAPD:
	case RP_TP_DIRECT_BEGIN:
	case RP_TP_MEMCG_BEGIN:
	case RP_TP_MEMCG_SOFT_BEGIN:
	case RP_TP_MEMCG_SHRINK_BEGIN:
	case RP_TP_NODE_BEGIN:
		NUM("order", parse_int, &f->order, RP_KF_ORDER);
		return gfp_field(k, kv, n, f);
	case RP_TP_DIRECT_END:
	case RP_TP_MEMCG_END:
	case RP_TP_MEMCG_SOFT_END:
	case RP_TP_MEMCG_SHRINK_END:
	case RP_TP_NODE_END:
	case RP_TP_LRU_SHRINK_INACTIVE:
		NUM("nr_reclaimed", parse_i64, &f->reclaimed, RP_KF_RECLAIMED);
		NUM("nr_scanned", parse_i64, &f->scanned, RP_KF_SCANNED);
		return 0;
	case RP_TP_KSWAPD_SLEEP: return 0;
	case RP_TP_FILEMAP_ADD:
	case RP_TP_FILEMAP_DELETE:
		NUM("order", parse_int, &f->order, RP_KF_ORDER);
		return filemap_fields(s, len, kv, n, f, err);
	case RP_TP_NET_RX:
		NUM("len", parse_i64, &f->len, RP_KF_LEN);
		/* fall through */
	case RP_TP_KFREE_SKB:
	case RP_TP_CONSUME_SKB:
		NUM("skbaddr", parse_ptr, &f->ptr, RP_KF_PTR);
		return 0;
	default: return 0;
	}
}
