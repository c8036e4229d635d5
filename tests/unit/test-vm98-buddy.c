/*
 * test-vm98-buddy.c — hand-worked buddy allocator scenarios (spec §3):
 * boot population (§3.3), split keeping the upper half (§3.5), coalescing
 * (§3.4), LIFO reuse (§3.1), the maxorder rule (§3.6), DMA (§3.8), the
 * 2.0.33 reserves and 2.2.0 hysteresis (§3.7), and Linus's case (§1):
 * thousands of pages free in order-0/1 blocks, order-2 GFP_ATOMIC fails.
 * Free lists are compared block by block, head first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm98/vm98-internal.h"

static struct vm98 *boot(const char *kernel, uint64_t mb, int64_t start_kb)
{
	char err[256];
	const struct vm98_kernel *k = vm98_kernel_find(kernel);
	assert_non_null(k);
	struct vm98_params p;
	vm98_params_init(k, &p);
	char v[32];
	snprintf(v, sizeof(v), "%lld", (long long)start_kb);
	assert_int_equal(
	    vm98_param_set(&p, "start_mem_kb", v, err, sizeof(err)), 0);
	assert_int_equal(
	    vm98_param_set(&p, "initmem_kb", "0", err, sizeof(err)), 0);
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

/* Free list k, head first, must equal the given pfns (-1 terminated). */
static void expect_list(const struct vm98 *m, int k, ...)
{
	va_list ap;
	va_start(ap, k);
	int32_t h = (int32_t)m->P + k, p = m->mem_map[h].next;
	int i = 0;
	for (;;) {
		int want = va_arg(ap, int);
		if (want < 0) {
			if (p != h)
				fail_msg("list %d: extra block %d at %d", k, p,
					 i);
			break;
		}
		if (p == h)
			fail_msg("list %d: ends at %d, want %d", k, i, want);
		if (p != want)
			fail_msg("list %d[%d] = %d, want %d", k, i, p, want);
		p = m->mem_map[p].next;
		i++;
	}
	va_end(ap);
}

/* Allocates like a page_alloc event with obj = pfn, so vm98_check
 * knows who holds the block. */
static int32_t gfp(struct vm98 *m, int cls, int order)
{
	int32_t pfn = vm98_get_free_pages(m, cls, order);
	if (pfn >= 0) {
		struct vm98_handle h = {H_PAGES, (uint8_t)order, 0, pfn}, old;
		assert_int_equal(objmap_put(&m->objs, pfn, h, &old), 0);
		assert_int_equal(old.type, H_NONE);
	}
	return pfn;
}

static void put(struct vm98 *m, int32_t pfn, int order)
{
	struct vm98_handle h;
	assert_true(objmap_del(&m->objs, pfn, &h));
	assert_int_equal(h.order, order);
	free_pages(m, pfn, order);
}

/* §3.3 derived example: 8 MB, start_mem at 2 MB: list 0 = 158, 1;
 * list 5 = 2016, 1984, ..., 512, 96, 64, 32. */
static void boot_8mb_spec_example_3_3(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.90", 8, 2048);
	expect_list(m, 0, 158, 1, -1);
	expect_list(m, 1, 156, 2, -1);
	expect_list(m, 2, 152, 4, -1);
	expect_list(m, 3, 144, 8, -1);
	expect_list(m, 4, 128, 16, -1);
	int32_t h = (int32_t)m->P + 5, p = m->mem_map[h].next;
	for (int32_t want = 2016; want >= 512; want -= 32) {
		assert_int_equal(p, want);
		p = m->mem_map[p].next;
	}
	assert_int_equal(p, 96);
	p = m->mem_map[p].next;
	assert_int_equal(p, 64);
	p = m->mem_map[p].next;
	assert_int_equal(p, 32);
	assert_int_equal(m->mem_map[p].next, h);
	assert_int_equal(m->free_area[5].nr_blocks, 48 + 3);
	assert_int_equal(m->nr_free_pages, 158 + (2048 - 512));
	assert_int_equal(m->reserved_pages, 2048 - m->nr_free_pages);
	check_ok(m);
	vm98_free(m);
}

