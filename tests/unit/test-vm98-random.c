/*
 * test-vm98-random.c — randomized event sequences (page_alloc/free of
 * orders 0–5 with every GFP class and DMA, kmalloc/kfree of all sizes,
 * net_rx, time advancing) on every kernel, with vm98_check after every
 * event; determinism (same seed + events → same metrics); the obj map
 * against a reference.
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

#define NOBJ 600

/* Builds the i-th event of a random sequence; live[] tracks which obj
 * ids are allocated so that most frees hit (some deliberately miss). */
static void make_event(uint64_t *s, int64_t *ts, int8_t *live,
		       struct rp_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	*ts += (int64_t)(rnd(s) % 3000000); /* up to 3 ms */
	ev->ts_ns = *ts;
	int64_t obj = (int64_t)(rnd(s) % NOBJ);
	ev->obj = obj * 7919 - 1000; /* negative ids too */
	ev->present = RP_HAS(RP_COL_OBJ);
	unsigned r = (unsigned)(rnd(s) % 100);
	if (r < 8) {
		ev->kind = RP_NET_RX;
		ev->present = RP_HAS(RP_COL_BYTES);
		ev->bytes = (int64_t)(rnd(s) % 9000) + 40;
		if (rnd(s) % 3 == 0) { /* TCP, sometimes a GRO-sized segment */
			ev->present |= RP_HAS(RP_COL_FLAGS);
			ev->flags = RP_FLAG_TCP;
			if (rnd(s) % 4 == 0)
				ev->bytes = (int64_t)(rnd(s) % 65000) + 40;
		}
		return;
	}
	if (r < 10) {
		ev->kind = RP_FILE_READ; /* ignored for now */
		return;
	}
	if (live[obj]) {
		ev->kind = live[obj] == 1 ? RP_PAGE_FREE : RP_KFREE;
		live[obj] = 0;
		return;
	}
	ev->present |= RP_HAS(RP_COL_GFP);
	ev->gfp = (uint8_t)(1 + rnd(s) % 5);
	if (rnd(s) % 10 == 0)
		ev->gfp |= RP_GFP_DMA;
	if (r < 55) {
		ev->kind = RP_PAGE_ALLOC;
		ev->present |= RP_HAS(RP_COL_ORDER);
		unsigned o = (unsigned)(rnd(s) % 16);
		ev->order = (int8_t)(o < 8    ? 0
				     : o < 11 ? 1
				     : o < 13 ? 2
					      : o - 10);
		live[obj] = 1;
	} else {
		ev->kind = RP_KMALLOC;
		ev->present |= RP_HAS(RP_COL_BYTES);
		unsigned b = (unsigned)(rnd(s) % 20);
		ev->bytes = b < 12
				? (int64_t)(rnd(s) % 600)
				: (int64_t)(rnd(s) % (b < 18 ? 17000 : 140000));
		live[obj] = 2;
	}
	if (rnd(s) % 50 == 0) /* a lost alloc/free in the trace */
		live[obj] = 0;
}

static void run_kernel(const char *kernel, uint64_t mb, int n, uint64_t seed)
{
	char err[256], buf[512];
	struct vm98 *m = vm98_new(vm98_kernel_find(kernel), mb << 20, NULL,
				  seed, err, sizeof(err));
	if (!m)
		fail_msg("%s: %s", kernel, err);
	int8_t live[NOBJ] = {0};
	int64_t ts = 0;
	uint64_t s = seed;
	struct rp_event ev;
	for (int i = 0; i < n; i++) {
		make_event(&s, &ts, live, &ev);
		vm98_apply(m, &ev);
		if (vm98_check(m, buf, sizeof(buf)))
			fail_msg("%s event %d (kind %d): %s", kernel, i,
				 ev.kind, buf);
	}
	vm98_advance(m, ts + INT64_C(1000000000));
	if (vm98_check(m, buf, sizeof(buf)))
		fail_msg("%s at the end: %s", kernel, buf);
	assert_int_equal(m->netq_len, 0);
	/* free everything: memory must coalesce back to the boot state */
	for (uint32_t i = 0; i <= m->objs.mask; i++) {
		struct objmap_slot *sl = &m->objs.slot[i];
		if (sl->h.type == H_PAGES)
			free_pages(m, sl->h.idx, sl->h.order);
		else if (sl->h.type != H_NONE)
			vm98_kfree(m, sl->h);
		sl->h.type = H_NONE;
	}
	m->objs.used = 0;
	while (kmem_cache_reap(m, RP_GFP_KERNEL) ||
	       kmem_cache_reap(m, RP_GFP_KERNEL) ||
	       kmem_cache_reap(m, RP_GFP_KERNEL))
		;
	if (vm98_check(m, buf, sizeof(buf)))
		fail_msg("%s after freeing all: %s", kernel, buf);
	if (m->ops->slab_kind != VM98_KMALLOC_20) /* no parked areas */
		assert_int_equal(m->nr_free_pages, m->P - m->reserved_pages);
	vm98_free(m);
}

