/*
 * test-vm98-reclaim.c — reclaim in the 1998 model (§5, §6, §8, §10,
 * §13): hand-checked mechanisms (ageing, the shrink_mmap clock and
 * budget, grow vs recycle, swap_tick's wake pattern, kswapd tries of
 * §11.3), one scenario per kernel for its defining behaviour, the stall
 * queue and the closed-loop task time, determinism, and randomized mixed
 * workloads with vm98_check after every event on every kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "splitmix.h"
#include "vm98/vm98-internal.h"

static struct vm98 *boot(const char *kernel, uint64_t mb, const char *pname,
			 const char *pval)
{
	char err[256];
	const struct vm98_kernel *k = vm98_kernel_find(kernel);
	assert_non_null(k);
	struct vm98_params p;
	vm98_params_init(k, &p);
	if (pname)
		assert_int_equal(
		    vm98_param_set(&p, pname, pval, err, sizeof(err)), 0);
	struct vm98 *m = vm98_new(k, mb << 20, &p, 1, err, sizeof(err));
	if (!m)
		fail_msg("vm98_new: %s", err);
	return m;
}

static void check_ok(const struct vm98 *m)
{
	char buf[512];
	if (vm98_check(m, buf, sizeof(buf)))
		fail_msg("vm98_check: %s", buf);
}

static struct rp_event ev_base(int64_t ts, int kind)
{
	struct rp_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = ts;
	ev.kind = (uint8_t)kind;
	return ev;
}

static int file_read(struct vm98 *m, int64_t ts, int64_t file, int64_t off,
		     int64_t n)
{
	struct rp_event ev = ev_base(ts, RP_FILE_READ);
	ev.present =
	    RP_HAS(RP_COL_FILE) | RP_HAS(RP_COL_OFFSET) | RP_HAS(RP_COL_COUNT);
	ev.file = file;
	ev.offset = off;
	ev.count = n;
	return vm98_apply(m, &ev);
}

static int page_alloc(struct vm98 *m, int64_t ts, int64_t obj, int order,
		      int gfp)
{
	struct rp_event ev = ev_base(ts, RP_PAGE_ALLOC);
	ev.present =
	    RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_ORDER) | RP_HAS(RP_COL_GFP);
	ev.obj = obj;
	ev.order = (int8_t)order;
	ev.gfp = (uint8_t)gfp;
	return vm98_apply(m, &ev);
}

static int page_free(struct vm98 *m, int64_t ts, int64_t obj)
{
	struct rp_event ev = ev_base(ts, RP_PAGE_FREE);
	ev.present = RP_HAS(RP_COL_OBJ);
	ev.obj = obj;
	return vm98_apply(m, &ev);
}

static int anon(struct vm98 *m, int64_t ts, int64_t task, int64_t vpage,
		int64_t n, bool write)
{
	struct rp_event ev = ev_base(ts, RP_ANON_TOUCH);
	ev.present = RP_HAS(RP_COL_TASK) | RP_HAS(RP_COL_OFFSET) |
		     RP_HAS(RP_COL_COUNT) | RP_HAS(RP_COL_FLAGS);
	ev.task = task;
	ev.offset = vpage;
	ev.count = n;
	ev.flags = write ? RP_FLAG_WRITE : 0;
	return vm98_apply(m, &ev);
}

static int blk(struct vm98 *m, int64_t ts, bool write, int64_t block,
	       int64_t sectors, bool meta)
{
	struct rp_event ev = ev_base(ts, write ? RP_BLK_WRITE : RP_BLK_READ);
	ev.present = RP_HAS(RP_COL_DEV) | RP_HAS(RP_COL_BLOCK) |
		     RP_HAS(RP_COL_COUNT) | RP_HAS(RP_COL_FLAGS);
	ev.dev = 3;
	ev.block = block;
	ev.count = sectors;
	ev.flags = meta ? RP_FLAG_META : 0;
	return vm98_apply(m, &ev);
}

/* Holds free memory with order-0 GFP_ATOMIC page_allocs (obj ids from
 * *obj) until nr_free_pages <= target. */
static void fill_to(struct vm98 *m, int64_t ts, int64_t *obj, int64_t target)
{
	while (m->nr_free_pages > target)
		if (page_alloc(m, ts, (*obj)++, 0, RP_GFP_ATOMIC) != VM98_OK)
			break;
}

struct run_out {
	char metrics[16384];
	size_t len;
};

static int collect(const char *name, double v, void *arg)
{
	struct run_out *o = arg;
	int n = snprintf(o->metrics + o->len, sizeof(o->metrics) - o->len,
			 "%s=%.6g;", name, v);
	if (n > 0 && o->len + (size_t)n < sizeof(o->metrics))
		o->len += (size_t)n;
	return 0;
}

/* ------------------------------------------------------- mechanisms */

#define T0 INT64_C(1000000000)

