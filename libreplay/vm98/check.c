/*
 * check.c — vm98_check: the invariants of the buddy allocator (§3.1 –
 * §3.5) and of everything that holds pages.  Every page must be exactly
 * one of: on a free list (inside a block of the list's order), reserved,
 * or held (page_alloc object, slab, 2.0.33 kmalloc area or parked area,
 * a page lost by the §7.4 quirk, an untracked allocation).  Free lists
 * must be well linked, aligned, and agree with nr_blocks, nr_free_pages
 * and the pair bitmaps of orders 0–4 (the order-5 map has no meaning,
 * §3.2).  Slab lists must keep full slabs before firstnotfull.
 */
#include "vm98-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

enum { OWN_NONE, OWN_FREE, OWN_RESERVED, OWN_HELD };
static const char *const own_names[] = {"nothing", "a free block", "reserved",
					"held"};

struct ck {
	const struct vm98 *m;
	uint8_t *own;
	char *buf;
	size_t n;
};

__attribute__((format(printf, 2, 3))) static int fail(struct ck *c,
						      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (c->n)
		vsnprintf(c->buf, c->n, fmt, ap);
	va_end(ap);
	return 1;
}

static int claim(struct ck *c, int64_t pfn, int order, int what,
		 const char *who)
{
	if (pfn < 0 || pfn + (INT64_C(1) << order) > c->m->P)
		return fail(c, "%s: block %lld order %d outside memory", who,
			    (long long)pfn, order);
	for (int64_t p = pfn; p < pfn + (INT64_C(1) << order); p++) {
		if (c->own[p] != OWN_NONE)
			return fail(c,
				    "page %lld is %s and also %s (%s, block "
				    "%lld order %d)",
				    (long long)p, own_names[c->own[p]],
				    own_names[what], who, (long long)pfn,
				    order);
		c->own[p] = (uint8_t)what;
	}
	return 0;
}

static int check_free_lists(struct ck *c)
{
	const struct vm98 *m = c->m;
	const struct page *mm = m->mem_map;
	int64_t pages = 0, heads = 0;
	for (int k = 0; k < NR_MEM_LISTS; k++) {
		int32_t h = (int32_t)m->P + k, prev = h;
		int64_t n = 0;
		for (int32_t p = mm[h].next; p != h; prev = p, p = mm[p].next) {
			if (p < 0 || p >= m->P)
				return fail(c, "free_area[%d]: bad link %d", k,
					    p);
			if (mm[p].prev != prev)
				return fail(c,
					    "free_area[%d]: page %d prev %d, "
					    "expected %d",
					    k, p, mm[p].prev, prev);
			if (p & ((1 << k) - 1))
				return fail(c,
					    "free_area[%d]: block %d not "
					    "aligned",
					    k, p);
			if (mm[p].free_order != k)
				return fail(c,
					    "free_area[%d]: block %d marked "
					    "order %d",
					    k, p, mm[p].free_order);
			for (int i = 0; i < (1 << k); i++)
				if (mm[p + i].flags & PG_reserved)
					return fail(c,
						    "free_area[%d]: block %d "
						    "has reserved page %d",
						    k, p, p + i);
			if (claim(c, p, k, OWN_FREE, "free list"))
				return 1;
			if (++n > m->P)
				return fail(c, "free_area[%d]: loop", k);
		}
		if (mm[h].prev != prev)
			return fail(c, "free_area[%d]: head prev %d, tail %d",
				    k, mm[h].prev, prev);
		if (n != m->free_area[k].nr_blocks)
			return fail(c,
				    "free_area[%d]: %lld blocks on the list, "
				    "nr_blocks %d",
				    k, (long long)n, m->free_area[k].nr_blocks);
		pages += n << k;
		heads += n;
	}
	if (pages != m->nr_free_pages)
		return fail(c, "nr_free_pages %lld, free lists hold %lld",
			    (long long)m->nr_free_pages, (long long)pages);
	int64_t marked = 0;
	for (int64_t p = 0; p < m->P; p++)
		marked += mm[p].free_order >= 0;
	if (marked != heads)
		return fail(c,
			    "%lld pages marked as free-block heads, %lld "
			    "blocks on the lists",
			    (long long)marked, (long long)heads);
	/* pair bitmaps, orders 0..4 (§3.2) */
	for (int k = 0; k < NR_MEM_LISTS - 1; k++) {
		const uint64_t *map = m->free_area[k].map;
		for (int64_t i = 0; (i << (k + 1)) < m->P; i++) {
			int64_t l = i << (k + 1), r = l + (1 << k);
			int lf = mm[l].free_order == k;
			int rf = r < m->P && mm[r].free_order == k;
			int bit = (int)((map[i >> 6] >> (i & 63)) & 1);
			if (bit != (lf ^ rf))
				return fail(c,
					    "free_area[%d].map bit %lld is %d, "
					    "buddies %lld/%lld free %d/%d",
					    k, (long long)i, bit, (long long)l,
					    (long long)r, lf, rf);
		}
	}
	return 0;
}

