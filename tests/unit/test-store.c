/* test-store.c — the SQLite store: create and migrate, refuse a newer
 * schema, write a trace and stream it back (every column, extras, NULLs),
 * one transaction per trace (abort leaves nothing), read-only SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "internal.h" /* packed packet rows and their runs */
#include "libreplay.h"
#include "net.h" /* net_nfs_proc_name, for nfs_proc */

struct fixture {
	char dir[64];
	char path[96];
	struct rp_store *store;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct rp_error err;
	snprintf(f->dir, sizeof f->dir, "/tmp/rp-store-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	if (rp_store_open(f->path, RP_STORE_CREATE, &f->store, &err))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	rp_store_close(f->store);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int count_cb(int n, const char *const *names, const char *const *v,
		    void *arg)
{
	(void)n;
	(void)names;
	*(long *)arg = v[0] ? atol(v[0]) : -1;
	return 0;
}

static long count(struct rp_store *s, const char *sql)
{
	long v = -2;
	struct rp_error err;
	assert_int_equal(rp_store_query(s, sql, 0, count_cb, &v, &err), 0);
	return v;
}

static void schema_applied(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(count(f->store, "PRAGMA user_version"),
			 rp_store_schema_version());
	assert_int_equal(count(f->store, "SELECT count(*) FROM kind"), 14);
	assert_int_equal(count(f->store, "PRAGMA foreign_keys"), 1);
}

static void newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	struct rp_store *s;
	struct rp_error err;
	sqlite3 *db;
	rp_store_close(f->store);
	f->store = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(rp_store_open(f->path, 0, &s, &err), -1);
	assert_non_null(strstr(err.msg, "newer vmreplay"));
	assert_non_null(strstr(err.msg, "999"));
	assert_int_equal(rp_store_open(f->path, RP_STORE_READONLY, &s, &err),
			 -1);
	/* reopen for teardown */
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		 rp_store_schema_version());
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(rp_store_open(f->path, 0, &f->store, &err), 0);
}

static void not_a_database(void **state)
{
	struct fixture *f = *state;
	char path[128];
	struct rp_store *s;
	struct rp_error err;
	snprintf(path, sizeof path, "%s/junk.db", f->dir);
	FILE *fp = fopen(path, "w");
	fputs("this is not sqlite, just text long enough to look like a "
	      "header of a file .................................\n",
	      fp);
	fclose(fp);
	assert_int_equal(rp_store_open(path, RP_STORE_CREATE, &s, &err), -1);
	assert_non_null(strstr(err.msg, "junk.db"));
	snprintf(path, sizeof path, "%s/missing.db", f->dir);
	assert_int_equal(rp_store_open(path, RP_STORE_READONLY, &s, &err), -1);
	assert_int_equal(access(path, F_OK), -1);
}

static struct rp_event mk(int64_t ts, int kind)
{
	struct rp_event ev = {0};
	rp_event_set(&ev, RP_COL_TS, ts);
	rp_event_set(&ev, RP_COL_KIND, kind);
	return ev;
}

