/*
 * page_alloc.c — the buddy page allocator of mm/page_alloc.c, 1998
 * (spec §3): free_area lists and pair bitmaps, RMQUEUE/EXPAND,
 * free_pages_ok, the per-version __get_free_pages control flows, boot
 * population (mem_init), water marks and free_memory_available.
 */
#include "vm98-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_INITIAL_AGE 3 /* §3.5 swap_control.sc_page_initial_age */

static inline int32_t list_head_of(const struct vm98 *m, int k)
{
	return (int32_t)m->P + k;
}

/* add_mem_queue (§3.1): a block goes in at the head of free_area[k]. */
static inline void add_mem_queue(struct vm98 *m, int k, int32_t p)
{
	struct page *mm = m->mem_map;
	int32_t h = list_head_of(m, k), n = mm[h].next;
	mm[p].next = n;
	mm[p].prev = h;
	mm[n].prev = p;
	mm[h].next = p;
	mm[p].free_order = (int8_t)k;
	m->free_area[k].nr_blocks++;
}

/* remove_mem_queue (§3.4/§3.5): unlink a block from free_area[k]. */
static inline void remove_mem_queue(struct vm98 *m, int k, int32_t p)
{
	struct page *mm = m->mem_map;
	int32_t n = mm[p].next, pr = mm[p].prev;
	mm[pr].next = n;
	mm[n].prev = pr;
	mm[p].free_order = -1;
	m->free_area[k].nr_blocks--;
}

/* change_bit on the pair bitmap (§3.2); returns the previous value. */
static inline int change_bit(uint64_t *map, uint32_t idx)
{
	uint64_t bit = UINT64_C(1) << (idx & 63);
	int old = (map[idx >> 6] & bit) != 0;
	map[idx >> 6] ^= bit;
	return old;
}

/* free_pages_ok (§3.4): count first, then merge with free buddies up to
 * order 5 (never testing the order-5 bit), insert at the head. */
void free_pages_ok(struct vm98 *m, int32_t pfn, int order)
{
	int k = order;
	pfn &= ~((INT32_C(1) << order) - 1);
	m->nr_free_pages += INT64_C(1) << order;
	while (k < NR_MEM_LISTS - 1) {
		if (!change_bit(m->free_area[k].map, (uint32_t)pfn >> (k + 1)))
			break;
		remove_mem_queue(m, k, pfn ^ (INT32_C(1) << k));
		k++;
		pfn &= ~((INT32_C(1) << k) - 1);
	}
	if (k == NR_MEM_LISTS - 1 && order < k)
		m->st.o5_regained++; /* an order-5 block rebuilt by merging */
	add_mem_queue(m, k, pfn);
}

/* free_pages (§3.4): drop the reference; reserved pages are never freed. */
void free_pages(struct vm98 *m, int32_t pfn, int order)
{
	struct page *pg = &m->mem_map[pfn];
	if (pg->flags & PG_reserved)
		return;
	m->st.free_calls++;
	if (pg->count > 1) {
		pg->count--;
		return;
	}
	pg->count = 0;
	free_pages_ok(m, pfn, order);
}

/* RMQUEUE + EXPAND (§3.5): head-first walk of lists order..5; at orders
 * >= maxorder the walk of a list stops at an entry whose next is the
 * previous entry (i.e. the first entry of a one-block list); the taken
 * block is split keeping the UPPER half, lower halves go to the heads. */
