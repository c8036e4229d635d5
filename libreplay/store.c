/*
 * store.c — the SQLite trace store: the only file that includes sqlite3.h.
 *
 * Opens and migrates databases (schema/NNNN-*.sql, compiled in), writes
 * traces in one transaction each, streams a trace's events back in order,
 * writes results (runs) and runs ad-hoc SQL for `vmreplay sql`.
 *
 * On-disk packing of events (docs/schema.md): a trace's events are one
 * contiguous range of event ids; ts is relative to trace.t0_ns; kind, order
 * and gfp share one integer (kog); three generic slots a, b, c hold the
 * kind's main columns; any other column goes to event_extra.
 */
#include "internal.h"
#include "store-schema.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct rp_store {
	sqlite3 *db;
	char *path;
	int readonly;
	int bulk;	  /* RP_STORE_BULK given */
	int bulk_journal; /* a rollback journal is on for this import */
	int wb_fd;	  /* SQLite's descriptor of the file, or -1 */
	int64_t wb_done;  /* bytes of it asked to be written back */
	unsigned wb_tick;
};

/* ------------------------------------------------------------- helpers */

static int db_error(struct rp_store *s, struct rp_error *err, const char *what)
{
	return rp_error_set(err, "%s: %s: %s", s->path, what,
			    sqlite3_errmsg(s->db));
}

static int exec(struct rp_store *s, const char *sql, struct rp_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		rp_error_set(err, "%s: %s", s->path, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int prepare(struct rp_store *s, const char *sql, sqlite3_stmt **st,
		   struct rp_error *err)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
			       NULL) != SQLITE_OK)
		return db_error(s, err, "prepare");
	return 0;
}

