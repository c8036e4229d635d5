/*
 * filemap.c — the page cache and shrink_mmap (§6), mm/filemap.c: pages
 * keyed by (file, offset), ages and PG_referenced (§5.8, §6.2), the
 * clock hand with the version's scan budget (§6.1), the quotas of §6.4;
 * file_read / file_write events.
 *
 * shrink_mmap visits pages in mem_map order.  Pages that are neither
 * page cache, swap cache nor buffer pages need no decision (they only
 * use up count_max), so the hand jumps over them with a bitmap of the
 * interesting pages; the budget and the CPU charged are the same as a
 * page-by-page walk.
 */
#include "vm98-internal.h"

#define FILE_SECTOR_BASE (INT64_C(3) << 40)

/* ------------------------------------------------------ page helpers */

/* Changes what a page is used for, keeping the per-kind counts and the
 * shrink_mmap bitmap. */
void page_set_kind(struct vm98 *m, int32_t pfn, int kind)
{
	struct page *pg = &m->mem_map[pfn];
	if (pg->kind != PK_NONE)
		m->nr_kind[pg->kind]--;
	pg->kind = (uint8_t)kind;
	if (kind != PK_NONE)
		m->nr_kind[kind]++;
	uint64_t bit = UINT64_C(1) << (pfn & 63);
	if (kind == PK_CACHE || kind == PK_BUFFER || kind == PK_SWAPCACHE)
		m->scanmap[pfn >> 6] |= bit;
	else
		m->scanmap[pfn >> 6] &= ~bit;
	if (kind == PK_BUFFER)
		m->bufmap[pfn >> 6] |= bit;
	else
		m->bufmap[pfn >> 6] &= ~bit;
	m->quietmap[pfn >> 6] &= ~bit;
}

/* A page that reclaim (or the completion of its swap write) gives back
 * to the buddy allocator. */
void page_free_reclaimed(struct vm98 *m, int32_t pfn)
{
	struct page *pg = &m->mem_map[pfn];
	pg->flags &= (uint8_t) ~(PG_referenced | PG_locked);
	pg->owner = pg->pte = pg->slot = -1;
	pg->count = 1;
	m->st.reclaimed++;
	m->rc.freed++;
	free_pages(m, pfn, 0);
}

/* Sector of page `off` of `file` on the disk (files are contiguous). */
int64_t file_sector(int64_t file, int64_t off)
{
	uint64_t h = (uint64_t)file * UINT64_C(0x9E3779B97F4A7C15);
	return FILE_SECTOR_BASE + (int64_t)((h >> 40) << 26) +
	       ((off & ((INT64_C(1) << 23) - 1)) << 3);
}

/* ------------------------------------------------------- page cache */

static int32_t *pc_hint(struct vm98 *m, int64_t file, int64_t off)
{
	uint64_t h =
	    (uint64_t)file * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)off;
	return &m->pc_hint[h & (VM98_HINTS - 1)];
}

/* The page cache's page of (file, off), or -1.  A hint is right when
 * its page is in the page cache under that key (a key has one page). */
int32_t find_page(struct vm98 *m, int64_t file, int64_t off)
{
	int32_t *hint = pc_hint(m, file, off);
	if (*hint) {
		const struct page *pg = &m->mem_map[*hint - 1];
		if (pg->kind == PK_CACHE && pg->file == file && pg->off == off)
			return *hint - 1;
	}
	int32_t pfn = pairmap_get(&m->pcache, file, off);
	if (pfn >= 0)
		*hint = pfn + 1;
	return pfn;
}

/* add_to_page_cache (§5.8): age PAGE_AGE_VALUE (2.0.33: 6) and
 * PG_referenced. */
int add_to_page_cache(struct vm98 *m, int32_t pfn, int64_t file, int64_t off)
{
	if (pairmap_put(&m->pcache, file, off, pfn) < 0)
		return -1;
	*pc_hint(m, file, off) = pfn + 1;
	struct page *pg = &m->mem_map[pfn];
	page_set_kind(m, pfn, PK_CACHE);
	pg->file = file;
	pg->off = off;
	pg->age = m->ops->gfp_family == VM98_GFP_20 ? 6 : PAGE_AGE_VALUE;
	pg->flags |= PG_referenced;
	return 0;
}

void remove_from_page_cache(struct vm98 *m, int32_t pfn)
{
	struct page *pg = &m->mem_map[pfn];
	pairmap_del(&m->pcache, pg->file, pg->off);
	page_set_kind(m, pfn, PK_NONE);
}

/* file_read event: generic_file_read of `count` pages.  A hit sets
 * PG_referenced; a miss allocates a GFP_KERNEL page (which may reclaim)
 * and reads it; the reads of one event go out together and the task
 * waits for the last. */
