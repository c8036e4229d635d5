-- 0006-packed-rows.sql — fewer values per stored packet and NFS row.  An
-- import spends most of its time in SQLite, and SQLite's cost per row grows
-- with the values bound to it (about 30 ns each per row on the bench
-- machine, docs/PERFORMANCE.md "Packet ingest"): a capture of a million
-- frames stores a million packet rows.  So:
--  * packet_row keeps 6 values instead of 10: the two address ids share one
--    integer, the fragment id and offset another, the frame and datagram
--    lengths a third, and the ports join info;
--  * nfs_op becomes a view over nfs_op_row, whose rows carry no trace_id
--    (a trace's rows are one id range, nfs_op_range, as packet rows are),
--    no index, no procedure name (nfs_proc has the names) and the transport
--    as a number instead of text.
-- The `packet` and `nfs_op` views keep the columns they had; rows stored
-- before are converted here.  Described in docs/schema.md.

-- ------------------------------------------------------------ packet rows

-- (made again at the end, without nfs_op)
DROP TRIGGER trace_delete;
DROP VIEW packet;
DROP TRIGGER packet_range_delete;

--   info   ports' << 28 | linktype << 12 | protocol << 4 | more_frags << 3
--          | ip_version, where ports' is (sport << 16 | dport) + 1, or 0
--          when the frame has no ports (linktype < 65536)
--   addrs  src << 32 | dst (packet_addr ids), NULL when not IP
--   frag   frag_id << 17 | frag_offset, NULL when not a fragment
--   lens   datagram_len << 32 | frame_len (datagram_len 0: not known)
CREATE TABLE packet_row_v6 (
  id     INTEGER PRIMARY KEY,
  ts_ns  INTEGER NOT NULL,
  frame  INTEGER NOT NULL,
  info   INTEGER NOT NULL,
  addrs  INTEGER,
  frag   INTEGER,
  lens   INTEGER NOT NULL
);
INSERT INTO packet_row_v6(id, ts_ns, frame, info, addrs, frag, lens)
SELECT id, ts_ns, frame,
       (info & 268435455) | (coalesce(ports + 1, 0) << 28),
       CASE WHEN src IS NOT NULL OR dst IS NOT NULL
            THEN (coalesce(src, 0) << 32) | coalesce(dst, 0) END,
       CASE WHEN frag_id IS NOT NULL
            THEN (frag_id << 17) | coalesce(frag_offset, 0) END,
       (coalesce(datagram_len, 0) << 32) | (frame_len & 4294967295)
FROM packet_row;
DROP TABLE packet_row;
ALTER TABLE packet_row_v6 RENAME TO packet_row;

CREATE TRIGGER packet_range_delete AFTER DELETE ON packet_range
BEGIN
  DELETE FROM packet_row WHERE id BETWEEN old.first_id AND old.last_id;
END;

-- The columns of 0001's packet table.
CREATE VIEW packet AS
SELECT
  p.id AS id,
  r.trace_id AS trace_id,
  p.ts_ns AS ts_ns,
  p.frame AS frame,
  p.lens & 4294967295 AS frame_len,
  (p.info >> 12) & 65535 AS linktype,
  CASE WHEN p.info & 7 THEN p.info & 7 END AS ip_version,
  CASE WHEN p.info & 7 THEN (p.info >> 4) & 255 END AS protocol,
  (SELECT a.addr FROM packet_addr a
   WHERE a.trace_id = r.trace_id AND a.id = p.addrs >> 32) AS src,
  (SELECT a.addr FROM packet_addr a
   WHERE a.trace_id = r.trace_id AND a.id = p.addrs & 4294967295) AS dst,
  CASE WHEN p.info >> 28 THEN ((p.info >> 28) - 1) >> 16 END AS sport,
  CASE WHEN p.info >> 28 THEN ((p.info >> 28) - 1) & 65535 END AS dport,
  p.frag >> 17 AS frag_id,
  p.frag & 131071 AS frag_offset,
  CASE WHEN p.frag IS NOT NULL THEN (p.info >> 3) & 1 END AS more_frags,
  nullif(p.lens >> 32, 0) AS datagram_len
FROM packet_range r JOIN packet_row p ON p.id BETWEEN r.first_id AND r.last_id;

-- --------------------------------------------------------------- NFS rows

-- The procedure names `nfs_op.proc_name` shows (RFC 1094, RFC 1813,
-- RFC 7530: NFSv4 has NULL and COMPOUND).
CREATE TABLE nfs_proc (
  version INTEGER NOT NULL,
  proc    INTEGER NOT NULL,
  name    TEXT NOT NULL,
  PRIMARY KEY (version, proc)
) WITHOUT ROWID;
INSERT INTO nfs_proc VALUES
  (2,0,'NULL'),(2,1,'GETATTR'),(2,2,'SETATTR'),(2,3,'ROOT'),(2,4,'LOOKUP'),
  (2,5,'READLINK'),(2,6,'READ'),(2,7,'WRITECACHE'),(2,8,'WRITE'),
  (2,9,'CREATE'),(2,10,'REMOVE'),(2,11,'RENAME'),(2,12,'LINK'),
  (2,13,'SYMLINK'),(2,14,'MKDIR'),(2,15,'RMDIR'),(2,16,'READDIR'),
  (2,17,'STATFS'),
  (3,0,'NULL'),(3,1,'GETATTR'),(3,2,'SETATTR'),(3,3,'LOOKUP'),(3,4,'ACCESS'),
  (3,5,'READLINK'),(3,6,'READ'),(3,7,'WRITE'),(3,8,'CREATE'),(3,9,'MKDIR'),
  (3,10,'SYMLINK'),(3,11,'MKNOD'),(3,12,'REMOVE'),(3,13,'RMDIR'),
  (3,14,'RENAME'),(3,15,'LINK'),(3,16,'READDIR'),(3,17,'READDIRPLUS'),
  (3,18,'FSSTAT'),(3,19,'FSINFO'),(3,20,'PATHCONF'),(3,21,'COMMIT'),
  (4,0,'NULL'),(4,1,'COMPOUND');

--   tcp  1 over TCP, 0 over UDP, NULL when not known
CREATE TABLE nfs_op_row (
  id        INTEGER PRIMARY KEY,
  xid       INTEGER NOT NULL,
  version   INTEGER NOT NULL,
  proc      INTEGER NOT NULL,
  fh_hash   INTEGER,
  "offset"  INTEGER,
  count     INTEGER,
  call_ns   INTEGER,
  reply_ns  INTEGER,
  status    INTEGER,
  tcp       INTEGER,
  ops       TEXT
);

-- The nfs_op rows of a trace: nfs_op_row.id first_id..last_id.
CREATE TABLE nfs_op_range (
  trace_id INTEGER PRIMARY KEY REFERENCES trace(id) ON DELETE CASCADE,
  first_id INTEGER NOT NULL,
  last_id  INTEGER NOT NULL
);
CREATE TRIGGER nfs_op_range_delete AFTER DELETE ON nfs_op_range
BEGIN
  DELETE FROM nfs_op_row WHERE id BETWEEN old.first_id AND old.last_id;
END;

-- Rows stored under 0001, renumbered so that each trace's are one range
-- (in the order they were stored).  Transports other than udp and tcp,
-- which vmreplay never wrote, become NULL.
CREATE TEMP TABLE nfs_op_renumber AS
SELECT id AS old_id, trace_id,
       row_number() OVER (ORDER BY trace_id, id) AS new_id
FROM nfs_op;
INSERT INTO nfs_op_row(id, xid, version, proc, fh_hash, "offset", count,
                       call_ns, reply_ns, status, tcp, ops)
SELECT m.new_id, o.xid, o.version, o.proc, o.fh_hash, o."offset", o.count,
       o.call_ns, o.reply_ns, o.status,
       CASE o.transport WHEN 'tcp' THEN 1 WHEN 'udp' THEN 0 END, o.ops
FROM nfs_op o JOIN nfs_op_renumber m ON m.old_id = o.id
ORDER BY m.new_id;
INSERT INTO nfs_op_range(trace_id, first_id, last_id)
SELECT trace_id, min(new_id), max(new_id) FROM nfs_op_renumber
GROUP BY trace_id;
DROP TABLE nfs_op_renumber;
DROP INDEX IF EXISTS nfs_op_trace;
DROP TABLE nfs_op;

-- The columns of 0001's nfs_op table.
CREATE VIEW nfs_op AS
SELECT
  o.id AS id,
  r.trace_id AS trace_id,
  o.xid AS xid,
  o.version AS version,
  o.proc AS proc,
  (SELECT p.name FROM nfs_proc p
   WHERE p.version = o.version AND p.proc = o.proc) AS proc_name,
  o.fh_hash AS fh_hash,
  o."offset" AS "offset",
  o.count AS count,
  o.call_ns AS call_ns,
  o.reply_ns AS reply_ns,
  o.status AS status,
  CASE o.tcp WHEN 1 THEN 'tcp' WHEN 0 THEN 'udp' END AS transport,
  o.ops AS ops
FROM nfs_op_range r JOIN nfs_op_row o ON o.id BETWEEN r.first_id AND r.last_id;

-- -------------------------------------------------------------- deleting

-- 0004's trace_delete, with nfs_op_range in place of nfs_op (deleting the
-- range fires nfs_op_range_delete).
CREATE TRIGGER trace_delete AFTER DELETE ON trace
BEGIN
  DELETE FROM event_extra
    WHERE event_id BETWEEN old.first_event AND old.last_event;
  DELETE FROM event WHERE id BETWEEN old.first_event AND old.last_event;
  DELETE FROM trace_stat WHERE trace_id = old.id;
  DELETE FROM nfs_op_range WHERE trace_id = old.id;
  DELETE FROM sample WHERE trace_id = old.id;
  DELETE FROM run WHERE trace_id = old.id;
  DELETE FROM packet_range WHERE trace_id = old.id;
  DELETE FROM packet_addr WHERE trace_id = old.id;
END;
