/*
 * test-vm98-slab.c — kmalloc size classes and slab page orders (§7.1),
 * objects served from cached slabs and grow (§7.2), kmem_cache_reap
 * (§7.3), the 2.0.33 kmalloc (§7.4), and network receive sizing (§7.5,
 * §9.1, §9.2): an 8320-byte NFS READ reply datagram becomes a 16 KB
 * kmalloc, i.e. an order-2 block, under 2.1.9x.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm98/vm98-internal.h"

static struct vm98 *mk(const char *kernel, uint64_t mb)
{
	char err[256];
	struct vm98 *m = vm98_new(vm98_kernel_find(kernel), mb << 20, NULL, 1,
				  err, sizeof(err));
	if (!m)
		fail_msg("%s: %s", kernel, err);
	return m;
}

static void check_ok(const struct vm98 *m)
{
	char buf[512];
	if (vm98_check(m, buf, sizeof(buf)))
		fail_msg("vm98_check: %s", buf);
}

static int kmalloc_ev(struct vm98 *m, int64_t ts, int64_t obj, int64_t bytes,
		      int gfp)
{
	struct rp_event ev = {0};
	ev.ts_ns = ts;
	ev.kind = RP_KMALLOC;
	ev.present =
	    RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_BYTES) | RP_HAS(RP_COL_GFP);
	ev.obj = obj;
	ev.bytes = bytes;
	ev.gfp = (uint8_t)gfp;
	return vm98_apply(m, &ev);
}

static int kfree_ev(struct vm98 *m, int64_t ts, int64_t obj)
{
	struct rp_event ev = {0};
	ev.ts_ns = ts;
	ev.kind = RP_KFREE;
	ev.present = RP_HAS(RP_COL_OBJ);
	ev.obj = obj;
	return vm98_apply(m, &ev);
}

static int net_rx_ev(struct vm98 *m, int64_t ts, int64_t bytes, int64_t count)
{
	struct rp_event ev = {0};
	ev.ts_ns = ts;
	ev.kind = RP_NET_RX;
	ev.present = RP_HAS(RP_COL_BYTES);
	ev.bytes = bytes;
	if (count) {
		ev.present |= RP_HAS(RP_COL_COUNT);
		ev.count = count;
	}
	return vm98_apply(m, &ev);
}

/* §7.1: first cache whose object size is >= size; derived orders. */
static void kmalloc_size_classes_7_1(void **state)
{
	(void)state;
	struct vm98 *m = mk("2.1.90", 8);
	static const int64_t sz[][2] = {
	    {0, 0},	  {1, 0},      {32, 0},	   {33, 1},	{512, 4},
	    {513, 5},	  {1024, 5},   {1025, 6},  {1720, 6},	{2048, 6},
	    {2049, 7},	  {8488, 9},   {16384, 9}, {16385, 10}, {65536, 11},
	    {131072, 12}, {131073, -1}};
	for (size_t i = 0; i < sizeof(sz) / sizeof(sz[0]); i++)
		assert_int_equal(kmalloc_cache_index(m, sz[i][0]), sz[i][1]);
	/* every size up to past the largest: the first cache that fits */
	for (int64_t size = -1; size <= 140000; size++) {
		int want = 0;
		while (want < VM98_NR_GENERAL && (INT64_C(32) << want) < size)
			want++;
		assert_int_equal(kmalloc_cache_index(m, size),
				 want < VM98_NR_GENERAL ? want : -1);
	}
	/* §7.1 table, 2.1.89 – 2.1.92: order × objects per slab */
	static const int ord[] = {0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 3, 4, 5};
	static const int num[] = {-1, -1, -1, -1, 8, 8, 8, 4, 2, 1, 1, 1, 1};
	for (int i = 0; i < VM98_NR_GENERAL; i++) {
		assert_int_equal(m->cache[i].order, ord[i]);
		if (num[i] > 0)
			assert_int_equal(m->cache[i].num, num[i]);
		assert_int_equal(m->cache[i].objsize, 32 << i);
	}
	/* caches below 512 bytes: on-slab descriptor (32) and a 4-byte
	 * bufctl per object, L1-aligned: 64/96/160/288-byte strides */
	assert_int_equal(m->cache[0].num, 63);
	assert_int_equal(m->cache[1].num, 42);
	assert_int_equal(m->cache[2].num, 25);
	assert_int_equal(m->cache[3].num, 14);
	assert_int_equal(m->cache[VM98_CACHE_SLAB].num, 63);
	/* off-slab descriptors and index arrays for >= 512 bytes */
	for (int i = 0; i < VM98_NR_GENERAL; i++) {
		assert_int_equal(m->cache[i].mgmt_cache,
				 i >= 4 ? VM98_CACHE_SLAB : -1);
		assert_int_equal(m->cache[i].bufctl_cache, i >= 4 ? 0 : -1);
	}
	vm98_free(m);
	/* 2.2.0: break order 1 at <= 32 MB, 2 above */
	m = mk("2.2.0", 32);
	assert_int_equal(m->cache[6].order, 1);
	assert_int_equal(m->cache[6].num, 4);
	assert_int_equal(m->cache[7].order, 1);
	assert_int_equal(m->cache[8].order, 1);
	assert_int_equal(m->cache[8].num, 1);
	assert_int_equal(m->cache[9].order, 2);
	vm98_free(m);
	m = mk("2.2.0", 64);
	assert_int_equal(m->cache[6].order, 2);
	assert_int_equal(m->cache[8].order, 2);
	vm98_free(m);
}

