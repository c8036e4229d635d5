/*
 * buffer.c — the buffer cache (§8), fs/buffer.c: getblk hit or miss,
 * refill_freelist's grow-or-recycle rule (§8.2), grow_buffers and
 * try_to_free_buffer (§8.3), bdflush and the update daemon (§8.4);
 * blk_read / blk_write events.
 *
 * One block size (param block_size, ext2's 1 KB by default), so one free
 * list.  Buffers of a page have consecutive indices; 0..3 are the list
 * sentinels (CLEAN, LOCKED, DIRTY, FREE).  The model's buffers are never
 * held between events (count 0): getblk + brelse in one step.
 */
#include "vm98-internal.h"

#include <stdlib.h>

int vm98_buffer_init(struct vm98 *m)
{
	m->bsize = (int32_t)m->par.v[VP_BLOCK_SIZE];
	if (m->bsize < 512 || m->bsize > PAGE_SIZE ||
	    (m->bsize & (m->bsize - 1)))
		m->bsize = 1024;
	m->bpp = PAGE_SIZE / m->bsize;
	m->cap_bh = 4 + 64 * m->bpp;
	m->bh = calloc((size_t)m->cap_bh, sizeof(*m->bh));
	m->bh_group_stack = malloc(64 * sizeof(int32_t));
	if (!m->bh || !m->bh_group_stack || pairmap_init(&m->bhash, 1024) < 0)
		return -1;
	for (int i = 0; i < BUF_NLISTS; i++) {
		m->bh[i].next = m->bh[i].prev = i;
		m->bh[i].list = (uint8_t)i;
	}
	m->nbh = 4;
	m->next_update = -1;
	return 0;
}

void vm98_buffer_destroy(struct vm98 *m)
{
	free(m->bh);
	free(m->bh_group_stack);
	pairmap_destroy(&m->bhash);
}

static void bh_unlink(struct vm98 *m, int32_t i)
{
	struct vm98_bh *b = &m->bh[i];
	m->bh[b->prev].next = b->next;
	m->bh[b->next].prev = b->prev;
	m->nlist[b->list]--;
}

static void bh_append(struct vm98 *m, int list, int32_t i)
{
	struct vm98_bh *b = &m->bh[i];
	int32_t tail = m->bh[list].prev;
	b->prev = tail;
	b->next = list;
	m->bh[tail].next = i;
	m->bh[list].prev = i;
	b->list = (uint8_t)list;
	m->nlist[list]++;
}

static void bh_refile(struct vm98 *m, int32_t i, int list)
{
	bh_unlink(m, i);
	bh_append(m, list, i);
}

static void bh_unhash(struct vm98 *m, int32_t i)
{
	struct vm98_bh *b = &m->bh[i];
	if (b->state & BH_hashed)
		pairmap_del(&m->bhash, b->dev, b->blk);
	b->state = 0;
}

/* Buffers may use BUFFER_MEM / buffermem up to the version's max (§6.4). */
static bool may_grow(const struct vm98 *m)
{
	int64_t buf = m->nr_kind[PK_BUFFER];
	switch (m->ops->quota_kind) {
	case QUOTA_90: /* BUFFER_MEM < 90 % of P, integer-truncated */
		return buf + m->nr_kind[PK_CACHE] + m->nr_kind[PK_SWAPCACHE] <
		       90 * m->P / 100;
	case QUOTA_91: return buf * 100 < 30 * m->P;
	default: return true;
	}
}

/* grow_buffers(gfp) (§8.3): one page carved into bpp free buffers. */
static int grow_buffers(struct vm98 *m, int rp_gfp)
{
	int32_t pfn = vm98_get_free_pages(m, rp_gfp, 0);
	if (pfn < 0)
		return 0;
	int32_t b0;
	if (m->bh_free_groups > 0) {
		b0 = m->bh_group_stack[--m->bh_free_groups];
	} else {
		if (m->nbh + m->bpp > m->cap_bh) {
			int32_t cap = m->cap_bh * 2;
			struct vm98_bh *n =
			    realloc(m->bh, (size_t)cap * sizeof(*n));
			int32_t *st = realloc(m->bh_group_stack,
					      (size_t)(cap / m->bpp + 1) *
						  sizeof(int32_t));
			if (st)
				m->bh_group_stack = st;
			if (!n || !st) {
				if (n)
					m->bh = n;
				free_pages(m, pfn, 0);
				return 0;
			}
			m->bh = n;
			m->cap_bh = cap;
		}
		b0 = m->nbh;
		m->nbh += m->bpp;
	}
	for (int i = 0; i < m->bpp; i++) {
		struct vm98_bh *b = &m->bh[b0 + i];
		b->state = 0;
		b->pfn = pfn;
		bh_append(m, BUF_FREE, b0 + i);
	}
	page_set_kind(m, pfn, PK_BUFFER);
	m->mem_map[pfn].owner = b0;
	m->nr_buffers += m->bpp;
	m->st.bh_grow++;
	return 1;
}