static int64_t query_i64(struct rp_store *s, const char *sql, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* --------------------------------------------------------- open / close */

int rp_store_schema_version(void)
{
	int v = 0;
	for (int i = 0; i < rp_migration_count; i++)
		if (rp_migrations[i].version > v)
			v = rp_migrations[i].version;
	return v;
}

/* The oldest schema this vmreplay reads as it is, without the upgrade a
 * write does: 0007 changed only how new packet rows are stored, and a 0006
 * database's own `packet` view reads the rows it has. */
#define SCHEMA_READS_FROM 6

static int migrate(struct rp_store *s, struct rp_error *err)
{
	int have = (int)query_i64(s, "PRAGMA user_version", 0);
	int want = rp_store_schema_version();

	if (have > want)
		return rp_error_set(err,
				    "%s: written by a newer vmreplay (schema "
				    "version %d; this vmreplay %s knows up to "
				    "%d): upgrade vmreplay to read it",
				    s->path, have, rp_version(), want);
	if (have == want || (s->readonly && have >= SCHEMA_READS_FROM))
		return 0;
	if (s->readonly)
		return rp_error_set(err,
				    "%s: schema version %d is older than %d: "
				    "open it once for writing to upgrade it",
				    s->path, have, want);
	if (exec(s, "BEGIN IMMEDIATE", err))
		return -1;
	for (int i = 0; i < rp_migration_count; i++) {
		const struct rp_migration *m = &rp_migrations[i];
		if (m->version <= have)
			continue;
		char *msg = NULL;
		if (sqlite3_exec(s->db, m->sql, NULL, NULL, &msg) !=
		    SQLITE_OK) {
			rp_error_set(err, "%s: schema %s: %s", s->path, m->name,
				     msg ? msg : "error");
			sqlite3_free(msg);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", want);
	if (exec(s, sql, err) || exec(s, "COMMIT", err)) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

void rp_store_process_init(void)
{
	/* SQLITE_MISUSE once SQLite is initialised: then nothing changes */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int rp_store_open(const char *path, int flags, struct rp_store **out,
		  struct rp_error *err)
{
	struct rp_store *s = calloc(1, sizeof *s);
	int oflags;

	*out = NULL;
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return rp_error_set(err, "%s: out of memory", path);
	}
	s->readonly = (flags & RP_STORE_READONLY) != 0;
	s->bulk = (flags & RP_STORE_BULK) != 0;
	s->wb_fd = -1;
	oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (!s->readonly && (flags & RP_STORE_CREATE))
		oflags |= SQLITE_OPEN_CREATE;
	/* one connection is used by one thread at a time: no mutexes */
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		if (!s->db)
			rp_error_set(err, "%s: cannot open database", path);
		else if (sqlite3_errcode(s->db) == SQLITE_CANTOPEN)
			rp_error_set(err, "%s: cannot open database (%s)", path,
				     s->readonly || !(flags & RP_STORE_CREATE)
					 ? "no such file or not readable"
					 : "cannot create it");
		else
			db_error(s, err, "cannot open database");
		rp_store_close(s);
		return -1;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	/* A non-database file fails on the first read. */
	int64_t objects = -1;
	if (exec(s, "PRAGMA foreign_keys = ON", err) ||
	    (objects = query_i64(s, "SELECT count(*) FROM sqlite_master", -1)) <
		0) {
		rp_error_set(err, "%s: not a vmreplay database (%s)", path,
			     sqlite3_errmsg(s->db));
		rp_store_close(s);
		return -1;
	}
	/* A new database gets 16 KiB pages (before WAL, which fixes the page
	 * size): a bulk import of packet rows is ~5 % faster than with 4 KiB
	 * (docs/PERFORMANCE.md); 64 KiB was slower. */
	if (!s->readonly && objects == 0 &&
	    exec(s, "PRAGMA page_size = 16384", err)) {
		rp_store_close(s);
		return -1;
	}
	/* A new database made for a bulk import stays in rollback mode until
	 * the import ends (begin_write, bulk_journal_end): no WAL to create,
	 * checkpoint and remove first. */
	bool wal = !(s->bulk && objects == 0);
	if (!s->readonly &&
	    ((wal && exec(s, "PRAGMA journal_mode = WAL", err)) ||
	     exec(s, "PRAGMA synchronous = NORMAL", err))) {
		rp_store_close(s);
		return -1;
	}
	if (migrate(s, err)) {
		rp_store_close(s);
		return -1;
	}
	/* the index an import builds at its end sorts in memory, not in a
	 * temporary file under /var/tmp */
	if (s->bulk && exec(s, "PRAGMA temp_store = MEMORY", err)) {
		rp_store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void rp_store_close(struct rp_store *s)
{
	if (!s)
		return;
	if (s->db)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

/* -------------------------------------------------------- event packing */

enum { KOG_EXTRA = 1 << 12 };
#define BATCH	   64 /* rows per multi-row INSERT */
#define EVENT_COLS 7

/* Which event column lives in slot a and b for a kind (c is count). */
static int slot_a(int kind)
{
	switch (kind) {
	case RP_FILE_READ:
	case RP_FILE_WRITE: return RP_COL_FILE;
	case RP_BLK_READ:
	case RP_BLK_WRITE: return RP_COL_BLOCK;
	case RP_ANON_TOUCH: return RP_COL_OFFSET;
	default: return RP_COL_OBJ;
	}
}

static int slot_b(int kind)
{
	switch (kind) {
	case RP_FILE_READ:
	case RP_FILE_WRITE: return RP_COL_OFFSET;
	case RP_BLK_READ:
	case RP_BLK_WRITE: return RP_COL_DEV;
	default: return RP_COL_BYTES;
	}
}

/* Columns stored outside event_extra for a kind. */
static uint32_t packed_columns(int kind)
{
	return RP_HAS(RP_COL_TS) | RP_HAS(RP_COL_KIND) | RP_HAS(RP_COL_TASK) |
	       RP_HAS(RP_COL_ORDER) | RP_HAS(RP_COL_GFP) |
	       RP_HAS(RP_COL_COUNT) | RP_HAS(RP_COL_FLAGS) |
	       RP_HAS(slot_a(kind)) | RP_HAS(slot_b(kind));
}

static int64_t pack_kog(const struct rp_event *ev, int extra)
{
	int64_t kog = ev->kind & 15;
	if (ev->present & RP_HAS(RP_COL_ORDER))
		kog |= (int64_t)((ev->order + 1) & 15) << 4;
	if (ev->present & RP_HAS(RP_COL_GFP))
		kog |= (int64_t)(ev->gfp & 15) << 8;
	if (extra)
		kog |= KOG_EXTRA;
	return kog;
}

static void bind_opt(sqlite3_stmt *st, int i, const struct rp_event *ev,
		     int col)
{
	if (ev->present & RP_HAS(col))
		sqlite3_bind_int64(st, i, rp_event_get(ev, col));
	else
		sqlite3_bind_null(st, i);
}

/* --------------------------------------------------------- trace writer */

/* An nfs_op row waiting for its batch; ops is an offset into
 * rp_trace_writer.nfs_text, -1 for NULL; tcp 1, 0 (udp) or -1 (NULL). */
struct nfs_row {
	struct rp_nfs_op op;
	int64_t ops;
	int tcp;
};

struct rp_trace_writer {
	struct rp_store *s;
	int64_t trace_id;
	int64_t first_id, next_id;
	int64_t t0, first_ns, last_ns;
	int64_t nevents;
	sqlite3_stmt *ins_batch, *ins_one, *ins_extra;
	sqlite3_stmt *ins_packet, *ins_nfs, *ins_sample, *ins_stat;
	struct rp_event pending[BATCH];
	int npending;
	/* packet and nfs_op rows, BATCH at a time; the trace's packet rows
	 * are ids pkt_first_id..pkt_next_id - 1, its nfs_op rows
	 * nfs_first_id..nfs_next_id - 1 */
	sqlite3_stmt *ins_packets, *ins_addr, *ins_nfss;
	int64_t pkt_first_id, pkt_next_id, nfs_first_id, nfs_next_id;
	struct rp_packet_row pkt_pending[BATCH];
	int64_t pkt_run[BATCH]; /* offsets of their runs in pkt_text, or -1 */
	int npkt;
	struct rp_text pkt_text;
	struct rp_addr_ids addrs;
	struct nfs_row nfs_pending[BATCH];
	int nnfs;
	struct rp_text nfs_text;
};

/* "INSERT INTO event(...) VALUES (?,...),..." for `rows` rows, in buf.
 * The rowids are left to SQLite: appending max + 1 is cheaper than an
 * explicit id, which SQLite must look up first (flush_pending checks that
 * they came out as next_id counted them). */
static const char *event_insert_sql(char *buf, size_t size, int rows)
{
	size_t o = (size_t)snprintf(
	    buf, size, "INSERT INTO event(ts,kog,task,a,b,c,flags) VALUES ");
	for (int r = 0; r < rows && o < size; r++)
		o += (size_t)snprintf(buf + o, size - o, "%s(?,?,?,?,?,?,?)",
				      r ? "," : "");
	return buf;
}

static void writer_free(struct rp_trace_writer *w)
{
	sqlite3_stmt **sts[] = {&w->ins_batch,	&w->ins_one,	 &w->ins_extra,
				&w->ins_packet, &w->ins_nfs,	 &w->ins_sample,
				&w->ins_stat,	&w->ins_packets, &w->ins_addr,
				&w->ins_nfss};
	for (size_t i = 0; i < RP_ARRAY_SIZE(sts); i++)
		sqlite3_finalize(*sts[i]);
	rp_addr_ids_free(&w->addrs);
	free(w->nfs_text.p);
	free(w->pkt_text.p);
	free(w);
}

/* Sets the journal mode; true if the database is now in that mode.  A
 * WAL database another connection has open keeps its WAL (SQLite refuses
 * the change): no waiting for it. */
static bool set_journal_mode(struct rp_store *s, const char *mode)
{
	char sql[64];
	sqlite3_stmt *st;
	bool done = false;
	snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
	sqlite3_busy_timeout(s->db, 0);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			const char *now =
			    (const char *)sqlite3_column_text(st, 0);
			done = now && !strcasecmp(now, mode);
		}
		sqlite3_finalize(st);
	}
	sqlite3_busy_timeout(s->db, 5000);
	return done;
}

/* Early write-back during a bulk import.  It writes tens of MB into the
 * database file before its commit, whose fdatasync then waits for all of
 * them to reach the disk (35 ms of a 0.5 s import of a million frames).
 * Asking the kernel to start writing the file back as it grows
 * (sync_file_range, as RocksDB's bytes_per_sync does) leaves the commit
 * little to wait for; durability is the commit's, as before.  SQLite does
 * not hand out its file descriptor: the one open for writing on the same
 * file is found under /proc/self/fd, used for that hint only and never
 * closed (closing a descriptor of the file would drop SQLite's locks). */
#define WRITEBACK_STEP (8 << 20)

static int db_write_fd(struct rp_store *s)
{
	struct stat want, st;
	const char *name = sqlite3_db_filename(s->db, "main");
	if (!name || !*name || stat(name, &want) < 0)
		return -1;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int found = -1;
	for (struct dirent *e; found < 0 && (e = readdir(d));) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd == dirfd(d) ||
		    fstat((int)fd, &st) < 0)
			continue;
		int fl = fcntl((int)fd, F_GETFL);
		if (st.st_dev == want.st_dev && st.st_ino == want.st_ino &&
		    fl >= 0 && (fl & O_ACCMODE) != O_RDONLY)
			found = (int)fd;
	}
	closedir(d);
	return found;
}

/* Called as rows go in: starts the write-back of what was added since. */
static void writeback_hint(struct rp_store *s)
{
#ifdef SYNC_FILE_RANGE_WRITE
	struct stat st;
	if (s->wb_fd < 0 || ++s->wb_tick % 64 || fstat(s->wb_fd, &st) < 0 ||
	    st.st_size - s->wb_done < WRITEBACK_STEP)
		return;
	sync_file_range(s->wb_fd, s->wb_done, st.st_size - s->wb_done,
			SYNC_FILE_RANGE_WRITE);
	s->wb_done = st.st_size;
#else
	(void)s;
#endif
}

/* RP_STORE_BULK: a rollback journal while an import (or a run's results)
 * is written (begin_write).  Pages past the end of the file are not
 * journaled, so an import that appends is written once; the WAL would
 * write it twice (log, then checkpoint).  Back to WAL after the
 * transaction ends. */
static void bulk_journal_end(struct rp_store *s)
{
	s->wb_fd = -1;
	if (s->bulk_journal) {
		set_journal_mode(s, "wal");
		s->bulk_journal = 0;
	}
}

/* BEGIN IMMEDIATE of a trace or run writer, under the bulk journal. */
static int begin_write(struct rp_store *s, struct rp_error *err)
{
	if (s->bulk && !s->bulk_journal)
		s->bulk_journal = set_journal_mode(s, "delete");
	if (exec(s, "BEGIN IMMEDIATE", err)) {
		bulk_journal_end(s);
		return -1;
	}
	if (s->bulk_journal) {
		struct stat st;
		s->wb_fd = db_write_fd(s);
		s->wb_done = s->wb_fd >= 0 && fstat(s->wb_fd, &st) == 0
				 ? (int64_t)st.st_size
				 : 0;
	}
	return 0;
}

int rp_trace_begin(struct rp_store *s, const struct rp_trace_meta *meta,
		   struct rp_trace_writer **out, struct rp_error *err)
{
	struct rp_trace_writer *w;
	sqlite3_stmt *st = NULL;
	char now[32];

	*out = NULL;
	if (s->readonly)
		return rp_error_set(err, "%s: opened read-only", s->path);
	if (!meta->name || !*meta->name)
		return rp_error_set(err, "%s: a trace needs a name", s->path);
	w = calloc(1, sizeof *w);
	if (!w)
		return rp_error_set(err, "out of memory");
	w->s = s;
	if (begin_write(s, err)) {
		free(w);
		return -1;
	}
	if (prepare(s, "SELECT id FROM trace WHERE name = ?", &st, err))
		goto fail;
	sqlite3_bind_text(st, 1, meta->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		rp_error_set(err, "%s: a trace named '%s' exists already",
			     s->path, meta->name);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	rp_utc_now(now);
	if (prepare(s,
		    "INSERT INTO trace(name,source,origin,host,kernel,command,"
		    "created) VALUES (?,?,?,?,?,?,?)",
		    &st, err))
		goto fail;
	bind_text_or_null(st, 1, meta->name);
	bind_text_or_null(st, 2, meta->source ? meta->source : "unknown");
	bind_text_or_null(st, 3, meta->origin);
	bind_text_or_null(st, 4, meta->host);
	bind_text_or_null(st, 5, meta->kernel);
	bind_text_or_null(st, 6, meta->command);
	bind_text_or_null(st, 7, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(s, err, "insert trace");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	w->trace_id = sqlite3_last_insert_rowid(s->db);
	w->first_id = w->next_id =
	    query_i64(s, "SELECT max(id) FROM event", 0) + 1;
	char sql[64 + BATCH * 20];
	if (prepare(s, event_insert_sql(sql, sizeof sql, BATCH), &w->ins_batch,
		    err) ||
	    prepare(s, event_insert_sql(sql, sizeof sql, 1), &w->ins_one,
		    err) ||
	    prepare(
		s, "INSERT INTO event_extra(event_id,col,value) VALUES (?,?,?)",
		&w->ins_extra, err))
		goto fail;
	*out = w;
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	writer_free(w);
	return -1;
}

static int store_extras(struct rp_trace_writer *w, int64_t id,
			const struct rp_event *ev, uint32_t extra,
			struct rp_error *err)
{
	for (int col = 0; col < RP_NCOLUMNS; col++) {
		if (!(extra & RP_HAS(col)))
			continue;
		sqlite3_bind_int64(w->ins_extra, 1, id);
		sqlite3_bind_int(w->ins_extra, 2, col);
		sqlite3_bind_int64(w->ins_extra, 3, rp_event_get(ev, col));
		if (sqlite3_step(w->ins_extra) != SQLITE_DONE) {
			sqlite3_reset(w->ins_extra);
			return db_error(w->s, err, "insert event_extra");
		}
		sqlite3_reset(w->ins_extra);
	}
	return 0;
}

static int bind_event(struct rp_trace_writer *w, sqlite3_stmt *st, int base,
		      const struct rp_event *ev, struct rp_error *err)
{
	int64_t id = w->next_id++;
	uint32_t extra = ev->present & ~packed_columns(ev->kind);
	sqlite3_bind_int64(st, base + 1, ev->ts_ns - w->t0);
	sqlite3_bind_int64(st, base + 2, pack_kog(ev, extra != 0));
	bind_opt(st, base + 3, ev, RP_COL_TASK);
	bind_opt(st, base + 4, ev, slot_a(ev->kind));
	bind_opt(st, base + 5, ev, slot_b(ev->kind));
	bind_opt(st, base + 6, ev, RP_COL_COUNT);
	bind_opt(st, base + 7, ev, RP_COL_FLAGS);
	return extra ? store_extras(w, id, ev, extra, err) : 0;
}

static int step_reset(struct rp_trace_writer *w, sqlite3_stmt *st,
		      struct rp_error *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(w->s, err, "insert event");
	writeback_hint(w->s);
	if (sqlite3_last_insert_rowid(w->s->db) != w->next_id - 1)
		return rp_error_set(err, "%s: event ids are not contiguous",
				    w->s->path);
	return 0;
}

static int flush_pending(struct rp_trace_writer *w, struct rp_error *err)
{
	if (w->npending == BATCH) {
		for (int i = 0; i < BATCH; i++)
			if (bind_event(w, w->ins_batch, i * EVENT_COLS,
				       &w->pending[i], err))
				return -1;
		w->npending = 0;
		return step_reset(w, w->ins_batch, err);
	}
	for (int i = 0; i < w->npending; i++)
		if (bind_event(w, w->ins_one, 0, &w->pending[i], err) ||
		    step_reset(w, w->ins_one, err))
			return -1;
	w->npending = 0;
	return 0;
}

static int check_event(struct rp_trace_writer *w, const struct rp_event *ev,
		       struct rp_error *err)
{
	if (ev->kind <= RP_KIND_NONE || ev->kind >= RP_KIND_COUNT)
		return rp_error_set(err, "event %lld: unknown kind %d",
				    (long long)w->nevents + 1, ev->kind);
	if ((ev->present & RP_HAS(RP_COL_ORDER)) &&
	    (ev->order < 0 || ev->order > 14))
		return rp_error_set(err, "event %lld: order %d not in 0..14",
				    (long long)w->nevents + 1, ev->order);
	if (w->nevents > 0 && ev->ts_ns < w->last_ns)
		return rp_error_set(err,
				    "event %lld: time %lld ns is before the "
				    "previous event's %lld ns",
				    (long long)w->nevents + 1,
				    (long long)ev->ts_ns,
				    (long long)w->last_ns);
	return 0;
}

int rp_trace_append(struct rp_trace_writer *w, const struct rp_event *ev,
		    size_t n, struct rp_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (check_event(w, &ev[i], err))
			return -1;
		if (w->nevents == 0)
			w->t0 = w->first_ns = ev[i].ts_ns;
		w->last_ns = ev[i].ts_ns;
		w->nevents++;
		w->pending[w->npending++] = ev[i];
		if (w->npending == BATCH && flush_pending(w, err))
			return -1;
	}
	return 0;
}

int rp_trace_rewind_events(struct rp_trace_writer *w, struct rp_error *err)
{
	char sql[160];
	w->npending = 0;
	if (w->next_id > w->first_id) {
		snprintf(sql, sizeof sql,
			 "DELETE FROM event_extra WHERE event_id >= %lld; "
			 "DELETE FROM event WHERE id >= %lld",
			 (long long)w->first_id, (long long)w->first_id);
		if (exec(w->s, sql, err))
			return -1;
	}
	w->next_id = w->first_id;
	w->nevents = 0;
	w->t0 = w->first_ns = w->last_ns = 0;
	return 0;
}

int64_t rp_trace_id(const struct rp_trace_writer *w)
{
	return w->trace_id;
}

int64_t rp_trace_event_count(const struct rp_trace_writer *w)
{
	return w->nevents;
}

int rp_trace_set_stat(struct rp_trace_writer *w, const char *key,
		      const char *value, struct rp_error *err)
{
	if (!w->ins_stat &&
	    prepare(w->s,
		    "INSERT OR REPLACE INTO trace_stat(trace_id,key,value) "
		    "VALUES (?,?,?)",
		    &w->ins_stat, err))
		return -1;
	sqlite3_bind_int64(w->ins_stat, 1, w->trace_id);
	sqlite3_bind_text(w->ins_stat, 2, key, -1, SQLITE_TRANSIENT);
	bind_text_or_null(w->ins_stat, 3, value);
	int rc = sqlite3_step(w->ins_stat);
	sqlite3_reset(w->ins_stat);
	return rc == SQLITE_DONE ? 0 : db_error(w->s, err, "insert trace_stat");
}

/* Packet and nfs_op rows (packed as schema/0006 says) are kept until BATCH
 * of them fill a multi-row INSERT, like events; rp_trace_finish writes the
 * rest one by one.  A trace's rows of each are one id range.  A trace's
 * addresses are numbered as they first appear and written once to
 * packet_addr. */
#define PACKET_COLS 8
#define NFS_COLS    11

/* "HEAD(?,...,?),(?,...)": `rows` rows of `cols` parameters. */
static const char *multi_insert_sql(char *buf, size_t size, const char *head,
				    int cols, int rows)
{
	size_t o = (size_t)snprintf(buf, size, "%s", head);
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols && o + 4 < size; c++) {
			if (c == 0 && r > 0)
				buf[o++] = ',';
			buf[o++] = c == 0 ? '(' : ',';
			buf[o++] = '?';
			if (c == cols - 1)
				buf[o++] = ')';
		}
	buf[o < size ? o : size - 1] = 0;
	return buf;
}

static const char packet_head[] =
    "INSERT INTO packet_row(id,ts_ns,frame,info,addrs,frag,lens,run) VALUES ";
static const char nfs_head[] =
    "INSERT INTO nfs_op_row(xid,version,proc,fh_hash,\"offset\",count,"
    "call_ns,reply_ns,status,tcp,ops) VALUES ";

static int prepare_rows(struct rp_trace_writer *w, const char *head, int cols,
			int rows, sqlite3_stmt **st, struct rp_error *err)
{
	char sql[sizeof nfs_head + BATCH * (NFS_COLS * 2 + 2)];
	return prepare(
	    w->s, multi_insert_sql(sql, sizeof sql, head, cols, rows), st, err);
}

/* Copies string v to b: its offset there, -1 for NULL, -2 out of memory. */
static int64_t text_put(struct rp_text *b, const char *v)
{
	if (!v)
		return -1;
	size_t n = strlen(v) + 1;
	char *to = rp_text_reserve(b, n);
	if (!to)
		return -2;
	memcpy(to, v, n);
	b->len += n;
	return (int64_t)(b->len - n);
}

/* Binds the string at offset off of b (text_put), or NULL for -1. */
static void bind_text_at(sqlite3_stmt *st, int i, const struct rp_text *b,
			 int64_t off)
{
	if (off < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, b->p + off, -1, SQLITE_STATIC);
}

static void bind_i64_unless(sqlite3_stmt *st, int i, int64_t v, int64_t none)
{
	if (v == none)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

/* The packet_addr id of an address (len 4 or 16 bytes), numbering and
 * storing it when new; -1 on error. */
static int32_t addr_id(struct rp_trace_writer *w, int len, const uint8_t *a,
		       struct rp_error *err)
{
	bool added;
	int32_t id = rp_addr_ids_get(&w->addrs, a, len, &added);
	if (id < 0)
		return rp_error_set(err, "out of memory");
	if (added && rp_trace_add_packet_addr(w, id, len, a, err) < 0)
		return -1;
	return id;
}

int rp_trace_add_packet_addr(struct rp_trace_writer *w, int32_t id, int len,
			     const uint8_t *a, struct rp_error *err)
{
	char text[INET6_ADDRSTRLEN];
	if ((len != 4 && len != 16) ||
	    !inet_ntop(len == 4 ? AF_INET : AF_INET6, a, text, sizeof text))
		return rp_error_set(err, "packet: bad address");
	if (!w->ins_addr &&
	    prepare(w->s,
		    "INSERT INTO packet_addr(trace_id,id,addr) VALUES (?,?,?)",
		    &w->ins_addr, err))
		return -1;
	sqlite3_bind_int64(w->ins_addr, 1, w->trace_id);
	sqlite3_bind_int(w->ins_addr, 2, id);
	sqlite3_bind_text(w->ins_addr, 3, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(w->ins_addr);
	sqlite3_reset(w->ins_addr);
	if (rc != SQLITE_DONE)
		return db_error(w->s, err, "insert packet_addr");
	return 0;
}

/* The packet_addr ids of a packet's addresses, given as bytes or as text
 * (0 when it has none). */
static int packet_addrs(struct rp_trace_writer *w, const struct rp_packet *p,
			int32_t *sid, int32_t *did, struct rp_error *err)
{
	uint8_t src[16], dst[16];
	int len = p->addr_len;
	const uint8_t *ps = p->src_ip, *pd = p->dst_ip;
	*sid = *did = 0;
	if (!p->ip_version)
		return 0;
	if (len == 0 && p->src[0] && p->dst[0]) {
		int v4 = inet_pton(AF_INET, p->src, src) == 1 &&
			 inet_pton(AF_INET, p->dst, dst) == 1;
		if (!v4 && (inet_pton(AF_INET6, p->src, src) != 1 ||
			    inet_pton(AF_INET6, p->dst, dst) != 1))
			return rp_error_set(err,
					    "packet %lld: bad address '%s' or "
					    "'%s'",
					    (long long)p->frame, p->src,
					    p->dst);
		len = v4 ? 4 : 16;
		ps = src;
		pd = dst;
	}
	if (len == 0)
		return 0;
	if (len != 4 && len != 16)
		return rp_error_set(err, "packet %lld: address length %d",
				    (long long)p->frame, len);
	if ((*sid = addr_id(w, len, ps, err)) < 0 ||
	    (*did = addr_id(w, len, pd, err)) < 0)
		return -1;
	return 0;
}

/* Binds pending packet row i, whose run ends at id `last`.  A row of one
 * frame leaves its id to SQLite (max + 1, no look-up); a run's row takes
 * its last frame's id, so that the ids before it stay the run's
 * (schema/0007). */
static void bind_packet(struct rp_trace_writer *w, sqlite3_stmt *st, int base,
			int i, int64_t last)
{
	const struct rp_packet_row *r = &w->pkt_pending[i];
	if (r->frames > 1)
		sqlite3_bind_int64(st, base + 1, last);
	else
		sqlite3_bind_null(st, base + 1);
	sqlite3_bind_int64(st, base + 2, r->ts_ns);
	sqlite3_bind_int64(st, base + 3, r->frame);
	sqlite3_bind_int64(st, base + 4, r->info);
	bind_i64_unless(st, base + 5, r->addrs, -1);
	bind_i64_unless(st, base + 6, r->frag, -1);
	sqlite3_bind_int64(st, base + 7, r->lens);
	bind_text_at(st, base + 8, &w->pkt_text, w->pkt_run[i]);
}

static int flush_packets(struct rp_trace_writer *w, struct rp_error *err)
{
	int full = w->npkt == BATCH;
	sqlite3_stmt **st = full ? &w->ins_packets : &w->ins_packet;
	if (!w->npkt)
		return 0;
	if (!*st && prepare_rows(w, packet_head, PACKET_COLS, full ? BATCH : 1,
				 st, err))
		return -1;
	for (int i = 0; i < w->npkt; i++) {
		w->pkt_next_id += w->pkt_pending[i].frames;
		bind_packet(w, *st, full ? i * PACKET_COLS : 0, i,
			    w->pkt_next_id - 1);
		if (!full || i == BATCH - 1) {
			int rc = sqlite3_step(*st);
			sqlite3_reset(*st);
			if (rc != SQLITE_DONE)
				return db_error(w->s, err, "insert packet");
		}
	}
	/* rowids come as max + 1: the trace's rows stay one range */
	writeback_hint(w->s);
	if (sqlite3_last_insert_rowid(w->s->db) != w->pkt_next_id - 1)
		return rp_error_set(err, "%s: packet rows are not contiguous",
				    w->s->path);
	w->npkt = 0;
	w->pkt_text.len = 0;
	return 0;
}

/* The addrs column of two packet_addr ids (-1: NULL, no addresses). */
static int64_t pack_addrs(int32_t src_id, int32_t dst_id)
{
	return src_id || dst_id ? (int64_t)src_id << 32 | dst_id : -1;
}

const char *rp_packet_pack(const struct rp_packet *p, int32_t src_id,
			   int32_t dst_id, struct rp_packet_row *r)
{
	if (p->datagram_len < 0)
		return "negative datagram length";
	if (p->linktype < 0 || p->linktype > 65535)
		return "link type out of range";
	if (p->frag_id >= 0 && (p->frag_id > 0xffffffffll ||
				p->frag_offset < 0 || p->frag_offset > 131071))
		return "fragment id or offset out of range";
	r->ts_ns = p->ts_ns;
	r->frame = p->frame;
	/* frame_len as the capture's unsigned 32-bit length */
	r->lens = (int64_t)p->datagram_len << 32 | (uint32_t)p->frame_len;
	r->info = (int64_t)p->linktype << 12;
	if (p->ip_version)
		r->info |= (int64_t)(p->protocol & 255) << 4 |
			   (p->frag_id >= 0 && p->more_frags) << 3 |
			   (p->ip_version & 7);
	r->addrs = pack_addrs(src_id, dst_id);
	if (p->sport > 0 || p->dport > 0) { /* ports + 1: 0 is none */
		int64_t ports =
		    (int64_t)(p->sport & 0xffff) << 16 | (p->dport & 0xffff);
		r->info |= (ports + 1) << 28;
	}
	r->frag = p->frag_id >= 0 ? p->frag_id << 17 | p->frag_offset : -1;
	r->run = NULL;
	r->frames = 1;
	return NULL;
}

int rp_trace_add_packet_row(struct rp_trace_writer *w,
			    const struct rp_packet_row *r, struct rp_error *err)
{
	if (!w->pkt_first_id)
		w->pkt_first_id = w->pkt_next_id =
		    query_i64(w->s, "SELECT max(id) FROM packet_row", 0) + 1;
	if (r->frames < 1 || (r->frames > 1) != (r->run != NULL))
		return rp_error_set(err, "packet frame %lld: bad run",
				    (long long)r->frame);
	w->pkt_pending[w->npkt] = *r;
	if ((w->pkt_run[w->npkt] = text_put(&w->pkt_text, r->run)) < -1)
		return rp_error_set(err, "out of memory");
	if (++w->npkt == BATCH)
		return flush_packets(w, err);
	return 0;
}

int rp_trace_add_packet(struct rp_trace_writer *w, const struct rp_packet *p,
			struct rp_error *err)
{
	struct rp_packet_row r;
	int32_t sid, did;
	const char *bad = rp_packet_pack(p, 0, 0, &r);
	if (bad)
		return rp_error_set(err, "packet %lld: %s", (long long)p->frame,
				    bad);
	if (packet_addrs(w, p, &sid, &did, err) < 0)
		return -1;
	r.addrs = pack_addrs(sid, did);
	return rp_trace_add_packet_row(w, &r, err);
}

static void bind_nfs(struct rp_trace_writer *w, sqlite3_stmt *st, int base,
		     const struct nfs_row *r)
{
	const struct rp_nfs_op *op = &r->op;
	sqlite3_bind_int64(st, base + 1, op->xid);
	sqlite3_bind_int(st, base + 2, op->version);
	sqlite3_bind_int(st, base + 3, op->proc);
	bind_i64_unless(st, base + 4, op->fh_hash, 0);
	bind_i64_unless(st, base + 5, op->offset, -1);
	bind_i64_unless(st, base + 6, op->count, -1);
	bind_i64_unless(st, base + 7, op->call_ns, -1);
	bind_i64_unless(st, base + 8, op->reply_ns, -1);
	bind_i64_unless(st, base + 9, op->status, -1);
	bind_i64_unless(st, base + 10, r->tcp, -1);
	bind_text_at(st, base + 11, &w->nfs_text, r->ops);
}

static int flush_nfs(struct rp_trace_writer *w, struct rp_error *err)
{
	int full = w->nnfs == BATCH;
	sqlite3_stmt **st = full ? &w->ins_nfss : &w->ins_nfs;
	if (!w->nnfs)
		return 0;
	if (!*st &&
	    prepare_rows(w, nfs_head, NFS_COLS, full ? BATCH : 1, st, err))
		return -1;
	for (int i = 0; i < w->nnfs; i++) {
		bind_nfs(w, *st, full ? i * NFS_COLS : 0, &w->nfs_pending[i]);
		if (!full || i == BATCH - 1) {
			int rc = sqlite3_step(*st);
			sqlite3_reset(*st);
			if (rc != SQLITE_DONE)
				return db_error(w->s, err, "insert nfs_op");
		}
	}
	writeback_hint(w->s);
	w->nfs_next_id += w->nnfs;
	if (sqlite3_last_insert_rowid(w->s->db) != w->nfs_next_id - 1)
		return rp_error_set(err, "%s: nfs_op rows are not contiguous",
				    w->s->path);
	w->nnfs = 0;
	w->nfs_text.len = 0;
	return 0;
}

int rp_trace_add_nfs_op(struct rp_trace_writer *w, const struct rp_nfs_op *op,
			struct rp_error *err)
{
	struct nfs_row *r = &w->nfs_pending[w->nnfs];
	const char *tr = op->transport;
	r->tcp = !tr		      ? -1
		 : !strcmp(tr, "tcp") ? 1
		 : !strcmp(tr, "udp") ? 0
				      : -2;
	if (r->tcp == -2)
		return rp_error_set(err,
				    "nfs_op xid 0x%08llx: transport '%s' is "
				    "not udp or tcp",
				    (unsigned long long)op->xid, tr);
	if (!w->nfs_first_id)
		w->nfs_first_id = w->nfs_next_id =
		    query_i64(w->s, "SELECT max(id) FROM nfs_op_row", 0) + 1;
	r->op = *op;
	r->ops = text_put(&w->nfs_text, op->ops);
	if (r->ops < -1)
		return rp_error_set(err, "out of memory");
	if (++w->nnfs == BATCH)
		return flush_nfs(w, err);
	return 0;
}

int rp_trace_add_sample(struct rp_trace_writer *w, const struct rp_sample *sm,
			struct rp_error *err)
{
	sqlite3_stmt *st;
	if (!w->ins_sample &&
	    prepare(w->s,
		    "INSERT INTO sample(trace_id,ts_ns,source,node,zone,name,"
		    "value) VALUES (?,?,?,?,?,?,?)",
		    &w->ins_sample, err))
		return -1;
	st = w->ins_sample;
	sqlite3_bind_int64(st, 1, w->trace_id);
	sqlite3_bind_int64(st, 2, sm->ts_ns);
	bind_text_or_null(st, 3, sm->source);
	bind_text_or_null(st, 4, sm->node);
	bind_text_or_null(st, 5, sm->zone);
	bind_text_or_null(st, 6, sm->name);
	sqlite3_bind_int64(st, 7, sm->value);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(w->s, err, "insert sample");
}

/* Secondary indexes, built after the bulk load (design.md §6). */
static const char index_sql[] =
    "CREATE INDEX IF NOT EXISTS sample_trace ON sample(trace_id, source, "
    "name, ts_ns);";

/* The id range first..next - 1 of the trace's rows in `table`, if any. */
static int insert_range(struct rp_trace_writer *w, const char *table,
			int64_t first, int64_t next, struct rp_error *err)
{
	char sql[64];
	sqlite3_stmt *st;
	if (next <= first)
		return 0;
	snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (?,?,?)", table);
	if (prepare(w->s, sql, &st, err))
		return -1;
	sqlite3_bind_int64(st, 1, w->trace_id);
	sqlite3_bind_int64(st, 2, first);
	sqlite3_bind_int64(st, 3, next - 1);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(w->s, err, table);
}

int rp_trace_finish(struct rp_trace_writer *w, struct rp_error *err)
{
	struct rp_store *s = w->s;
	sqlite3_stmt *st = NULL;

	if (flush_pending(w, err) || flush_packets(w, err) ||
	    flush_nfs(w, err) ||
	    insert_range(w, "packet_range", w->pkt_first_id, w->pkt_next_id,
			 err) ||
	    insert_range(w, "nfs_op_range", w->nfs_first_id, w->nfs_next_id,
			 err))
		goto fail;
	if (prepare(s,
		    "UPDATE trace SET t0_ns=?, first_event=?, last_event=?, "
		    "events=?, first_ns=?, last_ns=? WHERE id=?",
		    &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, w->t0);
	if (w->nevents) {
		sqlite3_bind_int64(st, 2, w->first_id);
		sqlite3_bind_int64(st, 3, w->next_id - 1);
		sqlite3_bind_int64(st, 5, w->first_ns);
		sqlite3_bind_int64(st, 6, w->last_ns);
	}
	sqlite3_bind_int64(st, 4, w->nevents);
	sqlite3_bind_int64(st, 7, w->trace_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(s, err, "update trace");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (exec(s, index_sql, err) || exec(s, "COMMIT", err))
		goto fail;
	writer_free(w);
	bulk_journal_end(s);
	return 0;
fail:
	sqlite3_finalize(st);
	rp_trace_abort(w);
	return -1;
}

void rp_trace_abort(struct rp_trace_writer *w)
{
	if (!w)
		return;
	struct rp_store *s = w->s;
	writer_free(w);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	bulk_journal_end(s);
}

/* --------------------------------------------------------- trace lookup */

static const char trace_cols[] =
    "SELECT id, name, source, created, events, first_ns, last_ns FROM "
    "trace";

static void read_trace_row(sqlite3_stmt *st, struct rp_trace_row *r)
{
	const unsigned char *t;
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	if ((t = sqlite3_column_text(st, 1)))
		snprintf(r->name, sizeof r->name, "%s", t);
	if ((t = sqlite3_column_text(st, 2)))
		snprintf(r->source, sizeof r->source, "%s", t);
	if ((t = sqlite3_column_text(st, 3)))
		snprintf(r->created, sizeof r->created, "%s", t);
	r->events = sqlite3_column_int64(st, 4);
	r->first_ns = sqlite3_column_int64(st, 5);
	r->last_ns = sqlite3_column_int64(st, 6);
}

int rp_store_trace_find(struct rp_store *s, const char *name,
			struct rp_trace_row *out, struct rp_error *err)
{
	sqlite3_stmt *st;
	char sql[160];
	int rc;
	snprintf(sql, sizeof sql, "%s WHERE name = ?", trace_cols);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "find trace");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_trace_row(st, out);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rp_error_set(err, "%s: no trace named '%s'", s->path,
				    name);
	return 0;
}

int rp_store_trace_delete(struct rp_store *s, const char *name, int64_t *events,
			  struct rp_error *err)
{
	struct rp_trace_row row;
	sqlite3_stmt *st = NULL;
	*events = 0;
	if (s->readonly)
		return rp_error_set(err, "%s: opened read-only", s->path);
	if (exec(s, "BEGIN IMMEDIATE", err))
		return -1;
	if (rp_store_trace_find(s, name, &row, err) ||
	    prepare(s, "DELETE FROM trace WHERE id = ?", &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, row.id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(s, err, "delete trace");
		goto fail;
	}
	sqlite3_finalize(st);
	if (exec(s, "COMMIT", err))
		goto fail_rollback;
	*events = row.events;
	return 0;
fail:
	sqlite3_finalize(st);
fail_rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int rp_store_trace_each(struct rp_store *s, rp_trace_cb cb, void *arg,
			struct rp_error *err)
{
	sqlite3_stmt *st;
	char sql[160];
	int rc, stop = 0;
	snprintf(sql, sizeof sql, "%s ORDER BY id", trace_cols);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "list traces");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rp_trace_row row;
		read_trace_row(st, &row);
		stop = cb(&row, arg);
	}
	sqlite3_finalize(st);
	return stop < 0 ? -1 : 0;
}

/* ---------------------------------------------------------- event cursor */

struct rp_event_cursor {
	struct rp_store *s;
	sqlite3_stmt *st, *extra;
	int64_t t0;
	int done;
};

int rp_event_cursor_open(struct rp_store *s, int64_t trace_id,
			 struct rp_event_cursor **out, struct rp_error *err)
{
	struct rp_event_cursor *c = calloc(1, sizeof *c);
	sqlite3_stmt *st = NULL;
	int64_t first = 0, last = -1;

	*out = NULL;
	if (!c)
		return rp_error_set(err, "out of memory");
	c->s = s;
	if (prepare(s,
		    "SELECT t0_ns, first_event, last_event FROM trace WHERE "
		    "id = ?",
		    &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, trace_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rp_error_set(err, "%s: no trace with id %lld", s->path,
			     (long long)trace_id);
		goto fail;
	}
	c->t0 = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
		first = sqlite3_column_int64(st, 1);
		last = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (prepare(s,
		    "SELECT id, ts, kog, task, a, b, c, flags FROM event WHERE "
		    "id BETWEEN ? AND ? ORDER BY id",
		    &c->st, err) ||
	    prepare(s, "SELECT col, value FROM event_extra WHERE event_id = ?",
		    &c->extra, err))
		goto fail;
	sqlite3_bind_int64(c->st, 1, first);
	sqlite3_bind_int64(c->st, 2, last);
	*out = c;
	return 0;
fail:
	sqlite3_finalize(st);
	rp_event_cursor_close(c);
	return -1;
}

/* Row column i into column col of ev unless it is NULL: one
 * sqlite3_column_value call, not a column_type and a column_int64. */
static inline void column_opt(sqlite3_stmt *st, int i, struct rp_event *ev,
			      int col)
{
	sqlite3_value *v = sqlite3_column_value(st, i);
	if (sqlite3_value_type(v) != SQLITE_NULL)
		rp_event_set(ev, col, sqlite3_value_int64(v));
}

static int read_extras(struct rp_event_cursor *c, int64_t id,
		       struct rp_event *ev, struct rp_error *err)
{
	int rc;
	sqlite3_bind_int64(c->extra, 1, id);
	while ((rc = sqlite3_step(c->extra)) == SQLITE_ROW)
		rp_event_set(ev, sqlite3_column_int(c->extra, 0),
			     sqlite3_column_int64(c->extra, 1));
	sqlite3_reset(c->extra);
	return rc == SQLITE_DONE ? 0 : db_error(c->s, err, "read event_extra");
}

static int decode_row(struct rp_event_cursor *c, struct rp_event *ev,
		      struct rp_error *err)
{
	sqlite3_stmt *st = c->st;
	int64_t kog = sqlite3_column_int64(st, 2);
	int kind = (int)(kog & 15);

	memset(ev, 0, sizeof *ev);
	ev->ts_ns = c->t0 + sqlite3_column_int64(st, 1);
	ev->kind = (uint8_t)kind;
	ev->present = RP_HAS(RP_COL_TS) | RP_HAS(RP_COL_KIND);
	if ((kog >> 4) & 15)
		rp_event_set(ev, RP_COL_ORDER, ((kog >> 4) & 15) - 1);
	if ((kog >> 8) & 15)
		rp_event_set(ev, RP_COL_GFP, (kog >> 8) & 15);
	column_opt(st, 3, ev, RP_COL_TASK);
	column_opt(st, 4, ev, slot_a(kind));
	column_opt(st, 5, ev, slot_b(kind));
	column_opt(st, 6, ev, RP_COL_COUNT);
	column_opt(st, 7, ev, RP_COL_FLAGS);
	if (kog & KOG_EXTRA)
		return read_extras(c, sqlite3_column_int64(st, 0), ev, err);
	return 0;
}

int rp_event_cursor_next(struct rp_event_cursor *c, struct rp_event *evs,
			 size_t max, size_t *n, struct rp_error *err)
{
	*n = 0;
	while (!c->done && *n < max) {
		int rc = sqlite3_step(c->st);
		if (rc == SQLITE_DONE) {
			c->done = 1;
			break;
		}
		if (rc != SQLITE_ROW)
			return db_error(c->s, err, "read events");
		if (decode_row(c, &evs[*n], err))
			return -1;
		(*n)++;
	}
	return 0;
}

void rp_event_cursor_close(struct rp_event_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->st);
	sqlite3_finalize(c->extra);
	free(c);
}

/* --------------------------------------------------------------- results */

struct rp_run_writer {
	struct rp_store *s;
	int64_t run_id;
	sqlite3_stmt *param, *metric, *series, *stall;
};

static void run_writer_free(struct rp_run_writer *w)
{
	sqlite3_finalize(w->param);
	sqlite3_finalize(w->metric);
	sqlite3_finalize(w->series);
	sqlite3_finalize(w->stall);
	free(w);
}

int rp_run_begin(struct rp_store *s, int64_t trace_id, const char *kind,
		 const char *kernel, int64_t mem_bytes, int64_t seed,
		 struct rp_run_writer **out, struct rp_error *err)
{
	struct rp_run_writer *w = calloc(1, sizeof *w);
	sqlite3_stmt *st = NULL;
	char now[32];

	*out = NULL;
	if (!w)
		return rp_error_set(err, "out of memory");
	w->s = s;
	if (begin_write(s, err)) {
		free(w);
		return -1;
	}
	rp_utc_now(now);
	if (prepare(s,
		    "INSERT INTO run(trace_id,kind,kernel,mem_bytes,seed,"
		    "model_version,created) VALUES (?,?,?,?,?,?,?)",
		    &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, trace_id);
	bind_text_or_null(st, 2, kind);
	bind_text_or_null(st, 3, kernel);
	bind_i64_unless(st, 4, mem_bytes, 0);
	sqlite3_bind_int64(st, 5, seed);
	bind_text_or_null(st, 6, rp_version());
	bind_text_or_null(st, 7, now);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(s, err, "insert run");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	w->run_id = sqlite3_last_insert_rowid(s->db);
	if (prepare(s, "INSERT OR REPLACE INTO run_param VALUES (?,?,?)",
		    &w->param, err) ||
	    prepare(s, "INSERT OR REPLACE INTO run_metric VALUES (?,?,?)",
		    &w->metric, err) ||
	    prepare(s, "INSERT INTO run_series VALUES (?,?,?,?)", &w->series,
		    err) ||
	    prepare(s, "INSERT INTO run_stall VALUES (?,?,?,?,?,?,?,?,?)",
		    &w->stall, err))
		goto fail;
	*out = w;
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	run_writer_free(w);
	bulk_journal_end(s);
	return -1;
}

int64_t rp_run_id(const struct rp_run_writer *w)
{
	return w->run_id;
}

static int run_step(struct rp_run_writer *w, sqlite3_stmt *st, const char *what,
		    struct rp_error *err)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(w->s, err, what);
}

int rp_run_param(struct rp_run_writer *w, const char *name, const char *value,
		 struct rp_error *err)
{
	sqlite3_bind_int64(w->param, 1, w->run_id);
	sqlite3_bind_text(w->param, 2, name, -1, SQLITE_TRANSIENT);
	bind_text_or_null(w->param, 3, value);
	return run_step(w, w->param, "insert run_param", err);
}

int rp_run_metric(struct rp_run_writer *w, const char *name, double value,
		  struct rp_error *err)
{
	sqlite3_bind_int64(w->metric, 1, w->run_id);
	sqlite3_bind_text(w->metric, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(w->metric, 3, value);
	return run_step(w, w->metric, "insert run_metric", err);
}

int rp_run_series(struct rp_run_writer *w, int64_t t_ns, const char *name,
		  double value, struct rp_error *err)
{
	sqlite3_bind_int64(w->series, 1, w->run_id);
	sqlite3_bind_int64(w->series, 2, t_ns);
	sqlite3_bind_text(w->series, 3, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(w->series, 4, value);
	return run_step(w, w->series, "insert run_series", err);
}

int rp_run_stall(struct rp_run_writer *w, const struct rp_stall *sl,
		 struct rp_error *err)
{
	sqlite3_stmt *st = w->stall;
	char gfp[40];
	sqlite3_bind_int64(st, 1, w->run_id);
	sqlite3_bind_int64(st, 2, sl->t_ns);
	bind_i64_unless(st, 3, sl->task, -1);
	bind_i64_unless(st, 4, sl->order, -1);
	bind_text_or_null(
	    st, 5, sl->gfp ? rp_gfp_format(sl->gfp, gfp, sizeof gfp) : NULL);
	sqlite3_bind_int64(st, 6, sl->latency_ns);
	sqlite3_bind_int64(st, 7, sl->pages_freed);
	bind_text_or_null(st, 8, sl->outcome);
	bind_text_or_null(st, 9, sl->path);
	return run_step(w, st, "insert run_stall", err);
}

int rp_run_finish(struct rp_run_writer *w, int64_t wall_ns, int64_t events,
		  struct rp_error *err)
{
	struct rp_store *s = w->s;
	sqlite3_stmt *st = NULL;
	if (prepare(s, "UPDATE run SET wall_ns = ?, events = ? WHERE id = ?",
		    &st, err))
		goto fail;
	sqlite3_bind_int64(st, 1, wall_ns);
	sqlite3_bind_int64(st, 2, events);
	sqlite3_bind_int64(st, 3, w->run_id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_error(s, err, "update run");
		goto fail;
	}
	sqlite3_finalize(st);
	if (exec(s, "COMMIT", err))
		goto fail_nost;
	run_writer_free(w);
	bulk_journal_end(s);
	return 0;
fail:
	sqlite3_finalize(st);
fail_nost:
	rp_run_abort(w);
	return -1;
}

void rp_run_abort(struct rp_run_writer *w)
{
	if (!w)
		return;
	struct rp_store *s = w->s;
	run_writer_free(w);
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	bulk_journal_end(s);
}

/* ------------------------------------------------------------ plain SQL */

/* Text of a result column; REAL values print as integers when they are
 * whole numbers and with 15 significant digits otherwise, so that metrics
 * (stored as REAL) read 12, not 12.0. */
static const char *column_text(sqlite3_stmt *st, int i, char buf[32])
{
	if (sqlite3_column_type(st, i) != SQLITE_FLOAT)
		return (const char *)sqlite3_column_text(st, i);
	double v = sqlite3_column_double(st, i);
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		snprintf(buf, 32, "%lld", (long long)v);
	else
		snprintf(buf, 32, "%.15g", v);
	return buf;
}

static int run_statement(struct rp_store *s, sqlite3_stmt *st, rp_row_cb cb,
			 void *arg, struct rp_error *err)
{
	int ncols = sqlite3_column_count(st);
	const char **names = calloc((size_t)ncols + 1, sizeof *names);
	const char **vals = calloc((size_t)ncols + 1, sizeof *vals);
	int rc, ret = 0;

	if (!names || !vals) {
		free(names);
		free(vals);
		return rp_error_set(err, "out of memory");
	}
	char(*num)[32] = calloc((size_t)ncols + 1, sizeof *num);
	if (!num) {
		free(names);
		free(vals);
		return rp_error_set(err, "out of memory");
	}
	for (int i = 0; i < ncols; i++)
		names[i] = sqlite3_column_name(st, i);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++)
			vals[i] = column_text(st, i, num[i]);
		if (cb && cb(ncols, names, vals, arg)) {
			ret = rp_error_set(err, "output failed");
			break;
		}
	}
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(s, err, "query");
	free(num);
	free(names);
	free(vals);
	return ret;
}

int rp_store_query(struct rp_store *s, const char *sql, int writable,
		   rp_row_cb cb, void *arg, struct rp_error *err)
{
	const char *tail = sql;
	while (tail && *tail) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->db, tail, -1, &st, &tail) !=
		    SQLITE_OK)
			return db_error(s, err, "query");
		if (!st) /* whitespace or comment */
			continue;
		if (!writable && !sqlite3_stmt_readonly(st)) {
			sqlite3_finalize(st);
			return rp_error_set(
			    err,
			    "%s: the statement would change the "
			    "database; add --write to allow it",
			    s->path);
		}
		int rc = run_statement(s, st, cb, arg, err);
		sqlite3_finalize(st);
		if (rc)
			return -1;
	}
	return 0;
}