int32_t rmqueue(struct vm98 *m, int order, int maxorder, bool dma)
{
	struct page *mm = m->mem_map;
	for (int k = order; k < NR_MEM_LISTS; k++) {
		int32_t h = list_head_of(m, k), prev = h, ret = mm[h].next;
		while (ret != h) {
			if (k >= maxorder && mm[ret].next == prev)
				break;
			if (!dma || (mm[ret].flags & PG_DMA)) {
				remove_mem_queue(m, k, ret);
				change_bit(m->free_area[k].map,
					   (uint32_t)ret >> (k + 1));
				/* NB: the requested order, not k (§3.5) */
				m->nr_free_pages -= INT64_C(1) << order;
				if (m->nr_free_pages < m->free_min)
					m->free_min = m->nr_free_pages;
				while (k > order) { /* EXPAND */
					k--;
					add_mem_queue(m, k, ret);
					change_bit(m->free_area[k].map,
						   (uint32_t)ret >> (k + 1));
					ret += INT32_C(1) << k;
				}
				mm[ret].count = 1;
				mm[ret].age = PAGE_INITIAL_AGE;
				mm[ret].owner = mm[ret].pte = mm[ret].slot = -1;
				return ret;
			}
			prev = ret;
			ret = mm[ret].next;
		}
	}
	return -1;
}

/* §3.6 maxorder (2.1.88 – 2.1.97): order + NR_MEM_LISTS/3, +2 for
 * __GFP_MED, no restriction (6) for __GFP_HIGH or beyond 6. */
int vm98_maxorder(const struct vm98 *m, int mask, int order)
{
	int fam = m->ops->gfp_family;
	if (!m->ops->maxorder)
		return NR_MEM_LISTS;
	int maxorder = order + NR_MEM_LISTS / 3;
	if (vm98_gfp_med(fam, mask))
		maxorder += 2;
	if (vm98_gfp_high(fam, mask) || maxorder > NR_MEM_LISTS)
		maxorder = NR_MEM_LISTS;
	return maxorder;
}

/* §3.7 2.0.33: nr_free_pages reserves, no maxorder, one reclaim per retry,
 * GFP_BUFFER never reclaims, GFP_ATOMIC ignores the reserve. */
int32_t get_free_pages_2_0_33(struct vm98 *m, int mask, int order)
{
	int prio = mask & ~GFP_DMA_BIT;
	bool dma = (mask & GFP_DMA_BIT) != 0;
	int64_t reserved = prio == GFP20_NFS ? 5 : m->freepages.min;
	if (order >= NR_MEM_LISTS)
		return -1;
	if ((prio == GFP20_BUFFER || prio == GFP20_IO) && reserved >= 48)
		reserved -= 12 + reserved / 8;
	for (int tries = 0;; tries++) {
		if (prio == GFP20_ATOMIC || m->nr_free_pages > reserved)
			return rmqueue(m, order, NR_MEM_LISTS, dma);
		if (prio == GFP20_BUFFER)
			return -1;
		if (tries >= VM98_RETRY_LIMIT) {
			m->st.alloc_retry_capped++;
			return -1;
		}
		m->st.reclaim_calls++;
		if (!m->ops->try_to_free_page(m, mask))
			return -1;
	}
}

/* §3.7 2.1.88 – 2.1.91pre2: buddy search with maxorder first; on failure
 * a __GFP_WAIT caller does one try_to_free_page and retries while that
 * reports success.  nr_free_pages is not consulted. */
int32_t get_free_pages_2_1_88(struct vm98 *m, int mask, int order)
{
	if (order >= NR_MEM_LISTS)
		return -1;
	int maxorder = vm98_maxorder(m, mask, order);
	bool dma = (mask & GFP_DMA_BIT) != 0;
	for (int tries = 0;; tries++) {
		int32_t r = rmqueue(m, order, maxorder, dma);
		if (r >= 0)
			return r;
		if (!vm98_gfp_wait(m->ops->gfp_family, mask))
			return -1;
		if (tries >= VM98_RETRY_LIMIT) {
			m->st.alloc_retry_capped++;
			return -1;
		}
		m->st.reclaim_calls++;
		if (!m->ops->try_to_free_page(m, mask))
			return -1;
	}
}

/* §3.7 2.1.91 – 2.1.92: as 2.1.88 but each reclaim step is
 * try_to_free_pages(mask, SWAP_CLUSTER_MAX): always 32 calls. */