/* §5.8: a page-cache page enters at age 16 + referenced; its first
 * shrink_mmap visit takes it to 19, then 19 unreferenced visits free it.
 * At priority 2 the budget count_max = P moves the hand once round. */
static void ageing_page_cache_5_8(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.89", 8, NULL, NULL);
	assert_int_equal(file_read(m, T0, 7, 0, 1), VM98_OK);
	int32_t pfn = find_page(m, 7, 0);
	assert_true(pfn >= 0);
	assert_int_equal(m->mem_map[pfn].age, 16);
	assert_true(m->mem_map[pfn].flags & PG_referenced);
	const int mask = GFP21_WAIT | GFP21_IO;
	assert_int_equal(shrink_mmap(m, 2, mask), 0);
	assert_int_equal(m->mem_map[pfn].age, 19);
	for (int i = 0; i < 18; i++)
		assert_int_equal(shrink_mmap(m, 2, mask), 0);
	assert_int_equal(m->mem_map[pfn].age, 1);
	assert_int_equal(shrink_mmap(m, 2, mask), 1);
	assert_int_equal(find_page(m, 7, 0), -1);
	assert_int_equal(m->clock, pfn); /* the hand stays on the freed page */
	assert_int_equal(m->nr_kind[PK_CACHE], 0);
	check_ok(m);
	vm98_free(m);
	/* 2.0.33 (§6.2 before 2.1.89): no ageing, referenced skips once */
	m = boot("2.0.33", 8, NULL, NULL);
	file_read(m, T0, 7, 0, 1);
	assert_int_equal(shrink_mmap(m, 2, GFP20_KERNEL), 0);
	assert_int_equal(shrink_mmap(m, 2, GFP20_KERNEL), 1);
	check_ok(m);
	vm98_free(m);
	/* 2.1.91 (§6.3): a cache under 10 % of RAM is aged, never freed */
	m = boot("2.1.91", 8, NULL, NULL);
	file_read(m, T0, 7, 0, 1);
	for (int i = 0; i < 40; i++)
		assert_int_equal(shrink_mmap(m, 2, mask), 0);
	assert_int_equal(m->mem_map[find_page(m, 7, 0)].age, 0);
	vm98_free(m);
}

/* §5.7/§5.8: a new anonymous page (age 3, pte young) goes 3 → 6 on the
 * first swap_out visit and is written out on the 7th; kswapd's write is
 * asynchronous (freed at completion); a later touch swaps it in
 * synchronously: the task waits one disk access (9 ms + 4 KB at 8 MB/s). */
static void ageing_anon_swap_5_7(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.89", 8, NULL, NULL);
	assert_int_equal(anon(m, T0, 1, 100, 1, true), VM98_OK);
	struct vm98_task *T = &m->tasks[task_get(m, 1)];
	int32_t pfn = T->pte[0].val;
	assert_int_equal(m->mem_map[pfn].age, 3);
	assert_int_equal(T->rss, 1);
	assert_int_equal(swap_out(m, 6, GFP21_IO), 0);
	assert_int_equal(m->mem_map[pfn].age, 6);
	for (int age = 5; age >= 1; age--) {
		assert_int_equal(swap_out(m, 6, GFP21_IO), 0);
		assert_int_equal(m->mem_map[pfn].age, age);
	}
	assert_int_equal(swap_out(m, 6, GFP21_IO), 1);
	assert_int_equal(m->st.swap_out, 1);
	assert_int_equal(m->nr_async_pages, 1);
	assert_int_equal(m->mem_map[pfn].kind, PK_SWAPIO);
	assert_int_equal(T->rss, 0);
	assert_int_equal(T->pte[0].state, PTE_SWAP);
	check_ok(m);
	run_task_queue(m, m->now);
	vm98_advance(m, T0 + 20000000);
	assert_int_equal(m->nr_async_pages, 0);
	assert_int_equal(m->mem_map[pfn].kind, PK_NONE);
	check_ok(m);
	int64_t t = vm98_now(m);
	assert_int_equal(anon(m, t, 1, 100, 1, false), VM98_OK);
	T = &m->tasks[task_get(m, 1)];
	assert_int_equal(m->st.swap_in, 1);
	assert_int_equal(T->delay, 9000000 + 500000);
	assert_int_equal(T->pte[0].state, PTE_PRESENT);
	assert_int_equal(m->mem_map[T->pte[0].val].kind, PK_SWAPCACHE);
	assert_int_equal(m->mem_map[T->pte[0].val].count, 2);
	check_ok(m);
	/* a write takes it out of the swap cache and frees the slot */
	anon(m, t + 20000000, 1, 100, 1, true);
	vm98_flush(m);
	assert_int_equal(m->mem_map[T->pte[0].val].kind, PK_ANON);
	assert_int_equal(m->nr_swap_pages, m->nr_swap_slots - 1);
	check_ok(m);
	vm98_free(m);
}

