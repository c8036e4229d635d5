/*
 * test-vm98-tables.c — table tests: water marks against §11.1 (8, 12, 32,
 * 64, 512 MB, every version family and the 2.1.92 P/16 shortcut), the
 * free_memory_available variants of §3.10, the GFP values of §4.1, and
 * the kernel registry and parameters of §12–§13.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm98/vm98-internal.h"

/* §11.1: RAM MB, P, 2.0.33 min/low/high, 2.1.88–2.1.92, 2.2.0, P/16 */
static const int64_t table_11_1[5][12] = {
    {8, 2048, 48, 72, 96, 48, 72, 96, 16, 32, 48, 128},
    {12, 3072, 48, 72, 96, 48, 72, 96, 24, 48, 72, 192},
    {32, 8192, 88, 132, 176, 64, 96, 128, 64, 128, 192, 512},
    {64, 16384, 152, 228, 304, 128, 192, 256, 128, 256, 384, 1024},
    {512, 131072, 1048, 1572, 2096, 1024, 1536, 2048, 256, 512, 768, 8192},
};

static void watermarks_table_11_1(void **state)
{
	(void)state;
	for (int r = 0; r < 5; r++) {
		const int64_t *t = table_11_1[r];
		int64_t P = t[0] * 256, mn, lo, hi;
		assert_int_equal(P, t[1]);
		for (int f = 0; f < 3; f++) {
			vm98_watermarks(f, P, &mn, &lo, &hi);
			assert_int_equal(mn, t[2 + 3 * f]);
			assert_int_equal(lo, t[3 + 3 * f]);
			assert_int_equal(hi, t[4 + 3 * f]);
		}
		assert_int_equal(P / 16, t[11]);
	}
}

struct find_ctx {
	const char *name;
	double value;
	int found;
};

static int find_cb(const char *name, double value, void *arg)
{
	struct find_ctx *c = arg;
	if (strcmp(name, c->name) == 0) {
		c->value = value;
		c->found = 1;
	}
	return 0;
}

static double metric(const struct vm98 *m, const char *name)
{
	struct find_ctx c = {name, 0, 0};
	vm98_metrics(m, find_cb, &c);
	if (!c.found)
		fail_msg("no metric %s", name);
	return c.value;
}

static double sample(const struct vm98 *m, const char *name, int *found)
{
	struct find_ctx c = {name, 0, 0};
	vm98_sample(m, find_cb, &c);
	*found = c.found;
	return c.value;
}

/* The water marks of real instances, through vm98_new (§3.9, §11.1). */
static void watermarks_instances_11_1(void **state)
{
	(void)state;
	static const char *const kernels[] = {"2.0.33", "2.1.90", "2.2.0"};
	char err[256];
	for (int r = 0; r < 5; r++) {
		for (int f = 0; f < 3; f++) {
			const struct vm98_kernel *k =
			    vm98_kernel_find(kernels[f]);
			struct vm98 *m =
			    vm98_new(k, (uint64_t)table_11_1[r][0] << 20, NULL,
				     7, err, sizeof(err));
			if (!m)
				fail_msg("%s %lld MB: %s", kernels[f],
					 (long long)table_11_1[r][0], err);
			assert_int_equal(metric(m, "num_physpages"),
					 table_11_1[r][1]);
			assert_int_equal(metric(m, "freepages.min"),
					 table_11_1[r][2 + 3 * f]);
			assert_int_equal(metric(m, "freepages.low"),
					 table_11_1[r][3 + 3 * f]);
			assert_int_equal(metric(m, "freepages.high"),
					 table_11_1[r][4 + 3 * f]);
			vm98_free(m);
		}
	}
}

/* A fake machine for free_memory_available: only the list counts,
 * nr_free_pages, P and the parameters are read. */
static int fma_of(const char *kernel, int c5, int c4, int c3, int c2, int nr,
		  int64_t nr_free, int bug)
{
	static struct vm98 m;
	memset(&m, 0, sizeof(m));
	const struct vm98_kernel *k = vm98_kernel_find(kernel);
	assert_non_null(k);
	m.kernel = k;
	m.ops = k->ops;
	vm98_params_init(k, &m.par);
	m.par.v[VP_FMA_BUG] = bug;
	m.P = 8192;
	m.nr_free_pages = nr_free;
	m.free_area[5].nr_blocks = c5;
	m.free_area[4].nr_blocks = c4;
	m.free_area[3].nr_blocks = c3;
	m.free_area[2].nr_blocks = c2;
	return free_memory_available(&m, nr);
}

