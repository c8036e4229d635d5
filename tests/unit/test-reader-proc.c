/* test-reader-proc.c — /proc parsers: recognising the file, buddyinfo,
 * pagetypeinfo (3.13 and capped ">100000" counts), vmstat, meminfo rows,
 * and the kernel's unusable-free-space and extfrag indices. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kernel-internal.h"

struct got {
	int n;
	char rows[256][96];
};

static int collect(const struct rp_sample *s, void *arg, struct rp_error *err)
{
	struct got *g = arg;
	(void)err;
	if (g->n < 256)
		snprintf(g->rows[g->n++], sizeof g->rows[0], "%s %s %s %s %lld",
			 s->source, s->node ? s->node : "-",
			 s->zone ? s->zone : "-", s->name, (long long)s->value);
	return 0;
}

static int has(const struct got *g, const char *row)
{
	for (int i = 0; i < g->n; i++)
		if (!strcmp(g->rows[i], row))
			return 1;
	return 0;
}

static int parse(const char *text, struct got *g, int64_t *bad)
{
	struct rp_error err;
	g->n = 0;
	*bad = 0;
	return rp_proc_parse(rp_proc_detect(text, strlen(text)), text,
			     strlen(text), 5, "f", NULL, bad, collect, g, &err);
}

static void detect(void **state)
{
	(void)state;
	const char *b = "Node 0, zone      DMA      1      0 \n";
	assert_int_equal(rp_proc_detect(b, strlen(b)), RP_PROC_BUDDYINFO);
	b = "Page block order: 9\nPages per block:  512\n";
	assert_int_equal(rp_proc_detect(b, strlen(b)), RP_PROC_PAGETYPEINFO);
	b = "nr_free_pages 1381407\n";
	assert_int_equal(rp_proc_detect(b, strlen(b)), RP_PROC_VMSTAT);
	b = "MemTotal:       24567 kB\n";
	assert_int_equal(rp_proc_detect(b, strlen(b)), RP_PROC_MEMINFO);
	b = "hello world\n";
	assert_int_equal(rp_proc_detect(b, strlen(b)), RP_PROC_UNKNOWN);
	assert_int_equal(rp_proc_detect("", 0), RP_PROC_UNKNOWN);
}

static void frag_indices(void **state)
{
	(void)state;
	int64_t one3[] = {0, 0, 0, 1}; /* one order-3 block */
	assert_int_equal(rp_frag_unusable(one3, 4, 0), 0);
	assert_int_equal(rp_frag_unusable(one3, 4, 3), 0);
	assert_int_equal(rp_frag_extfrag(one3, 4, 3), -1000);
	int64_t four0[] = {4, 0, 0}; /* four single pages */
	assert_int_equal(rp_frag_unusable(four0, 3, 0), 0);
	assert_int_equal(rp_frag_unusable(four0, 3, 1), 1000);
	assert_int_equal(rp_frag_extfrag(four0, 3, 1), 250);
	assert_int_equal(rp_frag_extfrag(four0, 3, 2), 500);
	int64_t none[] = {0, 0};
	assert_int_equal(rp_frag_unusable(none, 2, 1), 0);
	assert_int_equal(rp_frag_extfrag(none, 2, 1), 0);
	/* 2 pages at order 0, 1 block at order 1: free 4, order 2 */
	int64_t mix[] = {2, 1};
	assert_int_equal(rp_frag_unusable(mix, 2, 1), 500);
	assert_int_equal(rp_frag_extfrag(mix, 2, 2), 1000 - (1000 + 1000) / 3);
}

static void buddyinfo(void **state)
{
	(void)state;
	struct got g;
	int64_t bad;
	assert_int_equal(parse("Node 0, zone      DMA      1      0      1 \n"
			       "Node 0, zone   Normal   4381   1093    185 \n"
			       "Node 1, zone   Normal   x\n",
			       &g, &bad),
			 0);
	assert_int_equal(bad, 1);
	assert_true(has(&g, "buddyinfo 0 DMA order.0 1"));
	assert_true(has(&g, "buddyinfo 0 Normal order.2 185"));
	assert_true(has(&g, "fragindex 0 DMA unusable.o1 200"));
	assert_true(has(&g, "fragindex 0 DMA extfrag.o1 -1000"));
	assert_int_equal(g.n, 2 * (3 + 6));
}

static void pagetypeinfo(void **state)
{
	(void)state;
	struct got g;
	int64_t bad;
	assert_int_equal(
	    parse("Page block order: 9\n"
		  "Pages per block:  512\n"
		  "\n"
		  "Free pages count per migrate type at order       0      "
		  "1 \n"
		  "Node    0, zone      DMA, type    Unmovable      1      "
		  "2 \n"
		  "Node    0, zone   Normal, type      Movable >100000     "
		  "7 \n"
		  "\n"
		  "Number of blocks type     Unmovable  Reclaimable \n"
		  "Node 0, zone      DMA            1            0 \n",
		  &g, &bad),
	    0);
	assert_int_equal(bad, 0);
	assert_true(has(&g, "pagetypeinfo - - page_block_order 9"));
	assert_true(has(&g, "pagetypeinfo - - pages_per_block 512"));
	assert_true(has(&g, "pagetypeinfo 0 DMA Unmovable.order.1 2"));
	assert_true(has(&g, "pagetypeinfo 0 Normal Movable.order.0 100000"));
	assert_true(has(&g, "pagetypeinfo 0 DMA blocks.Reclaimable 0"));
	assert_int_equal(g.n, 8);
}

static void vmstat_meminfo(void **state)
{
	(void)state;
	struct got g;
	int64_t bad;
	assert_int_equal(parse("nr_free_pages 903759\npgalloc_normal 5\n"
			       "broken line here\n",
			       &g, &bad),
			 0);
	assert_int_equal(bad, 1);
	assert_true(has(&g, "vmstat - - nr_free_pages 903759"));
	assert_int_equal(parse("MemTotal:       24567 kB\n"
			       "HugePages_Total:       0\nbad:\n",
			       &g, &bad),
			 0);
	assert_int_equal(bad, 1);
	assert_true(has(&g, "meminfo - - MemTotal 24567"));
	assert_true(has(&g, "meminfo - - HugePages_Total 0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(detect),	      cmocka_unit_test(frag_indices),
	    cmocka_unit_test(buddyinfo),      cmocka_unit_test(pagetypeinfo),
	    cmocka_unit_test(vmstat_meminfo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