static void round_trip_every_column(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_meta meta = {.name = "t1", .source = "test"};
	struct rp_trace_writer *w;
	struct rp_event in[200], out[256];
	struct rp_error err;
	size_t n = 0, total = 0;

	for (int i = 0; i < 200; i++) {
		int kind = 1 + i % (RP_KIND_COUNT - 1);
		in[i] = mk(1000000000000LL + i * 1000, kind);
		/* every third event carries every column: extras too */
		for (int c = 2; c < RP_NCOLUMNS; c++) {
			if (i % 3 && c % 2)
				continue;
			int64_t v = c == RP_COL_ORDER ? i % 15
				    : c == RP_COL_GFP
					? 1 + i % 5
					: (int64_t)i * 1000003 - c;
			rp_event_set(&in[i], c, v);
		}
	}
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_append(w, in, 200, &err), 0);
	assert_int_equal(rp_trace_event_count(w), 200);
	assert_int_equal(rp_trace_finish(w, &err), 0);

	struct rp_trace_row row;
	assert_int_equal(rp_store_trace_find(f->store, "t1", &row, &err), 0);
	assert_int_equal(row.events, 200);
	assert_true(row.first_ns == 1000000000000LL);
	assert_true(row.last_ns == 1000000000000LL + 199000);

	struct rp_event_cursor *c;
	assert_int_equal(rp_event_cursor_open(f->store, row.id, &c, &err), 0);
	do {
		assert_int_equal(rp_event_cursor_next(c, out, 7, &n, &err), 0);
		for (size_t i = 0; i < n; i++) {
			const struct rp_event *a = &in[total + i], *b = &out[i];
			assert_int_equal(a->present, b->present);
			for (int col = 0; col < RP_NCOLUMNS; col++)
				if (a->present & RP_HAS(col))
					assert_true(rp_event_get(a, col) ==
						    rp_event_get(b, col));
		}
		total += n;
	} while (n);
	rp_event_cursor_close(c);
	assert_int_equal(total, 200);
	/* the events view shows the same values as text */
	assert_int_equal(count(f->store, "SELECT count(*) FROM events WHERE "
					 "kind = 'net_rx'"),
			 14);
	/* every column of the view agrees with what was written */
	for (int col = 2; col < RP_NCOLUMNS; col++) {
		char sql[160];
		long want = 0;
		for (int i = 0; i < 200; i++)
			want += (in[i].present & RP_HAS(col)) != 0;
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM events WHERE \"%s\" IS NOT NULL",
			 rp_column_name(col));
		assert_int_equal(count(f->store, sql), want);
	}
	assert_int_equal(
	    count(f->store, "SELECT bytes FROM events WHERE id = 4"),
	    3 * 1000003 - RP_COL_BYTES);
}

static void abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_meta meta = {.name = "gone", .source = "test"};
	struct rp_trace_writer *w;
	struct rp_error err;
	struct rp_event ev[300];
	for (int i = 0; i < 300; i++)
		ev[i] = mk(i, RP_PAGE_ALLOC);
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_append(w, ev, 300, &err), 0);
	rp_trace_abort(w);
	assert_int_equal(count(f->store, "SELECT count(*) FROM trace"), 0);
	assert_int_equal(count(f->store, "SELECT count(*) FROM event"), 0);
}

static void time_order_enforced(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_meta meta = {.name = "bad", .source = "test"};
	struct rp_trace_writer *w;
	struct rp_error err;
	struct rp_event ev[2] = {mk(10, RP_KFREE), mk(9, RP_KFREE)};
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_append(w, ev, 2, &err), -1);
	assert_non_null(strstr(err.msg, "event 2"));
	rp_trace_abort(w);
}

static void names_are_unique(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_meta meta = {.name = "dup", .source = "test"};
	struct rp_trace_writer *w;
	struct rp_error err;
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_finish(w, &err), 0);
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), -1);
	assert_non_null(strstr(err.msg, "'dup' exists already"));
	/* and the failed begin left no transaction open */
	assert_int_equal(count(f->store, "SELECT count(*) FROM trace"), 1);
	meta.name = "second";
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_finish(w, &err), 0);
}

static void second_trace_gets_own_range(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_meta a = {.name = "a", .source = "t"};
	struct rp_trace_meta b = {.name = "b", .source = "t"};
	struct rp_trace_writer *w;
	struct rp_error err;
	struct rp_event ev[3] = {mk(5, RP_MARK), mk(6, RP_MARK),
				 mk(7, RP_MARK)};
	assert_int_equal(rp_trace_begin(f->store, &a, &w, &err), 0);
	assert_int_equal(rp_trace_append(w, ev, 3, &err), 0);
	assert_int_equal(rp_trace_finish(w, &err), 0);
	assert_int_equal(rp_trace_begin(f->store, &b, &w, &err), 0);
	assert_int_equal(rp_trace_append(w, ev, 2, &err), 0);
	assert_int_equal(rp_trace_finish(w, &err), 0);
	assert_int_equal(count(f->store, "SELECT count(*) FROM events WHERE "
					 "trace = 'b'"),
			 2);
	assert_int_equal(count(f->store, "SELECT count(*) FROM events WHERE "
					 "trace = 'a' AND ts_ns = 7"),
			 1);
}

