/* test-csv.c — CSV import: the native format (header in any order, --map,
 * --no-header, time units, quoting, CRLF), the MSR Cambridge mapping, and
 * bad input: one-line messages naming file, line and field, and a database
 * left exactly as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "libreplay.h"

static char dir[64];
static char dbpath[128];
static struct rp_store *store;

static int setup(void **state)
{
	struct rp_error err;
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/rp-csv-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(dbpath, sizeof dbpath, "%s/t.db", dir);
	return rp_store_open(dbpath, RP_STORE_CREATE, &store, &err);
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	rp_store_close(store);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *text)
{
	static char path[192];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static int import(const char *name, const char *text,
		  const struct rp_csv_options *opt, struct rp_error *err)
{
	const char *path = write_file(name, text);
	struct rp_trace_meta meta = {.name = name};
	struct rp_csv_options dflt = {.format = RP_CSV_NATIVE};
	return rp_import_csv(store, path, &meta, opt ? opt : &dflt, NULL, err);
}

static int text_cb(int n, const char *const *names, const char *const *v,
		   void *arg)
{
	char *out = arg;
	(void)names;
	for (int i = 0; i < n; i++) {
		strcat(out, v[i] ? v[i] : "NULL");
		strcat(out, i + 1 < n ? "," : "\n");
	}
	return 0;
}

/* The rows of a query as "a,b\n" lines. */
static const char *query(const char *sql)
{
	static char out[4096];
	struct rp_error err;
	out[0] = '\0';
	assert_int_equal(rp_store_query(store, sql, 0, text_cb, out, &err), 0);
	return out;
}

static void header_any_order_quoting_crlf(void **state)
{
	struct rp_error err;
	(void)state;
	assert_int_equal(import("a.csv",
				"gfp,kind,ts_ns,\"obj\",order\r\n"
				"GFP_ATOMIC,page_alloc,100,0x1f,2\r\n"
				"\"GFP_KERNEL|__GFP_DMA\",\"page_alloc\",200,"
				"31,0\r\n"
				",page_free,300,0x1F,\r\n",
				NULL, &err),
			 0);
	assert_string_equal(
	    query("SELECT ts_ns, kind, obj, \"order\", gfp FROM events "
		  "WHERE trace = 'a.csv' ORDER BY id"),
	    "100,page_alloc,31,2,GFP_ATOMIC\n"
	    "200,page_alloc,31,0,GFP_KERNEL|__GFP_DMA\n"
	    "300,page_free,31,NULL,NULL\n");
}

static void map_and_time_unit(void **state)
{
	struct rp_error err;
	struct rp_csv_options opt = {.format = RP_CSV_NATIVE,
				     .map = "time=ts_ns,what=kind,size=bytes",
				     .time_unit = RP_TIME_US};
	(void)state;
	assert_int_equal(import("m.csv",
				"time,what,size,comment\n"
				"1.5,kmalloc,\"1,024\",x\n",
				&opt, &err),
			 -1);
	assert_non_null(strstr(err.msg, "m.csv:1: field 4: unknown column "
					"'comment' (expected ts_ns,kind,"));
}

static void map_and_time_unit_ok(void **state)
{
	struct rp_error err;
	struct rp_csv_options opt = {.format = RP_CSV_NATIVE,
				     .map = "time=ts_ns,what=kind,size=bytes",
				     .time_unit = RP_TIME_US};
	(void)state;
	assert_int_equal(import("m2.csv",
				"time,what,size\n"
				"1.5,kmalloc,1024\n"
				"2,kfree,\n",
				&opt, &err),
			 0);
	assert_string_equal(query("SELECT ts_ns, kind, bytes FROM events"),
			    "1500,kmalloc,1024\n2000,kfree,NULL\n");
}

static void no_header(void **state)
{
	struct rp_error err;
	struct rp_csv_options opt = {.format = RP_CSV_NATIVE, .no_header = 1};
	(void)state;
	if (import("n.csv", "5,net_rx,,7,,8340,,,,6,,,0\n", &opt, &err))
		fail_msg("%s", err.msg);
	opt.map = "2=kind,1=ts_ns,3=bytes";
	assert_int_equal(import("n2.csv", "9,net_rx,1514\n", &opt, &err), 0);
	assert_string_equal(query("SELECT trace, ts_ns, obj, bytes, fragments "
				  "FROM net_rx ORDER BY id"),
			    "n.csv,5,7,8340,6\nn2.csv,9,NULL,1514,NULL\n");
}

struct bad_case {
	const char *name;
	const char *text;
	const char *msg; /* expected message after "<dir>/" */
};