int32_t get_free_pages_2_1_91(struct vm98 *m, int mask, int order)
{
	if (order >= NR_MEM_LISTS)
		return -1;
	int maxorder = vm98_maxorder(m, mask, order);
	bool dma = (mask & GFP_DMA_BIT) != 0;
	for (int tries = 0;; tries++) {
		int32_t r = rmqueue(m, order, maxorder, dma);
		if (r >= 0)
			return r;
		if (!vm98_gfp_wait(m->ops->gfp_family, mask))
			return -1;
		if (tries >= VM98_RETRY_LIMIT) {
			m->st.alloc_retry_capped++;
			return -1;
		}
		int freed = 0;
		for (int i = 0; i < SWAP_CLUSTER_MAX; i++) {
			m->st.reclaim_calls++;
			freed |= m->ops->try_to_free_page(m, mask);
		}
		if (!freed)
			return -1;
	}
}

/* 2.2.0 try_to_free_pages (§3.7): wakes kswapd; only a __GFP_WAIT caller
 * reclaims (do_try_to_free_pages); without WAIT it reports success. */
static int try_to_free_pages_2_2_0(struct vm98 *m, int mask)
{
	m->ops->wakeup_kswapd(m);
	if (!(mask & GFP22_WAIT))
		return 1;
	m->st.reclaim_calls++;
	return m->ops->do_try_to_free_pages(m, mask);
}

/* §3.7 2.2.0: min/high hysteresis (low_on_memory) for every mask, then
 * one buddy search without maxorder; no retry loop.  Replayed tasks are
 * never PF_MEMALLOC. */
int32_t get_free_pages_2_2_0(struct vm98 *m, int mask, int order)
{
	if (order >= NR_MEM_LISTS)
		return -1;
	if (m->nr_free_pages > m->freepages.min &&
	    (!m->low_on_memory || m->nr_free_pages >= m->freepages.high)) {
		m->low_on_memory = 0;
	} else {
		m->low_on_memory = 1;
		int freed = try_to_free_pages_2_2_0(m, mask);
		if (!freed && !(mask & (GFP22_MED | GFP22_HIGH)))
			return -1;
	}
	return rmqueue(m, order, NR_MEM_LISTS, (mask & GFP_DMA_BIT) != 0);
	/* a failing __GFP_WAIT caller yields the CPU once: reclaim issue */
}

/* §13 P11 (Stephen): no direct reclaim; a failing __GFP_WAIT request
 * wakes kswapd and sleeps on the free-memory queue (try_to_free_page
 * hook = "wait until kswapd freed something"), then retries. */
int32_t get_free_pages_sct(struct vm98 *m, int mask, int order)
{
	if (order >= NR_MEM_LISTS)
		return -1;
	int maxorder = vm98_maxorder(m, mask, order);
	bool dma = (mask & GFP_DMA_BIT) != 0;
	for (int tries = 0;; tries++) {
		int32_t r = rmqueue(m, order, maxorder, dma);
		if (r >= 0)
			return r;
		m->ops->wakeup_kswapd(m);
		if (!vm98_gfp_wait(m->ops->gfp_family, mask))
			return -1;
		if (tries >= VM98_RETRY_LIMIT) {
			m->st.alloc_retry_capped++;
			return -1;
		}
		m->st.reclaim_calls++;
		if (!m->ops->try_to_free_page(m, mask))
			return -1;
	}
}

/* The model's page allocation: class → mask (§4.1), version control flow,
 * outcome counted by order and class (atomic failures separately). */