static void side_tables_and_runs(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_meta meta = {.name = "cap", .source = "pcap"};
	struct rp_trace_writer *w;
	struct rp_run_writer *r;
	struct rp_error err;
	struct rp_packet p = {.ts_ns = 1,
			      .frame = 1,
			      .frame_len = 1514,
			      .linktype = 1,
			      .ip_version = 4,
			      .protocol = 17,
			      .src = "10.0.0.1",
			      .dst = "10.0.0.2",
			      .sport = 800,
			      .dport = 2049,
			      .frag_id = 7,
			      .frag_offset = 1480,
			      .more_frags = 1};
	struct rp_nfs_op op = {.xid = 42,
			       .version = 3,
			       .proc = 6,
			       .proc_name = "READ",
			       .fh_hash = 99,
			       .offset = 8192,
			       .count = 8192,
			       .call_ns = 1,
			       .reply_ns = 5,
			       .status = 0,
			       .transport = "udp"};
	struct rp_sample sm = {.ts_ns = 3,
			       .source = "buddyinfo",
			       .node = "0",
			       .zone = "DMA",
			       .name = "order.3",
			       .value = 12};
	struct rp_stall st = {.t_ns = 10,
			      .task = 1,
			      .order = 2,
			      .gfp = RP_GFP_ATOMIC,
			      .latency_ns = 0,
			      .outcome = "failed",
			      .path = "failed"};
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_add_packet(w, &p, &err), 0);
	assert_int_equal(rp_trace_add_nfs_op(w, &op, &err), 0);
	assert_int_equal(rp_trace_add_sample(w, &sm, &err), 0);
	assert_int_equal(rp_trace_set_stat(w, "frames", "1", &err), 0);
	int64_t id = rp_trace_id(w);
	assert_int_equal(rp_trace_finish(w, &err), 0);
	assert_int_equal(count(f->store, "SELECT frag_offset FROM packet"),
			 1480);
	assert_int_equal(count(f->store, "SELECT count FROM nfs_op"), 8192);
	assert_int_equal(count(f->store, "SELECT value FROM sample"), 12);
	assert_int_equal(count(f->store, "SELECT value FROM trace_stat WHERE "
					 "key = 'frames'"),
			 1);

	assert_int_equal(rp_run_begin(f->store, id, "simulated", "2.1.90",
				      8 << 20, 1, &r, &err),
			 0);
	assert_int_equal(rp_run_metric(r, "stall.count", 3, &err), 0);
	assert_int_equal(rp_run_metric(r, "atomic_fail.o2", 4, &err), 0);
	assert_int_equal(rp_run_series(r, 10, "nr_free_pages", 100, &err), 0);
	assert_int_equal(rp_run_stall(r, &st, &err), 0);
	assert_int_equal(rp_run_param(r, "tries", "32", &err), 0);
	assert_int_equal(rp_run_finish(r, 123, 1, &err), 0);
	assert_int_equal(count(f->store, "SELECT atomic_fail FROM "
					 "run_summary"),
			 4);
	assert_int_equal(count(f->store, "SELECT mem_mb FROM run_summary"), 8);
	assert_int_equal(count(f->store, "SELECT count(*) FROM run_stall WHERE "
					 "gfp = 'GFP_ATOMIC'"),
			 1);
	/* an aborted run leaves nothing */
	assert_int_equal(
	    rp_run_begin(f->store, id, "simulated", "rik", 0, 1, &r, &err), 0);
	rp_run_abort(r);
	assert_int_equal(count(f->store, "SELECT count(*) FROM run"), 1);
}

static int text_cb(int n, const char *const *names, const char *const *v,
		   void *arg)
{
	(void)n;
	(void)names;
	snprintf(arg, 64, "%s", v[0] ? v[0] : "NULL");
	return 0;
}

