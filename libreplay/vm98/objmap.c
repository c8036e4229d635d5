/*
 * objmap.c — obj id (int64: pfn, pointer, anything) → what the model holds
 * for it.  Open addressing, linear probing, power-of-two capacity grown at
 * 50 % load, backward-shift deletion (no tombstones), so steady-state
 * alloc/free traffic never calls malloc.
 */
#include "vm98-internal.h"

#include <stdlib.h>
#include <string.h>

static inline uint32_t objmap_hash(int64_t key, uint32_t mask)
{
	uint64_t x = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
	return (uint32_t)(x >> 32) & mask;
}

int objmap_init(struct objmap *om, uint32_t cap)
{
	uint32_t c = 16;
	while (c < cap)
		c <<= 1;
	om->slot = calloc(c, sizeof(*om->slot));
	if (!om->slot)
		return -1;
	om->mask = c - 1;
	om->used = 0;
	return 0;
}

void objmap_destroy(struct objmap *om)
{
	free(om->slot);
	om->slot = NULL;
}

struct vm98_handle *objmap_get(struct objmap *om, int64_t key)
{
	for (uint32_t i = objmap_hash(key, om->mask);; i = (i + 1) & om->mask) {
		struct objmap_slot *s = &om->slot[i];
		if (s->h.type == H_NONE)
			return NULL;
		if (s->key == key)
			return &s->h;
	}
}

static int objmap_grow(struct objmap *om)
{
	struct objmap old = *om;
	if (old.mask >= UINT32_C(0x7FFFFFFF))
		return -1;
	if (objmap_init(om, (old.mask + 1) * 2) < 0) {
		*om = old;
		return -1;
	}
	for (uint32_t i = 0; i <= old.mask; i++) {
		struct objmap_slot *s = &old.slot[i];
		if (s->h.type == H_NONE)
			continue;
		uint32_t j = objmap_hash(s->key, om->mask);
		while (om->slot[j].h.type != H_NONE)
			j = (j + 1) & om->mask;
		om->slot[j] = *s;
		om->used++;
	}
	free(old.slot);
	return 0;
}

int objmap_put(struct objmap *om, int64_t key, struct vm98_handle h,
	       struct vm98_handle *old)
{
	old->type = H_NONE;
	if ((om->used + 1) * 2 > om->mask + 1 && objmap_grow(om) < 0)
		return -1;
	for (uint32_t i = objmap_hash(key, om->mask);; i = (i + 1) & om->mask) {
		struct objmap_slot *s = &om->slot[i];
		if (s->h.type == H_NONE) {
			s->key = key;
			s->h = h;
			om->used++;
			return 0;
		}
		if (s->key == key) {
			*old = s->h;
			s->h = h;
			return 0;
		}
	}
}

bool objmap_del(struct objmap *om, int64_t key, struct vm98_handle *out)
{
	uint32_t i = objmap_hash(key, om->mask);
	for (;; i = (i + 1) & om->mask) {
		struct objmap_slot *s = &om->slot[i];
		if (s->h.type == H_NONE)
			return false;
		if (s->key == key)
			break;
	}
	*out = om->slot[i].h;
	/* backward-shift: move later members of the probe run into the hole */
	uint32_t hole = i;
	for (uint32_t j = (i + 1) & om->mask;; j = (j + 1) & om->mask) {
		struct objmap_slot *s = &om->slot[j];
		if (s->h.type == H_NONE)
			break;
		uint32_t home = objmap_hash(s->key, om->mask);
		/* s may move to hole iff home is not in (hole, j] cyclically */
		if (((j - home) & om->mask) >= ((j - hole) & om->mask)) {
			om->slot[hole] = *s;
			hole = j;
		}
	}
	om->slot[hole].h.type = H_NONE;
	om->used--;
	return true;
}

/* ------------------------------------------------------------ slotmap */

/* Makes slot valid; new entries are H_NONE.  -1 on out of memory. */
int slotmap_reserve(struct slotmap *sm, uint32_t slot)
{
	if (slot < sm->cap)
		return 0;
	if (slot >= UINT32_C(0x7FFFFFFF))
		return -1;
	uint32_t c = sm->cap ? sm->cap : 1024;
	while (c <= slot)
		c <<= 1;
	struct vm98_handle *h = realloc(sm->h, (size_t)c * sizeof(*h));
	if (!h)
		return -1;
	memset(h + sm->cap, 0, (size_t)(c - sm->cap) * sizeof(*h));
	sm->h = h;
	sm->cap = c;
	return 0;
}

void slotmap_destroy(struct slotmap *sm)
{
	free(sm->h);
	sm->h = NULL;
	sm->cap = 0;
}

/* ------------------------------------------------------------ pairmap */

/* (a, b) → int32, the same scheme; used for the page cache (file,
 * offset), the buffer hash (dev, block), ptes (task, vpage), task ids. */