/* §5.5: 2.0.33 takes tasks round robin from its static index, however
 * large; 2.1.89 takes the largest swap_cnt first.  Task 1 has one page,
 * task 2 has 256 (swap_cnt 8 against 4); two tasks at priority 6 make
 * counter 0: one swap_out_process a call. */
static void swap_out_victims_5_5(void **state)
{
	(void)state;
	const char *kernels[] = {"2.0.33", "2.1.89"};
	for (int k = 0; k < 2; k++) {
		struct vm98 *m = boot(kernels[k], 8, NULL, NULL);
		assert_int_equal(anon(m, T0, 1, 100, 1, true), VM98_OK);
		assert_int_equal(anon(m, T0 + 1000, 2, 0, 256, true), VM98_OK);
		vm98_flush(m);
		struct vm98_task *A = &m->tasks[task_get(m, 1)];
		struct vm98_task *B = &m->tasks[task_get(m, 2)];
		int32_t a = A->pte[0].val, b0 = B->pte[0].val,
			b9 = B->pte[B->npte - 1].val;
		int mask = k == 0 ? GFP20_KERNEL : GFP21_IO;
		assert_int_equal(swap_out(m, 6, mask), 0);
		if (k == 0) { /* index 0 first: the small task */
			assert_int_equal(m->mem_map[a].age, 6);
			assert_int_equal(m->mem_map[b0].age, 3);
			assert_int_equal(A->swap_cnt, 3);
			assert_int_equal(m->swap_task, 1); /* walk found none */
		} else { /* the largest swap_cnt first */
			assert_int_equal(m->mem_map[a].age, 3);
			assert_int_equal(m->mem_map[b0].age, 6);
			assert_int_equal(m->mem_map[b9].age, 6);
		}
		assert_int_equal(swap_out(m, 6, mask), 0);
		/* the other task next, its whole walk aged */
		assert_int_equal(m->mem_map[a].age, 6);
		assert_int_equal(m->mem_map[b0].age, 6);
		assert_int_equal(m->mem_map[b9].age, 6);
		if (k == 0) {
			assert_int_equal(B->swap_cnt, 7);
			assert_int_equal(m->swap_task, 2);
			/* the index wraps to the small task again */
			assert_int_equal(swap_out(m, 6, mask), 0);
			assert_int_equal(m->mem_map[a].age, 5);
			assert_int_equal(m->mem_map[b0].age, 6);
		}
		check_ok(m);
		vm98_free(m);
	}
}

/* §6.1: with nothing to free the hand moves count_max pages: P/4 at
 * priority 6, 2P at priority 0 (§11.4). */
static void clock_budget_6_1(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.89", 8, NULL, NULL);
	const int mask = GFP21_WAIT | GFP21_IO;
	assert_int_equal(shrink_mmap(m, 6, mask), 0);
	assert_int_equal(m->st.scanned, 2048 / 4);
	assert_int_equal(m->clock, 512);
	assert_int_equal(shrink_mmap(m, 3, mask), 0);
	assert_int_equal(m->st.scanned, 512 + 2048);
	assert_int_equal(shrink_mmap(m, 0, mask), 0);
	assert_int_equal(m->st.scanned, 512 + 2048 + 4096);
	assert_int_equal(m->clock, 512);
	vm98_free(m);
}

/* §8.2: with free pages above 2·min a miss grows the buffer cache by
 * nrefill (64) buffers = 16 pages of 1 KB blocks; at or below 2·min it
 * recycles the oldest clean buffers and the cache stays its size. */
static void grow_vs_recycle_8_2(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.90", 8, NULL, NULL);
	for (int i = 0; i < 200; i++)
		assert_int_equal(blk(m, T0, false, 2 * i, 2, true), VM98_OK);
	assert_int_equal(m->st.bh_miss[1], 200);
	assert_int_equal(m->nr_kind[PK_BUFFER], 64); /* 4 refills of 16 */
	assert_int_equal(m->st.bh_recycle, 0);
	blk(m, T0, false, 0, 2, true);
	assert_int_equal(m->st.bh_hit[1], 1);
	int64_t obj = 1;
	fill_to(m, T0, &obj, 2 * m->freepages.min);
	for (int i = 200; i < 400; i++)
		blk(m, T0, false, 2 * i, 2, true);
	assert_int_equal(m->nr_kind[PK_BUFFER], 64);
	assert_true(m->st.bh_recycle > 0);
	blk(m, T0, false, 2, 2, true); /* recycled: a miss now */
	assert_int_equal(m->st.bh_hit[1], 1);
	check_ok(m);
	vm98_free(m);
	/* data vs metadata and dirty buffers: writes are counted apart and
	 * the update daemon writes them after age_buffer / age_super */
	m = boot("2.1.90", 8, NULL, NULL);
	blk(m, T0, true, 0, 2, true);
	blk(m, T0, true, 100, 2, false);
	assert_int_equal(m->nr_dirty, 2);
	vm98_advance(m, T0 + INT64_C(6000000000)); /* one update run */
	assert_int_equal(m->nr_dirty, 1);	   /* metadata: 5 s */
	vm98_advance(m, T0 + INT64_C(31000000000));
	assert_int_equal(m->nr_dirty, 0); /* data: 30 s */
	assert_int_equal(m->st.buf_written, 2);
	check_ok(m);
	vm98_free(m);
}

