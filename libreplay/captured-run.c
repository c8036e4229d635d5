/*
 * captured-run.c — turns the reclaim the live kernel did (reclaim_begin /
 * reclaim_end pairs and the marks of the kernel recorders) into a run of
 * kind 'captured' (design.md §5), so a real kernel and a simulated one
 * appear side by side in `report` and `compare`.
 *
 *   run_stall   one row per direct or memcg reclaim: begin time, task,
 *               order, gfp (1998 class), latency, pages freed, outcome "ok",
 *               path "direct" / "memcg" / "memcg-softlimit" / "node"; and
 *               one row per failed allocation (outcome and path "failed")
 *   run_metric  stall.count/p50_ns/p99_ns/max_ns/mean_ns/total_ns,
 *               stall.direct.count, stall.memcg.count, reclaim.pages_freed,
 *               kswapd.wakeups, kswapd.wakeups.oN, kswapd.busy_ns,
 *               kswapd.cpu_per_s, kswapd.wakeup_requests(.oN, .GFP_*),
 *               pages_scanned, lru.pages_reclaimed, alloc_fail.count,
 *               atomic_fail.oN, trace.span_ns
 *   run_series  per second: stalls, stall_max_ns, kswapd_wakeups
 */
#include "kernel-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPEN_MAX 256
#define NORDERS	 15

struct open_reclaim {
	int64_t task, t0, order;
	int type, gfp, used;
};

struct bucket {
	int64_t sec, stalls, stall_max, kswapd;
};

struct cap {
	struct rp_run_writer *w;
	struct open_reclaim open[OPEN_MAX];
	int64_t *lat;
	size_t nlat, caplat;
	int64_t direct, memcg, freed, kswapd_wakeups, kswapd_busy;
	int64_t kswapd_o[NORDERS], wake_req, wake_req_o[NORDERS],
	    wake_req_gfp[8];
	int64_t scanned, lru_reclaimed, alloc_fail, atomic_fail_o[NORDERS];
	int64_t first, last, events;
	struct bucket b;
};

static const char *path_of(int type)
{
	switch (type) {
	case RP_RECLAIM_DIRECT: return "direct";
	case RP_RECLAIM_MEMCG: return "memcg";
	case RP_RECLAIM_MEMCG_SOFTLIMIT: return "memcg-softlimit";
	case RP_RECLAIM_NODE: return "node";
	default: return NULL; /* kswapd, memcg shrink: not an allocator */
	}
}

static int flush_bucket(struct cap *c, struct rp_error *err)
{
	if (c->b.sec < 0)
		return 0;
	int64_t t = c->b.sec * 1000000000;
	if (rp_run_series(c->w, t, "stalls", (double)c->b.stalls, err) ||
	    rp_run_series(c->w, t, "stall_max_ns", (double)c->b.stall_max,
			  err) ||
	    rp_run_series(c->w, t, "kswapd_wakeups", (double)c->b.kswapd, err))
		return -1;
	return 0;
}

static int bucket_at(struct cap *c, int64_t ts, struct rp_error *err)
{
	int64_t sec = (ts - c->first) / 1000000000;
	if (sec == c->b.sec)
		return 0;
	if (flush_bucket(c, err))
		return -1;
	c->b = (struct bucket){sec, 0, 0, 0};
	return 0;
}

static int add_latency(struct cap *c, int64_t v)
{
	if (c->nlat == c->caplat) {
		size_t n = c->caplat ? c->caplat * 2 : 1024;
		int64_t *p = realloc(c->lat, n * sizeof *p);
		if (!p)
			return -1;
		c->lat = p;
		c->caplat = n;
	}
	c->lat[c->nlat++] = v;
	return 0;
}