/* The first column of the first row of `sql` as text ("NULL" for NULL);
 * writable: a statement sqlite3_stmt_readonly calls writable (PRAGMA). */
static const char *text_query(struct rp_store *s, const char *sql, int writable)
{
	static char buf[64];
	struct rp_error err;
	snprintf(buf, sizeof buf, "none");
	assert_int_equal(rp_store_query(s, sql, writable, text_cb, buf, &err),
			 0);
	return buf;
}

static const char *text(struct rp_store *s, const char *sql)
{
	return text_query(s, sql, 0);
}

/* Packet addresses are numbered 1, 2, ... as they first appear and found
 * again (packet-addr.c), also many that differ only in their last byte. */
static void packet_addr_numbering(void **state)
{
	(void)state;
	struct rp_addr_ids ids = {0};
	bool added;
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 2000; i++) {
			uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
			int len = i & 1 ? 16 : 4;
			a[len - 1] = (uint8_t)i;
			a[len - 2] = (uint8_t)(i >> 8);
			assert_int_equal(rp_addr_ids_get(&ids, a, len, &added),
					 i + 1);
			assert_int_equal(added, round == 0);
		}
	uint8_t a[8] = {0};
	assert_int_equal(rp_addr_ids_get(&ids, a, 8, &added), 0);
	assert_false(added);
	rp_addr_ids_free(&ids);
}

/* Frame i of the run test: fragments of a datagram in 6, one of 70
 * fragments (more than a run holds), like frames that are not fragments,
 * two flows taking turns, negative times, time going back in a run. */
static struct rp_packet run_frame(int i)
{
	struct rp_packet p = {.ts_ns = 5000 + 7 * i,
			      .frame = i + 1,
			      .frame_len = 1514,
			      .linktype = 1,
			      .ip_version = 4,
			      .protocol = 17,
			      .addr_len = 4,
			      .src_ip = {10, 0, 0, 1},
			      .dst_ip = {10, 0, 0, 2},
			      .frag_id = -1};
	if (i < 6 || (i >= 100 && i < 104) || (i >= 90 && i < 92)) {
		int k = i < 6 ? i : i - (i >= 100 ? 100 : 90);
		p.frag_id = i < 6 ? 1 : i >= 100 ? 3 : 4;
		p.frag_offset = 1480 * k;
		p.more_frags = k < (i < 6 ? 5 : 3);
		p.frame_len = p.more_frags ? 1514 : 954;
		p.sport = 800;
		p.dport = 2049;
		p.datagram_len = 8320;
		if (i >= 100)
			p.ts_ns = 9000 - i;
		if (i >= 90 && i < 92)
			p.ts_ns = -5 - i;
	} else if (i < 76) {
		p.frag_id = 2;
		p.frag_offset = 8 * (i - 6);
		p.more_frags = i < 75;
		p.frame_len = 60 + i;
	} else if (i < 81) {
		p.ip_version = 0;
		p.addr_len = 0;
		p.frame_len = 60;
	} else if (i & 1) {
		p.src_ip[3] = 2;
		p.dst_ip[3] = 1;
		p.sport = 2049;
		p.dport = 800;
	}
	return p;
}

/* Runs of like packet rows (schema/0007): stored as one row each, shown by
 * the `packet` view exactly as the same frames stored one row apiece. */