int32_t vm98_get_free_pages(struct vm98 *m, int rp_gfp, int order)
{
	if (order < 0 || order >= NR_MEM_LISTS) {
		m->st.bad_order++;
		m->last_fail_order = order;
		m->last_fail_gfp = rp_gfp;
		return -1;
	}
	int mask = vm98_gfp_mask(m->ops->gfp_family, rp_gfp);
	m->st.alloc[order]++;
	int64_t e0 = m->rc.elapsed, f0 = m->rc.freed;
	int calls0 = m->rc.calls;
	int32_t r = m->ops->get_free_pages(m, mask, order);
	if (m->rc.calls != calls0 && !m->rc.kswapd) { /* it waited */
		int64_t lat = m->rc.elapsed - e0;
		m->st.direct_ns += lat;
		stall_push(m, order, rp_gfp, lat, m->rc.freed - f0, r < 0,
			   m->ops->kswapd_kind == KSWAPD_SCT ? "kswapd-wait"
							     : "direct");
		if (r < 0)
			m->event_stall_recorded = true;
	}
	if (r < 0) {
		int cls = rp_gfp & RP_GFP_CLASS_MASK;
		if (cls == RP_GFP_NONE)
			cls = RP_GFP_KERNEL;
		m->last_fail_order = order;
		m->last_fail_gfp = rp_gfp;
		m->st.alloc_fail[order]++;
		m->st.fail_class[cls]++;
		if (cls == RP_GFP_ATOMIC)
			m->st.atomic_fail[order]++;
		if (rp_gfp & RP_GFP_DMA)
			m->st.dma_fail++;
	}
	return r;
}

/* §3.9 water marks from num_physpages. */
void vm98_watermarks(int family, int64_t P, int64_t *min, int64_t *low,
		     int64_t *high)
{
	int64_t i = P / 128, mn;
	switch (family) {
	case VM98_WM_20:
		mn = (i > 24 ? i : 24) + 24;
		*min = mn;
		*low = mn + mn / 2;
		*high = 2 * mn;
		break;
	case VM98_WM_22:
		mn = i < 10 ? 10 : i > 256 ? 256 : i;
		*min = mn;
		*low = 2 * mn;
		*high = 3 * mn;
		break;
	default: /* VM98_WM_21: 2.1.88 – 2.1.92 */
		mn = i > 48 ? i : 48;
		*min = mn;
		*low = mn + mn / 2;
		*high = 2 * mn;
		break;
	}
}

/* free_memory_available (§3.10) per version; c(k) = blocks on list k. */
int free_memory_available(const struct vm98 *m, int nr)
{
	const struct free_area_struct *fa = m->free_area;
	switch (m->ops->fma_kind) {
	case VM98_FMA_ORIG: /* 2.1.89pre1–pre5: two order-5 blocks */
		return fa[5].nr_blocks >= 2;
	case VM98_FMA_3LEVEL: /* 2.1.89 – 2.1.90: k = 5, 4, 3 */
		for (int k = 5; k >= 3; k--) {
			if (fa[k].nr_blocks == 0)
				return 0;
			if (fa[k].nr_blocks >= 2)
				return 1;
		}
		return 0;
	case VM98_FMA_GRADED92: /* 2.1.92 shortcut: free > P/16 */
		if (m->nr_free_pages > m->P / 16)
			return nr + 1;
		/* fall through */
	case VM98_FMA_GRADED: { /* 2.1.91pre1 (bug), 2.1.91pre2 – 2.1.91 */
		bool bug = m->par.v[VP_FMA_BUG] != 0;
		for (int k = 5; k >= 5 - nr && k >= 0; k--) {
			int left = nr - (5 - k);
			if (fa[k].nr_blocks == 0)
				return bug ? left + 1 : 0;
			if (fa[k].nr_blocks >= 2)
				return left + 1;
		}
		return 0;
	}
	default: return -1;
	}
}

int vm98_fma_sample(const struct vm98 *m)
{
	switch (m->ops->fma_kind) {
	case VM98_FMA_GRADED:
	case VM98_FMA_GRADED92: return free_memory_available(m, 3);
	default: return free_memory_available(m, 0);
	}
}

/* start_mem (§3.3): 1 MB + kernel image + boot tables (page tables without
 * PSE, mem_map, free-area bitmaps) + other boot allocations. */