static int check_slabs(struct ck *c)
{
	const struct vm98 *m = c->m;
	for (int ci = 0; ci < VM98_NR_CACHES; ci++) {
		const struct kmem_cache *kc = &m->cache[ci];
		int32_t n = 0, nfree = 0;
		uint64_t objs = 0;
		bool seen_notfull = false, seen_fnf = kc->firstnotfull == ci;
		for (int32_t s = m->slabs[ci].next; s != ci;
		     s = m->slabs[s].next) {
			const struct vm98_slab *sp = &m->slabs[s];
			if (sp->cache != ci || sp->pfn < 0)
				return fail(c, "%s: bad slab %d", kc->name, s);
			if (sp->inuse > kc->num)
				return fail(c, "%s: slab %d inuse %d > %d",
					    kc->name, s, sp->inuse, kc->num);
			if (s == kc->firstnotfull)
				seen_fnf = seen_notfull = true;
			if (!seen_notfull && sp->inuse != kc->num)
				return fail(c,
					    "%s: slab %d not full before "
					    "firstnotfull",
					    kc->name, s);
			if (seen_notfull && sp->inuse == kc->num)
				return fail(c,
					    "%s: full slab %d after "
					    "firstnotfull",
					    kc->name, s);
			for (int i = 0; i < (1 << kc->order); i++)
				if (!(m->mem_map[sp->pfn + i].flags & PG_slab))
					return fail(c,
						    "%s: slab page %d not "
						    "PG_slab",
						    kc->name, sp->pfn + i);
			if (claim(c, sp->pfn, kc->order, OWN_HELD, kc->name))
				return 1;
			n++;
			nfree += sp->inuse == 0;
			objs += sp->inuse;
			if (n > m->nslabs)
				return fail(c, "%s: slab list loop", kc->name);
		}
		if (!seen_fnf)
			return fail(c, "%s: firstnotfull %d not on the list",
				    kc->name, kc->firstnotfull);
		if (n != kc->nr_slabs || nfree != kc->nr_free_slabs ||
		    objs != kc->objs_inuse)
			return fail(c,
				    "%s: %d slabs/%d free/%llu objects, "
				    "counters say %d/%d/%llu",
				    kc->name, n, nfree,
				    (unsigned long long)objs, kc->nr_slabs,
				    kc->nr_free_slabs,
				    (unsigned long long)kc->objs_inuse);
	}
	return 0;
}

static int check_km20(struct ck *c)
{
	const struct vm98 *m = c->m;
	for (int32_t a = 2 * KM20_NR_BUCKETS; a < m->nareas; a++) {
		const struct km20_area *ap = &m->areas[a];
		if (ap->pfn < 0)
			continue;
		if (ap->nfree >= ap->nblocks)
			return fail(c, "kmalloc area %d: all blocks free", a);
		if (claim(c, ap->pfn, ap->order, OWN_HELD, "kmalloc area"))
			return 1;
	}
	for (int o = 0; o < 3; o++)
		if (m->parked[o] >= 0 &&
		    claim(c, m->parked[o], o, OWN_HELD, "parked kmalloc area"))
			return 1;
	return 0;
}

/* The reclaim side (§5 – §10): cache, buffer, anonymous, swap-cache and
 * swap-I/O pages and their indexes, tasks' ptes, swap slot references,
 * buffer lists. */