int vm98_file_read(struct vm98 *m, int64_t file, int64_t off, int64_t count)
{
	int res = VM98_OK, misses = 0;
	if (count < 1)
		count = 1;
	for (int64_t i = 0; i < count; i++) {
		int32_t pfn = find_page(m, file, off + i);
		if (pfn >= 0) {
			m->st.pc_hit++;
			m->mem_map[pfn].flags |= PG_referenced;
			page_unquiet(m, pfn);
			continue;
		}
		m->st.pc_miss++;
		pfn = vm98_get_free_pages(m, RP_GFP_KERNEL, 0);
		if (pfn < 0) {
			m->st.pc_fail++;
			res = VM98_FAILED;
			continue;
		}
		/* reclaim inside the allocation cannot add this page */
		if (add_to_page_cache(m, pfn, file, off + i) < 0) {
			page_free_reclaimed(m, pfn);
			continue;
		}
		disk_submit(m, file_sector(file, off + i), 8, false, IO_NONE,
			    pfn);
		misses++;
	}
	if (misses) {
		m->st.pc_read_pages += (uint64_t)misses;
		rc_wait(m, disk_wait_last(m, rc_now(m)));
	}
	return res;
}

/* file_write event: 2.1.x/2.2.0 ext2 writes through the buffer cache
 * (data buffers marked dirty, bdflush/update write them); a cached copy
 * of the page is updated (update_vm_cache). */
int vm98_file_write(struct vm98 *m, int64_t file, int64_t off, int64_t count)
{
	int res = VM98_OK;
	if (count < 1)
		count = 1;
	for (int64_t i = 0; i < count; i++) {
		int32_t pfn = find_page(m, file, off + i);
		if (pfn >= 0) {
			m->mem_map[pfn].flags |= PG_referenced;
			page_unquiet(m, pfn);
		}
		for (int b = 0; b < m->bpp; b++) {
			int64_t blk = (off + i) * m->bpp + b;
			int64_t sec = file_sector(file, off + i) +
				      (int64_t)b * (m->bsize / 512);
			if (buffer_write(m, file | BH_FILE_DEV, blk, sec,
					 false) < 0)
				res = VM98_FAILED;
		}
	}
	return res;
}

/* ------------------------------------------------------ shrink_mmap */

/* Distance from the clock to the next interesting page (P if none).
 * The set bits are the PK_CACHE, PK_BUFFER and PK_SWAPCACHE pages. */
static int64_t next_interesting(const struct vm98 *m, int64_t from)
{
	const int64_t P = m->P, words = (P + 63) >> 6;
	if (!(m->nr_kind[PK_CACHE] + m->nr_kind[PK_BUFFER] +
	      m->nr_kind[PK_SWAPCACHE]))
		return P;
	int64_t w = from >> 6;
	uint64_t bits = m->scanmap[w] & (~UINT64_C(0) << (from & 63));
	for (int64_t n = 0; n <= words; n++) { /* from's word twice */
		if (bits) {
			int64_t q = (w << 6) + __builtin_ctzll(bits);
			if (q < P)
				return q >= from ? q - from : q - from + P;
		}
		if (++w >= words)
			w = 0;
		bits = m->scanmap[w];
	}
	return P;
}

static bool quota_pct(const struct vm98 *m, int64_t pages, int pct)
{ /* pages·100 > pct·P (2.1.91+ form) */
	return pages * 100 > (int64_t)pct * m->P;
}

/* SHRINK_91: the interesting pages of word w whose visit would change
 * nothing: buffer pages while the buffers are under their 3 % minimum,
 * cache pages a visit left idle (unreferenced, age 0, count 1) while the
 * cache is under its 10 % minimum (§6.3).  Known without mem_map. */
static uint64_t idle_91(const struct vm98 *m, int64_t w)
{
	uint64_t idle = 0;
	if (!quota_pct(m, m->nr_kind[PK_BUFFER], 3))
		idle |= m->bufmap[w];
	if (!quota_pct(m, m->nr_kind[PK_CACHE] + m->nr_kind[PK_SWAPCACHE], 10))
		idle |= m->quietmap[w];
	return idle;
}

/* shrink_mmap_21's clock hand and budgets (§6.1). */
struct hand {
	int64_t c, count_max, count_min, visited;
};

/* The hand passes a run of idle pages at once, with the budgets and visit
 * count of the page-by-page walk; it stops before a page that needs a look
 * or where the walk would stop. */