/* kswapd passes in the second after the origin, memory held at `nfree`
 * free pages by objects (nothing reclaimable). */
static uint64_t wakes_per_second(const char *kernel, int64_t nfree,
				 const char *pname, const char *pval)
{
	struct vm98 *m = boot(kernel, 8, pname, pval);
	int64_t obj = 1;
	vm98_advance(m, T0);
	fill_to(m, T0, &obj, nfree);
	vm98_advance(m, T0 + INT64_C(1000000000));
	uint64_t n = m->st.kswapd_passes;
	check_ok(m);
	vm98_free(m);
	return n;
}

/* §5.3: below low every tick, between low and high every 25 ticks,
 * above high never (2.1.88 – 2.1.90); 2.1.91: fma(3) = 0 every tick;
 * 2.2.0: its 1-s timer; linus: every tick while !fma() (or every
 * wake_period); 2.0.33: below low the first tick, then 12 ticks after
 * kswapd went to sleep. */
static void swap_tick_patterns_5_3(void **state)
{
	(void)state;
	assert_int_equal(wakes_per_second("2.1.90", 60, NULL, NULL), 100);
	assert_int_equal(wakes_per_second("2.1.90", 80, NULL, NULL), 4);
	assert_int_equal(wakes_per_second("2.1.90", 2000, NULL, NULL), 0);
	assert_int_equal(wakes_per_second("2.1.88", 60, NULL, NULL), 100);
	/* with the default CPU cost per page scanned a 2.1.91 pass over a
	 * machine with nothing to free takes ~0.18 s (200 tries × 2.25 P
	 * pages): kswapd is awake, swap_tick cannot wake it */
	assert_int_equal(wakes_per_second("2.1.91", 0, "cpu_scan_ns", "0"),
			 100);
	assert_int_equal(wakes_per_second("2.1.91", 0, NULL, NULL), 6);
	assert_int_equal(wakes_per_second("2.1.91", 1600, NULL, NULL), 0);
	assert_int_equal(wakes_per_second("2.2.0", 0, NULL, NULL), 1);
	assert_int_equal(wakes_per_second("linus", 0, NULL, NULL), 100);
	assert_int_equal(wakes_per_second("linus", 0, "wake_every_tick", "0"),
			 4);
	assert_int_equal(wakes_per_second("2.0.33", 30, "cpu_scan_ns", "0"),
			 9); /* ticks 1, 13, 25, ... 97 */
	/* by default its 5 synchronous tries scan 7.25 P pages each
	 * (15 ms): it sleeps a tick later, so ticks 1, 14, 27, ... 92 */
	assert_int_equal(wakes_per_second("2.0.33", 30, NULL, NULL), 8);
}

/* §11.3: kswapd tries per wake-up, formulas A, C, D. */
static void tries_table_11_3(void **state)
{
	(void)state;
	static const int64_t rows[][8] = {
	    /* min low high free   A     C     D */
	    {48, 72, 96, 95, 48, 96, 48},
	    {48, 72, 96, 71, 48, 96, 96},
	    {48, 72, 96, 24, 576, 144, 144},
	    {64, 96, 128, 127, 64, 128, 64},
	    {64, 96, 128, 95, 64, 128, 128},
	    {64, 96, 128, 32, 768, 192, 192},
	    {128, 192, 256, 255, 128, 256, 128},
	    {128, 192, 256, 191, 128, 256, 256},
	    {128, 192, 256, 64, 1536, 384, 384},
	    {1024, 1536, 2048, 2047, 1024, 2048, 1024},
	    {1024, 1536, 2048, 1535, 1024, 2048, 2048},
	    {1024, 1536, 2048, 512, 12288, 3072, 3072},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const int64_t *r = rows[i];
		assert_int_equal(
		    vm98_kswapd_tries(KSWAPD_A, r[3], r[0], r[1], r[2], 0),
		    r[4]);
		assert_int_equal(
		    vm98_kswapd_tries(KSWAPD_C, r[3], r[0], r[1], r[2], 0),
		    r[5]);
		assert_int_equal(
		    vm98_kswapd_tries(KSWAPD_D, r[3], r[0], r[1], r[2], 0),
		    r[6]);
	}
	for (int f = 0; f <= 4; f++) /* 200, 100, 50, 25, 12 */
		assert_int_equal(vm98_kswapd_tries(KSWAPD_91, 0, 0, 0, 0, f),
				 200 >> f);
	/* the instances' water marks give the same rows */
	struct vm98 *m = boot("2.1.90", 512, NULL, NULL);
	assert_int_equal(m->freepages.high, 2048);
	vm98_free(m);
}