static void packet_runs(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_writer *w;
	struct rp_error err;
	enum { FRAMES = 200 };
	struct rp_trace_meta one = {.name = "one", .source = "pcap"};
	assert_int_equal(rp_trace_begin(f->store, &one, &w, &err), 0);
	for (int i = 0; i < FRAMES; i++) {
		struct rp_packet p = run_frame(i);
		assert_int_equal(rp_trace_add_packet(w, &p, &err), 0);
	}
	assert_int_equal(rp_trace_finish(w, &err), 0);

	/* as the packet recorder stores them (pcap-trace.c, queue_run) */
	struct rp_trace_meta runs = {.name = "runs", .source = "pcap"};
	struct rp_packet_row run[RP_PACKET_RUN_MAX];
	char json[RP_PACKET_RUN_JSON];
	int n = 0;
	assert_int_equal(rp_trace_begin(f->store, &runs, &w, &err), 0);
	const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
	assert_int_equal(rp_trace_add_packet_addr(w, 1, 4, a, &err), 0);
	assert_int_equal(rp_trace_add_packet_addr(w, 2, 4, b, &err), 0);
	for (int i = 0; i <= FRAMES; i++) {
		struct rp_packet_row r;
		if (i < FRAMES) {
			struct rp_packet p = run_frame(i);
			int s = p.src_ip[3], d = p.dst_ip[3];
			assert_null(rp_packet_pack(&p, p.ip_version ? s : 0,
						   p.ip_version ? d : 0, &r));
		}
		if (n && (i == FRAMES || n == RP_PACKET_RUN_MAX ||
			  !rp_packet_run_joins(&run[0], &r))) {
			struct rp_packet_row last = run[n - 1];
			if (n > 1) {
				size_t len = rp_packet_run_json(run, n, json);
				assert_true(len < sizeof json);
				last.run = json;
				last.frames = n;
			}
			assert_int_equal(
			    rp_trace_add_packet_row(w, &last, &err), 0);
			n = 0;
		}
		run[n++] = r;
	}
	/* a run's JSON and its count go together */
	struct rp_packet_row bad = run[0];
	bad.frames = 2;
	assert_int_equal(rp_trace_add_packet_row(w, &bad, &err), -1);
	assert_non_null(strstr(err.msg, "bad run"));
	assert_int_equal(rp_trace_finish(w, &err), 0);

	/* runs: 6, 64 + 6, 5 (not IP), 2 (negative times: not joined, 2
	 * rows), 4 (time going back); the rest one row each */
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet_row "
					 "WHERE id > (SELECT last_id FROM "
					 "packet_range WHERE trace_id = 1)"),
			 FRAMES - 5 - 63 - 5 - 4 - 3);
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet "
					 "WHERE trace_id = 2"),
			 FRAMES);
	/* the same columns, and the same ids counted from each trace's first */
	assert_int_equal(
	    count(
		f->store,
		"SELECT count(*) FROM (SELECT id - (SELECT first_id FROM "
		"packet_range r WHERE r.trace_id = p.trace_id), ts_ns, frame, "
		"frame_len, linktype, ip_version, protocol, src, dst, sport, "
		"dport, frag_id, frag_offset, more_frags, datagram_len FROM "
		"packet p WHERE trace_id = 1 EXCEPT SELECT id - (SELECT "
		"first_id FROM packet_range r WHERE r.trace_id = p.trace_id), "
		"ts_ns, frame, frame_len, linktype, ip_version, protocol, src, "
		"dst, sport, dport, frag_id, frag_offset, more_frags, "
		"datagram_len FROM packet p WHERE trace_id = 2)"),
	    0);
	/* and in id order */
	assert_int_equal(count(f->store, "SELECT count(*) FROM (SELECT frame, "
					 "lag(frame) OVER () AS prev FROM "
					 "packet WHERE trace_id = 2) WHERE "
					 "frame != prev + 1"),
			 0);
	assert_string_equal(text(f->store,
				 "SELECT ts_ns || ' ' || frag_offset "
				 "|| ' ' || more_frags FROM packet "
				 "WHERE trace_id = 2 AND frame = 103"),
			    "8898 2960 1");
	/* deleting the trace deletes its runs */
	assert_int_equal(rp_store_query(f->store,
					"DELETE FROM trace WHERE name = 'runs'",
					1, NULL, NULL, &err),
			 0);
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet"),
			 FRAMES);
}

/* Packet rows (schema/0003): batched, addresses interned per trace and
 * shown as text by the `packet` view, a trace's rows one id range. */