/* §7.2: the first kmalloc(2000) grows size-2048 by an order-2 slab (plus
 * the off-slab descriptor and the 32-byte index array: order 0); the next
 * seven are served from that slab; the ninth grows again. */
static void kmalloc_cached_slabs_7_2(void **state)
{
	(void)state;
	struct vm98 *m = mk("2.1.90", 8);
	assert_int_equal(kmalloc_ev(m, 1, 100, 2000, RP_GFP_KERNEL), VM98_OK);
	assert_int_equal(m->st.alloc[2], 1);
	assert_int_equal(m->st.alloc[0], 2);
	int64_t nfree = m->nr_free_pages;
	for (int i = 1; i < 8; i++)
		assert_int_equal(kmalloc_ev(m, 2, 100 + i, 1500, RP_GFP_ATOMIC),
				 VM98_OK);
	assert_int_equal(m->st.alloc[2], 1);
	assert_int_equal(m->nr_free_pages, nfree);
	assert_int_equal(kmalloc_ev(m, 3, 108, 2048, RP_GFP_KERNEL), VM98_OK);
	assert_int_equal(m->st.alloc[2], 2);
	assert_int_equal(m->cache[6].nr_slabs, 2);
	check_ok(m);
	for (int i = 0; i < 9; i++)
		assert_int_equal(kfree_ev(m, 4, 100 + i), VM98_OK);
	/* freed objects stay in their slabs (§7.2) */
	assert_int_equal(m->cache[6].nr_slabs, 2);
	assert_int_equal(m->cache[6].nr_free_slabs, 2);
	assert_int_equal(kfree_ev(m, 5, 100), VM98_UNKNOWN);
	assert_int_equal(m->st.unknown_free, 1);
	check_ok(m);
	/* §7.3: reaping (skipping caches that just grew) gives back both
	 * order-2 slabs at once in 2.1.90 */
	int pages = 0;
	for (int i = 0; i < 5 && !pages; i++)
		pages = kmem_cache_reap(m, RP_GFP_KERNEL);
	assert_int_equal(pages, 8);
	assert_int_equal(m->cache[6].nr_slabs, 0);
	check_ok(m);
	vm98_free(m);
	/* 2.1.89 reaps one slab per call */
	m = mk("2.1.89", 8);
	for (int i = 0; i < 9; i++)
		kmalloc_ev(m, 1, i, 2000, RP_GFP_KERNEL);
	for (int i = 0; i < 9; i++)
		kfree_ev(m, 2, i);
	pages = 0;
	for (int i = 0; i < 5 && !pages; i++)
		pages = kmem_cache_reap(m, RP_GFP_KERNEL);
	assert_int_equal(pages, 4);
	assert_int_equal(m->cache[6].nr_slabs, 1);
	check_ok(m);
	vm98_free(m);
}