/* ------------------------------------------------- kernel scenarios */

/* Reads `pages` pages into the page cache, then holds all other memory
 * with order-5 and order-0 objects (ids from 1; the order-5 ones first). */
static int64_t cache_then_full(struct vm98 *m, int64_t pages)
{
	for (int64_t i = 0; i < pages; i += 1000)
		file_read(m, T0, 1, i, pages - i < 1000 ? pages - i : 1000);
	int64_t obj = 1;
	while (page_alloc(m, T0, obj, 5, RP_GFP_ATOMIC) == VM98_OK)
		obj++;
	int64_t o5 = obj - 1;
	fill_to(m, T0, &obj, 0);
	assert_int_equal(m->nr_free_pages, 0);
	return o5;
}

/* §1, §5.2, §13 P4/P5 on Linus's 512 MB machine: 64 free pages in two
 * order-5 blocks satisfy fma(); 2.1.90's kswapd stops at once, Rik's
 * (buffer+cache under 90 %) keeps going because free + async < high. */
static void scenario_2_1_90_vs_rik_512mb(void **state)
{
	(void)state;
	const char *k[] = {"2.1.90", "rik"};
	uint64_t tries[2], freed[2];
	for (int i = 0; i < 2; i++) {
		struct vm98 *m = boot(k[i], 512, NULL, NULL);
		int64_t o5 = cache_then_full(m, 8192);
		page_free(m, T0, o5);
		page_free(m, T0, o5 - 1);
		assert_int_equal(m->nr_free_pages, 64);
		assert_int_equal(free_memory_available(m, 0), 1);
		uint64_t r0 = m->st.reclaimed;
		kswapd_pass(m);
		tries[i] = m->st.kswapd_tries;
		freed[i] = m->st.reclaimed - r0;
		check_ok(m);
		vm98_free(m);
	}
	assert_int_equal(tries[0], 0);
	assert_int_equal(freed[0], 0);
	/* Rik: all of formula C's 2·max(high − 64, min) = 3968 tries (the
	 * fresh cache pages need ~20 visits each before they go) */
	assert_int_equal(tries[1], 3968);
	assert_true(freed[1] > 100);
}

/* §5.2 2.2.0: kswapd stops as soon as nr_free_pages >= freepages.high
 * (do_try_to_free_pages frees up to 32 pages per call). */
static void scenario_2_2_0_stops_at_high(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.2.0", 64, "need_resched_ns", "100000000000");
	cache_then_full(m, 8000);
	kswapd_pass(m);
	assert_true(m->nr_free_pages >= m->freepages.high);
	assert_true(m->nr_free_pages < m->freepages.high + 32);
	check_ok(m);
	vm98_free(m);
	/* 2.1.88: stops at high too (free + async when free >= min) */
	m = boot("2.1.88", 64, NULL, NULL);
	cache_then_full(m, 8000);
	kswapd_pass(m);
	assert_true(m->nr_free_pages + m->nr_async_pages >= m->freepages.high);
	assert_true(m->nr_free_pages < m->freepages.high + 8);
	check_ok(m);
	vm98_free(m);
}

/* A task allocating GFP_KERNEL pages on a full machine with page cache:
 * returns the machine after `n` allocations (task 9). */
static struct vm98 *pressure(const char *kernel, int n)
{
	struct vm98 *m = boot(kernel, 8, NULL, NULL);
	cache_then_full(m, 1200);
	for (int i = 0; i < n; i++) {
		struct rp_event ev = ev_base(T0 + 1000 * i, RP_PAGE_ALLOC);
		ev.present = RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_GFP) |
			     RP_HAS(RP_COL_TASK);
		ev.obj = 1000000 + i;
		ev.gfp = RP_GFP_KERNEL;
		ev.task = 9;
		vm98_apply(m, &ev);
	}
	vm98_flush(m);
	return m;
}

static int count_paths(struct vm98 *m, const char *path, int64_t *lat)
{
	struct vm98_stall s;
	int n = 0;
	*lat = 0;
	while (vm98_next_stall(m, &s))
		if (!strcmp(s.path, path)) {
			n++;
			*lat += s.latency_ns;
			assert_int_equal(s.task, s.task < 0 ? -1 : 9);
		}
	return n;
}

/* §13 P11: Stephen's kernels never reclaim in the allocating task: it
 * waits for kswapd ("kswapd-wait"); 2.1.90 reclaims directly. */
