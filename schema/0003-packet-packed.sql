-- 0003-packet-packed.sql — packet rows packed for ingest speed
-- (docs/PERFORMANCE.md "Packet ingest"): the addresses of a trace are
-- stored once in packet_addr and referred to by number, the small columns
-- share integers, and a trace's rows are a range of ids.  The view
-- `packet` shows the columns of 0001 (addresses as text), so queries on
-- `packet` keep working.  Rows stored under 0001 are converted.  Described
-- in docs/schema.md.

-- The addresses of a trace's packets, numbered from 1 per trace.
CREATE TABLE packet_addr (
  trace_id INTEGER NOT NULL REFERENCES trace(id) ON DELETE CASCADE,
  id       INTEGER NOT NULL,
  addr     TEXT NOT NULL,         -- "10.0.0.1", "2001:db8::1"
  PRIMARY KEY (trace_id, id)
) WITHOUT ROWID;

-- One row per captured frame.  Like events (0001), a trace's packet rows
-- are one contiguous range of ids, recorded in packet_range, so the rows
-- carry no trace_id and need no index.
--   info   linktype << 12 | protocol << 4 | more_frags << 3 | ip_version
--          (ip_version 0: not IP; more_frags only for fragments)
--   src, dst   packet_addr.id of the addresses, NULL when not IP
--   ports  sport << 16 | dport, NULL when the frame has none (not TCP or
--          UDP, or a fragment whose datagram was not reassembled)
CREATE TABLE packet_row (
  id           INTEGER PRIMARY KEY,
  ts_ns        INTEGER NOT NULL,
  frame        INTEGER NOT NULL,
  frame_len    INTEGER NOT NULL,
  info         INTEGER NOT NULL,
  src          INTEGER,
  dst          INTEGER,
  ports        INTEGER,
  frag_id      INTEGER,
  frag_offset  INTEGER,
  datagram_len INTEGER
);

-- The packet rows of a trace: packet_row.id first_id..last_id.
CREATE TABLE packet_range (
  trace_id INTEGER PRIMARY KEY REFERENCES trace(id) ON DELETE CASCADE,
  first_id INTEGER NOT NULL,
  last_id  INTEGER NOT NULL
);
CREATE TRIGGER packet_range_delete AFTER DELETE ON packet_range
BEGIN
  DELETE FROM packet_row WHERE id BETWEEN old.first_id AND old.last_id;
END;

-- Rows stored under 0001: addresses numbered in text order per trace.
CREATE INDEX packet_addr_text ON packet_addr(trace_id, addr);
INSERT INTO packet_addr(trace_id, id, addr)
SELECT trace_id, row_number() OVER (PARTITION BY trace_id ORDER BY addr), addr
FROM (SELECT trace_id, src AS addr FROM packet WHERE src IS NOT NULL
      UNION
      SELECT trace_id, dst FROM packet WHERE dst IS NOT NULL);
-- (A trace's rows were stored in one transaction: their ids are contiguous.)
INSERT INTO packet_range(trace_id, first_id, last_id)
SELECT trace_id, min(id), max(id) FROM packet GROUP BY trace_id;
INSERT INTO packet_row(id, ts_ns, frame, frame_len, info, src, dst,
                       ports, frag_id, frag_offset, datagram_len)
SELECT p.id, p.ts_ns, p.frame, p.frame_len,
       (p.linktype << 12) | (coalesce(p.protocol, 0) << 4) |
         (coalesce(p.more_frags, 0) << 3) | coalesce(p.ip_version, 0),
       (SELECT a.id FROM packet_addr a WHERE a.trace_id = p.trace_id AND a.addr = p.src),
       (SELECT a.id FROM packet_addr a WHERE a.trace_id = p.trace_id AND a.addr = p.dst),
       CASE WHEN p.sport >= 0 AND p.dport >= 0 THEN (p.sport << 16) | p.dport END,
       p.frag_id, p.frag_offset, p.datagram_len
FROM packet p;
DROP INDEX packet_addr_text;
DROP TABLE packet;

-- The columns of 0001's packet table.
CREATE VIEW packet AS
SELECT
  p.id AS id,
  r.trace_id AS trace_id,
  p.ts_ns AS ts_ns,
  p.frame AS frame,
  p.frame_len AS frame_len,
  p.info >> 12 AS linktype,
  CASE WHEN p.info & 7 THEN p.info & 7 END AS ip_version,
  CASE WHEN p.info & 7 THEN (p.info >> 4) & 255 END AS protocol,
  (SELECT a.addr FROM packet_addr a WHERE a.trace_id = r.trace_id AND a.id = p.src) AS src,
  (SELECT a.addr FROM packet_addr a WHERE a.trace_id = r.trace_id AND a.id = p.dst) AS dst,
  p.ports >> 16 AS sport,
  p.ports & 65535 AS dport,
  p.frag_id AS frag_id,
  p.frag_offset AS frag_offset,
  CASE WHEN p.frag_id IS NOT NULL THEN (p.info >> 3) & 1 END AS more_frags,
  p.datagram_len AS datagram_len
FROM packet_range r JOIN packet_row p ON p.id BETWEEN r.first_id AND r.last_id;