/* §3.10 per version, incl. the graded table of fma(3). */
static void fma_versions_3_10(void **state)
{
	(void)state;
	/* none */
	assert_int_equal(fma_of("2.1.88", 9, 9, 9, 9, 0, 0, 0), -1);
	assert_int_equal(fma_of("2.2.0", 9, 9, 9, 9, 0, 0, 0), -1);
	assert_int_equal(fma_of("2.0.33", 9, 9, 9, 9, 0, 0, 0), -1);
	/* 2.1.89pre1 and linus-origfma: c5 >= 2 */
	assert_int_equal(fma_of("2.1.89pre1", 2, 0, 0, 0, 0, 64, 0), 1);
	assert_int_equal(fma_of("2.1.89pre1", 1, 9, 9, 9, 0, 999, 0), 0);
	assert_int_equal(fma_of("linus-origfma", 2, 0, 0, 0, 0, 64, 0), 1);
	/* 2.1.89 – 2.1.90 3-level */
	assert_int_equal(fma_of("2.1.89", 2, 0, 0, 0, 0, 64, 0), 1);
	assert_int_equal(fma_of("2.1.90", 1, 2, 0, 0, 0, 64, 0), 1);
	assert_int_equal(fma_of("2.1.90", 1, 1, 2, 0, 0, 64, 0), 1);
	assert_int_equal(fma_of("2.1.90", 1, 1, 1, 9, 0, 64, 0), 0);
	assert_int_equal(fma_of("2.1.90", 0, 9, 9, 9, 0, 64, 0), 0);
	assert_int_equal(fma_of("rik", 1, 0, 9, 9, 0, 64, 0), 0);
	/* 2.1.91 graded fma(3): 4,3,2,1,0 */
	assert_int_equal(fma_of("2.1.91", 2, 0, 0, 0, 3, 0, 0), 4);
	assert_int_equal(fma_of("2.1.91", 1, 2, 0, 0, 3, 0, 0), 3);
	assert_int_equal(fma_of("2.1.91", 1, 1, 2, 0, 3, 0, 0), 2);
	assert_int_equal(fma_of("2.1.91", 1, 1, 1, 2, 3, 0, 0), 1);
	assert_int_equal(fma_of("2.1.91", 1, 1, 1, 1, 3, 0, 0), 0);
	assert_int_equal(fma_of("2.1.91", 0, 9, 9, 9, 3, 0, 0), 0);
	assert_int_equal(fma_of("2.1.91", 1, 0, 9, 9, 3, 0, 0), 0);
	/* fma(0) = c5 >= 2 */
	assert_int_equal(fma_of("2.1.91", 2, 0, 0, 0, 0, 0, 0), 1);
	assert_int_equal(fma_of("2.1.91", 1, 9, 9, 9, 0, 0, 0), 0);
	/* 2.1.89–2.1.90 fma() == (2.1.91 fma(2) != 0) (derived) */
	for (int c5 = 0; c5 < 3; c5++)
		for (int c4 = 0; c4 < 3; c4++)
			for (int c3 = 0; c3 < 3; c3++)
				assert_int_equal(
				    fma_of("2.1.90", c5, c4, c3, 0, 0, 0, 0),
				    fma_of("2.1.91", c5, c4, c3, 0, 2, 0, 0) !=
					0);
	/* 2.1.91pre1 bug: an empty list looks like plenty */
	assert_int_equal(fma_of("2.1.91pre1", 0, 0, 0, 0, 3, 0, 0), 0);
	assert_int_equal(fma_of("2.1.91pre1", 0, 0, 0, 0, 3, 0, 1), 4);
	assert_int_equal(fma_of("2.1.91pre1", 1, 0, 0, 0, 3, 0, 1), 3);
	assert_int_equal(fma_of("2.1.91pre1", 1, 1, 1, 1, 3, 0, 1), 0);
	/* 2.1.92 shortcut: free > P/16 (= 512 here) → nr + 1 */
	assert_int_equal(fma_of("2.1.92", 0, 0, 0, 0, 3, 513, 0), 4);
	assert_int_equal(fma_of("2.1.92", 0, 0, 0, 0, 0, 513, 0), 1);
	assert_int_equal(fma_of("2.1.92", 0, 0, 0, 0, 3, 512, 0), 0);
	assert_int_equal(fma_of("2.1.92", 1, 2, 0, 0, 3, 512, 0), 3);
}