static void skip_idle_91(const struct vm98 *m, struct hand *h)
{
	const int64_t P = m->P, words = (P + 63) >> 6, w0 = h->c >> 6;
	int64_t cur = h->c, adv = 0, n = 0, w = w0;
	uint64_t from = ~UINT64_C(0) << (cur & 63);
	do {
		uint64_t in = m->scanmap[w] & from, idle = idle_91(m, w);
		uint64_t real = in & ~idle, k = in & idle;
		if (real)
			k &= (real & -real) - 1; /* the run ends there */
		if (k) {
			int64_t q = (w << 6) + 63 - __builtin_clzll(k);
			int64_t a =
			    adv + (q >= cur ? q - cur : q - cur + P) + 1;
			int64_t nk = n + __builtin_popcountll(k);
			if (a >= h->count_max || nk >= h->count_min)
				break; /* the walk would stop in the run */
			adv = a;
			n = nk;
			cur = q + 1 == P ? 0 : q + 1;
		}
		if (real)
			break;
		w = w + 1 == words ? 0 : w + 1;
		from = ~UINT64_C(0);
	} while (w != w0);
	h->c = cur;
	h->visited += adv;
	h->count_max -= adv;
	h->count_min -= n;
}

/* Regenerates PG_referenced of a buffer page from its buffers' touched
 * bits (§6.2). */
static void buffers_touched(struct vm98 *m, int32_t pfn)
{
	int32_t b0 = m->mem_map[pfn].owner;
	for (int i = 0; i < m->bpp; i++)
		if (m->bh[b0 + i].state & BH_touched) {
			m->bh[b0 + i].state &= (uint8_t)~BH_touched;
			m->mem_map[pfn].flags |= PG_referenced;
		}
}

/* Frees a count-1 cache page (page cache or swap cache). */
static void drop_cache_page(struct vm98 *m, int32_t pfn)
{
	if (m->mem_map[pfn].kind == PK_SWAPCACHE)
		delete_from_swap_cache(m, pfn);
	else
		remove_from_page_cache(m, pfn);
	m->st.shrink_freed++;
	page_free_reclaimed(m, pfn);
}

/* touch_page (§5.8) */
static void touch_page(struct page *pg)
{
	pg->age = pg->age + PAGE_ADVANCE > MAX_PAGE_AGE
		      ? MAX_PAGE_AGE
		      : pg->age + PAGE_ADVANCE;
}

/* shrink_mmap_21's look at a page or swap-cache page of count 1: frees
 * it (true) or ages it. */
static bool visit_cache_21(struct vm98 *m, int32_t pfn, int kind)
{
	struct page *pg = &m->mem_map[pfn];
	bool ref = pg->flags & PG_referenced;
	pg->flags &= (uint8_t)~PG_referenced;
	if (kind == SHRINK_NOAGE) {
		if (ref)
			return false;
	} else {
		if (ref) {
			touch_page(pg);
			return false;
		}
		if (pg->age > 0) /* age_page */
			pg->age -= PAGE_DECLINE;
		if (pg->age > 0)
			return false;
		if (kind == SHRINK_91 &&
		    !quota_pct(
			m, m->nr_kind[PK_CACHE] + m->nr_kind[PK_SWAPCACHE],
			10)) { /* cache under its min: idle until touched */
			m->quietmap[pfn >> 6] |= UINT64_C(1) << (pfn & 63);
			return false;
		}
	}
	drop_cache_page(m, pfn);
	return true;
}

/* shrink_mmap_21's look at interesting page pfn; true if it freed a
 * page. */
static bool visit_21(struct vm98 *m, int32_t pfn, bool dma, bool io)
{
	const int kind = m->ops->shrink_kind;
	struct page *pg = &m->mem_map[pfn];
	if ((pg->flags & PG_locked) || (dma && !(pg->flags & PG_DMA)))
		return false;
	if (pg->kind == PK_BUFFER) {
		if (kind == SHRINK_91 &&
		    !quota_pct(m, m->nr_kind[PK_BUFFER], 3))
			return false; /* buffers under their min (§6.3) */
		buffers_touched(m, pfn);
	}
	if (pg->count >= 2) {
		pg->flags |= PG_referenced;
		return false;
	}
	if (pg->kind != PK_BUFFER) /* page cache or swap cache */
		return visit_cache_21(m, pfn, kind);
	if (pg->flags & PG_referenced) { /* buffers: no ageing */
		pg->flags &= (uint8_t)~PG_referenced;
		return false;
	}
	return io && try_to_free_buffer(m, pfn);
}

/* Prefetches the struct page of the pages of the word after w that
 * shrink_mmap_21 will look at (mem_map is colder than the bitmaps).
 * Inlined: as a call, the compiler takes it for pure and drops it. */
static inline __attribute__((always_inline)) void
prefetch_next_word(const struct vm98 *m, int64_t w)
{
	int64_t nw = w + 1 >= (m->P + 63) >> 6 ? 0 : w + 1;
	uint64_t b = m->scanmap[nw];
	if (m->ops->shrink_kind == SHRINK_91)
		b &= ~idle_91(m, nw);
	for (; b; b &= b - 1)
		__builtin_prefetch(&m->mem_map[(nw << 6) + __builtin_ctzll(b)]);
}