/* §3.5: head first, split returns the upper half, lower halves at the
 * heads; §3.4: freeing coalesces back; §3.1: LIFO reuse. */
static void split_upper_half_and_coalesce_3_4_3_5(void **state)
{
	(void)state;
	/* 2 MB, start_mem 1.5 MB: free 1..158 and 384..511 */
	struct vm98 *m = boot("2.1.90", 2, 1536);
	expect_list(m, 0, 158, 1, -1);
	expect_list(m, 1, 156, 2, -1);
	expect_list(m, 5, 480, 448, 416, 384, 96, 64, 32, -1);
	assert_int_equal(gfp(m, RP_GFP_ATOMIC, 0), 158); /* head */
	assert_int_equal(gfp(m, RP_GFP_ATOMIC, 0), 1);
	/* list 0 empty: split 156 (order 1), keep the upper page */
	assert_int_equal(gfp(m, RP_GFP_ATOMIC, 0), 157);
	expect_list(m, 0, 156, -1);
	expect_list(m, 1, 2, -1);
	check_ok(m);
	/* free 157: merges with 156 into order 1 at the head */
	put(m, 157, 0);
	expect_list(m, 0, -1);
	expect_list(m, 1, 156, 2, -1);
	check_ok(m);
	/* LIFO: free 1 then 158 → list 0 = 158, 1; next alloc is 158 */
	put(m, 1, 0);
	put(m, 158, 0);
	expect_list(m, 0, 158, 1, -1);
	assert_int_equal(gfp(m, RP_GFP_ATOMIC, 0), 158);
	expect_list(m, 0, 1, -1);
	check_ok(m);
	vm98_free(m);
}

/* §3.5 EXPAND of an order-5 block for an order-0 request: 480 splits into
 * 480 (o4), 496 (o3), 504 (o2), 508 (o1), 510 (o0); 511 is returned.
 * Freeing 511 coalesces all the way back to one order-5 block. */
static void expand_order5_3_5(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.2.0", 2, 1536);
	/* empty lists 0..4 first (atomic, no maxorder in 2.2.0 anyway) */
	int32_t held[16];
	int n = 0;
	for (int k = 0; k < 5; k++)
		while (m->free_area[k].nr_blocks)
			held[n++] = gfp(m, RP_GFP_ATOMIC, k);
	assert_int_equal(n, 10);
	int64_t before = m->nr_free_pages;
	assert_int_equal(gfp(m, RP_GFP_ATOMIC, 0), 511);
	assert_int_equal(m->nr_free_pages, before - 1);
	expect_list(m, 0, 510, -1);
	expect_list(m, 1, 508, -1);
	expect_list(m, 2, 504, -1);
	expect_list(m, 3, 496, -1);
	expect_list(m, 4, 480, -1);
	expect_list(m, 5, 448, 416, 384, 96, 64, 32, -1);
	/* an order-2 request takes 504 whole (exact fit, head) */
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 2), 504);
	put(m, 504, 2);
	put(m, 511, 0);
	expect_list(m, 0, -1);
	expect_list(m, 4, -1);
	expect_list(m, 5, 480, 448, 416, 384, 96, 64, 32, -1);
	assert_int_equal(m->nr_free_pages, before);
	(void)held;
	check_ok(m);
	vm98_free(m);
}

/* Leaves exactly one free order-5 block (all other free memory held). */
static struct vm98 *one_order5_left(const char *kernel)
{
	struct vm98 *m = boot(kernel, 2, 1536);
	for (int k = 0; k < 5; k++)
		while (m->free_area[k].nr_blocks)
			assert_true(gfp(m, RP_GFP_ATOMIC, k) >= 0);
	while (m->free_area[5].nr_blocks > 1)
		assert_true(gfp(m, RP_GFP_ATOMIC, 5) >= 0);
	assert_int_equal(m->nr_free_pages, 32);
	return m;
}

