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

#define L1_CACHE_BYTES	       32 /* i386, 32-byte lines (§7.1 derived table) */
#define SLAB_ALIGN_SIZE	       32 /* L1-aligned sizeof(kmem_slab_t) on i386 */
#define BUFCTL_BYTES	       4  /* one kmem_bufctl_t per object */
#define BUFCTL_LIMIT	       64 /* size-256 / 4: the off-slab bufctl ceiling */
#define SLAB_MAX_GFP_ORDER     5
#define SLAB_MIN_OBJS_PER_SLAB 4

/* The slab shape kmem_cache_create picks (§7.1), for an L1-aligned cache:
 * management and bufctls on the slab below 512 bytes; above, management
 * off-slab and, for page multiples and 512/1024/2048, the bufctls too;
 * then the smallest order that fits at least one object, is not below
 * break_order while <= 4 objects fit, and leaves <= 32 bytes or wastes
 * <= 1/8 of the slab (never above order 5, never more than BUFCTL_LIMIT
 * objects with off-slab bufctls); finally off-slab management moves back
 * on the slab if it fits in the left-over. */
static void slab_shape(int64_t objsize, int break_order, struct kmem_cache *c)
{
	int64_t size = (objsize + 3) & ~INT64_C(3), extra = BUFCTL_BYTES;
	bool off_mgmt = false, off_bufctl = false;
	if (size >= PAGE_SIZE / 8) {
		off_mgmt = true;
		if (!(size % PAGE_SIZE) || size == PAGE_SIZE / 2 ||
		    size == PAGE_SIZE / 4 || size == PAGE_SIZE / 8) {
			off_bufctl = true;
			extra = 0;
		}
	}
	size += extra;
	if (size > L1_CACHE_BYTES / 2) {
		size = (size + L1_CACHE_BYTES - 1) &
		       ~(int64_t)(L1_CACHE_BYTES - 1);
	} else { /* several per line, each line aligned */
		int64_t per = L1_CACHE_BYTES / size;
		int64_t left = L1_CACHE_BYTES - per * size;
		if (left) {
			if (left % per) {
				per--;
				left += size;
			}
			size += left / per;
		}
	}
	int order = 0;
	int64_t num = 0, left_over = 0;
	bool stepped_back = false;
	for (;;) {
		int64_t mgmt = off_mgmt ? 0 : SLAB_ALIGN_SIZE;
		int64_t avail = (PAGE_SIZE << order) - mgmt;
		num = avail / size;
		left_over = avail - num * size;
		int64_t waste = left_over + mgmt + extra * num;
		if (num == 0) {
			order++;
			continue;
		}
		if (stepped_back)
			break;
		if (off_bufctl && num > BUFCTL_LIMIT) {
			order--;
			stepped_back = true;
			continue;
		}
		if (order == SLAB_MAX_GFP_ORDER)
			break;
		if (num <= SLAB_MIN_OBJS_PER_SLAB && order < break_order) {
			order++;
			continue;
		}
		if (left_over <= SLAB_ALIGN_SIZE ||
		    waste * 8 <= (PAGE_SIZE << order))
			break;
		order++;
	}
	if (off_mgmt && !off_bufctl && left_over >= SLAB_ALIGN_SIZE)
		off_mgmt = false;
	c->objsize = (int32_t)objsize;
	c->order = (uint8_t)order;
	c->num = (uint16_t)num;
	c->mgmt_cache = off_mgmt ? VM98_CACHE_SLAB : -1;
	c->bufctl_cache = off_bufctl ? (int8_t)-2 : -1; /* resolved later */
}

/* The cache chain as kmem_cache_reap walks it: caches are linked in after
 * the cache of caches, so the newest come first (§7.3). */
static const int8_t reap_chain[VM98_NR_CACHES] = {
    VM98_CACHE_SKBUFF, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    VM98_CACHE_SLAB};

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

/* The first general cache (32 << i bytes) that holds size: the index of
 * the highest bit of size - 1, less 4; -1 beyond size-131072. */