/* shrink_mmap(priority, mask), 2.0.33 – 2.1.92 (§6.1 – §6.3). */
static int shrink_mmap_21(struct vm98 *m, int prio, int mask)
{
	const bool v91 = m->ops->shrink_kind == SHRINK_91;
	const bool dma = (mask & GFP_DMA_BIT) != 0;
	const bool io = vm98_gfp_io(m->ops->gfp_family, mask);
	const int64_t P = m->P;
	struct hand h = {m->clock, (2 * P) >> (prio / 2), (2 * P) >> prio, 0};
	int ret = 0;
	for (int64_t pw = -1;;) {
		if (v91)
			skip_idle_91(m, &h);
		int64_t d = next_interesting(m, h.c);
		if (d >= h.count_max || d >= P) { /* budget runs out */
			h.visited += h.count_max;
			h.c = (h.c + h.count_max) % P;
			break;
		}
		h.visited += d + 1;
		h.count_max -= d + 1;
		h.count_min--;
		h.c += d; /* c, d < P: no division in this loop */
		if (h.c >= P)
			h.c -= P;
		if (h.c >> 6 != pw)
			prefetch_next_word(m, pw = h.c >> 6);
		if (!(v91 && (idle_91(m, h.c >> 6) >> (h.c & 63) & 1)) &&
		    visit_21(m, (int32_t)h.c, dma, io)) {
			ret = 1;
			break; /* the clock stays on the freed page */
		}
		if (++h.c == P)
			h.c = 0;
		if (h.count_max <= 0 || h.count_min <= 0)
			break;
	}
	m->clock = (int32_t)h.c;
	m->st.scanned += (uint64_t)h.visited;
	rc_cpu(m, h.visited * m->par.v[VP_CPU_SCAN_NS]);
	return ret;
}

/* 2.2.0 shrink_mmap (§6.1, §6.3): count = P >> priority, the clock
 * advances first, no ages.  Budget: the kernel charges only unlocked,
 * DMA-suitable count-1 pages; over the pages the hand jumps (anonymous,
 * slab, kernel and free pages) the model charges the allocated share
 * (1 − nr_free_pages/P) — an approximation. */
static int shrink_mmap_22(struct vm98 *m, int prio, int mask)
{
	const bool dma = (mask & GFP_DMA_BIT) != 0;
	int64_t P = m->P, count = P >> prio, visited = 0;
	int64_t c = m->clock;
	int ret = 0;
	double used = 1.0 - (double)m->nr_free_pages / (double)P;
	while (count > 0) {
		int64_t from = (c + 1) % P;
		int64_t d = next_interesting(m, from);
		int64_t cost = (int64_t)((double)d * used);
		if (cost >= count || d >= P) {
			int64_t span =
			    used > 0 ? (int64_t)((double)count / used) : P;
			if (span > P)
				span = P;
			visited += span;
			c = (c + span) % P;
			break;
		}
		count -= cost;
		visited += d + 1;
		c = (from + d) % P;
		int32_t pfn = (int32_t)c;
		struct page *pg = &m->mem_map[pfn];
		bool ref = pg->flags & PG_referenced;
		pg->flags &= (uint8_t)~PG_referenced;
		if (pg->kind == PK_BUFFER)
			buffers_touched(m, pfn),
			    ref |= (pg->flags & PG_referenced) != 0,
			    pg->flags &= (uint8_t)~PG_referenced;
		if ((pg->flags & PG_locked) || (dma && !(pg->flags & PG_DMA)) ||
		    pg->count != 1)
			continue;
		count--;
		if (pg->kind == PK_SWAPCACHE) {
			if (ref && m->swap_map[pg->slot] > 1)
				continue;
			drop_cache_page(m, pfn);
			ret = 1;
			break;
		}
		if (ref)
			continue;
		if (pg->kind == PK_BUFFER) {
			if (!quota_pct(m, m->nr_kind[PK_BUFFER], 2))
				continue;
			if (try_to_free_buffer(m, pfn)) {
				ret = 1;
				break;
			}
			continue;
		}
		if (!quota_pct(
			m, m->nr_kind[PK_CACHE] + m->nr_kind[PK_SWAPCACHE], 2))
			continue;
		drop_cache_page(m, pfn);
		ret = 1;
		break;
	}
	m->clock = (int32_t)c;
	m->st.scanned += (uint64_t)visited;
	rc_cpu(m, visited * m->par.v[VP_CPU_SCAN_NS]);
	return ret;
}

int shrink_mmap(struct vm98 *m, int prio, int mask)
{
	if (m->ops->shrink_kind == SHRINK_22)
		return shrink_mmap_22(m, prio, mask);
	return shrink_mmap_21(m, prio, mask);
}
