-- 0004-delete-triggers.sql — deleting a trace or a run deletes what belongs
-- to it.  Events carry no trace_id (a trace's events are the id range
-- first_event..last_event, docs/store-design.md), so no foreign key can
-- cascade to them: this trigger does.  The other deletes repeat what the
-- foreign keys' ON DELETE CASCADE does when PRAGMA foreign_keys is on (as
-- in vmreplay), so that a trace or run deleted from a plain sqlite3 shell,
-- where foreign keys are off by default, leaves nothing behind either.
-- Described in docs/schema.md.

CREATE TRIGGER run_delete AFTER DELETE ON run
BEGIN
  DELETE FROM run_param WHERE run_id = old.id;
  DELETE FROM run_metric WHERE run_id = old.id;
  DELETE FROM run_series WHERE run_id = old.id;
  DELETE FROM run_stall WHERE run_id = old.id;
END;

CREATE TRIGGER trace_delete AFTER DELETE ON trace
BEGIN
  DELETE FROM event_extra
    WHERE event_id BETWEEN old.first_event AND old.last_event;
  DELETE FROM event WHERE id BETWEEN old.first_event AND old.last_event;
  DELETE FROM trace_stat WHERE trace_id = old.id;
  DELETE FROM nfs_op WHERE trace_id = old.id;
  DELETE FROM sample WHERE trace_id = old.id;
  DELETE FROM run WHERE trace_id = old.id;
  DELETE FROM packet_range WHERE trace_id = old.id;
  DELETE FROM packet_addr WHERE trace_id = old.id;
END;

-- Rows left behind by deletes made before this version (made with foreign
-- keys off, or of events, which nothing cascaded to) are removed.  Deleting
-- a run or a packet range here fires the triggers above and 0003's.
DELETE FROM run WHERE trace_id NOT IN (SELECT id FROM trace);
DELETE FROM run_param WHERE run_id NOT IN (SELECT id FROM run);
DELETE FROM run_metric WHERE run_id NOT IN (SELECT id FROM run);
DELETE FROM run_series WHERE run_id NOT IN (SELECT id FROM run);
DELETE FROM run_stall WHERE run_id NOT IN (SELECT id FROM run);
DELETE FROM trace_stat WHERE trace_id NOT IN (SELECT id FROM trace);
DELETE FROM nfs_op WHERE trace_id NOT IN (SELECT id FROM trace);
DELETE FROM sample WHERE trace_id NOT IN (SELECT id FROM trace);
DELETE FROM packet_range WHERE trace_id NOT IN (SELECT id FROM trace);
DELETE FROM packet_addr WHERE trace_id NOT IN (SELECT id FROM trace);
DELETE FROM packet_row WHERE NOT EXISTS
  (SELECT 1 FROM packet_range r
   WHERE packet_row.id BETWEEN r.first_id AND r.last_id);
DELETE FROM event_extra WHERE NOT EXISTS
  (SELECT 1 FROM trace t
   WHERE event_extra.event_id BETWEEN t.first_event AND t.last_event);
DELETE FROM event WHERE NOT EXISTS
  (SELECT 1 FROM trace t WHERE event.id BETWEEN t.first_event AND t.last_event);
