/*
 * vm98.c — one simulated 1998 machine: creation, the clock (vm98_advance),
 * event application (vm98_apply), metrics and samples.
 */
#include "vm98-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: the instance's only source of randomness (design.md §2). */
uint64_t vm98_rand(struct vm98 *m)
{
	uint64_t z = (m->rng += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static int vm98_reclaim_init(struct vm98 *m);

struct vm98 *vm98_new(const struct vm98_kernel *k, uint64_t mem_bytes,
		      const struct vm98_params *params, uint64_t seed,
		      char *err, size_t errlen)
{
	if (!k) {
		snprintf(err, errlen, "no kernel given");
		return NULL;
	}
	if (params && params->kernel != k) {
		snprintf(err, errlen, "parameters are for kernel %s, not %s",
			 params->kernel ? params->kernel->name : "(none)",
			 k->name);
		return NULL;
	}
	uint64_t P = mem_bytes >> PAGE_SHIFT;
	if (P < 512 || P > (UINT64_C(1) << 24)) {
		snprintf(err, errlen,
			 "memory size %llu bytes: must be 2 MB .. 64 GB",
			 (unsigned long long)mem_bytes);
		return NULL;
	}
	struct vm98 *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->kernel = k;
	m->ops = k->ops;
	if (params)
		m->par = *params;
	else
		vm98_params_init(k, &m->par);
	m->P = (int64_t)P;
	m->rng = seed;
	m->last_fail_order = m->last_fail_gfp = -1;
	m->slabs_cap = 64;
	m->slabs = calloc((size_t)m->slabs_cap, sizeof(*m->slabs));
	m->areas_cap = 64;
	m->areas = calloc((size_t)m->areas_cap, sizeof(*m->areas));
	if (!m->slabs || !m->areas || objmap_init(&m->objs, 1024) < 0) {
		snprintf(err, errlen, "out of memory");
		vm98_free(m);
		return NULL;
	}
	if (vm98_mem_init(m, err, errlen) < 0) {
		vm98_free(m);
		return NULL;
	}
	vm98_watermarks(m->ops->wm_family, m->P, &m->freepages.min,
			&m->freepages.low, &m->freepages.high);
	if (m->par.v[VP_FREEPAGES_MIN] > 0)
		m->freepages.min = m->par.v[VP_FREEPAGES_MIN];
	if (m->par.v[VP_FREEPAGES_LOW] > 0)
		m->freepages.low = m->par.v[VP_FREEPAGES_LOW];
	if (m->par.v[VP_FREEPAGES_HIGH] > 0)
		m->freepages.high = m->par.v[VP_FREEPAGES_HIGH];
	vm98_slab_init(m);
	vm98_km20_init(m);
	if (vm98_reclaim_init(m) < 0) {
		snprintf(err, errlen, "out of memory");
		vm98_free(m);
		return NULL;
	}
	return m;
}

/* The reclaim side's state (§5, §6, §8, §10). */
static int vm98_reclaim_init(struct vm98 *m)
{
	m->cur_task = -1;
	m->cur_slot = VM98_NO_SLOT;
	size_t words = (size_t)(m->P + 63) / 64 + 1;
	m->scanmap = calloc(words, sizeof(uint64_t));
	m->bufmap = calloc(words, sizeof(uint64_t));
	m->quietmap = calloc(words, sizeof(uint64_t));
	if (!m->scanmap || !m->bufmap || !m->quietmap ||
	    pairmap_init(&m->pcache, 1024) < 0 ||
	    pairmap_init(&m->taskmap, 64) < 0 ||
	    pairmap_init(&m->ptemap, 1024) < 0 || vm98_swap_init(m) < 0 ||
	    vm98_buffer_init(m) < 0)
		return -1;
	m->stallq.cap = 1024;
	m->stallq.s = malloc(m->stallq.cap * sizeof(*m->stallq.s));
	return m->stallq.s ? 0 : -1;
}

void vm98_free(struct vm98 *m)
{
	if (!m)
		return;
	vm98_mem_destroy(m);
	vm98_slab_destroy(m);
	free(m->areas);
	vm98_netq_destroy(m);
	objmap_destroy(&m->objs);
	slotmap_destroy(&m->slots);
	free(m->scanmap);
	free(m->bufmap);
	free(m->quietmap);
	pairmap_destroy(&m->pcache);
	vm98_tasks_destroy(m);
	vm98_swap_destroy(m);
	vm98_buffer_destroy(m);
	vm98_disk_destroy(m);
	free(m->stallq.s);
	free(m);
}

static int apply_one(struct vm98 *m, const struct rp_event *ev, int32_t t);

/* Runs everything due up to now in time order: disk completions,
 * net_rx frees, deferred task events, clock ticks (swap_tick, bdflush),
 * the update daemon.  Ties in that order. */
void vm98_advance(struct vm98 *m, int64_t now)
{
	if (!m->started) {
		m->started = true;
		m->t0 = m->now = now;
		m->next_tick = now + VM98_TICK_NS;
		m->next_update =
		    now + m->par.v[VP_UPDATE_PERIOD_S] * INT64_C(1000000000);
		return;
	}
	if (now <= m->now)
		return;
	for (;;) {
		int64_t disk = disk_next_done(m);
		int64_t net = vm98_netq_next_due(m);
		int64_t tev = INT64_MAX;
		int32_t task = m->nwaiting ? task_next_event(m, &tev) : -1;
		int64_t t = disk;
		if (net < t)
			t = net;
		if (tev < t)
			t = tev;
		if (m->next_tick < t)
			t = m->next_tick;
		if (m->next_update < t)
			t = m->next_update;
		if (t > now)
			break;
		vm98_account_to(m, t);
		if (disk == t) {
			disk_complete_until(m, t);
		} else if (net == t) {
			vm98_netq_run(m, t);
		} else if (tev == t) {
			struct rp_event ev;
			task_pop(m, task, &ev);
			apply_one(m, &ev, task);
		} else if (m->next_tick == t) {
			m->jiffies++;
			m->st.ticks++;
			m->next_tick += VM98_TICK_NS;
			m->ops->swap_tick(m);
		} else {
			m->next_update +=
			    m->par.v[VP_UPDATE_PERIOD_S] * INT64_C(1000000000);
			sync_old_buffers(m);
		}
	}
	vm98_account_to(m, now);
}

void vm98_flush(struct vm98 *m)
{
	while (m->nwaiting) {
		int64_t when;
		task_next_event(m, &when);
		vm98_advance(m, when);
	}
}

/* Gives back whatever an object held. */
static void release(struct vm98 *m, struct vm98_handle h)
{
	if (h.type == H_PAGES)
		free_pages(m, h.idx, h.order);
	else if (h.type == H_SLAB || h.type == H_KM20)
		vm98_kfree(m, h);
}

/* Remembers obj → h.  A second allocation of a live obj id means the
 * trace lost a free: the old block is freed first (metric dup_alloc). */
static int remember(struct vm98 *m, const struct rp_event *ev,
		    struct vm98_handle h)
{
	struct vm98_handle old;
	if (!(ev->present & RP_HAS(RP_COL_OBJ))) {
		m->st.untracked_alloc++;
		if (h.type == H_PAGES)
			for (int32_t i = 0; i < (INT32_C(1) << h.order); i++)
				m->mem_map[h.idx + i].flags |= PG_untracked;
		return VM98_OK;
	}
	if (m->slot_mode) {
		if (m->cur_slot == VM98_NO_SLOT ||
		    slotmap_reserve(&m->slots, m->cur_slot) < 0) {
			release(m, h); /* as if freed at once */
			return VM98_OK;
		}
		old = m->slots.h[m->cur_slot];
		m->slots.h[m->cur_slot] = h;
	} else if (objmap_put(&m->objs, ev->obj, h, &old) < 0) {
		release(m, h); /* out of memory: act as if freed at once */
		return VM98_OK;
	}
	if (old.type != H_NONE) {
		m->st.dup_alloc++;
		release(m, old);
	}
	return VM98_OK;
}

static int forget(struct vm98 *m, const struct rp_event *ev)
{
	struct vm98_handle h;
	bool held;
	if (!(ev->present & RP_HAS(RP_COL_OBJ)))
		held = false;
	else if (m->slot_mode) {
		uint32_t s = m->cur_slot;
		held = s < m->slots.cap && m->slots.h[s].type != H_NONE;
		if (held) {
			h = m->slots.h[s];
			m->slots.h[s].type = H_NONE;
		}
	} else
		held = objmap_del(&m->objs, ev->obj, &h);
	if (!held) {
		m->st.unknown_free++;
		return VM98_UNKNOWN;
	}
	release(m, h);
	return VM98_OK;
}

/* Closed-loop kinds: what a process does by itself.  The allocator
 * events (page_alloc/page_free, kmalloc/kfree) keep trace order even when
 * they name a task — their objects cross contexts (allocated by one task,
 * freed by another or by an interrupt), and delaying one side would free
 * before allocating — but a stall in them still adds to the task's delay. */
static bool is_closed_loop(int kind)
{
	return kind >= RP_FILE_READ && kind <= RP_TASK_EXIT;
}

/* One event at the current model time, in the context of task t (-1:
 * none).  The time it waits (reclaim, disk) is added to the task's
 * delay. */
static int apply_one(struct vm98 *m, const struct rp_event *ev, int32_t t)
{
	int gfp = RP_GFP_KERNEL;
	if (ev->present & RP_HAS(RP_COL_GFP)) {
		gfp = ev->gfp;
		if ((gfp & RP_GFP_CLASS_MASK) == RP_GFP_NONE)
			gfp |= RP_GFP_KERNEL;
	}
	if (ev->kind < RP_KIND_COUNT)
		m->st.events[ev->kind]++;
	m->rc = (struct vm98_rc){.t0 = m->now};
	m->cur_task = t;
	m->event_stall_recorded = false;
	int r;
	switch (ev->kind) {
	case RP_PAGE_ALLOC: {
		int order =
		    (ev->present & RP_HAS(RP_COL_ORDER)) ? ev->order : 0;
		int32_t pfn = vm98_get_free_pages(m, gfp, order);
		if (pfn < 0) {
			r = VM98_FAILED;
			break;
		}
		struct vm98_handle h = {H_PAGES, (uint8_t)order, 0, pfn};
		r = remember(m, ev, h);
		break;
	}
	case RP_KMALLOC: {
		int64_t bytes =
		    (ev->present & RP_HAS(RP_COL_BYTES)) ? ev->bytes : 0;
		struct vm98_handle h = vm98_kmalloc(m, bytes, gfp);
		r = h.type == H_NONE ? VM98_FAILED : remember(m, ev, h);
		break;
	}
	case RP_PAGE_FREE:
	case RP_KFREE: r = forget(m, ev); break;
	case RP_NET_RX:
		r = vm98_net_rx(
		    m, (ev->present & RP_HAS(RP_COL_BYTES)) ? ev->bytes : 0,
		    (ev->present & RP_HAS(RP_COL_COUNT)) ? ev->count : 0,
		    (ev->present & RP_HAS(RP_COL_FLAGS)) ? (int)(ev->flags & 3)
							 : 0);
		break;
	case RP_FILE_READ:
	case RP_FILE_WRITE: {
		if (!(ev->present & RP_HAS(RP_COL_FILE))) {
			r = VM98_IGNORED; /* which file? */
			break;
		}
		int64_t file =
		    (ev->present & RP_HAS(RP_COL_FILE)) ? ev->file : 0;
		int64_t off =
		    (ev->present & RP_HAS(RP_COL_OFFSET)) ? ev->offset : 0;
		int64_t n =
		    (ev->present & RP_HAS(RP_COL_COUNT)) ? ev->count : 1;
		r = ev->kind == RP_FILE_READ ? vm98_file_read(m, file, off, n)
					     : vm98_file_write(m, file, off, n);
		break;
	}
	case RP_BLK_READ:
	case RP_BLK_WRITE:
		if (!(ev->present & RP_HAS(RP_COL_BLOCK))) {
			r = VM98_IGNORED;
			break;
		}
		r = vm98_blk(
		    m, ev->kind == RP_BLK_WRITE,
		    (ev->present & RP_HAS(RP_COL_DEV)) ? ev->dev : 0,
		    (ev->present & RP_HAS(RP_COL_BLOCK)) ? ev->block : 0,
		    (ev->present & RP_HAS(RP_COL_COUNT)) ? ev->count : 1,
		    (ev->present & RP_HAS(RP_COL_FLAGS)) &&
			(ev->flags & RP_FLAG_META));
		break;
	case RP_ANON_TOUCH:
		if (t < 0 || !(ev->present & RP_HAS(RP_COL_OFFSET))) {
			r = VM98_IGNORED;
			break;
		}
		r = vm98_anon_touch(
		    m, t,
		    (ev->present & RP_HAS(RP_COL_OFFSET)) ? ev->offset : 0,
		    (ev->present & RP_HAS(RP_COL_COUNT)) ? ev->count : 1,
		    (ev->present & RP_HAS(RP_COL_FLAGS)) &&
			(ev->flags & RP_FLAG_WRITE));
		break;
	case RP_TASK_EXIT:
		if (t >= 0)
			vm98_task_exit(m, t);
		r = t >= 0 ? VM98_OK : VM98_IGNORED;
		break;
	default: r = VM98_IGNORED;
	}
	if (r == VM98_IGNORED)
		m->st.ignored++;
	if ((r == VM98_FAILED || r == VM98_DROPPED) &&
	    !m->event_stall_recorded) {
		int order, cls;
		vm98_last_failure(m, &order, &cls);
		stall_push(m, order, cls, 0, 0, true,
			   r == VM98_DROPPED ? "net_rx-drop" : "failed");
	}
	if (t >= 0 && m->rc.elapsed > 0)
		task_add_delay(m, t, m->rc.elapsed);
	m->rc = (struct vm98_rc){0};
	m->cur_task = -1;
	return r;
}

int vm98_apply(struct vm98 *m, const struct rp_event *ev)
{
	vm98_advance(m, ev->ts_ns);
	int32_t t = -1;
	if ((ev->present & RP_HAS(RP_COL_TASK)) && ev->kind != RP_NET_RX &&
	    (t = task_get(m, ev->task)) >= 0 && is_closed_loop(ev->kind)) {
		struct vm98_task *T = &m->tasks[t];
		int64_t when = ev->ts_ns + T->delay;
		if (T->qlen || when > m->now || m->cpu_busy_until > m->now) {
			if (T->qlen >= VM98_MAX_DEFERRED) {
				/* bounded memory: the oldest event of a task
				 * that is too far behind happens now
				 * (events.forced) */
				struct rp_event old;
				task_pop(m, t, &old);
				m->st.forced++;
				apply_one(m, &old, t);
			}
			if (task_defer(m, t, ev) == 0)
				return VM98_DEFERRED;
		}
	}
	return apply_one(m, ev, t);
}

int vm98_apply_slot(struct vm98 *m, const struct rp_event *ev, uint32_t slot)
{
	m->slot_mode = true;
	m->cur_slot = slot;
	int r = vm98_apply(m, ev);
	m->cur_slot = VM98_NO_SLOT;
	return r;
}

/* ---------------------------------------------------------- stalls */

void stall_push(struct vm98 *m, int order, int rp_gfp, int64_t latency,
		int64_t freed, bool failed, const char *path)
{
	int cls = rp_gfp & RP_GFP_CLASS_MASK;
	if (cls == RP_GFP_NONE)
		cls = RP_GFP_KERNEL;
	m->st.stalls++;
	if (latency > 0 || !failed) {
		hist_add(&m->hist[0], latency);
		hist_add(&m->hist[cls], latency);
	}
	struct vm98_stall_q *q = &m->stallq;
	if (q->len == q->cap) {
		if (q->cap >= (1u << 20)) {
			q->head = (q->head + 1) & (q->cap - 1);
			q->len--;
			m->st.stalls_dropped++;
		} else {
			uint32_t cap = q->cap * 2;
			struct vm98_stall *n = malloc(cap * sizeof(*n));
			if (!n) {
				m->st.stalls_dropped++;
				return;
			}
			for (uint32_t i = 0; i < q->len; i++)
				n[i] = q->s[(q->head + i) & (q->cap - 1)];
			free(q->s);
			q->s = n;
			q->head = 0;
			q->cap = cap;
		}
	}
	struct vm98_stall *s = &q->s[(q->head + q->len++) & (q->cap - 1)];
	s->t_ns = m->now;
	s->task = m->cur_task >= 0 ? m->tasks[m->cur_task].id : -1;
	s->order = order;
	s->gfp = rp_gfp;
	s->latency_ns = latency;
	s->pages_freed = freed;
	s->failed = failed;
	s->path = path;
}

int vm98_next_stall(struct vm98 *m, struct vm98_stall *out)
{
	struct vm98_stall_q *q = &m->stallq;
	if (!q->len)
		return 0;
	*out = q->s[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->len--;
	return 1;
}

void vm98_last_failure(const struct vm98 *m, int *order, int *rp_gfp)
{
	*order = m->last_fail_order;
	*rp_gfp = m->last_fail_gfp;
}

int64_t vm98_now(const struct vm98 *m)
{
	return m->now;
}

int64_t vm98_nr_free_pages(const struct vm98 *m)
{
	return m->nr_free_pages;
}

/* ------------------------------------------------------------- metrics */

static const char *const kind_names[RP_KIND_COUNT] = {
    "none",	  "page_alloc", "page_free",	 "kmalloc",	"kfree",
    "net_rx",	  "file_read",	"file_write",	 "blk_read",	"blk_write",
    "anon_touch", "task_exit",	"reclaim_begin", "reclaim_end", "mark"};
static const char *const class_names[RP_GFP_CLASS_MASK + 1] = {
    "none", "atomic", "kernel", "user", "buffer", "nfs", "6", "7"};

#define EMIT(nm, val)                                                          \
	do {                                                                   \
		if (cb((nm), (double)(val), arg))                              \
			return 1;                                              \
	} while (0)

static int emit_orders(const char *prefix, const uint64_t *v, vm98_value_cb cb,
		       void *arg)
{
	char name[64];
	for (int k = 0; k < NR_MEM_LISTS; k++) {
		snprintf(name, sizeof(name), "%s.o%d", prefix, k);
		EMIT(name, v[k]);
	}
	return 0;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0;
}

/* The reclaim metrics (docs/vm98-internals.md, "Metrics"). */
static int reclaim_metrics(const struct vm98 *m, vm98_value_cb cb, void *arg)
{
	static const char *const gfp_names[RP_GFP_CLASS_MASK + 1] = {
	    "",		"GFP_ATOMIC", "GFP_KERNEL",
	    "GFP_USER", "GFP_BUFFER", "GFP_NFS"};
	const struct vm98_stats *s = &m->st;
	char name[64];
	for (int c = 0; c <= RP_GFP_NFS; c++) {
		const struct vm98_hist *h = &m->hist[c];
		if (c && !h->n)
			continue;
		const char *sep = c ? "." : "";
		snprintf(name, sizeof(name), "stall%s%s.count", sep,
			 gfp_names[c]);
		EMIT(name, h->n);
		snprintf(name, sizeof(name), "stall%s%s.p50_ns", sep,
			 gfp_names[c]);
		EMIT(name, hist_quantile(h, 0.50));
		snprintf(name, sizeof(name), "stall%s%s.p99_ns", sep,
			 gfp_names[c]);
		EMIT(name, hist_quantile(h, 0.99));
		snprintf(name, sizeof(name), "stall%s%s.max_ns", sep,
			 gfp_names[c]);
		EMIT(name, h->max);
	}
	EMIT("stall.records", s->stalls);
	EMIT("stall.dropped", s->stalls_dropped);
	EMIT("direct.calls", s->direct_calls);
	EMIT("direct.ns", s->direct_ns);
	EMIT("io_wait_ns", s->io_wait_ns);
	EMIT("kswapd.wakeups", s->kswapd_passes);
	EMIT("kswapd.tries", s->kswapd_tries);
	EMIT("kswapd.cpu_ns", s->kswapd_cpu);
	EMIT("ctxsw", s->ctxsw);
	EMIT("pages.scanned", s->scanned);
	EMIT("ptes.scanned", s->ptes);
	EMIT("pages.reclaimed", s->reclaimed);
	EMIT("pages.reclaimed.shrink_mmap", s->shrink_freed);
	EMIT("pages.reclaimed.swap_out", s->swapout_freed);
	EMIT("pages.reclaimed.buffers", s->bh_free_pages);
	EMIT("pages.reclaimed.slab", s->reap_pages);
	EMIT("swap.out", s->swap_out);
	EMIT("swap.in", s->swap_in);
	EMIT("swap.in_fail", s->swap_in_fail);
	EMIT("swap.full", s->swap_full);
	EMIT("swap.sync_writes", s->sync_writes);
	EMIT("swap.used_end", m->nr_swap_slots > 0
				  ? m->nr_swap_slots - 1 - m->nr_swap_pages
				  : 0);
	EMIT("pages.written", s->pages_written);
	EMIT("o5_regained", s->o5_regained);
	EMIT("swapout_per_o5_regained",
	     s->o5_regained ? (double)s->swap_out / (double)s->o5_regained
			    : (double)s->swap_out);
	EMIT("buffer.hit_rate.meta",
	     ratio(s->bh_hit[1], s->bh_hit[1] + s->bh_miss[1]));
	EMIT("buffer.hit_rate.data",
	     ratio(s->bh_hit[0], s->bh_hit[0] + s->bh_miss[0]));
	EMIT("buffer.lookups.meta", s->bh_hit[1] + s->bh_miss[1]);
	EMIT("buffer.lookups.data", s->bh_hit[0] + s->bh_miss[0]);
	EMIT("buffer.grow", s->bh_grow);
	EMIT("buffer.recycle", s->bh_recycle);
	EMIT("buffer.fail", s->bh_fail);
	EMIT("buffer.written", s->buf_written);
	EMIT("bdflush.rounds", s->bdflush_rounds);
	EMIT("update.rounds", s->update_rounds);
	EMIT("pagecache.hit_rate", ratio(s->pc_hit, s->pc_hit + s->pc_miss));
	EMIT("pagecache.lookups", s->pc_hit + s->pc_miss);
	EMIT("pagecache.fail", s->pc_fail);
	EMIT("anon.faults", s->anon_fault);
	EMIT("anon.fail", s->anon_fail);
	EMIT("task_exit", s->task_exit);
	EMIT("events.deferred", s->deferred);
	EMIT("events.forced", s->forced);
	EMIT("pagecache.pages_end", m->nr_kind[PK_CACHE]);
	EMIT("buffer.pages_end", m->nr_kind[PK_BUFFER]);
	EMIT("anon.pages_end", m->nr_kind[PK_ANON]);
	EMIT("swapcache.pages_end", m->nr_kind[PK_SWAPCACHE]);
	int64_t maxdelay = 0;
	for (int32_t t = 0; t < m->ntasks; t++)
		if (m->tasks[t].delay > maxdelay)
			maxdelay = m->tasks[t].delay;
	EMIT("task.delay_max_ns", maxdelay);
	return 0;
}

int vm98_metrics(const struct vm98 *m, vm98_value_cb cb, void *arg)
{
	const struct vm98_stats *s = &m->st;
	char name[64];
	uint64_t blocks[NR_MEM_LISTS];
	for (int k = 0; k < NR_MEM_LISTS; k++)
		blocks[k] = (uint64_t)m->free_area[k].nr_blocks;
	if (emit_orders("alloc", s->alloc, cb, arg) ||
	    emit_orders("alloc_fail", s->alloc_fail, cb, arg) ||
	    emit_orders("atomic_fail", s->atomic_fail, cb, arg) ||
	    emit_orders("free_blocks_end", blocks, cb, arg))
		return 1;
	for (int c = RP_GFP_ATOMIC; c <= RP_GFP_NFS; c++) {
		snprintf(name, sizeof(name), "alloc_fail.%s", class_names[c]);
		EMIT(name, s->fail_class[c]);
	}
	EMIT("alloc_fail.dma", s->dma_fail);
	EMIT("alloc_bad_order", s->bad_order);
	double dur = (double)(m->now - m->t0);
	EMIT("nr_free_pages_end", m->nr_free_pages);
	EMIT("nr_free_pages_min", m->free_min);
	EMIT("nr_free_pages_mean",
	     dur > 0 ? m->free_integral / dur : (double)m->nr_free_pages);
	EMIT("num_physpages", m->P);
	EMIT("reserved_pages", m->reserved_pages);
	EMIT("freepages.min", m->freepages.min);
	EMIT("freepages.low", m->freepages.low);
	EMIT("freepages.high", m->freepages.high);
	EMIT("duration_ns", m->now - m->t0);
	EMIT("net_rx", s->net_rx);
	EMIT("net_rx_drop", s->net_rx_drop);
	EMIT("net_rx_frags", s->net_rx_frags);
	EMIT("net_rx_bytes", s->net_rx_bytes);
	EMIT("net_rx_tcp_frames", s->net_rx_tcp_frames);
	EMIT("net_rx_too_big", s->net_rx_too_big);
	EMIT("net_rx_pending_end", m->netq_len);
	EMIT("unknown_free", s->unknown_free);
	EMIT("dup_alloc", s->dup_alloc);
	EMIT("untracked_alloc", s->untracked_alloc);
	EMIT("kmalloc", s->kmalloc);
	EMIT("kmalloc_fail", s->kmalloc_fail);
	EMIT("kmalloc_too_big", s->kmalloc_too_big);
	EMIT("kfree", s->kfree);
	int64_t slab_pages = 0;
	for (int i = 0; i < VM98_NR_CACHES; i++)
		slab_pages += (int64_t)m->cache[i].nr_slabs
			      << m->cache[i].order;
	EMIT("slab_pages_end", slab_pages);
	EMIT("slab_grow", s->slab_grow);
	EMIT("slab_grow_fail", s->slab_grow_fail);
	EMIT("slab_destroy", s->slab_destroy);
	EMIT("km20_leaked_pages", s->km20_parked_leak_pages);
	EMIT("reclaim_calls", s->reclaim_calls);
	EMIT("kswapd_wakeups", s->kswapd_wakeups);
	EMIT("alloc_retry_capped", s->alloc_retry_capped);
	EMIT("ticks", s->ticks);
	uint64_t ignored = 0;
	for (int k = 0; k < RP_KIND_COUNT; k++) {
		if (!s->events[k])
			continue;
		snprintf(name, sizeof(name), "events.%s", kind_names[k]);
		EMIT(name, s->events[k]);
	}
	ignored = s->ignored;
	EMIT("events_ignored", ignored);
	return reclaim_metrics(m, cb, arg);
}

int vm98_sample(const struct vm98 *m, vm98_value_cb cb, void *arg)
{
	char name[64];
	int64_t free_pages = 0, total = 0;
	int largest = -1;
	for (int k = 0; k < NR_MEM_LISTS; k++) {
		int64_t c = m->free_area[k].nr_blocks;
		free_pages += c << k;
		total += c;
		if (c)
			largest = k;
		snprintf(name, sizeof(name), "free.o%d", k);
		EMIT(name, c);
	}
	EMIT("nr_free_pages", m->nr_free_pages);
	int fma = vm98_fma_sample(m);
	if (fma >= 0)
		EMIT("fma", fma);
	/* unusable free space index and fragmentation index, as
	 * mm/vmstat.c computes them (×1000) */
	for (int j = 0; j < NR_MEM_LISTS; j++) {
		int64_t suitable = 0;
		for (int k = j; k < NR_MEM_LISTS; k++)
			suitable += (int64_t)m->free_area[k].nr_blocks
				    << (k - j);
		int64_t unusable = free_pages ? (free_pages - (suitable << j)) *
						    1000 / free_pages
					      : 1000;
		int64_t extfrag;
		if (!total)
			extfrag = 0;
		else if (suitable)
			extfrag = -1000;
		else
			extfrag = 1000 -
				  (1000 + free_pages * 1000 / (1 << j)) / total;
		snprintf(name, sizeof(name), "unusable.o%d", j);
		EMIT(name, unusable);
		snprintf(name, sizeof(name), "extfrag.o%d", j);
		EMIT(name, extfrag);
	}
	EMIT("largest_order", largest);
	EMIT("buffer_pages", m->nr_kind[PK_BUFFER]);
	EMIT("pagecache_pages", m->nr_kind[PK_CACHE]);
	EMIT("anon_pages", m->nr_kind[PK_ANON]);
	EMIT("swapcache_pages", m->nr_kind[PK_SWAPCACHE]);
	EMIT("swapio_pages", m->nr_kind[PK_SWAPIO]);
	EMIT("nr_async_pages", m->nr_async_pages);
	EMIT("dirty_buffers", m->nr_dirty);
	EMIT("kswapd_state", m->now < m->kswapd_awake_until ? 1 : 0);
	return 0;
}