/* §3.6: GFP_KERNEL (maxorder 2) and GFP_NFS (4) may not take the only
 * block of list 5; GFP_ATOMIC may. */
static void maxorder_refusal_3_6(void **state)
{
	(void)state;
	struct vm98 *m = one_order5_left("2.1.90");
	assert_int_equal(
	    vm98_maxorder(m, vm98_gfp_mask(VM98_GFP_21, RP_GFP_KERNEL), 0), 2);
	assert_int_equal(
	    vm98_maxorder(m, vm98_gfp_mask(VM98_GFP_21, RP_GFP_NFS), 0), 4);
	assert_int_equal(
	    vm98_maxorder(m, vm98_gfp_mask(VM98_GFP_21, RP_GFP_NFS), 2), 6);
	assert_int_equal(
	    vm98_maxorder(m, vm98_gfp_mask(VM98_GFP_21, RP_GFP_ATOMIC), 0), 6);
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 0), -1);
	assert_int_equal(gfp(m, RP_GFP_NFS, 0), -1);
	assert_int_equal(gfp(m, RP_GFP_BUFFER, 1), -1);
	assert_int_equal(m->st.alloc_fail[0], 2);
	assert_int_equal(m->st.atomic_fail[0], 0);
	/* order 2 MED: maxorder 6 → allowed; the last block is 32 */
	int32_t big = gfp(m, RP_GFP_NFS, 2);
	assert_int_equal(big, 60);
	put(m, big, 2);
	expect_list(m, 5, 32, -1);
	/* atomic order 0 takes it: lists 0..4 get one block each */
	assert_int_equal(gfp(m, RP_GFP_ATOMIC, 0), 63);
	/* GFP_KERNEL order 0: list 0 (k=0 < 2) has a block → ok */
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 0), 62);
	/* list 1 (k=1 < 2), only block, may be split */
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 0), 61);
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 0), 60);
	/* now lists 0,1 empty; 2,3,4 hold one block each: refused */
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 0), -1);
	/* GFP_NFS (maxorder 4) may split list 2's only block */
	assert_int_equal(gfp(m, RP_GFP_NFS, 0), 59);
	expect_list(m, 0, 58, -1);
	expect_list(m, 1, 56, -1);
	expect_list(m, 2, -1);
	expect_list(m, 3, 48, -1);
	expect_list(m, 4, 32, -1);
	check_ok(m);
	vm98_free(m);
	/* 2.2.0 and 2.0.33 have no maxorder rule (§3.5 notes) */
	m = one_order5_left("2.2.0");
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 0), 63);
	check_ok(m);
	vm98_free(m);
}

/* §3.6 with two blocks on list 5: the head may be taken. */
static void maxorder_two_blocks_3_6(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.91", 2, 1536);
	for (int k = 0; k < 5; k++)
		while (m->free_area[k].nr_blocks)
			assert_true(gfp(m, RP_GFP_ATOMIC, k) >= 0);
	while (m->free_area[5].nr_blocks > 2)
		assert_true(gfp(m, RP_GFP_ATOMIC, 5) >= 0);
	expect_list(m, 5, 64, 32, -1);
	assert_int_equal(gfp(m, RP_GFP_USER, 0), 95);
	expect_list(m, 5, 32, -1);
	check_ok(m);
	vm98_free(m);
}