static void scenario_sct_no_direct_reclaim(void **state)
{
	(void)state;
	int64_t lat;
	const char *sct[] = {"sct", "sct-kswiod"};
	for (int i = 0; i < 2; i++) {
		struct vm98 *m = pressure(sct[i], 300);
		assert_int_equal(m->st.direct_calls, 0);
		assert_true(count_paths(m, "kswapd-wait", &lat) > 0);
		assert_true(lat > 0);
		assert_true(m->st.kswapd_passes > 0);
		check_ok(m);
		vm98_free(m);
	}
	struct vm98 *m = pressure("2.1.90", 300);
	assert_true(m->st.direct_calls > 0);
	assert_true(count_paths(m, "direct", &lat) > 0);
	assert_int_equal(count_paths(m, "kswapd-wait", &lat), 0);
	assert_true(m->tasks[task_get(m, 9)].delay > 0); /* closed loop */
	check_ok(m);
	vm98_free(m);
}

/* §5.2: with nothing to free, Linus's loop stops at the first failure;
 * 2.1.90 (and 2.1.91) ignore the result and run all their tries (§15);
 * ignore_result=0 switches that off. */
static void scenario_linus_stops_on_failure(void **state)
{
	(void)state;
	struct vm98 *m = boot("linus", 8, NULL, NULL);
	int64_t obj = 1;
	fill_to(m, T0, &obj, 0);
	kswapd_pass(m);
	assert_int_equal(m->st.kswapd_tries, 1);
	vm98_free(m);
	m = boot("2.1.90", 8, NULL, NULL);
	fill_to(m, T0, &obj, 0);
	kswapd_pass(m);
	assert_int_equal(m->st.kswapd_tries, 2 * 96); /* C: 2·(high − 0) */
	vm98_free(m);
	m = boot("2.1.91", 8, NULL, NULL);
	fill_to(m, T0, &obj, 0);
	kswapd_pass(m);
	assert_int_equal(m->st.kswapd_tries, 200); /* fma(3) = 0 */
	vm98_free(m);
	m = boot("2.1.91", 8, "ignore_result", "0");
	fill_to(m, T0, &obj, 0);
	kswapd_pass(m);
	assert_int_equal(m->st.kswapd_tries, 1);
	vm98_free(m);
}

/* §5.2 2.1.91: at least 32 attempts, then stop once fma(0); 2.1.92's
 * P/16 shortcut makes fma(3) = 4 → 12 tries. */
static void scenario_2_1_91_tries(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.91", 64, NULL, NULL);
	int64_t o5 = cache_then_full(m, 8000);
	page_free(m, T0, o5);
	page_free(m, T0, o5 - 1); /* fma(0) holds, fma(3) = 4 → 12 tries */
	kswapd_pass(m);
	assert_int_equal(m->st.kswapd_tries, 12);
	vm98_free(m);
	m = boot("2.1.92", 64, NULL, NULL);
	int64_t obj = 1;
	fill_to(m, T0, &obj, 1100); /* > P/16 = 1024 free */
	assert_int_equal(free_memory_available(m, 3), 4);
	kswapd_pass(m);
	assert_int_equal(m->st.kswapd_tries, 12);
	vm98_free(m);
}

/* §5.1 2.1.89: after a pass that blocked (here: on the 42 write request
 * slots while swapping out) kswapd passes again without being woken. */
static void scenario_2_1_89_sleep_quirk(void **state)
{
	(void)state;
	uint64_t passes[2];
	for (int q = 0; q < 2; q++) {
		struct vm98 *m =
		    boot("2.1.89", 8, "sleep_quirk", q ? "1" : "0");
		anon(m, T0, 1, 0, 1400, true);
		int64_t obj = 1;
		fill_to(m, T0, &obj, 30);
		vm98_advance(m, T0 + INT64_C(3000000000));
		vm98_flush(m);
		passes[q] = m->st.kswapd_passes;
		assert_true(m->st.swap_out > 0);
		check_ok(m);
		vm98_free(m);
	}
	assert_true(passes[1] > passes[0]);
}

/* The stall queue and the closed loop: a stalled task's next event is
 * deferred by its delay; another task's event is not. */