/* shrink_mmap_21's skip bitmaps (filemap.c): bufmap is exactly the buffer
 * pages; a quietmap page is a cache page a visit left idle (unreferenced,
 * age 0, count 1) and untouched since. */
static int check_skip_maps(struct ck *c, int64_t p)
{
	const struct vm98 *m = c->m;
	const struct page *pg = &m->mem_map[p];
	uint64_t bit = UINT64_C(1) << (p & 63);
	bool buf = m->bufmap[p >> 6] & bit, quiet = m->quietmap[p >> 6] & bit;
	if (buf != (pg->kind == PK_BUFFER))
		return fail(c, "page %lld: buffer bit %d, kind %d",
			    (long long)p, buf, pg->kind);
	if (quiet &&
	    !((pg->kind == PK_CACHE || pg->kind == PK_SWAPCACHE) &&
	      !(pg->flags & PG_referenced) && pg->age == 0 && pg->count == 1))
		return fail(c,
			    "page %lld: quiet but kind %d, referenced %d, "
			    "age %d, count %d",
			    (long long)p, pg->kind,
			    (pg->flags & PG_referenced) != 0, pg->age,
			    pg->count);
	return 0;
}

static int check_reclaim(struct ck *c)
{
	const struct vm98 *m = c->m;
	const struct page *mm = m->mem_map;
	static const char *const kn[PK_COUNT] = {
	    "",		 "page-cache page", "buffer page",
	    "anon page", "swap-cache page", "swap-I/O page"};
	int64_t nk[PK_COUNT] = {0}, locked = 0;
	for (int64_t p = 0; p < m->P; p++) {
		const struct page *pg = &mm[p];
		int k = pg->kind;
		bool bit = (m->scanmap[p >> 6] >> (p & 63)) & 1;
		if (k >= PK_COUNT)
			return fail(c, "page %lld: bad kind %d", (long long)p,
				    k);
		if (bit !=
		    (k == PK_CACHE || k == PK_BUFFER || k == PK_SWAPCACHE))
			return fail(c, "page %lld: scan bit %d, kind %d",
				    (long long)p, bit, k);
		if (check_skip_maps(c, p))
			return 1;
		if (pg->flags & PG_locked)
			locked++;
		if (k == PK_NONE)
			continue;
		nk[k]++;
		if (claim(c, p, 0, OWN_HELD, kn[k]))
			return 1;
		int want = k == PK_SWAPCACHE && pg->owner >= 0 ? 2 : 1;
		if (pg->count != want)
			return fail(c, "%s %lld: count %d, want %d", kn[k],
				    (long long)p, pg->count, want);
		if ((pg->flags & PG_locked) && k != PK_SWAPIO &&
		    k != PK_SWAPCACHE)
			return fail(c, "%s %lld locked", kn[k], (long long)p);
		if (k == PK_CACHE &&
		    pairmap_get(&m->pcache, pg->file, pg->off) != p)
			return fail(c, "page-cache page %lld not hashed",
				    (long long)p);
		if (k == PK_SWAPCACHE &&
		    (pg->slot <= 0 || pg->slot >= m->nr_swap_slots ||
		     m->swap_cache[pg->slot] != p))
			return fail(c, "swap-cache page %lld: slot %d",
				    (long long)p, pg->slot);
		if (k == PK_ANON || (k == PK_SWAPCACHE && pg->owner >= 0)) {
			if (pg->owner < 0 || pg->owner >= m->ntasks ||
			    pg->pte < 0 || pg->pte >= m->tasks[pg->owner].npte)
				return fail(c, "%s %lld: owner %d pte %d",
					    kn[k], (long long)p, pg->owner,
					    pg->pte);
			const struct vm98_pte *pte =
			    &m->tasks[pg->owner].pte[pg->pte];
			if (pte->state != PTE_PRESENT || pte->val != p)
				return fail(c,
					    "%s %lld: its pte does not map it",
					    kn[k], (long long)p);
		}
		if (k == PK_BUFFER) {
			int32_t b0 = pg->owner;
			if (b0 < BUF_NLISTS || b0 + m->bpp > m->nbh)
				return fail(c, "buffer page %lld: bh %d",
					    (long long)p, b0);
			for (int i = 0; i < m->bpp; i++)
				if (m->bh[b0 + i].pfn != p)
					return fail(c,
						    "buffer page %lld: bh %d "
						    "on page %d",
						    (long long)p, b0 + i,
						    m->bh[b0 + i].pfn);
		}
	}
	for (int k = 1; k < PK_COUNT; k++)
		if (nk[k] != m->nr_kind[k])
			return fail(c, "%lld %ss, counter says %lld",
				    (long long)nk[k], kn[k],
				    (long long)m->nr_kind[k]);
	if (locked != m->nr_async_pages)
		return fail(c, "%lld locked pages, nr_async_pages %lld",
			    (long long)locked, (long long)m->nr_async_pages);
	if (m->pcache.used != (uint32_t)nk[PK_CACHE])
		return fail(c, "page-cache hash holds %u, %lld cache pages",
			    m->pcache.used, (long long)nk[PK_CACHE]);
	/* tasks and swap references */
	int64_t nslots = m->nr_swap_slots;
	uint32_t *refs = calloc((size_t)nslots + 1, sizeof(uint32_t));
	if (!refs)
		return fail(c, "out of memory");
	int r = 0;
	uint32_t nptes = 0;
	for (int32_t t = 0; t < m->ntasks && !r; t++) {
		const struct vm98_task *T = &m->tasks[t];
		int64_t rss = 0;
		nptes += (uint32_t)T->npte;
		for (int32_t i = 0; i < T->npte && !r; i++) {
			const struct vm98_pte *pte = &T->pte[i];
			if (pairmap_get(&m->ptemap, t, pte->vpage) != i)
				r = fail(c, "task %lld pte %d not indexed",
					 (long long)T->id, i);
			else if (pte->state == PTE_PRESENT) {
				const struct page *pg = &mm[pte->val];
				rss++;
				if ((pg->kind != PK_ANON &&
				     pg->kind != PK_SWAPCACHE) ||
				    pg->owner != t || pg->pte != i)
					r = fail(c,
						 "task %lld pte %d maps page "
						 "%d of kind %d",
						 (long long)T->id, i, pte->val,
						 pg->kind);
			} else if (pte->state == PTE_SWAP) {
				if (pte->val <= 0 || pte->val >= nslots)
					r = fail(c, "task %lld: swap entry %d",
						 (long long)T->id, pte->val);
				else
					refs[pte->val]++;
			}
		}
		if (!r && rss != T->rss)
			r = fail(c, "task %lld: rss %lld, %lld ptes present",
				 (long long)T->id, (long long)T->rss,
				 (long long)rss);
	}
	if (!r && nptes != m->ptemap.used)
		r = fail(c, "%u ptes, pte index holds %u", nptes,
			 m->ptemap.used);
	int64_t nfree = 0;
	for (int64_t e = 1; e < nslots && !r; e++) {
		int32_t pfn = m->swap_cache[e];
		if (pfn >= 0) {
			refs[e]++;
			if (mm[pfn].kind != PK_SWAPCACHE || mm[pfn].slot != e)
				r = fail(c,
					 "swap cache %lld → page %d (kind %d)",
					 (long long)e, pfn, mm[pfn].kind);
		}
		if (!r && refs[e] != m->swap_map[e])
			r = fail(c, "swap slot %lld: %u references, map %u",
				 (long long)e, refs[e], m->swap_map[e]);
		nfree += !m->swap_map[e];
	}
	free(refs);
	if (r)
		return 1;
	if (nslots > 1 && nfree != m->nr_swap_pages)
		return fail(c, "%lld free swap slots, nr_swap_pages %lld",
			    (long long)nfree, (long long)m->nr_swap_pages);
	/* buffer lists */
	int64_t nb = 0, ndirty = 0;
	for (int l = 0; l < BUF_NLISTS; l++) {
		int64_t cnt = 0;
		for (int32_t i = m->bh[l].next, prev = l; i != l;
		     prev = i, i = m->bh[i].next) {
			const struct vm98_bh *b = &m->bh[i];
			if (i < BUF_NLISTS || i >= m->nbh || b->prev != prev ||
			    b->list != l || ++cnt > m->nbh)
				return fail(c, "buffer list %d broken at %d", l,
					    i);
			bool dirty = b->state & BH_dirty;
			bool lck = b->state & BH_locked;
			if ((l == BUF_DIRTY) != dirty ||
			    (l == BUF_LOCKED && !lck) ||
			    (l == BUF_CLEAN && lck) ||
			    (l == BUF_FREE && b->state))
				return fail(c, "buffer %d on list %d, state %x",
					    i, l, b->state);
			if ((b->state & BH_hashed) !=
			    (pairmap_get(&m->bhash, b->dev, b->blk) == i
				 ? BH_hashed
				 : 0))
				return fail(c, "buffer %d: hash mismatch", i);
			if (b->pfn < 0 || mm[b->pfn].kind != PK_BUFFER)
				return fail(c, "buffer %d on page %d", i,
					    b->pfn);
			ndirty += dirty;
		}
		if (cnt != m->nlist[l])
			return fail(c, "buffer list %d: %lld, counter %lld", l,
				    (long long)cnt, (long long)m->nlist[l]);
		nb += cnt;
	}
	if (nb != m->nr_buffers || nb != nk[PK_BUFFER] * m->bpp ||
	    ndirty != m->nr_dirty)
		return fail(c,
			    "%lld buffers (%lld dirty), counters %lld (%lld)",
			    (long long)nb, (long long)ndirty,
			    (long long)m->nr_buffers, (long long)m->nr_dirty);
	return 0;
}

