/* test-reader-ftrace.c — the kernel text readers: modern GFP → 1998 class
 * table, ftrace / trace-cmd text and perf script lines → events (obj ids,
 * reclaim pairing, failed allocations, unknown and malformed lines, lost
 * counts), one transaction per import, and the 'captured' run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel-internal.h"

static char dir[] = "/tmp/test-reader-ftrace.XXXXXX";

static int gfp(const char *s)
{
	return rp_gfp_modern_class(s, strlen(s));
}

static void gfp_table(void **state)
{
	(void)state;
	assert_int_equal(gfp("GFP_KERNEL"), RP_GFP_KERNEL);
	assert_int_equal(gfp("GFP_KERNEL_ACCOUNT|__GFP_ZERO"), RP_GFP_KERNEL);
	assert_int_equal(gfp("GFP_ATOMIC"), RP_GFP_ATOMIC);
	assert_int_equal(gfp("GFP_ATOMIC|__GFP_NOWARN|__GFP_COMP"),
			 RP_GFP_ATOMIC);
	assert_int_equal(gfp("GFP_NOWAIT|__GFP_HIGHMEM|__GFP_NOWARN|__GFP_"
			     "MOVABLE"),
			 RP_GFP_ATOMIC);
	assert_int_equal(gfp("GFP_NOIO"), RP_GFP_BUFFER);
	assert_int_equal(gfp("GFP_NOFS|__GFP_NOFAIL"), RP_GFP_NFS);
	assert_int_equal(gfp("GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP"),
			 RP_GFP_USER);
	assert_int_equal(gfp("GFP_HIGHUSER|__GFP_ZERO"), RP_GFP_USER);
	assert_int_equal(gfp("GFP_USER"), RP_GFP_USER);
	assert_int_equal(gfp("GFP_TRANSHUGE"), RP_GFP_USER);
	assert_int_equal(gfp("GFP_TRANSHUGE_LIGHT"), RP_GFP_ATOMIC);
	assert_int_equal(gfp("GFP_KERNEL|__GFP_DMA"),
			 RP_GFP_KERNEL | RP_GFP_DMA);
	assert_int_equal(gfp("GFP_DMA"), RP_GFP_ATOMIC | RP_GFP_DMA);
	assert_int_equal(gfp("__GFP_IO|__GFP_FS|__GFP_DIRECT_RECLAIM|__GFP_"
			     "KSWAPD_RECLAIM"),
			 RP_GFP_KERNEL);
	assert_int_equal(gfp("GFP_KERNEL|__GFP_NOTRACK"), RP_GFP_KERNEL);
	assert_int_equal(gfp("__GFP_WAIT|__GFP_IO"), RP_GFP_NFS); /* 3.x */
	assert_int_equal(gfp("none"), 0);
	assert_int_equal(gfp("0x400dc0"), 0);
	assert_int_equal(gfp(""), 0);
}