static void stall_api_closed_loop(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.90", 8, NULL, NULL);
	cache_then_full(m, 1200);
	for (int64_t p = 0; p < m->P; p++) /* an old, unreferenced cache */
		if (m->mem_map[p].kind == PK_CACHE) {
			m->mem_map[p].age = 1;
			m->mem_map[p].flags &= (uint8_t)~PG_referenced;
		}
	struct vm98_stall s;
	while (vm98_next_stall(m, &s))
		;
	struct rp_event ev = ev_base(T0 + 1000, RP_PAGE_ALLOC);
	ev.present = RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_GFP) |
		     RP_HAS(RP_COL_TASK) | RP_HAS(RP_COL_ORDER);
	ev.obj = 5000000;
	ev.gfp = RP_GFP_KERNEL;
	ev.task = 4;
	assert_int_equal(vm98_apply(m, &ev), VM98_OK);
	assert_int_equal(vm98_next_stall(m, &s), 1);
	assert_string_equal(s.path, "direct");
	assert_int_equal(s.task, 4);
	assert_int_equal(s.order, 0);
	assert_int_equal(s.gfp, RP_GFP_KERNEL);
	assert_int_equal(s.failed, 0);
	assert_true(s.latency_ns > 0);
	assert_true(s.pages_freed >= 1);
	assert_int_equal(vm98_next_stall(m, &s), 0);
	int64_t d = m->tasks[task_get(m, 4)].delay;
	assert_int_equal(d, s.latency_ns);
	/* the same task's next touch waits; an allocator event (open-loop:
	 * its objects cross tasks) and another task's touch do not */
	assert_int_equal(anon(m, T0 + 2000, 4, 0, 1, false), VM98_DEFERRED);
	ev.ts_ns = T0 + 2000;
	ev.obj++;
	assert_true(vm98_apply(m, &ev) != VM98_DEFERRED);
	assert_true(anon(m, T0 + 2000, 5, 0, 1, false) != VM98_DEFERRED);
	uint64_t before = m->st.events[RP_ANON_TOUCH];
	vm98_advance(m, T0 + 2000 + d - 1);
	assert_int_equal(m->st.events[RP_ANON_TOUCH], before);
	vm98_flush(m); /* at T0 + 2000 + d, or later if kswapd held the CPU */
	assert_int_equal(m->st.events[RP_ANON_TOUCH], before + 1);
	assert_true(vm98_now(m) >= T0 + 2000 + d);
	assert_int_equal(m->nwaiting, 0);
	/* metrics carry the percentiles */
	static struct run_out o;
	vm98_metrics(m, collect, &o);
	assert_non_null(strstr(o.metrics, "stall.p99_ns="));
	assert_non_null(strstr(o.metrics, "stall.GFP_KERNEL.p99_ns="));
	assert_non_null(strstr(o.metrics, "swapout_per_o5_regained="));
	check_ok(m);
	vm98_free(m);
}

/* ------------------------------------------------- randomized, checked */

#define NOBJ 400

/* A random mixed event: allocations and frees, network, file reads and
 * writes, metadata and data blocks, anonymous touches of 6 tasks, exits. */
static void mixed_event(uint64_t *s, int64_t *ts, int8_t *live,
			struct rp_event *ev)
{
	*ts += (int64_t)(rnd(s) % 2000000);
	unsigned r = (unsigned)(rnd(s) % 100);
	int64_t task = 1 + (int64_t)(rnd(s) % 6);
	*ev = ev_base(*ts, RP_KIND_NONE);
	if (r < 25) {
		ev->kind = RP_ANON_TOUCH;
		ev->present = RP_HAS(RP_COL_TASK) | RP_HAS(RP_COL_OFFSET) |
			      RP_HAS(RP_COL_COUNT) | RP_HAS(RP_COL_FLAGS);
		ev->task = task;
		ev->offset = (int64_t)(rnd(s) % 600);
		ev->count = 1 + (int64_t)(rnd(s) % 8);
		ev->flags = rnd(s) % 3 ? RP_FLAG_WRITE : 0;
	} else if (r < 40) {
		ev->kind = rnd(s) % 4 ? RP_FILE_READ : RP_FILE_WRITE;
		ev->present = RP_HAS(RP_COL_TASK) | RP_HAS(RP_COL_FILE) |
			      RP_HAS(RP_COL_OFFSET) | RP_HAS(RP_COL_COUNT);
		ev->task = task;
		ev->file = (int64_t)(rnd(s) % 5);
		ev->offset = (int64_t)(rnd(s) % 500);
		ev->count = 1 + (int64_t)(rnd(s) % 16);
	} else if (r < 52) {
		ev->kind = rnd(s) % 3 ? RP_BLK_READ : RP_BLK_WRITE;
		ev->present = RP_HAS(RP_COL_TASK) | RP_HAS(RP_COL_DEV) |
			      RP_HAS(RP_COL_BLOCK) | RP_HAS(RP_COL_COUNT) |
			      RP_HAS(RP_COL_FLAGS);
		ev->task = task;
		ev->dev = (int64_t)(rnd(s) % 2);
		ev->block = (int64_t)(rnd(s) % 8000);
		ev->count = 2 * (1 + (int64_t)(rnd(s) % 8));
		ev->flags = rnd(s) % 2 ? RP_FLAG_META : 0;
	} else if (r < 53) {
		ev->kind = RP_TASK_EXIT;
		ev->present = RP_HAS(RP_COL_TASK);
		ev->task = task;
	} else if (r < 60) {
		ev->kind = RP_NET_RX;
		ev->present = RP_HAS(RP_COL_BYTES);
		ev->bytes = rnd(s) % 3 ? 8340 : 200;
	} else {
		int64_t obj = (int64_t)(rnd(s) % NOBJ);
		ev->present = RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_TASK);
		ev->obj = obj;
		ev->task = task;
		if (live[obj]) {
			ev->kind = live[obj] == 1 ? RP_PAGE_FREE : RP_KFREE;
			live[obj] = 0;
			return;
		}
		ev->present |= RP_HAS(RP_COL_GFP);
		ev->gfp = (uint8_t)(1 + rnd(s) % 5);
		if (rnd(s) % 2) {
			ev->kind = RP_PAGE_ALLOC;
			ev->present |= RP_HAS(RP_COL_ORDER);
			ev->order = (int8_t)(rnd(s) % 8 ? 0 : rnd(s) % 4);
			live[obj] = 1;
		} else {
			ev->kind = RP_KMALLOC;
			ev->present |= RP_HAS(RP_COL_BYTES);
			ev->bytes = (int64_t)(rnd(s) % 9000) + 16;
			live[obj] = 2;
		}
	}
}

