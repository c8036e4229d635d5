/*
 * slab.c — the slab general caches of 2.1.88 – 2.2.0 (spec §7.1 – §7.3):
 * kmalloc size classes, objects served from cached slabs, kmem_cache_grow
 * with off-slab management and its retry counter, kmem_cache_free with the
 * slab-list fix-ups, and kmem_cache_reap for reclaim.
 *
 * Only object counts are modelled (which slab holds how many objects);
 * object addresses inside a slab are irrelevant to the buddy allocator.
 */
#include "vm98-internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const general_names[VM98_NR_GENERAL] = {
    "size-32",	  "size-64",	"size-128",   "size-256",  "size-512",
    "size-1024",  "size-2048",	"size-4096",  "size-8192", "size-16384",
    "size-32768", "size-65536", "size-131072"};

/* §7.1 derived table: page order per general cache ≥ 512 bytes
 * (2.1.89 – 2.1.92, and 2.2.0 above 32 MB), index = cache - 4. */
static const uint8_t order_21[9] = {0, 1, 2, 2, 2, 2, 3, 4, 5};
static const uint16_t num_21[9] = {8, 8, 8, 4, 2, 1, 1, 1, 1};
/* 2.2.0 at <= 32 MB (SLAB_BREAK_GFP_ORDER 1). */
static const uint8_t order_22s[9] = {0, 1, 1, 1, 1, 2, 3, 4, 5};
static const uint16_t num_22s[9] = {8, 8, 4, 2, 1, 1, 1, 1, 1};

static inline struct vm98_slab *S(struct vm98 *m, int32_t i)
{
	return &m->slabs[i];
}

/* list primitives on the slab array (sentinel = cache index) */
static void slab_unlink(struct vm98 *m, int32_t s)
{
	int32_t n = S(m, s)->next, p = S(m, s)->prev;
	S(m, p)->next = n;
	S(m, n)->prev = p;
}

static void slab_insert_before(struct vm98 *m, int32_t s, int32_t at)
{
	int32_t p = S(m, at)->prev;
	S(m, s)->next = at;
	S(m, s)->prev = p;
	S(m, p)->next = s;
	S(m, at)->prev = s;
}

static int kmalloc_index_of(int64_t size)
{
	int i = 0;
	for (int64_t cs = 32; i < VM98_NR_GENERAL; i++, cs <<= 1)
		if (size <= cs)
			return i;
	return -1;
}

/* kmalloc: the first general cache whose object size is >= size (§7.1). */
int kmalloc_cache_index(const struct vm98 *m, int64_t size)
{
	if (m->ops->slab_kind == VM98_KMALLOC_20)
		return km20_bucket(size);
	return kmalloc_index_of(size);
}

void vm98_slab_init(struct vm98 *m)
{
	bool small22 = m->ops->slab_kind == VM98_SLAB_22 && m->P <= 8192;
	int64_t mgmt = m->par.v[VP_SLAB_MGMT_BYTES];
	for (int i = 0; i < VM98_NR_CACHES; i++) {
		struct kmem_cache *c = &m->cache[i];
		memset(c, 0, sizeof(*c));
		c->mgmt_cache = c->bufctl_cache = -1;
		c->firstnotfull = i;
		if (i < VM98_NR_GENERAL) {
			c->name = general_names[i];
			c->objsize = 32 << i;
			if (i < 4) { /* on-slab management (GUESS packing) */
				c->order = 0;
				c->num =
				    (uint16_t)((PAGE_SIZE - mgmt) / c->objsize);
			} else {
				c->order = small22 ? order_22s[i - 4]
						   : order_21[i - 4];
				c->num =
				    small22 ? num_22s[i - 4] : num_21[i - 4];
				c->mgmt_cache = VM98_CACHE_SLAB;
				c->bufctl_cache =
				    (int8_t)kmalloc_index_of(4 * c->num);
			}
		} else if (i == VM98_CACHE_SLAB) {
			c->name = "slab_cache";
			c->objsize = (int32_t)mgmt;
			c->num = (uint16_t)(PAGE_SIZE / mgmt);
		} else {
			c->name = "skbuff_head_cache";
			int64_t sz = m->par.v[VP_SKB_HEAD_BYTES];
			c->objsize = (int32_t)(sz > 0 ? sz : 160);
			c->num = (uint16_t)((PAGE_SIZE - mgmt) / c->objsize);
		}
		if (c->num == 0)
			c->num = 1;
		struct vm98_slab *sent = &m->slabs[i];
		memset(sent, 0, sizeof(*sent));
		sent->next = sent->prev = i;
		sent->pfn = -1;
		sent->cache = (uint8_t)i;
	}
	m->nslabs = VM98_NR_CACHES;
	m->slab_free_list = -1;
}

void vm98_slab_destroy(struct vm98 *m)
{
	free(m->slabs);
	m->slabs = NULL;
}

