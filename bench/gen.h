/* gen.h — a deterministic generator of synthetic traces for benchmarks:
 * page_alloc/page_free, kmalloc/kfree and net_rx in the proportions of a
 * busy 1998 NFS client, with live objects bounded so a replay stays small. */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include "libreplay.h"

#include <stdint.h>
#include <string.h>

#define GEN_LIVE 4096 /* live objects per kind */

struct gen {
	uint64_t rng;
	int64_t ts;
	int64_t next_obj;
	int64_t page_live[GEN_LIVE];
	int8_t page_order[GEN_LIVE];
	int64_t kmalloc_live[GEN_LIVE];
};

static inline uint64_t gen_rand(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static inline void gen_init(struct gen *g, uint64_t seed)
{
	memset(g, 0, sizeof *g);
	g->rng = seed ? seed : 88172645463325252ULL;
	g->ts = 1000000000;
	g->next_obj = 1;
}

/* The next event: alternately allocates into and frees from a slot. */
static inline void gen_next(struct gen *g, struct rp_event *ev)
{
	uint64_t r = gen_rand(g);
	unsigned slot = (unsigned)(r >> 20) % GEN_LIVE;
	memset(ev, 0, sizeof *ev);
	g->ts += 1000 + (int64_t)(r % 20000);
	rp_event_set(ev, RP_COL_TS, g->ts);
	rp_event_set(ev, RP_COL_TASK, 100 + (int64_t)((r >> 40) % 8));
	switch (r % 10) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (g->page_live[slot]) {
			rp_event_set(ev, RP_COL_KIND, RP_PAGE_FREE);
			rp_event_set(ev, RP_COL_OBJ, g->page_live[slot]);
			rp_event_set(ev, RP_COL_ORDER, g->page_order[slot]);
			g->page_live[slot] = 0;
		} else {
			int order = (r >> 8) % 16 == 0 ? 2 : (r >> 8) % 4 == 0;
			rp_event_set(ev, RP_COL_KIND, RP_PAGE_ALLOC);
			rp_event_set(ev, RP_COL_OBJ, g->next_obj);
			rp_event_set(ev, RP_COL_ORDER, order);
			rp_event_set(ev, RP_COL_GFP,
				     (r >> 12) % 8 ? RP_GFP_KERNEL
						   : RP_GFP_USER);
			g->page_live[slot] = g->next_obj++;
			g->page_order[slot] = (int8_t)order;
		}
		break;
	case 4:
	case 5:
	case 6:
	case 7:
		if (g->kmalloc_live[slot]) {
			rp_event_set(ev, RP_COL_KIND, RP_KFREE);
			rp_event_set(ev, RP_COL_OBJ, g->kmalloc_live[slot]);
			g->kmalloc_live[slot] = 0;
		} else {
			static const int sizes[] = {32,	 64,   128,  256,
						    512, 1024, 2048, 4096};
			rp_event_set(ev, RP_COL_KIND, RP_KMALLOC);
			rp_event_set(ev, RP_COL_OBJ, g->next_obj);
			rp_event_set(ev, RP_COL_BYTES, sizes[(r >> 8) % 8]);
			rp_event_set(ev, RP_COL_GFP, RP_GFP_KERNEL);
			g->kmalloc_live[slot] = g->next_obj++;
		}
		break;
	default:
		ev->present &= ~RP_HAS(RP_COL_TASK);
		rp_event_set(ev, RP_COL_KIND, RP_NET_RX);
		rp_event_set(ev, RP_COL_OBJ, g->next_obj++);
		if ((r >> 8) % 3 == 0) {
			rp_event_set(ev, RP_COL_BYTES, 8340);
			rp_event_set(ev, RP_COL_COUNT, 6);
		} else {
			rp_event_set(ev, RP_COL_BYTES, 120 + (r >> 8) % 64);
			rp_event_set(ev, RP_COL_COUNT, 1);
		}
		rp_event_set(ev, RP_COL_FLAGS, 0);
	}
}

#endif