/* try_to_free_buffer (§8.3): frees the page if every buffer on it is
 * clean and unlocked (count is always 0 here). */
int try_to_free_buffer(struct vm98 *m, int32_t pfn)
{
	int32_t b0 = m->mem_map[pfn].owner;
	for (int i = 0; i < m->bpp; i++)
		if (m->bh[b0 + i].state & (BH_dirty | BH_locked))
			return 0;
	for (int i = 0; i < m->bpp; i++) {
		bh_unlink(m, b0 + i);
		bh_unhash(m, b0 + i);
		m->bh[b0 + i].pfn = -1;
		m->bh[b0 + i].list = BUF_NLISTS;
	}
	m->bh_group_stack[m->bh_free_groups++] = b0;
	m->nr_buffers -= m->bpp;
	page_set_kind(m, pfn, PK_NONE);
	m->st.bh_free_pages++;
	page_free_reclaimed(m, pfn);
	return 1;
}

/* Starts the write of a dirty buffer (ll_rw_block WRITE).  The callers
 * (bdflush, update) stop when the 42 write slots are taken (§10.3): they
 * would sleep there; the model lets them go on at the next tick rather
 * than run the disk ahead of time. */
static void write_buffer(struct vm98 *m, int32_t i)
{
	struct vm98_bh *b = &m->bh[i];
	b->state = (uint8_t)((b->state & ~BH_dirty) | BH_locked);
	m->nr_dirty--;
	bh_refile(m, i, BUF_LOCKED);
	disk_submit(m, b->sector, m->bsize / 512, true, IO_BUF_WRITE, i);
	m->st.buf_written++;
	m->st.pages_written++; /* counted in blocks of block_size */
}

static bool slots_full(const struct vm98 *m)
{
	return m->writes_outstanding >= NR_WRITE_REQUEST;
}

void buffer_write_done(struct vm98 *m, int32_t i)
{
	struct vm98_bh *b = &m->bh[i];
	if (b->list >= BUF_NLISTS || !(b->state & BH_locked))
		return;
	b->state &= (uint8_t)~BH_locked;
	if (b->list == BUF_LOCKED)
		bh_refile(m, i, BUF_CLEAN);
}

static bool too_dirty(const struct vm98 *m)
{
	return m->nr_dirty * 100 > m->par.v[VP_NFRACT] * m->nr_buffers;
}

/* A bdflush round (§8.4): up to ndirty dirty buffers, then tq_disk;
 * again while it wrote something and dirty buffers stay above nfract.
 * When the write slots are full it stops and goes on at the next tick. */
void bdflush(struct vm98 *m)
{
	m->bdflush_wanted = false;
	for (int round = 0; round < 64; round++) {
		int64_t n = 0;
		m->st.bdflush_rounds++;
		for (int32_t i = m->bh[BUF_DIRTY].next;
		     i != BUF_DIRTY && n < m->par.v[VP_NDIRTY];) {
			int32_t next = m->bh[i].next;
			if (slots_full(m)) {
				m->bdflush_wanted = true;
				break;
			}
			if (!(m->bh[i].state & BH_locked)) {
				write_buffer(m, i);
				n++;
			}
			i = next;
		}
		run_task_queue(m, m->now);
		if (!n || !too_dirty(m) || m->bdflush_wanted)
			break;
	}
}

/* sync_old_buffers, run by the update daemon every update_period_s
 * (§8.4): every dirty buffer whose flush time has passed (continued at
 * the next ticks while the write slots are full). */