/* §3.8: __GFP_DMA takes only blocks below 16 MB; others take the head. */
static void dma_3_8(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.90", 32, 2048);
	assert_true(m->mem_map[4095].flags & PG_DMA);
	assert_false(m->mem_map[4096].flags & PG_DMA);
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 5), 8160);
	assert_int_equal(gfp(m, RP_GFP_KERNEL | RP_GFP_DMA, 5), 4064);
	/* order 0 DMA: list 0 head is 158 (< 16 MB): taken */
	assert_int_equal(gfp(m, RP_GFP_ATOMIC | RP_GFP_DMA, 0), 158);
	check_ok(m);
	vm98_free(m);
	/* a machine with no DMA block free: DMA request fails, counted */
	m = boot("2.2.0", 32, 16384);
	for (int k = 0; k < 5; k++)
		while (m->free_area[k].nr_blocks)
			assert_true(gfp(m, RP_GFP_ATOMIC, k) >= 0);
	while (gfp(m, RP_GFP_ATOMIC | RP_GFP_DMA, 5) >= 0)
		;
	assert_true(m->nr_free_pages > 4000); /* all above 16 MB */
	assert_int_equal(gfp(m, RP_GFP_ATOMIC | RP_GFP_DMA, 0), -1);
	assert_true(gfp(m, RP_GFP_ATOMIC, 0) >= 4096);
	assert_int_equal(m->st.dma_fail, 2);
	assert_int_equal(m->st.atomic_fail[0], 1);
	check_ok(m);
	vm98_free(m);
}

/* §3.7 2.0.33: non-atomic requests need nr_free_pages > reserve
 * (min; GFP_BUFFER min - (12 + min/8); GFP_NFS 5); atomic ignores it. */
static void reserves_2_0_33_3_7(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.0.33", 8, 2048);
	assert_int_equal(m->freepages.min, 48);
	while (m->nr_free_pages > 48)
		assert_true(gfp(m, RP_GFP_ATOMIC, 0) >= 0);
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 0), -1);
	assert_int_equal(gfp(m, RP_GFP_USER, 0), -1);
	assert_true(gfp(m, RP_GFP_BUFFER, 0) >= 0); /* reserve 30 */
	assert_true(gfp(m, RP_GFP_NFS, 0) >= 0);    /* reserve 5 */
	while (m->nr_free_pages > 30)
		assert_true(gfp(m, RP_GFP_ATOMIC, 0) >= 0);
	assert_int_equal(gfp(m, RP_GFP_BUFFER, 0), -1);
	assert_true(gfp(m, RP_GFP_ATOMIC, 0) >= 0);
	assert_int_equal(m->st.fail_class[RP_GFP_KERNEL], 1);
	assert_int_equal(m->st.fail_class[RP_GFP_BUFFER], 1);
	check_ok(m);
	vm98_free(m);
}

/* §3.7 2.2.0: below min low_on_memory is set; without reclaim GFP_USER
 * and GFP_BUFFER fail, GFP_KERNEL (MED) and GFP_ATOMIC (HIGH) proceed;
 * the flag clears only at freepages.high. */
static void hysteresis_2_2_0_3_7(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.2.0", 8, 2048);
	assert_int_equal(m->freepages.min, 16);
	assert_int_equal(m->freepages.high, 48);
	int32_t pf[4096];
	int n = 0;
	while (m->nr_free_pages > 16)
		pf[n++] = gfp(m, RP_GFP_ATOMIC, 0);
	assert_int_equal(gfp(m, RP_GFP_USER, 0), -1);
	assert_int_equal(m->low_on_memory, 1);
	assert_int_equal(m->st.kswapd_wakeups, 1);
	assert_true(gfp(m, RP_GFP_KERNEL, 0) >= 0);
	/* back to 40 free (> min, < high): still low_on_memory */
	while (m->nr_free_pages < 40)
		put(m, pf[--n], 0);
	assert_int_equal(gfp(m, RP_GFP_BUFFER, 0), -1);
	while (m->nr_free_pages < 49)
		put(m, pf[--n], 0);
	assert_true(gfp(m, RP_GFP_BUFFER, 0) >= 0);
	assert_int_equal(m->low_on_memory, 0);
	check_ok(m);
	vm98_free(m);
}

/* Linus's case (§1, §9.2): 512 MB fragmented into order-1 blocks with
 * tens of thousands of pages free; an order-2 GFP_ATOMIC (an 8 KB NFS
 * reply) fails, an order-1 one succeeds. */
