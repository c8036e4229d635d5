/* gen.h — a deterministic generator of synthetic traces for benchmarks:
 * page_alloc/page_free, kmalloc/kfree and net_rx in the proportions of a
 * busy 1998 NFS client, with live objects bounded so a replay stays small. */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include "libreplay.h"

#include <stdint.h>
#include <string.h>

#define GEN_LIVE  4096 /* live objects per kind */
#define GEN_TASKS 8    /* mixed mode: tasks 100..107 */

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

/* Mixed mode (reclaim benchmark): besides page_alloc/page_free,
 * kmalloc/kfree and net_rx (gen_next), file reads (8 files of 16 MB, 255
 * in 256 reads in their first 128 KB; 1–8 pages), file writes (4 files of
 * 256 KB, one page, data through the buffer cache), metadata and data
 * blocks (500 KB, 255 in 256 in the first 50 KB), anonymous touches (8
 * tasks of up to 128 KB, 255 in 256 in the first 32 KB, three in four
 * writes) and, rarely, a task exit.  The allocator events hold some
 * 18 MB; on a 32 MB machine the hot set fits and the cold file pages
 * (128 MB, read at some 40 pages a second) do not: once they have filled
 * memory (after a minute or two of trace) it reclaims page cache
 * steadily.  Events are
 * some 100 µs apart (a busy 1998 machine: the model's disk does about 100
 * random reads a second; much denser traces leave the closed-loop tasks
 * ever further behind).  Proportions: 36 % allocator events, 9 % net_rx,
 * 22 % file_read, 1 % file_write, 12 % blk_*, 20 % anon_touch. */
static inline void gen_next_mixed(struct gen *g, struct rp_event *ev)
{
	uint64_t r = gen_rand(g);
	unsigned pick = (unsigned)(r % 100);
	if (pick < 45) {
		gen_next(g, ev); /* page/kmalloc (4/5) or net_rx (1/5) */
		g->ts += (int64_t)(r % 180000);
		rp_event_set(ev, RP_COL_TS, g->ts);
		return;
	}
	uint64_t r2 = gen_rand(g);
	int64_t task = 100 + (int64_t)((r >> 40) % GEN_TASKS);
	memset(ev, 0, sizeof *ev);
	g->ts += 1000 + (int64_t)(r2 % 200000); /* 100 µs apart on average */
	rp_event_set(ev, RP_COL_TS, g->ts);
	rp_event_set(ev, RP_COL_TASK, task);
	/* skewed offsets: 255 in 256 accesses go to a small hot set (the
	 * cold ones must stay within what a 1998 disk can read) */
	uint64_t hot = (r2 >> 20) % 256 != 0;
	if (pick < 67 || (pick >= 68 && pick < 80)) {
		int64_t file = (int64_t)((r2 >> 8) % 8);
		int64_t off = (int64_t)((r2 >> 24) % (hot ? 32 : 4096));
		if (pick < 67) {
			rp_event_set(ev, RP_COL_KIND, RP_FILE_READ);
			rp_event_set(ev, RP_COL_FILE, file);
			rp_event_set(ev, RP_COL_OFFSET, off);
			rp_event_set(ev, RP_COL_COUNT,
				     1 + (int64_t)((r2 >> 4) % 8));
		} else {
			int write = (r2 >> 3) % 3 == 0;
			rp_event_set(ev, RP_COL_KIND,
				     write ? RP_BLK_WRITE : RP_BLK_READ);
			rp_event_set(ev, RP_COL_DEV, 3);
			rp_event_set(
			    ev, RP_COL_BLOCK,
			    2 * (int64_t)((r2 >> 24) % (hot ? 50 : 500)));
			rp_event_set(ev, RP_COL_COUNT, 2);
			rp_event_set(ev, RP_COL_FLAGS, (r2 >> 5) % 2);
		}
	} else if (pick < 68) {
		rp_event_set(ev, RP_COL_KIND, RP_FILE_WRITE);
		rp_event_set(ev, RP_COL_FILE, 8 + (int64_t)((r2 >> 8) % 4));
		rp_event_set(ev, RP_COL_OFFSET, (int64_t)((r2 >> 24) % 64));
		rp_event_set(ev, RP_COL_COUNT, 1);
	} else if (pick < 99 || (r2 >> 12) % 64) {
		rp_event_set(ev, RP_COL_KIND, RP_ANON_TOUCH);
		rp_event_set(ev, RP_COL_OFFSET,
			     (int64_t)((r2 >> 24) % (hot ? 8 : 32)));
		rp_event_set(ev, RP_COL_COUNT, 1 + (int64_t)((r2 >> 4) % 4));
		rp_event_set(ev, RP_COL_FLAGS, (r2 >> 6) % 4 != 0);
	} else {
		rp_event_set(ev, RP_COL_KIND, RP_TASK_EXIT);
	}
}

#endif
