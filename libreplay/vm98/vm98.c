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
	return m;
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
	free(m);
}

void vm98_advance(struct vm98 *m, int64_t now)
{
	if (!m->started) {
		m->started = true;
		m->t0 = m->now = now;
		m->next_tick = now + VM98_TICK_NS;
		return;
	}
	if (now <= m->now)
		return;
	for (;;) {
		int64_t due = vm98_netq_next_due(m);
		int64_t t = due <= m->next_tick ? due : m->next_tick;
		if (t > now)
			break;
		vm98_account_to(m, t);
		if (due <= m->next_tick) {
			vm98_netq_run(m, due);
		} else {
			m->jiffies++;
			m->st.ticks++;
			m->next_tick += VM98_TICK_NS;
			m->ops->swap_tick(m);
		}
	}
	vm98_account_to(m, now);
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
	if (objmap_put(&m->objs, ev->obj, h, &old) < 0) {
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
	if (!(ev->present & RP_HAS(RP_COL_OBJ)) ||
	    !objmap_del(&m->objs, ev->obj, &h)) {
		m->st.unknown_free++;
		return VM98_UNKNOWN;
	}
	release(m, h);
	return VM98_OK;
}

int vm98_apply(struct vm98 *m, const struct rp_event *ev)
{
	vm98_advance(m, ev->ts_ns);
	int gfp = RP_GFP_KERNEL;
	if (ev->present & RP_HAS(RP_COL_GFP)) {
		gfp = ev->gfp;
		if ((gfp & RP_GFP_CLASS_MASK) == RP_GFP_NONE)
			gfp |= RP_GFP_KERNEL;
	}
	if (ev->kind < RP_KIND_COUNT)
		m->st.events[ev->kind]++;
	switch (ev->kind) {
	case RP_PAGE_ALLOC: {
		int order =
		    (ev->present & RP_HAS(RP_COL_ORDER)) ? ev->order : 0;
		int32_t pfn = vm98_get_free_pages(m, gfp, order);
		if (pfn < 0)
			return VM98_FAILED;
		struct vm98_handle h = {H_PAGES, (uint8_t)order, 0, pfn};
		return remember(m, ev, h);
	}
	case RP_KMALLOC: {
		int64_t bytes =
		    (ev->present & RP_HAS(RP_COL_BYTES)) ? ev->bytes : 0;
		struct vm98_handle h = vm98_kmalloc(m, bytes, gfp);
		if (h.type == H_NONE)
			return VM98_FAILED;
		return remember(m, ev, h);
	}
	case RP_PAGE_FREE:
	case RP_KFREE: return forget(m, ev);
	case RP_NET_RX:
		return vm98_net_rx(
		    m, (ev->present & RP_HAS(RP_COL_BYTES)) ? ev->bytes : 0,
		    (ev->present & RP_HAS(RP_COL_COUNT)) ? ev->count : 0,
		    (ev->present & RP_HAS(RP_COL_FLAGS)) ? (int)(ev->flags & 3)
							 : 0);
	default: return VM98_IGNORED;
	}
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
		if (k > RP_NET_RX)
			ignored += s->events[k];
	}
	EMIT("events_ignored", ignored);
	return 0;
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
	return 0;
}
