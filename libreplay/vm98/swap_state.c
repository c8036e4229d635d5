/*
 * swap_state.c — swap slots, the swap cache and swap_in (§3.11, §10.2),
 * mm/swapfile.c + mm/swap_state.c + the swap_in of mm/page_alloc.c.
 *
 * One swap partition of swap_mb MB (slot 0 is the header).  swap_map[e]
 * counts the references to slot e: one per pte holding the entry, one
 * for the swap cache while a page is cached under it.  swap_cache[e] is
 * the cached page or -1 (the kernel hashes swapper_inode; a direct index
 * is the same lookup).
 */
#include "vm98-internal.h"

#include <stdlib.h>
#include <string.h>

int vm98_swap_init(struct vm98 *m)
{
	int64_t n = m->par.v[VP_SWAP_MB] * 256;
	if (n > (INT64_C(1) << 24))
		n = INT64_C(1) << 24;
	m->nr_swap_slots = (int32_t)n;
	m->swap_map = calloc((size_t)n + 1, 1);
	m->swap_cache = malloc(((size_t)n + 1) * sizeof(int32_t));
	if (!m->swap_map || !m->swap_cache)
		return -1;
	for (int64_t i = 0; i <= n; i++)
		m->swap_cache[i] = -1;
	m->nr_swap_pages = n > 1 ? n - 1 : 0; /* slot 0: header */
	m->lowest_bit = 1;
	m->highest_bit = (int32_t)n - 1;
	m->cluster_next = 1;
	m->cluster_nr = 0;
	return 0;
}

void vm98_swap_destroy(struct vm98 *m)
{
	free(m->swap_map);
	free(m->swap_cache);
}

/* get_swap_page / scan_swap_map (§10.2): clusters of SWAP_CLUSTER_MAX
 * from the last position, else first fit from the lowest free slot.
 * Returns the entry (> 0) or 0 when swap is full. */
int32_t get_swap_page(struct vm98 *m)
{
	int32_t off;
	if (m->nr_swap_pages <= 0)
		return 0;
	if (m->cluster_nr) {
		while (m->cluster_next <= m->highest_bit) {
			off = m->cluster_next++;
			if (m->swap_map[off])
				continue;
			m->cluster_nr--;
			goto got;
		}
	}
	m->cluster_nr = SWAP_CLUSTER_MAX;
	for (off = m->lowest_bit; off <= m->highest_bit; off++) {
		if (m->swap_map[off])
			continue;
		goto got;
	}
	return 0;
got:
	if (off == m->lowest_bit)
		m->lowest_bit++;
	if (off == m->highest_bit)
		m->highest_bit--;
	m->swap_map[off] = 1;
	m->nr_swap_pages--;
	m->cluster_next = off + 1;
	return off;
}

void swap_duplicate(struct vm98 *m, int32_t e)
{
	m->swap_map[e]++;
}

/* swap_free: drop one reference; the slot is free at 0. */
void swap_free(struct vm98 *m, int32_t e)
{
	if (e <= 0 || !m->swap_map[e])
		return;
	if (--m->swap_map[e])
		return;
	if (e < m->lowest_bit)
		m->lowest_bit = e;
	if (e > m->highest_bit)
		m->highest_bit = e;
	m->nr_swap_pages++;
}

/* add_to_swap_cache (§10.2): counts in page_cache_size; a page read from
 * swap gets age 16 and PG_referenced.  Takes a swap_map reference. */
void add_to_swap_cache(struct vm98 *m, int32_t pfn, int32_t e)
{
	struct page *pg = &m->mem_map[pfn];
	page_set_kind(m, pfn, PK_SWAPCACHE);
	pg->slot = e;
	m->swap_cache[e] = pfn;
	m->swap_map[e]++;
}

/* delete_from_swap_cache: the page leaves the cache (it stays allocated;
 * the caller decides what it becomes); drops the cache's reference. */
void delete_from_swap_cache(struct vm98 *m, int32_t pfn)
{
	struct page *pg = &m->mem_map[pfn];
	int32_t e = pg->slot;
	m->swap_cache[e] = -1;
	page_set_kind(m, pfn, PK_NONE);
	pg->slot = -1;
	swap_free(m, e);
}

/* swap_in (§3.11): a touch of a pte holding swap entry e.  Looks in the
 * swap cache, else allocates a GFP_KERNEL page (which may reclaim) and
 * reads it synchronously.  A write fault takes the page out of the swap
 * cache (mapped dirty), a read fault keeps it cached and maps it clean.
 * Returns 0, or -1 when no page could be had (the kernel OOM-kills). */
int swap_in(struct vm98 *m, int32_t t, int32_t pi, bool write)
{
	int32_t e = m->tasks[t].pte[pi].val;
	int32_t pfn = m->swap_cache[e];
	if (pfn < 0 || m->mem_map[pfn].kind != PK_SWAPCACHE) {
		pfn = vm98_get_free_pages(m, RP_GFP_KERNEL, 0);
		if (pfn < 0) {
			m->st.swap_in_fail++;
			return -1;
		}
		/* the allocation may have reclaimed: the pte is unchanged
		 * (reclaim never touches a swapped-out pte) */
		add_to_swap_cache(m, pfn, e);
		struct page *pg = &m->mem_map[pfn];
		pg->age = m->ops->swapout_kind == SWAPOUT_20 &&
				  m->ops->gfp_family == VM98_GFP_20
			      ? (m->tasks[t].rss < m->P / 4 ? 6 : 3)
			      : PAGE_AGE_VALUE;
		pg->flags |= PG_referenced;
		m->st.swap_in++;
		rw_swap_page(m, pfn, e, false, true);
	}
	struct page *pg = &m->mem_map[pfn];
	struct vm98_pte *pte = &m->tasks[t].pte[pi];
	swap_free(m, e); /* the pte's reference */
	pg->count++;	 /* mapped */
	page_unquiet(m, pfn);
	task_rss_add(m, &m->tasks[t], 1);
	pte->state = PTE_PRESENT;
	pte->val = pfn;
	pte->bits = PTE_YOUNG;
	if (write) {
		delete_from_swap_cache(m, pfn);
		pg->count--; /* the cache's reference */
		page_set_kind(m, pfn, PK_ANON);
		pte->bits |= PTE_DIRTY;
	}
	pg->owner = t;
	pg->pte = pi;
	return 0;
}