static int kmalloc_index_of(int64_t size)
{
	if (size <= 32)
		return 0;
	int i = 64 - __builtin_clzll((uint64_t)(size - 1)) - 5;
	return i < VM98_NR_GENERAL ? i : -1;
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
	/* SLAB_BREAK_GFP_ORDER: 2 in 2.1.89 – 2.1.92; 2.2.0: 1 at <= 32 MB */
	int brk = m->ops->slab_kind == VM98_SLAB_22 && m->P <= 8192 ? 1 : 2;
	for (int i = 0; i < VM98_NR_CACHES; i++) {
		struct kmem_cache *c = &m->cache[i];
		memset(c, 0, sizeof(*c));
		c->firstnotfull = i;
		if (i < VM98_NR_GENERAL) {
			c->name = general_names[i];
			slab_shape(32 << i, brk, c);
		} else if (i == VM98_CACHE_SLAB) {
			c->name = "slab_cache";
			slab_shape(m->par.v[VP_SLAB_MGMT_BYTES], brk, c);
		} else {
			c->name = "skbuff_head_cache";
			int64_t sz = m->par.v[VP_SKB_HEAD_BYTES];
			slab_shape(sz > 0 ? sz : 160, brk, c);
		}
		if (c->bufctl_cache == -2)
			c->bufctl_cache =
			    (int8_t)kmalloc_index_of(BUFCTL_BYTES * c->num);
		struct vm98_slab *sent = &m->slabs[i];
		memset(sent, 0, sizeof(*sent));
		sent->next = sent->prev = i;
		sent->pfn = -1;
		sent->cache = (uint8_t)i;
	}
	m->nslabs = VM98_NR_CACHES;
	m->slab_free_list = -1;
	m->reap_clock = 0;
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
	/* kmem_getpages: a DMA request, or every page below 16 MB */
	sp->dma = (rp_gfp & RP_GFP_DMA) != 0 || pfn < (int32_t)MAX_DMA_PFN;
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

/* A DMA request whose first non-full slab is not DMA takes the next DMA
 * slab with room after it and moves it in front, as the new firstnotfull
 * (kmem_cache_search_dma).  Returns the cache index if there is none. */
static int32_t search_dma(struct vm98 *m, int ci)
{
	struct kmem_cache *c = &m->cache[ci];
	int32_t s = c->firstnotfull;
	if (s == ci || S(m, s)->dma)
		return s;
	for (s = S(m, s)->next; s != ci; s = S(m, s)->next) {
		if (!S(m, s)->dma)
			continue;
		slab_unlink(m, s);
		slab_insert_before(m, s, c->firstnotfull);
		c->firstnotfull = s;
		break;
	}
	return s;
}

/* kmem_cache_alloc: an object from the first non-full slab (a DMA request:
 * see search_dma); when there is none the cache grows by one slab. */
/* The slab to allocate from after growing the cache (the slow path, kept
 * out of line so that the common case stays short); ci if none. */
static __attribute__((noinline)) int32_t grow_and_search(struct vm98 *m, int ci,
							 int rp_gfp)
{
	if (kmem_cache_grow(m, ci, rp_gfp) < 0)
		return ci;
	return (rp_gfp & RP_GFP_DMA) ? search_dma(m, ci)
				     : m->cache[ci].firstnotfull;
}

struct vm98_handle kmem_cache_alloc(struct vm98 *m, int ci, int rp_gfp)
{
	struct kmem_cache *c = &m->cache[ci];
	struct vm98_handle h = {0};
	bool dma = (rp_gfp & RP_GFP_DMA) != 0;
	int32_t s = dma ? search_dma(m, ci) : c->firstnotfull;
	if (s == ci && (s = grow_and_search(m, ci, rp_gfp)) == ci)
		return h;
	struct vm98_slab *sp = S(m, s);
	if (sp->inuse++ == 0)
		c->nr_free_slabs--;
	c->objs_inuse++;
	if (sp->inuse == c->num) /* now full: firstnotfull moves on */
		c->firstnotfull = sp->next;
	h.type = H_SLAB;
	h.order = c->order;
	h.aux = (uint16_t)ci;
	h.idx = s;
	return h;
}

/* kmem_cache_free: a slab that was full moves in front of the first
 * non-full one (unless it is already there) and becomes firstnotfull; a
 * slab that became empty moves to the tail unless the slab after it is
 * empty too (or it is last). */
void kmem_cache_free(struct vm98 *m, struct vm98_handle h)
{
	int32_t s = h.idx;
	struct vm98_slab *sp = S(m, s);
	int ci = sp->cache;
	struct kmem_cache *c = &m->cache[ci];
	bool was_full = sp->inuse == c->num;
	c->objs_inuse--;
	sp->inuse--;
	if (sp->inuse == 0)
		c->nr_free_slabs++;
	if (was_full) {
		int32_t nx = sp->next;
		if (nx != ci && S(m, nx)->inuse == c->num) {
			slab_unlink(m, s);
			slab_insert_before(m, s, c->firstnotfull);
		}
		c->firstnotfull = s;
		return;
	}
	if (sp->inuse == 0) {
		int32_t nx = sp->next;
		if (nx != ci && S(m, nx)->inuse) {
			if (c->firstnotfull == s)
				c->firstnotfull = nx;
			slab_unlink(m, s);
			slab_insert_before(m, s, ci);
		}
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

/* Completely free slabs at the tail of a cache; *dma gets how many of
 * them are DMA slabs. */
static int count_free_slabs(struct vm98 *m, int ci, int *dma)
{
	int n = 0;
	*dma = 0;
	for (int32_t s = S(m, ci)->prev; s != ci && S(m, s)->inuse == 0;
	     s = S(m, s)->prev) {
		n++;
		*dma += S(m, s)->dma;
	}
	return n;
}

/* kmem_cache_reap (§7.3): walk up to 10 caches of the chain from the
 * clock; skip (and unmark) a cache that grew since the last scan; with a
 * DMA mask only caches with a free DMA slab count; take the first cache
 * with >= 10 free slabs, else the last one with the most; the clock stays
 * on a cache taken for >= 10, else moves past the scanned ones.  Destroy
 * free slabs from the tail (DMA mask: DMA ones only): one per call up to
 * 2.1.89, all of them from 2.1.90pre1.  Returns the pages given back. */
int kmem_cache_reap(struct vm98 *m, int rp_gfp)
{
	bool dma = (rp_gfp & RP_GFP_DMA) != 0;
	int best = -1, level = 0, pos = m->reap_clock, scan = 10;
	if (m->ops->slab_kind == VM98_KMALLOC_20)
		return 0;
	do {
		int ci = reap_chain[pos];
		struct kmem_cache *c = &m->cache[ci];
		if (c->grown) {
			c->grown = false;
		} else {
			/* free slabs are contiguous at the tail: the counter
			 * is their number (the walk only for DMA) */
			int d = 0, f = dma ? count_free_slabs(m, ci, &d)
					   : c->nr_free_slabs;
			if (f && (!dma || d)) {
				if (f >= 10) {
					best = ci;
					break;
				}
				if (f >= level) {
					level = f;
					best = ci;
				}
			}
		}
		if (++pos == VM98_NR_CACHES)
			pos = 0;
	} while (--scan && pos != m->reap_clock);
	m->reap_clock = pos;
	if (best < 0)
		return 0;
	int pages = 0;
	struct kmem_cache *c = &m->cache[best];
	for (;;) {
		int32_t s = S(m, best)->prev;
		while (dma && s != best && S(m, s)->inuse == 0 && !S(m, s)->dma)
			s = S(m, s)->prev;
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
		if (ci < 0) {
			m->st.kmalloc_too_big++;
			m->last_fail_order = -1;
			m->last_fail_gfp = rp_gfp;
		} else
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