static void packet_rows_packed(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_writer *w;
	struct rp_error err;
	const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	const uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

	for (int t = 0; t < 2; t++) {
		struct rp_trace_meta meta = {.name = t ? "b" : "a",
					     .source = "pcap"};
		assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
		/* 150 rows: two full batches and 22 one by one */
		for (int i = 0; i < 150; i++) {
			struct rp_packet p = {.ts_ns = 1000 + i,
					      .frame = i + 1,
					      .frame_len = 60 + i,
					      .linktype = 276,
					      .frag_id = -1};
			if (i % 3) {
				p.ip_version = 6;
				p.protocol = i % 3 == 1 ? 17 : 132;
				p.addr_len = 16;
				memcpy(p.src_ip, i & 1 ? a6 : b6, 16);
				memcpy(p.dst_ip, i & 1 ? b6 : a6, 16);
				p.sport = i % 3 == 1 ? 65535 : -1;
				p.dport = i % 3 == 1 ? 2049 : -1;
			}
			if (i == 7) {
				p.frag_id = 0xfedcba98;
				p.frag_offset = 65528;
				p.more_frags = 1;
				p.datagram_len = 70000;
			}
			assert_int_equal(rp_trace_add_packet(w, &p, &err), 0);
		}
		assert_int_equal(rp_trace_finish(w, &err), 0);
	}
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet"), 300);
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet p JOIN "
					 "trace t ON t.id = p.trace_id "
					 "WHERE t.name = 'b' AND frame = 150"),
			 1);
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet_addr"),
			 4);
	assert_string_equal(text(f->store, "SELECT src || ' ' || dst || ' ' || "
					   "sport || ' ' || dport || ' ' || "
					   "protocol || ' ' || linktype FROM "
					   "packet WHERE frame = 2"),
			    "2001:db8::1 2001:db8::2 65535 2049 17 276");
	/* not IP: no version, protocol, addresses or ports */
	assert_string_equal(
	    text(f->store, "SELECT coalesce(ip_version, protocol, src, dst, "
			   "sport, dport, frag_id, more_frags, datagram_len) "
			   "FROM packet WHERE frame = 1"),
	    "NULL");
	/* IP without ports (SCTP) */
	assert_string_equal(text(f->store, "SELECT protocol || ' ' || "
					   "coalesce(sport, dport, 'none') "
					   "FROM packet WHERE frame = 3"),
			    "132 none");
	assert_string_equal(
	    text(f->store, "SELECT frag_id || ' ' || frag_offset || ' ' || "
			   "more_frags || ' ' || datagram_len FROM packet "
			   "WHERE frame = 8 AND trace_id = 2"),
	    "4275878552 65528 1 70000");
	/* text addresses are accepted too; a bad one is an error */
	struct rp_trace_meta meta = {.name = "c", .source = "pcap"};
	struct rp_packet p = {.ts_ns = 1,
			      .frame = 1,
			      .linktype = 1,
			      .ip_version = 4,
			      .protocol = 6,
			      .src = "10.0.0.1",
			      .dst = "10.0.0.2",
			      .frag_id = -1};
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_add_packet(w, &p, &err), 0);
	snprintf(p.dst, sizeof p.dst, "10.0.0.x");
	assert_int_equal(rp_trace_add_packet(w, &p, &err), -1);
	/* what the packed columns cannot hold is an error */
	snprintf(p.dst, sizeof p.dst, "10.0.0.2");
	p.frag_id = 1;
	p.frag_offset = 131072;
	assert_int_equal(rp_trace_add_packet(w, &p, &err), -1);
	assert_non_null(strstr(err.msg, "out of range"));
	p.frag_offset = 0;
	p.datagram_len = -1;
	assert_int_equal(rp_trace_add_packet(w, &p, &err), -1);
	rp_trace_abort(w);
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet"), 300);
	/* deleting a trace deletes its packet rows and addresses */
	assert_int_equal(rp_store_query(f->store,
					"DELETE FROM trace WHERE name = 'a'", 1,
					NULL, NULL, &err),
			 0);
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet_row"),
			 150);
	assert_int_equal(count(f->store, "SELECT count(*) FROM packet_addr"),
			 2);
}

static const char *text_rw(struct rp_store *s, const char *sql)
{
	return text_query(s, sql, 1);
}

/* RP_STORE_BULK: a rollback journal while the import runs, the WAL again
 * after it commits or aborts; with another connection open the WAL stays. */