static void linus_case_512mb(void **state)
{
	(void)state;
	char err[256];
	const struct vm98_kernel *k = vm98_kernel_find("2.1.90");
	struct vm98 *m = vm98_new(k, 512ull << 20, NULL, 1, err, sizeof(err));
	assert_non_null(m);
	struct rp_event ev = {0};
	ev.present =
	    RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_ORDER) | RP_HAS(RP_COL_GFP);
	ev.gfp = RP_GFP_ATOMIC;
	ev.order = 0;
	ev.kind = RP_PAGE_ALLOC;
	/* take every page, remembering obj = pfn */
	for (;;) {
		int32_t pfn = vm98_get_free_pages(m, RP_GFP_ATOMIC, 0);
		if (pfn < 0)
			break;
		struct vm98_handle h = {H_PAGES, 0, 0, pfn}, old;
		assert_int_equal(objmap_put(&m->objs, pfn, h, &old), 0);
	}
	assert_int_equal(m->nr_free_pages, 0);
	/* free pfn % 4 in {0,1}: pairs merge to order 1, never order 2 */
	ev.kind = RP_PAGE_FREE;
	for (int64_t p = 0; p < m->P; p++) {
		if ((p & 3) > 1)
			continue;
		ev.obj = p;
		vm98_apply(m, &ev);
	}
	assert_true(m->nr_free_pages > 60000);
	assert_int_equal(m->free_area[2].nr_blocks, 0);
	assert_true(m->free_area[1].nr_blocks > 30000);
	ev.kind = RP_PAGE_ALLOC;
	ev.obj = -1;
	ev.order = 2;
	assert_int_equal(vm98_apply(m, &ev), VM98_FAILED);
	assert_int_equal(m->st.atomic_fail[2], 1);
	ev.order = 1;
	ev.obj = -2;
	assert_int_equal(vm98_apply(m, &ev), VM98_OK);
	/* 8 KB NFS reply: dropped */
	struct rp_event rx = {0};
	rx.kind = RP_NET_RX;
	rx.present = RP_HAS(RP_COL_BYTES) | RP_HAS(RP_COL_COUNT);
	rx.bytes = 8320;
	rx.count = 6;
	assert_int_equal(vm98_apply(m, &rx), VM98_DROPPED);
	assert_int_equal(m->st.net_rx_drop, 1);
	check_ok(m);
	vm98_free(m);
}

/* ---- the reclaim hooks (§3.7): where the allocator calls them ---- */

static int32_t fake_pool[64];
static int fake_n;

/* A stand-in for try_to_free_page: frees one held page per call. */
static int fake_reclaim(struct vm98 *m, int mask)
{
	(void)mask;
	if (!fake_n)
		return 0;
	put(m, fake_pool[--fake_n], 0);
	return 1;
}

static struct vm98 *with_fake_reclaim(const char *kernel, struct vm98_ops *ops,
				      struct vm98_kernel *kk)
{
	const struct vm98_kernel *k = vm98_kernel_find(kernel);
	*ops = *k->ops;
	ops->try_to_free_page = fake_reclaim;
	*kk = *k;
	kk->ops = ops;
	char err[256];
	struct vm98 *m = vm98_new(kk, 2 << 20, NULL, 1, err, sizeof(err));
	assert_non_null(m);
	/* hold everything, the last order-0 pages in the pool */
	fake_n = 0;
	for (;;) {
		int32_t p = gfp(m, RP_GFP_ATOMIC, 0);
		if (p < 0)
			break;
		if (fake_n < 3)
			fake_pool[fake_n++] = p;
	}
	return m;
}

