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
	if (check_slabs(&c) || check_km20(&c))
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
