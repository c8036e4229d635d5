/* bench-import.c — CSV import speed against a bare SQLite insert loop.
 *
 *   bench/bench-import CSV N
 *
 * (1) imports CSV (made by bench/gen-trace N) with rp_import_csv, as
 * `vmreplay import csv` does; (2) inserts the same N rows, already packed
 * as the store packs them, into an empty database of the same schema with
 * one single-row prepared INSERT in one transaction: the floor for storing
 * those rows at all.  Prints events/s of both, their ratio, and database
 * bytes per event. */
#include "gen.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void fresh(const char *path)
{
	char buf[512];
	unlink(path);
	snprintf(buf, sizeof buf, "%s-wal", path);
	unlink(buf);
	snprintf(buf, sizeof buf, "%s-shm", path);
	unlink(buf);
}

static int bare_loop(const char *db, long long n, double *secs)
{
	struct rp_store *s;
	struct rp_error err;
	struct gen *g = malloc(sizeof *g);
	sqlite3 *h;
	sqlite3_stmt *st;

	fresh(db);
	/* the store creates the schema; then plain sqlite3 does the rest */
	if (!g || rp_store_open(db, RP_STORE_CREATE, &s, &err))
		return -1;
	rp_store_close(s);
	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	/* the journal `vmreplay import` writes with (RP_STORE_BULK) */
	sqlite3_exec(h, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL",
		     NULL, NULL, NULL);
	gen_init(g, 0);
	double t0 = now();
	sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(h,
			   "INSERT INTO event(id,ts,kog,task,a,b,c,flags) "
			   "VALUES (?,?,?,?,?,?,?,?)",
			   -1, &st, NULL);
	int64_t base = 0;
	for (long long i = 0; i < n; i++) {
		struct rp_event ev;
		gen_next(g, &ev);
		if (i == 0)
			base = ev.ts_ns;
		int64_t kog = ev.kind;
		if (ev.present & RP_HAS(RP_COL_ORDER))
			kog |= (ev.order + 1) << 4;
		if (ev.present & RP_HAS(RP_COL_GFP))
			kog |= ev.gfp << 8;
		sqlite3_bind_int64(st, 1, i + 1);
		sqlite3_bind_int64(st, 2, ev.ts_ns - base);
		sqlite3_bind_int64(st, 3, kog);
#define OPT(i, col, v)                                                         \
	(ev.present & RP_HAS(col) ? sqlite3_bind_int64(st, i, v)               \
				  : sqlite3_bind_null(st, i))
		OPT(4, RP_COL_TASK, ev.task);
		OPT(5, RP_COL_OBJ, ev.obj);
		OPT(6, RP_COL_BYTES, ev.bytes);
		OPT(7, RP_COL_COUNT, ev.count);
		OPT(8, RP_COL_FLAGS, ev.flags);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	*secs = now() - t0;
	sqlite3_close(h);
	free(g);
	return 0;
}

int main(int argc, char **argv)
{
	rp_store_process_init(); /* as the vmreplay command does */
	if (argc != 3) {
		fprintf(stderr, "usage: bench-import CSV N\n");
		return 2;
	}
	const char *csv = argv[1];
	long long n = atoll(argv[2]);
	const char *db = "bench-import.db", *bare = "bench-bare.db";
	struct rp_store *s;
	struct rp_error err;
	struct rp_trace_meta meta = {.name = "bench"};
	struct rp_csv_options opt = {.format = RP_CSV_NATIVE};

	double bare_s;
	if (bare_loop(bare, n, &bare_s)) {
		fprintf(stderr, "bench-import: bare loop failed\n");
		return 1;
	}
	fresh(db);
	if (rp_store_open(db, RP_STORE_CREATE | RP_STORE_BULK, &s, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	long long empty = file_size(db);
	double t0 = now();
	if (rp_import_csv(s, csv, &meta, &opt, NULL, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	double import_s = now() - t0;
	rp_store_close(s); /* checkpoints the WAL into the file */
	long long bytes = file_size(db) - empty;

	printf("events            %lld\n", n);
	printf("csv bytes         %lld\n", file_size(csv));
	printf("import csv        %.2f s  %.0f events/s\n", import_s,
	       (double)n / import_s);
	printf("bare insert loop  %.2f s  %.0f events/s\n", bare_s,
	       (double)n / bare_s);
	printf("import / bare     %.2f\n", bare_s / import_s);
	printf("db bytes/event    %.1f\n", (double)bytes / (double)n);
	fresh(db);
	fresh(bare);
	return 0;
}