/* §4.1 GFP values per version. */
static void gfp_values_4_1(void **state)
{
	(void)state;
	struct {
		int fam, cls, mask;
	} t[] = {
	    {VM98_GFP_20, RP_GFP_BUFFER, 0x00},
	    {VM98_GFP_20, RP_GFP_ATOMIC, 0x01},
	    {VM98_GFP_20, RP_GFP_USER, 0x02},
	    {VM98_GFP_20, RP_GFP_KERNEL, 0x03},
	    {VM98_GFP_20, RP_GFP_NFS, 0x05},
	    {VM98_GFP_20, RP_GFP_KERNEL | RP_GFP_DMA, 0x83},
	    {VM98_GFP_21, RP_GFP_BUFFER, 0x01},
	    {VM98_GFP_21, RP_GFP_ATOMIC, 0x08},
	    {VM98_GFP_21, RP_GFP_USER, 0x03},
	    {VM98_GFP_21, RP_GFP_KERNEL, 0x03},
	    {VM98_GFP_21, RP_GFP_NFS, 0x07},
	    {VM98_GFP_21, RP_GFP_ATOMIC | RP_GFP_DMA, 0x88},
	    {VM98_GFP_21, RP_GFP_NONE, 0x03},
	    {VM98_GFP_22, RP_GFP_BUFFER, 0x03},
	    {VM98_GFP_22, RP_GFP_ATOMIC, 0x08},
	    {VM98_GFP_22, RP_GFP_USER, 0x13},
	    {VM98_GFP_22, RP_GFP_KERNEL, 0x15},
	    {VM98_GFP_22, RP_GFP_NFS, 0x19},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(vm98_gfp_mask(t[i].fam, t[i].cls), t[i].mask);
	assert_true(vm98_gfp_wait(VM98_GFP_21, 0x03));
	assert_false(vm98_gfp_wait(VM98_GFP_21, 0x08));
	assert_false(vm98_gfp_wait(VM98_GFP_20, 0x03));
	assert_true(vm98_gfp_med(VM98_GFP_22, 0x15));
	assert_true(vm98_gfp_high(VM98_GFP_22, 0x19));
}

/* §12–§13: every kernel, with exactly these names, a description and
 * parameters; GUESS markers where the spec says GUESS. */
static void registry_12_13(void **state)
{
	(void)state;
	static const char *const names[] = {
	    "2.0.33", "2.1.88", "2.1.89pre1",	 "2.1.89",     "2.1.90",
	    "rik",    "linus",	"linus-origfma", "2.1.91pre1", "2.1.91",
	    "2.1.92", "2.2.0",	"sct",		 "sct-kswiod"};
	assert_int_equal(vm98_kernel_count(), 14);
	for (int i = 0; i < 14; i++) {
		const struct vm98_kernel *k = vm98_kernel_at(i);
		assert_non_null(k);
		assert_string_equal(vm98_kernel_name(k), names[i]);
		assert_ptr_equal(vm98_kernel_find(names[i]), k);
		assert_true(strlen(vm98_kernel_desc(k)) > 10);
		assert_true(vm98_kernel_nparams(k) > 5);
		for (int j = 0; j < vm98_kernel_nparams(k); j++) {
			const struct vm98_param *p = vm98_kernel_param(k, j);
			assert_true(p->def >= p->min && p->def <= p->max);
			assert_true(p->id >= 0 && p->id < VP_COUNT);
			for (int l = 0; l < j; l++)
				assert_string_not_equal(
				    p->name, vm98_kernel_param(k, l)->name);
		}
		assert_null(vm98_kernel_param(k, vm98_kernel_nparams(k)));
	}
	assert_null(vm98_kernel_find("2.1.93"));
	assert_null(vm98_kernel_at(14));
	/* linus: tries is a GUESS parameter (§13 P6) */
	struct vm98_params p;
	int ok;
	vm98_params_init(vm98_kernel_find("linus"), &p);
	assert_int_equal(vm98_param_get(&p, "tries", &ok), 16);
	assert_true(ok);
	const struct vm98_kernel *lk = vm98_kernel_find("linus");
	int guess = 0;
	for (int j = 0; j < vm98_kernel_nparams(lk); j++)
		if (!strcmp(vm98_kernel_param(lk, j)->name, "tries"))
			guess = vm98_kernel_param(lk, j)->guess;
	assert_true(guess);
}

static void params_set_get(void **state)
{
	(void)state;
	char err[256];
	struct vm98_params p;
	int ok;
	vm98_params_init(vm98_kernel_find("2.1.91pre1"), &p);
	assert_int_equal(vm98_param_get(&p, "fma_bug", &ok), 0);
	assert_int_equal(vm98_param_set(&p, "fma_bug", "1", err, sizeof(err)),
			 0);
	assert_int_equal(vm98_param_get(&p, "fma_bug", &ok), 1);
	assert_int_equal(vm98_param_set(&p, "fma_bug", "2", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "outside"));
	assert_int_equal(vm98_param_set(&p, "fma_bug", "x", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not an integer"));
	assert_int_equal(vm98_param_set(&p, "tries", "8", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no parameter"));
	vm98_param_get(&p, "tries", &ok);
	assert_false(ok);
	/* parameters of another kernel are refused by vm98_new */
	assert_null(vm98_new(vm98_kernel_find("2.1.91"), 8 << 20, &p, 1, err,
			     sizeof(err)));
	assert_non_null(strstr(err, "2.1.91pre1"));
	/* too small */
	assert_null(vm98_new(vm98_kernel_find("2.1.91"), 1 << 20, NULL, 1, err,
			     sizeof(err)));
	/* 2.1.91pre1 with the bug: fma sample at boot */
	struct vm98 *m = vm98_new(vm98_kernel_find("2.1.91pre1"), 8 << 20, &p,
				  1, err, sizeof(err));
	assert_non_null(m);
	int found;
	assert_int_equal(sample(m, "fma", &found), 4); /* many order-5 */
	assert_true(found);
	vm98_free(m);
	m = vm98_new(vm98_kernel_find("2.2.0"), 8 << 20, NULL, 1, err,
		     sizeof(err));
	sample(m, "fma", &found);
	assert_false(found); /* 2.2.0 has no fma */
	assert_int_equal(sample(m, "largest_order", &found), 5);
	vm98_free(m);
}

/* Series formulas on a hand-made free state (mm/vmstat.c): 2 order-0 +
 * 1 order-1 blocks → free 4 pages, 3 blocks. */
static void fragmentation_indices(void **state)
{
	(void)state;
	static struct vm98 m;
	memset(&m, 0, sizeof(m));
	m.ops = vm98_kernel_find("2.1.90")->ops;
	m.free_area[0].nr_blocks = 2;
	m.free_area[1].nr_blocks = 1;
	m.nr_free_pages = 4;
	int found;
	assert_int_equal(sample(&m, "unusable.o0", &found), 0);
	assert_int_equal(sample(&m, "unusable.o1", &found), 500);
	assert_int_equal(sample(&m, "unusable.o2", &found), 1000);
	assert_int_equal(sample(&m, "extfrag.o0", &found), -1000);
	assert_int_equal(sample(&m, "extfrag.o1", &found), -1000);
	/* 1000 - (1000 + 4000/4) / 3 = 334 */
	assert_int_equal(sample(&m, "extfrag.o2", &found), 334);
	/* 1000 - (1000 + 4000/8) / 3 = 500 */
	assert_int_equal(sample(&m, "extfrag.o3", &found), 500);
	assert_int_equal(sample(&m, "largest_order", &found), 1);
	assert_int_equal(sample(&m, "free.o0", &found), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(watermarks_table_11_1),
	    cmocka_unit_test(watermarks_instances_11_1),
	    cmocka_unit_test(fma_versions_3_10),
	    cmocka_unit_test(gfp_values_4_1),
	    cmocka_unit_test(registry_12_13),
	    cmocka_unit_test(params_set_get),
	    cmocka_unit_test(fragmentation_indices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