static inline uint32_t pair_hash(int64_t a, int64_t b, uint32_t mask)
{
	uint64_t x = (uint64_t)a * UINT64_C(0x9E3779B97F4A7C15);
	x ^= (uint64_t)b + UINT64_C(0x632BE59BD9B4E019) + (x << 6) + (x >> 2);
	x *= UINT64_C(0xBF58476D1CE4E5B9);
	return (uint32_t)(x >> 32) & mask;
}

static int pairmap_alloc(struct pairmap *pm, uint32_t cap)
{
	uint32_t c = 16;
	while (c < cap)
		c <<= 1;
	pm->slot = malloc((size_t)c * sizeof(*pm->slot));
	if (!pm->slot)
		return -1;
	for (uint32_t i = 0; i < c; i++)
		pm->slot[i].v = -1;
	pm->mask = c - 1;
	pm->used = 0;
	return 0;
}

int pairmap_init(struct pairmap *pm, uint32_t cap)
{
	return pairmap_alloc(pm, cap);
}

void pairmap_destroy(struct pairmap *pm)
{
	free(pm->slot);
	pm->slot = NULL;
}

int32_t pairmap_get(const struct pairmap *pm, int64_t a, int64_t b)
{
	for (uint32_t i = pair_hash(a, b, pm->mask);; i = (i + 1) & pm->mask) {
		const struct pairmap_slot *s = &pm->slot[i];
		if (s->v < 0)
			return -1;
		if (s->a == a && s->b == b)
			return s->v;
	}
}

static void pairmap_insert(struct pairmap *pm, int64_t a, int64_t b, int32_t v)
{
	uint32_t i = pair_hash(a, b, pm->mask);
	while (pm->slot[i].v >= 0 &&
	       !(pm->slot[i].a == a && pm->slot[i].b == b))
		i = (i + 1) & pm->mask;
	if (pm->slot[i].v < 0)
		pm->used++;
	pm->slot[i].a = a;
	pm->slot[i].b = b;
	pm->slot[i].v = v;
}

int pairmap_put(struct pairmap *pm, int64_t a, int64_t b, int32_t v)
{
	if ((pm->used + 1) * 2 > pm->mask + 1) {
		struct pairmap old = *pm;
		if (pairmap_alloc(pm, (old.mask + 1) * 2) < 0) {
			*pm = old;
			return -1;
		}
		for (uint32_t i = 0; i <= old.mask; i++)
			if (old.slot[i].v >= 0)
				pairmap_insert(pm, old.slot[i].a, old.slot[i].b,
					       old.slot[i].v);
		free(old.slot);
	}
	pairmap_insert(pm, a, b, v);
	return 0;
}

bool pairmap_del(struct pairmap *pm, int64_t a, int64_t b)
{
	uint32_t i = pair_hash(a, b, pm->mask);
	for (;; i = (i + 1) & pm->mask) {
		if (pm->slot[i].v < 0)
			return false;
		if (pm->slot[i].a == a && pm->slot[i].b == b)
			break;
	}
	pm->used--;
	for (uint32_t j = (i + 1) & pm->mask;; j = (j + 1) & pm->mask) {
		struct pairmap_slot *s = &pm->slot[j];
		if (s->v < 0)
			break;
		uint32_t h = pair_hash(s->a, s->b, pm->mask);
		/* can s move to the hole at i? (h cyclically outside (i, j]) */
		if (((j - h) & pm->mask) >= ((j - i) & pm->mask)) {
			pm->slot[i] = *s;
			i = j;
		}
	}
	pm->slot[i].v = -1;
	return true;
}

/* ---------------------------------------------------------- histogram */

static int hist_index(int64_t v)
{
	if (v < HIST_SUB)
		return v < 0 ? 0 : (int)v;
	int e = 63 - __builtin_clzll((unsigned long long)v); /* >= 5 */
	int sub = (int)((v >> (e - 5)) & (HIST_SUB - 1));
	return (e - 4) * HIST_SUB + sub;
}

static int64_t hist_value(int i) /* upper end of bucket i */
{
	if (i < HIST_SUB)
		return i;
	int e = i / HIST_SUB + 4, sub = i % HIST_SUB;
	return ((int64_t)(HIST_SUB + sub + 1) << (e - 5)) - 1;
}

void hist_add(struct vm98_hist *h, int64_t v)
{
	h->n++;
	if (v > h->max)
		h->max = v;
	h->b[hist_index(v)]++;
}

/* Smallest bucket bound with at least q·n values at or below it (capped
 * by the exact maximum). */
int64_t hist_quantile(const struct vm98_hist *h, double q)
{
	if (!h->n)
		return 0;
	uint64_t want = (uint64_t)(q * (double)h->n + 0.999999), acc = 0;
	if (want < 1)
		want = 1;
	for (int i = 0; i < HIST_N; i++) {
		acc += h->b[i];
		if (acc >= want) {
			int64_t v = hist_value(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}