static void bad_input_names_line_and_field(void **state)
{
	static const struct bad_case cases[] = {
	    {"b1.csv", "ts_ns,kind,bytes\n1,kmalloc,64\n2,kmalloc,12x\n",
	     "b1.csv:3: field 3 (bytes): not a number: '12x'"},
	    {"b2.csv", "ts_ns,kind\n1,page_alloc\n2,page_aloc\n",
	     "b2.csv:3: field 2 (kind): unknown event kind: 'page_aloc'"},
	    {"b3.csv", "ts_ns,kind,order\n1,page_alloc,15\n",
	     "b3.csv:2: field 3 (order): order not in 0..14: '15'"},
	    {"b4.csv", "ts_ns,kind,gfp\n1,page_alloc,GFP_HIGHUSER\n",
	     "b4.csv:2: field 3 (gfp): unknown GFP class: 'GFP_HIGHUSER'"},
	    {"b5.csv", "ts_ns,kind\n1,mark,3\n",
	     "b5.csv:2: 3 fields, the "
	     "header has 2"},
	    {"b6.csv", "ts_ns,kind\n5,mark\n4,mark\n",
	     "b6.csv:3: time 4 ns is before the previous row's 5 ns: rows "
	     "must be in time order"},
	    {"b7.csv", "ts_ns,kind\n1,\"mark\n",
	     "b7.csv:2: quoted field not terminated at the end of the "
	     "file"},
	    {"b11.csv", "ts_ns,kind\n1,ma\"rk\n",
	     "b11.csv:2: error parsing data while strict checking "
	     "enabled"},
	    {"b8.csv", "kind,obj\nmark,1\n", "b8.csv:1: no ts_ns column"},
	    {"b9.csv", "ts_ns,kind,ts_ns\n",
	     "b9.csv:1: field 3 (ts_ns): column ts_ns given twice"},
	    {"b10.csv", "ts_ns,kind\n,mark\n",
	     "b10.csv:2: field 1 (ts_ns): must not be empty: ''"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rp_error err;
		char want[512];
		/* a bigger good prefix proves rollback of flushed batches */
		assert_int_equal(
		    import(cases[i].name, cases[i].text, NULL, &err), -1);
		snprintf(want, sizeof want, "%s/%s", dir, cases[i].msg);
		assert_string_equal(err.msg, want);
	}
	assert_string_equal(query("SELECT count(*) FROM trace"), "0\n");
	assert_string_equal(query("SELECT count(*) FROM event"), "0\n");
}

static void failure_after_many_rows_rolls_back(void **state)
{
	struct rp_error err;
	size_t size = 64 + 5000 * 24;
	char *text = malloc(size);
	size_t o = (size_t)snprintf(text, size, "ts_ns,kind,obj\n");
	(void)state;
	for (int i = 0; i < 5000; i++)
		o +=
		    (size_t)snprintf(text + o, size - o, "%d,kfree,%d\n", i, i);
	snprintf(text + o, size - o, "5000,kfree,oops\n");
	assert_int_equal(import("big.csv", text, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "big.csv:5002: field 3 (obj)"));
	free(text);
	assert_string_equal(query("SELECT count(*) FROM trace"), "0\n");
	assert_string_equal(query("SELECT count(*) FROM event"), "0\n");
}

static void msr_mapping(void **state)
{
	struct rp_error err;
	struct rp_csv_options opt = {.format = RP_CSV_MSR};
	(void)state;
	/* FILETIME 116444736000000000 is 1970-01-01; +10 units = 1000 ns */
	assert_int_equal(import("msr.csv",
				"116444736000000010,hm,0,Write,4096,4097,2833\n"
				"116444736000000020,hm,1,Read,0,512,100\n",
				&opt, &err),
			 0);
	assert_string_equal(query("SELECT ts_ns, kind, dev, block, count FROM "
				  "events ORDER BY id"),
			    "1000,blk_write,0,8,9\n2000,blk_read,1,0,1\n");
	assert_string_equal(query("SELECT value FROM trace_stat WHERE key = "
				  "'msr.hostname'"),
			    "hm\n");
	assert_int_equal(import("msr2.csv",
				"116444736000000010,hm,0,Wrote,0,1,1\n", &opt,
				&err),
			 -1);
	assert_non_null(strstr(err.msg,
			       "msr2.csv:1: field 4 (Type): not Read or "
			       "Write: 'Wrote'"));
	assert_int_equal(import("msr3.csv",
				"116444736000000010,hm,0,Read,0,12x,1\n", &opt,
				&err),
			 -1);
	assert_non_null(strstr(err.msg, "msr3.csv:1: field 6 (Size): not a "
					"number: '12x'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(header_any_order_quoting_crlf,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(map_and_time_unit, setup, teardown),
	    cmocka_unit_test_setup_teardown(map_and_time_unit_ok, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(no_header, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_input_names_line_and_field,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(failure_after_many_rows_rolls_back,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(msr_mapping, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