/* nfs_op rows (schema/0006): packed in nfs_op_row, a trace's rows one id
 * range, shown with their old columns by the nfs_op view. */
static void nfs_op_rows_packed(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_writer *w;
	struct rp_error err;

	for (int t = 0; t < 2; t++) {
		struct rp_trace_meta meta = {.name = t ? "b" : "a",
					     .source = "pcap"};
		assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
		/* 150 rows: two full batches and 22 one by one */
		for (int i = 0; i < 150; i++) {
			struct rp_nfs_op op = {
			    .xid = 1000 + i,
			    .version = 2 + i % 3,
			    .proc = i % 3 == 2 ? 1 : 6,
			    .fh_hash = i ? i : 0,
			    .offset = i % 5 ? 8192 * i : -1,
			    .count = i % 5 ? 8192 : -1,
			    .call_ns = 10 * i,
			    .reply_ns = i % 7 ? 10 * i + 3 : -1,
			    .status = i % 7 ? 0 : -1,
			    .transport = i & 1 ? "tcp" : "udp"};
			if (i % 3 == 2)
				op.ops = "SEQUENCE,PUTFH,READ";
			if (i == 149) {
				op.proc = 99; /* no name */
				op.transport = NULL;
			}
			assert_int_equal(rp_trace_add_nfs_op(w, &op, &err), 0);
		}
		assert_int_equal(rp_trace_finish(w, &err), 0);
	}
	assert_int_equal(count(f->store, "SELECT count(*) FROM nfs_op"), 300);
	assert_int_equal(count(f->store, "SELECT count(*) FROM nfs_op_range"),
			 2);
	assert_string_equal(
	    text(f->store, "SELECT trace_id || ' ' || xid || ' ' || version || "
			   "' ' || proc_name || ' ' || transport || ' ' || "
			   "ops FROM nfs_op WHERE xid = 1005 AND trace_id = 2"),
	    "2 1005 4 COMPOUND tcp SEQUENCE,PUTFH,READ");
	assert_string_equal(
	    text(f->store, "SELECT proc_name || ' ' || \"offset\" || ' ' || "
			   "count || ' ' || reply_ns || ' ' || status || ' ' "
			   "|| fh_hash FROM nfs_op WHERE xid = 1003 AND "
			   "trace_id = 1"),
	    "READ 24576 8192 33 0 3");
	assert_string_equal(
	    text(f->store, "SELECT coalesce(fh_hash, \"offset\", count, "
			   "reply_ns, status, ops, 'none') FROM nfs_op WHERE "
			   "xid = 1000 AND trace_id = 1"),
	    "none");
	assert_string_equal(text(f->store, "SELECT proc || ' ' || "
					   "coalesce(proc_name, transport, "
					   "'none') FROM nfs_op WHERE xid = "
					   "1149 AND trace_id = 2"),
			    "99 none");
	/* a transport the column cannot hold is an error */
	struct rp_trace_meta meta = {.name = "c", .source = "pcap"};
	struct rp_nfs_op bad = {.xid = 1, .version = 3, .transport = "sctp"};
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_add_nfs_op(w, &bad, &err), -1);
	assert_non_null(strstr(err.msg, "sctp"));
	rp_trace_abort(w);
	assert_int_equal(count(f->store, "SELECT count(*) FROM nfs_op_row"),
			 300);
	/* deleting a trace deletes its rows, also without foreign keys */
	assert_int_equal(rp_store_query(f->store,
					"PRAGMA foreign_keys = OFF; DELETE "
					"FROM trace WHERE name = 'a'",
					1, NULL, NULL, &err),
			 0);
	assert_int_equal(count(f->store, "SELECT count(*) FROM nfs_op_row"),
			 150);
	assert_int_equal(count(f->store, "SELECT min(xid) || max(xid) FROM "
					 "nfs_op WHERE trace_id = 2"),
			 10001149);
}