void sync_old_buffers(struct vm98 *m)
{
	m->st.update_rounds++;
	m->update_pending = false;
	for (int32_t i = m->bh[BUF_DIRTY].next; i != BUF_DIRTY;) {
		int32_t next = m->bh[i].next;
		if (slots_full(m)) {
			m->update_pending = true;
			break;
		}
		if (!(m->bh[i].state & BH_locked) &&
		    m->bh[i].flushtime <= m->now)
			write_buffer(m, i);
		i = next;
	}
	run_task_queue(m, m->now);
}

/* Recycles clean unused buffers from the oldest end of the LRU (§8.2
 * step 3); returns the bytes obtained. */
static int64_t recycle(struct vm98 *m, int64_t needed)
{
	int64_t got = 0;
	for (int32_t i = m->bh[BUF_CLEAN].next;
	     i != BUF_CLEAN && got < needed;) {
		int32_t next = m->bh[i].next;
		if (!(m->bh[i].state & (BH_dirty | BH_locked))) {
			bh_unhash(m, i);
			bh_refile(m, i, BUF_FREE);
			got += m->bsize;
			m->st.bh_recycle++;
		}
		i = next;
	}
	return got;
}

/* refill_freelist(size) (§8.2), 2.0.33 – 2.1.92: grow while free pages
 * exceed 2·min (and the quota allows), else recycle old clean buffers,
 * wake bdflush, grow to half the goal, wait, dip into the atomic
 * reserve.  2.2.0: grow with GFP_BUFFER, else wake bdflush, wait, yield.
 * The kernel loops until it has a buffer; the model gives up after a
 * few rounds (the getblk then fails, metric buffer.fail). */
static void refill_freelist(struct vm98 *m)
{
	const int64_t nrefill = m->par.v[VP_NREFILL];
	if (m->ops->quota_kind == QUOTA_22) {
		for (int k = 0; k < 4 && !m->nlist[BUF_FREE]; k++) {
			if (grow_buffers(m, RP_GFP_BUFFER))
				return;
			if (m->nr_dirty)
				bdflush(m);
			rc_wait(m, disk_wait_first(m, rc_now(m)));
			rc_cpu(m, 2 * m->par.v[VP_CTXSW_NS]);
			m->st.ctxsw += 2;
		}
		return;
	}
	int64_t needed = nrefill * m->bsize, got = 0;
	while (m->nr_free_pages > 2 * m->freepages.min && may_grow(m) &&
	       grow_buffers(m, RP_GFP_BUFFER)) /* (1) */
		if ((got += PAGE_SIZE) >= needed)
			return;
	int64_t quarter = (m->nlist[BUF_CLEAN] + m->nlist[BUF_LOCKED]) / 4;
	if (quarter < nrefill) /* (2) */
		needed = quarter * m->bsize > PAGE_SIZE ? quarter * m->bsize
							: PAGE_SIZE;
	for (int k = 0; k < 4; k++) {
		if ((got += recycle(m, needed - got)) >= needed) /* (3) */
			return;
		if (m->nr_dirty) /* (4) */
			m->bdflush_wanted = true;
		while (got < needed / 2 && /* (5) */
		       m->nr_free_pages > m->freepages.min + 5 && may_grow(m) &&
		       grow_buffers(m, RP_GFP_BUFFER))
			got += PAGE_SIZE;
		if (m->nlist[BUF_FREE]) /* (6) */
			return;
		if (m->nr_dirty) { /* (7) wake bdflush and wait a round */
			bdflush(m);
			rc_cpu(m, 2 * m->par.v[VP_CTXSW_NS]);
			m->st.ctxsw += 2;
		}
		if (m->nlist[BUF_LOCKED]) { /* (8) wait for a write */
			rc_wait(m, disk_wait_first(m, rc_now(m)));
			continue;
		}
		if (grow_buffers(m, RP_GFP_ATOMIC)) /* (9) */
			return;
		rc_cpu(m, 2 * m->par.v[VP_CTXSW_NS]); /* (10) schedule */
		m->st.ctxsw += 2;
	}
}

static int32_t *bh_hint(struct vm98 *m, int64_t dev, int64_t blk)
{
	uint64_t h =
	    (uint64_t)dev * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)blk;
	return &m->bh_hint[h & (VM98_HINTS - 1)];
}

/* The hashed buffer of (dev, blk), or -1.  A hint is right when its
 * buffer is hashed under that key (bh_unhash clears the state). */