static int32_t slab_desc_alloc(struct vm98 *m)
{
	int32_t s = m->slab_free_list;
	if (s >= 0) {
		m->slab_free_list = S(m, s)->next;
		return s;
	}
	if (m->nslabs == m->slabs_cap) {
		int32_t cap = m->slabs_cap * 2;
		struct vm98_slab *n =
		    realloc(m->slabs, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		m->slabs = n;
		m->slabs_cap = cap;
	}
	return m->nslabs++;
}

static void slab_desc_release(struct vm98 *m, int32_t s)
{
	S(m, s)->pfn = -1;
	S(m, s)->next = m->slab_free_list;
	m->slab_free_list = s;
}

static void slab_mark_pages(struct vm98 *m, int32_t pfn, int order, bool on)
{
	for (int32_t i = 0; i < (INT32_C(1) << order); i++) {
		if (on)
			m->mem_map[pfn + i].flags |= PG_slab;
		else
			m->mem_map[pfn + i].flags &= ~PG_slab;
	}
}

/* kmem_cache_grow (§7.2): one slab of 2^order pages with the caller's
 * flags, plus the off-slab descriptor and index array. 0 or -1. */
static int kmem_cache_grow_once(struct vm98 *m, int ci, int rp_gfp)
{
	struct kmem_cache *c = &m->cache[ci];
	struct vm98_handle mg = {0}, bc = {0};
	m->st.slab_grow++;
	int32_t pfn = vm98_get_free_pages(m, rp_gfp, c->order);
	if (pfn < 0)
		goto fail;
	if (c->mgmt_cache >= 0) {
		mg = kmem_cache_alloc(m, c->mgmt_cache, rp_gfp);
		if (mg.type == H_NONE)
			goto fail_pages;
	}
	if (c->bufctl_cache >= 0) {
		bc = kmem_cache_alloc(m, c->bufctl_cache, rp_gfp);
		if (bc.type == H_NONE)
			goto fail_mgmt;
	}
	int32_t s = slab_desc_alloc(m);
	if (s < 0)
		goto fail_bufctl;
	struct vm98_slab *sp = S(m, s);
	sp->pfn = pfn;
	sp->inuse = 0;
	sp->cache = (uint8_t)ci;
	sp->dma = (rp_gfp & RP_GFP_DMA) != 0;
	sp->mgmt = mg;
	sp->bufctl = bc;
	slab_mark_pages(m, pfn, c->order, true);
	slab_insert_before(m, s, ci); /* at the tail: completely free */
	if (c->firstnotfull == ci)
		c->firstnotfull = s;
	c->nr_slabs++;
	c->nr_free_slabs++;
	c->grown = true; /* §7.3: skipped once by the next reap scan */
	return 0;
fail_bufctl:
	if (bc.type != H_NONE)
		kmem_cache_free(m, bc);
fail_mgmt:
	if (mg.type != H_NONE)
		kmem_cache_free(m, mg);
fail_pages:
	free_pages(m, pfn, c->order);
fail:
	m->st.slab_grow_fail++;
	return -1;
}

static bool has_free_object(struct vm98 *m, int ci, bool dma)
{
	for (int32_t s = m->cache[ci].firstnotfull; s != ci; s = S(m, s)->next)
		if (!dma || S(m, s)->dma)
			return true;
	return false;
}

/* §7.2 retry rule: a non-atomic request for a cache of order > 0 retries
 * while the per-cache failure counter is below 4 and the cache still has
 * no free object; the counter is reset by a successful grow and set to 1
 * after giving up. */
static int kmem_cache_grow(struct vm98 *m, int ci, int rp_gfp)
{
	struct kmem_cache *c = &m->cache[ci];
	bool dma = (rp_gfp & RP_GFP_DMA) != 0;
	if (kmem_cache_grow_once(m, ci, rp_gfp) == 0) {
		c->failures = 0;
		return 0;
	}
	if ((rp_gfp & RP_GFP_CLASS_MASK) == RP_GFP_ATOMIC || c->order == 0)
		return -1;
	while (c->failures < 4 && !has_free_object(m, ci, dma)) {
		c->failures++;
		if (kmem_cache_grow_once(m, ci, rp_gfp) == 0) {
			c->failures = 0;
			return 0;
		}
	}
	c->failures = 1;
	return has_free_object(m, ci, dma) ? 0 : -1;
}

/* kmem_cache_alloc: an object from the first non-full slab (a DMA request
 * from the first non-full DMA slab); grow the cache when there is none. */
struct vm98_handle kmem_cache_alloc(struct vm98 *m, int ci, int rp_gfp)
{
	struct kmem_cache *c = &m->cache[ci];
	struct vm98_handle h = {0};
	bool dma = (rp_gfp & RP_GFP_DMA) != 0;
	int32_t s = c->firstnotfull;
	if (dma)
		while (s != ci && !S(m, s)->dma)
			s = S(m, s)->next;
	if (s == ci) {
		if (kmem_cache_grow(m, ci, rp_gfp) < 0)
			return h;
		s = c->firstnotfull;
		if (dma)
			while (s != ci && !S(m, s)->dma)
				s = S(m, s)->next;
		if (s == ci)
			return h;
	}
	struct vm98_slab *sp = S(m, s);
	if (sp->inuse++ == 0)
		c->nr_free_slabs--;
	c->objs_inuse++;
	if (sp->inuse == c->num) { /* now full: keep full slabs in front */
		if (s == c->firstnotfull) {
			c->firstnotfull = sp->next;
		} else {
			slab_unlink(m, s);
			slab_insert_before(m, s, c->firstnotfull);
		}
	}
	h.type = H_SLAB;
	h.order = c->order;
	h.aux = (uint16_t)ci;
	h.idx = s;
	return h;
}

/* kmem_cache_free: full → partial moves the slab in front of the first
 * non-full one; partial → empty moves it to the tail. */
void kmem_cache_free(struct vm98 *m, struct vm98_handle h)
{
	int32_t s = h.idx;
	struct vm98_slab *sp = S(m, s);
	struct kmem_cache *c = &m->cache[sp->cache];
	int ci = sp->cache;
	c->objs_inuse--;
	if (sp->inuse-- == c->num) {
		int32_t t = c->firstnotfull;
		c->firstnotfull = s;
		if (sp->inuse == 0)
			c->nr_free_slabs++;
		if (sp->next == t)
			return;
		slab_unlink(m, s);
		slab_insert_before(m, s, t);
		return;
	}
	if (sp->inuse == 0) {
		int32_t t = S(m, c->firstnotfull)->prev;
		c->nr_free_slabs++;
		slab_unlink(m, s);
		slab_insert_before(m, s, ci);
		if (c->firstnotfull == s)
			c->firstnotfull = S(m, t)->next;
	}
}

/* kmem_slab_destroy: the slab's pages go back to the buddy allocator. */
static void kmem_slab_destroy(struct vm98 *m, int32_t s)
{
	struct vm98_slab *sp = S(m, s);
	int ci = sp->cache;
	struct kmem_cache *c = &m->cache[ci];
	struct vm98_handle mg = sp->mgmt, bc = sp->bufctl;
	int32_t pfn = sp->pfn;
	if (c->firstnotfull == s)
		c->firstnotfull = sp->next;
	slab_unlink(m, s);
	slab_desc_release(m, s);
	c->nr_slabs--;
	c->nr_free_slabs--;
	m->st.slab_destroy++;
	slab_mark_pages(m, pfn, c->order, false);
	free_pages(m, pfn, c->order);
	if (bc.type != H_NONE)
		kmem_cache_free(m, bc);
	if (mg.type != H_NONE)
		kmem_cache_free(m, mg);
}

static int count_free_slabs(struct vm98 *m, int ci, bool dma)
{
	if (!dma)
		return m->cache[ci].nr_free_slabs;
	int n = 0;
	for (int32_t s = S(m, ci)->prev; s != ci && S(m, s)->inuse == 0;
	     s = S(m, s)->prev)
		n += S(m, s)->dma;
	return n;
}

/* kmem_cache_reap (§7.3): scan up to 10 caches from the rotating clock,
 * skipping (once) caches that grew since the last scan; take the first
 * with >= 10 free slabs, else the one with the most; destroy one free slab
 * (2.1.88 – 2.1.89) or all of them (2.1.90pre1 – 2.2.0).  Returns pages. */
int kmem_cache_reap(struct vm98 *m, int rp_gfp)
{
	bool dma = (rp_gfp & RP_GFP_DMA) != 0;
	int best = -1, best_free = 0, n;
	if (m->ops->slab_kind == VM98_KMALLOC_20)
		return 0;
	for (n = 0; n < 10 && n < VM98_NR_CACHES; n++) {
		int ci = (m->reap_clock + n) % VM98_NR_CACHES;
		struct kmem_cache *c = &m->cache[ci];
		if (c->grown) {
			c->grown = false;
			continue;
		}
		int f = count_free_slabs(m, ci, dma);
		if (f >= 10) {
			best = ci;
			n++;
			break;
		}
		if (f > best_free) {
			best_free = f;
			best = ci;
		}
	}
	m->reap_clock = (m->reap_clock + n) % VM98_NR_CACHES;
	if (best < 0)
		return 0;
	int pages = 0;
	struct kmem_cache *c = &m->cache[best];
	for (;;) {
		int32_t s = S(m, best)->prev;
		if (s == best || S(m, s)->inuse != 0)
			break;
		pages += 1 << c->order;
		kmem_slab_destroy(m, s);
		if (!m->ops->reap_all)
			break;
	}
	return pages;
}

struct vm98_handle vm98_kmalloc(struct vm98 *m, int64_t size, int rp_gfp)
{
	struct vm98_handle h = {0};
	m->st.kmalloc++;
	if (m->ops->slab_kind == VM98_KMALLOC_20) {
		h = km20_kmalloc(m, size, rp_gfp);
	} else {
		int ci = kmalloc_index_of(size);
		if (ci < 0)
			m->st.kmalloc_too_big++;
		else
			h = kmem_cache_alloc(m, ci, rp_gfp);
	}
	if (h.type == H_NONE)
		m->st.kmalloc_fail++;
	return h;
}

void vm98_kfree(struct vm98 *m, struct vm98_handle h)
{
	m->st.kfree++;
	if (h.type == H_SLAB)
		kmem_cache_free(m, h);
	else if (h.type == H_KM20)
		km20_kfree(m, h);
}