/* nfs_proc (schema/0006) names every procedure the decoders name. */
static void nfs_proc_names(void **state)
{
	struct fixture *f = *state;
	char sql[128];
	int named = 0;
	for (uint32_t v = 1; v <= 5; v++)
		for (uint32_t p = 0; p < 40; p++) {
			const char *name = net_nfs_proc_name(v, p);
			snprintf(sql, sizeof sql,
				 "SELECT name FROM nfs_proc WHERE version = %u "
				 "AND proc = %u",
				 v, p);
			assert_string_equal(text(f->store, sql),
					    name ? name : "none");
			named += name != NULL;
		}
	assert_int_equal(count(f->store, "SELECT count(*) FROM nfs_proc"),
			 named);
}

static void bulk_import_journal(void **state)
{
	struct fixture *f = *state;
	struct rp_trace_meta meta = {.name = "bulk", .source = "test"};
	struct rp_trace_writer *w;
	struct rp_store *other;
	struct rp_error err;
	struct rp_event ev[300];
	for (int i = 0; i < 300; i++)
		ev[i] = mk(i, RP_PAGE_ALLOC);
	rp_store_close(f->store);
	assert_int_equal(rp_store_open(f->path, RP_STORE_BULK, &f->store, &err),
			 0);
	assert_string_equal(text_rw(f->store, "PRAGMA journal_mode"), "wal");
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_string_equal(text_rw(f->store, "PRAGMA journal_mode"), "delete");
	assert_int_equal(rp_trace_append(w, ev, 300, &err), 0);
	rp_trace_abort(w);
	assert_string_equal(text_rw(f->store, "PRAGMA journal_mode"), "wal");
	assert_int_equal(count(f->store, "SELECT count(*) FROM event"), 0);

	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_int_equal(rp_trace_append(w, ev, 300, &err), 0);
	assert_int_equal(rp_trace_finish(w, &err), 0);
	assert_string_equal(text_rw(f->store, "PRAGMA journal_mode"), "wal");
	assert_int_equal(count(f->store, "SELECT count(*) FROM event"), 300);

	assert_int_equal(rp_store_open(f->path, 0, &other, &err), 0);
	meta.name = "bulk2";
	assert_int_equal(rp_trace_begin(f->store, &meta, &w, &err), 0);
	assert_string_equal(text_rw(f->store, "PRAGMA journal_mode"), "wal");
	assert_int_equal(rp_trace_append(w, ev, 300, &err), 0);
	assert_int_equal(rp_trace_finish(w, &err), 0);
	assert_int_equal(count(other, "SELECT count(*) FROM event"), 600);
	rp_store_close(other);
}

static void readonly_sql(void **state)
{
	struct fixture *f = *state;
	struct rp_error err;
	assert_int_equal(
	    rp_store_query(f->store, "DELETE FROM trace", 0, NULL, NULL, &err),
	    -1);
	assert_non_null(strstr(err.msg, "--write"));
	assert_int_equal(rp_store_query(f->store,
					"CREATE TABLE note(x); "
					"INSERT INTO note VALUES (1)",
					1, NULL, NULL, &err),
			 0);
	assert_int_equal(count(f->store, "SELECT x FROM note"), 1);
	assert_int_equal(
	    rp_store_query(f->store, "SELEC 1", 0, NULL, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "syntax error"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(schema_applied, setup, teardown),
	    cmocka_unit_test_setup_teardown(newer_schema_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(not_a_database, setup, teardown),
	    cmocka_unit_test_setup_teardown(round_trip_every_column, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(abort_leaves_nothing, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(bulk_import_journal, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(time_order_enforced, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(names_are_unique, setup, teardown),
	    cmocka_unit_test_setup_teardown(second_trace_gets_own_range, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(side_tables_and_runs, setup,
					    teardown),
	    cmocka_unit_test(packet_addr_numbering),
	    cmocka_unit_test_setup_teardown(packet_runs, setup, teardown),
	    cmocka_unit_test_setup_teardown(packet_rows_packed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(nfs_op_rows_packed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(nfs_proc_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(readonly_sql, setup, teardown),
	};
	rp_store_process_init(); /* as vmreplay does: the tests run with it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
