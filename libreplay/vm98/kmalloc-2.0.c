/*
 * kmalloc-2.0.c — the 2.0.33 kmalloc of mm/kmalloc.c (spec §7.4): power-of-
 * two buckets with an 8-byte block header, areas of one page up to the
 * 4080-byte bucket and of order 1–5 above, the one-slot-per-order parking
 * of free order 0–2 areas, and the parked-area fallback quirk.
 */
#include "vm98-internal.h"

#include <stdlib.h>

/* §7.4: bucket block sizes (header included), blocks per area, area order */
static const int32_t km20_size[KM20_NR_BUCKETS] = {
    32, 64, 128, 252, 508, 1020, 2040, 4080, 8176, 16368, 32752, 65520, 131056};
static const uint16_t km20_nblocks[KM20_NR_BUCKETS] = {127, 63, 31, 16, 8, 4, 2,
						       1,   1,	1,  1,	1, 1};
static const uint8_t km20_order[KM20_NR_BUCKETS] = {0, 0, 0, 0, 0, 0, 0,
						    0, 1, 2, 3, 4, 5};
#define KM20_HEADER 8

/* bucket of a request: size + the 8-byte header fits the block (§7.4). */
int km20_bucket(int64_t size)
{
	if (size < 0)
		size = 0;
	for (int b = 0; b < KM20_NR_BUCKETS; b++)
		if (size + KM20_HEADER <= km20_size[b])
			return b;
	return -1;
}

static inline struct km20_area *A(struct vm98 *m, int32_t i)
{
	return &m->areas[i];
}

void vm98_km20_init(struct vm98 *m)
{
	for (int32_t i = 0; i < 2 * KM20_NR_BUCKETS; i++) {
		struct km20_area *a = A(m, i);
		a->next = a->prev = i;
		a->pfn = -1;
	}
	m->nareas = 2 * KM20_NR_BUCKETS;
	m->area_free_list = -1;
	for (int i = 0; i < 3; i++)
		m->parked[i] = -1;
}

static int32_t area_alloc(struct vm98 *m)
{
	int32_t a = m->area_free_list;
	if (a >= 0) {
		m->area_free_list = A(m, a)->next;
		return a;
	}
	if (m->nareas == m->areas_cap) {
		int32_t cap = m->areas_cap * 2;
		struct km20_area *n =
		    realloc(m->areas, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		m->areas = n;
		m->areas_cap = cap;
	}
	return m->nareas++;
}

static void area_unlink(struct vm98 *m, int32_t a)
{
	int32_t n = A(m, a)->next, p = A(m, a)->prev;
	A(m, p)->next = n;
	A(m, n)->prev = p;
	A(m, a)->next = A(m, a)->prev = -1;
}

static void area_push(struct vm98 *m, int32_t a, int32_t head)
{
	int32_t n = A(m, head)->next;
	A(m, a)->next = n;
	A(m, a)->prev = head;
	A(m, n)->prev = a;
	A(m, head)->next = a;
}

struct vm98_handle km20_kmalloc(struct vm98 *m, int64_t size, int rp_gfp)
{
	struct vm98_handle h = {0};
	int b = km20_bucket(size);
	if (b < 0) {
		m->st.kmalloc_too_big++;
		m->last_fail_order = -1;
		m->last_fail_gfp = rp_gfp;
		return h;
	}
	bool dma = (rp_gfp & RP_GFP_DMA) != 0;
	int32_t head = b + (dma ? KM20_NR_BUCKETS : 0);
	int32_t a = A(m, head)->next;
	if (a == head) { /* no area with a free block: a new one */
		int order = km20_order[b], real = order;
		int32_t pfn = vm98_get_free_pages(m, rp_gfp, order);
		if (pfn < 0 && b < 3 && !dma && m->parked[b] >= 0) {
			/* quirk: the slot is indexed by bucket number */
			pfn = m->parked[b];
			m->parked[b] = -1;
			real = b;
		}
		if (pfn < 0)
			return h;
		a = area_alloc(m);
		if (a < 0) {
			free_pages(m, pfn, real);
			return h;
		}
		struct km20_area *ap = A(m, a);
		ap->pfn = pfn;
		ap->order = (uint8_t)real;
		ap->free_order =
		    (uint8_t)(m->par.v[VP_KM20_PARK_QUIRK] ? order : real);
		ap->bucket = (uint8_t)b;
		ap->dma = dma;
		ap->nblocks = km20_nblocks[b];
		ap->nfree = ap->nblocks;
		area_push(m, a, head);
	}
	struct km20_area *ap = A(m, a);
	if (--ap->nfree == 0)
		area_unlink(m, a);
	h.type = H_KM20;
	h.order = ap->order;
	h.aux = (uint16_t)b;
	h.idx = a;
	return h;
}

/* free_kmalloc_pages (§7.4): park a non-DMA area of order 0–2 (freeing
 * the one parked before it), free the others at once. */
static void free_kmalloc_pages(struct vm98 *m, int32_t pfn, int order, int real,
			       bool dma)
{
	for (int32_t i = INT32_C(1) << order; i < (INT32_C(1) << real); i++) {
		m->st.km20_parked_leak_pages++; /* never freed again */
		m->mem_map[pfn + i].flags |= PG_leaked;
	}
	if (!dma && order <= 2) {
		int32_t old = m->parked[order];
		m->parked[order] = pfn;
		if (old >= 0)
			free_pages(m, old, order);
		return;
	}
	free_pages(m, pfn, order);
}

void km20_kfree(struct vm98 *m, struct vm98_handle h)
{
	int32_t a = h.idx;
	struct km20_area *ap = A(m, a);
	int32_t head = ap->bucket + (ap->dma ? KM20_NR_BUCKETS : 0);
	if (ap->nfree++ == 0)
		area_push(m, a, head);
	if (ap->nfree < ap->nblocks)
		return;
	area_unlink(m, a);
	int32_t pfn = ap->pfn;
	int order = ap->free_order, real = ap->order;
	bool dma = ap->dma;
	ap->pfn = -1;
	ap->next = m->area_free_list;
	m->area_free_list = a;
	free_kmalloc_pages(m, pfn, order, real, dma);
}