static void reclaim_hook_calls_3_7(void **state)
{
	(void)state;
	struct vm98_ops ops;
	struct vm98_kernel kk;
	/* 2.1.90: one try_to_free_page per retry, retried while it works */
	struct vm98 *m = with_fake_reclaim("2.1.90", &ops, &kk);
	uint64_t r0 = m->st.reclaim_calls;
	assert_true(gfp(m, RP_GFP_KERNEL, 0) >= 0);
	assert_int_equal(m->st.reclaim_calls - r0, 1);
	/* GFP_ATOMIC never reclaims */
	assert_int_equal(gfp(m, RP_GFP_ATOMIC, 0), -1);
	assert_int_equal(m->st.reclaim_calls - r0, 1);
	/* GFP_BUFFER (WAIT, no IO) does */
	assert_true(gfp(m, RP_GFP_BUFFER, 0) >= 0);
	assert_int_equal(m->st.reclaim_calls - r0, 2);
	/* an order-1 request: the freed pages never pair up → reclaim
	 * until it fails (1 page left in the pool, then failure) */
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 1), -1);
	assert_int_equal(m->st.reclaim_calls - r0, 4);
	check_ok(m);
	vm98_free(m);
	/* 2.1.91: always 32 calls per round */
	m = with_fake_reclaim("2.1.91", &ops, &kk);
	r0 = m->st.reclaim_calls;
	assert_true(gfp(m, RP_GFP_USER, 0) >= 0);
	assert_int_equal(m->st.reclaim_calls - r0, 32);
	check_ok(m);
	vm98_free(m);
	/* 2.0.33: below the reserve a GFP_KERNEL request reclaims first */
	m = with_fake_reclaim("2.0.33", &ops, &kk);
	r0 = m->st.reclaim_calls;
	assert_int_equal(gfp(m, RP_GFP_KERNEL, 0), -1); /* 3 freed, < min */
	assert_int_equal(m->st.reclaim_calls - r0, 4);
	assert_int_equal(gfp(m, RP_GFP_BUFFER, 0), -1); /* never reclaims */
	assert_int_equal(m->st.reclaim_calls - r0, 4);
	vm98_free(m);
	/* sct: a failing WAIT request wakes kswapd, then waits */
	m = with_fake_reclaim("sct", &ops, &kk);
	uint64_t w0 = m->st.kswapd_wakeups; /* the fill's last failure */
	assert_int_equal(w0, 1);
	assert_true(gfp(m, RP_GFP_KERNEL, 0) >= 0);
	assert_int_equal(m->st.kswapd_wakeups - w0, 1);
	vm98_free(m);
}

/* HZ = 100 ticks and the time-weighted mean of nr_free_pages. */
static void clock_ticks_and_mean(void **state)
{
	(void)state;
	struct vm98 *m = boot("2.1.90", 8, 2048);
	int64_t f = m->nr_free_pages;
	vm98_advance(m, 5000000000LL); /* origin at 5 s */
	vm98_advance(m, 5500000000LL);
	struct rp_event ev = {0};
	ev.ts_ns = 5500000000LL;
	ev.kind = RP_PAGE_ALLOC;
	ev.present = RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_ORDER);
	ev.order = 3;
	ev.obj = 1;
	assert_int_equal(vm98_apply(m, &ev), VM98_OK);
	vm98_advance(m, 6000000000LL);
	vm98_advance(m, 5000000000LL); /* backwards: ignored */
	assert_int_equal(m->st.ticks, 100);
	assert_int_equal(vm98_now(m), 6000000000LL);
	assert_int_equal(m->free_min, f - 8);
	double mean = m->free_integral / 1e9;
	assert_true(mean > (double)f - 4.0001 && mean < (double)f - 3.9999);
	check_ok(m);
	vm98_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(boot_8mb_spec_example_3_3),
	    cmocka_unit_test(split_upper_half_and_coalesce_3_4_3_5),
	    cmocka_unit_test(expand_order5_3_5),
	    cmocka_unit_test(maxorder_refusal_3_6),
	    cmocka_unit_test(maxorder_two_blocks_3_6),
	    cmocka_unit_test(dma_3_8),
	    cmocka_unit_test(reserves_2_0_33_3_7),
	    cmocka_unit_test(hysteresis_2_2_0_3_7),
	    cmocka_unit_test(linus_case_512mb),
	    cmocka_unit_test(reclaim_hook_calls_3_7),
	    cmocka_unit_test(clock_ticks_and_mean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