static int32_t find_buffer(struct vm98 *m, int64_t dev, int64_t blk)
{
	int32_t *hint = bh_hint(m, dev, blk), i = *hint - 1;
	if (i >= BUF_NLISTS && i < m->nbh && (m->bh[i].state & BH_hashed) &&
	    m->bh[i].dev == dev && m->bh[i].blk == blk)
		return i;
	if ((i = pairmap_get(&m->bhash, dev, blk)) >= 0)
		*hint = i + 1;
	return i;
}

/* getblk(dev, block) (§8.2): a hit marks the buffer touched and moves a
 * clean one to the LRU tail; a miss takes a free buffer (refilling the
 * free list first).  *hit tells which; returns -1 if no buffer. */
static int32_t getblk(struct vm98 *m, int64_t dev, int64_t blk, int64_t sector,
		      bool meta, bool *hit)
{
	int32_t i = find_buffer(m, dev, blk);
	if (i >= 0) {
		*hit = true;
		m->st.bh_hit[meta]++;
		m->bh[i].state |= BH_touched;
		if (m->bh[i].list == BUF_CLEAN)
			bh_refile(m, i, BUF_CLEAN);
		return i;
	}
	*hit = false;
	m->st.bh_miss[meta]++;
	if (!m->nlist[BUF_FREE])
		refill_freelist(m);
	/* the refill may have reclaimed: look again */
	if ((i = find_buffer(m, dev, blk)) >= 0)
		return i;
	i = m->bh[BUF_FREE].next;
	if (i == BUF_FREE || pairmap_put(&m->bhash, dev, blk, i) < 0) {
		m->st.bh_fail++;
		return -1;
	}
	struct vm98_bh *b = &m->bh[i];
	b->dev = dev;
	b->blk = blk;
	b->sector = sector;
	b->state = BH_hashed | BH_touched | (meta ? BH_meta : 0);
	bh_refile(m, i, BUF_CLEAN);
	return i;
}

/* mark_buffer_dirty + brelse (§8.4): flush time min(existing, now +
 * age_super for metadata / age_buffer for data); wakes bdflush above
 * nfract. */
static void mark_dirty(struct vm98 *m, int32_t i, bool meta)
{
	struct vm98_bh *b = &m->bh[i];
	int64_t age = m->par.v[meta ? VP_AGE_SUPER : VP_AGE_BUFFER];
	int64_t t = m->now + age * VM98_TICK_NS;
	if (!(b->state & BH_dirty)) {
		b->state |= BH_dirty;
		b->flushtime = t;
		m->nr_dirty++;
		bh_refile(m, i, BUF_DIRTY);
	} else if (t < b->flushtime) {
		b->flushtime = t;
	}
	if (too_dirty(m))
		m->bdflush_wanted = true;
}

int buffer_write(struct vm98 *m, int64_t dev, int64_t blk, int64_t sector,
		 bool meta)
{
	bool hit;
	int32_t i = getblk(m, dev, blk, sector, meta, &hit);
	if (i < 0)
		return -1;
	mark_dirty(m, i, meta);
	return 0;
}

static int64_t dev_sector(int64_t dev)
{
	return (int64_t)((uint64_t)(dev & 0xFFFF) << 34);
}

/* blk_read / blk_write events: `count` 512-byte sectors from `block`,
 * flags bit 0 = metadata.  Reads of missing blocks go out together
 * (ll_rw_block) and the task waits for the last. */
int vm98_blk(struct vm98 *m, bool write, int64_t dev, int64_t block,
	     int64_t count, bool meta)
{
	int spb = m->bsize / 512, res = VM98_OK, reads = 0;
	if (count < 1)
		count = 1;
	if (block < 0)
		block = 0;
	int64_t first = block / spb, last = (block + count - 1) / spb;
	if (last - first > 4096)
		last = first + 4096;
	for (int64_t b = first; b <= last; b++) {
		int64_t sec = dev_sector(dev) + b * spb;
		if (write) {
			if (buffer_write(m, dev, b, sec, meta) < 0)
				res = VM98_FAILED;
			continue;
		}
		bool hit;
		int32_t i = getblk(m, dev, b, sec, meta, &hit);
		if (i < 0) {
			res = VM98_FAILED;
			continue;
		}
		if (!hit) {
			disk_submit(m, sec, spb, false, IO_NONE, i);
			reads++;
		}
	}
	if (reads)
		rc_wait(m, disk_wait_last(m, rc_now(m)));
	return res;
}