static int64_t start_mem_bytes(const struct vm98 *m)
{
	const int64_t *v = m->par.v;
	if (v[VP_START_MEM_KB] > 0)
		return v[VP_START_MEM_KB] * 1024;
	int64_t P = m->P, bytes = (INT64_C(1) << 20) + v[VP_KERNEL_KB] * 1024;
	bytes += ((P + 1023) / 1024) * PAGE_SIZE; /* page tables */
	bytes += P * v[VP_MEM_MAP_BYTES];	  /* mem_map */
	for (int i = 0; i < NR_MEM_LISTS; i++) {  /* bitmaps (§3.2) */
		int64_t span = INT64_C(1) << (i + 1);
		int64_t bits = ((P + span - 1) & ~(span - 1)) >> i;
		bytes += ((bits + 31) / 32) * 4;
	}
	bytes += v[VP_BOOT_EXTRA_KB] * 1024;
	return bytes;
}

/* mem_init (§3.3): all pages reserved with PG_DMA, PG_DMA cleared at and
 * above 16 MB, pages 4 KB..0x9F000 and start_mem..end freed one by one
 * in ascending order, then the __init pages (free_initmem). */
int vm98_mem_init(struct vm98 *m, char *err, size_t errlen)
{
	int64_t P = m->P;
	m->mem_map = calloc((size_t)(P + NR_MEM_LISTS), sizeof(struct page));
	if (!m->mem_map)
		goto oom;
	for (int k = 0; k < NR_MEM_LISTS; k++) {
		size_t words = (size_t)((P >> (k + 1)) / 64 + 1);
		m->free_area[k].map = calloc(words, sizeof(uint64_t));
		if (!m->free_area[k].map)
			goto oom;
		int32_t h = (int32_t)P + k;
		m->mem_map[h].next = m->mem_map[h].prev = h;
		m->mem_map[h].free_order = -1;
		m->free_area[k].nr_blocks = 0;
	}
	for (int64_t p = 0; p < P; p++) {
		struct page *pg = &m->mem_map[p];
		pg->flags = PG_reserved | (p < MAX_DMA_PFN ? PG_DMA : 0);
		pg->free_order = -1;
		pg->next = pg->prev = -1;
	}
	int64_t start = (start_mem_bytes(m) + PAGE_SIZE - 1) / PAGE_SIZE;
	int64_t image_end =
	    ((INT64_C(1) << 20) + m->par.v[VP_KERNEL_KB] * 1024) / PAGE_SIZE;
	int64_t init_pages = m->par.v[VP_INITMEM_KB] * 1024 / PAGE_SIZE;
	int64_t init_start = image_end - init_pages;
	if (init_start < 256)
		init_start = 256;
	if (image_end > start)
		image_end = start;
	if (start + 32 > P) {
		snprintf(err, errlen,
			 "memory too small: %lld pages, kernel and boot "
			 "tables end at page %lld",
			 (long long)P, (long long)start);
		return -1;
	}
	m->start_mem_pfn = start;
	m->free_min = INT64_MAX;
	for (int64_t p = 1; p < 0x9F; p++) { /* 4 KB .. 0x9F000 */
		m->mem_map[p].flags &= ~PG_reserved;
		m->mem_map[p].count = 1;
		free_pages(m, (int32_t)p, 0);
	}
	for (int64_t p = start; p < P; p++) {
		m->mem_map[p].flags &= ~PG_reserved;
		m->mem_map[p].count = 1;
		free_pages(m, (int32_t)p, 0);
	}
	for (int64_t p = init_start; p < image_end; p++) { /* free_initmem */
		m->mem_map[p].flags &= ~PG_reserved;
		m->mem_map[p].count = 1;
		free_pages(m, (int32_t)p, 0);
	}
	m->reserved_pages = P - m->nr_free_pages;
	m->st.o5_regained = 0;
	m->free_min = m->nr_free_pages;
	m->st.free_calls = 0;
	return 0;
oom:
	snprintf(err, errlen, "out of memory for a %lld-page machine",
		 (long long)P);
	return -1;
}

void vm98_mem_destroy(struct vm98 *m)
{
	for (int k = 0; k < NR_MEM_LISTS; k++)
		free(m->free_area[k].map);
	free(m->mem_map);
}