static void random_all_kernels_checked(void **state)
{
	(void)state;
	for (int k = 0; k < vm98_kernel_count(); k++) {
		const char *name = vm98_kernel_name(vm98_kernel_at(k));
		run_kernel(name, 8, 3000, 1000 + (uint64_t)k);
		run_kernel(name, 12, 1500, 2000 + (uint64_t)k);
	}
	run_kernel("2.1.91", 32, 2000, 7);
	run_kernel("2.2.0", 32, 2000, 8);
	run_kernel("2.0.33", 32, 2000, 9);
}

/* Fill memory until allocations fail, then random frees and allocs. */
static void random_pressure_checked(void **state)
{
	(void)state;
	static const char *const ks[] = {"2.1.90", "2.0.33", "2.2.0"};
	for (int k = 0; k < 3; k++) {
		char err[256], buf[512];
		struct vm98 *m = vm98_new(vm98_kernel_find(ks[k]), 4 << 20,
					  NULL, 5, err, sizeof(err));
		assert_non_null(m);
		uint64_t s = 99 + (uint64_t)k;
		struct rp_event ev = {0};
		ev.present = RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_ORDER) |
			     RP_HAS(RP_COL_GFP);
		for (int i = 0; i < 6000; i++) {
			ev.ts_ns = i * 1000;
			ev.obj = (int64_t)(rnd(&s) % 1500);
			if (objmap_get(&m->objs, ev.obj)) {
				ev.kind = RP_PAGE_FREE;
			} else {
				ev.kind = RP_PAGE_ALLOC;
				ev.order = (int8_t)(rnd(&s) % 3);
				ev.gfp = (uint8_t)(1 + rnd(&s) % 5);
			}
			vm98_apply(m, &ev);
			if (vm98_check(m, buf, sizeof(buf)))
				fail_msg("%s op %d: %s", ks[k], i, buf);
		}
		uint64_t fails = 0;
		for (int o = 0; o < NR_MEM_LISTS; o++)
			fails += m->st.alloc_fail[o];
		assert_true(fails > 0); /* memory did run out */
		vm98_free(m);
	}
}

struct collect {
	char text[8192];
	size_t len;
};

static int collect_cb(const char *name, double value, void *arg)
{
	struct collect *c = arg;
	int n = snprintf(c->text + c->len, sizeof(c->text) - c->len,
			 "%s=%.17g\n", name, value);
	if (n > 0 && c->len + (size_t)n < sizeof(c->text))
		c->len += (size_t)n;
	return 0;
}

static void metrics_of(const char *kernel, uint64_t seed, struct collect *c)
{
	char err[256];
	struct vm98 *m = vm98_new(vm98_kernel_find(kernel), 8 << 20, NULL, seed,
				  err, sizeof(err));
	assert_non_null(m);
	int8_t live[NOBJ] = {0};
	int64_t ts = 0;
	uint64_t s = 4242;
	struct rp_event ev;
	for (int i = 0; i < 20000; i++) {
		make_event(&s, &ts, live, &ev);
		vm98_apply(m, &ev);
	}
	c->len = 0;
	c->text[0] = 0;
	vm98_metrics(m, collect_cb, c);
	vm98_sample(m, collect_cb, c);
	vm98_free(m);
}

/* design.md §2: same inputs + seed → identical results. */
static void deterministic(void **state)
{
	(void)state;
	static struct collect a, b;
	metrics_of("2.1.91", 1, &a);
	metrics_of("2.1.91", 1, &b);
	assert_string_equal(a.text, b.text);
	assert_non_null(strstr(a.text, "alloc.o0="));
	assert_non_null(strstr(a.text, "nr_free_pages_mean="));
	assert_non_null(strstr(a.text, "extfrag.o5="));
	metrics_of("2.0.33", 1, &a);
	metrics_of("2.0.33", 1, &b);
	assert_string_equal(a.text, b.text);
}

/* The same sequence through vm98_apply_slot, numbering objs as the replay
 * engine does (trace-level liveness: a slot per live obj id, NO_SLOT for a
 * free of an obj not allocated), must give the same results. */