static int one(struct cap *c, const struct rp_event *ev, struct rp_error *err)
{
	int sub = (int)(ev->flags & RP_KFLAG_SUB_MASK);
	int order = ev->present & RP_HAS(RP_COL_ORDER) ? ev->order : -1;
	int gfp = ev->present & RP_HAS(RP_COL_GFP) ? ev->gfp : 0;

	if (bucket_at(c, ev->ts_ns, err))
		return -1;
	if (ev->kind == RP_RECLAIM_BEGIN) {
		struct open_reclaim *o = NULL;
		for (int i = 0; i < OPEN_MAX && !o; i++)
			if (c->open[i].used && c->open[i].task == ev->task &&
			    c->open[i].type == sub)
				o = &c->open[i];
		for (int i = 0; i < OPEN_MAX && !o; i++)
			if (!c->open[i].used)
				o = &c->open[i];
		if (!o)
			o = &c->open[ev->task & (OPEN_MAX - 1)];
		*o = (struct open_reclaim){ev->task, ev->ts_ns, order,
					   sub,	     gfp,	1};
		if (sub == RP_RECLAIM_KSWAPD) {
			c->kswapd_wakeups++;
			c->b.kswapd++;
			if (order >= 0 && order < NORDERS)
				c->kswapd_o[order]++;
		}
		return 0;
	}
	if (ev->kind == RP_RECLAIM_END) {
		struct open_reclaim *o = NULL;
		for (int i = 0; i < OPEN_MAX && !o; i++)
			if (c->open[i].used && c->open[i].task == ev->task &&
			    c->open[i].type == sub)
				o = &c->open[i];
		if (!o)
			return 0;
		o->used = 0;
		int64_t lat = ev->ts_ns - o->t0;
		if (sub == RP_RECLAIM_KSWAPD) {
			c->kswapd_busy += lat;
			return 0;
		}
		const char *path = path_of(sub);
		if (!path)
			return 0;
		int64_t freed =
		    ev->present & RP_HAS(RP_COL_COUNT) ? ev->count : 0;
		struct rp_stall s = {o->t0, ev->task, (int)o->order, o->gfp,
				     lat,   freed,    "ok",	     path};
		if (rp_run_stall(c->w, &s, err) || add_latency(c, lat))
			return -1;
		c->freed += freed;
		if (sub == RP_RECLAIM_DIRECT)
			c->direct++;
		else
			c->memcg++;
		c->b.stalls++;
		if (lat > c->b.stall_max)
			c->b.stall_max = lat;
		return 0;
	}
	if (ev->kind != RP_MARK)
		return 0;
	switch (sub) {
	case RP_KMARK_WAKEUP_KSWAPD:
		c->wake_req++;
		if (order >= 0 && order < NORDERS)
			c->wake_req_o[order]++;
		c->wake_req_gfp[gfp & RP_GFP_CLASS_MASK]++;
		break;
	case RP_KMARK_LRU_SHRINK:
		if (ev->present & RP_HAS(RP_COL_BYTES))
			c->scanned += ev->bytes;
		if (ev->present & RP_HAS(RP_COL_COUNT))
			c->lru_reclaimed += ev->count;
		break;
	case RP_KMARK_ALLOC_FAILED: {
		c->alloc_fail++;
		if ((gfp & RP_GFP_CLASS_MASK) == RP_GFP_ATOMIC && order >= 0 &&
		    order < NORDERS)
			c->atomic_fail_o[order]++;
		struct rp_stall s = {ev->ts_ns, ev->task, order,    gfp,
				     0,		0,	  "failed", "failed"};
		if (rp_run_stall(c->w, &s, err))
			return -1;
		break;
	}
	default: break;
	}
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static double pct(const int64_t *v, size_t n, double p)
{
	if (!n)
		return 0;
	size_t rank = (size_t)(p * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1];
}

static int metric(struct cap *c, const char *name, double v,
		  struct rp_error *err)
{
	return rp_run_metric(c->w, name, v, err);
}

static int metrics(struct cap *c, struct rp_error *err)
{
	char name[64], g[40];
	double total = 0;

	if (c->nlat)
		qsort(c->lat, c->nlat, sizeof *c->lat, cmp_i64);
	for (size_t i = 0; i < c->nlat; i++)
		total += (double)c->lat[i];
	double span = (double)(c->last - c->first);
	if (metric(c, "stall.count", (double)c->nlat, err) ||
	    metric(c, "stall.p50_ns", pct(c->lat, c->nlat, 0.50), err) ||
	    metric(c, "stall.p99_ns", pct(c->lat, c->nlat, 0.99), err) ||
	    metric(c, "stall.max_ns", c->nlat ? (double)c->lat[c->nlat - 1] : 0,
		   err) ||
	    metric(c, "stall.mean_ns", c->nlat ? total / (double)c->nlat : 0,
		   err) ||
	    metric(c, "stall.total_ns", total, err) ||
	    metric(c, "stall.direct.count", (double)c->direct, err) ||
	    metric(c, "stall.memcg.count", (double)c->memcg, err) ||
	    metric(c, "reclaim.pages_freed", (double)c->freed, err) ||
	    metric(c, "kswapd.wakeups", (double)c->kswapd_wakeups, err) ||
	    metric(c, "kswapd.busy_ns", (double)c->kswapd_busy, err) ||
	    metric(c, "kswapd.cpu_per_s",
		   span > 0 ? (double)c->kswapd_busy / span : 0, err) ||
	    metric(c, "kswapd.wakeup_requests", (double)c->wake_req, err) ||
	    metric(c, "pages_scanned", (double)c->scanned, err) ||
	    metric(c, "lru.pages_reclaimed", (double)c->lru_reclaimed, err) ||
	    metric(c, "alloc_fail.count", (double)c->alloc_fail, err) ||
	    metric(c, "trace.span_ns", span, err))
		return -1;
	for (int o = 0; o < NORDERS; o++) {
		snprintf(name, sizeof name, "kswapd.wakeups.o%d", o);
		if (c->kswapd_o[o] &&
		    metric(c, name, (double)c->kswapd_o[o], err))
			return -1;
		snprintf(name, sizeof name, "kswapd.wakeup_requests.o%d", o);
		if (c->wake_req_o[o] &&
		    metric(c, name, (double)c->wake_req_o[o], err))
			return -1;
		snprintf(name, sizeof name, "atomic_fail.o%d", o);
		if (c->atomic_fail_o[o] &&
		    metric(c, name, (double)c->atomic_fail_o[o], err))
			return -1;
	}
	for (int cl = 0; cl < 8; cl++) {
		if (!c->wake_req_gfp[cl])
			continue;
		rp_gfp_format(cl, g, sizeof g);
		snprintf(name, sizeof name, "kswapd.wakeup_requests.%s",
			 g[0] ? g : "none");
		if (metric(c, name, (double)c->wake_req_gfp[cl], err))
			return -1;
	}
	return 0;
}

int rp_captured_run_build(struct rp_store *store, int64_t trace_id,
			  const char *kernel, int64_t *run_id,
			  struct rp_error *err)
{
	struct rp_event_cursor *cur = NULL;
	struct rp_event evs[1024];
	struct cap *c = calloc(1, sizeof *c);
	size_t n;
	int have = 0;

	if (run_id)
		*run_id = 0;
	if (!c)
		return rp_error_set(err, "out of memory");
	c->b.sec = -1;
	if (rp_run_begin(store, trace_id, "captured",
			 kernel ? kernel : "unknown", 0, 0, &c->w, err))
		goto fail;
	if (rp_event_cursor_open(store, trace_id, &cur, err))
		goto fail;
	for (;;) {
		if (rp_event_cursor_next(cur, evs, RP_ARRAY_SIZE(evs), &n, err))
			goto fail;
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (c->events == 0)
				c->first = evs[i].ts_ns;
			c->last = evs[i].ts_ns;
			c->events++;
			if (evs[i].kind == RP_RECLAIM_BEGIN ||
			    evs[i].kind == RP_RECLAIM_END)
				have = 1;
			if (one(c, &evs[i], err))
				goto fail;
		}
	}
	rp_event_cursor_close(cur);
	cur = NULL;
	if (!have) {
		rp_run_abort(c->w);
		free(c->lat);
		free(c);
		return 0;
	}
	if (flush_bucket(c, err) || metrics(c, err) ||
	    rp_run_param(c->w, "source", "captured from live reclaim events",
			 err))
		goto fail;
	int64_t id = rp_run_id(c->w);
	if (rp_run_finish(c->w, c->last - c->first, c->events, err)) {
		c->w = NULL;
		goto fail;
	}
	if (run_id)
		*run_id = id;
	free(c->lat);
	free(c);
	return 0;
fail:
	rp_event_cursor_close(cur);
	if (c->w)
		rp_run_abort(c->w);
	free(c->lat);
	free(c);
	return -1;
}
