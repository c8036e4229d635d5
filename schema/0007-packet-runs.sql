-- 0007-packet-runs.sql — one stored row for a run of like frames.  The
-- fragments of an IP datagram are written together when it completes
-- (libreplay/net-frag.c) and differ only in time, frame number, length,
-- offset and the more-fragments bit: an 8 KB NFS READ over UDP is six such
-- frames.  A run of consecutive packet rows that agree on everything else
-- is now stored as one packet_row, which halves the rows an NFS-over-UDP
-- capture stores (the import spends most of its time appending rows:
-- docs/PERFORMANCE.md).  The `packet` view shows one row per frame, as
-- before.  Described in docs/schema.md.
--
--   run  NULL: the row is one frame.  Else a JSON array with one element
--        per frame of the run, in id order; the last element is 0 and
--        stands for the row's own frame, which is the run's last and whose
--        id is the row's.  Each other element is
--          [frame before, ns before, frag_offset << 1 | more_frags, frame_len]
--        where "before" counts back from the row's own frame number and
--        time.  Frame k of an n-frame run has id = packet_row.id - (n - 1)
--        + k; the ids in between are not rows of their own.
ALTER TABLE packet_row ADD COLUMN run TEXT;

DROP VIEW packet;

-- The columns of 0001's packet table, one row per frame.
CREATE VIEW packet AS
SELECT
  p.id - coalesce(json_array_length(p.run) - 1 - e.key, 0) AS id,
  r.trace_id AS trace_id,
  p.ts_ns - coalesce(e.value ->> 1, 0) AS ts_ns,
  p.frame - coalesce(e.value ->> 0, 0) AS frame,
  coalesce(e.value ->> 3, p.lens & 4294967295) AS frame_len,
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
  CASE WHEN p.frag IS NOT NULL
       THEN coalesce((e.value ->> 2) >> 1, p.frag & 131071) END AS frag_offset,
  CASE WHEN p.frag IS NOT NULL
       THEN coalesce((e.value ->> 2) & 1, (p.info >> 3) & 1) END AS more_frags,
  nullif(p.lens >> 32, 0) AS datagram_len
FROM packet_range r JOIN packet_row p ON p.id BETWEEN r.first_id AND r.last_id
LEFT JOIN json_each(p.run) e;