int vm98_check(const struct vm98 *m, char *buf, size_t n)
{
	struct ck c = {m, calloc((size_t)m->P, 1), buf, n};
	int r = 1;
	if (!c.own) {
		fail(&c, "out of memory");
		return 1;
	}
	if (check_free_lists(&c))
		goto out;
	for (int64_t p = 0; p < m->P; p++) {
		uint8_t f = m->mem_map[p].flags;
		if ((f & PG_reserved) && claim(&c, p, 0, OWN_RESERVED, "boot"))
			goto out;
		if ((f & (PG_leaked | PG_untracked)) &&
		    claim(&c, p, 0, OWN_HELD, "leaked/untracked page"))
			goto out;
		if (((f & PG_DMA) != 0) != (p < MAX_DMA_PFN)) {
			fail(&c, "page %lld: PG_DMA wrong", (long long)p);
			goto out;
		}
	}
	for (uint32_t i = 0; i <= m->objs.mask; i++) {
		const struct objmap_slot *s = &m->objs.slot[i];
		if (s->h.type == H_PAGES &&
		    claim(&c, s->h.idx, s->h.order, OWN_HELD, "page_alloc obj"))
			goto out;
		if (s->h.type == H_KM20 && m->areas[s->h.idx].pfn < 0) {
			fail(&c, "obj %lld: dead kmalloc area %d",
			     (long long)s->key, s->h.idx);
			goto out;
		}
		if (s->h.type == H_SLAB && m->slabs[s->h.idx].pfn < 0) {
			fail(&c, "obj %lld: dead slab %d", (long long)s->key,
			     s->h.idx);
			goto out;
		}
	}
	for (uint32_t i = 0; i < m->slots.cap; i++) {
		const struct vm98_handle *h = &m->slots.h[i];
		if (h->type == H_PAGES &&
		    claim(&c, h->idx, h->order, OWN_HELD, "page_alloc obj"))
			goto out;
		if (h->type == H_KM20 && m->areas[h->idx].pfn < 0) {
			fail(&c, "obj slot %u: dead kmalloc area %d", i,
			     h->idx);
			goto out;
		}
		if (h->type == H_SLAB && m->slabs[h->idx].pfn < 0) {
			fail(&c, "obj slot %u: dead slab %d", i, h->idx);
			goto out;
		}
	}
	if (check_slabs(&c) || check_km20(&c) || check_reclaim(&c))
		goto out;
	for (int64_t p = 0; p < m->P; p++)
		if (c.own[p] == OWN_NONE) {
			fail(&c,
			     "page %lld is lost: not free, reserved or held",
			     (long long)p);
			goto out;
		}
	if (m->free_min > m->nr_free_pages) {
		fail(&c, "nr_free_pages_min %lld > nr_free_pages %lld",
		     (long long)m->free_min, (long long)m->nr_free_pages);
		goto out;
	}
	r = 0;
	if (n)
		buf[0] = 0;
out:
	free(c.own);
	return r;
}