static void metrics_of_slots(const char *kernel, uint64_t seed,
			     struct collect *c)
{
	char err[256];
	struct vm98 *m = vm98_new(vm98_kernel_find(kernel), 8 << 20, NULL, seed,
				  err, sizeof(err));
	assert_non_null(m);
	int8_t live[NOBJ] = {0}, held[NOBJ] = {0};
	int64_t ts = 0;
	uint64_t s = 4242;
	struct rp_event ev;
	for (int i = 0; i < 20000; i++) {
		make_event(&s, &ts, live, &ev);
		uint32_t slot = VM98_NO_SLOT;
		if (ev.present & RP_HAS(RP_COL_OBJ)) {
			uint32_t idx = (uint32_t)((ev.obj + 1000) / 7919);
			if (ev.kind == RP_PAGE_ALLOC || ev.kind == RP_KMALLOC) {
				slot = idx;
				held[idx] = 1;
			} else if (ev.kind == RP_PAGE_FREE ||
				   ev.kind == RP_KFREE) {
				slot = held[idx] ? idx : VM98_NO_SLOT;
				held[idx] = 0;
			}
		}
		vm98_apply_slot(m, &ev, slot);
	}
	c->len = 0;
	c->text[0] = 0;
	vm98_metrics(m, collect_cb, c);
	vm98_sample(m, collect_cb, c);
	vm98_free(m);
}

static void slots_same_as_obj_ids(void **state)
{
	(void)state;
	static struct collect a, b;
	static const char *const kernels[] = {"2.0.33", "2.1.90", "2.1.91",
					      "2.2.0", "sct"};
	for (size_t k = 0; k < sizeof(kernels) / sizeof(kernels[0]); k++) {
		metrics_of(kernels[k], 3, &a);
		metrics_of_slots(kernels[k], 3, &b);
		assert_string_equal(a.text, b.text);
	}
}

/* The obj map against a brute-force reference, incl. deletions that
 * shift probe runs and growth. */
static void objmap_reference(void **state)
{
	(void)state;
	struct objmap om;
	assert_int_equal(objmap_init(&om, 4), 0);
	enum { N = 5000 };
	static int64_t keys[N];
	static int32_t vals[N];
	static int8_t in[N];
	uint64_t s = 3;
	for (int i = 0; i < N; i++)
		keys[i] = (int64_t)rnd(&s) ^ (i & 1 ? INT64_MIN : 0);
	keys[0] = 0;
	keys[1] = INT64_MIN;
	keys[2] = -1;
	for (int round = 0; round < 200000; round++) {
		int i = (int)(rnd(&s) % N);
		struct vm98_handle h = {H_PAGES, 0, 0, round}, old;
		if (in[i] && rnd(&s) % 2) {
			assert_true(objmap_del(&om, keys[i], &old));
			assert_int_equal(old.idx, vals[i]);
			in[i] = 0;
		} else {
			assert_int_equal(objmap_put(&om, keys[i], h, &old), 0);
			assert_int_equal(old.type, in[i] ? H_PAGES : H_NONE);
			if (in[i])
				assert_int_equal(old.idx, vals[i]);
			vals[i] = round;
			in[i] = 1;
		}
		if (round % 9973 == 0) {
			uint32_t used = 0;
			for (int j = 0; j < N; j++) {
				struct vm98_handle *g =
				    objmap_get(&om, keys[j]);
				if (in[j]) {
					assert_non_null(g);
					assert_int_equal(g->idx, vals[j]);
					used++;
				} else {
					assert_null(g);
				}
			}
			assert_int_equal(used, om.used);
		}
	}
	objmap_destroy(&om);
}

/* The checker must notice each kind of damage. */
static void checker_detects_damage(void **state)
{
	(void)state;
	char err[256], buf[512];
	const struct vm98_kernel *k = vm98_kernel_find("2.1.90");
	struct rp_event ev = {0};
	ev.kind = RP_PAGE_ALLOC;
	ev.present = RP_HAS(RP_COL_OBJ) | RP_HAS(RP_COL_ORDER);
	ev.order = 1;
	ev.obj = 5;
	for (int what = 0; what < 7; what++) {
		struct vm98 *m =
		    vm98_new(k, 8 << 20, NULL, 1, err, sizeof(err));
		assert_non_null(m);
		assert_int_equal(vm98_apply(m, &ev), VM98_OK);
		assert_int_equal(vm98_check(m, buf, sizeof(buf)), 0);
		struct vm98_handle h;
		switch (what) {
		case 0: m->free_area[2].map[0] ^= 1; break;
		case 1: m->nr_free_pages++; break;
		case 2: m->free_area[3].nr_blocks++; break;
		case 3: objmap_del(&m->objs, 5, &h); break; /* lost pages */
		case 4: m->mem_map[m->mem_map[m->P].next].prev = 3; break;
		case 5: m->mem_map[m->start_mem_pfn + 1].free_order = 0; break;
		case 6: m->mem_map[100].flags &= ~PG_DMA; break;
		}
		assert_int_not_equal(vm98_check(m, buf, sizeof(buf)), 0);
		print_message("damage %d: %s\n", what, buf);
		vm98_free(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(random_all_kernels_checked),
	    cmocka_unit_test(random_pressure_checked),
	    cmocka_unit_test(deterministic),
	    cmocka_unit_test(slots_same_as_obj_ids),
	    cmocka_unit_test(objmap_reference),
	    cmocka_unit_test(checker_detects_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
