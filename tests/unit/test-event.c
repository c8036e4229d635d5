/* test-event.c — the event model's names and parsers: kinds, columns, GFP
 * classes (vm1998-model.md §4.1), integer and time parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static void kinds_round_trip(void **state)
{
	(void)state;
	for (int k = 1; k < RP_KIND_COUNT; k++) {
		const char *n = rp_kind_name(k);
		assert_non_null(n);
		assert_int_equal(rp_kind_parse(n, strlen(n)), k);
	}
	assert_null(rp_kind_name(0));
	assert_null(rp_kind_name(RP_KIND_COUNT));
	assert_int_equal(rp_kind_parse("net_rx", 6), RP_NET_RX);
	assert_int_equal(rp_kind_parse("net_r", 5), -1);
	assert_int_equal(rp_kind_parse("NET_RX", 6), -1);
}

static void columns_in_native_order(void **state)
{
	(void)state;
	static const char *const want[] = {
	    "ts_ns", "kind",   "task",	"obj", "order", "bytes", "gfp",
	    "file",  "offset", "count", "dev", "block", "flags"};
	for (int c = 0; c < RP_NCOLUMNS; c++) {
		assert_string_equal(rp_column_name(c), want[c]);
		assert_int_equal(rp_column_parse(want[c], strlen(want[c])), c);
	}
	assert_int_equal(rp_column_parse("tid", 3), -1);
}

static int gfp(const char *s)
{
	return rp_gfp_parse(s, strlen(s));
}

static void gfp_classes(void **state)
{
	char buf[40];
	(void)state;
	assert_int_equal(gfp("GFP_ATOMIC"), RP_GFP_ATOMIC);
	assert_int_equal(gfp("GFP_NFS"), RP_GFP_NFS);
	assert_int_equal(gfp("GFP_KERNEL|__GFP_DMA"),
			 RP_GFP_KERNEL | RP_GFP_DMA);
	assert_int_equal(gfp("__GFP_DMA | GFP_USER"), RP_GFP_USER | RP_GFP_DMA);
	assert_int_equal(gfp("GFP_DMA"), RP_GFP_DMA);
	assert_int_equal(gfp("GFP_KERNEL|GFP_ATOMIC"), -1);
	assert_int_equal(gfp("GFP_HIGHUSER"), -1);
	assert_int_equal(gfp(""), -1);
	assert_string_equal(
	    rp_gfp_format(RP_GFP_BUFFER | RP_GFP_DMA, buf, sizeof buf),
	    "GFP_BUFFER|__GFP_DMA");
	for (int g = 1; g <= (RP_GFP_NFS | RP_GFP_DMA); g++) {
		if ((g & RP_GFP_CLASS_MASK) > RP_GFP_NFS)
			continue;
		assert_int_equal(gfp(rp_gfp_format(g, buf, sizeof buf)), g);
	}
}

static void integers(void **state)
{
	int64_t v;
	(void)state;
	assert_true(rp_parse_i64("-42", 3, &v));
	assert_int_equal(v, -42);
	assert_true(rp_parse_i64("9223372036854775807", 19, &v));
	assert_int_equal(v, INT64_MAX);
	assert_true(rp_parse_i64("-9223372036854775808", 20, &v));
	assert_true(v == INT64_MIN);
	assert_false(rp_parse_i64("9223372036854775808", 19, &v));
	assert_false(rp_parse_i64("12x", 3, &v));
	assert_false(rp_parse_i64("", 0, &v));
	assert_false(rp_parse_i64("-", 1, &v));
}

static void scaled_times(void **state)
{
	int64_t v;
	(void)state;
	assert_true(rp_parse_scaled("1.5", 3, 1000000000, &v));
	assert_int_equal(v, 1500000000);
	assert_true(rp_parse_scaled("12", 2, 1000, &v));
	assert_int_equal(v, 12000);
	assert_true(rp_parse_scaled("0.0000015", 9, 1000000000, &v));
	assert_int_equal(v, 1500);
	assert_true(rp_parse_scaled("-2.25", 5, 1000, &v));
	assert_int_equal(v, -2250);
	assert_true(rp_parse_scaled(".5", 2, 1000, &v));
	assert_int_equal(v, 500);
	assert_false(rp_parse_scaled("1.2.3", 5, 1000, &v));
	assert_false(rp_parse_scaled("1.x", 3, 1000, &v));
	assert_false(rp_parse_scaled(".", 1, 1000, &v));
	assert_false(rp_parse_scaled("99999999999", 11, 1000000000, &v));
	/* whole part fits, the fraction pushes it over: no overflow (UB) */
	assert_false(rp_parse_scaled("9223372036.9", 12, 1000000000, &v));
	assert_false(rp_parse_scaled("-9223372036.9", 13, 1000000000, &v));
}

static void event_get_set(void **state)
{
	struct rp_event ev = {0};
	(void)state;
	for (int c = 0; c < RP_NCOLUMNS; c++)
		rp_event_set(&ev, c, c == RP_COL_KIND ? 5 : c + 1);
	assert_int_equal(ev.present, (1u << RP_NCOLUMNS) - 1);
	for (int c = 0; c < RP_NCOLUMNS; c++)
		assert_int_equal(rp_event_get(&ev, c),
				 c == RP_COL_KIND ? 5 : c + 1);
}

static void sizes_and_durations(void **state)
{
	(void)state;
	assert_true(rp_parse_size("8M") == 8 << 20);
	assert_true(rp_parse_size("512K") == 512 << 10);
	assert_true(rp_parse_size("1G") == 1LL << 30);
	assert_true(rp_parse_size("1.5M") == 3 << 19);
	assert_true(rp_parse_size("4096") == 4096);
	assert_true(rp_parse_size("8MB") == 8 << 20);
	assert_true(rp_parse_size("8X") == -1);
	assert_true(rp_parse_size("") == -1);
	assert_true(rp_parse_duration("10ms") == 10000000);
	assert_true(rp_parse_duration("1.5s") == 1500000000);
	assert_true(rp_parse_duration("2") == 2000000000);
	assert_true(rp_parse_duration("500us") == 500000);
	assert_true(rp_parse_duration("3min") == 180000000000LL);
	assert_true(rp_parse_duration("1h") == 3600000000000LL);
	assert_true(rp_parse_duration("ms") == -1);
	assert_true(rp_parse_duration("10 s") == -1);
	assert_true(rp_parse_duration("-1s") == -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kinds_round_trip),
	    cmocka_unit_test(columns_in_native_order),
	    cmocka_unit_test(gfp_classes),
	    cmocka_unit_test(integers),
	    cmocka_unit_test(scaled_times),
	    cmocka_unit_test(event_get_set),
	    cmocka_unit_test(sizes_and_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
