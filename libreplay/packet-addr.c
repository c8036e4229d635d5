/*
 * packet-addr.c — numbers a trace's packet addresses (packet_addr.id,
 * schema/0003): 1, 2, ... in the order they first appear, found again by
 * an open-addressing table.  The packet recorder numbers them on its
 * decoding thread (pcap-trace.c), rp_trace_add_packet in the store
 * (store.c); each stores a new one when it is told it is new.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct rp_addr_slot {
	uint8_t len; /* 4 or 16; 0: free */
	uint8_t a[16];
	int32_t id;
};

/* MurmurHash3's 64-bit finaliser: every input bit reaches the low bits
 * the table uses. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ h >> 33;
}

/* Word at a time: the table is looked up twice per frame. */
static uint64_t addr_hash(const uint8_t *a, int len)
{
	if (len == 4) {
		uint32_t v;
		memcpy(&v, a, 4);
		return mix(v);
	}
	uint64_t w[2];
	memcpy(w, a, 16);
	return mix(w[0] ^ mix(w[1]));
}

/* Doubles the table (half full at most). */
static int grow(struct rp_addr_ids *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 256;
	struct rp_addr_slot *x = calloc(n, sizeof *x);
	if (!x)
		return -1;
	for (size_t i = 0; i < t->nslots; i++) {
		const struct rp_addr_slot *e = &t->slots[i];
		if (!e->len)
			continue;
		size_t j = addr_hash(e->a, e->len) & (n - 1);
		while (x[j].len)
			j = (j + 1) & (n - 1);
		x[j] = *e;
	}
	free(t->slots);
	t->slots = x;
	t->nslots = n;
	return 0;
}

int32_t rp_addr_ids_get(struct rp_addr_ids *t, const uint8_t *a, int len,
			bool *added)
{
	*added = false;
	if (len != 4 && len != 16)
		return 0;
	if (t->n >= t->nslots / 2 && grow(t) < 0)
		return -1;
	size_t mask = t->nslots - 1;
	size_t j = addr_hash(a, len) & mask;
	for (; t->slots[j].len; j = (j + 1) & mask)
		if (t->slots[j].len == len &&
		    !memcmp(t->slots[j].a, a, (size_t)len))
			return t->slots[j].id;
	struct rp_addr_slot *e = &t->slots[j];
	e->len = (uint8_t)len;
	memcpy(e->a, a, (size_t)len);
	e->id = (int32_t)++t->n;
	*added = true;
	return e->id;
}

void rp_addr_ids_free(struct rp_addr_ids *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}
