/*
 * page_io.c — rw_swap_page (§10.1): swap reads and writes through the
 * disk model.  An asynchronous write holds the page (PG_locked) and
 * nr_async_pages until it completes; a synchronous one makes the caller
 * wait.  2.2.0 makes a write synchronous while more than 32 are in
 * flight (§5.10).
 */
#include "vm98-internal.h"

#define SWAP_SECTOR_BASE (INT64_C(1) << 40)

/* rw_swap_page(rw, entry, page, wait).  Time goes to the current
 * reclaim context (m->rc). */
void rw_swap_page(struct vm98 *m, int32_t pfn, int32_t e, bool write, bool wait)
{
	int64_t sector = SWAP_SECTOR_BASE + (int64_t)e * 8;
	if (!write) {
		disk_submit(m, sector, 8, false, IO_NONE, pfn);
		rc_wait(m, disk_wait_last(m, rc_now(m)));
		return;
	}
	m->st.pages_written++;
	if (m->ops->swapout_kind == SWAPOUT_22 && m->nr_async_pages > 32)
		wait = true;
	/* a request slot: kswiod (P11b) takes the waits off kswapd */
	if (!(m->rc.kswapd && m->ops->kswiod))
		rc_wait(m, disk_write_slot(m, rc_now(m)));
	if (wait) {
		m->st.sync_writes++;
		disk_submit(m, sector, 8, true, IO_NONE, pfn);
		rc_wait(m, disk_wait_last(m, rc_now(m)));
		return;
	}
	m->mem_map[pfn].flags |= PG_locked;
	m->nr_async_pages++;
	disk_submit(m, sector, 8, true, IO_SWAP_WRITE_ASYNC, pfn);
}

/* after_unlock_page (§10.1): nr_async_pages--, drop the I/O's
 * reference: a page that left the swap cache (its slot reference was
 * dropped then) is freed now; 2.2.0's
 * stays cached (unlocked) for shrink_mmap. */
void swap_write_done(struct vm98 *m, int32_t pfn)
{
	struct page *pg = &m->mem_map[pfn];
	m->nr_async_pages--;
	pg->flags &= (uint8_t)~PG_locked;
	if (pg->kind == PK_SWAPIO) {
		page_set_kind(m, pfn, PK_NONE);
		pg->slot = -1;
		page_free_reclaimed(m, pfn);
	}
}