/* §7.2 grow-retry counter: a failing non-atomic grow of an order > 0
 * cache is retried up to 4 times, later sequences up to 3; atomic never. */
static void slab_grow_retry_7_2(void **state)
{
	(void)state;
	struct vm98 *m = mk("2.1.90", 8);
	/* use up everything of order >= 2 */
	while (vm98_get_free_pages(m, RP_GFP_ATOMIC, 2) >= 0)
		;
	uint64_t a2 = m->st.alloc[2];
	assert_int_equal(kmalloc_ev(m, 1, 1, 9000, RP_GFP_ATOMIC), VM98_FAILED);
	assert_int_equal(m->st.alloc[2] - a2, 1);
	assert_int_equal(kmalloc_ev(m, 1, 2, 9000, RP_GFP_KERNEL), VM98_FAILED);
	assert_int_equal(m->st.alloc[2] - a2, 1 + 5);
	assert_int_equal(kmalloc_ev(m, 1, 3, 9000, RP_GFP_KERNEL), VM98_FAILED);
	assert_int_equal(m->st.alloc[2] - a2, 1 + 5 + 4);
	assert_int_equal(m->st.kmalloc_fail, 3);
	int order, cls;
	vm98_last_failure(m, &order, &cls);
	assert_int_equal(order, 2);
	assert_int_equal(cls, RP_GFP_KERNEL);
	assert_int_equal(kmalloc_ev(m, 1, 4, 200000, RP_GFP_NFS), VM98_FAILED);
	vm98_last_failure(m, &order, &cls);
	assert_int_equal(order, -1);
	assert_int_equal(cls, RP_GFP_NFS);
	vm98_free(m);
}

/* §7.4 2.0.33 kmalloc: buckets with an 8-byte header; order 0–2 areas
 * are parked one per order when they become free. */
static void kmalloc_2_0_33_7_4(void **state)
{
	(void)state;
	assert_int_equal(km20_bucket(9000), 9); /* 16368 → order 2 */
	assert_int_equal(km20_bucket(4072), 7); /* 4080 → order 0 */
	assert_int_equal(km20_bucket(4073), 8); /* 8176 → order 1 */
	assert_int_equal(km20_bucket(24), 0);
	assert_int_equal(km20_bucket(25), 1);
	assert_int_equal(km20_bucket(131048), 12);
	assert_int_equal(km20_bucket(131049), -1);
	struct vm98 *m = mk("2.0.33", 8);
	int64_t f0 = m->nr_free_pages;
	assert_int_equal(kmalloc_ev(m, 1, 1, 4000, RP_GFP_KERNEL), VM98_OK);
	assert_int_equal(m->nr_free_pages, f0 - 1);
	assert_int_equal(kfree_ev(m, 2, 1), VM98_OK);
	assert_int_equal(m->nr_free_pages, f0 - 1); /* parked */
	check_ok(m);
	/* a new area is asked from __get_free_pages first; freeing it
	 * parks it and gives the previously parked one back */
	assert_int_equal(kmalloc_ev(m, 3, 2, 4000, RP_GFP_KERNEL), VM98_OK);
	assert_int_equal(m->st.alloc[0], 2);
	assert_int_equal(kfree_ev(m, 4, 2), VM98_OK);
	assert_int_equal(m->nr_free_pages, f0 - 1);
	/* 9000 bytes → order-2 area */
	assert_int_equal(kmalloc_ev(m, 5, 3, 9000, RP_GFP_ATOMIC), VM98_OK);
	assert_int_equal(m->st.alloc[2], 1);
	/* 127 blocks of 32 per page */
	for (int i = 0; i < 128; i++)
		assert_int_equal(kmalloc_ev(m, 6, 1000 + i, 20, RP_GFP_KERNEL),
				 VM98_OK);
	assert_int_equal(m->st.alloc[0], 4);
	assert_int_equal(kmalloc_ev(m, 7, 4, 131049, RP_GFP_KERNEL),
			 VM98_FAILED);
	assert_int_equal(m->st.kmalloc_too_big, 1);
	check_ok(m);
	for (int i = 0; i < 128; i++)
		assert_int_equal(kfree_ev(m, 8, 1000 + i), VM98_OK);
	kfree_ev(m, 9, 3);
	check_ok(m);
	vm98_free(m);
}