/* Runs n mixed events; vm98_check after each if `check`; metrics into
 * out.  Returns the number of stalls drained. */
static int64_t run_mixed(const char *kernel, uint64_t mb, int n, uint64_t seed,
			 bool check, struct run_out *out)
{
	char err[256], buf[512];
	struct vm98_params p;
	const struct vm98_kernel *k = vm98_kernel_find(kernel);
	vm98_params_init(k, &p);
	assert_int_equal(vm98_param_set(&p, "swap_mb", "3", err, sizeof(err)),
			 0);
	struct vm98 *m = vm98_new(k, mb << 20, &p, seed, err, sizeof(err));
	if (!m)
		fail_msg("%s: %s", kernel, err);
	int8_t live[NOBJ] = {0};
	int64_t ts = 1000000000, stalls = 0;
	uint64_t s = seed;
	struct rp_event ev;
	struct vm98_stall st;
	for (int i = 0; i < n; i++) {
		mixed_event(&s, &ts, live, &ev);
		vm98_apply(m, &ev);
		while (vm98_next_stall(m, &st)) {
			assert_true(st.latency_ns >= 0);
			assert_true(st.order >= -1 && st.order <= 5);
			stalls++;
		}
		if (check && vm98_check(m, buf, sizeof(buf)))
			fail_msg("%s %llu MB event %d (kind %d): %s", kernel,
				 (unsigned long long)mb, i, ev.kind, buf);
	}
	vm98_flush(m);
	vm98_advance(m, vm98_now(m) + INT64_C(2000000000));
	while (vm98_next_stall(m, &st))
		stalls++;
	if (vm98_check(m, buf, sizeof(buf)))
		fail_msg("%s at the end: %s", kernel, buf);
	assert_int_equal(m->nwaiting, 0);
	if (out) {
		out->len = 0;
		vm98_metrics(m, collect, out);
	}
	vm98_free(m);
	return stalls;
}

static void random_mixed_all_kernels_checked(void **state)
{
	(void)state;
	for (int k = 0; k < vm98_kernel_count(); k++) {
		const char *name = vm98_kernel_name(vm98_kernel_at(k));
		run_mixed(name, 8, 2500, 100 + (uint64_t)k, true, NULL);
		run_mixed(name, 12, 1200, 200 + (uint64_t)k, true, NULL);
	}
}

static void determinism(void **state)
{
	(void)state;
	static struct run_out a, b;
	for (int k = 0; k < vm98_kernel_count(); k++) {
		const char *name = vm98_kernel_name(vm98_kernel_at(k));
		int64_t sa = run_mixed(name, 8, 3000, 77, false, &a);
		int64_t sb = run_mixed(name, 8, 3000, 77, false, &b);
		assert_int_equal(sa, sb);
		assert_string_equal(a.metrics, b.metrics);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ageing_page_cache_5_8),
	    cmocka_unit_test(ageing_anon_swap_5_7),
	    cmocka_unit_test(swap_out_victims_5_5),
	    cmocka_unit_test(clock_budget_6_1),
	    cmocka_unit_test(grow_vs_recycle_8_2),
	    cmocka_unit_test(swap_tick_patterns_5_3),
	    cmocka_unit_test(tries_table_11_3),
	    cmocka_unit_test(scenario_2_1_90_vs_rik_512mb),
	    cmocka_unit_test(scenario_2_2_0_stops_at_high),
	    cmocka_unit_test(scenario_sct_no_direct_reclaim),
	    cmocka_unit_test(scenario_linus_stops_on_failure),
	    cmocka_unit_test(scenario_2_1_91_tries),
	    cmocka_unit_test(scenario_2_1_89_sleep_quirk),
	    cmocka_unit_test(stall_api_closed_loop),
	    cmocka_unit_test(random_mixed_all_kernels_checked),
	    cmocka_unit_test(determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
