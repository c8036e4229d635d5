/*
 * objmap.c — obj id (int64: pfn, pointer, anything) → what the model holds
 * for it.  Open addressing, linear probing, power-of-two capacity grown at
 * 50 % load, backward-shift deletion (no tombstones), so steady-state
 * alloc/free traffic never calls malloc.
 */
#include "vm98-internal.h"

#include <stdlib.h>

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