/* §7.5, §9.2: sizes of the receive allocations per version. */
static void net_rx_sizes_7_5(void **state)
{
	(void)state;
	struct vm98 *m = mk("2.1.90", 8);
	/* ip_glue: dev_alloc_skb(8320) = alloc_skb(8336) → 8488 bytes */
	assert_int_equal(vm98_skb_kmalloc_size(m, 8320 + 16), 8488);
	assert_int_equal(kmalloc_cache_index(m, 8488), 9); /* size-16384 */
	assert_int_equal(m->cache[9].order, 2);
	/* typical driver buffer 1536+2 → 1720 → size-2048 → order 2 */
	assert_int_equal(vm98_skb_kmalloc_size(m, 1538 + 16), 1720);
	assert_int_equal(m->cache[kmalloc_cache_index(m, 1720)].order, 2);
	/* rsize 4096: ~4.2 KB datagram → size-8192 → order 2 */
	assert_int_equal(
	    kmalloc_cache_index(m, vm98_skb_kmalloc_size(m, 4200 + 16)), 8);
	vm98_free(m);
	m = mk("2.2.0", 64);
	assert_int_equal(vm98_skb_kmalloc_size(m, 8336), 8340);
	vm98_free(m);
	m = mk("2.0.33", 8);
	assert_int_equal(km20_bucket(vm98_skb_kmalloc_size(m, 8336)), 9);
	vm98_free(m);
}

/* §9.1: an 8 KB NFS READ reply in six fragments: six driver skbs
 * (size-2048, one order-2 slab), the reassembly queue and descriptors,
 * then the glued 8488-byte skb (size-16384: another order-2 block), held
 * for net_hold_ns and then freed. */
static void net_rx_nfs_read_reply_9_2(void **state)
{
	(void)state;
	struct vm98 *m = mk("2.1.91", 8);
	int64_t t = 1000000, hold = 200000;
	vm98_advance(m, 0);
	assert_int_equal(net_rx_ev(m, t, 8320, 6), VM98_OK);
	assert_int_equal(m->st.alloc[2], 2);
	assert_int_equal(m->st.atomic_fail[2], 0);
	assert_int_equal(m->cache[9].objs_inuse, 1);
	assert_int_equal(m->cache[6].objs_inuse, 0); /* fragments freed */
	assert_int_equal(m->netq_len, 1);
	check_ok(m);
	vm98_advance(m, t + hold - 1);
	assert_int_equal(m->netq_len, 1);
	vm98_advance(m, t + hold);
	assert_int_equal(m->netq_len, 0);
	assert_int_equal(m->cache[9].objs_inuse, 0);
	assert_int_equal(m->cache[9].nr_slabs, 1); /* stays cached */
	/* the next reply is served from the cached slabs: no buddy call */
	uint64_t allocs = 0, before = 0;
	for (int k = 0; k < NR_MEM_LISTS; k++)
		before += m->st.alloc[k];
	assert_int_equal(net_rx_ev(m, t + 2 * hold, 8320, 0), VM98_OK);
	assert_int_equal(m->st.net_rx_frags, 12); /* count derived: 6 */
	for (int k = 0; k < NR_MEM_LISTS; k++)
		allocs += m->st.alloc[k];
	assert_int_equal(allocs, before);
	/* a single frame: one size-2048 skb */
	assert_int_equal(net_rx_ev(m, t + 3 * hold, 1400, 0), VM98_OK);
	assert_int_equal(m->cache[6].objs_inuse, 1);
	check_ok(m);
	vm98_advance(m, t + 10 * hold);
	assert_int_equal(m->netq_len, 0);
	assert_int_equal(m->cache[6].objs_inuse, 0);
	check_ok(m);
	vm98_free(m);
	/* 2.2.0: header from skbuff_head_cache, data kmalloc */
	m = mk("2.2.0", 64);
	assert_int_equal(net_rx_ev(m, 5, 8320, 6), VM98_OK);
	assert_int_equal(m->cache[VM98_CACHE_SKBUFF].objs_inuse, 1);
	assert_int_equal(m->cache[9].objs_inuse, 1);
	check_ok(m);
	vm98_free(m);
	/* 2.0.33 bucket kmalloc */
	m = mk("2.0.33", 8);
	assert_int_equal(net_rx_ev(m, 5, 8320, 6), VM98_OK);
	assert_int_equal(m->st.alloc[2], 1);
	check_ok(m);
	vm98_advance(m, 5 + 10 * hold);
	check_ok(m);
	vm98_free(m);
}

