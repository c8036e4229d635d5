/* test-reader-mtrace.c — glibc mtrace logs → kmalloc/kfree events: the
 * address is the obj, sizes, realloc as free + alloc, failed realloc as a
 * mark, the task from the file name, malformed lines and --strict. */
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

static char dir[] = "/tmp/test-reader-mtrace.XXXXXX";

static const char log_text[] =
    "= Start\n"
    "@ /lib/x86_64-linux-gnu/libc.so.6:(_IO_file_doallocate+0x55)"
    "[0x7f138ab621e5] + 0x940450 0x400\n"
    "@ ./a.o:[0x400794] + 0x940860 0x10\n"
    "@ ./a.o:[0x400a07] - 0x940860\n"
    "@ ./mt:[0x11d8] < 0x940450\n"
    "@ ./mt:[0x11d8] > 0x563a0f8fc660 0xfa0\n"
    "+ 0x1000 0x20\n"
    "! 0x563a0f8fc660 0x100000000\n"
    "@ ./a.o:[0x400a07] - nonsense\n"
    "@ ./a.o:[0x400a07] + 0x10\n"
    "= End\n";

static void mtrace_import(void **state)
{
	(void)state;
	char path[256], db[256];
	struct rp_store *s;
	struct rp_error err;
	struct rp_text_options opt = {0};
	struct rp_trace_meta meta = {.name = "m"};
	struct rp_text_stats st;
	struct rp_event ev[16];
	int64_t id;
	size_t n = 0, got;

	snprintf(path, sizeof path, "%s/m.4242.log", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(log_text, f);
	fclose(f);
	snprintf(db, sizeof db, "%s/m.db", dir);
	assert_int_equal(rp_store_open(db, RP_STORE_CREATE, &s, &err), 0);
	assert_int_equal(rp_import_mtrace(s, path, &meta, &opt, &id, &st, &err),
			 0);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(st.events, 7);
	struct rp_event_cursor *c;
	assert_int_equal(rp_event_cursor_open(s, id, &c, &err), 0);
	do {
		assert_int_equal(
		    rp_event_cursor_next(c, ev + n, 16 - n, &got, &err), 0);
		n += got;
	} while (got);
	rp_event_cursor_close(c);
	assert_int_equal(n, 7);
	assert_int_equal(ev[0].kind, RP_KMALLOC);
	assert_int_equal(ev[0].obj, 0x940450);
	assert_int_equal(ev[0].bytes, 0x400);
	assert_int_equal(ev[0].gfp, RP_GFP_USER);
	assert_int_equal(ev[0].task, 4242);
	assert_int_equal(ev[0].ts_ns, 0);
	assert_int_equal(ev[1].ts_ns, 1000);
	assert_int_equal(ev[2].kind, RP_KFREE);
	assert_int_equal(ev[2].obj, 0x940860);
	assert_int_equal(ev[3].kind, RP_KFREE); /* realloc: old block */
	assert_int_equal(ev[3].obj, 0x940450);
	assert_int_equal(ev[4].kind, RP_KMALLOC); /* and the new one */
	assert_int_equal(ev[4].obj, 0x563a0f8fc660);
	assert_int_equal(ev[4].bytes, 0xfa0);
	assert_int_equal(ev[5].kind, RP_KMALLOC); /* no caller */
	assert_int_equal(ev[6].kind, RP_MARK);
	assert_int_equal(ev[6].flags, RP_KMARK_ALLOC_FAILED);
	assert_int_equal(ev[6].bytes, 0x100000000);

	/* --task, --strict: nothing stored */
	opt.task = 7;
	opt.strict = 1;
	meta.name = "m2";
	assert_int_equal(rp_import_mtrace(s, path, &meta, &opt, &id, &st, &err),
			 -1);
	assert_non_null(strstr(err.msg, "m.4242.log:9:"));
	struct rp_trace_row row;
	assert_int_equal(rp_store_trace_find(s, "m2", &row, &err), -1);
	rp_store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mtrace_import),
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