static struct rp_store *open_db(const char *name)
{
	char path[256];
	struct rp_store *s;
	struct rp_error err;
	snprintf(path, sizeof path, "%s/%s.db", dir, name);
	unlink(path);
	if (rp_store_open(path, RP_STORE_CREATE, &s, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return NULL;
	}
	return s;
}

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static size_t read_events(struct rp_store *s, int64_t id, struct rp_event *evs,
			  size_t max)
{
	struct rp_event_cursor *c;
	struct rp_error err;
	size_t n = 0, got;
	assert_int_equal(rp_event_cursor_open(s, id, &c, &err), 0);
	do {
		assert_int_equal(
		    rp_event_cursor_next(c, evs + n, max - n, &got, &err), 0);
		n += got;
	} while (got && n < max);
	rp_event_cursor_close(c);
	return n;
}

static int first_value(int ncols, const char *const *names,
		       const char *const *values, void *arg)
{
	(void)ncols;
	(void)names;
	snprintf(arg, 256, "%s", values[0] ? values[0] : "NULL");
	return 0;
}

static const char *query(struct rp_store *s, const char *sql)
{
	static char buf[256];
	struct rp_error err;
	strcpy(buf, "(none)");
	if (rp_store_query(s, sql, 0, first_value, buf, &err))
		snprintf(buf, sizeof buf, "error: %.200s", err.msg);
	return buf;
}

static const char ftrace_text[] =
    "# tracer: nop\n"
    "#\n"
    "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
    "  <...>-22275 [006] ....   889.213383: mm_page_alloc: "
    "page=00000000d2be5665 pfn=970744 order=0 migratetype=0 nr_free=3650 "
    "gfp_flags=GFP_HIGHUSER|__GFP_ZERO\n"
    "kswapd0-1207  [005] ...1   889.213398: mm_page_alloc: page= (null) "
    "pfn=0 order=0 migratetype=1 nr_free=3650 "
    "gfp_flags=GFP_NOWAIT|__GFP_HIGHMEM|__GFP_NOWARN|__GFP_MOVABLE\n"
    "   dd-6215 [000] .....   889.300000: mm_page_free: "
    "page=0000000000000000 pfn=0xecff8 order=0\n"
    "  kworker/u5:1-3258    [001] .... 889.400000: kmalloc: "
    "call_site=__alloc_skb+0x8e/0x1a0 ptr=00000000a3b5c7d9 bytes_req=640 "
    "bytes_alloc=1024 gfp_flags=GFP_ATOMIC|__GFP_NOWARN node=-1 "
    "accounted=false\n"
    "  kworker/u5:1-3258    [001] .... 889.400100: kfree: "
    "call_site=skb_free_head+0x1a/0x50 ptr=00000000a3b5c7d9\n"
    "  bash-1 [000] .... 889.400200: kfree: call_site=x ptr=0000000000000000\n"
    "   dd-6215 [000] ..... 889.500000: mm_vmscan_memcg_reclaim_begin: "
    "order=0 gfp_flags=GFP_HIGHUSER_MOVABLE\n"
    "   dd-6215 [000] ..... 889.500100: mm_vmscan_lru_shrink_inactive: "
    "nid=0 nr_scanned=256 nr_reclaimed=32 nr_dirty=256 nr_writeback=0 "
    "nr_congested=0 nr_immediate=0 nr_activate_anon=0 nr_activate_file=0 "
    "nr_ref_keep=0 nr_unmap_fail=0 priority=12 "
    "flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC\n"
    "   dd-6215 [000] ..... 889.531461: mm_vmscan_memcg_reclaim_end: "
    "nr_reclaimed=256\n"
    "   dd-6215 [000] d..1. 889.600000: block_rq_issue: 254,0 WSM 4096 () "
    "1234 + 8 none,0,0 [dd]\n"
    "   dd-6215 [000] d..1. 889.600001: block_rq_issue: 254,0 FF 0 () 0 + "
    "0 none,0,0 [dd]\n"
    "   dd-6215 (   6215) [000] ..... 889.700000: "
    "mm_filemap_add_to_page_cache: dev 254:1 ino 1a2b pfn=0x10 ofs=8192 "
    "order=2\n"
    "   <idle>-0 [001] ..s1. 889.800000: netif_receive_skb: dev=eth0 "
    "skbaddr=ffff888100aa0000 len=84\n"
    "CPU:1 [LOST 17 EVENTS]\n"
    "  kswapd0-39 [001] ..... 889.900000: xprt_create: peer=x\n"
    "this is not a trace line\n"
    "bash-4668 [001] 890.000000: kmalloc: (trace_parser_get_init+0x2c) "
    "call_site=ffffffff8113 ptr=0xffff88817dcf2b00 bytes_req=128 "
    "bytes_alloc=128 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
    "  x-1 [000] .... 890.100000: mm_page_alloc: pfn=zzz order=0\n";

static void ftrace_import(void **state)
{
	(void)state;
	struct rp_store *s = open_db("ftrace");
	struct rp_text_options opt = {0};
	struct rp_trace_meta meta = {.name = "t", .kernel = "6.18-test"};
	struct rp_text_stats st;
	struct rp_error err;
	struct rp_event ev[64];
	int64_t id;

	assert_non_null(s);
	const char *path = write_file("trace.txt", ftrace_text);
	assert_int_equal(rp_import_ftrace(s, path, &meta, &opt, &id, &st, &err),
			 0);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(st.unknown, 1);
	assert_int_equal(st.lost, 17);
	assert_true(st.run_id > 0);
	size_t n = read_events(s, id, ev, 64);
	assert_int_equal(n, st.events);
	assert_int_equal(n, 12);
	/* page alloc: pfn is the obj, order, USER class, original kept */
	assert_int_equal(ev[0].kind, RP_PAGE_ALLOC);
	assert_int_equal(ev[0].ts_ns, 889213383000);
	assert_int_equal(ev[0].task, 22275);
	assert_int_equal(ev[0].obj, 970744);
	assert_int_equal(ev[0].gfp, RP_GFP_USER);
	int idx = (int)(ev[0].flags >> RP_KFLAG_GFP_SHIFT);
	assert_true(idx > 0);
	char sql[128];
	snprintf(sql, sizeof sql,
		 "SELECT value FROM trace_stat WHERE key='gfp.%d'", idx);
	assert_string_equal(query(s, sql), "GFP_HIGHUSER|__GFP_ZERO");
	/* failed allocation: a mark */
	assert_int_equal(ev[1].kind, RP_MARK);
	assert_int_equal(ev[1].flags & 0xff, RP_KMARK_ALLOC_FAILED);
	assert_int_equal(ev[1].gfp, RP_GFP_ATOMIC);
	assert_int_equal(ev[2].kind, RP_PAGE_FREE);
	assert_int_equal(ev[2].obj, 0xecff8);
	/* kmalloc/kfree: the hashed pointer is the obj on both */
	assert_int_equal(ev[3].kind, RP_KMALLOC);
	assert_int_equal(ev[3].bytes, 640);
	assert_int_equal(ev[3].gfp, RP_GFP_ATOMIC);
	assert_int_equal(ev[4].kind, RP_KFREE);
	assert_int_equal(ev[4].obj, ev[3].obj);
	assert_int_equal(ev[3].obj, 0xa3b5c7d9);
	/* kfree(NULL) dropped; reclaim pair */
	assert_int_equal(ev[5].kind, RP_RECLAIM_BEGIN);
	assert_int_equal(ev[5].flags & 0xff, RP_RECLAIM_MEMCG);
	assert_int_equal(ev[5].order, 0);
	assert_int_equal(ev[6].kind, RP_MARK);
	assert_int_equal(ev[6].flags & 0xff, RP_KMARK_LRU_SHRINK);
	assert_int_equal(ev[6].bytes, 256);
	assert_int_equal(ev[6].count, 32);
	assert_int_equal(ev[7].kind, RP_RECLAIM_END);
	assert_int_equal(ev[7].count, 256);
	assert_int_equal(ev[7].gfp, RP_GFP_USER);
	assert_true(ev[7].present & RP_HAS(RP_COL_ORDER));
	/* block write with metadata flag; the flush is skipped */
	assert_int_equal(ev[8].kind, RP_BLK_WRITE);
	assert_int_equal(ev[8].dev, (254 << 20) | 0);
	assert_int_equal(ev[8].block, 1234);
	assert_int_equal(ev[8].count, 8);
	assert_int_equal(ev[8].flags, RP_FLAG_META);
	/* page cache fill with a (TGID) column */
	assert_int_equal(ev[9].kind, RP_FILE_READ);
	assert_int_equal(ev[9].task, 6215);
	assert_int_equal(ev[9].offset, 2);
	assert_int_equal(ev[9].count, 4);
	assert_int_equal(ev[9].file,
			 ((int64_t)((254 << 20) | 1) << 32) | 0x1a2b);
	assert_int_equal(ev[10].kind, RP_NET_RX);
	assert_int_equal(ev[10].bytes, 84);
	/* trace-cmd report line without flags */
	assert_int_equal(ev[11].kind, RP_KMALLOC);
	assert_int_equal(ev[11].gfp, RP_GFP_KERNEL);
	assert_int_equal(ev[11].task, 4668);
	/* the captured run: one memcg stall of 31.461 ms freeing 256 pages */
	assert_string_equal(query(s, "SELECT kind || ' ' || kernel FROM run"),
			    "captured 6.18-test");
	assert_string_equal(query(s, "SELECT latency_ns || ' ' || pages_freed "
				     "|| ' ' || path || ' ' || gfp FROM "
				     "run_stall WHERE outcome='ok'"),
			    "31461000 256 memcg GFP_USER");
	assert_string_equal(
	    query(s, "SELECT CAST(value AS INTEGER) FROM run_metric WHERE "
		     "name='pages_scanned'"),
	    "256");
	assert_string_equal(query(s, "SELECT value FROM trace_stat WHERE "
				     "key='unknown_event.xprt_create'"),
			    "1");
	assert_string_equal(query(s, "SELECT value FROM trace_stat WHERE "
				     "key='lost_events'"),
			    "17");
	rp_store_close(s);
}

static void ftrace_strict_leaves_nothing(void **state)
{
	(void)state;
	struct rp_store *s = open_db("strict");
	struct rp_text_options opt = {.strict = 1};
	struct rp_trace_meta meta = {.name = "t"};
	struct rp_error err;
	int64_t id;
	const char *path = write_file("strict.txt", ftrace_text);
	assert_int_equal(
	    rp_import_ftrace(s, path, &meta, &opt, &id, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "strict.txt:19:"));
	assert_string_equal(query(s, "SELECT count(*) FROM trace"), "0");
	assert_string_equal(query(s, "SELECT count(*) FROM event"), "0");
	assert_string_equal(query(s, "SELECT count(*) FROM run"), "0");
	rp_store_close(s);
}

static const char perf_text[] =
    "# ========\n"
    "# captured on    : Tue Nov 26 09:00:00 2024\n"
    "# ========\n"
    "#\n"
    " python3  5053 [000]   710.072847:   kmem:mm_page_alloc: "
    "page=0x2b664b pfn=0x2b664b order=1 migratetype=1 "
    "gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP\n"
    " kworker/0:1 H  77/78 710.072900: 1 kmem:mm_page_free: "
    "page=0x2b664b pfn=0x2b664b order=1\n"
    "\t ffffffff81234567 free_pages+0x12 ([kernel.kallsyms])\n"
    "\n"
    " dd 6215 [001] 710.100000: vmscan:mm_vmscan_direct_reclaim_begin: "
    "order=3 gfp_flags=GFP_KERNEL|__GFP_NORETRY\n"
    " dd 6215 [001] 710.150000: vmscan:mm_vmscan_direct_reclaim_end: "
    "nr_reclaimed=12\n"
    " swapper 0 [000] 710.200000: sched:sched_switch: prev=x\n"
    " garbage\n";

static void perf_import(void **state)
{
	(void)state;
	struct rp_store *s = open_db("perf");
	struct rp_text_options opt = {0};
	struct rp_trace_meta meta = {.name = "p"};
	struct rp_text_stats st;
	struct rp_error err;
	struct rp_event ev[16];
	int64_t id;
	const char *path = write_file("perf.txt", perf_text);
	assert_int_equal(rp_import_perf(s, path, &meta, &opt, &id, &st, &err),
			 0);
	assert_int_equal(st.unknown, 1);
	assert_int_equal(st.malformed, 1);
	size_t n = read_events(s, id, ev, 16);
	assert_int_equal(n, 4);
	assert_int_equal(ev[0].kind, RP_PAGE_ALLOC);
	assert_int_equal(ev[0].task, 5053);
	assert_int_equal(ev[0].obj, 0x2b664b);
	assert_int_equal(ev[0].order, 1);
	assert_int_equal(ev[0].ts_ns, 710072847000);
	assert_int_equal(ev[1].kind, RP_PAGE_FREE);
	assert_int_equal(ev[1].task, 78);
	assert_int_equal(ev[1].obj, ev[0].obj);
	assert_int_equal(ev[2].kind, RP_RECLAIM_BEGIN);
	assert_int_equal(ev[2].order, 3);
	assert_int_equal(ev[2].gfp, RP_GFP_KERNEL);
	assert_int_equal(ev[3].kind, RP_RECLAIM_END);
	assert_int_equal(ev[3].count, 12);
	assert_int_equal(ev[3].order, 3);
	assert_string_equal(query(s, "SELECT latency_ns || ' ' || \"order\" || "
				     "' ' || path FROM run_stall"),
			    "50000000 3 direct");
	assert_string_equal(
	    query(s, "SELECT CAST(value AS INTEGER) FROM run_metric WHERE "
		     "name='stall.p99_ns'"),
	    "50000000");
	rp_store_close(s);
}

static void mem_parse_without_store(void **state)
{
	(void)state;
	struct rp_text_stats st;
	assert_int_equal(rp_text_parse_mem(&rp_ftrace_text_parser, ftrace_text,
					   strlen(ftrace_text), &st),
			 0);
	assert_int_equal(st.events, 12);
	/* no newline at the end, NUL bytes, a lone '[' */
	static const char odd[] = "a-1 [0] 1.0: kfree: ptr=1\0\n[\nx-1 [";
	assert_int_equal(
	    rp_text_parse_mem(&rp_ftrace_text_parser, odd, sizeof odd - 1, &st),
	    0);
	assert_int_equal(
	    rp_text_parse_mem(&rp_perf_text_parser, odd, sizeof odd - 1, &st),
	    0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(gfp_table),
	    cmocka_unit_test(ftrace_import),
	    cmocka_unit_test(ftrace_strict_leaves_nothing),
	    cmocka_unit_test(perf_import),
	    cmocka_unit_test(mem_parse_without_store),
	};
	if (!mkdtemp(dir))
		return 1;
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
