-- 0001-traces.sql — the event model (design.md §3): traces, their events
-- and the side tables recorders fill.  Append-only: later changes go into
-- new numbered files.  Every table and column is described in docs/schema.md.

CREATE TABLE trace (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  source      TEXT NOT NULL,          -- csv-native, csv-msr, pcap, ftrace, ...
  origin      TEXT,                   -- file or interface the events came from
  host        TEXT,                   -- host name of the recording machine
  kernel      TEXT,                   -- its kernel release
  command     TEXT,                   -- capture command line
  created     TEXT NOT NULL,          -- UTC, ISO 8601
  t0_ns       INTEGER NOT NULL DEFAULT 0, -- event.ts is relative to this
  first_event INTEGER,                -- event ids of this trace: a contiguous
  last_event  INTEGER,                -- range first_event..last_event
  events      INTEGER NOT NULL DEFAULT 0,
  first_ns    INTEGER,                -- absolute time of the first event
  last_ns     INTEGER                 -- and of the last
);

CREATE TABLE trace_stat (
  trace_id INTEGER NOT NULL REFERENCES trace(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT,
  PRIMARY KEY (trace_id, key)
) WITHOUT ROWID;

CREATE TABLE kind (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO kind VALUES
  (1,'page_alloc'),(2,'page_free'),(3,'kmalloc'),(4,'kfree'),(5,'net_rx'),
  (6,'file_read'),(7,'file_write'),(8,'blk_read'),(9,'blk_write'),
  (10,'anon_touch'),(11,'task_exit'),(12,'reclaim_begin'),(13,'reclaim_end'),
  (14,'mark');

CREATE TABLE gfp (
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO gfp VALUES
  (1,'GFP_ATOMIC'),(2,'GFP_KERNEL'),(3,'GFP_USER'),(4,'GFP_BUFFER'),(5,'GFP_NFS'),
  (8,'__GFP_DMA'),
  (9,'GFP_ATOMIC|__GFP_DMA'),(10,'GFP_KERNEL|__GFP_DMA'),(11,'GFP_USER|__GFP_DMA'),
  (12,'GFP_BUFFER|__GFP_DMA'),(13,'GFP_NFS|__GFP_DMA');

-- One row per event, packed to keep a trace small on disk (docs/schema.md):
--   ts     nanoseconds since trace.t0_ns
--   kog    kind | (order+1) << 4 | gfp << 8 | has_extra << 12
--          (order+1 = 0: no order; gfp = 0: no gfp)
--   a      obj (file_* : file,  blk_* : block, anon_touch : offset)
--   b      bytes (file_* : offset, blk_* : dev)
--   c      count
-- A column a kind does not map to a slot is kept in event_extra.
CREATE TABLE event (
  id    INTEGER PRIMARY KEY,
  ts    INTEGER NOT NULL,
  kog   INTEGER NOT NULL,
  task  INTEGER,
  a     INTEGER,
  b     INTEGER,
  c     INTEGER,
  flags INTEGER
);

CREATE TABLE event_extra (
  event_id INTEGER NOT NULL,
  col      INTEGER NOT NULL,  -- column number in native CSV order (ts_ns = 0)
  value    INTEGER NOT NULL,
  PRIMARY KEY (event_id, col)
) WITHOUT ROWID;

CREATE TABLE packet (
  id           INTEGER PRIMARY KEY,
  trace_id     INTEGER NOT NULL REFERENCES trace(id) ON DELETE CASCADE,
  ts_ns        INTEGER NOT NULL,
  frame        INTEGER NOT NULL,   -- 1-based frame number in the capture
  frame_len    INTEGER NOT NULL,   -- bytes on the wire
  linktype     INTEGER NOT NULL,   -- libpcap DLT_*
  ip_version   INTEGER,
  protocol     INTEGER,            -- IP protocol number
  src          TEXT,
  dst          TEXT,
  sport        INTEGER,
  dport        INTEGER,
  frag_id      INTEGER,            -- IP identification of a fragment
  frag_offset  INTEGER,            -- fragment offset in bytes
  more_frags   INTEGER,            -- MF bit
  datagram_len INTEGER             -- reassembled datagram length
);

CREATE TABLE nfs_op (
  id        INTEGER PRIMARY KEY,
  trace_id  INTEGER NOT NULL REFERENCES trace(id) ON DELETE CASCADE,
  xid       INTEGER NOT NULL,
  version   INTEGER NOT NULL,
  proc      INTEGER NOT NULL,
  proc_name TEXT,
  fh_hash   INTEGER,
  "offset"  INTEGER,
  count     INTEGER,
  call_ns   INTEGER,
  reply_ns  INTEGER,
  status    INTEGER,
  transport TEXT,
  ops       TEXT                   -- NFSv4 COMPOUND operations
);

CREATE TABLE sample (
  id       INTEGER PRIMARY KEY,
  trace_id INTEGER NOT NULL REFERENCES trace(id) ON DELETE CASCADE,
  ts_ns    INTEGER NOT NULL,
  source   TEXT NOT NULL,          -- buddyinfo, pagetypeinfo, vmstat, meminfo
  node     TEXT,
  zone     TEXT,
  name     TEXT NOT NULL,
  value    INTEGER
);

-- Every event column, kind and gfp as text, with the trace's name.
CREATE VIEW events AS
SELECT
  e.id AS id,
  t.name AS trace,
  t.t0_ns + e.ts AS ts_ns,
  (SELECT name FROM kind WHERE code = (e.kog & 15)) AS kind,
  e.task AS task,
  CASE WHEN (e.kog & 15) BETWEEN 6 AND 10
       THEN CASE WHEN e.kog & 4096 THEN (SELECT value FROM event_extra x WHERE x.event_id = e.id AND x.col = 3) END
       ELSE e.a END AS obj,
  CASE WHEN (e.kog >> 4) & 15 THEN ((e.kog >> 4) & 15) - 1 END AS "order",
  CASE WHEN (e.kog & 15) BETWEEN 6 AND 9
       THEN CASE WHEN e.kog & 4096 THEN (SELECT value FROM event_extra x WHERE x.event_id = e.id AND x.col = 5) END
       ELSE e.b END AS bytes,
  (SELECT name FROM gfp WHERE code = ((e.kog >> 8) & 15)) AS gfp,
  CASE WHEN (e.kog & 15) IN (6, 7) THEN e.a
       ELSE CASE WHEN e.kog & 4096 THEN (SELECT value FROM event_extra x WHERE x.event_id = e.id AND x.col = 7) END
       END AS file,
  CASE WHEN (e.kog & 15) IN (6, 7) THEN e.b
       WHEN (e.kog & 15) = 10 THEN e.a
       ELSE CASE WHEN e.kog & 4096 THEN (SELECT value FROM event_extra x WHERE x.event_id = e.id AND x.col = 8) END
       END AS "offset",
  e.c AS count,
  CASE WHEN (e.kog & 15) IN (8, 9) THEN e.b
       ELSE CASE WHEN e.kog & 4096 THEN (SELECT value FROM event_extra x WHERE x.event_id = e.id AND x.col = 10) END
       END AS dev,
  CASE WHEN (e.kog & 15) IN (8, 9) THEN e.a
       ELSE CASE WHEN e.kog & 4096 THEN (SELECT value FROM event_extra x WHERE x.event_id = e.id AND x.col = 11) END
       END AS block,
  e.flags AS flags
FROM trace t JOIN event e ON e.id BETWEEN t.first_event AND t.last_event;

CREATE VIEW page_alloc AS SELECT id, trace, ts_ns, task, obj, "order", gfp FROM events WHERE kind = 'page_alloc';
CREATE VIEW page_free AS SELECT id, trace, ts_ns, task, obj, "order" FROM events WHERE kind = 'page_free';
CREATE VIEW kmalloc AS SELECT id, trace, ts_ns, task, obj, bytes, gfp FROM events WHERE kind = 'kmalloc';
CREATE VIEW kfree AS SELECT id, trace, ts_ns, task, obj FROM events WHERE kind = 'kfree';
CREATE VIEW net_rx AS SELECT id, trace, ts_ns, obj, bytes, count AS fragments, flags FROM events WHERE kind = 'net_rx';
CREATE VIEW file_read AS SELECT id, trace, ts_ns, task, file, "offset", count FROM events WHERE kind = 'file_read';
CREATE VIEW file_write AS SELECT id, trace, ts_ns, task, file, "offset", count FROM events WHERE kind = 'file_write';
CREATE VIEW blk_read AS SELECT id, trace, ts_ns, task, dev, block, count, flags FROM events WHERE kind = 'blk_read';
CREATE VIEW blk_write AS SELECT id, trace, ts_ns, task, dev, block, count, flags FROM events WHERE kind = 'blk_write';
CREATE VIEW anon_touch AS SELECT id, trace, ts_ns, task, "offset", count, flags FROM events WHERE kind = 'anon_touch';
CREATE VIEW task_exit AS SELECT id, trace, ts_ns, task FROM events WHERE kind = 'task_exit';
CREATE VIEW reclaim_begin AS SELECT id, trace, ts_ns, task, "order", gfp FROM events WHERE kind = 'reclaim_begin';
CREATE VIEW reclaim_end AS SELECT id, trace, ts_ns, task, "order", gfp, count FROM events WHERE kind = 'reclaim_end';
CREATE VIEW mark AS SELECT id, trace, ts_ns, task, obj, bytes, flags FROM events WHERE kind = 'mark';