/* TCP: no reassembly; a 64 KB (GRO) segment is 44 MTU frames, each a
 * size-2048 skb held until consumed.  A UDP datagram > 65535 is dropped. */
static void net_rx_tcp_and_too_big_9_1(void **state)
{
	(void)state;
	struct vm98 *m = mk("2.1.90", 8);
	struct rp_event ev = {0};
	ev.ts_ns = 10;
	ev.kind = RP_NET_RX;
	ev.present = RP_HAS(RP_COL_BYTES) | RP_HAS(RP_COL_FLAGS);
	ev.bytes = 65226;
	ev.flags = RP_FLAG_TCP;
	assert_int_equal(vm98_apply(m, &ev), VM98_OK);
	assert_int_equal(m->st.net_rx_tcp_frames, 44);
	assert_int_equal(m->cache[6].objs_inuse, 44);
	assert_int_equal(m->st.alloc[5], 0); /* no 64 KB buffer */
	assert_int_equal(m->netq_len, 44);
	check_ok(m);
	/* count 1 from a GRO capture does not make it one frame */
	ev.present |= RP_HAS(RP_COL_COUNT);
	ev.count = 1;
	assert_int_equal(vm98_apply(m, &ev), VM98_OK);
	assert_int_equal(m->st.net_rx_tcp_frames, 88);
	/* a kernel tracepoint's skb (other transport, count 1) likewise */
	ev.flags = RP_FLAG_OTHER_TRANSPORT;
	ev.bytes = 3000;
	assert_int_equal(vm98_apply(m, &ev), VM98_OK);
	assert_int_equal(m->st.net_rx_tcp_frames, 90);
	/* other transport with fragments: reassembled like UDP */
	ev.count = 3;
	assert_int_equal(vm98_apply(m, &ev), VM98_OK);
	assert_int_equal(m->st.net_rx_frags, 3);
	/* UDP with count 1 but 8320 bytes: 6 fragments at MTU 1500 */
	ev.flags = 0;
	ev.bytes = 8320;
	ev.count = 1;
	assert_int_equal(vm98_apply(m, &ev), VM98_OK);
	assert_int_equal(m->st.net_rx_frags, 9);
	ev.flags = 0; /* UDP */
	ev.bytes = 70000;
	assert_int_equal(vm98_apply(m, &ev), VM98_DROPPED);
	assert_int_equal(m->st.net_rx_too_big, 1);
	vm98_advance(m, 1000000000);
	assert_int_equal(m->cache[6].objs_inuse, 0);
	check_ok(m);
	vm98_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kmalloc_size_classes_7_1),
	    cmocka_unit_test(kmalloc_cached_slabs_7_2),
	    cmocka_unit_test(slab_grow_retry_7_2),
	    cmocka_unit_test(kmalloc_2_0_33_7_4),
	    cmocka_unit_test(net_rx_sizes_7_5),
	    cmocka_unit_test(net_rx_nfs_read_reply_9_2),
	    cmocka_unit_test(net_rx_tcp_and_too_big_9_1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
